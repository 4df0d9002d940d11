//! The report's data model: everything a report shows, with names looked up and numbers
//! rounded, built once from the rules' outputs and rendered by every format.
//!
//! Building the model is the only place a report reads the scenario, the program and the
//! evaluation; renderers only turn this plain data into text. Its field order is the key
//! order of `casus report --format json` (schema `casus.report/1`), so fields are only ever
//! added, at the end of a struct.

use std::ops::ControlFlow;

use casus_core::likelihood::{Form, Likelihood, word_for};
use casus_core::model::{FactKind, Scenario, Type};
use casus_core::{Diagnostic, SourceFile};
use casus_rules::analyses::ranking::{Assumption, Measure, Ranked};
use casus_rules::analyses::sampling::Sampling;
use casus_rules::analyses::sensitivity::Sensitivity;
use casus_rules::analyses::signposts::Effect;
use casus_rules::analyses::variants::{Column, Disagreement};
use casus_rules::analyses::voi::InformationValue;
use casus_rules::compile::deps::{DepEdge, DepNode};
use casus_rules::compile::program::Program;
use casus_rules::graphs::drawing::{DecisionGraph, GraphNode};
use casus_rules::search::paths::{PathStep, walk};
use casus_rules::session::{AnalysisKind, Budget, Plan, Session, SessionError, WhatIf};
use casus_rules::workflow::testing::{Failure, TestResult, TestStatus};
use casus_rules::{Evaluation, Given};
use serde::Serialize;

use crate::eval::by_probability;
use crate::text::{percent, round};

/// The schema name and version of the JSON report.
pub const SCHEMA: &str = "casus.report/1";

/// How many of the most likely paths each outcome lists.
pub const PATHS_PER_OUTCOME: usize = 3;

/// Most paths walked to list the paths per outcome: the forecast comes from the search, which
/// merges equal states; listing paths walks them one by one, so it is bounded on its own.
pub const MAX_LISTED_PATHS: u64 = 1_000_000;

/// How many rows the tornado table shows in Markdown and HTML (JSON has them all).
pub const TORNADO_ROWS: usize = 12;

/// A whole report.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ReportModel {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The `[scenario]` table.
    pub scenario: ScenarioInfo,
    /// `[actors]`, in file order.
    pub actors: Vec<ActorInfo>,
    /// `[facts]`, in file order.
    pub facts: Vec<FactInfo>,
    /// `[decisions.*]`, in the order they happen.
    pub decisions: Vec<DecisionInfo>,
    /// The forecast, most likely outcome first.
    pub forecast: Forecast,
    /// The strategic line of play and where it disagrees with the forecast.
    pub strategy: StrategyInfo,
    /// The most likely paths to each outcome.
    pub paths: PathsInfo,
    /// Which likelihoods move which outcomes most.
    pub sensitivity: SensitivityInfo,
    /// The scenario's `[tests.*]`.
    pub tests: TestsInfo,
    /// Warnings and notes from checking the scenario.
    pub diagnostics: Vec<DiagnosticInfo>,
    /// The decision graph with equal states merged.
    pub decision_graph: DecisionGraphInfo,
    /// The rule dependency graph (fact → rule → fact).
    pub rule_graph: RuleGraphInfo,
    /// The spread of each outcome's probability when every likelihood is drawn within its
    /// band at once.
    pub sampling: SamplingInfo,
    /// The base scenario and its variants side by side.
    pub variants: VariantsInfo,
    /// The signposts to watch and what seeing each would do to the forecast.
    pub signposts: SignpostsInfo,
    /// Where several analysts' estimates disagree, and what that moves.
    pub analysts: AnalystsInfo,
    /// What learning each chance event first would be worth to each actor.
    pub value_of_information: InformationInfo,
    /// The assumptions the forecast hangs on, most load-bearing first.
    pub assumptions: AssumptionsInfo,
    /// `[rules.*]`, in file order.
    pub rules: Vec<RuleDefInfo>,
}

/// The `[scenario]` table.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ScenarioInfo {
    /// The file name the report was made from (no folder, so reports do not depend on where
    /// they were made).
    pub file: String,
    /// The title.
    pub title: String,
    /// The question the scenario answers.
    pub summary: Option<String>,
    /// The date of the assessment, `YYYY-MM-DD`.
    pub as_of: Option<String>,
    /// Where the facts come from.
    pub sources: Vec<String>,
    /// Free tags.
    pub tags: Vec<String>,
}

/// An actor.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ActorInfo {
    /// Its id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// A longer description.
    pub doc: Option<String>,
}

/// A fact.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FactInfo {
    /// Its id.
    pub id: String,
    /// `input` or `derived`.
    pub kind: &'static str,
    /// Its type, in words.
    #[serde(rename = "type")]
    pub ty: String,
    /// The value of an input fact, or the default of a derived one, as written.
    pub value: String,
    /// Unit of an input fact.
    pub unit: Option<String>,
    /// Source of an input fact.
    pub source: Option<String>,
    /// A longer description.
    pub doc: Option<String>,
}

/// A decision.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DecisionInfo {
    /// Its id.
    pub id: String,
    /// The deciding actor's id, or `nature`.
    pub actor: String,
    /// The actor's display name (`nature` for chance events).
    pub actor_name: String,
    /// The question.
    pub ask: Option<String>,
    /// A longer description.
    pub doc: Option<String>,
    /// The guard as written, if the decision is only sometimes asked.
    pub when: Option<String>,
    /// Whether nature decides.
    pub chance: bool,
    /// Whether no likelihood was given, so the options count as equally likely.
    pub uniform: bool,
    /// How many `likelihood_if` tables can change the likelihoods.
    pub conditional: usize,
    /// The options with their unconditional likelihoods.
    pub options: Vec<OptionInfo>,
    /// Each `likelihood_if` table, in file order: the first whose condition holds replaces
    /// the unconditional likelihoods.
    pub likelihood_if: Vec<ConditionalInfo>,
}

/// A `likelihood_if` table: a condition and the likelihoods while it holds.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ConditionalInfo {
    /// The condition as written.
    pub when: String,
    /// The options with their likelihoods while the condition holds, as written and
    /// normalised.
    pub options: Vec<OptionInfo>,
}

/// A rule as written, with its effects in words.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RuleDefInfo {
    /// Its id.
    pub id: String,
    /// The condition as written.
    pub when: String,
    /// What it does, one phrase per effect: `sets f = v`, `adds 2 to g`.
    pub then: Vec<String>,
    /// Why, in the analyst's words.
    pub because: Option<String>,
    /// Who says so.
    pub source: Option<String>,
    /// Its priority (higher applies later and wins a conflict).
    pub priority: i64,
}

/// An option of a decision.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OptionInfo {
    /// Its id.
    pub id: String,
    /// The likelihood as the analyst wrote it, in words (`likely`, `25 %`, `20–40 %`).
    pub likelihood: Option<String>,
    /// The normalised point estimate.
    pub probability: f64,
    /// The band before normalisation.
    pub band: [f64; 2],
}

/// The forecast.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Forecast {
    /// Complete paths.
    pub paths: u128,
    /// Outcomes, most likely first (ties in file order).
    pub outcomes: Vec<OutcomeInfo>,
    /// Decisions without likelihoods, treated as uniform.
    pub uniform_decisions: Vec<String>,
}

