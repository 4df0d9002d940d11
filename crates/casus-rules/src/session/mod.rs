//! The analysis session: the one entry point every client calls.
//!
//! A [`Session`] is opened once from source text and limits: it loads, checks, compiles,
//! evaluates and lints the file, and keeps every diagnostic. [`Session::model`] composes the
//! model in force for a [`WhatIf`] (variant → analysts' pool → given values → observed
//! signposts) once, and [`Session::run`] computes the analyses a [`Plan`] names on that one
//! model under one [`Budget`]. The CLI, reports, a language server or a Python binding all go
//! through here and receive plain data; none of them composes a model by hand.
//!
//! ```
//! use casus_rules::session::{Budget, Options, Plan, Session, WhatIf};
//!
//! let text = r#"
//! [scenario]
//! title = "Does Moscow accept?"
//! [actors]
//! russia = "Russia"
//! [decisions.answer]
//! actor = "russia"
//! options = ["accept", "refuse"]
//! likelihood = { accept = 0.25, refuse = 0.75 }
//! [outcomes.deal]
//! when = "answer == 'accept'"
//! payoff = { russia = 1 }
//! [outcomes.no_deal]
//! payoff = { russia = 2 }
//! "#;
//! let session = Session::open_text("talks.toml", text, Options::default());
//! assert!(!session.has_errors());
//! let model = session.model(&WhatIf::none()).unwrap();
//! let analysed = session.run(&model, &Plan::full(), &Budget::unlimited()).unwrap();
//! assert_eq!(analysed.forecast(), [0.25, 0.75]);
//! // Russia's payoffs favour refusing: the strategy ends in `no_deal`.
//! assert_eq!(analysed.evaluation.strategy.outcome, Some(1));
//! ```
//!
//! The search recurses once per decision. So that library callers need no special stack,
//! every engine call runs on a thread pool the process's sessions share, whose threads have
//! [`STACK_BYTES`] of stack (see [`Session::install`]).

mod explain;
mod model;
mod plan;

use std::sync::{Arc, Mutex, OnceLock};

use casus_core::limits::Limits;
use casus_core::model::{Scenario, Value};
use casus_core::{Diagnostic, SourceFile};

use crate::analyses::{ranking, sampling, sensitivity, signposts, variants, voi};
use crate::check::{Checked, Keep, LintLevels, check_source_recorded};
use crate::compile::program::Program;
use crate::search::given::Fixed;
use crate::search::result::Evaluation;
use crate::search::walk::{EvalLimits, Recording};
use crate::workflow::testing::{self, TestResult};

pub use explain::{ExplainRequest, Explained};
pub use model::{Model, WhatIf, Without};

use model::{Models, Recorded};
pub use plan::{Analysed, AnalysisKind, Budget, Method, Omitted, Plan, Progress};

/// Stack of each thread the session runs the engine on: deep enough for the search's one
/// frame per decision at the largest `--max-decisions`, and only reserved, not touched.
pub const STACK_BYTES: usize = 256 << 20;

/// How a session is opened.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Limits on the file: size, decisions, options, rules, expressions.
    pub limits: Limits,
    /// Limits on each evaluation: paths, memo, threads. Its deadline is replaced by the
    /// budget of each run.
    pub eval: EvalLimits,
    /// Lint levels given for the run.
    pub lints: LintLevels,
    /// Keep the decision graph that checking the scenario as written records, for the first
    /// [`Session::run`] of that model to start from instead of evaluating again. For clients
    /// that run the analyses (`eval`, `report`, a notebook), not for those that only check.
    pub record: bool,
    /// With [`Options::record`]: also find, in the same evaluation, the forecast without each
    /// rule that the assumption ranking needs (see `crate::search::drops`), for a first run
    /// whose plan ranks the assumptions. Checking then costs about what the ranking's own
    /// search would.
    pub record_drops: bool,
    /// Compute only the findings that are errors: the lints run only when one of them is
    /// denied. For a client that shows nothing but errors (`eval`); the lints' walk over every
    /// state can cost as much as the forecast.
    pub errors_only: bool,
}

