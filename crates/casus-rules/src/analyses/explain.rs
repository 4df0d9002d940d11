//! "Why": the path a forecast rests on, and the paths that lead to an outcome.
//!
//! Built on [`crate::search::paths::walk`], so every answer is one complete path with the decisions
//! taken, the rules that started or stopped firing at each, and the outcome. Reports turn it
//! into the narrative an analyst pastes into a brief; nothing here renders.

use std::ops::ControlFlow;

use crate::compile::program::Program;
use crate::compile::value::Val;
use crate::search::paths::{Path, PathStep, WalkError, WalkLimits, walk};
use crate::search::walk::Given;

/// A complete path, kept (the walker's [`Path`] only borrows).
#[derive(Clone, Debug, PartialEq)]
pub struct ExplainedPath {
    /// The decisions in order, skipped ones included, with the rules that started and stopped
    /// firing at each.
    pub steps: Vec<PathStep>,
    /// Rules that fire before any decision is taken.
    pub initial: Vec<usize>,
    /// The product of the steps' probabilities (given decisions count with their likelihood).
    pub probability: f64,
    /// The outcome reached.
    pub outcome: Option<usize>,
    /// Whether each rule fires at the end of the path.
    pub fired: Vec<bool>,
    /// Every slot's value at the end: decisions first, then facts in the scenario's order.
    pub slots: Vec<Val>,
}

impl ExplainedPath {
    /// Keeps a path the walker hands over.
    pub fn from_path(path: &Path<'_>) -> Self {
        Self {
            steps: path.steps.to_vec(),
            initial: path.initial.to_vec(),
            probability: path.probability,
            outcome: path.outcome,
            fired: path.fired.to_vec(),
            slots: path.slots.to_vec(),
        }
    }

    /// The option taken at `decision`, or `None` if it was skipped.
    pub fn option(&self, decision: usize) -> Option<usize> {
        self.steps
            .iter()
            .find(|s| s.decision == decision)
            .and_then(|s| s.option)
    }

    /// The value of input or derived fact `fact` (its index in the scenario) at the end.
    pub fn fact(&self, program: &Program, fact: usize) -> Option<Val> {
        self.slots.get(program.decisions.len() + fact).copied()
    }

    /// The rules that fire at the end of the path, in the scenario's order.
    pub fn firing(&self) -> Vec<usize> {
        (0..self.fired.len()).filter(|&r| self.fired[r]).collect()
    }
}

/// The most likely path consistent with the given values, and how many others there are.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// The path explained: the most likely one (the first in file order among equals).
    pub path: ExplainedPath,
    /// Complete paths consistent with the given values, the explained one included.
    pub paths: u64,
    /// The sum of those paths' probabilities; a path's share of it is its probability given
    /// what was fixed.
    pub total_probability: f64,
    /// Per step of the path: the option that was likelier at that point, with its
    /// probability, where the path took a less likely one (see [`likelier_options`]).
    pub likelier: Vec<Option<(usize, f64)>>,
}

impl Explanation {
    /// The explained path's probability given the fixed values.
    pub fn share(&self) -> f64 {
        share(self.path.probability, self.total_probability)
    }
}

/// The paths that reach one outcome, most likely first.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomePaths {
    /// The outcome.
    pub outcome: usize,
    /// The most likely paths reaching it, at most the cap asked for, most likely first (file
    /// order among equals).
    pub top: Vec<ExplainedPath>,
    /// How many paths reach it in all.
    pub count: u64,
    /// The sum of their probabilities.
    pub probability: f64,
    /// The sum of the probabilities of all paths consistent with the given values.
    pub total_probability: f64,
    /// How many paths are consistent with the given values.
    pub paths: u64,
    /// For the first listed path: see [`Explanation::likelier`], among the paths that reach
    /// the outcome only.
    pub likelier: Vec<Option<(usize, f64)>>,
}

impl OutcomePaths {
    /// The outcome's probability given the fixed values: the forecast, path by path.
    pub fn share(&self) -> f64 {
        share(self.probability, self.total_probability)
    }

    /// A listed path's probability given the fixed values.
    pub fn share_of(&self, path: &ExplainedPath) -> f64 {
        share(path.probability, self.total_probability)
    }
}

/// `part / total`, or 0 when every path has probability 0.
pub fn share(part: f64, total: f64) -> f64 {
    if total > 0.0 { part / total } else { 0.0 }
}

