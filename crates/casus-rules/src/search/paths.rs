//! Walking complete paths one by one, with the rules that fire along each.
//!
//! The search ([`crate::evaluate`]) is what answers "how likely" and "what is rational" fast;
//! this walker answers "which paths, and why": explanations, tests, coverage, diffs and
//! exports read paths from here. It is streamed: each path is handed to a callback and
//! forgotten, so memory stays flat however many paths there are.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::compile::program::Program;
use crate::compile::value::Val;
use crate::search::demand::Analysis;
use crate::search::walk::Given;

/// One decision on a path.
#[derive(Clone, Debug, PartialEq)]
pub struct PathStep {
    /// Decision index.
    pub decision: usize,
    /// The option taken, or `None` when the guard was false and the decision skipped.
    pub option: Option<usize>,
    /// The probability of that option at that point (1 for a skipped decision).
    pub probability: f64,
    /// Rules that began to fire once this decision was taken.
    pub started: Vec<usize>,
    /// Rules that stopped firing once this decision was taken.
    pub stopped: Vec<usize>,
}

/// A complete path, as the walker hands it over.
#[derive(Debug)]
pub struct Path<'a> {
    /// The decisions, in order.
    pub steps: &'a [PathStep],
    /// Rules that fire before any decision is taken.
    pub initial: &'a [usize],
    /// The product of the steps' probabilities.
    pub probability: f64,
    /// The outcome reached; `None` only in a scenario that has errors.
    pub outcome: Option<usize>,
    /// Whether each rule fires at the end of the path.
    pub fired: &'a [bool],
    /// Every slot's value at the end of the path: decisions first, then facts.
    pub slots: &'a [Val],
}

impl Path<'_> {
    /// The option taken at `decision`, if it was taken.
    pub fn option(&self, decision: usize) -> Option<usize> {
        self.steps
            .iter()
            .find(|s| s.decision == decision)
            .and_then(|s| s.option)
    }
}

/// Why a walk stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WalkError {
    /// More paths than the limit.
    #[error("the scenario has more than {}", casus_core::diagnostic::plural(*.0, "path"))]
    TooManyPaths(u64),
    /// The deadline passed, or the run was cancelled.
    #[error("walking the paths took longer than the time limit")]
    TimedOut,
}

/// Bounds on one walk: a path count, and the run's deadline and cancel flag.
#[derive(Clone, Debug, Default)]
pub struct WalkLimits {
    /// Most complete paths handed over.
    pub max_paths: u64,
    /// When to stop.
    pub deadline: Option<Instant>,
    /// Set by another thread to stop.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl WalkLimits {
    fn expired(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() > d)
            || self
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// The same bounds with another path count.
    pub fn with_max_paths(&self, max_paths: u64) -> Self {
        Self {
            max_paths,
            ..self.clone()
        }
    }
}

/// A path count alone: no deadline.
impl From<u64> for WalkLimits {
    fn from(max_paths: u64) -> Self {
        Self {
            max_paths,
            deadline: None,
            cancel: None,
        }
    }
}

/// An evaluation's bounds: its path count, deadline and cancel flag.
impl From<&crate::search::walk::EvalLimits> for WalkLimits {
    fn from(limits: &crate::search::walk::EvalLimits) -> Self {
        Self {
            max_paths: limits.max_paths,
            deadline: limits.deadline,
            cancel: limits.cancel.clone(),
        }
    }
}

/// Paths between two looks at the clock.
const CLOCK_EVERY: u64 = 1024;

