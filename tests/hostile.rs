//! Hostile inputs: every file in `tests/fixtures/hostile/` and every huge input generated
//! below ends in a result or a diagnostic, within the limits, never in a panic or a hang; and
//! each limit ends with an `E0003` that names the flag which raises it, in every command that
//! loads scenarios.
//!
//! The committed fixtures are small; the huge inputs (100,000 options, 10 MB strings, 1,000
//! decisions, a cycle of 1,000 rules, nesting 100,000 deep, 3^40 paths) are made here so the
//! repository stays small. Each run happens on a thread with the CLI's stacks and a watchdog:
//! a run that neither returns nor panics within [`WATCHDOG`] fails the test as a hang instead
//! of blocking the suite. The watchdog is a hang detector, not a speed claim.
//!
//! The binary tests need `target/debug/casus` (`cargo build -p casus-cli`, which `cargo test
//! --workspace` does).
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "helpers of a test fail the test on any error, as the tests themselves do"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use casus_core::expr::ExprLimits;
use casus_core::limits::Limits;
use casus_core::{Code, Diagnostic, SourceFile};
use casus_report::report::{self, Format, Graph};
use casus_rules::{Checked, EvalLimits, check_source};
use insta_cmd::get_cargo_bin;

/// Longest a single run may take before it counts as a hang. Generous: debug builds on a
/// shared two-core machine.
const WATCHDOG: Duration = Duration::from_secs(300);

/// The stacks the CLI runs a command and the search's workers on (`crates/casus-cli/src/main.rs`);
/// test threads and rayon's workers get 2 MiB by default, which the search, recursing once per
/// decision, overflows on a thousand decisions in a debug build.
const MAIN_STACK: usize = 256 * 1024 * 1024;
const WORKER_STACK: usize = 64 * 1024 * 1024;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `f` on a thread with the CLI's stack; a panic fails the test with its message
/// and a run longer than [`WATCHDOG`] fails it as a hang.
fn guarded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    // The first test to get here sets up the global pool as the CLI does; later calls fail
    // harmlessly because it exists.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK)
        .build_global();
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .stack_size(MAIN_STACK)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .unwrap();
    match rx.recv_timeout(WATCHDOG) {
        Ok(value) => {
            handle.join().unwrap();
            value
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                panic!("{what}: panicked: {message}")
            }
            Ok(()) => panic!("{what}: the run ended without a result"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: no answer in {WATCHDOG:?}"),
    }
}

/// Evaluation limits for hostile input: the defaults, with a deadline.
fn eval_limits() -> EvalLimits {
    EvalLimits {
        deadline: Instant::now().checked_add(Duration::from_secs(60)),
        ..EvalLimits::default()
    }
}

/// Checks `bytes` as the CLI does (decode, then load, check, compile and evaluate).
fn check_bytes(name: &str, bytes: &[u8], limits: &Limits) -> (SourceFile, Checked) {
    let (file, decode_error) = SourceFile::from_bytes(name, bytes);
    let mut checked = check_source(&file, limits, &eval_limits());
    checked.diagnostics.extend(decode_error);
    (file, checked)
}

/// The end of a run in one line per finding: `ok: N paths` or `CODE message`.
fn summary(checked: &Checked) -> String {
    let mut out = String::new();
    if let (Some(evaluation), false) = (&checked.evaluation, checked.has_errors()) {
        let _ = writeln!(out, "ok: {} paths", evaluation.paths);
    }
    for d in &checked.diagnostics {
        let _ = writeln!(out, "{} {}", d.code.as_str(), d.message.escape_debug());
    }
    out
}

