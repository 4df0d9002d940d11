//! The decision graph for drawing: decisions, chance events and outcomes as a petgraph DAG.
//!
//! The tree of every path is far too big to draw, but most of it repeats: two prefixes that
//! reach the same decision with the same future (the same values of the decisions still read
//! later, and the same effect of the rules that can no longer change) lead to identical
//! subtrees. This module merges such states, the same idea the search uses
//! (see the `analysis` module), so the picture has one node per distinct situation and every
//! outcome appears once, as a leaf. Reports draw it; nothing here evaluates probabilities of
//! outcomes beyond accumulating the mass that flows through each node, which tests compare
//! with the search as an independent check.
//!
//! The graph is built level by level (breadth first), so when it reaches its size limit the
//! early decisions are drawn completely and the rest ends in one "not drawn" node.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::compile::program::Program;
use crate::compile::value::Val;
use crate::search::demand::Analysis;
use crate::search::walk::Given;

/// The default limit on decision nodes: past a few hundred nodes a drawing stops being
/// readable, and Mermaid refuses diagrams much larger than that.
pub const DEFAULT_MAX_NODES: usize = 300;

/// A node of the decision graph.
#[derive(Clone, Debug, PartialEq)]
pub enum GraphNode {
    /// A decision asked in one distinct situation.
    Decision {
        /// Decision index.
        decision: usize,
        /// The probability of reaching this situation under the likelihoods.
        probability: f64,
    },
    /// An outcome: every path that reaches it ends in this one leaf.
    Outcome {
        /// Outcome index.
        outcome: usize,
        /// The probability of reaching it: the outcome's forecast.
        probability: f64,
    },
    /// Situations that were not drawn because the graph reached its size limit.
    Truncated {
        /// The probability of reaching any of them.
        probability: f64,
    },
}

impl GraphNode {
    /// The probability of reaching the node.
    pub fn probability(&self) -> f64 {
        match self {
            GraphNode::Decision { probability, .. }
            | GraphNode::Outcome { probability, .. }
            | GraphNode::Truncated { probability } => *probability,
        }
    }
}

/// An edge: one option taken at a decision node.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphEdge {
    /// The option's index in its decision.
    pub option: usize,
    /// The option's probability at this point (conditional likelihoods applied).
    pub probability: f64,
    /// Rules that began to fire once the option was taken, by index.
    pub started: Vec<usize>,
    /// Rules that stopped firing once the option was taken, by index.
    pub stopped: Vec<usize>,
}

/// The decision graph of one scenario.
#[derive(Clone, Debug)]
pub struct DecisionGraph {
    /// Nodes and edges; node indices follow the order of construction, which is stable.
    pub graph: DiGraph<GraphNode, GraphEdge>,
    /// The first decision asked, or the outcome when no decision is ever asked; `None` only
    /// when the given values leave no consistent path.
    pub root: Option<NodeIndex>,
    /// Rules that fire before any decision, by index.
    pub initial: Vec<usize>,
    /// Whether the size limit stopped the construction (then a `Truncated` node exists).
    pub truncated: bool,
    /// The limit on decision nodes that was applied.
    pub max_nodes: usize,
}

impl DecisionGraph {
    /// The number of decision nodes.
    pub fn decision_nodes(&self) -> usize {
        self.graph
            .node_weights()
            .filter(|n| matches!(n, GraphNode::Decision { .. }))
            .count()
    }
}

