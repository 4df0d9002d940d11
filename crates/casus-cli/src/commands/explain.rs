//! `casus explain`: why the given values lead where they do, which paths lead to an outcome,
//! and what would have to change to reach another.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use casus_report::explain::ExplainReport;

use crate::Status;
use crate::cli::LimitArgs;
use crate::error::CliError;
use crate::input;
use crate::output::print;
use casus_rules::session::{ExplainRequest, WhatIf};

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
    /// Explain the variant `[variants.ID]` instead of the base scenario.
    #[arg(long, value_name = "ID")]
    pub(crate) variant: Option<String>,
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
    let spinner = crate::progress::Spinner::start(&format!("explain {}", input::shown(&args.file)));
    let Some(session) = crate::commands::eval::open(&args.file, &args.limits, false, false)? else {
        return Ok(Status::Findings);
    };
    let what_if = WhatIf {
        variant: args.variant.clone(),
        given: crate::commands::eval::parse_given(&args.given)?,
        observe: Vec::new(),
    };
    let model = match session.model(&what_if) {
        Ok(m) => m,
        Err(e) => return crate::commands::eval::fail(&session, e),
    };
    let request = ExplainRequest {
        outcome: args.outcome.clone(),
        why_not: args.why_not.clone(),
        listed: LISTED_PATHS,
    };
    let mut budget = args.limits.budget();
    budget.progress = spinner.as_ref().map(crate::progress::Spinner::progress);
    let explained = session.explain(&model, &request, &budget);
    drop(spinner);
    let explained = match explained {
        Ok(e) => e,
        Err(e) => return crate::commands::eval::fail(&session, e),
    };
    let scenario = model.shown();
    let (scenario, program, fixed) = (&scenario, &model.program, &model.fixed);
    let explanation = &explained.explanation;
    let outcome_paths = explained.outcome_paths.as_ref().map(|(_, p)| p.clone());
    let why_not = explained.why_not.clone();
    let report = ExplainReport {
        scenario,
        program,
        fixed,
        explanation,
        outcome_paths: outcome_paths.as_ref(),
        why_not: why_not.as_ref().map(|(t, a)| (*t, a)),
    };
    match args.format {
        ExplainFormat::Human => print(&casus_report::explain::render_human(&report)),
        ExplainFormat::Json => print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&casus_report::output::explain::ExplainOutput::build(
                &report
            ))
            .unwrap_or_default()
        )),
    }
    Ok(Status::Ok)
}
