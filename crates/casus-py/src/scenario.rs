//! `casus.load`, `casus.loads` and the `Scenario` they return: one analysis session, checked
//! once, evaluated any number of times.

use std::path::PathBuf;
use std::sync::Arc;

use casus_core::SourceFile;
use casus_core::limits::Limits;
use casus_report::eval::EvalView;
use casus_report::output::eval::EvalOutput;
use casus_rules::analyses::sampling;
use casus_rules::session::{Analysed, Budget, Options, Plan, Session, SessionError, WhatIf};
use pyo3::exceptions::{PyTimeoutError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt};
use rayon::prelude::*;

use crate::args;
use crate::diagnostics::{Diagnostic, diagnostics, evaluation_error, scenario_error};
use crate::items;
use crate::result::EvalResult;
use crate::samples::Samples;
use crate::wait::detached;

/// Reads the scenario file at `path` and checks it.
///
/// Returns a `Scenario`, or raises `ScenarioError` with every finding when the file has
/// errors (and `OSError` when it cannot be read). Ctrl-C stops a long check.
#[pyfunction]
#[pyo3(signature = (path, **unknown))]
pub(crate) fn load(
    py: Python<'_>,
    path: PathBuf,
    unknown: Option<&Bound<'_, PyDict>>,
) -> PyResult<Scenario> {
    args::reject_unknown("load", &["path"], unknown)?;
    let limits = Limits::default();
    let bytes = read_capped(&path, limits.max_file_bytes)?;
    let name = path.to_string_lossy().replace('\\', "/");
    if bytes.len() > limits.max_file_bytes {
        return Err(too_large(py, name, "file", &limits));
    }
    let (source, decode_error) = SourceFile::from_bytes(name, &bytes);
    open(py, source, decode_error)
}

/// Checks scenario `text`, named `name` in messages.
///
/// Returns a `Scenario`, or raises `ScenarioError` with every finding when the text has
/// errors. Ctrl-C stops a long check.
#[pyfunction]
#[pyo3(signature = (text, name = "<string>", **unknown))]
pub(crate) fn loads(
    py: Python<'_>,
    text: &str,
    name: &str,
    unknown: Option<&Bound<'_, PyDict>>,
) -> PyResult<Scenario> {
    args::reject_unknown("loads", &["text", "name"], unknown)?;
    let limits = Limits::default();
    if text.len() > limits.max_file_bytes {
        return Err(too_large(py, name.to_owned(), "text", &limits));
    }
    open(py, SourceFile::new(name, text), None)
}

/// `ScenarioError` for a file or text (`what`) over the size limit, as the CLI words it.
fn too_large(py: Python<'_>, name: String, what: &str, limits: &Limits) -> PyErr {
    let d = casus_core::Diagnostic::new(
        casus_core::Code::LimitExceeded,
        format!(
            "the {what} is larger than the limit of {} bytes",
            limits.max_file_bytes
        ),
    )
    .help("split the scenario into smaller files");
    scenario_error(py, &SourceFile::new(name, ""), &[d])
}

/// At most `cap + 1` bytes of the file, so an oversized file is refused without reading it all.
fn read_capped(path: &std::path::Path, cap: usize) -> PyResult<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Opens a session on `source` with the GIL released; a file with errors raises.
fn open(
    py: Python<'_>,
    source: SourceFile,
    decode_error: Option<casus_core::Diagnostic>,
) -> PyResult<Scenario> {
    if let Some(d) = decode_error {
        return Err(scenario_error(py, &source, &[d]));
    }
    let (_, cancel) = args::budget(None)?;
    // A notebook runs the analyses: the graph the check's evaluation records is kept for the
    // first run to start from.
    let mut options = Options {
        record: true,
        ..Options::default()
    };
    options.eval.cancel = Some(cancel.clone());
    let session = detached(py, &cancel, || Session::open(source, options))?;
    if session.has_errors() {
        return Err(scenario_error(py, session.source(), session.diagnostics()));
    }
    Ok(Scenario {
        session: Arc::new(session),
    })
}

/// A checked scenario: its parts, its findings, and evaluations of any what-if.
///
/// Evaluations run with the GIL released; `deadline=` (seconds) bounds one, and Ctrl-C
/// stops it with `KeyboardInterrupt`.
#[pyclass(frozen, module = "casus")]
pub(crate) struct Scenario {
    session: Arc<Session>,
}

