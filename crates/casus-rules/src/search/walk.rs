//! The search over paths: depth-first, one decision per level, merging equal states.
//!
//! Paths are never stored: the search keeps one frame per level and folds each finished
//! subtree into its parent, so memory is flat in the number of paths. Where two prefixes reach
//! the same state (see [`crate::search::demand`]) the subtree's result is memoised and reused.

use rustc_hash::FxHashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use rayon::prelude::*;
use std::time::Instant;

use casus_core::model::Scenario;
use casus_core::{Code as DiagCode, Diagnostic};

use crate::compile::program::Program;
use crate::compile::value::Val;
use crate::graphs::merged::{Edge, MergedGraph, Recorder, Ref};
use crate::search::demand::{Analysis, FactKey, SCALE, Step, fixed};
use crate::search::drops::{
    Deltas, DropKind, DropPlan, DropRecorder, Dropped, ERROR, NO_CLASS, NO_OUTCOME, Target,
};
use crate::search::result::{Evaluation, KeyAssumption, OutcomeResult, PlayStep, Strategy};

mod beside;
mod gather;

use beside::Beside;
use gather::Gather;

/// Decisions fixed before evaluating (`--given`, tests); input facts are overridden at compile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Given {
    /// The option index fixed for each decision, if any.
    pub decisions: Vec<Option<usize>>,
    /// An outcome whose paths count as inconsistent with what is given, exactly like paths
    /// where a given decision is skipped: observing a signpost's condition rules out the paths
    /// where it is false (see `crate::analyses::signposts`, which adds such an outcome). `None` rules
    /// nothing out.
    pub ruled_out: Option<usize>,
}

impl Given {
    /// Nothing fixed, for a program with `n` decisions.
    pub fn none(n: usize) -> Self {
        Self {
            decisions: vec![None; n],
            ruled_out: None,
        }
    }
}

/// Bounds on one evaluation.
#[derive(Clone, Debug)]
pub struct EvalLimits {
    /// Most complete paths walked (after merging equal states) before giving up.
    pub max_paths: u64,
    /// Most memoised states kept; past it the search recomputes instead of remembering.
    pub max_memo: usize,
    /// When to give up.
    pub deadline: Option<Instant>,
    /// Worker threads for the search: 0 uses rayon's current pool (all cores by default), 1
    /// runs on the calling thread. The result is the same, byte for byte, for every value.
    pub threads: usize,
    /// Set by another thread to stop the evaluation, as if the deadline had passed.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl EvalLimits {
    /// Whether the deadline has passed or the evaluation was cancelled.
    pub fn expired(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() > d)
            || self
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

impl Default for EvalLimits {
    fn default() -> Self {
        Self {
            max_paths: 10_000_000,
            max_memo: 1 << 21,
            deadline: None,
            threads: 0,
            cancel: None,
        }
    }
}

const SKIPPED: u16 = u16::MAX;
/// Options whose values the line of play keeps.
const TRACKED: usize = 8;
/// Payoffs closer than this (relative) are a tie.
const TIE: f64 = 1e-9;

/// A line step not made yet (or a skipped decision's).
const NO_STEP: LineStep = LineStep {
    option: SKIPPED,
    optimal: 0,
    values: [0.0; TRACKED],
};

#[derive(Clone, Copy, Debug)]
struct LineStep {
    option: u16,
    optimal: u64,
    values: [f64; TRACKED],
}

#[derive(Clone, Debug)]
struct Frame {
    mass: Vec<f64>,
    payoff: Vec<f64>,
    dist: Vec<f64>,
    /// Unweighted sums, used at a chance node whose consistent options all have probability 0.
    flat_payoff: Vec<f64>,
    flat_dist: Vec<f64>,
    line: Vec<LineStep>,
    /// Where `line` is stored in the memo, or `NO_LINE`.
    line_id: u32,
    /// Where `line[1..]` (the chosen child's line) is stored in the memo, or `NO_LINE`.
    tail_id: u32,
    paths: u128,
    /// Scratch space for the node at this level's [`Gather`], kept to avoid allocating per
    /// node.
    scratch_values: Vec<f64>,
    scratch_optimal: Vec<usize>,
    /// The node's recorded option edges, while its children are solved.
    scratch_edges: Vec<Edge>,
}

impl Frame {
    /// A frame for `outcomes` outcomes and `actors` actors, its line of play not made yet.
    fn new(outcomes: usize, actors: usize) -> Self {
        Self {
            mass: vec![0.0; outcomes],
            payoff: vec![0.0; actors],
            dist: vec![0.0; outcomes],
            flat_payoff: vec![0.0; actors],
            flat_dist: vec![0.0; outcomes],
            line: Vec::new(),
            line_id: NO_LINE,
            tail_id: NO_LINE,
            paths: 0,
            scratch_values: Vec::new(),
            scratch_optimal: Vec::new(),
            scratch_edges: Vec::new(),
        }
    }
}

/// A line id meaning "not stored": the frame's line is only in its `line` array.
const NO_LINE: u32 = u32::MAX;
/// The line id of the empty line (below the last decision).
const END_LINE: u32 = u32::MAX - 1;

/// Memoised subtree results, in flat arrays: one entry per merged state.
///
/// Lines of play are stored once and shared: an entry's line is its own step followed by the
/// line of the child it chose, which is usually an entry itself. Storing each entry's whole
/// line instead would cost memory in proportion to the depth for every state.
#[derive(Debug, Default)]
struct Memo {
    /// Per level: the key of each state, and its entry. Keyed by a fast hash: the keys are
    /// short runs of option and sum bits, and a lookup happens at every merging state.
    index: Vec<FxHashMap<Box<[u64]>, u32>>,
    /// Per entry: mass, payoff and dist, `stride` numbers.
    values: Vec<f64>,
    stride: usize,
    paths: Vec<u128>,
    line: Vec<u32>,
    /// The line arena: a step and the id of the rest of the line.
    steps: Vec<LineStep>,
    next: Vec<u32>,
}

impl Memo {
    fn entries(&self) -> usize {
        self.paths.len()
    }

    /// Stores a line: `head`, then the line `tail` (an id) or, when the tail is not stored,
    /// the steps `rest`.
    fn store_line(&mut self, head: LineStep, tail: u32, rest: &[LineStep]) -> u32 {
        let mut next = tail;
        if next == NO_LINE {
            next = END_LINE;
            for step in rest.iter().rev() {
                next = self.push_step(*step, next);
            }
        }
        self.push_step(head, next)
    }

    fn push_step(&mut self, step: LineStep, next: u32) -> u32 {
        let id = u32::try_from(self.steps.len()).unwrap_or(NO_LINE);
        self.steps.push(step);
        self.next.push(next);
        id
    }

    /// Copies the line `id` into `out`.
    fn read_line(&self, mut id: u32, out: &mut [LineStep]) {
        for slot in out {
            let Some(step) = self.steps.get(id as usize) else {
                break;
            };
            *slot = *step;
            id = self.next.get(id as usize).copied().unwrap_or(END_LINE);
        }
    }
}

/// One change to the evaluation state, kept so the search can undo it when it backtracks.
#[derive(Clone, Copy, Debug)]
enum Undo {
    Fired(u32, bool),
    /// The step at this position was stale before it was evaluated.
    Stale(u32),
    /// The step at this position was fresh before a hypothetical change marked it stale.
    Fresh(u32),
    Slot(u32, Val),
    Total(u32, i128),
    Count(u32, u32),
    Sum(u32, i128),
    Set(u32, Option<(i64, Val)>),
}

/// The state after a prefix of decisions: slot values and what the rules make of them.
///
/// It is changed in place as decisions are taken and restored from a trail of [`Undo`]s as the
/// search backtracks, so a step costs what it changes, not the size of the scenario.
/// Rules and derived facts are recomputed only when an input changed and the
/// [`Demand`](crate::search::demand::Demand) says someone is about to read them, or when they become
/// needed again after a time nobody read them.
#[derive(Clone, Debug)]
struct State {
    slots: Vec<Val>,
    fired: Vec<bool>,
    /// Per summed fact: its fixed-point default plus the amounts of every writer that fires.
    total: Vec<i128>,
    /// Per fact whose writers all set one value: how many writers fire.
    count: Vec<u32>,
    /// Per summed fact: the fixed-point amounts of the closed writers that fired (memo key).
    sums: Vec<i128>,
    /// Per set fact: the winning `(priority, value)` among closed writers that fired.
    sets: Vec<Option<(i64, Val)>>,
    trail: Vec<Undo>,
    /// Steps waiting to run, as a bit per position in the dependency order; running them in
    /// position order runs every step after the steps it reads.
    pending: Vec<u64>,
    /// Per step position: whether an input may have changed since the step last ran, while
    /// nobody needed it. Setting it is not undone on backtracking (a stale mark only costs a
    /// needless evaluation); clearing it is.
    stale: Vec<bool>,
    /// The lowest and highest words of `pending` that may have a bit set.
    pending_lo: usize,
    pending_hi: usize,
    stack: Vec<Val>,
    /// Derived facts whose settling just found two firing rules in conflict.
    conflicts: Vec<usize>,
    /// Whether the state is one without a dropped rule, to be undone: stale marks then go on
    /// the trail too.
    hypothetical: bool,
    /// A bit per step position: whether a rule's drop changed an input of the step
    /// ([`State::rerun_cone`]); all clear between drops.
    changed: Vec<u64>,
}

impl State {
    /// The state before any decision, with every rule and derived fact evaluated.
    fn new(program: &Program, analysis: &Analysis) -> Self {
        let mut state = Self {
            slots: program.initial.clone(),
            fired: vec![false; program.rules.len()],
            total: program
                .derived
                .iter()
                .map(|d| fixed(d.default.num().unwrap_or(0.0)))
                .collect(),
            count: vec![0; program.derived.len()],
            sums: vec![0; program.derived.len()],
            sets: vec![None; program.derived.len()],
            trail: Vec::new(),
            pending: vec![0; analysis.steps.len().div_ceil(64)],
            stale: vec![false; analysis.steps.len()],
            pending_lo: usize::MAX,
            pending_hi: 0,
            stack: Vec::with_capacity(32),
            conflicts: Vec::new(),
            hypothetical: false,
            changed: vec![0; analysis.steps.len().div_ceil(64)],
        };
        for &step in &analysis.steps {
            match step {
                Step::Rule(r) => state.evaluate_rule(program, analysis, r, 0),
                Step::Fact(f) => state.settle(program, analysis, f, 0),
            }
        }
        state.fold(program, analysis, 0);
        state.trail.clear();
        state
    }

    /// Brings rules and facts up to date after decision `level` was taken (`changed`) or
    /// skipped, then folds the rules that close once it is.
    fn advance(&mut self, program: &Program, analysis: &Analysis, level: usize, changed: bool) {
        let t = level + 1;
        let demand = &analysis.demand;
        if changed && let Some(readers) = demand.decision_readers.get(level) {
            for &r in readers {
                self.signal_rule(analysis, r, t);
            }
        }
        if let Some(wake) = demand.wake.get(t) {
            for &pos in wake {
                if self.stale[pos as usize] {
                    self.push(pos);
                }
            }
        }
        self.sweep(program, analysis, t);
        // Summaries only feed memo keys: past the last level where states merge, nobody reads
        // them.
        if analysis.merges_from(t) {
            self.fold(program, analysis, t);
        }
    }

    /// Runs the pending steps at time `t`.
    fn sweep(&mut self, program: &Program, analysis: &Analysis, t: usize) {
        // INVARIANT: running a step only adds steps later in the dependency order, so one
        // forward sweep over the pending bits runs everything in order.
        let mut word = self.pending_lo;
        while let Some(pos) = take_lowest(&mut self.pending, &mut word, self.pending_hi) {
            match analysis.steps[pos] {
                Step::Rule(r) => self.evaluate_rule(program, analysis, r, t),
                Step::Fact(f) => self.settle(program, analysis, f, t),
            }
        }
        self.pending_lo = usize::MAX;
        self.pending_hi = 0;
    }

    #[inline]
    fn push(&mut self, pos: u32) {
        let word = pos as usize / 64;
        if let Some(w) = self.pending.get_mut(word) {
            *w |= 1u64 << (pos % 64);
            self.pending_lo = self.pending_lo.min(word);
            self.pending_hi = self.pending_hi.max(word);
        }
    }

