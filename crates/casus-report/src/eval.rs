//! `casus eval`: the forecast and strategy, as text for people and as the JSON contract.

use std::fmt::Write as _;

use casus_core::likelihood::word_for;
use casus_core::model::Scenario;
use casus_rules::Evaluation;
use serde_json::{Map, Value as Json, json};

use crate::text::{clip, pad, payoff, percent, round};

/// Outcome indices sorted by probability, most likely first; ties keep file order.
pub fn by_probability(evaluation: &Evaluation) -> Vec<usize> {
    let mut order: Vec<usize> = (0..evaluation.outcomes.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (
            evaluation.outcomes[a].probability,
            evaluation.outcomes[b].probability,
        );
        pb.total_cmp(&pa).then(a.cmp(&b))
    });
    order
}

/// The evaluation as an analyst reads it in a terminal.
pub fn render_human(
    scenario: &Scenario,
    evaluation: &Evaluation,
    ranges: Option<&[(f64, f64)]>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", clip(&scenario.meta.title, 100));
    if let Some(summary) = &scenario.meta.summary {
        let _ = writeln!(out, "{}", clip(summary, 100));
    }
    let _ = writeln!(out, "{} paths", evaluation.paths);
    out.push('\n');

    let _ = writeln!(out, "Forecast");
    let id_width = scenario
        .outcomes
        .iter()
        .map(|o| o.id.name.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let range_col = ranges.is_some();
    let _ = writeln!(
        out,
        "  {}  {:>11}  {}{}  {}",
        pad("outcome", id_width),
        "probability",
        if range_col {
            pad("range", 15)
        } else {
            String::new()
        },
        if range_col { "  " } else { "" },
        pad("in words", 20).trim_end()
    );
    for i in by_probability(evaluation) {
        let result = &evaluation.outcomes[i];
        let outcome = &scenario.outcomes[i];
        let words = if result.reachable {
            word_for(result.probability).word
        } else {
            "unreachable"
        };
        let range = match ranges.and_then(|r| r.get(i)) {
            Some((lo, hi)) => format!(
                "{}  ",
                pad(&format!("{:.1}–{:.1} %", lo * 100.0, hi * 100.0), 15)
            ),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "  {}  {:>11}  {range}{}  {}",
            pad(&outcome.id.name, id_width),
            percent(result.probability),
            pad(words, 20),
            clip(&outcome.title, 60)
        );
    }
    for &d in &evaluation.uniform {
        let _ = writeln!(
            out,
            "  note: `{}` has no likelihoods, so its options count as equally likely",
            scenario.decisions[d].id.name
        );
    }
    out.push('\n');

    let _ = writeln!(
        out,
        "Strategy (each actor maximises its own expected payoff; nature follows its likelihoods)"
    );
    for (n, step) in evaluation.strategy.line.iter().enumerate() {
        let decision = &scenario.decisions[step.decision];
        let chosen = &decision.options[step.option].name;
        let head = format!("{}. {} ({})", n + 1, decision.id.name, decision.actor.name);
        let detail = if step.chance {
            let p = step.values.get(step.option).copied().unwrap_or(f64::NAN);
            format!("{chosen}, the most likely ({})", percent(p))
        } else {
            let others: Vec<String> = step
                .values
                .iter()
                .enumerate()
                .filter(|(i, v)| *i != step.option && v.is_finite())
                .map(|(i, v)| format!("{} {}", decision.options[i].name, payoff(*v)))
                .collect();
            let value = step.values.get(step.option).map_or(String::new(), |v| {
                format!(": expected payoff {}", payoff(*v))
            });
            let mut text = format!("{chosen}{value}");
            if !others.is_empty() {
                let _ = write!(text, " (else {})", others.join(", "));
            }
            if step.optimal.len() > 1 {
                let tied: Vec<&str> = step
                    .optimal
                    .iter()
                    .map(|&i| decision.options[i].name.as_str())
                    .collect();
                let _ = write!(text, "; tie between {}", tied.join(", "));
            }
            text
        };
        let _ = writeln!(out, "  {}  {detail}", pad(&head, 34));
    }
    if let Some(o) = evaluation.strategy.outcome {
        let outcome = &scenario.outcomes[o];
        let _ = writeln!(
            out,
            "  ends in: {} — {}",
            outcome.id.name,
            clip(&outcome.title, 70)
        );
    }
    let payoffs: Vec<String> = scenario
        .actors
        .iter()
        .zip(&evaluation.strategy.payoffs)
        .map(|(a, p)| format!("{} {}", a.id.name, payoff(*p)))
        .collect();
    if !payoffs.is_empty() {
        let _ = writeln!(out, "  expected payoffs: {}", payoffs.join(", "));
    }

    if !evaluation.key_assumptions.is_empty() {
        out.push('\n');
        let _ = writeln!(
            out,
            "Key assumptions (the likelihoods say one thing, the payoffs another)"
        );
        for flag in &evaluation.key_assumptions {
            let decision = &scenario.decisions[flag.decision];
            let strategic: Vec<&str> = flag
                .strategic
                .iter()
                .map(|&i| decision.options[i].name.as_str())
                .collect();
            let value = |i: usize| flag.values.get(i).map_or("?".to_owned(), |v| payoff(*v));
            let _ = writeln!(
                out,
                "  {}: you judge `{}` most likely ({}), yet {}'s payoffs favour `{}` ({} against {})",
                decision.id.name,
                decision.options[flag.forecast].name,
                percent(flag.forecast_probability),
                decision.actor.name,
                strategic.join("` or `"),
                value(flag.strategic.first().copied().unwrap_or(0)),
                value(flag.forecast),
            );
        }
    }
    out
}

/// The JSON of `casus eval --format json`; the keys of the contract in DESIGN.md keep their
/// names and meaning, the rest are additions.
pub fn to_json(
    scenario: &Scenario,
    evaluation: &Evaluation,
    ranges: Option<&[(f64, f64)]>,
) -> Json {
    let outcomes: Vec<Json> = by_probability(evaluation)
        .into_iter()
        .map(|i| {
            let r = &evaluation.outcomes[i];
            let o = &scenario.outcomes[i];
            let range = ranges.and_then(|rs| rs.get(i)).map_or(
                json!([round(r.probability), round(r.probability)]),
                |(lo, hi)| json!([round(*lo), round(*hi)]),
            );
            json!({
                "id": o.id.name,
                "title": o.title,
                "probability": round(r.probability),
                "range": range,
                "reachable": r.reachable,
                "words": if r.reachable { word_for(r.probability).word } else { "unreachable" },
                "strategic_probability": round(r.strategic_probability),
            })
        })
        .collect();
    let path: Vec<Json> = evaluation
        .strategy
        .line
        .iter()
        .map(|step| {
            let d = &scenario.decisions[step.decision];
            let mut entry = Map::new();
            entry.insert("decision".into(), json!(d.id.name));
            entry.insert("actor".into(), json!(d.actor.name));
            entry.insert("choice".into(), json!(d.options[step.option].name));
            entry.insert("chance".into(), json!(step.chance));
            if !step.chance {
                let optimal: Vec<&str> = step
                    .optimal
                    .iter()
                    .map(|&i| d.options[i].name.as_str())
                    .collect();
                entry.insert("optimal".into(), json!(optimal));
            }
            let values: Map<String, Json> = step
                .values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(i, v)| (d.options[i].name.clone(), json!(round(*v))))
                .collect();
            entry.insert(
                if step.chance {
                    "probabilities"
                } else {
                    "expected_payoffs"
                }
                .into(),
                Json::Object(values),
            );
            Json::Object(entry)
        })
        .collect();
    let payoffs: Map<String, Json> = scenario
        .actors
        .iter()
        .zip(&evaluation.strategy.payoffs)
        .map(|(a, p)| (a.id.name.clone(), json!(round(*p))))
        .collect();
    let key_assumptions: Vec<Json> = evaluation
        .key_assumptions
        .iter()
        .map(|flag| {
            let d = &scenario.decisions[flag.decision];
            json!({
                "decision": d.id.name,
                "actor": d.actor.name,
                "forecast": d.options[flag.forecast].name,
                "forecast_probability": round(flag.forecast_probability),
                "strategic": flag.strategic.iter().map(|&i| d.options[i].name.clone()).collect::<Vec<_>>(),
                "occurrences": flag.occurrences,
            })
        })
        .collect();
    let uniform: Vec<&str> = evaluation
        .uniform
        .iter()
        .map(|&d| scenario.decisions[d].id.name.as_str())
        .collect();
    json!({
        "scenario": scenario.meta.title,
        "paths": evaluation.paths,
        "outcomes": outcomes,
        "strategy": {
            "path": path,
            "outcome": evaluation.strategy.outcome.map(|o| scenario.outcomes[o].id.name.clone()),
            "payoffs": payoffs,
        },
        "key_assumptions": key_assumptions,
        "uniform_decisions": uniform,
    })
}
