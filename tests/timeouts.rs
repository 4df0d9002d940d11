//! `--timeout` is honoured by every command that evaluates: on a scenario built to be slow in
//! the part the command runs, each one ends within the limit plus 10 % plus 0.2 s, with an
//! `E0003` (nothing finished) or with a note naming what it left out (the rest finished).
//!
//! The scenarios are generated here, each slow in its own way:
//! - `wide`: 24 chance events whose `add`s all reach the outcome, so no two paths merge and
//!   the first evaluation alone takes far longer than the limit;
//! - `rules`: one decision and 5,000 identical rules that set a fact another rule reads, so
//!   the forecast is instant and the analyses that drop each rule in turn are not (rules that
//!   write only facts the outcomes alone read are all dropped in one search);
//! - `paths`: 30 chance events nothing reads, so the search merges them at once and a walk
//!   over the paths (explain) meets 2^30 of them;
//! - `game`: a Gambit game of 1,023 moves, whose scenario `casus import` checks (and so
//!   evaluates) before writing it;
//! - `big game`: one of 16,383 moves, whose search needs a line of play per level below each
//!   level (gigabytes made before the search started, 40 s and more, until the lines were made
//!   as the search reaches them, watching the deadline).
#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test fail the test on any error, as the tests themselves do"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use insta_cmd::get_cargo_bin;

#[path = "support/slow.rs"]
mod slow;

/// The limit every run gets.
const TIMEOUT_SECONDS: u64 = 2;

/// One run at a time: the bound is on each command's own time, which parallel runs would
/// stretch on a two-core machine.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp/timeouts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn header(title: &str) -> String {
    format!("[scenario]\ntitle = \"{title}\"\n\n[actors]\nme = \"Me\"\n\n")
}

/// Each scenario is written once per run: tests run in parallel, and one rewriting a file
/// while another reads it would hand the reader half a file.
fn once(cell: &'static OnceLock<PathBuf>, make: fn() -> PathBuf) -> PathBuf {
    cell.get_or_init(make).clone()
}

fn wide() -> PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    once(&FILE, make_wide)
}

fn rules() -> PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    once(&FILE, make_rules)
}

fn paths() -> PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    once(&FILE, make_paths)
}

fn make_wide() -> PathBuf {
    let mut text = slow::wide(24);
    text.push_str(
        "\n[tests.high]\ngiven = { d23 = \"a\", d0 = \"a\" }\nexpect = { outcome = \"high\" }\n",
    );
    write("wide.toml", &text)
}

fn make_rules() -> PathBuf {
    let n = 5000;
    let mut text = header("rules");
    text.push_str("[facts]\nx = { type = \"bool\", default = false }\ny = { type = \"bool\", default = false }\n\n[decisions.d]\nactor = \"nature\"\noptions = [\"a\", \"b\"]\nlikelihood = { a = \"likely\", b = \"unlikely\" }\n\n");
    // A later chance whose likelihood reads `x`: without one rule the paths' chances could
    // change, so each drop needs an evaluation of its own (and the outcomes read `d`, so
    // states merge only after it).
    text.push_str("[decisions.e]\nactor = \"nature\"\noptions = [\"a\", \"b\"]\nlikelihood = { a = 0.5, b = 0.5 }\n\n[[decisions.e.likelihood_if]]\nwhen = \"x\"\na = 0.9\nb = 0.1\n\n");
    for i in 0..n {
        let _ = write!(
            text,
            "[rules.r{i}]\nwhen = \"d == 'a'\"\nthen = {{ x = true }}\nbecause = \"each one counts\"\n\n"
        );
    }
    text.push_str(
        "[rules.read]\nwhen = \"x\"\nthen = { y = true }\nbecause = \"reads x\"\n\n[outcomes.high]\nwhen = \"y and d == 'a'\"\npayoff = { me = 1 }\n\n[outcomes.low]\npayoff = { me = 0 }\n",
    );
    write("rules.toml", &text)
}

fn make_paths() -> PathBuf {
    let mut text = header("paths");
    for i in 0..30 {
        let _ = write!(
            text,
            "[decisions.d{i}]\nactor = \"nature\"\noptions = [\"a\", \"b\"]\nlikelihood = {{ a = 0.5, b = 0.5 }}\n\n"
        );
    }
    text.push_str("[outcomes.end]\npayoff = { me = 1 }\n");
    write("paths.toml", &text)
}

