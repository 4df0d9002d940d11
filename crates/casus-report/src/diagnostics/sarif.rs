//! SARIF 2.1.0, the static-analysis interchange format that GitHub code scanning and other
//! services ingest.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use casus_core::{Code, Diagnostic, SourceFile};
use serde::Serialize;

use super::json::to_pretty_json;
use super::{Located, anchor, full_message, locate_labels};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    /// SARIF counts columns in UTF-16 code units unless told otherwise; casus counts characters.
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    /// The tool's home page; the SARIF Multitool asks for it (SARIF2005).
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    /// The code's section in `docs/diagnostics.md`.
    help_uri: String,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<MessageRef<'a>>,
}

#[derive(Serialize)]
struct MessageRef<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// Renders diagnostics of any number of files as one SARIF 2.1.0 log with a single run.
///
/// The rules are the distinct codes that occur, in documentation order, each with its summary
/// and explanation, so a code-scanning page can explain a finding without a link back to casus.
/// A result's message carries the notes and the help; its location is the first primary label
/// (a file-level finding has a location without a region) and the other labels, with their
/// messages, become related locations. Columns count characters (`columnKind` says so), and
/// `endColumn` is one past the last character, as SARIF defines it.
#[must_use]
pub fn render_sarif(files_and_diagnostics: &[(&SourceFile, &[Diagnostic])]) -> String {
    let codes: BTreeSet<Code> = files_and_diagnostics
        .iter()
        .flat_map(|(_, diagnostics)| diagnostics.iter().map(|d| d.code))
        .collect();
    let codes: Vec<Code> = codes.into_iter().collect();
    let rules = codes.iter().map(|&code| rule(code)).collect();

    let mut results = Vec::new();
    for &(file, diagnostics) in files_and_diagnostics {
        let uri = file_uri(file.name());
        for d in diagnostics {
            let located = locate_labels(file, &d.labels);
            let at = anchor(&located);
            let location = Location {
                id: None,
                physical_location: physical(&uri, at),
                message: None,
            };
            let related = located
                .iter()
                .filter(|l| !at.is_some_and(|a| std::ptr::eq(*l, a)))
                .enumerate()
                .map(|(i, l)| Location {
                    id: Some(i),
                    physical_location: physical(&uri, Some(l)),
                    message: Some(&l.label.message)
                        .filter(|m| !m.is_empty())
                        .map(|text| MessageRef { text }),
                })
                .collect();
            results.push(SarifResult {
                rule_id: d.code.as_str(),
                rule_index: codes.binary_search(&d.code).unwrap_or_default(),
                level: d.severity.as_str(),
                message: Text {
                    text: full_message(d),
                },
                locations: [location],
                related_locations: related,
            });
        }
    }

    to_pretty_json(&Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "casus",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    })
}

/// Where the documentation of every code lives, under the repository's address.
const DIAGNOSTICS_DOC: &str = concat!(
    env!("CARGO_PKG_REPOSITORY"),
    "/blob/main/docs/diagnostics.md"
);

/// The code's section of `docs/diagnostics.md`: the anchor GitHub gives the heading
/// `## E0101 `unknown_key`` is `e0101-unknown_key` (lowercase, spaces to `-`, backticks
/// dropped). A test checks every anchor against the headings of the generated page.
pub(crate) fn help_uri(code: Code) -> String {
    format!(
        "{DIAGNOSTICS_DOC}#{}-{}",
        code.as_str().to_lowercase(),
        code.name()
    )
}

fn rule(code: Code) -> Rule {
    let explanation = dedent(code.explanation());
    // The first paragraph says what the code catches; the rest is the example and the fix,
    // which belong in the help.
    let first_paragraph = explanation
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .replace('\n', " ");
    Rule {
        id: code.as_str(),
        name: code.name(),
        short_description: Text {
            text: code.summary().to_owned(),
        },
        full_description: Text {
            text: first_paragraph,
        },
        help_uri: help_uri(code),
        help: Help {
            text: explanation.clone(),
            markdown: explanation,
        },
        default_configuration: Configuration {
            level: code.default_severity().as_str(),
        },
    }
}

fn physical(uri: &str, at: Option<&Located<'_>>) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri.to_owned(),
        },
        region: at.map(|l| Region {
            start_line: l.start.line,
            start_column: l.start.column,
            end_line: l.end.line,
            end_column: l.end.column,
        }),
    }
}

/// Explanations come from doc comments, whose lines keep the space after `///`; drop it when
/// every line has it, so Markdown code blocks and lists render as written.
fn dedent(text: &str) -> String {
    let text = text.trim_end();
    let indented = text.lines().all(|l| l.is_empty() || l.starts_with(' '));
    if !indented {
        return text.to_owned();
    }
    text.lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A display name as a SARIF artifact URI.
///
/// Scenario paths are usually relative to the repository root, which is what code scanning
/// expects; they become relative references with `/` separators and percent-encoding. Absolute
/// paths become `file://` URIs, since a bare `C:/…` would read as a URI with scheme `C`.
pub(super) fn file_uri(name: &str) -> String {
    let path = name.replace('\\', "/");
    let mut path = path.as_str();
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    let drive = matches!(path.as_bytes(), [letter, b':', b'/', ..] if letter.is_ascii_alphabetic());
    let (prefix, path) = if drive {
        ("file:///", path)
    } else if path.starts_with('/') {
        ("file://", path)
    } else {
        ("", path)
    };
    let mut uri = String::from(prefix);
    for (i, &b) in path.as_bytes().iter().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (drive && i == 1 && b == b':');
        if keep {
            uri.push(char::from(b));
        } else {
            let _ = write!(uri, "%{b:02X}");
        }
    }
    uri
}
