//! The native peer: GoRules ZEN's Rust crate (`zen-engine`) on the decision graph of
//! [`crate::zen`], beside casus evaluating each combination from scratch.
//!
//! casus's usual per-path figure is a whole walk divided by its paths, so it profits from
//! prefix sharing: a rule that reads only the first decisions is evaluated once for every path
//! below them. ZEN evaluates each combination on its own. So beside the walk this module times
//! casus the way ZEN works: one evaluation per combination with every decision given (what
//! `casus eval --given d0=… --given d1=… …` asks), the model composed once by the analysis
//! session and the program compiled once, as ZEN's decision is compiled once. And, for the
//! whole story, the same through [`Session::model`] and [`Session::run`] per combination, which
//! composes and compiles the model again each time, as one CLI call would.
//!
//! Every timed pass also checks its answers: the outcome of every combination, from ZEN, from
//! casus given every decision and from the session, must be the outcome casus's path walker
//! reports for that path. One disagreement fails the whole comparison
//! ([`NativeError::Disagree`]); no time is reported for engines that disagree.

use std::time::Instant;

use casus_core::model::Value as CasusValue;
use casus_rules::session::{Budget, Options, Plan, Session, WhatIf};
use casus_rules::{EvalLimits, Given};
use serde::Serialize;
use zen_engine::Decision;
use zen_engine::model::GraphContent;

use crate::generate::Spec;
use crate::{stages, zen};

/// The version of `zen-engine` pinned in the workspace's `Cargo.toml`: the same as the Python
/// package in `bench/peers/requirements.txt`, so both ZEN peers run one engine.
pub const ZEN_VERSION: &str = "2.1.3";

/// What went wrong in the comparison.
#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    /// The scenario cannot be translated for ZEN.
    #[error(transparent)]
    Translate(#[from] zen::TranslateError),
    /// ZEN refused the graph or failed to evaluate it.
    #[error("zen-engine: {0}")]
    Zen(String),
    /// casus failed on the scenario.
    #[error("casus: {0}")]
    Casus(String),
    /// An engine's outcome differs from casus's path walker on some combinations.
    #[error(
        "{engine} disagrees with casus's path walker on {count} of {combinations} combinations; first: {combination} gave `{got}`, the walker `{expected}`"
    )]
    Disagree {
        /// Which engine.
        engine: &'static str,
        /// How many combinations disagree.
        count: usize,
        /// How many combinations there are.
        combinations: usize,
        /// The first disagreeing combination, as `decision=option` pairs.
        combination: String,
        /// What that engine said.
        got: String,
        /// What the walker said.
        expected: String,
    },
}

/// Median, least and most of some timed runs, in the unit their field names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// The median (the mean of the two middle runs for an even count).
    pub median: f64,
    /// The fastest run.
    pub min: f64,
    /// The slowest run.
    pub max: f64,
    /// How many runs.
    pub runs: usize,
}

impl Stats {
    /// The statistics of `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Stats> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = match n {
            0 => return None,
            _ if n % 2 == 1 => sorted[n / 2],
            _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        };
        Some(Stats {
            median,
            min: sorted[0],
            max: sorted[n - 1],
            runs: n,
        })
    }
}

/// The measurements, in microseconds per combination (or per path for the walk). Every
/// combination's outcome was checked in every timed run of every engine.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// `family DxR`, as the other peer rows name their scenario.
    pub scenario: String,
    /// Combinations evaluated per run: every option of every decision.
    pub combinations: usize,
    /// The crate's version.
    pub zen_version: &'static str,
    /// ZEN, the compiled decision graph evaluated once per combination.
    pub zen_us: Stats,
    /// casus, one walk over every path (one thread), divided by the paths.
    pub casus_walk_per_path_us: Stats,
    /// casus, one evaluation per combination with every decision given, on the model the
    /// session composed once.
    pub casus_given_us: Stats,
    /// casus through the session per combination: the model composed (and compiled) with
    /// every decision given, then the forecast run, as one `casus eval --given …` does after
    /// loading the file.
    pub casus_session_us: Stats,
}

/// ZEN's compiled decision for `spec`.
pub fn zen_decision(spec: &Spec) -> Result<Decision, NativeError> {
    let graph = zen::graph(spec)?;
    let mut content: GraphContent =
        serde_json::from_value(graph).map_err(|e| NativeError::Zen(e.to_string()))?;
    // What ZEN's own `ZenDecisionContent` does before evaluating many times.
    content.compile();
    Ok(Decision::from(content))
}

/// The outcome ZEN reaches with decision `d` taking option `combination[d]`.
pub fn zen_outcome(
    decision: &Decision,
    spec: &Spec,
    combination: &[usize],
) -> Result<String, NativeError> {
    let context: serde_json::Map<String, serde_json::Value> = spec
        .decisions
        .iter()
        .zip(combination)
        .map(|(d, &o)| (d.id.clone(), serde_json::Value::from(d.options[o].as_str())))
        .collect();
    let response = pollster::block_on(decision.evaluate(serde_json::Value::Object(context).into()))
        .map_err(|e| NativeError::Zen(e.to_string()))?;
    Ok(response
        .result
        .dot("outcome")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "(none)".to_owned()))
}