/// One outcome's forecast.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OutcomeInfo {
    /// Its id.
    pub id: String,
    /// What it means.
    pub title: String,
    /// Probability under the point estimates.
    pub probability: f64,
    /// Lowest and highest probability over the likelihood bands.
    pub range: [f64; 2],
    /// The ICD 203 word for the probability, or `unreachable`.
    pub words: &'static str,
    /// Whether any path reaches it.
    pub reachable: bool,
    /// Probability when every actor plays its strategy.
    pub strategic_probability: f64,
    /// Payoff per actor, in the actors' order.
    pub payoffs: Vec<ActorValue>,
    /// The condition as written; `None` for a catch-all outcome.
    pub when: Option<String>,
    /// A longer description.
    pub doc: Option<String>,
}

/// A number per actor.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ActorValue {
    /// The actor's id.
    pub actor: String,
    /// The value.
    pub value: f64,
}

/// The strategic line of play.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct StrategyInfo {
    /// The decisions on the line, in order.
    pub line: Vec<PlayInfo>,
    /// The outcome at the end of the line.
    pub outcome: Option<String>,
    /// Expected payoff per actor under optimal play.
    pub payoffs: Vec<ActorValue>,
    /// The forecast's most likely outcome, when it is not the strategic outcome.
    pub forecast_disagrees: Option<String>,
    /// Decisions where the likelihoods and the payoffs disagree.
    pub key_assumptions: Vec<KeyAssumptionInfo>,
}

/// One decision on the line of play.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PlayInfo {
    /// The decision's id.
    pub decision: String,
    /// Who decides.
    pub actor: String,
    /// The option taken.
    pub choice: String,
    /// Whether nature decides (then `choice` is the most likely option).
    pub chance: bool,
    /// For an actor, every optimal option (more than one is a tie).
    pub optimal: Vec<String>,
    /// For an actor: expected payoff per option; for nature: probability per option.
    pub values: Vec<OptionValue>,
}

/// A number per option.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OptionValue {
    /// The option's id.
    pub option: String,
    /// The value.
    pub value: f64,
}

/// A key assumption: the likelihoods say one thing, the payoffs another.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct KeyAssumptionInfo {
    /// The decision's id.
    pub decision: String,
    /// Who decides.
    pub actor: String,
    /// The option the likelihoods make most likely.
    pub forecast: String,
    /// Its probability.
    pub forecast_probability: f64,
    /// The options the payoffs make optimal.
    pub strategic: Vec<String>,
    /// Expected payoff per option at the first point where it happens.
    pub values: Vec<OptionValue>,
    /// At how many points of the decision graph it happens.
    pub occurrences: u64,
}

/// The most likely paths to each outcome.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PathsInfo {
    /// Whether every path was walked; when not, the lists come from the first
    /// `walked` paths in file order and may miss more likely ones.
    pub complete: bool,
    /// How many paths were walked.
    pub walked: u64,
    /// Per outcome, in the forecast's order.
    pub outcomes: Vec<OutcomePathsInfo>,
}

/// The most likely paths to one outcome.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OutcomePathsInfo {
    /// The outcome's id.
    pub outcome: String,
    /// How many paths reach it.
    pub count: u64,
    /// The most likely of them, at most [`PATHS_PER_OUTCOME`].
    pub top: Vec<PathInfo>,
}

/// One complete path.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PathInfo {
    /// Its probability.
    pub probability: f64,
    /// Its share of the outcome's probability.
    pub share: f64,
    /// The decisions taken (skipped ones left out).
    pub steps: Vec<StepInfo>,
    /// The rules that fire at the end of the path, with their reasons.
    pub fired: Vec<RuleInfo>,
}

/// One decision taken on a path.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct StepInfo {
    /// The decision's id.
    pub decision: String,
    /// Who decides.
    pub actor: String,
    /// The option taken.
    pub option: String,
    /// Its probability at that point.
    pub probability: f64,
    /// Rules that began to fire.
    pub started: Vec<String>,
    /// Rules that stopped firing.
    pub stopped: Vec<String>,
}

/// A rule that fired, with the analyst's reason.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RuleInfo {
    /// The rule's id.
    pub id: String,
    /// Why, in the analyst's words.
    pub because: Option<String>,
    /// Who says so.
    pub source: Option<String>,
}

/// Sensitivity to the likelihood bands.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SensitivityInfo {
    /// Why there is no sensitivity analysis, when it could not run.
    pub error: Option<String>,
    /// Which decision's likelihoods move which outcome, largest swing first.
    pub tornado: Vec<TornadoInfo>,
}

/// One bar of the tornado.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TornadoInfo {
    /// The decision whose likelihoods move.
    pub decision: String,
    /// The outcome that moves.
    pub outcome: String,
    /// Lowest probability.
    pub low: f64,
    /// Highest probability.
    pub high: f64,
    /// `high - low`.
    pub swing: f64,
}

/// Test results.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TestsInfo {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed or are vacuous.
    pub failed: usize,
    /// Each test, in file order.
    pub results: Vec<TestInfo>,
}

/// One test's result.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TestInfo {
    /// The test's id.
    pub id: String,
    /// `passed`, `failed` or `vacuous`.
    pub status: &'static str,
    /// What the test guards against.
    pub doc: Option<String>,
    /// Why it failed, one sentence each.
    pub failures: Vec<String>,
}

/// A warning or note about the scenario.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DiagnosticInfo {
    /// `warning` or `note`.
    pub severity: &'static str,
    /// The stable code.
    pub code: &'static str,
    /// The message.
    pub message: String,
    /// 1-based line, when the finding has a location.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// The suggested fix.
    pub help: Option<String>,
}

/// The decision graph, ready to draw.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DecisionGraphInfo {
    /// Whether the size limit cut it short.
    pub truncated: bool,
    /// The limit on decision nodes.
    pub max_nodes: usize,
    /// Rules that fire before any decision.
    pub initial: Vec<String>,
    /// Nodes; `id`s are `n0`, `n1`, … in construction order (breadth first).
    pub nodes: Vec<GraphNodeInfo>,
    /// Edges, one per option taken.
    pub edges: Vec<GraphEdgeInfo>,
}

/// A node of the decision graph.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct GraphNodeInfo {
    /// `n0`, `n1`, …
    pub id: String,
    /// `decision`, `chance`, `outcome` or `truncated`.
    pub kind: &'static str,
    /// The decision's or outcome's id; empty for `truncated`.
    pub name: String,
    /// Who decides (decisions), the title (outcomes), or empty.
    pub detail: String,
    /// The probability of reaching the node.
    pub probability: f64,
    /// The decision's position in the file order (its layer in a drawing); outcomes and the
    /// truncated node come after the last decision.
    pub level: usize,
}

/// An edge of the decision graph.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct GraphEdgeInfo {
    /// The source node's id.
    pub from: String,
    /// The target node's id.
    pub to: String,
    /// The option taken.
    pub option: String,
    /// Its probability at that point.
    pub probability: f64,
    /// Rules that began to fire.
    pub started: Vec<String>,
    /// Rules that stopped firing.
    pub stopped: Vec<String>,
}

