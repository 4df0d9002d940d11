//! `casus explain`: why the given values lead where they do, which paths lead to an outcome,
//! and what would have to change to reach another.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use casus_report::explain::ExplainReport;

use crate::Status;
use crate::cli::LimitArgs;
use crate::commands::eval::{report_findings, resolve_given};
use crate::error::CliError;
use crate::input;
use crate::output::print;

/// Most paths listed by `--outcome`; the rest are counted.
const LISTED_PATHS: usize = 10;

/// How `explain` prints results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExplainFormat {
    /// A narrative for people, to paste into a brief.
    Human,
    /// The same content as JSON.
    Json,
}

/// Arguments of `casus explain`.
#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// The scenario file (`-` reads standard input), or a diagnostic code such as `E0504` to
    /// print its explanation.
    pub(crate) file: PathBuf,
    /// Fix a decision or override an input fact: `decision=option` or `fact=value`.
    #[arg(long, value_name = "NAME=VALUE")]
    pub(crate) given: Vec<String>,
    /// List the paths that lead to this outcome, most likely first.
    #[arg(long, value_name = "ID", conflicts_with = "why_not")]
    pub(crate) outcome: Option<String>,
    /// Find the fewest changed choices that lead to this outcome instead.
    #[arg(long, value_name = "OUTCOME")]
    pub(crate) why_not: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: ExplainFormat,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// Runs the command.
pub(crate) fn run(args: &ExplainArgs) -> Result<Status, CliError> {
    // `casus explain E0504`: a diagnostic code, not a file, gets the code's explanation.
    if !args.file.exists()
        && let Some(code) = args.file.to_str()
        && casus_core::Code::parse(code.trim()).is_some()
    {
        print(&crate::commands::check::explain(code)?);
        return Ok(Status::Ok);
    }
    let limits = args.limits.core();
    let (source, decode_error) = input::read(&args.file, &limits)?;
    if let Some(d) = decode_error {
        return Ok(report_findings(&source, &[d]));
    }
    let checked = casus_rules::check_source(&source, &limits, &args.limits.eval());
    let (Some(scenario), Some(program), false) =
        (&checked.scenario, &checked.program, checked.has_errors())
    else {
        return Ok(report_findings(&source, &checked.diagnostics));
    };
    let outcome_index = |flag: &str, id: &str| {
        scenario
            .outcomes
            .iter()
            .position(|o| o.id.name == id)
            .ok_or_else(|| {
                let ids: Vec<&str> = scenario
                    .outcomes
                    .iter()
                    .map(|o| o.id.name.as_str())
                    .collect();
                let names: Vec<String> = ids.iter().map(|&i| i.to_owned()).collect();
                let hint = casus_core::diagnostic::did_you_mean(id, ids.iter().copied())
                    .map_or_else(
                        || format!("; the outcomes are {}", casus_core::model::list(&names)),
                        |h| format!("; {h}"),
                    );
                CliError::Usage(format!("{flag}: `{id}` is not an outcome{hint}"))
            })
    };
    let outcome = args
        .outcome
        .as_deref()
        .map(|id| outcome_index("--outcome", id))
        .transpose()?;
    let target = args
        .why_not
        .as_deref()
        .map(|id| outcome_index("--why-not", id))
        .transpose()?;

    let (fixed, program) = resolve_given(scenario, program, &args.given)?;
    // Evaluating first reports what explaining cannot: rule conflicts and paths without an
    // outcome under the given facts, no path consistent with the given values, limits.
    if let Err(diagnostics) =
        casus_rules::evaluate(scenario, &program, &fixed.given, &args.limits.eval())
    {
        return Ok(report_findings(&source, &diagnostics));
    }
    let max_paths = args.limits.max_paths;
    let walk_error = |e: casus_rules::search::paths::WalkError| {
        CliError::Usage(format!(
            "{e}; fix more decisions with `--given`, or raise the limit with `--max-paths`"
        ))
    };
    let Some(explanation) =
        casus_rules::analyses::explain::explain(&program, &fixed.given, max_paths)
            .map_err(walk_error)?
    else {
        return Err(CliError::Usage(
            "no path is consistent with the given values".to_owned(),
        ));
    };
    let outcome_paths = outcome
        .map(|o| {
            casus_rules::analyses::explain::paths_to(
                &program,
                &fixed.given,
                o,
                LISTED_PATHS,
                max_paths,
            )
        })
        .transpose()
        .map_err(walk_error)?;
    let why_not = target
        .map(|t| {
            casus_rules::analyses::whynot::why_not(
                scenario,
                &program,
                &fixed,
                &explanation.path,
                t,
                max_paths,
            )
            .map(|answer| (t, answer))
        })
        .transpose()
        .map_err(walk_error)?;

    let report = ExplainReport {
        scenario,
        program: &program,
        fixed: &fixed,
        explanation: &explanation,
        outcome_paths: outcome_paths.as_ref(),
        why_not: why_not.as_ref().map(|(t, a)| (*t, a)),
    };
    match args.format {
        ExplainFormat::Human => print(&casus_report::explain::render_human(&report)),
        ExplainFormat::Json => print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&casus_report::explain::to_json(&report))
                .unwrap_or_default()
        )),
    }
    Ok(Status::Ok)
}