/// A count argument (`n`, `samples`, `seed`) as an integer within `0..=max`.
fn count(option: &str, value: &Bound<'_, PyAny>, max: u64) -> PyResult<u64> {
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{option} must be an int, not {}",
            value.get_type().name()?
        )));
    }
    match value.extract::<i128>() {
        Ok(n) if (0..=i128::from(max)).contains(&n) => {
            u64::try_from(n).map_err(|_| PyValueError::new_err(format!("{option} is out of range")))
        }
        _ => Err(PyValueError::new_err(format!(
            "{option} must be between 0 and {max}, not {value}"
        ))),
    }
}

/// A session error as a Python exception.
fn session_error(
    py: Python<'_>,
    session: &Session,
    budget: &Budget,
    deadline: Option<f64>,
    prefix: &str,
    error: SessionError,
) -> PyErr {
    match error {
        SessionError::Usage { part, message } => {
            PyValueError::new_err(args::shown(&format!("{prefix}{part}: {message}")))
        }
        SessionError::Findings(found) => {
            if budget.is_spent()
                && found
                    .iter()
                    .all(|d| d.code == casus_core::Code::LimitExceeded)
            {
                PyTimeoutError::new_err(format!(
                    "{prefix}the evaluation took longer than the deadline of {} s",
                    deadline.unwrap_or_default()
                ))
            } else {
                evaluation_error(py, session.source(), &found)
            }
        }
        SessionError::Invalid => scenario_error(py, session.source(), session.diagnostics()),
    }
}

/// The finding of a spent budget, as the session words it.
fn timeout() -> casus_core::Diagnostic {
    casus_core::Diagnostic::new(
        casus_core::Code::LimitExceeded,
        "evaluation took longer than the time limit",
    )
}

fn outcome_ids(scenario: &casus_core::model::Scenario) -> Vec<String> {
    scenario
        .outcomes
        .iter()
        .map(|o| o.id.name.clone())
        .collect()
}

/// One what-if, evaluated: what `casus eval --format json` prints for it.
fn evaluate_one(
    session: &Session,
    what_if: &WhatIf,
    plan: &Plan,
    budget: &Budget,
) -> Result<(EvalOutput, Vec<String>), SessionError> {
    let base = session.scenario().ok_or(SessionError::Invalid)?;
    let model = session.model(what_if)?;
    let analysed = session.run(&model, plan, budget)?;
    Ok(output(base, &model, &analysed))
}

/// What `casus eval --format json` prints for `analysed`, and the outcome ids in file order.
fn output(
    base: &casus_core::model::Scenario,
    model: &casus_rules::session::Model,
    analysed: &Analysed,
) -> (EvalOutput, Vec<String>) {
    let shown = model.shown();
    let output = EvalView {
        scenario: &shown,
        variant: model.variant.and_then(|v| base.variants.get(v)),
        observed: &model.observed,
        analysed,
    }
    .output();
    (output, outcome_ids(&shown))
}

/// Draws `n` likelihood sets, evaluates each, and summarises them as `casus eval --samples`.
fn sample_one(
    session: &Session,
    what_if: &WhatIf,
    (n, seed): (usize, u64),
    budget: &Budget,
) -> Result<(sampling::Draws, serde_json::Value, Vec<String>), SessionError> {
    let base = session.scenario().ok_or(SessionError::Invalid)?;
    let model = session.model(what_if)?;
    let limits = session.eval_limits(budget);
    let (evaluation, draws) = session
        .install(|| {
            // One evaluation records the merged graph the draws re-weight.
            let (evaluation, graph) = model.evaluate_recorded(&limits)?;
            let draws = sampling::draws_with(&model, graph.as_ref(), &limits, (n, seed))?;
            Ok::<_, Vec<casus_core::Diagnostic>>((evaluation, draws))
        })
        .map_err(SessionError::Findings)?;
    let analysed = Analysed {
        sampling: Some(draws.summarise(seed)),
        ..Analysed::unanalysed(evaluation)
    };
    let (output, ids) = output(base, &model, &analysed);
    let summary = serde_json::to_value(&output.sampling).unwrap_or_default();
    Ok((draws, summary, ids))
}

#[pymethods]
impl Scenario {
    /// The scenario's title.
    #[getter]
    fn title(&self) -> String {
        self.session
            .scenario()
            .map(|s| s.meta.title.clone())
            .unwrap_or_default()
    }

    /// The file's name, as given to `load` or `loads`.
    #[getter]
    fn name(&self) -> String {
        self.session.source().name().to_owned()
    }