/// The rule dependency graph.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RuleGraphInfo {
    /// Decisions and facts that rules read or write, and every rule.
    pub nodes: Vec<RuleGraphNode>,
    /// `reads`, `sets` and `adds` edges.
    pub edges: Vec<RuleGraphEdge>,
}

/// A node of the rule dependency graph.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RuleGraphNode {
    /// `decision:ID`, `fact:ID` or `rule:ID`: unique, since the kinds share no namespace.
    pub id: String,
    /// `decision`, `input`, `derived` or `rule`.
    pub kind: &'static str,
    /// The item's id.
    pub name: String,
}

/// An edge of the rule dependency graph.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RuleGraphEdge {
    /// The source node's id.
    pub from: String,
    /// The target node's id.
    pub to: String,
    /// `reads`, `sets` or `adds`.
    pub kind: &'static str,
}

/// What a report is made from: the outputs of `casus-rules` for one scenario that checked
/// without errors.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    /// The source, for the text of guards and the location of findings.
    pub source: &'a SourceFile,
    /// The file name to show (no folder).
    pub file_name: &'a str,
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Its compiled program.
    pub program: &'a Program,
    /// The evaluation with nothing given.
    pub evaluation: &'a Evaluation,
    /// Sensitivity analysis, or the diagnostics that stopped it.
    pub sensitivity: &'a Result<Sensitivity, Vec<Diagnostic>>,
    /// Test results.
    pub tests: &'a [TestResult],
    /// Warnings and notes from checking.
    pub diagnostics: &'a [Diagnostic],
    /// The decision graph.
    pub graph: &'a DecisionGraph,
    /// Most paths walked when listing paths per outcome.
    pub max_paths: u64,
    /// The deeper analyses: sampling, variants, signposts, analysts, value of information and
    /// the assumption ranking.
    pub analyses: &'a Analyses,
}

/// The deeper analyses of one scenario, each computed or stopped by a limit (its
/// diagnostics), and `None` where the scenario has nothing to analyse (no variants, no
/// signposts, no decision with several analysts).
#[derive(Clone, Debug)]
pub struct Analyses {
    /// Probabilistic sensitivity with [`REPORT_SAMPLES`] samples and seed [`REPORT_SEED`].
    pub sampling: Result<Sampling, Vec<Diagnostic>>,
    /// The base scenario and every variant.
    pub variants: Option<Result<Vec<Column>, Vec<Diagnostic>>>,
    /// Every signpost observed alone.
    pub signposts: Option<Result<Vec<Effect>, Vec<Diagnostic>>>,
    /// Every decision with several analysts.
    pub analysts: Option<Result<Vec<Disagreement>, Vec<Diagnostic>>>,
    /// Value of information per chance event.
    pub information: Result<Vec<InformationValue>, Vec<Diagnostic>>,
    /// The assumption ranking.
    pub ranking: Result<Vec<Ranked>, Vec<Diagnostic>>,
}

/// An analysis's result, or the diagnostics that stopped it.
pub type Stopped<T> = Result<T, Vec<Diagnostic>>;

/// Samples drawn for a report: enough for percentiles to settle to the printed precision on
/// the bundled scenarios, few enough to keep reports fast; with the fixed seed, the same bytes
/// on every run.
pub const REPORT_SAMPLES: usize = 500;

/// The seed of a report's sampling.
pub const REPORT_SEED: u64 = 1;

impl Analyses {
    /// Runs every deeper analysis of the scenario as written through `session`, under
    /// `budget`: the session's plan with sampling at [`REPORT_SAMPLES`] and [`REPORT_SEED`],
    /// and the variants side by side. Returns the sensitivity analysis too.
    pub fn run(
        session: &Session,
        budget: &Budget,
    ) -> Result<(Stopped<Sensitivity>, Self), Vec<Diagnostic>> {
        let model = session.model(&WhatIf::none()).map_err(session_error)?;
        let plan = Plan {
            samples: Some((REPORT_SAMPLES, REPORT_SEED)),
            ..Plan::full()
        };
        let analysed = session.run(&model, &plan, budget).map_err(session_error)?;
        let why = |kind: AnalysisKind| -> Vec<Diagnostic> {
            let reason = analysed
                .omitted
                .iter()
                .find(|o| o.analysis == kind)
                .map_or("it was not computed", |o| o.reason.as_str());
            vec![Diagnostic::new(casus_core::Code::LimitExceeded, reason)]
        };
        let scenario = &model.scenario;
        let variants = (!scenario.variants.is_empty()).then(|| {
            session
                .compare_variants(&WhatIf::none(), budget)
                .map_err(session_error)
        });
        let sensitivity = analysed
            .sensitivity
            .clone()
            .ok_or_else(|| why(AnalysisKind::Ranges));
        let analyses = Self {
            sampling: analysed
                .sampling
                .clone()
                .ok_or_else(|| why(AnalysisKind::Sampling)),
            variants,
            signposts: (!scenario.signposts.is_empty()).then(|| {
                analysed
                    .watch
                    .clone()
                    .ok_or_else(|| why(AnalysisKind::Watch))
            }),
            analysts: scenario
                .decisions
                .iter()
                .any(|d| d.estimates.len() > 1)
                .then(|| {
                    analysed
                        .analysts
                        .clone()
                        .ok_or_else(|| why(AnalysisKind::Analysts))
                }),
            information: analysed
                .information
                .clone()
                .ok_or_else(|| why(AnalysisKind::Information)),
            ranking: analysed
                .ranking
                .clone()
                .ok_or_else(|| why(AnalysisKind::Ranking)),
        };
        Ok((sensitivity, analyses))
    }

    /// Nothing computed, each analysis stopped with `why`: for reports made under limits
    /// that leave no room for them.
    pub fn skipped(why: &Diagnostic) -> Self {
        Self {
            sampling: Err(vec![why.clone()]),
            variants: None,
            signposts: None,
            analysts: None,
            information: Err(vec![why.clone()]),
            ranking: Err(vec![why.clone()]),
        }
    }
}

/// A session's error as diagnostics: its findings, or one sentence.
pub fn session_error(error: SessionError) -> Vec<Diagnostic> {
    match error {
        SessionError::Findings(d) => d,
        other => vec![Diagnostic::new(
            casus_core::Code::LimitExceeded,
            other.to_string(),
        )],
    }
}

