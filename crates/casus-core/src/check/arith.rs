//! Arithmetic that stays finite: every `+ - * /` in a condition must give a finite number for
//! every value its facts can take, or a comparison with its result means something other than
//! the analyst wrote (`inf` compares greater than any number; `NaN` compares false with all).
//!
//! Each number a condition reads has a known range: an input fact its value (or the value
//! given on the command line), a derived fact the hull of its default, the values rules set and
//! its `add` sum's reach (`|default| + Σ|amounts|`, held finite by E0406). Interval arithmetic
//! over the expression then bounds every intermediate result; a result that can leave the
//! finite numbers, or a division whose divisor can be 0, is error E0407 at the operator.

use std::collections::HashMap;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::expr::{BinaryOp, Expr, ExprKind, UnaryOp};
use crate::model::{Evidence, FactKind, Scenario, Value};

/// A closed interval of reals, `lo <= hi`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Range {
    lo: f64,
    hi: f64,
}

impl Range {
    fn point(x: f64) -> Self {
        Self { lo: x, hi: x }
    }

    fn hull(self, other: Range) -> Self {
        Self {
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
        }
    }

    fn of(values: impl IntoIterator<Item = f64>) -> Option<Self> {
        values.into_iter().map(Range::point).reduce(Range::hull)
    }

    fn finite(self) -> bool {
        self.lo.is_finite() && self.hi.is_finite()
    }
}

/// Every arithmetic operation of the scenario's conditions that can leave the finite numbers,
/// with input facts overridden by `overrides` (fact index, value).
pub fn arithmetic(scenario: &Scenario, overrides: &[(usize, Value)]) -> Vec<Diagnostic> {
    let ranges = fact_ranges(scenario, overrides);
    let mut diagnostics = Vec::new();
    let conditions = scenario
        .decisions
        .iter()
        .flat_map(|d| d.when.iter().chain(d.likelihood_if.iter().map(|c| &c.when)))
        .chain(scenario.rules.iter().map(|r| &r.when))
        .chain(scenario.outcomes.iter().filter_map(|o| o.when.as_ref()))
        .chain(scenario.signposts.iter().filter_map(|s| match &s.evidence {
            Some(Evidence::When(when)) => Some(when),
            _ => None,
        }));
    for when in conditions {
        range_of(when, &ranges, &mut diagnostics);
    }
    diagnostics
}

/// The range of every number fact, by name.
fn fact_ranges<'s>(
    scenario: &'s Scenario,
    overrides: &[(usize, Value)],
) -> HashMap<&'s str, Range> {
    /// What the rules write to one fact: the hull of the numbers they set, and the sums of
    /// the negative and of the positive amounts they add.
    #[derive(Default)]
    struct Writes {
        set: Option<Range>,
        down: f64,
        up: f64,
    }
    // One pass over the rules, in file order (so the sums are added in the same order).
    let mut writes: HashMap<&str, Writes> = HashMap::new();
    for rule in &scenario.rules {
        for assign in &rule.then {
            if let Value::Number(n) = assign.value.value {
                let w = writes.entry(assign.fact.name.as_str()).or_default();
                w.set = Some(w.set.map_or(Range::point(n), |r| r.hull(Range::point(n))));
            }
        }
    }
    for rule in &scenario.rules {
        for change in &rule.add {
            let w = writes.entry(change.fact.name.as_str()).or_default();
            let a = change.amount.value;
            w.down += a.min(0.0);
            w.up += a.max(0.0);
        }
    }
    let mut ranges = HashMap::new();
    for (index, fact) in scenario.facts.iter().enumerate() {
        let name = fact.id.name.as_str();
        match &fact.kind {
            FactKind::Input { value, .. } => {
                let value = overrides
                    .iter()
                    .find(|(f, _)| *f == index)
                    .map_or(&value.value, |(_, v)| v);
                if let Value::Number(n) = value {
                    ranges.insert(name, Range::point(*n));
                }
            }
            FactKind::Derived { default, .. } => {
                let Value::Number(base) = default.value else {
                    continue;
                };
                let written = writes.get(name);
                let (down, up) = written.map_or((0.0, 0.0), |w| (w.down, w.up));
                let mut range = Range {
                    lo: base + down,
                    hi: base + up,
                };
                if let Some(set) = written.and_then(|w| w.set) {
                    range = range.hull(set);
                }
                ranges.insert(name, range);
            }
        }
    }
    ranges
}

