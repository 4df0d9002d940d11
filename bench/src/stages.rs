//! The pipeline's stages, each callable on its own so it can be timed on its own: load +
//! check, compile, evaluate (forecast and strategy in one search).

use casus_core::limits::Limits;
use casus_core::model::Scenario;
use casus_core::{Diagnostic, SourceFile};
use casus_rules::{EvalLimits, Evaluation, Given, Program, evaluate};

/// Limits wide enough for every benchmark case: the generator makes files far larger than
/// an analyst would, on purpose.
pub fn limits() -> Limits {
    Limits {
        max_file_bytes: 1 << 30,
        max_rules: 1_000_000,
        ..Limits::default()
    }
}

/// Evaluation limits for benchmarks: no deadline, room for 2^24 paths, `threads` workers
/// (0 = rayon's pool).
pub fn eval_limits(threads: usize) -> EvalLimits {
    EvalLimits {
        max_paths: 1 << 24,
        threads,
        ..EvalLimits::default()
    }
}

/// Loads and type-checks a file; fails with the first error's message.
pub fn load_check(name: &str, text: &str) -> Result<Scenario, String> {
    let file = SourceFile::new(name, text);
    let loaded = casus_core::load::load(&file, &limits());
    let mut diagnostics = loaded.diagnostics;
    let Some(scenario) = loaded.scenario else {
        return Err(first_error(&diagnostics));
    };
    if !diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.extend(casus_core::check::check(&scenario));
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(first_error(&diagnostics));
    }
    Ok(scenario)
}

/// Compiles a checked scenario.
pub fn compile(scenario: &Scenario) -> Result<Program, String> {
    Program::compile(scenario).map_err(|d| first_error(&d))
}

/// Evaluates with nothing given on `threads` workers.
pub fn eval(scenario: &Scenario, program: &Program, threads: usize) -> Result<Evaluation, String> {
    evaluate(
        scenario,
        program,
        &Given::none(program.decisions.len()),
        &eval_limits(threads),
    )
    .map_err(|d| first_error(&d))
}

/// Everything the default `casus eval` computes, through the analysis session as the CLI
/// does: load, check, compile, the forecast and strategy, and every default analysis (ranges,
/// value of information, the assumption ranking, the watch-list, the analysts), with
/// `samples` drawn when given. Returns the evaluation and how many analyses were left out.
pub fn casus_eval(
    name: &str,
    text: &str,
    samples: Option<usize>,
) -> Result<(Evaluation, usize), String> {
    use casus_rules::session::{Budget, Options, Plan, Session, WhatIf};
    let options = Options {
        limits: limits(),
        eval: eval_limits(0),
        record: true,
        record_drops: true,
        errors_only: true,
        ..Options::default()
    };
    let session = Session::open_text(name, text, options);
    let model = session.model(&WhatIf::none()).map_err(|e| e.to_string())?;
    let plan = Plan {
        samples: samples.map(|n| (n, 1)),
        ..Plan::full()
    };
    let analysed = session
        .run(&model, &plan, &Budget::unlimited())
        .map_err(|e| e.to_string())?;
    Ok((analysed.evaluation, analysed.omitted.len()))
}

fn first_error(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .find(|d| d.is_error())
        .map_or_else(|| "unknown error".to_owned(), |d| d.message.clone())
}

/// Peak resident memory of this process so far, in bytes (`VmHWM`); `None` where `/proc` is
/// not there.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// CPU time this process has used so far (user + system, every thread), in seconds, from
/// `/proc/self/stat`; `None` where `/proc` is not there. Its resolution is a clock tick.
pub fn cpu_time() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    // Linux reports clock ticks of 1/100 s (USER_HZ) on every platform casus supports.
    Some((user + system) / 100.0)
}
