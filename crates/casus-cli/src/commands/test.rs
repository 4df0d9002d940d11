//! `casus test`: run the `[tests.*]` of scenario files, optionally with coverage.

use std::path::PathBuf;

use casus_core::model::Scenario;
use casus_core::{Diagnostic, SourceFile};
use casus_report::output::testing::TestOutput;
use casus_report::testing::{FileTests, render_github, render_human, render_junit};
use casus_rules::LintLevels;
use casus_rules::session::Session;
use casus_rules::workflow::testing::{Coverage, TestResult};
use clap::{Args, ValueEnum};

use crate::Status;
use crate::cli::LimitArgs;
use crate::error::CliError;
use crate::input;
use crate::output::{eprint, print};

/// How `test` prints results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum TestFormat {
    /// Like `cargo test`, for people.
    Human,
    /// One JSON document.
    Json,
    /// JUnit XML, for CI test dashboards.
    Junit,
    /// GitHub Actions annotations on the failing expectations.
    Github,
}

/// Arguments of `casus test`.
#[derive(Debug, Args)]
pub(crate) struct TestArgs {
    /// Scenario files, or folders to search for `*.toml`.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: TestFormat,
    /// Report the paths, rules and outcomes the tests exercise, and what no test touches.
    #[arg(long)]
    pub(crate) coverage: bool,
    /// Fail when a file's path coverage is below this percentage (implies `--coverage`).
    #[arg(long, value_name = "PERCENT")]
    pub(crate) min_coverage: Option<f64>,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

struct Ran {
    source: SourceFile,
    scenario: Option<Scenario>,
    results: Vec<TestResult>,
    diagnostics: Vec<Diagnostic>,
    coverage: Option<Result<Coverage, String>>,
    /// Reading, checking and testing the file took this long (JUnit's `time`).
    elapsed: std::time::Duration,
}

/// Runs the command.
pub(crate) fn run(args: &TestArgs) -> Result<Status, CliError> {
    if let Some(min) = args.min_coverage
        && !(0.0..=100.0).contains(&min)
    {
        return Err(CliError::Usage(format!(
            "`--min-coverage {min}` must be a percentage between 0 and 100"
        )));
    }
    let want_coverage = args.coverage || args.min_coverage.is_some();
    let files = input::collect(&args.paths)?;
    let limits = args.limits.core();
    let mut ran = Vec::new();
    for path in &files {
        let started = std::time::Instant::now();
        let (source, decode_error) = input::read(path, &limits)?;
        let spinner = crate::progress::Spinner::start(&format!("test {}", input::shown(path)));
        let mut budget = args.limits.budget();
        budget.progress = spinner.as_ref().map(crate::progress::Spinner::progress);
        let (session, scenario, diagnostics) = match decode_error {
            Some(d) => (None, None, vec![d]),
            None => {
                let session =
                    Session::open(source.clone(), args.limits.session(LintLevels::default()));
                if session.has_errors() {
                    let diagnostics = session.diagnostics().to_vec();
                    (None, None, diagnostics)
                } else {
                    let scenario = session.scenario().cloned();
                    (Some(session), scenario, Vec::new())
                }
            }
        };
        let (results, coverage) = match &session {
            Some(s) if want_coverage => match s.tests_with_coverage(&budget) {
                Ok((results, coverage)) => (results, Some(coverage)),
                Err(_) => (Vec::new(), None),
            },
            Some(s) => (s.tests(&budget).unwrap_or_default(), None),
            None => (Vec::new(), None),
        };
        let mut results = results;
        for r in &mut results {
            r.elapsed = input::fixed_or(r.elapsed);
        }
        ran.push(Ran {
            source,
            scenario,
            results,
            diagnostics,
            coverage,
            elapsed: input::elapsed(started),
        });
    }
    let views: Vec<FileTests<'_>> = ran
        .iter()
        .map(|r| FileTests {
            source: &r.source,
            run: r.scenario.as_ref().map(|s| (s, r.results.as_slice())),
            diagnostics: &r.diagnostics,
            coverage: r.coverage.as_ref(),
            elapsed: r.elapsed,
        })
        .collect();

    // Errors that kept tests from running go to standard error, as `casus check` shows them,
    // except in the GitHub format, which turns them into annotations itself.
    if args.format != TestFormat::Github {
        let color = input::color(std::io::IsTerminal::is_terminal(&std::io::stderr()));
        for r in ran.iter().filter(|r| r.scenario.is_none()) {
            eprint(&casus_report::diagnostics::render_human(
                &r.source,
                &r.diagnostics,
                color,
            ));
        }
    }
    match args.format {
        TestFormat::Human => print(&render_human(&views)),
        TestFormat::Json => print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&TestOutput::build(&views)).unwrap_or_default()
        )),
        TestFormat::Junit => print(&render_junit(&views)),
        TestFormat::Github => print(&render_github(&views)),
    }

    let (_, failed) = casus_report::testing::counts(&views);
    let mut below = false;
    if let Some(min) = args.min_coverage {
        for r in &ran {
            if let Some(Ok(c)) = &r.coverage
                && c.path_percent() + 1e-9 < min
            {
                below = true;
                eprint(&format!(
                    "error: path coverage of `{}` is {:.1} %, below the minimum of {min} %\n",
                    r.source.name(),
                    c.path_percent()
                ));
            } else if let Some(Err(message)) = &r.coverage {
                below = true;
                eprint(&format!(
                    "error: coverage of `{}` could not be measured: {message}\n",
                    r.source.name()
                ));
            }
        }
    }
    Ok(if failed > 0 || below {
        Status::Findings
    } else {
        Status::Ok
    })
}
