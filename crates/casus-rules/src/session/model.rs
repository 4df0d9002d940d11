//! The model in force: the base scenario or a variant, the analysts' pool, the values given
//! and the signposts observed, composed once.
//!
//! Every analysis of a run reads one [`Model`]. It keeps the parts that analyses vary apart
//! from the parts they must keep: an analysis that sweeps a likelihood table changes
//! [`Model::program`]'s tables and calls [`Model::evaluate_program`], which applies the
//! observed evidence and the given values again, so no analysis can drop them by accident.

use std::sync::Arc;

use casus_core::Diagnostic;
use casus_core::model::{Scenario, Value};

use crate::analyses::signposts;
use crate::compile::program::Program;
use crate::graphs::merged::MergedGraph;
use crate::search::drops::Dropped;
use crate::search::given::Fixed;
use crate::search::result::Evaluation;
use crate::search::walk::{EvalLimits, Given, Recording, evaluate, evaluate_recording};

/// What a run asks about: a variant, given values and observed signposts, by name.
///
/// Names are resolved against the scenario by [`crate::session::Session::model`], with "did
/// you mean" hints for typos.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WhatIf {
    /// The variant (`[variants.ID]`) to evaluate instead of the base scenario.
    pub variant: Option<String>,
    /// `(name, value)` pairs: `decision = option` keeps the paths where the decision takes
    /// the option; `fact = value` overrides an input fact.
    pub given: Vec<(String, Value)>,
    /// Signposts (`[signposts.ID]`) seen, conditioned on by Bayes' rule.
    pub observe: Vec<String>,
}

impl WhatIf {
    /// Nothing changed: the base scenario as written.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads a `name=value` pair as written on a command line (`true`/`false`, a number, or
    /// a symbol, quotes optional).
    pub fn parse_given(text: &str) -> Result<(String, Value), String> {
        let (name, value) = text.split_once('=').ok_or_else(|| {
            format!("`{text}` must be `name=value`, such as `russia_answer=refuse`")
        })?;
        Ok((
            name.trim().to_owned(),
            crate::search::given::parse_value(value.trim()),
        ))
    }

    /// Whether nothing is varied, given or observed.
    pub fn is_none(&self) -> bool {
        self.variant.is_none() && self.given.is_empty() && self.observe.is_empty()
    }
}

/// The model in force for one run, composed once.
#[derive(Clone, Debug)]
pub struct Model {
    /// Index into the base scenario's `variants`, if a variant is in force.
    pub variant: Option<usize>,
    /// Indices into `scenario.signposts` of the signposts observed.
    pub observed: Vec<usize>,
    /// The scenario in force: the variant applied, and, when a signpost's condition was
    /// observed, one extra last outcome that collects the paths it rules out. Shared: the
    /// models of one variant and one set of observed conditions have the same scenario.
    pub scenario: Arc<Scenario>,
    /// `scenario` compiled with the given input facts, without the observed likelihood
    /// ratios: the tables analyses vary.
    pub program: Program,
    /// The decisions given and the ruled-out outcome.
    pub given: Given,
    /// The given decisions and input facts, as resolved.
    pub fixed: Fixed,
    /// Likelihood ratios of the observed signposts, per decision.
    pub ratios: Vec<(usize, Vec<f64>)>,
    /// How many outcomes the scenario has: the outcomes every result reports.
    pub outcomes: usize,
}

impl Model {
    /// The scenario as written, nothing varied, given or observed, from its compiled
    /// `program`.
    pub fn as_written(scenario: &Scenario, program: &Program) -> Self {
        Self {
            variant: None,
            observed: Vec::new(),
            scenario: Arc::new(scenario.clone()),
            program: program.clone(),
            given: Given::none(program.decisions.len()),
            fixed: Fixed::none(program.decisions.len()),
            ratios: Vec::new(),
            outcomes: scenario.outcomes.len(),
        }
    }

    /// The forecast, strategy and reachability of the model in force.
    pub fn evaluate(&self, limits: &EvalLimits) -> Result<Evaluation, Vec<Diagnostic>> {
        self.evaluate_program(&self.program, limits)
    }

