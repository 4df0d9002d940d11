//! Every rule dropped in one search: the forecast without each rule, from the states where it
//! fired.
//!
//! Dropping a rule changes the forecast only on the paths where it fires, and only from the
//! point where its effect is first looked at. For the common rule that writes only facts the
//! outcomes alone read — a score added to, a verdict set — that point is the first level at or
//! after the rule closes where states merge (or the end of the path). There every path passes
//! through exactly one memoised state, so the forecast is the sum over those *arrivals* of the
//! probability of getting there (`reach`) times the outcome mass below. Without the rule, an
//! arrival where it fired lands on the state whose summaries lack the rule (a sum without its
//! amount, a fact set by the next writer down): usually a state the search solved anyway, else
//! one more subtree. So
//!
//! `mass without r = mass + Σ_{arrivals a where r fired} reach(a) · (mass(a − r) − mass(a))`,
//!
//! exactly (up to rounding), and every rule's drop costs a lookup per arrival where it fired
//! instead of a whole evaluation. The search records, per memoised state, its arrivals (to
//! compute `reach` afterwards, in one pass over the states in reverse order of completion) and
//! per arrival the drop links; `reach` is not known while the search runs, because a state is
//! reached by prefixes the search has not walked yet.
//!
//! A link is recorded per arrival, not per state: two prefixes reaching one state may differ in
//! which closed rules fired (their amounts summed alike). A rule cut at the arrival's level is
//! open at the arrival's parent, though, so its firing below the parent is the same for every
//! prefix reaching the parent, and a parent's arrivals are walked once.
//!
//! A rule whose effect nothing ever reads (no outcome, guard, likelihood or rule, even through
//! other facts) moves nothing: its distance is 0 without any search.
//!
//! The same holds for a rule whose facts other rules or guards read, on one condition (see
//! [`DropPlan::new`]): nothing that weighs or prunes a path reads what it changes between the
//! first time it can fire and the level where it is cut, so that the prefixes and their
//! probabilities are the same without it. A rule that needs its last decision taken cannot
//! fire before that decision, so a guard at or after it is fine. The twin is then the state
//! with the rule taken out and the rules that read its facts run again in order (its *cone*):
//! closed ones at once, their summaries made again; open ones when next needed. Only the part
//! of the cone the drop reaches runs: a reader whose inputs kept their values is as it was. A
//! rule that fails the condition is left to a full evaluation.
//!
//! Below a twin nothing is recorded: the drops of other rules in a world without this one
//! count for nothing, and solving their twins too would multiply the work. A state first
//! solved for a twin is solved again, recording, if a path of the search itself arrives there.

use crate::compile::program::Program;
use crate::search::demand::{Analysis, Demand, FactKey};

/// How one rule's drop is found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DropKind {
    /// Nothing reads what the rule writes: dropping it moves nothing.
    Unread,
    /// Found at the arrivals at this level (the number of decisions: at the end of each path).
    Cut(usize),
    /// Needs an evaluation of its own.
    Evaluate,
}

/// Which rules are found how, fixed by the program alone.
#[derive(Clone, Debug)]
pub(crate) struct DropPlan {
    /// Per program rule.
    pub(crate) kind: Vec<DropKind>,
    /// Per level `0..=n`: the rules cut there.
    pub(crate) cut: Vec<Vec<usize>>,
    /// Per rule: whether its effect is folded into the memo key's summaries when it closes.
    pub(crate) folds: Vec<bool>,
    /// Per slot: whether an outcome's condition reads it. A drop at the end of a path that
    /// moves none of these leaves the path's outcome as it is.
    pub(crate) read_by_outcomes: Vec<bool>,
    /// Per derived fact that is a sum every condition (of a rule, a guard, a likelihood, an
    /// outcome) only compares with numbers: those numbers. At the end of a path, where every
    /// sum is final, taking an amount out of such a sum changes nothing when it stays on the
    /// same side of each of them (see [`DropPlan::same_side`]).
    pub(crate) thresholds: Vec<Option<Vec<f64>>>,
    /// Per rule: whether its twins can be solved beside the search's own states (see
    /// `search::walk::beside`): it only adds, to sums that no rule, guard or likelihood reads.
    pub(crate) beside: Vec<bool>,
    /// Per rule that only adds: a number shared by exactly the rules that add the same
    /// amounts to the same sums, whose drops land on one twin ([`NO_CLASS`] for the others).
    pub(crate) adds_class: Vec<u32>,
    /// How many classes of amounts there are.
    pub(crate) classes: usize,
}

