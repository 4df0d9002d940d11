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
    /// Draw every likelihood within its band this many times and show the spread of each
    /// outcome's probability (probabilistic sensitivity).
    #[arg(long, value_name = "N")]
    pub(crate) samples: Option<usize>,
    /// Seed for `--samples`; the same seed gives the same numbers on every machine.
    #[arg(long, default_value_t = 1, value_name = "S", requires = "samples")]
    pub(crate) seed: u64,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// Most assumption rows shown in human output; the JSON carries them all.
const ASSUMPTION_ROWS: usize = 5;

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
    // One deadline for the whole command: `--timeout` bounds the forecast and its ranges.
    let eval_limits = args.limits.eval();
    let evaluation = match casus_rules::evaluate(scenario, &program, &fixed.given, &eval_limits) {
        Ok(e) => e,
        Err(diagnostics) => return Ok(report_findings(&source, &diagnostics)),
    };
    // Ranges cost about one more evaluation per option of each likelihood table with a band;
    // when they do not fit in the limits, the forecast is still worth printing without them.
    let sensitivity =
        match casus_rules::sensitivity::sensitivity(scenario, &program, &fixed.given, &eval_limits)
        {
            Ok(s) => Some(s),
            Err(diagnostics) => {
                let why = diagnostics
                    .first()
                    .map_or(String::new(), |d| format!(" ({})", d.message));
                crate::output::eprint(&format!(
                    "note: the ranges are left out{why}; raise `--timeout` to compute them\n"
                ));
                None
            }
        };
    let ranges = sensitivity.as_ref().map(|s| s.ranges.as_slice());
    // The deeper analyses share the deadline too, and are left out with a note when they do
    // not fit, like the ranges.
    let omitted = |what: &str, diagnostics: Vec<casus_core::Diagnostic>| {
        let why = diagnostics
            .first()
            .map_or(String::new(), |d| format!(" ({})", d.message));
        crate::output::eprint(&format!(
            "note: {what} is left out{why}; raise `--timeout` to compute it\n"
        ));
    };
    let sampling = match args.samples {
        Some(n) => casus_rules::sampling::sample(
            scenario,
            &program,
            &fixed.given,
            &eval_limits,
            n,
            args.seed,
        )
        .map_err(|d| omitted("probabilistic sensitivity", d))
        .ok(),
        None => None,
    };
    let information = casus_rules::voi::value_of_information(scenario, &program, &eval_limits)
        .map_err(|d| omitted("the value of information", d))
        .ok();
    let ranking = casus_rules::ranking::rank_assumptions(scenario, &program, &eval_limits)
        .map_err(|d| omitted("the assumption ranking", d))
        .ok();
    match args.format {
        EvalFormat::Human => {
            let mut text = casus_report::eval::render_human(scenario, &evaluation, ranges);
            if let Some(sensitivity) = &sensitivity {
                text.push_str(&casus_report::eval::render_tornado(
                    scenario,
                    &sensitivity.tornado,
                    TORNADO_ROWS,
                ));
            }
            if let Some(sampling) = &sampling {
                text.push_str(&casus_report::analysis::render_sampling(scenario, sampling));
            }
            if let Some(information) = &information {
                text.push_str(&casus_report::analysis::render_information(
                    scenario,
                    information,
                ));
            }
            if let Some(ranking) = &ranking {
                text.push_str(&casus_report::analysis::render_ranking(
                    scenario,
                    ranking,
                    ASSUMPTION_ROWS,
                ));
            }
            print(&text);
        }
        EvalFormat::Json => {
            let mut json = casus_report::eval::to_json(scenario, &evaluation, ranges);
            if let Some(sensitivity) = &sensitivity {
                casus_report::eval::add_tornado(&mut json, scenario, &sensitivity.tornado);
            }
            if let Some(object) = json.as_object_mut() {
                if let Some(sampling) = &sampling {
                    object.insert(
                        "sampling".into(),
                        casus_report::analysis::sampling_json(scenario, sampling),
                    );
                }
                if let Some(information) = &information {
                    object.insert(
                        "value_of_information".into(),
                        casus_report::analysis::information_json(scenario, information),
                    );
                }
                if let Some(ranking) = &ranking {
                    object.insert(
                        "assumptions".into(),
                        casus_report::analysis::ranking_json(scenario, ranking),
                    );
                }
            }
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
