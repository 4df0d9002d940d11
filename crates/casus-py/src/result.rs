//! The result of one evaluation: `casus eval --format json`'s typed output, with views of its
//! parts as plain Python objects.

use std::sync::OnceLock;

use casus_report::output::eval::{EvalOutput, OutcomeOut};
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::{PyImportError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// A JSON value as the Python object `json.loads` would give: dicts keep the key order.
pub(crate) fn json_to_py<'py>(
    py: Python<'py>,
    value: &serde_json::Value,
) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value as J;
    match value {
        J::Null => Ok(py.None().into_bound(py)),
        J::Bool(b) => b.into_bound_py_any(py),
        J::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u.into_bound_py_any(py),
            (None, Some(i)) => i.into_bound_py_any(py),
            (None, None) => n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py),
        },
        J::String(s) => s.into_bound_py_any(py),
        J::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_bound_py_any(py)
        }
        J::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, json_to_py(py, item)?)?;
            }
            dict.into_bound_py_any(py)
        }
    }
}

/// What one evaluation found: the forecast, the strategy and every analysis asked for.
///
/// `to_json()` is what `casus eval --format json` prints for the same what-if, byte for byte;
/// `to_dict()` is its parse. The properties are views of its parts.
#[pyclass(frozen, module = "casus")]
pub(crate) struct EvalResult {
    /// The typed output.
    output: EvalOutput,
    /// `output` as JSON, made the first time a part of it is read: a sweep returns a result
    /// per point, and a caller often reads no more than the forecast of each, which is read
    /// from `output` directly.
    value: OnceLock<serde_json::Value>,
    /// The scenario's outcome ids in file order, for the forecast.
    order: Vec<String>,
}

impl EvalResult {
    /// The result of one run, its outcomes keyed in the order of `outcome_ids`.
    pub(crate) fn new(output: EvalOutput, outcome_ids: Vec<String>) -> Self {
        Self {
            output,
            value: OnceLock::new(),
            order: outcome_ids,
        }
    }

    /// The output as JSON.
    fn value(&self) -> PyResult<&serde_json::Value> {
        if let Some(value) = self.value.get() {
            return Ok(value);
        }
        let value = serde_json::to_value(&self.output)
            .map_err(|e| PyRuntimeError::new_err(format!("the result cannot be shown: {e}")))?;
        Ok(self.value.get_or_init(|| value))
    }

