//! casus diagnostics as protocol diagnostics: the same code, severity, primary span and
//! message as `casus check`, secondary labels as related locations, help and notes in the
//! message (clients show no other field for them).

use casus_core::{Diagnostic, Severity};
use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri};

use crate::text::LineIndex;

/// The `source` every diagnostic carries, so an editor can tell casus's from other servers'.
pub(crate) const SOURCE: &str = "casus";

/// Converts one diagnostic of the document at `uri`.
pub(crate) fn to_lsp(
    d: &Diagnostic,
    uri: &Uri,
    text: &str,
    lines: &LineIndex,
) -> lsp_types::Diagnostic {
    let span = d.primary_span().unwrap_or_default().clamp_to(text);
    let mut message = d.message.clone();
    if let Some(label) = d.labels.iter().find(|l| l.primary)
        && !label.message.is_empty()
    {
        message.push_str(&format!("\n{}", label.message));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    for note in &d.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .map(|l| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), lines.range(text, l.span.clamp_to(text))),
            message: if l.message.is_empty() {
                "related".to_owned()
            } else {
                l.message.clone()
            },
        })
        .collect();
    lsp_types::Diagnostic {
        range: lines.range(text, span),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.as_str().to_owned())),
        code_description: None,
        source: Some(SOURCE.to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Note => DiagnosticSeverity::INFORMATION,
    }
}

/// The replacement a "did you mean `x`?" help suggests, if it has one.
pub(crate) fn suggestion(d: &Diagnostic) -> Option<&str> {
    let help = d.help.as_deref()?;
    let rest = help.split("did you mean `").nth(1)?;
    rest.split('`').next().filter(|s| !s.is_empty())
}
