//! Counterfactuals: "why not OUTCOME?" answered as the smallest change of choices that leads
//! there instead, or the reason no change of choices does.
//!
//! A *changed choice* is a decision taken on the new path whose option differs from the one
//! taken on the explained path — including a decision the explained path skipped, since the
//! new path must choose there too. Decisions the new path skips are consequences, not choices,
//! and are listed apart. The answer has the fewest changed choices; among equals the most
//! likely path; among equally likely ones the first in file order. It is found by walking
//! every path consistent with the given values once, so it is minimal by construction.

use std::ops::ControlFlow;

use casus_core::expr::{Expr, ExprKind};
use casus_core::model::{FactKind, Scenario, Type, Value};
use casus_core::names::{NameRef, Names};

use crate::analyses::explain::ExplainedPath;
use crate::compile::program::Program;
use crate::search::given::Fixed;
use crate::search::paths::{WalkError, WalkLimits, walk};
use crate::search::walk::Given;

/// Most alternative fact values tried when looking for why an outcome is out of reach.
const MAX_FACT_CANDIDATES: usize = 64;
/// Most alternative fact values reported.
const MAX_FACT_FINDINGS: usize = 5;

/// One changed choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flip {
    /// Decision index.
    pub decision: usize,
    /// The option on the explained path; `None` where it was skipped there.
    pub from: Option<usize>,
    /// The option on the new path.
    pub to: usize,
}

/// A path that reaches the target, and how it differs from the explained path.
#[derive(Clone, Debug, PartialEq)]
pub struct Counterfactual {
    /// The new path.
    pub path: ExplainedPath,
    /// The changed choices, in decision order.
    pub flips: Vec<Flip>,
    /// Decisions taken on the explained path that the new path skips.
    pub now_skipped: Vec<usize>,
    /// Rules that fire at the end of the new path but not of the explained one.
    pub start_firing: Vec<usize>,
    /// Rules that fire at the end of the explained path but not of the new one.
    pub stop_firing: Vec<usize>,
    /// Other paths that reach the target with as few changed choices.
    pub equally_small: u64,
    /// The sum of the probabilities of every path the search considered (those consistent
    /// with the decisions it kept fixed); the new path's share of it is its probability.
    pub total_probability: f64,
}

impl Counterfactual {
    /// The new path's probability given the decisions kept fixed.
    pub fn share(&self) -> f64 {
        crate::analyses::explain::share(self.path.probability, self.total_probability)
    }
}

/// The answer to "why not OUTCOME?".
#[derive(Clone, Debug, PartialEq)]
pub enum WhyNot {
    /// The explained path already reaches the outcome.
    AlreadyReached,
    /// The smallest change of choices that reaches it.
    Change(Box<Counterfactual>),
    /// No change of choices reaches it under the given values; here is why.
    NoChange(Reason),
}

/// Why no change of choices reaches an outcome.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// It is reachable only if a decision fixed with `--given` (or a test's `given`) differs:
    /// the smallest change with every decision free. Its flips name the given decisions.
    GivenDecisions(Box<Counterfactual>),
    /// It is reachable on no path with these input facts, but is with one of them changed:
    /// `(fact index, value)` for each single change found (a few, in fact order).
    InputFacts(Vec<(usize, Value)>),
    /// It is reachable on no path, and no single input fact tried changes that. `reads` are
    /// the input facts its condition depends on (directly or through rules).
    Unreachable {
        /// Input fact indices.
        reads: Vec<usize>,
    },
}

/// Answers "why not `target`?" relative to `base`, the explained path under `fixed`.
///
/// `program` must be compiled with `fixed.overrides`. `limits` bound each walk; the search
/// for input facts that would change the answer shares one budget of `limits.max_paths` paths and
/// stops quietly when it runs out.
pub fn why_not(
    scenario: &Scenario,
    program: &Program,
    fixed: &Fixed,
    base: &ExplainedPath,
    target: usize,
    limits: impl Into<WalkLimits>,
) -> Result<WhyNot, WalkError> {
    let limits = limits.into();
    if base.outcome == Some(target) {
        return Ok(WhyNot::AlreadyReached);
    }
    if let Some(change) = smallest_change(program, &fixed.given, base, target, limits.clone())? {
        return Ok(WhyNot::Change(Box::new(change)));
    }
    if fixed.given.decisions.iter().any(Option::is_some) {
        let free = Given::none(program.decisions.len());
        if let Some(change) = smallest_change(program, &free, base, target, limits.clone())? {
            return Ok(WhyNot::NoChange(Reason::GivenDecisions(Box::new(change))));
        }
    }
    let found = facts_that_reach(scenario, fixed, target, &limits);
    if !found.is_empty() {
        return Ok(WhyNot::NoChange(Reason::InputFacts(found)));
    }
    Ok(WhyNot::NoChange(Reason::Unreachable {
        reads: input_facts_read(scenario, target),
    }))
}

