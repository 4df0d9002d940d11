//! `casus` for Python: scenarios loaded, checked, evaluated, sampled and swept from notebooks
//! and scripts.
//!
//! Every call goes through the analysis session (`casus_rules::session::Session`), and every
//! result is the typed output `casus eval --format json` prints
//! (`casus_report::output::eval::EvalOutput`), so `result.to_json()` is that command's output
//! byte for byte and `result.to_dict()` its parse. Long calls run on a thread of their own with
//! the GIL released while the calling thread watches for Ctrl-C (the `wait` module).

mod args;
mod diagnostics;
mod items;
mod result;
mod samples;
mod scenario;
mod wait;

use pyo3::prelude::*;

/// The allocator of everything the extension allocates (Python's own objects keep Python's):
/// an evaluation makes many small short-lived allocations, on every core at once in a sweep,
/// and mimalloc's per-thread heaps make a full evaluation of the bundled Ukraine scenario
/// about 30 % cheaper than the system allocator does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pyo3::create_exception!(
    casus,
    ScenarioError,
    pyo3::exceptions::PyValueError,
    "The scenario has errors. `diagnostics` holds every finding; `str()` is the rendering \
     `casus check` prints."
);

pyo3::create_exception!(
    casus,
    EvaluationError,
    pyo3::exceptions::PyRuntimeError,
    "The evaluation failed: a path-dependent error, no consistent path, or a limit. \
     `diagnostics` holds the findings; `str()` is their rendering."
);

/// The `casus` module.
#[pymodule(name = "_casus")]
fn casus_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("EvaluationError", py.get_type::<EvaluationError>())?;
    m.add_function(wrap_pyfunction!(scenario::load, m)?)?;
    m.add_function(wrap_pyfunction!(scenario::loads, m)?)?;
    m.add_class::<scenario::Scenario>()?;
    m.add_class::<diagnostics::Diagnostic>()?;
    m.add_class::<items::Actor>()?;
    m.add_class::<items::Fact>()?;
    m.add_class::<items::Decision>()?;
    m.add_class::<items::Outcome>()?;
    m.add_class::<result::EvalResult>()?;
    m.add_class::<samples::Samples>()?;
    Ok(())
}
