//! The search over paths: depth-first, one decision per level, merging equal states.
//!
//! Paths are never stored: the search keeps one frame per level and folds each finished
//! subtree into its parent, so memory is flat in the number of paths. Where two prefixes reach
//! the same state (see [`crate::analysis`]) the subtree's result is memoised and reused.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::Instant;

use casus_core::model::Scenario;
use casus_core::{Code as DiagCode, Diagnostic};

use crate::analysis::{Analysis, Step};
use crate::program::Program;
use crate::result::{Evaluation, KeyAssumption, OutcomeResult, PlayStep, Strategy};
use crate::value::Val;

/// Decisions fixed before evaluating (`--given`, tests); input facts are overridden at compile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Given {
    /// The option index fixed for each decision, if any.
    pub decisions: Vec<Option<usize>>,
}

impl Given {
    /// Nothing fixed, for a program with `n` decisions.
    pub fn none(n: usize) -> Self {
        Self {
            decisions: vec![None; n],
        }
    }
}

/// Bounds on one evaluation.
#[derive(Clone, Copy, Debug)]
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
}

impl Default for EvalLimits {
    fn default() -> Self {
        Self {
            max_paths: 10_000_000,
            max_memo: 1 << 21,
            deadline: None,
            threads: 0,
        }
    }
}

/// Fixed-point scale for `add` sums: exact and independent of the order rules fire in, so
/// reordering rules can never change a sum in the last bit.
const SCALE: f64 = 1e9;
const SKIPPED: u16 = u16::MAX;
/// Options whose values the line of play keeps.
const TRACKED: usize = 8;
/// Payoffs closer than this (relative) are a tie.
const TIE: f64 = 1e-9;

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
    paths: u128,
    /// Scratch space for the node at this level, kept to avoid allocating per node.
    scratch_values: Vec<f64>,
    scratch_optimal: Vec<usize>,
}

#[derive(Clone, Debug)]
struct Memo {
    mass: Box<[f64]>,
    payoff: Box<[f64]>,
    dist: Box<[f64]>,
    line: Box<[LineStep]>,
    paths: u128,
}

/// One change to the evaluation state, kept so the search can undo it when it backtracks.
#[derive(Clone, Copy, Debug)]
enum Undo {
    Fired(u32, bool),
    Slot(u32, Val),
    Total(u32, i128),
    Sum(u32, i128),
    Set(u32, Option<(i64, Val)>),
}

