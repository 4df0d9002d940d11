//! Probabilistic sensitivity: every likelihood drawn within its band, many times over.
//!
//! One-way sensitivity (`crate::sensitivity`) moves one decision at a time; sampling moves all
//! of them at once, so it shows how uncertain the forecast is when every judgement is
//! uncertain together. Each sample draws every option's likelihood uniformly within its band
//! (an exact number has no width and stays put), renormalises, and evaluates.
//!
//! Sample `i` uses its own generator seeded from `(seed, i)`, so results depend on the seed
//! only — not on the number of threads or the order samples finish in.

use casus_core::Diagnostic;
use casus_core::model::Scenario;
use rayon::prelude::*;

use crate::program::Program;
use crate::result::PlayStep;
use crate::search::{EvalLimits, Given, evaluate};

/// The distribution of one outcome's probability across samples.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OutcomeSpread {
    /// Outcome index.
    pub outcome: usize,
    /// Mean over the samples.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// What sampling found.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Sampling {
    /// Samples drawn.
    pub samples: usize,
    /// The seed.
    pub seed: u64,
    /// One entry per outcome, scenario order.
    pub outcomes: Vec<OutcomeSpread>,
    /// Samples whose strategic line of play differs from the one under the point estimates.
    pub line_changes: usize,
}

/// One sample's outcome probabilities, and whether its line of play differs from the base.
type Sample = (Vec<f64>, bool);

/// Draws `samples` likelihood sets and evaluates each, in parallel.
pub fn sample(
    scenario: &Scenario,
    program: &Program,
    given: &Given,
    limits: &EvalLimits,
    samples: usize,
    seed: u64,
) -> Result<Sampling, Vec<Diagnostic>> {
    let base = evaluate(scenario, program, given, limits)?;
    let results: Vec<Result<Sample, Vec<Diagnostic>>> = (0..samples)
        .into_par_iter()
        .map(|i| {
            let drawn = draw(program, seed, i as u64);
            let evaluation = evaluate(scenario, &drawn, given, limits)?;
            let probabilities = evaluation.outcomes.iter().map(|o| o.probability).collect();
            Ok((
                probabilities,
                !same_line(&evaluation.strategy.line, &base.strategy.line),
            ))
        })
        .collect();
    let mut columns = vec![Vec::with_capacity(samples); program.outcomes.len()];
    let mut line_changes = 0;
    for result in results {
        let (probabilities, changed) = result?;
        for (column, p) in columns.iter_mut().zip(probabilities) {
            column.push(p);
        }
        line_changes += usize::from(changed);
    }
    let outcomes = columns
        .into_iter()
        .enumerate()
        .map(|(outcome, mut column)| {
            column.sort_by(f64::total_cmp);
            let mean = if column.is_empty() {
                0.0
            } else {
                column.iter().sum::<f64>() / column.len() as f64
            };
            OutcomeSpread {
                outcome,
                mean,
                p5: percentile(&column, 0.05),
                p50: percentile(&column, 0.5),
                p95: percentile(&column, 0.95),
            }
        })
        .collect();
    Ok(Sampling {
        samples,
        seed,
        outcomes,
        line_changes,
    })
}

/// The choices along a line, ignoring the values computed for them.
fn same_line(a: &[PlayStep], b: &[PlayStep]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.decision == y.decision && x.option == y.option)
}

/// A program whose likelihoods are drawn within their bands for sample `index`.
fn draw(program: &Program, seed: u64, index: u64) -> Program {
    let mut rng = fastrand::Rng::with_seed(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut drawn = program.clone();
    for decision in &mut drawn.decisions {
        if decision.uniform {
            continue;
        }
        decision.probabilities = normalise(
            decision
                .bands
                .iter()
                .map(|&(lo, hi)| lo + (hi - lo) * rng.f64())
                .collect(),
        );
        for ((_, table), bands) in decision
            .conditional
            .iter_mut()
            .zip(&decision.conditional_bands)
        {
            *table = normalise(
                bands
                    .iter()
                    .map(|&(lo, hi)| lo + (hi - lo) * rng.f64())
                    .collect(),
            );
        }
    }
    drawn
}

fn normalise(raw: Vec<f64>) -> Vec<f64> {
    let total: f64 = raw.iter().sum();
    if total > 0.0 {
        raw.into_iter().map(|x| x / total).collect()
    } else {
        raw
    }
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
