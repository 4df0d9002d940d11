//! Static facts about a program that let the search merge equal states.
//!
//! Derived facts are pure functions of the decisions taken so far. Once every decision a rule
//! depends on is taken, the rule is *closed*: whether it fires can no longer change, so its
//! effect is folded into a per-fact summary and its inputs can be forgotten. Two prefixes that
//! agree on the decisions still read later and on those summaries have the same future; the
//! search evaluates that future once.

use petgraph::algo::toposort;

use crate::deps::DepNode;
use crate::program::Program;

/// One step of recomputing derived facts, in dependency order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Evaluate rule `i` (index into `Program::rules`).
    Rule(usize),
    /// Settle derived fact `i` (index into `Program::derived`).
    Fact(usize),
}

/// What the search needs to know about a program before it starts.
#[derive(Clone, Debug)]
pub(crate) struct Analysis {
    /// Rules and derived facts in dependency order.
    pub(crate) steps: Vec<Step>,
    /// For each rule, the level at which it closes: one past the last decision it depends on.
    pub(crate) close_level: Vec<usize>,
    /// For each level `j` (0..=n), the decisions before `j` that something after `j` still reads.
    pub(crate) live: Vec<Vec<usize>>,
    /// For each derived fact, the rules that set or add to it.
    pub(crate) writers: Vec<Vec<usize>>,
    /// For each decision, the steps to rerun after it is taken: rules and facts depending on it.
    pub(crate) affected: Vec<Vec<Step>>,
    /// For each level, the rules that close there.
    pub(crate) closing: Vec<Vec<usize>>,
}

impl Analysis {
    pub(crate) fn new(program: &Program) -> Self {
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
                    for &slot in &program.rules[r].when.reads {
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
        let outcome_reads: Vec<usize> = program
            .outcomes
            .iter()
            .filter_map(|o| o.when.as_ref())
            .flat_map(|c| direct(&c.reads))
            .collect();
        let mut live = Vec::with_capacity(n + 1);
        for level in 0..=n {
            let mut read = vec![false; n];
            for &i in &outcome_reads {
                read[i] = true;
            }
            for decision in &program.decisions[level..] {
                let codes = decision
                    .guard
                    .iter()
                    .chain(decision.conditional.iter().map(|(c, _)| c));
                for code in codes {
                    for i in direct(&code.reads) {
                        read[i] = true;
                    }
                }
            }
            for (r, rule) in program.rules.iter().enumerate() {
                if close_level[r] > level {
                    for i in direct(&rule.when.reads) {
                        read[i] = true;
                    }
                }
            }
            live.push((0..level).filter(|&i| read[i]).collect());
        }
        let mut affected = vec![Vec::new(); n];
        for step in &steps {
            let deps = match *step {
                Step::Rule(r) => &rule_deps[r],
                Step::Fact(d) => &fact_deps[d],
            };
            for &i in deps {
                affected[i].push(*step);
            }
        }
        let mut closing = vec![Vec::new(); n + 1];
        for (r, &level) in close_level.iter().enumerate() {
            closing[level].push(r);
        }
        Self {
            steps,
            close_level,
            live,
            writers,
            affected,
            closing,
        }
    }

    /// Whether two different prefixes can reach the same state at `level`; if not, a memo
    /// there would never be hit and only cost memory.
    pub(crate) fn can_merge(&self, level: usize) -> bool {
        self.live[level].len() < level
    }
}