/// The changed choices that turn `base` into `path`, in decision order.
pub fn flips(base: &ExplainedPath, steps: &[crate::search::paths::PathStep]) -> Vec<Flip> {
    steps
        .iter()
        .filter_map(|s| {
            let to = s.option?;
            let from = base.option(s.decision);
            (from != Some(to)).then_some(Flip {
                decision: s.decision,
                from,
                to,
            })
        })
        .collect()
}

/// Counts changed choices; `base_options[d]` is the explained path's option at decision `d`.
fn flip_count(base_options: &[Option<usize>], steps: &[crate::search::paths::PathStep]) -> usize {
    steps
        .iter()
        .filter(|s| {
            s.option.is_some() && base_options.get(s.decision).copied().flatten() != s.option
        })
        .count()
}

/// The path reaching `target` with the fewest changed choices from `base`, then the most
/// likely, then the first in file order; `None` if no path consistent with `given` reaches it.
pub fn smallest_change(
    program: &Program,
    given: &Given,
    base: &ExplainedPath,
    target: usize,
    limits: impl Into<WalkLimits>,
) -> Result<Option<Counterfactual>, WalkError> {
    let limits = limits.into();
    let base_options: Vec<Option<usize>> = (0..program.decisions.len())
        .map(|d| base.option(d))
        .collect();
    let mut best: Option<(usize, ExplainedPath)> = None;
    let mut equally_small = 0;
    let mut total = 0.0;
    walk(program, given, limits.clone(), |path| {
        total += path.probability;
        if path.outcome != Some(target) {
            return ControlFlow::Continue(());
        }
        let count = flip_count(&base_options, path.steps);
        match &best {
            Some((c, b)) if count == *c => {
                equally_small += 1;
                if path.probability > b.probability {
                    best = Some((count, ExplainedPath::from_path(path)));
                }
            }
            Some((c, _)) if count > *c => {}
            _ => {
                equally_small = 0;
                best = Some((count, ExplainedPath::from_path(path)));
            }
        }
        ControlFlow::Continue(())
    })?;
    Ok(best.map(|(_, path)| {
        let now_skipped = base
            .steps
            .iter()
            .filter(|s| s.option.is_some() && path.option(s.decision).is_none())
            .map(|s| s.decision)
            .collect();
        let start_firing = (0..path.fired.len())
            .filter(|&r| path.fired[r] && !base.fired.get(r).copied().unwrap_or(false))
            .collect();
        let stop_firing = (0..base.fired.len())
            .filter(|&r| base.fired[r] && !path.fired.get(r).copied().unwrap_or(false))
            .collect();
        Counterfactual {
            flips: flips(base, &path.steps),
            path,
            now_skipped,
            start_firing,
            stop_firing,
            equally_small,
            total_probability: total,
        }
    }))
}

