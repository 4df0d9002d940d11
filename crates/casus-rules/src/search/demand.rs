//! Static facts about a program that let the search merge equal states.
//!
//! Derived facts are pure functions of the decisions taken so far. Once every decision a rule
//! depends on is taken, the rule is *closed*: whether it fires can no longer change, so its
//! effect is folded into a per-fact summary and its inputs can be forgotten. Two prefixes that
//! agree on the decisions still read later and on those summaries have the same future; the
//! search evaluates that future once.

use std::convert::Infallible;
use std::sync::Arc;

use petgraph::algo::toposort;

use crate::compile::deps::DepNode;
use crate::compile::program::Program;
use crate::compile::value::Val;
use crate::search::walk::EvalLimits;

/// One step of recomputing derived facts, in dependency order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Evaluate rule `i` (index into `Program::rules`).
    Rule(usize),
    /// Settle derived fact `i` (index into `Program::derived`).
    Fact(usize),
}

/// What the search needs to know about a program before it starts: its [`Facts`], made once
/// per shape of the programs of one compile (`crate::search::memo`) and shared.
#[derive(Clone, Debug)]
pub(crate) struct Analysis(Arc<Facts>);

impl Analysis {
    pub(crate) fn new(program: &Program) -> Self {
        Self(program.analyses.get_or_analyse(program, Facts::new))
    }

    /// [`Analysis::new`], or `None` when `limits`' deadline passes first. The analysis takes
    /// time linear in what it finds, but a scenario of thousands of decisions, each read by
    /// the outcomes (an imported game), has tens of millions of live decisions in all.
    pub(crate) fn within(program: &Program, limits: &EvalLimits) -> Option<Self> {
        let deadline = || {
            if limits.expired() {
                Err(Expired)
            } else {
                Ok(())
            }
        };
        program
            .analyses
            .get_or_try(program, |p| Facts::analyse(p, &deadline))
            .ok()
            .map(Self)
    }
}

/// The deadline passed before an analysis was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Expired;

/// Levels whose live decisions are found between two looks at the deadline.
const LEVELS_PER_CHECK: usize = 256;

impl std::ops::Deref for Analysis {
    type Target = Facts;

    fn deref(&self) -> &Facts {
        &self.0
    }
}

/// The static facts about one program's shape that the search relies on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Facts {
    /// Rules and derived facts in dependency order.
    pub(crate) steps: Vec<Step>,
    /// For each rule, the level at which it closes: one past the last decision it depends on.
    pub(crate) close_level: Vec<usize>,
    /// For each level `j` (0..=n), the decisions before `j` that something after `j` still reads.
    pub(crate) live: Vec<Vec<usize>>,
    /// For each derived fact, the rules that set or add to it.
    pub(crate) writers: Vec<Vec<usize>>,
    /// The demand-driven schedule of the search; see [`Demand`].
    pub(crate) demand: Demand,
    /// The last level where states can merge, if any.
    last_merge: Option<usize>,
}

/// When each rule and derived fact must be up to date, so that the search evaluates a rule
/// only when its inputs changed *and* someone is about to look.
///
/// Time `t` is the moment after `t` decisions were taken: decision `t`'s guard and
/// conditional likelihoods read facts at time `t`, outcomes at time `n`. A derived fact is
/// *needed* at the times something reads it (a guard, a likelihood, an outcome, or a rule
/// needed then); a rule is needed when a fact it writes is needed before the rule closes, and
/// once more at its close level if the fact is read at or after it (that is when its effect is
/// folded into the fact's summary). Facts that two rules of equal priority could set to
/// different values are needed at every time, so rule conflicts are found exactly where the
/// eager evaluation found them.
///
/// Between the times a step is needed its inputs may change unseen; the search then marks it
/// stale and evaluates it when it is next needed (`wake`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Demand {
    /// Position of each step in `Analysis::steps`, for rules.
    pub(crate) rule_pos: Vec<u32>,
    /// Position of each step in `Analysis::steps`, for derived facts.
    pub(crate) fact_pos: Vec<u32>,
    /// Rules that read each decision directly.
    pub(crate) decision_readers: Vec<Vec<usize>>,
    /// Rules that read each derived fact directly.
    pub(crate) fact_readers: Vec<Vec<usize>>,
    /// Bit `t` of step `s`'s row: whether step `s` (by position) is needed at time `t`.
    need: Vec<u64>,
    words: usize,
    /// For each time `t`, the steps needed at `t` but not at `t - 1`: they may be stale.
    pub(crate) wake: Vec<Vec<u32>>,
    /// For each level, the rules that close there and whose effect is folded into their
    /// facts' summaries: those whose facts are read at or after that level.
    pub(crate) folding: Vec<Vec<usize>>,
    /// For each level, the derived facts whose summary the memo key must hold: those read at
    /// or after that level.
    pub(crate) key_facts: Vec<Vec<usize>>,
    /// How each derived fact's summary enters the memo key.
    pub(crate) fact_key: Vec<FactKey>,
    /// For facts whose writers all set one value: that value.
    pub(crate) same_value: Vec<Option<crate::compile::value::Val>>,
    /// Each rule's `add`s in fixed point.
    pub(crate) adds: Vec<Vec<(usize, i128)>>,
    /// For ranked facts, per level: the distinct priorities of the writers still open there,
    /// sorted; `open_priorities[level][f]`.
    pub(crate) open_priorities: Vec<Vec<Vec<i64>>>,
}

