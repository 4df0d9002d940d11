//! `casus eval`: forecast, strategy and paths of one scenario.

use casus_core::SourceFile;
use casus_report::diagnostics::render_human;

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::Status;
use crate::cli::LimitArgs;
use crate::error::CliError;
use crate::input;
use crate::output::print;

/// How `eval` prints results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum EvalFormat {
    /// Tables for people.
    Human,
    /// The JSON contract of docs/cli.md.
    Json,
}

/// Arguments of `casus eval`.
#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
    /// The scenario file.
    pub(crate) file: PathBuf,
    /// Fix a decision or override an input fact: `decision=option` or `fact=value`.
    #[arg(long, value_name = "NAME=VALUE")]
    pub(crate) given: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: EvalFormat,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// Runs the command.
pub(crate) fn run(args: &EvalArgs) -> Result<Status, CliError> {
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
    let pairs: Vec<(&str, casus_core::model::Value)> = args
        .given
        .iter()
        .map(|g| {
            let (name, value) = g.split_once('=').ok_or_else(|| {
                CliError::Usage(format!(
                    "`--given {g}` must be `name=value`, such as `--given russia_answer=refuse`"
                ))
            })?;
            Ok((name.trim(), casus_rules::given::parse_value(value.trim())))
        })
        .collect::<Result<_, CliError>>()?;
    let fixed = casus_rules::given::resolve(scenario, pairs.iter().map(|(n, v)| (*n, v)))
        .map_err(|e| CliError::Usage(format!("--given: {e}")))?;
    let program = if fixed.overrides.is_empty() {
        program.clone()
    } else {
        casus_rules::Program::compile_with(scenario, &fixed.overrides)
            .map_err(|_| CliError::Usage("--given: cannot compile".into()))?
    };
    let evaluation =
        match casus_rules::evaluate(scenario, &program, &fixed.given, &args.limits.eval()) {
            Ok(e) => e,
            Err(diagnostics) => return Ok(report_findings(&source, &diagnostics)),
        };
    match args.format {
        EvalFormat::Human => print(&casus_report::eval::render_human(
            scenario,
            &evaluation,
            None,
        )),
        EvalFormat::Json => {
            let json = casus_report::eval::to_json(scenario, &evaluation, None);
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            ));
        }
    }
    Ok(Status::Ok)
}

fn report_findings(source: &SourceFile, diagnostics: &[casus_core::Diagnostic]) -> Status {
    let color = input::color(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    crate::output::eprint(&render_human(source, diagnostics, color));
    if diagnostics.iter().any(casus_core::Diagnostic::is_error) {
        Status::Findings
    } else {
        Status::Ok
    }
}
