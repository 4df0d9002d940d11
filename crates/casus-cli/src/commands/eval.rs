//! `casus eval`: forecast, strategy and paths of one scenario, of one of its variants or of all
//! of them side by side, optionally conditioned on observed signposts.

use casus_core::SourceFile;
use casus_core::model::Value;
use casus_report::diagnostics::render_human;
use casus_rules::LintLevels;
use casus_rules::session::{Method, Plan, Session, SessionError, WhatIf};

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::Status;
use crate::cli::{GlobalArgs, LimitArgs};
use crate::error::CliError;
use crate::input;
use crate::output::{eprint, print};

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
    #[arg(long, value_name = "N", conflicts_with = "all_variants")]
    pub(crate) samples: Option<usize>,
    /// Seed for `--samples`; the same seed gives the same numbers on every machine.
    #[arg(long, default_value_t = 1, value_name = "S", requires = "samples")]
    pub(crate) seed: u64,
    /// Compute only these analyses beside the forecast and strategy, separated by commas:
    /// ranges, information, ranking, watch, analysts; `none` for the forecast and strategy
    /// alone (default: all of them).
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        conflicts_with = "all_variants"
    )]
    pub(crate) analyses: Option<Vec<String>>,
    /// Evaluate the variant `[variants.ID]` instead of the base scenario.
    #[arg(long, value_name = "ID", conflicts_with = "all_variants")]
    pub(crate) variant: Option<String>,
    /// Show the outcomes of the base scenario and of every variant side by side, base first,
    /// with the probabilities that differ from the base marked.
    #[arg(long)]
    pub(crate) all_variants: bool,
    /// Condition the forecast on having seen these signposts (`[signposts.ID]`), by Bayes'
    /// rule; several may be given, separated by commas or spaces.
    #[arg(
        long,
        value_name = "ID",
        num_args = 1..,
        value_delimiter = ',',
        conflicts_with = "all_variants"
    )]
    pub(crate) observe: Vec<String>,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// Runs the command: arguments → session → result → renderer.
pub(crate) fn run(args: &EvalArgs) -> Result<Status, CliError> {
    let spinner = crate::progress::Spinner::start(&format!("eval {}", input::shown(&args.file)));
    // The scenario as written is evaluated once: the check's evaluation serves the analyses.
    let as_written = args.variant.is_none()
        && args.given.is_empty()
        && args.observe.is_empty()
        && !args.all_variants;
    // And when the plan ranks the assumptions, the rules' drops are found in that evaluation.
    let ranks = args
        .analyses
        .as_ref()
        .is_none_or(|names| names.iter().any(|n| n == "ranking"));
    let Some(session) = open(&args.file, &args.limits, as_written, as_written && ranks)? else {
        return Ok(Status::Findings);
    };
    let what_if = WhatIf {
        variant: args.variant.clone(),
        given: parse_given(&args.given)?,
        observe: args.observe.clone(),
    };
    let mut budget = args.limits.budget();
    budget.progress = spinner.as_ref().map(crate::progress::Spinner::progress);
    let Some(base) = session.scenario() else {
        return Ok(report_findings(session.source(), session.diagnostics()));
    };
    if args.all_variants {
        let columns = match session.compare_variants(&what_if, &budget) {
            Ok(c) => c,
            Err(e) => return fail(&session, e),
        };
        match args.format {
            EvalFormat::Human => print(&casus_report::eval::variants_human(base, &columns)),
            EvalFormat::Json => print_json(&casus_report::output::eval::VariantsOutput::build(
                base, &columns,
            )),
        }
        return Ok(Status::Ok);
    }
    let model = match session.model(&what_if) {
        Ok(m) => m,
        Err(e) => return fail(&session, e),
    };
    let mut plan = match &args.analyses {
        None => Plan::full(),
        Some(names) => {
            let names: Vec<&String> = names.iter().filter(|n| n.as_str() != "none").collect();
            match Plan::only(&names) {
                Ok(plan) => plan,
                Err(message) => {
                    return fail(
                        &session,
                        SessionError::Usage {
                            part: "analyses",
                            message,
                        },
                    );
                }
            }
        }
    };
    plan.samples = args.samples.map(|n| (n, args.seed));
    let analysed = match session.run(&model, &plan, &budget) {
        Ok(a) => a,
        Err(e) => return fail(&session, e),
    };
    for omitted in &analysed.omitted {
        input::note(&format!(
            "note: {} is left out ({}); raise `--timeout` to compute it\n",
            omitted.analysis.words(),
            omitted.reason
        ));
    }
    if GlobalArgs::get().verbose {
        // Which of the two ways the number-only analyses ran: a user waiting on a large
        // scenario can tell whether it fit the memory budget.
        match analysed.method {
            Some(Method::Reweighted { nodes, edges }) => input::note(&format!(
                "note: ranges, reversals and samples re-weighted the merged decision graph ({nodes} nodes, {edges} edges)\n"
            )),
            Some(Method::Evaluated { budget }) => input::note(&format!(
                "note: the merged decision graph needs more than {} MiB, so ranges, reversals and samples evaluated the rules again\n",
                budget >> 20
            )),
            None => {}
        }
    }
    drop(spinner);
    // Render with the scenario's own outcomes: an observed condition adds one for the paths
    // it rules out, which no result reports.
    let shown = model.shown();
    let view = casus_report::eval::EvalView {
        scenario: &shown,
        variant: model.variant.and_then(|v| base.variants.get(v)),
        observed: &model.observed,
        analysed: &analysed,
    };
    match args.format {
        EvalFormat::Human => print(&view.human()),
        EvalFormat::Json => print_json(&view.output()),
    }
    Ok(Status::Ok)
}

