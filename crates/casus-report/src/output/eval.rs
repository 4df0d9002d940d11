//! `casus eval --format json`: the forecast, the strategy and every analysis of one model.

use casus_core::likelihood::word_for;
use casus_core::model::Scenario;
use casus_rules::KeyAssumption;
use casus_rules::analyses::ranking::{Assumption, Measure};
use casus_rules::analyses::variants::Column;
use casus_rules::session::{AnalysisKind, Omitted};
use schemars::JsonSchema;
use serde::Serialize;

use super::{Named, PathCount};
use crate::analysis::differs;
use crate::eval::{EvalView, by_probability, key_assumption_sentence};
use crate::text::round;

/// What `casus eval --format json` prints.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EvalOutput {
    /// The scenario's title.
    pub scenario: String,
    /// Complete paths consistent with what is given and observed.
    pub paths: PathCount,
    /// Every outcome, most likely first (ties in file order).
    pub outcomes: Vec<OutcomeOut>,
    /// Backward induction on the payoffs.
    pub strategy: StrategyOut,
    /// Decisions where the likelihoods and the actor's payoffs disagree.
    pub key_assumptions: Vec<KeyAssumptionOut>,
    /// Decisions without likelihoods, whose options count as equally likely.
    pub uniform_decisions: Vec<String>,
    /// The tornado table, largest swing first; absent when the ranges were left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<TornadoOut>")]
    pub sensitivity: Option<Vec<TornadoOut>>,
    /// The variant in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub variant: Option<String>,
    /// The signposts observed, and the forecast before observing them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "ObservedOut")]
    pub observed: Option<ObservedOut>,
    /// Probabilistic sensitivity (`--samples`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "SamplingOut")]
    pub sampling: Option<SamplingOut>,
    /// Value of information per chance event.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<InformationOut>")]
    pub value_of_information: Option<Vec<InformationOut>>,
    /// What the forecast hangs on, most load-bearing first.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<AssumptionOut>")]
    pub assumptions: Option<Vec<AssumptionOut>>,
    /// The signpost watch-list: each signpost not yet observed, observed alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<SignpostOut>")]
    pub signposts: Option<Vec<SignpostOut>>,
    /// Where analysts disagree.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "AnalystsOut")]
    pub analysts: Option<AnalystsOut>,
    /// Analyses left out, and why (a limit such as `--timeout`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub omitted: Vec<OmittedOut>,
}

/// One outcome's forecast.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OutcomeOut {
    /// The outcome's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its probability under the point estimates.
    pub probability: f64,
    /// `[low, high]` over the likelihood bands, one at a time; `null` when the ranges were
    /// left out.
    pub range: Option<[f64; 2]>,
    /// Whether any path reaches it.
    pub reachable: bool,
    /// The probability in words (ICD 203), or `unreachable`.
    pub words: String,
    /// Its probability if every actor plays the strategy (nature still random).
    pub strategic_probability: f64,
}

/// The strategy: the line of play and the expected payoffs.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct StrategyOut {
    /// The decisions taken along the line, in order.
    pub path: Vec<PlayStepOut>,
    /// The outcome the line ends in.
    pub outcome: Option<String>,
    /// Expected payoff per actor under the strategy.
    pub payoffs: Named<f64>,
}

/// One decision on the line of play.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PlayStepOut {
    /// The decision's id.
    pub decision: String,
    /// Who decides (`nature` for chance).
    pub actor: String,
    /// The option taken: the actor's best, or nature's most likely.
    pub choice: String,
    /// Whether nature decides here.
    pub chance: bool,
    /// For an actor: every optimal option (more than one is a tie).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<String>")]
    pub optimal: Option<Vec<String>>,
    /// For nature: each option's probability at this point, conditioned on what is given
    /// and observed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Named<f64>")]
    pub probabilities: Option<Named<f64>>,
    /// For an actor: its expected payoff for each option.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Named<f64>")]
    pub expected_payoffs: Option<Named<f64>>,
}

/// A decision where the likelihoods and the actor's payoffs disagree.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct KeyAssumptionOut {
    /// The decision's id.
    pub decision: String,
    /// The actor.
    pub actor: String,
    /// The option the likelihoods make most likely.
    pub forecast: String,
    /// Its probability.
    pub forecast_probability: f64,
    /// The options the payoffs make optimal.
    pub strategic: Vec<String>,
    /// The actor's expected payoff for each option there.
    pub expected_payoffs: Named<f64>,
    /// The options taken before the first point where it happens (`null`: skipped).
    pub context: Named<Option<String>>,
    /// At how many points of the decision graph it happens.
    pub occurrences: u64,
    /// The disagreement in one sentence.
    pub message: String,
}