/// Builds the decision graph of `program` with `given` decisions fixed, with at most
/// `max_nodes` decision nodes.
///
/// Expects a program whose scenario checked without errors; on a scenario with rule conflicts
/// the drawing follows the higher priority (or the first rule) rather than failing.
pub fn build(program: &Program, given: &Given, max_nodes: usize) -> DecisionGraph {
    let analysis = Analysis::new(program);
    let mut builder = Builder {
        program,
        analysis: &analysis,
        given,
        max_nodes,
        graph: DiGraph::new(),
        mass: Vec::new(),
        pending: vec![Vec::new(); program.decisions.len()],
        index: vec![HashMap::new(); program.decisions.len()],
        outcome_nodes: vec![None; program.outcomes.len()],
        read: read_derived(program),
        truncated: None,
        decision_nodes: 0,
        stack: Vec::new(),
    };
    let mut state = State {
        slots: program.initial.clone(),
        fired: vec![false; program.rules.len()],
    };
    builder.recompute(&mut state);
    let initial = (0..program.rules.len())
        .filter(|&r| state.fired[r])
        .collect();
    let root = builder.place(state, 0);
    if let Some(root) = root {
        builder.mass[root.index()] = 1.0;
    }
    for level in 0..program.decisions.len() {
        let pending = std::mem::take(&mut builder.pending[level]);
        for (node, state) in pending {
            builder.expand(level, node, &state);
        }
    }
    let Builder {
        mut graph,
        mass,
        truncated,
        ..
    } = builder;
    for (node, weight) in graph.node_weights_mut().enumerate() {
        let p = mass.get(node).copied().unwrap_or(0.0);
        match weight {
            GraphNode::Decision { probability, .. }
            | GraphNode::Outcome { probability, .. }
            | GraphNode::Truncated { probability } => *probability = p,
        }
    }
    DecisionGraph {
        graph,
        root,
        initial,
        truncated: truncated.is_some(),
        max_nodes,
    }
}

#[derive(Clone, Debug)]
struct State {
    slots: Vec<Val>,
    fired: Vec<bool>,
}

struct Builder<'a> {
    program: &'a Program,
    analysis: &'a Analysis,
    given: &'a Given,
    max_nodes: usize,
    graph: DiGraph<GraphNode, GraphEdge>,
    /// Probability of reaching each node, by node index.
    mass: Vec<f64>,
    /// Decision nodes waiting to be expanded, per level, in the order they were created.
    pending: Vec<Vec<(NodeIndex, State)>>,
    /// The node of each merge key, per level.
    index: Vec<HashMap<Vec<u64>, NodeIndex>>,
    outcome_nodes: Vec<Option<NodeIndex>>,
    /// Whether anything (a rule, a guard, a conditional likelihood, an outcome) reads each
    /// derived fact; a fact nothing reads cannot change what the drawing shows.
    read: Vec<bool>,
    truncated: Option<NodeIndex>,
    decision_nodes: usize,
    stack: Vec<Val>,
}