/// Reads and opens the file as a session; `None` when it has errors, which are printed.
/// `record`: keep the graph of the scenario as written for the first run (see
/// [`casus_rules::session::Options::record`]); `record_drops`: and the rules' drops
/// ([`casus_rules::session::Options::record_drops`]).
///
/// A folder is refused with the files it holds: `eval` and `explain` answer about one model,
/// and a folder of them has no single answer.
pub(crate) fn open(
    file: &std::path::Path,
    limits: &LimitArgs,
    record: bool,
    record_drops: bool,
) -> Result<Option<Session>, CliError> {
    if file.is_dir() {
        let files = input::collect_lenient(std::slice::from_ref(&file.to_path_buf()))?;
        let names: Vec<String> = files.iter().map(|f| input::shown(f)).collect();
        let which = match names.as_slice() {
            [] => "it holds no scenario file".to_owned(),
            [one] => format!("name its one scenario: `{one}`"),
            [first, ..] => format!(
                "name one of its {} scenarios, such as `{first}` (`casus report` and `casus test` take folders)",
                names.len()
            ),
        };
        return Err(CliError::Usage(format!(
            "`{}` is a folder; this command evaluates one scenario file: {which}",
            input::shown(file)
        )));
    }
    let core = limits.core();
    let (source, decode_error) = input::read(file, &core)?;
    if let Some(d) = decode_error {
        report_findings(&source, &[d]);
        return Ok(None);
    }
    // `eval` and `explain` show the file's errors only; a lint counts only when denied.
    let options = casus_rules::session::Options {
        record,
        record_drops,
        errors_only: true,
        ..limits.session(LintLevels::default())
    };
    let session = Session::open(source, options);
    if session.has_errors() {
        report_findings(session.source(), session.diagnostics());
        return Ok(None);
    }
    Ok(Some(session))
}

/// A session error as the CLI reports it: a usage error (exit 2) or the findings (exit 1).
pub(crate) fn fail(session: &Session, error: SessionError) -> Result<Status, CliError> {
    match error {
        SessionError::Findings(d) => Ok(report_findings(session.source(), &d)),
        SessionError::Invalid => Ok(report_findings(session.source(), session.diagnostics())),
        SessionError::Usage { part, message } => {
            Err(CliError::Usage(format!("--{part}: {message}")))
        }
    }
}

fn print_json(json: &impl serde::Serialize) {
    print(&format!(
        "{}\n",
        serde_json::to_string_pretty(json).unwrap_or_default()
    ));
}

/// Reads `--given name=value` pairs.
pub(crate) fn parse_given(given: &[String]) -> Result<Vec<(String, Value)>, CliError> {
    given
        .iter()
        .map(|g| WhatIf::parse_given(g).map_err(|e| CliError::Usage(format!("--given: {e}"))))
        .collect()
}

/// Prints diagnostics to standard error; the status says whether any is an error.
pub(crate) fn report_findings(
    source: &SourceFile,
    diagnostics: &[casus_core::Diagnostic],
) -> Status {
    let color = input::color(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    eprint(&render_human(source, diagnostics, color));
    if diagnostics.iter().any(casus_core::Diagnostic::is_error) {
        Status::Findings
    } else {
        Status::Ok
    }
}