/// Why a what-if or a plan cannot be run.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The file has errors; they are in [`Session::diagnostics`].
    #[error("the scenario has errors")]
    Invalid,
    /// A part of the what-if names nothing in the scenario, or a combination cannot be
    /// honoured.
    #[error("{part}: {message}")]
    Usage {
        /// Which part: `variant`, `given`, `observe`, `outcome`, …
        part: &'static str,
        /// What is wrong, with a "did you mean" where one is close.
        message: String,
    },
    /// The evaluation failed: a path-dependent error, no consistent path, or a limit.
    #[error("the evaluation failed")]
    Findings(Vec<Diagnostic>),
}

impl SessionError {
    fn usage(part: &'static str, message: impl Into<String>) -> Self {
        Self::Usage {
            part,
            message: message.into(),
        }
    }
}

/// The engine's thread pool of `threads` workers (0: one per core), made once per process
/// and shared by every session, as rayon's global pool is: a notebook or a language server
/// that opens a session per file would otherwise start threads for each. `None` if no pool
/// can be made; the engine then runs on the calling thread.
fn shared_pool(threads: usize) -> Option<Arc<rayon::ThreadPool>> {
    static POOLS: Mutex<Vec<(usize, Arc<rayon::ThreadPool>)>> = Mutex::new(Vec::new());
    let mut pools = POOLS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, pool)) = pools.iter().find(|(t, _)| *t == threads) {
        return Some(Arc::clone(pool));
    }
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(STACK_BYTES);
    if threads > 0 {
        builder = builder.num_threads(threads);
    }
    let pool = Arc::new(builder.build().ok()?);
    pools.push((threads, Arc::clone(&pool)));
    Some(pool)
}

/// One scenario file, checked, ready for any number of runs.
#[derive(Debug)]
pub struct Session {
    source: SourceFile,
    checked: Checked,
    options: Options,
    pool: OnceLock<Option<Arc<rayon::ThreadPool>>>,
    /// What the models of each variant and set of observed conditions share, compiled once.
    models: Models,
    /// What the check recorded of the scenario as written ([`Options::record`]), until a run
    /// takes it.
    recorded: Mutex<Option<Recording>>,
}

impl Session {
    /// Loads, checks, compiles, evaluates and lints `source`. Never fails: what is wrong is
    /// in [`Session::diagnostics`].
    pub fn open(source: SourceFile, options: Options) -> Self {
        let mut session = Self {
            source,
            checked: Checked {
                scenario: None,
                program: None,
                evaluation: None,
                diagnostics: Vec::new(),
            },
            options,
            pool: OnceLock::new(),
            models: Models::default(),
            recorded: Mutex::new(None),
        };
        // On the session's pool, which has the threads the options ask for.
        let mut eval = session.options.eval.clone();
        eval.threads = 0;
        let keep = Keep {
            graph_bytes: if session.options.record {
                crate::graphs::merged::DEFAULT_BYTES
            } else {
                0
            },
            drops: session.options.record && session.options.record_drops,
            errors_only: session.options.errors_only,
        };
        let (checked, recording) = session.install(|| {
            check_source_recorded(
                &session.source,
                &session.options.limits,
                &eval,
                &session.options.lints,
                keep,
            )
        });
        session.checked = checked;
        session.recorded = Mutex::new(session.options.record.then_some(recording));
        session
    }

    /// Opens `text` as a file named `name`.
    pub fn open_text(name: &str, text: &str, options: Options) -> Self {
        Self::open(SourceFile::new(name, text), options)
    }

    /// Runs `op` on the session's thread pool, whose threads have [`STACK_BYTES`] of stack;
    /// on the calling thread if no pool can be made.
    pub fn install<R: Send>(&self, op: impl FnOnce() -> R + Send) -> R {
        let pool = self
            .pool
            .get_or_init(|| shared_pool(self.options.eval.threads));
        match pool {
            Some(pool) => pool.install(op),
            None => op(),
        }
    }

