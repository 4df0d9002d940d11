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
    clippy::panic,
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
    command
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("CASUS_TEST_TIME", "fixed")
        .args(args);
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

/// Characters that hide or fake text for a reader (issue 21): zero-width characters, the
/// byte-order mark, and the line and paragraph separators.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}'
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
const PAYLOAD_START: &str = "<script>alert(1)</script>";

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
fn test_results_human() {
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

/// A copy of the hostile-text scenario under a hostile file name (markup, quotes, a newline, a
/// workflow command, `%`, `,` and `:`), in a fresh folder, for formats that carry file names.
/// A folder of its own for `test` (tests run in parallel threads of one process, so the
/// process id alone would give two tests the same folder, and one would delete it under the
/// other), holding the text fixture and the invalid one under a hostile name.
fn hostile_name(test: &str) -> (PathBuf, &'static str) {
    const NAME: &str = "a<b>&\"'\n::error::x,y:z%0A.toml";
    let dir =
        std::env::temp_dir().join(format!("casus-hostile-name-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(root().join(TEXT), dir.join(NAME)).unwrap();
    std::fs::copy(root().join(BAD), dir.join(format!("bad {NAME}"))).unwrap();
    (dir, NAME)
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = text
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn run_in(dir: &std::path::Path, args: &[&str]) -> String {
    let output = Command::new(get_cargo_bin("casus"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("CASUS_TEST_TIME", "fixed")
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn junit_is_well_formed_xml_that_keeps_the_file_name() {
    let (dir, name) = hostile_name("junit");
    let stdout = run_in(&dir, &["test", name, "--format", "junit"]);
    let document = roxmltree::Document::parse(&stdout).unwrap();
    // No raw markup got in: the only elements are JUnit's own.
    for node in document.descendants().filter(roxmltree::Node::is_element) {
        let tag = node.tag_name().name();
        assert!(
            matches!(
                tag,
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
            "unexpected element <{tag}> in the JUnit output"
        );
    }
    // The name comes back exactly, newline included.
    let suite = document
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("name"), Some(name));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn machine_formats_keep_a_hostile_file_name_exact() {
    let (dir, name) = hostile_name("machine");
    let bad = format!("bad {name}");
    for args in [
        vec!["check", bad.as_str(), "--format", "json"],
        vec!["check", bad.as_str(), "--format", "sarif"],
        vec!["test", name, "--format", "json"],
    ] {
        let value: serde_json::Value = serde_json::from_str(&run_in(&dir, &args)).unwrap();
        let mut all = Vec::new();
        strings(&value, &mut all);
        // SARIF holds it as a URI reference, percent-encoded.
        assert!(
            all.iter()
                .any(|s| s.contains(name) || percent_decoded(s).contains(name)),
            "casus {args:?}: the file name is not in the output"
        );
    }
    for args in [
        vec!["check", bad.as_str(), "--format", "github"],
        vec!["test", name, "--format", "github"],
    ] {
        let stdout = run_in(&dir, &args);
        assert!(stdout.contains("::error "), "casus {args:?}: {stdout}");
        assert_one_command_per_line(&format!("casus {args:?}"), &stdout);
        assert!(
            stdout.contains("file=bad a<b>&\"'%0A%3A%3Aerror%3A%3Ax%2Cy%3Az%250A.toml")
                || stdout.contains("file=a<b>&\"'%0A%3A%3Aerror%3A%3Ax%2Cy%3Az%250A.toml"),
            "casus {args:?}: the file property is not escaped: {stdout}"
        );
    }
    for args in [vec!["check", bad.as_str()], vec!["test", name]] {
        let output = Command::new(get_cargo_bin("casus"))
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .args(&args)
            .output()
            .unwrap();
        assert_terminal_safe(
            &format!("casus {args:?}"),
            &String::from_utf8_lossy(&output.stdout),
        );
        assert_terminal_safe(
            &format!("casus {args:?}"),
            &String::from_utf8_lossy(&output.stderr),
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn test_results_junit() {
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
fn test_results_github() {
    assert_cmd_snapshot!(casus(&["test", TEXT, "--format", "github"]));
}

// ---------------------------------------------------------------------------------------------
// Markdown (the diff posted as a pull-request comment).

#[test]
fn diff_markdown_has_no_raw_html_and_no_injected_structure() {
    let (stdout, _) = run(&["diff", OLD, TEXT, "--format", "md"]);
    // Inside a code span Markdown shows everything literally, so only the text outside code
    // spans may not hold markup.
    let outside: String = stdout
        .lines()
        .map(|l| outside_code_spans(l) + "\n")
        .collect();
    for raw in ["<script", "</script", "<img"] {
        assert!(!outside.contains(raw), "raw `{raw}` in:\n{outside}");
    }
    // The diff's own collapsible section closes once per opening, so scenario text cannot
    // close it early.
    assert_eq!(
        outside.matches("<details").count(),
        outside.matches("</details>").count(),
        "{outside}"
    );
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

/// A line with its code spans cut out, as CommonMark delimits them: a run of backticks up to
/// the next run of the same length.
fn outside_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&c| c == '`').count();
        // Find the closing run of exactly `run` backticks.
        let mut j = i + run;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let other = chars[j..].iter().take_while(|&&c| c == '`').count();
                if other == run {
                    close = Some(j + other);
                    break;
                }
                j += other;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => i = end,
            None => {
                out.extend(&chars[i..i + run]);
                i += run;
            }
        }
    }
    out
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

/// A line break in a file name never starts a line in human output (where a GitHub log would
/// run `::error::…` as a workflow command), and invisible characters in a file name are shown
/// escaped: in diagnostics, in `fmt`'s messages and in the errors of the writer.
#[test]
fn human_output_shows_a_hostile_file_name_escaped() {
    // A folder of its own: the other tests remove `hostile_name`'s when they are done.
    const NAME: &str = "a<b>&\"'\n::error::x,y:z%0A.toml";
    let dir = std::env::temp_dir().join(format!("casus-hostile-human-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(root().join(TEXT), dir.join(NAME)).unwrap();
    std::fs::copy(root().join(BAD), dir.join(format!("bad {NAME}"))).unwrap();
    let name = NAME;
    let bad = format!("bad {name}");
    let hidden = "zero\u{200b}width\u{2028}.toml";
    std::fs::write(dir.join(hidden), "[scenario]\ntitle = \"unclosed\n").unwrap();
    let escaped = "bad a<b>&\"'\\n::error::x,y:z%0A.toml";
    for (args, expect) in [
        (vec!["check", bad.as_str()], escaped),
        (
            vec!["fmt", "--check", hidden],
            "zero\\u{200b}width\\u{2028}.toml",
        ),
        (vec!["check", hidden], "zero\\u{200b}width\\u{2028}.toml"),
        (
            vec!["report", name, "-o", name],
            "cannot write `a<b>&\"'\\n::error::x,y:z%0A.toml`",
        ),
    ] {
        let output = Command::new(get_cargo_bin("casus"))
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .args(&args)
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_ne!(output.status.code(), Some(0), "casus {args:?}");
        assert!(all.contains(expect), "casus {args:?}: {all}");
        assert!(
            !all.lines().any(|l| l.starts_with("::")),
            "casus {args:?}: a line starts a workflow command: {all}"
        );
        assert_terminal_safe(&format!("casus {args:?}"), &all);
        assert!(
            !all.chars().any(invisible),
            "casus {args:?}: an invisible character reached the terminal: {all:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Zero-width, byte-order-mark, separator and bidi characters in scenario text come out of
/// the Markdown report escaped, visible to a reviewer.
#[test]
fn markdown_shows_invisible_characters_escaped() {
    let dir = std::env::temp_dir().join(format!("casus-invisible-md-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text = "[scenario]\ntitle = \"zero\u{200b}width bom\u{feff} ls\u{2028} alm\u{61c} rlo\u{202e}\"\n\n[actors]\na = \"A\"\n\n[decisions.d]\nactor = \"a\"\noptions = [\"x\", \"y\"]\n\n[outcomes.rest]\npayoff = { a = 0 }\n";
    std::fs::write(dir.join("s.toml"), text).unwrap();
    let markdown = run_in(&dir, &["report", "s.toml", "--format", "md"]);
    assert!(
        markdown.contains(
            "zero\\\\u{200b}width bom\\\\u{feff} ls\\\\u{2028} alm\\\\u{61c} rlo\\\\u{202e}"
        ),
        "{markdown}"
    );
    assert!(!markdown.chars().any(invisible));
    assert_terminal_safe("report --format md", &markdown);
    std::fs::remove_dir_all(&dir).unwrap();
}