    /// An input of rule `r` changed at time `t`.
    #[inline]
    fn signal_rule(&mut self, analysis: &Analysis, r: usize, t: usize) {
        let pos = analysis.demand.rule_pos[r];
        if analysis.demand.needed(pos, t) {
            self.push(pos);
        } else {
            self.mark_stale(pos);
        }
    }

    /// A writer of derived fact `f` changed at time `t`.
    #[inline]
    fn signal_fact(&mut self, analysis: &Analysis, f: usize, t: usize) {
        let pos = analysis.demand.fact_pos[f];
        if analysis.demand.needed(pos, t) {
            self.push(pos);
        } else {
            self.mark_stale(pos);
        }
    }

    /// Marks the step at `pos` stale. In a state without a rule (see `hypothetical`) the mark
    /// is undone with the rest: the state it goes back to is the one the marks were made for.
    #[inline]
    fn mark_stale(&mut self, pos: u32) {
        if let Some(stale) = self.stale.get_mut(pos as usize)
            && !*stale
        {
            *stale = true;
            if self.hypothetical {
                self.trail.push(Undo::Fresh(pos));
            }
        }
    }

    /// Forgets the steps waiting to run: after a state without a rule is undone, what its
    /// changes asked to run is as it was before them (nothing, at the end of a path).
    fn clear_pending(&mut self) {
        let hi = self.pending_hi.min(self.pending.len().saturating_sub(1));
        if self.pending_lo <= hi {
            self.pending[self.pending_lo..=hi].fill(0);
        }
        self.pending_lo = usize::MAX;
        self.pending_hi = 0;
    }

    /// Marks the step at `pos` fresh, remembering on the trail that it was not.
    #[inline]
    fn refresh(&mut self, pos: u32) {
        if let Some(stale) = self.stale.get_mut(pos as usize)
            && *stale
        {
            *stale = false;
            self.trail.push(Undo::Stale(pos));
        }
    }

    fn evaluate_rule(&mut self, program: &Program, analysis: &Analysis, r: usize, t: usize) {
        self.refresh(analysis.demand.rule_pos[r]);
        let rule = &program.rules[r];
        let fired = rule.when.holds(&self.slots, &mut self.stack);
        if fired == self.fired[r] {
            return;
        }
        self.trail.push(Undo::Fired(r as u32, self.fired[r]));
        self.fired[r] = fired;
        for &(f, amount) in &analysis.demand.adds[r] {
            self.trail.push(Undo::Total(f as u32, self.total[f]));
            if fired {
                self.total[f] += amount;
            } else {
                self.total[f] -= amount;
            }
            self.signal_fact(analysis, f, t);
        }
        for &(f, _) in &rule.sets {
            if analysis.demand.fact_key[f] == FactKey::Same {
                self.trail.push(Undo::Count(f as u32, self.count[f]));
                if fired {
                    self.count[f] += 1;
                } else {
                    self.count[f] = self.count[f].saturating_sub(1);
                }
            }
            self.signal_fact(analysis, f, t);
        }
    }

    /// Sets derived fact `f` from the rules that fire, and tells its readers if it changed.
    fn settle(&mut self, program: &Program, analysis: &Analysis, f: usize, t: usize) {
        self.refresh(analysis.demand.fact_pos[f]);
        let (value, conflict) = self.value_of(program, analysis, f);
        if conflict {
            self.conflicts.push(f);
        }
        let derived = &program.derived[f];
        let slot = derived.slot as usize;
        let Some(old) = self.slots.get(slot).copied() else {
            return;
        };
        if old.equals(value) && old.bits() == value.bits() {
            return;
        }
        self.trail.push(Undo::Slot(derived.slot, old));
        self.slots[slot] = value;
        if let Some(readers) = analysis.demand.fact_readers.get(f) {
            for &r in readers {
                self.signal_rule(analysis, r, t);
            }
        }
    }

    /// Derived fact `f`'s value from the rules that fire now, and whether two of them of equal
    /// priority set different values.
    fn value_of(&self, program: &Program, analysis: &Analysis, f: usize) -> (Val, bool) {
        let derived = &program.derived[f];
        if derived.summed {
            (summed(self.total[f]), false)
        } else if let (FactKey::Same, Some(value)) =
            (&analysis.demand.fact_key[f], analysis.demand.same_value[f])
        {
            // Every writer sets this value: whether one fires is all that matters, and
            // writers that agree never conflict.
            if self.count[f] > 0 {
                (value, false)
            } else {
                (derived.default, false)
            }
        } else {
            let mut best: Option<(i64, Val)> = None;
            let mut conflict = false;
            for &r in &analysis.writers[f] {
                if !self.fired[r] {
                    continue;
                }
                let rule = &program.rules[r];
                for &(target, value) in &rule.sets {
                    if target != f {
                        continue;
                    }
                    match best {
                        Some((p, _)) if rule.priority < p => {}
                        Some((p, v)) if rule.priority == p => {
                            if !v.equals(value) {
                                conflict = true;
                            }
                        }
                        _ => best = Some((rule.priority, value)),
                    }
                }
            }
            (best.map_or(derived.default, |(_, v)| v), conflict)
        }
    }

    /// Takes rule `r` out of the state at `level`, as if it had not fired, for a drop (see
    /// [`crate::search::drops`]): its amounts leave the totals, a writer leaves the count, and,
    /// once the rule is `folded` into the memo key's summaries, the summaries are made again
    /// without it. Its facts are marked for settling again. Everything is on the trail.
    fn drop_rule(
        &mut self,
        program: &Program,
        analysis: &Analysis,
        r: usize,
        level: usize,
        folded: bool,
    ) {
        self.trail.push(Undo::Fired(r as u32, true));
        self.fired[r] = false;
        for &(f, amount) in &analysis.demand.adds[r] {
            self.trail.push(Undo::Total(f as u32, self.total[f]));
            self.total[f] -= amount;
            if folded {
                self.trail.push(Undo::Sum(f as u32, self.sums[f]));
                self.sums[f] -= amount;
            }
            self.signal_fact(analysis, f, level);
        }
        for &(f, _) in &program.rules[r].sets {
            if analysis.demand.fact_key[f] == FactKey::Same {
                self.trail.push(Undo::Count(f as u32, self.count[f]));
                self.count[f] = self.count[f].saturating_sub(1);
            }
            if folded {
                self.summarise_set(program, analysis, f, level);
            }
            self.signal_fact(analysis, f, level);
        }
    }

    /// Makes fact `f`'s summary again from the closed writers that fired: the highest
    /// priority among them (two of equal priority that fired set one value, or the path would
    /// be an error).
    fn summarise_set(&mut self, program: &Program, analysis: &Analysis, f: usize, level: usize) {
        let mut best: Option<(i64, Val)> = None;
        for &w in &analysis.writers[f] {
            if !self.fired[w] || analysis.close_level[w] > level {
                continue;
            }
            let rule = &program.rules[w];
            for &(target, value) in &rule.sets {
                if target == f && best.is_none_or(|(p, _)| rule.priority > p) {
                    best = Some((rule.priority, value));
                }
            }
        }
        self.trail.push(Undo::Set(f as u32, self.sets[f]));
        self.sets[f] = best;
    }

    /// After rule `dropped` was dropped at `level`: settles its facts again and runs again the
    /// rules that read them, in order (its cone in `plan`, see [`crate::search::drops`]). A
    /// closed rule whose effect is read after it closes runs at once, its summaries made again
    /// when `summaries`; an open one is told by its inputs and runs when it is next needed.
    fn rerun_cone(
        &mut self,
        program: &Program,
        analysis: &Analysis,
        plan: &DropPlan,
        dropped: usize,
        level: usize,
        summaries: bool,
    ) {
        let demand = &analysis.demand;
        // Only what changes runs again: the dropped rule's facts, the readers of a fact whose
        // value moved, the facts of a reader that fires or stops firing. Marked by position in
        // the dependency order, and run in that order: a step only marks later ones.
        let targets = |w: usize| {
            let rule = &program.rules[w];
            rule.sets
                .iter()
                .map(|s| s.0)
                .chain(demand.adds[w].iter().map(|a| a.0))
        };
        /// Marks position `pos`; `hi` is the last word marked.
        fn mark(changed: &mut [u64], hi: &mut usize, pos: u32) {
            let word = pos as usize / 64;
            if let Some(w) = changed.get_mut(word) {
                *w |= 1u64 << (pos % 64);
                *hi = (*hi).max(word);
            }
        }
        let mut hi = 0;
        let mut word = usize::MAX;
        for f in targets(dropped) {
            let pos = demand.fact_pos[f];
            mark(&mut self.changed, &mut hi, pos);
            word = word.min(pos as usize / 64);
        }
        while let Some(pos) = take_lowest(&mut self.changed, &mut word, hi) {
            match analysis.steps[pos] {
                Step::Fact(f) => {
                    let slot = program.derived[f].slot as usize;
                    let before = self.slots[slot];
                    self.settle(program, analysis, f, level);
                    let after = self.slots[slot];
                    if before.equals(after) && before.bits() == after.bits() {
                        continue;
                    }
                    for &w in &demand.fact_readers[f] {
                        mark(&mut self.changed, &mut hi, demand.rule_pos[w]);
                    }
                }
                Step::Rule(w) => {
                    // A closed rule whose facts nothing reads after it closed cannot matter
                    // here (nor feed one that does).
                    if analysis.close_level[w] > level || !plan.folds[w] {
                        continue;
                    }
                    let before = self.fired[w];
                    self.evaluate_rule(program, analysis, w, level);
                    if self.fired[w] == before {
                        continue;
                    }
                    for f in targets(w) {
                        mark(&mut self.changed, &mut hi, demand.fact_pos[f]);
                    }
                    if !summaries {
                        continue;
                    }
                    for &(f, amount) in &analysis.demand.adds[w] {
                        self.trail.push(Undo::Sum(f as u32, self.sums[f]));
                        if self.fired[w] {
                            self.sums[f] += amount;
                        } else {
                            self.sums[f] -= amount;
                        }
                    }
                    for &(f, _) in &program.rules[w].sets {
                        self.summarise_set(program, analysis, f, level);
                    }
                }
            }
        }
    }

    /// Whether dropping rule `r` at the end of a path, where every fact is final, changes no
    /// fact any condition can tell apart: each sum it adds to stays on the same side of every
    /// number it is compared with, and each fact it sets is set to the same value by another
    /// writer that fires. Then its drop needs nothing run again.
    fn drop_moves_nothing(
        &self,
        program: &Program,
        analysis: &Analysis,
        plan: &DropPlan,
        r: usize,
    ) -> bool {
        let demand = &analysis.demand;
        let adds_alike = demand.adds[r].iter().all(|&(f, amount)| {
            let total = self.total[f];
            let (before, after) = (summed(total), summed(total - amount));
            match (before.num(), after.num()) {
                (Some(before), Some(after)) => plan.same_side(f, before, after),
                _ => false,
            }
        });
        adds_alike
            && program.rules[r].sets.iter().all(|&(f, _)| {
                demand.fact_key[f] == FactKey::Same
                    && demand.same_value[f].is_some()
                    && self.count[f] >= 2
            })
    }

    /// Moves the effect of rules that close at `level` into the summaries the memo key holds.
    fn fold(&mut self, program: &Program, analysis: &Analysis, level: usize) {
        let Some(folding) = analysis.demand.folding.get(level) else {
            return;
        };
        for &r in folding {
            if !self.fired[r] {
                continue;
            }
            let rule = &program.rules[r];
            for &(f, amount) in &analysis.demand.adds[r] {
                self.trail.push(Undo::Sum(f as u32, self.sums[f]));
                self.sums[f] += amount;
            }
            for &(f, value) in &rule.sets {
                match self.sets[f] {
                    Some((p, _)) if p >= rule.priority => {}
                    old => {
                        self.trail.push(Undo::Set(f as u32, old));
                        self.sets[f] = Some((rule.priority, value));
                    }
                }
            }
        }
    }

