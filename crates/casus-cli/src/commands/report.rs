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
//! Reports are written by the CLI's one writer (`crate::write`): atomically, never over a
//! scenario, never through a planted temporary name. The check reads the
//! committed reports and never writes.

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
    /// A scenario file, or a folder searched for `*.toml` (one report per scenario).
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
    /// one; writes nothing.
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
    let is_dir = std::fs::metadata(&args.path)
        .map_err(|e| CliError::io(&args.path, &e))?
        .is_dir();
    let extension = extension(args);
    let root = if is_dir {
        args.path.clone()
    } else {
        args.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    };
    let jobs: Vec<Job> = input::collect(std::slice::from_ref(&args.path))?
        .into_iter()
        .map(|scenario| {
            let relative = scenario
                .strip_prefix(&root)
                .map_or_else(|_| scenario.clone(), Path::to_path_buf);
            let mut report = relative.with_extension("");
            let stem = report
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            report.set_file_name(format!("{stem}.{extension}"));
            Job { scenario, report }
        })
        .collect();

    if !args.check && !is_dir {
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
    let mut stale = Vec::new();
    let mut written = 0;
    for job in &jobs {
        let target = reports_dir.join(&job.report);
        let Some(text) = render(args, &job.scenario)? else {
            status = Status::Findings;
            continue;
        };
        if args.check {
            match std::fs::read(&target) {
                Ok(committed) if committed == text.as_bytes() => {}
                Ok(_) => stale.push(format!("stale: {}", input::shown(&target))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    stale.push(format!("missing: {}", input::shown(&target)));
                }
                Err(e) => return Err(CliError::io(&target, &e)),
            }
        } else {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| CliError::write(parent, &e))?;
            }
            write_file(&target, text.as_bytes(), &inputs)?;
            written += 1;
        }
    }

    let folder = input::shown(&reports_dir);
    if args.check {
        let mut out = String::new();
        for line in &stale {
            out.push_str(line);
            out.push('\n');
        }
        if stale.is_empty() {
            out.push_str(&format!(
                "{} {} report{} in `{folder}` up to date\n",
                jobs.len(),
                args.format.name(),
                if jobs.len() == 1 { "" } else { "s" }
            ));
        } else {
            let graph = if args.graph == GraphArg::Rules {
                " --graph rules"
            } else {
                ""
            };
            out.push_str(&format!(
                "{} of {} {} reports are stale or missing; update them with `casus report {} --format {}{graph} -o {folder}`\n",
                stale.len(),
                jobs.len(),
                args.format.name(),
                input::shown(&args.path),
                args.format.name(),
            ));
            status = Status::Findings;
        }
        print(&out);
    } else {
        eprint(&format!(
            "wrote {written} report{} to `{folder}`\n",
            if written == 1 { "" } else { "s" }
        ));
    }
    Ok(status)
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
    let session = casus_rules::session::Session::open(
        source,
        args.limits.session(casus_rules::LintLevels::default()),
    );
    match report::prepare(&session, &args.limits.budget()) {
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