    /// `value[key]` as a Python object; `None` when the key is absent.
    fn part<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.value()?.get(key) {
            Some(v) => json_to_py(py, v),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// The output's outcome entry for `id`.
    fn outcome(&self, id: &str) -> Option<&OutcomeOut> {
        self.output.outcomes.iter().find(|o| o.id == id)
    }
}

#[pymethods]
impl EvalResult {
    /// The scenario's title.
    #[getter]
    fn scenario<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "scenario")
    }

    /// The variant in force, if any.
    #[getter]
    fn variant<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "variant")
    }

    /// Complete paths consistent with what is given and observed.
    #[getter]
    fn paths<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "paths")
    }

    /// Each outcome's probability, in the scenario's order.
    #[getter]
    fn forecast<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for id in &self.order {
            if let Some(o) = self.outcome(id) {
                dict.set_item(id, o.probability)?;
            }
        }
        Ok(dict)
    }

    /// Each outcome's `(low, high)` over the likelihood bands, in the scenario's order;
    /// `None` when the ranges were not computed.
    #[getter]
    fn ranges<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if self.output.sensitivity.is_none() {
            return Ok(py.None().into_bound(py));
        }
        let dict = PyDict::new(py);
        for id in &self.order {
            let range = self
                .outcome(id)
                .and_then(|o| o.range)
                .map(|[low, high]| (low, high));
            dict.set_item(id, range)?;
        }
        dict.into_bound_py_any(py)
    }

    /// Every outcome's entry, most likely first: probability, range, words, strategic
    /// probability.
    #[getter]
    fn outcomes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "outcomes")
    }

    /// The strategy: `path` (the line of play), `outcome`, `payoffs`.
    #[getter]
    fn strategy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "strategy")
    }

    /// The line of play: each decision taken along the strategy, in order.
    #[getter]
    fn line_of_play<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.value()?["strategy"]["path"])
    }

    /// Expected payoff per actor under the strategy.
    #[getter]
    fn payoffs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.value()?["strategy"]["payoffs"])
    }

    /// Decisions where the likelihoods and the actor's payoffs disagree.
    #[getter]
    fn key_assumptions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "key_assumptions")
    }

    /// The tornado table, largest swing first; `None` when the ranges were not computed.
    #[getter]
    fn sensitivity<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "sensitivity")
    }

    /// Value of information per chance event; `None` when not computed.
    #[getter]
    fn value_of_information<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "value_of_information")
    }

    /// What the forecast hangs on, most load-bearing first (`assumptions` in the JSON);
    /// `None` when not computed.
    #[getter]
    fn ranking<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "assumptions")
    }

    /// The signpost watch-list (`signposts` in the JSON); `None` when not computed or the
    /// scenario has no signposts.
    #[getter]
    fn watch_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "signposts")
    }

    /// Probabilistic sensitivity (`samples=`); `None` when not asked for.
    #[getter]
    fn sampling<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "sampling")
    }

    /// Where analysts disagree; `None` when not computed.
    #[getter]
    fn analysts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "analysts")
    }

    /// The signposts observed and the forecast before observing them; `None` when nothing
    /// was observed.
    #[getter]
    fn observed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "observed")
    }

    /// Analyses asked for and left out, with the reason (a deadline, a limit).
    #[getter]
    fn omitted<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.value()?.get("omitted") {
            Some(v) => json_to_py(py, v),
            None => PyList::empty(py).into_bound_py_any(py),
        }
    }

    /// The result as `casus eval --format json` prints it, parsed: the same keys, the same
    /// order, the same numbers.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, self.value()?)
    }

    /// The result as `casus eval --format json` prints it, byte for byte.
    fn to_json(&self) -> PyResult<String> {
        let mut text = serde_json::to_string_pretty(self.value()?)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        text.push('\n');
        Ok(text)
    }

    /// The forecast as a pandas DataFrame, one row per outcome in the scenario's order,
    /// indexed by outcome id: title, probability, low, high, strategic_probability,
    /// reachable, words. Needs pandas (`pip install 'casus[pandas]'`).
    fn forecast_frame<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pandas = py.import("pandas").map_err(|_| {
            PyImportError::new_err(
                "forecast_frame() needs pandas: install it with `pip install 'casus[pandas]'`",
            )
        })?;
        let columns = [
            "title",
            "probability",
            "low",
            "high",
            "strategic_probability",
            "reachable",
            "words",
        ];
        let data = PyDict::new(py);
        let outcomes = self.value()?["outcomes"].as_array();
        for column in columns {
            let values = PyList::empty(py);
            for id in &self.order {
                let o = outcomes
                    .and_then(|all| all.iter().find(|o| o["id"].as_str() == Some(id)))
                    .unwrap_or(&serde_json::Value::Null);
                let v = match column {
                    "low" => &o["range"][0],
                    "high" => &o["range"][1],
                    _ => &o[column],
                };
                values.append(json_to_py(py, v)?)?;
            }
            data.set_item(column, values)?;
        }
        let kwargs = PyDict::new(py);
        kwargs.set_item("index", PyList::new(py, &self.order)?)?;
        let frame = pandas.getattr("DataFrame")?.call((data,), Some(&kwargs))?;
        frame.getattr("index")?.setattr("name", "outcome")?;
        Ok(frame)
    }

    fn __repr__(&self) -> String {
        let forecast: Vec<String> = self
            .order
            .iter()
            .filter_map(|id| {
                let p = self.outcome(id)?.probability;
                Some(format!("{id}={p:.3}"))
            })
            .collect();
        format!("<EvalResult {}>", forecast.join(" "))
    }
}
