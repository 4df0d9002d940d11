//! The HTML back end: one self-contained page (no script, no network, no external font or
//! style sheet) printed from the report's [`Document`], with its figures as inline SVG and a
//! print style sheet for A4.
//!
//! The page carries a Content-Security-Policy that allows no script and no fetch at all, so
//! even a mistake in escaping could not run code or call out; every piece of text in the
//! document goes through [`escape::html`](super::escape::html) here, the one place this
//! format escapes.

use std::fmt::Write as _;

use super::doc::{Block, Document, Inline, ListItem, Table, Tone, anchor};
use super::escape::html;

const STYLE: &str = r#"
:root { --ink: #1d2330; --muted: #5b6474; --line: #d9dee7; --accent: #3b5b92; --bar: #5b7fc0; --band: #c9d6ee; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.7em; line-height: 1.25; margin: 0.2em 0 0.4em; overflow-wrap: anywhere; }
h2 { font-size: 1.25em; margin: 2em 0 0.6em; padding-bottom: 0.2em; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05em; margin: 1.4em 0 0.4em; }
p, li, summary { overflow-wrap: anywhere; }
td, th { overflow-wrap: break-word; }
.summary { font-size: 1.05em; color: #333a48; white-space: pre-line; }
.meta { color: var(--muted); font-size: 0.92em; }
code, .id { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; font-size: 0.93em; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { color: var(--muted); font-weight: 600; background: #f7f8fa; }
td > code, td.words { white-space: nowrap; overflow-wrap: normal; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.bar { position: relative; height: 14px; min-width: 160px; background: #f1f3f7; border-radius: 3px; }
.bar .band { position: absolute; top: 0; height: 14px; background: var(--band); border-radius: 3px; }
.bar .fill { position: absolute; top: 3px; left: 0; height: 8px; background: var(--bar); border-radius: 2px; }
.bar .median { position: absolute; top: 0; width: 2px; height: 14px; background: var(--ink); }
.bar .point { position: absolute; top: 4px; width: 6px; height: 6px; margin-left: -3px; border-radius: 3px; background: var(--bar); }
td.differs { font-weight: 700; }
.delta { color: var(--muted); font-weight: 400; font-size: 0.9em; }
.graph-scroll { overflow: auto; max-width: 100%; border: 1px solid var(--line); border-radius: 6px; background: #fcfcfd; }
svg.decision-graph { display: block; }
svg.decision-graph text { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 12px; fill: var(--ink); }
svg.decision-graph .strong { font-weight: 700; }
svg.decision-graph .edge { fill: none; stroke: #8a93a3; stroke-opacity: 0.75; }
svg.decision-graph .arrowhead { fill: #8a93a3; }
svg.decision-graph .edge-label rect { fill: #ffffff; fill-opacity: 0.92; stroke: none; }
svg.decision-graph .edge-label text { fill: #3d4554; font-size: 11px; }
svg.decision-graph .node rect { stroke-width: 1.4; }
svg.decision-graph .node.decision rect { fill: #eef3fb; stroke: #3b5b92; }
svg.decision-graph .node.chance rect { fill: #f6f1e7; stroke: #8a6d3b; stroke-dasharray: 5 3; }
svg.decision-graph .node.outcome rect { fill: #eaf6ec; stroke: #2f6b3a; stroke-width: 2.2; }
svg.decision-graph .node.truncated rect, svg.decision-graph .node.folded rect { fill: #f3f3f3; stroke: #888; stroke-dasharray: 4 3; }
svg.decision-graph .edge.line { stroke: #c2410c; stroke-opacity: 1; }
svg.decision-graph .node.line rect { stroke: #c2410c; stroke-width: 3; }
svg.decision-graph a:hover rect { stroke-width: 3; }
figure.chart, figure.graph { margin: 0.6em 0 1.2em; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figure.chart figcaption { color: var(--muted); font-size: 0.88em; }
svg.chart text { font-family: system-ui, "DejaVu Sans", Arial, sans-serif; font-size: 12px; fill: var(--ink); }
svg.chart .axis { stroke: #8a93a3; stroke-width: 1; }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart .point { fill: var(--bar); }
svg.chart .whisker { stroke: var(--ink); stroke-width: 1.5; }
svg.chart .band { fill: var(--band); }
svg.chart .low { fill: #d08c60; }
svg.chart .high { fill: var(--bar); }
svg.chart .median { stroke: var(--ink); stroke-width: 2; }
svg.chart .strip { fill: var(--ink); fill-opacity: 0.35; }
svg.chart .gain { fill: #2f6b3a; }
svg.chart .loss { fill: #b84a4a; }
svg.chart .centre { stroke: var(--ink); stroke-width: 1.5; }
table.likelihoods { width: auto; }
tr:target { background: #fff6d5; }
.legend { color: var(--muted); font-size: 0.88em; }
.warn { background: #fff6e0; border-left: 4px solid #d49a1a; padding: 8px 12px; }
.disagree { background: #fdeeee; border-left: 4px solid #b84a4a; padding: 8px 12px; }
details { border: 1px solid var(--line); border-radius: 6px; margin: 0.5em 0; padding: 0 12px; }
details[open] { padding-bottom: 8px; }
summary { cursor: pointer; padding: 8px 0; font-weight: 600; }
summary .meta { font-weight: 400; }
ol.paths > li { margin: 0.5em 0 0.8em; }
.steps { margin: 0.2em 0; }
.step { display: inline-block; margin: 1px 0; }
.arrow { color: var(--muted); margin: 0 4px; }
ul.rules { margin: 0.3em 0 0; padding-left: 1.2em; }
ul.rules li { margin: 0.15em 0; }
.because { color: #333a48; }
.source { color: var(--muted); font-size: 0.9em; }
.status-passed { color: #2f6b3a; font-weight: 600; }
.status-failed, .status-vacuous { color: #b84a4a; font-weight: 600; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  .bar { min-width: 70px; }
  @page { size: A4; margin: 14mm 12mm; }
  .graph-scroll { overflow: visible; max-height: none; border: none; }
  svg.decision-graph { max-width: 100%; height: auto; }
  figure, table, .graph-scroll { break-inside: avoid; }
  table { font-size: 9pt; }
  thead { display: table-header-group; }
  details.all-branches { display: none; }
  details { border: none; padding: 0; }
  details::details-content { content-visibility: visible; display: block; }
  summary { list-style: none; }
  h2 { break-after: avoid; }
  tr, li, .node { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Prints the page.
pub(crate) fn render(document: &Document) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"generator\" content=\"casus report\">\n");
    let _ = writeln!(out, "<title>{}</title>", html(&document.title));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>\n<main>");
    let _ = writeln!(out, "<h1>{}</h1>", html(&document.title));
    blocks(&mut out, &document.blocks);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn blocks(out: &mut String, list: &[Block]) {
    for b in list {
        block(out, b);
    }
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Section {
            id,
            level,
            title,
            blocks: content,
        } => {
            let _ = writeln!(
                out,
                "<section id=\"{}\">\n<h{level}>{}</h{level}>",
                html(id),
                inlines(title)
            );
            blocks(out, content);
            out.push_str("</section>\n");
        }
        Block::Para(content) => {
            let _ = writeln!(out, "<p>{}</p>", inlines(content));
        }
        Block::Legend(content) => {
            let _ = writeln!(out, "<p class=\"legend\">{}</p>", inlines(content));
        }
        Block::Note(tone, content) => {
            let class = match tone {
                Tone::Warn => "warn",
                Tone::Disagree => "disagree",
            };
            let _ = writeln!(out, "<p class=\"{class}\">{}</p>", inlines(content));
        }
        Block::Table(t) => table(out, t),
        Block::List { ordered, items } => list(out, *ordered, items),
        Block::Details {
            class,
            summary,
            blocks: content,
        } => {
            let _ = writeln!(
                out,
                "<details class=\"{}\">\n<summary>{}</summary>",
                html(class),
                inlines(summary)
            );
            blocks(out, content);
            out.push_str("</details>\n");
        }
        Block::Figure {
            class,
            svg,
            caption,
            ..
        } => {
            let _ = writeln!(
                out,
                "<figure class=\"{}\">\n{svg}\n<figcaption>{}</figcaption>\n</figure>",
                html(class),
                inlines(caption)
            );
        }
        // Fenced source is for Markdown readers; the page draws the same thing as a figure.
        Block::Code { .. } => {}
    }
}

fn table(out: &mut String, t: &Table) {
    let numeric: Vec<bool> = t.columns.iter().map(|c| c.numeric).collect();
    let class_of = |i: usize| {
        if numeric.get(i).copied().unwrap_or(false) {
            " class=\"num\""
        } else {
            ""
        }
    };
    let _ = write!(out, "<table class=\"{}\">\n<thead><tr>", html(t.class));
    for (i, c) in t.columns.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", class_of(i), inlines(&c.head));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        match &row.anchor {
            Some(a) => {
                let _ = write!(out, "<tr id=\"{}\">", html(a));
            }
            None => out.push_str("<tr>"),
        }
        for (i, cell) in row.cells.iter().enumerate() {
            let _ = write!(out, "<td{}>{}</td>", class_of(i), inlines(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn list(out: &mut String, ordered: bool, items: &[ListItem]) {
    let tag = if ordered { "ol" } else { "ul" };
    let _ = writeln!(out, "<{tag}>");
    for item in items {
        let _ = write!(out, "<li>{}", inlines(&item.content));
        if !item.children.is_empty() {
            out.push('\n');
            list(out, false, &item.children);
        }
        out.push_str("</li>\n");
    }
    let _ = writeln!(out, "</{tag}>");
}

/// Inline runs as HTML.
fn inlines(runs: &[Inline]) -> String {
    let mut out = String::new();
    for run in runs {
        match run {
            Inline::Text(t) => out.push_str(&html(t)),
            Inline::Code(t) => {
                let _ = write!(out, "<code>{}</code>", html(t));
            }
            Inline::Ref(kind, id) => {
                let _ = write!(
                    out,
                    "<a href=\"#{}\"><code>{}</code></a>",
                    html(&anchor(*kind, id)),
                    html(id)
                );
            }
            Inline::Strong(inner) => {
                let _ = write!(out, "<strong>{}</strong>", inlines(inner));
            }
            Inline::Muted(inner) => {
                let _ = write!(out, "<span class=\"source\">{}</span>", inlines(inner));
            }
            Inline::Quote(t) => {
                let _ = write!(out, "<span class=\"because\">{}</span>", html(t));
            }
            Inline::Break => out.push_str("<br>"),
        }
    }
    out
}
