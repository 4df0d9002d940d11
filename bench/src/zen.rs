//! The generated rules as GoRules ZEN rule sets: the one translation that both ZEN peers run,
//! the Python package (`bench/peers/zen_peer.py`, which reads the files `casus-bench gen`
//! writes) and the Rust crate (`native.rs`, built with the `native-zen` feature).
//!
//! Each derived fact becomes one ZEN expression, in dependency order (a fact comes after every
//! fact its writers read): a number fact is its default plus `(condition ? amount : 0)` per
//! `add` rule; any other fact is a chain of `condition ? value : …` from the highest priority
//! down, ending in the default. The outcome is a chain of the outcomes' conditions ending in
//! the fallback. The decision graph ([`graph`]) holds these as one expression node, where later
//! expressions read earlier ones as `$.fact`; [`expressions`] gives them with plain names, for
//! evaluating one after another in one context.
//!
//! Only what every peer can express is translated: decisions without guards or conditional
//! likelihoods (the `rules` and `scores` families), so every combination of options is a path.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::generate::{Cond, DerivedType, Lit, Spec};

/// Why a scenario cannot be translated for ZEN.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TranslateError {
    /// A decision is guarded or has conditional likelihoods: not every combination is a path.
    #[error(
        "decision `{0}` has a guard or conditional likelihoods; the ZEN peers take unguarded scenarios only (families `rules` and `scores`)"
    )]
    Guarded(String),
}

/// A literal as ZEN reads it. Numbers are written as Python's `repr(float)` writes them
/// (`3.0`, `0.25`), which is what the Python peer wrote when it made these expressions itself.
fn lit(value: &Lit) -> String {
    match value {
        Lit::Bool(b) => b.to_string(),
        Lit::Sym(s) => format!("'{s}'"),
        Lit::Num(n) => number(*n),
    }
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e16 {
        format!("{n:.1}")
    } else {
        format!("{n}")
    }
}

/// `cond` as a ZEN expression; `reference` turns a derived fact's name into how the
/// expression reads it.
fn condition(cond: &Cond, spec: &Spec, reference: &dyn Fn(&str) -> String) -> String {
    let comparison = |name: &str, symbol: &str, value: String| {
        let name = if spec.derived.iter().any(|d| d.id == name) {
            reference(name)
        } else {
            name.to_owned()
        };
        format!("({name} {symbol} {value})")
    };
    match cond {
        Cond::And { args } | Cond::Or { args } => {
            let word = if matches!(cond, Cond::And { .. }) {
                " and "
            } else {
                " or "
            };
            let parts: Vec<String> = args.iter().map(|a| condition(a, spec, reference)).collect();
            format!("({})", parts.join(word))
        }
        Cond::Not { arg } => format!("not({})", condition(arg, spec, reference)),
        Cond::Eq { name, value } => comparison(name, "==", lit(value)),
        Cond::Ne { name, value } => comparison(name, "!=", lit(value)),
        Cond::Ge { name, value } => comparison(name, ">=", number(*value)),
        Cond::Lt { name, value } => comparison(name, "<", number(*value)),
    }
}

fn names<'c>(cond: &'c Cond, out: &mut Vec<&'c str>) {
    match cond {
        Cond::And { args } | Cond::Or { args } => args.iter().for_each(|a| names(a, out)),
        Cond::Not { arg } => names(arg, out),
        Cond::Eq { name, .. } | Cond::Ne { name, .. } => out.push(name),
        Cond::Ge { name, .. } | Cond::Lt { name, .. } => out.push(name),
    }
}

