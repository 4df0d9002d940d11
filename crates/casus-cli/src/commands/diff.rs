//! `casus diff`: the semantic diff of two versions of scenario files — two files, two folders
//! (files matched by their path inside the folder), or the working tree against a git revision.
//!
//! Revisions are read with the `git` program (`git rev-parse`, `git ls-tree`, `git cat-file`),
//! as a real git client does; nothing here parses git's own files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use casus_core::SourceFile;
use casus_core::model::Scenario;
use casus_report::diff::{FailOn, FileChange, FileDiff, breaches, render_human, render_markdown};
use casus_report::output::diff::DiffOutput;
use casus_rules::workflow::diff::{ScenarioDiff, Version, diff};
use casus_rules::{Checked, check_source};
use clap::{Args, ValueEnum};

use crate::Status;
use crate::cli::LimitArgs;
use crate::error::CliError;
use crate::input;
use crate::output::print;

/// How `diff` prints its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    /// For people, in a terminal.
    Human,
    /// GitHub-flavoured Markdown, ready to post as a pull-request comment.
    Md,
    /// One JSON document.
    Json,
}

/// Arguments of `casus diff`.
#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// `OLD NEW` (two files or two folders); with `--rev`, the files or folders to compare
    /// (default: the current folder).
    pub(crate) paths: Vec<PathBuf>,
    /// Compare the working tree with this git revision (`HEAD`, `main`, a commit).
    #[arg(long, value_name = "REV")]
    pub(crate) rev: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: DiffFormat,
    /// Exit with 1 when a change passes one of these rules, comma-separated:
    /// `outcome-move=PTS` (an outcome's probability moved more than PTS percentage points),
    /// `line-of-play`, `test-flip` (a test changed its result), `key-assumption`, `any`.
    #[arg(
        long,
        value_name = "RULES",
        value_delimiter = ',',
        value_parser = FailOn::parse,
        conflicts_with = "fail_on_change"
    )]
    pub(crate) fail_on: Vec<FailOn>,
    /// Exit with 1 when anything changed (the same as `--fail-on any`).
    #[arg(long)]
    pub(crate) fail_on_change: bool,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// One file's two sides: the text of each version, if it exists there.
struct Pair {
    name: String,
    old: Option<Vec<u8>>,
    new: Option<Vec<u8>>,
}

