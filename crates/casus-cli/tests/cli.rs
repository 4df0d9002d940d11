//! The `casus` binary as a user runs it: exit codes, stdout and stderr, snapshotted.

use std::process::Command;

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

/// `casus` run from the workspace root, so paths in the output are the ones a user types.
fn casus() -> Command {
    let mut command = Command::new(get_cargo_bin("casus"));
    command.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    command.env("NO_COLOR", "1");
    command
}

#[test]
fn eval_human_on_the_bundled_scenario() {
    assert_cmd_snapshot!(casus().args(["eval", "scenarios/ukraine-peace-framework.toml"]));
}

#[test]
fn eval_json_on_the_bundled_scenario() {
    assert_cmd_snapshot!(casus().args([
        "eval",
        "scenarios/ukraine-peace-framework.toml",
        "--format",
        "json"
    ]));
}

#[test]
fn eval_with_a_given_decision() {
    assert_cmd_snapshot!(casus().args([
        "eval",
        "tests/fixtures/valid/design-example.toml",
        "--given",
        "russia_answer=refuse"
    ]));
}

#[test]
fn eval_with_an_unknown_given_is_a_usage_error() {
    assert_cmd_snapshot!(casus().args([
        "eval",
        "tests/fixtures/valid/design-example.toml",
        "--given",
        "russia_anwser=refuse"
    ]));
}

#[test]
fn check_a_folder_of_clean_scenarios() {
    assert_cmd_snapshot!(casus().args(["check", "scenarios"]));
}

#[test]
fn a_missing_file_is_an_io_error() {
    assert_cmd_snapshot!(casus().args(["check", "no/such/file.toml"]));
}

#[test]
fn the_path_limit_ends_with_a_diagnostic() {
    assert_cmd_snapshot!(casus().args([
        "eval",
        "scenarios/ukraine-peace-framework.toml",
        "--max-paths",
        "10"
    ]));
}

/// A lint given two levels on one command line is a usage error naming both flags, whatever
/// their order; the same level twice is not.
#[test]
fn conflicting_lint_flags_are_a_usage_error() {
    let file = "scenarios/us-walk-away.toml";
    for args in [
        ["--deny", "W0104", "--allow", "W0104"],
        ["--allow", "W0104", "--deny", "unused_input"],
    ] {
        let output = casus().arg("check").arg(file).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("`--allow W0104`"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("`--deny W0104`") || stderr.contains("`--deny unused_input`"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("two levels"), "{args:?}: {stderr}");
    }
    let output = casus()
        .args(["check", file, "--deny", "W0104", "--deny", "unused_input"])
        .output()
        .unwrap();
    // It runs (exit 0 or 1 with the file's findings); no usage error.
    assert!(matches!(output.status.code(), Some(0 | 1)));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("two levels"));
}

/// One path is "1 path", not "1 paths".
#[test]
fn a_limit_of_one_path_is_singular() {
    let output = casus()
        .args([
            "check",
            "scenarios/ukraine-peace-framework.toml",
            "--max-paths",
            "1",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let all = format!("{stdout}{stderr}");
    assert_eq!(output.status.code(), Some(1), "{all}");
    assert!(
        all.contains("the scenario has more than 1 path to walk"),
        "{all}"
    );
    assert!(!all.contains("1 paths"), "{all}");
}

#[test]
fn schema_output_prints_each_committed_output_schema() {
    // Each copy in `schema/output/` is what `casus schema --output NAME` prints, so every
    // contract has its value on the command line and no value prints another's schema.
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/output"));
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    for file in files {
        let file_name = file.file_name().unwrap().to_string_lossy().into_owned();
        let name = file_name.strip_suffix(".schema.json").unwrap();
        let output = casus().args(["schema", "--output", name]).output().unwrap();
        assert!(output.status.success(), "{name}: {output:?}");
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            std::fs::read_to_string(&file).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn eval_with_an_unknown_analysis_is_a_usage_error() {
    assert_cmd_snapshot!(casus().args([
        "eval",
        "tests/fixtures/valid/design-example.toml",
        "--analyses",
        "ranges,rankng"
    ]));
}

/// `--analyses` computes what it names and nothing else; `none` is the forecast alone, with
/// the same numbers as the full run.
#[test]
fn eval_computes_only_the_analyses_asked_for() {
    let json = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "eval",
            "scenarios/ukraine-peace-framework.toml",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = casus().args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let full = json(&[]);
    let none = json(&["--analyses", "none"]);
    let ranking = json(&["--analyses", "ranking"]);
    for key in ["sensitivity", "assumptions", "value_of_information"] {
        assert!(full.get(key).is_some(), "{key} in the full run");
        assert!(none.get(key).is_none(), "{key} with --analyses none");
    }
    assert!(ranking.get("assumptions").is_some());
    assert!(ranking.get("sensitivity").is_none());
    let probabilities = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["probability"].clone())
            .collect()
    };
    assert_eq!(probabilities(&full), probabilities(&none));
    assert_eq!(full["assumptions"], ranking["assumptions"]);
}
