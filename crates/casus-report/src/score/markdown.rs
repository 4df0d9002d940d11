//! The score document in Markdown.

use super::escape::{md, md_prose};
use super::{Block, document};
use crate::output::score::ScoreOutput;

/// `casus score --format md`.
pub fn render(out: &ScoreOutput) -> String {
    let mut text = String::new();
    let mut first = true;
    for block in document(out) {
        match block {
            Block::Heading(h) => {
                let level = if first { "#" } else { "##" };
                first = false;
                text.push_str(&format!("{level} {}\n\n", md(&h)));
            }
            Block::Text(t) => text.push_str(&format!("{}\n\n", md_prose(&t))),
            Block::Table(_, head, rows) => {
                if rows.is_empty() {
                    text.push_str("None.\n\n");
                    continue;
                }
                let line = |cells: &[String]| {
                    let cells: Vec<String> = cells.iter().map(|c| md(c)).collect();
                    format!("| {} |\n", cells.join(" | "))
                };
                text.push_str(&line(&head));
                text.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                for row in &rows {
                    text.push_str(&line(row));
                }
                text.push('\n');
            }
            Block::Chart => {}
        }
    }
    format!("{}\n", text.trim_end())
}