/// Builds the model.
pub fn build(inputs: &Inputs<'_>) -> ReportModel {
    let Inputs {
        source,
        scenario,
        program,
        evaluation,
        ..
    } = *inputs;
    let meta = &scenario.meta;
    let ranges = inputs
        .sensitivity
        .as_ref()
        .ok()
        .map(|s| s.ranges.as_slice());
    let order = by_probability(evaluation);

    let actors = scenario
        .actors
        .iter()
        .map(|a| ActorInfo {
            id: a.id.name.clone(),
            name: a.name.clone(),
            doc: a.doc.clone(),
        })
        .collect();
    let facts = scenario
        .facts
        .iter()
        .map(|f| match &f.kind {
            FactKind::Input {
                value,
                unit,
                source,
                ..
            } => FactInfo {
                id: f.id.name.clone(),
                kind: "input",
                ty: type_words(f.ty(), true),
                value: value.value.display(),
                unit: unit.clone(),
                source: source.clone(),
                doc: f.doc.clone(),
            },
            FactKind::Derived { ty, default } => FactInfo {
                id: f.id.name.clone(),
                kind: "derived",
                ty: type_words(ty, false),
                value: default.value.display(),
                unit: None,
                source: None,
                doc: f.doc.clone(),
            },
        })
        .collect();
    let decisions = scenario
        .decisions
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let compiled = program.decisions.get(i);
            DecisionInfo {
                id: d.id.name.clone(),
                actor: d.actor.name.clone(),
                actor_name: actor_name(scenario, &d.actor.name),
                ask: d.ask.clone(),
                doc: d.doc.clone(),
                when: d.when.as_ref().map(|w| span_text(source, w.span)),
                chance: d.is_chance(),
                uniform: compiled.is_some_and(|c| c.uniform),
                conditional: d.likelihood_if.len(),
                options: options(
                    d,
                    d.likelihood.as_ref(),
                    compiled.map(|c| (c.probabilities.as_slice(), c.bands.as_slice())),
                ),
                likelihood_if: d
                    .likelihood_if
                    .iter()
                    .enumerate()
                    .map(|(k, table)| ConditionalInfo {
                        when: span_text(source, table.when.span),
                        options: options(
                            d,
                            Some(&table.table),
                            compiled.and_then(|c| {
                                Some((
                                    c.conditional.get(k)?.1.as_slice(),
                                    c.conditional_bands.get(k)?.as_slice(),
                                ))
                            }),
                        ),
                    })
                    .collect(),
            }
        })
        .collect();

    let outcomes = order
        .iter()
        .map(|&i| {
            let r = &evaluation.outcomes[i];
            let o = &scenario.outcomes[i];
            let (lo, hi) = ranges
                .and_then(|rs| rs.get(i))
                .copied()
                .unwrap_or((r.probability, r.probability));
            OutcomeInfo {
                id: o.id.name.clone(),
                title: o.title.clone(),
                probability: round(r.probability),
                range: [round(lo), round(hi)],
                words: if r.reachable {
                    word_for(r.probability).word
                } else {
                    "unreachable"
                },
                reachable: r.reachable,
                strategic_probability: round(r.strategic_probability),
                payoffs: scenario
                    .actors
                    .iter()
                    .map(|a| ActorValue {
                        actor: a.id.name.clone(),
                        value: round(o.payoff_of(&a.id.name).unwrap_or(0.0)),
                    })
                    .collect(),
                when: o.when.as_ref().map(|w| span_text(source, w.span)),
                doc: o.doc.clone(),
            }
        })
        .collect();
    let forecast = Forecast {
        paths: evaluation.paths,
        outcomes,
        uniform_decisions: evaluation
            .uniform
            .iter()
            .map(|&d| scenario.decisions[d].id.name.clone())
            .collect(),
    };

    ReportModel {
        schema: SCHEMA,
        scenario: ScenarioInfo {
            file: inputs.file_name.to_owned(),
            title: meta.title.clone(),
            summary: meta.summary.as_ref().map(|s| s.trim().to_owned()),
            as_of: meta.as_of.clone(),
            sources: meta.sources.clone(),
            tags: meta.tags.clone(),
        },
        actors,
        facts,
        decisions,
        forecast,
        strategy: strategy(scenario, evaluation, &order),
        paths: paths(inputs, &order),
        sensitivity: sensitivity(scenario, inputs.sensitivity),
        tests: tests(scenario, inputs.tests),
        diagnostics: diagnostics(source, inputs.diagnostics),
        decision_graph: decision_graph(scenario, inputs.graph),
        rule_graph: rule_graph(scenario, program),
        sampling: sampling(scenario, evaluation, &inputs.analyses.sampling, &order),
        variants: variants(scenario, inputs.analyses.variants.as_ref(), &order),
        signposts: signposts(
            (source, scenario, evaluation),
            inputs.analyses.signposts.as_ref(),
            &order,
        ),
        analysts: analysts(scenario, inputs.analyses.analysts.as_ref(), &order),
        value_of_information: information(scenario, &inputs.analyses.information),
        assumptions: assumptions(scenario, &inputs.analyses.ranking),
        rules: scenario
            .rules
            .iter()
            .map(|r| RuleDefInfo {
                id: r.id.name.clone(),
                when: span_text(source, r.when.span),
                then: crate::text::rule_effects(r, crate::text::Tense::Present),
                because: r.because.clone(),
                source: r.source.clone(),
                priority: r.priority.value,
            })
            .collect(),
    }
}

/// A compiled likelihood table: the normalised probabilities and the bands, per option.
type Compiled<'a> = (&'a [f64], &'a [(f64, f64)]);

/// The options of a decision with their likelihoods as written in `table` and the compiled
/// `(probabilities, bands)`.
fn options(
    d: &casus_core::model::Decision,
    table: Option<&casus_core::model::LikelihoodTable>,
    compiled: Option<Compiled<'_>>,
) -> Vec<OptionInfo> {
    d.options
        .iter()
        .enumerate()
        .map(|(o, option)| {
            let probability = compiled.and_then(|(p, _)| p.get(o)).copied().unwrap_or(0.0);
            let band = compiled
                .and_then(|(_, b)| b.get(o))
                .copied()
                .unwrap_or((probability, probability));
            OptionInfo {
                id: option.name.clone(),
                likelihood: table
                    .and_then(|t| t.get(&option.name))
                    .map(likelihood_words),
                probability: round(probability),
                band: [round(band.0), round(band.1)],
            }
        })
        .collect()
}

fn actor_name(scenario: &Scenario, id: &str) -> String {
    scenario
        .actors
        .iter()
        .find(|a| a.id.name == id)
        .map_or_else(|| id.to_owned(), |a| a.name.clone())
}

/// The source text a span covers; empty when the span does not fit the text.
fn span_text(source: &SourceFile, span: casus_core::Span) -> String {
    let span = span.clamp_to(source.text());
    source
        .text()
        .get(span.start..span.end)
        .unwrap_or_default()
        .to_owned()
}

fn type_words(ty: &Type, input: bool) -> String {
    match ty {
        Type::Bool => "bool".to_owned(),
        Type::Number => "number".to_owned(),
        Type::Enum(symbols) if input && symbols.len() <= 1 => "symbol".to_owned(),
        Type::Enum(symbols) => symbols.join(" | "),
    }
}

fn likelihood_words(l: &Likelihood) -> String {
    match l.form {
        Form::Word(w) => w.to_owned(),
        Form::Number | Form::Percent => percent(l.point),
        Form::Range => crate::text::percent_range(l.lo, l.hi),
    }
}

fn option_values(scenario: &Scenario, decision: usize, values: &[f64]) -> Vec<OptionValue> {
    let d = &scenario.decisions[decision];
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .filter_map(|(i, v)| {
            Some(OptionValue {
                option: d.options.get(i)?.name.clone(),
                value: round(*v),
            })
        })
        .collect()
}

fn option_name(scenario: &Scenario, decision: usize, option: usize) -> String {
    scenario.decisions[decision]
        .options
        .get(option)
        .map_or_else(|| "?".to_owned(), |o| o.name.clone())
}

