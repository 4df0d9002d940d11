//! The words on the decision graph's nodes and edges, shared by the SVG, DOT and Mermaid
//! drawings so every format says the same thing. Lines are plain text; each format escapes
//! them its own way.

use super::model::{DecisionGraphInfo, GraphEdgeInfo, GraphNodeInfo};
use crate::text::percent;

/// Characters per line before a label wraps, in the full graph.
pub(crate) const WRAP: usize = 30;
/// Most lines of an outcome's title.
const TITLE_LINES: usize = 3;

/// How much a label may say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Style {
    /// Characters per line before a label wraps.
    pub(crate) wrap: usize,
    /// Most rule lines per option on an edge (the rest are counted).
    pub(crate) rule_lines: usize,
}

/// The full graph (SVG left to right, DOT, Mermaid): labels say everything that fits them.
pub(crate) const FULL: Style = Style {
    wrap: WRAP,
    rule_lines: 4,
};

/// The graph drawn to fit the page: narrower boxes and fewer rule lines, so more paths fit
/// its width; the paths section and the full graph name every rule.
pub(crate) const COMPACT: Style = Style {
    wrap: 20,
    rule_lines: 2,
};

/// One line of a label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    /// The text.
    pub(crate) text: String,
    /// Whether it is the heading of the label (an id).
    pub(crate) bold: bool,
}

fn plain(text: impl Into<String>) -> Line {
    Line {
        text: text.into(),
        bold: false,
    }
}

/// The lines of a node's label.
pub(crate) fn node_lines(
    node: &GraphNodeInfo,
    graph: &DecisionGraphInfo,
    style: Style,
) -> Vec<Line> {
    let mut lines = Vec::new();
    match node.kind {
        "outcome" => {
            lines.push(Line {
                text: clip_line(&node.name, style.wrap),
                bold: true,
            });
            lines.extend(
                wrap(&node.detail, style.wrap, TITLE_LINES)
                    .into_iter()
                    .map(plain),
            );
            lines.push(plain(percent(node.probability)));
        }
        "folded" => {
            lines.push(Line {
                text: clip_line(&node.name, style.wrap),
                bold: true,
            });
            lines.push(plain(percent(node.probability)));
        }
        "truncated" => {
            lines.push(Line {
                text: "not drawn".to_owned(),
                bold: true,
            });
            lines.push(plain(format!("more than {} situations", graph.max_nodes)));
            lines.push(plain(format!("reached {}", percent(node.probability))));
        }
        kind => {
            lines.push(Line {
                text: clip_line(&node.name, style.wrap),
                bold: true,
            });
            let who = if kind == "chance" {
                "chance".to_owned()
            } else {
                node.detail.clone()
            };
            lines.extend(wrap(&who, style.wrap, 2).into_iter().map(plain));
            lines.push(plain(format!("reached {}", percent(node.probability))));
        }
    }
    lines
}

/// The full text of a node, for a tooltip.
pub(crate) fn node_title(node: &GraphNodeInfo) -> String {
    match node.kind {
        "truncated" => "situations not drawn: the graph reached its size limit".to_owned(),
        "folded" => format!(
            "{} folded to fit the page ({} of the probability); “Show all” draws them",
            node.name,
            percent(node.probability)
        ),
        "outcome" => format!("{}: {}", node.name, node.detail),
        _ => format!("{} ({})", node.name, node.detail),
    }
}

