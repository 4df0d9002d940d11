//! Renderers: turn diagnostics and the evaluation model of `casus-rules` into text for people
//! and machines. Nothing here evaluates or does I/O; every function returns a `String`.

pub mod analysis;
pub mod diagnostics;
pub mod diff;
pub mod efg;
pub mod eval;
pub mod explain;
pub mod output;
pub mod report;
pub mod score;
pub mod silverdecisions;
pub mod testing;
pub mod text;