fn strategy(scenario: &Scenario, evaluation: &Evaluation, order: &[usize]) -> StrategyInfo {
    let s = &evaluation.strategy;
    let line = s
        .line
        .iter()
        .map(|step| {
            let d = &scenario.decisions[step.decision];
            PlayInfo {
                decision: d.id.name.clone(),
                actor: d.actor.name.clone(),
                choice: option_name(scenario, step.decision, step.option),
                chance: step.chance,
                optimal: if step.chance {
                    Vec::new()
                } else {
                    step.optimal
                        .iter()
                        .map(|&o| option_name(scenario, step.decision, o))
                        .collect()
                },
                values: option_values(scenario, step.decision, &step.values),
            }
        })
        .collect();
    let most_likely = order.first().copied();
    let forecast_disagrees = match (most_likely, s.outcome) {
        (Some(f), Some(o)) if f != o => Some(scenario.outcomes[f].id.name.clone()),
        _ => None,
    };
    StrategyInfo {
        line,
        outcome: s.outcome.map(|o| scenario.outcomes[o].id.name.clone()),
        payoffs: scenario
            .actors
            .iter()
            .zip(&s.payoffs)
            .map(|(a, p)| ActorValue {
                actor: a.id.name.clone(),
                value: round(*p),
            })
            .collect(),
        forecast_disagrees,
        key_assumptions: evaluation
            .key_assumptions
            .iter()
            .map(|k| {
                let d = &scenario.decisions[k.decision];
                KeyAssumptionInfo {
                    decision: d.id.name.clone(),
                    actor: d.actor.name.clone(),
                    forecast: option_name(scenario, k.decision, k.forecast),
                    forecast_probability: round(k.forecast_probability),
                    strategic: k
                        .strategic
                        .iter()
                        .map(|&o| option_name(scenario, k.decision, o))
                        .collect(),
                    values: option_values(scenario, k.decision, &k.values),
                    occurrences: k.occurrences,
                }
            })
            .collect(),
    }
}

/// A path kept while walking: the walker only lends its paths.
struct Kept {
    probability: f64,
    steps: Vec<PathStep>,
    fired: Vec<usize>,
}

