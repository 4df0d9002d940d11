//! The type checker: every name resolves, every type agrees, before anything runs.
//!
//! Checking reports every problem it finds and never stops early. Path-dependent problems
//! (rule conflicts, paths without an outcome) need evaluation and are found by `casus-rules`.

mod arith;
mod resolution;
mod types;
mod variants;

pub use arith::arithmetic;

use types::{TypeChecker, Visible};

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::likelihood::Likelihood;
use crate::model::{
    Decision, EXPECT_OUTCOME, LikelihoodTable, NATURE, Scenario, Type, Value, list, user_text,
};
use crate::names::{NameRef, Names};
use crate::span::Span;

/// Checks a loaded scenario and returns every problem found.
pub fn check(scenario: &Scenario) -> Vec<Diagnostic> {
    let names = Names::new(scenario);
    let mut diagnostics = Vec::new();
    let ambiguous = namespace(scenario, &mut diagnostics);
    let mut checker = TypeChecker {
        scenario,
        names: &names,
        ambiguous: &ambiguous,
        diagnostics: &mut diagnostics,
    };
    for (index, decision) in scenario.decisions.iter().enumerate() {
        let guard = format!("the guard of `{}`", decision.id.name);
        if let Some(when) = &decision.when {
            checker.condition(
                when,
                Visible::Before {
                    index,
                    what: &guard,
                },
            );
        }
        let conditional = format!("a conditional likelihood of `{}`", decision.id.name);
        for c in &decision.likelihood_if {
            checker.condition(
                &c.when,
                Visible::Before {
                    index,
                    what: &conditional,
                },
            );
        }
    }
    for rule in &scenario.rules {
        checker.condition(&rule.when, Visible::All);
    }
    for outcome in &scenario.outcomes {
        if let Some(when) = &outcome.when {
            checker.condition(when, Visible::All);
        }
    }
    for decision in &scenario.decisions {
        decision_checks(scenario, decision, &mut diagnostics);
    }
    rule_targets(scenario, &names, &mut diagnostics);
    add_ranges(scenario, &mut diagnostics);
    let base = arithmetic(scenario, &[]);
    // A variant's input facts can take arithmetic where the base's values did not; what the
    // base already gets is not repeated.
    for variant in &scenario.variants {
        let overrides: Vec<(usize, Value)> = variant
            .facts
            .iter()
            .filter_map(|(name, value)| {
                let f = scenario.facts.iter().position(|f| f.id.name == name.name)?;
                Some((f, value.value.clone()))
            })
            .collect();
        if !overrides.is_empty() {
            let extra: Vec<Diagnostic> = arithmetic(scenario, &overrides)
                .into_iter()
                .filter(|d| {
                    !base
                        .iter()
                        .any(|b| b.message == d.message && b.labels == d.labels)
                })
                .map(|d| {
                    d.note(format!(
                        "with the input facts of variant `{}`",
                        variant.id.name
                    ))
                })
                .collect();
            diagnostics.extend(extra);
        }
    }
    diagnostics.extend(base);
    outcomes(scenario, &mut diagnostics);
    tests(scenario, &names, &mut diagnostics);
    variants::check(scenario, &names, &ambiguous, &mut diagnostics);
    resolution::check(scenario, &mut diagnostics);
    crate::diagnostic::sort(&mut diagnostics);
    diagnostics
}

/// Reports ids that name two things and returns them: expressions that read such a name are
/// not type-checked, since either reading would only add errors that echo this one.
fn namespace(scenario: &Scenario, diagnostics: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut ambiguous = Vec::new();
    for decision in &scenario.decisions {
        if let Some(fact) = scenario
            .facts
            .iter()
            .find(|f| f.id.name == decision.id.name)
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateId,
                    format!("`{}` is both a fact and a decision", decision.id.name),
                )
                .primary(decision.id.span, "declared as a decision here")
                .secondary(fact.id.span, "declared as a fact here")
                .help("expressions read facts and decisions by name, so rename one of them"),
            );
            ambiguous.push(decision.id.name.clone());
        }
    }
    let reserved = scenario
        .facts
        .iter()
        .map(|f| &f.id)
        .chain(scenario.decisions.iter().map(|d| &d.id));
    for id in reserved.filter(|id| id.name == EXPECT_OUTCOME) {
        diagnostics.push(
            Diagnostic::new(Code::InvalidId, "`outcome` is reserved")
                .primary(id.span, "reserved for naming outcomes in tests")
                .help("tests use `expect = { outcome = \"…\" }` to name the outcome; choose another name"),
        );
    }
    ambiguous
}

