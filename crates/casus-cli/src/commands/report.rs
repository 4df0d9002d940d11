//! `casus report`: write reports of scenario files, or check that committed reports are fresh.
//!
//! Where reports live: for a folder `DIR`, one report per scenario, named like the scenario
//! with the format's extension (`<stem>.md`, `<stem>.json`, `<stem>.dot`, `<stem>.mmd`,
//! `<stem>.html`; `<stem>.rules.dot` and `<stem>.rules.mmd` for the rule graph), keeping
//! sub-folders, in `-o REPORTS_DIR` or by default in `reports/` next to `DIR`
//! (`scenarios/` → `reports/`). `casus report scenarios/ --format md` writes them there and
//! `casus report --check scenarios/ --format md` compares them, so a pull request that moves
//! a forecast must also update the committed report, and the diff shows how.
//!
//! Reports are written atomically (temporary file, then rename). The check reads the
//! committed reports and never writes; it is given the scenarios folder or the reports folder
//! (see [`check`]) and fails on orphaned reports too.

use std::path::{Path, PathBuf};

use casus_core::SourceFile;
use casus_report::diagnostics::render_human;
use casus_report::report::{self, Format, Graph};
use clap::{Args, ValueEnum};

use crate::Status;
use crate::cli::LimitArgs;
use crate::error::CliError;
use crate::input;
use crate::output::{eprint, print};
use crate::write::{Inputs, write_file};

/// Report formats on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Markdown with a Mermaid diagram of the decision graph.
    Md,
    /// JSON, schema `casus.report/1`.
    Json,
    /// Graphviz DOT of one graph (see `--graph`).
    Dot,
    /// Mermaid flowchart of one graph (see `--graph`).
    Mermaid,
    /// One self-contained HTML page.
    Html,
}

impl ReportFormat {
    fn format(self) -> Format {
        match self {
            ReportFormat::Md => Format::Markdown,
            ReportFormat::Json => Format::Json,
            ReportFormat::Dot => Format::Dot,
            ReportFormat::Mermaid => Format::Mermaid,
            ReportFormat::Html => Format::Html,
        }
    }

    fn name(self) -> &'static str {
        match self {
            ReportFormat::Md => "md",
            ReportFormat::Json => "json",
            ReportFormat::Dot => "dot",
            ReportFormat::Mermaid => "mermaid",
            ReportFormat::Html => "html",
        }
    }
}

/// Which graph `dot` and `mermaid` draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum GraphArg {
    /// Decisions, chance events and outcomes, equal situations merged.
    Decisions,
    /// The rule dependency graph: what each rule reads, sets and adds to.
    Rules,
}

/// Arguments of `casus report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// A scenario file (`-` reads standard input), or a folder searched for `*.toml` (one
    /// report per scenario). With `--check`, the reports folder works too.
    pub(crate) path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "md")]
    pub(crate) format: ReportFormat,
    /// For `dot` and `mermaid`: which graph to draw.
    #[arg(long, value_enum, default_value = "decisions")]
    pub(crate) graph: GraphArg,
    /// Where to write. For a file: a file (default: standard output). For a folder, or with
    /// `--check`: the reports folder (default: `reports/` next to the scenarios' folder).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub(crate) output: Option<PathBuf>,
    /// Compare the committed reports with fresh ones and exit 1 naming each stale or missing
    /// one, and each report whose scenario is gone; writes nothing.
    #[arg(long)]
    pub(crate) check: bool,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// One scenario and the name of its report relative to the reports folder.
struct Job {
    scenario: PathBuf,
    report: PathBuf,
}

