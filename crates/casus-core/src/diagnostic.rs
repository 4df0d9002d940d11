//! The one diagnostic model every check reports through.
//!
//! A [`Diagnostic`] is plain data: a code, a severity, a message, labelled spans and a help
//! text. Renderers (human, JSON, GitHub, SARIF) live in `casus-report`; nothing here knows how
//! a finding will be shown.

use serde::Serialize;

use crate::codes::Code;
use crate::span::Span;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational; never fails a run.
    Note,
    /// Probably a mistake; fails a run only under `--deny warnings`.
    Warning,
    /// The scenario cannot be trusted; the run fails.
    Error,
}

impl Severity {
    /// The lowercase word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A span with a short message pointing at it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// What is pointed at.
    pub span: Span,
    /// A few words about it; may be empty.
    pub message: String,
    /// The primary label carries the diagnostic's location; secondary ones add context.
    pub primary: bool,
}

/// One finding about a scenario file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// The stable code, such as `E0101`.
    pub code: Code,
    /// Error, warning or note.
    pub severity: Severity,
    /// Lowercase, no trailing period; user input in backticks.
    pub message: String,
    /// The first primary label gives the location.
    pub labels: Vec<Label>,
    /// The suggested fix, such as "did you mean `likelihood`?".
    pub help: Option<String>,
    /// Extra context, such as a counter-example path.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic at the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.default_severity(),
            message: message.into(),
            labels: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// Adds the primary label.
    #[must_use]
    pub fn primary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    /// Adds a secondary label.
    #[must_use]
    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    /// Sets the suggested fix.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// The span of the first primary label, if any.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).map(|l| l.span)
    }

    /// Whether this finding fails a run at the default level.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by location, then code, so every output is in a stable order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| d.primary_span().map_or((0, 0), |s| (s.start, s.end));
        key(a)
            .cmp(&key(b))
            .then_with(|| a.code.as_str().cmp(b.code.as_str()))
    });
}

/// `1 path`, `2 paths`: a count and its noun, in the right number (`noun` takes an `s`).
#[must_use]
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "did you mean `x`?" for the closest candidate, if one is close enough to be a typo.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(wrong, candidate);
        if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

/// "did you mean `x`?" when a name is close to `wrong`; otherwise `listed` followed by every
/// name, or `none` when there are no names. The one way a usage error names what exists.
pub fn did_you_mean_or_list(wrong: &str, names: &[String], none: &str, listed: &str) -> String {
    did_you_mean(wrong, names.iter().map(String::as_str)).unwrap_or_else(|| {
        if names.is_empty() {
            none.to_owned()
        } else {
            format!("{listed} {}", crate::model::list(names))
        }
    })
}