    /// Undoes every change made since the trail was `mark` long.
    fn undo(&mut self, mark: usize) {
        while self.trail.len() > mark {
            let Some(undo) = self.trail.pop() else { break };
            match undo {
                Undo::Fired(r, v) => self.fired[r as usize] = v,
                Undo::Stale(pos) => self.stale[pos as usize] = true,
                Undo::Fresh(pos) => self.stale[pos as usize] = false,
                Undo::Slot(s, v) => self.slots[s as usize] = v,
                Undo::Total(f, v) => self.total[f as usize] = v,
                Undo::Count(f, v) => self.count[f as usize] = v,
                Undo::Sum(f, v) => self.sums[f as usize] = v,
                Undo::Set(f, v) => self.sets[f as usize] = v,
            }
        }
    }
}

/// One `add` of a rule: the fact and the amount in fixed point.
type Add = (usize, i128);

/// Clears and returns the lowest bit set in `bits` from word `*word` to word `hi`, moving
/// `*word` up to it: the next step to run, in dependency order, of those marked (marking more
/// while the steps run is fine, as a step only marks later ones).
#[inline]
fn take_lowest(bits: &mut [u64], word: &mut usize, hi: usize) -> Option<usize> {
    while *word <= hi {
        let w = bits.get_mut(*word)?;
        if *w == 0 {
            *word += 1;
            continue;
        }
        let bit = w.trailing_zeros() as usize;
        *w &= !(1u64 << bit);
        return Some(*word * 64 + bit);
    }
    None
}

/// A summed fact's value for the fixed-point sum `total`.
fn summed(total: i128) -> Val {
    // An `i64` converts faster and to the same number when the sum fits (the `i128`
    // conversion is a call into the runtime, so it must not be made eagerly).
    let total = match i64::try_from(total) {
        Ok(t) => t as f64,
        Err(_) => total as f64,
    };
    Val::Num(total / SCALE)
}

/// Evaluates a compiled scenario: forecast, strategy and reachability in one pass.
///
/// Path-dependent errors (rule conflicts, paths with no outcome or two) and exceeded limits
/// come back as diagnostics.
pub fn evaluate(
    scenario: &Scenario,
    program: &Program,
    given: &Given,
    limits: &EvalLimits,
) -> Result<Evaluation, Vec<Diagnostic>> {
    evaluate_recorded(scenario, program, given, limits, 0).map(|(evaluation, _)| evaluation)
}

/// [`evaluate`], also recording the merged decision graph (see [`crate::graphs::merged`]) when
/// it has at most `max_graph_nodes` nodes; `None` past that, and for 0.
pub fn evaluate_recorded(
    scenario: &Scenario,
    program: &Program,
    given: &Given,
    limits: &EvalLimits,
    max_graph_nodes: usize,
) -> Result<(Evaluation, Option<MergedGraph>), Vec<Diagnostic>> {
    evaluate_recording(scenario, program, given, limits, max_graph_nodes, false)
        .map(|(evaluation, recording)| (evaluation, recording.graph))
}

/// What an evaluation recorded beside its result, for the analyses to start from.
#[derive(Debug, Default)]
pub(crate) struct Recording {
    /// The merged decision graph, when asked for and within its budget.
    pub(crate) graph: Option<MergedGraph>,
    /// When asked for: the forecast mass without each rule, by scenario rule index, where the
    /// search could find it (see [`crate::search::drops`]); `None` for a rule that needs an
    /// evaluation of its own, and for every rule when the recording could not be trusted
    /// (the memo filled up, the paths below twins passed the path limit).
    pub(crate) drops: Option<Vec<Option<Dropped>>>,
}

/// [`evaluate_recorded`], also finding the drops of the rules when `drops` is set: in the
/// same search, so a forecast and its assumption ranking cost one search, not two. What the
/// drops need solved beyond the evaluation (the states without a rule, its *twins*) changes
/// nothing of the evaluation: it is the same, bit for bit, with and without.
pub(crate) fn evaluate_recording(
    scenario: &Scenario,
    program: &Program,
    given: &Given,
    limits: &EvalLimits,
    max_graph_nodes: usize,
    drops: bool,
) -> Result<(Evaluation, Recording), Vec<Diagnostic>> {
    evaluate_recording_with(
        scenario,
        program,
        given,
        limits,
        max_graph_nodes,
        drops,
        true,
    )
}

/// [`evaluate_recording`]; `beside`: whether twins may be solved beside the search's own
/// states (see [`beside`]), which tests turn off to compare with solving each on its own.
fn evaluate_recording_with(
    scenario: &Scenario,
    program: &Program,
    given: &Given,
    limits: &EvalLimits,
    max_graph_nodes: usize,
    drops: bool,
    beside: bool,
) -> Result<(Evaluation, Recording), Vec<Diagnostic>> {
    let Some(analysis) = Analysis::within(program, limits) else {
        return Err(vec![time_limit()]);
    };
    let plan = drops.then(|| {
        let mut plan = DropPlan::new(program, &analysis);
        if !beside {
            plan.beside.fill(false);
        }
        plan
    });
    // The plan is only needed in the search when some rule is cut.
    let cut = plan.as_ref().filter(|plan| plan.any_cut());
    let split = split_level(program, &analysis);
    let shared = Shared::default();
    let recorder = || {
        DropRecorder::new(
            program.decisions.len(),
            program.rules.len(),
            program.outcomes.len(),
        )
    };
    let record = |search: &mut Search<'_>| {
        if max_graph_nodes > 0 {
            search.recorder = Some(Recorder::new(program));
            search.graph_budget = max_graph_nodes;
        }
    };
    let by_index = |dropped: Option<Vec<Dropped>>| {
        plan.as_ref()
            .map(|plan| drops_by_index(scenario, program, plan, dropped))
    };
    if split == 0 {
        let mut search = Search::new(scenario, program, &analysis, given, limits.clone(), &shared);
        record(&mut search);
        if let Some(plan) = cut {
            search.find_drops(plan, recorder());
        }
        search.solve(0);
        let dropped = match cut {
            Some(_) => search
                .drop_deltas()
                .map(|deltas| deltas.finish(&search.frames[0].mass)),
            None => Some(Vec::new()),
        };
        let (evaluation, graph) = search.finish()?;
        let drops = by_index(dropped);
        return Ok((evaluation, Recording { graph, drops }));
    }

    // Collect the state at the split level of every prefix, in search order, and the chance
    // of its prefix when the drops are found.
    let mut collect = Search::new(scenario, program, &analysis, given, limits.clone(), &shared);
    collect.split = Split::Collect(split, Vec::new());
    if cut.is_some() {
        collect.drops = Some(recorder());
    }
    collect.solve(0);
    let Split::Collect(_, tasks) = std::mem::replace(&mut collect.split, Split::None) else {
        return Err(Vec::new());
    };
    let weights = std::mem::take(&mut collect.task_weights);
    drop(collect);

    // Solve each subtree with its own memo; no state of one can equal a state of another
    // (see `split_level`), so nothing is lost by not sharing. A rule is cut only where states
    // merge, which is below the split, and its twins differ from the arrivals only in
    // summaries, so they lie in the same subtree: each subtree records its drops on its own.
    let sub_limits = subtree_limits(limits, tasks.len());
    let solve = |state: &State| {
        let mut search = Search::below(
            scenario,
            program,
            &analysis,
            given,
            &sub_limits,
            &shared,
            state,
        );
        record(&mut search);
        if let Some(plan) = cut {
            search.find_drops(plan, recorder());
        }
        search.solve(split);
        search.into_subtree(split)
    };
    let mut results: Vec<Subtree> = on_workers(&tasks, limits.threads, solve);

    let dropped = match cut {
        Some(_) => subtree_drops(program, &mut results, &weights),
        None => Some(Vec::new()),
    };

    // Walk the top again, taking each subtree's result in the same order.
    let mut top = Search::new(scenario, program, &analysis, given, limits.clone(), &shared);
    record(&mut top);
    if let Some(recorder) = &mut top.recorder {
        // Room for every subtree's graph at once, instead of growing (and copying) as each
        // is absorbed.
        recorder.reserve_for(results.iter().filter_map(|sub| sub.recorder.as_ref()));
    }
    top.split = Split::Consume(split, results.into_iter());
    top.solve(0);
    // A stopped walk absorbs no more subtrees. If the one it absorbed had only been cancelled
    // by another, the diagnostic of the subtree that hit the limit is among the rest.
    if let Split::Consume(_, rest) = std::mem::take(&mut top.split) {
        for sub in rest {
            if top.cancelled
                && !sub.cancelled
                && let Some(stopped) = sub.stopped
            {
                top.stopped = Some(stopped);
                top.cancelled = false;
            }
        }
    }
    let (evaluation, graph) = top.finish()?;
    let drops = by_index(dropped);
    Ok((evaluation, Recording { graph, drops }))
}

/// The drops found below the subtrees reached with chances `weights` (taken out of
/// `results`), summed in search order, so that every thread count gives the same numbers;
/// `None` when some subtree's cannot be trusted.
fn subtree_drops(
    program: &Program,
    results: &mut [Subtree],
    weights: &[f64],
) -> Option<Vec<Dropped>> {
    if weights.len() != results.len() {
        return None;
    }
    let mut mass = vec![0.0; program.outcomes.len()];
    let mut total = Deltas::none(program.rules.len());
    for (sub, weight) in results.iter_mut().zip(weights) {
        let deltas = sub.deltas.take()?;
        for (m, s) in mass.iter_mut().zip(&sub.frame.mass) {
            *m += weight * s;
        }
        total.add(&deltas, *weight);
    }
    Some(total.finish(&mass))
}

/// The drops the search found (`None`: it could not be trusted), by scenario rule index.
fn drops_by_index(
    scenario: &Scenario,
    program: &Program,
    plan: &DropPlan,
    dropped: Option<Vec<Dropped>>,
) -> Vec<Option<Dropped>> {
    let mut by_index = vec![None; scenario.rules.len()];
    let Some(dropped) = dropped else {
        return by_index;
    };
    for (r, rule) in program.rules.iter().enumerate() {
        let found = match plan.kind[r] {
            DropKind::Evaluate => None,
            DropKind::Cut(_) => dropped.get(r).cloned(),
            DropKind::Unread => Some(Dropped::Unchanged),
        };
        if let Some(slot) = by_index.get_mut(rule.index) {
            *slot = found;
        }
    }
    by_index
}

/// The limits of one of `tasks` subtrees: a share of the memo each.
fn subtree_limits(limits: &EvalLimits, tasks: usize) -> EvalLimits {
    let mut sub = limits.clone();
    sub.max_memo = limits.max_memo / tasks.max(1);
    sub
}

/// `solve` for each task, in order: on this thread for one thread, on rayon's pool for 0, on
/// a pool of its own for more. The search recurses once per decision: the workers get the
/// session's deep stacks.
fn on_workers<T: Sync, R: Send>(
    tasks: &[T],
    threads: usize,
    solve: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    match threads {
        1 => tasks.iter().map(solve).collect(),
        0 => tasks.par_iter().map(solve).collect(),
        threads => match rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(crate::session::STACK_BYTES)
            .build()
        {
            Ok(pool) => pool.install(|| tasks.par_iter().map(&solve).collect()),
            Err(_) => tasks.iter().map(solve).collect(),
        },
    }
}

/// The level at which the search splits into independent subtrees, or 0 for no split.
///
/// Splitting at level `s` is exact only if no state below `s` can be reached from two
/// different prefixes of length `s`; then each subtree's own memo sees every merge the
/// serial search would, and the combined result is the serial one bit for bit (node counts
/// and key-assumption counts included). That holds when decisions `0..s` are part of the
/// memo key at every level where states merge. The level is a function of the program alone,
/// never of the thread count, so every thread count gives the same result.
fn split_level(program: &Program, analysis: &Analysis) -> usize {
    /// Enough subtrees to keep every core busy to the end.
    const TASKS: u128 = 64;
    /// Below this many paths a split costs more than it saves.
    const MIN_PATHS: u128 = 1 << 14;
    let n = program.decisions.len();
    let paths = program.decisions.iter().fold(1u128, |acc, d| {
        acc.saturating_mul(d.options.len().max(1) as u128)
    });
    if n < 2 || paths < MIN_PATHS {
        return 0;
    }
    let safe = |s: usize| {
        (s..=n).all(|level| {
            !analysis.can_merge(level)
                || analysis.live[level]
                    .get(..s)
                    .is_some_and(|prefix| prefix.iter().copied().eq(0..s))
        })
    };
    let mut tasks = 1u128;
    let mut best = 0;
    for s in 1..n {
        tasks = tasks.saturating_mul(program.decisions[s - 1].options.len().max(1) as u128);
        if !safe(s) {
            break;
        }
        best = s;
        if tasks >= TASKS {
            break;
        }
    }
    best
}