/// Asserts that a run ended in a result or in at least one error, and that every renderer
/// copes with whatever it produced.
fn assert_ends_well(what: &str, file: &SourceFile, checked: &Checked) {
    let evaluated = checked.evaluation.is_some() && !checked.has_errors();
    assert!(
        evaluated || checked.has_errors(),
        "{what}: neither a result nor an error:\n{}",
        summary(checked)
    );
    let files = [(file, checked.diagnostics.as_slice())];
    let human = casus_report::diagnostics::render_human(file, &checked.diagnostics, false);
    let _ = casus_report::diagnostics::render_human(file, &checked.diagnostics, true);
    let _ = casus_report::diagnostics::render_github(&files);
    serde_json::from_str::<serde_json::Value>(&casus_report::diagnostics::render_json(&files))
        .unwrap();
    serde_json::from_str::<serde_json::Value>(&casus_report::diagnostics::render_sarif(&files))
        .unwrap();
    // Lines of any length are cut down around the labels: a huge input never reaches the
    // terminal whole. (A cycle of 1,000 rules names all 2,000 members in its message today,
    // 26 kB; the bound leaves room for that.)
    for d in &checked.diagnostics {
        assert!(
            d.message.len() < 64 * 1024,
            "{what}: a message of {} bytes",
            d.message.len()
        );
    }
    assert!(
        human.len() < 64 * 1024 * (1 + checked.diagnostics.len()),
        "{what}: {} bytes of diagnostics",
        human.len()
    );
    if let (Some(scenario), Some(evaluation), true) =
        (&checked.scenario, &checked.evaluation, evaluated)
    {
        let sum: f64 = evaluation.outcomes.iter().map(|o| o.probability).sum();
        assert!(
            (sum - 1.0).abs() < 1e-9,
            "{what}: the forecast sums to {sum}"
        );
        let _ = casus_report::eval::render_human(scenario, evaluation, None);
        let json = serde_json::to_string(&casus_report::output::eval::EvalOutput::of_evaluation(
            scenario, evaluation, None,
        ))
        .unwrap();
        serde_json::from_str::<serde_json::Value>(&json).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// The committed corpus.

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/hostile"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// Every committed hostile file ends in a result or a diagnostic; the snapshot records which,
/// one line per finding, for review. Every renderer (diagnostics in four formats; eval and every
/// report format when the file evaluates) copes with the result.
#[test]
fn every_committed_hostile_file_ends_in_a_result_or_a_diagnostic() {
    let files = fixtures();
    assert!(files.len() >= 30, "only {} hostile fixtures", files.len());
    let mut all = String::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let what = name.clone();
        let text = guarded(&name, move || {
            let (file, checked) = check_bytes(&what, &bytes, &Limits::default());
            assert_ends_well(&what, &file, &checked);
            if checked.evaluation.is_some() && !checked.has_errors() {
                let model = report::prepare(
                    &casus_rules::session::Session::open(
                        file.clone(),
                        casus_rules::session::Options {
                            limits: Limits::default(),
                            eval: eval_limits(),
                            ..Default::default()
                        },
                    ),
                    &casus_rules::session::Budget::unlimited(),
                )
                .unwrap();
                for format in Format::ALL {
                    for graph in [Graph::Decisions, Graph::Rules] {
                        let _ = report::render(&model, format, graph);
                    }
                }
            }
            summary(&checked)
        });
        let _ = writeln!(all, "{name}:");
        for line in text.lines() {
            let _ = writeln!(all, "  {line}");
        }
    }
    insta::assert_snapshot!(all);
}

/// The findings of one committed fixture.
fn fixture_summary(name: &str) -> String {
    let bytes = std::fs::read(root().join("tests/fixtures/hostile").join(name)).unwrap();
    let (_, checked) = check_bytes(name, &bytes, &Limits::default());
    summary(&checked)
}

#[test]
fn a_byte_order_mark_and_crlf_line_endings_are_fine() {
    // Hand-checked: both files are the same valid scenario as LF UTF-8 text would be (one
    // decision of two options: 2 paths; a fair coin: 2 paths).
    for name in ["bom-utf8.toml", "crlf-valid.toml"] {
        let summary = fixture_summary(name);
        assert!(summary.starts_with("ok: 2 paths\n"), "{name}: {summary}");
    }
}

#[test]
fn utf16_and_latin1_are_reported_as_not_utf8() {
    for name in ["utf16le-bom.toml", "utf16be-bom.toml", "latin1.toml"] {
        let summary = fixture_summary(name);
        assert!(summary.contains("E0002 "), "{name}: {summary}");
    }
}

#[test]
fn a_confusable_letter_is_not_taken_for_the_latin_one() {
    // `rаnd` with a Cyrillic `а` must not resolve to the decision `rand`.
    for name in ["confusable-id.toml", "confusable-in-expression.toml"] {
        let summary = fixture_summary(name);
        assert!(!summary.starts_with("ok"), "{name}: {summary}");
    }
}

// ---------------------------------------------------------------------------------------------
// Generated huge inputs.

const HEAD: &str = "[scenario]\ntitle = \"generated\"\n\n[actors]\na = \"A\"\n";

/// A decision of actor `a` over `options` options (equally likely in the forecast).
fn decision(id: &str, options: usize) -> String {
    let names: Vec<String> = (0..options).map(|i| format!("o{i}")).collect();
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    format!(
        "\n[decisions.{id}]\nactor = \"a\"\noptions = [{}]\n",
        quoted.join(", ")
    )
}

const FALLBACK: &str = "\n[outcomes.rest]\npayoff = { a = 0 }\n";

/// Runs `text` through the pipeline under `limits` on a guarded thread.
fn run_text(what: &str, text: String, limits: Limits) -> String {
    let name = what.to_owned();
    guarded(what, move || {
        let (file, checked) = check_bytes(&name, text.as_bytes(), &limits);
        assert_ends_well(&name, &file, &checked);
        summary(&checked)
    })
}

/// Asserts an `E0003` whose help names `flag`.
fn assert_limit(what: &str, text: String, limits: Limits, flag: &str) {
    let name = what.to_owned();
    let flag = flag.to_owned();
    guarded(what, move || {
        let (file, checked) = check_bytes(&name, text.as_bytes(), &limits);
        assert_ends_well(&name, &file, &checked);
        let hit: Vec<&Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::LimitExceeded)
            .collect();
        assert!(
            hit.iter()
                .any(|d| d.help.as_deref().is_some_and(|h| h.contains(&flag))),
            "{name}: no E0003 naming `{flag}`:\n{}",
            summary(&checked)
        );
    });
}

#[test]
fn a_hundred_thousand_options_hit_the_option_limit() {
    let text = format!("{HEAD}{}{FALLBACK}", decision("many", 100_000));
    assert_limit("100,000 options", text, Limits::default(), "--max-options");
}

#[test]
fn a_ten_megabyte_title_loads() {
    let title = "x".repeat(10 * 1024 * 1024);
    let text = format!(
        "[scenario]\ntitle = \"{title}\"\n\n[actors]\na = \"A\"\n{}likelihood = {{ o0 = 0.5, o1 = 0.5 }}\n{FALLBACK}",
        decision("coin", 2)
    );
    // Hand-checked: one fair coin, so 2 paths.
    let summary = run_text("10 MB title", text, Limits::default());
    assert!(summary.starts_with("ok: 2 paths\n"), "{summary}");
}

