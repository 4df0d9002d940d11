//! From a checked scenario to what the search runs: slots, interned symbols and bytecode.

pub(crate) mod bytecode;
pub mod deps;
pub mod program;
pub mod value;
