//! Lints about what rules set: assignments that never change a value, and assignments a rule
//! of higher priority always overrides.

use casus_core::model::{Scenario, Value};
use casus_core::{Code, Diagnostic};

use super::conditions::entry_span;
use super::explore::Explored;
use super::text;
use super::usage::Usage;

/// Reports redundant and shadowed assignments.
pub(super) fn report(
    scenario: &Scenario,
    explored: &Explored<'_>,
    usage: &Usage,
    out: &mut Vec<Diagnostic>,
) {
    let names = casus_core::names::Names::new(scenario);
    let live = |fact: &str| match names.get(fact) {
        Some((casus_core::names::NameRef::Fact(i), _)) => {
            usage.fact.get(i).copied().unwrap_or(true)
        }
        _ => true,
    };
    for (r, rule) in scenario.rules.iter().enumerate() {
        let fires = explored.rules.get(r).is_some_and(|(fired, _)| *fired);
        if !fires {
            // A rule that never fires is reported as dead.
            continue;
        }
        let name = &rule.id.name;
        let seen = explored.assignments.get(r).map_or(&[][..], Vec::as_slice);
        // Compiled assignments follow `then` one for one in a checked scenario.
        if seen.len() == rule.then.len() {
            for (assignment, seen) in rule.then.iter().zip(seen) {
                let fact = &assignment.fact.name;
                if !seen.fired || seen.effective || !live(fact) {
                    continue;
                }
                let value = assignment.value.value.display();
                let written = written(&assignment.value.value);
                let span = entry_span(assignment.fact.span, assignment.value.span);
                let example = seen
                    .example
                    .as_ref()
                    .map(|p| format!("for example on the path {}", text::path(scenario, p)));
                if seen.always_overridden && !seen.winners.is_empty() {
                    let winners: Vec<String> = seen
                        .winners
                        .iter()
                        .filter_map(|&w| scenario.rules.get(w))
                        .map(|w| w.id.name.clone())
                        .collect();
                    let mut diagnostic = Diagnostic::new(
                        Code::ShadowedRule,
                        format!(
                            "rule `{name}` never decides `{fact}`: wherever it fires, {} set{} it too and win{}",
                            text::and_list_more(&winners, seen.more_winners),
                            if winners.len() == 1 && !seen.more_winners { "s" } else { "" },
                            if winners.len() == 1 && !seen.more_winners { "s" } else { "" },
                        ),
                    )
                    .primary(span, "always overridden");
                    for &w in seen.winners.iter().take(1) {
                        let Some(winner) = scenario.rules.get(w) else {
                            continue;
                        };
                        if let Some(a) = winner.then.iter().find(|a| a.fact.name == *fact) {
                            diagnostic = diagnostic.secondary(
                                entry_span(a.fact.span, a.value.span),
                                format!("wins with priority {}", winner.priority.value),
                            );
                        }
                    }
                    if let Some(example) = example {
                        diagnostic = diagnostic.note(example);
                    }
                    out.push(diagnostic.help(format!(
                        "remove `{fact} = {written}` from `{name}`, or narrow the `when` of {} so that `{name}` applies somewhere",
                        text::and_list_more(&winners, seen.more_winners)
                    )));
                    continue;
                }
                let mut diagnostic = Diagnostic::new(
                    Code::RedundantAssignment,
                    format!(
                        "rule `{name}` sets `{fact}` to `{value}`, which it already is wherever the rule fires"
                    ),
                )
                .primary(span, "changes nothing");
                if seen.default {
                    diagnostic = diagnostic.note(format!("`{fact}` is `{value}` by default"));
                }
                if !seen.same.is_empty() {
                    let same: Vec<String> = seen
                        .same
                        .iter()
                        .filter_map(|&w| scenario.rules.get(w))
                        .map(|w| w.id.name.clone())
                        .collect();
                    diagnostic = diagnostic.note(format!(
                        "{} set{} it to `{value}` too where this rule fires",
                        text::and_list_more(&same, seen.more_same),
                        if same.len() == 1 && !seen.more_same {
                            "s"
                        } else {
                            ""
                        }
                    ));
                }
                if !seen.winners.is_empty() {
                    diagnostic = diagnostic
                        .note("elsewhere a rule of higher priority overrides it".to_owned());
                }
                if let Some(example) = example {
                    diagnostic = diagnostic.note(example);
                }
                out.push(diagnostic.help(format!(
                    "remove `{fact} = {written}` from the rule, or correct the value it should set"
                )));
            }
        }
        for contribution in &rule.add {
            let fact = &contribution.fact.name;
            if contribution.amount.value != 0.0 || !live(fact) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    Code::RedundantAssignment,
                    format!("rule `{name}` adds 0 to `{fact}`"),
                )
                .primary(
                    entry_span(contribution.fact.span, contribution.amount.span),
                    "changes nothing",
                )
                .help(format!(
                    "remove `{fact} = 0` from `add`, or correct the amount"
                )),
            );
        }
    }
}

/// A value as written in a `then` table: symbols in quotes.
fn written(value: &Value) -> String {
    match value {
        Value::Symbol(s) => format!("\"{s}\""),
        other => other.display(),
    }
}