/// The amounts class of a rule that does more than add.
pub(crate) const NO_CLASS: u32 = u32::MAX;

impl DropPlan {
    /// A rule is cut at the first level at or after it closes where states merge (or at the
    /// end of the path), when a state there and its twin without the rule stand for the same
    /// paths with the same probabilities: nothing that weighs or prunes a path (a guard, a
    /// conditional likelihood) reads what the rule changes between the first time it can
    /// fire and that level. The twin is the state with the rule taken out and the rules that
    /// read its facts run again in order (its cone): exact, because every input of a closed rule
    /// that matters was settled when the rule closed and cannot change after, and an open one
    /// runs again when it is next needed, as it would without the rule.
    pub(crate) fn new(program: &Program, analysis: &Analysis) -> Self {
        let n = program.decisions.len();
        let demand = &analysis.demand;
        let read_ever = |pos: u32| (0..=n).any(|t| demand.needed(pos, t));
        let slot_fact = |slot: u32| program.derived.iter().position(|d| d.slot == slot);
        // The derived facts each decision's guard and conditional likelihoods read.
        let probed: Vec<Vec<usize>> = program
            .decisions
            .iter()
            .map(|d| {
                let mut facts: Vec<usize> = d
                    .guard
                    .iter()
                    .chain(d.conditional.iter().map(|(c, _)| c))
                    .flat_map(|c| c.reads.iter().filter_map(|&slot| slot_fact(slot)))
                    .collect();
                facts.sort_unstable();
                facts.dedup();
                facts
            })
            .collect();
        let probes = probes(program, demand, &probed);
        let targets = |r: usize| {
            let rule = &program.rules[r];
            rule.sets
                .iter()
                .map(|s| s.0)
                .chain(rule.adds.iter().map(|a| a.0))
        };
        let mut cut = vec![Vec::new(); n + 1];
        let kind: Vec<DropKind> = program
            .rules
            .iter()
            .enumerate()
            .map(|(r, rule)| {
                if !read_ever(demand.rule_pos[r]) {
                    return DropKind::Unread;
                }
                if (rule.sets.is_empty() && rule.adds.is_empty()) || n == 0 {
                    return DropKind::Evaluate;
                }
                // The rule's own summaries must be ones a twin can be made of.
                let own = rule.adds.iter().all(|&(f, _)| {
                    program.derived[f].summed && matches!(demand.fact_key[f], FactKey::Sum { .. })
                }) && rule.sets.iter().all(|&(f, _)| !program.derived[f].summed);
                if !own {
                    return DropKind::Evaluate;
                }
                let close = analysis.close_level[r];
                let level = (close..n)
                    .find(|&level| analysis.can_merge(level))
                    .unwrap_or(n);
                // Before the decision it closes on is taken, a rule that needs it taken cannot
                // fire, so its facts are as without it until then.
                let first = match close.checked_sub(1) {
                    Some(last) if rule.when.false_while_unset(program.decisions[last].slot) => {
                        close
                    }
                    _ => 0,
                };
                let weighed = targets(r).any(|f| {
                    (first..level).any(|t| {
                        probes[f]
                            .get(t / 64)
                            .is_some_and(|w| w >> (t % 64) & 1 == 1)
                    })
                });
                if weighed {
                    return DropKind::Evaluate;
                }
                cut[level].push(r);
                DropKind::Cut(level)
            })
            .collect();
        let beside = kind
            .iter()
            .zip(&program.rules)
            .map(|(kind, rule)| match *kind {
                DropKind::Cut(level) if level < n => {
                    rule.sets.is_empty()
                        && rule.adds.iter().all(|&(f, _)| {
                            demand.fact_readers[f].is_empty()
                                && probed.iter().all(|facts| !facts.contains(&f))
                        })
                }
                _ => false,
            })
            .collect();
        let mut classes: std::collections::HashMap<&[(usize, i128)], u32> =
            std::collections::HashMap::new();
        let adds_class = program
            .rules
            .iter()
            .enumerate()
            .map(|(r, rule)| {
                if !rule.sets.is_empty() {
                    return NO_CLASS;
                }
                let next = u32::try_from(classes.len()).unwrap_or(NO_CLASS - 1);
                *classes.entry(demand.adds[r].as_slice()).or_insert(next)
            })
            .collect();
        let classes = classes.len();
        let mut folds = vec![false; program.rules.len()];
        for &r in demand.folding.iter().flatten() {
            folds[r] = true;
        }
        let thresholds = thresholds(program);
        let mut read_by_outcomes = vec![false; program.initial.len()];
        for code in program.outcomes.iter().filter_map(|o| o.when.as_ref()) {
            for &slot in code.reads.iter() {
                if let Some(read) = read_by_outcomes.get_mut(slot as usize) {
                    *read = true;
                }
            }
        }
        Self {
            kind,
            cut,
            folds,
            read_by_outcomes,
            thresholds,
            beside,
            adds_class,
            classes,
        }
    }

