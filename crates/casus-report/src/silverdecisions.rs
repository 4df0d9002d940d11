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

use std::time::Instant;

use casus_core::efg::Rational;
use casus_core::model::Scenario;
use casus_rules::graphs::game_tree::{Game, NodeKind};

/// The SilverDecisions file version written: the first with two-criteria payoffs.
const VERSION: &str = "1.0.0";
const GRID_X: f64 = 150.0;
const GRID_Y: f64 = 75.0;
const MARGIN: f64 = 20.0;

/// How often, in nodes written, the deadline is looked at.
const DEADLINE_EVERY: usize = 1024;

/// Why a SilverDecisions file was not written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The file would be larger than the limit. SilverDecisions nests every subtree in full
    /// (its trees cannot share a node), so a scenario whose paths merge into a small graph can
    /// still make an enormous file: 18 independent coins are 2^19 nodes, each indented once
    /// more than its parent.
    #[error(
        "the SilverDecisions file would be larger than the limit of {limit} bytes ({nodes} nodes, each subtree written out in full)"
    )]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
        /// Nodes in the tree.
        nodes: usize,
    },
    /// The deadline passed while writing.
    #[error("the SilverDecisions file was not finished within the time limit")]
    Timeout,
}

/// Renders the tree with `actor`'s payoffs (an index into the scenario's actors), as pretty
/// JSON with a final newline, with no limit on its size or time.
pub fn render(scenario: &Scenario, game: &Game, actor: usize) -> String {
    render_bounded(scenario, game, actor, usize::MAX, None).unwrap_or_default()
}

/// [`render`], refusing once the text passes `max_bytes` or the clock passes `deadline`: the
/// file is written node by node into one string (no document tree in memory besides it), so
/// both are checked as it grows.
pub fn render_bounded(
    scenario: &Scenario,
    game: &Game,
    actor: usize,
    max_bytes: usize,
    deadline: Option<Instant>,
) -> Result<String, Refused> {
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
    for i in (0..n).rev() {
        let children = game.nodes[i].kind.children();
        if let (Some(&first), Some(&last)) = (children.first(), children.last()) {
            y[i] = (y[first] + y[last]) / 2.0;
        }
    }
    let description = format!(
        "Payoffs of {} ({actor_id}). Exported by casus; decision nodes are named after the actor who decides.",
        scenario.actors[actor].name
    );
    let mut w = Writer {
        scenario,
        game,
        actor_id,
        depth: &depth,
        y: &y,
        out: String::new(),
        max_bytes,
        deadline,
        written: 0,
    };
    // The same text `serde_json::to_string_pretty` makes of the document, keys in this order.
    w.out.push_str("{\n");
    w.field(1, "SilverDecisions", &json_str(VERSION), false);
    w.field(1, "lng", &json_str("en"), false);
    w.field(1, "rule", &json_str("expected-value-maximization"), false);
    w.field(1, "title", &json_str(&scenario.meta.title), false);
    w.field(1, "description", &json_str(&description), false);
    w.key(1, "data");
    w.out.push_str("{\n");
    w.field(2, "code", &json_str(""), false);
    w.field(2, "expressionScope", "{}", false);
    w.key(2, "trees");
    w.out.push_str("[\n");
    indent(&mut w.out, 3);
    if n == 0 {
        w.out.push_str("null");
    } else {
        w.node(0, 3)?;
    }
    w.out.push('\n');
    indent(&mut w.out, 2);
    w.out.push_str("],\n");
    w.field(2, "texts", "[]", true);
    indent(&mut w.out, 1);
    w.out.push_str("}\n}\n");
    Ok(w.out)
}

/// Appends `2 × level` spaces, serde_json's pretty indentation.
fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// A string as a JSON string literal.
fn json_str(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// A number as serde_json writes an `f64`.
fn json_f64(x: f64) -> String {
    serde_json::to_string(&x).unwrap_or_else(|_| "null".to_owned())
}

struct Writer<'a> {
    scenario: &'a Scenario,
    game: &'a Game,
    actor_id: &'a str,
    depth: &'a [usize],
    y: &'a [f64],
    out: String,
    max_bytes: usize,
    deadline: Option<Instant>,
    written: usize,
}

