//! `casus explain --format json`: the most likely path told step by step, the paths that lead
//! to an outcome (`--outcome`), and the answer to "why not OUTCOME?" (`--why-not`).

use casus_core::model::{Scenario, Value};
use casus_rules::Program;
use casus_rules::analyses::explain::{ExplainedPath, OutcomePaths, share};
use casus_rules::analyses::whynot::{Counterfactual, Flip, Reason, WhyNot};
use casus_rules::compile::value::Val;
use casus_rules::search::paths::PathStep;
use schemars::JsonSchema;
use serde::Serialize;

use super::Named;
use crate::explain::ExplainReport;
use crate::text::round;

/// What `casus explain --format json` prints: the most likely path consistent with the given
/// values, with every rule that fires along it, and what `--outcome` or `--why-not` asked.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ExplainOutput {
    /// The scenario's title.
    pub scenario: String,
    /// What `--given` fixed: each given decision with its option, then each overridden input
    /// fact with its value.
    pub given: Named<FactValue>,
    /// Complete paths consistent with the given values.
    pub paths: u64,
    /// The most likely of them.
    pub path: PathOut,
    /// With `--outcome`: the paths that lead to that outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "OutcomePathsOut")]
    pub outcome_paths: Option<OutcomePathsOut>,
    /// With `--why-not`: the fewest changed choices that reach that outcome instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "WhyNotOut")]
    pub why_not: Option<WhyNotOut>,
}

/// A value as the scenario writes it: a boolean, a number (rounded to 12 decimals) or a
/// symbol.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum FactValue {
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A symbol, such as an option's name.
    Symbol(String),
}

/// One path, step by step.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PathOut {
    /// Its probability under the point estimates: the product of its steps' probabilities,
    /// not conditioned on what `--given` fixed (`share` is).
    pub probability: f64,
    /// Its probability divided by that of every path consistent with the given values; also
    /// for a `why_not` path that departs from a given decision, where it can exceed 1.
    pub share: f64,
    /// The rules that fire before any decision is taken.
    pub initial_rules: Vec<RuleOut>,
    /// Every decision in order, taken or skipped.
    pub steps: Vec<StepOut>,
    /// The outcome the path ends in; `null` when it reaches none.
    pub outcome: Option<PathOutcomeOut>,
    /// Each derived fact's value at the end of the path; `null` when unset.
    pub derived_facts: Named<Option<FactValue>>,
    /// The ids of the rules that fire at the end of the path, in file order.
    pub firing_rules: Vec<String>,
}

/// One decision on a path.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct StepOut {
    /// The decision's id.
    pub decision: String,
    /// Who decides (`nature` for chance).
    pub actor: String,
    /// The decision's question (`ask`), if it has one.
    pub ask: Option<String>,
    /// The option taken; `null` when the decision is skipped.
    pub choice: Option<String>,
    /// Whether the decision's condition (`when`) does not hold on this path.
    pub skipped: bool,
    /// Whether `--given` fixed the option.
    pub given: bool,
    /// The probability of the option taken at this point of the path (its likelihood, also
    /// where `--given` fixed it); 1 for a skipped decision.
    pub probability: f64,
    /// The rules that start firing because of this choice.
    pub started: Vec<RuleOut>,
    /// The ids of the rules that stop firing because of this choice.
    pub stopped: Vec<String>,
}

/// A rule and what it does, in the analyst's words.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RuleOut {
    /// The rule's id.
    pub rule: String,
    /// The facts it sets (`then`), with their values.
    pub sets: Named<FactValue>,
    /// The amounts it adds to summed facts (`add`); negative to subtract.
    pub adds: Named<f64>,
    /// Its `because`.
    pub because: Option<String>,
    /// Its `source`.
    pub source: Option<String>,
}

/// The outcome a path ends in.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PathOutcomeOut {
    /// The outcome's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Each actor's payoff there (0 where the outcome gives none).
    pub payoffs: Named<f64>,
}

/// `--outcome`: the paths that lead to one outcome.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OutcomePathsOut {
    /// The outcome's id.
    pub outcome: String,
    /// How many paths lead there.
    pub count: u64,
    /// Their share of the probability of every path consistent with the given values.
    pub probability: f64,
    /// The most likely of them, most likely first.
    pub paths: Vec<PathOut>,
    /// How many more lead there than are listed.
    pub more: u64,
}

/// `--why-not`: the answer for one outcome.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct WhyNotOut {
    /// The outcome asked about.
    pub outcome: String,
    /// What was found.
    pub answer: WhyNotAnswer,
    /// With `answer` `change`: the smallest change that reaches the outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "ChangeOut")]
    pub change: Option<ChangeOut>,
    /// With `answer` `no_change`: why no change of choices reaches it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "NoChangeOut")]
    pub reason: Option<NoChangeOut>,
}

