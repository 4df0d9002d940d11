//! Signposts: observable indicators, and the forecast conditioned on having seen them.
//!
//! A signpost is evidence in one of two forms:
//! - a **likelihood ratio** per option of one decision: seeing the signpost is `r(o)` times as
//!   likely when option `o` is taken. Observing it multiplies that decision's probabilities in
//!   the program (base and conditional tables) by the ratios, *without* renormalising, so a
//!   path's mass becomes `P(path) · r(option on the path)` (a path that skips the decision keeps
//!   ratio 1). The search's forecast divides by the total mass at the end, which is exactly
//!   Bayes' rule: `P(path | seen) = P(path) · r / Σ P · r`. The strategy weighs each chance
//!   option by its probability times the consistent mass below it, so nature's averages there
//!   become posteriors too. [`crate::session::Model`] keeps the ratios apart from the tables
//!   and applies them to every program an analysis evaluates.
//! - a **condition** that holds at the end of every path consistent with the observation.
//!   Observing it rules out the paths where it is false, exactly as a given decision rules out
//!   the paths that skip it: they count as 0 paths, for the forecast and the strategy alike.
//!   The condition is added to every outcome's `when` and the paths where it is false reach an
//!   extra outcome that [`Given::ruled_out`] names; adding it to the outcomes (rather than
//!   checking it beside them) keeps the search's merging of equal states exact, since the
//!   search keeps what outcomes read.

use casus_core::Diagnostic;
use casus_core::expr::{BinaryOp, Expr, ExprKind, UnaryOp};
use casus_core::model::{Evidence, Ident, Outcome, Scenario};

use crate::search::walk::{EvalLimits, Given};

/// A scenario that conditions on observed signposts: the model's scenario and given values,
/// before compiling (see [`crate::session::Model`], which compiles it once and applies the
/// likelihood ratios to every program an analysis evaluates).
#[derive(Clone, Debug)]
pub struct Observation {
    /// The scenario, with an extra last outcome for the ruled-out paths when a condition was
    /// observed.
    pub scenario: Scenario,
    /// What is given, with [`Given::ruled_out`] set when a condition was observed.
    pub given: Given,
    /// How many outcomes the scenario had before: the outcomes to report.
    pub outcomes: usize,
}

/// The indices of the signposts named `ids`, or a sentence naming the first unknown one.
pub fn resolve(scenario: &Scenario, ids: &[&str]) -> Result<Vec<usize>, String> {
    ids.iter()
        .map(|id| {
            scenario
                .signposts
                .iter()
                .position(|s| s.id.name == *id)
                .ok_or_else(|| {
                    let names: Vec<String> = scenario
                        .signposts
                        .iter()
                        .map(|s| s.id.name.clone())
                        .collect();
                    let hint = casus_core::diagnostic::did_you_mean_or_list(
                        id,
                        &names,
                        "the file declares no `[signposts.*]`",
                        "the signposts are",
                    );
                    format!("`{id}` is not a signpost; {hint}")
                })
        })
        .collect()
}

/// Conditions the scenario on the signposts `observed` (indices into `scenario.signposts`),
/// with decisions fixed as in `given`: each observed condition is added to every outcome's
/// `when`, and the paths where it is false reach an extra outcome that `given` rules out.
pub fn observe(scenario: &Scenario, given: &Given, observed: &[usize]) -> Observation {
    let outcomes = scenario.outcomes.len();
    match conditioned(scenario, observed) {
        Some(scenario) => Observation {
            scenario,
            given: ruling_out(given, outcomes),
            outcomes,
        },
        None => Observation {
            scenario: scenario.clone(),
            given: given.clone(),
            outcomes,
        },
    }
}

/// The signposts among `observed` that are conditions, in order: all that [`conditioned`]
/// reads, so two lists with the same conditions give the same scenario.
pub fn conditions(scenario: &Scenario, observed: &[usize]) -> Vec<usize> {
    observed
        .iter()
        .copied()
        .filter(|&s| {
            scenario
                .signposts
                .get(s)
                .is_some_and(|s| matches!(s.evidence, Some(Evidence::When(_))))
        })
        .collect()
}

/// `given` with the extra outcome `outcomes` (the paths an observed condition rules out)
/// ruled out: what [`observe`] gives when [`conditioned`] changed the scenario.
pub fn ruling_out(given: &Given, outcomes: usize) -> Given {
    let mut given = given.clone();
    given.ruled_out = Some(outcomes);
    given
}

/// The scenario of [`observe`]: `None` when no signpost among `observed` is a condition, and
/// the scenario is unchanged (likelihood ratios change only the tables).
pub fn conditioned(scenario: &Scenario, observed: &[usize]) -> Option<Scenario> {
    let conditions: Vec<&Expr> = observed
        .iter()
        .filter_map(|&s| match &scenario.signposts.get(s)?.evidence {
            Some(Evidence::When(when)) => Some(when),
            _ => None,
        })
        .collect();
    let seen = conjunction(&conditions)?;
    let mut scenario = scenario.clone();
    for outcome in &mut scenario.outcomes {
        if let Some(when) = outcome.when.take() {
            outcome.when = Some(binary(BinaryOp::And, when, seen.clone()));
        }
    }
    let span = seen.span;
    scenario.outcomes.push(Outcome {
        id: Ident {
            name: "(ruled out)".to_owned(),
            span,
        },
        title: "ruled out by an observed signpost".to_owned(),
        when: Some(Expr {
            kind: ExprKind::Unary(UnaryOp::Not, Box::new(seen)),
            span,
        }),
        payoff: Vec::new(),
        doc: None,
    });
    Some(scenario)
}