#[test]
fn a_ten_megabyte_expression_hits_the_length_limit() {
    let when = "true and ".repeat(10 * 1024 * 1024 / 9);
    let text = format!(
        "{HEAD}{}\n[outcomes.one]\nwhen = \"{when}true\"\npayoff = {{ a = 1 }}\n{FALLBACK}",
        decision("d", 2)
    );
    assert_limit(
        "10 MB expression",
        text,
        Limits::default(),
        "--max-expr-length",
    );
}

#[test]
fn a_ten_megabyte_string_in_a_likelihood_and_an_id() {
    let long = "y".repeat(10 * 1024 * 1024);
    let text = format!(
        "{HEAD}\n[decisions.d]\nactor = \"nature\"\noptions = [\"{long}\", \"b\"]\nlikelihood = {{ b = \"{long}\" }}\n{FALLBACK}"
    );
    let summary = run_text("10 MB strings", text, Limits::default());
    assert!(!summary.starts_with("ok"), "{summary}");
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_parsing() {
    let text = format!("{HEAD}# {}\n", "z".repeat(17 * 1024 * 1024));
    assert_limit(
        "17 MB file",
        text.clone(),
        Limits::default(),
        "--max-file-size",
    );
    let small = Limits {
        max_file_bytes: 1_000,
        ..Limits::default()
    };
    assert_limit("small file limit", text, small, "--max-file-size");
}

#[test]
fn a_thousand_decisions_evaluate_and_one_more_hits_the_limit() {
    let decisions: String = (0..1_000)
        .map(|i| {
            format!(
                "{}likelihood = {{ o0 = 0.5, o1 = 0.5 }}\n",
                decision(&format!("d{i}"), 2)
            )
        })
        .collect();
    let text = format!("{HEAD}{decisions}{FALLBACK}");
    // No rule or outcome reads a decision, so every state merges and the search is linear;
    // 2^1000 paths do not fit the path count, which must say so rather than wrap around.
    let summary = run_text("1,000 decisions", text.clone(), Limits::default());
    assert!(summary.starts_with("ok: "), "{summary}");
    let limits = Limits {
        max_decisions: 999,
        ..Limits::default()
    };
    assert_limit(
        "1,000 decisions, limit 999",
        text,
        limits,
        "--max-decisions",
    );
}

#[test]
fn three_to_the_fortieth_paths_hit_the_path_limit() {
    let decisions: String = (0..40).map(|i| decision(&format!("d{i}"), 3)).collect();
    // The outcome reads every decision, so no two states merge.
    let when: Vec<String> = (0..40).map(|i| format!("d{i} != 'o{}'", i % 3)).collect();
    let text = format!(
        "{HEAD}{decisions}\n[outcomes.odd]\nwhen = \"{}\"\npayoff = {{ a = 1 }}\n{FALLBACK}",
        when.join(" and ")
    );
    let name = "3^40 paths".to_owned();
    guarded("3^40 paths", move || {
        let (file, decode_error) = SourceFile::from_bytes(&name, text.as_bytes());
        assert!(decode_error.is_none());
        let limits = EvalLimits {
            max_paths: 100_000,
            ..eval_limits()
        };
        let checked = check_source(&file, &Limits::default(), &limits);
        assert_ends_well(&name, &file, &checked);
        assert!(
            checked
                .diagnostics
                .iter()
                .any(|d| d.code == Code::LimitExceeded
                    && d.help.as_deref().is_some_and(|h| h.contains("--max-paths"))),
            "{}",
            summary(&checked)
        );
        // With a path budget it cannot reach, the deadline ends the run instead.
        let limits = EvalLimits {
            max_paths: u64::MAX,
            deadline: Instant::now().checked_add(Duration::from_secs(2)),
            ..EvalLimits::default()
        };
        let checked = check_source(&file, &Limits::default(), &limits);
        assert!(
            checked
                .diagnostics
                .iter()
                .any(|d| d.code == Code::LimitExceeded
                    && d.help.as_deref().is_some_and(|h| h.contains("--timeout"))),
            "{}",
            summary(&checked)
        );
    });
}

#[test]
fn a_cycle_of_a_thousand_rules_is_an_error() {
    let mut text = String::from(HEAD);
    text.push_str("\n[facts]\n");
    for i in 0..1_000 {
        let _ = writeln!(text, "f{i} = {{ type = \"bool\", default = false }}");
    }
    text.push_str(&decision("d", 2));
    for i in 0..1_000 {
        let _ = write!(
            text,
            "\n[rules.r{i}]\nwhen = \"f{i} or d == 'o0'\"\nthen = {{ f{} = true }}\n",
            (i + 1) % 1_000
        );
    }
    text.push_str(FALLBACK);
    let summary = run_text("a cycle of 1,000 rules", text, Limits::default());
    assert!(summary.contains("E0404 "), "{summary}");
}

#[test]
fn more_rules_than_the_limit() {
    let mut text = format!("{HEAD}\n[facts]\nn = {{ type = \"number\", default = 0 }}\n");
    text.push_str(&decision("d", 2));
    for i in 0..51 {
        let _ = write!(
            text,
            "\n[rules.r{i}]\nwhen = \"d == 'o0'\"\nadd = {{ n = 1 }}\n"
        );
    }
    text.push_str(FALLBACK);
    let limits = Limits {
        max_rules: 50,
        ..Limits::default()
    };
    assert_limit("51 rules, limit 50", text, limits, "--max-rules");
}

/// Nesting far past any real file: TOML arrays and inline tables, dotted keys, table headers.
#[test]
fn deep_toml_nesting_is_a_diagnostic() {
    let n = 100_000;
    let cases = [
        (
            "arrays",
            format!("{HEAD}\n[facts]\nx = {}1{}\n", "[".repeat(n), "]".repeat(n)),
        ),
        (
            "inline tables",
            format!(
                "{HEAD}\n[facts]\nx = {}1{}\n",
                "{ a = ".repeat(n),
                " }".repeat(n)
            ),
        ),
        (
            "dotted keys",
            format!("{HEAD}\n[facts]\n{} = 1\n", vec!["a"; n].join(".")),
        ),
        (
            "table header",
            format!("{HEAD}\n[{}]\nx = 1\n", vec!["a"; n].join(".")),
        ),
    ];
    for (what, text) in cases {
        let summary = run_text(what, text, Limits::default());
        assert!(!summary.starts_with("ok"), "{what}: {summary}");
    }
}

#[test]
fn deep_expressions_hit_the_depth_limit() {
    let wrap = |when: String| {
        format!(
            "{HEAD}{}\n[outcomes.one]\nwhen = \"{when}\"\npayoff = {{ a = 1 }}\n{FALLBACK}",
            decision("d", 2)
        )
    };
    let cases = [
        (
            "parentheses",
            format!("{}d == 'o0'{}", "(".repeat(4_000), ")".repeat(4_000)),
        ),
        ("nots", "not ".repeat(2_000) + "d == 'o0'"),
        ("minus signs", format!("{}1 > 0", "- ".repeat(4_000))),
        ("an and-chain", vec!["d == 'o0'"; 1_000].join(" and ")),
        (
            "an in-list",
            format!("d in [{}]", vec!["'o0'"; 2_000].join(", ")),
        ),
    ];
    for (what, when) in cases {
        let summary = run_text(what, wrap(when), Limits::default());
        // The in-list is flat, so it may be accepted; everything else is too deep.
        if what != "an in-list" {
            assert!(summary.contains("E0003 "), "{what}: {summary}");
        }
    }
    assert_limit(
        "depth limit",
        wrap(format!("{}d == 'o0'{}", "(".repeat(10), ")".repeat(10))),
        Limits {
            expr: ExprLimits {
                max_depth: 5,
                ..ExprLimits::default()
            },
            ..Limits::default()
        },
        "--max-expr-depth",
    );
}

/// The deepest expression `--max-expr-depth` accepts goes through parsing, checking,
/// compiling, evaluation and every renderer on the main thread's stack.
#[test]
fn the_deepest_accepted_expression_fits_the_stack() {
    const DEPTH: usize = 256;
    let limits = Limits {
        expr: ExprLimits {
            max_depth: DEPTH,
            ..ExprLimits::default()
        },
        ..Limits::default()
    };
    let cases = [
        format!(
            "{}d == 'o0'{}",
            "(".repeat(DEPTH - 2),
            ")".repeat(DEPTH - 2)
        ),
        "not ".repeat(DEPTH - 2) + "d == 'o0'",
        vec!["d == 'o0'"; DEPTH / 2].join(" and "),
        format!("{}1 > 0 and d == 'o0'", "- ".repeat(DEPTH - 4)),
    ];
    for when in cases {
        let text = format!(
            "{HEAD}{}\n[rules.r]\nwhen = \"{when}\"\nthen = {{ x = true }}\nbecause = \"deep\"\n\n[outcomes.one]\nwhen = \"x\"\npayoff = {{ a = 1 }}\n{FALLBACK}\n[tests.t]\ngiven = {{ d = \"o0\" }}\nexpect = {{ outcome = \"one\" }}\n",
            decision("d", 2)
        )
        .replace("[actors]", "[facts]\nx = { type = \"bool\", default = false }\n\n[actors]");
        let name = format!("depth {DEPTH}");
        let summary = guarded(&name.clone(), move || {
            let (file, checked) = check_bytes(&name, text.as_bytes(), &limits);
            assert_ends_well(&name, &file, &checked);
            if let Ok(model) = report::prepare(
                &casus_rules::session::Session::open(
                    file.clone(),
                    casus_rules::session::Options {
                        limits,
                        eval: eval_limits(),
                        ..Default::default()
                    },
                ),
                &casus_rules::session::Budget::unlimited(),
            ) {
                for format in Format::ALL {
                    for graph in [Graph::Decisions, Graph::Rules] {
                        let _ = report::render(&model, format, graph);
                    }
                }
            }
            summary(&checked)
        });
        // Hand-checked: one decision of two options, nothing else: 2 paths.
        assert!(summary.starts_with("ok: 2 paths"), "{summary}");
    }
}

#[test]
fn ten_thousand_unknown_keys_are_all_reported_without_blowing_up() {
    let mut text = String::from(HEAD);
    text.push_str("\n[scenario.extra]\n");
    for i in 0..10_000 {
        let _ = writeln!(text, "k{i} = {i}");
    }
    let summary = run_text("10,000 unknown keys", text, Limits::default());
    assert!(!summary.starts_with("ok"), "{summary}");
}

#[test]
fn a_megabyte_line_is_cut_in_the_terminal_view() {
    let text = format!("[scenario]\ntitle = \"t\" {}\n", "x".repeat(1024 * 1024));
    let name = "1 MB line".to_owned();
    guarded("1 MB line", move || {
        let (file, checked) = check_bytes(&name, text.as_bytes(), &Limits::default());
        assert!(checked.has_errors());
        let human = casus_report::diagnostics::render_human(&file, &checked.diagnostics, false);
        assert!(human.len() < 16 * 1024, "{} bytes", human.len());
    });
}

/// Issue 21: 20,000 rules on one line, each with a type error, rendered for the terminal. The
/// renderer used to walk the whole line for every finding (minutes); it now finds lines in the
/// file's index and looks only near the labels. Asserted on the output: every finding is
/// there, at the right column, with a short excerpt of the right rule.
#[test]
fn twenty_thousand_findings_on_one_line_render_for_the_terminal() {
    const RULES: usize = 20_000;
    let rules: Vec<String> = (0..RULES)
        .map(|i| format!("r{i} = {{ when = \"d == 'x' and f == 3\", then = {{ f = true }} }}"))
        .collect();
    let text = format!(
        "rules = {{ {} }}\n[scenario]\ntitle = \"one line\"\n\n[actors]\na = \"A\"\n\n[facts]\nf = {{ type = \"bool\", default = false }}\n\n[decisions.d]\nactor = \"a\"\noptions = [\"x\", \"y\"]\n\n[outcomes.rest]\npayoff = {{ a = 0 }}\n",
        rules.join(", ")
    );
    // The column of the last rule's `3`, in characters (the line is ASCII).
    let last = format!("r{} = {{ when = \"d == 'x' and f == ", RULES - 1);
    let column = text.find(&last).unwrap() + last.len() + 1;
    guarded("one-line rules", move || {
        let (file, checked) = check_bytes("one-line.toml", text.as_bytes(), &Limits::default());
        let errors = checked
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::TypeMismatch)
            .count();
        assert_eq!(errors, RULES);
        let human = casus_report::diagnostics::render_human(&file, &checked.diagnostics, false);
        assert_eq!(
            human
                .matches("cannot compare true or false with a number")
                .count(),
            RULES
        );
        assert!(
            human.contains(&format!(" --> one-line.toml:1:{column}\n")),
            "no header for the last rule"
        );
        assert!(human.contains(&format!(
            "r{} = {{ when = \"d == 'x' and f == 3\"",
            RULES - 1
        )));
        let longest = human.lines().map(str::len).max().unwrap_or(0);
        assert!(longest < 400, "a line of {longest} bytes");
    });
}