/// What `--why-not` found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WhyNotAnswer {
    /// The explained path already ends in the outcome.
    AlreadyReached,
    /// Changing some choices reaches it (see `change`).
    Change,
    /// No change of choices reaches it (see `reason`).
    NoChange,
}

/// The fewest changed choices that lead to an outcome, on the most likely path with so few.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ChangeOut {
    /// The choices changed.
    pub flips: Vec<FlipOut>,
    /// The decisions the change skips.
    pub now_skipped: Vec<String>,
    /// The rules that then start firing.
    pub start_firing: Vec<RuleOut>,
    /// The ids of the rules that then stop firing.
    pub stop_firing: Vec<String>,
    /// How many other paths reach the outcome with as few changes.
    pub equally_small: u64,
    /// The whole changed path.
    pub path: PathOut,
}

/// One changed choice.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FlipOut {
    /// The decision's id.
    pub decision: String,
    /// The option on the explained path; `null` when the decision is skipped there.
    pub from: Option<String>,
    /// The option instead.
    pub to: String,
    /// Whether `--given` fixed this decision (so the change departs from what was given).
    pub given: bool,
}

/// Why no change of choices reaches the outcome.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[schemars(deny_unknown_fields)]
pub enum NoChangeOut {
    /// Only by departing from decisions fixed with `--given`.
    GivenDecisions {
        /// The change that would reach it, given decisions included.
        change: Box<ChangeOut>,
    },
    /// Only with other values of input facts.
    InputFacts {
        /// The input facts, each with a value that reaches it.
        facts: Vec<FactSettingOut>,
    },
    /// Not at all, as far as was tried.
    Unreachable {
        /// The input facts the outcome's condition depends on.
        reads: Vec<String>,
    },
}

/// An input fact with a value.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FactSettingOut {
    /// The fact's id.
    pub fact: String,
    /// Its value.
    pub value: FactValue,
}

impl FactValue {
    /// A value written in the scenario.
    fn of(value: &Value) -> Self {
        match value {
            Value::Bool(b) => FactValue::Bool(*b),
            Value::Number(n) => FactValue::Number(round(*n)),
            Value::Symbol(s) => FactValue::Symbol(s.clone()),
        }
    }

    /// A run-time value; `None` when unset.
    fn of_val(program: &Program, value: Val) -> Option<Self> {
        match value {
            Val::Unset => None,
            Val::Bool(b) => Some(FactValue::Bool(b)),
            Val::Num(n) => Some(FactValue::Number(round(n))),
            Val::Sym(id) => Some(FactValue::Symbol(program.symbols.name(id).to_owned())),
        }
    }
}

impl ExplainOutput {
    /// The output of one `casus explain`.
    pub fn build(report: &ExplainReport<'_>) -> Self {
        let s = report.scenario;
        let given = report
            .fixed
            .given
            .decisions
            .iter()
            .enumerate()
            .filter_map(|(d, o)| {
                let decision = s.decisions.get(d)?;
                Some((
                    decision.id.name.clone(),
                    FactValue::Symbol(decision.options.get((*o)?)?.name.clone()),
                ))
            })
            .chain(
                report
                    .fixed
                    .overrides
                    .iter()
                    .map(|(f, v)| (s.facts[*f].id.name.clone(), FactValue::of(v))),
            )
            .collect();
        let explanation = report.explanation;
        ExplainOutput {
            scenario: s.meta.title.clone(),
            given,
            paths: explanation.paths,
            path: PathOut::build(report, &explanation.path, explanation.total_probability),
            outcome_paths: report
                .outcome_paths
                .map(|paths| OutcomePathsOut::build(report, paths)),
            why_not: report
                .why_not
                .map(|(target, answer)| WhyNotOut::build(report, target, answer)),
        }
    }
}

impl PathOut {
    fn build(report: &ExplainReport<'_>, path: &ExplainedPath, total: f64) -> Self {
        let (s, program) = (report.scenario, report.program);
        PathOut {
            probability: round(path.probability),
            share: round(share(path.probability, total)),
            initial_rules: path.initial.iter().map(|&r| RuleOut::build(s, r)).collect(),
            steps: path
                .steps
                .iter()
                .map(|step| StepOut::build(report, step))
                .collect(),
            outcome: path.outcome.map(|o| {
                let outcome = &s.outcomes[o];
                PathOutcomeOut {
                    id: outcome.id.name.clone(),
                    title: outcome.title.clone(),
                    payoffs: s
                        .actors
                        .iter()
                        .map(|a| {
                            (
                                a.id.name.clone(),
                                round(outcome.payoff_of(&a.id.name).unwrap_or(0.0)),
                            )
                        })
                        .collect(),
                }
            }),
            derived_facts: program
                .derived
                .iter()
                .map(|d| {
                    (
                        s.facts[d.fact].id.name.clone(),
                        path.fact(program, d.fact)
                            .and_then(|v| FactValue::of_val(program, v)),
                    )
                })
                .collect(),
            firing_rules: path
                .firing()
                .iter()
                .map(|&r| s.rules[r].id.name.clone())
                .collect(),
        }
    }
}

