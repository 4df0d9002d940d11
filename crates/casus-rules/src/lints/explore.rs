//! A walk over every state of the decision graph, collecting what the path-based lints need.
//!
//! [`crate::search::paths::walk`] hands over complete paths; the lints need more: what every condition
//! (and each of its parts) evaluates to at every point it is checked, which rules fire at every
//! point (a guard reads derived facts before the last decision), which `likelihood_if` wins,
//! and whether a decision's options lead to different futures. So this walk visits every
//! *state*, the slots after each prefix of decisions, once: two prefixes that agree on all the
//! rest of the walk can observe have the same future, and the second is merged into the first.
//! Taking a decision redoes only the rules and facts that depend on it, and observes only what
//! changed (observations only ever add to what was seen, so an unchanged rule has nothing new
//! to say). Rules are recomputed exactly as [`crate::search::paths::walk`] does, from the same
//! dependency order.
//!
//! The walk covers the scenario as written and the what-ifs it declares itself (see
//! [`settings`]): each test's and each variant's overridden input facts, and each other value a
//! symbol fact's `type` lists. A condition is "never true" only if it is never true in any of
//! them, so a threshold written for a what-if is not reported as a mistake.
//!
//! Merging keys on a 128-bit hash of what the rest of the walk can observe (see
//! [`Walker::key`]) rather than on the slots themselves, to keep memory flat on large
//! scenarios; two different states sharing a key is about as likely as a cosmic ray flipping a
//! bit, and would only make a lint see fewer states.

use rustc_hash::FxHashMap;
use std::time::Instant;

use casus_core::expr::{BinaryOp, Expr, ExprKind, UnaryOp};
use casus_core::model::{Evidence, FactKind, Scenario, Type, Value};
use casus_core::names::{NameRef, Names};

use crate::compile::bytecode::{Code, SlotMap};
use crate::compile::program::Program;
use crate::compile::value::{Symbols, Val};
use crate::search::demand::{Analysis, Step};
use crate::search::walk::EvalLimits;

/// Most distinct states the walks visit, all together, before the path-based lints give up.
/// About a second in a release build; real scenarios need hundreds.
pub(super) const MAX_STATES: u64 = 200_000;

/// Most steps kept in the per-decision lists of what to redo, all together.
const MAX_AFFECTED: usize = 4_000_000;

/// Where a condition is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Owner {
    /// The guard (`when`) of decision `d`; checked before `d` is taken.
    Guard(usize),
    /// `likelihood_if` number `k` of decision `d`; checked where `d` is taken.
    LikelihoodIf(usize, usize),
    /// The condition of rule `r`; checked at every point.
    Rule(usize),
    /// The condition of outcome `o`; checked at the end of every path.
    Outcome(usize),
    /// The condition of signpost `s`; checked at the end of every path.
    Signpost(usize),
}

/// How a part of a condition combines its own parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// `a and b and …`
    And,
    /// `a or b or …`
    Or,
    /// `not a`
    Not,
    /// A comparison, `in`, a name or a literal: not split further.
    Atom,
}

/// One part of a condition and what it evaluated to.
#[derive(Debug)]
pub(super) struct Node<'s> {
    /// The part as written.
    pub(super) expr: &'s Expr,
    /// How it combines its parts.
    pub(super) shape: Shape,
    /// Its parts, as indices into the condition's nodes.
    pub(super) children: Vec<usize>,
    /// Whether it was true somewhere.
    pub(super) seen_true: bool,
    /// Whether it was false somewhere.
    pub(super) seen_false: bool,
}

/// A name a condition reads, and the values it had where the condition was checked.
#[derive(Debug)]
pub(super) struct Read {
    /// The name.
    pub(super) name: String,
    /// What it refers to.
    pub(super) target: NameRef,
    slot: u32,
    /// The distinct values seen, as written, in the order first seen, up to [`MAX_VALUES`].
    pub(super) values: Vec<String>,
    /// Whether more distinct values than those were seen.
    pub(super) more: bool,
    /// The values seen in the current walk, before they are written out.
    seen: Vec<Val>,
}

/// Distinct values kept per name; enough to explain, few enough to read.
const MAX_VALUES: usize = 5;

/// A condition, split into parts, with what each part evaluated to.
#[derive(Debug)]
pub(super) struct Condition<'s> {
    /// Where it is written.
    pub(super) owner: Owner,
    /// Its parts in pre-order; `nodes[0]` is the whole condition.
    pub(super) nodes: Vec<Node<'s>>,
    /// The names it reads.
    pub(super) reads: Vec<Read>,
    /// On how many states it was checked.
    pub(super) checked: u64,
    /// Whether every part has been both true and false.
    saturated: bool,
}