    /// Evaluates `program` — [`Model::program`] with tables changed by an analysis — with
    /// the model's evidence and given values applied, reporting the scenario's own outcomes.
    pub fn evaluate_program(
        &self,
        program: &Program,
        limits: &EvalLimits,
    ) -> Result<Evaluation, Vec<Diagnostic>> {
        self.evaluate_given(program, &self.given, limits)
    }

    /// [`Model::evaluate_program`] with other decisions given (value of information fixes
    /// the event it asks about).
    pub fn evaluate_given(
        &self,
        program: &Program,
        given: &Given,
        limits: &EvalLimits,
    ) -> Result<Evaluation, Vec<Diagnostic>> {
        let program = self.weighted(program);
        let mut evaluation = evaluate(&self.scenario, &program, given, limits)
            .map_err(|d| self.evidence_words(d))?;
        self.truncate(&mut evaluation);
        Ok(evaluation)
    }

    /// Compiles `scenario` — [`Model::scenario`] changed by an analysis (a rule dropped, a
    /// table replaced) — with the given input facts, and evaluates it like
    /// [`Model::evaluate_program`].
    pub fn evaluate_scenario(
        &self,
        scenario: &Scenario,
        limits: &EvalLimits,
    ) -> Result<Evaluation, Vec<Diagnostic>> {
        let program = Program::compile_with(scenario, &self.fixed.overrides)?;
        let program = self.with_evidence(&program);
        let mut evaluation = evaluate(scenario, &program, &self.given, limits)
            .map_err(|d| self.evidence_words(d))?;
        self.truncate(&mut evaluation);
        Ok(evaluation)
    }

    /// [`Model::evaluate`], also recording the merged decision graph when it fits the default
    /// memory budget ([`crate::graphs::merged::DEFAULT_BYTES`]), for analyses to re-weight.
    pub fn evaluate_recorded(
        &self,
        limits: &EvalLimits,
    ) -> Result<(Evaluation, Option<MergedGraph>), Vec<Diagnostic>> {
        self.evaluate_recorded_within(limits, crate::graphs::merged::DEFAULT_BYTES)
    }

    /// [`Model::evaluate_recorded`] with a memory budget of `bytes` for the graph (0: none).
    pub fn evaluate_recorded_within(
        &self,
        limits: &EvalLimits,
        bytes: usize,
    ) -> Result<(Evaluation, Option<MergedGraph>), Vec<Diagnostic>> {
        self.evaluate_recording(limits, bytes, false)
            .map(|(evaluation, recorded)| (evaluation, recorded.graph))
    }

    /// [`Model::evaluate_recorded_within`], also finding each rule's forecast without it in
    /// the same search when `drops` is set (see [`Model::forecasts_without_rules`]).
    pub(crate) fn evaluate_recording(
        &self,
        limits: &EvalLimits,
        bytes: usize,
        drops: bool,
    ) -> Result<(Evaluation, Recorded), Vec<Diagnostic>> {
        let program = self.weighted(&self.program);
        let nodes = crate::graphs::merged::max_nodes(bytes, &program);
        let (mut evaluation, recording) =
            evaluate_recording(&self.scenario, &program, &self.given, limits, nodes, drops)
                .map_err(|d| self.evidence_words(d))?;
        self.truncate(&mut evaluation);
        Ok((evaluation, self.recorded(recording)))
    }

    /// A search's recording, its drops as forecasts of this model.
    pub(crate) fn recorded(&self, recording: Recording) -> Recorded {
        Recorded {
            graph: recording.graph,
            withouts: recording.drops.map(|dropped| self.withouts(dropped)),
        }
    }

    /// Each rule's forecast without it, by rule index, where one search of the model finds it:
    /// a rule whose drop leaves every path's prefix and its chances as they are, or whose
    /// effect nothing reads. `None` where the rule needs an
    /// evaluation of its own (the ranking then evaluates the model without it).
    pub fn forecasts_without_rules(
        &self,
        limits: &EvalLimits,
    ) -> Result<Vec<Option<Without>>, Vec<Diagnostic>> {
        self.evaluate_with_drops(limits)
            .map(|(_, withouts)| withouts)
    }

