//! One-way sensitivity: how much the forecast hangs on the analyst's own likelihoods.
//!
//! A likelihood written as an ICD 203 word or a range is a band, not a number. For each
//! likelihood with width (in a decision's table or in one of its `likelihood_if` tables), the
//! option is set to the low end of its band and then to the high end while every other option
//! keeps its point estimate; the table is renormalised and the scenario evaluated again. Each
//! outcome's range is the envelope of its probability over all those sweeps and the point
//! estimate; the tornado table is the same envelope taken one decision at a time.
//!
//! Sweeping only the two ends is enough: one table's entry `x` enters every path through the
//! decision as `x / (x + s)` or `p / (x + s)` (renormalised), so an outcome's probability is a
//! ratio of two functions linear in `x` — monotone between the ends — even after conditioning
//! on `--given`. Exact numbers and percentages have no band and are never swept; decisions
//! without likelihoods are uniform by convention, not by judgement, and have no band either.
//!
//! Cost: the forecast's linearity in each table does more than justify the two ends. On the
//! merged decision graph the search records, one adjoint (a backward and a forward pass, see
//! `crate::graphs::merged`) gives the forecast under any change of one decision's tables
//! exactly, so every sweep costs O(outcomes × options) after one O(edges) pass, and the rules
//! are never evaluated again — with or without `--given` and observed signposts, since the
//! conditioned forecast is the ratio of two such linear sums. Only when the graph is over the
//! memory budget are the sweeps evaluated: one evaluation per option of each table with a band
//! with nothing given (see `by_combination`), one per end of each band under `--given`.

use casus_core::Diagnostic;
use rayon::prelude::*;

use crate::compile::program::Program;
use crate::graphs::merged::MergedGraph;
use crate::search::walk::EvalLimits;
use crate::session::Model;

/// Differences up to this size are rounding noise from renormalising, not sensitivity.
const NOISE: f64 = 1e-12;

/// The result of one-way sensitivity analysis: what reports and `casus eval` show next to the
/// point forecast.
#[derive(Clone, Debug, PartialEq)]
pub struct Sensitivity {
    /// `[low, high]` per outcome, in the scenario's order. Always contains the point estimate
    /// and lies within `[0, 1]`; equal to the point for an outcome no band can move.
    pub ranges: Vec<(f64, f64)>,
    /// Which decision's likelihoods move which outcome, largest swing first (ties by decision,
    /// then outcome index). Only pairs that move at all are listed.
    pub tornado: Vec<TornadoRow>,
}

/// One bar of the tornado table: the range of one outcome when only one decision's
/// likelihoods move across their bands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TornadoRow {
    /// Decision index.
    pub decision: usize,
    /// Outcome index.
    pub outcome: usize,
    /// Lowest probability of the outcome over the decision's sweeps and the point estimate.
    pub low: f64,
    /// Highest probability, likewise.
    pub high: f64,
}

impl TornadoRow {
    /// `high - low`: how far this decision's likelihoods can move the outcome.
    pub fn swing(&self) -> f64 {
        self.high - self.low
    }
}

/// One evaluation to run: a likelihood set to one end of its band.
#[derive(Clone, Copy, Debug)]
struct Sweep {
    decision: usize,
    /// `None` for the decision's own table, `Some(k)` for its `k`-th `likelihood_if`.
    table: Option<usize>,
    option: usize,
    value: f64,
}

/// Computes outcome ranges and the tornado table for the forecast under `given`.
///
/// Fails with the diagnostics of the first evaluation that fails (a limit, or a path-dependent
/// error that evaluating with nothing swept would report too).
pub fn sensitivity(model: &Model, limits: &EvalLimits) -> Result<Sensitivity, Vec<Diagnostic>> {
    let (_, graph) = model.evaluate_recorded(limits)?;
    sensitivity_with(model, graph.as_ref(), limits)
}

