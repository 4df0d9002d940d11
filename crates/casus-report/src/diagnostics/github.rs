//! GitHub Actions workflow commands, which the runner turns into pull-request annotations.

use std::fmt::Write as _;

use casus_core::{Diagnostic, Severity, SourceFile};

use super::{anchor, locate_labels};
use crate::text::{visible, visible_lines};

/// Renders one `::error`/`::warning`/`::notice` command per diagnostic, one per line.
///
/// The annotation's title is the code and its name (`E0202 unknown_name`); the message carries
/// the notes and the help on further lines, since an annotation has no other place for them.
/// Columns are sent only for a span on a single line, because GitHub rejects `col` and
/// `endColumn` when `line` and `endLine` differ; `endColumn` is one past the last character, as
/// in the JSON and SARIF output. The message goes through the one sanitiser
/// ([`visible_lines`]), as in the terminal. Values are escaped as the Actions toolkit does, so a `%`, a line
/// break or (in properties) a `,` or `:` in user text cannot end the command early.
#[must_use]
pub fn render_github(files_and_diagnostics: &[(&SourceFile, &[Diagnostic])]) -> String {
    let mut out = String::new();
    for &(file, diagnostics) in files_and_diagnostics {
        for d in diagnostics {
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "notice",
            };
            let _ = write!(out, "::{command} file={}", escape_property(file.name()));
            let located = locate_labels(file, &d.labels);
            if let Some(at) = anchor(&located) {
                let (start, end) = (at.start, at.end);
                let _ = write!(out, ",line={}", start.line);
                if start.line == end.line {
                    let _ = write!(out, ",col={}", start.column);
                }
                let _ = write!(out, ",endLine={}", end.line);
                if start.line == end.line {
                    let _ = write!(out, ",endColumn={}", end.column);
                }
            }
            let title = format!("{} {}", d.code.as_str(), d.code.name());
            let _ = writeln!(
                out,
                ",title={}::{}",
                escape_property(&title),
                escape_data(&message(d))
            );
        }
    }
    out
}

/// The message, then the notes and the help on lines of their own, through the one sanitiser:
/// a line break in the message (user text) is shown as `\n`, casus's own in a help are kept.
fn message(d: &Diagnostic) -> String {
    let mut text = visible(&d.message);
    for note in &d.notes {
        text.push_str("\nnote: ");
        text.push_str(&visible_lines(note));
    }
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(&visible_lines(help));
    }
    text
}

/// Escapes a command's message (`escapeData` in `@actions/core`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property (`escapeProperty` in `@actions/core`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