    /// [`Model::evaluate`] and [`Model::forecasts_without_rules`] in one search. The
    /// evaluation is the one [`Model::evaluate`] gives, bit for bit: what the drops need
    /// solved beyond it counts for none of its paths, nodes or errors.
    pub fn evaluate_with_drops(
        &self,
        limits: &EvalLimits,
    ) -> Result<(Evaluation, Vec<Option<Without>>), Vec<Diagnostic>> {
        let (evaluation, recorded) = self.evaluate_recording(limits, 0, true)?;
        Ok((evaluation, recorded.withouts.unwrap_or_default()))
    }

    /// The search's drops as forecasts, by rule index.
    fn withouts(&self, dropped: Vec<Option<Dropped>>) -> Vec<Option<Without>> {
        dropped
            .into_iter()
            .map(|found| match found? {
                Dropped::Unsure => None,
                Dropped::Unchanged => Some(Without::Unchanged),
                Dropped::Error => Some(Without::NoOutcome),
                Dropped::Mass(mass) => {
                    // As the evaluation divides: by the mass of the consistent paths.
                    let total: f64 = mass.iter().sum();
                    (total > 0.0 && total.is_finite()).then(|| {
                        Without::Forecast(
                            mass.iter().take(self.outcomes).map(|m| m / total).collect(),
                        )
                    })
                }
            })
            .collect()
    }

    /// Multiplies `table`, one of decision `decision`'s tables, by the observed likelihood
    /// ratios of that decision, as [`Model::with_evidence`] does to the program's.
    pub fn apply_ratios(&self, decision: usize, table: &mut [f64]) {
        for (d, ratios) in &self.ratios {
            if *d == decision {
                for (p, r) in table.iter_mut().zip(ratios) {
                    *p *= r;
                }
            }
        }
    }

    /// `program` with the observed likelihood ratios multiplied into its tables, copied only
    /// when there are ratios to multiply.
    fn weighted<'p>(&self, program: &'p Program) -> std::borrow::Cow<'p, Program> {
        if self.ratios.is_empty() {
            std::borrow::Cow::Borrowed(program)
        } else {
            std::borrow::Cow::Owned(self.with_evidence(program))
        }
    }

    /// `program` with the observed likelihood ratios multiplied into its tables.
    pub fn with_evidence(&self, program: &Program) -> Program {
        let mut out = program.clone();
        for (d, ratios) in &self.ratios {
            let Some(decision) = out.decisions.get_mut(*d) else {
                continue;
            };
            out.evidence = true;
            let tables = std::iter::once(&mut decision.probabilities)
                .chain(decision.conditional.iter_mut().map(|(_, t)| t));
            for table in tables {
                for (p, r) in table.iter_mut().zip(ratios) {
                    *p *= r;
                }
            }
        }
        out
    }

    /// Whether this is the scenario as written: no variant, nothing given, overridden or
    /// observed. Its forecast is the one checking the file computed.
    pub fn is_as_written(&self) -> bool {
        self.variant.is_none()
            && self.observed.is_empty()
            && self.fixed.overrides.is_empty()
            && self.given.decisions.iter().all(Option::is_none)
            && self.given.ruled_out.is_none()
            && self.ratios.is_empty()
    }

    /// Whether anything conditions the forecast: a given decision or an observed signpost.
    /// Input facts given only change the model; they condition nothing.
    pub fn is_conditioned(&self) -> bool {
        !self.observed.is_empty() || self.given.decisions.iter().any(Option::is_some)
    }

    /// Drops the extra outcome of ruled-out paths from a result.
    fn truncate(&self, evaluation: &mut Evaluation) {
        evaluation.outcomes.truncate(self.outcomes);
        if evaluation
            .strategy
            .outcome
            .is_some_and(|o| o >= self.outcomes)
        {
            evaluation.strategy.outcome = None;
        }
    }

    /// Says "observed signposts" where no path is consistent because of them.
    fn evidence_words(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        if self.observed.is_empty() {
            return diagnostics;
        }
        diagnostics
            .into_iter()
            .map(|d| {
                if d.code == casus_core::Code::NoConsistentPath {
                    Diagnostic::new(
                        d.code,
                        "no path is consistent with the observed signposts and given values",
                    )
                    .help("the signposts' conditions cannot all hold on one path with the given values; observe fewer of them")
                } else {
                    d
                }
            })
            .collect()
    }
}

