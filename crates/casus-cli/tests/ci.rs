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

use std::collections::BTreeMap;
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
            if commands.is_empty() {
                // A block that uses the action instead of running casus itself.
                check_action_use(&parse(block));
            }
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

// ---------------------------------------------------------------------------------------------
// The composite action.

fn action() -> Yaml {
    parse(&std::fs::read_to_string(repo().join("action.yml")).unwrap())
}

fn str_of<'y>(yaml: &'y Yaml, key: &str) -> &'y str {
    let value = yaml[key].as_str();
    assert!(value.is_some(), "`{key}` must be a string in {yaml:?}");
    value.unwrap_or_default()
}

/// The action's inputs with their defaults.
fn action_inputs(action: &Yaml) -> BTreeMap<String, String> {
    let inputs = action["inputs"].as_hash();
    assert!(inputs.is_some(), "action.yml declares its inputs");
    inputs
        .unwrap()
        .iter()
        .map(|(name, input)| {
            let name = name.as_str().unwrap().to_owned();
            assert!(!str_of(input, "description").is_empty(), "input {name}");
            (name, input["default"].as_str().unwrap_or("").to_owned())
        })
        .collect()
}

/// A documented `uses:` of the action passes only inputs the action declares; a documented
/// `.pre-commit-config.yaml` names only hooks that exist.
fn check_action_use(workflow: &Yaml) {
    if let Some(repos) = workflow["repos"].as_vec() {
        let ids: Vec<String> = hooks().iter().map(|h| str_of(h, "id").to_owned()).collect();
        let mut named = 0;
        for hook in repos
            .iter()
            .flat_map(|r| r["hooks"].as_vec().cloned().unwrap_or_default())
        {
            let id = str_of(&hook, "id");
            assert!(ids.iter().any(|i| i == id), "no pre-commit hook `{id}`");
            named += 1;
        }
        assert!(named > 0, "the pre-commit example names no hook");
        return;
    }
    let declared = action_inputs(&action());
    let mut uses = 0;
    let mut stack = vec![workflow];
    while let Some(node) = stack.pop() {
        match node {
            Yaml::Hash(map) => {
                if node["uses"].as_str().is_some_and(|u| u.contains("casus")) {
                    uses += 1;
                    if let Some(with) = node["with"].as_hash() {
                        for key in with.keys() {
                            let key = key.as_str().unwrap();
                            assert!(declared.contains_key(key), "unknown input `{key}`");
                        }
                    }
                }
                stack.extend(map.values());
            }
            Yaml::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    assert!(
        uses > 0,
        "a YAML block of docs/ci.md neither runs casus nor uses the action"
    );
}

/// `${{ … }}` as GitHub would expand it for these inputs, on a pull request whose base is
/// `HEAD~1`. Only the expressions the action uses are known; any other fails the test.
fn expand(text: &str, inputs: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").unwrap() + start;
        let expression = rest[start + 3..end].trim();
        let value = expression
            .split("||")
            .map(str::trim)
            .map(|term| {
                if let Some(name) = term.strip_prefix("inputs.") {
                    assert!(inputs.contains_key(name), "undeclared input `{name}`");
                    inputs[name].clone()
                } else if term == "github.event.pull_request.base.sha" {
                    "HEAD~1".to_owned()
                } else {
                    assert!(
                        term.starts_with("steps."),
                        "unknown expression `{term}` in action.yml"
                    );
                    String::new()
                }
            })
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Runs the action's steps (all but the install) in `dir` as a runner would, with `bash -e`
/// and the step's `env`; the exit code of each step by name.
fn run_action(dir: &Path, inputs: &BTreeMap<String, String>) -> Vec<(String, i32, String)> {
    let action = action();
    let steps = action["runs"]["steps"].as_vec().unwrap();
    let bin_dir = casus_bin().parent().unwrap().to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let mut results = Vec::new();
    for step in steps {
        let name = str_of(step, "name").to_owned();
        let script = str_of(step, "run");
        assert_eq!(str_of(step, "shell"), "bash", "step {name}");
        if name == "Install casus" {
            assert!(script.contains("cargo install --locked"), "{script}");
            continue;
        }
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(dir)
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env("GITHUB_OUTPUT", dir.join("github-output"))
            .env("GITHUB_STEP_SUMMARY", dir.join("github-summary"))
            .env("GITHUB_ACTION_PATH", repo());
        if let Some(env) = step["env"].as_hash() {
            for (key, value) in env {
                command.env(
                    key.as_str().unwrap(),
                    expand(value.as_str().unwrap(), inputs),
                );
            }
        }
        // Conditions name only declared inputs.
        if let Some(condition) = step["if"].as_str() {
            for part in condition.split("inputs.").skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                assert!(
                    inputs.contains_key(&name),
                    "undeclared input `{name}` in `if`"
                );
            }
        }
        let out = command.output().unwrap();
        results.push((
            name,
            out.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        ));
    }
    results
}

#[test]
fn the_action_manifest_declares_what_github_requires() {
    let action = action();
    assert_eq!(str_of(&action, "name"), "casus");
    assert!(!str_of(&action, "description").is_empty());
    assert_eq!(str_of(&action["runs"], "using"), "composite");
    let steps = action["runs"]["steps"].as_vec().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| str_of(s, "name")).collect();
    assert_eq!(
        names,
        [
            "Install casus",
            "casus check",
            "casus test",
            "casus report --check",
            "casus diff"
        ]
    );
    // Every output is a step output.
    for (name, output) in action["outputs"].as_hash().unwrap() {
        assert!(
            str_of(output, "value").starts_with("${{ steps.diff.outputs."),
            "{name:?}"
        );
    }
    // Inputs reach scripts only through `env`: no expression inside a `run:`.
    for step in steps {
        assert!(!str_of(step, "run").contains("${{"), "{step:?}");
    }
}

#[test]
fn every_step_of_the_action_runs_and_gates_what_it_should() {
    let dir = scratch_repo("action");
    let defaults = action_inputs(&action());
    let results = run_action(&dir, &defaults);
    for (name, code, output) in &results {
        assert_eq!(*code, 0, "{name}: {output}");
    }
    assert_eq!(results.len(), 4);
    let summary = std::fs::read_to_string(dir.join("github-summary")).unwrap();
    assert!(summary.starts_with("### casus diff"), "{summary}");
    assert_eq!(
        std::fs::read_to_string(dir.join("github-output")).unwrap(),
        "file=casus-diff.md\n"
    );

    // A threshold the change passes fails the diff step; a changed rule fails the reports.
    let mut strict = defaults.clone();
    strict.insert("fail-on".to_owned(), "outcome-move=1pts".to_owned());
    let path = dir.join("scenarios/talks.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "then = { posture = \"walk_away\" }",
            "then = { posture = \"pressure\" }",
        ),
    )
    .unwrap();
    let codes: Vec<(String, i32)> = run_action(&dir, &strict)
        .into_iter()
        .map(|(name, code, _)| (name, code))
        .collect();
    assert_eq!(
        codes,
        [
            ("casus check".to_owned(), 0),
            // The test `refusal_means_walk_away` now fails.
            ("casus test".to_owned(), 1),
            ("casus report --check".to_owned(), 1),
            ("casus diff".to_owned(), 1),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// The pre-commit hooks.

/// What pre-commit would pass a hook with `files: (^|/)scenarios/.*\.toml$`: the tracked
/// files under a `scenarios/` folder ending in `.toml` (the pattern is checked to be that one).
fn staged_scenarios(dir: &Path) -> Vec<String> {
    let out = Command::new("git")
        .args(["ls-files"])
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|f| {
            (f.starts_with("scenarios/") || f.contains("/scenarios/")) && f.ends_with(".toml")
        })
        .map(str::to_owned)
        .collect()
}

fn hooks() -> Vec<Yaml> {
    let hooks = parse(&std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap());
    hooks.as_vec().unwrap().clone()
}

fn run_hook(dir: &Path, hook: &Yaml) -> Output {
    let entry: Vec<&str> = str_of(hook, "entry").split_whitespace().collect();
    assert_eq!(entry[0], "casus");
    let args: Vec<String> = hook["args"]
        .as_vec()
        .map(|a| a.iter().map(|x| x.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default();
    Command::new(casus_bin())
        .args(&entry[1..])
        .args(&args)
        .args(staged_scenarios(dir))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn the_pre_commit_hooks_declare_what_pre_commit_requires() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| str_of(h, "id")).collect();
    assert_eq!(ids, ["casus-check", "casus-fmt", "casus-test"]);
    for hook in &hooks {
        for key in ["id", "name", "entry", "language", "description"] {
            assert!(!str_of(hook, key).is_empty(), "{key} of {hook:?}");
        }
        assert_eq!(str_of(hook, "language"), "system");
        assert_eq!(str_of(hook, "files"), "(^|/)scenarios/.*\\.toml$");
    }
}

#[test]
fn each_pre_commit_hook_runs_on_a_repository() {
    let dir = scratch_repo("pre-commit");
    // Other TOML is not a scenario; the hooks' `files` leave it out.
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    git(&dir, &["add", "."]);
    assert_eq!(staged_scenarios(&dir), ["scenarios/talks.toml"]);
    for hook in hooks() {
        let out = run_hook(&dir, &hook);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}{}",
            str_of(&hook, "id"),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A badly laid out scenario: `casus fmt` rewrites it, which fails the hook (pre-commit
    // fails a hook that changes files); the second run passes.
    let path = dir.join("scenarios/talks.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("title = ", "title   =   ")).unwrap();
    let fmt = hooks()
        .into_iter()
        .find(|h| str_of(h, "id") == "casus-fmt")
        .unwrap();
    run_hook(&dir, &fmt);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    // A broken scenario fails the check hook.
    std::fs::write(
        &path,
        text.replace("actor = \"russia\"", "actor = \"rusia\""),
    )
    .unwrap();
    let check = hooks()
        .into_iter()
        .find(|h| str_of(h, "id") == "casus-check")
        .unwrap();
    assert_eq!(run_hook(&dir, &check).status.code(), Some(1));
}