impl StepOut {
    fn build(report: &ExplainReport<'_>, step: &PathStep) -> Self {
        let s = report.scenario;
        let d = &s.decisions[step.decision];
        StepOut {
            decision: d.id.name.clone(),
            actor: d.actor.name.clone(),
            ask: d.ask.clone(),
            choice: step.option.map(|o| d.options[o].name.clone()),
            skipped: step.option.is_none(),
            given: is_given(report, step.decision),
            probability: round(step.probability),
            started: step.started.iter().map(|&r| RuleOut::build(s, r)).collect(),
            stopped: step
                .stopped
                .iter()
                .map(|&r| s.rules[r].id.name.clone())
                .collect(),
        }
    }
}

impl RuleOut {
    fn build(s: &Scenario, r: usize) -> Self {
        let rule = &s.rules[r];
        RuleOut {
            rule: rule.id.name.clone(),
            sets: rule
                .then
                .iter()
                .map(|a| (a.fact.name.clone(), FactValue::of(&a.value.value)))
                .collect(),
            adds: rule
                .add
                .iter()
                .map(|c| (c.fact.name.clone(), round(c.amount.value)))
                .collect(),
            because: rule.because.clone(),
            source: rule.source.clone(),
        }
    }
}

impl OutcomePathsOut {
    fn build(report: &ExplainReport<'_>, paths: &OutcomePaths) -> Self {
        OutcomePathsOut {
            outcome: report.scenario.outcomes[paths.outcome].id.name.clone(),
            count: paths.count,
            probability: round(paths.share()),
            paths: paths
                .top
                .iter()
                .map(|p| PathOut::build(report, p, paths.total_probability))
                .collect(),
            more: paths.count.saturating_sub(paths.top.len() as u64),
        }
    }
}

impl WhyNotOut {
    fn build(report: &ExplainReport<'_>, target: usize, answer: &WhyNot) -> Self {
        let s = report.scenario;
        let (answer, change, reason) = match answer {
            WhyNot::AlreadyReached => (WhyNotAnswer::AlreadyReached, None, None),
            WhyNot::Change(change) => (
                WhyNotAnswer::Change,
                Some(ChangeOut::build(report, change)),
                None,
            ),
            WhyNot::NoChange(reason) => {
                let reason = match reason {
                    Reason::GivenDecisions(change) => NoChangeOut::GivenDecisions {
                        change: Box::new(ChangeOut::build(report, change)),
                    },
                    Reason::InputFacts(found) => NoChangeOut::InputFacts {
                        facts: found
                            .iter()
                            .map(|(f, v)| FactSettingOut {
                                fact: s.facts[*f].id.name.clone(),
                                value: FactValue::of(v),
                            })
                            .collect(),
                    },
                    Reason::Unreachable { reads } => NoChangeOut::Unreachable {
                        reads: reads.iter().map(|&f| s.facts[f].id.name.clone()).collect(),
                    },
                };
                (WhyNotAnswer::NoChange, None, Some(reason))
            }
        };
        WhyNotOut {
            outcome: s.outcomes[target].id.name.clone(),
            answer,
            change,
            reason,
        }
    }
}

impl ChangeOut {
    fn build(report: &ExplainReport<'_>, change: &Counterfactual) -> Self {
        let s = report.scenario;
        ChangeOut {
            flips: change
                .flips
                .iter()
                .map(|f| FlipOut::build(report, f))
                .collect(),
            now_skipped: change
                .now_skipped
                .iter()
                .map(|&d| s.decisions[d].id.name.clone())
                .collect(),
            start_firing: change
                .start_firing
                .iter()
                .map(|&r| RuleOut::build(s, r))
                .collect(),
            stop_firing: change
                .stop_firing
                .iter()
                .map(|&r| s.rules[r].id.name.clone())
                .collect(),
            equally_small: change.equally_small,
            // The share of the paths the search considered (`Counterfactual::share`, which the
            // human text prints too): for a change that departs from given decisions those are
            // all paths, not only the ones consistent with the given values.
            path: PathOut::build(report, &change.path, change.total_probability),
        }
    }
}

impl FlipOut {
    fn build(report: &ExplainReport<'_>, flip: &Flip) -> Self {
        let d = &report.scenario.decisions[flip.decision];
        FlipOut {
            decision: d.id.name.clone(),
            from: flip.from.map(|o| d.options[o].name.clone()),
            to: d.options[flip.to].name.clone(),
            given: is_given(report, flip.decision),
        }
    }
}

fn is_given(report: &ExplainReport<'_>, decision: usize) -> bool {
    report
        .fixed
        .given
        .decisions
        .get(decision)
        .copied()
        .flatten()
        .is_some()
}
