//! Type checking of expressions against the declarations.

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::expr::{BinaryOp, Expr, ExprKind, UnaryOp};
use crate::model::{Scenario, Type, list, user_text};
use crate::names::{NameRef, Names};
use crate::span::Span;

/// The type of a sub-expression as far as the checker can tell.
#[derive(Clone, Debug, PartialEq)]
enum Ty<'a> {
    Bool,
    Number,
    /// The value of a fact or decision with a fixed set of symbols.
    Enum {
        symbols: &'a [String],
        owner: &'a str,
    },
    /// A symbol literal, typed by what it is compared with.
    Symbol(&'a str),
}

impl Ty<'_> {
    fn describe(&self) -> String {
        match self {
            Ty::Bool => "true or false".to_owned(),
            Ty::Number => "a number".to_owned(),
            Ty::Enum { owner, .. } => format!("an option of `{owner}`"),
            Ty::Symbol(_) => "a symbol".to_owned(),
        }
    }
}

/// Checks expressions of one scenario; `visible` limits which decisions a guard may read.
pub(super) struct TypeChecker<'a> {
    pub(super) scenario: &'a Scenario,
    pub(super) names: &'a Names,
    /// Names declared twice; already reported, so expressions reading them are not checked.
    pub(super) ambiguous: &'a [String],
    pub(super) diagnostics: &'a mut Vec<Diagnostic>,
}

/// Which decisions an expression may read.
#[derive(Clone, Copy)]
pub(super) enum Visible<'a> {
    /// Rules and outcomes read everything.
    All,
    /// A guard or conditional likelihood of decision `index` reads only decisions before it.
    Before { index: usize, what: &'a str },
}

