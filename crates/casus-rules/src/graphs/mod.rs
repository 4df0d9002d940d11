//! The three graphs of a scenario, each for its own reader.
//!
//! - [`drawing`]: the merged decision graph (a petgraph DAG) that reports draw;
//! - [`game_tree`]: the explicit game tree that game-theory exports and cross-checks need;
//! - [`reweight`]: the small game tree that sampling builds once and re-weights many times.

pub mod drawing;
pub mod game_tree;
pub(crate) mod reweight;