    /// Whether the final sum `f` compares alike with every number it is compared with as
    /// `before` and as `after`: then no condition can tell the two apart.
    pub(crate) fn same_side(&self, f: usize, before: f64, after: f64) -> bool {
        self.thresholds
            .get(f)
            .and_then(Option::as_ref)
            .is_some_and(|numbers| {
                numbers
                    .iter()
                    .all(|&k| (before < k) == (after < k) && (before == k) == (after == k))
            })
    }

    /// Whether some rule needs the search's recording.
    pub(crate) fn any_cut(&self) -> bool {
        self.cut.iter().any(|rules| !rules.is_empty())
    }
}

/// Per sum, the numbers it is compared with, when every condition uses it only so (see
/// [`DropPlan::thresholds`]).
fn thresholds(program: &Program) -> Vec<Option<Vec<f64>>> {
    let codes = crate::search::demand::conditions(program);
    program
        .derived
        .iter()
        .map(|derived| {
            let mut out = Vec::new();
            let comparable =
                derived.summed && codes.iter().all(|c| c.constants(derived.slot, &mut out));
            comparable.then_some(out)
        })
        .collect()
}

/// Per derived fact, as bits by level: where a guard or a likelihood reads it, or a fact it
/// changes through the rules that read it (the facts in its *cone*). A rule's drop changes
/// the facts in the cones of those it writes, so these bits tell where its drop weighs a path.
/// Found by passes over the facts from last to first in the dependency order, each taking its
/// readers' bits, until nothing changes (one pass and a check when the rules form no loop):
/// linear in the rules, where walking each rule's cone on its own was rules × rules.
fn probes(program: &Program, demand: &Demand, probed: &[Vec<usize>]) -> Vec<Vec<u64>> {
    let words = probed.len().div_ceil(64).max(1);
    let mut bits = vec![vec![0u64; words]; program.derived.len()];
    for (t, facts) in probed.iter().enumerate() {
        for &f in facts {
            bits[f][t / 64] |= 1 << (t % 64);
        }
    }
    let mut order: Vec<usize> = (0..program.derived.len()).collect();
    order.sort_by_key(|&f| std::cmp::Reverse(demand.fact_pos[f]));
    let mut changed = true;
    while changed {
        changed = false;
        for &f in &order {
            let mut own = std::mem::take(&mut bits[f]);
            for &w in &demand.fact_readers[f] {
                let rule = &program.rules[w];
                for g in rule
                    .sets
                    .iter()
                    .map(|s| s.0)
                    .chain(rule.adds.iter().map(|a| a.0))
                {
                    if g == f {
                        continue;
                    }
                    for (mine, theirs) in own.iter_mut().zip(&bits[g]) {
                        let merged = *mine | theirs;
                        changed |= merged != *mine;
                        *mine = merged;
                    }
                }
            }
            bits[f] = own;
        }
    }
    bits
}

/// The parent of arrivals that no memoised state encloses: the root, reached with certainty.
const ROOT: u32 = u32::MAX;
/// A path's end that counts for no outcome (ruled out by what is observed).
pub(crate) const NO_OUTCOME: u32 = u32::MAX;
/// A path's end that is an error without the rule (no outcome, or two).
pub(crate) const ERROR: u32 = u32::MAX - 1;

/// Most arrivals and links kept before the recording gives up (the rules are then evaluated):
/// about 64 MiB.
const MAX_ITEMS: usize = 1 << 21;

/// The share of the consistent mass below which a rule's drop is left to an evaluation: the
/// differences are exact up to rounding of the forecast's own size, not of what is left.
const CANCELLED: f64 = 1e-9;

