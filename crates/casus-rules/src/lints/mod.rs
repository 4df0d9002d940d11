//! Lints: findings about a scenario that evaluated cleanly but probably does not say what its
//! author believes.
//!
//! Each lint has a stable `W…` code documented in `casus_core::codes`, a default level, and
//! can be set to `allow`, `note`, `warn` or `deny` per file (`[lints]`) or per run. The lints
//! that need evaluation read a walk over every state of the decision graph, of the scenario as
//! written and of each what-if it declares ([`explore`](explore::explore)); the others read
//! the scenario alone. The [`Evaluation`] stands in for the walk when that is too big.
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

use crate::compile::program::Program;
use crate::search::result::Evaluation;
use crate::search::walk::EvalLimits;

/// Most what-ifs (the scenario as written included) the path-based lints walk; past it they
/// are skipped with a note rather than walk some what-ifs and not others, which could report
/// as never happening what one of the others makes happen.
const MAX_SETTINGS: usize = 64;

/// Runs every lint on a scenario that checked and evaluated without errors.
pub(crate) fn lint(
    scenario: &Scenario,
    program: &Program,
    evaluation: &Evaluation,
    limits: &EvalLimits,
) -> Vec<Diagnostic> {
    lint_within(scenario, program, evaluation, limits, explore::MAX_STATES)
}

