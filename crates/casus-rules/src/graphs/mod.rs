//! The three graphs of a scenario, each for its own reader.
//!
//! - [`drawing`]: the merged decision graph (a petgraph DAG) that reports draw;
//! - [`game_tree`]: the explicit game tree that game-theory exports and cross-checks need;
//! - [`merged`]: the merged decision graph the search records, which analyses re-weight
//!   instead of evaluating the rules again.

pub mod drawing;
pub mod game_tree;
pub mod merged;