/// One row of the tornado table.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TornadoOut {
    /// The decision whose likelihoods were swept.
    pub decision: String,
    /// The outcome that moved.
    pub outcome: String,
    /// Its lowest probability over the sweeps.
    pub low: f64,
    /// Its highest.
    pub high: f64,
    /// `high − low`.
    pub swing: f64,
}

/// The observation (`--observe`).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ObservedOut {
    /// The signposts observed.
    pub signposts: Vec<String>,
    /// Each outcome's probability before observing them.
    pub unconditioned: Named<f64>,
}

/// Probabilistic sensitivity.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SamplingOut {
    /// How many likelihood sets were drawn.
    pub samples: usize,
    /// The seed.
    pub seed: u64,
    /// Each outcome's spread over the samples.
    pub outcomes: Vec<SpreadOut>,
    /// In how many samples the strategic line of play changed.
    pub line_changes: usize,
}

/// One outcome's distribution across samples (the same shape in `casus report`'s JSON).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SpreadOut {
    /// The outcome's id.
    pub outcome: String,
    /// Its probability under the point estimates.
    pub probability: f64,
    /// Mean over the samples.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// The value of learning one chance event first.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct InformationOut {
    /// The chance event.
    pub decision: String,
    /// Expected value of perfect information per actor; `null` when not defined.
    pub evpi: Option<Named<f64>>,
    /// Why it is not defined: `depends_on_decisions`, `given` or `never_taken`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub undefined: Option<String>,
}

/// How far the forecast moves when one assumption changes.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AssumptionOut {
    /// `likelihood` (a decision's likelihoods reversed) or `rule` (a rule dropped).
    pub kind: String,
    /// The decision's or rule's id.
    pub id: String,
    /// How `distance` was obtained: `exact`; `bound`, an upper bound (the rule's firing
    /// mass) that was below every distance ranked above it, so the exact value was not needed;
    /// or `no_outcome`, when without the rule some path reaches no outcome and the forecasts
    /// cannot be compared.
    pub measure: String,
    /// Total variation distance between the forecasts, or its upper bound; absent with
    /// `no_outcome`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "f64")]
    pub distance: Option<f64>,
    /// The outcome that moves most, and by how much; absent unless `exact`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "MoveOut")]
    pub largest_move: Option<MoveOut>,
}

/// An outcome's move.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct MoveOut {
    /// The outcome's id.
    pub outcome: String,
    /// New minus old probability.
    pub delta: f64,
}

/// One signpost of the watch-list.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SignpostOut {
    /// The signpost's id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Where the indicator comes from.
    pub source: Option<String>,
    /// Total variation distance from the forecast if it were seen.
    pub distance: f64,
    /// Each outcome's shift if it were seen.
    pub shifts: Named<f64>,
    /// Why it could not be evaluated (say, a condition no path meets).
    pub error: Option<String>,
}

/// Where analysts disagree.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AnalystsOut {
    /// How estimates are pooled.
    pub pooling: String,
    /// Every decision with several analysts, largest disagreement first.
    pub decisions: Vec<DisagreementOut>,
}

/// The analysts of one decision.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DisagreementOut {
    /// The decision.
    pub decision: String,
    /// The option they disagree on most.
    pub option: Option<String>,
    /// Highest minus lowest estimate of that option.
    pub spread: f64,
    /// Each analyst.
    pub analysts: Vec<AnalystOut>,
    /// Per outcome: how far the analysts' forecasts lie apart.
    pub moves: Named<f64>,
}

/// One analyst's estimate and the forecast it gives alone.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AnalystOut {
    /// The analyst's name.
    pub analyst: String,
    /// The estimate's date.
    pub as_of: Option<String>,
    /// Its source.
    pub source: Option<String>,
    /// The normalised estimate per option.
    pub estimate: Named<f64>,
    /// The forecast with this estimate alone in place of the pool; `null` if it failed.
    pub forecast: Option<Named<f64>>,
}

/// An analysis left out.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OmittedOut {
    /// Which analysis: `ranges`, `sampling`, `information`, `ranking`, `watch`, `analysts`.
    pub analysis: String,
    /// Why.
    pub reason: String,
}

/// `casus eval --all-variants --format json`.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct VariantsOutput {
    /// The scenario's title.
    pub scenario: String,
    /// The base scenario first (`id` null), then every variant.
    pub variants: Vec<VariantColumnOut>,
}