/// Walks every path once, keeping the most likely few per outcome.
fn paths(inputs: &Inputs<'_>, order: &[usize]) -> PathsInfo {
    let (scenario, program) = (inputs.scenario, inputs.program);
    let n = program.outcomes.len();
    let mut top: Vec<Vec<Kept>> = (0..n).map(|_| Vec::new()).collect();
    let mut counts = vec![0u64; n];
    let given = Given::none(program.decisions.len());
    // A limit here only shortens the lists (and the report says so): the forecast already
    // came from the search.
    let limit = inputs.max_paths.min(MAX_LISTED_PATHS);
    let walked = walk(program, &given, limit, |path| {
        let Some(outcome) = path.outcome else {
            return ControlFlow::Continue(());
        };
        counts[outcome] += 1;
        let list = &mut top[outcome];
        // After every path at least as likely, so equals keep file order.
        let at = list.partition_point(|p| p.probability >= path.probability);
        if at < PATHS_PER_OUTCOME {
            list.insert(
                at,
                Kept {
                    probability: path.probability,
                    steps: path.steps.to_vec(),
                    fired: (0..path.fired.len()).filter(|&r| path.fired[r]).collect(),
                },
            );
            list.truncate(PATHS_PER_OUTCOME);
        }
        ControlFlow::Continue(())
    });
    let (complete, walked) = match walked {
        Ok(n) => (true, n),
        Err(_) => (false, limit),
    };
    let rule_id = |r: usize| scenario.rules[r].id.name.clone();
    let outcomes = order
        .iter()
        .map(|&o| {
            let total = inputs.evaluation.outcomes[o].probability;
            OutcomePathsInfo {
                outcome: scenario.outcomes[o].id.name.clone(),
                count: counts[o],
                top: top[o]
                    .iter()
                    .map(|kept| PathInfo {
                        probability: round(kept.probability),
                        share: round(if total > 0.0 {
                            kept.probability / total
                        } else {
                            0.0
                        }),
                        steps: kept
                            .steps
                            .iter()
                            .filter_map(|s| {
                                let option = s.option?;
                                let d = &scenario.decisions[s.decision];
                                Some(StepInfo {
                                    decision: d.id.name.clone(),
                                    actor: d.actor.name.clone(),
                                    option: option_name(scenario, s.decision, option),
                                    probability: round(s.probability),
                                    started: s.started.iter().map(|&r| rule_id(r)).collect(),
                                    stopped: s.stopped.iter().map(|&r| rule_id(r)).collect(),
                                })
                            })
                            .collect(),
                        fired: kept
                            .fired
                            .iter()
                            .map(|&r| {
                                let rule = &scenario.rules[r];
                                RuleInfo {
                                    id: rule.id.name.clone(),
                                    because: rule.because.clone(),
                                    source: rule.source.clone(),
                                }
                            })
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    PathsInfo {
        complete,
        walked,
        outcomes,
    }
}

fn sensitivity(
    scenario: &Scenario,
    result: &Result<Sensitivity, Vec<Diagnostic>>,
) -> SensitivityInfo {
    match result {
        Ok(s) => SensitivityInfo {
            error: None,
            tornado: s
                .tornado
                .iter()
                .map(|row| TornadoInfo {
                    decision: scenario.decisions[row.decision].id.name.clone(),
                    outcome: scenario.outcomes[row.outcome].id.name.clone(),
                    low: round(row.low),
                    high: round(row.high),
                    swing: round(row.swing()),
                })
                .collect(),
        },
        Err(diagnostics) => SensitivityInfo {
            error: Some(diagnostics.first().map_or_else(
                || "sensitivity analysis failed".to_owned(),
                |d| d.message.clone(),
            )),
            tornado: Vec::new(),
        },
    }
}

fn tests(scenario: &Scenario, results: &[TestResult]) -> TestsInfo {
    let passed = results.iter().filter(|r| r.passed()).count();
    TestsInfo {
        passed,
        failed: results.len() - passed,
        results: results
            .iter()
            .map(|r| {
                let test = &scenario.tests[r.index];
                TestInfo {
                    id: test.id.name.clone(),
                    status: r.status.as_str(),
                    doc: test.doc.clone(),
                    failures: if r.status == TestStatus::Passed {
                        Vec::new()
                    } else {
                        r.failures.iter().map(|f| failure(scenario, f)).collect()
                    },
                }
            })
            .collect(),
    }
}

fn failure(scenario: &Scenario, failure: &Failure) -> String {
    match failure {
        Failure::Expect(e) => {
            let seen: Vec<String> = e
                .seen
                .iter()
                .map(|(value, n)| format!("`{value}` on {n}"))
                .collect();
            format!(
                "expected `{}` = `{}` on every path, but it fails on {} of {} paths (seen: {})",
                e.key,
                e.expected,
                e.failing_paths,
                e.paths,
                seen.join(", ")
            )
        }
        Failure::Probability(p) => format!(
            "expected the probability of `{}` within {}–{}, but it is {}",
            scenario
                .outcomes
                .get(p.outcome)
                .map_or("?", |o| o.id.name.as_str()),
            percent(p.range.0),
            percent(p.range.1),
            percent(p.probability)
        ),
        Failure::Vacuous => "no path is consistent with `given`, so the test checks nothing".into(),
        Failure::Error { message } => message.clone(),
    }
}

fn diagnostics(source: &SourceFile, diagnostics: &[Diagnostic]) -> Vec<DiagnosticInfo> {
    diagnostics
        .iter()
        .filter(|d| !d.is_error())
        .map(|d| {
            let at = d.primary_span().map(|s| source.line_col(s.start));
            DiagnosticInfo {
                severity: d.severity.as_str(),
                code: d.code.as_str(),
                message: d.message.clone(),
                line: at.map(|l| l.line),
                column: at.map(|l| l.column),
                help: d.help.clone(),
            }
        })
        .collect()
}

fn decision_graph(scenario: &Scenario, graph: &DecisionGraph) -> DecisionGraphInfo {
    let last = scenario.decisions.len();
    let nodes = graph
        .graph
        .node_indices()
        .map(|n| {
            let id = format!("n{}", n.index());
            match &graph.graph[n] {
                GraphNode::Decision {
                    decision,
                    probability,
                } => {
                    let d = &scenario.decisions[*decision];
                    GraphNodeInfo {
                        id,
                        kind: if d.is_chance() { "chance" } else { "decision" },
                        name: d.id.name.clone(),
                        detail: actor_name(scenario, &d.actor.name),
                        probability: round(*probability),
                        level: *decision,
                    }
                }
                GraphNode::Outcome {
                    outcome,
                    probability,
                } => {
                    let o = &scenario.outcomes[*outcome];
                    GraphNodeInfo {
                        id,
                        kind: "outcome",
                        name: o.id.name.clone(),
                        detail: o.title.clone(),
                        probability: round(*probability),
                        level: last,
                    }
                }
                GraphNode::Truncated { probability } => GraphNodeInfo {
                    id,
                    kind: "truncated",
                    name: String::new(),
                    detail: String::new(),
                    probability: round(*probability),
                    level: last,
                },
            }
        })
        .collect();
    let rule_id = |r: &usize| scenario.rules[*r].id.name.clone();
    // petgraph keeps edges in insertion order, which the builder makes deterministic.
    let edges = graph
        .graph
        .edge_indices()
        .filter_map(|e| {
            let (from, to) = graph.graph.edge_endpoints(e)?;
            let w = &graph.graph[e];
            let decision = match graph.graph[from] {
                GraphNode::Decision { decision, .. } => decision,
                _ => return None,
            };
            Some(GraphEdgeInfo {
                from: format!("n{}", from.index()),
                to: format!("n{}", to.index()),
                option: option_name(scenario, decision, w.option),
                probability: round(w.probability),
                started: w.started.iter().map(rule_id).collect(),
                stopped: w.stopped.iter().map(rule_id).collect(),
            })
        })
        .collect();
    DecisionGraphInfo {
        truncated: graph.truncated,
        max_nodes: graph.max_nodes,
        initial: graph.initial.iter().map(rule_id).collect(),
        nodes,
        edges,
    }
}

fn rule_graph(scenario: &Scenario, program: &Program) -> RuleGraphInfo {
    let g = &program.graph.graph;
    let node_id = |n: DepNode| match n {
        DepNode::Decision(d) => format!("decision:{}", scenario.decisions[d].id.name),
        DepNode::Fact(f) => format!("fact:{}", scenario.facts[f].id.name),
        DepNode::Rule(r) => format!("rule:{}", scenario.rules[r].id.name),
    };
    let nodes = g
        .node_indices()
        .filter(|&n| matches!(g[n], DepNode::Rule(_)) || g.neighbors_undirected(n).next().is_some())
        .map(|n| {
            let (kind, name) = match g[n] {
                DepNode::Decision(d) => ("decision", scenario.decisions[d].id.name.clone()),
                DepNode::Fact(f) => (
                    if scenario.facts[f].is_derived() {
                        "derived"
                    } else {
                        "input"
                    },
                    scenario.facts[f].id.name.clone(),
                ),
                DepNode::Rule(r) => ("rule", scenario.rules[r].id.name.clone()),
            };
            RuleGraphNode {
                id: node_id(g[n]),
                kind,
                name,
            }
        })
        .collect();
    let mut edges: Vec<RuleGraphEdge> = g
        .edge_indices()
        .filter_map(|e| {
            let (a, b) = g.edge_endpoints(e)?;
            Some(RuleGraphEdge {
                from: node_id(g[a]),
                to: node_id(g[b]),
                kind: match g[e] {
                    DepEdge::Reads => "reads",
                    DepEdge::Sets => "sets",
                    DepEdge::Adds => "adds",
                },
            })
        })
        .collect();
    // A rule that reads a fact twice has two edges; one is enough to draw.
    edges.dedup_by(|a, b| a.from == b.from && a.to == b.to && a.kind == b.kind);
    let mut seen = std::collections::BTreeSet::new();
    edges.retain(|e| seen.insert((e.from.clone(), e.to.clone(), e.kind)));
    RuleGraphInfo { nodes, edges }
}

/// A number per outcome.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OutcomeValue {
    /// The outcome's id.
    pub outcome: String,
    /// The value.
    pub value: f64,
}

/// Why an analysis is missing, from the diagnostics that stopped it.
fn stopped(diagnostics: &[Diagnostic], what: &str) -> String {
    diagnostics
        .first()
        .map_or_else(|| format!("{what} failed"), |d| d.message.clone())
}

/// Probabilistic sensitivity: each outcome's probability with every likelihood drawn within
/// its band.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SamplingInfo {
    /// Samples drawn.
    pub samples: usize,
    /// The seed, so anyone can draw the same samples again.
    pub seed: u64,
    /// Why there is no sampling, when a limit stopped it.
    pub error: Option<String>,
    /// Per outcome, in the forecast's order.
    pub outcomes: Vec<SpreadInfo>,
    /// Samples whose strategic line of play differs from the one under the point estimates.
    pub line_changes: usize,
}

/// One outcome's distribution across samples: the same shape in `casus eval`'s JSON.
pub use crate::output::eval::SpreadOut as SpreadInfo;

fn sampling(
    scenario: &Scenario,
    evaluation: &Evaluation,
    result: &Result<Sampling, Vec<Diagnostic>>,
    order: &[usize],
) -> SamplingInfo {
    match result {
        Ok(s) => SamplingInfo {
            samples: s.samples,
            seed: s.seed,
            error: None,
            outcomes: order
                .iter()
                .filter_map(|&o| {
                    let spread = s.outcomes.iter().find(|x| x.outcome == o)?;
                    Some(SpreadInfo {
                        outcome: scenario.outcomes[o].id.name.clone(),
                        probability: round(evaluation.outcomes[o].probability),
                        mean: round(spread.mean),
                        p5: round(spread.p5),
                        p50: round(spread.p50),
                        p95: round(spread.p95),
                    })
                })
                .collect(),
            line_changes: s.line_changes,
        },
        Err(d) => SamplingInfo {
            samples: REPORT_SAMPLES,
            seed: REPORT_SEED,
            error: Some(stopped(d, "sampling")),
            outcomes: Vec::new(),
            line_changes: 0,
        },
    }
}

/// The base scenario and its variants side by side.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct VariantsInfo {
    /// Why there is no comparison, when a limit stopped it.
    pub error: Option<String>,
    /// The base first, then each variant in file order; empty without variants.
    pub columns: Vec<VariantColumnInfo>,
}

/// The base scenario or one variant, evaluated.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct VariantColumnInfo {
    /// The variant's id; `None` for the base scenario.
    pub id: Option<String>,
    /// What the variant assumes.
    pub title: Option<String>,
    /// A longer description.
    pub doc: Option<String>,
    /// Where the assumption comes from.
    pub source: Option<String>,
    /// Why the variant could not be evaluated.
    pub error: Option<String>,
    /// Each outcome, in the base forecast's order.
    pub outcomes: Vec<VariantOutcomeInfo>,
    /// The outcome the strategic line of play ends in.
    pub strategic_outcome: Option<String>,
    /// Expected payoff per actor under the strategy.
    pub payoffs: Vec<ActorValue>,
}

/// One outcome in one column.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct VariantOutcomeInfo {
    /// The outcome's id.
    pub outcome: String,
    /// Its probability.
    pub probability: f64,
    /// Minus the base's probability (0 for the base).
    pub delta: f64,
    /// Whether the probability differs from the base's as printed (one decimal of a percent).
    pub differs: bool,
}