    /// The file.
    pub fn source(&self) -> &SourceFile {
        &self.source
    }

    /// Every finding of loading, checking, evaluating and linting, sorted by position.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.checked.diagnostics
    }

    /// Whether any finding is an error; then no model can be composed.
    pub fn has_errors(&self) -> bool {
        self.checked.has_errors()
    }

    /// The scenario as written, if it could be loaded.
    pub fn scenario(&self) -> Option<&Scenario> {
        self.checked.scenario.as_ref()
    }

    /// The compiled scenario as written, if it checked.
    pub fn program(&self) -> Option<&Program> {
        self.checked.program.as_ref()
    }

    /// The evaluation of the scenario as written, if it checked.
    pub fn evaluation(&self) -> Option<&Evaluation> {
        self.checked.evaluation.as_ref()
    }

    /// The everything-checked parts, or [`SessionError::Invalid`].
    fn valid(&self) -> Result<(&Scenario, &Program), SessionError> {
        match (&self.checked.scenario, &self.checked.program) {
            (Some(s), Some(p)) if !self.has_errors() => Ok((s, p)),
            _ => Err(SessionError::Invalid),
        }
    }

    /// Limits for one evaluation under `budget`, run on the session's pool (which already
    /// has the number of threads the options ask for).
    pub fn eval_limits(&self, budget: &Budget) -> EvalLimits {
        let mut limits = self.options.eval.clone();
        limits.threads = 0;
        limits.deadline = match (limits.deadline, budget.deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        limits.cancel = budget.cancel.clone();
        limits
    }

    /// Composes the model in force for `what_if`.
    pub fn model(&self, what_if: &WhatIf) -> Result<Model, SessionError> {
        let (scenario, _) = self.valid()?;
        let variant = match &what_if.variant {
            Some(id) => Some(resolve_variant(scenario, id)?),
            None => None,
        };
        let fixed = resolve_given(scenario, &what_if.given)?;
        let observed = resolve_signposts(scenario, &what_if.observe)?;
        self.install(|| self.models.compose(scenario, variant, fixed, observed))
            .map_err(SessionError::Findings)
    }

    /// Runs `plan` on `model` under `budget`: the forecast and strategy, then each analysis
    /// the plan names, in a fixed order. The forecast failing fails the run; an analysis that
    /// fails or runs out of budget is left out, and [`Analysed::omitted`] says why.
    pub fn run(
        &self,
        model: &Model,
        plan: &Plan,
        budget: &Budget,
    ) -> Result<Analysed, SessionError> {
        let (base, _) = self.valid()?;
        let limits = self.eval_limits(budget);
        // The check evaluated the scenario as written with these limits (but the deadline):
        // its result and recording are this model's, once.
        let recorded = match (&self.checked.evaluation, model.is_as_written()) {
            (Some(evaluation), true) => self
                .recorded
                .lock()
                .ok()
                .and_then(|mut recording| recording.take())
                .map(|recording| (evaluation.clone(), model.recorded(recording))),
            _ => None,
        };
        self.install(|| run(base, &self.models, model, plan, budget, &limits, recorded))
    }

    /// Runs the scenario's own `[tests.*]`.
    pub fn tests(&self, budget: &Budget) -> Result<Vec<TestResult>, SessionError> {
        let (scenario, _) = self.valid()?;
        let limits = self.eval_limits(budget);
        Ok(self.install(|| testing::run_tests(scenario, &limits)))
    }

    /// Runs the scenario's own `[tests.*]` and measures what they cover: paths, rules and
    /// outcomes.
    pub fn tests_with_coverage(
        &self,
        budget: &Budget,
    ) -> Result<(Vec<TestResult>, Result<testing::Coverage, String>), SessionError> {
        let (scenario, _) = self.valid()?;
        let limits = self.eval_limits(budget);
        Ok(self.install(|| testing::run_tests_with_coverage(scenario, &limits)))
    }

    /// The base scenario and every variant side by side, each with `what_if`'s given values
    /// and observed signposts (its variant is ignored: every variant is shown).
    pub fn compare_variants(
        &self,
        what_if: &WhatIf,
        budget: &Budget,
    ) -> Result<Vec<variants::Column>, SessionError> {
        let (scenario, _) = self.valid()?;
        if scenario.variants.is_empty() {
            return Err(SessionError::usage(
                "all-variants",
                "the file declares no `[variants.*]` to compare",
            ));
        }
        let limits = self.eval_limits(budget);
        let base = WhatIf {
            variant: None,
            ..what_if.clone()
        };
        let base_model = self.model(&base)?;
        let first = self
            .install(|| base_model.evaluate(&limits))
            .map_err(SessionError::Findings)?;
        let mut columns = vec![variants::Column {
            variant: None,
            result: Ok(variants::ColumnResult::of(&first)),
        }];
        for (index, variant) in scenario.variants.iter().enumerate() {
            let what = WhatIf {
                variant: Some(variant.id.name.clone()),
                ..base.clone()
            };
            let result = match self.model(&what) {
                Ok(m) => self
                    .install(|| m.evaluate(&limits))
                    .map(|e| variants::ColumnResult::of(&e))
                    .map_err(|d| variants::sentence(&d)),
                Err(SessionError::Findings(d)) => Err(variants::sentence(&d)),
                Err(e) => Err(e.to_string()),
            };
            if budget.is_spent() {
                return Err(SessionError::Findings(vec![
                    crate::search::walk::time_limit(),
                ]));
            }
            columns.push(variants::Column {
                variant: Some(index),
                result,
            });
        }
        Ok(columns)
    }
}