impl<'a> TypeChecker<'a> {
    /// Checks that `expr` is a condition (true or false).
    pub(super) fn condition(&mut self, expr: &'a Expr, visible: Visible<'_>) {
        self.check_order(expr, visible);
        if let Some(ty) = self.infer(expr)
            && ty != Ty::Bool
        {
            {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        format!(
                            "a condition must be true or false, but this is {}",
                            ty.describe()
                        ),
                    )
                    .primary(expr.span, "not a condition")
                    .help(condition_help(expr, &ty)),
                );
            }
        }
    }

    fn check_order(&mut self, expr: &Expr, visible: Visible<'_>) {
        let Visible::Before { index, what } = visible else {
            return;
        };
        let scenario = self.scenario;
        let mut found = Vec::new();
        expr.for_each_name(&mut |name, span| {
            if let Some((NameRef::Decision(d), _)) = self.names.get(name)
                && d >= index
            {
                found.push((d, span));
            }
        });
        for (d, span) in found {
            let read = &scenario.decisions[d];
            let message = if d == index {
                format!(
                    "{what} reads `{}` itself, which is not decided yet",
                    read.id.name
                )
            } else {
                format!("{what} reads `{}`, which is decided later", read.id.name)
            };
            self.diagnostics.push(
                Diagnostic::new(Code::LaterDecision, message)
                    .primary(span, "not decided yet at this point")
                    .secondary(read.id.span, "declared here")
                    .help("decisions happen in file order: move the decision that is read above this one"),
            );
        }
    }

    fn infer(&mut self, expr: &'a Expr) -> Option<Ty<'a>> {
        match &expr.kind {
            ExprKind::Bool(_) => Some(Ty::Bool),
            ExprKind::Number(_) => Some(Ty::Number),
            ExprKind::Symbol(s) => Some(Ty::Symbol(s)),
            ExprKind::Name(name) => self.name(name, expr.span),
            ExprKind::Unary(op, operand) => {
                let ty = self.infer(operand)?;
                let (want, word) = match op {
                    UnaryOp::Not => (Ty::Bool, "`not` applies to a condition"),
                    UnaryOp::Neg => (Ty::Number, "`-` applies to a number"),
                };
                if ty != want {
                    let help = match op {
                        UnaryOp::Not => condition_help(operand, &ty),
                        UnaryOp::Neg => number_help(&ty),
                    };
                    self.mismatch(
                        operand.span,
                        format!("{word}, but this is {}", ty.describe()),
                        help,
                    );
                    return None;
                }
                Some(want)
            }
            ExprKind::Binary(op, lhs, rhs) => {
                let (l, r) = (self.infer(lhs), self.infer(rhs));
                let (l, r) = (l?, r?);
                self.binary(*op, (lhs, l), (rhs, r))
            }
            ExprKind::In(lhs, items) => {
                let l = self.infer(lhs)?;
                for item in items {
                    if let Some(t) = self.infer(item) {
                        self.equality(BinaryOp::Eq, (lhs, l.clone()), (item, t));
                    }
                }
                Some(Ty::Bool)
            }
        }
    }

    fn name(&mut self, name: &str, span: Span) -> Option<Ty<'a>> {
        let names: &'a Names = self.names;
        if self.ambiguous.iter().any(|a| a == name) {
            return None;
        }
        match names.get(name) {
            Some((_, Type::Bool)) => Some(Ty::Bool),
            Some((_, Type::Number)) => Some(Ty::Number),
            Some((r, Type::Enum(symbols))) => {
                let owner = match r {
                    NameRef::Fact(i) => &self.scenario.facts[i].id.name,
                    NameRef::Decision(i) => &self.scenario.decisions[i].id.name,
                };
                Some(Ty::Enum { symbols, owner })
            }
            None => {
                self.diagnostics.push(self.unknown_name(name, span));
                None
            }
        }
    }

    fn unknown_name(&self, name: &str, span: Span) -> Diagnostic {
        let owner = self
            .scenario
            .decisions
            .iter()
            .find(|d| d.options.iter().any(|o| o.name == name));
        let help = match owner {
            Some(d) => format!(
                "`{name}` is an option of `{}`; symbols are quoted: `'{name}'`",
                d.id.name
            ),
            None => did_you_mean(name, self.names.all())
                .unwrap_or_else(|| "declare it under `[facts]` or `[decisions]`".to_owned()),
        };
        Diagnostic::new(
            Code::UnknownName,
            format!("`{name}` is not a fact or decision"),
        )
        .primary(span, "unknown name")
        .help(help)
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        lhs: (&'a Expr, Ty<'a>),
        rhs: (&'a Expr, Ty<'a>),
    ) -> Option<Ty<'a>> {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                for (e, t) in [&lhs, &rhs] {
                    if *t != Ty::Bool {
                        self.mismatch(
                            e.span,
                            format!(
                                "`{}` joins conditions, but this is {}",
                                op.as_str(),
                                t.describe()
                            ),
                            condition_help(e, t),
                        );
                    }
                }
                Some(Ty::Bool)
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                for (e, t) in [&lhs, &rhs] {
                    if *t != Ty::Number {
                        self.mismatch(
                            e.span,
                            format!(
                                "`{}` works on numbers, but this is {}",
                                op.as_str(),
                                t.describe()
                            ),
                            number_help(t),
                        );
                    }
                }
                Some(Ty::Number)
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                for (e, t) in [&lhs, &rhs] {
                    if *t != Ty::Number {
                        self.mismatch(
                            e.span,
                            format!(
                                "`{}` compares numbers, but this is {}",
                                op.as_str(),
                                t.describe()
                            ),
                            number_help(t),
                        );
                    }
                }
                Some(Ty::Bool)
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                self.equality(op, lhs, rhs);
                Some(Ty::Bool)
            }
        }
    }

    /// `==`, `!=` and `in`: both sides of one type, and symbols among the options.
    fn equality(
        &mut self,
        op: BinaryOp,
        (le, lt): (&'a Expr, Ty<'a>),
        (re, rt): (&'a Expr, Ty<'a>),
    ) {
        match (&lt, &rt) {
            (Ty::Bool, Ty::Bool) | (Ty::Number, Ty::Number) | (Ty::Symbol(_), Ty::Symbol(_)) => {}
            (Ty::Enum { symbols, owner }, Ty::Symbol(s)) => self.member(symbols, owner, s, re.span),
            (Ty::Symbol(s), Ty::Enum { symbols, owner }) => self.member(symbols, owner, s, le.span),
            (
                Ty::Enum {
                    symbols: a,
                    owner: oa,
                },
                Ty::Enum {
                    symbols: b,
                    owner: ob,
                },
            ) => {
                if !a.iter().any(|s| b.contains(s)) {
                    let first = a.first().map_or("…", String::as_str);
                    self.mismatch(
                        le.span.cover(re.span),
                        format!(
                            "`{oa}` and `{ob}` have no option in common, so `{}` always gives the same answer",
                            op.as_str()
                        ),
                        format!(
                            "compare each with one of its own options in quotes, such as `{oa} == '{first}'`"
                        ),
                    );
                }
            }
            _ => {
                let text = format!("cannot compare {} with {}", lt.describe(), rt.describe());
                let help = match (&le.kind, &lt, &rt) {
                    (ExprKind::Name(name), Ty::Number, Ty::Symbol(_)) => format!(
                        "`{name}` is a number: compare it with a number, such as `{name} > 50`"
                    ),
                    (ExprKind::Name(name), Ty::Bool, Ty::Symbol(_)) => format!(
                        "`{name}` is true or false: test it with `{name}` or `not {name}`"
                    ),
                    _ => "compare values of one type: numbers with numbers, options with quoted symbols"
                        .to_owned(),
                };
                self.diagnostics.push(
                    Diagnostic::new(Code::TypeMismatch, text)
                        .primary(re.span, rt.describe())
                        .secondary(le.span, lt.describe())
                        .help(help),
                );
            }
        }
    }

    fn member(&mut self, symbols: &[String], owner: &str, symbol: &str, span: Span) {
        if symbols.iter().any(|s| s == symbol) {
            return;
        }
        let shown = user_text(symbol);
        let help = did_you_mean(symbol, symbols.iter().map(String::as_str)).unwrap_or_else(|| {
            format!("use one of the options of `{owner}`, or add `{shown}` to them")
        });
        self.diagnostics.push(
            Diagnostic::new(
                Code::UnknownSymbol,
                format!("`{shown}` is not an option of `{owner}`"),
            )
            .primary(span, format!("`{owner}` is {}", list(symbols)))
            .help(help),
        );
    }

    fn mismatch(&mut self, span: Span, message: String, help: String) {
        self.diagnostics.push(
            Diagnostic::new(Code::TypeMismatch, message)
                .primary(span, "")
                .help(help),
        );
    }
}

