//! Limits that keep a hostile or runaway scenario from exhausting memory or time.
//!
//! Every limit ends a run with an `E0003` diagnostic that names the limit and the flag that
//! raises it, never with a crash. The defaults are far above any real scenario.

use crate::expr::ExprLimits;

/// The limits in force for one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest scenario file read, in bytes (`--max-file-size`).
    pub max_file_bytes: usize,
    /// Deepest nesting and longest text of one expression.
    pub expr: ExprLimits,
    /// Most decisions in one scenario.
    pub max_decisions: usize,
    /// Most options of one decision.
    pub max_options: usize,
    /// Most rules in one scenario.
    pub max_rules: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 16 * 1024 * 1024,
            expr: ExprLimits::default(),
            max_decisions: 1_000,
            max_options: 1_000,
            max_rules: 100_000,
        }
    }
}
