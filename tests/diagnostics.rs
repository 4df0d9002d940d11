//! Diagnostics suite: every fixture under `tests/fixtures` is checked and its rendering
//! snapshotted, hostile inputs generated here must end in a diagnostic rather than a crash,
//! and `docs/diagnostics.md` must match what `Code::ALL` documents.
//!
//! Each file in `fixtures/invalid/` holds one distinct mistake in an otherwise small, valid
//! scenario; its snapshot is what an analyst sees in a terminal, so reviewing a snapshot means
//! asking: does the underline sit on the mistake, does the message say what is wrong in plain
//! words, and does the help say how to fix it? Two fixtures break that rule on purpose:
//! `several-independent-mistakes` and `toml-two-independent-errors` prove that one run reports
//! every independent mistake of a file. Files in `fixtures/valid/` must check clean and pass
//! their own `[tests.*]`.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions unwrap fixture reads and thread joins that must succeed, and name the fixture when checking it panics"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use casus_core::expr::ExprLimits;
use casus_core::limits::Limits;
use casus_core::{Code, Diagnostic, Severity, SourceFile};
use casus_report::diagnostics::{render_github, render_human, render_json, render_sarif};
use casus_rules::workflow::testing::run_tests;
use casus_rules::{EvalLimits, check_source};

/// What `casus check` does with one file's bytes: decode, then load, check, compile and
/// evaluate. A file that is not UTF-8 stops at the decoding diagnostic, as in the CLI.
fn check_bytes(name: &str, bytes: &[u8]) -> (SourceFile, Vec<Diagnostic>) {
    check_bytes_with(name, bytes, &Limits::default())
}

fn check_bytes_with(name: &str, bytes: &[u8], limits: &Limits) -> (SourceFile, Vec<Diagnostic>) {
    let (file, decode_error) = SourceFile::from_bytes(name, bytes);
    if let Some(diagnostic) = decode_error {
        return (file, vec![diagnostic]);
    }
    let checked = check_source(&file, limits, &EvalLimits::default());
    (file, checked.diagnostics)
}

/// The fixture's path as the CLI would print it when run from the repository root.
fn display_name(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Checks a fixture file; a panic is turned into a failure that names the fixture, which a
/// panic deep in the engine would not.
fn check_fixture(path: &Path) -> (SourceFile, Vec<Diagnostic>) {
    let bytes = std::fs::read(path).unwrap();
    let name = display_name(path);
    std::panic::catch_unwind(|| check_bytes(&name, &bytes))
        .unwrap_or_else(|_| panic!("checking {name} panicked instead of reporting"))
}

fn fixture(relative: &str) -> (SourceFile, Vec<Diagnostic>) {
    check_fixture(&Path::new(env!("CARGO_MANIFEST_DIR")).join(relative))
}

fn pairs<'a>(
    file: &'a SourceFile,
    diagnostics: &'a [Diagnostic],
) -> Vec<(&'a SourceFile, &'a [Diagnostic])> {
    vec![(file, diagnostics)]
}

/// Codes reported about a whole file, where there is nothing to underline.
const FILE_LEVEL: &[Code] = &[Code::NotUtf8, Code::MissingScenario, Code::LimitExceeded];

/// The house style of messages (STYLE.md): lowercase, no trailing period, a help with the fix,
/// and a place in the file to point at.
fn assert_house_style(name: &str, diagnostic: &Diagnostic) {
    let message = &diagnostic.message;
    let first = message.chars().next().unwrap_or(' ');
    assert!(
        !first.is_uppercase(),
        "{name}: message starts with a capital: {message}"
    );
    assert!(
        !message.ends_with('.'),
        "{name}: message ends with a period: {message}"
    );
    assert!(
        !message.contains('\n'),
        "{name}: multi-line message: {message}"
    );
    if diagnostic.severity == Severity::Error {
        assert!(
            diagnostic
                .help
                .as_deref()
                .is_some_and(|h| !h.trim().is_empty()),
            "{name}: error without a help: {message}"
        );
    }
    if !FILE_LEVEL.contains(&diagnostic.code) {
        assert!(
            diagnostic.primary_span().is_some(),
            "{name}: nothing underlined for: {message}"
        );
    }
    for text in std::iter::once(message).chain(diagnostic.help.as_ref()) {
        assert_eq!(
            text.matches('`').count() % 2,
            0,
            "{name}: unbalanced backticks in: {text}"
        );
    }
}