/// [`sensitivity`] on the merged decision graph the caller recorded with the forecast (the
/// session does); `None` means the graph was over its memory budget, and the sweeps evaluate
/// the rules again.
pub fn sensitivity_with(
    model: &Model,
    graph: Option<&MergedGraph>,
    limits: &EvalLimits,
) -> Result<Sensitivity, Vec<Diagnostic>> {
    let program = &model.program;
    let sweeps = sweeps(program);
    let (point, swept) = match graph {
        Some(graph) => on_graph(model, graph, &sweeps),
        None => {
            let point = model
                .evaluate(limits)?
                .outcomes
                .iter()
                .map(|o| o.probability)
                .collect();
            let swept = if model.is_conditioned() {
                directly(model, &sweeps, limits)?
            } else {
                by_combination(model, &sweeps, limits)?
            };
            (point, swept)
        }
    };

    let envelope = |rows: &mut dyn Iterator<Item = &Vec<f64>>, outcome: usize| {
        let p = point[outcome];
        let mut low = p;
        let mut high = p;
        for row in rows {
            let v = row.get(outcome).copied().unwrap_or(p);
            if (v - p).abs() <= NOISE || !v.is_finite() {
                continue;
            }
            low = low.min(v);
            high = high.max(v);
        }
        (low.clamp(0.0, 1.0), high.clamp(0.0, 1.0))
    };

    let ranges = (0..point.len())
        .map(|o| envelope(&mut swept.iter(), o))
        .collect();

    let mut tornado = Vec::new();
    for decision in 0..program.decisions.len() {
        let rows: Vec<&Vec<f64>> = sweeps
            .iter()
            .zip(&swept)
            .filter(|(s, _)| s.decision == decision)
            .map(|(_, r)| r)
            .collect();
        if rows.is_empty() {
            continue;
        }
        for outcome in 0..point.len() {
            let (low, high) = envelope(&mut rows.iter().copied(), outcome);
            if high - low > NOISE {
                tornado.push(TornadoRow {
                    decision,
                    outcome,
                    low,
                    high,
                });
            }
        }
    }
    // Swings equal in exact arithmetic can differ in the last bits depending on how they were
    // summed; comparing them rounded to the noise level keeps such ties in decision order.
    let key = |row: &TornadoRow| (row.swing() / NOISE).round();
    tornado.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then(a.decision.cmp(&b.decision))
            .then(a.outcome.cmp(&b.outcome))
    });
    Ok(Sensitivity { ranges, tornado })
}

/// The point forecast and every sweep's forecast from one adjoint of the merged graph.
fn on_graph(model: &Model, graph: &MergedGraph, sweeps: &[Sweep]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let program = model.with_evidence(&model.program);
    let tables = graph.tables_of(&program);
    let adjoint = graph.adjoint(&tables);
    let mut point = adjoint.forecast_with(&tables, &[]);
    point.truncate(model.outcomes);
    let swept = sweeps
        .iter()
        .map(|sweep| {
            let mut entries = normalise(&raw(&model.program, sweep));
            model.apply_ratios(sweep.decision, &mut entries);
            let changed = graph
                .table_index(sweep.decision, sweep.table)
                .map(|t| vec![(t, entries)])
                .unwrap_or_default();
            adjoint.forecast_with(&tables, &changed)
        })
        .collect();
    (point, swept)
}

