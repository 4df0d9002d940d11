//! What a repository of scenarios runs in CI: the scenarios' own tests, the semantic diff, and
//! the scoring of resolved forecasts.

pub mod diff;
pub mod score;
pub mod testing;
