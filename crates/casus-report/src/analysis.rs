//! Deeper analyses in `casus eval`: probabilistic sensitivity, value of information and the
//! assumptions the forecast hangs on — as text for people and as JSON.

use std::fmt::Write as _;

use casus_core::model::Scenario;
use casus_rules::ranking::{Assumption, Ranked};
use casus_rules::sampling::Sampling;
use casus_rules::voi::InformationValue;
use serde_json::{Map, Value as Json, json};

use crate::text::{pad, payoff, percent, round};

/// The spread of each outcome's probability when every likelihood is drawn within its band.
pub fn render_sampling(scenario: &Scenario, sampling: &Sampling) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nProbabilistic sensitivity ({} samples, seed {}: every likelihood drawn within its band)",
        sampling.samples, sampling.seed
    );
    let width = scenario
        .outcomes
        .iter()
        .map(|o| o.id.name.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        out,
        "  {}  {:>7}  {:>7}  {:>7}  {:>7}",
        pad("outcome", width),
        "mean",
        "5th",
        "median",
        "95th"
    );
    for spread in &sampling.outcomes {
        let _ = writeln!(
            out,
            "  {}  {:>7}  {:>7}  {:>7}  {:>7}",
            pad(&scenario.outcomes[spread.outcome].id.name, width),
            percent(spread.mean),
            percent(spread.p5),
            percent(spread.p50),
            percent(spread.p95),
        );
    }
    let _ = writeln!(
        out,
        "  the strategic line of play changed in {} of {} samples",
        sampling.line_changes, sampling.samples
    );
    out
}

/// The sampling results as JSON.
pub fn sampling_json(scenario: &Scenario, sampling: &Sampling) -> Json {
    let outcomes: Vec<Json> = sampling
        .outcomes
        .iter()
        .map(|s| {
            json!({
                "id": scenario.outcomes[s.outcome].id.name,
                "mean": round(s.mean),
                "p5": round(s.p5),
                "p50": round(s.p50),
                "p95": round(s.p95),
            })
        })
        .collect();
    json!({ "samples": sampling.samples, "seed": sampling.seed, "outcomes": outcomes, "line_changes": sampling.line_changes })
}

/// What each actor would gain from learning each chance event before anyone chooses.
pub fn render_information(scenario: &Scenario, values: &[InformationValue]) -> String {
    let mut out = String::new();
    if values.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nValue of information (each actor's gain if the chance event were known before anyone chooses)"
    );
    let width = values
        .iter()
        .map(|v| scenario.decisions[v.decision].id.name.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let actors: Vec<String> = scenario
        .actors
        .iter()
        .map(|a| format!("{:>8}", a.id.name))
        .collect();
    let _ = writeln!(out, "  {}  {}", pad("event", width), actors.join("  "));
    for value in values {
        let name = pad(&scenario.decisions[value.decision].id.name, width);
        match &value.evpi {
            Some(evpi) => {
                let cells: Vec<String> =
                    evpi.iter().map(|v| format!("{:>8}", payoff(*v))).collect();
                let _ = writeln!(out, "  {name}  {}", cells.join("  "));
            }
            None => {
                let _ = writeln!(
                    out,
                    "  {name}  not defined: its guard or likelihoods depend on earlier decisions"
                );
            }
        }
    }
    out
}

/// Value of information as JSON: per chance event, per actor.
pub fn information_json(scenario: &Scenario, values: &[InformationValue]) -> Json {
    Json::Array(
        values
            .iter()
            .map(|v| {
                let evpi = v.evpi.as_ref().map(|e| {
                    Json::Object(
                        scenario
                            .actors
                            .iter()
                            .zip(e)
                            .map(|(a, x)| (a.id.name.clone(), json!(round(*x))))
                            .collect::<Map<_, _>>(),
                    )
                });
                json!({ "decision": scenario.decisions[v.decision].id.name, "evpi": evpi })
            })
            .collect(),
    )
}

fn describe(scenario: &Scenario, assumption: Assumption) -> String {
    match assumption {
        Assumption::Likelihood(d) => format!(
            "the likelihoods of `{}`, reversed",
            scenario.decisions[d].id.name
        ),
        Assumption::Rule(r) => format!("rule `{}`, dropped", scenario.rules[r].id.name),
    }
}

/// The most load-bearing assumptions, most first.
pub fn render_ranking(scenario: &Scenario, ranked: &[Ranked], max_rows: usize) -> String {
    let mut out = String::new();
    let shown: Vec<&Ranked> = ranked
        .iter()
        .filter(|r| r.distance > 1e-12)
        .take(max_rows)
        .collect();
    if shown.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nWhat the forecast hangs on (share of probability that moves to another outcome)"
    );
    for r in shown {
        let (outcome, delta) = r.largest_move;
        let _ = writeln!(
            out,
            "  {:>7}  {}: most of all `{}` ({}{:.1} pts)",
            percent(r.distance),
            describe(scenario, r.assumption),
            scenario.outcomes[outcome].id.name,
            if delta >= 0.0 { "+" } else { "" },
            delta * 100.0
        );
    }
    out
}

/// The ranking as JSON, every assumption.
pub fn ranking_json(scenario: &Scenario, ranked: &[Ranked]) -> Json {
    Json::Array(
        ranked
            .iter()
            .map(|r| {
                let (kind, id) = match r.assumption {
                    Assumption::Likelihood(d) => ("likelihood", scenario.decisions[d].id.name.clone()),
                    Assumption::Rule(i) => ("rule", scenario.rules[i].id.name.clone()),
                };
                json!({
                    "kind": kind,
                    "id": id,
                    "distance": round(r.distance),
                    "largest_move": { "outcome": scenario.outcomes[r.largest_move.0].id.name, "delta": round(r.largest_move.1) },
                })
            })
            .collect(),
    )
}