/// Runs the command.
pub(crate) fn run(args: &ReportArgs) -> Result<Status, CliError> {
    if args.check {
        return check(args);
    }
    let is_dir = !input::is_stdin(&args.path)
        && std::fs::metadata(&args.path)
            .map_err(|e| CliError::io(&args.path, &e))?
            .is_dir();
    let extension = extension(args);
    let root = scenario_root(&args.path, is_dir);
    let jobs = jobs(
        &input::collect(std::slice::from_ref(&args.path))?,
        &root,
        &extension,
    );

    if !is_dir {
        // One file: standard output, or the file named by `-o`.
        let Some(job) = jobs.first() else {
            return Ok(Status::Ok);
        };
        let Some(text) = render(args, &job.scenario)? else {
            return Ok(Status::Findings);
        };
        match &args.output {
            Some(path) => {
                if path.is_dir() {
                    return Err(CliError::Io {
                        action: "write",
                        path: input::shown(path),
                        reason: format!(
                            "it is a folder; with one scenario, `-o` names the report file, such as `{}`",
                            input::shown(&path.join(&job.report))
                        ),
                    });
                }
                write_file(path, text.as_bytes(), &Inputs::new(&[&job.scenario]))?;
            }
            None => print(&text),
        }
        return Ok(Status::Ok);
    }

    let reports_dir = args
        .output
        .clone()
        .unwrap_or_else(|| default_reports_dir(&root));
    let inputs = Inputs::new(
        &jobs
            .iter()
            .map(|j| j.scenario.as_path())
            .collect::<Vec<_>>(),
    );
    let mut status = Status::Ok;
    let mut written = 0;
    for job in &jobs {
        let target = reports_dir.join(&job.report);
        let Some(text) = render(args, &job.scenario)? else {
            status = Status::Findings;
            continue;
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CliError::write(parent, &e))?;
        }
        write_file(&target, text.as_bytes(), &inputs)?;
        written += 1;
    }
    let folder = input::shown(&reports_dir);
    input::note(&format!(
        "wrote {written} report{} to `{folder}`\n",
        if written == 1 { "" } else { "s" }
    ));
    Ok(status)
}

