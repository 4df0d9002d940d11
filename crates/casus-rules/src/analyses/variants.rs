//! Variants and analysts: the base scenario transformed, then compiled and evaluated.
//!
//! A variant (`[variants.ID]`) is a pure function on the model: [`apply`] returns the base
//! scenario with the variant's input facts, likelihood tables and payoffs in place of the
//! base's, and everything else (rules, outcomes, the order of decisions) unchanged. So a
//! variant is evaluated exactly like a scenario, and its outcomes line up index for index with
//! the base's, which is what lets [`compare`] put them side by side.
//!
//! Several analysts' estimates of one decision are pooled by the loader (a linear pool with
//! equal weights, see [`casus_core::model::linear_pool`]). [`analysts`] asks where they
//! disagree most and what that disagreement does to the forecast: each analyst's table alone
//! is, in effect, one more variant.

use casus_core::Diagnostic;
use casus_core::model::{FactKind, Scenario, Value};

use crate::compile::program::Program;
use crate::search::given::resolve;
use crate::search::walk::{EvalLimits, evaluate};

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

/// The base scenario and every variant, evaluated with the same `given` pairs (decisions
/// fixed and input facts overridden; an override given here wins over a variant's).
///
/// Fails only when the base itself cannot be evaluated; a variant that fails becomes a column
/// whose result says why.
pub fn compare(
    scenario: &Scenario,
    given: &[(&str, Value)],
    limits: &EvalLimits,
) -> Result<Vec<Column>, Vec<Diagnostic>> {
    let base = evaluate_with(scenario, given, limits)?;
    let mut columns = vec![Column {
        variant: None,
        result: Ok(base),
    }];
    for (index, variant) in scenario.variants.iter().enumerate() {
        let result = match apply(scenario, &variant.id.name) {
            Some(s) => evaluate_with(&s, given, limits).map_err(|d| sentence(&d)),
            None => Err(format!("no variant `{}`", variant.id.name)),
        };
        columns.push(Column {
            variant: Some(index),
            result,
        });
    }
    Ok(columns)
}

fn evaluate_with(
    scenario: &Scenario,
    given: &[(&str, Value)],
    limits: &EvalLimits,
) -> Result<ColumnResult, Vec<Diagnostic>> {
    let fixed = resolve(scenario, given.iter().map(|(n, v)| (*n, v)))
        .map_err(|m| vec![Diagnostic::new(casus_core::Code::InvalidValue, m)])?;
    let program = Program::compile_with(scenario, &fixed.overrides)?;
    let evaluation = evaluate(scenario, &program, &fixed.given, limits)?;
    Ok(ColumnResult {
        probabilities: evaluation.outcomes.iter().map(|o| o.probability).collect(),
        reachable: evaluation.outcomes.iter().map(|o| o.reachable).collect(),
        strategic_outcome: evaluation.strategy.outcome,
        payoffs: evaluation.strategy.payoffs,
    })
}

/// The first diagnostic's message, for a column that could not be evaluated.
fn sentence(diagnostics: &[Diagnostic]) -> String {
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

/// Every decision with at least two analysts' estimates, largest disagreement first (ties in
/// file order).
pub fn analysts(
    scenario: &Scenario,
    limits: &EvalLimits,
) -> Result<Vec<Disagreement>, Vec<Diagnostic>> {
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
            let mut alone = scenario.clone();
            let d = &mut alone.decisions[index];
            d.likelihood = Some(estimate.table.clone());
            d.estimates.clear();
            let forecast = Program::compile(&alone)
                .and_then(|p| evaluate(&alone, &p, &crate::Given::none(p.decisions.len()), limits))
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
        let moves = (0..scenario.outcomes.len())
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