/// Where a rule's drop sends one arrival.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target {
    /// From one memoised state to its twin without the rule.
    Entry { from: u32, to: u32 },
    /// From one outcome of a complete path to another ([`NO_OUTCOME`], [`ERROR`]).
    Leaf { from: u32, to: u32 },
}

#[derive(Clone, Copy, Debug)]
enum Item {
    Arrival {
        child: u32,
        weight: f64,
    },
    Link {
        weight: f64,
        rule: u32,
        target: Target,
    },
}

/// What the search records for the drops while it runs.
#[derive(Debug)]
pub(crate) struct DropRecorder {
    /// Per level: the probability of the path from the innermost open memoised state.
    pub(crate) weight: Vec<f64>,
    /// Open memoised states: where their items start in `pending`, and the error count then.
    scopes: Vec<(usize, u64)>,
    pending: Vec<Item>,
    /// Per closed state: its items, with the state as parent.
    arrivals: Vec<(u32, u32, f64)>,
    links: Vec<(u32, f64, u32, Target)>,
    /// Per memo entry: whether some path below it is an error.
    entry_error: Vec<bool>,
    /// Per memo entry: whether it was solved for a twin, recording nothing below it (it is
    /// solved again, recording, if a path of the search itself arrives there).
    unlinked: Vec<bool>,
    /// Per rule: the change in outcome mass found so far (from the links under the root, which
    /// need no reach: a path without any merge can have millions), and whether a path would end
    /// in an error.
    delta: Vec<Option<Vec<f64>>>,
    errors: Vec<bool>,
    outcomes: usize,
    /// Set when the recording cannot be trusted (a state not memoised, too many items): the
    /// rules are then evaluated.
    pub(crate) broken: bool,
}

impl DropRecorder {
    pub(crate) fn new(levels: usize, rules: usize, outcomes: usize) -> Self {
        Self {
            weight: vec![1.0; levels + 1],
            scopes: Vec::new(),
            pending: Vec::new(),
            arrivals: Vec::new(),
            links: Vec::new(),
            entry_error: Vec::new(),
            unlinked: Vec::new(),
            delta: vec![None; rules],
            errors: vec![false; rules],
            outcomes,
            broken: false,
        }
    }

    /// Moves `reach` of rule `rule`'s forecast from outcome `from` to `to`.
    fn move_mass(&mut self, rule: usize, reach: f64, from: u32, to: u32) {
        if to == ERROR {
            if let Some(e) = self.errors.get_mut(rule) {
                *e = true;
            }
            return;
        }
        let outcomes = self.outcomes;
        let Some(d) = self.delta.get_mut(rule) else {
            return;
        };
        let d = d.get_or_insert_with(|| vec![0.0; outcomes]);
        if let Some(acc) = d.get_mut(to as usize) {
            *acc += reach;
        }
        if let Some(acc) = d.get_mut(from as usize) {
            *acc -= reach;
        }
    }

    /// A memoised state starts being solved; `errors` counts the error paths so far.
    pub(crate) fn open(&mut self, errors: u64) {
        self.scopes.push((self.pending.len(), errors));
    }

    /// The state opened last was stored as memo entry `entry` (`None`: not stored);
    /// `linked`: what lies below it was recorded.
    pub(crate) fn close(&mut self, entry: Option<u32>, errors: u64, linked: bool) {
        let Some((start, before)) = self.scopes.pop() else {
            self.broken = true;
            return;
        };
        let Some(entry) = entry else {
            self.broken = true;
            self.pending.truncate(start);
            return;
        };
        if self.entry_error.len() <= entry as usize {
            self.entry_error.resize(entry as usize + 1, false);
        }
        self.entry_error[entry as usize] = errors != before;
        if self.unlinked.len() <= entry as usize {
            self.unlinked.resize(entry as usize + 1, false);
        }
        self.unlinked[entry as usize] = !linked;
        for i in start..self.pending.len() {
            let item = self.pending[i];
            self.keep(entry, item);
        }
        self.pending.truncate(start);
    }

    /// Keeps `item` with its parent known.
    fn keep(&mut self, parent: u32, item: Item) {
        match item {
            Item::Arrival { child, weight } => self.arrivals.push((parent, child, weight)),
            Item::Link {
                weight,
                rule,
                target,
            } => self.links.push((parent, weight, rule, target)),
        }
    }

    /// Whether memo entry `entry` was solved for a twin only, with nothing below it recorded.
    pub(crate) fn is_unlinked(&self, entry: u32) -> bool {
        self.unlinked.get(entry as usize).copied().unwrap_or(false)
    }