/// How a derived fact's summary of closed rules enters the memo key: only as finely as the
/// future can tell summaries apart, so that more prefixes merge.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum FactKey {
    /// A sum, kept exactly between `lo` and `hi` (fixed point, default included); every sum
    /// above `hi` is one class, every sum below `lo` another. `hi` is set when no rule
    /// subtracts and the fact is only compared with constants (then a sum a unit above the
    /// largest constant compares the same with all of them, whatever is added later), `lo`
    /// likewise when no rule adds.
    Sum {
        /// Above this, sums are alike.
        hi: Option<i128>,
        /// Below this, sums are alike.
        lo: Option<i128>,
    },
    /// Set to one value by every writer: only whether some closed writer fired matters.
    Same,
    /// Set to different values: the winning value and where its priority lies among the
    /// priorities of the writers still open (which decide who wins later, and conflicts).
    Ranked,
}

/// Fixed-point scale for `add` sums: exact and independent of the order rules fire in, so
/// reordering rules can never change a sum in the last bit. The number model is
/// [`casus_core::fixed`], shared by every engine; the checker refuses what it cannot hold.
pub(crate) const SCALE: f64 = casus_core::fixed::SCALE;

/// `x` in fixed point.
pub(crate) fn fixed(x: f64) -> i128 {
    casus_core::fixed::to_fixed(x)
}

impl Demand {
    /// Whether the step at position `pos` is needed at time `t`.
    #[inline]
    pub(crate) fn needed(&self, pos: u32, t: usize) -> bool {
        let row = pos as usize * self.words;
        self.need
            .get(row + t / 64)
            .is_some_and(|w| w & (1 << (t % 64)) != 0)
    }

