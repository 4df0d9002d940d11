//! The command-line conventions users expect of a tool in their ecosystem: `--color` with
//! `NO_COLOR` and `CLICOLOR_FORCE`, `-q` and `-v`, `-` for standard input, shell completions,
//! a manual page, short and long help, `casus explain CODE`, and `export` without ceremony.
#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test fail the test on any error, as the tests themselves do"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[path = "../../../tests/support/slow.rs"]
mod slow;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `casus` from the repository root with a clean colour environment.
fn casus() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_casus"));
    command
        .current_dir(repo())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    command
}

fn run(command: &mut Command) -> (i32, String, String) {
    let out: Output = command.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `casus ARGS` with `input` on standard input.
fn with_stdin(args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = casus()
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const BROKEN: &str = "[scenario]\ntitle = \"x\"\n[actors]\nus = \"US\"\n[decisions.d]\nactor = \"uss\"\noptions = [\"a\", \"b\"]\nlikelihood = { a = 0.5, b = 0.5 }\n";

#[test]
fn color_follows_the_flag_and_the_environment() {
    let esc = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = casus();
        command.args(args).stdin(Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        run(&mut command).1.contains('\u{1b}')
    };
    let broken = repo().join("target").join("manners-broken.toml");
    std::fs::write(&broken, BROKEN).unwrap();
    let file = broken.to_str().unwrap();
    // Standard output is a pipe here: no colour unless asked for.
    assert!(!esc(&["check", file], &[]));
    assert!(esc(&["--color", "always", "check", file], &[]));
    assert!(esc(
        &["check", file, "--color=always"],
        &[("NO_COLOR", "1")]
    ));
    assert!(esc(&["check", file], &[("CLICOLOR_FORCE", "1")]));
    assert!(!esc(&["check", file], &[("CLICOLOR_FORCE", "0")]));
    assert!(!esc(
        &["check", file],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
    ));
    assert!(!esc(
        &["--color", "never", "check", file],
        &[("CLICOLOR_FORCE", "1")]
    ));
    // clap's own messages follow the flag too.
    let (code, _, stderr) = run(casus().args(["check", "--color", "always", "--bogus"]));
    assert_eq!(code, 2);
    assert!(stderr.contains('\u{1b}'), "{stderr}");
    let (_, _, stderr) = run(casus()
        .args(["check", "--color=never", "--bogus"])
        .env("CLICOLOR_FORCE", "1"));
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    let (code, _, stderr) = run(casus().args(["--color", "sometimes", "check", file]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("[possible values: auto, always, never]"),
        "{stderr}"
    );
    std::fs::remove_file(&broken).unwrap();
}

#[test]
fn quiet_silences_notes_and_verbose_names_the_files_found() {
    let broken = repo().join("target").join("manners-quiet.toml");
    // No likelihoods on `d`: a note (W0001), and an unknown actor: an error.
    std::fs::write(
        &broken,
        BROKEN.replace("likelihood = { a = 0.5, b = 0.5 }\n", ""),
    )
    .unwrap();
    let file = broken.to_str().unwrap();
    let (code, loud, _) = run(casus().args(["check", file]).env("NO_COLOR", "1"));
    assert_eq!(code, 1);
    assert!(loud.contains("note[W0001]"), "{loud}");
    let (code, quiet, _) = run(casus().args(["-q", "check", file]).env("NO_COLOR", "1"));
    assert_eq!(code, 1);
    assert!(!quiet.contains("note["), "{quiet}");
    assert!(quiet.contains("error[E0202]"), "{quiet}");
    std::fs::remove_file(&broken).unwrap();

    let (code, _, stderr) = run(casus().args(["check", "-v", "scenarios"]));
    assert_eq!(code, 0);
    assert!(
        stderr.starts_with(
            "note: `scenarios` holds 5 scenario files\n  scenarios/ceasefire-compliance.toml\n"
        ),
        "{stderr}"
    );
    let (code, _, stderr) = run(casus().args(["-q", "-v", "check", "scenarios"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn a_dash_reads_standard_input_named_stdin() {
    let (code, stdout, _) = with_stdin(&["check", "-"], BROKEN);
    assert_eq!(code, 1);
    assert!(stdout.contains(" --> <stdin>:6:9"), "{stdout}");
    let scenario = std::fs::read_to_string(repo().join("scenarios/us-walk-away.toml")).unwrap();
    let from_file = run(casus()
        .args(["eval", "scenarios/us-walk-away.toml", "--format", "json"])
        .env("NO_COLOR", "1"));
    let from_stdin = with_stdin(&["eval", "-", "--format", "json"], &scenario);
    assert_eq!(from_stdin.0, 0, "{}", from_stdin.2);
    assert_eq!(
        from_stdin
            .1
            .replace("<stdin>", "scenarios/us-walk-away.toml"),
        from_file.1
    );
    // Standard input has no file to write back to, nor a committed report.
    let (code, _, stderr) = with_stdin(&["fmt", "-"], &scenario);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`casus fmt -` has no file to write back to"),
        "{stderr}"
    );
    assert!(!repo().join("-").exists());
    // `--check -` reads and judges, as for the file itself.
    let file_check = run(casus()
        .args(["fmt", "--check", "scenarios/us-walk-away.toml"])
        .env("NO_COLOR", "1"));
    let stdin_check = with_stdin(&["fmt", "--check", "-"], &scenario);
    assert_eq!(stdin_check.0, file_check.0);
    assert_eq!(
        stdin_check
            .1
            .replace("<stdin>", "scenarios/us-walk-away.toml"),
        file_check.1
    );
    let (code, _, stderr) = with_stdin(&["report", "--check", "-"], &scenario);
    assert_eq!(code, 2, "{stderr}");
    let (code, stdout, _) = with_stdin(&["report", "-", "--format", "dot"], &scenario);
    assert_eq!(code, 0);
    assert!(stdout.contains("\ndigraph decisions {\n"), "{stdout}");
}

#[test]
fn bash_completions_load_in_bash() {
    let (code, script, _) = run(casus().args(["completions", "bash"]));
    assert_eq!(code, 0);
    let file = repo().join("target").join("casus-completions.bash");
    std::fs::write(&file, script).unwrap();
    let out = Command::new("bash")
        .args([
            "--norc",
            "-c",
            &format!("source '{}' && complete -p casus", file.display()),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        "complete -o bashdefault -o default -o nosort -F _casus casus"
    );
    // The completion function offers the commands, the new ones too.
    let out = Command::new("bash")
        .args([
            "--norc",
            "-c",
            &format!(
                "source '{}' && COMP_WORDS=(casus co) && COMP_CWORD=1 && _casus casus co casus && echo \"${{COMPREPLY[@]}}\"",
                file.display()
            ),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "completions");
    std::fs::remove_file(&file).unwrap();
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let (code, script, _) = run(casus().args(["completions", shell]));
        assert_eq!(code, 0, "{shell}");
        assert!(script.contains("casus"), "{shell}");
    }
}

#[test]
fn the_manual_pages_are_roff() {
    let (code, page, _) = run(casus().args(["man"]));
    assert_eq!(code, 0);
    assert!(page.contains(".TH casus 1"), "{page}");
    // Each command's page is listed under SEE ALSO-style references.
    assert!(page.contains("casus\\-completions(1)"), "{page}");
    let (code, page, _) = run(casus().args(["man", "check"]));
    assert_eq!(code, 0);
    assert!(page.contains(".TH casus-check 1"), "{page}");
    assert!(
        page.contains("\\-\\-max\\-paths"),
        "the limits are in the page: {page}"
    );
    let (code, _, stderr) = run(casus().args(["man", "chek"]));
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: `chek` is not a casus command; did you mean `check`?\n"
    );
}

#[test]
fn limits_are_in_long_help_only() {
    let (_, short, _) = run(casus().args(["eval", "-h"]));
    let (_, long, _) = run(casus().args(["eval", "--help"]));
    for flag in [
        "--max-file-size",
        "--max-decisions",
        "--max-options",
        "--max-rules",
        "--max-expr-depth",
        "--max-expr-length",
        "--max-paths",
        "--timeout",
    ] {
        assert!(!short.contains(flag), "{flag} in -h:\n{short}");
        assert!(long.contains(flag), "{flag} not in --help:\n{long}");
    }
    assert!(long.contains("\nLimits:\n"), "{long}");
}

/// `fmt` only reads and rewrites files, in time linear in them: it takes the limits on what a
/// file may be, and no limit on evaluating, which would bound nothing.
#[test]
fn fmt_takes_the_file_limits_only() {
    let (_, long, _) = run(casus().args(["fmt", "--help"]));
    assert!(long.contains("\nLimits:\n"), "{long}");
    for flag in ["--max-file-size", "--max-decisions", "--max-expr-depth"] {
        assert!(long.contains(flag), "{flag} not in --help:\n{long}");
    }
    for flag in ["--timeout", "--max-paths", "--max-samples"] {
        assert!(!long.contains(flag), "{flag} in --help:\n{long}");
        let (code, _, stderr) = run(casus().args(["fmt", "scenarios", flag, "1"]));
        assert_eq!(code, 2, "{flag}: {stderr}");
        assert!(stderr.contains(flag), "{flag}: {stderr}");
    }
}

#[test]
fn explain_with_a_code_prints_its_explanation() {
    let (code, explained, _) = run(casus().args(["explain", "E0504"]));
    let (_, from_check, _) = run(casus().args(["check", "--explain", "E0504"]));
    assert_eq!(code, 0);
    assert_eq!(explained, from_check);
    assert!(explained.starts_with("E0504 "), "{explained}");
    // By name too; a file that does not exist and is no code is still a missing file.
    let (code, _, _) = run(casus().args(["explain", "overlapping_outcomes"]));
    assert_eq!(code, 0);
    let (code, _, stderr) = run(casus().args(["explain", "no-such.toml"]));
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: cannot read `no-such.toml`"),
        "{stderr}"
    );
}

#[test]
fn export_infers_the_format_and_shows_no_odd_placeholder() {
    let dir = repo().join("target").join("manners-export");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = "tests/fixtures/valid/design-example.toml";
    let json = dir.join("tree.json");
    let (code, _, stderr) = run(casus().args(["export", scenario, "-o", json.to_str().unwrap()]));
    assert_eq!(code, 0, "{stderr}");
    let explicit = run(casus().args(["export", scenario, "--format", "silverdecisions"]));
    assert_eq!(std::fs::read_to_string(&json).unwrap(), explicit.1);
    // No `-o`: `.efg` on standard output.
    let (code, efg, _) = run(casus().args(["export", scenario]));
    assert_eq!(code, 0);
    assert!(efg.starts_with("EFG 2 R"), "{efg}");
    let (code, _, stderr) = run(casus().args(["export", scenario, "-o", "tree.txt"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot tell the format from the name `tree.txt`"),
        "{stderr}"
    );
    let (_, help, _) = run(casus().args(["export", "--help"]));
    assert!(!help.contains("<0>"), "{help}");
    assert!(
        help.contains("Usage: casus export [OPTIONS] <FILE>"),
        "{help}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `eval` and `explain` answer about one scenario: a folder is refused, exit 2, with a file to
/// name instead — not "is a directory".
#[test]
fn eval_on_a_folder_names_a_file_to_evaluate() {
    for command in ["eval", "explain"] {
        let (code, stdout, stderr) = run(casus().args([command, "scenarios"]));
        assert_eq!(code, 2, "{command}: {stdout}{stderr}");
        assert!(stderr.contains("`scenarios` is a folder"), "{stderr}");
        assert!(
            stderr.contains("such as `scenarios/ceasefire-compliance.toml`"),
            "{stderr}"
        );
        assert!(!stderr.contains("is a directory"), "{stderr}");
    }
}

/// `--observe` takes names separated by spaces (in one argument) or commas, as its help says;
/// `--given` suggests the option meant.
#[test]
fn observe_splits_on_spaces_and_given_suggests_options() {
    let (code, stdout, stderr) = run(casus().args([
        "eval",
        "scenarios/ukraine-peace-framework.toml",
        "--observe",
        "energy_strikes_pause envoy_returns_to_moscow",
        "--format",
        "json",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let seen: Vec<&str> = json["observed"]["signposts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    assert_eq!(seen, ["energy_strikes_pause", "envoy_returns_to_moscow"]);
    let (code, _, stderr) = run(casus().args([
        "eval",
        "scenarios/ukraine-peace-framework.toml",
        "--given",
        "russia_answer=acept",
    ]));
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `accept`?"), "{stderr}");
}

/// `-q` silences `report`'s note about what it wrote; without it the note is there.
#[test]
fn quiet_silences_the_report_note() {
    let out = repo().join("target").join("manners-reports");
    let _ = std::fs::remove_dir_all(&out);
    let dir = out.to_str().unwrap();
    let (code, _, loud) = run(casus().args(["report", "scenarios", "-o", dir]));
    assert_eq!(code, 0, "{loud}");
    assert!(loud.contains("wrote 5 reports"), "{loud}");
    let (code, _, quiet) = run(casus().args(["-q", "report", "scenarios", "-o", dir]));
    assert_eq!(code, 0, "{quiet}");
    assert_eq!(quiet, "");
    std::fs::remove_dir_all(&out).unwrap();
}

/// `--threads N` sets the workers of the evaluation; the output is the same, byte for byte,
/// for every N, and 0 is refused.
#[test]
fn threads_change_nothing_but_the_workers() {
    let eval = |threads: &str| {
        run(casus().args([
            "--threads",
            threads,
            "eval",
            "scenarios/ukraine-peace-framework.toml",
            "--samples",
            "50",
            "--format",
            "json",
        ]))
    };
    let (code, one, stderr) = eval("1");
    assert_eq!(code, 0, "{stderr}");
    let (code, two, stderr) = eval("2");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(one, two);
    let (code, _, stderr) = eval("0");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--threads"), "{stderr}");
}

/// A scenario in `target/` whose forecast is instant and whose assumption ranking (3,000 rules
/// that set a fact another rule reads, each dropped and evaluated on its own) runs for seconds:
/// work long enough for notes and a spinner. (Rules that write only facts the outcomes alone
/// read are all dropped in one search.)
fn many_rules(name: &str) -> PathBuf {
    let scenario = repo().join("target").join(name);
    let mut text = String::from(
        "[scenario]\ntitle = \"rules\"\n[actors]\nme = \"Me\"\n[facts]\nx = { type = \"bool\", default = false }\ny = { type = \"bool\", default = false }\n[decisions.d]\nactor = \"nature\"\noptions = [\"a\", \"b\"]\nlikelihood = { a = \"likely\", b = \"unlikely\" }\n",
    );
    // A later chance whose likelihood reads `x`: each rule's drop needs an evaluation.
    text.push_str("[decisions.e]\nactor = \"nature\"\noptions = [\"a\", \"b\"]\nlikelihood = { a = 0.5, b = 0.5 }\n[[decisions.e.likelihood_if]]\nwhen = \"x\"\na = 0.9\nb = 0.1\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "[rules.r{i}]\nwhen = \"d == 'a'\"\nthen = {{ x = true }}\nbecause = \"each\"\n"
        ));
    }
    text.push_str(
        "[rules.read]\nwhen = \"x\"\nthen = { y = true }\nbecause = \"reads x\"\n[outcomes.high]\nwhen = \"y and d == 'a'\"\npayoff = { me = 1 }\n[outcomes.low]\npayoff = { me = 0 }\n",
    );
    std::fs::write(&scenario, text).unwrap();
    scenario
}

/// `-q` silences `eval`'s notes about analyses it left out; the results still print.
#[test]
fn quiet_silences_the_notes_of_eval() {
    let scenario = many_rules("manners-many-rules.toml");
    let file = scenario.to_str().unwrap();
    let (code, loud, notes) = run(casus().args(["eval", file, "--timeout", "1"]));
    assert_eq!(code, 0, "{notes}");
    assert!(
        notes.contains("note: the assumption ranking is left out"),
        "{notes}"
    );
    let (code, quiet, silent) = run(casus().args(["-q", "eval", file, "--timeout", "1"]));
    assert_eq!(code, 0, "{silent}");
    assert_eq!(silent, "");
    assert!(loud.contains("Forecast") && quiet.contains("Forecast"));
    std::fs::remove_file(&scenario).unwrap();
}

/// `casus ARGS` on a pseudo-terminal (util-linux's `script` gives it one), its standard output
/// thrown away: the exit code and everything the terminal showed, which is standard error.
fn on_a_terminal(args: &[&str]) -> (i32, String) {
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_casus"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let command = format!("{} > /dev/null", quoted.join(" "));
    let (code, terminal, _) = run(Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(repo()));
    (code, terminal)
}

/// Work that runs longer than a second shows a spinner naming the stage on a terminal, and
/// nothing when piped.
#[test]
fn a_spinner_shows_on_a_terminal_and_never_in_a_pipe() {
    let scenario = many_rules("manners-spinner.toml");
    let file = scenario.to_str().unwrap();
    let (code, terminal) = on_a_terminal(&["eval", file, "--timeout", "3"]);
    assert_eq!(code, 0, "{terminal}");
    assert!(
        terminal.contains("manners-spinner.toml: the assumption ranking"),
        "{terminal}"
    );
    let (code, _, piped) = run(casus().args(["eval", file, "--timeout", "3"]));
    assert_eq!(code, 0, "{piped}");
    assert!(!piped.contains("manners-spinner.toml:"), "{piped}");
    assert!(!piped.contains('\u{1b}'), "{piped}");
    std::fs::remove_file(&scenario).unwrap();
}

/// The slow scenario of `tests/support/slow.rs`, 22 events, written to `target/NAME`: every
/// command that evaluates runs on it until `--timeout` stops it.
fn wide(name: &str) -> PathBuf {
    let path = repo().join("target").join(name);
    std::fs::write(&path, slow::wide(22)).unwrap();
    path
}

/// `check`, `diff`, `export` and `import` show the spinner, named for the command and file,
/// while they work on a slow input on a terminal (here until `--timeout 2` stops them, a second
/// after the spinner appears), and print no trace of it when standard error is a pipe.
#[test]
fn check_diff_export_and_import_show_a_spinner_on_a_terminal_only() {
    let scenario = wide("manners-wide.toml");
    let game = repo().join("target/manners-game.efg");
    std::fs::write(&game, slow::binary_game(10)).unwrap();
    let changed = repo().join("target/manners-wide-changed.toml");
    std::fs::write(
        &changed,
        std::fs::read_to_string(&scenario)
            .unwrap()
            .replace("because = \"each one counts\"", "because = \"every one\""),
    )
    .unwrap();
    // Relative to the repository, where both runs start, so the label stays short.
    let (file, other) = (
        "target/manners-wide.toml",
        "target/manners-wide-changed.toml",
    );
    let commands: [(&str, Vec<&str>, &str); 5] = [
        (
            "check target/manners-wide.toml",
            vec!["check", file],
            "E0003",
        ),
        (
            "diff target/manners-wide-changed.toml",
            vec!["diff", file, other],
            "results not compared",
        ),
        (
            "export target/manners-wide.toml",
            vec!["export", file, "--format", "efg"],
            "E0003",
        ),
        (
            "export target/manners-wide.toml",
            vec!["export", file, "--format", "silverdecisions"],
            "E0003",
        ),
        (
            "import target/manners-game.efg",
            vec![
                "import",
                "target/manners-game.efg",
                "--max-decisions",
                "4000",
            ],
            "E0003",
        ),
    ];
    for (label, mut args, ended) in commands {
        args.extend(["--timeout", "2"]);
        let shown = args.join(" ");
        let (_, terminal) = on_a_terminal(&args);
        // The label with the time elapsed, redrawn once the work has run for a second.
        assert!(
            terminal.contains(&format!("{label} (1s)")),
            "casus {shown}: {terminal}"
        );
        let (_, stdout, piped) = run(casus().args(&args));
        assert!(!piped.contains(label), "casus {shown}: {piped}");
        assert!(!piped.contains('\u{1b}'), "casus {shown}: {piped}");
        // Both runs ended at the time limit, saying so.
        let all = format!("{stdout}{piped}");
        assert!(all.contains(ended), "casus {shown}: {all}");
    }
    std::fs::remove_file(&scenario).unwrap();
    std::fs::remove_file(&changed).unwrap();
    std::fs::remove_file(&game).unwrap();
}