/// How to turn an operand of type `ty` into a condition, with the analyst's own name when the
/// operand is one.
fn condition_help(expr: &Expr, ty: &Ty<'_>) -> String {
    let name = match &expr.kind {
        ExprKind::Name(name) => Some(name.as_str()),
        _ => None,
    };
    match (ty, name) {
        (Ty::Number, Some(name)) => {
            format!("compare the number with something to make a condition, such as `{name} > 0`")
        }
        (Ty::Enum { owner, symbols }, _) => format!(
            "compare it with one of its options to make a condition, such as `{owner} == '{}'`",
            symbols.first().map_or("…", String::as_str)
        ),
        (Ty::Symbol(symbol), _) => format!(
            "a quoted symbol is not a condition; compare it with a decision, such as \
             `answer == '{}'`",
            user_text(symbol)
        ),
        _ => "compare it with something to make a condition, such as `x == 'option'` or `x > 10`"
            .to_owned(),
    }
}

/// Why a value of type `ty` is not a number, and what to write instead.
fn number_help(ty: &Ty<'_>) -> String {
    match ty {
        Ty::Enum { owner, symbols } => format!(
            "options are not numbers; test them with `==`, such as `{owner} == '{}'`, or declare \
             a number fact",
            symbols.first().map_or("…", String::as_str)
        ),
        Ty::Symbol(_) => {
            "a quoted symbol is not a number; write numbers without quotes, such as `50`".to_owned()
        }
        Ty::Bool => "true or false is not a number; join conditions with `and` or `or`".to_owned(),
        Ty::Number => "this is a number already".to_owned(),
    }
}