/// One column of `--all-variants`.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct VariantColumnOut {
    /// The variant's id; `null` for the base scenario.
    pub id: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// Its source.
    pub source: Option<String>,
    /// Each outcome, in file order.
    pub outcomes: Vec<VariantOutcomeOut>,
    /// The outcome the line of play ends in.
    pub strategic_outcome: Option<String>,
    /// Expected payoff per actor.
    pub payoffs: Named<f64>,
    /// Why this column could not be evaluated.
    pub error: Option<String>,
}

/// One outcome in one column.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct VariantOutcomeOut {
    /// The outcome's id.
    pub id: String,
    /// Its probability.
    pub probability: f64,
    /// Minus the base's.
    pub delta: f64,
    /// Whether the difference shows at one decimal of a percent.
    pub differs: bool,
    /// Whether any path reaches it.
    pub reachable: bool,
}

fn outcome_names(scenario: &Scenario) -> impl Iterator<Item = &str> {
    scenario.outcomes.iter().map(|o| o.id.name.as_str())
}

fn actor_names(scenario: &Scenario) -> impl Iterator<Item = &str> {
    scenario.actors.iter().map(|a| a.id.name.as_str())
}

fn rounded(values: &[f64]) -> impl Iterator<Item = f64> + '_ {
    values.iter().map(|v| round(*v))
}

impl EvalOutput {
    /// The output of one run.
    pub fn build(view: &EvalView<'_>) -> Self {
        let (scenario, analysed) = (view.scenario, view.analysed);
        let evaluation = &analysed.evaluation;
        let ranges = analysed.sensitivity.as_ref().map(|s| s.ranges.as_slice());
        let outcomes = by_probability(evaluation)
            .into_iter()
            .map(|i| {
                let r = &evaluation.outcomes[i];
                let o = &scenario.outcomes[i];
                OutcomeOut {
                    id: o.id.name.clone(),
                    title: o.title.clone(),
                    probability: round(r.probability),
                    // `null` when the ranges could not be computed, rather than a range
                    // that would claim the forecast does not depend on any judgement.
                    range: ranges
                        .and_then(|rs| rs.get(i))
                        .map(|(lo, hi)| [round(*lo), round(*hi)]),
                    reachable: r.reachable,
                    words: if r.reachable {
                        word_for(r.probability).word.to_owned()
                    } else {
                        "unreachable".to_owned()
                    },
                    strategic_probability: round(r.strategic_probability),
                }
            })
            .collect();
        let path = evaluation
            .strategy
            .line
            .iter()
            .map(|step| {
                let d = &scenario.decisions[step.decision];
                let values: Named<f64> = step
                    .values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_finite())
                    .filter_map(|(i, v)| Some((d.options.get(i)?.name.clone(), round(*v))))
                    .collect();
                PlayStepOut {
                    decision: d.id.name.clone(),
                    actor: d.actor.name.clone(),
                    choice: d.options[step.option].name.clone(),
                    chance: step.chance,
                    optimal: (!step.chance).then(|| {
                        step.optimal
                            .iter()
                            .map(|&i| d.options[i].name.clone())
                            .collect()
                    }),
                    probabilities: step.chance.then(|| values.clone()),
                    expected_payoffs: (!step.chance).then_some(values),
                }
            })
            .collect();
        Self {
            scenario: scenario.meta.title.clone(),
            paths: PathCount(evaluation.paths),
            outcomes,
            strategy: StrategyOut {
                path,
                outcome: evaluation
                    .strategy
                    .outcome
                    .map(|o| scenario.outcomes[o].id.name.clone()),
                payoffs: Named::zip(actor_names(scenario), rounded(&evaluation.strategy.payoffs)),
            },
            key_assumptions: evaluation
                .key_assumptions
                .iter()
                .map(|flag| key_assumption(scenario, flag))
                .collect(),
            uniform_decisions: evaluation
                .uniform
                .iter()
                .map(|&d| scenario.decisions[d].id.name.clone())
                .collect(),
            sensitivity: analysed.sensitivity.as_ref().map(|s| {
                s.tornado
                    .iter()
                    .map(|row| TornadoOut {
                        decision: scenario.decisions[row.decision].id.name.clone(),
                        outcome: scenario.outcomes[row.outcome].id.name.clone(),
                        low: round(row.low),
                        high: round(row.high),
                        swing: round(row.swing()),
                    })
                    .collect()
            }),
            variant: view.variant.map(|v| v.id.name.clone()),
            observed: analysed
                .before_observing
                .as_ref()
                .map(|before| ObservedOut {
                    signposts: view
                        .observed
                        .iter()
                        .filter_map(|&s| scenario.signposts.get(s))
                        .map(|s| s.id.name.clone())
                        .collect(),
                    unconditioned: Named::zip(outcome_names(scenario), rounded(before)),
                }),
            sampling: analysed.sampling.as_ref().map(|s| SamplingOut {
                samples: s.samples,
                seed: s.seed,
                outcomes: s
                    .outcomes
                    .iter()
                    .map(|o| SpreadOut {
                        outcome: scenario.outcomes[o.outcome].id.name.clone(),
                        probability: round(
                            evaluation
                                .outcomes
                                .get(o.outcome)
                                .map_or(0.0, |r| r.probability),
                        ),
                        mean: round(o.mean),
                        p5: round(o.p5),
                        p50: round(o.p50),
                        p95: round(o.p95),
                    })
                    .collect(),
                line_changes: s.line_changes,
            }),
            value_of_information: analysed.information.as_ref().map(|values| {
                values
                    .iter()
                    .map(|v| InformationOut {
                        decision: scenario.decisions[v.decision].id.name.clone(),
                        evpi: v
                            .evpi
                            .as_ref()
                            .map(|e| Named::zip(actor_names(scenario), rounded(e))),
                        undefined: v.undefined.map(|u| {
                            match u {
                                casus_rules::analyses::voi::Undefined::DependsOnDecisions => {
                                    "depends_on_decisions"
                                }
                                casus_rules::analyses::voi::Undefined::Given => "given",
                                casus_rules::analyses::voi::Undefined::NeverTaken => "never_taken",
                            }
                            .to_owned()
                        }),
                    })
                    .collect()
            }),
            assumptions: analysed.ranking.as_ref().map(|ranked| {
                ranked
                    .iter()
                    .map(|r| {
                        let (kind, id) = match r.assumption {
                            Assumption::Likelihood(d) => {
                                ("likelihood", scenario.decisions[d].id.name.clone())
                            }
                            Assumption::Rule(i) => ("rule", scenario.rules[i].id.name.clone()),
                        };
                        let exact = r.measure == Measure::Exact;
                        AssumptionOut {
                            kind: kind.to_owned(),
                            id,
                            measure: match r.measure {
                                Measure::Exact => "exact",
                                Measure::Bound => "bound",
                                Measure::NoOutcome => "no_outcome",
                            }
                            .to_owned(),
                            distance: (r.measure != Measure::NoOutcome).then(|| round(r.distance)),
                            largest_move: exact.then(|| MoveOut {
                                outcome: scenario.outcomes[r.largest_move.0].id.name.clone(),
                                delta: round(r.largest_move.1),
                            }),
                        }
                    })
                    .collect()
            }),
            signposts: analysed.watch.as_ref().map(|e| watch_list(scenario, e)),
            analysts: analysed.analysts.as_ref().map(|d| analysts(scenario, d)),
            omitted: analysed.omitted.iter().map(omitted).collect(),
        }
    }
}

