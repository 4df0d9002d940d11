//! Lints: findings about a scenario that evaluated cleanly but probably does not say what its
//! author believes.
//!
//! Each lint has a stable `W…` code documented in `casus_core::codes`, a default level, and
//! can be set to `allow`, `note`, `warn` or `deny` per file (`[lints]`) or per run. The lints
//! that need evaluation read one walk over every state of the decision graph
//! ([`explore`](explore::explore)); the others read the scenario and the [`Evaluation`].
//!
//! False positives are bugs: every lint has a fixture that triggers it and a near miss that
//! must not (`tests/fixtures/lints/`). When a lint cannot be sure, it stays quiet.

mod conditions;
mod explore;
mod rules;
mod text;
mod usage;
mod words;

use casus_core::model::Scenario;
use casus_core::{Code, Diagnostic, Severity};

use crate::program::Program;
use crate::result::Evaluation;
use crate::search::EvalLimits;

/// Runs every lint on a scenario that checked and evaluated without errors.
pub(crate) fn lint(
    scenario: &Scenario,
    program: &Program,
    evaluation: &Evaluation,
    limits: &EvalLimits,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let usage = usage::Usage::new(scenario);
    words::report(scenario, program, &mut out);
    // The scenario as written, then the what-ifs it declares; a what-if that does not compile
    // (its test or variant has its own error) is left out.
    let mut programs = vec![program.clone()];
    for overrides in explore::settings(scenario).iter().skip(1) {
        if let Ok(p) = Program::compile_with(scenario, overrides) {
            programs.push(p);
        }
    }
    match explore::explore(scenario, &programs, limits, explore::MAX_STATES) {
        Ok(explored) => {
            let reach = usage::Reach {
                decisions: explored.decisions.iter().map(|d| d.taken).collect(),
                outcomes: explored.outcomes.clone(),
            };
            usage.report(scenario, &reach, &mut out);
            let cx = conditions::Context {
                scenario,
                explored: &explored,
                usage: &usage,
            };
            conditions::report(&cx, &mut out);
            rules::report(scenario, &explored, &usage, &mut out);
        }
        Err(stop) => {
            let reach = usage::Reach {
                decisions: evaluation
                    .option_reachable
                    .iter()
                    .map(|o| o.iter().any(|r| *r))
                    .collect(),
                outcomes: evaluation.outcomes.iter().map(|o| o.reachable).collect(),
            };
            usage.report(scenario, &reach, &mut out);
            let why = match stop {
                explore::Stop::TooManyStates => format!(
                    "the scenario has more than {} distinct states",
                    explore::MAX_STATES
                ),
                explore::Stop::Deadline => "the time limit was reached".to_owned(),
            };
            let mut note = Diagnostic::new(
                Code::LimitExceeded,
                format!("the lints that read every path were skipped: {why}"),
            )
            .help(
                "the other checks ran; lint a smaller part of the scenario, or raise `--timeout`",
            );
            note.severity = Severity::Note;
            out.push(note);
        }
    }
    out
}