impl Condition<'_> {
    /// Whether part `i` was never true (`true`) or never false (`false`) where checked, and
    /// it was checked at all.
    pub(super) fn constant(&self, i: usize) -> Option<bool> {
        let node = self.nodes.get(i)?;
        match (self.checked > 0, node.seen_true, node.seen_false) {
            (true, true, false) => Some(true),
            (true, false, true) => Some(false),
            _ => None,
        }
    }

    fn observe(&mut self, codes: &[Code], slots: &[Val], stack: &mut Vec<Val>) -> bool {
        self.checked += 1;
        if self.saturated {
            // Every part has been both true and false: nothing more to learn, and the values
            // read are only ever quoted to explain a part that is constant.
            return codes.first().is_some_and(|c| c.holds(slots, stack));
        }
        let mut root = false;
        for (i, (node, code)) in self.nodes.iter_mut().zip(codes).enumerate() {
            let holds = code.holds(slots, stack);
            if i == 0 {
                root = holds;
            }
            if holds {
                node.seen_true = true;
            } else {
                node.seen_false = true;
            }
        }
        for read in &mut self.reads {
            let value = slots.get(read.slot as usize).copied().unwrap_or(Val::Unset);
            if !read.seen.iter().any(|v| v.equals(value)) && read.seen.len() <= MAX_VALUES {
                read.seen.push(value);
            }
        }
        self.saturated = self.nodes.iter().all(|n| n.seen_true && n.seen_false);
        root
    }

    /// Writes out the values seen in one walk, named with that walk's symbols.
    fn settle(&mut self, symbols: &Symbols) {
        for read in &mut self.reads {
            for value in read.seen.drain(..) {
                let shown = super::text::val(value, symbols);
                if read.values.contains(&shown) {
                    continue;
                }
                if read.values.len() < MAX_VALUES {
                    read.values.push(shown);
                } else {
                    read.more = true;
                }
            }
        }
    }
}

/// A path prefix: `(decision, option)`, `None` for a skipped decision.
pub(super) type Prefix = Vec<(usize, Option<usize>)>;

/// What one `then` assignment of a rule did wherever the rule fired.
#[derive(Debug, Default)]
pub(super) struct Assignment {
    /// Whether the rule fired somewhere.
    pub(super) fired: bool,
    /// Whether, somewhere, the fact's value would differ without this assignment.
    pub(super) effective: bool,
    /// Whether everywhere it fired a rule of higher priority set the fact too.
    pub(super) always_overridden: bool,
    /// The rules of higher priority that won, by index (the first few).
    pub(super) winners: Vec<usize>,
    /// Whether more rules won than `winners` holds.
    pub(super) more_winners: bool,
    /// Rules of the same or lower priority that set the same value where it fired (the first
    /// few).
    pub(super) same: Vec<usize>,
    /// Whether more such rules than `same` holds.
    pub(super) more_same: bool,
    /// Whether it fired somewhere the fact would have its default anyway.
    pub(super) default: bool,
    /// A path where it fired without effect.
    pub(super) example: Option<Prefix>,
}

/// What the walk saw of one decision.
#[derive(Debug, Default)]
pub(super) struct DecisionSeen {
    /// Whether some state took it.
    pub(super) taken: bool,
    /// Whether, somewhere it was taken, two options led to different futures.
    pub(super) matters: bool,
    /// A state where it was taken, and the one outcome every option led to there, if one.
    pub(super) example: Option<(Prefix, Option<usize>)>,
    /// Whether it was taken somewhere no `likelihood_if` held.
    pub(super) base_used: bool,
    /// For each `likelihood_if`: whether it held somewhere.
    pub(super) holds: Vec<bool>,
    /// For each `likelihood_if`: whether it was the first to hold somewhere.
    pub(super) first: Vec<bool>,
    /// For each `likelihood_if`: the earlier ones that won where it held.
    pub(super) beaten_by: Vec<Vec<usize>>,
}

/// Everything the walk saw.
#[derive(Debug)]
pub(super) struct Explored<'s> {
    /// Every condition in the file, split into parts.
    pub(super) conditions: Vec<Condition<'s>>,
    /// Per rule: whether it fired somewhere, and whether it was idle somewhere.
    pub(super) rules: Vec<(bool, bool)>,
    /// Per rule, per `then` entry: what the assignment did.
    pub(super) assignments: Vec<Vec<Assignment>>,
    /// Per decision.
    pub(super) decisions: Vec<DecisionSeen>,
    /// Per outcome: whether some path reaches it.
    pub(super) outcomes: Vec<bool>,
    /// Distinct states visited, over all walks.
    pub(super) states: u64,
}

/// Why the walk stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stop {
    /// More than [`MAX_STATES`] distinct states.
    TooManyStates,
    /// The evaluation deadline passed.
    Deadline,
    /// The file declares too many what-ifs to walk them all.
    TooManyWhatIfs,
}

/// The future after a state, hash-consed: equal ids mean equal futures (the same decisions,
/// probabilities and outcomes in the same shape).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Future {
    Leaf(Option<usize>),
    Branch(Vec<(u64, u32)>),
}