/// The state after a prefix of decisions: slot values and what the rules make of them.
///
/// It is changed in place as decisions are taken and restored from a trail of [`Undo`]s as the
/// search backtracks, so a step costs what it changes, not the size of the scenario.
/// Rules and derived facts are recomputed only when an input changed and the
/// [`Demand`](crate::analysis::Demand) says someone is about to read them, or when they become
/// needed again after a time nobody read them.
#[derive(Clone, Debug)]
struct State {
    slots: Vec<Val>,
    fired: Vec<bool>,
    /// Per summed fact: its fixed-point default plus the amounts of every writer that fires.
    total: Vec<i128>,
    /// Per summed fact: the fixed-point amounts of the closed writers that fired (memo key).
    sums: Vec<i128>,
    /// Per set fact: the winning `(priority, value)` among closed writers that fired.
    sets: Vec<Option<(i64, Val)>>,
    trail: Vec<Undo>,
    heap: BinaryHeap<Reverse<u32>>,
    in_heap: Vec<bool>,
    stack: Vec<Val>,
    /// Derived facts whose settling just found two firing rules in conflict.
    conflicts: Vec<usize>,
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
            sums: vec![0; program.derived.len()],
            sets: vec![None; program.derived.len()],
            trail: Vec::new(),
            heap: BinaryHeap::new(),
            in_heap: vec![false; analysis.steps.len()],
            stack: Vec::with_capacity(32),
            conflicts: Vec::new(),
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
                self.push(pos);
            }
        }
        while let Some(Reverse(pos)) = self.heap.pop() {
            self.in_heap[pos as usize] = false;
            match analysis.steps[pos as usize] {
                Step::Rule(r) => self.evaluate_rule(program, analysis, r, t),
                Step::Fact(f) => self.settle(program, analysis, f, t),
            }
        }
        self.fold(program, analysis, t);
    }

    #[inline]
    fn push(&mut self, pos: u32) {
        if let Some(flag) = self.in_heap.get_mut(pos as usize)
            && !*flag
        {
            *flag = true;
            self.heap.push(Reverse(pos));
        }
    }

    /// An input of rule `r` changed at time `t`.
    #[inline]
    fn signal_rule(&mut self, analysis: &Analysis, r: usize, t: usize) {
        let pos = analysis.demand.rule_pos[r];
        if analysis.demand.needed(pos, t) {
            self.push(pos);
        }
    }

    /// A writer of derived fact `f` changed at time `t`.
    #[inline]
    fn signal_fact(&mut self, analysis: &Analysis, f: usize, t: usize) {
        let pos = analysis.demand.fact_pos[f];
        if analysis.demand.needed(pos, t) {
            self.push(pos);
        }
    }

    fn evaluate_rule(&mut self, program: &Program, analysis: &Analysis, r: usize, t: usize) {
        let rule = &program.rules[r];
        let fired = rule.when.holds(&self.slots, &mut self.stack);
        if fired == self.fired[r] {
            return;
        }
        self.trail.push(Undo::Fired(r as u32, self.fired[r]));
        self.fired[r] = fired;
        for &(f, amount) in &rule.adds {
            self.trail.push(Undo::Total(f as u32, self.total[f]));
            if fired {
                self.total[f] += fixed(amount);
            } else {
                self.total[f] -= fixed(amount);
            }
            self.signal_fact(analysis, f, t);
        }
        for &(f, _) in &rule.sets {
            self.signal_fact(analysis, f, t);
        }
    }

    /// Sets derived fact `f` from the rules that fire, and tells its readers if it changed.
    fn settle(&mut self, program: &Program, analysis: &Analysis, f: usize, t: usize) {
        let derived = &program.derived[f];
        let value = if derived.summed {
            Val::Num(self.total[f] as f64 / SCALE)
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
            if conflict {
                self.conflicts.push(f);
            }
            best.map_or(derived.default, |(_, v)| v)
        };
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
            for &(f, amount) in &rule.adds {
                self.trail.push(Undo::Sum(f as u32, self.sums[f]));
                self.sums[f] += fixed(amount);
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
                Undo::Slot(s, v) => self.slots[s as usize] = v,
                Undo::Total(f, v) => self.total[f as usize] = v,
                Undo::Sum(f, v) => self.sums[f as usize] = v,
                Undo::Set(f, v) => self.sets[f as usize] = v,
            }
        }
    }
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
    let analysis = Analysis::new(program);
    let mut search = Search::new(scenario, program, &analysis, given, *limits);
    search.solve(0);
    search.finish()
}

struct Search<'a> {
    scenario: &'a Scenario,
    program: &'a Program,
    analysis: &'a Analysis,
    given: &'a Given,
    limits: EvalLimits,
    state: State,
    frames: Vec<Frame>,
    memo: Vec<HashMap<Vec<u64>, Memo>>,
    memo_entries: usize,
    key: Vec<u64>,
    outcome_reachable: Vec<bool>,
    option_reachable: Vec<Vec<bool>>,
    flags: Vec<Option<KeyAssumption>>,
    errors: Vec<Diagnostic>,
    error_keys: Vec<String>,
    walked: u64,
    nodes: u64,
    stopped: Option<Diagnostic>,
}