#[test]
fn many_actors_and_outcomes() {
    let mut text = String::from("[scenario]\ntitle = \"wide\"\n\n[actors]\na = \"A\"\n");
    for i in 0..2_000 {
        let _ = writeln!(text, "a{i} = \"Actor {i}\"");
    }
    text.push_str(&decision("d", 2));
    text.push_str("likelihood = { o0 = 0.5, o1 = 0.5 }\n");
    let payoff: Vec<String> = std::iter::once("a = 1".to_owned())
        .chain((0..2_000).map(|i| format!("a{i} = {}", i % 7)))
        .collect();
    let _ = write!(
        text,
        "\n[outcomes.one]\nwhen = \"d == 'o0'\"\npayoff = {{ {} }}\n\n[outcomes.rest]\npayoff = {{ {} }}\n",
        payoff.join(", "),
        payoff.join(", ")
    );
    // Hand-checked: one fair coin, 2 paths.
    let summary = run_text("2,000 actors", text, Limits::default());
    assert!(summary.starts_with("ok: 2 paths\n"), "{summary}");
}

// ---------------------------------------------------------------------------------------------
// The binary: every command that loads a scenario honours every limit flag.

fn casus() -> Command {
    let mut command = Command::new(get_cargo_bin("casus"));
    command.current_dir(root());
    command.env("NO_COLOR", "1");
    command
}