impl Model {
    /// Composes the model: variant, then given input facts and decisions, then signposts.
    /// The analysts' pool is already in the scenario (the loader pools estimates; a variant's
    /// table replaces the pool). [`crate::session::Session::model`] resolves names and calls
    /// this; tests that build a scenario in memory call it directly.
    pub fn compose(
        base: &Scenario,
        variant: Option<usize>,
        fixed: Fixed,
        observed: Vec<usize>,
    ) -> Result<Model, Vec<Diagnostic>> {
        let scenario = in_force(base, variant);
        check_given(&scenario, &fixed)?;
        let observation = signposts::observe(&scenario, &fixed.given, &observed);
        let ratios = signposts::ratios(&observation.scenario, &observed);
        // Compiled once, without the ratios: analyses vary the tables, and every evaluation
        // applies the ratios again (`Model::with_evidence`).
        let program = Program::compile_with(&observation.scenario, &fixed.overrides)?;
        Ok(Model {
            variant,
            observed,
            outcomes: observation.outcomes,
            scenario: Arc::new(observation.scenario),
            program,
            given: observation.given,
            fixed,
            ratios,
        })
    }

    /// The scenario in force with its own outcomes only, without the extra outcome of paths
    /// an observed condition rules out, which no result reports: what results are shown
    /// with. Borrowed unless there is that outcome to leave out.
    pub fn shown(&self) -> std::borrow::Cow<'_, Scenario> {
        if self.scenario.outcomes.len() <= self.outcomes {
            return std::borrow::Cow::Borrowed(&self.scenario);
        }
        let mut shown = Scenario::clone(&self.scenario);
        shown.outcomes.truncate(self.outcomes);
        std::borrow::Cow::Owned(shown)
    }

    /// Whether decision `decision` is given a value.
    pub fn is_given(&self, decision: usize) -> bool {
        self.given
            .decisions
            .get(decision)
            .copied()
            .flatten()
            .is_some()
    }
}

/// The base scenario, or variant `variant` of it.
fn in_force(base: &Scenario, variant: Option<usize>) -> Scenario {
    match variant.and_then(|v| base.variants.get(v)) {
        Some(v) => {
            crate::analyses::variants::apply(base, &v.id.name).unwrap_or_else(|| base.clone())
        }
        None => base.clone(),
    }
}

/// Values given for input facts can take arithmetic where the file's values did not (a
/// variant's own facts are checked with the file): those errors, on the scenario in force
/// before any signpost is observed.
fn check_given(scenario: &Scenario, fixed: &Fixed) -> Result<(), Vec<Diagnostic>> {
    if fixed.overrides.is_empty() {
        return Ok(());
    }
    let errors = casus_core::check::arithmetic(scenario, &fixed.overrides);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// What the models of one variant and one set of observed conditions share, whatever is given
/// and whichever likelihood-ratio signposts are observed: the scenario in force and its
/// program compiled with no input fact overridden. A sweep over given values, and the
/// watch-list's signposts, compose from it instead of cloning and compiling the scenario again.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The variant applied; the arithmetic of given values is checked on it.
    in_force: Arc<Scenario>,
    /// `in_force` conditioned on the observed conditions: the models' scenario.
    observed: Arc<Scenario>,
    /// Whether `observed` has the extra outcome of ruled-out paths.
    conditioned: bool,
    /// How many outcomes `in_force` has: the outcomes every result reports.
    outcomes: usize,
    /// `observed` compiled with no input fact overridden, without likelihood ratios.
    program: Program,
}