/// The what-ifs a scenario declares, as overrides of input facts, base first: nothing
/// overridden; each test's `given` and each variant's `facts` (their input facts); and each
/// other value a symbol fact's `type` lists. Duplicates are dropped.
pub(super) fn settings(scenario: &Scenario) -> Vec<Vec<(usize, Value)>> {
    let mut out: Vec<Vec<(usize, Value)>> = vec![Vec::new()];
    let mut add = |overrides: Vec<(usize, Value)>| {
        if !overrides.is_empty() && !out.contains(&overrides) {
            out.push(overrides);
        }
    };
    let resolve = |pairs: &[(casus_core::model::Ident, casus_core::span::Spanned<Value>)]| {
        crate::search::given::resolve(
            scenario,
            pairs.iter().map(|(n, v)| (n.name.as_str(), &v.value)),
        )
        .map(|fixed| {
            let mut overrides = fixed.overrides;
            overrides.sort_by_key(|(f, _)| *f);
            overrides
        })
        .unwrap_or_default()
    };
    for test in &scenario.tests {
        add(resolve(&test.given));
    }
    for variant in &scenario.variants {
        add(resolve(&variant.facts));
    }
    for (f, fact) in scenario.facts.iter().enumerate() {
        if let FactKind::Input {
            value,
            ty: Type::Enum(symbols),
            ..
        } = &fact.kind
        {
            for symbol in symbols {
                let other = Value::Symbol(symbol.clone());
                if other != value.value {
                    add(vec![(f, other)]);
                }
            }
        }
    }
    out
}

/// Walks every state of each program (nothing given; the first is the scenario as written,
/// the others its what-ifs) and collects what the lints need, summed over all of them.
pub(super) fn explore<'s>(
    scenario: &'s Scenario,
    programs: &[&Program],
    limits: &EvalLimits,
    max_states: u64,
) -> Result<Explored<'s>, Stop> {
    let names = Names::new(scenario);
    let n_decisions = scenario.decisions.len();
    let mut conditions = Vec::new();
    let mut index = Index {
        guard: vec![None; n_decisions],
        likelihood_if: vec![Vec::new(); n_decisions],
        rule: Vec::new(),
        outcome: Vec::new(),
        signpost: Vec::new(),
    };
    for (d, decision) in scenario.decisions.iter().enumerate() {
        if let Some(when) = &decision.when {
            index.guard[d] = Some(conditions.len());
            conditions.push(condition(&names, n_decisions, Owner::Guard(d), when));
        }
        for (k, c) in decision.likelihood_if.iter().enumerate() {
            index.likelihood_if[d].push(conditions.len());
            conditions.push(condition(
                &names,
                n_decisions,
                Owner::LikelihoodIf(d, k),
                &c.when,
            ));
        }
    }
    for (r, rule) in scenario.rules.iter().enumerate() {
        index.rule.push(conditions.len());
        conditions.push(condition(&names, n_decisions, Owner::Rule(r), &rule.when));
    }
    for (o, outcome) in scenario.outcomes.iter().enumerate() {
        if let Some(when) = &outcome.when {
            index.outcome.push(conditions.len());
            conditions.push(condition(&names, n_decisions, Owner::Outcome(o), when));
        }
    }
    for (s, signpost) in scenario.signposts.iter().enumerate() {
        if let Some(Evidence::When(when)) = &signpost.evidence {
            index.signpost.push(conditions.len());
            conditions.push(condition(&names, n_decisions, Owner::Signpost(s), when));
        }
    }
    let decisions = scenario
        .decisions
        .iter()
        .map(|d| DecisionSeen {
            holds: vec![false; d.likelihood_if.len()],
            first: vec![false; d.likelihood_if.len()],
            beaten_by: vec![Vec::new(); d.likelihood_if.len()],
            ..DecisionSeen::default()
        })
        .collect();
    let assignments = scenario
        .rules
        .iter()
        .map(|r| {
            r.then
                .iter()
                .map(|_| Assignment {
                    always_overridden: true,
                    ..Assignment::default()
                })
                .collect()
        })
        .collect();
    let mut seen = Explored {
        conditions,
        rules: vec![(false, false); scenario.rules.len()],
        assignments,
        decisions,
        outcomes: vec![false; scenario.outcomes.len()],
        states: 0,
    };
    let mut signpost_reads: Vec<usize> = index
        .signpost
        .iter()
        .filter_map(|&c| seen.conditions.get(c))
        .flat_map(|c| c.reads.iter())
        .filter_map(|r| match r.target {
            NameRef::Decision(d) => Some(d),
            NameRef::Fact(_) => None,
        })
        .collect();
    signpost_reads.sort_unstable();
    signpost_reads.dedup();
    for &program in programs {
        // Each program interns symbols in its own order, so conditions are compiled anew.
        let mut compiler = Compiler {
            names: &names,
            symbols: program.symbols.clone(),
            n_decisions,
        };
        let codes = seen
            .conditions
            .iter()
            .map(|c| c.nodes.iter().map(|n| compiler.compile(n.expr)).collect())
            .collect();
        let analysis = Analysis::new(program);
        let plan = Plan::new(program, &analysis, signpost_reads.clone());
        let mut walker = Walker {
            program,
            analysis,
            plan,
            codes,
            deadline: limits.deadline,
            slots: program.initial.clone(),
            fired: vec![false; program.rules.len()],
            totals: program
                .derived
                .iter()
                .map(|d| crate::search::demand::fixed(d.default.num().unwrap_or(0.0)))
                .collect(),
            stack: Vec::new(),
            steps: Vec::new(),
            memo: FxHashMap::default(),
            futures: FxHashMap::default(),
            single: Vec::new(),
            max_states,
            marks: vec![0; program.rules.len()],
            stamp: 0,
            seen,
            index,
        };
        walker.recompute();
        walker.observe_all();
        let result = walker.visit(0);
        for c in &mut walker.seen.conditions {
            c.settle(&compiler.symbols);
        }
        seen = walker.seen;
        index = walker.index;
        result?;
    }
    Ok(seen)
}

