//! What a repository of scenarios runs in CI: the scenarios' own tests and the semantic diff.

pub mod diff;
pub mod testing;