/// The folder scenario paths are taken relative to: the folder itself, or a file's folder.
fn scenario_root(path: &Path, is_dir: bool) -> PathBuf {
    if is_dir {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

/// Each scenario with the name of its report relative to the reports folder.
fn jobs(scenarios: &[PathBuf], root: &Path, extension: &str) -> Vec<Job> {
    scenarios
        .iter()
        .map(|scenario| {
            let relative = scenario
                .strip_prefix(root)
                .map_or_else(|_| scenario.clone(), Path::to_path_buf);
            let mut report = relative.with_extension("");
            let stem = report
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            report.set_file_name(format!("{stem}.{extension}"));
            Job {
                scenario: scenario.clone(),
                report,
            }
        })
        .collect()
}

/// `--check`: compares the committed reports with fresh ones, and never writes.
///
/// The path may be the scenarios folder (reports in `-o`, or `reports/` next to it), the
/// reports folder (scenarios found in the sibling folder that has a scenario for its
/// reports), or one scenario file. For a folder, every scenario must have a fresh report and
/// every report of the format a scenario, so a check pointed at the wrong folder, or a
/// report left behind by a deleted scenario, fails instead of passing on nothing.
fn check(args: &ReportArgs) -> Result<Status, CliError> {
    if input::is_stdin(&args.path) {
        return Err(CliError::Usage(
            "`casus report --check` compares committed reports with their scenario files; give a scenario file or folder, not `-`".to_owned(),
        ));
    }
    let is_dir = !input::is_stdin(&args.path)
        && std::fs::metadata(&args.path)
            .map_err(|e| CliError::io(&args.path, &e))?
            .is_dir();
    let extension = extension(args);
    let (scenarios_root, reports_dir, scenarios) = if is_dir {
        let found = input::collect_lenient(std::slice::from_ref(&args.path))?;
        let committed = if found.is_empty() && args.output.is_none() {
            list_reports(&args.path, &extension)?
        } else {
            Vec::new()
        };
        if !found.is_empty() {
            let reports_dir = args
                .output
                .clone()
                .unwrap_or_else(|| default_reports_dir(&args.path));
            (args.path.clone(), reports_dir, found)
        } else if !committed.is_empty() {
            // The reports folder: find the scenarios its reports were made from.
            let root = scenarios_for_reports(&args.path, &committed, &extension)?;
            let found = input::collect(std::slice::from_ref(&root))?;
            (root, args.path.clone(), found)
        } else if args.output.is_some() && !crate::cli::GlobalArgs::get().allow_empty {
            return Err(CliError::Usage(format!(
                "`{}` holds no scenario file (`*.toml`); with `-o REPORTS`, give the scenarios folder, or pass `--allow-empty` to accept a check of nothing",
                input::display_name(&args.path)
            )));
        } else if crate::cli::GlobalArgs::get().allow_empty {
            let reports_dir = args
                .output
                .clone()
                .unwrap_or_else(|| default_reports_dir(&args.path));
            (args.path.clone(), reports_dir, found)
        } else {
            return Err(CliError::Usage(format!(
                "`{}` holds neither scenario files (`*.toml`) nor `.{extension}` reports; give the scenarios folder or the reports folder, or pass `--allow-empty` to accept a check of nothing",
                input::shown(&args.path)
            )));
        }
    } else {
        let root = scenario_root(&args.path, false);
        let reports_dir = args
            .output
            .clone()
            .unwrap_or_else(|| default_reports_dir(&root));
        (root, reports_dir, vec![args.path.clone()])
    };
    let jobs = jobs(&scenarios, &scenarios_root, &extension);

    let mut status = Status::Ok;
    let mut problems = Vec::new();
    for job in &jobs {
        let target = reports_dir.join(&job.report);
        let Some(text) = render(args, &job.scenario)? else {
            status = Status::Findings;
            continue;
        };
        match std::fs::read(&target) {
            Ok(committed) if committed == text.as_bytes() => {}
            Ok(_) => problems.push(format!("stale: {}", input::shown(&target))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(format!("missing: {}", input::shown(&target)));
            }
            Err(e) => return Err(CliError::io(&target, &e)),
        }
    }
    if is_dir {
        // Reports whose scenario is gone: a deleted or renamed scenario leaves its report.
        for report in list_reports(&reports_dir, &extension)? {
            if !jobs.iter().any(|j| j.report == report) {
                let scenario = scenarios_root.join(scenario_name(&report, &extension));
                problems.push(format!(
                    "orphaned: {} (no scenario `{}`)",
                    input::shown(&reports_dir.join(&report)),
                    input::shown(&scenario)
                ));
            }
        }
    }

    let folder = input::shown(&reports_dir);
    let scenarios_folder = input::shown(&scenarios_root);
    let mut out = String::new();
    for line in &problems {
        out.push_str(line);
        out.push('\n');
    }
    if problems.is_empty() {
        out.push_str(&format!(
            "{} {} report{} in `{folder}` up to date with `{}`\n",
            jobs.len(),
            args.format.name(),
            if jobs.len() == 1 { "" } else { "s" },
            if is_dir {
                scenarios_folder
            } else {
                input::shown(&args.path)
            }
        ));
    } else {
        let graph = if args.graph == GraphArg::Rules {
            " --graph rules"
        } else {
            ""
        };
        let target = if is_dir {
            scenarios_folder
        } else {
            input::shown(&args.path)
        };
        out.push_str(&format!(
            "{} {} report{} stale, missing or orphaned ({} scenario{}); update them with `casus report {target} --format {}{graph} -o {folder}` and delete the orphaned ones\n",
            problems.len(),
            args.format.name(),
            if problems.len() == 1 { " is" } else { "s are" },
            jobs.len(),
            if jobs.len() == 1 { "" } else { "s" },
            args.format.name(),
        ));
        status = Status::Findings;
    }
    print(&out);
    Ok(status)
}

/// The scenario a report was made from, relative like the report: `a/b.rules.dot` → `a/b.toml`.
fn scenario_name(report: &Path, extension: &str) -> PathBuf {
    let name = report
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(&format!(".{extension}")).unwrap_or(&name);
    report.with_file_name(format!("{stem}.toml"))
}

/// The reports of one format in a folder (relative paths, sorted): files ending in
/// `.EXTENSION`, but not the rule graph's `.rules.dot` when looking for `.dot`, and no hidden
/// files (temporary files of an interrupted write). A missing folder holds none.
fn list_reports(dir: &Path, extension: &str) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    if dir.is_dir() {
        list_reports_in(dir, Path::new(""), extension, &mut out)?;
    }
    out.sort();
    Ok(out)
}

fn list_reports_in(
    dir: &Path,
    relative: &Path,
    extension: &str,
    out: &mut Vec<PathBuf>,
) -> Result<(), CliError> {
    let entries = std::fs::read_dir(dir).map_err(|e| CliError::io(dir, &e))?;
    let suffix = format!(".{extension}");
    let rules_suffix = format!(".rules.{extension}");
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        // Hidden files, and a folder's own README, are not reports of any scenario.
        let stem = name.split('.').next().unwrap_or_default();
        if name.starts_with('.') || stem.eq_ignore_ascii_case("readme") {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            list_reports_in(&entry.path(), &relative.join(&name), extension, out)?;
        } else if kind.is_file()
            && name.ends_with(&suffix)
            && (extension.starts_with("rules.") || !name.ends_with(&rules_suffix))
        {
            out.push(relative.join(&name));
        }
    }
    Ok(())
}

