//! Code actions and formatting: each "did you mean `x`?" of a diagnostic as a quick fix, and
//! `casus fmt`'s canonical layout as document formatting.

use casus_core::{Diagnostic, Span};

use crate::diagnostics::suggestion;
use crate::text::slice;

/// A quick fix: replace `span` with `new_text`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Fix {
    /// What the editor shows.
    pub(crate) title: String,
    /// The characters replaced.
    pub(crate) span: Span,
    /// The replacement.
    pub(crate) new_text: String,
}

/// The quick fix a diagnostic suggests, if it has one.
///
/// The primary span of a "did you mean" diagnostic covers what was written wrong, sometimes
/// with its quotes (`'acept'`, `"likley"`): the fix replaces the word the message quotes in
/// backticks where the span holds it once, or else what lies inside the quotes, so that the
/// quotes and the rest of the line are kept.
pub(crate) fn fix(d: &Diagnostic, text: &str) -> Option<Fix> {
    let new_text = suggestion(d)?;
    let span = d.primary_span()?.clamp_to(text);
    let raw = slice(text, span);
    let quoted: Vec<&str> = d.message.split('`').skip(1).step_by(2).collect();
    let word = quoted
        .iter()
        .find(|w| !w.is_empty() && raw.matches(*w).count() == 1)
        .and_then(|w| {
            raw.find(w)
                .map(|at| Span::new(span.start + at, span.start + at + w.len()))
        });
    let target = word.unwrap_or_else(|| inside_quotes(raw, span));
    Some(Fix {
        title: format!("replace with `{new_text}`"),
        span: target,
        new_text: new_text.to_owned(),
    })
}

/// `span` less the quotes (plain or escaped) around its text.
fn inside_quotes(raw: &str, span: Span) -> Span {
    for quote in ["\\\"", "\\'", "\"", "'"] {
        if raw.len() >= 2 * quote.len() && raw.starts_with(quote) && raw.ends_with(quote) {
            return Span::new(span.start + quote.len(), span.end - quote.len());
        }
    }
    span
}

/// The whole document in `casus fmt`'s layout, when that differs from `text`; `None` when it
/// is already canonical or cannot be formatted (TOML syntax errors, like `casus fmt`).
pub(crate) fn format(text: &str) -> Option<String> {
    casus_core::layout::canonical(text)
        .ok()
        .filter(|formatted| formatted != text)
}
