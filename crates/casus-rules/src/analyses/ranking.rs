//! Which assumptions the conclusion hangs on: each likelihood judgement reversed and each rule
//! dropped, ranked by how far the outcome distribution moves.
//!
//! The distance is the total variation distance, half the sum of absolute changes: the share
//! of probability that lands on a different outcome. A rule whose removal moves nothing is
//! decorative; a judgement whose reversal moves half the forecast is load-bearing.
//!
//! **Cost.** Reversing a decision's likelihoods changes numbers only, so on the merged decision
//! graph every reversal comes from one adjoint (`crate::graphs::merged`), exactly. Dropping a
//! rule changes which outcome paths reach. One search finds the forecast without every rule
//! whose effect nothing reads and every rule that writes only facts the outcomes alone read
//! (`search/drops.rs`); each other rule needs an evaluation of its own — but only where it
//! could enter the ranking shown. Dropping a rule can move only the paths on which it fires,
//! so its distance is at most its firing mass; a rule whose `when` requires `decision == 'option'`
//! (or `decision in [...]`) fires on no more than that option's share of the paths, which the
//! graph gives for every decision in one pass. Rules are evaluated in order of that bound, and
//! once [`EXACT_RANKS`] distances are known, a rule whose bound is below all of them cannot
//! enter the ranking and is listed with its bound, marked as such. The bound holds for the
//! forecast as written; under `--given` or observed signposts the forecast is conditioned (a
//! ratio), the bound does not carry over, and every rule is evaluated.

use casus_core::Diagnostic;
use casus_core::expr::{BinaryOp, Expr, ExprKind};
use rayon::prelude::*;

use crate::compile::program::Program;
use crate::graphs::merged::MergedGraph;
use crate::search::walk::EvalLimits;
use crate::session::Model;
use crate::session::Without;

/// How many distances are computed exactly before the rest may be left as bounds: enough for
/// every ranking a report shows.
pub const EXACT_RANKS: usize = 10;

/// Distances this close are equal: rounding, not a difference.
const NOISE: f64 = 1e-12;

/// Dropped rules evaluated side by side.
const BATCH: usize = 4;

/// What was changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "index")]
pub enum Assumption {
    /// A decision's likelihoods, reversed: each option gets `(1 − p) / (k − 1)`, which swaps
    /// the two options of a binary judgement.
    Likelihood(usize),
    /// A rule, dropped.
    Rule(usize),
}

/// How a distance was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Computed: the forecast with the change, compared with the forecast.
    Exact,
    /// An upper bound (the rule's firing mass): it was below every distance ranked above it,
    /// so the exact value was not needed.
    Bound,
    /// Without the rule some path reaches no outcome (or two, or no path is consistent any
    /// more): the forecast cannot be compared, and the rule is load-bearing beyond measure.
    NoOutcome,
}

/// How much one assumption matters.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Ranked {
    /// The assumption.
    pub assumption: Assumption,
    /// Total variation distance between the forecasts with and without the change; an upper
    /// bound when `measure` is [`Measure::Bound`]; 1 (for ordering) with
    /// [`Measure::NoOutcome`].
    pub distance: f64,
    /// The outcome that moves most, and by how much (new − old); `(0, 0.0)` unless exact.
    pub largest_move: (usize, f64),
    /// How `distance` was obtained.
    pub measure: Measure,
}

/// Ranks every likelihood judgement and rule of the model in force, most load-bearing first
/// (ties in file order, likelihoods before rules), against its forecast `base`.
///
/// A decision fixed by the values given is not ranked: reversing its likelihoods cannot move
/// a forecast that is conditioned on its option.
pub fn rank_assumptions(
    model: &Model,
    base: &[f64],
    limits: &EvalLimits,
) -> Result<Vec<Ranked>, Vec<Diagnostic>> {
    let recorded = model.evaluate_recorded(limits)?;
    rank_assumptions_with(model, recorded.1.as_ref(), base, limits)
}

