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
//! Only the likelihoods change from one sample to the next, so each sample re-weights the
//! merged decision graph the search recorded once (`crate::graphs::merged`): one pass over its
//! nodes, the search's numbers bit for bit, no rule evaluated. Only a scenario whose graph is
//! over the memory budget is evaluated in full for each sample.

use casus_core::Diagnostic;
use casus_core::model::Scenario;
use rayon::prelude::*;

use crate::compile::program::Program;
use crate::graphs::merged::MergedGraph;
use crate::search::result::{Evaluation, PlayStep};
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

/// Draws `samples` likelihood sets with `seed` and evaluates each on the model in force, in
/// parallel: every drawn table gets the model's observed likelihood ratios, and every
/// evaluation its given values.
pub fn sample(
    model: &crate::session::Model,
    limits: &EvalLimits,
    spec: (usize, u64),
) -> Result<Sampling, Vec<Diagnostic>> {
    let (_, graph) = model.evaluate_recorded(limits)?;
    sample_with(model, graph.as_ref(), limits, spec)
}

/// [`sample`] on the merged decision graph the caller recorded with the forecast (the session
/// does); `None` means the graph was over its memory budget, and every sample is evaluated in
/// full.
pub fn sample_with(
    model: &crate::session::Model,
    graph: Option<&MergedGraph>,
    limits: &EvalLimits,
    (samples, seed): (usize, u64),
) -> Result<Sampling, Vec<Diagnostic>> {
    Ok(draws_with(model, graph, limits, (samples, seed))?.summarise(seed))
}

/// [`sample`]'s draws, unsummarised: the model's own outcomes only.
pub fn draws(
    model: &crate::session::Model,
    limits: &EvalLimits,
    spec: (usize, u64),
) -> Result<Draws, Vec<Diagnostic>> {
    let (_, graph) = model.evaluate_recorded(limits)?;
    draws_with(model, graph.as_ref(), limits, spec)
}

/// [`draws`] on the model's merged decision graph, as [`sample_with`].
pub fn draws_with(
    model: &crate::session::Model,
    graph: Option<&MergedGraph>,
    limits: &EvalLimits,
    (samples, seed): (usize, u64),
) -> Result<Draws, Vec<Diagnostic>> {
    let program = model.with_evidence(&model.program);
    let (scenario, given, ratios) = (&model.scenario, &model.given, &model.ratios);
    let Some(graph) = graph else {
        let base = evaluate(scenario, &program, given, limits)?;
        let mut draws = sample_evaluating(
            scenario,
            &program,
            given,
            &base,
            limits,
            (samples, seed),
            ratios,
        )?;
        draws.truncate(model.outcomes);
        return Ok(draws);
    };
    let base_line = graph
        .solve(&graph.tables_of(&program), &mut graph.scratch())
        .line;
    let results: Vec<Result<Sample, Vec<Diagnostic>>> = (0..samples)
        .into_par_iter()
        .map_init(
            || (graph.scratch(), graph.tables_of(&program)),
            |(scratch, tables), i| {
                // Past the budget each draw still queued is refused at once, allocating
                // nothing, so that a million queued draws end on time.
                if limits.expired() {
                    return Err(Vec::new());
                }
                fill_tables(&program, seed, i as u64, ratios, tables);
                let solved = graph.solve(tables, scratch);
                Ok((solved.probabilities, solved.line != base_line))
            },
        )
        .collect();
    let mut draws = Draws::collect(program.outcomes.len(), results)?;
    draws.truncate(model.outcomes);
    Ok(draws)
}

/// Sampling by evaluating the rules again for every sample: for scenarios whose merged graph
/// is over the memory budget.
fn sample_evaluating(
    scenario: &Scenario,
    program: &Program,
    given: &Given,
    base: &Evaluation,
    limits: &EvalLimits,
    (samples, seed): (usize, u64),
    ratios: &Ratios,
) -> Result<Draws, Vec<Diagnostic>> {
    let results: Vec<Result<Sample, Vec<Diagnostic>>> = (0..samples)
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
        .collect();
    Draws::collect(program.outcomes.len(), results)
}

/// Every sample's outcome probabilities, one row per sample in sample order.
///
/// The draws [`sample`] summarises, kept whole for callers that analyse them further (the
/// Python package returns them as arrays); [`Draws::summarise`] gives [`sample`]'s numbers.
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
    /// Collects per-sample results; a refusal past the budget (an empty list) becomes the
    /// timeout finding.
    fn collect(
        outcomes: usize,
        results: Vec<Result<Sample, Vec<Diagnostic>>>,
    ) -> Result<Draws, Vec<Diagnostic>> {
        let mut draws = Draws {
            outcomes,
            probabilities: Vec::with_capacity(results.len()),
            line_changed: Vec::with_capacity(results.len()),
        };
        for result in results {
            let (probabilities, changed) =
                result.map_err(|d| if d.is_empty() { vec![timeout()] } else { d })?;
            draws.probabilities.push(probabilities);
            draws.line_changed.push(changed);
        }
        Ok(draws)
    }

    /// Keeps the model's own outcomes (an observed condition adds one for the paths it rules
    /// out, which no result reports).
    fn truncate(&mut self, outcomes: usize) {
        self.outcomes = self.outcomes.min(outcomes);
        for row in &mut self.probabilities {
            row.truncate(outcomes);
        }
    }

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

pub(crate) fn timeout() -> Diagnostic {
    Diagnostic::new(
        casus_core::Code::LimitExceeded,
        "evaluation took longer than the time limit",
    )
    .help("draw fewer samples, or raise the limit with `--timeout`")
}

/// Writes sample `index`'s tables into `tables`, in the graph's order (each decision's base
/// table, then its conditional ones), reusing their memory: the draws of [`draw_tables`], in
/// the same order from the same generator, with the observed ratios applied; a decision
/// without likelihoods keeps the program's tables, which carry the ratios already.
fn fill_tables(program: &Program, seed: u64, index: u64, ratios: &Ratios, tables: &mut [Vec<f64>]) {
    let mut rng = fastrand::Rng::with_seed(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut slots = tables.iter_mut();
    for (d, decision) in program.decisions.iter().enumerate() {
        if decision.uniform {
            let own = std::iter::once(&decision.probabilities);
            for (table, slot) in own
                .chain(decision.conditional.iter().map(|(_, t)| t))
                .zip(slots.by_ref())
            {
                slot.clear();
                slot.extend_from_slice(table);
            }
            continue;
        }
        let bands = std::iter::once(&decision.bands).chain(&decision.conditional_bands);
        for (bands, slot) in bands.zip(slots.by_ref()) {
            slot.clear();
            slot.extend(bands.iter().map(|&(lo, hi)| lo + (hi - lo) * rng.f64()));
            let total: f64 = slot.iter().sum();
            if total > 0.0 {
                slot.iter_mut().for_each(|x| *x /= total);
            }
            apply(ratios, d, slot);
        }
    }
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
