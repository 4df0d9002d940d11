//! Checks for the analysis tables: variants, signposts, analysts' estimates and tests that
//! target a variant.
//!
//! A variant is checked like the base scenario it changes: every name it overrides must exist
//! and be overridable, every value must fit its type, and every likelihood table must fit its
//! decision's options and be able to sum to 1. Each analyst's estimate is checked like a
//! likelihood table of its own; their pool is valid whenever they all are.

use super::types::{TypeChecker, Visible};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::model::{Decision, Estimate, Evidence, FactKind, Scenario, list, user_text};
use crate::names::{NameRef, Names};
use crate::span::Span;

/// Checks every variant, signpost, estimate and test variant of `scenario`.
pub(super) fn check(
    scenario: &Scenario,
    names: &Names,
    ambiguous: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for decision in &scenario.decisions {
        for estimate in &decision.estimates {
            let mut found = Vec::new();
            super::likelihood_table(decision, &estimate.table, &mut found);
            let whose = format!("in the estimate of `{}`", estimate.analyst.name);
            diagnostics.extend(found.into_iter().map(|d| d.note(whose.clone())));
        }
    }
    stale_estimates(scenario, diagnostics);
    for variant in &scenario.variants {
        for (name, value) in &variant.facts {
            match names.get(&name.name) {
                None => diagnostics.push(unknown_input(scenario, &name.name, name.span)),
                Some((NameRef::Fact(i), ty)) => match &scenario.facts[i].kind {
                    FactKind::Input { .. } => super::typed_value(
                        ty,
                        &name.name,
                        value,
                        Code::TypeMismatch,
                        diagnostics,
                    ),
                    FactKind::Derived { .. } => diagnostics.push(
                        Diagnostic::new(
                            Code::VariantTarget,
                            format!(
                                "variant `{}` overrides `{}`, a derived fact",
                                variant.id.name, name.name
                            ),
                        )
                        .primary(name.span, "rules compute this fact")
                        .help("override the input facts or likelihoods that make the rules set it"),
                    ),
                },
                Some((NameRef::Decision(_), _)) => diagnostics.push(
                    Diagnostic::new(
                        Code::VariantTarget,
                        format!(
                            "variant `{}` fixes `{}`, a decision",
                            variant.id.name, name.name
                        ),
                    )
                    .primary(name.span, "a decision is taken on each path")
                    .help(format!(
                        "give `{}` new likelihoods instead: `likelihood.{} = {{ … }}`; to follow one option only, use `casus eval --given {}=…`",
                        name.name, name.name, name.name
                    )),
                ),
            }
        }
        for (decision, table) in &variant.likelihood {
            match scenario
                .decisions
                .iter()
                .find(|d| d.id.name == decision.name)
            {
                Some(d) => {
                    let mut found = Vec::new();
                    super::likelihood_table(d, table, &mut found);
                    let whose = format!("in variant `{}`", variant.id.name);
                    diagnostics.extend(found.into_iter().map(|d| d.note(whose.clone())));
                }
                None => diagnostics.push(unknown_decision(scenario, &decision.name, decision.span)),
            }
        }
        let actors: Vec<&str> = scenario.actors.iter().map(|a| a.id.name.as_str()).collect();
        for (outcome, payoffs) in &variant.payoff {
            if !scenario.outcomes.iter().any(|o| o.id.name == outcome.name) {
                diagnostics.push(unknown_outcome(scenario, &outcome.name, outcome.span));
            }
            for (actor, _) in payoffs {
                if !actors.contains(&actor.name.as_str()) {
                    let help = did_you_mean(&actor.name, actors.iter().copied())
                        .unwrap_or_else(|| format!("declare `{}` under `[actors]`", actor.name));
                    diagnostics.push(
                        Diagnostic::new(
                            Code::PayoffActor,
                            format!("payoff for `{}`, which is not an actor", actor.name),
                        )
                        .primary(actor.span, "unknown actor")
                        .help(help),
                    );
                }
            }
        }
    }

    let mut checker = TypeChecker {
        scenario,
        names,
        ambiguous,
        diagnostics,
    };
    for signpost in &scenario.signposts {
        match &signpost.evidence {
            Some(Evidence::When(when)) => checker.condition(when, Visible::All),
            Some(Evidence::Ratio { decision, ratios }) => {
                let Some(d) = scenario
                    .decisions
                    .iter()
                    .find(|d| d.id.name == decision.name)
                else {
                    checker.diagnostics.push(unknown_decision(
                        scenario,
                        &decision.name,
                        decision.span,
                    ));
                    continue;
                };
                for (option, _) in ratios {
                    if !d.options.iter().any(|o| o.name == option.name) {
                        checker
                            .diagnostics
                            .push(unknown_option(d, &option.name, option.span));
                    }
                }
            }
            None => {}
        }
    }

    let variants: Vec<String> = scenario
        .variants
        .iter()
        .map(|v| v.id.name.clone())
        .collect();
    for test in &scenario.tests {
        let Some(variant) = &test.variant else {
            continue;
        };
        if !variants.contains(&variant.name) {
            let help = did_you_mean(&variant.name, variants.iter().map(String::as_str))
                .unwrap_or_else(|| {
                    if variants.is_empty() {
                        "the file declares no `[variants.*]`".to_owned()
                    } else {
                        format!("the variants are {}", list(&variants))
                    }
                });
            checker.diagnostics.push(
                Diagnostic::new(
                    Code::UnknownName,
                    format!("`{}` is not a variant", user_text(&variant.name)),
                )
                .primary(variant.span, "unknown variant")
                .help(help),
            );
        }
    }
}