    fn new(
        program: &Program,
        steps: &[Step],
        close_level: &[usize],
        writers: &[Vec<usize>],
    ) -> Self {
        let n = program.decisions.len();
        let words = (n + 1).div_ceil(64);
        let mut rule_pos = vec![0u32; program.rules.len()];
        let mut fact_pos = vec![0u32; program.derived.len()];
        for (pos, step) in steps.iter().enumerate() {
            let pos = u32::try_from(pos).unwrap_or(u32::MAX);
            match *step {
                Step::Rule(r) => rule_pos[r] = pos,
                Step::Fact(f) => fact_pos[f] = pos,
            }
        }
        let mut slot_derived = vec![None; program.initial.len()];
        for (f, d) in program.derived.iter().enumerate() {
            if let Some(s) = slot_derived.get_mut(d.slot as usize) {
                *s = Some(f);
            }
        }
        let mut decision_readers = vec![Vec::new(); n];
        let mut fact_readers = vec![Vec::new(); program.derived.len()];
        for (r, rule) in program.rules.iter().enumerate() {
            for &slot in rule.when.reads.iter() {
                if (slot as usize) < n {
                    decision_readers[slot as usize].push(r);
                } else if let Some(Some(f)) = slot_derived.get(slot as usize) {
                    fact_readers[*f].push(r);
                }
            }
        }

        let mut need = vec![0u64; steps.len() * words];
        let set = |need: &mut Vec<u64>, pos: u32, t: usize| {
            if let Some(w) = need.get_mut(pos as usize * words + t / 64) {
                *w |= 1 << (t % 64);
            }
        };
        // What guards, likelihoods and outcomes read.
        for (t, decision) in program.decisions.iter().enumerate() {
            let codes = decision
                .guard
                .iter()
                .chain(decision.conditional.iter().map(|(c, _)| c));
            for code in codes {
                for &slot in code.reads.iter() {
                    if let Some(Some(f)) = slot_derived.get(slot as usize) {
                        set(&mut need, fact_pos[*f], t);
                    }
                }
            }
        }
        for code in program.outcomes.iter().filter_map(|o| o.when.as_ref()) {
            for &slot in code.reads.iter() {
                if let Some(Some(f)) = slot_derived.get(slot as usize) {
                    set(&mut need, fact_pos[*f], n);
                }
            }
        }
        // Facts where two rules of equal priority set different values: always needed.
        for (f, ws) in writers.iter().enumerate() {
            let mut sets: Vec<(i64, crate::compile::value::Val)> = ws
                .iter()
                .flat_map(|&r| {
                    let rule = &program.rules[r];
                    rule.sets
                        .iter()
                        .filter(move |(target, _)| *target == f)
                        .map(move |(_, v)| (rule.priority, *v))
                })
                .collect();
            sets.sort_by_key(|s| s.0);
            let conflicting = sets
                .windows(2)
                .any(|w| w[0].0 == w[1].0 && !w[0].1.equals(w[1].1));
            if conflicting {
                for t in 0..=n {
                    set(&mut need, fact_pos[f], t);
                }
            }
        }
        // Propagate backwards through the dependency order.
        let mut folds = vec![false; program.rules.len()];
        let row = |need: &Vec<u64>, pos: u32| -> Vec<u64> {
            let start = pos as usize * words;
            need.get(start..start + words)
                .map_or_else(|| vec![0; words], <[u64]>::to_vec)
        };
        for step in steps.iter().rev() {
            match *step {
                Step::Fact(f) => {
                    let mut acc = row(&need, fact_pos[f]);
                    for &r in &fact_readers[f] {
                        for (a, b) in acc.iter_mut().zip(row(&need, rule_pos[r])) {
                            *a |= b;
                        }
                    }
                    let start = fact_pos[f] as usize * words;
                    if let Some(dst) = need.get_mut(start..start + words) {
                        dst.copy_from_slice(&acc);
                    }
                }
                Step::Rule(r) => {
                    let close = close_level[r];
                    let rule = &program.rules[r];
                    let targets = rule
                        .sets
                        .iter()
                        .map(|(f, _)| *f)
                        .chain(rule.adds.iter().map(|(f, _)| *f));
                    for f in targets {
                        let fact = row(&need, fact_pos[f]);
                        let bit =
                            |t: usize| fact.get(t / 64).is_some_and(|w| w & (1 << (t % 64)) != 0);
                        for t in 0..close.min(n + 1) {
                            if bit(t) {
                                set(&mut need, rule_pos[r], t);
                            }
                        }
                        if (close..=n).any(bit) {
                            set(&mut need, rule_pos[r], close);
                            folds[r] = true;
                        }
                    }
                }
            }
        }
        let mut wake = vec![Vec::new(); n + 1];
        for pos in 0..steps.len() {
            let pos = u32::try_from(pos).unwrap_or(u32::MAX);
            for (t, list) in wake.iter_mut().enumerate().skip(1) {
                let row = pos as usize * words;
                let bit = |t: usize| {
                    need.get(row + t / 64)
                        .is_some_and(|w| w & (1 << (t % 64)) != 0)
                };
                if bit(t) && !bit(t - 1) {
                    list.push(pos);
                }
            }
        }
        // Rules and facts never needed are never evaluated after the start: nobody tells them.
        let any = |need: &Vec<u64>, pos: u32| {
            let start = pos as usize * words;
            need.get(start..start + words)
                .is_some_and(|row| row.iter().any(|w| *w != 0))
        };
        for readers in decision_readers.iter_mut().chain(fact_readers.iter_mut()) {
            readers.retain(|&r| any(&need, rule_pos[r]));
        }
        let mut folding = vec![Vec::new(); n + 1];
        for (r, &fold) in folds.iter().enumerate() {
            if fold && let Some(list) = folding.get_mut(close_level[r]) {
                list.push(r);
            }
        }
        let key_facts = (0..=n)
            .map(|level| {
                (0..program.derived.len())
                    .filter(|&f| {
                        let row = fact_pos[f] as usize * words;
                        (level..=n).any(|t| {
                            need.get(row + t / 64)
                                .is_some_and(|w| w & (1 << (t % 64)) != 0)
                        })
                    })
                    .collect()
            })
            .collect();
        let (fact_key, open_priorities) = fact_keys(program, writers, close_level);
        let adds = program
            .rules
            .iter()
            .map(|r| r.adds.iter().map(|&(f, a)| (f, fixed(a))).collect())
            .collect();
        let same_value = (0..program.derived.len())
            .map(|f| {
                writers[f]
                    .iter()
                    .flat_map(|&r| program.rules[r].sets.iter())
                    .find(|(target, _)| *target == f)
                    .map(|(_, v)| *v)
            })
            .collect();
        Self {
            same_value,
            adds,
            fact_key,
            open_priorities,
            rule_pos,
            fact_pos,
            decision_readers,
            fact_readers,
            need,
            words,
            wake,
            folding,
            key_facts,
        }
    }
}

