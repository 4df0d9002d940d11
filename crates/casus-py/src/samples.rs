//! The draws of probabilistic sensitivity as numpy arrays.

use casus_rules::analyses::sampling::Draws;
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;

/// The draws of `scenario.sample(n, seed)`: every likelihood drawn uniformly within its band,
/// `n` times, each draw evaluated — the draws `casus eval --samples N --seed S` summarises.
#[pyclass(frozen, module = "casus")]
pub(crate) struct Samples {
    draws: Draws,
    seed: u64,
    outcome_ids: Vec<String>,
    /// The summary, as `casus eval --format json` prints it under `sampling`.
    summary: serde_json::Value,
}

impl Samples {
    /// The draws, with the summary `casus eval` would print for them.
    pub(crate) fn new(
        draws: Draws,
        seed: u64,
        outcome_ids: Vec<String>,
        summary: serde_json::Value,
    ) -> Self {
        Self {
            draws,
            seed,
            outcome_ids,
            summary,
        }
    }
}

#[pymethods]
impl Samples {
    /// The outcome ids, in the scenario's order: the columns of `probabilities`.
    #[getter]
    fn outcomes(&self) -> Vec<String> {
        self.outcome_ids.clone()
    }

    /// The seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    /// `probabilities[i, j]`: draw `i`'s probability of outcome `j` (float64, shape
    /// `(n, len(outcomes))`).
    #[getter]
    fn probabilities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let columns = self.draws.outcomes;
        let flat: Vec<f64> = self
            .draws
            .probabilities
            .iter()
            .flat_map(|row| {
                row.iter()
                    .copied()
                    .chain(std::iter::repeat(0.0))
                    .take(columns)
            })
            .collect();
        PyArray1::from_vec(py, flat).reshape([self.draws.probabilities.len(), columns])
    }

    /// `line_changed[i]`: whether draw `i`'s strategic line of play differs from the one
    /// under the point estimates (bool, shape `(n,)`).
    #[getter]
    fn line_changed<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<bool>> {
        PyArray1::from_slice(py, &self.draws.line_changed)
    }

    /// The summary `casus eval --samples N --seed S --format json` prints under `sampling`:
    /// each outcome's mean, 5th, 50th and 95th percentile (nearest rank), and the line
    /// changes, all computed from these draws.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::result::json_to_py(py, &self.summary)
    }

    fn __len__(&self) -> usize {
        self.draws.probabilities.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Samples n={} seed={} outcomes={}>",
            self.draws.probabilities.len(),
            self.seed,
            self.outcome_ids.join(",")
        )
    }
}
