//! Mermaid flowcharts of the decision graph and of the rule dependency graph.
//!
//! Node ids are generated (`n0`, `g3`), never taken from the scenario; every label is a
//! double-quoted string escaped by [`escape::mermaid`], joined by the renderer's own `<br/>`.

use std::fmt::Write as _;

use super::escape;
use super::labels::{FULL, edge_lines, group_edges, node_lines};
use super::model::{DecisionGraphInfo, RuleGraphInfo};

fn label(lines: impl IntoIterator<Item = String>) -> String {
    lines
        .into_iter()
        .map(|l| escape::mermaid(&l))
        .collect::<Vec<_>>()
        .join("<br/>")
}

/// The decision graph as a `flowchart LR`, without a Markdown fence.
pub(crate) fn decisions(graph: &DecisionGraphInfo) -> String {
    let mut out = String::from("flowchart LR\n");
    for node in &graph.nodes {
        let text = label(node_lines(node, graph, FULL).into_iter().map(|l| l.text));
        let (open, close) = match node.kind {
            "chance" => ("{{", "}}"),
            "outcome" => ("([", "])"),
            "truncated" => ("[/", "/]"),
            _ => ("[", "]"),
        };
        let _ = writeln!(out, "    {}{open}\"{text}\"{close}", node.id);
    }
    for group in group_edges(graph) {
        let text = label(edge_lines(&group, FULL));
        let _ = writeln!(out, "    {} -->|\"{text}\"| {}", group[0].from, group[0].to);
    }
    for (class, style) in [
        ("decision", "fill:#eef3fb,stroke:#3b5b92"),
        ("chance", "fill:#f6f1e7,stroke:#8a6d3b"),
        ("outcome", "fill:#eaf6ec,stroke:#2f6b3a"),
        ("truncated", "fill:#f3f3f3,stroke:#888,stroke-dasharray:4 3"),
    ] {
        let members: Vec<&str> = graph
            .nodes
            .iter()
            .filter(|n| n.kind == class)
            .map(|n| n.id.as_str())
            .collect();
        if !members.is_empty() {
            let _ = writeln!(out, "    classDef {class} {style}");
            let _ = writeln!(out, "    class {} {class}", members.join(","));
        }
    }
    out
}

/// The rule dependency graph as a `flowchart LR`: decisions and facts read, rules, facts set
/// (solid) or added to (dotted).
pub(crate) fn rules(graph: &RuleGraphInfo) -> String {
    let mut out = String::from("flowchart LR\n");
    let id = |name: &str| {
        graph
            .nodes
            .iter()
            .position(|n| n.id == name)
            .map_or_else(|| "missing".to_owned(), |i| format!("g{i}"))
    };
    for (i, node) in graph.nodes.iter().enumerate() {
        let text = label([node.kind.to_owned(), node.name.clone()]);
        let (open, close) = match node.kind {
            "rule" => ("(", ")"),
            "decision" => ("[", "]"),
            _ => ("[(", ")]"),
        };
        let _ = writeln!(out, "    g{i}{open}\"{text}\"{close}");
    }
    for edge in &graph.edges {
        let arrow = match edge.kind {
            "adds" => "-. adds .->",
            "sets" => "-- sets -->",
            _ => "-->",
        };
        let _ = writeln!(out, "    {} {arrow} {}", id(&edge.from), id(&edge.to));
    }
    for (class, style) in [
        ("rule", "fill:#fdf3e1,stroke:#a0701c"),
        ("decision", "fill:#eef3fb,stroke:#3b5b92"),
        ("input", "fill:#f3f3f3,stroke:#777"),
        ("derived", "fill:#eaf6ec,stroke:#2f6b3a"),
    ] {
        let members: Vec<String> = graph
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind == class)
            .map(|(i, _)| format!("g{i}"))
            .collect();
        if !members.is_empty() {
            let _ = writeln!(out, "    classDef {class} {style}");
            let _ = writeln!(out, "    class {} {class}", members.join(","));
        }
    }
    out
}