#[test]
fn invalid_fixtures_report_errors_at_the_mistake() {
    insta::glob!("fixtures/invalid/*.toml", |path| {
        let (file, diagnostics) = check_fixture(path);
        let name = file.name().to_owned();
        assert!(
            diagnostics.iter().any(Diagnostic::is_error),
            "{name} yields no error"
        );
        for diagnostic in &diagnostics {
            assert_house_style(&name, diagnostic);
        }
        insta::assert_snapshot!(render_human(&file, &diagnostics, false));
    });
}

#[test]
fn valid_fixtures_check_clean() {
    insta::glob!("fixtures/valid/*.toml", |path| {
        let bytes = std::fs::read(path).unwrap();
        let name = display_name(path);
        let (file, decode_error) = SourceFile::from_bytes(&name, &bytes);
        assert!(decode_error.is_none(), "{name} is not UTF-8");
        let checked = check_source(&file, &Limits::default(), &EvalLimits::default());
        let findings: Vec<&Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Note)
            .filter(|d| !is_known_design_example_warning(&name, d))
            .collect();
        assert!(
            findings.is_empty(),
            "{name} should check clean:\n{}",
            render_human(&file, &checked.diagnostics, false)
        );
        let evaluation = checked.evaluation.as_ref();
        assert!(evaluation.is_some(), "{name} was not evaluated");
        // The fixtures' own tests are the hand-checked expectations of what they mean.
        let scenario = checked.scenario.as_ref().unwrap();
        assert!(!scenario.tests.is_empty(), "{name} has no tests");
        for result in run_tests(scenario, &EvalLimits::default()) {
            assert!(
                result.passed(),
                "{name}: test `{}` fails",
                scenario.tests[result.index].id.name
            );
        }
        for diagnostic in &checked.diagnostics {
            assert_house_style(&name, diagnostic);
        }
    });
}

/// `design-example.toml` is the first design's example kept verbatim. It sets `pressure` with `add`
/// but no condition reads it, which the unused-fact lint rightly warns about; that one warning
/// is expected, any other fails the test.
fn is_known_design_example_warning(name: &str, diagnostic: &Diagnostic) -> bool {
    name.ends_with("/design-example.toml")
        && diagnostic.code.as_str() == "W0101"
        && diagnostic.message == "fact `pressure` is never read"
}

#[test]
fn there_are_enough_fixtures() {
    let count = |dir: &str| {
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "toml")
            })
            .count()
    };
    assert!(count("tests/fixtures/invalid") >= 45);
    assert!(count("tests/fixtures/valid") >= 10);
}

/// Runs `f` on a thread with a 1 MiB stack, half the default test thread's: inputs nested
/// 20,000 deep must be stopped by depth limits, not saved by a generous stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// A small valid scenario whose outcome `deal` has `when = "<condition>"`.
fn scenario_with_condition(condition: &str) -> String {
    format!(
        "[scenario]\ntitle = \"Deep\"\n\n[actors]\nus = \"US\"\n\n[decisions.offer]\nactor = \"us\"\n\
         options = [\"none\", \"relief\"]\nlikelihood = {{ none = 0.5, relief = 0.5 }}\n\n\
         [outcomes.deal]\nwhen = \"{condition}\"\npayoff = {{ us = 1 }}\n\n\
         [outcomes.no_deal]\npayoff = {{ us = 0 }}\n"
    )
}

fn codes_of(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.code.as_str()).collect()
}

/// Checks `condition` twice on a small stack: with the default limits (the length limit
/// stops a 20,000-deep expression first) and with no length limit, so the depth limit must.
fn deep_condition(condition: String) -> [Vec<Diagnostic>; 2] {
    let text = scenario_with_condition(&condition);
    on_small_stack(move || {
        let unlimited_length = Limits {
            max_file_bytes: usize::MAX,
            expr: ExprLimits {
                max_len: usize::MAX,
                ..ExprLimits::default()
            },
            ..Limits::default()
        };
        [
            check_bytes("deep.toml", text.as_bytes()).1,
            check_bytes_with("deep.toml", text.as_bytes(), &unlimited_length).1,
        ]
    })
}

fn assert_too_long_then_too_deep([by_default, without_length_limit]: &[Vec<Diagnostic>; 2]) {
    assert_eq!(codes_of(by_default), ["E0003"]);
    assert!(
        by_default[0].message.contains("bytes long"),
        "{}",
        by_default[0].message
    );
    assert_eq!(codes_of(without_length_limit), ["E0003"]);
    let message = &without_length_limit[0].message;
    assert!(
        message.contains("nested deeper than 64 levels"),
        "{message}"
    );
}

