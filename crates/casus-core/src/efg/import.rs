//! From a game of perfect information to a format-v1 scenario.
//!
//! The encoding favours being right over being short: every move of the tree becomes one
//! decision whose `when` names the move that leads to it (`n1 == 'pass'`). Decisions are named
//! after their nodes' labels when every move has a label that makes a distinct id (as in the
//! files `casus export` writes: `russia_answer_2` for the node labelled `russia_answer 2`),
//! and otherwise after their place in the file (`n3`, or `n3_label`). A decision that is
//! set implies the whole history above it, because each decision is taken at exactly one node,
//! so one equality is enough and the guards stay short. Terminal nodes become outcomes whose
//! payoffs are the sums of the outcomes met on the way down (Gambit lets an outcome sit on any
//! node); terminal nodes that end in the same outcome with the same payoffs share one outcome.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use super::{EfgError, Game, NodeKind, Number, Rational};
use crate::model::{NATURE, format_number};

/// How to import.
#[derive(Clone, Copy, Debug)]
pub struct ImportOptions<'a> {
    /// The game file's name as the user gave it; recorded in the scenario's `sources`.
    pub source_name: &'a str,
    /// Most decisions a scenario may hold (`Limits::max_decisions`).
    pub max_decisions: usize,
}

/// Most moves one outcome's `when` names; more terminal nodes get further outcomes, so no
/// condition comes near the expression limits.
const MAX_ATOMS: usize = 32;
/// Longest `when` written, in bytes.
const MAX_WHEN: usize = 4_000;

/// A payoff summed along a path: exact while every term is.
#[derive(Clone, Copy, Debug)]
struct Sum {
    value: f64,
    exact: Option<Rational>,
}

impl Sum {
    const ZERO: Sum = Sum {
        value: 0.0,
        exact: Some(Rational::ZERO),
    };

    fn plus(self, n: &Number) -> Sum {
        Sum {
            value: self.value + n.value,
            exact: self.exact.zip(n.exact).and_then(|(a, b)| a.checked_add(b)),
        }
    }

    fn toml(self) -> String {
        match self.exact.and_then(|r| r.to_decimal(15)) {
            Some(text) => text,
            None => toml_number(self.value),
        }
    }
}

/// Turns a game of perfect information into the text of a scenario file.
///
/// Fails on an information set with more than one node (imperfect information, which a
/// scenario's line of play cannot express), and on games with more moves than a scenario may
/// have decisions.
pub fn to_scenario(game: &Game, options: ImportOptions<'_>) -> Result<String, EfgError> {
    check_perfect_information(game)?;
    let Some(root) = game.nodes.first() else {
        return Err(EfgError::new(
            "the game has no nodes",
            crate::Span::default(),
        ));
    };
    let moves = game
        .nodes
        .iter()
        .filter(|n| n.kind != NodeKind::Terminal)
        .count();
    if moves == 0 {
        return Err(EfgError::new(
            "the game has no moves: its root is a terminal node",
            root.span,
        )
        .help("a scenario needs at least one decision; there is nothing to solve in this game"));
    }
    if moves > options.max_decisions {
        return Err(EfgError::new(
            format!(
                "the game has {moves} moves, more than the {} decisions a scenario may have",
                options.max_decisions
            ),
            root.span,
        )
        .help("casus writes one decision per move; solve a game this large in Gambit itself"));
    }

    let actors = actor_ids(game);
    let (decisions, options_of) = decision_ids(game);
    let sums = payoff_sums(game);
    let parent = parents(game);

    let mut out = String::new();
    let source = one_line(options.source_name);
    let _ = writeln!(
        out,
        "# Imported by `casus import` from the Gambit game `{source}`.\n\
         # One decision per move of the game tree: a decision's `when` names the move that\n\
         # leads to it, and each outcome is a terminal node (or several with equal payoffs).\n"
    );
    out.push_str("[scenario]\n");
    let title = if game.title.trim().is_empty() {
        "Imported game"
    } else {
        game.title.as_str()
    };
    let _ = writeln!(out, "title = {}", toml_string(title));
    if !game.comment.trim().is_empty() {
        let _ = writeln!(out, "summary = {}", toml_string(&game.comment));
    }
    let _ = writeln!(
        out,
        "sources = [{}]",
        toml_string(&format!("Gambit extensive-form game `{source}`"))
    );
    out.push_str("tags = [\"gambit\"]\n\n[actors]\n");
    for (id, name) in actors.iter().zip(&game.players) {
        let name = if name.trim().is_empty() {
            id.as_str()
        } else {
            name.as_str()
        };
        let _ = writeln!(out, "{id} = {}", toml_string(name));
    }

    for (index, node) in game.nodes.iter().enumerate() {
        let (infoset, actor) = match node.kind {
            NodeKind::Terminal => continue,
            NodeKind::Chance { infoset } => (infoset, NATURE),
            NodeKind::Personal { player, infoset } => (infoset, actors[player].as_str()),
        };
        let infoset = &game.infosets[infoset];
        let _ = writeln!(out, "\n[decisions.{}]", decisions[index]);
        let _ = writeln!(out, "actor = {}", toml_string(actor));
        // An information set's label is the question at the node, unless it only repeats the
        // node's label (as in the files `casus export` writes).
        if !infoset.label.trim().is_empty() && infoset.label != node.label {
            let _ = writeln!(out, "ask = {}", toml_string(&infoset.label));
        }
        if let Some(when) = guard(&parent, &decisions, &options_of, index) {
            let _ = writeln!(out, "when = {}", toml_string(&when));
        }
        let names = &options_of[index];
        let quoted: Vec<String> = names.iter().map(|o| toml_string(o)).collect();
        let _ = writeln!(out, "options = [{}]", quoted.join(", "));
        if infoset.player.is_none() {
            let entries: Vec<String> = names
                .iter()
                .zip(&infoset.probabilities)
                .map(|(o, p)| format!("{o} = {}", probability(p)))
                .collect();
            let _ = writeln!(out, "likelihood = {{ {} }}", entries.join(", "));
        }
    }

    for outcome in outcomes(game, &parent, &decisions, &options_of, &sums) {
        let _ = writeln!(out, "\n[outcomes.{}]", outcome.id);
        let _ = writeln!(out, "title = {}", toml_string(&outcome.title));
        let _ = writeln!(out, "when = {}", toml_string(&outcome.when));
        let payoffs: Vec<String> = actors
            .iter()
            .zip(&outcome.payoffs)
            .map(|(a, p)| format!("{a} = {p}"))
            .collect();
        if payoffs.is_empty() {
            out.push_str("payoff = {}\n");
        } else {
            let _ = writeln!(out, "payoff = {{ {} }}", payoffs.join(", "));
        }
    }
    Ok(out)
}