/// Finds the most likely path consistent with `given`. `Ok(None)` when no path is.
pub fn explain(
    program: &Program,
    given: &Given,
    limits: impl Into<WalkLimits>,
) -> Result<Option<Explanation>, WalkError> {
    let limits = limits.into();
    let mut best: Option<ExplainedPath> = None;
    let mut total = 0.0;
    let paths = walk(program, given, limits.clone(), |path| {
        total += path.probability;
        if best
            .as_ref()
            .is_none_or(|b| path.probability > b.probability)
        {
            best = Some(ExplainedPath::from_path(path));
        }
        ControlFlow::Continue(())
    })?;
    let Some(path) = best else {
        return Ok(None);
    };
    let likelier = likelier_options(program, given, &path, limits.clone())?;
    Ok(Some(Explanation {
        path,
        paths,
        total_probability: total,
        likelier,
    }))
}

/// For each step of `path`, the option that was more likely at that point than the one taken,
/// if any (the likeliest, the first in file order among equals).
///
/// The most likely *path* need not take the most likely option at every step: an option whose
/// paths split further into many small ones loses to a less likely option whose paths do not.
/// An explanation says so rather than let the analyst think the step was the likeliest.
/// Found by a second walk: a path that first departs from `path` at step `k` shows the
/// probability of its option at exactly that point.
pub fn likelier_options(
    program: &Program,
    given: &Given,
    path: &ExplainedPath,
    limits: impl Into<WalkLimits>,
) -> Result<Vec<Option<(usize, f64)>>, WalkError> {
    likelier_among(program, given, path, limits.into(), None)
}

/// [`likelier_options`] among the paths that end in `reaching` only (all paths for `None`):
/// an explanation of the paths to one outcome speaks only of paths that reach it, so an
/// option counts as likelier only when a path through it reaches that outcome too.
fn likelier_among(
    program: &Program,
    given: &Given,
    path: &ExplainedPath,
    limits: WalkLimits,
    reaching: Option<usize>,
) -> Result<Vec<Option<(usize, f64)>>, WalkError> {
    let mut seen: Vec<Vec<Option<f64>>> = path
        .steps
        .iter()
        .map(|s| {
            vec![
                None;
                program
                    .decisions
                    .get(s.decision)
                    .map_or(0, |d| d.options.len())
            ]
        })
        .collect();
    walk(program, given, limits, |other| {
        if reaching.is_some_and(|o| other.outcome != Some(o)) {
            return ControlFlow::Continue(());
        }
        let departs = other
            .steps
            .iter()
            .zip(&path.steps)
            .position(|(a, b)| a.option != b.option);
        if let Some(k) = departs
            && let Some(o) = other.steps[k].option
            && let Some(slot) = seen.get_mut(k).and_then(|v| v.get_mut(o))
        {
            *slot = Some(other.steps[k].probability);
        }
        ControlFlow::Continue(())
    })?;
    Ok(path
        .steps
        .iter()
        .zip(&seen)
        .map(|(step, options)| {
            let taken = step.option?;
            let mut best: Option<(usize, f64)> = None;
            for (o, p) in options.iter().enumerate() {
                if let Some(p) = *p
                    && p > step.probability
                    && best.is_none_or(|(_, b)| p > b)
                {
                    best = Some((o, p));
                }
            }
            best.filter(|(o, _)| *o != taken)
        })
        .collect())
}

/// Lists the paths consistent with `given` that reach `outcome`: the `cap` most likely, plus
/// how many there are and their total probability. Memory stays bounded by `cap`.
pub fn paths_to(
    program: &Program,
    given: &Given,
    outcome: usize,
    cap: usize,
    limits: impl Into<WalkLimits>,
) -> Result<OutcomePaths, WalkError> {
    let limits = limits.into();
    let mut top: Vec<ExplainedPath> = Vec::new();
    let mut count = 0;
    let mut probability = 0.0;
    let mut total = 0.0;
    let paths = walk(program, given, limits.clone(), |path| {
        total += path.probability;
        if path.outcome != Some(outcome) {
            return ControlFlow::Continue(());
        }
        count += 1;
        probability += path.probability;
        // Insert after every path at least as likely, so equals keep file order.
        let at = top.partition_point(|p| p.probability >= path.probability);
        if at < cap {
            top.insert(at, ExplainedPath::from_path(path));
            top.truncate(cap);
        }
        ControlFlow::Continue(())
    })?;
    let likelier = match top.first() {
        Some(first) => likelier_among(program, given, first, limits.clone(), Some(outcome))?,
        None => Vec::new(),
    };
    Ok(OutcomePaths {
        outcome,
        top,
        count,
        probability,
        total_probability: total,
        paths,
        likelier,
    })
}
