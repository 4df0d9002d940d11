//! The closing line of a human run.

use std::fmt::Write as _;

use annotate_snippets::renderer::{
    DEFAULT_EMPHASIS_STYLE, DEFAULT_ERROR_STYLE, DEFAULT_NOTE_STYLE, DEFAULT_WARNING_STYLE, Style,
};
use casus_core::{Diagnostic, Severity, SourceFile};

/// One line that tells a person at a glance whether the run found anything, and how much.
///
/// Takes the same list as the machine renderers; a file that was checked and found clean is
/// passed with an empty slice, so it counts as checked. The line starts with the most serious
/// level found, or `ok` when there is nothing:
///
/// ```text
/// error: 3 errors, 1 warning in 2 of 4 files
/// warning: 1 warning in 1 file
/// ok: 4 files checked, no findings
/// ```
///
/// `color` styles the leading word as [`render_human`](super::render_human) styles the level of
/// a diagnostic. There is no trailing newline.
#[must_use]
pub fn summary_line(files_and_diagnostics: &[(&SourceFile, &[Diagnostic])], color: bool) -> String {
    let checked = files_and_diagnostics.len();
    let with_findings = files_and_diagnostics
        .iter()
        .filter(|(_, diagnostics)| !diagnostics.is_empty())
        .count();
    let count = |severity: Severity| {
        files_and_diagnostics
            .iter()
            .flat_map(|(_, diagnostics)| diagnostics.iter())
            .filter(|d| d.severity == severity)
            .count()
    };
    let (errors, warnings, notes) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    );

    let (word, style, rest) = if with_findings == 0 {
        let ok = DEFAULT_NOTE_STYLE;
        (
            "ok",
            ok,
            format!("{} checked, no findings", plural(checked, "file")),
        )
    } else {
        let mut counts = Vec::new();
        for (n, what) in [(errors, "error"), (warnings, "warning"), (notes, "note")] {
            if n > 0 {
                counts.push(plural(n, what));
            }
        }
        let files = if with_findings == checked {
            plural(checked, "file")
        } else {
            format!("{with_findings} of {}", plural(checked, "file"))
        };
        let (word, style) = if errors > 0 {
            ("error", DEFAULT_ERROR_STYLE)
        } else if warnings > 0 {
            ("warning", DEFAULT_WARNING_STYLE)
        } else {
            ("note", DEFAULT_NOTE_STYLE)
        };
        (word, style, format!("{} in {files}", counts.join(", ")))
    };

    let mut line = String::new();
    if color {
        let bold: Style = DEFAULT_EMPHASIS_STYLE;
        let _ = write!(line, "{style}{word}{style:#}{bold}: {rest}{bold:#}");
    } else {
        let _ = write!(line, "{word}: {rest}");
    }
    line
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
