//! Variants and analysts: the base scenario transformed, then compiled and evaluated.
//!
//! A variant (`[variants.ID]`) is a pure function on the model: [`apply`] returns the base
//! scenario with the variant's input facts, likelihood tables and payoffs in place of the
//! base's, and everything else (rules, outcomes, the order of decisions) unchanged. So a
//! variant is evaluated exactly like a scenario, and its outcomes line up index for index with
//! the base's, which is what lets
//! [`crate::session::Session::compare_variants`] put them side by side.
//!
//! Several analysts' estimates of one decision are pooled by the loader (a linear pool with
//! equal weights, see [`casus_core::model::linear_pool`]). [`analysts`] asks where they
//! disagree most and what that disagreement does to the forecast: each analyst's table alone
//! is, in effect, one more variant.

use casus_core::Diagnostic;
use casus_core::model::{FactKind, Scenario};

use crate::search::result::Evaluation;
use crate::search::walk::EvalLimits;

/// The base scenario with variant `id` applied, or `None` when it has no such variant.
///
/// A variant's likelihood table replaces the decision's base table (and a pool of analysts'
/// estimates); the decision's `likelihood_if` tables still apply where their conditions hold.
pub fn apply(scenario: &Scenario, id: &str) -> Option<Scenario> {
    let variant = scenario.variants.iter().find(|v| v.id.name == id)?;
    let mut out = scenario.clone();
    for (name, value) in &variant.facts {
        let fact = out.facts.iter_mut().find(|f| f.id.name == name.name);
        if let Some(fact) = fact
            && let FactKind::Input { value: v, .. } = &mut fact.kind
        {
            *v = value.clone();
        }
    }
    for (name, table) in &variant.likelihood {
        if let Some(decision) = out.decisions.iter_mut().find(|d| d.id.name == name.name) {
            decision.likelihood = Some(table.clone());
            decision.estimates.clear();
        }
    }
    for (name, payoffs) in &variant.payoff {
        let Some(outcome) = out.outcomes.iter_mut().find(|o| o.id.name == name.name) else {
            continue;
        };
        for (actor, payoff) in payoffs {
            match outcome
                .payoff
                .iter_mut()
                .find(|(a, _)| a.name == actor.name)
            {
                Some((_, p)) => *p = payoff.clone(),
                None => outcome.payoff.push((actor.clone(), payoff.clone())),
            }
        }
    }
    Some(out)
}

/// One column of a comparison: the base scenario or one variant, evaluated.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Column {
    /// Index into `scenario.variants`; `None` for the base scenario.
    pub variant: Option<usize>,
    /// The evaluation, or why it failed (a sentence).
    pub result: Result<ColumnResult, String>,
}

/// What a column shows.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ColumnResult {
    /// Each outcome's probability, in the scenario's order.
    pub probabilities: Vec<f64>,
    /// Whether each outcome is reachable.
    pub reachable: Vec<bool>,
    /// The outcome the strategic line of play ends in.
    pub strategic_outcome: Option<usize>,
    /// Expected payoff per actor under the strategy, in the actors' order.
    pub payoffs: Vec<f64>,
}

impl ColumnResult {
    /// The column of an evaluation.
    pub fn of(evaluation: &Evaluation) -> Self {
        Self {
            probabilities: evaluation.outcomes.iter().map(|o| o.probability).collect(),
            reachable: evaluation.outcomes.iter().map(|o| o.reachable).collect(),
            strategic_outcome: evaluation.strategy.outcome,
            payoffs: evaluation.strategy.payoffs.clone(),
        }
    }
}

/// The first diagnostic's message, for a column that could not be evaluated.
pub fn sentence(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .first()
        .map_or_else(|| "the evaluation failed".to_owned(), |d| d.message.clone())
}

/// Where the analysts of one decision disagree, and what it does to the forecast.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Disagreement {
    /// Index into `scenario.decisions`.
    pub decision: usize,
    /// Each analyst's normalised point estimates, one per option; the analysts in file order
    /// (`scenario.decisions[decision].estimates`).
    pub points: Vec<Vec<f64>>,
    /// The largest spread (highest minus lowest point estimate) over the options.
    pub spread: f64,
    /// The option with that spread.
    pub option: usize,
    /// The forecast with each analyst's table alone in place of the pool, per analyst, one
    /// probability per outcome; `None` where that evaluation failed.
    pub forecasts: Vec<Option<Vec<f64>>>,
    /// Per outcome: how far the analysts' forecasts lie apart (highest minus lowest).
    pub moves: Vec<f64>,
}

/// Every decision of the model in force with at least two analysts' estimates, largest
/// disagreement first (ties in file order). Each analyst's forecast is the model's — its
/// variant, given values and observed signposts — with that analyst's table alone in place of
/// the pool.
pub fn analysts(
    model: &crate::session::Model,
    limits: &EvalLimits,
) -> Result<Vec<Disagreement>, Vec<Diagnostic>> {
    let scenario = &model.scenario;
    let mut out = Vec::new();
    for (index, decision) in scenario.decisions.iter().enumerate() {
        if decision.estimates.len() < 2 {
            continue;
        }
        let options = decision.option_names();
        let points: Vec<Vec<f64>> = decision
            .estimates
            .iter()
            .map(|e| {
                let raw: Vec<f64> = options
                    .iter()
                    .map(|o| e.table.get(o).map_or(0.0, |l| l.point))
                    .collect();
                let total: f64 = raw.iter().sum();
                raw.iter()
                    .map(|p| if total > 0.0 { p / total } else { 0.0 })
                    .collect()
            })
            .collect();
        let (mut spread, mut option) = (0.0, 0);
        for o in 0..options.len() {
            let column = points.iter().map(|p| p[o]);
            let hi = column.clone().fold(f64::NEG_INFINITY, f64::max);
            let lo = column.fold(f64::INFINITY, f64::min);
            if hi - lo > spread {
                (spread, option) = (hi - lo, o);
            }
        }
        let mut forecasts = Vec::new();
        for estimate in &decision.estimates {
            if limits.expired() {
                return Err(vec![crate::search::walk::time_limit()]);
            }
            let mut alone = Scenario::clone(scenario);
            let d = &mut alone.decisions[index];
            d.likelihood = Some(estimate.table.clone());
            d.estimates.clear();
            let forecast = model
                .evaluate_scenario(&alone, limits)
                .map(|e| e.outcomes.iter().map(|o| o.probability).collect::<Vec<_>>());
            match forecast {
                Ok(f) => forecasts.push(Some(f)),
                // A limit stops every table alike; report it once, for the whole analysis.
                Err(d) if d.iter().any(|d| d.code == casus_core::Code::LimitExceeded) => {
                    return Err(d);
                }
                Err(_) => forecasts.push(None),
            }
        }
        let moves = (0..model.outcomes)
            .map(|o| {
                let column = forecasts.iter().flatten().map(|f| f[o]);
                let hi = column.clone().fold(f64::NEG_INFINITY, f64::max);
                let lo = column.fold(f64::INFINITY, f64::min);
                if hi >= lo { hi - lo } else { 0.0 }
            })
            .collect();
        out.push(Disagreement {
            decision: index,
            points,
            spread,
            option,
            forecasts,
            moves,
        });
    }
    out.sort_by(|a, b| b.spread.total_cmp(&a.spread));
    Ok(out)
}