/// Runs the command.
pub(crate) fn run(args: &DiffArgs) -> Result<Status, CliError> {
    let pairs = match &args.rev {
        Some(rev) => rev_pairs(rev, &args.paths)?,
        None => match args.paths.as_slice() {
            [old, new] => path_pairs(old, new)?,
            _ => {
                return Err(CliError::Usage(
                    "`casus diff` compares two versions: give `OLD NEW` (two files or two folders), or `--rev REV [PATHS…]` to compare with a git revision".to_owned(),
                ));
            }
        },
    };
    let limits = args.limits.core();
    let eval_limits = args.limits.eval();

    struct Compared {
        name: String,
        title: Option<String>,
        outcome: Outcome,
    }
    enum Outcome {
        Added,
        Removed,
        Unreadable(String),
        Diff(Box<ScenarioDiff>),
    }
    let check = |name: &str, bytes: &[u8]| -> Checked {
        let (source, decode_error) = read_bytes(name, bytes, &limits);
        match decode_error {
            Some(d) => Checked {
                scenario: None,
                program: None,
                evaluation: None,
                diagnostics: vec![d],
            },
            None => check_source(&source, &limits, &eval_limits),
        }
    };
    let mut compared = Vec::new();
    for pair in &pairs {
        // Both versions are evaluated and their results compared: on large scenarios that
        // takes a while.
        let _spinner = crate::progress::Spinner::start(&format!(
            "diff {}",
            casus_report::text::visible(&pair.name)
        ));
        let old = pair.old.as_deref().map(|b| check(&pair.name, b));
        let new = pair.new.as_deref().map(|b| check(&pair.name, b));
        let title = |c: &Option<Checked>| {
            c.as_ref()
                .and_then(|c| c.scenario.as_ref())
                .map(|s| s.meta.title.clone())
        };
        let title = title(&new).or_else(|| title(&old));
        let outcome = match (&old, &new) {
            (None, None) => continue,
            (None, Some(_)) => Outcome::Added,
            (Some(_), None) => Outcome::Removed,
            (Some(o), Some(n)) => match (&o.scenario, &n.scenario) {
                (Some(os), Some(ns)) => {
                    fn version<'c>(c: &'c Checked, s: &'c Scenario) -> Version<'c> {
                        Version {
                            scenario: s,
                            program: c.program.as_ref().filter(|_| !c.has_errors()),
                            evaluation: c.evaluation.as_ref().filter(|_| !c.has_errors()),
                        }
                    }
                    Outcome::Diff(Box::new(diff(
                        &version(o, os),
                        &version(n, ns),
                        &eval_limits,
                    )))
                }
                (None, Some(_)) => Outcome::Unreadable(
                    "the old version cannot be read (it is not a well-formed scenario file)"
                        .to_owned(),
                ),
                (Some(_), None) => Outcome::Unreadable(
                    "the new version cannot be read (it is not a well-formed scenario file); run `casus check` on it".to_owned(),
                ),
                (None, None) => Outcome::Unreadable(
                    "neither version can be read as a scenario file".to_owned(),
                ),
            },
        };
        compared.push(Compared {
            name: pair.name.clone(),
            title,
            outcome,
        });
    }
    let views: Vec<FileDiff<'_>> = compared
        .iter()
        .map(|c| FileDiff {
            name: &c.name,
            title: c.title.as_deref(),
            change: match &c.outcome {
                Outcome::Added => FileChange::Added,
                Outcome::Removed => FileChange::Removed,
                Outcome::Unreadable(why) => FileChange::Unreadable(why),
                Outcome::Diff(d) => FileChange::Compared(d),
            },
        })
        .collect();
    match args.format {
        DiffFormat::Human => print(&render_human(&views)),
        DiffFormat::Md => print(&render_markdown(&views)),
        DiffFormat::Json => print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&DiffOutput::build(&views)).unwrap_or_default()
        )),
    }
    let mut rules = args.fail_on.clone();
    if args.fail_on_change {
        rules.push(FailOn::Any);
    }
    let broken = breaches(&views, &rules);
    if broken.is_empty() {
        return Ok(Status::Ok);
    }
    let mut text = String::new();
    for line in &broken {
        text.push_str(&format!("error: {line}\n"));
    }
    crate::output::eprint(&text);
    Ok(Status::Findings)
}

fn read_bytes(
    name: &str,
    bytes: &[u8],
    limits: &casus_core::limits::Limits,
) -> (SourceFile, Option<casus_core::Diagnostic>) {
    if bytes.len() > limits.max_file_bytes {
        let d = casus_core::Diagnostic::new(
            casus_core::Code::LimitExceeded,
            format!(
                "the file is larger than the limit of {} bytes",
                limits.max_file_bytes
            ),
        )
        .help("split the scenario into smaller files, or raise the limit with `--max-file-size`");
        return (SourceFile::new(name, ""), Some(d));
    }
    SourceFile::from_bytes(name, bytes)
}

/// Whether a file found by searching a folder is a scenario file: folders also hold other
/// TOML (`Cargo.toml`, tool settings), and those have no `[scenario]` table.
fn looks_like_scenario(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes)
        .lines()
        .any(|l| l.trim_start().starts_with("[scenario]"))
}

fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::io(path, &e))
}

/// `OLD NEW`: two files, or two folders whose `*.toml` files are matched by relative path.
fn path_pairs(old: &Path, new: &Path) -> Result<Vec<Pair>, CliError> {
    let meta = |p: &Path| std::fs::metadata(p).map_err(|e| CliError::io(p, &e));
    let (old_meta, new_meta) = (meta(old)?, meta(new)?);
    match (old_meta.is_dir(), new_meta.is_dir()) {
        (false, false) => Ok(vec![Pair {
            name: input::display_name(new),
            old: Some(read_file(old)?),
            new: Some(read_file(new)?),
        }]),
        (true, true) => {
            let mut files: BTreeMap<String, (Option<PathBuf>, Option<PathBuf>)> = BTreeMap::new();
            for (root, is_new) in [(old, false), (new, true)] {
                for file in input::collect_lenient(&[root.to_path_buf()])? {
                    let relative = file
                        .strip_prefix(root)
                        .map_or_else(|_| input::display_name(&file), input::display_name);
                    let entry = files.entry(relative).or_default();
                    if is_new {
                        entry.1 = Some(file);
                    } else {
                        entry.0 = Some(file);
                    }
                }
            }
            // One side may rightly be empty (every scenario added or removed), not both.
            if files.is_empty() && !crate::cli::GlobalArgs::get().allow_empty {
                return Err(CliError::Usage(format!(
                    "neither `{}` nor `{}` holds a scenario file (`*.toml`); check the paths, or pass `--allow-empty` to accept a diff of nothing",
                    input::display_name(old),
                    input::display_name(new)
                )));
            }
            let mut pairs = Vec::new();
            for (relative, (o, n)) in files {
                let old = o.as_deref().map(read_file).transpose()?;
                let new = n.as_deref().map(read_file).transpose()?;
                let is_scenario = old.as_deref().is_some_and(looks_like_scenario)
                    || new.as_deref().is_some_and(looks_like_scenario);
                if is_scenario {
                    pairs.push(Pair {
                        name: relative,
                        old,
                        new,
                    });
                }
            }
            Ok(pairs)
        }
        _ => Err(CliError::Usage(format!(
            "`{}` and `{}` must both be files or both be folders",
            input::display_name(old),
            input::display_name(new)
        ))),
    }
}

