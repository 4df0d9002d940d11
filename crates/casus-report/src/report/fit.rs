//! The decision graph cut down to fit the page: the strategy's line of play and the most
//! likely paths, drawn top to bottom, with every other branch folded into a stub that says
//! how many branches it holds and how much probability they carry.
//!
//! A scenario of a few dozen paths already draws wider than any screen; a reader needs the
//! line of play and the likely paths, and the full graph stays one click away (the "show
//! all" `<details>`, and the DOT and Mermaid reports).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use super::model::{DecisionGraphInfo, GraphEdgeInfo, GraphNodeInfo, StrategyInfo};
use super::svg::{Direction, Highlight, measure};
use crate::text::count;

/// The widest the drawn graph may be, in pixels: the page's text column at 1400 px (the
/// report's `main` is 1240 px wide with 28 px of padding each side) less a margin.
pub(crate) const MAX_WIDTH: f64 = 1150.0;

/// Most paths the drawn graph shows besides the line of play.
const MAX_PATHS: usize = 8;

/// Most partial paths the best-first search expands before it settles for what it found.
const MAX_EXPANSIONS: usize = 100_000;

/// The graph as drawn to fit.
#[derive(Clone, Debug)]
pub(crate) struct Fitted {
    /// The graph to draw: kept nodes and edges, plus the stubs.
    pub(crate) graph: DecisionGraphInfo,
    /// How many of the most likely paths it shows besides the line of play.
    pub(crate) paths: usize,
    /// Branches folded into stubs (0: the whole graph is drawn).
    pub(crate) folded: usize,
    /// The probability the folded branches carry.
    pub(crate) folded_probability: f64,
}

/// The strategy's line of play through `graph`: from the root, at each node the option the
/// line takes at that decision, until an outcome (or a node the line does not mention).
pub(crate) fn line(graph: &DecisionGraphInfo, strategy: &StrategyInfo) -> Highlight {
    let mut highlight = Highlight::default();
    let Some(mut node) = graph.nodes.first() else {
        return highlight;
    };
    // INVARIANT: the graph is acyclic and every step moves along an edge, so the walk ends
    // within `nodes.len()` steps; the bound only guards against a malformed graph.
    for _ in 0..=graph.nodes.len() {
        highlight.nodes.insert(node.id.clone());
        let Some(play) = strategy.line.iter().find(|p| p.decision == node.name) else {
            break;
        };
        let Some(edge) = graph
            .edges
            .iter()
            .find(|e| e.from == node.id && e.option == play.choice)
        else {
            break;
        };
        highlight
            .edges
            .insert((edge.from.clone(), edge.to.clone(), edge.option.clone()));
        match graph.nodes.iter().find(|n| n.id == edge.to) {
            Some(next) => node = next,
            None => break,
        }
    }
    highlight
}

/// A partial path in the best-first search: its probability, the node it ends at, and the
/// edges taken (indices into `graph.edges`).
struct Partial {
    probability: f64,
    node: usize,
    edges: Vec<usize>,
}

