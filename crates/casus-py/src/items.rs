//! The parts of a scenario as plain read-only objects: actors, facts, decisions, outcomes.

use casus_core::model::{FactKind, Scenario, Value};
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;

/// A value as Python holds it: `bool`, `float` or `str`.
pub(crate) fn value_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::Bool(b) => b.into_bound_py_any(py),
        Value::Number(n) => n.into_bound_py_any(py),
        Value::Symbol(s) => s.into_bound_py_any(py),
    }
}

/// An actor: someone who decides.
#[pyclass(frozen, module = "casus", get_all)]
pub(crate) struct Actor {
    /// The id used in decisions and payoffs.
    id: String,
    /// The display name.
    name: String,
    /// A longer description.
    doc: Option<String>,
}

#[pymethods]
impl Actor {
    fn __repr__(&self) -> String {
        format!("<Actor {} {:?}>", self.id, self.name)
    }
}

/// A fact: an input value, or one that rules derive.
#[pyclass(frozen, module = "casus")]
pub(crate) struct Fact {
    id: String,
    derived: bool,
    value: Value,
    unit: Option<String>,
    source: Option<String>,
    doc: Option<String>,
}

#[pymethods]
impl Fact {
    /// The name expressions read.
    #[getter]
    fn id(&self) -> &str {
        &self.id
    }

    /// Whether rules compute it (else it is an input).
    #[getter]
    fn derived(&self) -> bool {
        self.derived
    }

    /// An input's value, or a derived fact's default: `bool`, `float` or `str`.
    #[getter]
    fn value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        value_to_py(py, &self.value)
    }

    /// Unit, for reports (`%`, `bn USD`).
    #[getter]
    fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }

    /// Where an input's value comes from.
    #[getter]
    fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// A longer description.
    #[getter]
    fn doc(&self) -> Option<&str> {
        self.doc.as_deref()
    }

    fn __repr__(&self) -> String {
        let kind = if self.derived { "derived" } else { "input" };
        format!("<Fact {} ({kind}) = {}>", self.id, self.value.display())
    }
}

/// A decision: an actor's choice, or a chance event (`actor == "nature"`).
#[pyclass(frozen, module = "casus", get_all)]
pub(crate) struct Decision {
    /// The name expressions read.
    id: String,
    /// Who decides; `nature` for chance events.
    actor: String,
    /// Whether it is a chance event.
    chance: bool,
    /// The question, in the analyst's words.
    ask: Option<String>,
    /// The options, in file order.
    options: Vec<String>,
    /// A longer description.
    doc: Option<String>,
}

#[pymethods]
impl Decision {
    fn __repr__(&self) -> String {
        format!(
            "<Decision {} by {}: {}>",
            self.id,
            self.actor,
            self.options.join(" | ")
        )
    }
}

/// An outcome: where paths end, with a payoff per actor.
#[pyclass(frozen, module = "casus")]
pub(crate) struct Outcome {
    id: String,
    title: String,
    payoffs: Vec<(String, f64)>,
    doc: Option<String>,
}

#[pymethods]
impl Outcome {
    /// The outcome's id.
    #[getter]
    fn id(&self) -> &str {
        &self.id
    }

    /// What it means.
    #[getter]
    fn title(&self) -> &str {
        &self.title
    }

    /// Payoff per actor, as written (an actor without one counts 0).
    #[getter]
    fn payoffs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let dict = pyo3::types::PyDict::new(py);
        for (actor, payoff) in &self.payoffs {
            dict.set_item(actor, payoff)?;
        }
        Ok(dict)
    }

    /// A longer description.
    #[getter]
    fn doc(&self) -> Option<&str> {
        self.doc.as_deref()
    }

    fn __repr__(&self) -> String {
        format!("<Outcome {} {:?}>", self.id, self.title)
    }
}

/// The actors, in file order.
pub(crate) fn actors(scenario: &Scenario) -> Vec<Actor> {
    scenario
        .actors
        .iter()
        .map(|a| Actor {
            id: a.id.name.clone(),
            name: a.name.clone(),
            doc: a.doc.clone(),
        })
        .collect()
}

/// The facts, in file order.
pub(crate) fn facts(scenario: &Scenario) -> Vec<Fact> {
    scenario
        .facts
        .iter()
        .map(|f| match &f.kind {
            FactKind::Input {
                value,
                unit,
                source,
                ..
            } => Fact {
                id: f.id.name.clone(),
                derived: false,
                value: value.value.clone(),
                unit: unit.clone(),
                source: source.clone(),
                doc: f.doc.clone(),
            },
            FactKind::Derived { default, .. } => Fact {
                id: f.id.name.clone(),
                derived: true,
                value: default.value.clone(),
                unit: None,
                source: None,
                doc: f.doc.clone(),
            },
        })
        .collect()
}

/// The decisions, in the order they happen.
pub(crate) fn decisions(scenario: &Scenario) -> Vec<Decision> {
    scenario
        .decisions
        .iter()
        .map(|d| Decision {
            id: d.id.name.clone(),
            actor: d.actor.name.clone(),
            chance: d.is_chance(),
            ask: d.ask.clone(),
            options: d.options.iter().map(|o| o.name.clone()).collect(),
            doc: d.doc.clone(),
        })
        .collect()
}

/// The outcomes, in file order.
pub(crate) fn outcomes(scenario: &Scenario) -> Vec<Outcome> {
    scenario
        .outcomes
        .iter()
        .map(|o| Outcome {
            id: o.id.name.clone(),
            title: o.title.clone(),
            payoffs: o
                .payoff
                .iter()
                .map(|(actor, p)| (actor.name.clone(), p.value))
                .collect(),
            doc: o.doc.clone(),
        })
        .collect()
}
