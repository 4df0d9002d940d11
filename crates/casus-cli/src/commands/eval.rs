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

/// Most tornado rows shown in human output; the JSON carries them all.
const TORNADO_ROWS: usize = 10;

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
    let (fixed, program) = resolve_given(scenario, program, &args.given)?;
    let evaluation =
        match casus_rules::evaluate(scenario, &program, &fixed.given, &args.limits.eval()) {
            Ok(e) => e,
            Err(diagnostics) => return Ok(report_findings(&source, &diagnostics)),
        };
    let sensitivity = match casus_rules::sensitivity::sensitivity(
        scenario,
        &program,
        &fixed.given,
        &args.limits.eval(),
    ) {
        Ok(s) => s,
        Err(diagnostics) => return Ok(report_findings(&source, &diagnostics)),
    };
    let ranges = Some(sensitivity.ranges.as_slice());
    match args.format {
        EvalFormat::Human => {
            let mut text = casus_report::eval::render_human(scenario, &evaluation, ranges);
            text.push_str(&casus_report::eval::render_tornado(
                scenario,
                &sensitivity.tornado,
                TORNADO_ROWS,
            ));
            print(&text);
        }
        EvalFormat::Json => {
            let mut json = casus_report::eval::to_json(scenario, &evaluation, ranges);
            casus_report::eval::add_tornado(&mut json, scenario, &sensitivity.tornado);
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            ));
        }
    }
    Ok(Status::Ok)
}

/// Reads `--given name=value` pairs and compiles the program with the given input facts.
pub(crate) fn resolve_given(
    scenario: &casus_core::model::Scenario,
    program: &casus_rules::Program,
    given: &[String],
) -> Result<(casus_rules::given::Fixed, casus_rules::Program), CliError> {
    let pairs: Vec<(&str, casus_core::model::Value)> = given
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
    Ok((fixed, program))
}

/// Prints diagnostics to standard error; the status says whether any is an error.
pub(crate) fn report_findings(
    source: &SourceFile,
    diagnostics: &[casus_core::Diagnostic],
) -> Status {
    let color = input::color(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    crate::output::eprint(&render_human(source, diagnostics, color));
    if diagnostics.iter().any(casus_core::Diagnostic::is_error) {
        Status::Findings
    } else {
        Status::Ok
    }
}