/// Outcome ids by combination, as casus's path walker reports them; fails unless every
/// combination is exactly one path.
pub fn walker_outcomes(spec: &Spec) -> Result<Vec<String>, NativeError> {
    let scenario =
        stages::load_check("scenario.toml", &spec.to_toml()).map_err(NativeError::Casus)?;
    let program = stages::compile(&scenario).map_err(NativeError::Casus)?;
    let combinations = zen::combinations(spec);
    let mut outcomes: Vec<Option<String>> = vec![None; combinations.len()];
    let mut paths = 0usize;
    let mut wrong = None;
    casus_rules::search::paths::walk(
        &program,
        &Given::none(program.decisions.len()),
        1 << 24,
        |path| {
            paths += 1;
            // The combination's index: options as digits, the last decision fastest.
            let index = path.steps.iter().try_fold(0usize, |index, step| {
                let options = spec.decisions.get(step.decision)?.options.len();
                Some(index * options + step.option?)
            });
            let outcome = path
                .outcome
                .and_then(|o| spec.outcomes.get(o))
                .map_or_else(|| "(none)".to_owned(), |o| o.id.clone());
            match index.and_then(|i| outcomes.get_mut(i)) {
                Some(slot) if path.steps.len() == spec.decisions.len() => *slot = Some(outcome),
                _ => wrong = Some(path.steps.len()),
            }
            std::ops::ControlFlow::Continue(())
        },
    )
    .map_err(|e| NativeError::Casus(e.to_string()))?;
    if let Some(steps) = wrong {
        return Err(NativeError::Casus(format!(
            "a path of {steps} steps is not one combination of the {} decisions",
            spec.decisions.len()
        )));
    }
    if paths != combinations.len() {
        return Err(NativeError::Casus(format!(
            "{paths} paths for {} combinations",
            combinations.len()
        )));
    }
    outcomes
        .into_iter()
        .map(|o| o.ok_or_else(|| NativeError::Casus("a combination has no path".to_owned())))
        .collect()
}

/// Fails unless `got` is `expected`, combination by combination.
pub fn agree(
    engine: &'static str,
    spec: &Spec,
    combinations: &[Vec<usize>],
    got: &[String],
    expected: &[String],
) -> Result<(), NativeError> {
    let wrong: Vec<usize> = (0..expected.len())
        .filter(|&i| got.get(i) != expected.get(i))
        .collect();
    let Some(&first) = wrong.first() else {
        return Ok(());
    };
    let combination = spec
        .decisions
        .iter()
        .zip(&combinations[first])
        .map(|(d, &o)| format!("{}={}", d.id, d.options[o]))
        .collect::<Vec<_>>()
        .join(" ");
    Err(NativeError::Disagree {
        engine,
        count: wrong.len(),
        combinations: expected.len(),
        combination,
        got: got
            .get(first)
            .cloned()
            .unwrap_or_else(|| "nothing".to_owned()),
        expected: expected[first].clone(),
    })
}

/// The outcome of an evaluation with every decision given: the one outcome with all the
/// probability, on exactly one path.
fn given_outcome(spec: &Spec, paths: u128, probabilities: impl Iterator<Item = f64>) -> String {
    let reached: Vec<usize> = probabilities
        .enumerate()
        .filter(|(_, p)| *p > 0.0)
        .map(|(i, _)| i)
        .collect();
    match reached[..] {
        [o] if paths == 1 => spec
            .outcomes
            .get(o)
            .map_or_else(|| "(none)".to_owned(), |o| o.id.clone()),
        _ => format!("{} outcomes on {paths} paths", reached.len()),
    }
}

/// The session the from-scratch runs go through: one thread, the benches' limits.
pub fn session(spec: &Spec) -> Result<Session, NativeError> {
    let options = Options {
        limits: stages::limits(),
        eval: EvalLimits {
            threads: 1,
            ..stages::eval_limits(1)
        },
        ..Options::default()
    };
    let session = Session::open_text("scenario.toml", &spec.to_toml(), options);
    if session.has_errors() {
        return Err(NativeError::Casus(format!(
            "the generated scenario does not check: {:?}",
            session.diagnostics().first().map(|d| &d.message)
        )));
    }
    Ok(session)
}

/// ZEN's outcome of every combination.
pub fn zen_outcomes(
    decision: &Decision,
    spec: &Spec,
    combinations: &[Vec<usize>],
) -> Result<Vec<String>, NativeError> {
    combinations
        .iter()
        .map(|c| zen_outcome(decision, spec, c))
        .collect()
}