/// Warns about estimates older than `max_estimate_age_days` before the scenario's `as_of`.
fn stale_estimates(scenario: &Scenario, diagnostics: &mut Vec<Diagnostic>) {
    let Some(max) = &scenario.meta.max_estimate_age_days else {
        return;
    };
    let Some(as_of) = &scenario.meta.as_of else {
        diagnostics.push(
            Diagnostic::new(
                Code::StaleEstimate,
                "`max_estimate_age_days` needs the scenario's `as_of` to count from",
            )
            .primary(max.span, "no `as_of` in `[scenario]`")
            .help("add `as_of = YYYY-MM-DD` to `[scenario]`: ages are counted from the date of the assessment, never from today"),
        );
        return;
    };
    let Some(today) = day_number(as_of) else {
        return;
    };
    for decision in &scenario.decisions {
        for estimate in &decision.estimates {
            stale(decision, estimate, (as_of, today), max.value, diagnostics);
        }
    }
}

fn stale(
    decision: &Decision,
    estimate: &Estimate,
    (as_of, today): (&str, i64),
    max: i64,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let who = &estimate.analyst.name;
    let Some(date) = &estimate.as_of else {
        diagnostics.push(
            Diagnostic::new(
                Code::StaleEstimate,
                format!(
                    "the estimate of `{who}` for `{}` has no `as_of`, so its age cannot be checked",
                    decision.id.name
                ),
            )
            .primary(estimate.table.span, "undated estimate")
            .help("add `as_of = YYYY-MM-DD`, the date the estimate was made"),
        );
        return;
    };
    let Some(day) = day_number(&date.value) else {
        return;
    };
    let age = today - day;
    if age > max {
        diagnostics.push(
            Diagnostic::new(
                Code::StaleEstimate,
                format!(
                    "the estimate of `{who}` for `{}` is {age} days old, more than the {max} the file allows",
                    decision.id.name
                ),
            )
            .primary(date.span, format!("{age} days before the scenario's `as_of` ({as_of})"))
            .help("ask for a fresh estimate and update its `as_of`, or drop the estimate"),
        );
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian calendar), or `None`
/// for text that is not such a date.
pub(crate) fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.get(..10)?.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn unknown_input(scenario: &Scenario, name: &str, span: Span) -> Diagnostic {
    let inputs = scenario
        .facts
        .iter()
        .filter(|f| !f.is_derived())
        .map(|f| f.id.name.as_str());
    let help = did_you_mean(name, inputs).unwrap_or_else(|| {
        "a variant overrides input facts declared under `[facts]` with a `value`".to_owned()
    });
    Diagnostic::new(
        Code::UnknownName,
        format!("`{}` is not an input fact", user_text(name)),
    )
    .primary(span, "unknown fact")
    .help(help)
}

fn unknown_decision(scenario: &Scenario, name: &str, span: Span) -> Diagnostic {
    let decisions = scenario.decisions.iter().map(|d| d.id.name.as_str());
    let help = did_you_mean(name, decisions)
        .unwrap_or_else(|| "name a decision declared under `[decisions]`".to_owned());
    Diagnostic::new(
        Code::UnknownName,
        format!("`{}` is not a decision", user_text(name)),
    )
    .primary(span, "unknown decision")
    .help(help)
}

fn unknown_outcome(scenario: &Scenario, name: &str, span: Span) -> Diagnostic {
    let outcomes: Vec<String> = scenario
        .outcomes
        .iter()
        .map(|o| o.id.name.clone())
        .collect();
    let help = did_you_mean(name, outcomes.iter().map(String::as_str))
        .unwrap_or_else(|| format!("the outcomes are {}", list(&outcomes)));
    Diagnostic::new(
        Code::UnknownName,
        format!("`{}` is not an outcome", user_text(name)),
    )
    .primary(span, "unknown outcome")
    .help(help)
}

fn unknown_option(decision: &Decision, name: &str, span: Span) -> Diagnostic {
    let options = decision.option_names();
    let help = did_you_mean(name, options.iter().map(String::as_str)).unwrap_or_else(|| {
        format!(
            "the options of `{}` are {}",
            decision.id.name,
            list(&options)
        )
    });
    Diagnostic::new(
        Code::UnknownSymbol,
        format!(
            "`{}` is not an option of `{}`",
            user_text(name),
            decision.id.name
        ),
    )
    .primary(span, "not an option")
    .help(help)
}

#[cfg(test)]
mod tests {
    use super::day_number;

    #[test]
    fn day_numbers_count_calendar_days() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        // 2024 is a leap year: 366 days from one new year to the next.
        assert_eq!(
            day_number("2025-01-01").unwrap() - day_number("2024-01-01").unwrap(),
            366
        );
        // 2025-04-22 is 111 days into the year (31 + 28 + 31 + 21).
        assert_eq!(
            day_number("2025-04-22").unwrap() - day_number("2025-01-01").unwrap(),
            111
        );
        assert_eq!(day_number("2025-13-01"), None);
        assert_eq!(day_number("soon"), None);
    }
}
