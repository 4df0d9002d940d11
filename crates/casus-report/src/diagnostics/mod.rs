//! Diagnostic renderers: one [`Diagnostic`] model, five views of it.
//!
//! Analysts read [`render_human`] and [`summary_line`] in a terminal; editors and scripts read
//! [`render_json`]; GitHub Actions turns [`render_github`] into inline pull-request annotations;
//! code-scanning services ingest [`render_sarif`]. Every function is pure and returns a
//! `String`, so the CLI alone decides where the text goes.
//!
//! All formats locate a label through the same normalisation (`locate`): spans are clamped to
//! the text and snapped to character boundaries, a trailing line break is dropped and a point
//! at the very end of a file that ends with a newline moves to the end of its last line. A span
//! from any producer therefore renders without panicking, and the line and column a human sees
//! are the ones a machine reads.

use std::ops::Range;

use casus_core::{Diagnostic, Label, LineCol, SourceFile, Span};

mod github;
mod human;
mod json;
pub(crate) mod sarif;
mod summary;
#[cfg(test)]
mod tests;

pub use github::render_github;
pub use human::render_human;
pub use json::{CheckOutput, JsonDiagnostic, JsonLabel, render_json};
pub use sarif::render_sarif;
pub use summary::summary_line;

/// A label whose span is safe to slice, with the 1-based positions every format reports.
struct Located<'a> {
    label: &'a Label,
    /// Byte range into the file text; always on character boundaries.
    range: Range<usize>,
    start: LineCol,
    /// One past the last character, as in LSP and SARIF: an empty span has `end == start`.
    end: LineCol,
}

/// Locates every label of a diagnostic, in the order given.
fn locate_labels<'a>(file: &SourceFile, labels: &'a [Label]) -> Vec<Located<'a>> {
    labels
        .iter()
        .map(|label| {
            let range = locate(file.text(), label.span);
            Located {
                label,
                start: file.line_col(range.start),
                end: file.line_col(range.end),
                range,
            }
        })
        .collect()
}

/// The label that gives a diagnostic its location: the first primary one, else the first one.
///
/// The model promises that the first primary label is the location; falling back to a secondary
/// label keeps a diagnostic that only has context labels pointing somewhere useful.
fn anchor<'l, 'a>(located: &'l [Located<'a>]) -> Option<&'l Located<'a>> {
    located
        .iter()
        .find(|l| l.label.primary)
        .or_else(|| located.first())
}

/// Turns any span into a byte range that can be sliced and that every format places alike.
///
/// Producers compute spans from TOML and expression offsets, which may be off by a byte, past
/// the end, or in the wrong order; a renderer must never panic on them, and annotate-snippets
/// does panic on a range that is out of bounds or splits a character.
fn locate(text: &str, span: Span) -> Range<usize> {
    let (lo, hi) = (span.start.min(span.end), span.start.max(span.end));
    let start = text.floor_char_boundary(lo);
    let mut end = text.ceil_char_boundary(hi);

    // A line break at the end of a span has no column of its own: keeping it would turn a
    // one-line span into a two-line one that ends at column 1 of the next line.
    let mut covered = &text[start..end];
    while let Some(rest) = covered.strip_suffix('\n') {
        covered = rest.strip_suffix('\r').unwrap_or(rest);
    }
    end = start + covered.len();

    let (mut start, mut end) = (start, end);
    // "Unexpected end of file" points past the final newline, on a line that editors show as
    // empty; annotate-snippets draws it at the end of the last line instead, so move it there for
    // every format to agree.
    if start == text.len() && end == text.len() && text.ends_with('\n') {
        start = text.len() - 1;
        end = start;
    }
    // Between `\r` and `\n` is no place a user can see; the end of the line is.
    let before_crlf = |p: usize| {
        if text[p..].starts_with('\n') && text[..p].ends_with('\r') {
            p - 1
        } else {
            p
        }
    };
    start = before_crlf(start);
    end = before_crlf(end);
    start..end
}

/// The message followed by the notes and the help, for formats with a single text field.
///
/// Notes come before the help everywhere, as in rustc: context first, then the fix.
fn full_message(diagnostic: &Diagnostic) -> String {
    let mut text = diagnostic.message.clone();
    for note in &diagnostic.notes {
        text.push_str("\nnote: ");
        text.push_str(note);
    }
    if let Some(help) = &diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    text
}