#[test]
fn expression_nested_20000_deep_in_parentheses_is_a_limit_error() {
    let condition = format!(
        "{}offer == 'relief'{}",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    assert_too_long_then_too_deep(&deep_condition(condition));
}

#[test]
fn expression_with_20000_nots_is_a_limit_error() {
    let condition = format!("{}offer == 'relief'", "not ".repeat(20_000));
    assert_too_long_then_too_deep(&deep_condition(condition));
}

#[test]
fn expression_with_20000_minus_signs_is_a_limit_error() {
    let condition = format!("{}1 > 0", "-".repeat(20_000));
    assert_too_long_then_too_deep(&deep_condition(condition));
}

#[test]
fn expression_with_a_20000_long_operator_chain_is_a_limit_error() {
    let condition = vec!["offer == 'relief'"; 20_000].join(" and ");
    assert_too_long_then_too_deep(&deep_condition(condition));
}

#[test]
fn toml_nested_20000_deep_ends_in_a_diagnostic() {
    let arrays = format!(
        "[scenario]\ntitle = \"x\"\ntags = {}{}\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let tables = format!(
        "[scenario]\ntitle = \"x\"\n\n[facts]\nf = {}{}\n",
        "{ a = ".repeat(20_000),
        "}".repeat(20_000)
    );
    let dotted = format!(
        "[scenario]\ntitle = \"x\"\n\n[facts.{}]\n",
        vec!["a"; 20_000].join(".")
    );
    let unclosed = format!("[scenario]\ntitle = \"x\"\ntags = {}\n", "[".repeat(20_000));
    for (name, text) in [
        ("arrays.toml", arrays),
        ("tables.toml", tables),
        ("dotted.toml", dotted),
        ("unclosed.toml", unclosed),
    ] {
        let diagnostics = on_small_stack(move || check_bytes(name, text.as_bytes()).1);
        eprintln!(
            "{name}: {:?}",
            diagnostics
                .iter()
                .map(|d| (&d.code, &d.message))
                .collect::<Vec<_>>()
        );
        assert!(
            diagnostics.iter().any(Diagnostic::is_error),
            "{name}: {:?}",
            codes_of(&diagnostics)
        );
    }
}

#[test]
fn a_file_over_the_size_limit_is_a_limit_error() {
    let text = scenario_with_condition("offer == 'relief'");
    let limits = Limits {
        max_file_bytes: 100,
        ..Limits::default()
    };
    let (file, diagnostics) = check_bytes_with("big.toml", text.as_bytes(), &limits);
    assert_eq!(codes_of(&diagnostics), ["E0003"]);
    insta::assert_snapshot!(render_human(&file, &diagnostics, false));
}

#[test]
fn bytes_that_are_not_utf8_are_reported_where_they_start() {
    let bytes = b"[scenario]\ntitle = \"Caf\xe9 talks\"\n";
    let (file, diagnostics) = check_bytes("latin1.toml", bytes);
    assert_eq!(codes_of(&diagnostics), ["E0002"]);
    insta::assert_snapshot!(render_human(&file, &diagnostics, false));
}

/// A 10 MB scenario: a valid head followed by thousands of facts. Checking must finish with
/// a result (no findings), not run out of time or memory.
#[test]
fn a_10_mb_file_checks() {
    let mut text = scenario_with_condition("offer == 'relief'");
    text.push_str("\n[facts]\n");
    let mut i = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&format!(
            "fact_{i:07} = {{ value = {i}, doc = \"padding to make the file large\" }}\n"
        ));
        i += 1;
    }
    let started = Instant::now();
    let (_, diagnostics) = check_bytes("large.toml", text.as_bytes());
    let findings: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Note)
        .collect();
    assert!(findings.is_empty(), "{findings:?}");
    eprintln!(
        "10 MB file with {i} facts checked in {:?}",
        started.elapsed()
    );
}

/// Fixtures whose machine-readable renderings are snapshotted: an expression error behind
/// TOML escapes, a path-dependent error with a note, a file-level error and CRLF line endings.
const FORMAT_FIXTURES: &[&str] = &[
    "escape-heavy-string",
    "rule-conflict",
    "no-scenario-table",
    "crlf-line-endings",
];

