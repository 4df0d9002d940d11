//! Analyses computed from evaluations of the model in force.
//!
//! Each module computes one kind of answer and returns plain data; the session
//! ([`crate::session`]) decides which run, on which model, under which budget.

pub mod explain;
pub mod ranking;
pub mod sampling;
pub mod sensitivity;
pub mod signposts;
pub mod variants;
pub mod voi;
pub mod whynot;