/// [`rank_assumptions`] on the model's merged decision graph, when the caller recorded it
/// with the forecast (`None`: it was over its memory budget, and reversals are evaluated).
pub fn rank_assumptions_with(
    model: &Model,
    graph: Option<&MergedGraph>,
    base: &[f64],
    limits: &EvalLimits,
) -> Result<Vec<Ranked>, Vec<Diagnostic>> {
    rank_assumptions_exactly(model, graph, base, limits, EXACT_RANKS)
}

/// [`rank_assumptions_with`], given each rule's forecast without it where the forecast's own
/// search found it (see [`Model::forecasts_without_rules`]; `None`: that search is run here).
pub fn rank_assumptions_found(
    model: &Model,
    graph: Option<&MergedGraph>,
    found: Option<Vec<Option<Without>>>,
    base: &[f64],
    limits: &EvalLimits,
) -> Result<Vec<Ranked>, Vec<Diagnostic>> {
    rank(model, graph, found, base, limits, EXACT_RANKS)
}

/// [`rank_assumptions_with`] computing at least `exact` distances of dropped rules exactly
/// (all of them when there are fewer), the largest ones; the rest may be left as bounds.
pub fn rank_assumptions_exactly(
    model: &Model,
    graph: Option<&MergedGraph>,
    base: &[f64],
    limits: &EvalLimits,
    exact: usize,
) -> Result<Vec<Ranked>, Vec<Diagnostic>> {
    rank(model, graph, None, base, limits, exact.max(1))
}

/// Every reversal and every drop (from `found`, where the forecast's search found them),
/// ranked, with at least `exact` distances of dropped rules computed exactly.
fn rank(
    model: &Model,
    graph: Option<&MergedGraph>,
    found: Option<Vec<Option<Without>>>,
    base: &[f64],
    limits: &EvalLimits,
    exact: usize,
) -> Result<Vec<Ranked>, Vec<Diagnostic>> {
    let mut ranked = reversals(model, graph, base, limits)?;
    ranked.extend(drops(model, graph, found, base, limits, exact)?);
    // Stable: ties stay in file order, likelihoods before rules.
    ranked.sort_by(|a, b| order(b).total_cmp(&order(a)));
    Ok(ranked)
}

/// The sort key: a rule that leaves a path without an outcome first, then by distance.
fn order(r: &Ranked) -> f64 {
    match r.measure {
        Measure::NoOutcome => f64::INFINITY,
        Measure::Exact | Measure::Bound => r.distance,
    }
}

/// Each judged decision's likelihoods reversed.
fn reversals(
    model: &Model,
    graph: Option<&MergedGraph>,
    base: &[f64],
    limits: &EvalLimits,
) -> Result<Vec<Ranked>, Vec<Diagnostic>> {
    let program = &model.program;
    let weighted = graph.map(|graph| {
        let tables = graph.tables_of(&model.with_evidence(program));
        let adjoint = graph.adjoint(&tables);
        (graph, tables, adjoint)
    });
    let mut ranked = Vec::new();
    for decision in program.decisions.iter().filter(|d| !d.uniform) {
        let k = decision.options.len();
        if k < 2 || model.is_given(decision.index) {
            continue;
        }
        if limits.expired() {
            return Err(vec![crate::search::walk::time_limit()]);
        }
        let reverse = |p: &[f64]| {
            p.iter()
                .map(|x| (1.0 - x) / (k - 1) as f64)
                .collect::<Vec<_>>()
        };
        let moved = match &weighted {
            Some((graph, tables, adjoint)) => {
                let own = std::iter::once((None, &decision.probabilities));
                let conditional = decision
                    .conditional
                    .iter()
                    .enumerate()
                    .map(|(k, (_, t))| (Some(k), t));
                let changed: Vec<(usize, Vec<f64>)> = own
                    .chain(conditional)
                    .filter_map(|(table, p)| {
                        let mut entries = reverse(p);
                        model.apply_ratios(decision.index, &mut entries);
                        Some((graph.table_index(decision.index, table)?, entries))
                    })
                    .collect();
                adjoint.forecast_with(tables, &changed)
            }
            None => {
                let mut reversed = program.clone();
                let target = &mut reversed.decisions[decision.index];
                target.probabilities = reverse(&target.probabilities);
                for (_, table) in &mut target.conditional {
                    *table = reverse(table);
                }
                let moved = model.evaluate_program(&reversed, limits)?;
                moved.outcomes.iter().map(|o| o.probability).collect()
            }
        };
        ranked.push(measure(
            Assumption::Likelihood(decision.index),
            base,
            moved.into_iter(),
        ));
    }
    Ok(ranked)
}