#[test]
fn json_rendering_of_selected_fixtures() {
    for name in FORMAT_FIXTURES {
        let (file, diagnostics) = fixture(&format!("tests/fixtures/invalid/{name}.toml"));
        insta::assert_snapshot!(
            format!("json-{name}"),
            render_json(&pairs(&file, &diagnostics))
        );
    }
}

#[test]
fn github_rendering_of_selected_fixtures() {
    for name in FORMAT_FIXTURES {
        let (file, diagnostics) = fixture(&format!("tests/fixtures/invalid/{name}.toml"));
        insta::assert_snapshot!(
            format!("github-{name}"),
            render_github(&pairs(&file, &diagnostics))
        );
    }
}

#[test]
fn sarif_rendering_of_one_fixture() {
    let (file, diagnostics) = fixture("tests/fixtures/invalid/escape-heavy-string.toml");
    insta::assert_snapshot!(render_sarif(&pairs(&file, &diagnostics)));
}

/// A small deterministic generator (xorshift64*), so a failing mutation can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Text that tends to break parsers: brackets, quotes, escapes, operators, odd numbers, line
/// endings and characters outside ASCII.
const SNIPPETS: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "\\",
    "\\u00e9",
    "\\\"",
    "=",
    "==",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "(",
    ")",
    "not ",
    " and ",
    " or ",
    " in [",
    "#",
    ",",
    ".",
    "é",
    "🕊",
    "\u{202e}",
    "\0",
    "0",
    "-1e308",
    "1e999",
    "nan",
    "inf",
    "9999999999999999999999",
    "-",
    "*",
    "/",
    "'x'",
    "true",
    "[scenario]\n",
    "[decisions.d]\n",
    "actor = \"nature\"\n",
    "when = \"",
    "likelihood = { a = \"likely\" }\n",
    "options = [\"a\"]\n",
    "x.y.z = 1\n",
];

/// One random edit of `text`, at character boundaries so most results are still UTF-8.
fn mutate(rng: &mut Rng, text: &mut Vec<u8>) {
    let boundary = |rng: &mut Rng, text: &[u8]| {
        let mut at = rng.below(text.len() + 1);
        while at < text.len() && (text[at] & 0b1100_0000) == 0b1000_0000 {
            at += 1;
        }
        at
    };
    match rng.below(10) {
        0 => {
            // A raw byte, possibly not UTF-8.
            if !text.is_empty() {
                let at = rng.below(text.len());
                text[at] = (rng.next() & 0xFF) as u8;
            }
        }
        1 | 2 => {
            let start = boundary(rng, text);
            let end = (start + 1 + rng.below(40)).min(text.len());
            let end = boundary_at_or_after(text, end);
            text.drain(start..end);
        }
        3 => {
            let start = boundary(rng, text);
            let end = boundary_at_or_after(text, (start + rng.below(80)).min(text.len()));
            let copy = text[start..end].to_vec();
            let at = boundary(rng, text);
            text.splice(at..at, copy);
        }
        4 => {
            let at = boundary(rng, text);
            text.truncate(at);
        }
        _ => {
            let at = boundary(rng, text);
            let snippet = SNIPPETS[rng.below(SNIPPETS.len())].as_bytes().to_vec();
            text.splice(at..at, snippet);
        }
    }
}

fn boundary_at_or_after(text: &[u8], mut at: usize) -> usize {
    while at < text.len() && (text[at] & 0b1100_0000) == 0b1000_0000 {
        at += 1;
    }
    at
}