impl Builder<'_> {
    /// Recomputes every derived fact from scratch, in dependency order (as the path walker
    /// does: clarity over speed, the graph is small).
    fn recompute(&mut self, state: &mut State) {
        crate::search::demand::recompute_from_scratch(
            self.program,
            self.analysis,
            &mut state.slots,
            &mut state.fired,
            &mut self.stack,
        );
    }

    /// What decides the future at `level` (before decision `level` is taken): the decisions
    /// still read later, and per derived fact that something reads, the combined effect of the
    /// rules that can no longer change. Rules still open are a function of these, so equal keys
    /// mean equal subgraphs: the same decisions asked, with the same likelihoods, the same
    /// rules starting and stopping, and the same outcomes. (Facts nothing reads may differ
    /// between merged situations; the drawing does not show them.)
    fn key(&self, level: usize, state: &State) -> Vec<u64> {
        let program = self.program;
        let mut key = Vec::new();
        for &d in &self.analysis.live[level] {
            key.push(state.slots[program.decisions[d].slot as usize].bits());
        }
        for (f, derived) in program.derived.iter().enumerate() {
            if !self.read[f] {
                continue;
            }
            let closed_fired = self.analysis.writers[f]
                .iter()
                .copied()
                .filter(|&r| state.fired[r] && self.analysis.close_level[r] <= level);
            if derived.summed {
                let mut sum: i128 = 0;
                for r in closed_fired {
                    for &(t, amount) in &program.rules[r].adds {
                        if t == f {
                            sum += fixed(amount);
                        }
                    }
                }
                key.push(sum as u64);
                key.push((sum >> 64) as u64);
            } else {
                let mut best: Option<(i64, Val)> = None;
                for r in closed_fired {
                    let rule = &program.rules[r];
                    for &(_, v) in rule.sets.iter().filter(|(t, _)| *t == f) {
                        if best.is_none_or(|(p, _)| rule.priority > p) {
                            best = Some((rule.priority, v));
                        }
                    }
                }
                match best {
                    Some((p, v)) => {
                        key.push(p as u64);
                        key.push(v.bits());
                    }
                    None => key.push(u64::MAX - 1),
                }
            }
        }
        key
    }

    /// The node a state reaches from `level` on: the next decision actually asked (skipped
    /// ones are passed over), or the outcome when none is left. `None` when a given value
    /// contradicts the path (a decision fixed by `given` is skipped here).
    fn place(&mut self, state: State, mut level: usize) -> Option<NodeIndex> {
        let program = self.program;
        while level < program.decisions.len() {
            let decision = &program.decisions[level];
            let taken = decision
                .guard
                .as_ref()
                .is_none_or(|g| g.run(&state.slots, &mut self.stack).truthy());
            if taken {
                break;
            }
            if self.given.decisions.get(level).copied().flatten().is_some() {
                return None;
            }
            level += 1;
        }
        if level == program.decisions.len() {
            let outcome = self.outcome(&state)?;
            let node = match self.outcome_nodes[outcome] {
                Some(node) => node,
                None => {
                    let node = self.add(GraphNode::Outcome {
                        outcome,
                        probability: 0.0,
                    });
                    self.outcome_nodes[outcome] = Some(node);
                    node
                }
            };
            return Some(node);
        }
        let key = self.key(level, &state);
        if let Some(&node) = self.index[level].get(&key) {
            return Some(node);
        }
        if self.decision_nodes >= self.max_nodes {
            let node = match self.truncated {
                Some(node) => node,
                None => {
                    let node = self.add(GraphNode::Truncated { probability: 0.0 });
                    self.truncated = Some(node);
                    node
                }
            };
            return Some(node);
        }
        self.decision_nodes += 1;
        let node = self.add(GraphNode::Decision {
            decision: level,
            probability: 0.0,
        });
        self.index[level].insert(key, node);
        self.pending[level].push((node, state));
        Some(node)
    }

    fn add(&mut self, weight: GraphNode) -> NodeIndex {
        self.mass.push(0.0);
        self.graph.add_node(weight)
    }

    /// Adds one edge per option of the decision at `node`.
    fn expand(&mut self, level: usize, node: NodeIndex, state: &State) {
        let program = self.program;
        let decision = &program.decisions[level];
        let forced = self.given.decisions.get(level).copied().flatten();
        let probabilities = decision
            .conditional
            .iter()
            .find(|(code, _)| code.run(&state.slots, &mut self.stack).truthy())
            .map_or(&decision.probabilities, |(_, p)| p)
            .clone();
        let here = self.mass.get(node.index()).copied().unwrap_or(0.0);
        for (i, &option) in decision.options.iter().enumerate() {
            if forced.is_some_and(|f| f != i) {
                continue;
            }
            let mut next = state.clone();
            next.slots[decision.slot as usize] = Val::Sym(option);
            self.recompute(&mut next);
            let started = (0..program.rules.len())
                .filter(|&r| next.fired[r] && !state.fired[r])
                .collect();
            let stopped = (0..program.rules.len())
                .filter(|&r| !next.fired[r] && state.fired[r])
                .collect();
            let p = probabilities.get(i).copied().unwrap_or(0.0);
            let Some(target) = self.place(next, level + 1) else {
                continue;
            };
            if let Some(m) = self.mass.get_mut(target.index()) {
                *m += here * p;
            }
            self.graph.add_edge(
                node,
                target,
                GraphEdge {
                    option: i,
                    probability: p,
                    started,
                    stopped,
                },
            );
        }
    }

    fn outcome(&mut self, state: &State) -> Option<usize> {
        let mut fallback = None;
        for (i, outcome) in self.program.outcomes.iter().enumerate() {
            match &outcome.when {
                None => fallback = Some(i),
                Some(code) if code.run(&state.slots, &mut self.stack).truthy() => return Some(i),
                Some(_) => {}
            }
        }
        fallback
    }
}

/// For each derived fact, whether any compiled code reads it.
fn read_derived(program: &Program) -> Vec<bool> {
    let mut slots: Vec<u32> = Vec::new();
    for rule in &program.rules {
        slots.extend_from_slice(&rule.when.reads);
    }
    for decision in &program.decisions {
        for code in decision
            .guard
            .iter()
            .chain(decision.conditional.iter().map(|(c, _)| c))
        {
            slots.extend_from_slice(&code.reads);
        }
    }
    for outcome in &program.outcomes {
        if let Some(code) = &outcome.when {
            slots.extend_from_slice(&code.reads);
        }
    }
    program
        .derived
        .iter()
        .map(|d| slots.contains(&d.slot))
        .collect()
}

