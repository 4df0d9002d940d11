//! The decision graph as inline SVG, laid out left to right by [`super::layout`].
//!
//! Text is set in a monospace font so its width can be measured without the font: every
//! cell is 0.64 em, a little wider than the common monospace fonts' advance
//! (DejaVu Sans Mono, Liberation Mono, Menlo and Consolas are all 0.60–0.62 em), so a label
//! never spills out of its box whichever of them the reader has.

use std::fmt::Write as _;

use super::escape::html;
use super::labels::{COMPACT, FULL, Line, edge_lines, group_edges, node_lines, node_title, width};
use super::layout::{Input, Size, layout};
use super::model::DecisionGraphInfo;

/// Text metrics in pixels.
#[derive(Clone, Copy, Debug)]
struct Metrics {
    /// Font size.
    font: f64,
    /// Width of one monospace cell: 0.64 em, above every common monospace font.
    cell: f64,
    /// Distance between baselines.
    line: f64,
}

/// Node text (the CSS sets 12px).
const NODE: Metrics = Metrics {
    font: 12.0,
    cell: 7.7,
    line: 15.0,
};
/// Edge label text (the CSS sets 11px).
const LABEL: Metrics = Metrics {
    font: 11.0,
    cell: 7.05,
    line: 13.5,
};
/// Padding inside node boxes.
const PAD_X: f64 = 9.0;
const PAD_Y: f64 = 7.0;
/// Padding around edge labels.
const LABEL_PAD: f64 = 3.0;

fn text_size(lines: &[String], m: Metrics, pad_x: f64, pad_y: f64) -> Size {
    let cells = lines.iter().map(|l| width(l)).max().unwrap_or(0);
    Size {
        w: (cells as f64 * m.cell + 2.0 * pad_x).ceil(),
        h: (lines.len().max(1) as f64 * m.line + 2.0 * pad_y).ceil(),
    }
}

/// Which way the graph runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Decisions left to right: the whole graph, which may be wider than the page.
    LeftRight,
    /// Decisions top to bottom: the graph drawn to fit the page's width, which grows
    /// downwards as decisions follow each other, with compact labels.
    TopDown,
}

/// The strategy's line of play in a graph: the node ids and the `(from, to, option)` edges
/// it takes, drawn in the line's colour.
#[derive(Clone, Debug, Default)]
pub(crate) struct Highlight {
    /// Node ids on the line.
    pub(crate) nodes: std::collections::BTreeSet<String>,
    /// Edges on the line.
    pub(crate) edges: std::collections::BTreeSet<(String, String, String)>,
}

/// The graph with its text measured and laid out.
struct Placed<'g> {
    node_text: Vec<Vec<Line>>,
    groups: Vec<Vec<&'g super::model::GraphEdgeInfo>>,
    edge_text: Vec<Vec<String>>,
    /// Indices into `groups` of the groups drawn, parallel to `layout.edges`.
    drawn: Vec<usize>,
    /// Node sizes as drawn.
    node_sizes: Vec<Size>,
    /// Edge label sizes as drawn, parallel to `drawn`.
    label_sizes: Vec<Size>,
    layout: super::layout::Layout,
}

fn swap(s: Size) -> Size {
    Size { w: s.h, h: s.w }
}

