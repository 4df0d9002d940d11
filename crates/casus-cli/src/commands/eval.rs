//! `casus eval`: forecast, strategy and paths of one scenario, of one of its variants or of all
//! of them side by side, optionally conditioned on observed signposts.

use casus_core::SourceFile;
use casus_core::model::{Scenario, Value};
use casus_report::diagnostics::render_human;
use casus_rules::{EvalLimits, Evaluation, Given, Program};

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::{Map, Value as Json, json};

use crate::Status;
use crate::cli::LimitArgs;
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
    let (Some(base_scenario), Some(base_program), false) =
        (&checked.scenario, &checked.program, checked.has_errors())
    else {
        return Ok(report_findings(&source, &checked.diagnostics));
    };
    // One deadline for the whole command: `--timeout` bounds the forecast and every analysis.
    let eval_limits = args.limits.eval();
    if args.all_variants {
        return all_variants(args, &source, base_scenario, &eval_limits);
    }
    let variant;
    let compiled;
    let (scenario, program) = match &args.variant {
        Some(id) => {
            variant = choose_variant(base_scenario, id)?;
            compiled = match Program::compile(&variant) {
                Ok(p) => p,
                Err(diagnostics) => return Ok(report_findings(&source, &diagnostics)),
            };
            (&variant, &compiled)
        }
        None => (base_scenario, base_program),
    };
    let (fixed, program) = resolve_given(scenario, program, &args.given)?;
    let evaluation = match casus_rules::evaluate(scenario, &program, &fixed.given, &eval_limits) {
        Ok(e) => e,
        Err(diagnostics) => return Ok(report_findings(&source, &diagnostics)),
    };
    if !args.observe.is_empty() {
        return observed(args, &source, scenario, (&fixed, &evaluation), &eval_limits);
    }

    // Ranges cost about one more evaluation per option of each likelihood table with a band;
    // when they do not fit in the limits, the forecast is still worth printing without them.
    let sensitivity = match casus_rules::analyses::sensitivity::sensitivity(
        scenario,
        &program,
        &fixed.given,
        &eval_limits,
    ) {
        Ok(s) => Some(s),
        Err(diagnostics) => {
            let why = diagnostics
                .first()
                .map_or(String::new(), |d| format!(" ({})", d.message));
            eprint(&format!(
                "note: the ranges are left out{why}; raise `--timeout` to compute them\n"
            ));
            None
        }
    };
    let ranges = sensitivity.as_ref().map(|s| s.ranges.as_slice());
    let sampling = match args.samples {
        Some(n) => casus_rules::analyses::sampling::sample(
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
    let information =
        casus_rules::analyses::voi::value_of_information(scenario, &program, &eval_limits)
            .map_err(|d| omitted("the value of information", d))
            .ok();
    let ranking =
        casus_rules::analyses::ranking::rank_assumptions(scenario, &program, &eval_limits)
            .map_err(|d| omitted("the assumption ranking", d))
            .ok();
    let base_forecast: Vec<f64> = evaluation.outcomes.iter().map(|o| o.probability).collect();
    let watch = if scenario.signposts.is_empty() || !nothing_given(&fixed) {
        None
    } else {
        casus_rules::analyses::signposts::watch_list(scenario, &base_forecast, &eval_limits)
            .map_err(|d| omitted("the signpost watch-list", d))
            .ok()
    };
    let analysts = if scenario.decisions.iter().any(|d| d.estimates.len() > 1) {
        casus_rules::analyses::variants::analysts(scenario, &eval_limits)
            .map_err(|d| omitted("the analysts' disagreement", d))
            .ok()
    } else {
        None
    };
    let variant = args
        .variant
        .as_deref()
        .and_then(|id| base_scenario.variants.iter().find(|v| v.id.name == id));
    match args.format {
        EvalFormat::Human => {
            let mut text = casus_report::eval::render_human(scenario, &evaluation, ranges);
            if let Some(variant) = variant {
                text = with_variant_line(&text, variant);
            }
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
            if let Some(watch) = &watch {
                text.push_str(&casus_report::analysis::render_watch_list(scenario, watch));
            }
            if let Some(analysts) = &analysts {
                text.push_str(&casus_report::analysis::render_analysts(scenario, analysts));
            }
            print(&text);
        }
        EvalFormat::Json => {
            let mut json = casus_report::eval::to_json(scenario, &evaluation, ranges);
            if let Some(sensitivity) = &sensitivity {
                casus_report::eval::add_tornado(&mut json, scenario, &sensitivity.tornado);
            }
            if let Some(object) = json.as_object_mut() {
                if let Some(variant) = variant {
                    object.insert("variant".into(), json!(variant.id.name));
                }
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
                if let Some(watch) = &watch {
                    object.insert(
                        "signposts".into(),
                        casus_report::analysis::watch_list_json(scenario, watch),
                    );
                }
                if let Some(analysts) = &analysts {
                    object.insert(
                        "analysts".into(),
                        casus_report::analysis::analysts_json(scenario, analysts),
                    );
                }
            }
            print_json(&json);
        }
    }
    Ok(Status::Ok)
}

/// A deeper analysis that did not fit in the limits is left out with a note.
fn omitted(what: &str, diagnostics: Vec<casus_core::Diagnostic>) {
    let why = diagnostics
        .first()
        .map_or(String::new(), |d| format!(" ({})", d.message));
    eprint(&format!(
        "note: {what} is left out{why}; raise `--timeout` to compute it\n"
    ));
}

fn print_json(json: &Json) {
    print(&format!(
        "{}\n",
        serde_json::to_string_pretty(json).unwrap_or_default()
    ));
}

/// The human output with a line naming the variant after the title.
fn with_variant_line(text: &str, variant: &casus_core::model::Variant) -> String {
    let title = variant.title.as_deref().map_or_else(String::new, |t| {
        format!(": {}", casus_report::text::clip(t, 90))
    });
    let line = format!("Variant `{}`{title}", variant.id.name);
    // Before the line that counts the paths, which follows the title and summary.
    let mut lines: Vec<&str> = text.split('\n').collect();
    let at = lines
        .iter()
        .position(|l| l.ends_with(" paths"))
        .unwrap_or(1.min(lines.len()));
    lines.insert(at, &line);
    lines.join("\n")
}

/// The base scenario with variant `id` applied, or a usage error naming the variants.
fn choose_variant(scenario: &Scenario, id: &str) -> Result<Scenario, CliError> {
    casus_rules::analyses::variants::apply(scenario, id).ok_or_else(|| {
        let names: Vec<String> = scenario
            .variants
            .iter()
            .map(|v| v.id.name.clone())
            .collect();
        let hint = casus_core::diagnostic::did_you_mean(id, names.iter().map(String::as_str))
            .unwrap_or_else(|| {
                if names.is_empty() {
                    "the file declares no `[variants.*]`".to_owned()
                } else {
                    format!("the variants are {}", casus_core::model::list(&names))
                }
            });
        CliError::Usage(format!("--variant: `{id}` is not a variant; {hint}"))
    })
}

/// `--all-variants`: the base and every variant side by side.
fn all_variants(
    args: &EvalArgs,
    source: &SourceFile,
    scenario: &Scenario,
    limits: &EvalLimits,
) -> Result<Status, CliError> {
    if scenario.variants.is_empty() {
        return Err(CliError::Usage(
            "--all-variants: the file declares no `[variants.*]` to compare".to_owned(),
        ));
    }
    let pairs = parse_given(&args.given)?;
    let pairs: Vec<(&str, Value)> = pairs.iter().map(|(n, v)| (*n, v.clone())).collect();
    // Check the pairs against the base first, for a usage error rather than a failed column.
    casus_rules::search::given::resolve(scenario, pairs.iter().map(|(n, v)| (*n, v)))
        .map_err(|e| CliError::Usage(format!("--given: {e}")))?;
    let columns = match casus_rules::analyses::variants::compare(scenario, &pairs, limits) {
        Ok(c) => c,
        Err(diagnostics) => return Ok(report_findings(source, &diagnostics)),
    };
    match args.format {
        EvalFormat::Human => {
            let mut text = format!("{}\n", casus_report::text::clip(&scenario.meta.title, 100));
            text.push_str(&casus_report::analysis::render_variants(scenario, &columns));
            print(&text);
        }
        EvalFormat::Json => {
            let json = json!({
                "scenario": scenario.meta.title,
                "variants": casus_report::analysis::variants_json(scenario, &columns),
            });
            print_json(&json);
        }
    }
    Ok(Status::Ok)
}

/// `--observe`: the forecast and strategy conditioned on the signposts seen.
fn observed(
    args: &EvalArgs,
    source: &SourceFile,
    scenario: &Scenario,
    (fixed, unconditioned): (&casus_rules::search::given::Fixed, &Evaluation),
    limits: &EvalLimits,
) -> Result<Status, CliError> {
    let ids: Vec<&str> = args.observe.iter().map(|s| s.trim()).collect();
    let signposts = casus_rules::analyses::signposts::resolve(scenario, &ids)
        .map_err(|e| CliError::Usage(format!("--observe: {e}")))?;
    let observation = match casus_rules::analyses::signposts::observe(
        scenario,
        &fixed.overrides,
        &fixed.given,
        &signposts,
    ) {
        Ok(o) => o,
        Err(diagnostics) => return Ok(report_findings(source, &diagnostics)),
    };
    let evaluation = match casus_rules::analyses::signposts::evaluate_observed(&observation, limits)
    {
        Ok(e) => e,
        Err(diagnostics) => return Ok(report_findings(source, &diagnostics)),
    };
    let sampling = match args.samples {
        Some(n) => {
            let ratios =
                casus_rules::analyses::signposts::ratios(&observation.scenario, &signposts);
            casus_rules::analyses::sampling::sample_observed(
                &observation.scenario,
                &observation.program,
                &observation.given,
                limits,
                (n, args.seed),
                &ratios,
            )
            .map(|mut s| {
                s.outcomes.truncate(observation.outcomes);
                s
            })
            .map_err(|d| omitted("probabilistic sensitivity", d))
            .ok()
        }
        None => None,
    };
    eprint(
        "note: with `--observe`, the ranges, the value of information and the assumption ranking are left out: they describe the forecast before anything is observed\n",
    );
    let before: Vec<f64> = unconditioned
        .outcomes
        .iter()
        .map(|o| o.probability)
        .collect();
    let after: Vec<f64> = evaluation.outcomes.iter().map(|o| o.probability).collect();
    match args.format {
        EvalFormat::Human => {
            let mut text = casus_report::eval::render_human(scenario, &evaluation, None);
            if let Some(id) = &args.variant
                && let Some(variant) = scenario.variants.iter().find(|v| v.id.name == *id)
            {
                text = with_variant_line(&text, variant);
            }
            text.push_str(&casus_report::analysis::render_observed(
                scenario, &signposts, &before, &after,
            ));
            if let Some(sampling) = &sampling {
                text.push_str(&casus_report::analysis::render_sampling(scenario, sampling));
            }
            print(&text);
        }
        EvalFormat::Json => {
            let mut json = casus_report::eval::to_json(scenario, &evaluation, None);
            if let Some(object) = json.as_object_mut() {
                if let Some(id) = &args.variant {
                    object.insert("variant".into(), json!(id));
                }
                let unconditioned: Map<String, Json> = scenario
                    .outcomes
                    .iter()
                    .zip(&before)
                    .map(|(o, p)| (o.id.name.clone(), json!(casus_report::text::round(*p))))
                    .collect();
                object.insert(
                    "observed".into(),
                    json!({
                        "signposts": signposts.iter().map(|&s| scenario.signposts[s].id.name.clone()).collect::<Vec<_>>(),
                        "unconditioned": unconditioned,
                    }),
                );
                if let Some(sampling) = &sampling {
                    object.insert(
                        "sampling".into(),
                        casus_report::analysis::sampling_json(scenario, sampling),
                    );
                }
            }
            print_json(&json);
        }
    }
    Ok(Status::Ok)
}

/// Reads `--given name=value` pairs.
fn parse_given(given: &[String]) -> Result<Vec<(&str, Value)>, CliError> {
    given
        .iter()
        .map(|g| {
            let (name, value) = g.split_once('=').ok_or_else(|| {
                CliError::Usage(format!(
                    "`--given {g}` must be `name=value`, such as `--given russia_answer=refuse`"
                ))
            })?;
            Ok((
                name.trim(),
                casus_rules::search::given::parse_value(value.trim()),
            ))
        })
        .collect()
}

/// Reads `--given name=value` pairs and compiles the program with the given input facts.
pub(crate) fn resolve_given(
    scenario: &Scenario,
    program: &Program,
    given: &[String],
) -> Result<(casus_rules::search::given::Fixed, Program), CliError> {
    let pairs = parse_given(given)?;
    let fixed = casus_rules::search::given::resolve(scenario, pairs.iter().map(|(n, v)| (*n, v)))
        .map_err(|e| CliError::Usage(format!("--given: {e}")))?;
    let program = if fixed.overrides.is_empty() {
        program.clone()
    } else {
        Program::compile_with(scenario, &fixed.overrides)
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
    eprint(&render_human(source, diagnostics, color));
    if diagnostics.iter().any(casus_core::Diagnostic::is_error) {
        Status::Findings
    } else {
        Status::Ok
    }
}

/// Whether nothing is given (`--given`): the watch-list describes the scenario as it is.
fn nothing_given(fixed: &casus_rules::search::given::Fixed) -> bool {
    fixed.overrides.is_empty() && fixed.given == Given::none(fixed.given.decisions.len())
}
