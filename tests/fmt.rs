//! `casus fmt`: the canonical layout of a messy file (snapshot), idempotence and unchanged
//! meaning on every bundled scenario and valid fixture, `--check`, and files left alone.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions unwrap file, process and fixture operations that must succeed"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use casus_core::SourceFile;
use casus_core::limits::Limits;
use casus_rules::workflow::diff::{Version, diff};
use casus_rules::{Checked, EvalLimits, check_source};
use insta_cmd::get_cargo_bin;

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

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("casus-fmt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
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

fn checked(name: &str, text: &str) -> Checked {
    let file = SourceFile::new(name, text);
    let checked = check_source(&file, &Limits::default(), &EvalLimits::default());
    assert!(!checked.has_errors(), "{name}: {:#?}", checked.diagnostics);
    checked
}

fn version(c: &Checked) -> Version<'_> {
    Version {
        scenario: c.scenario.as_ref().unwrap(),
        program: c.program.as_ref(),
        evaluation: c.evaluation.as_ref(),
    }
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn a_messy_file_in_canonical_layout() {
    let dir = temp_dir("messy");
    std::fs::copy(
        root().join("tests/fixtures/fmt/messy.toml"),
        dir.join("messy.toml"),
    )
    .unwrap();
    let (code, stdout, stderr) = run(&dir, &["fmt", "messy.toml"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(stdout, "1 reformatted, 0 unchanged\n");
    let formatted = std::fs::read_to_string(dir.join("messy.toml")).unwrap();
    insta::assert_snapshot!(formatted);
    // Nothing but the formatted file is left in the folder (the write went through a temporary
    // file that was renamed over it).
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["messy.toml"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every bundled scenario, valid fixture and the messy fixture: formatting twice changes
/// nothing the second time, keeps every comment line, and leaves the meaning alone — the
/// semantic diff of before and after (model field by field, forecast, strategy, every path,
/// tests) is empty.
#[test]
fn formatting_is_idempotent_and_keeps_meaning_and_comments() {
    let dir = temp_dir("all");
    let mut files = toml_files(&root().join("scenarios"));
    files.extend(toml_files(&root().join("tests/fixtures/valid")));
    files.push(root().join("tests/fixtures/fmt/messy.toml"));
    for file in &files {
        std::fs::copy(file, dir.join(file.file_name().unwrap())).unwrap();
    }
    let (code, _, stderr) = run(&dir, &["fmt", "."]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let (code, stdout, _) = run(&dir, &["fmt", "--check", "."]);
    assert_eq!(code, 0, "not idempotent:\n{stdout}");
    assert_eq!(stdout, format!("{} files already formatted\n", files.len()));

    let limits = EvalLimits::default();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let before_text = std::fs::read_to_string(file).unwrap();
        let after_text = std::fs::read_to_string(dir.join(&name)).unwrap();
        let before = checked(&name, &before_text);
        let after = checked(&name, &after_text);
        let d = diff(&version(&before), &version(&after), &limits);
        assert!(
            d.is_empty(),
            "{name}: formatting changed the meaning: {d:#?}"
        );
        for line in before_text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with('#'))
        {
            assert!(
                after_text.lines().any(|l| l.trim() == line),
                "{name}: the comment {line:?} was lost"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_lists_files_and_never_writes() {
    let dir = temp_dir("check");
    let messy = std::fs::read_to_string(root().join("tests/fixtures/fmt/messy.toml")).unwrap();
    std::fs::write(dir.join("messy.toml"), &messy).unwrap();
    let (code, stdout, _) = run(&dir, &["fmt", "--check", "messy.toml"]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "would reformat messy.toml\n1 of 1 files would be reformatted; run `casus fmt` on them\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("messy.toml")).unwrap(),
        messy
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn files_with_syntax_errors_are_left_alone_and_fail_the_run() {
    let dir = temp_dir("syntax");
    let broken = "[scenario]\ntitle = \"unterminated\n[actors]\n";
    std::fs::write(dir.join("broken.toml"), broken).unwrap();
    let (code, stdout, stderr) = run(&dir, &["fmt", "broken.toml"]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "0 reformatted, 0 unchanged; 1 file could not be formatted\n"
    );
    assert_eq!(
        stderr,
        "error: `broken.toml` cannot be formatted: it has TOML syntax errors; run `casus check broken.toml` to see them\n"
    );
    // `--check` fails on it too, so CI does not pass a file it could not parse.
    let (code, stdout, _) = run(&dir, &["fmt", "--check", "broken.toml"]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "0 files already formatted; 1 file could not be formatted\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("broken.toml")).unwrap(),
        broken
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
