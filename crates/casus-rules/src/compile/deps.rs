//! The rule dependency graph (fact → rule → fact) in petgraph.
//!
//! It gives the order in which derived facts are recomputed, finds cycles, and tells the
//! evaluator which decisions each rule ultimately depends on — the basis for merging equal
//! states.

use casus_core::model::Scenario;
use casus_core::{Code as DiagCode, Diagnostic};
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::compile::program::{CDerived, CRule};

/// A node of the rule dependency graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepNode {
    /// A decision, by index.
    Decision(usize),
    /// A fact, by index in `scenario.facts`.
    Fact(usize),
    /// A rule, by index in `scenario.rules`.
    Rule(usize),
}

/// How a node depends on another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepEdge {
    /// A rule reads a fact or decision.
    Reads,
    /// A rule sets a derived fact.
    Sets,
    /// A rule adds to a derived fact.
    Adds,
}

/// The fact → rule → fact graph.
#[derive(Clone, Debug)]
pub struct RuleGraph {
    /// The graph; node weights say what each node is.
    pub graph: DiGraph<DepNode, DepEdge>,
    n_decisions: usize,
}

impl RuleGraph {
    pub(crate) fn new(
        scenario: &Scenario,
        rules: &[CRule],
        derived: &[CDerived],
        n_decisions: usize,
    ) -> Self {
        let mut graph = DiGraph::new();
        for i in 0..scenario.decisions.len() {
            graph.add_node(DepNode::Decision(i));
        }
        for i in 0..scenario.facts.len() {
            graph.add_node(DepNode::Fact(i));
        }
        for rule in rules {
            let node = graph.add_node(DepNode::Rule(rule.index));
            for &slot in rule.when.reads.iter() {
                graph.add_edge(NodeIndex::new(slot as usize), node, DepEdge::Reads);
            }
            for &(d, _) in &rule.sets {
                graph.add_edge(
                    node,
                    NodeIndex::new(n_decisions + derived[d].fact),
                    DepEdge::Sets,
                );
            }
            for &(d, _) in &rule.adds {
                graph.add_edge(
                    node,
                    NodeIndex::new(n_decisions + derived[d].fact),
                    DepEdge::Adds,
                );
            }
        }
        Self { graph, n_decisions }
    }

    /// The node of the item in slot `slot` (decisions first, then facts).
    pub fn slot_node(&self, slot: u32) -> NodeIndex {
        NodeIndex::new(slot as usize)
    }

    /// Whether the value in slot `slot` can depend on a decision: it is a decision, or a
    /// derived fact that a rule sets or adds to from something that can (walked backwards
    /// through the graph).
    pub fn depends_on_decisions(&self, slot: u32) -> bool {
        let start = self.slot_node(slot);
        if start.index() >= self.graph.node_count() {
            return false;
        }
        let mut seen = vec![false; self.graph.node_count()];
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            if std::mem::replace(&mut seen[node.index()], true) {
                continue;
            }
            if matches!(self.graph[node], DepNode::Decision(_)) {
                return true;
            }
            stack.extend(
                self.graph
                    .neighbors_directed(node, petgraph::Direction::Incoming),
            );
        }
        false
    }

    /// The node of rule `index`.
    pub fn rule_node(&self, index: usize, n_facts: usize) -> NodeIndex {
        NodeIndex::new(self.n_decisions + n_facts + index)
    }

    /// Rules in dependency order, or a diagnostic per cycle naming its members.
    pub(crate) fn rule_order(&self, scenario: &Scenario) -> Result<Vec<usize>, Vec<Diagnostic>> {
        match toposort(&self.graph, None) {
            Ok(order) => Ok(order
                .into_iter()
                .filter_map(|n| match self.graph[n] {
                    DepNode::Rule(r) => Some(r),
                    _ => None,
                })
                .collect()),
            Err(_) => Err(self.cycles(scenario)),
        }
    }

    fn cycles(&self, scenario: &Scenario) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        let mut components = tarjan_scc(&self.graph);
        components.retain(|c| c.len() > 1 || self.graph.contains_edge(c[0], c[0]));
        for mut component in components {
            component.sort_by_key(|n| n.index());
            let mut rules = Vec::new();
            let mut facts = Vec::new();
            for n in &component {
                match self.graph[*n] {
                    DepNode::Rule(r) => rules.push(&scenario.rules[r]),
                    DepNode::Fact(f) => facts.push(&scenario.facts[f]),
                    DepNode::Decision(_) => {}
                }
            }
            let members: Vec<String> = rules
                .iter()
                .map(|r| format!("rule `{}`", r.id.name))
                .chain(facts.iter().map(|f| format!("fact `{}`", f.id.name)))
                .collect();
            let Some(first) = rules.first() else { continue };
            let mut diagnostic = Diagnostic::new(
                DiagCode::RuleCycle,
                format!(
                    "rules depend on each other in a cycle: {}",
                    members.join(", ")
                ),
            )
            .primary(first.id.span, "this rule is part of the cycle");
            for rule in rules.iter().skip(1) {
                diagnostic = diagnostic.secondary(rule.id.span, "part of the cycle");
            }
            for fact in &facts {
                diagnostic = diagnostic.secondary(fact.id.span, "read and set within the cycle");
            }
            diagnostics.push(diagnostic.help(
                "a derived fact cannot depend on itself: make one of these facts an input fact or a decision, or drop a rule",
            ));
        }
        diagnostics
    }
}