/// The first information set of a player with two nodes or more, as an error.
fn check_perfect_information(game: &Game) -> Result<(), EfgError> {
    for node in &game.nodes {
        let NodeKind::Personal { player, infoset } = node.kind else {
            continue;
        };
        let set = &game.infosets[infoset];
        if set.nodes.len() > 1 {
            let label = if set.label.is_empty() {
                String::new()
            } else {
                format!(" (\"{}\")", one_line(&set.label))
            };
            return Err(EfgError::new(
                format!(
                    "information set {}{label} of player \"{}\" has {} nodes: the game has imperfect information",
                    set.number,
                    one_line(&game.players[player]),
                    set.nodes.len()
                ),
                node.span,
            )
            .help("casus solves games of perfect information, where every player sees every earlier move; solve this game in Gambit"));
        }
    }
    Ok(())
}

/// `[a-z][a-z0-9_]*` from any label: lowercase letters and digits, other runs become `_`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
        if out.len() >= 40 {
            break;
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// A valid id from `label`: its slug, `prefix_…` when that starts with a digit, or
/// `fallback` when nothing is left of it.
fn id_from(label: &str, prefix: &str, fallback: &str) -> String {
    let s = slug(label);
    match s.chars().next() {
        None => fallback.to_owned(),
        Some(c) if c.is_ascii_digit() => format!("{prefix}_{s}"),
        Some(_) => s,
    }
}

fn unique(base: String, used: &mut HashSet<String>) -> String {
    let mut candidate = base.clone();
    let mut n = 2;
    while !used.insert(candidate.clone()) {
        candidate = format!("{base}_{n}");
        n += 1;
    }
    candidate
}

fn actor_ids(game: &Game) -> Vec<String> {
    let mut used = HashSet::new();
    game.players
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut base = id_from(name, "player", &format!("player_{}", i + 1));
            if base == NATURE {
                base = "nature_player".to_owned();
            }
            unique(base, &mut used)
        })
        .collect()
}