/// The watch-list: each signpost with the shift it would cause.
pub fn watch_list(
    scenario: &Scenario,
    effects: &[casus_rules::analyses::signposts::Effect],
) -> Vec<SignpostOut> {
    effects
        .iter()
        .map(|e| {
            let signpost = &scenario.signposts[e.signpost];
            SignpostOut {
                id: signpost.id.name.clone(),
                title: signpost.title.clone(),
                source: signpost.source.clone(),
                distance: round(e.distance),
                shifts: Named::zip(outcome_names(scenario), rounded(&e.shifts)),
                error: e.result.as_ref().err().cloned(),
            }
        })
        .collect()
}

impl EvalOutput {
    /// The output of a bare evaluation, with its ranges if given: what `casus eval` prints
    /// when nothing else was asked for.
    pub fn of_evaluation(
        scenario: &Scenario,
        evaluation: &casus_rules::Evaluation,
        sensitivity: Option<&casus_rules::analyses::sensitivity::Sensitivity>,
    ) -> Self {
        let analysed = casus_rules::session::Analysed {
            sensitivity: sensitivity.cloned(),
            ..casus_rules::session::Analysed::unanalysed(evaluation.clone())
        };
        Self::build(&EvalView {
            scenario,
            variant: None,
            observed: &[],
            analysed: &analysed,
        })
    }
}