/// The scenarios folder of a reports folder: the sibling folder that has a scenario for any
/// of its reports. `reports/` next to `scenarios/` is the layout `casus report` writes.
fn scenarios_for_reports(
    reports_dir: &Path,
    reports: &[PathBuf],
    extension: &str,
) -> Result<PathBuf, CliError> {
    let parent = match reports_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let own = std::fs::canonicalize(reports_dir).ok();
    let mut siblings: Vec<PathBuf> = std::fs::read_dir(&parent)
        .map_err(|e| CliError::io(&parent, &e))?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .filter(|p| std::fs::canonicalize(p).ok() != own)
        .collect();
    siblings.sort();
    let candidates: Vec<PathBuf> = siblings
        .into_iter()
        .filter(|dir| {
            reports
                .iter()
                .any(|r| dir.join(scenario_name(r, extension)).is_file())
        })
        .collect();
    let shown = input::shown(reports_dir);
    match candidates.as_slice() {
        [one] => Ok(strip_dot(one)),
        [] => Err(CliError::Usage(format!(
            "`{shown}` holds reports but no folder next to it holds their scenarios; give the scenarios folder: `casus report --check SCENARIOS -o {shown}`"
        ))),
        many => Err(CliError::Usage(format!(
            "the reports in `{shown}` match scenarios in several folders ({}); give the scenarios folder: `casus report --check SCENARIOS -o {shown}`",
            many.iter()
                .map(|p| format!("`{}`", input::shown(&strip_dot(p))))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// `./scenarios` → `scenarios`, so names read as the user typed them.
fn strip_dot(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

/// The extension of a report file: the format's, with `rules.` before it for the rule graph.
fn extension(args: &ReportArgs) -> String {
    let format = args.format.format();
    let graph_specific = matches!(format, Format::Dot | Format::Mermaid);
    if graph_specific && args.graph == GraphArg::Rules {
        format!("rules.{}", format.extension())
    } else {
        format.extension().to_owned()
    }
}

/// `reports/` next to the scenarios' folder: `scenarios/` → `reports/`, `a/b/` → `a/reports/`.
fn default_reports_dir(root: &Path) -> PathBuf {
    match (root.file_name(), root.parent()) {
        (Some(_), Some(parent)) => parent.join("reports"),
        _ => root.join("reports"),
    }
}

/// The report of one scenario, or `None` after printing its errors.
fn render(args: &ReportArgs, path: &Path) -> Result<Option<String>, CliError> {
    let limits = args.limits.core();
    let (source, decode_error) = input::read(path, &limits)?;
    if let Some(d) = decode_error {
        findings(&source, &[d]);
        return Ok(None);
    }
    // The report analyses the scenario as written first: the check's graph serves it.
    let session = casus_rules::session::Session::open(
        source,
        casus_rules::session::Options {
            record: true,
            record_drops: true,
            ..args.limits.session(casus_rules::LintLevels::default())
        },
    );
    let spinner = crate::progress::Spinner::start(&format!("report {}", input::shown(path)));
    let mut budget = args.limits.budget();
    budget.progress = spinner.as_ref().map(crate::progress::Spinner::progress);
    let prepared = report::prepare(&session, &budget);
    drop(spinner);
    match prepared {
        Ok(model) => {
            let graph = match args.graph {
                GraphArg::Decisions => Graph::Decisions,
                GraphArg::Rules => Graph::Rules,
            };
            Ok(Some(report::render(&model, args.format.format(), graph)))
        }
        Err(diagnostics) => {
            findings(session.source(), &diagnostics);
            Ok(None)
        }
    }
}

fn findings(source: &SourceFile, diagnostics: &[casus_core::Diagnostic]) {
    let color = input::color(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    eprint(&render_human(source, diagnostics, color));
}