/// Evaluates every sweep on its own: right under any `given` and any evidence.
fn directly(
    model: &Model,
    sweeps: &[Sweep],
    limits: &EvalLimits,
) -> Result<Vec<Vec<f64>>, Vec<Diagnostic>> {
    sweeps
        .par_iter()
        .map(|sweep| {
            if limits.expired() {
                return Err(vec![crate::search::walk::time_limit()]);
            }
            let swept = apply(&model.program, sweep, &raw(&model.program, sweep));
            model
                .evaluate_program(&swept, limits)
                .map(|e| e.outcomes.iter().map(|o| o.probability).collect())
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// With no decision given, an outcome's probability is linear in one table's probabilities:
/// every path passes a decision at most once, so `P(o) = Σ q_i · P_i(o)` where `P_i` is the
/// forecast with that table putting all its weight on option `i` (the forecast's total mass
/// stays 1 for any vector `q` that sums to 1, so nothing is renormalised). One evaluation per
/// option of each table with a band then serves both ends of every band in it — about half the
/// evaluations of sweeping each end. Under `--given` the forecast is conditioned (divided by
/// the mass of the consistent paths), which is not linear, and [`directly`] is used instead.
fn by_combination(
    model: &Model,
    sweeps: &[Sweep],
    limits: &EvalLimits,
) -> Result<Vec<Vec<f64>>, Vec<Diagnostic>> {
    let program = &model.program;
    let mut tables: Vec<(usize, Option<usize>, usize)> = Vec::new();
    for sweep in sweeps {
        if !tables
            .iter()
            .any(|&(d, t, _)| d == sweep.decision && t == sweep.table)
        {
            let n = program
                .decisions
                .get(sweep.decision)
                .map_or(0, |d| d.options.len());
            tables.push((sweep.decision, sweep.table, n));
        }
    }
    let jobs: Vec<Sweep> = tables
        .iter()
        .flat_map(|&(decision, table, n)| {
            (0..n).map(move |option| Sweep {
                decision,
                table,
                option,
                value: 1.0,
            })
        })
        .collect();
    let basis: Vec<Vec<f64>> = jobs
        .par_iter()
        .map(|job| {
            let mut one_hot = vec![
                0.0;
                tables
                    .iter()
                    .find(|t| t.0 == job.decision && t.1 == job.table)
                    .map_or(0, |t| t.2)
            ];
            if let Some(x) = one_hot.get_mut(job.option) {
                *x = 1.0;
            }
            if limits.expired() {
                return Err(vec![crate::search::walk::time_limit()]);
            }
            let swept = apply(program, job, &one_hot);
            model.evaluate_program(&swept, limits).map(|e| {
                e.outcomes
                    .iter()
                    .map(|o| o.probability)
                    .collect::<Vec<f64>>()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<_, _>>()?;
    Ok(sweeps
        .iter()
        .map(|sweep| {
            let q = normalise(&raw(program, sweep));
            let outcomes = model.outcomes;
            let mut p = vec![0.0; outcomes];
            for (job, row) in jobs.iter().zip(&basis) {
                if job.decision == sweep.decision && job.table == sweep.table {
                    let weight = q.get(job.option).copied().unwrap_or(0.0);
                    for (acc, v) in p.iter_mut().zip(row) {
                        *acc += weight * v;
                    }
                }
            }
            p
        })
        .collect())
}

/// Every likelihood with width, at both ends of its band, in decision, table and option order.
fn sweeps(program: &Program) -> Vec<Sweep> {
    let mut out = Vec::new();
    for (d, decision) in program.decisions.iter().enumerate() {
        if decision.uniform {
            continue;
        }
        let tables = std::iter::once((None, &decision.bands)).chain(
            decision
                .conditional_bands
                .iter()
                .enumerate()
                .map(|(k, b)| (Some(k), b)),
        );
        for (table, bands) in tables {
            for (option, &(lo, hi)) in bands.iter().enumerate() {
                if hi > lo {
                    for value in [lo, hi] {
                        out.push(Sweep {
                            decision: d,
                            table,
                            option,
                            value,
                        });
                    }
                }
            }
        }
    }
    out
}

/// The unnormalised likelihoods of the sweep's table with the swept option at its value.
fn raw(program: &Program, sweep: &Sweep) -> Vec<f64> {
    let Some(decision) = program.decisions.get(sweep.decision) else {
        return Vec::new();
    };
    let points = match sweep.table {
        None => &decision.points,
        Some(k) => match decision.conditional_points.get(k) {
            Some(p) => p,
            None => return Vec::new(),
        },
    };
    // Every other option keeps its stated point estimate: for a pool of analysts that is the
    // pooled point, not the middle of the envelope band.
    points
        .iter()
        .enumerate()
        .map(|(i, &point)| {
            if i == sweep.option {
                sweep.value
            } else {
                point
            }
        })
        .collect()
}

/// A copy of `program` whose sweep table gives `raw`, renormalised.
fn apply(program: &Program, sweep: &Sweep, raw: &[f64]) -> Program {
    let mut swept = program.clone();
    let probabilities = normalise(raw);
    let Some(decision) = swept.decisions.get_mut(sweep.decision) else {
        return swept;
    };
    match sweep.table {
        None => decision.probabilities = probabilities,
        Some(k) => {
            if let Some((_, p)) = decision.conditional.get_mut(k) {
                *p = probabilities;
            }
        }
    }
    swept
}

/// Scales to sum to 1; all zeros become uniform, as the compiler does.
fn normalise(raw: &[f64]) -> Vec<f64> {
    let total: f64 = raw.iter().sum();
    if total > 0.0 {
        raw.iter().map(|p| p / total).collect()
    } else {
        vec![1.0 / raw.len().max(1) as f64; raw.len()]
    }
}