fn key_assumption(scenario: &Scenario, flag: &KeyAssumption) -> KeyAssumptionOut {
    let d = &scenario.decisions[flag.decision];
    KeyAssumptionOut {
        decision: d.id.name.clone(),
        actor: d.actor.name.clone(),
        forecast: d.options[flag.forecast].name.clone(),
        forecast_probability: round(flag.forecast_probability),
        strategic: flag
            .strategic
            .iter()
            .map(|&i| d.options[i].name.clone())
            .collect(),
        expected_payoffs: flag
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .filter_map(|(i, v)| Some((d.options.get(i)?.name.clone(), round(*v))))
            .collect(),
        context: flag
            .context
            .iter()
            .map(|&(c, o)| {
                let decision = &scenario.decisions[c];
                let option = o
                    .and_then(|o| decision.options.get(o))
                    .map(|o| o.name.clone());
                (decision.id.name.clone(), option)
            })
            .collect(),
        occurrences: flag.occurrences,
        message: key_assumption_sentence(scenario, flag),
    }
}

/// Where the analysts disagree, per decision. The report builds its own shape (outcomes in
/// the forecast's order) from this one, so the two outputs read the analyses alike.
pub(crate) fn analysts(
    scenario: &Scenario,
    disagreements: &[casus_rules::analyses::variants::Disagreement],
) -> AnalystsOut {
    AnalystsOut {
        // One wording of the pooling in every output: `eval` and `report` say it alike.
        pooling: crate::report::model::POOLING.to_owned(),
        decisions: disagreements
            .iter()
            .map(|d| {
                let decision = &scenario.decisions[d.decision];
                let options = decision.options.iter().map(|o| o.name.as_str());
                DisagreementOut {
                    decision: decision.id.name.clone(),
                    option: decision.options.get(d.option).map(|o| o.name.clone()),
                    spread: round(d.spread),
                    analysts: decision
                        .estimates
                        .iter()
                        .zip(&d.points)
                        .zip(&d.forecasts)
                        .map(|((e, points), forecast)| AnalystOut {
                            analyst: e.analyst.name.clone(),
                            as_of: e.as_of.as_ref().map(|a| a.value.clone()),
                            source: e.source.clone(),
                            estimate: Named::zip(options.clone(), rounded(points)),
                            forecast: forecast
                                .as_ref()
                                .map(|f| Named::zip(outcome_names(scenario), rounded(f))),
                        })
                        .collect(),
                    moves: Named::zip(outcome_names(scenario), rounded(&d.moves)),
                }
            })
            .collect(),
    }
}

fn omitted(o: &Omitted) -> OmittedOut {
    OmittedOut {
        analysis: match o.analysis {
            AnalysisKind::Ranges => "ranges",
            AnalysisKind::Sampling => "sampling",
            AnalysisKind::Information => "information",
            AnalysisKind::Ranking => "ranking",
            AnalysisKind::Watch => "watch",
            AnalysisKind::Analysts => "analysts",
        }
        .to_owned(),
        reason: o.reason.clone(),
    }
}

impl VariantsOutput {
    /// The base and every variant side by side.
    pub fn build(scenario: &Scenario, columns: &[Column]) -> Self {
        let base = columns.first().and_then(|c| c.result.as_ref().ok());
        Self {
            scenario: scenario.meta.title.clone(),
            variants: columns
                .iter()
                .map(|c| {
                    let variant = c.variant.and_then(|v| scenario.variants.get(v));
                    let (id, title, source) = (
                        variant.map(|v| v.id.name.clone()),
                        variant.and_then(|v| v.title.clone()),
                        variant.and_then(|v| v.source.clone()),
                    );
                    match &c.result {
                        Ok(r) => VariantColumnOut {
                            id,
                            title,
                            source,
                            outcomes: scenario
                                .outcomes
                                .iter()
                                .enumerate()
                                .map(|(o, outcome)| {
                                    let p = r.probabilities.get(o).copied().unwrap_or(0.0);
                                    let q = base.and_then(|b| b.probabilities.get(o)).copied();
                                    VariantOutcomeOut {
                                        id: outcome.id.name.clone(),
                                        probability: round(p),
                                        delta: round(q.map_or(0.0, |q| p - q)),
                                        differs: c.variant.is_some()
                                            && q.is_some_and(|q| differs(p, q)),
                                        reachable: r.reachable.get(o).copied().unwrap_or(false),
                                    }
                                })
                                .collect(),
                            strategic_outcome: r
                                .strategic_outcome
                                .and_then(|o| scenario.outcomes.get(o))
                                .map(|o| o.id.name.clone()),
                            payoffs: Named::zip(actor_names(scenario), rounded(&r.payoffs)),
                            error: None,
                        },
                        Err(why) => VariantColumnOut {
                            id,
                            title,
                            source,
                            outcomes: Vec::new(),
                            strategic_outcome: None,
                            payoffs: Named::default(),
                            error: Some(why.clone()),
                        },
                    }
                })
                .collect(),
        }
    }
}