/// Every fixture, mutated many times at random: checking and rendering in every format must
/// end in diagnostics or a result, never a panic, and messages must stay single lines.
#[test]
fn mutated_fixtures_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    for dir in [
        "tests/fixtures/invalid",
        "tests/fixtures/valid",
        "scenarios",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            if path.extension().is_some_and(|x| x == "toml") {
                sources.push((display_name(&path), std::fs::read(&path).unwrap()));
            }
        }
    }
    // `CASUS_MUTATION_ROUNDS` and `CASUS_MUTATION_SEED` allow a longer search by hand; the
    // defaults keep this test at a few seconds.
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let rounds = env("CASUS_MUTATION_ROUNDS", 40);
    let budget = Duration::from_secs(env("CASUS_MUTATION_SECONDS", 6));
    let mut rng = Rng(env("CASUS_MUTATION_SEED", 0x9E37_79B9_7F4A_7C15) | 1);
    let started = Instant::now();
    let mut runs = 0;
    // Bounded by count for reproducibility, and by time so a slow machine is not punished.
    'outer: for round in 0..rounds {
        for (name, bytes) in &sources {
            if started.elapsed() > budget {
                break 'outer;
            }
            let mut text = bytes.clone();
            for _ in 0..1 + rng.below(3) {
                mutate(&mut rng, &mut text);
            }
            let label = format!("{name} (round {round}, run {runs})");
            let outcome = std::panic::catch_unwind(|| {
                let (file, diagnostics) = check_bytes(name, &text);
                let pairs = pairs(&file, &diagnostics);
                let _ = render_human(&file, &diagnostics, false);
                let _ = render_human(&file, &diagnostics, true);
                let _ = render_json(&pairs);
                let _ = render_github(&pairs);
                let _ = render_sarif(&pairs);
                diagnostics
            });
            let Ok(diagnostics) = outcome else {
                let path = std::env::temp_dir().join("casus-mutation-panic.toml");
                std::fs::write(&path, &text).unwrap();
                panic!("{label} panicked; the input is in {}", path.display());
            };
            for d in &diagnostics {
                assert!(
                    !d.message.contains(['\n', '\r']),
                    "{label}: multi-line message {:?}",
                    d.message
                );
            }
            runs += 1;
        }
    }
    eprintln!("{runs} mutated files checked in {:?}", started.elapsed());
    assert!(runs >= sources.len(), "only {runs} runs");
}

/// How to regenerate `docs/diagnostics.md`; printed when it drifts.
const REGENERATE: &str = "UPDATE_GENERATED=1 cargo test --test diagnostics";

/// `docs/diagnostics.md`, generated from the doc comments of `Code` (the one place each code
/// is documented), so the page, `casus check --explain` and SARIF rule help never disagree.
fn diagnostics_page() -> String {
    let mut page = String::new();
    page.push_str(&format!(
        "# Diagnostics\n\n\
         <!-- Generated from crates/casus-core/src/codes.rs by tests/diagnostics.rs; do not edit. \
         Regenerate with `{REGENERATE}`. -->\n\n\
         Every finding of `casus check` has a stable code and a name. Errors (`E…`) make a \
         scenario meaningless and fail the run; lints (`W…`) are notes or warnings, and fail a run \
         only under `--deny warnings`. `casus check --explain CODE` prints the explanation of a \
         code, given as its code (`E0101`) or its name (`unknown_key`).\n\n\
         | Code | Name | Level | What it catches |\n\
         |------|------|-------|-----------------|\n"
    ));
    for code in Code::ALL {
        page.push_str(&format!(
            "| [{id}](#{lower}-{name}) | `{name}` | {level} | {summary} |\n",
            id = code.as_str(),
            lower = code.as_str().to_lowercase(),
            name = code.name(),
            level = code.default_severity().as_str(),
            summary = code.summary().replace('|', "\\|"),
        ));
    }
    for code in Code::ALL {
        // Examples are fragments (and many are wrong on purpose), not complete scenarios: the
        // docs test (crates/casus-cli/tests/docs.rs) checks every ```toml block as a complete
        // scenario, so here they are plain text.
        let explanation = code.explanation_text().replace("```toml", "```text");
        page.push_str(&format!(
            "\n## {} `{}`\n\nLevel: {}. {}.\n\n{}\n",
            code.as_str(),
            code.name(),
            code.default_severity().as_str(),
            capitalised(code.summary()),
            explanation
        ));
    }
    page
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[test]
fn docs_diagnostics_md_is_generated_from_the_codes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
    let expected = diagnostics_page();
    if std::env::var_os("UPDATE_GENERATED").is_some_and(|v| v == "1") {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "docs/diagnostics.md is out of date with crates/casus-core/src/codes.rs; regenerate it \
         with `{REGENERATE}` and commit the result"
    );
}

/// Every code's explanation says what it catches, shows an example and says how to fix it.
#[test]
fn every_code_is_explained_with_an_example_and_a_fix() {
    for code in Code::ALL {
        let text = code.explanation_text();
        assert!(text.contains("```"), "{code} has no example");
        assert!(text.contains("Fix:"), "{code} says no fix");
        assert!(!code.summary().ends_with('.'), "{code}");
        assert_eq!(Code::parse(code.as_str()), Some(*code));
        assert_eq!(Code::parse(code.name()), Some(*code));
    }
}