/// Each rule dropped: evaluated in order of its firing-mass bound until no bound left can
/// enter the ranking.
fn drops(
    model: &Model,
    graph: Option<&MergedGraph>,
    found: Option<Vec<Option<Without>>>,
    base: &[f64],
    limits: &EvalLimits,
    ranks: usize,
) -> Result<Vec<Ranked>, Vec<Diagnostic>> {
    let program = &model.program;
    let rules = model.scenario.rules.len();
    let mut exact: Vec<f64> = Vec::new();
    let mut ranked = Vec::with_capacity(rules);
    // First every rule one search can drop; the rest are evaluated, in order of their bounds.
    let found = match found {
        Some(found) => found,
        None => model.forecasts_without_rules(limits)?,
    };
    for (index, without) in found.iter().enumerate() {
        let r = match without {
            None => continue,
            Some(Without::Unchanged) => {
                measure(Assumption::Rule(index), base, base.iter().copied())
            }
            Some(Without::Forecast(moved)) => {
                measure(Assumption::Rule(index), base, moved.iter().copied())
            }
            Some(Without::NoOutcome) => Ranked {
                assumption: Assumption::Rule(index),
                distance: 1.0,
                largest_move: (0, 0.0),
                measure: Measure::NoOutcome,
            },
        };
        exact.push(r.distance);
        ranked.push(r);
    }
    let mut order: Vec<usize> = (0..rules)
        .filter(|&i| found.get(i).is_none_or(Option::is_none))
        .collect();
    // The bounds order only the rules the search left; when it left none they are not needed.
    let bounds = match graph {
        Some(graph) if !model.is_conditioned() && !order.is_empty() => firing_bounds(model, graph),
        _ => vec![1.0; rules],
    };
    order.sort_by(|&a, &b| bounds[b].total_cmp(&bounds[a]).then(a.cmp(&b)));
    // Evaluated a batch at a time, in parallel: first as many as the ranking needs, then a
    // fixed number (not the thread count, so that which rules are left as bounds never
    // depends on the machine).
    let mut start = 0;
    while start < order.len() {
        let size = if exact.len() < ranks {
            ranks - exact.len()
        } else {
            BATCH
        };
        let batch = &order[start..(start + size).min(order.len())];
        start += batch.len();
        let mut wanted = Vec::with_capacity(batch.len());
        for &index in batch {
            let bound = bounds[index];
            let kth = (exact.len() >= ranks).then(|| {
                // The smallest of the largest `ranks` distances so far.
                exact.sort_by(|a: &f64, b: &f64| b.total_cmp(a));
                exact[ranks - 1]
            });
            if kth.is_some_and(|kth| bound < kth - NOISE) {
                ranked.push(Ranked {
                    assumption: Assumption::Rule(index),
                    distance: bound,
                    largest_move: (0, 0.0),
                    measure: Measure::Bound,
                });
            } else {
                wanted.push(index);
            }
        }
        if limits.expired() {
            return Err(vec![crate::search::walk::time_limit()]);
        }
        let results: Vec<_> = wanted
            .par_iter()
            .map(|&index| {
                (
                    index,
                    model.evaluate_program(&without(program, index), limits),
                )
            })
            .collect();
        for (index, result) in results {
            match result {
                Ok(e) => {
                    let r = measure(
                        Assumption::Rule(index),
                        base,
                        e.outcomes.iter().map(|o| o.probability),
                    );
                    exact.push(r.distance);
                    ranked.push(r);
                }
                Err(d) if d.iter().any(|d| d.code == casus_core::Code::LimitExceeded) => {
                    return Err(d);
                }
                Err(_) => {
                    exact.push(1.0);
                    ranked.push(Ranked {
                        assumption: Assumption::Rule(index),
                        distance: 1.0,
                        largest_move: (0, 0.0),
                        measure: Measure::NoOutcome,
                    });
                }
            }
        }
    }
    // File order, so that the final stable sort keeps ties in it whatever order the bounds
    // set for evaluating.
    ranked.sort_by_key(|r| match r.assumption {
        Assumption::Rule(i) | Assumption::Likelihood(i) => i,
    });
    Ok(ranked)
}

