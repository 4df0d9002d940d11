//! Gambit's extensive-form game files (`.efg`, format version 4, header `EFG 2 R`): reading
//! them, and turning a game of perfect information into a format-v1 scenario.
//!
//! [Gambit](https://www.gambit-project.org) is the reference software for extensive-form
//! games. Reading its files lets an analyst bring a game into casus for its checks, reports
//! and CI (`casus import`); `casus export --format efg` goes the other way. The reader follows
//! Gambit's own (`src/games/file.cc`): the same tokens, the same escapes in labels, the same
//! checks that a repeated outcome or information set matches its first definition.
//!
//! Parsing a foreign format into a scenario is core-level work: nothing here evaluates.

mod import;
mod parse;
mod rational;

pub use import::{ImportOptions, to_scenario};
pub use parse::parse;
pub use rational::Rational;

use crate::span::Span;

/// A game read from an `.efg` file.
#[derive(Clone, Debug, PartialEq)]
pub struct Game {
    /// The title from the header.
    pub title: String,
    /// The comment after the header (often empty).
    pub comment: String,
    /// Player names, in file order; player `k` in the file is `players[k - 1]`.
    pub players: Vec<String>,
    /// Every node in pre-order (the order of the file); `nodes[0]` is the root.
    pub nodes: Vec<Node>,
    /// Information sets, in order of first appearance.
    pub infosets: Vec<Infoset>,
    /// Outcomes, in order of first appearance.
    pub outcomes: Vec<Outcome>,
}

/// One node of the game tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The node's label (often empty).
    pub label: String,
    /// Chance, personal or terminal.
    pub kind: NodeKind,
    /// The outcome attached to the node, if any; on a non-terminal node its payoffs add to
    /// those of every terminal node below.
    pub outcome: Option<usize>,
    /// Children, one per action of the information set, in the information set's order.
    pub children: Vec<usize>,
    /// Where the node's line starts in the file.
    pub span: Span,
}

/// What kind of node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// Nature moves with the information set's probabilities.
    Chance {
        /// Index into [`Game::infosets`].
        infoset: usize,
    },
    /// A player moves.
    Personal {
        /// Index into [`Game::players`].
        player: usize,
        /// Index into [`Game::infosets`].
        infoset: usize,
    },
    /// The game ends.
    Terminal,
}

/// An information set: the nodes a player cannot tell apart, and its actions.
#[derive(Clone, Debug, PartialEq)]
pub struct Infoset {
    /// The player (index into [`Game::players`]), or `None` for chance.
    pub player: Option<usize>,
    /// The number the file gives it (per player).
    pub number: u64,
    /// Its label.
    pub label: String,
    /// Action labels, in order.
    pub actions: Vec<String>,
    /// For chance: the probability of each action.
    pub probabilities: Vec<Number>,
    /// Its nodes, in file order.
    pub nodes: Vec<usize>,
}

/// An outcome: a payoff for every player.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The number the file gives it.
    pub number: u64,
    /// Its label.
    pub label: String,
    /// One payoff per player.
    pub payoffs: Vec<Number>,
}

/// A number as the file wrote it, with its exact value when it has one in range.
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    /// The text in the file.
    pub text: String,
    /// Its value as a binary floating-point number.
    pub value: f64,
    /// Its exact value, unless it is out of the exact range.
    pub exact: Option<Rational>,
}

impl Number {
    /// Reads a number token; `None` when the text is not a finite number.
    pub fn parse(text: &str) -> Option<Number> {
        let exact = Rational::parse(text);
        let value = match exact {
            Some(r) => r.to_f64(),
            None => match text.split_once('/') {
                Some((n, d)) => n.parse::<f64>().ok()? / d.parse::<f64>().ok()?,
                None => text.parse::<f64>().ok()?,
            },
        };
        value.is_finite().then(|| Number {
            text: text.to_owned(),
            value,
            exact,
        })
    }
}

/// Why a game file could not be read or imported.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct EfgError {
    /// What is wrong, lowercase, user input in backticks.
    pub message: String,
    /// Where, in the game file.
    pub span: Span,
    /// How to fix it.
    pub help: Option<String>,
}

impl EfgError {
    fn new(message: impl Into<String>, span: Span) -> Self {
        Self {
            message: message.into(),
            span,
            help: None,
        }
    }

    #[must_use]
    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Bounds that keep a hostile game file from exhausting memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EfgLimits {
    /// Most nodes read.
    pub max_nodes: usize,
}

impl Default for EfgLimits {
    fn default() -> Self {
        Self {
            max_nodes: 1_000_000,
        }
    }
}

/// Escapes a label for an `.efg` file: quotes become `\"`. Gambit's reader keeps every other
/// backslash as written but cannot end a label with one, so backslashes become `/`; line
/// breaks and other control characters become spaces, as labels are one line in Gambit.
pub fn quote(label: &str) -> String {
    let mut out = String::with_capacity(label.len() + 2);
    out.push('"');
    for c in label.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push('/'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
