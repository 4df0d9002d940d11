//! Walking the paths of a compiled scenario.
//!
//! `walk` is the fast search that merges equal states and answers "how likely" and "what is
//! rational"; [`paths`] streams complete paths one by one with the rules that fire on each,
//! for "which paths, and why". `demand` holds the static facts about a program that let the
//! search merge states.

pub(crate) mod demand;
pub(crate) mod drops;
pub mod given;
pub(crate) mod memo;
pub mod paths;
pub mod result;
pub(crate) mod walk;

pub use walk::{EvalLimits, Given, evaluate, evaluate_recorded};