/// Measures every label and lays the graph out; for [`Direction::TopDown`] the layout runs
/// on the transposed sizes and its result is transposed back.
fn place(graph: &DecisionGraphInfo, direction: Direction) -> Placed<'_> {
    let style = match direction {
        Direction::LeftRight => FULL,
        Direction::TopDown => COMPACT,
    };
    let node_text: Vec<Vec<Line>> = graph
        .nodes
        .iter()
        .map(|n| node_lines(n, graph, style))
        .collect();
    let groups = group_edges(graph);
    let edge_text: Vec<Vec<String>> = groups.iter().map(|g| edge_lines(g, style)).collect();
    let index = |id: &str| graph.nodes.iter().position(|n| n.id == id);
    let turn = |s: Size| {
        if direction == Direction::TopDown {
            swap(s)
        } else {
            s
        }
    };

    let mut input = Input::default();
    let mut node_sizes = Vec::new();
    for (node, lines) in graph.nodes.iter().zip(&node_text) {
        let texts: Vec<String> = lines.iter().map(|l| l.text.clone()).collect();
        let size = text_size(&texts, NODE, PAD_X, PAD_Y);
        node_sizes.push(size);
        input.nodes.push((turn(size), node.level));
    }
    let mut drawn = Vec::new();
    let mut label_sizes = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        if let (Some(from), Some(to)) = (index(&group[0].from), index(&group[0].to)) {
            let size = text_size(&edge_text[g], LABEL, LABEL_PAD, LABEL_PAD);
            input.edges.push((from, to, turn(size)));
            label_sizes.push(size);
            drawn.push(g);
        }
    }
    let mut layout = layout(&input);
    if direction == Direction::TopDown {
        let flip = |(x, y): (f64, f64)| (y, x);
        for p in &mut layout.nodes {
            *p = flip(*p);
        }
        for route in &mut layout.edges {
            route.label = flip(route.label);
            for p in route.to_label.iter_mut().chain(route.from_label.iter_mut()) {
                *p = flip(*p);
            }
        }
        std::mem::swap(&mut layout.width, &mut layout.height);
    }
    Placed {
        node_text,
        groups,
        edge_text,
        drawn,
        node_sizes,
        label_sizes,
        layout,
    }
}

/// The width and height the graph takes when drawn in `direction`, in pixels.
pub(crate) fn measure(graph: &DecisionGraphInfo, direction: Direction) -> (f64, f64) {
    let placed = place(graph, direction);
    (placed.layout.width, placed.layout.height)
}

/// The anchor a node links to: its decision's or outcome's row in the model tables.
fn node_link(node: &super::model::GraphNodeInfo) -> Option<String> {
    use super::doc::{Kind, anchor};
    match node.kind {
        "decision" | "chance" => Some(anchor(Kind::Decision, &node.name)),
        "outcome" => Some(anchor(Kind::Outcome, &node.name)),
        _ => None,
    }
}

/// Renders the graph as an `<svg>` element (no XML prolog: it is inlined in HTML), with the
/// line of play in `line` highlighted and every decision and outcome linked to its row in the
/// model tables.
pub(crate) fn render(graph: &DecisionGraphInfo, line: &Highlight, direction: Direction) -> String {
    let Placed {
        node_text,
        groups,
        edge_text,
        drawn,
        node_sizes,
        label_sizes,
        layout: placed,
    } = place(graph, direction);
    let index = |id: &str| graph.nodes.iter().position(|n| n.id == id);

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg class="decision-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="decision graph">"#,
        w = num(placed.width),
        h = num(placed.height)
    );
    out.push_str(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"arrowhead\"/></marker></defs>\n",
    );

    // Edges first, so boxes are drawn over them.
    for (k, &g) in drawn.iter().enumerate() {
        let route = &placed.edges[k];
        let group = &groups[g];
        let source = index(&group[0].from).map_or(0.0, |i| graph.nodes[i].probability);
        let mass: f64 = group.iter().map(|e| e.probability).sum::<f64>() * source;
        let stroke = 1.0 + 4.0 * mass.clamp(0.0, 1.0);
        let on_line = group.iter().any(|e| {
            line.edges
                .contains(&(e.from.clone(), e.to.clone(), e.option.clone()))
        });
        let class = if on_line { "edge line" } else { "edge" };
        let _ = writeln!(
            out,
            r#"<path class="{class}" d="{}" stroke-width="{}"/>"#,
            curve(&route.to_label, direction),
            num(stroke)
        );
        let _ = writeln!(
            out,
            r#"<path class="{class}" d="{}" stroke-width="{}" marker-end="url(#arrow)"/>"#,
            curve(&route.from_label, direction),
            num(stroke)
        );
    }
    for (k, &g) in drawn.iter().enumerate() {
        let route = &placed.edges[k];
        let lines = &edge_text[g];
        let size = label_sizes[k];
        let (cx, cy) = route.label;
        let (x, y) = (cx - size.w / 2.0, cy - size.h / 2.0);
        let _ = writeln!(
            out,
            r#"<g class="edge-label"><rect x="{}" y="{}" width="{}" height="{}" rx="3"/>"#,
            num(x),
            num(y),
            num(size.w),
            num(size.h)
        );
        text_block(
            &mut out,
            LABEL,
            x + LABEL_PAD,
            y + LABEL_PAD,
            lines.iter().enumerate().map(|(i, l)| {
                let option_line = !l.starts_with('+') && !l.starts_with('−') || i == 0;
                (l.as_str(), option_line)
            }),
        );
        out.push_str("</g>\n");
    }
    for (i, node) in graph.nodes.iter().enumerate() {
        let size = node_sizes[i];
        let (cx, cy) = placed.nodes[i];
        let (x, y) = (cx - size.w / 2.0, cy - size.h / 2.0);
        let link = node_link(node);
        if let Some(href) = &link {
            let _ = write!(out, r##"<a href="#{}">"##, html(href));
        }
        let _ = writeln!(
            out,
            r#"<g class="node {}{}" data-id="{}"><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="{}"/>"#,
            node.kind,
            if line.nodes.contains(&node.id) {
                " line"
            } else {
                ""
            },
            html(&node.name),
            html(&node_title(node)),
            num(x),
            num(y),
            num(size.w),
            num(size.h),
            if node.kind == "outcome" { "2" } else { "8" }
        );
        text_block(
            &mut out,
            NODE,
            x + PAD_X,
            y + PAD_Y,
            node_text[i].iter().map(|l| (l.text.as_str(), l.bold)),
        );
        out.push_str("</g>");
        if link.is_some() {
            out.push_str("</a>");
        }
        out.push('\n');
    }
    out.push_str("</svg>");
    out
}

