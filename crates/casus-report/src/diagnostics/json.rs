//! The machine view for editors and scripts.

use casus_core::{Diagnostic, LineCol, SourceFile};
use serde::Serialize;

use super::{anchor, locate_labels};

/// One diagnostic; field order is the output's key order.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    end: Option<LineCol>,
    help: Option<&'a str>,
    notes: &'a [String],
    labels: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    line: usize,
    column: usize,
    end: LineCol,
    message: &'a str,
    primary: bool,
}

/// Renders diagnostics of any number of files as one pretty-printed JSON array.
///
/// Tools get positions rather than byte offsets because editors, CI and people all count in
/// lines and characters. Lines and columns are 1-based, columns count characters, and `end` is
/// the position just after the last character, as in LSP and SARIF, so an empty span has
/// `end == start`. A diagnostic without labels (a file-level problem) has `null` for `line`,
/// `column` and `end`; a missing help is `null` rather than absent, so every object has the
/// same keys in the same order.
#[must_use]
pub fn render_json(files_and_diagnostics: &[(&SourceFile, &[Diagnostic])]) -> String {
    let mut all = Vec::new();
    for &(file, diagnostics) in files_and_diagnostics {
        for d in diagnostics {
            let located = locate_labels(file, &d.labels);
            let at = anchor(&located);
            all.push(JsonDiagnostic {
                code: d.code.as_str(),
                name: d.code.name(),
                severity: d.severity.as_str(),
                message: &d.message,
                file: file.name(),
                line: at.map(|l| l.start.line),
                column: at.map(|l| l.start.column),
                end: at.map(|l| l.end),
                help: d.help.as_deref(),
                notes: &d.notes,
                labels: located
                    .iter()
                    .map(|l| JsonLabel {
                        line: l.start.line,
                        column: l.start.column,
                        end: l.end,
                        message: &l.label.message,
                        primary: l.label.primary,
                    })
                    .collect(),
            });
        }
    }
    to_pretty_json(&all)
}

/// Pretty JSON with a final newline, so the output is a well-formed text file.
pub(super) fn to_pretty_json<T: Serialize>(value: &T) -> String {
    // INVARIANT: the values are plain structs, strings and numbers, which serde_json always
    // serialises; the fallback exists only because the signature allows an error.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