/// Where a rule's drop lands at one arrival.
#[derive(Clone, Copy, Debug)]
enum Landing {
    /// The memo entry of the state without the rule.
    State(u32),
    /// A state the memo could not keep: the recording cannot be trusted.
    Unrecorded,
    /// Without the rule, the state itself is an error (a conflict).
    Error,
}

/// Counters shared by the subtrees of one evaluation.
#[derive(Debug, Default)]
struct Shared {
    /// Complete paths walked by all subtrees, added in batches.
    walked: AtomicU64,
    /// Set when a subtree hit a limit, so the others stop too.
    cancel: AtomicBool,
    /// Graph nodes recorded by all subtrees, against the graph's budget.
    recorded: AtomicUsize,
}

/// What a subtree search hands back to the top.
#[derive(Debug)]
struct Subtree {
    frame: Frame,
    outcome_reachable: Vec<bool>,
    option_reachable: Vec<Vec<bool>>,
    flags: Vec<Option<KeyAssumption>>,
    errors: Vec<(String, Diagnostic)>,
    walked: u64,
    nodes: u64,
    stopped: Option<Diagnostic>,
    cancelled: bool,
    /// The subtree's recorded graph (`None` when not recording or over the budget) and its
    /// root.
    recorder: Option<Recorder>,
    root: Option<Ref>,
    /// The rules' drops found below the subtree's root, when they are found and can be
    /// trusted.
    deltas: Option<Deltas>,
}

/// Whether and how the search is split into subtrees.
#[derive(Debug, Default)]
enum Split {
    /// One search does everything.
    #[default]
    None,
    /// At the split level, record the state and go no deeper.
    Collect(usize, Vec<State>),
    /// At the split level, take the next subtree's result.
    Consume(usize, std::vec::IntoIter<Subtree>),
}

/// Paths walked locally before they are added to the shared count.
const WALK_BATCH: u64 = 1024;

/// Frames made between two looks at the deadline.
const FRAMES_PER_CHECK: usize = 256;

/// Line steps copied and key words hashed between two looks at the deadline: milliseconds
/// of work.
const WORK_PER_CHECK: u64 = 1 << 20;

/// The work of one rule dropped at an arrival or at the end of a path, in the units of
/// [`WORK_PER_CHECK`]: a path where dozens of rules fired costs as much as a node with
/// thousands of decisions below.
const WORK_PER_DROP: u64 = 64;

/// The search, or an analysis that evaluates, ran out of time.
pub(crate) fn time_limit() -> Diagnostic {
    Diagnostic::new(
        DiagCode::LimitExceeded,
        "evaluation took longer than the time limit",
    )
    .help("simplify the scenario, or raise the limit with `--timeout`")
}

struct Search<'a> {
    scenario: &'a Scenario,
    program: &'a Program,
    analysis: &'a Analysis,
    given: &'a Given,
    limits: EvalLimits,
    state: State,
    frames: Vec<Frame>,
    memo: Memo,
    key: Vec<u64>,
    outcome_reachable: Vec<bool>,
    option_reachable: Vec<Vec<bool>>,
    flags: Vec<Option<KeyAssumption>>,
    errors: Vec<Diagnostic>,
    error_keys: Vec<String>,
    walked: u64,
    nodes: u64,
    stopped: Option<Diagnostic>,
    /// The outcome of the complete path just reached (`None`: an error path).
    leaf_outcome: Option<usize>,
    split: Split,
    /// With [`Split::Collect`] and drops recorded: the chance of each collected prefix.
    task_weights: Vec<f64>,
    /// How many twins (see [`crate::search::drops`]) the search is solving inside. What a twin's
    /// subtree finds stands for no path of the evaluation: it counts toward no path, node,
    /// error, reachable option or key assumption, and its nodes are not recorded in the graph.
    /// A state first solved for a twin is solved again when a path of the search arrives.
    twin_depth: u32,
    /// Complete paths walked below twins: past the path limit the drops are left to
    /// evaluations (the evaluation itself goes on).
    twin_walked: u64,
    /// States solved below twins: with `nodes`, how often the deadline is looked at.
    twin_nodes: u64,
    /// Memo entries stored for twins and not yet reached by a path of the search: they do not
    /// count against the evaluation's memo limit, and at most half as many are kept.
    twin_entries: usize,
    shared: &'a Shared,
    /// Paths walked and not yet added to `shared.walked`.
    unshared: u64,
    /// Most distinct errors kept.
    error_cap: usize,
    /// Whether the search conditions on evidence: a given decision, a ruled-out outcome or
    /// likelihood ratios. Then a chance node weighs each option by its probability times the
    /// mass of consistent paths below it, so nature's averages are posteriors; without
    /// evidence that mass is 1 for every option and the plain probability is used, exactly.
    conditioned: bool,
    /// Whether `stopped` only says that another subtree stopped.
    cancelled: bool,
    /// The merged graph being recorded, if wanted and still within its budget.
    recorder: Option<Recorder>,
    /// Most nodes the graph may have, over every subtree of the evaluation.
    graph_budget: usize,
    /// The recorded node of the state just solved (`None`: no consistent path below it).
    last: Option<Ref>,
    /// Which rules' drops this search finds, and what it records for them (see
    /// [`crate::search::drops`]).
    drop_plan: Option<&'a DropPlan>,
    drops: Option<DropRecorder>,
    /// Paths found to be errors so far (no outcome, two, a conflict), beyond the error cap.
    error_paths: u64,
    /// Per level: the twins being solved beside the state there (see [`beside`]).
    beside: Vec<Vec<Beside>>,
    /// Frames of twins solved beside a state, kept for the next.
    spare: Vec<(Frame, Gather)>,
    /// Per level: the key of the state there, kept for its twins (see [`beside`]).
    own_keys: Vec<Vec<u64>>,
    /// Per level: where the twins of the state just solved there land, by class of amounts
    /// (an entry, [`beside::OWN`] or [`beside::UNKNOWN`]), and which twin riding along each
    /// is, for its arrival.
    known: Vec<Vec<(u32, u32, u32)>>,
    /// Per level: whether `known` there was found when the state there was solved, for its
    /// arrival.
    known_fresh: Vec<bool>,
    /// Whether the node about to be solved is a state of the search's own, met for the first
    /// time, whose twins may be solved beside it.
    beside_here: bool,
    /// Whether twins wait to be solved beside the state about to be solved.
    riding: bool,
    /// Per derived fact: its default in fixed point, where the memo key's sums start.
    defaults: Vec<i128>,
    /// Per class of amounts (see [`DropPlan::adds_class`]): the path at whose end it was last
    /// asked whether its drop moves nothing, and the answer.
    class_asked: Vec<u64>,
    class_nothing: Vec<bool>,
    /// Paths whose drops were asked about so far.
    leaf_epoch: u64,
    /// The twins met at one arrival, by the class of their rule's amounts (kept to avoid
    /// allocating per arrival).
    twins_met: Vec<(u32, Landing)>,

    /// Line steps copied and key words hashed since the deadline was last looked at: a node
    /// costs time in proportion to the decisions below it and to its memo key, so with
    /// thousands of decisions a few thousand nodes take longer than the deadline's slack.
    work: u64,
}

impl<'a> Search<'a> {
    fn new(
        scenario: &'a Scenario,
        program: &'a Program,
        analysis: &'a Analysis,
        given: &'a Given,
        limits: EvalLimits,
        shared: &'a Shared,
    ) -> Self {
        let n = program.decisions.len();
        let (outcomes, actors) = (program.outcomes.len(), program.actors.len());
        // Frames are made for every level up front, so their making watches the deadline like
        // the search does (from the first few hundred on, so a small search is as lenient with
        // a deadline as ever); a search whose frames could not all be made in time stops before
        // it starts, and its frames from there on are empty: a stopped search reads none.
        // Their lines of play, quadratic in the decisions together (gigabytes for a game of
        // thousands of moves), are made only when the search reaches each level (see
        // `Search::line_for`).
        let mut stopped = None;
        let mut frames = Vec::with_capacity(n + 1);
        for level in 0..=n {
            if stopped.is_none() && level > 0 && level % FRAMES_PER_CHECK == 0 && limits.expired() {
                stopped = Some(time_limit());
            }
            let (outcomes, actors) = if stopped.is_some() {
                (0, 0)
            } else {
                (outcomes, actors)
            };
            frames.push(Frame::new(outcomes, actors));
        }
        let mut search = Self {
            scenario,
            program,
            analysis,
            given,
            limits,
            state: State::new(program, analysis),
            frames,
            memo: Memo {
                index: vec![FxHashMap::default(); n + 1],
                stride: 2 * outcomes + actors,
                ..Memo::default()
            },
            key: Vec::new(),
            outcome_reachable: vec![false; outcomes],
            option_reachable: program
                .decisions
                .iter()
                .map(|d| vec![false; d.options.len()])
                .collect(),
            flags: vec![None; n],
            errors: Vec::new(),
            error_keys: Vec::new(),
            walked: 0,
            nodes: 0,
            work: 0,
            stopped,
            leaf_outcome: None,
            split: Split::None,
            task_weights: Vec::new(),
            twin_depth: 0,
            twin_walked: 0,
            twin_nodes: 0,
            twin_entries: 0,
            shared,
            unshared: 0,
            error_cap: 20,
            conditioned: program.evidence
                || given.ruled_out.is_some()
                || given.decisions.iter().any(Option::is_some),
            cancelled: false,
            recorder: None,
            graph_budget: 0,
            last: None,
            drop_plan: None,
            drops: None,
            error_paths: 0,
            beside: (0..=n).map(|_| Vec::new()).collect(),
            spare: Vec::new(),
            own_keys: vec![Vec::new(); n + 1],
            known: vec![Vec::new(); n + 1],
            known_fresh: vec![false; n + 1],
            beside_here: false,
            riding: false,
            twins_met: Vec::new(),
            class_asked: Vec::new(),
            class_nothing: Vec::new(),
            leaf_epoch: 0,
            defaults: program
                .derived
                .iter()
                .map(|d| fixed(d.default.num().unwrap_or(0.0)))
                .collect(),
        };
        search.report_conflicts(0);
        search
    }

    /// The search of the subtree below `state`, a state collected at the split level: every
    /// error is kept, for the top to count.
    fn below(
        scenario: &'a Scenario,
        program: &'a Program,
        analysis: &'a Analysis,
        given: &'a Given,
        limits: &EvalLimits,
        shared: &'a Shared,
        state: &State,
    ) -> Self {
        let mut search = Self::new(scenario, program, analysis, given, limits.clone(), shared);
        search.state = state.clone();
        search.error_cap = usize::MAX;
        search
    }

    /// Finds the drops `plan` cuts, recording them in `recorder`.
    fn find_drops(&mut self, plan: &'a DropPlan, recorder: DropRecorder) {
        self.drop_plan = Some(plan);
        self.drops = Some(recorder);
        self.class_asked = vec![0; plan.classes];
        self.class_nothing = vec![false; plan.classes];
    }

    /// Takes decision `level` (or skips it) and brings the state up to date.
    fn advance(&mut self, level: usize, changed: bool) {
        self.state
            .advance(self.program, self.analysis, level, changed);
        self.report_conflicts(level + 1);
    }

    fn report_conflicts(&mut self, taken: usize) {
        if self.state.conflicts.is_empty() {
            return;
        }
        for f in std::mem::take(&mut self.state.conflicts) {
            self.report_conflict(f, taken);
        }
    }