/// Each derived fact's layer: 0 when its writers read no derived fact, else one more than
/// the deepest fact they read. Derived facts form no cycle (casus rejects one), so the
/// relaxation settles within one pass per fact.
fn layers(spec: &Spec) -> Vec<usize> {
    let index = |name: &str| spec.derived.iter().position(|d| d.id == name);
    let mut reads: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); spec.derived.len()];
    for rule in &spec.rules {
        let mut read = Vec::new();
        names(&rule.when, &mut read);
        let read: Vec<usize> = read.into_iter().filter_map(index).collect();
        let targets = rule.then.iter().map(|(t, _)| *t);
        for t in targets.chain(rule.add.iter().map(|(t, _)| *t)) {
            if let Some(set) = reads.get_mut(t) {
                set.extend(read.iter().copied());
            }
        }
    }
    let mut layer = vec![0; spec.derived.len()];
    for _ in 0..=spec.derived.len() {
        let mut changed = false;
        for f in 0..layer.len() {
            if let Some(deepest) = reads[f].iter().map(|&g| layer[g]).max()
                && deepest + 1 > layer[f]
            {
                layer[f] = deepest + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    layer
}

/// `(key, expression)` for every derived fact in dependency order, then `("outcome", …)`.
/// `reference` says how an expression reads an earlier fact: `$.f0` inside a decision graph's
/// expression node, `f0` when every expression is evaluated in one shared context.
pub fn expressions(
    spec: &Spec,
    reference: &dyn Fn(&str) -> String,
) -> Result<Vec<(String, String)>, TranslateError> {
    if let Some(d) = spec
        .decisions
        .iter()
        .find(|d| d.guard.is_some() || !d.likelihood_if.is_empty())
    {
        return Err(TranslateError::Guarded(d.id.clone()));
    }
    let layer = layers(spec);
    let mut order: Vec<usize> = (0..spec.derived.len()).collect();
    order.sort_by_key(|&f| (layer[f], f));
    let mut out = Vec::with_capacity(order.len() + 1);
    for f in order {
        let fact = &spec.derived[f];
        let default = lit(&fact.default_value());
        let text = if matches!(fact.kind, DerivedType::Number) {
            let mut parts = vec![default];
            for rule in &spec.rules {
                for (_, amount) in rule.add.iter().filter(|(t, _)| *t == f) {
                    parts.push(format!(
                        "({} ? {} : 0)",
                        condition(&rule.when, spec, reference),
                        number(*amount)
                    ));
                }
            }
            parts.join(" + ")
        } else {
            // Highest priority first (a stable sort keeps file order between equals); the
            // generator never gives two writers of one fact the same priority with different
            // values, so the first that fires wins, as in casus.
            let mut sets: Vec<(&Cond, &Lit, i64)> = spec
                .rules
                .iter()
                .flat_map(|r| {
                    r.then
                        .iter()
                        .filter(move |(t, _)| *t == f)
                        .map(move |(_, v)| (&r.when, v, r.priority))
                })
                .collect();
            sets.sort_by_key(|&(_, _, priority)| std::cmp::Reverse(priority));
            sets.iter().rev().fold(default, |text, (when, value, _)| {
                format!(
                    "({} ? {} : {text})",
                    condition(when, spec, reference),
                    lit(value)
                )
            })
        };
        out.push((fact.id.clone(), text));
    }
    // Without a fallback the outcomes cover every path between them (casus checks that), so
    // the chain never reaches its `null`.
    let fallback = spec
        .outcomes
        .iter()
        .find(|o| o.when.is_none())
        .map_or_else(|| "null".to_owned(), |o| format!("'{}'", o.id));
    let outcome = spec
        .outcomes
        .iter()
        .filter_map(|o| Some((o.id.as_str(), o.when.as_ref()?)))
        .rev()
        .fold(fallback, |text, (id, when)| {
            format!("({} ? '{id}' : {text})", condition(when, spec, reference))
        });
    out.push(("outcome".to_owned(), outcome));
    Ok(out)
}

/// The expressions with plain names, for one shared context.
pub fn plain_expressions(spec: &Spec) -> Result<Vec<(String, String)>, TranslateError> {
    expressions(spec, &|name| name.to_owned())
}

/// The JDM decision graph: request → one expression node with every expression → response.
/// Its result holds every derived fact and `outcome`.
pub fn graph(spec: &Spec) -> Result<Value, TranslateError> {
    let expressions: Vec<Value> = expressions(spec, &|name| format!("$.{name}"))?
        .into_iter()
        .enumerate()
        .map(|(i, (key, value))| json!({"id": format!("e{i}"), "key": key, "value": value}))
        .collect();
    let node = |id: &str, kind: &str| json!({"id": id, "type": kind, "name": id, "position": {"x": 0, "y": 0}});
    let mut rules = node("rules", "expressionNode");
    rules["content"] = json!({
        "expressions": expressions,
        "passThrough": false,
        "inputField": null,
        "outputPath": null,
        "executionMode": "single",
    });
    Ok(json!({
        "nodes": [node("request", "inputNode"), rules, node("response", "outputNode")],
        "edges": [
            {"id": "a", "sourceId": "request", "targetId": "rules", "type": "edge"},
            {"id": "b", "sourceId": "rules", "targetId": "response", "type": "edge"},
        ],
    }))
}

/// Every assignment of an option index to each decision, in casus's walk order: decisions
/// in file order, options in file order, the last decision varying fastest.
pub fn combinations(spec: &Spec) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for decision in &spec.decisions {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                (0..decision.options.len()).map(move |o| {
                    let mut c = prefix.clone();
                    c.push(o);
                    c
                })
            })
            .collect();
    }
    out
}
