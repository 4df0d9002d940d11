//! A scenario's game tree as a SilverDecisions file, so an analyst can open it in that
//! open-source decision-tree editor (<https://silverdecisions.pl>).
//!
//! SilverDecisions analyses one decision maker against chance. The file carries one actor's
//! payoffs (the first criterion; the second is 0) on the edges into the leaves; nature's
//! moves are chance nodes with their probabilities (fractions such as `27/37` where exact),
//! and every actor's move is a decision node named `decision (actor)`. SilverDecisions will
//! optimise every decision node for the one actor whose payoffs the file carries, so for
//! games with several deciding actors the file is a picture of the tree, not its solution:
//! casus's strategy (or Gambit's) is the game-theoretic answer.
//!
//! The layout is SilverDecisions' own grid (150 by 75 points): depth to the right, leaves in
//! order downwards, each parent level with the middle of its children.

use casus_core::efg::Rational;
use casus_core::model::Scenario;
use casus_rules::graphs::game_tree::{Game, NodeKind};
use serde_json::{Value, json};

/// The SilverDecisions file version written: the first with two-criteria payoffs.
const VERSION: &str = "1.0.0";
const GRID_X: f64 = 150.0;
const GRID_Y: f64 = 75.0;
const MARGIN: f64 = 20.0;

/// Renders the tree with `actor`'s payoffs (an index into the scenario's actors), as pretty
/// JSON with a final newline.
pub fn render(scenario: &Scenario, game: &Game, actor: usize) -> String {
    let actor_id = &scenario.actors[actor].id.name;
    let n = game.nodes.len();
    // Depth top-down (parents come first in pre-order), then heights bottom-up.
    let mut depth = vec![0usize; n];
    for (i, node) in game.nodes.iter().enumerate() {
        if let Some((p, _)) = node.parent {
            depth[i] = depth[p] + 1;
        }
    }
    let mut y = vec![0.0f64; n];
    let mut leaf = 0.0;
    for (i, node) in game.nodes.iter().enumerate() {
        if node.kind.children().is_empty() {
            y[i] = MARGIN + leaf * GRID_Y;
            leaf += 1.0;
        }
    }
    let mut built: Vec<Option<Value>> = vec![None; n];
    for i in (0..n).rev() {
        let node = &game.nodes[i];
        let location = json!({ "x": MARGIN + depth[i] as f64 * GRID_X, "y": 0.0 });
        let (kind, name, edges) = match &node.kind {
            NodeKind::Terminal { outcome } => (
                "terminal",
                scenario.outcomes[*outcome].title.clone(),
                Vec::new(),
            ),
            NodeKind::Choice {
                decision,
                actor: mover,
                children,
            } => {
                let d = &scenario.decisions[*decision];
                let name = format!("{} ({})", d.id.name, scenario.actors[*mover].id.name);
                (
                    "decision",
                    name,
                    edge_list(
                        scenario, game, *decision, children, None, actor_id, &mut built,
                    ),
                )
            }
            NodeKind::Chance {
                decision,
                probabilities,
                exact,
                children,
            } => {
                let d = &scenario.decisions[*decision];
                let texts = probability_texts(probabilities, exact.as_deref());
                (
                    "chance",
                    d.id.name.clone(),
                    edge_list(
                        scenario,
                        game,
                        *decision,
                        children,
                        Some(&texts),
                        actor_id,
                        &mut built,
                    ),
                )
            }
        };
        let children = node.kind.children();
        if let (Some(&first), Some(&last)) = (children.first(), children.last()) {
            y[i] = (y[first] + y[last]) / 2.0;
        }
        let mut location = location;
        location["y"] = json!(y[i]);
        built[i] = Some(json!({
            "type": kind,
            "name": name,
            "childEdges": edges,
            "location": location,
        }));
    }
    let root = built
        .first_mut()
        .and_then(Option::take)
        .unwrap_or(Value::Null);
    let description = format!(
        "Payoffs of {} ({actor_id}). Exported by casus; decision nodes are named after the actor who decides.",
        scenario.actors[actor].name
    );
    let file = json!({
        "SilverDecisions": VERSION,
        "lng": "en",
        "rule": "expected-value-maximization",
        "title": scenario.meta.title,
        "description": description,
        "data": {
            "code": "",
            "expressionScope": {},
            "trees": [root],
            "texts": [],
        },
    });
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

fn edge_list(
    scenario: &Scenario,
    game: &Game,
    decision: usize,
    children: &[usize],
    probabilities: Option<&[String]>,
    actor_id: &str,
    built: &mut [Option<Value>],
) -> Vec<Value> {
    let d = &scenario.decisions[decision];
    children
        .iter()
        .enumerate()
        .map(|(option, &child)| {
            let payoff = match game.nodes[child].kind {
                NodeKind::Terminal { outcome } => scenario.outcomes[outcome]
                    .payoff_of(actor_id)
                    .unwrap_or(0.0),
                _ => 0.0,
            };
            let mut edge = json!({
                "name": d.options.get(option).map_or("", |o| o.name.as_str()),
                "payoff": [number(payoff), "0"],
                "childNode": built.get_mut(child).and_then(Option::take).unwrap_or(Value::Null),
            });
            if let Some(p) = probabilities.and_then(|p| p.get(option)) {
                edge["probability"] = json!(p);
            }
            edge
        })
        .collect()
}

fn number(x: f64) -> String {
    let x = if x == 0.0 { 0.0 } else { x };
    format!("{x}")
}

/// Exact fractions where known (SilverDecisions evaluates `27/37`); otherwise decimals with
/// the last option `#`, SilverDecisions' "the rest", so the probabilities sum to exactly 1.
fn probability_texts(probabilities: &[f64], exact: Option<&[Rational]>) -> Vec<String> {
    match exact {
        Some(exact) => exact
            .iter()
            .map(|r| r.to_decimal(12).unwrap_or_else(|| r.to_string()))
            .collect(),
        None => {
            let mut texts: Vec<String> = probabilities.iter().map(|&p| number(p)).collect();
            if let Some(last) = texts.last_mut() {
                "#".clone_into(last);
            }
            texts
        }
    }
}
