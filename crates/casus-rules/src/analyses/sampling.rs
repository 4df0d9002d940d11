//! Probabilistic sensitivity: every likelihood drawn within its band, many times over.
//!
//! One-way sensitivity (`crate::analyses::sensitivity`) moves one decision at a time; sampling moves all
//! of them at once, so it shows how uncertain the forecast is when every judgement is
//! uncertain together. Each sample draws every option's likelihood uniformly within its band
//! (an exact number has no width and stays put), renormalises, and evaluates.
//!
//! Sample `i` uses its own generator seeded from `(seed, i)`, so results depend on the seed
//! only — not on the number of threads or the order samples finish in.
//!
//! Only the likelihoods change from one sample to the next, so a scenario with a small game
//! tree is walked once and its tree re-weighted for each sample (`crate::graphs::reweight`), which gives
//! the search's numbers bit for bit at a small fraction of the cost; a larger scenario is
//! evaluated in full for each sample.

use casus_core::Diagnostic;
use casus_core::model::Scenario;
use rayon::prelude::*;

use crate::compile::program::Program;
use crate::graphs::reweight::Tree;
use crate::search::result::PlayStep;
use crate::search::walk::{EvalLimits, Given, evaluate};

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

/// Likelihood ratios observed (see [`crate::analyses::signposts`]): a decision and a ratio per option,
/// which multiply every drawn table of that decision as they multiply its point estimates.
pub type Ratios = [(usize, Vec<f64>)];

/// Scenarios whose game tree has at most this many nodes are sampled on the tree, built once
/// (see `crate::graphs::reweight`): a sample then costs one pass over the nodes. Larger ones are evaluated
/// in full for every sample.
const TREE_MAX_NODES: usize = 1 << 16;

/// Draws `samples` likelihood sets with `seed` and evaluates each on the model in force, in
/// parallel: every drawn table gets the model's observed likelihood ratios, and every
/// evaluation its given values.
pub fn sample(
    model: &crate::session::Model,
    limits: &EvalLimits,
    (samples, seed): (usize, u64),
) -> Result<Sampling, Vec<Diagnostic>> {
    Ok(draws(model, limits, (samples, seed))?.summarise(seed))
}

/// Every sample's outcome probabilities, one row per sample in sample order.
///
/// The same draws [`sample`] summarises, kept whole for callers that analyse them further
/// (the Python binding returns them as arrays); [`Draws::summarise`] gives [`sample`]'s numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Draws {
    /// The number of outcomes of each row.
    pub outcomes: usize,
    /// `probabilities[i]`: sample `i`'s probability of each outcome, scenario order.
    pub probabilities: Vec<Vec<f64>>,
    /// `line_changed[i]`: whether sample `i`'s strategic line of play differs from the one
    /// under the point estimates.
    pub line_changed: Vec<bool>,
}

