//! `casus diff`: a temporary git repository commits a scenario, a change edits a likelihood and
//! a rule, and `casus diff --rev HEAD` must report the moved outcomes, the changed line of play,
//! the changed path and the broken test — checked against numbers worked out by hand, and
//! snapshotted in all three formats. Two folders and the error cases are covered too.
//!
//! The scenario (tests/fixtures/diff/{old,new}/talks.toml), by hand:
//! - old: offer none 0.4 → stalemate; relief 0.6 × accept 0.5 → deal 0.3; relief × refuse 0.5 →
//!   the US walks away 0.3; sanctions_tighten is unreachable. Russia prefers refusing (payoff 2
//!   against 1), so the US, which loses by it (−1), offers nothing: line `offer=none` →
//!   stalemate.
//! - new: accept 0.8, refuse 0.2, and a refusal now brings sanctions (Russia −1): deal
//!   0.6 × 0.8 = 0.48, sanctions_tighten 0.6 × 0.2 = 0.12, us_walks unreachable, stalemate 0.4
//!   unchanged. Russia now accepts (1 against −1), so the US offers relief (2 against 0): line
//!   `offer=relief, answer=accept` → deal.
//! - one of three paths changes outcome: relief × refuse, us_walks (p 0.3) → sanctions_tighten
//!   (p 0.12); the test `refusal_means_walk_away` passed and now fails.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions unwrap file, process and fixture operations that must succeed"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};
use serde_json::Value as Json;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `casus` in `dir`; built by `cargo test --workspace` (or `cargo build -p casus-cli`).
fn casus(dir: &Path) -> Command {
    let mut command = Command::new(get_cargo_bin("casus"));
    command.current_dir(dir);
    command.env("NO_COLOR", "1");
    command
}

/// A fresh, empty folder for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("casus-diff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=casus test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(status.status.success(), "git {args:?}: {status:?}");
}