fn variants(
    scenario: &Scenario,
    result: Option<&Result<Vec<Column>, Vec<Diagnostic>>>,
    order: &[usize],
) -> VariantsInfo {
    let columns = match result {
        None => {
            return VariantsInfo {
                error: None,
                columns: Vec::new(),
            };
        }
        Some(Err(d)) => {
            return VariantsInfo {
                error: Some(stopped(d, "the comparison of variants")),
                columns: Vec::new(),
            };
        }
        Some(Ok(columns)) => columns,
    };
    let base = columns.first().and_then(|c| c.result.as_ref().ok());
    let columns = columns
        .iter()
        .map(|c| {
            let variant = c.variant.and_then(|v| scenario.variants.get(v));
            let (error, outcomes, strategic_outcome, payoffs) = match &c.result {
                Ok(r) => (
                    None,
                    order
                        .iter()
                        .map(|&o| {
                            let p = r.probabilities.get(o).copied().unwrap_or(0.0);
                            let b = base
                                .and_then(|b| b.probabilities.get(o))
                                .copied()
                                .unwrap_or(p);
                            VariantOutcomeInfo {
                                outcome: scenario.outcomes[o].id.name.clone(),
                                probability: round(p),
                                delta: round(p - b),
                                differs: crate::analysis::differs(p, b),
                            }
                        })
                        .collect(),
                    r.strategic_outcome
                        .and_then(|o| scenario.outcomes.get(o))
                        .map(|o| o.id.name.clone()),
                    scenario
                        .actors
                        .iter()
                        .zip(&r.payoffs)
                        .map(|(a, p)| ActorValue {
                            actor: a.id.name.clone(),
                            value: round(*p),
                        })
                        .collect(),
                ),
                Err(why) => (Some(why.clone()), Vec::new(), None, Vec::new()),
            };
            VariantColumnInfo {
                id: variant.map(|v| v.id.name.clone()),
                title: variant.and_then(|v| v.title.clone()),
                doc: variant.and_then(|v| v.doc.clone()),
                source: variant.and_then(|v| v.source.clone()),
                error,
                outcomes,
                strategic_outcome,
                payoffs,
            }
        })
        .collect();
    VariantsInfo {
        error: None,
        columns,
    }
}

/// The signposts and what seeing each would do to the forecast.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SignpostsInfo {
    /// Why there is no watch-list, when a limit stopped it.
    pub error: Option<String>,
    /// Every signpost, most moving first (ties in file order).
    pub signposts: Vec<SignpostInfo>,
    /// Per outcome, in the forecast's order: the signposts that would raise and lower it most.
    pub watch: Vec<WatchInfo>,
}

/// One signpost.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SignpostInfo {
    /// Its id.
    pub id: String,
    /// The observable event.
    pub title: Option<String>,
    /// A longer description.
    pub doc: Option<String>,
    /// Where the indicator comes from.
    pub source: Option<String>,
    /// What seeing it means, in words: a likelihood ratio per option or a condition.
    pub evidence: String,
    /// The share of probability that moves to other outcomes if it is seen.
    pub distance: f64,
    /// Per outcome, in the forecast's order: the change in probability if it is seen.
    pub shifts: Vec<OutcomeValue>,
    /// Why its effect could not be computed (a condition no path meets).
    pub error: Option<String>,
}

/// What would move one outcome most.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct WatchInfo {
    /// The outcome's id.
    pub outcome: String,
    /// Its probability before anything is seen.
    pub probability: f64,
    /// The signpost that would raise it most, and by how much.
    pub raised_by: Option<SignpostShift>,
    /// The signpost that would lower it most, and by how much.
    pub lowered_by: Option<SignpostShift>,
}

/// A signpost and the change it brings.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SignpostShift {
    /// The signpost's id.
    pub signpost: String,
    /// The change in probability.
    pub shift: f64,
}

fn evidence_words(source: &SourceFile, signpost: &casus_core::model::Signpost) -> String {
    match &signpost.evidence {
        Some(casus_core::model::Evidence::Ratio { decision, ratios }) => {
            let ratios: Vec<String> = ratios
                .iter()
                .map(|(o, r)| format!("{} ×{}", o.name, casus_core::model::format_number(r.value)))
                .collect();
            format!(
                "likelihood ratio on {}: {}",
                decision.name,
                ratios.join(", ")
            )
        }
        Some(casus_core::model::Evidence::When(when)) => {
            format!("rules out paths unless {}", span_text(source, when.span))
        }
        None => String::new(),
    }
}

fn signposts(
    (source, scenario, evaluation): (&SourceFile, &Scenario, &Evaluation),
    result: Option<&Result<Vec<Effect>, Vec<Diagnostic>>>,
    order: &[usize],
) -> SignpostsInfo {
    let effects = match result {
        None => {
            return SignpostsInfo {
                error: None,
                signposts: Vec::new(),
                watch: Vec::new(),
            };
        }
        Some(Err(d)) => {
            return SignpostsInfo {
                error: Some(stopped(d, "the signpost watch-list")),
                signposts: Vec::new(),
                watch: Vec::new(),
            };
        }
        Some(Ok(effects)) => effects,
    };
    let name = |s: usize| scenario.signposts[s].id.name.clone();
    let watch = order
        .iter()
        .map(|&o| {
            let (up, down) = crate::analysis::strongest(effects, o);
            let shift = |best: crate::analysis::Shift| {
                best.map(|(s, d)| SignpostShift {
                    signpost: name(s),
                    shift: round(d),
                })
            };
            WatchInfo {
                outcome: scenario.outcomes[o].id.name.clone(),
                probability: round(evaluation.outcomes[o].probability),
                raised_by: shift(up),
                lowered_by: shift(down),
            }
        })
        .collect();
    let mut sorted: Vec<&Effect> = effects.iter().collect();
    sorted.sort_by(|a, b| b.distance.total_cmp(&a.distance));
    let signposts = sorted
        .into_iter()
        .map(|e| {
            let s = &scenario.signposts[e.signpost];
            SignpostInfo {
                id: s.id.name.clone(),
                title: s.title.clone(),
                doc: s.doc.clone(),
                source: s.source.clone(),
                evidence: evidence_words(source, s),
                distance: round(e.distance),
                shifts: order
                    .iter()
                    .map(|&o| OutcomeValue {
                        outcome: scenario.outcomes[o].id.name.clone(),
                        value: round(e.shifts.get(o).copied().unwrap_or(0.0)),
                    })
                    .collect(),
                error: e.result.as_ref().err().cloned(),
            }
        })
        .collect();
    SignpostsInfo {
        error: None,
        signposts,
        watch,
    }
}

