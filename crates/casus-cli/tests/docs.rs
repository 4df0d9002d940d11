//! The documentation cannot rot: every example in `README.md` and `docs/*.md` runs here, and
//! `docs/cli.md` must be what the built `casus` prints for `--help`.
//!
//! # How examples are marked
//!
//! A fenced block may be preceded (on the line before the fence, blank lines allowed) by an
//! HTML comment of `key: value` marks separated by `;`, such as
//! `<!-- fragment: add to talks.toml; expect: W0001 -->`. Readers never see the comment.
//!
//! ```toml` blocks:
//! - unmarked: a complete scenario; it must check with no error and no warning (notes are
//!   fine), and its `[tests.*]`, if any, must pass;
//! - `file: NAME`: the same, and the block is then saved as `NAME` in the document's scratch
//!   folder, as a reader following along would save it;
//! - `fragment: add to NAME`: tables to put into the file `NAME`, written by an earlier block
//!   (or one of the copied repository files): each table (with its sub-tables, such as
//!   `[[decisions.x.likelihood_if]]`) replaces the table of the same name; a new table goes
//!   where the fragment's order puts it (before the next table the file has, or after the last
//!   one), else at the end; the result must check clean and is saved back as `NAME`;
//! - `fragment: try in NAME`: the same, but nothing is saved and only errors fail it, not lint
//!   warnings about the file it is tried in (for reference examples);
//! - `expect: CODE, …`: the result must report these codes (and no other error or warning),
//!   for examples that show a mistake.
//!
//! ```sh` and ```console` blocks: every `casus …` command runs with the built binary (in a
//! `console` block, the lines starting with `$ `). `cargo run … -p casus-cli -- ARGS` runs as
//! `casus ARGS`; `cp A B` copies inside the scratch folder; `cargo`, `git` and `cd` commands are
//! shown to readers but not run here; anything else is refused, so the docs only show what is
//! tested. Marks: `exit: N` (default 0) is the exit status every command of the block must
//! have; `cwd: repo` runs the block in the repository itself instead of the scratch folder (for
//! read-only commands that need git). In a `console` block, the lines after a command are its
//! expected output (standard output, then standard error): a line `...` stands for any number
//! of lines, `[..]` inside a line for any text, trailing spaces and blank lines are ignored,
//! and a command followed by no output must print nothing.
//!
//! Each document gets its own scratch folder holding copies of `scenarios/` and
//! `tests/fixtures/`, so paths relative to the repository root work and nothing a document
//! writes lands in the repository.
#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test fail the test on any error, as the tests themselves do"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use casus_core::limits::Limits;
use casus_core::{Code, Severity, SourceFile};
use casus_rules::EvalLimits;