/// A condition split into parts, not yet walked.
fn condition<'s>(names: &Names, n_decisions: usize, owner: Owner, expr: &'s Expr) -> Condition<'s> {
    let mut nodes = Vec::new();
    node(expr, &mut nodes);
    let mut reads: Vec<Read> = Vec::new();
    expr.for_each_name(&mut |name, _| {
        if reads.iter().any(|r| r.name == name) {
            return;
        }
        if let Some((target, _)) = names.get(name) {
            let slot = match target {
                NameRef::Decision(i) => slot(i),
                NameRef::Fact(i) => slot(n_decisions + i),
            };
            reads.push(Read {
                name: name.to_owned(),
                target,
                slot,
                values: Vec::new(),
                more: false,
                seen: Vec::new(),
            });
        }
    });
    Condition {
        owner,
        nodes,
        reads,
        checked: 0,
        saturated: false,
    }
}

/// Adds `expr` and its parts to `nodes` in pre-order; chains of one operator
/// (`a and b and c`) are one part with several children, as the analyst reads them.
fn node<'s>(expr: &'s Expr, nodes: &mut Vec<Node<'s>>) -> usize {
    let (shape, parts) = match &expr.kind {
        ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), _, _) => {
            let shape = if *op == BinaryOp::And {
                Shape::And
            } else {
                Shape::Or
            };
            let mut parts = Vec::new();
            let mut pending = vec![expr];
            while let Some(e) = pending.pop() {
                match &e.kind {
                    ExprKind::Binary(o, l, r) if o == op => {
                        pending.push(r);
                        pending.push(l);
                    }
                    _ => parts.push(e),
                }
            }
            (shape, parts)
        }
        ExprKind::Unary(UnaryOp::Not, inner) => (Shape::Not, vec![&**inner]),
        _ => (Shape::Atom, Vec::new()),
    };
    let index = nodes.len();
    nodes.push(Node {
        expr,
        shape,
        children: Vec::new(),
        seen_true: false,
        seen_false: false,
    });
    let children = parts.into_iter().map(|p| node(p, nodes)).collect();
    if let Some(n) = nodes.get_mut(index) {
        n.children = children;
    }
    index
}

/// Which condition belongs to what, by index into `Explored::conditions`.
struct Index {
    guard: Vec<Option<usize>>,
    likelihood_if: Vec<Vec<usize>>,
    rule: Vec<usize>,
    outcome: Vec<usize>,
    signpost: Vec<usize>,
}

struct Compiler<'n> {
    names: &'n Names,
    symbols: Symbols,
    n_decisions: usize,
}

impl Compiler<'_> {
    fn compile(&mut self, expr: &Expr) -> Code {
        let n = self.n_decisions;
        let decision_slot = |i: usize| slot(i);
        let fact_slot = move |i: usize| slot(n + i);
        let map = SlotMap {
            names: self.names,
            decision_slot: &decision_slot,
            fact_slot: &fact_slot,
        };
        Code::compile(expr, &map, &mut self.symbols)
    }
}

