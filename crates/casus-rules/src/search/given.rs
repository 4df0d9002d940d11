//! Resolving `name = value` pairs (from `--given` or a test's `given`) against a scenario.

use casus_core::model::{Scenario, Value, list};
use casus_core::names::{NameRef, Names};

use crate::search::walk::Given;

/// Fixed decisions plus overridden input facts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fixed {
    /// The option fixed for each decision.
    pub given: Given,
    /// `(fact index, value)` for each overridden input fact.
    pub overrides: Vec<(usize, Value)>,
}

impl Fixed {
    /// Nothing fixed, for a scenario with `n` decisions.
    pub fn none(n: usize) -> Self {
        Self {
            given: Given::none(n),
            overrides: Vec::new(),
        }
    }
}

/// Resolves pairs; an error is a sentence saying what is wrong with which pair.
pub fn resolve<'v>(
    scenario: &Scenario,
    pairs: impl IntoIterator<Item = (&'v str, &'v Value)>,
) -> Result<Fixed, String> {
    let names = Names::new(scenario);
    let mut fixed = Fixed {
        given: Given::none(scenario.decisions.len()),
        overrides: Vec::new(),
    };
    for (name, value) in pairs {
        match names.get(name) {
            None => {
                let hint = casus_core::diagnostic::did_you_mean(name, names.all())
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                return Err(format!("`{name}` is not a decision or fact{hint}"));
            }
            Some((NameRef::Decision(d), _)) => {
                let decision = &scenario.decisions[d];
                let option = match value {
                    Value::Symbol(s) => decision.options.iter().position(|o| o.name == *s),
                    _ => None,
                };
                let Some(option) = option else {
                    let options = decision.option_names();
                    let written = value.display();
                    let hint = casus_core::diagnostic::did_you_mean(
                        written.trim_matches('\''),
                        options.iter().map(String::as_str),
                    )
                    .unwrap_or_else(|| format!("the options are {}", list(&options)));
                    return Err(format!("`{written}` is not an option of `{name}`; {hint}"));
                };
                fixed.given.decisions[d] = Some(option);
            }
            Some((NameRef::Fact(f), ty)) => {
                if scenario.facts[f].is_derived() {
                    return Err(format!(
                        "`{name}` is a derived fact: rules compute it, so it cannot be given"
                    ));
                }
                if !ty.admits(value) {
                    return Err(format!(
                        "`{}` is not a value of `{name}`, which is {}",
                        value.display(),
                        ty.describe()
                    ));
                }
                fixed.overrides.retain(|(i, _)| *i != f);
                fixed.overrides.push((f, value.clone()));
            }
        }
    }
    Ok(fixed)
}

/// Reads a value written on the command line: `true`/`false`, a number, or a symbol.
pub fn parse_value(text: &str) -> Value {
    match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Value::Number(n),
            _ => Value::Symbol(text.trim_matches(|c| c == '\'' || c == '"').to_owned()),
        },
    }
}