/// The repository root.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// How to regenerate `docs/cli.md`; printed when it drifts.
const REGENERATE: &str = "UPDATE_GENERATED=1 cargo test -p casus-cli --test docs";

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn every_example_in_the_docs_works() {
    let repo = repo();
    let mut documents = vec![repo.join("README.md")];
    let mut in_docs: Vec<PathBuf> = std::fs::read_dir(repo.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    in_docs.sort();
    documents.extend(in_docs);

    let mut failures = Vec::new();
    let mut total = Counts::default();
    for path in &documents {
        let name = path
            .strip_prefix(&repo)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(path).unwrap();
        let report = check_markdown(&name, &text);
        if name == "README.md" {
            assert!(
                report.counts.scenarios >= 1 && report.counts.commands >= 1,
                "README.md should keep a checked scenario example and a command: {:?}",
                report.counts
            );
        }
        total.add(&report.counts);
        failures.extend(report.failures);
    }
    assert!(
        failures.is_empty(),
        "{} example(s) in the docs no longer work:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    // The extractor must find the examples; a change that made it skip them all would
    // otherwise pass silently.
    assert!(
        total.scenarios >= 10 && total.commands >= 10,
        "suspiciously few examples found: {total:?}"
    );
}

#[test]
fn the_cli_reference_is_generated_from_the_cli() {
    let generated = cli_reference();
    let path = repo().join("docs/cli.md");
    if std::env::var_os("UPDATE_GENERATED").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "docs/cli.md does not match `casus --help` (first difference at line {}):\n  \
             committed: {:?}\n  generated: {:?}\nregenerate it with `{REGENERATE}` and commit it",
            line + 1,
            committed.lines().nth(line).unwrap_or("<end of file>"),
            generated.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
}

/// The proof that the doc test bites: a scenario example that stops checking fails it.
#[test]
fn a_scenario_example_that_stops_checking_fails() {
    let markdown = "\
Intro.

```toml
[scenario]
title = \"Talks\"

[actors]
us = \"United States\"

[decisions.answer]
actor = \"us\"
optoins = [\"yes\", \"no\"]

[outcomes.done]
title = \"Done\"
```
";
    let report = check_markdown("broken.md", markdown);
    assert_eq!(report.failures.len(), 1, "{:#?}", report.failures);
    let failure = &report.failures[0];
    assert!(failure.starts_with("broken.md:3:"), "{failure}");
    assert!(failure.contains("E0101"), "{failure}");
    assert!(failure.contains("did you mean `options`?"), "{failure}");
}

/// A whole scenario must be in `casus fmt`'s layout; the failure shows the layout to use.
#[test]
fn a_scenario_example_out_of_fmt_layout_fails() {
    let markdown = "\
```toml
[scenario]
title   =   \"Talks\"

[actors]
us = \"United States\"

[decisions.answer]
actor = \"us\"
options = [\"yes\", \"no\"]
likelihood = { yes = 0.5, no = 0.5 }

[outcomes.done]
title = \"Done\"
when = \"answer == 'yes'\"

[outcomes.not_done]
title = \"Not done\"
```
";
    let report = check_markdown("messy.md", markdown);
    assert_eq!(report.failures.len(), 1, "{:#?}", report.failures);
    let failure = &report.failures[0];
    assert!(failure.contains("not in `casus fmt`'s layout"), "{failure}");
    assert!(failure.contains("\ntitle = \"Talks\"\n"), "{failure}");
    let clean = markdown.replace("title   =   ", "title = ");
    assert!(check_markdown("clean.md", &clean).failures.is_empty());
}

#[test]
fn a_fragment_that_stops_checking_fails() {
    let markdown = "\
<!-- file: talks.toml -->
```toml
[scenario]
title = \"Talks\"

[actors]
us = \"United States\"

[decisions.answer]
actor = \"us\"
options = [\"yes\", \"no\"]
likelihood = { yes = \"likely\", no = \"unlikely\" }

[outcomes.agreed]
title = \"Agreed\"
when = \"answer == 'yes'\"

[outcomes.done]
title = \"Done\"
```

<!-- fragment: add to talks.toml -->
```toml
[rules.r]
when = \"answer == 'maybe'\"
then = { nothing = true }
```

<!-- fragment: try in talks.toml; expect: E0203 -->
```toml
[outcomes.done]
title = \"Done\"
when = \"answer == 'perhaps'\"
```
";
    let report = check_markdown("fragment.md", markdown);
    assert_eq!(report.counts.scenarios, 3);
    assert_eq!(report.failures.len(), 1, "{:#?}", report.failures);
    assert!(report.failures[0].starts_with("fragment.md:23:"));
    assert!(
        report.failures[0].contains("`maybe`"),
        "{}",
        report.failures[0]
    );
}

#[test]
fn an_expected_mistake_must_be_the_one_reported() {
    let markdown = "\
<!-- expect: E0302 -->
```toml
[scenario]
title = \"Talks\"

[outcomes.done]
title = \"Done\"
```

<!-- expectation: E0302 -->
```toml
[scenario]
title = \"Talks\"
```
";
    let report = check_markdown("expect.md", markdown);
    assert_eq!(report.failures.len(), 2, "{:#?}", report.failures);
    assert!(
        report.failures[0].contains("expected E0302"),
        "{}",
        report.failures[0]
    );
    assert!(
        report.failures[1].contains("unknown mark `expectation`"),
        "{}",
        report.failures[1]
    );
}

#[test]
fn a_command_with_the_wrong_output_or_exit_status_fails() {
    let markdown = "\
```console
$ casus check scenarios/iran-snapback.toml
ok: 1 file checked, no findings
```

```console
$ casus check scenarios/iran-snapback.toml
ok: 2 files checked, no findings
```

```sh
casus check no-such-file.toml
```

<!-- exit: 2 -->
```console
$ casus check no-such-file.toml
error: cannot read `no-such-file.toml`: [..]
```

```sh
rm -rf /
```
";
    let report = check_markdown("commands.md", markdown);
    assert_eq!(report.counts.commands, 4);
    assert_eq!(report.failures.len(), 3, "{:#?}", report.failures);
    assert!(report.failures[0].starts_with("commands.md:6:"));
    assert!(report.failures[0].contains("2 files checked"));
    assert!(report.failures[1].starts_with("commands.md:11:"));
    assert!(report.failures[1].contains("exited with 2, expected 0"));
    assert!(report.failures[2].contains("`rm`"));
}

#[test]
fn splicing_replaces_tables_with_their_sub_tables_and_keeps_the_fragments_order() {
    let base = "\
[scenario]
title = \"T\"  # a comment

[decisions.a]
actor = \"us\"
[[decisions.a.likelihood_if]]
when = \"true\"

[outcomes.o]
title = \"O\"
";
    // `[decisions.a]` is replaced with its `likelihood_if`; `[decisions.first]` goes before
    // it and `[decisions.b]` after it, as in the fragment.
    let fragment = "\
[decisions.first]
actor = \"them\"

[decisions.a]
actor = \"them\"

[decisions.b]
actor = \"us\"
";
    assert_eq!(
        splice(base, fragment).unwrap(),
        "\
[scenario]
title = \"T\"  # a comment

[decisions.first]
actor = \"them\"

[decisions.a]
actor = \"them\"

[decisions.b]
actor = \"us\"

[outcomes.o]
title = \"O\"
"
    );
    // Tables the base does not have go at the end.
    assert_eq!(
        splice(base, "[rules.r]\nwhen = \"true\"\n").unwrap(),
        format!("{base}\n[rules.r]\nwhen = \"true\"\n")
    );
    assert!(splice(base, "title = \"no header\"\n").is_err());
}

#[test]
fn output_patterns_elide_lines_and_text() {
    let actual = "a\nb 1.5 %\nc\nd\n";
    assert!(output_matches("a\nb 1.5 %\nc\nd", actual));
    assert!(output_matches("a\n...\nd", actual));
    assert!(output_matches("...\nd\n\n", actual));
    assert!(output_matches("a\nb [..] %\n...", actual));
    assert!(output_matches("...", actual));
    assert!(!output_matches("a\nd", actual));
    assert!(!output_matches("a\nb 2[..]\n...", actual));
    assert!(!output_matches("", actual));
    assert!(output_matches("", "\n"));
}

#[test]
fn commands_are_split_like_a_shell_splits_them() {
    assert_eq!(
        shell_words("casus eval 'my file.toml' --given \"a=b c\"").unwrap(),
        ["casus", "eval", "my file.toml", "--given", "a=b c"]
    );
    assert!(shell_words("casus eval x.toml | head").is_err());
    assert!(shell_words("casus eval x.toml > out.txt").is_err());
    assert!(shell_words("casus eval 'x.toml").is_err());
}

// ---------------------------------------------------------------------------------------------
// Reading Markdown.

/// A fenced code block.
struct Block {
    /// 1-based line of the opening fence.
    line: usize,
    /// The first word of the info string (`toml`, `sh`, `console`, …).
    lang: String,
    /// The lines between the fences.
    body: String,
    /// The `key: value` marks of the HTML comment just before the block.
    marks: Vec<(String, String)>,
}

fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        let Some(fence) = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f)) else {
            i += 1;
            continue;
        };
        let ticks = trimmed
            .chars()
            .take_while(|c| fence.starts_with(*c))
            .count();
        let closing = &trimmed[..ticks];
        let lang = trimmed[ticks..]
            .split(|c: char| c.is_whitespace() || c == ',')
            .next()
            .unwrap_or("")
            .to_owned();
        // A block indented inside a list item: its lines lose the fence's indentation.
        let indent = lines[i].len() - trimmed.len();
        let start = i;
        let mut body = String::new();
        i += 1;
        while i < lines.len() && !lines[i].trim_start().starts_with(closing) {
            let line = lines[i];
            let strip = line
                .char_indices()
                .take_while(|(at, c)| *at < indent && c.is_whitespace())
                .count();
            body.push_str(&line[strip..]);
            body.push('\n');
            i += 1;
        }
        out.push(Block {
            line: start + 1,
            lang,
            body,
            marks: marks_before(&lines[..start]),
        });
        i += 1;
    }
    out
}

/// The marks of an HTML comment that ends on the last non-blank line of `before`.
fn marks_before(before: &[&str]) -> Vec<(String, String)> {
    let Some(end) = before.iter().rposition(|l| !l.trim().is_empty()) else {
        return Vec::new();
    };
    if !before[end].trim_end().ends_with("-->") {
        return Vec::new();
    }
    let Some(start) = before[..=end].iter().rposition(|l| l.contains("<!--")) else {
        return Vec::new();
    };
    let comment = before[start..=end].join(" ");
    let inner = comment
        .split_once("<!--")
        .map_or("", |(_, rest)| rest)
        .trim_end()
        .trim_end_matches("-->");
    inner
        .split(';')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| match m.split_once(':') {
            Some((k, v)) => (k.trim().to_owned(), v.trim().to_owned()),
            None => (m.to_owned(), String::new()),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Checking one document.

#[derive(Debug, Default)]
struct Counts {
    /// Scenario examples checked (complete or spliced).
    scenarios: usize,
    /// Commands run.
    commands: usize,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.scenarios += other.scenarios;
        self.commands += other.commands;
    }
}

struct Report {
    counts: Counts,
    /// One entry per broken example: `document:line: what is wrong`.
    failures: Vec<String>,
}

/// Checks every example of one Markdown document, in order, in a fresh scratch folder.
fn check_markdown(name: &str, text: &str) -> Report {
    let scratch = Scratch::new();
    let mut report = Report {
        counts: Counts::default(),
        failures: Vec::new(),
    };
    for block in blocks(text) {
        let at = format!("{name}:{}", block.line);
        let result = match block.lang.as_str() {
            "toml" => {
                report.counts.scenarios += 1;
                check_toml(&block, &scratch.dir)
            }
            "sh" | "shell" | "bash" | "console" => {
                run_commands(&block, &scratch.dir, &mut report.counts)
            }
            _ => Ok(()),
        };
        if let Err(why) = result {
            report.failures.push(format!("{at}: {why}"));
        }
    }
    report
}

/// The marks a block may carry, read and validated.
#[derive(Default)]
struct Marks {
    file: Option<String>,
    fragment: Option<(bool, String)>,
    expect: Vec<String>,
    exit: i32,
    in_repo: bool,
}

fn read_marks(block: &Block) -> Result<Marks, String> {
    let mut marks = Marks::default();
    for (key, value) in &block.marks {
        match key.as_str() {
            "file" if !value.is_empty() => marks.file = Some(value.clone()),
            "fragment" => {
                let parsed = if let Some(name) = value.strip_prefix("add to ") {
                    (true, name.trim().to_owned())
                } else if let Some(name) = value.strip_prefix("try in ") {
                    (false, name.trim().to_owned())
                } else {
                    return Err(format!(
                        "`fragment: {value}` should say how to complete it: \
                         `fragment: add to FILE` or `fragment: try in FILE`"
                    ));
                };
                marks.fragment = Some(parsed);
            }
            "expect" => {
                marks.expect = value
                    .split(',')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty())
                    .collect();
                if let Some(bad) = marks.expect.iter().find(|c| Code::parse(c).is_none()) {
                    return Err(format!("`expect: {bad}` is not a diagnostic code"));
                }
            }
            "exit" => {
                marks.exit = value
                    .parse()
                    .map_err(|_| format!("`exit: {value}` should be a number"))?;
            }
            "cwd" if value == "repo" => marks.in_repo = true,
            _ => {
                return Err(format!(
                    "unknown mark `{key}` in the comment before the block \
                     (see crates/casus-cli/tests/docs.rs for the marks)"
                ));
            }
        }
    }
    if marks.file.is_some() && marks.fragment.is_some() {
        return Err("a block is either `file:` or `fragment:`, not both".to_owned());
    }
    Ok(marks)
}

/// Checks a ```toml block as its marks say.
fn check_toml(block: &Block, scratch: &Path) -> Result<(), String> {
    let marks = read_marks(block)?;
    let (name, text, save) = match (&marks.file, &marks.fragment) {
        (Some(file), _) => (file.clone(), block.body.clone(), true),
        (None, Some((save, file))) => {
            let base = std::fs::read_to_string(scratch.join(file)).map_err(|_| {
                format!("the fragment goes into `{file}`, which no earlier block wrote")
            })?;
            (file.clone(), splice(&base, &block.body)?, *save)
        }
        (None, None) => ("example.toml".to_owned(), block.body.clone(), false),
    };
    let complete = marks.file.is_none() && marks.fragment.is_none();
    // A `try in` fragment shows one feature against a file written for another purpose; lints
    // about the rest of that file (a fact nothing reads yet) say nothing about the example.
    let errors_only = matches!(marks.fragment, Some((false, _)));
    check_scenario(&name, &text, &marks.expect, errors_only).map_err(|why| {
        if complete && marks.expect.is_empty() {
            format!(
                "{why}\nif this block is only part of a scenario, mark it so the test can \
                 complete it, such as `<!-- fragment: try in scenarios/iran-snapback.toml -->` \
                 (the marks are described at the top of crates/casus-cli/tests/docs.rs)"
            )
        } else {
            why
        }
    })?;
    // A whole scenario is what a reader copies into a file: it must be in the layout
    // `casus fmt` writes, or the reader's first `casus fmt --check` in CI fails.
    if marks.fragment.is_none() && marks.expect.is_empty() {
        fmt_clean(&name, &block.body, scratch)?;
    }
    if save {
        std::fs::write(scratch.join(&name), &text).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Whether `casus fmt --check` leaves `text` as it is; if not, says what `casus fmt` writes.
fn fmt_clean(name: &str, text: &str, scratch: &Path) -> Result<(), String> {
    let dir = scratch.join(".fmt-check");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join(Path::new(name).file_name().unwrap_or_default());
    std::fs::write(&file, text).map_err(|e| e.to_string())?;
    let check = Command::new(env!("CARGO_BIN_EXE_casus"))
        .args(["fmt", "--check"])
        .arg(&file)
        .output()
        .map_err(|e| e.to_string())?;
    if check.status.code() == Some(0) {
        return Ok(());
    }
    let written = Command::new(env!("CARGO_BIN_EXE_casus"))
        .arg("fmt")
        .arg(&file)
        .output()
        .map_err(|e| e.to_string())?;
    let formatted = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    Err(format!(
        "this scenario is not in `casus fmt`'s layout ({}); `casus fmt` writes:\n{formatted}",
        String::from_utf8_lossy(&written.stderr).trim()
    ))
}

/// What `casus check` and `casus test` would say: no unexpected error or warning, every
/// expected code, and passing tests.
fn check_scenario(
    name: &str,
    text: &str,
    expect: &[String],
    errors_only: bool,
) -> Result<(), String> {
    let source = SourceFile::new(name, text);
    let checked = casus_rules::check_source(&source, &Limits::default(), &EvalLimits::default());
    let expected: Vec<Code> = expect.iter().filter_map(|c| Code::parse(c)).collect();
    let unexpected: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| {
            let floor = if errors_only {
                Severity::Error
            } else {
                Severity::Warning
            };
            d.severity >= floor && !expected.contains(&d.code)
        })
        .cloned()
        .collect();
    let missing: Vec<&str> = expected
        .iter()
        .filter(|c| !checked.diagnostics.iter().any(|d| d.code == **c))
        .map(|c| c.as_str())
        .collect();
    if !unexpected.is_empty() || !missing.is_empty() {
        let mut why = String::new();
        if !missing.is_empty() {
            let _ = write!(why, "expected {} to be reported; ", missing.join(", "));
        }
        let _ = write!(
            why,
            "`casus check {name}` says:\n{}",
            casus_report::diagnostics::render_human(&source, &checked.diagnostics, false)
        );
        return Err(why);
    }
    if let (Some(scenario), false) = (&checked.scenario, checked.has_errors()) {
        let results = casus_rules::workflow::testing::run_tests(scenario, &EvalLimits::default());
        let failed: Vec<&str> = results
            .iter()
            .filter(|r| !r.passed())
            .map(|r| scenario.tests[r.index].id.name.as_str())
            .collect();
        if !failed.is_empty() {
            return Err(format!("`casus test {name}` fails {}", failed.join(", ")));
        }
    }
    Ok(())
}

/// Puts the tables of `fragment` into `base`: each replaces the table of the same name (with
/// its sub-tables); a new table goes just before the next table of the fragment that the base
/// has, or after the last one it has, or else at the end, so the fragment's order is kept
/// (decisions happen in file order).
fn splice(base: &str, fragment: &str) -> Result<String, String> {
    let (preamble, tables) = sections(fragment);
    if preamble.iter().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    }) {
        return Err("a fragment's keys must sit under a table header such as `[facts]`".to_owned());
    }
    let (mut out, mut existing) = sections(base);
    let mut pending: Vec<(String, Vec<String>)> = Vec::new();
    let mut cursor = None;
    for (name, lines) in tables {
        match existing.iter().position(|(n, _)| *n == name) {
            Some(at) => {
                existing[at].1 = trim_blank_tail(lines, true);
                let count = pending.len();
                for (offset, (n, l)) in pending.drain(..).enumerate() {
                    existing.insert(at + offset, (n, trim_blank_tail(l, true)));
                }
                cursor = Some(at + count + 1);
            }
            None => pending.push((name, lines)),
        }
    }
    if let Some(at) = cursor {
        for (offset, (n, l)) in pending.drain(..).enumerate() {
            existing.insert(at + offset, (n, trim_blank_tail(l, true)));
        }
    }
    for (_, lines) in existing {
        out.extend(lines);
    }
    for (_, lines) in pending {
        if out.last().is_some_and(|l| !l.trim().is_empty()) {
            out.push(String::new());
        }
        out.extend(lines);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    let mut text = out.join("\n");
    text.push('\n');
    Ok(text)
}

/// Keeps one blank line after a replaced table (`keep_one`) or none at the end of the file.
fn trim_blank_tail(mut lines: Vec<String>, keep_one: bool) -> Vec<String> {
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    if keep_one {
        lines.push(String::new());
    }
    lines
}

/// The lines before the first header, then each top table with its sub-tables (a header whose
/// name extends the table's, such as `[[decisions.x.likelihood_if]]` after `[decisions.x]`).
fn sections(text: &str) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let mut preamble = Vec::new();
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_multiline: Option<&str> = None;
    for line in text.lines() {
        let header = if in_multiline.is_none() {
            header_name(line)
        } else {
            None
        };
        for quotes in ["\"\"\"", "'''"] {
            if line.matches(quotes).count() % 2 == 1 {
                in_multiline = match in_multiline {
                    Some(q) if q == quotes => None,
                    None => Some(quotes),
                    other => other,
                };
            }
        }
        match header {
            Some(name) => {
                let belongs = tables
                    .last()
                    .is_some_and(|(top, _)| name.starts_with(&format!("{top}.")));
                if belongs {
                    if let Some((_, lines)) = tables.last_mut() {
                        lines.push(line.to_owned());
                    }
                } else {
                    tables.push((name, vec![line.to_owned()]));
                }
            }
            None => match tables.last_mut() {
                Some((_, lines)) => lines.push(line.to_owned()),
                None => preamble.push(line.to_owned()),
            },
        }
    }
    (preamble, tables)
}

/// `decisions.x` for a line `[decisions.x]` or `[[decisions.x]]` (a comment may follow).
fn header_name(line: &str) -> Option<String> {
    let line = line.trim();
    let line = line.split_once('#').map_or(line, |(head, _)| head).trim();
    let inner = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]"));
    let inner = inner.or_else(|| line.strip_prefix('[').and_then(|l| l.strip_suffix(']')))?;
    Some(
        inner
            .split('.')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("."),
    )
}

// ---------------------------------------------------------------------------------------------
// Running commands.

/// What a documented command line does here.
enum Step {
    /// `casus ARGS`, run with the built binary.
    Casus(Vec<String>),
    /// `cp FROM TO`, inside the scratch folder.
    Copy(String, String),
    /// Shown to readers, not run here (`cargo install`, `git clone`, `cd`).
    Shown,
}

fn classify(words: &[String]) -> Result<Step, String> {
    let Some((program, args)) = words.split_first() else {
        return Ok(Step::Shown);
    };
    match program.as_str() {
        "casus" => Ok(Step::Casus(args.to_vec())),
        "cargo" => {
            let Some(dashes) = args.iter().position(|a| a == "--") else {
                return Ok(Step::Shown);
            };
            let (before, after) = (&args[..dashes], &args[dashes + 1..]);
            let runs_casus = before.first().is_some_and(|a| a == "run")
                && before.windows(2).any(|w| {
                    (w[0] == "-p" || w[0] == "--package") && w[1] == "casus-cli"
                        || w[0] == "--bin" && w[1] == "casus"
                });
            Ok(if runs_casus {
                Step::Casus(after.to_vec())
            } else {
                Step::Shown
            })
        }
        "cp" => match args {
            [from, to] => Ok(Step::Copy(from.clone(), to.clone())),
            _ => Err("`cp` in an example takes exactly two files".to_owned()),
        },
        "git" | "cd" => Ok(Step::Shown),
        other => Err(format!(
            "the example runs `{other}`; examples may run `casus`, `cp`, and (shown only) \
             `cargo`, `git` and `cd`"
        )),
    }
}

/// Runs the commands of a shell or console block.
fn run_commands(block: &Block, scratch: &Path, counts: &mut Counts) -> Result<(), String> {
    let marks = read_marks(block)?;
    let dir = if marks.in_repo {
        repo()
    } else {
        scratch.to_path_buf()
    };
    for (line, expected) in command_lines(block) {
        let words = shell_words(&line).map_err(|why| format!("`{line}`: {why}"))?;
        match classify(&words).map_err(|why| format!("`{line}`: {why}"))? {
            Step::Shown => {}
            Step::Copy(from, to) if !marks.in_repo => {
                std::fs::copy(dir.join(&from), dir.join(&to))
                    .map_err(|e| format!("`{line}`: {e}"))?;
            }
            Step::Copy(..) => return Err(format!("`{line}`: no copying in the repository")),
            Step::Casus(args) => {
                counts.commands += 1;
                let output = Command::new(env!("CARGO_BIN_EXE_casus"))
                    .args(&args)
                    .current_dir(&dir)
                    .env("NO_COLOR", "1")
                    .env_remove("COLUMNS")
                    .output()
                    .map_err(|e| format!("`{line}`: cannot run casus: {e}"))?;
                let mut shown = String::from_utf8_lossy(&output.stdout).into_owned();
                shown.push_str(&String::from_utf8_lossy(&output.stderr));
                let status = output.status.code().unwrap_or(-1);
                if status != marks.exit {
                    return Err(format!(
                        "`{line}` exited with {status}, expected {}; it printed:\n{shown}",
                        marks.exit
                    ));
                }
                if let Some(expected) = expected
                    && !output_matches(&expected, &shown)
                {
                    return Err(format!(
                        "`{line}` printed something else.\n--- the docs show:\n{expected}\n\
                         --- casus printed:\n{shown}"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The command lines of a block, each with its expected output in a `console` block.
fn command_lines(block: &Block) -> Vec<(String, Option<String>)> {
    let console = block.lang == "console";
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut pending = String::new();
    for line in block.body.lines() {
        if console {
            if let Some(command) = line.strip_prefix("$ ") {
                out.push((command.trim().to_owned(), Some(String::new())));
            } else if let Some((_, Some(expected))) = out.last_mut() {
                expected.push_str(line);
                expected.push('\n');
            }
            continue;
        }
        let line = line.trim();
        let line = line.strip_prefix("$ ").unwrap_or(line);
        if pending.is_empty() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => {
                pending.push_str(head);
                pending.push(' ');
            }
            None => {
                pending.push_str(line);
                out.push((std::mem::take(&mut pending), None));
            }
        }
    }
    out
}

/// Splits a command line into words as a POSIX shell would, for plain commands; pipes,
/// redirections and substitutions are refused, so every example is one command to check.
fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '#' if word.is_none() => break,
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("unclosed `'`".to_owned()),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => w.push(c),
                            Some(c) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => return Err("unclosed `\"`".to_owned()),
                        },
                        Some('$' | '`') => {
                            return Err("substitutions are not allowed in examples".to_owned());
                        }
                        Some(c) => w.push(c),
                        None => return Err("unclosed `\"`".to_owned()),
                    }
                }
            }
            '\\' => {
                if let Some(c) = chars.next() {
                    word.get_or_insert_with(String::new).push(c);
                }
            }
            '|' | '>' | '<' | ';' | '&' | '$' | '`' | '(' | ')' => {
                return Err(format!(
                    "`{c}`: examples are single commands, without pipes, redirections or \
                     substitutions"
                ));
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(w) = word {
        words.push(w);
    }
    Ok(words)
}

/// Whether `actual` is what `expected` shows: `...` lines stand for any lines, `[..]` for any
/// text within a line; trailing spaces and blank lines do not count.
fn output_matches(expected: &str, actual: &str) -> bool {
    fn lines(text: &str) -> Vec<&str> {
        let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        lines
    }
    fn from(pattern: &[&str], actual: &[&str]) -> bool {
        match pattern.split_first() {
            None => actual.is_empty(),
            Some((&"...", rest)) => (0..=actual.len()).any(|skip| from(rest, &actual[skip..])),
            Some((first, rest)) => actual
                .split_first()
                .is_some_and(|(line, tail)| line_matches(first, line) && from(rest, tail)),
        }
    }
    from(&lines(expected), &lines(actual))
}

fn line_matches(pattern: &str, line: &str) -> bool {
    let parts: Vec<&str> = pattern.split("[..]").collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == line;
    };
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

// ---------------------------------------------------------------------------------------------
// The scratch folder.

/// A folder a document's examples may write in, with copies of `scenarios/` and
/// `tests/fixtures/`; removed when dropped.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "casus-docs-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let repo = repo();
        copy_tree(&repo.join("scenarios"), &dir.join("scenarios"));
        copy_tree(&repo.join("tests/fixtures"), &dir.join("tests/fixtures"));
        Scratch { dir }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else if kind.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// docs/cli.md.

/// What `casus … --help` prints, as it appears on the terminal.
fn help(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_casus"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    assert!(output.status.success(), "casus {args:?} failed");
    String::from_utf8(output.stdout).unwrap()
}

/// The subcommands `casus --help` lists, without `help`.
fn subcommands(top: &str) -> Vec<String> {
    top.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// The text of `docs/cli.md`.
fn cli_reference() -> String {
    let top = help(&["--help"]);
    let commands = subcommands(&top);
    let mut out = String::new();
    out.push_str("# Command-line reference\n\n");
    let _ = writeln!(
        out,
        "<!-- Generated from the clap definitions in crates/casus-cli by\n     \
         crates/casus-cli/tests/docs.rs; do not edit by hand. Regenerate with\n     \
         {REGENERATE} -->\n"
    );
    out.push_str(
        "What `casus --help` and `casus COMMAND --help` print (`-h` prints a summary without the \
         limits).\nEvery command exits with a status CI can rely on:\n\n\
         | status | meaning |\n\
         |---|---|\n\
         | 0 | all is well |\n\
         | 1 | findings: errors in a scenario (or warnings, under `--deny warnings`), failed or \
         vacuous tests, stale, missing or orphaned reports (`report --check`), files `fmt \
         --check` would change, a change past a `diff --fail-on` rule |\n\
         | 2 | usage or I/O error: a bad argument, a file that cannot be read, a folder with no \
         scenario file (unless `--allow-empty`), not a git repository, an unknown revision |\n\n",
    );
    for name in &commands {
        let summary = top
            .lines()
            .find_map(|l| {
                let l = l.trim_start();
                l.strip_prefix(name.as_str())
                    .filter(|rest| rest.starts_with(' '))
            })
            .map_or("", str::trim);
        let _ = writeln!(out, "- [`casus {name}`](#casus-{name}): {summary}");
    }
    let _ = writeln!(out, "\n## `casus`\n\n```text\n{}```", top);
    for name in &commands {
        let text = help(&[name.as_str(), "--help"]);
        let _ = writeln!(out, "\n## `casus {name}`\n\n```text\n{text}```");
    }
    out
}

/// The tutorial tells a reader what to do with each block that changes `truce.toml`: the
/// paragraph before it says to create the file, replace a table or the whole file, or add.
#[test]
fn each_tutorial_step_says_what_to_do_with_its_block() {
    let text = std::fs::read_to_string(repo().join("docs/tutorial.md")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut checked = 0;
    for block in blocks(&text) {
        let saves = block
            .marks
            .iter()
            .any(|(k, v)| k == "file" || (k == "fragment" && v.starts_with("add to")));
        if block.lang != "toml" || !saves {
            continue;
        }
        // The prose between the previous blank-line-separated paragraph and the block.
        let before: String = lines[..block.line - 1]
            .iter()
            .rev()
            .skip_while(|l| l.trim().is_empty() || l.trim_start().starts_with("<!--"))
            .take_while(|l| !l.trim().is_empty())
            .map(|l| l.to_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            ["create", "replace", "add"]
                .iter()
                .any(|w| before.contains(w)),
            "docs/tutorial.md:{}: say whether to create, replace or add: {before:?}",
            block.line
        );
        checked += 1;
    }
    assert!(checked >= 6, "{checked}");
}

/// `casus new` writes what `casus fmt` would: a team that runs `casus fmt --check` in CI can
/// start from the starter without a formatting commit.
#[test]
fn the_starter_of_casus_new_is_in_fmt_layout() {
    let scratch = Scratch::new();
    let new = Command::new(env!("CARGO_BIN_EXE_casus"))
        .args(["new", "starter", "--dir"])
        .arg(&scratch.dir)
        .output()
        .unwrap();
    assert_eq!(new.status.code(), Some(0), "{new:?}");
    let check = Command::new(env!("CARGO_BIN_EXE_casus"))
        .args(["fmt", "--check"])
        .arg(scratch.dir.join("starter.toml"))
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

/// Nothing in the repository cites the first design document, which lives outside it: the
/// docs and the code must stand on their own.
#[test]
fn nothing_refers_to_documents_outside_the_repository() {
    fn walk(dir: &Path, found: &mut Vec<String>, needle: &str) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.')
                || ["target", "corpus", "artifacts", "node_modules"].contains(&name.as_str())
            {
                continue;
            }
            if path.is_dir() {
                walk(&path, found, needle);
            } else if let Ok(text) = std::fs::read_to_string(&path)
                && text.contains(needle)
            {
                found.push(path.display().to_string());
            }
        }
    }
    let needle = ["DESIGN", ".md"].concat();
    let mut found = Vec::new();
    walk(&repo(), &mut found, &needle);
    assert!(found.is_empty(), "{needle} is cited in {found:?}");
}