    /// The actors, in file order.
    #[getter]
    fn actors(&self) -> Vec<items::Actor> {
        self.session
            .scenario()
            .map(items::actors)
            .unwrap_or_default()
    }

    /// The facts, in file order.
    #[getter]
    fn facts(&self) -> Vec<items::Fact> {
        self.session
            .scenario()
            .map(items::facts)
            .unwrap_or_default()
    }

    /// The decisions, in the order they happen.
    #[getter]
    fn decisions(&self) -> Vec<items::Decision> {
        self.session
            .scenario()
            .map(items::decisions)
            .unwrap_or_default()
    }

    /// The outcomes, in file order.
    #[getter]
    fn outcomes(&self) -> Vec<items::Outcome> {
        self.session
            .scenario()
            .map(items::outcomes)
            .unwrap_or_default()
    }

    /// The ids of the variants (`[variants.ID]`), in file order.
    #[getter]
    fn variants(&self) -> Vec<String> {
        self.session
            .scenario()
            .map(|s| s.variants.iter().map(|v| v.id.name.clone()).collect())
            .unwrap_or_default()
    }

    /// The ids of the signposts (`[signposts.ID]`), in file order.
    #[getter]
    fn signposts(&self) -> Vec<String> {
        self.session
            .scenario()
            .map(|s| s.signposts.iter().map(|v| v.id.name.clone()).collect())
            .unwrap_or_default()
    }

    /// Every finding of checking, evaluating and linting, warnings and notes included (a
    /// loaded scenario has no errors): what `casus check` reports.
    fn check(&self) -> Vec<Diagnostic> {
        diagnostics(self.session.source(), self.session.diagnostics())
    }

