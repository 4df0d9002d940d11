//! Which assumptions the conclusion hangs on: each likelihood judgement reversed and each rule
//! dropped, ranked by how far the outcome distribution moves.
//!
//! The distance is the total variation distance, half the sum of absolute changes: the share
//! of probability that lands on a different outcome. A rule whose removal moves nothing is
//! decorative; a judgement whose reversal moves half the forecast is load-bearing.

use casus_core::Diagnostic;

use crate::search::walk::EvalLimits;
use crate::session::Model;

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

/// How much one assumption matters.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Ranked {
    /// The assumption.
    pub assumption: Assumption,
    /// Total variation distance between the forecasts with and without the change.
    pub distance: f64,
    /// The outcome that moves most, and by how much (new − old).
    pub largest_move: (usize, f64),
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
    let program = &model.program;
    let mut ranked = Vec::new();
    for decision in program.decisions.iter().filter(|d| !d.uniform) {
        let k = decision.options.len();
        if k < 2 || model.is_given(decision.index) {
            continue;
        }
        if limits.expired() {
            return Err(vec![crate::analyses::sampling::timeout()]);
        }
        let mut reversed = program.clone();
        let reverse = |p: &[f64]| {
            p.iter()
                .map(|x| (1.0 - x) / (k - 1) as f64)
                .collect::<Vec<_>>()
        };
        let target = &mut reversed.decisions[decision.index];
        target.probabilities = reverse(&target.probabilities);
        for (_, table) in &mut target.conditional {
            *table = reverse(table);
        }
        let moved = model.evaluate_program(&reversed, limits)?;
        ranked.push(measure(
            Assumption::Likelihood(decision.index),
            base,
            moved.outcomes.iter().map(|o| o.probability),
        ));
    }
    for index in 0..model.scenario.rules.len() {
        if limits.expired() {
            return Err(vec![crate::analyses::sampling::timeout()]);
        }
        let mut without = model.scenario.clone();
        without.rules.remove(index);
        // A scenario without one rule can fail (a path may lose its outcome); such a rule is
        // load-bearing beyond measure, so it ranks first.
        match model.evaluate_scenario(&without, limits) {
            Ok(e) => ranked.push(measure(
                Assumption::Rule(index),
                base,
                e.outcomes.iter().map(|o| o.probability),
            )),
            Err(d) if d.iter().any(|d| d.code == casus_core::Code::LimitExceeded) => {
                return Err(d);
            }
            Err(_) => ranked.push(Ranked {
                assumption: Assumption::Rule(index),
                distance: 1.0,
                largest_move: (0, 0.0),
            }),
        }
    }
    ranked.sort_by(|a, b| b.distance.total_cmp(&a.distance));
    Ok(ranked)
}

fn measure(assumption: Assumption, base: &[f64], moved: impl Iterator<Item = f64>) -> Ranked {
    let mut distance = 0.0;
    let mut largest_move = (0, 0.0_f64);
    for (i, (b, m)) in base.iter().zip(moved).enumerate() {
        let delta = m - b;
        distance += delta.abs() / 2.0;
        if delta.abs() > largest_move.1.abs() {
            largest_move = (i, delta);
        }
    }
    Ranked {
        assumption,
        distance,
        largest_move,
    }
}