impl Writer<'_> {
    /// `"key": ` at `level`.
    fn key(&mut self, level: usize, key: &str) {
        indent(&mut self.out, level);
        self.out.push_str(&json_str(key));
        self.out.push_str(": ");
    }

    /// `"key": value` at `level`, with `,` unless it is the last field, and a line break.
    fn field(&mut self, level: usize, key: &str, value: &str, last: bool) {
        self.key(level, key);
        self.out.push_str(value);
        self.out.push_str(if last { "\n" } else { ",\n" });
    }

    /// One node object, its opening brace where the cursor is, its fields at `level + 1`.
    /// Recurses once per level of the tree: as deep as the scenario has decisions.
    fn node(&mut self, i: usize, level: usize) -> Result<(), Refused> {
        self.written += 1;
        if self.out.len() > self.max_bytes {
            return Err(Refused::TooLarge {
                limit: self.max_bytes,
                nodes: self.game.nodes.len(),
            });
        }
        if self.written.is_multiple_of(DEADLINE_EVERY)
            && self.deadline.is_some_and(|d| Instant::now() > d)
        {
            return Err(Refused::Timeout);
        }
        let scenario = self.scenario;
        let node = &self.game.nodes[i];
        let (kind, name, decision, probabilities) = match &node.kind {
            NodeKind::Terminal { outcome } => (
                "terminal",
                scenario.outcomes[*outcome].title.clone(),
                None,
                None,
            ),
            NodeKind::Choice {
                decision,
                actor: mover,
                ..
            } => {
                let d = &scenario.decisions[*decision];
                let name = format!("{} ({})", d.id.name, scenario.actors[*mover].id.name);
                ("decision", name, Some(*decision), None)
            }
            NodeKind::Chance {
                decision,
                probabilities,
                exact,
                ..
            } => (
                "chance",
                scenario.decisions[*decision].id.name.clone(),
                Some(*decision),
                Some(probability_texts(probabilities, exact.as_deref())),
            ),
        };
        self.out.push_str("{\n");
        self.field(level + 1, "type", &json_str(kind), false);
        self.field(level + 1, "name", &json_str(&name), false);
        self.key(level + 1, "childEdges");
        let children = node.kind.children();
        if children.is_empty() {
            self.out.push_str("[],\n");
        } else {
            self.out.push_str("[\n");
            for (option, &child) in children.iter().enumerate() {
                indent(&mut self.out, level + 2);
                self.edge(decision, option, child, probabilities.as_deref(), level + 2)?;
                self.out.push_str(if option + 1 == children.len() {
                    "\n"
                } else {
                    ",\n"
                });
            }
            indent(&mut self.out, level + 1);
            self.out.push_str("],\n");
        }
        self.key(level + 1, "location");
        self.out.push_str("{\n");
        let x = MARGIN + self.depth[i] as f64 * GRID_X;
        self.field(level + 2, "x", &json_f64(x), false);
        self.field(level + 2, "y", &json_f64(self.y[i]), true);
        indent(&mut self.out, level + 1);
        self.out.push_str("}\n");
        indent(&mut self.out, level);
        self.out.push('}');
        Ok(())
    }

    /// One edge object into `child`, at `level`.
    fn edge(
        &mut self,
        decision: Option<usize>,
        option: usize,
        child: usize,
        probabilities: Option<&[String]>,
        level: usize,
    ) -> Result<(), Refused> {
        let scenario = self.scenario;
        let name = decision
            .and_then(|d| scenario.decisions[d].options.get(option))
            .map_or("", |o| o.name.as_str());
        let payoff = match self.game.nodes[child].kind {
            NodeKind::Terminal { outcome } => scenario.outcomes[outcome]
                .payoff_of(self.actor_id)
                .unwrap_or(0.0),
            _ => 0.0,
        };
        let probability = probabilities.and_then(|p| p.get(option));
        self.out.push_str("{\n");
        self.field(level + 1, "name", &json_str(name), false);
        self.key(level + 1, "payoff");
        self.out.push_str("[\n");
        indent(&mut self.out, level + 2);
        self.out.push_str(&json_str(&number(payoff)));
        self.out.push_str(",\n");
        indent(&mut self.out, level + 2);
        self.out.push_str("\"0\"\n");
        indent(&mut self.out, level + 1);
        self.out.push_str("],\n");
        self.key(level + 1, "childNode");
        self.node(child, level + 1)?;
        match probability {
            Some(p) => {
                self.out.push_str(",\n");
                self.field(level + 1, "probability", &json_str(p), true);
            }
            None => self.out.push('\n'),
        }
        indent(&mut self.out, level);
        self.out.push('}');
        Ok(())
    }
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