fn run(
    base: &Scenario,
    models: &Models,
    model: &Model,
    plan: &Plan,
    budget: &Budget,
    limits: &EvalLimits,
    recorded: Option<(Evaluation, Recorded)>,
) -> Result<Analysed, SessionError> {
    budget.stage("evaluating");
    // The ranking's drops are found in the forecast's own search.
    let (evaluation, Recorded { graph, withouts }) = match recorded {
        Some(recorded) => recorded,
        None => model
            .evaluate_recording(limits, crate::graphs::merged::DEFAULT_BYTES, plan.ranking)
            .map_err(SessionError::Findings)?,
    };
    let method = match &graph {
        Some(graph) => Method::Reweighted {
            nodes: graph.nodes(),
            edges: graph.edges(),
        },
        None => Method::Evaluated {
            budget: crate::graphs::merged::DEFAULT_BYTES,
        },
    };
    let graph = graph.as_ref();
    let forecast: Vec<f64> = evaluation.outcomes.iter().map(|o| o.probability).collect();
    let mut omitted = Vec::new();
    let attempt = |kind: AnalysisKind, wanted: bool, omitted: &mut Vec<Omitted>| {
        if !wanted {
            return false;
        }
        if budget.is_spent() {
            omitted.push(Omitted {
                analysis: kind,
                reason: "the time limit was reached before it started".to_owned(),
            });
            return false;
        }
        budget.stage(kind.words());
        true
    };
    let before_observing = if model.observed.is_empty() {
        None
    } else {
        let prior = models
            .compose(base, model.variant, model.fixed.clone(), Vec::new())
            .and_then(|m| m.evaluate(limits));
        Some(
            prior
                .map(|e| e.outcomes.iter().map(|o| o.probability).collect())
                .map_err(SessionError::Findings)?,
        )
    };
    let sensitivity = if attempt(AnalysisKind::Ranges, plan.ranges, &mut omitted) {
        keep(
            AnalysisKind::Ranges,
            sensitivity::sensitivity_with(model, graph, limits),
            &mut omitted,
        )
    } else {
        None
    };
    let sampling = match plan.samples {
        Some(samples) if attempt(AnalysisKind::Sampling, true, &mut omitted) => keep(
            AnalysisKind::Sampling,
            sampling::sample_with(model, graph, limits, samples),
            &mut omitted,
        ),
        _ => None,
    };
    let information = if attempt(AnalysisKind::Information, plan.information, &mut omitted) {
        keep(
            AnalysisKind::Information,
            voi::value_of_information_with(model, graph, limits),
            &mut omitted,
        )
    } else {
        None
    };
    let ranking = if attempt(AnalysisKind::Ranking, plan.ranking, &mut omitted) {
        keep(
            AnalysisKind::Ranking,
            ranking::rank_assumptions_found(model, graph, withouts, &forecast, limits),
            &mut omitted,
        )
    } else {
        None
    };
    let watch = if attempt(
        AnalysisKind::Watch,
        plan.watch && !base.signposts.is_empty(),
        &mut omitted,
    ) {
        keep(
            AnalysisKind::Watch,
            signposts::watch_list_by(base.signposts.len(), model, &forecast, limits, |seen| {
                models.compose(base, model.variant, model.fixed.clone(), seen)
            }),
            &mut omitted,
        )
    } else {
        None
    };
    let analysts = if attempt(
        AnalysisKind::Analysts,
        plan.analysts
            && model
                .scenario
                .decisions
                .iter()
                .any(|d| d.estimates.len() > 1),
        &mut omitted,
    ) {
        keep(
            AnalysisKind::Analysts,
            variants::analysts(model, limits),
            &mut omitted,
        )
    } else {
        None
    };
    Ok(Analysed {
        evaluation,
        before_observing,
        sensitivity,
        sampling,
        information,
        ranking,
        watch,
        analysts,
        omitted,
        method: Some(method),
    })
}