/// The lines of a label shared by parallel edges (options of one decision that lead to the
/// same node): per option its name and probability, then the rules that start (`+`) or stop
/// (`−`) firing.
pub(crate) fn edge_lines(edges: &[&GraphEdgeInfo], style: Style) -> Vec<String> {
    let mut lines = Vec::new();
    for edge in edges {
        // The option's name gives way to its probability, which is never cut.
        let p = percent(edge.probability);
        let room = style.wrap.saturating_sub(width(&p) + 1).max(4);
        lines.push(format!("{} {p}", clip_line(&edge.option, room)));
        let rules: Vec<String> = edge
            .started
            .iter()
            .map(|r| format!("+{r}"))
            .chain(edge.stopped.iter().map(|r| format!("−{r}")))
            .collect();
        let shown = if rules.len() > style.rule_lines {
            style.rule_lines.saturating_sub(1)
        } else {
            rules.len()
        };
        for rule in &rules[..shown] {
            lines.push(clip_line(rule, style.wrap));
        }
        if rules.len() > shown {
            lines.push(format!(
                "+{}",
                crate::text::count((rules.len() - shown) as u128, "more rule", "more rules")
            ));
        }
    }
    lines
}

/// Edges grouped by `(from, to)`, in the order of their first edge: parallel edges share one
/// drawn arrow and one label.
pub(crate) fn group_edges(graph: &DecisionGraphInfo) -> Vec<Vec<&GraphEdgeInfo>> {
    let mut groups: Vec<Vec<&GraphEdgeInfo>> = Vec::new();
    for edge in &graph.edges {
        match groups
            .iter_mut()
            .find(|g| g[0].from == edge.from && g[0].to == edge.to)
        {
            Some(group) => group.push(edge),
            None => groups.push(vec![edge]),
        }
    }
    groups
}

/// How many monospace cells a character takes: two for East Asian wide characters and
/// emoji, one otherwise. Over-estimating is safe (a box a little too wide); under-estimating
/// would cut text.
pub(crate) fn cells(c: char) -> usize {
    let u = u32::from(c);
    let wide = matches!(u,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// The width of a line in monospace cells.
pub(crate) fn width(text: &str) -> usize {
    text.chars().map(cells).sum()
}

/// One line of at most `max` cells, control characters as spaces, with `…` when shortened.
pub(crate) fn clip_line(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if width(&one_line) <= max {
        return one_line;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in one_line.chars() {
        if used + cells(c) > max.saturating_sub(1) {
            break;
        }
        used += cells(c);
        out.push(c);
    }
    out.push('…');
    out
}

/// Word-wraps `text` into at most `max_lines` lines of at most `max` cells; words longer than
/// a line are split; the last line ends in `…` when text is left over.
pub(crate) fn wrap(text: &str, max: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let words = text.split(|c: char| c.is_whitespace() || c.is_control());
    for word in words.filter(|w| !w.is_empty()) {
        let mut word = word.to_owned();
        loop {
            let sep = usize::from(!current.is_empty());
            if width(&current) + sep + width(&word) <= max {
                if sep == 1 {
                    current.push(' ');
                }
                current.push_str(&word);
                break;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
                continue;
            }
            // A word longer than a line: split it.
            let mut head = String::new();
            let mut used = 0;
            let mut rest = String::new();
            for c in word.chars() {
                if rest.is_empty() && used + cells(c) <= max {
                    used += cells(c);
                    head.push(c);
                } else {
                    rest.push(c);
                }
            }
            if head.is_empty() {
                // A character wider than the line: take it anyway.
                let mut chars = word.chars();
                head.extend(chars.next());
                rest = chars.collect();
            }
            lines.push(head);
            word = rest;
            if word.is_empty() {
                break;
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            let shortened = clip_line(last, max.saturating_sub(1));
            *last = format!("{}…", shortened.trim_end_matches('…'));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_respects_the_width_and_the_line_limit() {
        assert_eq!(wrap("a bb ccc", 4, 5), vec!["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4, 5), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("one two three four", 5, 2), vec!["one", "two…"]);
        assert_eq!(wrap("", 5, 2), Vec::<String>::new());
        for line in wrap("日本語のテキストです", 6, 9) {
            assert!(width(&line) <= 6, "{line}");
        }
    }

    #[test]
    fn clipping_marks_the_cut() {
        assert_eq!(clip_line("abcdef", 4), "abc…");
        assert_eq!(clip_line("a\nb", 4), "a b");
    }
}