/// The range of a numeric expression, reporting every operation that can leave the finite
/// numbers; `None` for what is not a number (or already reported).
fn range_of(
    expr: &Expr,
    facts: &HashMap<&str, Range>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Range> {
    match &expr.kind {
        ExprKind::Number(n) => Some(Range::point(*n)),
        ExprKind::Name(name) => facts.get(name.as_str()).copied(),
        ExprKind::Bool(_) | ExprKind::Symbol(_) => None,
        ExprKind::Unary(UnaryOp::Neg, inner) => {
            range_of(inner, facts, diagnostics).map(|r| Range {
                lo: -r.hi,
                hi: -r.lo,
            })
        }
        ExprKind::Unary(UnaryOp::Not, inner) => {
            range_of(inner, facts, diagnostics);
            None
        }
        ExprKind::In(inner, items) => {
            range_of(inner, facts, diagnostics);
            for item in items {
                range_of(item, facts, diagnostics);
            }
            None
        }
        ExprKind::Binary(op, a, b) => {
            let (ra, rb) = (
                range_of(a, facts, diagnostics),
                range_of(b, facts, diagnostics),
            );
            let (Some(x), Some(y)) = (ra, rb) else {
                return None;
            };
            let corners = |f: fn(f64, f64) -> f64| {
                Range::of([f(x.lo, y.lo), f(x.lo, y.hi), f(x.hi, y.lo), f(x.hi, y.hi)])
            };
            let result = match op {
                BinaryOp::Add => Range {
                    lo: x.lo + y.lo,
                    hi: x.hi + y.hi,
                },
                BinaryOp::Sub => Range {
                    lo: x.lo - y.hi,
                    hi: x.hi - y.lo,
                },
                BinaryOp::Mul => corners(|p, q| p * q)?,
                BinaryOp::Div => {
                    if y.lo <= 0.0 && y.hi >= 0.0 {
                        diagnostics.push(
                            Diagnostic::new(
                                Code::ArithmeticRange,
                                format!("`{}` can divide by zero", expr_words(expr)),
                            )
                            .primary(b.span, format!("can be 0 ({})", range_words(y)))
                            .help("divide only by what cannot be 0, or compare the product instead: `a > b * c` rather than `a / c > b`"),
                        );
                        return None;
                    }
                    corners(|p, q| p / q)?
                }
                _ => return None,
            };
            // `NaN` bounds (`inf − inf`, `0 × inf`) fail `finite` as well.
            if result.finite() {
                Some(result)
            } else {
                diagnostics.push(
                    Diagnostic::new(
                        Code::ArithmeticRange,
                        format!("`{}` can leave the finite numbers", expr_words(expr)),
                    )
                    .primary(expr.span, "can overflow")
                    .help("scale the facts to smaller units, so that every intermediate result stays within about ±1.8e308"),
                );
                None
            }
        }
    }
}

fn range_words(r: Range) -> String {
    if r.lo == r.hi {
        format!("it is {}", format_number(r.lo))
    } else {
        format!(
            "it ranges over {} to {}",
            format_number(r.lo),
            format_number(r.hi)
        )
    }
}

/// A number as a person reads it in a message: exponent form where digits would run on.
fn format_number(n: f64) -> String {
    if n != 0.0 && !(1e-6..1e15).contains(&n.abs()) {
        format!("{n:e}")
    } else {
        crate::model::format_number(n)
    }
}

/// A short rendering of an expression for messages.
fn expr_words(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Number(n) => format_number(*n),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Symbol(s) => format!("'{s}'"),
        ExprKind::Unary(UnaryOp::Neg, inner) => format!("-{}", expr_words(inner)),
        ExprKind::Binary(op, a, b) => {
            let symbol = match op {
                BinaryOp::Add => "+",
                BinaryOp::Sub => "-",
                BinaryOp::Mul => "*",
                BinaryOp::Div => "/",
                _ => "…",
            };
            format!("{} {symbol} {}", expr_words(a), expr_words(b))
        }
        _ => "…".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;
    use proptest::prelude::*;

    /// A random arithmetic expression over the facts `f0`–`f2` and small literals.
    fn expression() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            (-1e3f64..1e3).prop_map(ExprKind::Number),
            (0usize..3).prop_map(|i| ExprKind::Name(format!("f{i}"))),
        ]
        .prop_map(|kind| Expr {
            kind,
            span: Span::default(),
        });
        leaf.prop_recursive(4, 24, 2, |inner| {
            (
                prop_oneof![
                    Just(BinaryOp::Add),
                    Just(BinaryOp::Sub),
                    Just(BinaryOp::Mul),
                    Just(BinaryOp::Div)
                ],
                inner.clone(),
                inner,
            )
                .prop_map(|(op, a, b)| Expr {
                    kind: ExprKind::Binary(op, Box::new(a), Box::new(b)),
                    span: Span::default(),
                })
        })
    }

    /// The naive value: plain floating-point evaluation with the facts' values.
    fn value(expr: &Expr, facts: &[f64; 3]) -> f64 {
        match &expr.kind {
            ExprKind::Number(n) => *n,
            ExprKind::Name(n) => facts[n[1..].parse::<usize>().unwrap_or(0)],
            ExprKind::Unary(UnaryOp::Neg, e) => -value(e, facts),
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (value(a, facts), value(b, facts));
                match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    _ => a / b,
                }
            }
            _ => f64::NAN,
        }
    }

    proptest! {
        /// Soundness against the naive evaluation: for facts anywhere in their ranges, an
        /// expression the check passes evaluates to a finite number inside the range it
        /// computed (up to rounding at the ends).
        #[test]
        fn what_the_check_passes_stays_finite_and_in_range(
            expr in expression(),
            bounds in prop::array::uniform3((-1e4f64..1e4, 0.0f64..1e4)),
            at in prop::array::uniform3(0.0f64..=1.0),
        ) {
            let names = ["f0", "f1", "f2"];
            let facts: HashMap<&str, Range> = names
                .iter()
                .zip(bounds)
                .map(|(n, (lo, width))| (*n, Range { lo, hi: lo + width }))
                .collect();
            let mut values = [0.0; 3];
            for (i, name) in names.iter().enumerate() {
                let r = facts[name];
                values[i] = (r.lo + at[i] * (r.hi - r.lo)).clamp(r.lo, r.hi);
            }
            let mut diagnostics = Vec::new();
            let range = range_of(&expr, &facts, &mut diagnostics);
            if diagnostics.is_empty() {
                let range = range.unwrap();
                let v = value(&expr, &values);
                prop_assert!(v.is_finite(), "{v}");
                let slack = 1e-9 * (range.lo.abs().max(range.hi.abs()).max(1.0));
                prop_assert!(range.lo - slack <= v && v <= range.hi + slack, "{v} not in {range:?}");
            }
        }
    }

    #[test]
    fn intervals_of_products_take_every_corner() {
        let x = Range { lo: -2.0, hi: 3.0 };
        let y = Range { lo: -5.0, hi: 1.0 };
        let corners = [x.lo * y.lo, x.lo * y.hi, x.hi * y.lo, x.hi * y.hi];
        assert_eq!(
            Range::of(corners),
            Some(Range {
                lo: -15.0,
                hi: 10.0
            })
        );
        assert!(
            !Range {
                lo: 0.0,
                hi: f64::INFINITY
            }
            .finite()
        );
        assert!(
            !Range {
                lo: f64::NAN,
                hi: 1.0
            }
            .finite()
        );
    }
}