/// Decision ids per node (empty for terminal nodes) and option ids per node.
fn decision_ids(game: &Game) -> (Vec<String>, Vec<Vec<String>>) {
    let labelled = labelled_ids(game);
    let mut ids = Vec::with_capacity(game.nodes.len());
    let mut options = Vec::with_capacity(game.nodes.len());
    for (index, node) in game.nodes.iter().enumerate() {
        let infoset = match node.kind {
            NodeKind::Terminal => {
                ids.push(String::new());
                options.push(Vec::new());
                continue;
            }
            NodeKind::Chance { infoset } | NodeKind::Personal { infoset, .. } => infoset,
        };
        let label = slug(&node.label);
        ids.push(if let Some(labelled) = &labelled {
            labelled[index].clone()
        } else if label.is_empty() {
            format!("n{}", index + 1)
        } else {
            format!("n{}_{label}", index + 1)
        });
        let mut used = HashSet::new();
        options.push(
            game.infosets[infoset]
                .actions
                .iter()
                .enumerate()
                .map(|(i, a)| unique(id_from(a, "a", &format!("a{}", i + 1)), &mut used))
                .collect(),
        );
    }
    (ids, options)
}

/// Ids made from the moves' labels alone, if every move has one that gives a distinct valid
/// id (`outcome` is reserved for tests, so it does not count).
fn labelled_ids(game: &Game) -> Option<Vec<String>> {
    let mut used = HashSet::new();
    let mut ids = Vec::with_capacity(game.nodes.len());
    for node in &game.nodes {
        if node.kind == NodeKind::Terminal {
            ids.push(String::new());
            continue;
        }
        let id = slug(&node.label);
        let valid = id.starts_with(|c: char| c.is_ascii_lowercase())
            && id != "outcome"
            && used.insert(id.clone());
        if !valid {
            return None;
        }
        ids.push(id);
    }
    Some(ids)
}

/// Each node's parent and the action that leads to it.
fn parents(game: &Game) -> Vec<Option<(usize, usize)>> {
    let mut parent = vec![None; game.nodes.len()];
    for (index, node) in game.nodes.iter().enumerate() {
        for (action, &child) in node.children.iter().enumerate() {
            if let Some(p) = parent.get_mut(child) {
                *p = Some((index, action));
            }
        }
    }
    parent
}

/// The payoffs of every outcome met from the root down to each node, added up. Nodes come
/// in pre-order, so a parent is always done before its children.
fn payoff_sums(game: &Game) -> Vec<Vec<Sum>> {
    let players = game.players.len();
    let mut sums: Vec<Vec<Sum>> = vec![Vec::new(); game.nodes.len()];
    let parent = parents(game);
    for (index, node) in game.nodes.iter().enumerate() {
        let mut sum = match parent[index] {
            Some((p, _)) => sums[p].clone(),
            None => vec![Sum::ZERO; players],
        };
        if let Some(outcome) = node.outcome {
            for (s, payoff) in sum.iter_mut().zip(&game.outcomes[outcome].payoffs) {
                *s = s.plus(payoff);
            }
        }
        sums[index] = sum;
    }
    sums
}

fn guard(
    parent: &[Option<(usize, usize)>],
    decisions: &[String],
    options: &[Vec<String>],
    node: usize,
) -> Option<String> {
    let (p, action) = parent[node]?;
    Some(format!("{} == '{}'", decisions[p], options[p][action]))
}

struct ImportedOutcome {
    id: String,
    title: String,
    when: String,
    payoffs: Vec<String>,
}

/// Terminal nodes grouped by outcome and summed payoffs, in order of first appearance.
fn outcomes(
    game: &Game,
    parent: &[Option<(usize, usize)>],
    decisions: &[String],
    options: &[Vec<String>],
    sums: &[Vec<Sum>],
) -> Vec<ImportedOutcome> {
    let mut groups: Vec<(String, String, Vec<String>, Vec<String>)> = Vec::new();
    let mut index_of: HashMap<(String, Vec<String>), usize> = HashMap::new();
    for (index, node) in game.nodes.iter().enumerate() {
        if node.kind != NodeKind::Terminal {
            continue;
        }
        let outcome = node.outcome.map(|o| &game.outcomes[o]);
        let label = outcome.map_or("", |o| o.label.as_str());
        let fallback =
            outcome.map_or_else(|| "end".to_owned(), |o| format!("outcome_{}", o.number));
        let base = if slug(label).is_empty() {
            id_from(&node.label, "o", &fallback)
        } else {
            id_from(label, "o", &fallback)
        };
        let title = [node.label.as_str(), label]
            .into_iter()
            .find(|t| !t.trim().is_empty())
            .map_or_else(|| format!("Terminal node {}", index + 1), one_line);
        let payoffs: Vec<String> = sums[index].iter().map(|s| s.toml()).collect();
        let atom = guard(parent, decisions, options, index);
        let key = (base.clone(), payoffs.clone());
        let group = *index_of.entry(key).or_insert_with(|| {
            groups.push((base, title, payoffs, Vec::new()));
            groups.len() - 1
        });
        if let Some(atom) = atom {
            groups[group].3.push(atom);
        }
    }
    let mut used = HashSet::new();
    let mut out = Vec::new();
    for (base, title, payoffs, atoms) in groups {
        let mut chunk: Vec<String> = Vec::new();
        let mut length = 0;
        let mut flush = |chunk: &mut Vec<String>, out: &mut Vec<ImportedOutcome>| {
            if !chunk.is_empty() {
                out.push(ImportedOutcome {
                    id: unique(base.clone(), &mut used),
                    title: title.clone(),
                    when: chunk.join(" or "),
                    payoffs: payoffs.clone(),
                });
                chunk.clear();
            }
        };
        for atom in atoms {
            if chunk.len() == MAX_ATOMS || length + atom.len() + 4 > MAX_WHEN {
                flush(&mut chunk, &mut out);
                length = 0;
            }
            length += atom.len() + 4;
            chunk.push(atom);
        }
        flush(&mut chunk, &mut out);
    }
    out
}