impl Draws {
    /// The spread of each outcome and the count of line changes: what [`sample`] reports.
    pub fn summarise(&self, seed: u64) -> Sampling {
        let samples = self.probabilities.len();
        let mut columns = vec![Vec::with_capacity(samples); self.outcomes];
        for row in &self.probabilities {
            for (column, p) in columns.iter_mut().zip(row) {
                column.push(*p);
            }
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
        Sampling {
            samples,
            seed,
            outcomes,
            line_changes: self.line_changed.iter().filter(|&&c| c).count(),
        }
    }
}

/// [`sample`]'s draws, unsummarised: the model's own outcomes only.
pub fn draws(
    model: &crate::session::Model,
    limits: &EvalLimits,
    (samples, seed): (usize, u64),
) -> Result<Draws, Vec<Diagnostic>> {
    let program = model.with_evidence(&model.program);
    let mut draws = draws_observed(
        &model.scenario,
        &program,
        &model.given,
        limits,
        (samples, seed),
        &model.ratios,
    )?;
    draws.outcomes = draws.outcomes.min(model.outcomes);
    for row in &mut draws.probabilities {
        row.truncate(model.outcomes);
    }
    Ok(draws)
}

/// The draws after observing likelihood-ratio signposts: `program` has the `ratios` applied
/// to its point estimates already, and every drawn table gets them too.
fn draws_observed(
    scenario: &Scenario,
    program: &Program,
    given: &Given,
    limits: &EvalLimits,
    (samples, seed): (usize, u64),
    ratios: &Ratios,
) -> Result<Draws, Vec<Diagnostic>> {
    let base = evaluate(scenario, program, given, limits)?;
    let tree = (base.paths <= TREE_MAX_NODES as u128)
        .then(|| Tree::build(program, given, TREE_MAX_NODES))
        .flatten();
    let results: Vec<Result<Sample, Vec<Diagnostic>>> = match &tree {
        Some(tree) => {
            let base_line = tree
                .solve(&tree.tables_of(program), &mut tree.scratch())
                .line;
            (0..samples)
                .into_par_iter()
                .map_init(
                    || tree.scratch(),
                    |scratch, i| {
                        // Past the budget, each draw still queued is refused with an empty list
                        // (no allocation), made the timeout finding below: a million refusals
                        // then take milliseconds, so the run ends on time.
                        if limits.expired() {
                            return Err(Vec::new());
                        }
                        let mut tables = Vec::with_capacity(tree.tables.len());
                        for (d, drawn) in
                            draw_tables(program, seed, i as u64).into_iter().enumerate()
                        {
                            let decision = &program.decisions[d];
                            match drawn {
                                // A drawn table gets the observed ratios, as the program's
                                // point estimates did.
                                Some((mut own, mut conditional)) => {
                                    apply(ratios, d, &mut own);
                                    for table in &mut conditional {
                                        apply(ratios, d, table);
                                    }
                                    tables.push(own);
                                    tables.extend(conditional);
                                }
                                // A table not drawn is the program's, which has them already.
                                None => {
                                    tables.push(decision.probabilities.clone());
                                    tables.extend(
                                        decision.conditional.iter().map(|(_, t)| t.clone()),
                                    );
                                }
                            }
                        }
                        let solved = tree.solve(&tables, scratch);
                        Ok((solved.probabilities, solved.line != base_line))
                    },
                )
                .collect()
        }
        None => (0..samples)
            .into_par_iter()
            .map(|i| {
                if limits.expired() {
                    return Err(Vec::new());
                }
                let mut drawn = draw(program, seed, i as u64);
                // Decisions without likelihoods are not drawn: their tables are the program's,
                // which carry the ratios already.
                for (d, decision) in drawn.decisions.iter_mut().enumerate() {
                    if decision.uniform {
                        continue;
                    }
                    apply(ratios, d, &mut decision.probabilities);
                    for (_, table) in &mut decision.conditional {
                        apply(ratios, d, table);
                    }
                }
                let evaluation = evaluate(scenario, &drawn, given, limits)?;
                let probabilities = evaluation.outcomes.iter().map(|o| o.probability).collect();
                Ok((
                    probabilities,
                    !same_line(&evaluation.strategy.line, &base.strategy.line),
                ))
            })
            .collect(),
    };
    let mut draws = Draws {
        outcomes: program.outcomes.len(),
        probabilities: Vec::with_capacity(samples),
        line_changed: Vec::with_capacity(samples),
    };
    for result in results {
        let (probabilities, changed) =
            result.map_err(|d| if d.is_empty() { vec![timeout()] } else { d })?;
        draws.probabilities.push(probabilities);
        draws.line_changed.push(changed);
    }
    Ok(draws)
}

pub(crate) fn timeout() -> Diagnostic {
    Diagnostic::new(
        casus_core::Code::LimitExceeded,
        "evaluation took longer than the time limit",
    )
    .help("draw fewer samples, or raise the limit with `--timeout`")
}

/// Multiplies `table`, a table of decision `decision`, by that decision's observed ratios.
fn apply(ratios: &Ratios, decision: usize, table: &mut [f64]) {
    for (d, r) in ratios {
        if *d == decision {
            for (p, r) in table.iter_mut().zip(r) {
                *p *= r;
            }
        }
    }
}

/// The choices along a line, ignoring the values computed for them.
fn same_line(a: &[PlayStep], b: &[PlayStep]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.decision == y.decision && x.option == y.option)
}

/// For each decision, its base table and its conditional tables drawn within their bands for
/// sample `index`, normalised; `None` for a decision without likelihoods, which stays uniform.
/// Drawn in decision order, base table first, from one generator per sample.
fn draw_tables(program: &Program, seed: u64, index: u64) -> Vec<Option<DrawnTables>> {
    let mut rng = fastrand::Rng::with_seed(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut draw = |bands: &[(f64, f64)]| {
        normalise(
            bands
                .iter()
                .map(|&(lo, hi)| lo + (hi - lo) * rng.f64())
                .collect(),
        )
    };
    program
        .decisions
        .iter()
        .map(|decision| {
            (!decision.uniform).then(|| {
                let own = draw(&decision.bands);
                let conditional = decision
                    .conditional_bands
                    .iter()
                    .map(|bands| draw(bands))
                    .collect();
                (own, conditional)
            })
        })
        .collect()
}

/// A decision's drawn base table and conditional tables.
type DrawnTables = (Vec<f64>, Vec<Vec<f64>>);

/// A program whose likelihoods are drawn within their bands for sample `index`.
fn draw(program: &Program, seed: u64, index: u64) -> Program {
    let mut drawn = program.clone();
    for (decision, tables) in drawn
        .decisions
        .iter_mut()
        .zip(draw_tables(program, seed, index))
    {
        let Some((own, conditional)) = tables else {
            continue;
        };
        decision.probabilities = own;
        for ((_, table), new) in decision.conditional.iter_mut().zip(conditional) {
            *table = new;
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
