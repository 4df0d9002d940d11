//! Findings as Python objects, and the exceptions that carry them.
//!
//! A [`Diagnostic`] is one entry of `casus check --format json`, built by the same code
//! (`casus_report::diagnostics::CheckOutput`), so positions, codes and wording agree with the
//! CLI; the exceptions' text is the CLI's human rendering.

use casus_core::SourceFile;
use casus_report::diagnostics::{CheckOutput, JsonDiagnostic, render_human};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::result::json_to_py;
use crate::{EvaluationError, ScenarioError};

/// One finding about a scenario: a code such as `E0101`, where it is, and how to fix it.
#[pyclass(frozen, module = "casus", get_all)]
pub(crate) struct Diagnostic {
    /// The stable code, such as `E0101`.
    code: String,
    /// The code's name, such as `unknown_key`.
    name: String,
    /// `error`, `warning` or `note`.
    severity: String,
    /// What is wrong.
    message: String,
    /// The file's name.
    file: String,
    /// 1-based line of the place it is about; `None` for a finding about the whole file.
    line: Option<usize>,
    /// 1-based column, in characters.
    column: Option<usize>,
    /// The suggested fix, such as "did you mean `likelihood`?".
    help: Option<String>,
    /// Extra context.
    notes: Vec<String>,
    /// The rendering of this finding alone, as `casus check` prints it.
    rendered: String,
    /// The entry of `casus check --format json`, as JSON text.
    json: String,
}

#[pymethods]
impl Diagnostic {
    /// The entry `casus check --format json` prints for this finding, as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let value: serde_json::Value = serde_json::from_str(&self.json)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        json_to_py(py, &value)
    }

    fn __str__(&self) -> String {
        self.rendered.clone()
    }

    fn __repr__(&self) -> String {
        let at = match (self.line, self.column) {
            (Some(l), Some(c)) => format!(" at {l}:{c}"),
            _ => String::new(),
        };
        format!(
            "<Diagnostic {} {}{at}: {}>",
            self.severity, self.code, self.message
        )
    }
}

/// Every finding of `diagnostics` as Python objects.
pub(crate) fn diagnostics(
    source: &SourceFile,
    diagnostics: &[casus_core::Diagnostic],
) -> Vec<Diagnostic> {
    let pairs = [(source, diagnostics)];
    let output = CheckOutput::build(&pairs);
    output
        .0
        .iter()
        .zip(diagnostics)
        .map(|(json, d): (&JsonDiagnostic<'_>, _)| Diagnostic {
            code: json.code.to_owned(),
            name: json.name.to_owned(),
            severity: json.severity.to_owned(),
            message: json.message.to_owned(),
            file: json.file.to_owned(),
            line: json.line,
            column: json.column,
            help: json.help.map(str::to_owned),
            notes: json.notes.to_vec(),
            rendered: render_human(source, std::slice::from_ref(d), false),
            json: serde_json::to_string(json).unwrap_or_default(),
        })
        .collect()
}

/// An exception of type `T` whose text is the rendering of `found` and whose `diagnostics`
/// attribute holds them.
fn with_diagnostics(
    py: Python<'_>,
    source: &SourceFile,
    found: &[casus_core::Diagnostic],
    new: impl FnOnce(String) -> PyErr,
) -> PyErr {
    let error = new(render_human(source, found, false));
    let list = PyList::new(py, diagnostics(source, found));
    match list.and_then(|list| error.value(py).setattr("diagnostics", list)) {
        Ok(()) => error,
        Err(e) => e,
    }
}

/// `ScenarioError` for a file with errors.
pub(crate) fn scenario_error(
    py: Python<'_>,
    source: &SourceFile,
    found: &[casus_core::Diagnostic],
) -> PyErr {
    with_diagnostics(py, source, found, ScenarioError::new_err)
}

/// `EvaluationError` for a run that failed.
pub(crate) fn evaluation_error(
    py: Python<'_>,
    source: &SourceFile,
    found: &[casus_core::Diagnostic],
) -> PyErr {
    with_diagnostics(py, source, found, EvaluationError::new_err)
}