/// A repository with the old scenario committed and the new one in the working tree.
fn repository(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    git(&dir, &["init", "-q"]);
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/diff/old/talks.toml"),
        dir.join("scenarios/talks.toml"),
    )
    .unwrap();
    // Other TOML in the repository is not a scenario and must be left out.
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "scenario"]);
    std::fs::copy(
        root().join("tests/fixtures/diff/new/talks.toml"),
        dir.join("scenarios/talks.toml"),
    )
    .unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = casus(dir).args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn diff_against_head_in_all_three_formats() {
    let dir = repository("formats");
    for format in ["human", "md", "json"] {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_suffix(format);
        settings.set_info(&format!("casus diff --rev HEAD --format {format}"));
        settings.set_omit_expression(true);
        let (code, stdout, stderr) = run(&dir, &["diff", "--rev", "HEAD", "--format", format]);
        assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
        settings.bind(|| insta::assert_snapshot!(stdout));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_moved_numbers_are_the_ones_worked_out_by_hand() {
    let dir = repository("numbers");
    let (code, stdout, _) = run(&dir, &["diff", "--rev", "HEAD", "--format", "json"]);
    assert_eq!(code, 0);
    let json: Json = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["changed"], 1);
    assert_eq!(
        json["files"].as_array().unwrap().len(),
        1,
        "Cargo.toml is not a scenario"
    );
    let file = &json["files"][0];
    assert_eq!(file["file"], "scenarios/talks.toml");

    let outcomes = file["results"]["outcomes"].as_array().unwrap();
    let find = |id: &str| outcomes.iter().find(|o| o["id"] == id).cloned();
    let p = |v: &Json| v.as_f64().unwrap();
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    let deal = find("deal").unwrap();
    assert!(close(p(&deal["old"]["probability"]), 0.3));
    assert!(close(p(&deal["new"]["probability"]), 0.48));
    assert!(close(p(&deal["delta"]), 0.18));
    let walks = find("us_walks").unwrap();
    assert!(close(p(&walks["old"]["probability"]), 0.3));
    assert_eq!(walks["new"]["reachable"], false);
    assert!(close(p(&walks["delta"]), -0.3));
    let tighten = find("sanctions_tighten").unwrap();
    assert_eq!(tighten["old"]["reachable"], false);
    assert!(close(p(&tighten["new"]["probability"]), 0.12));
    assert!(find("stalemate").is_none(), "the stalemate did not move");

    let strategy = &file["results"]["strategy"];
    let line = |side: &str| -> Vec<String> {
        strategy[side]["path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                format!(
                    "{}={}",
                    s["decision"].as_str().unwrap(),
                    s["option"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(line("old"), vec!["offer=none"]);
    assert_eq!(strategy["old"]["outcome"], "stalemate");
    assert_eq!(line("new"), vec!["offer=relief", "answer=accept"]);
    assert_eq!(strategy["new"]["outcome"], "deal");

    let paths = &file["results"]["paths_changed"];
    assert_eq!(
        (paths["matched"].as_u64(), paths["changed"].as_u64()),
        (Some(3), Some(1))
    );
    let example = &paths["examples"][0];
    assert_eq!(example["old_outcomes"][0], "us_walks");
    assert_eq!(example["new_outcomes"][0], "sanctions_tighten");
    assert!(close(p(&example["old_probability"]), 0.3));
    assert!(close(p(&example["new_probability"]), 0.12));

    assert_eq!(file["results"]["tests"][0]["id"], "refusal_means_walk_away");
    assert_eq!(file["results"]["tests"][0]["old"], "passed");
    assert_eq!(file["results"]["tests"][0]["new"], "failed");

    // The model: the likelihood and the rule, field by field.
    let changes = file["changes"].as_array().unwrap();
    let fields: Vec<String> = changes
        .iter()
        .flat_map(|c| {
            c["fields"].as_array().unwrap().iter().map(move |f| {
                format!(
                    "{} {}.{}: {} -> {}",
                    c["kind"].as_str().unwrap(),
                    c["id"].as_str().unwrap(),
                    f["field"].as_str().unwrap(),
                    f["old"].as_str().unwrap(),
                    f["new"].as_str().unwrap()
                )
            })
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            "decision answer.likelihood.accept: 0.5 -> 0.8",
            "decision answer.likelihood.refuse: 0.5 -> 0.2",
            "rule answer_to_refusal.then.posture: walk_away -> pressure",
            "rule answer_to_refusal.because: the US walks away from talks Moscow refuses -> the US answers a refusal with tighter sanctions",
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn human_output_shows_the_hand_checked_numbers() {
    let dir = repository("human");
    let (_, stdout, _) = run(&dir, &["diff", "--rev", "HEAD"]);
    for expected in [
        "deal                    30.0 % → 48.0 %       +18.0 pts",
        "us_walks                30.0 % → unreachable  -30.0 pts  (now unreachable)",
        "sanctions_tighten  unreachable → 12.0 %       +12.0 pts  (now reachable)",
        "old: offer=none (us) → stalemate",
        "new: offer=relief (us), answer=accept (russia) → deal",
        "1 path now ends in `sanctions_tighten` instead of `us_walks` (12.0 % now, 30.0 % before)\n    e.g. offer=relief, answer=refuse",
        "refusal_means_walk_away: passed → failed",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in\n{stdout}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn fail_on_change_and_unchanged_files() {
    let dir = repository("fail-on-change");
    assert_eq!(
        run(&dir, &["diff", "--rev", "HEAD", "--fail-on-change"]).0,
        1
    );
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "change"]);
    let (code, stdout, _) = run(&dir, &["diff", "--rev", "HEAD", "--fail-on-change"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("no semantic change"), "{stdout}");
    // Against the first commit, from a subfolder, naming the folder.
    let (code, stdout, _) = run(&dir.join("scenarios"), &["diff", "--rev", "HEAD~1", "."]);
    assert_eq!(code, 0);
    assert!(stdout.contains("+18.0 pts"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn added_and_removed_scenarios_against_a_revision() {
    let dir = repository("added-removed");
    std::fs::rename(
        dir.join("scenarios/talks.toml"),
        dir.join("scenarios/renamed.toml"),
    )
    .unwrap();
    let (code, stdout, _) = run(&dir, &["diff", "--rev", "HEAD", "scenarios"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("scenarios/renamed.toml — Talks on a cease-fire\n  added scenario"),
        "{stdout}"
    );
    assert!(
        stdout.contains("scenarios/talks.toml — Talks on a cease-fire\n  removed scenario"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 scenarios: 0 changed, 1 added, 1 removed, 0 unchanged"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn clear_errors_outside_a_repository_and_for_unknown_revisions() {
    let outside = temp_dir("outside");
    let (code, _, stderr) = run(&outside, &["diff", "--rev", "HEAD"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not in a git repository"), "{stderr}");
    assert!(stderr.contains("use `casus diff OLD NEW`"), "{stderr}");

    let dir = repository("errors");
    let (code, _, stderr) = run(&dir, &["diff", "--rev", "no-such-branch"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`no-such-branch` is not a revision"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&dir, &["diff", "--rev", "--output=x"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = run(&dir, &["diff", "--rev", "HEAD", "scenarios/missing.toml"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("exists neither in the working tree nor in `HEAD`"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&outside).unwrap();
}

#[test]
fn two_folders_matched_by_file_name() {
    assert_cmd_snapshot!(casus(root()).args([
        "diff",
        "tests/fixtures/diff/old",
        "tests/fixtures/diff/new"
    ]));
}

#[test]
fn markdown_escapes_scenario_text() {
    let dir = temp_dir("escape");
    let old = std::fs::read_to_string(root().join("tests/fixtures/diff/old/talks.toml")).unwrap();
    let hostile = old.replace(
        "title = \"Talks on a cease-fire\"",
        "title = \"<img src=x onerror=alert(1)> | [link](http://x) **bold**\"",
    );
    std::fs::write(dir.join("old.toml"), &old).unwrap();
    std::fs::write(dir.join("new.toml"), &hostile).unwrap();
    let (code, stdout, _) = run(&dir, &["diff", "old.toml", "new.toml", "--format", "md"]);
    assert_eq!(code, 0);
    // In prose the title is escaped: no tag, no link, no emphasis.
    let heading = stdout.lines().find(|l| l.starts_with("#### ")).unwrap();
    assert_eq!(
        heading,
        "#### `new.toml` — &lt;img src=x onerror=alert\\(1\\)&gt; \\| \\[link\\]\\(http\\://x\\) \\*\\*bold\\*\\*"
    );
    // In the list of model changes it is a code span, which Markdown shows literally.
    assert!(
        stdout.contains("`title`: `Talks on a cease-fire` → `<img src=x onerror=alert(1)> | [link](http://x) **bold**`"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The pull-request comment for each kind of change a reviewer meets, one fixture folder each
/// (`tests/fixtures/diff/md/CASE/{old,new}.toml`): what moved first, then the model, then the
/// paths with a witness each.
#[test]
fn markdown_for_reviewers() {
    insta::glob!("fixtures/diff/md/*/new.toml", |path| {
        let dir = path.parent().unwrap();
        let (code, stdout, stderr) = run(dir, &["diff", "old.toml", "new.toml", "--format", "md"]);
        assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
        insta::assert_snapshot!(stdout);
    });
}

/// `--fail-on`: each rule fails on its own kind of change and passes on the others.
#[test]
fn fail_on_thresholds() {
    let md = root().join("tests/fixtures/diff/md");
    let code = |case: &str, rules: &str| {
        let out = casus(&md.join(case))
            .args(["diff", "old.toml", "new.toml", "--fail-on", rules])
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    // likelihood 0.5 → 0.8 moves `deal` by 18 points (0.6 × 0.3).
    assert_eq!(code("likelihood-changed", "outcome-move=20pts").0, 0);
    let (status, stderr) = code("likelihood-changed", "outcome-move=5pts");
    assert_eq!(status, 1);
    assert!(
        stderr.contains("error: `new.toml`: outcome `deal` moved +18.0 pts, more than 5 pts"),
        "{stderr}"
    );
    assert_eq!(code("likelihood-changed", "test-flip").0, 0);
    assert_eq!(code("test-flipped", "test-flip").0, 1);
    assert!(
        code("test-flipped", "test-flip")
            .1
            .contains("test `refusal_means_walk_away` went from passed to failed"),
    );
    assert_eq!(
        code(
            "nothing-changed",
            "outcome-move=0,line-of-play,test-flip,any"
        )
        .0,
        0
    );
    assert_eq!(code("variant-added", "any").0, 1);
    assert_eq!(
        code("variant-added", "outcome-move=1pts,line-of-play,test-flip").0,
        0
    );
    // A typo is a usage error with a suggestion.
    let (status, stderr) = code("nothing-changed", "line-of-plya");
    assert_eq!(status, 2);
    assert!(stderr.contains("did you mean `line-of-play`?"), "{stderr}");
    // `--fail-on-change` keeps working: all or nothing.
    let out = casus(&md.join("rule-changed"))
        .args(["diff", "old.toml", "new.toml", "--fail-on-change"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// `--rev` finds the repository from the path given, wherever casus runs; a shallow clone
/// missing the revision is told about the checkout depth.
#[test]
fn rev_uses_the_repository_of_the_path_and_explains_shallow_clones() {
    let dir = repository("rev-path");
    let elsewhere = temp_dir("rev-elsewhere");
    let target = dir.join("scenarios");
    let (code, stdout, stderr) = run(
        &elsewhere,
        &["diff", "--rev", "HEAD", target.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("+18.0 pts"), "{stdout}");

    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "change"]);
    let shallow = temp_dir("rev-shallow");
    let url = format!("file://{}", dir.display());
    git(&shallow, &["clone", "-q", "--depth", "1", &url, "clone"]);
    let (code, _, stderr) = run(
        &shallow.join("clone"),
        &["diff", "--rev", "HEAD~1", "scenarios"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("`HEAD~1` is not a revision"), "{stderr}");
    assert!(stderr.contains("shallow clone"), "{stderr}");
    assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
    for d in [&dir, &elsewhere, &shallow] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

/// Only changed files are listed; the summary counts the rest.
#[test]
fn unchanged_files_are_counted_not_listed() {
    let dir = temp_dir("unchanged");
    for side in ["old", "new"] {
        std::fs::create_dir_all(dir.join(side)).unwrap();
        std::fs::copy(
            root()
                .join("tests/fixtures/diff/md/likelihood-changed")
                .join(format!("{side}.toml")),
            dir.join(side).join("moved.toml"),
        )
        .unwrap();
        std::fs::copy(
            root().join("tests/fixtures/diff/old/talks.toml"),
            dir.join(side).join("same.toml"),
        )
        .unwrap();
    }
    let (code, stdout, _) = run(&dir, &["diff", "old", "new", "--format", "md"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("#### `moved.toml`"), "{stdout}");
    assert!(!stdout.contains("same.toml"), "{stdout}");
    assert!(
        stdout.contains("2 scenarios: 1 changed, 0 added, 0 removed, 1 unchanged"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Variants, signposts and each analyst's estimate are diffed field by field.
#[test]
fn variants_signposts_and_analysts_are_compared() {
    let base =
        std::fs::read_to_string(root().join("tests/fixtures/diff/md/variant-added/new.toml"))
            .unwrap();
    let with = |desk_accept: &str, ratio: &str, variant: &str| {
        base.replace(
            "likelihood = { accept = 0.5, refuse = 0.5 }\n",
            &format!(
                "\n[decisions.answer.likelihood.by.desk]\naccept = {desk_accept}\nrefuse = 0.5\n\n[decisions.answer.likelihood.by.team]\naccept = 0.4\nrefuse = 0.6\n"
            ),
        )
        .replace("likelihood.answer = { accept = 0.2, refuse = 0.8 }", &format!("likelihood.answer = {variant}"))
        .replace(
            "[tests.no_offer_no_talks]",
            &format!("[signposts.walkout_threat]\ntitle = \"Moscow threatens to walk out\"\ndecision = \"answer\"\nratio = {ratio}\n\n[tests.no_offer_no_talks]"),
        )
    };
    let dir = temp_dir("analysts");
    let old = with("0.5", "{ refuse = 2 }", "{ accept = 0.2, refuse = 0.8 }");
    let new = with("0.7", "{ refuse = 3 }", "{ accept = 0.1, refuse = 0.9 }");
    assert_ne!(old, base);
    std::fs::write(dir.join("old.toml"), &old).unwrap();
    std::fs::write(dir.join("new.toml"), &new).unwrap();
    let (code, stdout, stderr) = run(&dir, &["diff", "old.toml", "new.toml", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let json: Json = serde_json::from_str(&stdout).unwrap();
    let changes = json["files"][0]["changes"].as_array().unwrap();
    let fields: Vec<String> = changes
        .iter()
        .flat_map(|c| {
            c["fields"].as_array().unwrap().iter().map(move |f| {
                format!(
                    "{} {}.{}: {} -> {}",
                    c["kind"].as_str().unwrap(),
                    c["id"].as_str().unwrap(),
                    f["field"].as_str().unwrap(),
                    f["old"].as_str().unwrap_or("-"),
                    f["new"].as_str().unwrap_or("-")
                )
            })
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            "decision answer.likelihood.by.desk.accept: 0.5 -> 0.7",
            "variant moscow_hardens.likelihood.answer.accept: 0.2 -> 0.1",
            "variant moscow_hardens.likelihood.answer.refuse: 0.8 -> 0.9",
            "signpost walkout_threat.ratio.refuse: 2 -> 3",
        ],
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A folder with no scenario on either side is a usage error, as for every command.
#[test]
fn an_empty_folder_against_a_revision_is_an_error() {
    let dir = repository("empty-rev");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let (code, stdout, stderr) = run(&dir, &["diff", "--rev", "HEAD", "empty"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr
            .contains("`empty` holds no scenario file (`*.toml`) in the working tree or in `HEAD`"),
        "{stderr}"
    );
    let (code, stdout, _) = run(&dir, &["--allow-empty", "diff", "--rev", "HEAD", "empty"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("0 scenarios"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}
