//! Output safety: scenario text from a pull request must come out as text in every format.
//!
//! `tests/fixtures/hostile/text/` holds a valid scenario with hostile text in every free-text
//! field (`<script>`, `</details>`, quotes, backticks, `-->`, `|`, newlines, ANSI escape
//! sequences, bidi controls, NUL, NEL, DEL, `%0A`, `::error::`), an older version of it for
//! `diff`, and a file whose mistakes put hostile text inside diagnostics. `tests/reports.rs`
//! covers the report formats (Markdown, JSON, DOT, Mermaid, HTML) of its own hostile fixture;
//! this suite covers the rest, through the binary as a user runs it: diagnostics (human,
//! JSON, GitHub, SARIF), eval, explain, test (human, JSON, JUnit, GitHub) and diff (human,
//! Markdown, JSON). Each output is snapshotted for review and checked mechanically for its
//! format: nothing a terminal would interpret, well-formed XML and JSON that round-trip the
//! text, one GitHub workflow command per line, no raw HTML in Markdown.
//!
//! Needs `target/debug/casus` (`cargo build -p casus-cli`; `cargo test --workspace` builds it).
#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test fail the test on any error, as the tests themselves do"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

const TEXT: &str = "tests/fixtures/hostile/text/hostile-text.toml";
const OLD: &str = "tests/fixtures/hostile/text/hostile-text-old.toml";
const BAD: &str = "tests/fixtures/hostile/text/hostile-diagnostics.toml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn casus(args: &[&str]) -> Command {
    let mut command = Command::new(get_cargo_bin("casus"));
    command.current_dir(root()).env("NO_COLOR", "1").args(args);
    command
}

fn run(args: &[&str]) -> (String, String) {
    let Output { stdout, stderr, .. } = casus(args).output().unwrap();
    (
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

/// Characters a terminal would act on or that reorder what is displayed: C0 and C1 controls
/// (ESC starts colour, cursor and title sequences; BEL, BS and CR rewrite the line) other than
/// newline and tab, DEL, and the bidirectional embeddings, overrides, isolates and marks.
fn terminal_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}

fn assert_terminal_safe(what: &str, text: &str) {
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| terminal_unsafe(c)) {
        let context: String = text[at.saturating_sub(60)..].chars().take(90).collect();
        panic!(
            "{what}: {:?} reaches the terminal raw at byte {at}: {context:?}",
            c
        );
    }
}

/// The text as it is in the scenario: what machine formats must round-trip exactly.
const PAYLOAD_START: &str = "<script>alert(1)</script> </details><img src=x onerror=alert(2)>";

// ---------------------------------------------------------------------------------------------
// Terminals.

#[test]
fn terminal_outputs_carry_no_control_characters() {
    let runs: Vec<Vec<&str>> = vec![
        vec!["check", BAD],
        vec!["check", TEXT],
        vec!["eval", TEXT],
        vec!["eval", TEXT, "--given", "first=no"],
        vec![
            "explain", TEXT, "--given", "first=no", "--given", "luck=bad",
        ],
        vec!["explain", TEXT, "--outcome", "crisis"],
        vec![
            "explain",
            TEXT,
            "--given",
            "first=yes",
            "--why-not",
            "crisis",
        ],
        vec!["test", TEXT],
        vec!["test", TEXT, "--coverage"],
        vec!["diff", OLD, TEXT],
        vec!["check", "tests/fixtures/hostile/bidi-controls.toml"],
        vec!["check", "tests/fixtures/hostile/raw-escape-byte.toml"],
        vec!["check", "tests/fixtures/hostile/raw-nul-byte.toml"],
        vec![
            "check",
            "tests/fixtures/hostile/control-characters-in-expression.toml",
        ],
        vec![
            "eval",
            "tests/fixtures/hostile/control-characters-escaped.toml",
        ],
    ];
    for args in runs {
        let (stdout, stderr) = run(&args);
        let what = format!("casus {}", args.join(" "));
        assert_terminal_safe(&format!("{what} (stdout)"), &stdout);
        assert_terminal_safe(&format!("{what} (stderr)"), &stderr);
    }
}

#[test]
fn diagnostics_human() {
    assert_cmd_snapshot!(casus(&["check", BAD]));
}

#[test]
fn eval_human() {
    assert_cmd_snapshot!(casus(&["eval", TEXT]));
}

#[test]
fn explain_human() {
    assert_cmd_snapshot!(casus(&[
        "explain",
        TEXT,
        "--given",
        "first=no",
        "--outcome",
        "crisis"
    ]));
}

#[test]
fn explain_why_not_human() {
    assert_cmd_snapshot!(casus(&[
        "explain",
        TEXT,
        "--given",
        "first=yes",
        "--why-not",
        "crisis"
    ]));
}

#[test]
fn test_human() {
    assert_cmd_snapshot!(casus(&["test", TEXT]));
}

#[test]
fn diff_human() {
    assert_cmd_snapshot!(casus(&["diff", OLD, TEXT]));
}

// ---------------------------------------------------------------------------------------------
// JSON, SARIF and JUnit: well-formed, and the text comes back exactly.

fn json(args: &[&str]) -> serde_json::Value {
    let (stdout, _) = run(args);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("casus {}: {e}", args.join(" ")))
}

/// Every string in a JSON document.
fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