impl Facts {
    /// Analyses `program` from scratch.
    pub(crate) fn new(program: &Program) -> Self {
        let Ok(facts) = Self::analyse(program, &|| Ok::<(), Infallible>(()));
        facts
    }

    /// Analyses `program` from scratch, giving up with `deadline`'s error when it has one:
    /// it is asked once per few hundred levels (not before, so a small scenario is analysed
    /// whatever the time).
    fn analyse<E>(program: &Program, deadline: &dyn Fn() -> Result<(), E>) -> Result<Self, E> {
        let n = program.decisions.len();
        let graph = &program.graph.graph;
        let order = toposort(graph, None).unwrap_or_default();
        let derived_of_fact = |fact: usize| program.derived.iter().position(|d| d.fact == fact);
        let mut steps = Vec::new();
        for node in order {
            match graph[node] {
                DepNode::Rule(r) => steps.push(Step::Rule(r)),
                DepNode::Fact(f) => {
                    if let Some(d) = derived_of_fact(f) {
                        steps.push(Step::Fact(d));
                    }
                }
                DepNode::Decision(_) => {}
            }
        }

        let mut writers = vec![Vec::new(); program.derived.len()];
        for rule in &program.rules {
            for &(d, _) in &rule.sets {
                writers[d].push(rule.index);
            }
            for &(d, _) in &rule.adds {
                writers[d].push(rule.index);
            }
        }
        for w in &mut writers {
            w.sort_unstable();
            w.dedup();
        }

        // Decisions each derived fact and rule depend on, through derived facts.
        let slot_decision = |slot: u32| (slot as usize) < n;
        let slot_derived = |slot: u32| program.derived.iter().position(|d| d.slot == slot);
        let mut fact_deps: Vec<Vec<usize>> = vec![Vec::new(); program.derived.len()];
        let mut rule_deps: Vec<Vec<usize>> = vec![Vec::new(); program.rules.len()];
        for step in &steps {
            match *step {
                Step::Rule(r) => {
                    let mut deps = Vec::new();
                    for &slot in program.rules[r].when.reads.iter() {
                        if slot_decision(slot) {
                            deps.push(slot as usize);
                        } else if let Some(d) = slot_derived(slot) {
                            deps.extend_from_slice(&fact_deps[d]);
                        }
                    }
                    deps.sort_unstable();
                    deps.dedup();
                    rule_deps[r] = deps;
                }
                Step::Fact(d) => {
                    let mut deps: Vec<usize> = writers[d]
                        .iter()
                        .flat_map(|&r| rule_deps[r].iter().copied())
                        .collect();
                    deps.sort_unstable();
                    deps.dedup();
                    fact_deps[d] = deps;
                }
            }
        }
        let close_level: Vec<usize> = rule_deps
            .iter()
            .map(|deps| deps.last().map_or(0, |&last| last + 1))
            .collect();

        // Decisions read directly by what is evaluated at or after each level.
        let direct = |reads: &[u32]| {
            reads
                .iter()
                .filter(|&&s| slot_decision(s))
                .map(|&s| s as usize)
                .collect::<Vec<_>>()
        };
        // The last level at which each decision is still read: `n` when an outcome reads it,
        // `d` when decision `d`'s guard or a conditional likelihood does, one before its close
        // level when a rule does. Decision `i` is live at `level` when `i < level <= until[i]`,
        // so each level's list follows from the one before in time linear in the two lists
        // (rescanning every later decision at every level was quadratic in the decisions).
        let mut until: Vec<Option<usize>> = vec![None; n];
        let mut read_until = |i: usize, level: usize| {
            if let Some(u) = until.get_mut(i) {
                *u = Some(u.map_or(level, |u: usize| u.max(level)));
            }
        };
        for code in program.outcomes.iter().filter_map(|o| o.when.as_ref()) {
            for i in direct(&code.reads) {
                read_until(i, n);
            }
        }
        for (d, decision) in program.decisions.iter().enumerate() {
            let codes = decision
                .guard
                .iter()
                .chain(decision.conditional.iter().map(|(c, _)| c));
            for code in codes {
                for i in direct(&code.reads) {
                    read_until(i, d);
                }
            }
        }
        for (r, rule) in program.rules.iter().enumerate() {
            if let Some(last) = close_level[r].checked_sub(1) {
                for i in direct(&rule.when.reads) {
                    read_until(i, last);
                }
            }
        }
        let mut live: Vec<Vec<usize>> = Vec::with_capacity(n + 1);
        let mut current: Vec<usize> = Vec::new();
        for level in 0..=n {
            if level > 0 && level % LEVELS_PER_CHECK == 0 {
                deadline()?;
            }
            if let Some(newest) = level.checked_sub(1) {
                current.retain(|&i| until[i].is_some_and(|u| u >= level));
                if until[newest].is_some_and(|u| u >= level) {
                    current.push(newest);
                }
            }
            live.push(current.clone());
        }
        let demand = Demand::new(program, &steps, &close_level, &writers);
        let last_merge = (0..=n).rev().find(|&level| live[level].len() < level);
        Ok(Self {
            demand,
            last_merge,
            steps,
            close_level,
            live,
            writers,
        })
    }