/// A probability as TOML: its exact decimal when it has one, else the nearest binary number.
fn probability(p: &Number) -> String {
    match p.exact.and_then(|r| r.to_decimal(15)) {
        Some(text) => text,
        None => toml_number(p.value),
    }
}

/// A number as TOML accepts it: whole numbers as integers while they fit, others in the
/// shortest form that reads back to the same value.
fn toml_number(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format_number(x)
    } else if x.abs() >= 1e15 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::efg::{EfgLimits, parse};

    fn import(text: &str) -> Result<String, EfgError> {
        let game = parse(text, EfgLimits::default())?;
        to_scenario(
            &game,
            ImportOptions {
                source_name: "test.efg",
                max_decisions: 1_000,
            },
        )
    }

    #[test]
    fn ids_are_valid_and_unique() {
        assert_eq!(slug("Player 1"), "player_1");
        assert_eq!(slug("  (1,1) "), "1_1");
        assert_eq!(slug("Zürich"), "z_rich");
        assert_eq!(id_from("1st", "a", "a1"), "a_1st");
        assert_eq!(id_from("\"", "a", "a1"), "a1");
        let mut used = HashSet::new();
        assert_eq!(unique("x".into(), &mut used), "x");
        assert_eq!(unique("x".into(), &mut used), "x_2");
    }

    #[test]
    fn outcomes_on_inner_nodes_add_up_along_the_path() {
        let text = "EFG 2 R \"g\" { \"A\" \"B\" }\n\
                    p \"\" 1 1 \"\" { \"l\" \"r\" } 1 \"base\" { 1, 1/2 }\n\
                    t \"\" 2 \"x\" { 0.25, 1/2 }\n\
                    t \"\" 0\n";
        let toml = import(text).unwrap();
        assert!(toml.contains("payoff = { a = 1.25, b = 1 }"), "{toml}");
        assert!(toml.contains("payoff = { a = 1, b = 0.5 }"), "{toml}");
    }

    #[test]
    fn imperfect_information_is_refused_naming_the_set() {
        let text = "EFG 2 R \"\" { \"P1\" \"P2\" }\n\
                    p \"\" 1 1 \"\" { \"a\" \"b\" } 0\n\
                    p \"\" 2 1 \"guess\" { \"x\" \"y\" } 0\n\
                    t \"\" 0\nt \"\" 0\n\
                    p \"\" 2 1 \"guess\" { \"x\" \"y\" } 0\n\
                    t \"\" 0\nt \"\" 0\n";
        let error = import(text).unwrap_err();
        assert_eq!(
            error.message,
            "information set 1 (\"guess\") of player \"P2\" has 2 nodes: the game has imperfect information"
        );
    }

    #[test]
    fn a_game_without_moves_is_refused() {
        let error = import("EFG 2 R \"\" { \"P\" }\nt \"\" 1 \"end\" { 3 }\n").unwrap_err();
        assert_eq!(
            error.message,
            "the game has no moves: its root is a terminal node"
        );
    }

    #[test]
    fn strings_are_escaped_for_toml() {
        assert_eq!(
            toml_string("a \"b\" \\ c\nd\u{1}"),
            "\"a \\\"b\\\" \\\\ c\\nd\\u0001\""
        );
        assert_eq!(toml_number(1e20), "1e20");
        assert_eq!(toml_number(-0.5), "-0.5");
        assert_eq!(toml_number(3.0), "3");
    }
}