/// Lines of text from a top-left corner; `bold` lines get the `strong` class.
fn text_block<'a>(
    out: &mut String,
    m: Metrics,
    x: f64,
    y: f64,
    lines: impl Iterator<Item = (&'a str, bool)>,
) {
    out.push_str("<text>");
    for (i, (line, bold)) in lines.enumerate() {
        // The baseline sits about 0.8 em below the top of the line box.
        let baseline = y + i as f64 * m.line + (m.line - m.font) / 2.0 + m.font * 0.82;
        let _ = write!(
            out,
            r#"<tspan x="{}" y="{}"{}>{}</tspan>"#,
            num(x),
            num(baseline),
            if bold { r#" class="strong""# } else { "" },
            html(line)
        );
    }
    out.push_str("</text>\n");
}

/// A path through `points`: straight where the points are level across the graph's
/// direction, an S-curve with ends along the direction between columns. Computed in the
/// direction's own axes (along, across) and turned back for a top-down graph.
fn curve(points: &[(f64, f64)], direction: Direction) -> String {
    let turned = direction == Direction::TopDown;
    let axes = |(x, y): (f64, f64)| if turned { (y, x) } else { (x, y) };
    let point = |(along, across): (f64, f64)| {
        let (x, y) = axes((along, across));
        format!("{},{}", num(x), num(y))
    };
    let mut d = String::new();
    let Some(&first) = points.first() else {
        return d;
    };
    let _ = write!(d, "M{}", point(axes(first)));
    for pair in points.windows(2) {
        let ((a1, c1), (a2, c2)) = (axes(pair[0]), axes(pair[1]));
        if (c1 - c2).abs() < 0.05 {
            let _ = write!(d, " L{}", point((a2, c2)));
        } else {
            let mid = (a1 + a2) / 2.0;
            let _ = write!(
                d,
                " C{} {} {}",
                point((mid, c1)),
                point((mid, c2)),
                point((a2, c2))
            );
        }
    }
    d
}

/// A coordinate with one decimal, `-0.0` as `0`, trailing `.0` dropped: short and the same
/// on every machine.
pub(crate) fn num(x: f64) -> String {
    let s = format!("{:.1}", if x.is_finite() { x } else { 0.0 });
    let s = s.strip_suffix(".0").unwrap_or(&s).to_owned();
    if s == "-0" { "0".to_owned() } else { s }
}