/// Walks every complete path consistent with `given`, in file order of decisions and options.
/// The callback may stop the walk by returning `ControlFlow::Break`. Returns the number of
/// paths handed over.
pub fn walk(
    program: &Program,
    given: &Given,
    limits: impl Into<WalkLimits>,
    mut visit: impl FnMut(&Path<'_>) -> ControlFlow<()>,
) -> Result<u64, WalkError> {
    let limits = limits.into();
    let analysis = Analysis::new(program);
    let mut walker = Walker {
        program,
        analysis: &analysis,
        given,
        slots: program.initial.clone(),
        fired: vec![false; program.rules.len()],
        stack: Vec::new(),
        steps: Vec::new(),
        initial: Vec::new(),
        count: 0,
        limits,
        error: None,
    };
    walker.recompute();
    walker.initial = (0..program.rules.len())
        .filter(|&r| walker.fired[r])
        .collect();
    let _ = walker.descend(0, 1.0, &mut visit);
    match walker.error {
        Some(e) => Err(e),
        None => Ok(walker.count),
    }
}

struct Walker<'a> {
    program: &'a Program,
    analysis: &'a Analysis,
    given: &'a Given,
    slots: Vec<Val>,
    fired: Vec<bool>,
    stack: Vec<Val>,
    steps: Vec<PathStep>,
    initial: Vec<usize>,
    count: u64,
    limits: WalkLimits,
    error: Option<WalkError>,
}

impl Walker<'_> {
    /// Recomputes every derived fact from scratch, in dependency order. Deliberately simple:
    /// the walker favours clarity over the search's incremental tricks.
    fn recompute(&mut self) {
        crate::search::demand::recompute_from_scratch(
            self.program,
            self.analysis,
            &mut self.slots,
            &mut self.fired,
            &mut self.stack,
        );
    }

    fn descend(
        &mut self,
        level: usize,
        probability: f64,
        visit: &mut impl FnMut(&Path<'_>) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let program = self.program;
        if level == program.decisions.len() {
            self.count += 1;
            if self.count > self.limits.max_paths {
                self.error = Some(WalkError::TooManyPaths(self.limits.max_paths));
                return ControlFlow::Break(());
            }
            if self.count.is_multiple_of(CLOCK_EVERY) && self.limits.expired() {
                self.error = Some(WalkError::TimedOut);
                return ControlFlow::Break(());
            }
            let outcome = self.outcome();
            let path = Path {
                steps: &self.steps,
                initial: &self.initial,
                probability,
                outcome,
                fired: &self.fired,
                slots: &self.slots,
            };
            return visit(&path);
        }
        let decision = &program.decisions[level];
        let slot = decision.slot as usize;
        let forced = self.given.decisions.get(level).copied().flatten();
        let taken = decision
            .guard
            .as_ref()
            .is_none_or(|g| g.run(&self.slots, &mut self.stack).truthy());
        if !taken {
            if forced.is_some() {
                return ControlFlow::Continue(());
            }
            self.steps.push(PathStep {
                decision: level,
                option: None,
                probability: 1.0,
                started: Vec::new(),
                stopped: Vec::new(),
            });
            let flow = self.descend(level + 1, probability, visit);
            self.steps.pop();
            return flow;
        }
        let probabilities = decision
            .conditional
            .iter()
            .find(|(code, _)| code.run(&self.slots, &mut self.stack).truthy())
            .map_or(&decision.probabilities, |(_, p)| p)
            .clone();
        let saved_slots = self.slots.clone();
        let saved_fired = self.fired.clone();
        for (i, &option) in decision.options.iter().enumerate() {
            if forced.is_some_and(|f| f != i) {
                continue;
            }
            self.slots[slot] = Val::Sym(option);
            self.recompute();
            let started = (0..program.rules.len())
                .filter(|&r| self.fired[r] && !saved_fired[r])
                .collect();
            let stopped = (0..program.rules.len())
                .filter(|&r| !self.fired[r] && saved_fired[r])
                .collect();
            let p = probabilities.get(i).copied().unwrap_or(0.0);
            self.steps.push(PathStep {
                decision: level,
                option: Some(i),
                probability: p,
                started,
                stopped,
            });
            let flow = self.descend(level + 1, probability * p, visit);
            self.steps.pop();
            self.slots.clone_from(&saved_slots);
            self.fired.clone_from(&saved_fired);
            if flow.is_break() {
                return flow;
            }
        }
        ControlFlow::Continue(())
    }

    fn outcome(&mut self) -> Option<usize> {
        let mut fallback = None;
        for (i, outcome) in self.program.outcomes.iter().enumerate() {
            match &outcome.when {
                None => fallback = Some(i),
                Some(code) if code.run(&self.slots, &mut self.stack).truthy() => return Some(i),
                Some(_) => {}
            }
        }
        fallback
    }
}
