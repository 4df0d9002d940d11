//! Evaluation of checked scenarios: compiled rules, the search over paths, and the analyses
//! built on it.
//!
//! Clients start at [`session::Session`]: it is opened once from source text and limits,
//! composes the model in force (variant, analysts' pool, given values, observed signposts)
//! once, and runs every analysis a [`session::Plan`] names on that one model under one
//! [`session::Budget`]. The folders group the layers below it:
//!
//! - [`compile`]: the checked scenario turned into slots, interned symbols and bytecode;
//! - [`search`]: the walk over paths that merges equal states, and the plain path walker;
//! - [`analyses`]: everything computed from evaluations (ranges, sampling, value of
//!   information, ranking, signposts, variants and analysts, explanations, why-not);
//! - [`graphs`]: the decision graph drawn in reports, the explicit game tree for exports, and
//!   the small tree re-weighted by sampling;
//! - [`workflow`]: the scenario's own tests and the semantic diff;
//! - `lints`: findings about what the paths show.
//!
//! Nothing here renders or does I/O.

pub mod analyses;
pub mod check;
pub mod compile;
pub mod graphs;
mod lints;
pub mod search;
pub mod session;
pub mod workflow;

pub use check::{Checked, LintLevels, check_source, check_source_with};
pub use compile::program::Program;
pub use search::result::{Evaluation, KeyAssumption, OutcomeResult, PlayStep, Strategy};
pub use search::walk::{EvalLimits, Given, evaluate};