/// Runs `git` with `args` in `dir`; the output, or a sentence saying why it failed.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| GitError::NotRun(e.to_string().to_lowercase()))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(GitError::Failed(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ))
    }
}

pub(crate) enum GitError {
    /// The program could not be started.
    NotRun(String),
    /// It ran and failed, with its own message.
    Failed(String),
}

/// `--rev REV [PATHS…]`: the working tree against a revision, file by file.
fn rev_pairs(rev: &str, paths: &[PathBuf]) -> Result<Vec<Pair>, CliError> {
    if rev.starts_with('-') || rev.is_empty() {
        return Err(CliError::Usage(format!(
            "`{rev}` is not a revision; give a commit, branch or tag such as `HEAD` or `main`"
        )));
    }
    let cwd = std::env::current_dir().map_err(|e| CliError::io(Path::new("."), &e))?;
    // The repository is the one holding the first path given, wherever casus runs from.
    let anchor = paths
        .first()
        .map_or_else(|| cwd.clone(), |p| existing_folder(&cwd.join(p)));
    let top = match git(&anchor, &["rev-parse", "--show-toplevel"]) {
        Ok(out) => PathBuf::from(String::from_utf8_lossy(&out).trim()),
        Err(GitError::NotRun(reason)) => {
            return Err(CliError::Usage(format!(
                "`casus diff --rev` needs the `git` program, which could not be run: {reason}"
            )));
        }
        Err(GitError::Failed(_)) => {
            return Err(CliError::Usage(format!(
                "`{}` is not in a git repository, so there is no revision `{rev}` to compare with; use `casus diff OLD NEW` to compare two files or folders",
                input::display_name(paths.first().map_or(Path::new("."), PathBuf::as_path))
            )));
        }
    };
    let spec = format!("{rev}^{{commit}}");
    if git(&top, &["rev-parse", "--verify", "--quiet", &spec]).is_err() {
        // A CI checkout is often shallow: the base commit exists, just not in this clone.
        let shallow = git(&top, &["rev-parse", "--is-shallow-repository"])
            .is_ok_and(|out| String::from_utf8_lossy(&out).trim() == "true");
        let hint = if shallow {
            "; the repository is a shallow clone, so older commits are missing: fetch the history (`fetch-depth: 0` in `actions/checkout`, `GIT_DEPTH: 0` in GitLab CI, or `git fetch --unshallow`)"
        } else {
            ""
        };
        return Err(CliError::Usage(format!(
            "`{rev}` is not a revision of the repository at `{}`{hint}",
            input::display_name(&top)
        )));
    }
    let top = std::fs::canonicalize(&top).map_err(|e| CliError::io(&top, &e))?;
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };

    // Repository-relative path → (found by searching a folder, working-tree path).
    let mut files: BTreeMap<String, (bool, Option<PathBuf>)> = BTreeMap::new();
    for path in &paths {
        let absolute = cwd.join(path);
        // A path that exists in neither the working tree nor the revision is a typo.
        let relative = repo_relative(&top, &absolute).ok_or_else(|| {
            CliError::Usage(format!(
                "`{}` is outside the repository at `{}`",
                input::display_name(path),
                input::display_name(&top)
            ))
        })?;
        let is_dir = absolute.is_dir();
        let pathspec = if relative.is_empty() {
            ".".to_owned()
        } else {
            relative.clone()
        };
        if absolute.is_file() {
            files.insert(relative.clone(), (false, Some(absolute.clone())));
        } else if is_dir {
            // The working tree as git sees it: tracked and untracked files, not ignored ones
            // (so `target/` and the like are never searched).
            let listed = match git(
                &top,
                &[
                    "ls-files",
                    "-z",
                    "--cached",
                    "--others",
                    "--exclude-standard",
                    "--",
                    &pathspec,
                ],
            ) {
                Ok(out) => out,
                Err(GitError::Failed(message) | GitError::NotRun(message)) => {
                    return Err(CliError::Usage(format!(
                        "cannot list the files of the working tree: {message}"
                    )));
                }
            };
            for name in listed.split(|&b| b == 0).filter(|n| !n.is_empty()) {
                let name = String::from_utf8_lossy(name).into_owned();
                let file = top.join(&name);
                if name.ends_with(".toml") && file.is_file() {
                    files.insert(name, (true, Some(file)));
                }
            }
        }
        let listed = match git(
            &top,
            &[
                "ls-tree",
                "-r",
                "-z",
                "--name-only",
                "--full-tree",
                rev,
                "--",
                &pathspec,
            ],
        ) {
            Ok(out) => out,
            Err(GitError::Failed(message) | GitError::NotRun(message)) => {
                return Err(CliError::Usage(format!(
                    "cannot list the files of `{rev}`: {message}"
                )));
            }
        };
        let mut found = false;
        for name in listed.split(|&b| b == 0).filter(|n| !n.is_empty()) {
            let name = String::from_utf8_lossy(name).into_owned();
            if !name.ends_with(".toml") && name != relative {
                continue;
            }
            found = true;
            files
                .entry(name)
                .or_insert((is_dir || relative.is_empty(), None));
        }
        if !found && !absolute.exists() {
            return Err(CliError::Usage(format!(
                "`{}` exists neither in the working tree nor in `{rev}`",
                input::display_name(path)
            )));
        }
        let prefix = if relative.is_empty() {
            String::new()
        } else {
            format!("{relative}/")
        };
        let any_here = files
            .keys()
            .any(|k| relative.is_empty() || *k == relative || k.starts_with(&prefix));
        if is_dir && !any_here && !crate::cli::GlobalArgs::get().allow_empty {
            return Err(CliError::Usage(format!(
                "`{}` holds no scenario file (`*.toml`) in the working tree or in `{rev}`; check the path, or pass `--allow-empty` to accept a diff of nothing",
                input::display_name(path)
            )));
        }
    }

    let mut pairs = Vec::new();
    for (relative, (searched, working)) in files {
        let new = working.as_deref().map(read_file).transpose()?;
        let object = format!("{rev}:{relative}");
        let old = match git(&top, &["cat-file", "blob", &object]) {
            Ok(bytes) => Some(bytes),
            // Not in the revision: an added file.
            Err(GitError::Failed(_)) => None,
            Err(GitError::NotRun(reason)) => {
                return Err(CliError::Usage(format!(
                    "cannot run `git` to read `{relative}` at `{rev}`: {reason}"
                )));
            }
        };
        let is_scenario = !searched
            || old.as_deref().is_some_and(looks_like_scenario)
            || new.as_deref().is_some_and(looks_like_scenario);
        if is_scenario && (old.is_some() || new.is_some()) {
            pairs.push(Pair {
                name: relative,
                old,
                new,
            });
        }
    }
    Ok(pairs)
}

/// The folder git should run in for `path`: the path if it is a folder, else the nearest
/// existing folder above it (a file, or a path deleted since the revision).
pub(crate) fn existing_folder(path: &Path) -> PathBuf {
    let mut dir = path.to_path_buf();
    loop {
        if dir.is_dir() {
            return dir;
        }
        match dir.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => dir = parent.to_path_buf(),
            _ => return PathBuf::from("."),
        }
    }
}

/// `path` relative to the repository root, with `/` separators; `""` for the root itself.
/// The path need not exist (a file deleted since the revision).
pub(crate) fn repo_relative(top: &Path, path: &Path) -> Option<String> {
    // Canonicalise the deepest part that exists, then add the rest back.
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        rest.push(existing.file_name()?.to_owned());
        existing = existing.parent()?.to_path_buf();
    }
    let mut full = std::fs::canonicalize(&existing).ok()?;
    for part in rest.iter().rev() {
        full.push(part);
    }
    let relative = full.strip_prefix(top).ok()?;
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            std::path::Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            std::path::Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}