#[test]
fn json_outputs_parse_and_keep_the_text_exact() {
    let runs: Vec<Vec<&str>> = vec![
        vec!["eval", TEXT, "--format", "json"],
        vec![
            "explain",
            TEXT,
            "--given",
            "first=no",
            "--outcome",
            "crisis",
            "--format",
            "json",
        ],
        vec!["test", TEXT, "--format", "json"],
        vec!["diff", OLD, TEXT, "--format", "json"],
        vec!["check", BAD, "--format", "json"],
        vec!["check", BAD, "--format", "sarif"],
    ];
    for args in runs {
        let value = json(&args);
        let mut all = Vec::new();
        strings(&value, &mut all);
        // The scenario's text is data in JSON: it comes back unchanged, controls included
        // (escaped by the JSON encoder), so a consumer sees what the analyst wrote.
        assert!(
            all.iter().any(|s| s.contains(PAYLOAD_START)),
            "casus {}: the hostile text is not in the JSON",
            args.join(" ")
        );
    }
    // The title, decoded, with its escape sequence and NUL intact.
    let eval = json(&["eval", TEXT, "--format", "json"]);
    let title = eval["scenario"].as_str().unwrap();
    assert!(
        title.contains("\u{1b}[31mred") && title.contains("nul\u{0}"),
        "{title:?}"
    );
}

#[test]
fn diagnostics_sarif() {
    assert_cmd_snapshot!(casus(&["check", BAD, "--format", "sarif"]));
}

#[test]
fn diagnostics_json() {
    assert_cmd_snapshot!(casus(&["check", BAD, "--format", "json"]));
}

#[test]
fn junit_is_well_formed_xml_that_keeps_the_text() {
    let (stdout, _) = run(&["test", TEXT, "--format", "junit"]);
    let document = roxmltree::Document::parse(&stdout).unwrap();
    // No raw markup got in: the only elements are JUnit's own.
    for node in document.descendants().filter(roxmltree::Node::is_element) {
        let name = node.tag_name().name();
        assert!(
            matches!(
                name,
                "testsuites"
                    | "testsuite"
                    | "testcase"
                    | "failure"
                    | "error"
                    | "system-out"
                    | "system-err"
                    | "properties"
                    | "property"
                    | "skipped"
            ),
            "unexpected element <{name}> in the JUnit output"
        );
    }
    // The hostile text is there as text (XML 1.0 cannot hold NUL or ESC, so those may be
    // replaced, but the markup characters must survive as characters).
    let text: String = document
        .descendants()
        .flat_map(|n| {
            n.attributes()
                .map(|a| a.value().to_owned())
                .chain(n.text().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(text.contains("<script>alert(1)</script>"), "{text}");
}

#[test]
fn test_junit() {
    assert_cmd_snapshot!(casus(&["test", TEXT, "--format", "junit"]));
}

// ---------------------------------------------------------------------------------------------
// GitHub workflow commands.

fn assert_one_command_per_line(what: &str, text: &str) {
    assert!(!text.contains('\r'), "{what}: a raw carriage return");
    for line in text.lines().filter(|l| !l.is_empty()) {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice ")
                || !line.starts_with("::"),
            "{what}: a line that is not one command: {line:?}"
        );
        // User text cannot close the properties early or start a second command.
        if let Some(rest) = line.strip_prefix("::") {
            let (_, message) = rest.split_once("::").unwrap();
            assert!(
                !message.contains("\n::"),
                "{what}: a second command inside {line:?}"
            );
        }
    }
    assert_terminal_safe(what, text);
}

#[test]
fn github_annotations_are_one_command_per_line() {
    for args in [
        vec!["check", BAD, "--format", "github"],
        vec!["test", TEXT, "--format", "github"],
    ] {
        let (stdout, _) = run(&args);
        assert!(
            stdout.contains("::error "),
            "casus {}: {stdout}",
            args.join(" ")
        );
        assert_one_command_per_line(&format!("casus {}", args.join(" ")), &stdout);
    }
}

#[test]
fn diagnostics_github() {
    assert_cmd_snapshot!(casus(&["check", BAD, "--format", "github"]));
}

#[test]
fn test_github() {
    assert_cmd_snapshot!(casus(&["test", TEXT, "--format", "github"]));
}

// ---------------------------------------------------------------------------------------------
// Markdown (the diff posted as a pull-request comment).

#[test]
fn diff_markdown_has_no_raw_html_and_no_injected_structure() {
    let (stdout, _) = run(&["diff", OLD, TEXT, "--format", "md"]);
    for raw in ["<script", "</script", "<img", "</details"] {
        assert!(!stdout.contains(raw), "raw `{raw}` in:\n{stdout}");
    }
    for line in stdout.lines() {
        assert!(
            !line.trim_start().starts_with("# heading"),
            "scenario text became a heading: {line:?}"
        );
        assert!(
            !line.trim_start().starts_with("* item"),
            "scenario text became a list item: {line:?}"
        );
    }
    // Table rows keep their column count: every row of a table has as many unescaped pipes as
    // its header.
    let mut header_pipes = None;
    for line in stdout.lines() {
        if !line.starts_with('|') {
            header_pipes = None;
            continue;
        }
        let pipes = unescaped_pipes(line);
        match header_pipes {
            None => header_pipes = Some(pipes),
            Some(n) => assert_eq!(pipes, n, "a row with another column count: {line:?}"),
        }
    }
    assert_terminal_safe("casus diff --format md", &stdout);
}

fn unescaped_pipes(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
    }
    count
}

#[test]
fn diff_markdown() {
    assert_cmd_snapshot!(casus(&["diff", OLD, TEXT, "--format", "md"]));
}