/// Runs `casus ARGS` and asserts exit 1 with an `E0003` naming `flag` on standard error.
fn assert_cli_limit(args: &[&str], flag: &str) {
    let output = casus().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "casus {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        args.join(" ")
    );
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains("E0003") && all.contains(flag),
        "casus {}: no E0003 naming `{flag}`\nstdout:\n{stdout}\nstderr:\n{stderr}",
        args.join(" ")
    );
}

/// `--samples` has a maximum like every other limit: past it (even at `u64::MAX`, which used
/// to abort on allocation) the run ends with an `E0003` naming `--max-samples`, at once.
#[test]
fn samples_past_the_limit_end_with_a_diagnostic() {
    assert_cli_limit(
        &["eval", EXAMPLE, "--samples", "18446744073709551615"],
        "--max-samples",
    );
    assert_cli_limit(
        &["eval", EXAMPLE, "--samples", "3", "--max-samples", "2"],
        "--max-samples",
    );
    let output = casus()
        .args(["eval", EXAMPLE, "--samples", "2", "--max-samples", "2"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A scenario of `n` independent fair coins: 2^n paths, which merge into a small graph but
/// make a SilverDecisions file (a tree written out in full) of 2^(n+1) - 1 nodes.
fn coins(n: usize) -> String {
    let mut text = String::from("[scenario]\ntitle = \"coins\"\n\n[actors]\na = \"A\"\n\n");
    for i in 0..n {
        let _ = write!(
            text,
            "[decisions.c{i}]\nactor = \"nature\"\noptions = [\"h\", \"t\"]\nlikelihood = {{ h = 0.5, t = 0.5 }}\n\n"
        );
    }
    text.push_str("[outcomes.rest]\npayoff = { a = 1 }\n");
    text
}

/// Issue 21: 18 coins (a 3.5 KB file) made 1.09 GB of SilverDecisions JSON in 51 s. Now the
/// file is written node by node and refused with an `E0003` naming `--max-output-size` once it
/// passes the limit (64 MiB by default), and the deadline is checked as it grows; the `.efg`
/// export, one line per node, has the same limit.
#[test]
fn exports_past_the_size_or_time_limit_end_with_a_diagnostic() {
    let dir = scratch("export-limits");
    let big = dir.join("coins18.toml");
    std::fs::write(&big, coins(18)).unwrap();
    let big = big.to_str().unwrap();
    assert_cli_limit(
        &["export", big, "--format", "silverdecisions"],
        "--max-output-size",
    );
    let small = dir.join("coins3.toml");
    std::fs::write(&small, coins(3)).unwrap();
    let small = small.to_str().unwrap();
    assert_cli_limit(
        &[
            "export",
            small,
            "--format",
            "efg",
            "--max-output-size",
            "100",
        ],
        "--max-output-size",
    );
    assert_cli_limit(
        &[
            "export",
            small,
            "--format",
            "silverdecisions",
            "--max-output-size",
            "1000",
        ],
        "--max-output-size",
    );
    // With no time at all, the writer stops at its first look at the clock.
    let medium = dir.join("coins12.toml");
    std::fs::write(&medium, coins(12)).unwrap();
    assert_cli_limit(
        &[
            "export",
            medium.to_str().unwrap(),
            "--format",
            "silverdecisions",
            "--timeout",
            "0",
        ],
        "--timeout",
    );
    // Within the limits: the whole file, which parses.
    let output = casus()
        .args(["export", small, "--format", "silverdecisions"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let file: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(file["data"]["trees"][0]["childEdges"].is_array());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The design example (`tests/fixtures/valid/design-example.toml`) has 4 decisions of 3, 3, 3 and 2 options, 2 rules and 25 paths.
const EXAMPLE: &str = "tests/fixtures/valid/design-example.toml";

/// Each limit flag, set just below what the example needs.
const LIMITS: [(&str, &str); 7] = [
    ("--max-file-size", "100"),
    ("--max-decisions", "3"),
    ("--max-options", "2"),
    ("--max-rules", "1"),
    ("--max-expr-depth", "1"),
    ("--max-expr-length", "10"),
    ("--max-paths", "5"),
];

#[test]
fn every_command_honours_every_limit_flag() {
    let scratch = std::env::temp_dir().join(format!("casus-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let out = scratch.join("report.md");
    let out = out.to_str().unwrap();
    for (flag, value) in LIMITS {
        let commands: Vec<Vec<&str>> = vec![
            vec!["check", EXAMPLE],
            vec!["eval", EXAMPLE],
            vec!["explain", EXAMPLE],
            vec!["test", EXAMPLE],
            vec!["report", EXAMPLE],
            vec!["report", EXAMPLE, "-o", out],
            vec!["export", EXAMPLE, "--format", "efg"],
        ];
        for mut args in commands {
            args.extend([flag, value]);
            assert_cli_limit(&args, flag);
        }
    }
    assert!(
        !Path::new(out).exists(),
        "a report was written despite the errors"
    );
    std::fs::remove_dir_all(&scratch).unwrap();
}

#[test]
fn diff_honours_the_limit_flags_on_both_versions() {
    // `diff` reports a version with errors as not comparable instead of failing, so the limit
    // shows up in its output, and it must still not have evaluated past the limit.
    for (flag, value) in LIMITS {
        let output = casus()
            .args(["diff", EXAMPLE, EXAMPLE, flag, value, "--format", "json"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_ne!(output.status.code(), Some(101), "{flag}: {stdout}");
    }
}

#[test]
fn the_timeout_ends_a_long_evaluation() {
    let scratch = std::env::temp_dir().join(format!("casus-timeout-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let decisions: String = (0..40).map(|i| decision(&format!("d{i}"), 3)).collect();
    let when: Vec<String> = (0..40).map(|i| format!("d{i} != 'o{}'", i % 3)).collect();
    let text = format!(
        "{HEAD}{decisions}\n[outcomes.odd]\nwhen = \"{}\"\npayoff = {{ a = 1 }}\n{FALLBACK}",
        when.join(" and ")
    );
    let file = scratch.join("explode.toml");
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    for command in ["check", "eval", "report"] {
        assert_cli_limit(
            &[
                command,
                file,
                "--max-paths",
                "1000000000000",
                "--timeout",
                "1",
            ],
            "--timeout",
        );
    }
    assert_cli_limit(&["check", file, "--max-paths", "1000"], "--max-paths");
    std::fs::remove_dir_all(&scratch).unwrap();
}

#[test]
fn an_expression_depth_flag_past_the_stack_safe_maximum_is_a_usage_error() {
    let output = casus()
        .args(["check", EXAMPLE, "--max-expr-depth", "100000"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

// ---------------------------------------------------------------------------------------------
// File safety: casus reads only the paths it is given and writes only where it is told,
// atomically.

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("casus-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const VALID: &str = "[scenario]\ntitle = \"fine\"\n\n[actors]\na = \"A\"\n\n[decisions.d]\nactor = \"a\"\noptions = [\"x\", \"y\"]\n\n[outcomes.rest]\npayoff = { a = 0 }\n";
const BROKEN: &str = "[scenario]\ntitle = \"outside\"\nbroken = [\n";

#[test]
fn links_inside_a_scanned_folder_are_not_followed() {
    let dir = scratch("follow");
    let outside = dir.join("outside");
    let inside = dir.join("inside");
    std::fs::create_dir_all(outside.join("nested")).unwrap();
    std::fs::create_dir_all(&inside).unwrap();
    // Outside the scanned folder: files with errors, so reading them would show.
    std::fs::write(outside.join("secret.toml"), BROKEN).unwrap();
    std::fs::write(outside.join("nested/deep.toml"), BROKEN).unwrap();
    std::fs::write(inside.join("fine.toml"), VALID).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.toml"), inside.join("link.toml")).unwrap();
    std::os::unix::fs::symlink(outside.join("nested"), inside.join("linked-folder")).unwrap();
    std::os::unix::fs::symlink(&inside, inside.join("loop")).unwrap();
    let inside_arg = inside.to_str().unwrap();
    let reports = dir.join("reports");
    for args in [
        vec!["check", inside_arg],
        vec!["test", inside_arg],
        vec!["report", inside_arg, "-o", reports.to_str().unwrap()],
    ] {
        let output = casus().args(&args).output().unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(output.status.code(), Some(0), "casus {args:?}: {all}");
        for name in [
            "secret",
            "deep",
            "link.toml",
            "linked-folder",
            "loop",
            "outside",
        ] {
            assert!(!all.contains(name), "casus {args:?} followed a link: {all}");
        }
    }
    // One report, for the one real file.
    let written: Vec<_> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written, ["fine.md"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A scenario full of paths: no field of the format names a file casus reads. Checked two
/// ways: the secret's content never shows in any output, and (where `strace` is installed)
/// the only files the process opens are the scenario and the system's own libraries.
#[test]
fn nothing_in_a_scenario_makes_casus_read_another_file() {
    let dir = scratch("no-include");
    let secret = dir.join("secret.txt");
    std::fs::write(&secret, "SECRET-CONTENT-7f3a\n").unwrap();
    let s = secret.to_str().unwrap();
    let text = format!(
        "[scenario]\ntitle = \"{s}\"\nsummary = \"file://{s}\"\nsources = [\"{s}\", \"@{s}\", \"$(cat {s})\"]\ninclude = \"{s}\"\n\n[actors]\na = {{ name = \"A\", doc = \"{s}\" }}\n\n[facts]\nlevel = {{ value = 1, source = \"{s}\" }}\n\n[decisions.d]\nactor = \"a\"\nask = \"{s}\"\noptions = [\"x\", \"y\"]\n\n[rules.r]\nwhen = \"d == 'x'\"\nthen = {{ }}\nbecause = \"{s}\"\nsource = \"{s}\"\n\n[outcomes.rest]\ntitle = \"{s}\"\npayoff = {{ a = 0 }}\n"
    );
    let scenario = dir.join("paths.toml");
    std::fs::write(&scenario, &text).unwrap();
    // The same without the unknown key, so it evaluates and every report is made.
    let valid = dir.join("valid.toml");
    std::fs::write(
        &valid,
        text.replace(&format!("include = \"{s}\"\n"), "")
            .replace(
                "[rules.r]\nwhen = \"d == 'x'\"\nthen = { }\n",
                "[rules.r]\nwhen = \"d == 'x'\"\nthen = { level = 2 }\n",
            )
            .replace(
                "level = { value = 1",
                "level = { type = \"number\", default = 1",
            )
            .replace(&format!(", source = \"{s}\" }}"), " }"),
    )
    .unwrap();
    let mut runs: Vec<Vec<String>> = Vec::new();
    for file in [&scenario, &valid] {
        let f = file.to_str().unwrap().to_owned();
        runs.push(vec!["check".into(), f.clone()]);
        runs.push(vec!["eval".into(), f.clone()]);
        runs.push(vec!["explain".into(), f.clone()]);
        runs.push(vec!["test".into(), f.clone()]);
        for format in ["md", "json", "dot", "mermaid", "html"] {
            runs.push(vec![
                "report".into(),
                f.clone(),
                "--format".into(),
                format.into(),
            ]);
        }
    }
    let strace = Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    for args in &runs {
        let output = casus().args(args).output().unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !all.contains("SECRET-CONTENT"),
            "casus {args:?} read the file: {all}"
        );
        if strace {
            let log = dir.join("strace.log");
            let status = Command::new("strace")
                .args(["-f", "-qq", "-e", "trace=open,openat,openat2,creat", "-o"])
                .arg(&log)
                .arg(get_cargo_bin("casus"))
                .args(args)
                .current_dir(root())
                .output()
                .unwrap();
            let _ = status;
            let log = std::fs::read_to_string(&log).unwrap();
            for line in log
                .lines()
                .filter(|l| l.contains("open") && !l.contains("ENOENT"))
            {
                let Some(path) = line.split('"').nth(1) else {
                    continue;
                };
                let system = ["/etc/ld.so", "/lib", "/usr/lib", "/proc/", "/sys/", "/dev/"]
                    .iter()
                    .any(|p| path.starts_with(p));
                assert!(
                    system || path == args[1],
                    "casus {args:?} opened `{path}`:\n{log}"
                );
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The names in a folder, sorted, with their contents.
fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).unwrap_or_default();
            (name, bytes)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn check_modes_never_write() {
    let dir = scratch("check-modes");
    let scenarios = dir.join("scenarios");
    let reports = dir.join("reports");
    std::fs::create_dir_all(&scenarios).unwrap();
    std::fs::create_dir_all(&reports).unwrap();
    // A scenario that `fmt` would change, and a stale report.
    std::fs::write(scenarios.join("one.toml"), VALID.replace(" = ", "   =   ")).unwrap();
    std::fs::write(reports.join("one.md"), "stale\n").unwrap();
    let before = (listing(&scenarios), listing(&reports));
    let times = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
    let mtimes = (
        times(&scenarios.join("one.toml")),
        times(&reports.join("one.md")),
    );
    let s = scenarios.to_str().unwrap();
    let r = reports.to_str().unwrap();
    for args in [
        vec!["report", "--check", s, "--format", "md", "-o", r],
        vec!["report", "--check", s, "--format", "json", "-o", r],
        vec!["fmt", "--check", s],
    ] {
        let output = casus().args(&args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "casus {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!((listing(&scenarios), listing(&reports)), before);
    assert_eq!(
        (
            times(&scenarios.join("one.toml")),
            times(&reports.join("one.md"))
        ),
        mtimes
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A write that fails leaves what was there and no temporary file. The target is an existing
/// folder, so the final rename fails even for root (who ignores read-only permissions).
#[test]
fn a_failed_write_leaves_the_old_file_and_no_temporary_file() {
    let dir = scratch("failed-write");
    let scenario = dir.join("s.toml");
    std::fs::write(&scenario, VALID).unwrap();
    let target = dir.join("out.md");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("keep.txt"), "old").unwrap();
    let before = listing(&dir);
    for args in [
        vec![
            "report",
            scenario.to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ],
        vec![
            "export",
            scenario.to_str().unwrap(),
            "--format",
            "efg",
            "-o",
            target.to_str().unwrap(),
        ],
    ] {
        let output = casus().args(&args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "casus {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let after = listing(&dir);
        assert_eq!(after, before, "casus {args:?} left files behind");
        assert_eq!(
            std::fs::read_to_string(target.join("keep.txt")).unwrap(),
            "old"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A successful write replaces the file whole, through a temporary file in the same folder
/// (a rename across file systems would not be atomic), and leaves no temporary file.
#[test]
fn a_write_replaces_the_file_through_a_temporary_file_beside_it() {
    let dir = scratch("atomic-write");
    let scenario = dir.join("s.toml");
    std::fs::write(&scenario, VALID).unwrap();
    let target = dir.join("out.md");
    std::fs::write(&target, "old report\n").unwrap();
    let strace = Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    let args = [
        "report",
        scenario.to_str().unwrap(),
        "-o",
        target.to_str().unwrap(),
    ];
    let output = casus().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(
        written.starts_with('#') && written.contains("fine"),
        "{written}"
    );
    let names: Vec<String> = listing(&dir).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["out.md", "s.toml"]);
    if strace {
        let log = dir.join("strace.log");
        Command::new("strace")
            .args(["-f", "-qq", "-e", "trace=rename,renameat,renameat2", "-o"])
            .arg(&log)
            .arg(get_cargo_bin("casus"))
            .args(args)
            .output()
            .unwrap();
        let log = std::fs::read_to_string(&log).unwrap();
        let rename = log
            .lines()
            .find(|l| l.contains("rename"))
            .unwrap_or_else(|| panic!("no rename:\n{log}"));
        let from = rename.split('"').nth(1).unwrap();
        assert_eq!(
            Path::new(from).parent(),
            Some(dir.as_path()),
            "the temporary file is not beside the target: {rename}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Path counts past 2^64 (70 independent decisions of two options: 2^70 paths, found at once
/// because every state merges) in every JSON output and every report: JSON numbers that large
/// cannot be exact, but they must not crash the renderer.
#[test]
fn more_paths_than_sixty_four_bits_hold() {
    let dir = scratch("wide-paths");
    let decisions: String = (0..70).map(|i| decision(&format!("d{i}"), 2)).collect();
    let old = format!("{HEAD}{decisions}{FALLBACK}");
    let new = old.replace("title = \"generated\"", "title = \"changed\"");
    std::fs::write(dir.join("old.toml"), &old).unwrap();
    std::fs::write(dir.join("new.toml"), &new).unwrap();
    let (o, n) = (dir.join("old.toml"), dir.join("new.toml"));
    let (o, n) = (o.to_str().unwrap(), n.to_str().unwrap());
    let mut runs = vec![
        vec!["eval", n, "--format", "json"],
        vec!["eval", n],
        vec!["diff", o, n, "--format", "json"],
        vec!["diff", o, n, "--format", "md"],
        vec!["diff", o, n],
        vec!["test", n, "--format", "json"],
        vec![
            "explain",
            n,
            "--given",
            "d0=o0",
            "--max-paths",
            "1000",
            "--format",
            "json",
        ],
    ];
    for format in ["md", "json", "dot", "mermaid", "html"] {
        runs.push(vec!["report", n, "--format", format]);
    }
    for args in runs {
        let output = casus().args(&args).output().unwrap();
        let code = output.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "casus {args:?} ended with {code:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        if args.contains(&"json") && code == Some(0) {
            serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap();
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The whole corpus through the binary at once, in every command that takes a folder: each
/// ends with findings (exit 1), never with a crash (101) or an abort.
#[test]
fn the_binary_survives_the_whole_corpus() {
    let dir = scratch("corpus-reports");
    let out = dir.to_str().unwrap();
    for args in [
        vec!["check", "tests/fixtures/hostile"],
        vec!["check", "tests/fixtures/hostile", "--format", "json"],
        vec!["check", "tests/fixtures/hostile", "--format", "sarif"],
        vec!["check", "tests/fixtures/hostile", "--format", "github"],
        vec!["test", "tests/fixtures/hostile"],
        vec!["test", "tests/fixtures/hostile", "--format", "junit"],
        vec![
            "report",
            "tests/fixtures/hostile",
            "--format",
            "html",
            "-o",
            out,
        ],
        vec!["fmt", "--check", "tests/fixtures/hostile"],
    ] {
        let output = casus().args(&args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "casus {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