    /// Whether two different prefixes can reach the same state at `level`; if not, a memo
    /// there would never be hit and only cost memory.
    pub(crate) fn can_merge(&self, level: usize) -> bool {
        self.live[level].len() < level
    }

    /// Whether states can merge at `level` or at any later level.
    pub(crate) fn merges_from(&self, level: usize) -> bool {
        self.last_merge.is_some_and(|last| level <= last)
    }
}

/// Every condition of the program: each rule's `when`, each decision's guard and conditional
/// likelihoods, each outcome's `when`.
pub(crate) fn conditions(program: &Program) -> Vec<&crate::compile::bytecode::Code> {
    program
        .rules
        .iter()
        .map(|r| &r.when)
        .chain(
            program
                .decisions
                .iter()
                .flat_map(|d| d.guard.iter().chain(d.conditional.iter().map(|(c, _)| c))),
        )
        .chain(program.outcomes.iter().filter_map(|o| o.when.as_ref()))
        .collect()
}

/// How each derived fact's summary enters the memo key, and the open writers' priorities.
fn fact_keys(
    program: &Program,
    writers: &[Vec<usize>],
    close_level: &[usize],
) -> (Vec<FactKey>, Vec<Vec<Vec<i64>>>) {
    let n = program.decisions.len();
    let codes = conditions(program);
    let mut keys = Vec::with_capacity(program.derived.len());
    for (f, derived) in program.derived.iter().enumerate() {
        if derived.summed {
            let amounts: Vec<f64> = writers[f]
                .iter()
                .flat_map(|&r| program.rules[r].adds.iter())
                .filter(|(target, _)| *target == f)
                .map(|(_, a)| *a)
                .collect();
            let mut constants = Vec::new();
            let comparable = codes
                .iter()
                .all(|c| c.constants(derived.slot, &mut constants));
            let finite = constants.iter().all(|k| k.is_finite() && k.abs() < 1e12);
            let (hi, lo) = if comparable && finite && !constants.is_empty() {
                let max = constants.iter().copied().fold(f64::MIN, f64::max);
                let min = constants.iter().copied().fold(f64::MAX, f64::min);
                let unit = fixed(1.0);
                (
                    amounts.iter().all(|a| *a >= 0.0).then(|| fixed(max) + unit),
                    amounts.iter().all(|a| *a <= 0.0).then(|| fixed(min) - unit),
                )
            } else {
                (None, None)
            };
            keys.push(FactKey::Sum { hi, lo });
        } else {
            let mut values: Vec<crate::compile::value::Val> = writers[f]
                .iter()
                .flat_map(|&r| program.rules[r].sets.iter())
                .filter(|(target, _)| *target == f)
                .map(|(_, v)| *v)
                .collect();
            values.dedup_by(|a, b| a.equals(*b));
            let first = values.first().copied();
            let same = values.iter().all(|v| first.is_some_and(|x| x.equals(*v)));
            keys.push(if same { FactKey::Same } else { FactKey::Ranked });
        }
    }
    let open_priorities = (0..=n)
        .map(|level| {
            (0..program.derived.len())
                .map(|f| {
                    if keys[f] != FactKey::Ranked {
                        return Vec::new();
                    }
                    let mut p: Vec<i64> = writers[f]
                        .iter()
                        .filter(|&&r| close_level[r] > level)
                        .map(|&r| program.rules[r].priority)
                        .collect();
                    p.sort_unstable();
                    p.dedup();
                    p
                })
                .collect()
        })
        .collect();
    (keys, open_priorities)
}