/// The likelihood ratios of the signposts `observed`, per decision: the decision and a ratio
/// per option (1 for options a signpost leaves out; several signposts on one decision
/// multiply).
pub fn ratios(scenario: &Scenario, observed: &[usize]) -> Vec<(usize, Vec<f64>)> {
    let mut out: Vec<(usize, Vec<f64>)> = Vec::new();
    for &s in observed {
        let Some(Evidence::Ratio { decision, ratios }) =
            scenario.signposts.get(s).and_then(|s| s.evidence.as_ref())
        else {
            continue;
        };
        let Some(d) = scenario
            .decisions
            .iter()
            .position(|x| x.id.name == decision.name)
        else {
            continue;
        };
        let options = &scenario.decisions[d].options;
        let index = match out.iter().position(|(x, _)| *x == d) {
            Some(i) => i,
            None => {
                out.push((d, vec![1.0; options.len()]));
                out.len() - 1
            }
        };
        for (option, ratio) in ratios {
            if let Some(o) = options.iter().position(|x| x.name == option.name) {
                out[index].1[o] *= ratio.value;
            }
        }
    }
    out
}

fn binary(op: BinaryOp, a: Expr, b: Expr) -> Expr {
    let span = a.span;
    Expr {
        kind: ExprKind::Binary(op, Box::new(a), Box::new(b)),
        span,
    }
}

fn conjunction(conditions: &[&Expr]) -> Option<Expr> {
    let mut iter = conditions.iter().map(|c| (*c).clone());
    let first = iter.next()?;
    Some(iter.fold(first, |acc, c| binary(BinaryOp::And, acc, c)))
}

/// What observing one signpost does to the forecast.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Effect {
    /// Index into `scenario.signposts`.
    pub signpost: usize,
    /// The forecast with the signpost observed, one probability per outcome; or why it could
    /// not be computed (a sentence), such as a condition no path meets.
    pub result: Result<Vec<f64>, String>,
    /// Per outcome: observed minus base (zeros when the forecast failed).
    pub shifts: Vec<f64>,
    /// Total variation distance from the base forecast: the share of probability that moves
    /// to another outcome.
    pub distance: f64,
}

/// Every signpost not yet observed in `model`, each observed on top of it, against the
/// model's forecast `forecast` (one probability per outcome), in file order. `base` is the
/// scenario as written, from which the model was composed. A limit stops the whole list.
pub fn watch_list(
    base: &Scenario,
    model: &crate::session::Model,
    forecast: &[f64],
    limits: &EvalLimits,
) -> Result<Vec<Effect>, Vec<Diagnostic>> {
    watch_list_by(base.signposts.len(), model, forecast, limits, |observed| {
        crate::session::Model::compose(base, model.variant, model.fixed.clone(), observed)
    })
}

/// [`watch_list`] for a scenario of `signposts` signposts, with `compose` making the model
/// with the signposts it is given observed: the session composes from what it compiled
/// before, [`watch_list`] from scratch, and both give the same model.
pub fn watch_list_by(
    signposts: usize,
    model: &crate::session::Model,
    forecast: &[f64],
    limits: &EvalLimits,
    compose: impl Fn(Vec<usize>) -> Result<crate::session::Model, Vec<Diagnostic>>,
) -> Result<Vec<Effect>, Vec<Diagnostic>> {
    let mut effects = Vec::new();
    for signpost in 0..signposts {
        if model.observed.contains(&signpost) {
            continue;
        }
        if limits.expired() {
            return Err(vec![crate::search::walk::time_limit()]);
        }
        let mut observed = model.observed.clone();
        observed.push(signpost);
        let seen = compose(observed).and_then(|m| m.evaluate(limits));
        let result = match seen {
            Ok(e) => Ok(e.outcomes.iter().map(|o| o.probability).collect::<Vec<_>>()),
            Err(d)
                if d.iter().any(|d| d.code == casus_core::Code::LimitExceeded)
                    && !d
                        .iter()
                        .any(|d| d.code == casus_core::Code::NoConsistentPath) =>
            {
                return Err(d);
            }
            Err(d) => Err(d
                .first()
                .map_or_else(|| "the evaluation failed".to_owned(), |d| d.message.clone())),
        };
        let shifts: Vec<f64> = match &result {
            Ok(p) => p.iter().zip(forecast).map(|(a, b)| a - b).collect(),
            Err(_) => vec![0.0; forecast.len()],
        };
        let distance = shifts.iter().map(|s| s.abs()).sum::<f64>() / 2.0;
        effects.push(Effect {
            signpost,
            result,
            shifts,
            distance,
        });
    }
    Ok(effects)
}