/// Every combination through the compiled model, every decision given; the outcome of each.
pub fn casus_given(
    session: &Session,
    spec: &Spec,
    combinations: &[Vec<usize>],
) -> Result<Vec<String>, NativeError> {
    let model = session
        .model(&WhatIf::none())
        .map_err(|e| NativeError::Casus(e.to_string()))?;
    let limits = session.eval_limits(&Budget::unlimited());
    session.install(|| {
        combinations
            .iter()
            .map(|c| {
                let given = Given {
                    decisions: c.iter().copied().map(Some).collect(),
                    ruled_out: model.given.ruled_out,
                };
                let evaluation = model
                    .evaluate_given(&model.program, &given, &limits)
                    .map_err(|d| {
                        NativeError::Casus(format!("{:?}", d.first().map(|d| &d.message)))
                    })?;
                Ok(given_outcome(
                    spec,
                    evaluation.paths,
                    evaluation.outcomes.iter().map(|o| o.probability),
                ))
            })
            .collect()
    })
}

/// Every combination through [`Session::model`] and [`Session::run`], every decision given.
pub fn casus_session(
    session: &Session,
    spec: &Spec,
    combinations: &[Vec<usize>],
) -> Result<Vec<String>, NativeError> {
    combinations
        .iter()
        .map(|c| {
            let what_if = WhatIf {
                given: spec
                    .decisions
                    .iter()
                    .zip(c)
                    .map(|(d, &o)| (d.id.clone(), CasusValue::Symbol(d.options[o].clone())))
                    .collect(),
                ..WhatIf::none()
            };
            let model = session
                .model(&what_if)
                .map_err(|e| NativeError::Casus(e.to_string()))?;
            let analysed = session
                .run(&model, &Plan::forecast(), &Budget::unlimited())
                .map_err(|e| NativeError::Casus(e.to_string()))?;
            Ok(given_outcome(
                spec,
                analysed.evaluation.paths,
                analysed.evaluation.outcomes.iter().map(|o| o.probability),
            ))
        })
        .collect()
}

/// One engine's pass over every combination: the outcome of each.
type Pass<'a> = &'a dyn Fn() -> Result<Vec<String>, NativeError>;

/// Runs `pass` `runs` times, checking its answers each time; microseconds per combination.
fn timed(
    engine: &'static str,
    spec: &Spec,
    combinations: &[Vec<usize>],
    expected: &[String],
    runs: usize,
    pass: Pass<'_>,
) -> Result<Stats, NativeError> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let got = pass()?;
        times.push(start.elapsed().as_secs_f64() / combinations.len().max(1) as f64 * 1e6);
        agree(engine, spec, combinations, &got, expected)?;
    }
    Stats::of(&times).ok_or_else(|| NativeError::Casus("no runs".to_owned()))
}

/// Compares ZEN and casus on every combination of `spec`'s decisions, `runs` timed runs each
/// (after one untimed run that warms caches up and is checked too).
pub fn compare(spec: &Spec, runs: usize) -> Result<Comparison, NativeError> {
    let combinations = zen::combinations(spec);
    let expected = walker_outcomes(spec)?;
    let decision = zen_decision(spec)?;
    let zen_pass = || zen_outcomes(&decision, spec, &combinations);
    let session = session(spec)?;
    let given_pass = || casus_given(&session, spec, &combinations);
    let session_pass = || casus_session(&session, spec, &combinations);
    let engines: [(&'static str, Pass<'_>); 3] = [
        ("zen-engine", &zen_pass),
        ("casus given every decision", &given_pass),
        ("casus through the session", &session_pass),
    ];
    let mut stats = Vec::new();
    for (engine, pass) in engines {
        timed(engine, spec, &combinations, &expected, 1, pass)?;
        stats.push(timed(engine, spec, &combinations, &expected, runs, pass)?);
    }
    let [zen_us, casus_given_us, casus_session_us] = <[Stats; 3]>::try_from(stats)
        .map_err(|_| NativeError::Casus("missing measurements".to_owned()))?;
    Ok(Comparison {
        scenario: format!(
            "{} {}x{}",
            spec.family.name(),
            spec.size.decisions,
            spec.size.rules
        ),
        combinations: combinations.len(),
        zen_version: ZEN_VERSION,
        zen_us,
        casus_walk_per_path_us: walk_per_path(spec, runs)?,
        casus_given_us,
        casus_session_us,
    })
}

/// casus's whole walk on one thread, divided by its paths.
fn walk_per_path(spec: &Spec, runs: usize) -> Result<Stats, NativeError> {
    let scenario =
        stages::load_check("scenario.toml", &spec.to_toml()).map_err(NativeError::Casus)?;
    let program = stages::compile(&scenario).map_err(NativeError::Casus)?;
    let mut times = Vec::new();
    stages::eval(&scenario, &program, 1).map_err(NativeError::Casus)?;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let evaluation = stages::eval(&scenario, &program, 1).map_err(NativeError::Casus)?;
        times.push(start.elapsed().as_secs_f64() / evaluation.paths.max(1) as f64 * 1e6);
    }
    Stats::of(&times).ok_or_else(|| NativeError::Casus("no runs".to_owned()))
}