fn slot(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// What to redo when a decision is taken: only what depends on it.
struct Plan {
    /// Per decision: the steps (rules and derived facts) that depend on it, in dependency
    /// order; `None` when the lists would take too much memory, and every step is redone.
    affected: Vec<Option<Vec<Step>>>,
    /// Per slot: the rules whose condition reads it.
    readers: Vec<Vec<usize>>,
    /// Per derived fact: the `(rule, then entry)` pairs that set it.
    setters: Vec<Vec<(usize, usize)>>,
    /// Decisions the signposts' conditions read (the engine's liveness does not know them).
    signpost_reads: Vec<usize>,
    /// Per rule: the levels `[from, until)` at which it is closed while another rule that sets
    /// one of its facts is still open, so its firing still matters to the assignment lints.
    fired_matters: Vec<(usize, usize)>,
}

impl Plan {
    fn new(program: &Program, analysis: &Analysis, signpost_reads: Vec<usize>) -> Self {
        let n_slots = program.initial.len();
        let mut readers = vec![Vec::new(); n_slots];
        for (r, rule) in program.rules.iter().enumerate() {
            for &slot in rule.when.reads.iter() {
                if let Some(list) = readers.get_mut(slot as usize) {
                    list.push(r);
                }
            }
        }
        let mut setters = vec![Vec::new(); program.derived.len()];
        for (r, rule) in program.rules.iter().enumerate() {
            for (k, &(f, _)) in rule.sets.iter().enumerate() {
                if let Some(list) = setters.get_mut(f) {
                    list.push((r, k));
                }
            }
        }
        let mut budget = MAX_AFFECTED;
        let affected = program
            .decisions
            .iter()
            .map(|decision| {
                let mut dirty = vec![false; n_slots];
                if let Some(d) = dirty.get_mut(decision.slot as usize) {
                    *d = true;
                }
                let mut rule_dirty = vec![false; program.rules.len()];
                let mut steps = Vec::new();
                for &step in &analysis.steps {
                    match step {
                        Step::Rule(r) => {
                            let reads = &program.rules[r].when.reads;
                            if reads
                                .iter()
                                .any(|&s| dirty.get(s as usize).copied().unwrap_or(false))
                            {
                                rule_dirty[r] = true;
                                steps.push(step);
                            }
                        }
                        Step::Fact(f) => {
                            let writers = analysis.writers.get(f).map_or(&[][..], Vec::as_slice);
                            if writers.iter().any(|&w| rule_dirty[w]) {
                                if let Some(d) = program
                                    .derived
                                    .get(f)
                                    .and_then(|d| dirty.get_mut(d.slot as usize))
                                {
                                    *d = true;
                                }
                                steps.push(step);
                            }
                        }
                    }
                }
                // A hostile file can make every rule depend on every decision; past the
                // budget, a decision's list is dropped and every step is redone instead.
                if steps.len() > budget {
                    return None;
                }
                budget -= steps.len();
                Some(steps)
            })
            .collect();
        let close = |r: usize| analysis.close_level.get(r).copied().unwrap_or(0);
        let fired_matters = program
            .rules
            .iter()
            .enumerate()
            .map(|(r, rule)| {
                let until = rule
                    .sets
                    .iter()
                    .flat_map(|&(f, _)| setters.get(f).map_or(&[][..], Vec::as_slice))
                    .map(|&(w, _)| close(w))
                    .max()
                    .unwrap_or(0);
                (close(r), until)
            })
            .collect();
        Plan {
            affected,
            readers,
            setters,
            signpost_reads,
            fired_matters,
        }
    }
}

struct Walker<'p, 's> {
    program: &'p Program,
    analysis: Analysis,
    plan: Plan,
    /// Per condition, per part: the part compiled against this program's symbols.
    codes: Vec<Vec<Code>>,
    deadline: Option<Instant>,
    slots: Vec<Val>,
    fired: Vec<bool>,
    /// Per summed fact: its default plus the amounts of the rules that fire, in fixed point,
    /// kept as rules start and stop firing (a sum with hundreds of writers is settled often).
    totals: Vec<i128>,
    stack: Vec<Val>,
    steps: Prefix,
    /// `(depth, hash of the slots)` → the future after that state.
    memo: FxHashMap<(u32, u128), u32>,
    futures: FxHashMap<Future, u32>,
    /// Per future id: the one outcome it always ends in, if there is one.
    single: Vec<Option<usize>>,
    max_states: u64,
    /// Per rule: the last stamp it was collected under (see `observe_changes`).
    marks: Vec<u64>,
    stamp: u64,
    seen: Explored<'s>,
    index: Index,
}

impl Walker<'_, '_> {
    /// Recomputes every derived fact from scratch in dependency order, exactly as the path
    /// walker does: of the rules that fire, the highest priority sets a fact; `add`s sum up.
    fn recompute(&mut self) {
        // A handle on the shared analysis, so that the steps can be read while `self` changes.
        let analysis = self.analysis.clone();
        self.run_steps(&analysis.steps);
    }

    fn run_steps(&mut self, steps: &[Step]) {
        let program = self.program;
        for &step in steps {
            match step {
                Step::Rule(r) => {
                    if let (Some(rule), Some(fired)) = (program.rules.get(r), self.fired.get_mut(r))
                    {
                        let now = rule.when.holds(&self.slots, &mut self.stack);
                        if now != *fired {
                            *fired = now;
                            for &(f, amount) in &self.analysis.demand.adds[r] {
                                self.totals[f] += if now { amount } else { -amount };
                            }
                        }
                    }
                }
                Step::Fact(f) => {
                    let Some(derived) = program.derived.get(f) else {
                        continue;
                    };
                    // The same number `settle_from_scratch` gives, from the running total.
                    let value = if derived.summed {
                        Val::Num(casus_core::fixed::from_fixed(self.totals[f]))
                    } else {
                        crate::search::demand::settle_from_scratch(
                            program,
                            &self.analysis,
                            &self.fired,
                            f,
                        )
                    };
                    if let Some(s) = self.slots.get_mut(derived.slot as usize) {
                        *s = value;
                    }
                }
            }
        }
    }

    /// The steps to redo after decision `level` is taken, lent out of the plan (give them
    /// back with [`Self::restore_affected`]).
    fn affected(&mut self, level: usize) -> Vec<Step> {
        match self.plan.affected.get_mut(level) {
            Some(Some(steps)) => std::mem::take(steps),
            _ => self.analysis.steps.clone(),
        }
    }

    fn restore_affected(&mut self, level: usize, steps: Vec<Step>) {
        if let Some(Some(slot)) = self.plan.affected.get_mut(level) {
            *slot = steps;
        }
    }

    /// Observes every rule and assignment in the state before any decision.
    fn observe_all(&mut self) {
        for r in 0..self.program.rules.len() {
            self.observe_rule(r);
        }
        for f in 0..self.program.derived.len() {
            self.observe_setters(f);
        }
    }

    /// Observes what changed after decision `level` was set, compared with the state before:
    /// the rules that read a changed slot, and the assignments to facts whose setters' firing
    /// changed. Everything else evaluates exactly as it did in the state before, where it was
    /// observed already (observations only ever add to what was seen).
    fn observe_changes(&mut self, level: usize, before: &[Val], fired_before: &[bool]) {
        let program = self.program;
        let mut changed_slots = Vec::new();
        if let Some(decision) = program.decisions.get(level) {
            changed_slots.push(decision.slot as usize);
        }
        let mut changed_facts = Vec::new();
        let affected = self.affected(level);
        for &step in &affected {
            match step {
                Step::Fact(f) => {
                    if let Some(d) = program.derived.get(f) {
                        let slot = d.slot as usize;
                        if !self.slots[slot].equals(before[slot]) {
                            changed_slots.push(slot);
                        }
                    }
                }
                Step::Rule(r) => {
                    if self.fired[r] != fired_before[r] {
                        changed_facts.extend(program.rules[r].sets.iter().map(|&(f, _)| f));
                    }
                }
            }
        }
        self.restore_affected(level, affected);
        changed_facts.sort_unstable();
        changed_facts.dedup();
        // Each rule once, however many of its inputs changed: a stamp per rule, not a search.
        self.stamp += 1;
        let mut rules: Vec<usize> = Vec::new();
        for &slot in &changed_slots {
            for &r in self.plan.readers.get(slot).map_or(&[][..], Vec::as_slice) {
                if let Some(mark) = self.marks.get_mut(r)
                    && *mark != self.stamp
                {
                    *mark = self.stamp;
                    rules.push(r);
                }
            }
        }
        for r in rules {
            self.observe_rule(r);
        }
        for f in changed_facts {
            self.observe_setters(f);
        }
    }

    /// The memo key of the state at `level`: everything the rest of the walk can observe.
    /// That is the decisions still read later ([`Analysis::live`], plus those signposts read),
    /// every derived fact, and whether each closed rule fires when a rule still open sets the
    /// same fact (the assignment lints compare them). Rules still open are functions of these.
    fn key(&self, level: usize) -> (u32, u128) {
        let program = self.program;
        let live = self.analysis.live.get(level).map_or(&[][..], Vec::as_slice);
        let mut h = Mix::default();
        for &d in live
            .iter()
            .chain(self.plan.signpost_reads.iter().filter(|&&d| d < level))
        {
            h.add(d as u64);
            h.add(self.slots.get(d).map_or(u64::MAX, |v| v.bits()));
        }
        for derived in &program.derived {
            h.add(
                self.slots
                    .get(derived.slot as usize)
                    .map_or(u64::MAX, |v| v.bits()),
            );
        }
        for (r, &(from, until)) in self.plan.fired_matters.iter().enumerate() {
            if from <= level && level < until {
                h.add(((r as u64) << 1) | u64::from(self.fired[r]));
            }
        }
        (u32::try_from(level).unwrap_or(u32::MAX), h.finish())
    }

    fn intern(&mut self, future: Future) -> u32 {
        if let Some(&id) = self.futures.get(&future) {
            return id;
        }
        let single = match &future {
            Future::Leaf(o) => *o,
            Future::Branch(children) => {
                let mut outcomes = children.iter().map(|&(_, c)| self.single_of(c));
                let first = outcomes.next().flatten();
                if first.is_some() && outcomes.all(|o| o == first) {
                    first
                } else {
                    None
                }
            }
        };
        let id = u32::try_from(self.single.len()).unwrap_or(u32::MAX);
        self.single.push(single);
        self.futures.insert(future, id);
        id
    }

    fn single_of(&self, future: u32) -> Option<usize> {
        self.single.get(future as usize).copied().flatten()
    }

    fn visit(&mut self, level: usize) -> Result<u32, Stop> {
        let key = self.key(level);
        if let Some(&future) = self.memo.get(&key) {
            return Ok(future);
        }
        self.seen.states += 1;
        if self.seen.states > self.max_states {
            return Err(Stop::TooManyStates);
        }
        if self.seen.states.is_multiple_of(256)
            && self.deadline.is_some_and(|d| Instant::now() >= d)
        {
            return Err(Stop::Deadline);
        }
        let future = if level == self.program.decisions.len() {
            self.leaf()
        } else {
            self.decide(level)?
        };
        self.memo.insert(key, future);
        Ok(future)
    }

    fn observe(&mut self, condition: usize) -> bool {
        match (
            self.seen.conditions.get_mut(condition),
            self.codes.get(condition),
        ) {
            (Some(c), Some(codes)) => c.observe(codes, &self.slots, &mut self.stack),
            _ => false,
        }
    }

    fn observe_rule(&mut self, r: usize) {
        if let Some(&c) = self.index.rule.get(r) {
            self.observe(c);
        }
        let fired = self.fired[r];
        if let Some(seen) = self.seen.rules.get_mut(r) {
            if fired {
                seen.0 = true;
            } else {
                seen.1 = true;
            }
        }
    }

    /// Observes, for each rule that fires now and sets derived fact `f`, whether its
    /// assignment changes the fact's value. Linear in the rules that set `f` (plus a sort), so
    /// a fact set by many rules costs no more than reading them.
    fn observe_setters(&mut self, f: usize) {
        let program = self.program;
        let setters = std::mem::take(&mut self.plan.setters[f]);
        // The rules that fire now and set `f`: (priority, value, rule, entry), highest first.
        let mut fired: Vec<(i64, Val, usize, usize)> = setters
            .iter()
            .filter(|&&(r, _)| self.fired.get(r).copied().unwrap_or(false))
            .filter_map(|&(r, k)| {
                let rule = program.rules.get(r)?;
                let &(_, value) = rule.sets.get(k)?;
                Some((rule.priority, value, r, k))
            })
            .collect();
        self.plan.setters[f] = setters;
        if fired.is_empty() {
            return;
        }
        fired.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)));
        // Groups of equal priority, highest first: (start, end, the value all set if they agree).
        let mut groups: Vec<(usize, usize, Option<Val>)> = Vec::new();
        for (i, entry) in fired.iter().enumerate() {
            match groups.last_mut() {
                Some((_, end, agree)) if fired[*end - 1].0 == entry.0 => {
                    *end = i + 1;
                    if agree.is_some_and(|v| !v.equals(entry.1)) {
                        *agree = None;
                    }
                }
                _ => groups.push((i, i + 1, Some(entry.1))),
            }
        }
        let default = program.derived.get(f).map_or(Val::Unset, |d| d.default);
        let steps = &self.steps;
        // The entries of the first group are the only ones not overridden.
        let top_end = groups.first().map_or(0, |g| g.1);
        for (i, &(_, value, r, k)) in fired.iter().enumerate() {
            let Some(seen) = self.seen.assignments.get_mut(r).and_then(|a| a.get_mut(k)) else {
                continue;
            };
            seen.fired = true;
            let effective = if i >= top_end {
                // A rule of higher priority fires too and wins.
                let (start, end, _) = groups[0];
                seen.more_winners |=
                    note_rules(&mut seen.winners, fired[start..end].iter().map(|e| e.2));
                false
            } else {
                seen.always_overridden = false;
                let (start, end, agree) = groups[0];
                if end - start > 1 {
                    // Others of the same priority fire; they set the same value or there
                    // would be a conflict.
                    let others = fired[start..end].iter().map(|e| e.2).filter(|&w| w != r);
                    if agree.is_some_and(|v| v.equals(value)) {
                        seen.more_same |= note_rules(&mut seen.same, others);
                        false
                    } else {
                        true
                    }
                } else {
                    match groups.get(1) {
                        // Without this rule, the next priority down would set the fact.
                        Some(&(start, end, Some(next))) if next.equals(value) => {
                            seen.more_same |=
                                note_rules(&mut seen.same, fired[start..end].iter().map(|e| e.2));
                            false
                        }
                        Some(_) => true,
                        None if default.equals(value) => {
                            seen.default = true;
                            false
                        }
                        None => true,
                    }
                }
            };
            if effective {
                seen.effective = true;
            } else if seen.example.is_none() {
                seen.example = Some(steps.clone());
            }
        }
    }

    fn leaf(&mut self) -> u32 {
        for i in 0..self.index.outcome.len() {
            self.observe(self.index.outcome[i]);
        }
        for i in 0..self.index.signpost.len() {
            self.observe(self.index.signpost[i]);
        }
        let mut outcome = None;
        let mut fallback = None;
        for (i, o) in self.program.outcomes.iter().enumerate() {
            match &o.when {
                None => fallback = Some(i),
                Some(code) if code.holds(&self.slots, &mut self.stack) => {
                    outcome = Some(i);
                    break;
                }
                Some(_) => {}
            }
        }
        let reached = outcome.or(fallback);
        if let Some(seen) = reached.and_then(|o| self.seen.outcomes.get_mut(o)) {
            *seen = true;
        }
        self.intern(Future::Leaf(reached))
    }

    fn decide(&mut self, level: usize) -> Result<u32, Stop> {
        let program = self.program;
        let decision = &program.decisions[level];
        let taken = match self.index.guard[level] {
            Some(c) => self.observe(c),
            None => true,
        };
        if !taken {
            // A skipped decision adds nothing: its future is what follows.
            self.steps.push((level, None));
            let child = self.visit(level + 1);
            self.steps.pop();
            return child;
        }
        let mut first = None;
        for k in 0..self.index.likelihood_if[level].len() {
            let c = self.index.likelihood_if[level][k];
            if !self.observe(c) {
                continue;
            }
            let seen = &mut self.seen.decisions[level];
            seen.holds[k] = true;
            match first {
                None => {
                    seen.first[k] = true;
                    first = Some(k);
                }
                Some(j) => {
                    if !seen.beaten_by[k].contains(&j) {
                        seen.beaten_by[k].push(j);
                    }
                }
            }
        }
        let probabilities = match first {
            Some(k) => decision
                .conditional
                .get(k)
                .map_or(&decision.probabilities, |(_, p)| p),
            None => &decision.probabilities,
        };
        {
            let seen = &mut self.seen.decisions[level];
            seen.taken = true;
            seen.base_used |= first.is_none();
        }
        let slot = decision.slot as usize;
        let saved_slots = self.slots.clone();
        let saved_fired = self.fired.clone();
        let saved_totals = self.totals.clone();
        let mut children = Vec::with_capacity(decision.options.len());
        for (i, &option) in decision.options.iter().enumerate() {
            if let Some(s) = self.slots.get_mut(slot) {
                *s = Val::Sym(option);
            }
            let affected = self.affected(level);
            self.run_steps(&affected);
            self.restore_affected(level, affected);
            self.steps.push((level, Some(i)));
            self.observe_changes(level, &saved_slots, &saved_fired);
            let child = self.visit(level + 1);
            self.steps.pop();
            self.slots.clone_from(&saved_slots);
            self.fired.clone_from(&saved_fired);
            self.totals.clone_from(&saved_totals);
            let p = probabilities.get(i).copied().unwrap_or(0.0);
            children.push((p.to_bits(), child?));
        }
        let same = children.windows(2).all(|w| w[0].1 == w[1].1);
        let single = children.first().and_then(|&(_, c)| self.single_of(c));
        let seen = &mut self.seen.decisions[level];
        if !same {
            seen.matters = true;
        } else {
            if seen.example.is_none() {
                seen.example = Some((self.steps.clone(), single));
            }
            // Options that all lead to one future make no difference: the state has that
            // future, so an earlier decision that only changes their likelihoods does not
            // matter either.
            if let Some(&(_, future)) = children.first() {
                return Ok(future);
            }
        }
        Ok(self.intern(Future::Branch(children)))
    }
}

