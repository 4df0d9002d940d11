//! What a user copies into CI must work: the workflows in `docs/ci.md`, the composite action
//! (`action.yml`) and the pre-commit hooks (`.pre-commit-hooks.yaml`).
//!
//! GitHub's runner (or `act`) cannot run here, so the YAML is parsed and every `casus` command
//! of every `run:` step and `script:` list is run with the built binary, in a scratch git
//! repository made like a scenarios repository: `scenarios/`, fresh `reports/`, and a base
//! commit for `casus diff --rev`. The other commands of the steps (installing casus, posting a
//! comment) are named in an allow list, so a new kind of step cannot slip by untested.
#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test fail the test on any error, as the tests themselves do"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use yaml_rust2::{Yaml, YamlLoader};

const TALKS: &str = include_str!("../../../tests/fixtures/diff/old/talks.toml");

/// A second test, so the scratch scenario's tests cover two of its three paths and the
/// documented `--min-coverage 40` passes on it.
const SECOND_TEST: &str = "\n[tests.acceptance_means_a_deal]\ngiven = { answer = \"accept\" }\nexpect = { outcome = \"deal\" }\n";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn casus_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_casus"))
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
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
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

fn casus(dir: &Path, args: &[&str]) -> Output {
    Command::new(casus_bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// A scenarios repository: a base commit, then a commit that moves a likelihood (with its
/// reports regenerated), so the head is clean and `HEAD~1` is the base to diff against.
fn scratch_repo(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("ci-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    git(&dir, &["init", "-q"]);
    let base = format!("{TALKS}{SECOND_TEST}");
    std::fs::write(dir.join("scenarios/talks.toml"), &base).unwrap();
    assert_eq!(casus(&dir, &["report", "scenarios"]).status.code(), Some(0));
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    let head = base.replace(
        "likelihood = { accept = 0.5, refuse = 0.5 }",
        "likelihood = { accept = 0.7, refuse = 0.3 }",
    );
    assert_ne!(head, base, "the edit must apply");
    std::fs::write(dir.join("scenarios/talks.toml"), head).unwrap();
    assert_eq!(casus(&dir, &["report", "scenarios"]).status.code(), Some(0));
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "head"]);
    dir
}

/// The ```yaml blocks of a Markdown file.
fn yaml_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_start() == "```yaml" => current = Some(String::new()),
            Some(block) if line.trim_start() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

fn parse(text: &str) -> Yaml {
    let loaded = YamlLoader::load_from_str(text);
    assert!(loaded.is_ok(), "{loaded:?}\n{text}");
    let mut docs = loaded.unwrap();
    assert_eq!(docs.len(), 1, "one YAML document:\n{text}");
    docs.remove(0)
}

/// Every shell script of a workflow: the `run:` of GitHub steps and the items of GitLab's
/// `script:` and `before_script:`, in document order.
fn scripts(yaml: &Yaml, out: &mut Vec<String>) {
    match yaml {
        Yaml::Hash(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    (Some("run"), Yaml::String(script)) => out.push(script.clone()),
                    (Some("script" | "before_script"), Yaml::Array(items)) => {
                        out.extend(items.iter().filter_map(|i| i.as_str().map(str::to_owned)));
                    }
                    _ => scripts(value, out),
                }
            }
        }
        Yaml::Array(items) => items.iter().for_each(|i| scripts(i, out)),
        _ => {}
    }
}

/// The commands of a script: continuation lines and `if … fi` joined, comments and blank
/// lines dropped.
fn command_lines(script: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut pending = String::new();
    for line in script.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            continue;
        }
        pending.push_str(line);
        let in_if = pending.starts_with("if ") && !(line == "fi" || line.ends_with("fi;"));
        if in_if {
            pending.push(' ');
            continue;
        }
        lines.push(std::mem::take(&mut pending));
    }
    if !pending.is_empty() {
        lines.push(pending);
    }
    lines
}

/// Commands of the documented steps that are not casus's to run here: installing casus,
/// posting the comment, fetching the target branch, showing a file.
const NOT_CASUS: [&str; 7] = [
    "cargo install ",
    "command -v casus || cargo install ",
    "export CARGO_HOME=",
    "gh pr comment ",
    "git fetch ",
    "cat ",
    "if [ -n \"$CASUS_BOT_TOKEN\" ]; then curl ",
];

/// Runs one documented command line with the built `casus` first on `PATH`, as a step would.
fn run_line(dir: &Path, line: &str) -> Output {
    let line = line
        .replace("${{ github.event.pull_request.base.sha }}", "HEAD~1")
        .replace("origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "HEAD~1");
    let bin_dir = casus_bin().parent().unwrap().to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    Command::new("bash")
        .args(["-c", &format!("set -eo pipefail\n{line}")])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// The casus commands of `docs/ci.md`'s YAML, by block; fails on a command it cannot place.
fn documented_casus_commands() -> Vec<Vec<String>> {
    let doc = std::fs::read_to_string(repo().join("docs/ci.md")).unwrap();
    let blocks = yaml_blocks(&doc);
    assert!(
        blocks.len() >= 2,
        "docs/ci.md shows a GitHub and a GitLab workflow"
    );
    blocks
        .iter()
        .map(|block| {
            let mut found = Vec::new();
            scripts(&parse(block), &mut found);
            let mut commands = Vec::new();
            for line in found.iter().flat_map(|s| command_lines(s)) {
                if line.starts_with("casus ") {
                    commands.push(line);
                } else {
                    assert!(
                        NOT_CASUS.iter().any(|p| line.starts_with(p)),
                        "docs/ci.md has a step this test does not know how to run: {line:?}"
                    );
                }
            }
            assert!(!commands.is_empty(), "no casus command in\n{block}");
            commands
        })
        .collect()
}

#[test]
fn every_casus_command_of_the_documented_workflows_passes_on_a_clean_repository() {
    let dir = scratch_repo("workflows");
    let blocks = documented_casus_commands();
    for command in blocks.iter().flatten() {
        let out = run_line(&dir, command);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{command}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The diff step wrote the comment, and it names what moved.
    let comment = std::fs::read_to_string(dir.join("casus-diff.md")).unwrap();
    assert!(comment.contains("`deal`"), "{comment}");
    let junit = std::fs::read_to_string(dir.join("casus-junit.xml")).unwrap();
    assert!(junit.contains("<testsuites"), "{junit}");
}

#[test]
fn the_documented_freshness_check_fails_on_a_changed_rule() {
    let dir = scratch_repo("stale");
    let checks: Vec<String> = documented_casus_commands()
        .into_iter()
        .flatten()
        .filter(|c| c.starts_with("casus report --check"))
        .collect();
    assert_eq!(
        checks.len(),
        2,
        "one freshness check per workflow: {checks:?}"
    );
    let path = dir.join("scenarios/talks.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = text.replace(
        "then = { posture = \"walk_away\" }",
        "then = { posture = \"pressure\" }",
    );
    assert_ne!(changed, text, "the edit must apply");
    std::fs::write(&path, changed).unwrap();
    for check in &checks {
        let out = run_line(&dir, check);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{check} must fail on a stale report"
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("stale: reports/talks.md"),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // The form the documentation used to show, from the reports folder, catches it too.
    let out = casus(&dir, &["report", "--check", "reports/"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("stale: reports/talks.md"));
}