/// The same fixed point as the search, so sums of `add` amounts compare exactly.
fn fixed(x: f64) -> i128 {
    crate::search::demand::fixed(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use casus_core::SourceFile;
    use casus_core::limits::Limits;

    use crate::search::walk::EvalLimits;

    fn checked(name: &str, text: &str) -> crate::Checked {
        let file = SourceFile::new(name.to_owned(), text);
        let checked = crate::check_source(&file, &Limits::default(), &EvalLimits::default());
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        checked
    }

    /// Paths from `node` to the leaves, counted over the DAG.
    fn paths(graph: &DecisionGraph, node: NodeIndex, memo: &mut HashMap<NodeIndex, u128>) -> u128 {
        if let Some(&n) = memo.get(&node) {
            return n;
        }
        let children: Vec<NodeIndex> = graph.graph.neighbors(node).collect();
        let n = if children.is_empty() {
            1
        } else {
            children.into_iter().map(|c| paths(graph, c, memo)).sum()
        };
        memo.insert(node, n);
        n
    }

    const DESIGN: &str = include_str!("../../../../tests/fixtures/valid/design-example.toml");

    #[test]
    fn design_example_leaves_carry_the_forecast() {
        let checked = checked("design-example.toml", DESIGN);
        let (Some(program), Some(scenario)) = (&checked.program, &checked.scenario) else {
            unreachable!()
        };
        let graph = build(program, &Given::none(program.decisions.len()), 500);
        assert!(!graph.truncated);
        // The forecast below was computed independently of casus (in the fixture's header).
        let expected = [
            ("stalemate", 0.5996),
            ("us_walks_away", 0.2442),
            ("ceasefire_collapses", 0.1055),
            ("frozen_conflict", 0.0486),
            ("recognised_settlement", 0.0022),
        ];
        for (id, p) in expected {
            let leaf = graph
                .graph
                .node_weights()
                .find_map(|n| match n {
                    GraphNode::Outcome {
                        outcome,
                        probability,
                    } if scenario.outcomes[*outcome].id.name == id => Some(*probability),
                    _ => None,
                })
                .unwrap_or(0.0);
            assert!((leaf - p).abs() < 5e-5, "{id}: {leaf} vs {p}");
        }
        // Merging never changes the number of paths: the example has 25.
        let root = graph.root.unwrap();
        assert_eq!(paths(&graph, root, &mut HashMap::new()), 25);
        // One leaf per outcome, and fewer decision nodes than the tree would have.
        assert_eq!(
            graph
                .graph
                .node_weights()
                .filter(|n| matches!(n, GraphNode::Outcome { .. }))
                .count(),
            5
        );
        assert!(graph.decision_nodes() < 25);
    }

    #[test]
    fn the_size_limit_truncates_breadth_first() {
        let checked = checked("design-example.toml", DESIGN);
        let program = checked.program.unwrap();
        let graph = build(&program, &Given::none(program.decisions.len()), 2);
        assert!(graph.truncated);
        assert_eq!(graph.decision_nodes(), 2);
        // Every unit of probability still ends in a leaf or the truncated node.
        let total: f64 = graph
            .graph
            .node_indices()
            .filter(|&n| graph.graph.neighbors(n).next().is_none())
            .map(|n| graph.graph[n].probability())
            .sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
    }

    #[test]
    fn a_scenario_without_decisions_is_one_outcome() {
        let checked = checked(
            "tiny.toml",
            "[scenario]\ntitle = \"t\"\n[outcomes.only]\ntitle = \"o\"\n",
        );
        let program = checked.program.unwrap();
        let graph = build(&program, &Given::none(0), 10);
        assert_eq!(graph.graph.node_count(), 1);
        assert_eq!(
            graph.graph[graph.root.unwrap()],
            GraphNode::Outcome {
                outcome: 0,
                probability: 1.0
            }
        );
    }
}