/// [`lint`], with the path-based lints giving up past `max_states` distinct states.
fn lint_within(
    scenario: &Scenario,
    program: &Program,
    evaluation: &Evaluation,
    limits: &EvalLimits,
    max_states: u64,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let usage = usage::Usage::new(scenario);
    words::report(scenario, program, &mut out);
    // The scenario as written, then the what-ifs it declares; a what-if that does not compile
    // (its test or variant has its own error) is left out.
    let settings = explore::settings(scenario);
    let mut what_ifs = Vec::new();
    if settings.len() <= MAX_SETTINGS {
        for overrides in settings.iter().skip(1) {
            if let Ok(p) = Program::compile_with(scenario, overrides) {
                what_ifs.push(p);
            }
        }
    }
    let programs: Vec<&Program> = std::iter::once(program).chain(&what_ifs).collect();
    let walked = if settings.len() > MAX_SETTINGS {
        Err(explore::Stop::TooManyWhatIfs)
    } else if evaluation.nodes > max_states {
        // The walk tells apart at least the states the search did (its key holds every
        // derived fact, where the search's holds summaries of them), so it would only give
        // up later, after about a second of work.
        Err(explore::Stop::TooManyStates)
    } else {
        explore::explore(scenario, &programs, limits, max_states)
    };
    match walked {
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
                explore::Stop::TooManyStates => {
                    format!("the scenario has more than {max_states} distinct states")
                }
                explore::Stop::Deadline => "the time limit was reached".to_owned(),
                explore::Stop::TooManyWhatIfs => format!(
                    "its tests, variants and fact types declare more than {MAX_SETTINGS} what-ifs"
                ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use casus_core::SourceFile;
    use casus_core::limits::Limits;

    /// Checks `text` and lints it again with at most `max_states` states.
    fn lint_text(text: &str, max_states: u64) -> Vec<Diagnostic> {
        let file = SourceFile::new("t.toml", text);
        let checked = crate::check_source(&file, &Limits::default(), &EvalLimits::default());
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        let (scenario, program, evaluation) = (
            checked.scenario.unwrap(),
            checked.program.unwrap(),
            checked.evaluation.unwrap(),
        );
        lint_within(
            &scenario,
            &program,
            &evaluation,
            &EvalLimits::default(),
            max_states,
        )
    }

    const TALKS: &str = r#"
[scenario]
title = "t"
[actors]
us = "US"
china = "China"
[decisions.a]
actor = "us"
options = ["x", "y"]
likelihood = { x = 0.5, y = 0.5 }
[decisions.b]
actor = "us"
options = ["x", "y"]
likelihood = { x = 0.5, y = 0.5 }
[facts]
never = { type = "bool", default = false }
[rules.dead]
when = "a == 'x' and a == 'y'"
then = { never = true }
[outcomes.both]
when = "a == 'x' and b == 'x' and not never"
payoff = { us = 1 }
[outcomes.other]
payoff = { us = 0 }
"#;

    #[test]
    fn past_the_state_budget_the_path_lints_give_way_to_a_note() {
        let full = lint_text(TALKS, MAX_STATES_FOR_TESTS);
        let codes = |ds: &[Diagnostic]| ds.iter().map(|d| d.code).collect::<Vec<_>>();
        assert!(codes(&full).contains(&Code::DeadRule), "{full:?}");
        let cut = lint_text(TALKS, 2);
        assert!(!codes(&cut).contains(&Code::DeadRule), "{cut:?}");
        // The lints that need no walk still run, and the note says why the others did not.
        assert!(codes(&cut).contains(&Code::UnusedActor), "{cut:?}");
        let note = cut.iter().find(|d| d.code == Code::LimitExceeded).unwrap();
        assert_eq!(note.severity, Severity::Note);
        assert_eq!(
            note.message,
            "the lints that read every path were skipped: the scenario has more than 2 distinct states"
        );
    }

    const MAX_STATES_FOR_TESTS: u64 = 1_000;

    /// The walk gives up early when the search evaluated more states than its budget; that is
    /// sound only if the walk never sees fewer states than the search evaluates. Checked on
    /// every bundled scenario and every fixture that evaluates cleanly.
    #[test]
    fn the_walk_sees_at_least_the_states_the_search_evaluates() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        let mut dirs = vec![root.join("scenarios"), root.join("tests/fixtures")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "toml") {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut compared = 0;
        for path in files {
            // Some hostile fixtures are not UTF-8 on purpose.
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let file = SourceFile::new("t.toml", text.as_str());
            let checked = crate::check_source(&file, &Limits::default(), &EvalLimits::default());
            let (Some(scenario), Some(program), Some(evaluation)) =
                (&checked.scenario, &checked.program, &checked.evaluation)
            else {
                continue;
            };
            let Ok(explored) =
                explore::explore(scenario, &[program], &EvalLimits::default(), 1_000_000)
            else {
                continue;
            };
            assert!(
                evaluation.nodes <= explored.states,
                "{}: the search evaluated {} states, the walk saw {}",
                path.display(),
                evaluation.nodes,
                explored.states
            );
            compared += 1;
        }
        assert!(compared > 100, "only {compared} files compared");
    }

    /// A scenario whose conditional likelihood reads `when`, with `extra` at the end.
    fn conditional(fact: &str, when: &str, extra: &str) -> String {
        format!(
            r#"
[scenario]
title = "t"
[actors]
russia = "Russia"
[facts]
{fact}
[decisions.conduct]
actor = "russia"
options = ["comply", "violate"]
likelihood = {{ comply = 0.3, violate = 0.7 }}
[[decisions.conduct.likelihood_if]]
when = "{when}"
comply = 0.6
violate = 0.4
[outcomes.respected]
when = "conduct == 'comply'"
payoff = {{ russia = 1 }}
[outcomes.violated]
payoff = {{ russia = 2 }}
{extra}"#
        )
    }

    #[test]
    fn the_what_ifs_a_file_declares_are_walked_too() {
        let shadowed = |text: String| {
            lint_text(&text, MAX_STATES_FOR_TESTS)
                .iter()
                .any(|d| d.code == Code::ShadowedLikelihood)
        };
        // `strong` is listed as a value the fact may take, so the table is meant for it.
        assert!(!shadowed(conditional(
            r#"monitoring = { value = "weak", type = ["weak", "strong"] }"#,
            "monitoring == 'strong'",
            ""
        )));
        // A number fact is 4 unless something says otherwise…
        assert!(shadowed(conditional("incidents = 4", "incidents > 10", "")));
        // …such as a test that overrides it.
        let test = "[tests.many_incidents]\ngiven = { incidents = 20, conduct = \"comply\" }\nexpect = { outcome = \"respected\" }\n";
        assert!(!shadowed(conditional(
            "incidents = 4",
            "incidents > 10",
            test
        )));
    }
}
