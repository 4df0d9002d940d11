//! `casus report` on real folders: writing reports, and `--check` failing on stale or missing
//! reports and passing on fresh ones, without ever writing.
#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test fail the test on any error, as the tests themselves do"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAMPLE: &str = include_str!("../../../tests/fixtures/valid/design-example.toml");

fn casus(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_casus"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh folder under cargo's temporary directory with `scenarios/example.toml`.
fn workspace(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("report-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::write(dir.join("scenarios/example.toml"), EXAMPLE).unwrap();
    dir
}

#[test]
fn check_fails_on_missing_and_stale_reports_and_passes_on_fresh_ones() {
    let dir = workspace("check");

    // Nothing committed yet: the report is missing.
    let out = casus(&["report", "--check", "scenarios"], &dir);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("missing: reports/example.md"),
        "{}",
        text(&out.stdout)
    );
    assert!(!dir.join("reports").exists(), "--check must not write");

    // Writing puts it in reports/ next to scenarios/.
    let out = casus(&["report", "scenarios"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let committed = std::fs::read(dir.join("reports/example.md")).unwrap();
    assert!(text(&committed).contains("\n## Forecast\n"));

    // Fresh: passes.
    let out = casus(&["report", "--check", "scenarios"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("up to date"),
        "{}",
        text(&out.stdout)
    );

    // A rule change moves the forecast: the committed report is stale, and stays as it was.
    let changed = EXAMPLE.replace(
        "likelihood = { holds = \"unlikely\", violated = \"likely\" }",
        "likelihood = { holds = \"likely\", violated = \"unlikely\" }",
    );
    assert_ne!(changed, EXAMPLE, "the edit must apply");
    std::fs::write(dir.join("scenarios/example.toml"), changed).unwrap();
    let out = casus(&["report", "--check", "scenarios"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("stale: reports/example.md"), "{stdout}");
    assert!(
        stdout.contains("casus report scenarios --format md -o reports"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read(dir.join("reports/example.md")).unwrap(),
        committed
    );

    // Regenerating makes it fresh again.
    assert_eq!(casus(&["report", "scenarios"], &dir).status.code(), Some(0));
    assert_eq!(
        casus(&["report", "--check", "scenarios"], &dir)
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn check_with_an_output_folder_and_another_format() {
    let dir = workspace("output");
    let out = casus(
        &["report", "scenarios", "--format", "json", "-o", "out"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/example.json")).unwrap()).unwrap();
    assert_eq!(json["schema"], "casus.report/1");
    let check = |format: &str| {
        casus(
            &[
                "report",
                "--check",
                "scenarios",
                "--format",
                format,
                "-o",
                "out",
            ],
            &dir,
        )
        .status
        .code()
    };
    assert_eq!(check("json"), Some(0));
    // Markdown reports were never written there.
    assert_eq!(check("md"), Some(1));
}

#[test]
fn one_file_goes_to_stdout_or_to_the_named_file() {
    let dir = workspace("single");
    let stdout = casus(
        &["report", "scenarios/example.toml", "--format", "dot"],
        &dir,
    );
    assert_eq!(stdout.status.code(), Some(0));
    assert!(text(&stdout.stdout).contains("digraph decisions {"));
    let written = casus(
        &[
            "report",
            "scenarios/example.toml",
            "--format",
            "dot",
            "-o",
            "graph.dot",
        ],
        &dir,
    );
    assert_eq!(written.status.code(), Some(0));
    assert_eq!(std::fs::read(dir.join("graph.dot")).unwrap(), stdout.stdout);
    let rules = casus(
        &[
            "report",
            "scenarios/example.toml",
            "--format",
            "mermaid",
            "--graph",
            "rules",
        ],
        &dir,
    );
    assert!(text(&rules.stdout).starts_with("flowchart LR\n"));
}

#[test]
fn a_scenario_with_errors_gets_no_report() {
    let dir = workspace("errors");
    std::fs::write(dir.join("scenarios/broken.toml"), "[scenario]\n").unwrap();
    let out = casus(&["report", "scenarios"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("broken.toml"),
        "{}",
        text(&out.stderr)
    );
    assert!(dir.join("reports/example.md").exists());
    assert!(!dir.join("reports/broken.md").exists());
}

/// Both folders work: the scenarios folder, and the reports folder (which used to check zero
/// reports and pass whatever the scenarios said).
#[test]
fn check_from_either_folder_catches_a_changed_rule() {
    let dir = workspace("either");
    assert_eq!(casus(&["report", "scenarios"], &dir).status.code(), Some(0));
    for folder in ["scenarios", "reports", "reports/", "scenarios/"] {
        let out = casus(&["report", "--check", folder], &dir);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{folder}: {}",
            text(&out.stdout)
        );
        assert!(
            text(&out.stdout).starts_with("1 md report in `reports"),
            "{folder}: {}",
            text(&out.stdout)
        );
    }
    let changed = EXAMPLE.replace(
        "then    = { us_posture = \"walk_away\" }",
        "then    = { us_posture = \"engage\" }",
    );
    assert_ne!(changed, EXAMPLE, "the rule edit must apply");
    std::fs::write(dir.join("scenarios/example.toml"), changed).unwrap();
    for folder in ["scenarios", "reports"] {
        let out = casus(&["report", "--check", folder], &dir);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{folder}: {}",
            text(&out.stdout)
        );
        assert!(
            text(&out.stdout).contains("stale: reports/example.md"),
            "{folder}: {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn check_fails_on_a_report_whose_scenario_is_gone_and_on_a_scenario_without_a_report() {
    let dir = workspace("orphans");
    assert_eq!(casus(&["report", "scenarios"], &dir).status.code(), Some(0));
    std::fs::copy(
        dir.join("reports/example.md"),
        dir.join("reports/retired.md"),
    )
    .unwrap();
    std::fs::write(dir.join("scenarios/second.toml"), EXAMPLE).unwrap();
    // A README beside the reports is no report, so no orphan.
    std::fs::write(dir.join("reports/README.md"), "# Reports\n").unwrap();
    for folder in ["scenarios", "reports"] {
        let out = casus(&["report", "--check", folder], &dir);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            text(&out.stdout),
            "missing: reports/second.md\n\
             orphaned: reports/retired.md (no scenario `scenarios/retired.toml`)\n\
             2 md reports are stale, missing or orphaned (2 scenarios); update them with \
             `casus report scenarios --format md -o reports` and delete the orphaned ones\n",
            "{folder}"
        );
    }
    // JSON reports are another format: none committed, so both are missing.
    let out = casus(
        &["report", "--check", "scenarios", "--format", "json"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("missing: reports/example.json"));
}

/// A wrong path in CI must not pass by checking nothing.
#[test]
fn an_empty_folder_fails_every_command_unless_allowed() {
    let dir = workspace("empty");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let commands: [&[&str]; 6] = [
        &["check", "empty"],
        &["test", "empty"],
        &["fmt", "--check", "empty"],
        &["report", "empty"],
        &["report", "--check", "empty"],
        &["diff", "empty", "empty"],
    ];
    for args in commands {
        let out = casus(args, &dir);
        assert_eq!(out.status.code(), Some(2), "casus {args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with("error: ") && stderr.contains("`empty`"),
            "casus {args:?}: {stderr}"
        );
        assert!(stderr.contains("--allow-empty"), "casus {args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "casus {args:?}");
        let allowed: Vec<&str> = std::iter::once("--allow-empty")
            .chain(args.iter().copied())
            .collect();
        let out = casus(&allowed, &dir);
        assert_eq!(
            out.status.code(),
            Some(0),
            "casus {allowed:?}: {}",
            text(&out.stderr)
        );
    }
    // The reports folder with `-o` is a mistake worth naming.
    assert_eq!(casus(&["report", "scenarios"], &dir).status.code(), Some(0));
    let out = casus(&["report", "--check", "reports", "-o", "reports"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("with `-o REPORTS`, give the scenarios folder"),
        "{}",
        text(&out.stderr)
    );
    // A folder that holds scenarios beside an empty one still fails: each folder counts.
    let out = casus(&["check", "scenarios", "empty"], &dir);
    assert_eq!(out.status.code(), Some(2));
}
