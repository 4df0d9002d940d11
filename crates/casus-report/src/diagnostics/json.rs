//! The machine view for editors and scripts: `casus check --format json`.

use casus_core::{Diagnostic, LineCol, SourceFile};
use schemars::JsonSchema;
use serde::Serialize;

use super::{anchor, locate_labels};

/// What `casus check --format json` prints: every diagnostic of every file checked, in file
/// order. Lines and columns are 1-based and columns count characters; `end` is the position
/// just after the last character, as in LSP and SARIF.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct CheckOutput<'a>(pub Vec<JsonDiagnostic<'a>>);

/// One diagnostic; every object has the same keys in the same order.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct JsonDiagnostic<'a> {
    /// Its code, such as `E0105`; `casus check --explain CODE` explains it.
    pub code: &'static str,
    /// The code's name, such as `duplicate_id`.
    pub name: &'static str,
    /// How serious it is.
    #[schemars(with = "SeverityWord")]
    pub severity: &'static str,
    /// What is wrong, in one sentence.
    pub message: &'a str,
    /// The file's path as given.
    pub file: &'a str,
    /// The line where it starts: of its first primary label, else of its first label; `null`
    /// for a problem of the whole file (no label).
    pub line: Option<usize>,
    /// The column where it starts; `null` for a problem of the whole file.
    pub column: Option<usize>,
    /// Just after the last character of that label; `null` for a problem of the whole
    /// file.
    #[schemars(with = "Option<Position>")]
    pub end: Option<LineCol>,
    /// How to fix it; `null` when there is no advice.
    pub help: Option<&'a str>,
    /// Further sentences of context.
    pub notes: &'a [String],
    /// The places in the file it points at.
    pub labels: Vec<JsonLabel<'a>>,
}

/// A place in the file a diagnostic points at.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct JsonLabel<'a> {
    /// The line it starts on.
    pub line: usize,
    /// The column it starts at.
    pub column: usize,
    /// Just after its last character.
    #[schemars(with = "Position")]
    pub end: LineCol,
    /// What it says about that place; may be empty.
    pub message: &'a str,
    /// Whether it is the place the diagnostic is about (the others add context).
    pub primary: bool,
}

/// How serious a diagnostic is.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[expect(
    dead_code,
    reason = "only its schema is used: the words of `Severity::as_str`"
)]
enum SeverityWord {
    /// The scenario cannot be trusted; the run fails.
    Error,
    /// Probably a mistake; fails a run only under `--deny warnings`.
    Warning,
    /// Informational; never fails a run.
    Note,
}

/// A position in a file.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "only its schema is used: it mirrors `LineCol`, which has no schema"
)]
struct Position {
    /// 1-based line number.
    line: usize,
    /// 1-based column, in characters.
    column: usize,
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
    to_pretty_json(&CheckOutput::build(files_and_diagnostics))
}

impl<'a> CheckOutput<'a> {
    /// The diagnostics of any number of files, in order, located in their files.
    #[must_use]
    pub fn build(files_and_diagnostics: &[(&'a SourceFile, &'a [Diagnostic])]) -> Self {
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
        CheckOutput(all)
    }
}

/// Pretty JSON with a final newline, so the output is a well-formed text file.
pub(super) fn to_pretty_json<T: Serialize>(value: &T) -> String {
    // INVARIANT: the values are plain structs, strings and numbers, which serde_json always
    // serialises; the fallback exists only because the signature allows an error.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