    /// Whether memo entry `entry` has an error path below it.
    pub(crate) fn has_error(&self, entry: u32) -> bool {
        self.entry_error
            .get(entry as usize)
            .copied()
            .unwrap_or(false)
    }

    /// An arrival at memo entry `child`, `weight` below the innermost open state.
    pub(crate) fn arrival(&mut self, child: u32, weight: f64) {
        self.push(Item::Arrival { child, weight });
    }

    /// Rule `rule`'s drop at an arrival `weight` below the innermost open state.
    pub(crate) fn link(&mut self, weight: f64, rule: usize, target: Target) {
        let rule = u32::try_from(rule).unwrap_or(u32::MAX);
        self.push(Item::Link {
            weight,
            rule,
            target,
        });
    }

    fn push(&mut self, item: Item) {
        if self.pending.len() + self.arrivals.len() + self.links.len() >= MAX_ITEMS {
            self.broken = true;
            return;
        }
        if self.scopes.is_empty() {
            // Under the root: nothing to wait for.
            match item {
                Item::Link {
                    weight,
                    rule,
                    target: Target::Leaf { from, to },
                } => self.move_mass(rule as usize, weight, from, to),
                _ => self.keep(ROOT, item),
            }
        } else {
            self.pending.push(item);
        }
    }

    /// Each rule's change in outcome mass below the search's root (reached with certainty),
    /// from the memo's masses (`mass_of(entry)`), and whether a path would end in an error
    /// without it.
    pub(crate) fn deltas<'m>(mut self, mass_of: impl Fn(u32) -> &'m [f64]) -> Deltas {
        // Parents complete after their children: in decreasing entry order every arrival into
        // a state is counted before the state passes its reach on.
        self.arrivals
            .sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut reach = vec![0.0; self.entry_error.len()];
        // Whether some path of the search itself arrives at each state, however unlikely: a
        // state solved only as some rule's twin stands for no path, and what is recorded below
        // it (another rule's drop in a world without the first) counts for nothing, errors
        // included. Reach alone cannot tell: a path of probability 0 is still a path.
        let mut reached = vec![false; self.entry_error.len()];
        let reach_of = |reach: &[f64], parent: u32| {
            if parent == ROOT {
                1.0
            } else {
                reach.get(parent as usize).copied().unwrap_or(0.0)
            }
        };
        let reached_of = |reached: &[bool], parent: u32| {
            parent == ROOT || reached.get(parent as usize).copied().unwrap_or(false)
        };
        for &(parent, child, weight) in &self.arrivals {
            let r = reach_of(&reach, parent) * weight;
            let on_a_path = reached_of(&reached, parent);
            if let Some(slot) = reach.get_mut(child as usize) {
                *slot += r;
            }
            if on_a_path && let Some(slot) = reached.get_mut(child as usize) {
                *slot = true;
            }
        }
        let links = std::mem::take(&mut self.links);
        for (parent, weight, rule, target) in links {
            if !reached_of(&reached, parent) {
                continue;
            }
            let rule = rule as usize;
            let r = reach_of(&reach, parent) * weight;
            match target {
                Target::Entry { from, to } => {
                    if self.has_error(to) {
                        if let Some(e) = self.errors.get_mut(rule) {
                            *e = true;
                        }
                        continue;
                    }
                    let outcomes = self.outcomes;
                    let Some(d) = self.delta.get_mut(rule) else {
                        continue;
                    };
                    let d = d.get_or_insert_with(|| vec![0.0; outcomes]);
                    for ((acc, new), old) in d.iter_mut().zip(mass_of(to)).zip(mass_of(from)) {
                        *acc += r * (new - old);
                    }
                }
                Target::Leaf { from, to } => self.move_mass(rule, r, from, to),
            }
        }
        Deltas {
            delta: self.delta,
            errors: self.errors,
        }
    }
}

/// Each rule's change in outcome mass below one root, and whether it leads to an error.
#[derive(Clone, Debug)]
pub(crate) struct Deltas {
    delta: Vec<Option<Vec<f64>>>,
    errors: Vec<bool>,
}

impl Deltas {
    /// No change for any of `rules` rules.
    pub(crate) fn none(rules: usize) -> Self {
        Self {
            delta: vec![None; rules],
            errors: vec![false; rules],
        }
    }