impl<'a> Search<'a> {
    fn new(
        scenario: &'a Scenario,
        program: &'a Program,
        analysis: &'a Analysis,
        given: &'a Given,
        limits: EvalLimits,
    ) -> Self {
        let n = program.decisions.len();
        let (outcomes, actors) = (program.outcomes.len(), program.actors.len());
        let frames = (0..=n)
            .map(|level| Frame {
                mass: vec![0.0; outcomes],
                payoff: vec![0.0; actors],
                dist: vec![0.0; outcomes],
                flat_payoff: vec![0.0; actors],
                flat_dist: vec![0.0; outcomes],
                line: vec![
                    LineStep {
                        option: SKIPPED,
                        optimal: 0,
                        values: [0.0; TRACKED]
                    };
                    n - level
                ],
                paths: 0,
                scratch_values: Vec::new(),
                scratch_optimal: Vec::new(),
            })
            .collect();
        let mut search = Self {
            scenario,
            program,
            analysis,
            given,
            limits,
            state: State::new(program, analysis),
            frames,
            memo: vec![HashMap::new(); n + 1],
            memo_entries: 0,
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
            stopped: None,
        };
        search.report_conflicts(0);
        search
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
        if self.stopped.is_some() {
            self.clear(level);
            return;
        }
        if level == self.program.decisions.len() {
            self.leaf(level);
            return;
        }
        self.nodes += 1;
        if self.nodes.is_multiple_of(4096)
            && self.limits.deadline.is_some_and(|d| Instant::now() > d)
        {
            self.stopped = Some(
                Diagnostic::new(
                    DiagCode::LimitExceeded,
                    "evaluation took longer than the time limit",
                )
                .help("simplify the scenario, or raise the limit with `--timeout`"),
            );
        }
        let mergeable = self.analysis.can_merge(level);
        if mergeable {
            self.make_key(level);
            if let Some(memo) = self.memo[level].get(&self.key) {
                let frame = &mut self.frames[level];
                frame.mass.copy_from_slice(&memo.mass);
                frame.payoff.copy_from_slice(&memo.payoff);
                frame.dist.copy_from_slice(&memo.dist);
                frame.line.copy_from_slice(&memo.line);
                frame.paths = memo.paths;
                return;
            }
        }
        self.node(level);
        if mergeable && self.memo_entries < self.limits.max_memo && self.stopped.is_none() {
            self.make_key(level);
            let frame = &self.frames[level];
            let memo = Memo {
                mass: frame.mass.clone().into_boxed_slice(),
                payoff: frame.payoff.clone().into_boxed_slice(),
                dist: frame.dist.clone().into_boxed_slice(),
                line: frame.line.clone().into_boxed_slice(),
                paths: frame.paths,
            };
            let key = std::mem::take(&mut self.key);
            self.memo[level].insert(key, memo);
            self.memo_entries += 1;
        }
    }

    fn make_key(&mut self, level: usize) {
        self.key.clear();
        for &i in &self.analysis.live[level] {
            self.key
                .push(self.state.slots[self.program.decisions[i].slot as usize].bits());
        }
        for &f in &self.analysis.demand.key_facts[level] {
            if self.program.derived[f].summed {
                let s = self.state.sums[f];
                self.key.push(s as u64);
                self.key.push((s >> 64) as u64);
            } else {
                match self.state.sets[f] {
                    Some((p, v)) => {
                        self.key.push(p as u64);
                        self.key.push(v.bits());
                    }
                    None => self.key.push(u64::MAX - 1),
                }
            }
        }
    }

    fn clear(&mut self, level: usize) {
        let frame = &mut self.frames[level];
        frame.mass.fill(0.0);
        frame.payoff.fill(0.0);
        frame.dist.fill(0.0);
        frame.paths = 0;
    }

    fn leaf(&mut self, level: usize) {
        self.walked += 1;
        if self.walked > self.limits.max_paths && self.stopped.is_none() {
            self.stopped = Some(
                Diagnostic::new(DiagCode::LimitExceeded, format!("the scenario has more than {} paths to walk", self.limits.max_paths))
                    .help("fix more decisions with `--given`, split the scenario, or raise the limit with `--max-paths`"),
            );
        }
        self.clear(level);
        let Some(outcome) = self.outcome_here() else {
            return;
        };
        self.outcome_reachable[outcome] = true;
        let frame = &mut self.frames[level];
        frame.mass[outcome] = 1.0;
        frame.dist[outcome] = 1.0;
        frame.payoff.copy_from_slice(&self.program.payoffs[outcome]);
        frame.paths = 1;
    }