/// Recomputes every rule and derived fact from scratch, in dependency order: how the plain
/// walkers (the path walker, the drawn graph) bring a state up to date after a decision —
/// clarity over the search's incremental tricks.
pub(crate) fn recompute_from_scratch(
    program: &Program,
    analysis: &Analysis,
    slots: &mut [Val],
    fired: &mut [bool],
    stack: &mut Vec<Val>,
) {
    for &step in &analysis.steps {
        match step {
            Step::Rule(r) => fired[r] = program.rules[r].when.run(slots, stack).truthy(),
            Step::Fact(f) => {
                let derived = &program.derived[f];
                let value = settle_from_scratch(program, analysis, fired, f);
                slots[derived.slot as usize] = value;
            }
        }
    }
}

/// The value of derived fact `f` from scratch, given which rules fire: the default plus the
/// sum of firing `add`s, or the value of the highest-priority firing `then`.
///
/// The walkers that favour clarity over incremental tricks (paths, the drawn graph, lints)
/// share this one definition; the search keeps its own incremental, fixed-point version.
pub(crate) fn settle_from_scratch(
    program: &Program,
    analysis: &Analysis,
    fired: &[bool],
    f: usize,
) -> crate::compile::value::Val {
    use crate::compile::value::Val;
    let derived = &program.derived[f];
    let writers = analysis.writers.get(f).map_or(&[][..], Vec::as_slice);
    let firing = writers.iter().copied().filter(|&r| fired[r]);
    if derived.summed {
        // In fixed point, as the search sums: ten times 0.1 is 1 here too. The amounts were
        // converted once (`Demand::adds`): a fact with hundreds of writers is settled often.
        let mut total = fixed(derived.default.num().unwrap_or(0.0));
        for r in firing {
            for &(_, a) in analysis.demand.adds[r].iter().filter(|(t, _)| *t == f) {
                total += a;
            }
        }
        Val::Num(casus_core::fixed::from_fixed(total))
    } else {
        let mut best: Option<(i64, Val)> = None;
        for r in firing {
            let rule = &program.rules[r];
            for &(_, v) in rule.sets.iter().filter(|(t, _)| *t == f) {
                if best.is_none_or(|(p, _)| rule.priority > p) {
                    best = Some((rule.priority, v));
                }
            }
        }
        best.map_or(derived.default, |(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use casus_core::SourceFile;
    use casus_core::limits::Limits;

    /// The decisions before `level` that something at or after it reads, straight from the
    /// definition: outcomes, the guards and conditional likelihoods of decisions `level..`,
    /// and the rules still open at `level`.
    fn live_by_definition(program: &Program, close_level: &[usize], level: usize) -> Vec<usize> {
        let n = program.decisions.len();
        let mut reads: Vec<u32> = Vec::new();
        for code in program.outcomes.iter().filter_map(|o| o.when.as_ref()) {
            reads.extend(code.reads.iter());
        }
        for decision in &program.decisions[level..] {
            for code in decision.guard.iter() {
                reads.extend(code.reads.iter());
            }
            for (code, _) in &decision.conditional {
                reads.extend(code.reads.iter());
            }
        }
        for (r, rule) in program.rules.iter().enumerate() {
            if close_level[r] > level {
                reads.extend(rule.when.reads.iter());
            }
        }
        (0..level.min(n))
            .filter(|&i| reads.iter().any(|&s| s as usize == i))
            .collect()
    }

    /// `text` loaded, checked and compiled, not evaluated (the search recurses once per
    /// decision, deeper than a test thread's stack for hundreds of them).
    fn program(name: &str, text: &str) -> Program {
        let file = SourceFile::new(name, text);
        let limits = Limits::default();
        let loaded = casus_core::load::load(&file, &limits);
        assert!(
            !loaded
                .diagnostics
                .iter()
                .any(casus_core::Diagnostic::is_error),
            "{name}: {:#?}",
            loaded.diagnostics
        );
        let scenario = loaded.scenario.unwrap();
        let checked = casus_core::check::check(&scenario);
        assert!(
            !checked.iter().any(casus_core::Diagnostic::is_error),
            "{name}: {checked:#?}"
        );
        Program::compile(&scenario).unwrap()
    }

    /// A Gambit game of perfect information, `depth` moves on every path, imported: one
    /// guarded decision per move, read by its children's guards and by the outcomes.
    fn binary_game(depth: u32) -> String {
        let mut efg = String::from("EFG 2 R \"binary\" { \"P1\" \"P2\" }\n\"\"\n");
        let mut stack = vec![0];
        let (mut infosets, mut leaves) = ([0u32; 2], 0u32);
        while let Some(d) = stack.pop() {
            if d == depth {
                leaves += 1;
                let k = leaves % 3 + 1;
                efg.push_str(&format!("t \"\" {k} \"o{k}\" {{ {k}, -{k} }}\n"));
                continue;
            }
            let player = (d % 2) as usize;
            infosets[player] += 1;
            efg.push_str(&format!(
                "p \"\" {} {} \"\" {{ \"L\" \"R\" }} 0\n",
                player + 1,
                infosets[player]
            ));
            stack.extend([d + 1, d + 1]);
        }
        let game = casus_core::efg::parse(&efg, casus_core::efg::EfgLimits::default()).unwrap();
        casus_core::efg::to_scenario(
            &game,
            casus_core::efg::ImportOptions {
                source_name: "binary.efg",
                max_decisions: 1_000,
            },
        )
        .unwrap()
    }

    /// The live decisions of every level, found level by level from the last reader of each
    /// decision, are those of the definition, on the bundled scenarios (rules, derived facts,
    /// conditional likelihoods) and on an imported game (guards on every decision).
    #[test]
    fn live_decisions_match_the_definition() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let mut files: Vec<(String, String)> = std::fs::read_dir(&root)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "toml"))
            .map(|path| {
                let text = std::fs::read_to_string(&path).unwrap();
                (path.display().to_string(), text)
            })
            .collect();
        assert!(files.len() >= 3, "{files:?}");
        files.push(("binary.toml".to_owned(), binary_game(5)));
        for (name, text) in &files {
            let program = program(name, text);
            let facts = Facts::new(&program);
            let n = program.decisions.len();
            assert_eq!(facts.live.len(), n + 1, "{name}");
            for level in 0..=n {
                assert_eq!(
                    facts.live[level],
                    live_by_definition(&program, &facts.close_level, level),
                    "{name}, level {level}"
                );
            }
        }
    }

    /// Past its deadline, the analysis of a long scenario gives up and keeps nothing; a short
    /// one is analysed whatever the time, as before the deadline was watched here.
    #[test]
    fn the_analysis_gives_up_at_the_deadline() {
        let past = EvalLimits {
            deadline: Some(std::time::Instant::now()),
            ..EvalLimits::default()
        };
        std::thread::sleep(std::time::Duration::from_millis(2));
        let long = program("long.toml", &binary_game(9));
        assert_eq!(long.decisions.len(), 511);
        assert!(Analysis::within(&long, &past).is_none());
        // Nothing was kept: with time left, the analysis is made, and it is the plain one.
        let kept = Analysis::within(&long, &EvalLimits::default()).unwrap();
        assert_eq!(*kept, Facts::new(&long));
        let short = program("short.toml", &binary_game(3));
        assert_eq!(short.decisions.len(), 7);
        let short_analysis = Analysis::within(&short, &past).unwrap();
        assert_eq!(*short_analysis, Facts::new(&short));
    }
}