    /// Adds `other`, found below a state reached with probability `weight` from this root.
    pub(crate) fn add(&mut self, other: &Deltas, weight: f64) {
        for (mine, theirs) in self.delta.iter_mut().zip(&other.delta) {
            if let Some(theirs) = theirs {
                let mine = mine.get_or_insert_with(|| vec![0.0; theirs.len()]);
                for (a, b) in mine.iter_mut().zip(theirs) {
                    *a += weight * b;
                }
            }
        }
        for (mine, theirs) in self.errors.iter_mut().zip(&other.errors) {
            *mine |= *theirs;
        }
    }

    /// Each program rule's outcome mass without it, from the root's `mass`;
    /// [`Dropped::Error`] where a path would end in an error. Only the rules the plan cuts
    /// mean anything.
    pub(crate) fn finish(self, mass: &[f64]) -> Vec<Dropped> {
        let total: f64 = mass.iter().sum();
        self.errors
            .into_iter()
            .zip(self.delta)
            .map(|(error, delta)| {
                if error {
                    return Dropped::Error;
                }
                let mut moved = mass.to_vec();
                for (m, d) in moved.iter_mut().zip(delta.iter().flatten()) {
                    // A mass that is 0 exactly may come back as −1e-17.
                    *m = (*m + d).max(0.0);
                }
                // Nearly all the consistent mass gone: what is left may be rounding (and no
                // path at all may be consistent), which only an evaluation can tell apart.
                if moved.iter().sum::<f64>() <= CANCELLED * total {
                    return Dropped::Unsure;
                }
                Dropped::Mass(moved)
            })
            .collect()
    }
}

/// A rule's drop, as the search found it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Dropped {
    /// The outcome mass without the rule.
    Mass(Vec<f64>),
    /// Without the rule some path reaches no outcome, or two.
    Error,
    /// Nothing reads what the rule writes: the forecast does not move.
    Unchanged,
    /// Too little mass is left to trust the difference: the rule needs an evaluation.
    Unsure,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::walk::EvalLimits;
    use casus_core::SourceFile;
    use casus_core::limits::Limits;

    /// The facts a change to `f` reaches through the rules that read them, walked on their
    /// own: the naive cone.
    fn cone(program: &Program, demand: &Demand, f: usize) -> Vec<bool> {
        let mut facts = vec![false; program.derived.len()];
        let mut queue = vec![f];
        while let Some(g) = queue.pop() {
            if std::mem::replace(&mut facts[g], true) {
                continue;
            }
            for &w in &demand.fact_readers[g] {
                let rule = &program.rules[w];
                queue.extend(
                    rule.sets
                        .iter()
                        .map(|s| s.0)
                        .chain(rule.adds.iter().map(|a| a.0)),
                );
            }
        }
        facts
    }

    /// Every fact's probe levels, found in passes over the dependency order, are those of the
    /// facts in its cone walked on its own, on every bundled scenario and fixture with rules.
    #[test]
    fn the_probes_of_a_fact_are_those_of_its_cone() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut checked_facts = 0;
        for dir in [
            "scenarios",
            "tests/fixtures/analysis",
            "tests/fixtures/eval",
        ] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for path in entries.flatten().map(|e| e.path()) {
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let checked = crate::check_source(
                    &SourceFile::new(path.display().to_string(), text.as_str()),
                    &Limits::default(),
                    &EvalLimits::default(),
                );
                let Some(program) = checked.program else {
                    continue;
                };
                let Some(analysis) = Analysis::within(&program, &EvalLimits::default()) else {
                    continue;
                };
                let demand = &analysis.demand;
                // Each level reads a few facts, as guards and likelihoods would.
                let probed: Vec<Vec<usize>> = (0..program.decisions.len())
                    .map(|t| {
                        (0..program.derived.len())
                            .filter(|f| (f + t) % 3 == 0)
                            .collect()
                    })
                    .collect();
                let bits = probes(&program, demand, &probed);
                for (f, bits) in bits.iter().enumerate() {
                    let reached = cone(&program, demand, f);
                    for (t, facts) in probed.iter().enumerate() {
                        let naive = facts.iter().any(|&g| reached[g]);
                        let found = bits[t / 64] >> (t % 64) & 1 == 1;
                        assert_eq!(found, naive, "{}: fact {f} at level {t}", path.display());
                    }
                    checked_facts += 1;
                }
            }
        }
        assert!(checked_facts > 20, "only {checked_facts} facts checked");
    }
}