impl PartialEq for Partial {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Partial {}
impl PartialOrd for Partial {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Partial {
    /// More likely first; among equals, the path whose edges come first in the graph (the
    /// graph's breadth-first order), so the choice is deterministic.
    fn cmp(&self, other: &Self) -> Ordering {
        self.probability
            .total_cmp(&other.probability)
            .then_with(|| other.edges.cmp(&self.edges))
    }
}

/// Each node's index by its id.
fn positions(graph: &DecisionGraphInfo) -> BTreeMap<&str, usize> {
    graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect()
}

/// The `k` most likely complete paths from the root, most likely first, as edge lists.
///
/// Best-first: a partial path's probability bounds every completion of it (probabilities
/// multiply and are at most 1), so paths leave the heap in order of probability.
pub(crate) fn top_paths(graph: &DecisionGraphInfo, k: usize) -> Vec<Vec<usize>> {
    let position = positions(graph);
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    for (e, edge) in graph.edges.iter().enumerate() {
        if let Some(&from) = position.get(edge.from.as_str()) {
            out_edges[from].push(e);
        }
    }
    let mut heap = BinaryHeap::new();
    if !graph.nodes.is_empty() {
        heap.push(Partial {
            probability: 1.0,
            node: 0,
            edges: Vec::new(),
        });
    }
    let mut found = Vec::new();
    let mut expansions = 0;
    while let Some(p) = heap.pop() {
        if found.len() >= k || expansions >= MAX_EXPANSIONS {
            break;
        }
        expansions += 1;
        if out_edges[p.node].is_empty() {
            found.push(p.edges);
            continue;
        }
        for &e in &out_edges[p.node] {
            let edge = &graph.edges[e];
            let Some(&to) = position.get(edge.to.as_str()) else {
                continue;
            };
            let mut edges = p.edges.clone();
            edges.push(e);
            heap.push(Partial {
                probability: p.probability * edge.probability,
                node: to,
                edges,
            });
        }
    }
    found
}

/// The subgraph of the kept nodes and the edges between them, with a stub per kept node for
/// the branches that leave it to nodes not kept.
fn fold(
    graph: &DecisionGraphInfo,
    kept_edges: &BTreeSet<usize>,
) -> (DecisionGraphInfo, usize, f64) {
    let mut kept_nodes: BTreeSet<&str> = BTreeSet::new();
    if let Some(root) = graph.nodes.first() {
        kept_nodes.insert(root.id.as_str());
    }
    for &e in kept_edges {
        kept_nodes.insert(graph.edges[e].from.as_str());
        kept_nodes.insert(graph.edges[e].to.as_str());
    }
    let probability_of: BTreeMap<&str, &GraphNodeInfo> =
        graph.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let mut nodes: Vec<GraphNodeInfo> = graph
        .nodes
        .iter()
        .filter(|n| kept_nodes.contains(n.id.as_str()))
        .cloned()
        .collect();
    let mut edges: Vec<GraphEdgeInfo> = Vec::new();
    // Per kept source: (options folded, their probability at the source, absolute mass).
    let mut stubs: BTreeMap<&str, (usize, f64, f64)> = BTreeMap::new();
    for edge in &graph.edges {
        if !kept_nodes.contains(edge.from.as_str()) {
            continue;
        }
        if kept_nodes.contains(edge.to.as_str()) {
            edges.push(edge.clone());
        } else {
            let reach = probability_of
                .get(edge.from.as_str())
                .map_or(0.0, |n| n.probability);
            let stub = stubs.entry(edge.from.as_str()).or_insert((0, 0.0, 0.0));
            stub.0 += 1;
            stub.1 += edge.probability;
            stub.2 += reach * edge.probability;
        }
    }
    let mut folded = 0;
    for (from, (options, share, absolute)) in stubs {
        let level = probability_of.get(from).map_or(0, |n| n.level + 1);
        let id = format!("{from}_more");
        nodes.push(GraphNodeInfo {
            id: id.clone(),
            kind: "folded",
            name: count(options as u128, "more branch", "more branches"),
            detail: String::new(),
            probability: absolute,
            level,
        });
        edges.push(GraphEdgeInfo {
            from: from.to_owned(),
            to: id,
            option: count(options as u128, "other", "others"),
            probability: share,
            started: Vec::new(),
            stopped: Vec::new(),
        });
        folded += options;
    }
    // The probability of the paths not drawn: one less that of the paths drawn whole. (The
    // stubs' own numbers overlap where merged situations are reached both through a drawn
    // and a folded branch, so they do not add up to it.)
    let mass = (1.0 - drawn_mass(graph, &kept_nodes)).clamp(0.0, 1.0);
    (
        DecisionGraphInfo {
            truncated: graph.truncated,
            max_nodes: graph.max_nodes,
            initial: graph.initial.clone(),
            nodes,
            edges,
        },
        folded,
        mass,
    )
}

/// The probability of the paths that run through kept nodes only, root to leaf: the DAG's
/// path sum, taken in the order of the sources' levels (every edge goes to a later level, so
/// a node's mass is complete before it flows on).
fn drawn_mass(graph: &DecisionGraphInfo, kept: &BTreeSet<&str>) -> f64 {
    let position = positions(graph);
    let mut reach = vec![0.0; graph.nodes.len()];
    if let Some(first) = reach.first_mut() {
        *first = 1.0;
    }
    let mut has_out = vec![false; graph.nodes.len()];
    let mut edges: Vec<(usize, usize, f64)> = graph
        .edges
        .iter()
        .filter_map(|e| {
            let (from, to) = (
                *position.get(e.from.as_str())?,
                *position.get(e.to.as_str())?,
            );
            Some((from, to, e.probability))
        })
        .collect();
    edges.sort_by_key(|&(from, _, _)| (graph.nodes[from].level, from));
    for &(from, to, p) in &edges {
        has_out[from] = true;
        if kept.contains(graph.nodes[from].id.as_str())
            && kept.contains(graph.nodes[to].id.as_str())
        {
            reach[to] += reach[from] * p;
        }
    }
    graph
        .nodes
        .iter()
        .enumerate()
        .filter(|(i, n)| !has_out[*i] && kept.contains(n.id.as_str()))
        .map(|(i, _)| reach[i])
        .sum()
}

/// The largest drawing of the line of play plus the most likely paths that is at most
/// [`MAX_WIDTH`] wide, top to bottom. When even the line alone is wider, it is drawn all the
/// same (the reader scrolls that one graph); the whole graph is returned as it is when it
/// fits.
pub(crate) fn fit(graph: &DecisionGraphInfo, line: &Highlight) -> Fitted {
    let whole = || Fitted {
        graph: graph.clone(),
        paths: 0,
        folded: 0,
        folded_probability: 0.0,
    };
    if measure(graph, Direction::TopDown).0 <= MAX_WIDTH {
        return whole();
    }
    let line_edges: BTreeSet<usize> = graph
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            line.edges
                .contains(&(e.from.clone(), e.to.clone(), e.option.clone()))
        })
        .map(|(i, _)| i)
        .collect();
    let paths = top_paths(graph, MAX_PATHS);
    let mut best: Option<Fitted> = None;
    for k in (0..=paths.len()).rev() {
        let mut kept = line_edges.clone();
        for path in &paths[..k] {
            kept.extend(path.iter().copied());
        }
        let (drawn, folded, folded_probability) = fold(graph, &kept);
        let candidate = Fitted {
            graph: drawn,
            paths: k,
            folded,
            folded_probability,
        };
        if measure(&candidate.graph, Direction::TopDown).0 <= MAX_WIDTH {
            return candidate;
        }
        best = Some(candidate);
    }
    best.unwrap_or_else(whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, kind: &'static str, level: usize, probability: f64) -> GraphNodeInfo {
        GraphNodeInfo {
            id: id.to_owned(),
            kind,
            name: id.to_owned(),
            detail: String::new(),
            probability,
            level,
        }
    }