impl Shared {
    /// Applies variant `variant` to `base`, conditions on the signposts `conditions` (all of
    /// them conditions, see [`signposts::conditions`]) and compiles.
    fn new(
        base: &Scenario,
        variant: Option<usize>,
        conditions: &[usize],
    ) -> Result<Self, Vec<Diagnostic>> {
        let in_force = Arc::new(in_force(base, variant));
        let (observed, conditioned) = match signposts::conditioned(&in_force, conditions) {
            Some(scenario) => (Arc::new(scenario), true),
            None => (Arc::clone(&in_force), false),
        };
        let program = Program::compile(&observed)?;
        Ok(Self {
            outcomes: in_force.outcomes.len(),
            in_force,
            observed,
            conditioned,
            program,
        })
    }

    /// The model with `fixed` given and the signposts `observed` seen (whose conditions are
    /// those this was made for): the model [`Model::compose`] makes.
    fn model(
        &self,
        variant: Option<usize>,
        fixed: Fixed,
        observed: Vec<usize>,
    ) -> Result<Model, Vec<Diagnostic>> {
        check_given(&self.in_force, &fixed)?;
        let given = if self.conditioned {
            signposts::ruling_out(&fixed.given, self.outcomes)
        } else {
            fixed.given.clone()
        };
        let ratios = signposts::ratios(&self.observed, &observed);
        let program = match self.program.overridden(&self.observed, &fixed.overrides) {
            Some(program) => program,
            None => Program::compile_with(&self.observed, &fixed.overrides)?,
        };
        Ok(Model {
            variant,
            observed,
            outcomes: self.outcomes,
            scenario: Arc::clone(&self.observed),
            program,
            given,
            fixed,
            ratios,
        })
    }
}

/// The [`Shared`] parts of a session's models, by variant and observed conditions.
#[derive(Debug, Default)]
pub(crate) struct Models {
    shared: std::sync::Mutex<std::collections::HashMap<Key, Arc<Shared>>>,
}

/// A variant (or none) and the observed conditions, in the order observed.
type Key = (Option<usize>, Vec<usize>);

/// At most this many shared parts are kept: a session asked about more combinations of
/// variants and conditions starts again rather than grow without bound.
const KEPT: usize = 64;

impl Models {
    /// The model of [`Model::compose`], from the shared parts made by an earlier call when
    /// there was one.
    pub(crate) fn compose(
        &self,
        base: &Scenario,
        variant: Option<usize>,
        fixed: Fixed,
        observed: Vec<usize>,
    ) -> Result<Model, Vec<Diagnostic>> {
        let key = (variant, signposts::conditions(base, &observed));
        let found = self
            .shared
            .lock()
            .ok()
            .and_then(|map| map.get(&key).cloned());
        let shared = match found {
            Some(shared) => shared,
            None => {
                // Made outside the lock: two threads may both make it the first time, and
                // both make the same. A failure is the composition's own, with its errors in
                // their order.
                let Ok(shared) = Shared::new(base, variant, &key.1) else {
                    return Model::compose(base, variant, fixed, observed);
                };
                let shared = Arc::new(shared);
                if let Ok(mut map) = self.shared.lock() {
                    if map.len() >= KEPT {
                        map.clear();
                    }
                    map.insert(key, Arc::clone(&shared));
                }
                shared
            }
        };
        shared.model(variant, fixed, observed)
    }
}

/// What an evaluation of a model recorded beside its result, for the analyses to start from.
#[derive(Debug, Default)]
pub(crate) struct Recorded {
    /// The merged decision graph, when asked for and within its memory budget.
    pub(crate) graph: Option<MergedGraph>,
    /// Each rule's forecast without it, when asked for (see
    /// [`Model::forecasts_without_rules`]).
    pub(crate) withouts: Option<Vec<Option<Without>>>,
}

/// The forecast without one rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Without {
    /// Nothing reads what the rule writes: the forecast as it is.
    Unchanged,
    /// The forecast, one probability per outcome.
    Forecast(Vec<f64>),
    /// Some path would reach no outcome, or two.
    NoOutcome,
}
