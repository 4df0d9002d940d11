//! A scenario's game tree as a Gambit extensive-form game (`.efg`, the text format Gambit
//! writes: header `EFG 2 R`).
//!
//! Players are the actors that decide or have payoffs, named by their ids; nature's moves are
//! chance nodes with their probabilities, exact fractions where the analyst's likelihoods are
//! exact; every decision node is its own information set (a scenario is a game of perfect
//! information); each leaf carries its outcome with every player's payoff. Gambit wants node
//! labels unique in the game and information-set labels unique per player, so a decision node
//! is labelled with its decision id, followed by ` 2`, ` 3`, … when the decision is taken at
//! several nodes, and its information set gets the same label; action labels are option ids;
//! outcomes are labelled with their ids and leaves are left unlabelled. `casus import` reads
//! the ids back.

use std::fmt::Write as _;

use casus_core::efg::{Rational, quote};
use casus_core::model::Scenario;
use casus_rules::graphs::game_tree::{Game, NodeKind};

/// Renders the game. A payoff the scenario does not give is written as 0, as the engine counts
/// it; callers that want to refuse such games check [`Game::missing_payoffs`] first.
pub fn render(scenario: &Scenario, game: &Game) -> String {
    let mut out = String::new();
    let players: Vec<String> = game
        .players
        .iter()
        .map(|&a| quote(&scenario.actors[a].id.name))
        .collect();
    let _ = writeln!(
        out,
        "EFG 2 R {} {{ {} }}",
        quote(&scenario.meta.title),
        players.join(" ")
    );
    let _ = writeln!(
        out,
        "{}\n",
        quote(scenario.meta.summary.as_deref().unwrap_or_default().trim())
    );
    let player_number = |actor: usize| {
        game.players
            .iter()
            .position(|&p| p == actor)
            .map_or(0, |p| p + 1)
    };
    let mut infosets = vec![0usize; game.players.len() + 1];
    let mut chance_infosets = 0usize;
    let mut seen = vec![0usize; scenario.decisions.len()];
    let mut total = vec![0usize; scenario.decisions.len()];
    for node in &game.nodes {
        if let Some(d) = node.kind.decision() {
            total[d] += 1;
        }
    }
    let mut label = |decision: usize| {
        seen[decision] += 1;
        let id = &scenario.decisions[decision].id.name;
        quote(&if total[decision] == 1 {
            id.clone()
        } else {
            format!("{id} {}", seen[decision])
        })
    };
    for node in &game.nodes {
        match &node.kind {
            NodeKind::Choice {
                decision, actor, ..
            } => {
                let player = player_number(*actor);
                let number = infosets.get_mut(player).map_or(0, |n| {
                    *n += 1;
                    *n
                });
                let d = &scenario.decisions[*decision];
                let actions: Vec<String> = d.options.iter().map(|o| quote(&o.name)).collect();
                let label = label(*decision);
                let _ = writeln!(
                    out,
                    "p {label} {player} {number} {label} {{ {} }} 0",
                    actions.join(" ")
                );
            }
            NodeKind::Chance {
                decision,
                probabilities,
                exact,
                ..
            } => {
                chance_infosets += 1;
                let d = &scenario.decisions[*decision];
                let texts = probability_texts(probabilities, exact.as_deref());
                let actions: Vec<String> = d
                    .options
                    .iter()
                    .zip(&texts)
                    .map(|(o, p)| format!("{} {p}", quote(&o.name)))
                    .collect();
                let label = label(*decision);
                let _ = writeln!(
                    out,
                    "c {label} {chance_infosets} {label} {{ {} }} 0",
                    actions.join(" ")
                );
            }
            NodeKind::Terminal { outcome } => {
                let o = &scenario.outcomes[*outcome];
                let payoffs: Vec<String> = game
                    .players
                    .iter()
                    .map(|&a| number(o.payoff_of(&scenario.actors[a].id.name).unwrap_or(0.0)))
                    .collect();
                let _ = writeln!(
                    out,
                    "t \"\" {} {} {{ {} }}",
                    outcome + 1,
                    quote(&o.id.name),
                    payoffs.join(", ")
                );
            }
        }
    }
    out
}

/// A payoff: the shortest decimal that reads back to the same binary number, so Gambit and
/// casus compare exactly the same values.
fn number(x: f64) -> String {
    let x = if x == 0.0 { 0.0 } else { x };
    format!("{x}")
}

/// Probabilities as Gambit wants them: summing to exactly 1. Exact fractions are written as
/// decimals when they have a short one (`0.675`) and as fractions otherwise (`27/37`). Without
/// exact fractions, each probability is its shortest decimal and the largest one takes up the
/// rounding, a change far below the engine's tie tolerance.
fn probability_texts(probabilities: &[f64], exact: Option<&[Rational]>) -> Vec<String> {
    let write = |r: &Rational, places| r.to_decimal(places).unwrap_or_else(|| r.to_string());
    if let Some(exact) = exact {
        return exact.iter().map(|r| write(r, 12)).collect();
    }
    let adjusted = (|| {
        let mut values: Vec<Rational> = probabilities
            .iter()
            .map(|&p| Rational::from_f64_shortest(p))
            .collect::<Option<_>>()?;
        let largest = (0..values.len()).max_by(|&a, &b| {
            probabilities[a]
                .partial_cmp(&probabilities[b])
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(b.cmp(&a))
        })?;
        let mut rest = Rational::ZERO;
        for (i, v) in values.iter().enumerate() {
            if i != largest {
                rest = rest.checked_add(*v)?;
            }
        }
        values[largest] = Rational::ONE.checked_sub(rest)?;
        (values[largest].numer() >= 0).then_some(values)
    })();
    match adjusted {
        Some(values) => values.iter().map(|r| write(r, 30)).collect(),
        None => probabilities.iter().map(|&p| number(p)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_always_sum_to_exactly_one() {
        let third = 1.0 / 3.0;
        let texts = probability_texts(&[third, third, third], None);
        let sum = texts
            .iter()
            .map(|t| Rational::parse(t).unwrap())
            .fold(Rational::ZERO, |a, b| a.checked_add(b).unwrap());
        assert_eq!(sum, Rational::ONE);
        // The first of the equal largest takes up the rounding; the others stay as written.
        assert_eq!(texts[1], "0.3333333333333333");
        let exact = [Rational::new(27, 37).unwrap(), Rational::new(1, 4).unwrap()];
        assert_eq!(
            probability_texts(&[0.0, 0.0], Some(&exact)),
            ["27/37", "0.25"]
        );
    }

    #[test]
    fn payoffs_read_back_exactly() {
        assert_eq!(number(0.8), "0.8");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
    }
}