    /// Evaluates the scenario: the forecast, the strategy and the analyses named.
    ///
    /// `given` fixes decisions (`{"decision": "option"}`) and overrides input facts;
    /// `variant` evaluates `[variants.ID]`; `observe` conditions on signposts seen.
    /// `analyses` names the analyses beside the forecast and strategy (`ranges`,
    /// `information`, `ranking`, `watch`, `analysts`); `None` computes all of them, as
    /// `casus eval` does. `samples` and `seed` add probabilistic sensitivity. `deadline`
    /// bounds the call in seconds: past it, analyses not finished are left out (see
    /// `omitted`), and `TimeoutError` is raised if the forecast itself did not finish.
    #[pyo3(signature = (*, given = None, variant = None, observe = None, analyses = None, samples = None, seed = None, deadline = None, **unknown))]
    #[expect(
        clippy::too_many_arguments,
        reason = "each is a keyword argument of the Python method"
    )]
    fn evaluate(
        &self,
        py: Python<'_>,
        given: Option<&Bound<'_, PyAny>>,
        variant: Option<String>,
        observe: Option<&Bound<'_, PyAny>>,
        analyses: Option<&Bound<'_, PyAny>>,
        samples: Option<&Bound<'_, PyAny>>,
        seed: Option<&Bound<'_, PyAny>>,
        deadline: Option<f64>,
        unknown: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<EvalResult> {
        args::reject_unknown(
            "evaluate",
            &[
                "given", "variant", "observe", "analyses", "samples", "seed", "deadline",
            ],
            unknown,
        )?;
        let what_if = args::what_if(
            variant,
            args::given("given", given)?,
            args::names("observe", observe)?,
        );
        let seed = match seed {
            Some(s) => Some(count("seed", s, u64::MAX)?),
            None => None,
        };
        let samples = match (samples.filter(|s| !s.is_none()), seed) {
            (Some(n), seed) => {
                let n = count("samples", n, args::MAX_SAMPLES as u64)?;
                Some(args::samples("samples", n as usize, seed.unwrap_or(1))?)
            }
            (None, Some(_)) => {
                return Err(PyValueError::new_err(
                    "seed is only used with samples; give samples=N too",
                ));
            }
            (None, None) => None,
        };
        let plan = args::plan(args::names("analyses", analyses)?, samples)?;
        let (budget, cancel) = args::budget(deadline)?;
        let session = &self.session;
        let done = detached(py, &cancel, || {
            evaluate_one(session, &what_if, &plan, &budget)
        })?;
        let (output, ids) =
            done.map_err(|e| session_error(py, session, &budget, deadline, "", e))?;
        Ok(EvalResult::new(output, ids))
    }

    /// Draws every likelihood uniformly within its band `n` times with `seed` and evaluates
    /// each draw: the draws `casus eval --samples N --seed S` summarises, as numpy arrays.
    /// `seed` defaults to 1, as `--seed` does.
    #[pyo3(signature = (n, seed = None, *, given = None, variant = None, observe = None, deadline = None, **unknown))]
    #[expect(
        clippy::too_many_arguments,
        reason = "each is an argument of the Python method"
    )]
    fn sample(
        &self,
        py: Python<'_>,
        n: &Bound<'_, PyAny>,
        seed: Option<&Bound<'_, PyAny>>,
        given: Option<&Bound<'_, PyAny>>,
        variant: Option<String>,
        observe: Option<&Bound<'_, PyAny>>,
        deadline: Option<f64>,
        unknown: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Samples> {
        args::reject_unknown(
            "sample",
            &["n", "seed", "given", "variant", "observe", "deadline"],
            unknown,
        )?;
        let n = count("n", n, args::MAX_SAMPLES as u64)?;
        let seed = match seed.filter(|s| !s.is_none()) {
            Some(s) => count("seed", s, u64::MAX)?,
            None => 1,
        };
        let draws = args::samples("n", n as usize, seed)?;
        let what_if = args::what_if(
            variant,
            args::given("given", given)?,
            args::names("observe", observe)?,
        );
        let (budget, cancel) = args::budget(deadline)?;
        let session = &self.session;
        let done = detached(py, &cancel, || {
            sample_one(session, &what_if, draws, &budget)
        })?;
        let (draws, summary, ids) =
            done.map_err(|e| session_error(py, session, &budget, deadline, "", e))?;
        Ok(Samples::new(draws, seed, ids, summary))
    }

    /// Evaluates many what-ifs in one call, in parallel with the GIL released: one result
    /// per dict of `given`, in order. The other arguments are `evaluate`'s, shared by every
    /// point; `analyses=[]` computes the forecast and strategy only, the fastest sweep.
    #[pyo3(signature = (given, *, variant = None, observe = None, analyses = None, deadline = None, **unknown))]
    #[expect(
        clippy::too_many_arguments,
        reason = "each is an argument of the Python method"
    )]
    fn sweep(
        &self,
        py: Python<'_>,
        given: &Bound<'_, PyAny>,
        variant: Option<String>,
        observe: Option<&Bound<'_, PyAny>>,
        analyses: Option<&Bound<'_, PyAny>>,
        deadline: Option<f64>,
        unknown: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Vec<EvalResult>> {
        args::reject_unknown(
            "sweep",
            &["given", "variant", "observe", "analyses", "deadline"],
            unknown,
        )?;
        if given.is_instance_of::<PyDict>() || given.is_instance_of::<pyo3::types::PyString>() {
            return Err(PyTypeError::new_err(
                "given must be a list of dicts, one per point, such as [{\"kyiv_buy_in\": \"accept\"}]",
            ));
        }
        let observe = args::names("observe", observe)?;
        let mut points = Vec::new();
        for (i, point) in given
            .try_iter()
            .map_err(|_| PyTypeError::new_err("given must be a list of dicts, one per point"))?
            .enumerate()
        {
            let point = point?;
            points.push(args::what_if(
                variant.clone(),
                args::given(&format!("given[{i}]"), Some(&point))?,
                observe.clone(),
            ));
        }
        let plan = args::plan(args::names("analyses", analyses)?, None)?;
        let (budget, cancel) = args::budget(deadline)?;
        let session = &self.session;
        let done = detached(py, &cancel, || {
            session.install(|| {
                points
                    .par_iter()
                    .map(|w| {
                        // A point not started when the budget is spent is not started at
                        // all: each one is quick, and a long sweep must stop on Ctrl-C.
                        if budget.is_spent() {
                            return Err(SessionError::Findings(vec![timeout()]));
                        }
                        evaluate_one(session, w, &plan, &budget)
                    })
                    .collect::<Vec<_>>()
            })
        })?;
        let mut results = Vec::with_capacity(done.len());
        for (i, point) in done.into_iter().enumerate() {
            let (output, ids) = point.map_err(|e| {
                session_error(py, session, &budget, deadline, &format!("given[{i}]: "), e)
            })?;
            results.push(EvalResult::new(output, ids));
        }
        Ok(results)
    }

    fn __repr__(&self) -> String {
        format!("<Scenario {:?} from {}>", self.title(), self.name())
    }
}