    fn solve(&mut self, level: usize) {
        // Whether twins ride along with this state (see `beside`).
        let riding = std::mem::take(&mut self.riding);
        self.last = None;
        if self.stopped.is_some() {
            self.clear(level);
            self.leaf_outcome = None;
            return;
        }
        match &mut self.split {
            Split::Collect(split, tasks) if *split == level => {
                let mut state = self.state.clone();
                state.trail.clear();
                tasks.push(state);
                if let Some(drops) = &self.drops {
                    self.task_weights.push(drops.weight[level]);
                }
                self.clear(level);
                return;
            }
            Split::Consume(split, results) if *split == level => {
                match results.next() {
                    Some(sub) => self.absorb(level, sub),
                    None => self.clear(level),
                }
                return;
            }
            _ => {}
        }
        if level == self.program.decisions.len() {
            self.leaf();
            return;
        }
        let mergeable = self.analysis.can_merge(level);
        let mut key = None;
        // A state solved only for a twin, which a path of the search now reaches: solved again,
        // recording what lies below it, under its entry.
        let mut relink = None;
        if mergeable {
            self.make_key(level);
            self.work += self.key.len() as u64;
            let found = self.memo.index[level].get(self.key.as_slice()).copied();
            if let Some(entry) = found
                && self.twin_depth == 0
                && self.drops.as_ref().is_some_and(|d| d.is_unlinked(entry))
            {
                relink = Some((entry, self.key.clone().into_boxed_slice()));
            } else if let Some(entry) = found {
                if riding {
                    self.host(level);
                }
                self.load(level, entry);
                self.last = self
                    .recorder
                    .as_ref()
                    .and_then(|r| r.recall(entry as usize));
                if let Some(drops) = &self.drops {
                    if drops.has_error(entry) {
                        self.error_paths += 1;
                    }
                    let weight = drops.weight[level];
                    self.arrive(level, entry, weight);
                }
                return;
            } else {
                key = Some(self.key.clone().into_boxed_slice());
            }
        }
        // Counted once solved, not when found in the memo: `nodes` is the states solved.
        if self.twin_depth == 0 {
            self.nodes += 1;
        } else {
            self.twin_nodes += 1;
        }
        if (self.nodes + self.twin_nodes).is_multiple_of(4096) || self.work >= WORK_PER_CHECK {
            self.poll();
        }
        let mut arrival = 1.0;
        if let Some(drops) = &mut self.drops
            && (key.is_some() || relink.is_some())
        {
            arrival = drops.weight[level];
            drops.weight[level] = 1.0;
            drops.open(self.error_paths);
        }
        self.beside_here =
            self.twin_depth == 0 && self.drops.is_some() && (key.is_some() || relink.is_some());
        if let Some(fresh) = self.known_fresh.get_mut(level) {
            *fresh = false;
        }
        self.node(level);
        self.work += (self.program.decisions.len() - level) as u64;
        if self.work >= WORK_PER_CHECK {
            self.poll();
        }
        let linked = self.twin_depth == 0;
        if let Some((entry, key)) = relink {
            // Now a state of the evaluation's own: kept only if the evaluation alone would have
            // had room for it, so that it merges exactly the states it would merge alone.
            let base = self.memo.entries() - self.twin_entries + 1;
            if base > self.limits.max_memo || self.stopped.is_some() {
                self.memo.index[level].remove(&key);
                if let Some(drops) = &mut self.drops {
                    drops.close(None, self.error_paths, true);
                }
                return;
            }
            if let Some(drops) = &mut self.drops {
                drops.close(Some(entry), self.error_paths, true);
            }
            // The entry's values and line are the twin's solve of this very state.
            self.frames[level].line_id = self.memo.line[entry as usize];
            if let Some(recorder) = &mut self.recorder {
                recorder.remember_at(entry as usize, self.last);
            }
            self.twin_entries = self.twin_entries.saturating_sub(1);
            self.arrive(level, entry, arrival);
        } else if let Some(key) = key {
            let entry = self.store(level, key);
            if let Some(drops) = &mut self.drops {
                drops.close(entry, self.error_paths, linked);
                if let Some(entry) = entry {
                    self.arrive(level, entry, arrival);
                }
            }
        }
    }

    /// Copies memo entry `entry` into the frame at `level`.
    fn load(&mut self, level: usize, entry: u32) {
        self.line_for(level);
        let (outcomes, actors) = (self.program.outcomes.len(), self.program.actors.len());
        let entry = entry as usize;
        let start = entry * self.memo.stride;
        let values = &self.memo.values[start..start + self.memo.stride];
        let frame = &mut self.frames[level];
        frame.mass.copy_from_slice(&values[..outcomes]);
        frame
            .payoff
            .copy_from_slice(&values[outcomes..outcomes + actors]);
        frame.dist.copy_from_slice(&values[outcomes + actors..]);
        frame.paths = self.memo.paths[entry];
        frame.line_id = self.memo.line[entry];
        self.memo.read_line(frame.line_id, &mut frame.line);
    }

    /// Stores the state just solved at `level` under `key`, unless the memo is full or the
    /// search stopped.
    fn store(&mut self, level: usize, key: Box<[u64]>) -> Option<u32> {
        // Twins' entries are kept apart, so that the evaluation merges the states it would
        // merge without them.
        let full = if self.twin_depth == 0 {
            self.memo.entries() - self.twin_entries >= self.limits.max_memo
        } else {
            self.twin_entries >= self.limits.max_memo / 2
        };
        if full || self.stopped.is_some() {
            return None;
        }
        if self.twin_depth > 0 {
            self.twin_entries += 1;
        }
        let frame = &mut self.frames[level];
        let line = match frame.line.split_first() {
            Some((head, rest)) => self.memo.store_line(*head, frame.tail_id, rest),
            None => END_LINE,
        };
        frame.line_id = line;
        self.memo.values.extend_from_slice(&frame.mass);
        self.memo.values.extend_from_slice(&frame.payoff);
        self.memo.values.extend_from_slice(&frame.dist);
        self.memo.paths.push(frame.paths);
        self.memo.line.push(line);
        let entry = u32::try_from(self.memo.entries() - 1).unwrap_or(u32::MAX);
        self.memo.index[level].insert(key, entry);
        if let Some(recorder) = &mut self.recorder {
            recorder.remember(self.last);
        }
        Some(entry)
    }

    /// Records an arrival at memo entry `entry` (`weight` below the innermost open state) and,
    /// for each rule cut at `level` that fired here, where dropping it lands: the twin state
    /// without the rule's amounts, solved if the search has not met it.
    fn arrive(&mut self, level: usize, entry: u32, weight: f64) {
        if self.twin_depth > 0 {
            return;
        }
        let (Some(plan), Some(drops)) = (self.drop_plan, &mut self.drops) else {
            return;
        };
        if drops.broken {
            // Nothing recorded counts any more: the drops are left to evaluations.
            return;
        }
        drops.arrival(entry, weight);
        let analysis = self.analysis;
        // The state's recorded node, which solving a twin overwrites.
        let last = self.last;
        // The twins of rules dropped beside: found when the state was solved, or now.
        let fresh = std::mem::take(&mut self.known_fresh[level]);
        let mut moved = !fresh && self.host_twins(level);
        // Rules that add the same amounts land on the same twin: solved once per arrival.
        let mut twins = std::mem::take(&mut self.twins_met);
        twins.clear();
        for &(class, lands, _) in &self.known[level] {
            match lands {
                beside::UNKNOWN => {}
                beside::OWN => twins.push((class, Landing::State(entry))),
                to => twins.push((class, Landing::State(to))),
            }
        }
        for &r in &plan.cut[level] {
            if !self.state.fired[r] {
                continue;
            }
            self.work += WORK_PER_DROP;
            let adds = analysis.demand.adds[r].as_slice();
            let class = plan.adds_class[r];
            let add_only = class != NO_CLASS;
            let cached = twins
                .iter()
                .find(|(c, _)| add_only && *c == class)
                .map(|&(_, twin)| twin);
            // A twin of a rule dropped beside (see `beside`) differs only in its key's sums.
            let keyed = if cached.is_none() && plan.beside[r] {
                self.make_key_less(level, adds);
                self.memo.index[level]
                    .get(self.key.as_slice())
                    .map(|&entry| Landing::State(entry))
            } else {
                None
            };
            let twin = match cached.or(keyed) {
                Some(twin) => {
                    if add_only && cached.is_none() {
                        twins.push((class, twin));
                    }
                    twin
                }
                None => {
                    let mark = self.state.trail.len();
                    self.state.hypothetical = true;
                    let conflicts = self.state.conflicts.len();
                    let program = self.program;
                    self.state.drop_rule(program, analysis, r, level, true);
                    self.state
                        .rerun_cone(program, analysis, plan, r, level, true);
                    // A guard or likelihood at this level may read what the rule wrote.
                    self.state.sweep(program, analysis, level);
                    let twin = if self.state.conflicts.len() > conflicts {
                        // Without the rule, rules that read its facts set one apart here.
                        self.state.conflicts.truncate(conflicts);
                        Landing::Error
                    } else {
                        // The twin's errors are its own, not those of the states enclosing
                        // this arrival.
                        let errors = self.error_paths;
                        let twin = self.twin(level);
                        self.error_paths = errors;
                        twin.map_or(Landing::Unrecorded, Landing::State)
                    };
                    self.state.undo(mark);
                    self.state.hypothetical = false;
                    moved = true;
                    if add_only {
                        twins.push((class, twin));
                    }
                    twin
                }
            };
            if let Some(drops) = &mut self.drops {
                match twin {
                    // The same state: the drop moves nothing here.
                    Landing::State(to) if to == entry => {}
                    Landing::State(to) => drops.link(weight, r, Target::Entry { from: entry, to }),
                    Landing::Unrecorded => drops.broken = true,
                    // An error without the rule, whatever the outcome masses.
                    Landing::Error => drops.link(
                        weight,
                        r,
                        Target::Leaf {
                            from: NO_OUTCOME,
                            to: ERROR,
                        },
                    ),
                }
            }
        }
        self.twins_met = twins;
        if moved {
            self.load(level, entry);
            self.last = last;
        }
    }

    /// What the drop recording found, by the memo's masses; `None` when it cannot be trusted
    /// (the memo filled up, the search stopped).
    fn drop_deltas(&mut self) -> Option<Deltas> {
        let drops = self.drops.take()?;
        if drops.broken || self.stopped.is_some() {
            return None;
        }
        let (memo, stride) = (&self.memo.values, self.memo.stride);
        let outcomes = self.program.outcomes.len();
        Some(drops.deltas(|entry| {
            let start = entry as usize * stride;
            memo.get(start..start + outcomes).unwrap_or(&[])
        }))
    }

    /// The memo entry of the state at `level` as it is now, solved if new.
    fn twin(&mut self, level: usize) -> Option<u32> {
        self.make_key(level);
        if let Some(&entry) = self.memo.index[level].get(self.key.as_slice()) {
            return Some(entry);
        }
        let key = self.key.clone().into_boxed_slice();
        if let Some(drops) = &mut self.drops {
            drops.weight[level] = 1.0;
            drops.open(self.error_paths);
        }
        // Below a twin nothing is recorded: no path of the search is there (yet), and the
        // drops of other rules in a world without this one count for nothing.
        self.twin_depth += 1;
        self.node(level);
        // Stored as a twin's: apart from the evaluation's memo limit.
        let entry = self.store(level, key);
        self.twin_depth -= 1;
        if let Some(drops) = &mut self.drops {
            drops.close(entry, self.error_paths, false);
        }
        entry
    }

