//! Graphviz DOT of the decision graph and of the rule dependency graph.
//!
//! Node ids are generated and quoted; labels are double-quoted strings escaped by
//! [`escape::dot`] and joined by the renderer's own `\n`, so no scenario text can end a
//! string, start a statement or trigger an escape such as `\N`.

use std::fmt::Write as _;

use super::escape;
use super::labels::{FULL, edge_lines, group_edges, node_lines};
use super::model::ReportModel;

fn label(lines: impl IntoIterator<Item = String>) -> String {
    lines
        .into_iter()
        .map(|l| escape::dot(&l))
        .collect::<Vec<_>>()
        .join("\\n")
}

/// The decision graph, one column (`rank=same`) per decision.
pub(crate) fn decisions(model: &ReportModel) -> String {
    let graph = &model.decision_graph;
    let mut out = String::new();
    let _ = writeln!(out, "// {}", escape::dot(&model.scenario.title));
    out.push_str("digraph decisions {\n");
    out.push_str("    rankdir=LR;\n    nodesep=0.25;\n    ranksep=0.6;\n");
    out.push_str("    node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", color=\"#3b5b92\", fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("    edge [color=\"#555555\", fontname=\"Helvetica\", fontsize=9];\n");
    let _ = writeln!(
        out,
        "    label=\"{}\";\n    labelloc=t;",
        escape::dot(&model.scenario.title)
    );
    for node in &graph.nodes {
        let text = label(node_lines(node, graph, FULL).into_iter().map(|l| l.text));
        let style = match node.kind {
            "chance" => ", shape=hexagon, fillcolor=\"#f6f1e7\", color=\"#8a6d3b\"",
            "outcome" => {
                ", shape=box, style=\"filled,bold\", fillcolor=\"#eaf6ec\", color=\"#2f6b3a\""
            }
            "truncated" => ", style=\"dashed\", color=\"#888888\"",
            _ => "",
        };
        let _ = writeln!(out, "    \"{}\" [label=\"{text}\"{style}];", node.id);
    }
    for group in group_edges(graph) {
        let text = label(edge_lines(&group, FULL));
        let _ = writeln!(
            out,
            "    \"{}\" -> \"{}\" [label=\"{text}\"];",
            group[0].from, group[0].to
        );
    }
    // Keep each decision in its own column, in file order.
    let mut levels: Vec<usize> = graph.nodes.iter().map(|n| n.level).collect();
    levels.sort_unstable();
    levels.dedup();
    for level in levels {
        let members: Vec<String> = graph
            .nodes
            .iter()
            .filter(|n| n.level == level)
            .map(|n| format!("\"{}\"", n.id))
            .collect();
        let _ = writeln!(out, "    {{ rank=same; {}; }}", members.join("; "));
    }
    out.push_str("}\n");
    out
}

/// The rule dependency graph: what each rule reads, sets and adds to.
pub(crate) fn rules(model: &ReportModel) -> String {
    let graph = &model.rule_graph;
    let mut out = String::new();
    let _ = writeln!(out, "// {}", escape::dot(&model.scenario.title));
    out.push_str("digraph rules {\n");
    out.push_str("    rankdir=LR;\n");
    out.push_str("    node [fontname=\"Helvetica\", fontsize=11, style=filled];\n");
    out.push_str("    edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n");
    let id = |name: &str| {
        graph
            .nodes
            .iter()
            .position(|n| n.id == name)
            .map_or_else(|| "missing".to_owned(), |i| format!("g{i}"))
    };
    for (i, node) in graph.nodes.iter().enumerate() {
        let style = match node.kind {
            "rule" => {
                "shape=box, style=\"rounded,filled\", fillcolor=\"#fdf3e1\", color=\"#a0701c\""
            }
            "decision" => "shape=box, fillcolor=\"#eef3fb\", color=\"#3b5b92\"",
            "input" => "shape=ellipse, fillcolor=\"#f3f3f3\", color=\"#777777\"",
            _ => "shape=ellipse, fillcolor=\"#eaf6ec\", color=\"#2f6b3a\"",
        };
        let _ = writeln!(
            out,
            "    \"g{i}\" [label=\"{}\", {style}];",
            label([node.kind.to_owned(), node.name.clone()])
        );
    }
    for edge in &graph.edges {
        let style = match edge.kind {
            "sets" => " [label=\"sets\", style=bold]",
            "adds" => " [label=\"adds\", style=dashed]",
            _ => "",
        };
        let _ = writeln!(
            out,
            "    \"{}\" -> \"{}\"{style};",
            id(&edge.from),
            id(&edge.to)
        );
    }
    out.push_str("}\n");
    out
}
