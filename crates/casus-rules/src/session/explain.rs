//! "Why": the explanation of a model's most likely path, the paths to an outcome, and the
//! smallest change that reaches another — on the same composed model as every analysis.

use casus_core::model::Scenario;

use super::{Model, Session, SessionError};
use crate::analyses::explain::{self, Explanation, OutcomePaths};
use crate::analyses::whynot::{self, WhyNot};
use crate::search::paths::{WalkError, WalkLimits};

/// What to explain beside the most likely path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExplainRequest {
    /// List the paths that lead to this outcome, most likely first.
    pub outcome: Option<String>,
    /// Find the fewest changed choices that lead to this outcome instead.
    pub why_not: Option<String>,
    /// Most paths listed for `outcome`; the rest are counted.
    pub listed: usize,
}

/// The answers.
#[derive(Clone, Debug)]
pub struct Explained {
    /// The most likely path and how the rules fire along it.
    pub explanation: Explanation,
    /// The paths to the outcome asked for, with its index.
    pub outcome_paths: Option<(usize, OutcomePaths)>,
    /// The answer to "why not", with the outcome's index.
    pub why_not: Option<(usize, WhyNot)>,
}

impl Session {
    /// Explains `model`. Observed signposts are refused: the explanation walks paths by their
    /// prior probability, and conditioning it on evidence is not implemented.
    pub fn explain(
        &self,
        model: &Model,
        request: &ExplainRequest,
        budget: &super::Budget,
    ) -> Result<Explained, SessionError> {
        self.valid()?;
        if !model.observed.is_empty() {
            return Err(SessionError::usage(
                "observe",
                "explanations do not condition on observed signposts; run `casus eval --observe` for the conditioned forecast, and explain without `--observe`",
            ));
        }
        let scenario = &model.scenario;
        let outcome = request
            .outcome
            .as_deref()
            .map(|id| outcome_index(scenario, "outcome", id))
            .transpose()?;
        let target = request
            .why_not
            .as_deref()
            .map(|id| outcome_index(scenario, "why-not", id))
            .transpose()?;
        let limits = self.eval_limits(budget);
        let walk = WalkLimits::from(&limits);
        self.install(|| {
            // Evaluating first reports what explaining cannot: rule conflicts and paths
            // without an outcome under the given facts, no consistent path, limits.
            model.evaluate(&limits).map_err(SessionError::Findings)?;
            let program = &model.program;
            let given = &model.given;
            let explanation = explain::explain(program, given, walk.clone())
                .map_err(walk_error)?
                .ok_or_else(|| {
                    SessionError::usage("given", "no path is consistent with the given values")
                })?;
            let outcome_paths = outcome
                .map(|o| {
                    explain::paths_to(program, given, o, request.listed, walk.clone())
                        .map(|p| (o, p))
                })
                .transpose()
                .map_err(walk_error)?;
            let why_not = target
                .map(|t| {
                    whynot::why_not(
                        scenario,
                        program,
                        &model.fixed,
                        &explanation.path,
                        t,
                        walk.clone(),
                    )
                    .map(|answer| (t, answer))
                })
                .transpose()
                .map_err(walk_error)?;
            Ok(Explained {
                explanation,
                outcome_paths,
                why_not,
            })
        })
    }
}

/// A walk that stopped: past `--max-paths` (a usage error: the answer needs fewer paths) or
/// past the deadline (the same limit diagnostic as an evaluation's).
fn walk_error(e: WalkError) -> SessionError {
    match e {
        WalkError::TooManyPaths(_) => SessionError::usage(
            "max-paths",
            format!(
                "{e}; fix more decisions with `--given`, or raise the limit with `--max-paths`"
            ),
        ),
        WalkError::TimedOut => SessionError::Findings(vec![crate::search::walk::time_limit()]),
    }
}

/// The index of outcome `id`, or a usage error with a hint.
fn outcome_index(scenario: &Scenario, part: &'static str, id: &str) -> Result<usize, SessionError> {
    scenario
        .outcomes
        .iter()
        .position(|o| o.id.name == id)
        .ok_or_else(|| {
            let names: Vec<String> = scenario
                .outcomes
                .iter()
                .map(|o| o.id.name.clone())
                .collect();
            SessionError::usage(
                part,
                format!(
                    "`{id}` is not an outcome; {}",
                    casus_core::diagnostic::did_you_mean_or_list(
                        id,
                        &names,
                        "the file declares none",
                        "the outcomes are"
                    )
                ),
            )
        })
}