/// Where several analysts' estimates disagree.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AnalystsInfo {
    /// How the estimates are pooled, in words.
    pub pooling: &'static str,
    /// Why there is no analysis, when a limit stopped it.
    pub error: Option<String>,
    /// Every decision with several analysts, largest disagreement first.
    pub decisions: Vec<DisagreementInfo>,
}

/// The analysts of one decision.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DisagreementInfo {
    /// The decision's id.
    pub decision: String,
    /// The option they disagree on most.
    pub option: String,
    /// How far apart their point estimates of that option lie.
    pub spread: f64,
    /// Each analyst, in file order.
    pub analysts: Vec<AnalystInfo>,
    /// Per outcome, in the forecast's order: how far apart the forecasts with each analyst's
    /// table alone lie.
    pub moves: Vec<OutcomeValue>,
}

/// One analyst's estimate.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AnalystInfo {
    /// The analyst (`(unattributed)` for a plain table written beside the analysts').
    pub analyst: String,
    /// The date of the estimate.
    pub as_of: Option<String>,
    /// Where it comes from.
    pub source: Option<String>,
    /// The normalised point estimate of each option.
    pub estimate: Vec<OptionValue>,
    /// The forecast with this table alone, in the forecast's order; `None` if it failed.
    pub forecast: Option<Vec<OutcomeValue>>,
}

/// How pooling works, as reports state it.
pub const POOLING: &str = "linear pool of the analysts' normalised point estimates with equal weights; each band is the envelope of the analysts' bands";

fn analysts(
    scenario: &Scenario,
    result: Option<&Result<Vec<Disagreement>, Vec<Diagnostic>>>,
    order: &[usize],
) -> AnalystsInfo {
    // `casus eval`'s shape (per outcome in file order) turned into the report's (in the
    // forecast's order): one walk over the estimates for both outputs.
    let in_order = |named: &crate::output::Named<f64>| -> Vec<OutcomeValue> {
        order
            .iter()
            .map(|&o| {
                let outcome = scenario.outcomes[o].id.name.clone();
                let value = named
                    .0
                    .iter()
                    .find(|(name, _)| *name == outcome)
                    .map_or(0.0, |(_, v)| *v);
                OutcomeValue { outcome, value }
            })
            .collect()
    };
    let (error, decisions) = match result {
        None => (None, Vec::new()),
        Some(Err(d)) => (Some(stopped(d, "the analysts' comparison")), Vec::new()),
        Some(Ok(list)) => (
            None,
            crate::output::eval::analysts(scenario, list)
                .decisions
                .into_iter()
                .map(|d| DisagreementInfo {
                    decision: d.decision,
                    option: d.option.unwrap_or_else(|| "?".to_owned()),
                    spread: d.spread,
                    analysts: d
                        .analysts
                        .into_iter()
                        .map(|a| AnalystInfo {
                            analyst: a.analyst,
                            as_of: a.as_of,
                            source: a.source,
                            estimate: a
                                .estimate
                                .0
                                .into_iter()
                                .filter(|(_, value)| value.is_finite())
                                .map(|(option, value)| OptionValue { option, value })
                                .collect(),
                            forecast: a.forecast.as_ref().map(in_order),
                        })
                        .collect(),
                    moves: in_order(&d.moves),
                })
                .collect(),
        ),
    };
    AnalystsInfo {
        pooling: POOLING,
        error,
        decisions,
    }
}

/// What learning each chance event before anyone chooses is worth to each actor.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct InformationInfo {
    /// Why there is no value of information, when a limit stopped it.
    pub error: Option<String>,
    /// Each chance event, in file order.
    pub events: Vec<EventInfo>,
}

/// The value of learning one chance event first.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EventInfo {
    /// The chance decision's id.
    pub decision: String,
    /// Expected value of perfect information per actor; `None` when the event's guard or
    /// likelihoods depend on earlier decisions, so it cannot be learnt first.
    pub evpi: Option<Vec<ActorValue>>,
}

fn information(
    scenario: &Scenario,
    result: &Result<Vec<InformationValue>, Vec<Diagnostic>>,
) -> InformationInfo {
    match result {
        Ok(values) => InformationInfo {
            error: None,
            events: values
                .iter()
                .map(|v| EventInfo {
                    decision: scenario.decisions[v.decision].id.name.clone(),
                    evpi: v.evpi.as_ref().map(|e| {
                        scenario
                            .actors
                            .iter()
                            .zip(e)
                            .map(|(a, x)| ActorValue {
                                actor: a.id.name.clone(),
                                value: round(*x),
                            })
                            .collect()
                    }),
                })
                .collect(),
        },
        Err(d) => InformationInfo {
            error: Some(stopped(d, "the value of information")),
            events: Vec::new(),
        },
    }
}

/// The assumptions the forecast hangs on.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AssumptionsInfo {
    /// Why there is no ranking, when a limit stopped it.
    pub error: Option<String>,
    /// Every likelihood judgement (reversed) and rule (dropped), most load-bearing first.
    pub ranked: Vec<AssumptionInfo>,
}

/// One assumption and how far the forecast moves without it.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AssumptionInfo {
    /// `likelihood` or `rule`.
    pub kind: &'static str,
    /// The decision's or rule's id.
    pub id: String,
    /// The share of probability that moves to another outcome.
    pub distance: f64,
    /// The outcome that moves most.
    pub outcome: String,
    /// By how much (new minus old).
    pub delta: f64,
    /// How `distance` was obtained: `exact`; `bound`, an upper bound on it (the rule's firing
    /// mass), below every distance ranked above, so the exact value was not needed (`outcome`
    /// and `delta` are then empty); `no_outcome`, when without the rule some path reaches no
    /// outcome (`distance` is then 1, for ordering).
    pub measure: &'static str,
}

fn assumptions(
    scenario: &Scenario,
    result: &Result<Vec<Ranked>, Vec<Diagnostic>>,
) -> AssumptionsInfo {
    match result {
        Ok(ranked) => AssumptionsInfo {
            error: None,
            ranked: ranked
                .iter()
                .map(|r| {
                    let (kind, id) = match r.assumption {
                        Assumption::Likelihood(d) => {
                            ("likelihood", scenario.decisions[d].id.name.clone())
                        }
                        Assumption::Rule(i) => ("rule", scenario.rules[i].id.name.clone()),
                    };
                    AssumptionInfo {
                        kind,
                        id,
                        distance: round(r.distance),
                        outcome: scenario
                            .outcomes
                            .get(r.largest_move.0)
                            .map_or_else(String::new, |o| o.id.name.clone()),
                        delta: round(r.largest_move.1),
                        measure: match r.measure {
                            Measure::Exact => "exact",
                            Measure::Bound => "bound",
                            Measure::NoOutcome => "no_outcome",
                        },
                    }
                })
                .collect(),
        },
        Err(d) => AssumptionsInfo {
            error: Some(stopped(d, "the assumption ranking")),
            ranked: Vec::new(),
        },
    }
}
