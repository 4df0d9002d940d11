//! Python arguments read into a what-if and a plan, with errors that name the option and
//! suggest the nearest name.

use casus_core::diagnostic::did_you_mean_or_list;
use casus_core::model::Value;
use casus_rules::session::{Budget, Plan, WhatIf};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Most draws of one `sample` or `evaluate(samples=…)`, as `casus eval --max-samples`.
pub(crate) const MAX_SAMPLES: usize = 1_000_000;

/// Longest user text quoted in a message, in characters.
const QUOTED_CHARS: usize = 60;

/// A message as an exception carries it: every unsafe character escaped (the CLI's one
/// sanitiser), and each `quoted` span of user text shortened, so a hostile name or value can
/// neither flood nor break the message.
pub(crate) fn shown(message: &str) -> String {
    let escaped = casus_report::text::visible(message);
    escaped
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 && part.chars().count() > QUOTED_CHARS {
                let mut short: String = part.chars().take(QUOTED_CHARS).collect();
                short.push('…');
                short
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// A `TypeError` for keyword arguments `function` does not take, with the nearest one.
pub(crate) fn reject_unknown(
    function: &str,
    known: &[&str],
    unknown: Option<&Bound<'_, PyDict>>,
) -> PyResult<()> {
    let Some(unknown) = unknown else {
        return Ok(());
    };
    let Some((key, _)) = unknown.iter().next() else {
        return Ok(());
    };
    let key = key.str()?.to_string();
    let names: Vec<String> = known.iter().map(|k| (*k).to_owned()).collect();
    Err(PyTypeError::new_err(shown(&format!(
        "{function}() got an unexpected keyword argument `{key}`; {}",
        did_you_mean_or_list(&key, &names, "it takes no keyword arguments", "it takes")
    ))))
}

/// A Python value as a given value: `bool`, `int`, `float` or `str`.
fn given_value(option: &str, name: &str, value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if value.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(value.extract()?));
    }
    if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
        let n: f64 = value.extract().map_err(|_| {
            PyValueError::new_err(shown(&format!("{option}: `{name}` is too large a number")))
        })?;
        if !n.is_finite() {
            return Err(PyValueError::new_err(shown(&format!(
                "{option}: `{name}` must be a finite number, not `{n}`"
            ))));
        }
        return Ok(Value::Number(n));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Value::Symbol(s.to_str()?.to_owned()));
    }
    Err(PyTypeError::new_err(shown(&format!(
        "{option}: the value of `{name}` must be a bool, a number or a str, not {}",
        value.get_type().name()?
    ))))
}

/// `given={name: value, ...}` as `(name, value)` pairs.
pub(crate) fn given(
    option: &str,
    given: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<(String, Value)>> {
    let Some(given) = given.filter(|g| !g.is_none()) else {
        return Ok(Vec::new());
    };
    let dict = given.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{option} must be a dict of names to values, such as {{\"kyiv_buy_in\": \"accept\"}}, not {}",
            given.get_type().name().map_or_else(|_| "that".to_owned(), |n| n.to_string())
        ))
    })?;
    let mut pairs = Vec::with_capacity(dict.len());
    for (key, value) in dict.iter() {
        let name = key
            .cast::<PyString>()
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "{option}: every name must be a str, not {}",
                    key.get_type()
                        .name()
                        .map_or_else(|_| "that".to_owned(), |n| n.to_string())
                ))
            })?
            .to_str()?
            .to_owned();
        let value = given_value(option, &name, &value)?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// A list of names (`observe=`, `analyses=`); a lone str is refused, since iterating it would
/// read its letters as names.
pub(crate) fn names(
    option: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Vec<String>>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if value.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(shown(&format!(
            "{option} must be a list of names, such as [`{}`], not a str",
            value.extract::<String>().unwrap_or_default()
        ))));
    }
    let mut out = Vec::new();
    for item in value
        .try_iter()
        .map_err(|_| PyTypeError::new_err(format!("{option} must be a list of names")))?
    {
        let item = item?;
        let name = item.cast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!(
                "{option}: every name must be a str, not {}",
                item.get_type()
                    .name()
                    .map_or_else(|_| "that".to_owned(), |n| n.to_string())
            ))
        })?;
        out.push(name.to_str()?.to_owned());
    }
    Ok(Some(out))
}

/// The what-if of `variant`, `given` and `observe`.
pub(crate) fn what_if(
    variant: Option<String>,
    given_pairs: Vec<(String, Value)>,
    observe: Option<Vec<String>>,
) -> WhatIf {
    WhatIf {
        variant,
        given: given_pairs,
        observe: observe.unwrap_or_default(),
    }
}

/// The plan of `analyses=` (`None`: everything `casus eval` computes) and `samples=`.
pub(crate) fn plan(analyses: Option<Vec<String>>, samples: Option<(usize, u64)>) -> PyResult<Plan> {
    let mut plan = match analyses {
        None => Plan::full(),
        Some(names) => Plan::only(&names)
            .map_err(|e| PyValueError::new_err(shown(&format!("analyses: {e}"))))?,
    };
    plan.samples = samples;
    Ok(plan)
}

/// `samples=`/`n` and `seed`, checked against the limit.
pub(crate) fn samples(option: &str, n: usize, seed: u64) -> PyResult<(usize, u64)> {
    if n == 0 || n > MAX_SAMPLES {
        return Err(PyValueError::new_err(format!(
            "{option} must be between 1 and {MAX_SAMPLES}, not {n}"
        )));
    }
    Ok((n, seed))
}

/// A budget with `deadline` seconds from now, if given, and a fresh cancel flag.
pub(crate) fn budget(deadline: Option<f64>) -> PyResult<(Budget, Arc<AtomicBool>)> {
    let cancel = Arc::new(AtomicBool::new(false));
    let mut budget = match deadline {
        None => Budget::unlimited(),
        Some(seconds) if seconds.is_finite() && seconds > 0.0 => Budget::seconds(seconds),
        Some(seconds) => {
            return Err(PyValueError::new_err(format!(
                "deadline must be a positive number of seconds, not {seconds}"
            )));
        }
    };
    budget.cancel = Some(cancel.clone());
    Ok((budget, cancel))
}
