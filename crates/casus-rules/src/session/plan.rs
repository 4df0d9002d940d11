//! What a run computes ([`Plan`]), how long it may take ([`Budget`]), and what it found
//! ([`Analysed`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::Serialize;

use crate::analyses::ranking::Ranked;
use crate::analyses::sampling::Sampling;
use crate::analyses::sensitivity::Sensitivity;
use crate::analyses::signposts::Effect;
use crate::analyses::variants::Disagreement;
use crate::analyses::voi::InformationValue;
use crate::search::result::Evaluation;

/// The analyses a run computes beside the forecast and the strategy, which every run has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// One-way ranges of each outcome and the tornado table.
    pub ranges: bool,
    /// Probabilistic sensitivity: this many samples with this seed.
    pub samples: Option<(usize, u64)>,
    /// Value of information per chance event.
    pub information: bool,
    /// What the forecast hangs on: likelihoods reversed, rules dropped.
    pub ranking: bool,
    /// Each signpost not yet observed, observed alone on top of the model.
    pub watch: bool,
    /// Where analysts disagree, and what it does to the forecast.
    pub analysts: bool,
}

impl Plan {
    /// The forecast and strategy only.
    pub fn forecast() -> Self {
        Self::default()
    }

    /// What `casus eval` and reports show by default: everything but sampling.
    pub fn full() -> Self {
        Self {
            ranges: true,
            samples: None,
            information: true,
            ranking: true,
            watch: true,
            analysts: true,
        }
    }

    /// The forecast and strategy with the analyses `names` ([`Plan::ANALYSES`]; none: the
    /// forecast alone). An unknown name is an error that says what it may have meant.
    pub fn only<S: AsRef<str>>(names: &[S]) -> Result<Self, String> {
        let mut plan = Self::forecast();
        for name in names {
            match name.as_ref() {
                "ranges" => plan.ranges = true,
                "information" => plan.information = true,
                "ranking" => plan.ranking = true,
                "watch" => plan.watch = true,
                "analysts" => plan.analysts = true,
                other => {
                    return Err(format!(
                        "`{other}` is not an analysis; {}",
                        casus_core::diagnostic::did_you_mean_or_list(
                            other,
                            &Self::ANALYSES.map(str::to_owned),
                            "",
                            "the analyses are"
                        )
                    ));
                }
            }
        }
        Ok(plan)
    }

    /// The analyses a plan can name, as `casus eval --format json` names them in `omitted`.
    pub const ANALYSES: [&'static str; 5] =
        ["ranges", "information", "ranking", "watch", "analysts"];
}

/// One budget for a whole run: a deadline and a cancel flag, checked by every analysis, and
/// a listener told which stage the run is in (a progress bar, a log).
#[derive(Clone, Debug, Default)]
pub struct Budget {
    /// When to stop.
    pub deadline: Option<Instant>,
    /// Set by another thread (an editor's next keystroke, Ctrl-C) to stop the run.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Told the name of each stage as it starts.
    pub progress: Option<Progress>,
}

/// A listener for the stages of a run: called with the stage's name in words ("evaluating",
/// "the ranges", …) as each one starts, on the thread that runs it.
#[derive(Clone)]
pub struct Progress(Arc<dyn Fn(&str) + Send + Sync>);

impl Progress {
    /// A listener that calls `f`.
    pub fn new(f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress(..)")
    }
}

impl Budget {
    /// No deadline and no way to cancel.
    pub fn unlimited() -> Self {
        Self::default()
    }

    /// A deadline `seconds` from now.
    pub fn seconds(seconds: f64) -> Self {
        Self {
            deadline: std::time::Duration::try_from_secs_f64(seconds)
                .ok()
                .and_then(|d| Instant::now().checked_add(d)),
            cancel: None,
            progress: None,
        }
    }

    /// Tells the listener, if any, that stage `what` starts.
    pub fn stage(&self, what: &str) {
        if let Some(progress) = &self.progress {
            (progress.0)(what);
        }
    }

    /// Whether the deadline has passed or the run was cancelled.
    pub fn is_spent(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() > d)
            || self
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// An analysis a run can compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisKind {
    /// One-way ranges and the tornado table.
    Ranges,
    /// Probabilistic sensitivity.
    Sampling,
    /// Value of information.
    Information,
    /// The assumption ranking.
    Ranking,
    /// The signpost watch-list.
    Watch,
    /// The analysts' disagreement.
    Analysts,
}

impl AnalysisKind {
    /// The analysis in words, for notes.
    pub fn words(self) -> &'static str {
        match self {
            Self::Ranges => "the ranges",
            Self::Sampling => "probabilistic sensitivity",
            Self::Information => "the value of information",
            Self::Ranking => "the assumption ranking",
            Self::Watch => "the signpost watch-list",
            Self::Analysts => "the analysts' disagreement",
        }
    }
}

/// An analysis the plan asked for that the run left out, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Omitted {
    /// Which analysis.
    pub analysis: AnalysisKind,
    /// Why, as a sentence: usually a limit (`--timeout`, `--max-paths`).
    pub reason: String,
}

/// Everything a run computed on one model.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysed {
    /// Forecast, strategy and reachability of the model in force.
    pub evaluation: Evaluation,
    /// When signposts were observed: the forecast of the same model before observing them.
    pub before_observing: Option<Vec<f64>>,
    /// Ranges and tornado.
    pub sensitivity: Option<Sensitivity>,
    /// Probabilistic sensitivity.
    pub sampling: Option<Sampling>,
    /// Value of information.
    pub information: Option<Vec<InformationValue>>,
    /// The assumption ranking.
    pub ranking: Option<Vec<Ranked>>,
    /// The watch-list.
    pub watch: Option<Vec<Effect>>,
    /// The analysts' disagreement.
    pub analysts: Option<Vec<Disagreement>>,
    /// Analyses asked for and left out, with the reason.
    pub omitted: Vec<Omitted>,
    /// How the analyses that change only numbers were computed (`None` for a result not made
    /// by [`crate::session::Session::run`]).
    pub method: Option<Method>,
}

/// How the analyses that change only numbers (ranges, reversals, samples) were computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Method {
    /// On the merged decision graph the forecast recorded, re-weighted: no rule evaluated
    /// again.
    Reweighted {
        /// Decision nodes of the graph.
        nodes: usize,
        /// Option edges.
        edges: usize,
    },
    /// By evaluating the rules again for each change: the graph was over its memory budget.
    Evaluated {
        /// The budget, in bytes.
        budget: usize,
    },
}

impl Analysed {
    /// The forecast and strategy alone, with no analysis run: what a caller that computed one
    /// analysis itself (the samples, the ranges) fills in with struct update syntax.
    pub fn unanalysed(evaluation: Evaluation) -> Self {
        Self {
            evaluation,
            before_observing: None,
            sensitivity: None,
            sampling: None,
            information: None,
            ranking: None,
            watch: None,
            analysts: None,
            omitted: Vec::new(),
            method: None,
        }
    }

    /// The forecast, one probability per outcome.
    pub fn forecast(&self) -> Vec<f64> {
        self.evaluation
            .outcomes
            .iter()
            .map(|o| o.probability)
            .collect()
    }
}