/// Single changes of input facts under which some path reaches `target` (every decision
/// free): overridden facts back to the file's value, booleans flipped, other members of an
/// enum type, and numbers just either side of each threshold the scenario compares them with.
fn facts_that_reach(
    scenario: &Scenario,
    fixed: &Fixed,
    target: usize,
    limits: &WalkLimits,
) -> Vec<(usize, Value)> {
    let mut found = Vec::new();
    let mut left = limits.max_paths;
    let free = Given::none(scenario.decisions.len());
    for (fact, value) in candidates(scenario, fixed) {
        if found.len() >= MAX_FACT_FINDINGS || left == 0 {
            break;
        }
        let mut overrides: Vec<(usize, Value)> = fixed
            .overrides
            .iter()
            .filter(|(f, _)| *f != fact)
            .cloned()
            .collect();
        overrides.push((fact, value.clone()));
        let Ok(program) = Program::compile_with(scenario, &overrides) else {
            continue;
        };
        let mut reached = false;
        let walked = walk(&program, &free, limits.with_max_paths(left), |path| {
            if path.outcome == Some(target) {
                reached = true;
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        match walked {
            Ok(n) => left = left.saturating_sub(n),
            // The budget is spent: what was found so far is the answer.
            Err(_) => left = 0,
        }
        if reached {
            found.push((fact, value));
        }
    }
    found
}

/// Alternative values of input facts, in fact order, at most [`MAX_FACT_CANDIDATES`].
fn candidates(scenario: &Scenario, fixed: &Fixed) -> Vec<(usize, Value)> {
    let thresholds = thresholds(scenario);
    let mut out = Vec::new();
    for (i, fact) in scenario.facts.iter().enumerate() {
        let FactKind::Input { value, ty, .. } = &fact.kind else {
            continue;
        };
        let current = fixed
            .overrides
            .iter()
            .find(|(f, _)| *f == i)
            .map_or(&value.value, |(_, v)| v);
        let mut values: Vec<Value> = Vec::new();
        if current != &value.value {
            values.push(value.value.clone());
        }
        match (ty, current) {
            (Type::Bool, Value::Bool(b)) => values.push(Value::Bool(!b)),
            (Type::Enum(symbols), _) => {
                values.extend(symbols.iter().map(|s| Value::Symbol(s.clone())));
            }
            (Type::Number, _) => {
                for &(f, c) in &thresholds {
                    if f == i {
                        for v in [c - 1.0, c, c + 1.0] {
                            values.push(Value::Number(v));
                        }
                    }
                }
            }
            _ => {}
        }
        let mut seen: Vec<Value> = Vec::new();
        for v in values {
            if &v != current && !seen.contains(&v) && ty.admits(&v) {
                seen.push(v.clone());
                out.push((i, v));
            }
        }
    }
    out.truncate(MAX_FACT_CANDIDATES);
    out
}

/// `(input fact, number)` for every comparison of an input fact with a number literal
/// anywhere in the scenario, in file order.
fn thresholds(scenario: &Scenario) -> Vec<(usize, f64)> {
    let names = Names::new(scenario);
    let mut out = Vec::new();
    let mut visit = |expr: &Expr| collect_thresholds(expr, &names, &mut out);
    for d in &scenario.decisions {
        if let Some(w) = &d.when {
            visit(w);
        }
        for c in &d.likelihood_if {
            visit(&c.when);
        }
    }
    for r in &scenario.rules {
        visit(&r.when);
    }
    for o in &scenario.outcomes {
        if let Some(w) = &o.when {
            visit(w);
        }
    }
    out
}

fn collect_thresholds(expr: &Expr, names: &Names, out: &mut Vec<(usize, f64)>) {
    let fact_of = |e: &Expr| match &e.kind {
        ExprKind::Name(n) => match names.get(n) {
            Some((NameRef::Fact(f), _)) => Some(f),
            _ => None,
        },
        _ => None,
    };
    match &expr.kind {
        ExprKind::Binary(op, lhs, rhs) => {
            if op.is_comparison() {
                match (&lhs.kind, &rhs.kind) {
                    (_, ExprKind::Number(c)) => {
                        if let Some(f) = fact_of(lhs) {
                            out.push((f, *c));
                        }
                    }
                    (ExprKind::Number(c), _) => {
                        if let Some(f) = fact_of(rhs) {
                            out.push((f, *c));
                        }
                    }
                    _ => {}
                }
            }
            collect_thresholds(lhs, names, out);
            collect_thresholds(rhs, names, out);
        }
        ExprKind::Unary(_, operand) => collect_thresholds(operand, names, out),
        ExprKind::In(lhs, items) => {
            if let Some(f) = fact_of(lhs) {
                for item in items {
                    if let ExprKind::Number(c) = item.kind {
                        out.push((f, c));
                    }
                }
            }
            collect_thresholds(lhs, names, out);
        }
        ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Symbol(_) | ExprKind::Name(_) => {}
    }
}

/// The input facts an outcome's condition reads, directly or through the rules that set the
/// derived facts it reads, in the scenario's order.
pub fn input_facts_read(scenario: &Scenario, outcome: usize) -> Vec<usize> {
    let names = Names::new(scenario);
    let Some(when) = scenario.outcomes.get(outcome).and_then(|o| o.when.as_ref()) else {
        return Vec::new();
    };
    let mut inputs = vec![false; scenario.facts.len()];
    let mut derived_seen = vec![false; scenario.facts.len()];
    let mut queue: Vec<&Expr> = vec![when];
    while let Some(expr) = queue.pop() {
        let mut read: Vec<usize> = Vec::new();
        expr.for_each_name(&mut |name, _| {
            if let Some((NameRef::Fact(f), _)) = names.get(name) {
                read.push(f);
            }
        });
        for f in read {
            if scenario.facts[f].is_derived() {
                if derived_seen[f] {
                    continue;
                }
                derived_seen[f] = true;
                let id = &scenario.facts[f].id.name;
                for rule in &scenario.rules {
                    let writes = rule.then.iter().any(|a| a.fact.name == *id)
                        || rule.add.iter().any(|c| c.fact.name == *id);
                    if writes {
                        queue.push(&rule.when);
                    }
                }
            } else {
                inputs[f] = true;
            }
        }
    }
    (0..inputs.len()).filter(|&f| inputs[f]).collect()
}
