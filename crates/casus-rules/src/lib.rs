//! Evaluation of checked scenarios: compiled rules, the decision graph, forecast and strategy.
//!
//! [`Program::compile`] turns a checked [`Scenario`](casus_core::model::Scenario) into slots,
//! interned symbols and bytecode; [`evaluate`] walks every path once, merging equal states,
//! and returns an [`Evaluation`]. Rules knows nothing of rendering.

mod analysis;
mod bytecode;
pub mod deps;
pub mod diff;
pub mod explain;
pub mod game;
pub mod given;
pub mod graph;
mod lints;
pub mod paths;
pub mod pipeline;
pub mod program;
pub mod ranking;
pub mod result;
pub mod sampling;
mod search;
pub mod sensitivity;
pub mod signposts;
pub mod testing;
mod tree;
pub mod value;
pub mod variants;
pub mod voi;
pub mod whynot;

pub use pipeline::{Checked, LintLevels, check_source, check_source_with};
pub use program::Program;
pub use result::{Evaluation, KeyAssumption, OutcomeResult, PlayStep, Strategy};
pub use search::{EvalLimits, Given, evaluate};