    /// The one outcome this complete path reaches, or an error.
    fn outcome_here(&mut self) -> Option<usize> {
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
            1 => Some(matched[0]),
            0 => {
                if fallback.is_none() {
                    self.report_no_outcome();
                }
                fallback
            }
            _ => {
                self.report_overlap(matched[0], matched[1]);
                Some(matched[0])
            }
        }
    }

    fn node(&mut self, level: usize) {
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
                return;
            }
            let mark = self.state.trail.len();
            self.advance(level, false);
            self.solve(level + 1);
            self.state.undo(mark);
            let (head, tail) = self.frames.split_at_mut(level + 1);
            let (me, child) = (&mut head[level], &tail[0]);
            me.mass.copy_from_slice(&child.mass);
            me.payoff.copy_from_slice(&child.payoff);
            me.dist.copy_from_slice(&child.dist);
            me.line[1..].copy_from_slice(&child.line);
            me.line[0] = LineStep {
                option: SKIPPED,
                optimal: 0,
                values: [0.0; TRACKED],
            };
            me.paths = child.paths;
            return;
        }

        let probabilities = decision
            .conditional
            .iter()
            .find(|(code, _)| code.run(&self.state.slots, &mut self.state.stack).truthy())
            .map_or(&decision.probabilities, |(_, p)| p);
        let actor = decision.actor;
        let n_options = decision.options.len();
        {
            let frame = &mut self.frames[level];
            frame.mass.fill(0.0);
            frame.payoff.fill(0.0);
            frame.dist.fill(0.0);
            frame.flat_payoff.fill(0.0);
            frame.flat_dist.fill(0.0);
            frame.paths = 0;
        }
        let mut weight = 0.0;
        let mut flat = 0.0;
        let mut best: Option<(usize, f64)> = None;
        let mut optimal: u64 = 0;
        let mut values = [f64::NAN; TRACKED];
        let mut likeliest: Option<(usize, f64)> = None;
        let mark = self.state.trail.len();
        let mut all_values = std::mem::take(&mut self.frames[level].scratch_values);
        let mut optimal_list = std::mem::take(&mut self.frames[level].scratch_optimal);
        all_values.clear();
        optimal_list.clear();
        for i in 0..n_options {
            if forced.is_some_and(|f| f != i) {
                continue;
            }
            let p = probabilities.get(i).copied().unwrap_or(0.0);
            self.option_reachable[level][i] = true;
            self.state.slots[slot] = Val::Sym(decision.options[i]);
            self.advance(level, true);
            self.solve(level + 1);
            self.state.undo(mark);
            self.state.slots[slot] = Val::Unset;

            let (head, tail) = self.frames.split_at_mut(level + 1);
            let (me, child) = (&mut head[level], &tail[0]);
            for (m, c) in me.mass.iter_mut().zip(&child.mass) {
                *m += p * c;
            }
            me.paths = me.paths.saturating_add(child.paths);
            if child.paths == 0 {
                all_values.push(f64::NAN);
                continue;
            }
            match actor {
                None => {
                    weight += p;
                    flat += 1.0;
                    add_scaled(&mut me.payoff, &child.payoff, p);
                    add_scaled(&mut me.dist, &child.dist, p);
                    add_scaled(&mut me.flat_payoff, &child.payoff, 1.0);
                    add_scaled(&mut me.flat_dist, &child.dist, 1.0);
                    if let Some(slot) = values.get_mut(i) {
                        *slot = p;
                    }
                    if likeliest.is_none_or(|(_, q)| p > q) {
                        likeliest = Some((i, p));
                        me.line[1..].copy_from_slice(&child.line);
                    }
                }
                Some(a) => {
                    let v = child.payoff.get(a).copied().unwrap_or(0.0);
                    all_values.push(v);
                    if let Some(slot) = values.get_mut(i) {
                        *slot = v;
                    }
                    if likeliest.is_none_or(|(_, q)| p > q) {
                        likeliest = Some((i, p));
                    }
                    let tie = best.is_some_and(|(_, b)| (v - b).abs() <= TIE * b.abs().max(1.0));
                    if tie {
                        optimal_list.push(i);
                        if i < 64 {
                            optimal |= 1 << i;
                        }
                    } else if best.is_none_or(|(_, b)| v > b) {
                        best = Some((i, v));
                        optimal_list.clear();
                        optimal_list.push(i);
                        optimal = if i < 64 { 1 << i } else { 0 };
                        me.payoff.copy_from_slice(&child.payoff);
                        me.dist.copy_from_slice(&child.dist);
                        me.line[1..].copy_from_slice(&child.line);
                    }
                }
            }
            if actor.is_none() {
                all_values.push(p);
            }
        }
        let me = &mut self.frames[level];
        if actor.is_none() && me.paths > 0 {
            if weight > 0.0 {
                scale(&mut me.payoff, 1.0 / weight);
                scale(&mut me.dist, 1.0 / weight);
            } else if flat > 0.0 {
                me.payoff
                    .iter_mut()
                    .zip(&me.flat_payoff)
                    .for_each(|(a, b)| *a = b / flat);
                me.dist
                    .iter_mut()
                    .zip(&me.flat_dist)
                    .for_each(|(a, b)| *a = b / flat);
            }
        }
        let chosen = match actor {
            None => likeliest.map(|(i, _)| i),
            Some(_) => best.map(|(i, _)| i),
        };
        me.line[0] = LineStep {
            option: chosen.map_or(SKIPPED, |i| u16::try_from(i).unwrap_or(SKIPPED)),
            optimal,
            values,
        };
        if actor.is_some()
            && forced.is_none()
            && !decision.uniform
            && let Some((forecast, p)) = likeliest
            && !optimal_list.is_empty()
            && !optimal_list.contains(&forecast)
        {
            self.flag(level, forecast, p, optimal_list.clone(), all_values.clone());
        }
        self.frames[level].scratch_values = all_values;
        self.frames[level].scratch_optimal = optimal_list;
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
        if self.error_keys.contains(&key) || self.errors.len() >= 20 {
            return;
        }
        self.error_keys.push(key);
        self.errors.push(diagnostic);
    }

    fn report_conflict(&mut self, f: usize, taken: usize) {
        // Name the rules: every writer that fires now at the highest priority. Closed rules'
        // inputs are still in the slots, so evaluating them again gives the answer they gave.
        let writers = self.analysis.writers[f].clone();
        let mut firing: Vec<(usize, i64)> = Vec::new();
        for r in writers {
            let rule = &self.program.rules[r];
            if rule.sets.iter().any(|(t, _)| *t == f)
                && rule
                    .when
                    .run(&self.state.slots, &mut self.state.stack)
                    .truthy()
            {
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

    fn finish(mut self) -> Result<Evaluation, Vec<Diagnostic>> {
        if let Some(stopped) = self.stopped.take() {
            return Err(vec![stopped]);
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let root = self.frames[0].clone();
        if root.paths == 0 {
            return Err(vec![
                Diagnostic::new(DiagCode::LimitExceeded, "no path is consistent with the given values")
                    .help("a given decision may be skipped on every path where the others hold; check its guard"),
            ]);
        }
        let total: f64 = root.mass.iter().sum();
        let outcomes = (0..self.program.outcomes.len())
            .map(|i| OutcomeResult {
                index: i,
                probability: if total > 0.0 {
                    root.mass[i] / total
                } else {
                    0.0
                },
                reachable: self.outcome_reachable[i],
                strategic_probability: root.dist[i],
            })
            .collect();
        let mut line = Vec::new();
        let mut outcome = None;
        for (level, step) in root.line.iter().enumerate() {
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
            payoffs: root.payoff,
        };
        let uniform = self
            .program
            .decisions
            .iter()
            .filter(|d| d.uniform)
            .map(|d| d.index)
            .collect();
        Ok(Evaluation {
            paths: root.paths,
            outcomes,
            strategy,
            option_reachable: self.option_reachable,
            uniform,
            key_assumptions: self.flags.into_iter().flatten().collect(),
            nodes: self.nodes,
        })
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

fn fixed(x: f64) -> i128 {
    (x.clamp(-1e15, 1e15) * SCALE).round() as i128
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
