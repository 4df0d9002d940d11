//! Benchmarks of casus: a deterministic scenario generator ([`generate`]), the stages of the
//! pipeline timed separately ([`stages`]), the naive reference evaluator for comparisons, and
//! the cases behind `bench/RESULTS.md`.
//!
//! The criterion benches in `benches/engine.rs` and the `casus-bench` binary both build on
//! this library, so what CI runs at tiny sizes is what the results table measures.

pub mod cases;
pub mod generate;
#[cfg(feature = "native-zen")]
pub mod native;
pub mod report;
pub mod stages;
pub mod zen;

#[expect(
    clippy::expect_used,
    dead_code,
    reason = "the reference evaluator is test code, shared with tests/engine.rs; the benches use only its forecast and strategy"
)]
#[path = "../../crates/casus-rules/tests/support/reference.rs"]
mod reference;

use casus_core::model::Scenario;

/// What the naive reference evaluator says about a scenario: the forecast (per outcome, in
/// the scenario's order), the strategy's expected payoff per actor, and the number of paths.
#[derive(Clone, Debug, PartialEq)]
pub struct ReferenceAnswer {
    /// Probability of each outcome.
    pub forecast: Vec<f64>,
    /// Expected payoff per actor under backward induction.
    pub payoffs: Vec<f64>,
    /// Complete paths.
    pub paths: usize,
}

/// Evaluates `scenario` with the naive reference evaluator of `crates/casus-rules/tests/support/reference.rs`:
/// path by path, string-keyed environments, fixed-point rule iteration. It shares no
/// evaluation code with the engine; the benches compare against it.
pub fn reference_answer(scenario: &Scenario) -> ReferenceAnswer {
    let reference = reference::Reference::new(scenario, &[]);
    let paths = reference.paths();
    let forecast = reference::forecast(&paths, scenario.outcomes.len());
    let payoffs = reference
        .strategy(&vec![None; scenario.decisions.len()])
        .unwrap_or_default();
    ReferenceAnswer {
        forecast,
        payoffs,
        paths: paths.len(),
    }
}