    fn edge(from: &str, to: &str, option: &str, probability: f64) -> GraphEdgeInfo {
        GraphEdgeInfo {
            from: from.to_owned(),
            to: to.to_owned(),
            option: option.to_owned(),
            probability,
            started: Vec::new(),
            stopped: Vec::new(),
        }
    }

    /// a (0.6 x, 0.4 y) → b or c; b (0.5/0.5) → o1, o2; c (0.9 → o2, 0.1 → o3). Merged: o2
    /// is reached from both b and c.
    fn diamond() -> DecisionGraphInfo {
        DecisionGraphInfo {
            truncated: false,
            max_nodes: 100,
            initial: Vec::new(),
            nodes: vec![
                node("a", "chance", 0, 1.0),
                node("b", "chance", 1, 0.6),
                node("c", "chance", 1, 0.4),
                node("o1", "outcome", 2, 0.3),
                node("o2", "outcome", 2, 0.66),
                node("o3", "outcome", 2, 0.04),
            ],
            edges: vec![
                edge("a", "b", "x", 0.6),
                edge("a", "c", "y", 0.4),
                edge("b", "o1", "p", 0.5),
                edge("b", "o2", "q", 0.5),
                edge("c", "o2", "r", 0.9),
                edge("c", "o3", "s", 0.1),
            ],
        }
    }