    /// For each rule cut at the end of the path that fired on it, the outcome the path reaches
    /// without the rule's amounts.
    fn leaf_links(&mut self, plan: &DropPlan) {
        let n = self.program.decisions.len();
        let Some(weight) = self.drops.as_ref().map(|d| d.weight[n]) else {
            return;
        };
        let from = self
            .leaf_outcome
            .and_then(|o| u32::try_from(o).ok())
            .unwrap_or(NO_OUTCOME);
        self.state.hypothetical = true;
        // Rules that add the same amounts move the path alike: asked once per path.
        self.leaf_epoch += 1;
        for &r in &plan.cut[n] {
            if !self.state.fired[r] {
                continue;
            }
            self.work += WORK_PER_DROP;
            let (program, analysis) = (self.program, self.analysis);
            let class = plan.adds_class[r] as usize;
            let nothing = match self.class_asked.get(class) {
                Some(&asked) if asked == self.leaf_epoch => self.class_nothing[class],
                Some(_) => {
                    let nothing = self.state.drop_moves_nothing(program, analysis, plan, r);
                    self.class_asked[class] = self.leaf_epoch;
                    self.class_nothing[class] = nothing;
                    nothing
                }
                None => self.state.drop_moves_nothing(program, analysis, plan, r),
            };
            if nothing {
                continue;
            }
            let mark = self.state.trail.len();
            // Past the last level where states merge nothing is folded into summaries.
            let folded = analysis.merges_from(analysis.close_level[r]);
            self.state.drop_rule(program, analysis, r, n, folded);
            // Its facts settled again, and every rule that reads them run again, in order.
            let conflicts = self.state.conflicts.len();
            self.state.rerun_cone(program, analysis, plan, r, n, false);
            let conflict = self.state.conflicts.len() > conflicts;
            self.state.conflicts.truncate(conflicts);
            // Outcomes read only slots: if none of theirs changed, the path ends where it did.
            let moved = self.state.trail[mark..].iter().any(|u| match u {
                Undo::Slot(slot, _) => plan
                    .read_by_outcomes
                    .get(*slot as usize)
                    .copied()
                    .unwrap_or(true),
                _ => false,
            });
            if !moved && !conflict {
                self.state.undo(mark);
                continue;
            }
            let to = match self.matched() {
                _ if conflict => ERROR,
                Matched::One(o) | Matched::Fallback(Some(o)) => {
                    if Some(o) == self.given.ruled_out {
                        NO_OUTCOME
                    } else {
                        u32::try_from(o).unwrap_or(ERROR)
                    }
                }
                Matched::Fallback(None) | Matched::Two(..) => ERROR,
            };
            self.state.undo(mark);
            if let Some(drops) = &mut self.drops
                && to != from
            {
                drops.link(weight, r, Target::Leaf { from, to });
            }
        }
        self.state.hypothetical = false;
        self.state.clear_pending();
    }

    /// Stops the search when the deadline has passed or another subtree hit a limit.
    fn poll(&mut self) {
        self.work = 0;
        if self.stopped.is_some() {
            return;
        }
        if self.limits.expired() {
            self.stopped = Some(time_limit());
            self.shared.cancel.store(true, Ordering::Relaxed);
        } else if self.shared.cancel.load(Ordering::Relaxed) {
            // Another subtree hit a limit; its diagnostic is the answer.
            self.stopped = Some(Diagnostic::new(
                DiagCode::LimitExceeded,
                "evaluation stopped at a limit",
            ));
            self.cancelled = true;
        }
    }

    fn make_key(&mut self, level: usize) {
        self.make_key_less(level, &[]);
    }

    /// The memo key of the state at `level` with the amounts `less` taken out of its sums:
    /// the key of its twin without a rule that only adds them, to sums nothing on the way
    /// down reads (see [`beside`]), found without changing the state.
    fn make_key_less(&mut self, level: usize, less: &[Add]) {
        self.key.clear();
        for &i in &self.analysis.live[level] {
            self.key
                .push(self.state.slots[self.program.decisions[i].slot as usize].bits());
        }
        let demand = &self.analysis.demand;
        for &f in &demand.key_facts[level] {
            match &demand.fact_key[f] {
                FactKey::Sum { hi, lo } => {
                    let mut base = self.defaults[f] + self.state.sums[f];
                    if !less.is_empty() {
                        for &(g, amount) in less {
                            if g == f {
                                base -= amount;
                            }
                        }
                    }
                    if let Some(hi) = *hi
                        && base > hi
                    {
                        base = hi + 1;
                    }
                    if let Some(lo) = *lo
                        && base < lo
                    {
                        base = lo - 1;
                    }
                    self.key.push(base as u64);
                    self.key.push((base >> 64) as u64);
                }
                FactKey::Same => self.key.push(u64::from(self.state.sets[f].is_some())),
                FactKey::Ranked => match self.state.sets[f] {
                    Some((p, v)) => {
                        let open = &demand.open_priorities[level][f];
                        let rank = match open.binary_search(&p) {
                            Ok(i) => 2 * i + 1,
                            Err(i) => 2 * i,
                        };
                        self.key.push(rank as u64);
                        self.key.push(v.bits());
                    }
                    None => self.key.push(u64::MAX - 1),
                },
            }
        }
    }