fn decision_checks(scenario: &Scenario, decision: &Decision, diagnostics: &mut Vec<Diagnostic>) {
    let actor = &decision.actor;
    if actor.name != NATURE && !scenario.actors.iter().any(|a| a.id.name == actor.name) {
        let candidates = scenario
            .actors
            .iter()
            .map(|a| a.id.name.as_str())
            .chain([NATURE]);
        let help = did_you_mean(&actor.name, candidates).unwrap_or_else(|| {
            format!(
                "declare `{}` under `[actors]`, or use `\"nature\"` for a chance event",
                actor.name
            )
        });
        diagnostics.push(
            Diagnostic::new(
                Code::UnknownName,
                format!("`{}` is not an actor", actor.name),
            )
            .primary(actor.span, "unknown actor")
            .help(help),
        );
    }
    match &decision.likelihood {
        // The pool of several analysts' estimates: each estimate is checked on its own.
        Some(_) if !decision.estimates.is_empty() => {}
        Some(table) => likelihood_table(decision, table, diagnostics),
        None if decision.is_chance() => diagnostics.push(
            Diagnostic::new(
                Code::NatureWithoutLikelihood,
                format!("chance event `{}` has no likelihoods", decision.id.name),
            )
            .primary(
                decision.id.span,
                "`actor = \"nature\"` needs a likelihood for every option",
            )
            .help(format!(
                "add `likelihood = {{ {} }}`",
                decision
                    .options
                    .iter()
                    .map(|o| format!("{} = \"…\"", o.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        ),
        None => diagnostics.push(
            Diagnostic::new(
                Code::UniformLikelihood,
                format!(
                    "`{}` has no likelihoods; forecasts treat its options as equally likely",
                    decision.id.name
                ),
            )
            .primary(decision.id.span, ""),
        ),
    }
    for c in &decision.likelihood_if {
        likelihood_table(decision, &c.table, diagnostics);
    }
}

fn likelihood_table(
    decision: &Decision,
    table: &LikelihoodTable,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let options = decision.option_names();
    for (option, _) in &table.entries {
        if !options.contains(&option.name) {
            let help = did_you_mean(&option.name, options.iter().map(String::as_str))
                .unwrap_or_else(|| {
                    format!(
                        "remove `{}`, or add it to the options of `{}`, which are {}",
                        option.name,
                        decision.id.name,
                        list(&options)
                    )
                });
            diagnostics.push(
                Diagnostic::new(
                    Code::LikelihoodOptions,
                    format!(
                        "`{}` is not an option of `{}`",
                        option.name, decision.id.name
                    ),
                )
                .primary(option.span, "not an option")
                .help(help),
            );
        }
    }
    let missing: Vec<String> = options
        .iter()
        .filter(|o| table.get(o).is_none())
        .cloned()
        .collect();
    if !missing.is_empty() {
        diagnostics.push(
            Diagnostic::new(
                Code::LikelihoodOptions,
                format!(
                    "the likelihoods of `{}` leave out {}",
                    decision.id.name,
                    list(&missing)
                ),
            )
            .primary(table.span, "every option needs a likelihood")
            .help(format!(
                "add {}",
                missing
                    .iter()
                    .map(|o| format!("`{o} = …`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
        return;
    }
    let given: Vec<&Likelihood> = table
        .entries
        .iter()
        .filter(|(o, _)| options.contains(&o.name))
        .map(|(_, l)| l)
        .collect();
    let lo: f64 = given.iter().map(|l| l.lo).sum();
    let hi: f64 = given.iter().map(|l| l.hi).sum();
    const EPSILON: f64 = 1e-9;
    if lo > 1.0 + EPSILON || hi < 1.0 - EPSILON {
        let (why, help) = if lo > 1.0 {
            (
                format!("even at their lowest they add up to {}", sum_percent(lo)),
                "lower some of the estimates",
            )
        } else {
            (
                format!("even at their highest they add up to {}", sum_percent(hi)),
                "raise some of the estimates, or widen their ranges",
            )
        };
        diagnostics.push(
            Diagnostic::new(
                Code::LikelihoodSum,
                format!(
                    "the likelihoods of `{}` cannot sum to 100 %",
                    decision.id.name
                ),
            )
            .primary(table.span, why)
            .help(help),
        );
    }
}

fn rule_targets(scenario: &Scenario, names: &Names, diagnostics: &mut Vec<Diagnostic>) {
    let mut set_by: Vec<(&str, Span)> = Vec::new();
    let mut added_by: Vec<(&str, Span)> = Vec::new();
    for rule in &scenario.rules {
        let targets = rule
            .then
            .iter()
            .map(|a| (&a.fact, Some(&a.value)))
            .chain(rule.add.iter().map(|c| (&c.fact, None)));
        for (fact, value) in targets {
            let Some((reference, ty)) = names.get(&fact.name) else {
                let help = did_you_mean(&fact.name, names.all()).unwrap_or_else(|| {
                    format!(
                        "declare it under `[facts]` as `{} = {{ type = \"…\", default = … }}`",
                        fact.name
                    )
                });
                diagnostics.push(
                    Diagnostic::new(Code::UnknownName, format!("`{}` is not a fact", fact.name))
                        .primary(fact.span, "unknown fact")
                        .help(help),
                );
                continue;
            };
            let derived = matches!(reference, NameRef::Fact(i) if scenario.facts[i].is_derived());
            if !derived {
                let kind = if matches!(reference, NameRef::Decision(_)) {
                    "a decision"
                } else {
                    "an input fact"
                };
                diagnostics.push(
                    Diagnostic::new(Code::RuleTarget, format!("rule `{}` sets `{}`, which is {kind}", rule.id.name, fact.name))
                        .primary(fact.span, format!("{kind}, not a derived fact"))
                        .help("rules only set derived facts: declare one with `type` and `default` and set that instead"),
                );
                continue;
            }
            match value {
                Some(v) => {
                    set_by.push((&fact.name, fact.span));
                    if !ty.admits(&v.value) {
                        diagnostics.push(
                            Diagnostic::new(
                                Code::RuleValue,
                                format!(
                                    "`{}` cannot be set to `{}`",
                                    fact.name,
                                    user_text(&v.value.display())
                                ),
                            )
                            .primary(v.span, format!("`{}` is {}", fact.name, ty.describe()))
                            .help(value_help(ty, &v.value)),
                        );
                    }
                }
                None => {
                    added_by.push((&fact.name, fact.span));
                    if *ty != Type::Number {
                        diagnostics.push(
                            Diagnostic::new(
                                Code::RuleValue,
                                format!(
                                    "rule `{}` adds to `{}`, which is not a number",
                                    rule.id.name, fact.name
                                ),
                            )
                            .primary(fact.span, format!("`{}` is {}", fact.name, ty.describe()))
                            .help("`add` sums numbers; use `then` to set other facts"),
                        );
                    }
                }
            }
        }
    }
    // Maps, not scans: a file with thousands of rules must not check in quadratic time. The
    // first `then` of a fact is the one a diagnostic points at.
    let first_set: std::collections::HashMap<&str, Span> =
        set_by.iter().rev().map(|(n, s)| (*n, *s)).collect();
    let mut reported = std::collections::HashSet::new();
    for (name, add_span) in &added_by {
        if let Some(set_span) = first_set.get(name) {
            if !reported.insert(*name) {
                continue;
            }
            diagnostics.push(
                Diagnostic::new(
                    Code::SetAndAdd,
                    format!("`{name}` is both set (`then`) and summed (`add`)"),
                )
                .primary(*add_span, "summed here")
                .secondary(*set_span, "set here")
                .help("use `add` in every rule for this fact, or `then` in every rule"),
            );
        }
    }
}

fn value_help(ty: &Type, value: &Value) -> String {
    match (ty, value) {
        (Type::Enum(symbols), Value::Symbol(s)) => {
            did_you_mean(s, symbols.iter().map(String::as_str)).unwrap_or_else(|| {
                format!(
                    "use {}, or add `{}` to the fact's type",
                    list(symbols),
                    user_text(s)
                )
            })
        }
        (Type::Enum(symbols), _) => format!(
            "write one of its options in quotes, such as `\"{}\"`",
            symbols.first().map_or("…", String::as_str)
        ),
        _ => format!("use a value that is {}", ty.describe()),
    }
}

fn outcomes(scenario: &Scenario, diagnostics: &mut Vec<Diagnostic>) {
    let actors: Vec<&str> = scenario.actors.iter().map(|a| a.id.name.as_str()).collect();
    for outcome in &scenario.outcomes {
        for (actor, _) in &outcome.payoff {
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
    let fallbacks: Vec<_> = scenario
        .outcomes
        .iter()
        .filter(|o| o.when.is_none())
        .collect();
    if let [first, rest @ ..] = fallbacks.as_slice() {
        for other in rest {
            diagnostics.push(
                Diagnostic::new(
                    Code::FallbackOutcome,
                    format!(
                        "`{}` and `{}` both have no `when`",
                        first.id.name, other.id.name
                    ),
                )
                .primary(other.id.span, "a second fallback")
                .secondary(first.id.span, "the first fallback")
                .help("give one of them a `when`; only one outcome can be the fallback"),
            );
        }
    }
}

fn tests(scenario: &Scenario, names: &Names, diagnostics: &mut Vec<Diagnostic>) {
    let outcome_ids: Vec<&str> = scenario
        .outcomes
        .iter()
        .map(|o| o.id.name.as_str())
        .collect();
    let unknown_outcome = |name: &str, span: Span| {
        let help = did_you_mean(name, outcome_ids.iter().copied()).unwrap_or_else(|| {
            format!(
                "the outcomes are {}",
                list(
                    &outcome_ids
                        .iter()
                        .map(|s| (*s).to_owned())
                        .collect::<Vec<_>>()
                )
            )
        });
        Diagnostic::new(
            Code::UnknownName,
            format!("`{}` is not an outcome", user_text(name)),
        )
        .primary(span, "unknown outcome")
        .help(help)
    };
    for test in &scenario.tests {
        for (name, value) in &test.given {
            match names.get(&name.name) {
                None => diagnostics.push(unknown(names, &name.name, name.span)),
                Some((NameRef::Fact(i), _)) if scenario.facts[i].is_derived() => diagnostics.push(
                    Diagnostic::new(
                        Code::TestGiven,
                        format!(
                            "test `{}` fixes `{}`, a derived fact",
                            test.id.name, name.name
                        ),
                    )
                    .primary(name.span, "rules compute this fact")
                    .help("fix the decisions or input facts that make the rules set it"),
                ),
                Some((_, ty)) => typed_value(ty, &name.name, value, Code::TestGiven, diagnostics),
            }
        }
        for (name, value) in &test.expect {
            if name.name == EXPECT_OUTCOME {
                match &value.value {
                    Value::Symbol(s) if outcome_ids.contains(&s.as_str()) => {}
                    Value::Symbol(s) => diagnostics.push(unknown_outcome(s, value.span)),
                    _ => diagnostics.push(
                        Diagnostic::new(Code::TypeMismatch, "`outcome` must name an outcome")
                            .primary(value.span, "")
                            .help("write `outcome = \"us_walks_away\"`"),
                    ),
                }
                continue;
            }
            match names.get(&name.name) {
                None => diagnostics.push(unknown(names, &name.name, name.span)),
                Some((_, ty)) => {
                    typed_value(ty, &name.name, value, Code::TypeMismatch, diagnostics)
                }
            }
        }
        for (outcome, range) in &test.expect_probability {
            if !outcome_ids.contains(&outcome.name.as_str()) {
                diagnostics.push(unknown_outcome(&outcome.name, outcome.span));
            }
            let _ = range;
        }
    }
}

fn unknown(names: &Names, name: &str, span: Span) -> Diagnostic {
    let help = did_you_mean(name, names.all())
        .unwrap_or_else(|| "tests name decisions and facts declared in this file".to_owned());
    Diagnostic::new(
        Code::UnknownName,
        format!("`{name}` is not a fact or decision"),
    )
    .primary(span, "unknown name")
    .help(help)
}

fn typed_value(
    ty: &Type,
    name: &str,
    value: &crate::span::Spanned<Value>,
    code: Code,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if ty.admits(&value.value) {
        return;
    }
    let code = match (ty, &value.value) {
        (Type::Enum(_), Value::Symbol(_)) => Code::UnknownSymbol,
        _ => code,
    };
    diagnostics.push(
        Diagnostic::new(
            code,
            format!(
                "`{}` is not a value of `{name}`",
                user_text(&value.value.display())
            ),
        )
        .primary(value.span, format!("`{name}` is {}", ty.describe()))
        .help(value_help(ty, &value.value)),
    );
}

/// Every fact that rules `add` to must be summed exactly by the fixed-point model of
/// [`crate::fixed`]: its default and every amount representable, and the largest sum any set
/// of firing rules could make, `|default| + Σ |amount|`, within the range. Checked here, once,
/// so no engine ever clamps or rounds.
fn add_ranges(scenario: &Scenario, diagnostics: &mut Vec<Diagnostic>) {
    use crate::fixed::{LIMIT, Unrepresentable, check};
    use crate::model::FactKind;
    // `1e20` and `4e-10` as an analyst writes them, not as twenty-one digits.
    let format_number = |n: f64| {
        if n != 0.0 && (n.abs() >= LIMIT || n.abs() < 1e-4) {
            format!("{n:e}")
        } else {
            crate::model::format_number(n)
        }
    };
    use crate::span::Spanned;
    const HELP: &str = "`add` sums are exact to 1e-9 within ±1e15 (see docs/language.md): count in a unit that keeps the numbers in range, such as billions or thousandths";
    // The amounts added to each fact, by name, in file order.
    let mut added: std::collections::HashMap<&str, Vec<(&str, &Spanned<f64>)>> =
        std::collections::HashMap::new();
    for rule in &scenario.rules {
        for c in &rule.add {
            added
                .entry(c.fact.name.as_str())
                .or_default()
                .push((rule.id.name.as_str(), &c.amount));
        }
    }
    for fact in &scenario.facts {
        let (FactKind::Derived { default, .. }, Some(amounts)) =
            (&fact.kind, added.get(fact.id.name.as_str()))
        else {
            continue;
        };
        // A default that is not a number has its own error (E0402 or the type check).
        let base = match default.value {
            Value::Number(n) => n,
            _ => continue,
        };
        let mut reported = false;
        if let Err(why) = check(base) {
            reported = true;
            let (message, label) = match why {
                Unrepresentable::OutOfRange => (
                    format!(
                        "the default of `{}`, `{}`, is beyond what `add` sums hold",
                        fact.id.name,
                        format_number(base)
                    ),
                    "beyond ±1e15",
                ),
                Unrepresentable::TooFine => (
                    format!(
                        "the default of `{}`, `{}`, is finer than `add` sums resolve",
                        fact.id.name,
                        format_number(base)
                    ),
                    "more than nine decimals",
                ),
            };
            diagnostics.push(
                Diagnostic::new(Code::AddRange, message)
                    .primary(default.span, label)
                    .help(HELP),
            );
        }
        for (rule, amount) in amounts {
            let Err(why) = check(amount.value) else {
                continue;
            };
            reported = true;
            let (what, label) = match why {
                Unrepresentable::OutOfRange => ("more than `add` sums hold", "beyond ±1e15"),
                Unrepresentable::TooFine => {
                    ("finer than `add` sums resolve", "more than nine decimals")
                }
            };
            diagnostics.push(
                Diagnostic::new(
                    Code::AddRange,
                    format!(
                        "rule `{rule}` adds `{}` to `{}`, {what}",
                        format_number(amount.value),
                        fact.id.name
                    ),
                )
                .primary(amount.span, label)
                .help(HELP),
            );
        }
        if reported {
            continue;
        }
        let bound = amounts
            .iter()
            .fold(base.abs(), |sum, (_, a)| sum + a.value.abs());
        if bound > LIMIT {
            diagnostics.push(
                Diagnostic::new(
                    Code::AddRange,
                    format!(
                        "the sum of `{}` could reach {}, beyond what `add` sums hold",
                        fact.id.name,
                        format_number(bound)
                    ),
                )
                .primary(
                    fact.id.span,
                    format!(
                        "{} {} to it; at most ±1e15 is held",
                        crate::diagnostic::plural(amounts.len() as u64, "rule"),
                        if amounts.len() == 1 { "adds" } else { "add" }
                    ),
                )
                .help(HELP),
            );
        }
    }
}

/// A sum of likelihoods as a percentage, with as many decimals as it takes not to look like
/// 100 % when it is not (three times 33.33 % is 99.99 %, not "100 %"); at most six.
fn sum_percent(sum: f64) -> String {
    let p = sum * 100.0;
    for decimals in 0..=6 {
        let shown = format!("{p:.decimals$}");
        if shown.parse::<f64>().is_ok_and(|v| v != 100.0) {
            return format!("{shown} %");
        }
    }
    format!("{p} %")
}