/// An analysis's result, or `None` with the reason added to `omitted`.
fn keep<T>(
    kind: AnalysisKind,
    result: Result<T, Vec<Diagnostic>>,
    omitted: &mut Vec<Omitted>,
) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(d) => {
            omitted.push(Omitted {
                analysis: kind,
                reason: d.first().map_or_else(
                    || "it could not be computed".to_owned(),
                    |d| d.message.clone(),
                ),
            });
            None
        }
    }
}

/// The index of variant `id`, or a usage error with a hint.
fn resolve_variant(scenario: &Scenario, id: &str) -> Result<usize, SessionError> {
    scenario
        .variants
        .iter()
        .position(|v| v.id.name == id)
        .ok_or_else(|| {
            let names: Vec<String> = scenario
                .variants
                .iter()
                .map(|v| v.id.name.clone())
                .collect();
            SessionError::usage(
                "variant",
                format!(
                    "`{id}` is not a variant; {}",
                    casus_core::diagnostic::did_you_mean_or_list(
                        id,
                        &names,
                        "the file declares no `[variants.*]`",
                        "the variants are"
                    )
                ),
            )
        })
}

/// Resolves given pairs; a name given twice with different values is a usage error, since
/// the run could honour only one of them.
fn resolve_given(scenario: &Scenario, pairs: &[(String, Value)]) -> Result<Fixed, SessionError> {
    for (i, (name, value)) in pairs.iter().enumerate() {
        if let Some((_, other)) = pairs[..i].iter().find(|(n, v)| n == name && v != value) {
            return Err(SessionError::usage(
                "given",
                format!(
                    "`{name}` is given twice, as `{}` and as `{}`; give it once",
                    other.display(),
                    value.display()
                ),
            ));
        }
    }
    crate::search::given::resolve(scenario, pairs.iter().map(|(n, v)| (n.as_str(), v)))
        .map_err(|m| SessionError::usage("given", m))
}

/// Resolves observed signpost names; names may be separated by commas or spaces.
fn resolve_signposts(scenario: &Scenario, names: &[String]) -> Result<Vec<usize>, SessionError> {
    let ids: Vec<&str> = names
        .iter()
        .flat_map(|n| n.split(|c: char| c == ',' || c.is_whitespace()))
        .filter(|s| !s.is_empty())
        .collect();
    let mut out: Vec<usize> = Vec::new();
    for s in signposts::resolve(scenario, &ids).map_err(|m| SessionError::usage("observe", m))? {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}