    /// Adds the paths walked here to the shared count, and stops everything past the limit.
    fn share_walked(&mut self) {
        let total = self
            .shared
            .walked
            .fetch_add(self.unshared, Ordering::Relaxed)
            .saturating_add(self.unshared);
        self.unshared = 0;
        if total > self.limits.max_paths && self.stopped.is_none() {
            self.stopped = Some(
                Diagnostic::new(DiagCode::LimitExceeded, format!("the scenario has more than {} to walk", casus_core::diagnostic::plural(self.limits.max_paths, "path")))
                    .help("fix more decisions with `--given`, split the scenario, or raise the limit with `--max-paths`"),
            );
            self.shared.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Takes a subtree's result as the result of the node at `level`.
    fn absorb(&mut self, level: usize, sub: Subtree) {
        // Cloned rather than copied: a subtree stopped before it started has empty frames.
        let frame = &mut self.frames[level];
        frame.mass.clone_from(&sub.frame.mass);
        frame.payoff.clone_from(&sub.frame.payoff);
        frame.dist.clone_from(&sub.frame.dist);
        frame.line.clone_from(&sub.frame.line);
        frame.paths = sub.frame.paths;
        frame.line_id = NO_LINE;
        frame.tail_id = NO_LINE;
        for (a, b) in self
            .outcome_reachable
            .iter_mut()
            .zip(&sub.outcome_reachable)
        {
            *a |= b;
        }
        for (a, b) in self.option_reachable.iter_mut().zip(&sub.option_reachable) {
            for (x, y) in a.iter_mut().zip(b) {
                *x |= y;
            }
        }
        for (mine, theirs) in self.flags.iter_mut().zip(sub.flags) {
            match (mine, theirs) {
                (Some(m), Some(t)) => m.occurrences += t.occurrences,
                (m @ None, t) => *m = t,
                _ => {}
            }
        }
        for (key, diagnostic) in sub.errors {
            self.push_error(key, diagnostic);
        }
        self.nodes += sub.nodes;
        self.walked += sub.walked;
        self.last = match (&mut self.recorder, sub.recorder) {
            (Some(mine), Some(theirs)) => mine.absorb(theirs, sub.root),
            _ => {
                self.recorder = None;
                None
            }
        };
        if let Some(stopped) = sub.stopped
            && (self.stopped.is_none() || (self.cancelled && !sub.cancelled))
        {
            self.stopped = Some(stopped);
            self.cancelled = sub.cancelled;
        }
    }

    fn into_subtree(mut self, level: usize) -> Subtree {
        self.share_walked();
        let deltas = self.drop_deltas();
        let frame = self.frames.swap_remove(level);
        Subtree {
            frame,
            outcome_reachable: self.outcome_reachable,
            option_reachable: self.option_reachable,
            flags: self.flags,
            errors: self.error_keys.into_iter().zip(self.errors).collect(),
            walked: self.walked,
            nodes: self.nodes,
            stopped: self.stopped,
            cancelled: self.cancelled,
            recorder: self.recorder,
            root: self.last,
            deltas,
        }
    }

    fn clear(&mut self, level: usize) {
        let frame = &mut self.frames[level];
        frame.mass.fill(0.0);
        frame.payoff.fill(0.0);
        frame.dist.fill(0.0);
        frame.paths = 0;
    }

    fn leaf(&mut self) {
        if self.twin_depth == 0 {
            self.walked += 1;
            self.unshared += 1;
            if self.unshared >= WALK_BATCH {
                self.share_walked();
            }
        } else {
            self.twin_walked += 1;
            if self.twin_walked > self.limits.max_paths
                && let Some(drops) = &mut self.drops
            {
                drops.broken = true;
            }
        }
        self.leaf_outcome = self.outcome_here();
        if self.leaf_outcome.is_some() && self.leaf_outcome == self.given.ruled_out {
            // Inconsistent with what is given: the path counts as absent (0 paths).
            self.leaf_outcome = None;
        }
        if let Some(outcome) = self.leaf_outcome
            && self.twin_depth == 0
        {
            self.outcome_reachable[outcome] = true;
            if self.recorder.is_some() {
                self.last = u32::try_from(outcome).ok().map(Ref::Leaf);
            }
        }
        if let Some(plan) = self.drop_plan
            && self.twin_depth == 0
            && plan
                .cut
                .get(self.program.decisions.len())
                .is_some_and(|rules| !rules.is_empty())
        {
            self.leaf_links(plan);
        }
    }

    /// The one outcome this complete path reaches, or an error.
    fn outcome_here(&mut self) -> Option<usize> {
        match self.matched() {
            Matched::One(o) => Some(o),
            Matched::Fallback(fallback) => {
                if fallback.is_none() {
                    self.report_no_outcome();
                }
                fallback
            }
            Matched::Two(a, b) => {
                self.report_overlap(a, b);
                Some(a)
            }
        }
    }

    /// Which outcomes' conditions hold on this complete path.
    fn matched(&mut self) -> Matched {
        let mut matched = [usize::MAX; 2];
        let mut count = 0;
        let mut fallback = None;
        for (i, outcome) in self.program.outcomes.iter().enumerate() {
            match &outcome.when {
                None => fallback = Some(i),
                Some(code) => {
                    if code.run(&self.state.slots, &mut self.state.stack).truthy() {
                        if count < 2 {
                            matched[count] = i;
                        }
                        count += 1;
                    }
                }
            }
        }
        match count {
            1 => Matched::One(matched[0]),
            0 => Matched::Fallback(fallback),
            _ => Matched::Two(matched[0], matched[1]),
        }
    }

    /// Gives the frame at `level` room for the line of play below it, once, when a child is
    /// solved: the search then watches the deadline as the lines fill up, and a search that
    /// stops early has made only the lines it reached.
    fn line_for(&mut self, level: usize) {
        let steps = self.program.decisions.len() - level;
        let line = &mut self.frames[level].line;
        if line.len() != steps {
            line.resize(steps, NO_STEP);
        }
    }

    fn node(&mut self, level: usize) {
        let beside_here = std::mem::take(&mut self.beside_here);
        self.frames[level].line_id = NO_LINE;
        self.frames[level].tail_id = NO_LINE;
        let decision = &self.program.decisions[level];
        let slot = decision.slot as usize;
        let taken = decision
            .guard
            .as_ref()
            .is_none_or(|g| g.run(&self.state.slots, &mut self.state.stack).truthy());
        let forced = self.given.decisions.get(level).copied().flatten();
        if !taken {
            if forced.is_some() {
                // The given option can never be taken on this path: it is not consistent.
                self.clear(level);
                self.last = None;
                return;
            }
            let mark = self.state.trail.len();
            self.advance(level, false);
            if let Some(drops) = &mut self.drops {
                drops.weight[level + 1] = drops.weight[level];
            }
            self.solve(level + 1);
            self.state.undo(mark);
            if self.stopped.is_some() {
                // Nothing of a stopped search is read: copying lines up would only take time.
                self.clear(level);
                self.last = None;
                return;
            }
            self.line_for(level);
            let (head, tail) = self.frames.split_at_mut(level + 1);
            let me = &mut head[level];
            let child = Child::new(tail, self.leaf_outcome, &self.program.payoffs);
            if child.paths() == 0 {
                // Nothing consistent below (a path without an outcome, or one ruled out):
                // none here either, and a leaf without an outcome has no payoffs to copy.
                me.mass.fill(0.0);
                me.payoff.fill(0.0);
                me.dist.fill(0.0);
                me.paths = 0;
                self.last = None;
                return;
            }
            // A skipped decision is no node of the graph: its child stands in for it.
            child.copy_mass(&mut me.mass);
            me.payoff.copy_from_slice(child.payoff());
            child.copy_dist(&mut me.dist);
            me.line[1..].copy_from_slice(child.line());
            me.tail_id = child.line_id();
            me.line[0] = NO_STEP;
            me.paths = child.paths();
            return;
        }

        let table = decision
            .conditional
            .iter()
            .position(|(code, _)| code.run(&self.state.slots, &mut self.state.stack).truthy());
        let probabilities = table
            .and_then(|k| decision.conditional.get(k))
            .map_or(&decision.probabilities, |(_, p)| p);
        let actor = decision.actor;
        let n_options = decision.options.len();
        let conditioned = self.conditioned;
        let frame = &mut self.frames[level];
        let mut gather = Gather::new(
            std::mem::take(&mut frame.scratch_values),
            std::mem::take(&mut frame.scratch_optimal),
        );
        gather.reset(frame);
        let mark = self.state.trail.len();
        let mut edges = std::mem::take(&mut self.frames[level].scratch_edges);
        edges.clear();
        if beside_here {
            self.twins_beside(level);
            self.known_fresh[level] = true;
        }
        for i in 0..n_options {
            if forced.is_some_and(|f| f != i) {
                continue;
            }
            let p = probabilities.get(i).copied().unwrap_or(0.0);
            if self.twin_depth == 0 {
                self.option_reachable[level][i] = true;
            }
            self.state.slots[slot] = Val::Sym(decision.options[i]);
            let errors = self.error_paths;
            self.advance(level, true);
            // Twins riding along (see `beside`): their children here, or beside the child.
            let riding = !self.beside[level].is_empty();
            if riding {
                self.solve_beside(level, i, p, actor, self.error_paths - errors);
            }
            if let Some(drops) = &mut self.drops {
                drops.weight[level + 1] = drops.weight[level] * p;
            }
            self.solve(level + 1);
            if self.stopped.is_some() {
                self.state.undo(mark);
                self.state.slots[slot] = Val::Unset;
                break;
            }
            self.line_for(level);

            let (head, tail) = self.frames.split_at_mut(level + 1);
            let child = Child::new(tail, self.leaf_outcome, &self.program.payoffs);
            if gather.add(&mut head[level], child, i, p, actor, conditioned)
                && let Some(child) = self.last.filter(|_| self.recorder.is_some())
            {
                edges.push(Edge {
                    option: i as u32,
                    child,
                });
            }
            if riding {
                self.gather_waiting(level, i, p, actor);
            }
            self.state.undo(mark);
            self.state.slots[slot] = Val::Unset;
        }
        if self.stopped.is_some() {
            if !self.beside[level].is_empty() {
                self.store_beside(level, actor, n_options);
            }
            let frame = &mut self.frames[level];
            (frame.scratch_values, frame.scratch_optimal) = gather.into_lists();
            frame.scratch_edges = edges;
            self.clear(level);
            self.last = None;
            return;
        }
        // Also when no option was tried (all but a given one are skipped, and it is not
        // among them): the line's first step is written below.
        self.line_for(level);
        gather.finish(&mut self.frames[level], actor, conditioned, n_options);
        if actor.is_some()
            && self.twin_depth == 0
            && forced.is_none()
            && !decision.uniform
            && let Some((forecast, p)) = gather.likeliest
            && !gather.optimal_list.is_empty()
            && !gather.optimal_list.contains(&forecast)
            && gather.likely_mask & gather.optimal == 0
        {
            self.flag(
                level,
                forecast,
                p,
                gather.optimal_list.clone(),
                gather.all_values.clone(),
            );
        }
        let frame = &mut self.frames[level];
        (frame.scratch_values, frame.scratch_optimal) = gather.into_lists();
        if !self.beside[level].is_empty() {
            self.store_beside(level, actor, n_options);
        }
        self.last = None;
        if self.frames[level].paths > 0 {
            self.record(level, table, &edges);
        }
        self.frames[level].scratch_edges = edges;
    }

    /// Records the node just solved at `level`, or stops recording past the graph's budget.
    fn record(&mut self, level: usize, table: Option<usize>, edges: &[Edge]) {
        // A twin's nodes stand for no path of the evaluation.
        if self.twin_depth > 0 {
            return;
        }
        let Some(recorder) = &mut self.recorder else {
            return;
        };
        let total = self.shared.recorded.fetch_add(1, Ordering::Relaxed) + 1;
        if total > self.graph_budget {
            // Too big to keep: the analyses will evaluate again instead.
            self.recorder = None;
            return;
        }
        self.last = Some(recorder.choice(level, table, edges));
    }

    fn flag(
        &mut self,
        level: usize,
        forecast: usize,
        probability: f64,
        strategic: Vec<usize>,
        values: Vec<f64>,
    ) {
        if let Some(flag) = &mut self.flags[level] {
            flag.occurrences += 1;
            return;
        }
        let context = self.context(level);
        self.flags[level] = Some(KeyAssumption {
            decision: level,
            forecast,
            forecast_probability: probability,
            strategic,
            values,
            context,
            occurrences: 1,
        });
    }

    /// The decisions taken before `level` on the current path.
    fn context(&self, level: usize) -> Vec<(usize, Option<usize>)> {
        (0..level)
            .map(|i| {
                let d = &self.program.decisions[i];
                let option = match self.state.slots[d.slot as usize] {
                    Val::Sym(s) => d.options.iter().position(|&o| o == s),
                    _ => None,
                };
                (i, option)
            })
            .collect()
    }

    fn path_text(&self, level: usize) -> String {
        let steps: Vec<String> = self
            .context(level)
            .into_iter()
            .map(|(d, o)| {
                let decision = &self.scenario.decisions[d];
                match o {
                    Some(o) => format!("{} = {}", decision.id.name, decision.options[o].name),
                    None => format!("{} skipped", decision.id.name),
                }
            })
            .collect();
        if steps.is_empty() {
            "before any decision".to_owned()
        } else {
            steps.join(", ")
        }
    }

    fn push_error(&mut self, key: String, diagnostic: Diagnostic) {
        if self.error_keys.contains(&key) || self.errors.len() >= self.error_cap {
            return;
        }
        self.error_keys.push(key);
        self.errors.push(diagnostic);
    }

    /// Counts an error path; whether to describe it: a twin's errors are on no path of the
    /// evaluation, and `error_paths` counts them for the drops alone.
    fn error_path(&mut self) -> bool {
        self.error_paths += 1;
        self.twin_depth == 0
    }

    fn report_conflict(&mut self, f: usize, taken: usize) {
        if !self.error_path() {
            return;
        }
        // Name the rules: every writer that fires now at the highest priority, as the settling
        // that found the conflict saw them (a fact that can conflict is kept up to date at
        // every step, and so are its writers).
        let mut firing: Vec<(usize, i64)> = Vec::new();
        for &r in &self.analysis.writers[f] {
            let rule = &self.program.rules[r];
            if rule.sets.iter().any(|(t, _)| *t == f) && self.state.fired[r] {
                firing.push((r, rule.priority));
            }
        }
        let top = firing.iter().map(|(_, p)| *p).max().unwrap_or(0);
        firing.retain(|(_, p)| *p == top);
        let [(a, _), (b, _), ..] = firing.as_slice() else {
            return;
        };
        let (ra, rb) = (&self.scenario.rules[*a], &self.scenario.rules[*b]);
        let fact = &self.scenario.facts[self.program.derived[f].fact].id.name;
        let value_of = |rule: &casus_core::model::Rule| {
            rule.then
                .iter()
                .find(|x| x.fact.name == *fact)
                .map(|x| (x.value.value.display(), x.value.span))
        };
        let (Some((va, sa)), Some((vb, sb))) = (value_of(ra), value_of(rb)) else {
            return;
        };
        let path = self.path_text(taken);
        let diagnostic = Diagnostic::new(
            DiagCode::RuleConflict,
            format!("rules `{}` and `{}` both fire and set `{fact}` to different values", ra.id.name, rb.id.name),
        )
        .primary(sb, format!("sets `{fact}` = {vb}"))
        .secondary(sa, format!("sets `{fact}` = {va}"))
        .note(format!("on the path {path}"))
        .help(format!("tighten one rule's `when`, or give the rule that should win a higher `priority` (both are {top})"));
        self.push_error(format!("conflict {a} {b}"), diagnostic);
    }

    fn report_no_outcome(&mut self) {
        if !self.error_path() {
            return;
        }
        let path = self.path_text(self.program.decisions.len());
        let mut diagnostic = Diagnostic::new(DiagCode::NoOutcome, "a path reaches no outcome")
            .note(format!("on the path {path}"));
        if let Some(first) = self.scenario.outcomes.first() {
            diagnostic =
                diagnostic.primary(first.id.span, "no outcome's `when` holds on that path");
        }
        self.push_error(
            "no outcome".to_owned(),
            diagnostic.help("widen an outcome's `when`, or add a fallback outcome without `when`"),
        );
    }

    fn report_overlap(&mut self, a: usize, b: usize) {
        if !self.error_path() {
            return;
        }
        let path = self.path_text(self.program.decisions.len());
        let (oa, ob) = (&self.scenario.outcomes[a], &self.scenario.outcomes[b]);
        let span = |o: &casus_core::model::Outcome| o.when.as_ref().map_or(o.id.span, |w| w.span);
        let diagnostic = Diagnostic::new(
            DiagCode::OverlappingOutcomes,
            format!("outcomes `{}` and `{}` both hold on one path", oa.id.name, ob.id.name),
        )
        .primary(span(ob), "holds")
        .secondary(span(oa), "also holds")
        .note(format!("on the path {path}"))
        .help("make the outcomes' `when` conditions exclusive, for example by adding `and not (…)` to one of them");
        self.push_error(format!("overlap {a} {b}"), diagnostic);
    }

    /// Writes the single leaf's result into the root frame (a scenario without decisions).
    fn fill_root_from_leaf(&mut self) {
        let outcome = self.leaf_outcome;
        let payoffs = outcome.and_then(|o| self.program.payoffs.get(o));
        let frame = &mut self.frames[0];
        frame.mass.fill(0.0);
        frame.dist.fill(0.0);
        frame.payoff.fill(0.0);
        frame.paths = 0;
        if let (Some(o), Some(payoffs)) = (outcome, payoffs) {
            frame.mass[o] = 1.0;
            frame.dist[o] = 1.0;
            frame.payoff.copy_from_slice(payoffs);
            frame.paths = 1;
        }
    }

    fn finish(mut self) -> Result<(Evaluation, Option<MergedGraph>), Vec<Diagnostic>> {
        self.share_walked();
        let recorder = self.recorder.take();
        let root = if self.program.decisions.is_empty() {
            self.leaf_outcome
                .and_then(|o| u32::try_from(o).ok())
                .map(Ref::Leaf)
        } else {
            self.last
        };
        if let Some(stopped) = self.stopped.take() {
            return Err(vec![stopped]);
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        if self.program.decisions.is_empty() {
            // With no decision the root is the leaf itself, whose result lives in
            // `leaf_outcome` rather than in a frame.
            self.fill_root_from_leaf();
        }
        let root_frame = self.frames[0].clone();
        if root_frame.paths == 0 {
            return Err(vec![
                Diagnostic::new(DiagCode::NoConsistentPath, "no path is consistent with the given values")
                    .help("a given decision may be skipped on every path where the others hold; check its guard"),
            ]);
        }
        let total: f64 = root_frame.mass.iter().sum();
        let outcomes = (0..self.program.outcomes.len())
            .map(|i| OutcomeResult {
                index: i,
                probability: if total > 0.0 {
                    root_frame.mass[i] / total
                } else {
                    0.0
                },
                reachable: self.outcome_reachable[i],
                strategic_probability: root_frame.dist[i],
            })
            .collect();
        let mut line = Vec::new();
        let mut outcome = None;
        for (level, step) in root_frame.line.iter().enumerate() {
            if step.option == SKIPPED {
                continue;
            }
            let decision = &self.program.decisions[level];
            let n_options = decision.options.len();
            let values = if n_options <= TRACKED {
                step.values[..n_options].to_vec()
            } else {
                Vec::new()
            };
            let optimal = if decision.is_chance() {
                Vec::new()
            } else {
                (0..n_options.min(64))
                    .filter(|i| step.optimal & (1 << i) != 0)
                    .collect()
            };
            line.push(PlayStep {
                decision: level,
                option: usize::from(step.option),
                chance: decision.is_chance(),
                optimal,
                values,
            });
        }
        // Replay the line to find the outcome it ends in.
        if let Some(o) = self.replay_outcome(&line) {
            outcome = Some(o);
        }
        let strategy = Strategy {
            line,
            outcome,
            payoffs: root_frame.payoff,
        };
        let uniform = self
            .program
            .decisions
            .iter()
            .filter(|d| d.uniform)
            .map(|d| d.index)
            .collect();
        let graph = recorder
            .zip(root)
            .map(|(recorder, root)| recorder.finish(self.program, root, self.conditioned));
        let evaluation = Evaluation {
            paths: root_frame.paths,
            outcomes,
            strategy,
            option_reachable: self.option_reachable,
            uniform,
            key_assumptions: self.flags.into_iter().flatten().collect(),
            nodes: self.nodes,
            mass: total,
        };
        Ok((evaluation, graph))
    }

    fn replay_outcome(&mut self, line: &[PlayStep]) -> Option<usize> {
        self.state = State::new(self.program, self.analysis);
        for level in 0..self.program.decisions.len() {
            let decision = &self.program.decisions[level];
            match line.iter().find(|s| s.decision == level) {
                Some(step) => {
                    self.state.slots[decision.slot as usize] =
                        Val::Sym(decision.options[step.option]);
                    self.advance(level, true);
                }
                None => self.advance(level, false),
            }
        }
        self.outcome_here()
    }
}

/// Which outcomes hold at the end of a path.
#[derive(Clone, Copy, Debug)]
enum Matched {
    /// Exactly one.
    One(usize),
    /// None: the outcome without a condition, if there is one.
    Fallback(Option<usize>),
    /// Two or more: the first two.
    Two(usize, usize),
}

/// What a finished child contributes to its parent: a frame, or (below the last decision)
/// the outcome of one complete path, which needs no frame at all.
#[derive(Clone, Copy)]
enum Child<'c> {
    Frame(&'c Frame),
    /// The outcome reached, if any, and the payoffs of the outcomes.
    Leaf(Option<usize>, &'c [Vec<f64>]),
}

impl<'c> Child<'c> {
    /// The child below a node: `below` holds the frames of the deeper levels; an empty or
    /// leaf level means a complete path.
    fn new(below: &'c [Frame], leaf: Option<usize>, payoffs: &'c [Vec<f64>]) -> Self {
        match below {
            [frame, _, ..] => Child::Frame(frame),
            _ => Child::Leaf(leaf, payoffs),
        }
    }

    fn paths(self) -> u128 {
        match self {
            Child::Frame(f) => f.paths,
            Child::Leaf(o, _) => u128::from(o.is_some()),
        }
    }

    fn payoff(self) -> &'c [f64] {
        match self {
            Child::Frame(f) => &f.payoff,
            Child::Leaf(o, payoffs) => o.and_then(|o| payoffs.get(o)).map_or(&[], Vec::as_slice),
        }
    }

    /// Where the child's line is stored in the memo, or `NO_LINE`.
    fn line_id(self) -> u32 {
        match self {
            Child::Frame(f) => f.line_id,
            Child::Leaf(..) => END_LINE,
        }
    }

    fn line(self) -> &'c [LineStep] {
        match self {
            Child::Frame(f) => &f.line,
            Child::Leaf(..) => &[],
        }
    }

    /// The child's total mass: the probability of its consistent paths (1 for a consistent
    /// leaf).
    fn total_mass(self) -> f64 {
        match self {
            Child::Frame(f) => f.mass.iter().sum(),
            Child::Leaf(o, _) => {
                if o.is_some() {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// `mass += p * child's mass`; a path's mass is 1 at its outcome.
    fn add_mass(self, mass: &mut [f64], p: f64) {
        match self {
            Child::Frame(f) => add_scaled(mass, &f.mass, p),
            Child::Leaf(o, _) => add_one(mass, o, p),
        }
    }

    /// `dist += p * child's strategic distribution`.
    fn add_dist(self, dist: &mut [f64], p: f64) {
        match self {
            Child::Frame(f) => add_scaled(dist, &f.dist, p),
            Child::Leaf(o, _) => add_one(dist, o, p),
        }
    }

    fn copy_mass(self, mass: &mut [f64]) {
        match self {
            Child::Frame(f) => mass.copy_from_slice(&f.mass),
            Child::Leaf(o, _) => {
                mass.fill(0.0);
                add_one(mass, o, 1.0);
            }
        }
    }

    fn copy_dist(self, dist: &mut [f64]) {
        match self {
            Child::Frame(f) => dist.copy_from_slice(&f.dist),
            Child::Leaf(o, _) => {
                dist.fill(0.0);
                add_one(dist, o, 1.0);
            }
        }
    }
}

/// Adds `p` at `index`: the same as adding `p` times a one-hot vector, bit for bit, since
/// adding `p * 0.0` to a non-negative sum changes nothing.
fn add_one(acc: &mut [f64], index: Option<usize>, p: f64) {
    if let Some(a) = index.and_then(|i| acc.get_mut(i)) {
        *a += p;
    }
}

/// Whether two posterior weights are equal up to rounding: the likeliest option under evidence
/// is then the first, as it is for equal probabilities without evidence.
fn same_weight(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

fn add_scaled(acc: &mut [f64], values: &[f64], factor: f64) {
    for (a, v) in acc.iter_mut().zip(values) {
        *a += factor * v;
    }
}

fn scale(acc: &mut [f64], factor: f64) {
    for a in acc {
        *a *= factor;
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use casus_core::SourceFile;
    use casus_core::limits::Limits;

    use super::*;

    /// A scenario with 2^`n` paths that splits into subtrees: an outcome reads every decision,
    /// rules chain through derived facts, actors and nature alternate.
    fn splittable(n: usize) -> String {
        let mut text = String::from(
            "[scenario]\ntitle = \"split\"\n[actors]\na = \"A\"\nb = \"B\"\n[facts]\n\
             score = { type = \"number\", default = 0 }\nflag = { type = \"bool\", default = false }\n",
        );
        for i in 0..n {
            let actor = ["a", "b", "nature"][i % 3];
            let _ = write!(
                text,
                "[decisions.d{i}]\nactor = \"{actor}\"\noptions = [\"x\", \"y\"]\nlikelihood = {{ x = \"likely\", y = \"unlikely\" }}\n"
            );
        }
        for i in 0..n {
            let _ = write!(
                text,
                "[rules.r{i}]\nwhen = \"d{i} == 'x' and d{} == 'y'\"\nadd = {{ score = {} }}\n",
                (i * 7 + 3) % n,
                i % 3 + 1
            );
        }
        let _ = write!(
            text,
            "[rules.f]\nwhen = \"score >= 6\"\nthen = {{ flag = true }}\n\
             [outcomes.all_x]\ntitle = \"t\"\nwhen = \"{}\"\npayoff = {{ a = 5, b = 1 }}\n\
             [outcomes.high]\ntitle = \"t\"\nwhen = \"flag and d0 == 'y'\"\npayoff = {{ a = 1, b = 3 }}\n\
             [outcomes.rest]\ntitle = \"t\"\npayoff = {{ a = 0, b = 0 }}\n",
            (0..n)
                .map(|i| format!("d{i} == 'x'"))
                .collect::<Vec<_>>()
                .join(" and ")
                + " and not flag"
        );
        text
    }

    #[test]
    fn serial_and_parallel_evaluations_are_identical() {
        let text = splittable(15);
        let checked = crate::check_source(
            &SourceFile::new("split.toml", text.as_str()),
            &Limits::default(),
            &EvalLimits::default(),
        );
        assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
        let (scenario, program) = (checked.scenario.unwrap(), checked.program.unwrap());
        let analysis = Analysis::new(&program);
        assert!(
            split_level(&program, &analysis) > 0,
            "the scenario must split"
        );
        let given = Given::none(program.decisions.len());
        let run = |threads| {
            let limits = EvalLimits {
                threads,
                ..EvalLimits::default()
            };
            evaluate(&scenario, &program, &given, &limits).unwrap()
        };
        let serial = run(1);
        assert_eq!(serial.paths, 1 << 15);
        for threads in [0, 2, 3] {
            assert_eq!(serial, run(threads), "threads = {threads}");
        }
        // And the split itself changes nothing: the same search without splitting.
        let shared = Shared::default();
        let mut whole = Search::new(
            &scenario,
            &program,
            &analysis,
            &given,
            EvalLimits::default(),
            &shared,
        );
        whole.solve(0);
        assert_eq!(serial, whole.finish().unwrap().0);
    }

    /// A scores file as the bench makes them: two-option decisions, some chosen by actors,
    /// `add` rules reading two decisions each, outcomes on the sum alone.
    fn scores(decisions: usize, rules: usize, seed: u64) -> String {
        let mut next = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut draw = |n: u64| {
            next = next
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (next >> 33) % n
        };
        let mut text = String::from(
            "[scenario]\ntitle = \"scores\"\n\n[actors]\neast = \"east\"\n\n[facts]\nscore = { type = \"number\", default = 0 }\n",
        );
        for d in 0..decisions {
            let actor = if draw(3) == 0 { "east" } else { "nature" };
            let no = 1 + draw(4);
            let (a, b) = (no as f64 / 5.0, (5 - no) as f64 / 5.0);
            text.push_str(&format!(
                "\n[decisions.d{d}]\nactor = \"{actor}\"\noptions = [\"no\", \"yes\"]\nlikelihood = {{ no = {a}, yes = {b} }}\n"
            ));
        }
        for r in 0..rules {
            let i = draw(decisions as u64);
            let j = (i + 1 + draw(decisions as u64 - 1)) % decisions as u64;
            let amount = draw(5) as i64 - 2;
            text.push_str(&format!(
                "\n[rules.r{r}]\nwhen = \"d{i} == 'yes' and d{j} == 'no'\"\nadd = {{ score = {amount} }}\n"
            ));
        }
        text.push_str(
            "\n[outcomes.high]\nwhen = \"score >= 2\"\npayoff = { east = 3 }\n\n[outcomes.low]\nwhen = \"score < 0\"\npayoff = { east = -1 }\n\n[outcomes.even]\npayoff = { east = 1 }\n",
        );
        text
    }

    /// Twins solved beside the search's states are, bit for bit, the twins solved each on
    /// its own: the same evaluation and the same drops, on scores files (where most twins
    /// ride along) and on every bundled scenario and fixture.
    #[test]
    fn twins_solved_beside_equal_twins_solved_alone() {
        let mut files: Vec<(String, String)> = (0..24)
            .map(|seed| {
                let (decisions, rules) = (4 + seed as usize % 7, 3 + (seed as usize * 7) % 40);
                (
                    format!("scores-{seed}.toml"),
                    scores(decisions, rules, seed),
                )
            })
            .collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for dir in ["scenarios", "tests/fixtures/analysis"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "toml")
                    && let Ok(text) = std::fs::read_to_string(&path)
                {
                    files.push((path.display().to_string(), text));
                }
            }
        }
        files.sort();
        let mut compared = 0;
        let stored = beside::STORED.with(std::cell::Cell::get);
        for (name, text) in &files {
            let checked = crate::check_source(
                &SourceFile::new(name.as_str(), text.as_str()),
                &Limits::default(),
                &EvalLimits::default(),
            );
            let (Some(scenario), Some(program)) = (checked.scenario, checked.program) else {
                assert!(
                    !name.starts_with("scores"),
                    "{name}: {:?}",
                    checked.diagnostics
                );
                continue;
            };
            let given = Given::none(program.decisions.len());
            let run = |beside| {
                let limits = EvalLimits::default();
                evaluate_recording_with(&scenario, &program, &given, &limits, 0, true, beside)
                    .map(|(evaluation, recording)| format!("{evaluation:?}\n{:?}", recording.drops))
                    .map_err(|d| format!("{d:?}"))
            };
            assert_eq!(run(true), run(false), "{name}");
            compared += 1;
        }
        assert!(compared >= 24, "only {compared} files compared");
        let beside = beside::STORED.with(std::cell::Cell::get) - stored;
        assert!(
            beside > 100,
            "only {beside} twins were solved beside a state"
        );
    }

    #[test]
    fn a_path_limit_stops_every_subtree_with_one_diagnostic() {
        let text = splittable(15);
        let checked = crate::check_source(
            &SourceFile::new("split.toml", text.as_str()),
            &Limits::default(),
            &EvalLimits::default(),
        );
        let (scenario, program) = (checked.scenario.unwrap(), checked.program.unwrap());
        for threads in [1, 2] {
            let limits = EvalLimits {
                max_paths: 5000,
                threads,
                ..EvalLimits::default()
            };
            let errors = evaluate(
                &scenario,
                &program,
                &Given::none(program.decisions.len()),
                &limits,
            )
            .unwrap_err();
            assert_eq!(errors.len(), 1);
            assert!(
                errors[0].message.contains("more than 5000 paths"),
                "{:?}",
                errors[0].message
            );
        }
    }
}