/// `program` without rule `index`'s effects: the rule never sets or adds anything, exactly as
/// if it were not written (it cannot conflict either), and nothing is compiled again.
fn without(program: &Program, index: usize) -> Program {
    let mut out = program.clone();
    if let Some(rule) = out.rules.iter_mut().find(|r| r.index == index) {
        rule.sets.clear();
        rule.adds.clear();
    }
    out
}

/// Each rule's firing mass bound on the forecast as written: the smallest share of paths
/// taking an option its `when` requires (1 when it requires none).
fn firing_bounds(model: &Model, graph: &MergedGraph) -> Vec<f64> {
    let program = model.with_evidence(&model.program);
    let marginals = graph.marginals(&graph.tables_of(&program));
    model
        .scenario
        .rules
        .iter()
        .map(|rule| {
            let mut bound: f64 = 1.0;
            required(&rule.when, &mut |name, options| {
                let Some(d) = model
                    .scenario
                    .decisions
                    .iter()
                    .position(|d| d.id.name == name)
                else {
                    return;
                };
                let decision = &model.scenario.decisions[d];
                let share: f64 = options
                    .iter()
                    .filter_map(|o| decision.options.iter().position(|x| x.name == *o))
                    .filter_map(|o| marginals.get(d).and_then(|m| m.get(o)))
                    .sum();
                bound = bound.min(share);
            });
            bound.clamp(0.0, 1.0)
        })
        .collect()
}

/// Calls `found(decision, options)` for every `decision == 'option'` or `decision in [...]`
/// that `expr` requires: a top-level conjunct, so that the expression is false whenever the
/// decision took another option or was skipped.
fn required<'e>(expr: &'e Expr, found: &mut dyn FnMut(&'e str, Vec<&'e str>)) {
    match &expr.kind {
        ExprKind::Binary(BinaryOp::And, a, b) => {
            required(a, found);
            required(b, found);
        }
        ExprKind::Binary(BinaryOp::Eq, a, b) => match (&a.kind, &b.kind) {
            (ExprKind::Name(n), ExprKind::Symbol(s)) | (ExprKind::Symbol(s), ExprKind::Name(n)) => {
                found(n, vec![s]);
            }
            _ => {}
        },
        ExprKind::In(a, list) => {
            if let ExprKind::Name(n) = &a.kind {
                let symbols: Option<Vec<&str>> = list
                    .iter()
                    .map(|e| match &e.kind {
                        ExprKind::Symbol(s) => Some(s.as_str()),
                        _ => None,
                    })
                    .collect();
                if let Some(symbols) = symbols {
                    found(n, symbols);
                }
            }
        }
        _ => {}
    }
}

fn measure(assumption: Assumption, base: &[f64], moved: impl Iterator<Item = f64>) -> Ranked {
    let mut distance = 0.0;
    let mut largest_move = (0, 0.0_f64);
    for (i, (b, m)) in base.iter().zip(moved).enumerate() {
        let delta = m - b;
        distance += delta.abs() / 2.0;
        // Moves equal up to rounding are a tie (one outcome's loss is often another's gain):
        // the gain wins it, then the first outcome, so that how the forecast was computed
        // (evaluated, or from the adjoint) never picks another.
        let (size, best) = (delta.abs(), largest_move.1.abs());
        if size > best + NOISE || (size >= best - NOISE && delta > 0.0 && largest_move.1 < 0.0) {
            largest_move = (i, delta);
        }
    }
    Ranked {
        assumption,
        distance,
        largest_move,
        measure: Measure::Exact,
    }
}
