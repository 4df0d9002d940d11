//! The Markdown back end, as GitHub renders it: the report's [`Document`] printed with
//! tables, `<details>` and a Mermaid diagram (GitHub shows no inline SVG, so the charts'
//! numbers stand in the tables beside them).
//!
//! Text goes through [`escape::md`](super::escape::md) (one line, no markup), ids through
//! [`escape::md_code`](super::escape::md_code); the text of an HTML element GitHub allows
//! (`<summary>`) through [`escape::html`](super::escape::html). A fence is longer than any run
//! of backticks in its text, so nothing can close it.

use std::fmt::Write as _;

use super::doc::{Block, Document, Inline, ListItem, Table, anchor};
use super::escape::{html, md, md_anchor, md_code};

/// Prints the Markdown report.
pub(crate) fn render(document: &Document) -> String {
    let mut out = format!("# {}\n\n", md(&document.title));
    for b in &document.blocks {
        block(&mut out, b);
    }
    // One newline at the end, whatever the last block was.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Section {
            level,
            title,
            blocks,
            ..
        } => {
            let hashes = "#".repeat(usize::from(*level));
            let _ = writeln!(out, "{hashes} {}\n", inline(title));
            for b in blocks {
                block(out, b);
            }
        }
        Block::Para(content) | Block::Legend(content) => {
            let _ = writeln!(out, "{}\n", inline(content));
        }
        Block::Note(_, content) => {
            let _ = writeln!(out, "> {}\n", inline(content));
        }
        Block::Table(t) => table(out, t),
        Block::List { ordered, items } => {
            list(out, *ordered, items, 0);
            out.push('\n');
        }
        Block::Details {
            summary, blocks, ..
        } => {
            let _ = writeln!(
                out,
                "<details>\n<summary>{}</summary>\n",
                summary_text(summary)
            );
            for b in blocks {
                block(out, b);
            }
            out.push_str("</details>\n\n");
        }
        Block::Figure { markdown, .. } => {
            for b in markdown {
                block(out, b);
            }
        }
        Block::Code { lang, text } => {
            let fence = "`".repeat(longest_backtick_run(text).max(2) + 1);
            let _ = write!(out, "{fence}{lang}\n{text}");
            if !text.ends_with('\n') {
                out.push('\n');
            }
            let _ = writeln!(out, "{fence}\n");
        }
    }
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn table(out: &mut String, t: &Table) {
    let heads: Vec<String> = t.columns.iter().map(|c| inline(&c.head)).collect();
    let rule: Vec<&str> = t
        .columns
        .iter()
        .map(|c| if c.numeric { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "| {} |\n|{}|", heads.join(" | "), rule.join("|"));
    for row in &t.rows {
        let mut cells: Vec<String> = row.cells.iter().map(|c| inline(c)).collect();
        if let (Some(a), Some(first)) = (&row.anchor, cells.first_mut()) {
            *first = format!("<a id=\"{}\"></a>{first}", html(a));
        }
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn list(out: &mut String, ordered: bool, items: &[ListItem], depth: usize) {
    let indent = "   ".repeat(depth);
    for (i, item) in items.iter().enumerate() {
        let marker = if ordered {
            format!("{}.", i + 1)
        } else {
            "-".to_owned()
        };
        let _ = writeln!(out, "{indent}{marker} {}", inline(&item.content));
        list(out, false, &item.children, depth + 1);
    }
}

/// Inline runs as Markdown on one line.
fn inline(runs: &[Inline]) -> String {
    let mut out = String::new();
    for run in runs {
        match run {
            Inline::Text(t) | Inline::Quote(t) => out.push_str(&md(t)),
            Inline::Code(t) => out.push_str(&md_code(t)),
            Inline::Ref(kind, id) => {
                let _ = write!(out, "[{}](#{})", md_code(id), md_anchor(&anchor(*kind, id)));
            }
            Inline::Strong(inner) => {
                let _ = write!(out, "**{}**", inline(inner));
            }
            Inline::Muted(inner) => out.push_str(&inline(inner)),
            Inline::Break => out.push_str("<br>"),
        }
    }
    out
}

/// Inline runs as the text of GitHub's `<summary>`, which shows HTML, not Markdown.
fn summary_text(runs: &[Inline]) -> String {
    runs.iter()
        .map(|run| match run {
            Inline::Text(t) | Inline::Quote(t) => html(&t.replace(['\n', '\r', '\t'], " ")),
            Inline::Code(t) | Inline::Ref(_, t) => format!("<code>{}</code>", html(t)),
            Inline::Strong(inner) => format!("<b>{}</b>", summary_text(inner)),
            Inline::Muted(inner) => summary_text(inner),
            Inline::Break => " ".to_owned(),
        })
        .collect()
}