fn write(name: &str, text: &str) -> PathBuf {
    let path = dir().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `casus ARGS --timeout 2` and returns the exit code, everything printed and the time
/// it took, asserting the bound.
fn run(args: &[&str]) -> (i32, String) {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let output = Command::new(get_cargo_bin("casus"))
        .args(args)
        .args(["--timeout", &TIMEOUT_SECONDS.to_string()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let took = started.elapsed();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let bound = Duration::from_secs(TIMEOUT_SECONDS).mul_f64(1.1) + Duration::from_millis(200);
    assert!(
        took <= bound,
        "casus {} took {took:?}, more than {bound:?}:\n{text}",
        args.join(" ")
    );
    (output.status.code().unwrap_or(-1), text)
}

/// Nothing finished: exit 1 with the limit's diagnostic.
fn assert_stopped((code, text): (i32, String)) {
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("E0003") && text.contains("time limit"),
        "{text}"
    );
}

#[test]
fn check_stops_at_the_limit() {
    let wide = wide();
    assert_stopped(run(&["check", wide.to_str().unwrap()]));
}

#[test]
fn eval_stops_at_the_limit_or_leaves_out_what_did_not_fit() {
    let wide = wide();
    assert_stopped(run(&["eval", wide.to_str().unwrap()]));
    // The forecast finishes; dropping 5,000 rules one by one does not, and says so.
    let rules = rules();
    let (code, text) = run(&["eval", rules.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Forecast"), "{text}");
    assert!(
        text.contains("note: the assumption ranking is left out"),
        "{text}"
    );
}

#[test]
fn explain_stops_at_the_limit_while_walking_paths() {
    let paths = paths();
    assert_stopped(run(&["explain", paths.to_str().unwrap()]));
    let wide = wide();
    assert_stopped(run(&["explain", wide.to_str().unwrap()]));
}

#[test]
fn test_stops_at_the_limit() {
    let wide = wide();
    assert_stopped(run(&["test", wide.to_str().unwrap()]));
}

#[test]
fn report_stops_at_the_limit_or_leaves_out_what_did_not_fit() {
    let wide = wide();
    assert_stopped(run(&["report", wide.to_str().unwrap()]));
    let rules = rules();
    let (code, text) = run(&["report", rules.to_str().unwrap(), "--format", "md"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("time limit"), "{text}");
}

#[test]
fn export_stops_at_the_limit() {
    let wide = wide();
    for format in ["efg", "silverdecisions"] {
        assert_stopped(run(&["export", wide.to_str().unwrap(), "--format", format]));
    }
}

#[test]
fn diff_stops_at_the_limit() {
    let wide = wide();
    let other = dir().join("wide-changed.toml");
    let text = std::fs::read_to_string(&wide).unwrap().replace(
        "because = \"each one counts\"",
        "because = \"each one still counts\"",
    );
    std::fs::write(&other, text).unwrap();
    // Neither version evaluates within the limit: the model is compared, the results are
    // not, and the diff says so.
    let (_, text) = run(&["diff", wide.to_str().unwrap(), other.to_str().unwrap()]);
    assert!(text.contains("changed rule `r0`"), "{text}");
    assert!(text.contains("results not compared"), "{text}");
    // A gate on the results cannot pass when they were not compared.
    let (code, text) = run(&[
        "diff",
        wide.to_str().unwrap(),
        other.to_str().unwrap(),
        "--fail-on",
        "outcome-move=5pts",
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("results not compared, so `--fail-on` cannot judge them"),
        "{text}"
    );
}

#[test]
fn import_stops_at_the_limit() {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    let game = once(&FILE, || write("game.efg", &slow::binary_game(10)));
    let (code, text) = run(&["import", game.to_str().unwrap(), "--max-decisions", "4000"]);
    assert_stopped((code, text.clone()));
    assert!(
        text.contains("could not be checked within the limits"),
        "{text}"
    );
    assert!(!text.contains("this is a bug"), "{text}");
}

#[test]
fn import_of_a_large_game_stops_at_the_limit() {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    let game = once(&FILE, || write("big-game.efg", &slow::binary_game(14)));
    let (code, text) = run(&["import", game.to_str().unwrap(), "--max-decisions", "20000"]);
    assert_stopped((code, text.clone()));
    // What finished is said, and nothing is written.
    assert!(
        text.contains("note: finished: read the game (16383 moves, 16384 terminal nodes)"),
        "{text}"
    );
    assert!(text.contains("not written"), "{text}");
    assert!(!text.contains("[scenario]"), "{text}");
}

/// With no time at all, the import stops after its first stage and says so, before it makes
/// or checks any scenario.
#[test]
fn import_says_which_stages_finished() {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    let game = once(&FILE, || write("game-0.efg", &slow::binary_game(10)));
    let output = Command::new(get_cargo_bin("casus"))
        .args(["import", game.to_str().unwrap(), "--max-decisions", "4000"])
        .args(["--timeout", "0"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(output.stdout.is_empty(), "{text}");
    assert!(
        text.contains("error[E0003]: importing the game took longer than the time limit"),
        "{text}"
    );
    assert!(
        text.contains(
            "note: finished: read the game (1023 moves, 1024 terminal nodes); not finished: making its scenario"
        ),
        "{text}"
    );
}

#[test]
fn score_stops_at_the_limit() {
    // Outside git's index, the file as it is is its only version; evaluating it does not end
    // within the limit, so the file is left out of the record, and the limit that stopped it
    // is shown as `casus check` shows it.
    let wide = wide();
    let (code, text) = run(&["score", wide.to_str().unwrap()]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("0 file(s) scored"), "{text}");
    assert!(
        text.contains("wide.toml | — | the newest version has errors"),
        "{text}"
    );
    assert!(
        text.contains("error[E0003]: evaluation took longer than the time limit"),
        "{text}"
    );
    assert!(
        text.contains("note: ") && text.contains("wide.toml could not be checked within the limits and is not scored; raise the limit named above (such as `--timeout`)\n"),
        "{text}"
    );
    assert!(!text.contains("`casus check` shows them"), "{text}");
}