    /// Every root-to-leaf path with its probability, by plain recursion: the oracle.
    fn all_paths(g: &DecisionGraphInfo) -> Vec<(f64, Vec<usize>)> {
        fn go(
            g: &DecisionGraphInfo,
            at: &str,
            p: f64,
            edges: &mut Vec<usize>,
            out: &mut Vec<(f64, Vec<usize>)>,
        ) {
            let next: Vec<usize> = (0..g.edges.len())
                .filter(|&e| g.edges[e].from == at)
                .collect();
            if next.is_empty() {
                out.push((p, edges.clone()));
            }
            for e in next {
                edges.push(e);
                go(
                    g,
                    &g.edges[e].to.clone(),
                    p * g.edges[e].probability,
                    edges,
                    out,
                );
                edges.pop();
            }
        }
        let mut out = Vec::new();
        go(g, &g.nodes[0].id, 1.0, &mut Vec::new(), &mut out);
        out
    }

    #[test]
    fn the_most_likely_paths_come_first() {
        let g = diamond();
        let mut oracle = all_paths(&g);
        oracle.sort_by(|a, b| b.0.total_cmp(&a.0));
        let found = top_paths(&g, 10);
        assert_eq!(found.len(), oracle.len());
        let probability = |edges: &[usize]| {
            edges
                .iter()
                .map(|&e| g.edges[e].probability)
                .product::<f64>()
        };
        for (f, (p, _)) in found.iter().zip(&oracle) {
            assert!((probability(f) - p).abs() < 1e-12);
        }
        // 0.36 (c→o2 via y) beats 0.3 and 0.3.
        assert_eq!(found[0], vec![1, 4]);
        assert_eq!(top_paths(&g, 2).len(), 2);
    }

    #[test]
    fn folding_counts_branches_and_the_probability_not_drawn() {
        let g = diamond();
        // Keep only a → b → o1.
        let kept: BTreeSet<usize> = [0, 2].into_iter().collect();
        let (drawn, folded, mass) = fold(&g, &kept);
        // Folded: a's option y, b's option q.
        assert_eq!(folded, 2);
        // Drawn whole: only a→b→o1 = 0.3, by hand.
        assert!((mass - 0.7).abs() < 1e-12, "{mass}");
        let stubs: Vec<&GraphNodeInfo> =
            drawn.nodes.iter().filter(|n| n.kind == "folded").collect();
        assert_eq!(stubs.len(), 2);
        assert_eq!(stubs[0].name, "1 more branch");
        // a's stub carries 0.4, b's 0.6 × 0.5.
        assert!((stubs[0].probability - 0.4).abs() < 1e-12);
        assert!((stubs[1].probability - 0.3).abs() < 1e-12);
        // With every edge kept nothing folds and every path is drawn.
        let all: BTreeSet<usize> = (0..g.edges.len()).collect();
        let (_, folded, mass) = fold(&g, &all);
        assert_eq!(folded, 0);
        assert!(mass.abs() < 1e-12);
    }

    #[test]
    fn the_line_follows_the_strategy() {
        use super::super::model::PlayInfo;
        let g = diamond();
        let play = |decision: &str, choice: &str| PlayInfo {
            decision: decision.to_owned(),
            actor: "nature".to_owned(),
            choice: choice.to_owned(),
            chance: true,
            optimal: Vec::new(),
            values: Vec::new(),
        };
        let strategy = StrategyInfo {
            line: vec![play("a", "y"), play("c", "r")],
            outcome: Some("o2".to_owned()),
            payoffs: Vec::new(),
            forecast_disagrees: None,
            key_assumptions: Vec::new(),
        };
        let h = line(&g, &strategy);
        assert_eq!(
            h.nodes.iter().map(String::as_str).collect::<Vec<_>>(),
            ["a", "c", "o2"]
        );
        assert_eq!(h.edges.len(), 2);
    }
}