/// A 128-bit hash of a sequence of words: two independent multiply-rotate lanes, fixed seeds,
/// so the same state always gets the same key. Much cheaper than SipHash, and keys are never
/// exposed to input an attacker controls in a way that matters: a collision only merges two
/// states, and needs 2^64 tries to find.
#[derive(Clone, Copy, Debug)]
struct Mix {
    a: u64,
    b: u64,
}

impl Default for Mix {
    fn default() -> Self {
        Mix {
            a: 0x243f_6a88_85a3_08d3,
            b: 0x1319_8a2e_0370_7344,
        }
    }
}

impl Mix {
    fn add(&mut self, word: u64) {
        self.a = (self.a ^ word)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
        self.b = (self.b ^ word.rotate_left(32))
            .wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
            .rotate_left(31);
    }

    fn finish(self) -> u128 {
        let fold = |x: u64| {
            let x = (x ^ (x >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
            x ^ (x >> 33)
        };
        (u128::from(fold(self.a)) << 64) | u128::from(fold(self.b))
    }
}

/// Rules named in a message: the first few, without repeats.
const NAMED_RULES: usize = 4;

/// Adds `rules` to `list`, up to [`NAMED_RULES`]; returns whether some did not fit.
fn note_rules(list: &mut Vec<usize>, rules: impl Iterator<Item = usize>) -> bool {
    for r in rules {
        if list.contains(&r) {
            continue;
        }
        if list.len() >= NAMED_RULES {
            return true;
        }
        list.push(r);
    }
    false
}
