//! The explicit game tree of a scenario: every node with its decision, who moves (an actor or
//! nature), the options, nature's probabilities (exact fractions where the analyst's input is
//! exact) and the outcome at each leaf.
//!
//! Evaluation never builds this tree: it folds paths as it walks them and merges equal
//! states. Exports to game-theory tools (Gambit's `.efg`, SilverDecisions) need the tree
//! itself, and so do cross-checks against them, which ask the engine for its answer at every
//! node ([`solve`]). Skipped decisions do not appear: a node is a decision actually taken.

use std::ops::ControlFlow;

use casus_core::Diagnostic;
use casus_core::efg::Rational;
use casus_core::likelihood::Likelihood;
use casus_core::model::{LikelihoodTable, Scenario};

use crate::compile::program::Program;
use crate::search::paths::{WalkError, walk};
use crate::search::walk::{EvalLimits, Given, evaluate};

/// A scenario's game tree, nodes in pre-order (options in file order).
#[derive(Clone, Debug, PartialEq)]
pub struct Game {
    /// Every node; `nodes[0]` is the root.
    pub nodes: Vec<Node>,
    /// The players, as indices into the scenario's actors, in the scenario's order: every
    /// actor that decides at some node or has a payoff in some outcome the tree reaches. An
    /// actor with payoffs who never decides is a player without moves, as in Gambit.
    pub players: Vec<usize>,
}

/// One node of the tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The parent node and the option that leads here; `None` at the root.
    pub parent: Option<(usize, usize)>,
    /// What happens here.
    pub kind: NodeKind,
}

/// What happens at a node.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// An actor picks an option.
    Choice {
        /// Decision index in the scenario.
        decision: usize,
        /// The deciding actor, as an index into the scenario's actors.
        actor: usize,
        /// One child per option, in option order.
        children: Vec<usize>,
    },
    /// Nature picks an option with these probabilities.
    Chance {
        /// Decision index in the scenario.
        decision: usize,
        /// Normalised point estimates, one per option, as the engine uses them.
        probabilities: Vec<f64>,
        /// The same as exact fractions summing to exactly 1, when the likelihoods the analyst
        /// wrote are exact numbers (decimals, percentages, ranges and words all are).
        exact: Option<Vec<Rational>>,
        /// One child per option, in option order.
        children: Vec<usize>,
    },
    /// A complete path ends in this outcome.
    Terminal {
        /// Outcome index in the scenario.
        outcome: usize,
    },
}

impl NodeKind {
    /// The decision taken here, if the node is not terminal.
    pub fn decision(&self) -> Option<usize> {
        match self {
            NodeKind::Choice { decision, .. } | NodeKind::Chance { decision, .. } => {
                Some(*decision)
            }
            NodeKind::Terminal { .. } => None,
        }
    }

    /// The children, one per option (none for a terminal node).
    pub fn children(&self) -> &[usize] {
        match self {
            NodeKind::Choice { children, .. } | NodeKind::Chance { children, .. } => children,
            NodeKind::Terminal { .. } => &[],
        }
    }
}

/// Why a tree could not be built or solved.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum GameError {
    /// The tree has more nodes than allowed.
    #[error("the game tree has more than {0} nodes")]
    TooLarge(usize),
    /// A path reaches no outcome (the scenario has errors `casus check` reports).
    #[error("a path reaches no outcome; run `casus check` on the scenario")]
    NoOutcome,
    /// Evaluating a subgame failed.
    #[error("evaluating the subgame at node {node} failed: {message}")]
    Evaluation {
        /// The node.
        node: usize,
        /// The first diagnostic's message.
        message: String,
        /// Every diagnostic.
        diagnostics: Vec<Diagnostic>,
    },
}

impl Game {
    /// The `(decision, option)` pairs taken from the root down to `node`.
    pub fn history(&self, node: usize) -> Vec<(usize, usize)> {
        let mut history = Vec::new();
        let mut at = node;
        while let Some((parent, option)) = self.nodes.get(at).and_then(|n| n.parent) {
            if let Some(decision) = self.nodes[parent].kind.decision() {
                history.push((decision, option));
            }
            at = parent;
        }
        history.reverse();
        history
    }

    /// Outcomes reached by some leaf, in the scenario's order.
    pub fn reached_outcomes(&self) -> Vec<usize> {
        let mut outcomes: Vec<usize> = self
            .nodes
            .iter()
            .filter_map(|n| match n.kind {
                NodeKind::Terminal { outcome } => Some(outcome),
                _ => None,
            })
            .collect();
        outcomes.sort_unstable();
        outcomes.dedup();
        outcomes
    }

    /// `(actor, outcome)` for every player without a payoff in an outcome the tree reaches,
    /// in the scenario's order of outcomes, then actors. The engine counts these as 0; an
    /// export says so only when asked to (`--missing-payoff 0`).
    pub fn missing_payoffs(&self, scenario: &Scenario) -> Vec<(usize, usize)> {
        let mut missing = Vec::new();
        for outcome in self.reached_outcomes() {
            for &actor in &self.players {
                let id = &scenario.actors[actor].id.name;
                if scenario.outcomes[outcome].payoff_of(id).is_none() {
                    missing.push((actor, outcome));
                }
            }
        }
        missing
    }
}

/// Builds the tree by walking every path. `max_nodes` bounds the work and the memory.
pub fn build(scenario: &Scenario, program: &Program, max_nodes: usize) -> Result<Game, GameError> {
    let mut nodes: Vec<Node> = Vec::new();
    // The decision nodes of the previous path, by depth, and its (decision, option) pairs.
    let mut spine: Vec<usize> = Vec::new();
    let mut previous: Vec<(usize, usize)> = Vec::new();
    let mut failure: Option<GameError> = None;
    let given = Given::none(program.decisions.len());
    let max_paths = u64::try_from(max_nodes).unwrap_or(u64::MAX);
    let walked = walk(program, &given, max_paths, |path| {
        let taken: Vec<(usize, usize, f64)> = path
            .steps
            .iter()
            .filter_map(|s| s.option.map(|o| (s.decision, o, s.probability)))
            .collect();
        let Some(outcome) = path.outcome else {
            failure = Some(GameError::NoOutcome);
            return ControlFlow::Break(());
        };
        // Depths shared with the previous path: its decision nodes down to where they part.
        let common = taken
            .iter()
            .zip(&previous)
            .take_while(|((d, o, _), (pd, po))| d == pd && o == po)
            .count();
        spine.truncate(if nodes.is_empty() { 0 } else { common + 1 });
        for depth in spine.len()..taken.len() {
            let (decision, _, _) = taken[depth];
            let parent = depth.checked_sub(1).map(|up| (spine[up], taken[up].1));
            let kind = match program.decisions[decision].actor {
                Some(actor) => NodeKind::Choice {
                    decision,
                    actor,
                    children: Vec::new(),
                },
                None => NodeKind::Chance {
                    decision,
                    probabilities: vec![f64::NAN; program.decisions[decision].options.len()],
                    exact: None,
                    children: Vec::new(),
                },
            };
            spine.push(push_node(&mut nodes, parent, kind));
        }
        let parent = taken.last().map(|&(_, o, _)| (spine[taken.len() - 1], o));
        push_node(&mut nodes, parent, NodeKind::Terminal { outcome });
        for (depth, &(_, option, p)) in taken.iter().enumerate() {
            if let NodeKind::Chance { probabilities, .. } = &mut nodes[spine[depth]].kind
                && let Some(slot) = probabilities.get_mut(option)
            {
                *slot = p;
            }
        }
        previous = taken.iter().map(|&(d, o, _)| (d, o)).collect();
        if nodes.len() > max_nodes {
            failure = Some(GameError::TooLarge(max_nodes));
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    if let Some(failure) = failure {
        return Err(failure);
    }
    if let Err(WalkError::TooManyPaths(_)) = walked {
        return Err(GameError::TooLarge(max_nodes));
    }
    for node in &mut nodes {
        if let NodeKind::Chance {
            decision,
            probabilities,
            exact,
            ..
        } = &mut node.kind
        {
            *exact = exact_probabilities(scenario, program, *decision, probabilities);
        }
    }
    let players = players(scenario, &nodes);
    Ok(Game { nodes, players })
}

fn push_node(nodes: &mut Vec<Node>, parent: Option<(usize, usize)>, kind: NodeKind) -> usize {
    let index = nodes.len();
    nodes.push(Node { parent, kind });
    if let Some((p, _)) = parent
        && let NodeKind::Choice { children, .. } | NodeKind::Chance { children, .. } =
            &mut nodes[p].kind
    {
        children.push(index);
    }
    index
}

fn players(scenario: &Scenario, nodes: &[Node]) -> Vec<usize> {
    let mut decides = vec![false; scenario.actors.len()];
    let mut reached = vec![false; scenario.outcomes.len()];
    for node in nodes {
        match node.kind {
            NodeKind::Choice { actor, .. } => {
                if let Some(d) = decides.get_mut(actor) {
                    *d = true;
                }
            }
            NodeKind::Terminal { outcome } => reached[outcome] = true,
            NodeKind::Chance { .. } => {}
        }
    }
    (0..scenario.actors.len())
        .filter(|&a| {
            let id = &scenario.actors[a].id.name;
            decides[a]
                || scenario
                    .outcomes
                    .iter()
                    .enumerate()
                    .any(|(o, outcome)| reached[o] && outcome.payoff_of(id).is_some())
        })
        .collect()
}

/// The exact fractions behind nature's probabilities at one node: the likelihood table in
/// force there (the one whose normalised estimates the engine used), read exactly and
/// normalised exactly. `None` when no table matches or a number is out of exact range.
fn exact_probabilities(
    scenario: &Scenario,
    program: &Program,
    decision: usize,
    used: &[f64],
) -> Option<Vec<Rational>> {
    let compiled = &program.decisions[decision];
    let source = &scenario.decisions[compiled.index];
    let n = compiled.options.len();
    let exact = if compiled.uniform {
        let share = Rational::new(1, i128::try_from(n).ok()?)?;
        vec![share; n]
    } else {
        let table: &LikelihoodTable = if compiled.probabilities.as_slice() == used {
            source.likelihood.as_ref()?
        } else {
            let j = compiled.conditional.iter().position(|(_, p)| p == used)?;
            &source.likelihood_if.get(j)?.table
        };
        let points = source
            .options
            .iter()
            .map(|o| table.get(&o.name).map_or(Some(Rational::ZERO), point))
            .collect::<Option<Vec<Rational>>>()?;
        normalise(&points)?
    };
    // INVARIANT: the fractions say what the engine computed; anything else is a reading error.
    let agrees = exact
        .iter()
        .zip(used)
        .all(|(r, p)| (r.to_f64() - p).abs() <= 1e-12);
    agrees.then_some(exact)
}

/// A likelihood's point estimate as the fraction the analyst wrote: the number itself, or the
/// middle of the band.
fn point(likelihood: &Likelihood) -> Option<Rational> {
    let lo = Rational::from_decimal_f64(likelihood.lo)?;
    if likelihood.lo == likelihood.hi {
        return Some(lo);
    }
    let hi = Rational::from_decimal_f64(likelihood.hi)?;
    lo.checked_add(hi)?.checked_div(Rational::integer(2))
}

/// Scales to sum to exactly 1; all zero becomes uniform, as in the engine.
fn normalise(points: &[Rational]) -> Option<Vec<Rational>> {
    let mut total = Rational::ZERO;
    for p in points {
        total = total.checked_add(*p)?;
    }
    if total.is_zero() {
        let share = Rational::new(1, i128::try_from(points.len().max(1)).ok()?)?;
        return Some(vec![share; points.len()]);
    }
    points.iter().map(|p| p.checked_div(total)).collect()
}

/// The engine's answer at one node of the tree, from evaluating the subgame that starts there.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeSolution {
    /// For an actor: every option that is optimal (more than one is a tie). Empty for nature.
    pub optimal: Vec<usize>,
    /// The option taken: the actor's first optimal option in file order, or nature's likeliest.
    pub choice: usize,
    /// Expected payoff per actor (the scenario's order) in the subgame, under optimal play.
    pub payoffs: Vec<f64>,
}

/// The engine's answer at every decision node (`None` for terminal nodes).
///
/// Each node's subgame is evaluated by the engine itself, with the decisions on the path to
/// the node given: the line of play then starts with the node's own decision, and the
/// strategy's payoffs are the subgame's value. This deliberately re-uses
/// [`evaluate`] rather than a second backward induction, so that comparing
/// these answers with an independent solver tests the engine.
pub fn solve(
    scenario: &Scenario,
    program: &Program,
    game: &Game,
    limits: &EvalLimits,
) -> Result<Vec<Option<NodeSolution>>, GameError> {
    let mut solutions = Vec::with_capacity(game.nodes.len());
    for (index, node) in game.nodes.iter().enumerate() {
        let Some(decision) = node.kind.decision() else {
            solutions.push(None);
            continue;
        };
        let mut given = Given::none(program.decisions.len());
        for (d, o) in game.history(index) {
            given.decisions[d] = Some(o);
        }
        let evaluation = evaluate(scenario, program, &given, limits).map_err(|diagnostics| {
            GameError::Evaluation {
                node: index,
                message: diagnostics
                    .first()
                    .map_or_else(String::new, |d| d.message.clone()),
                diagnostics,
            }
        })?;
        let Some(step) = evaluation
            .strategy
            .line
            .iter()
            .find(|s| s.decision == decision)
        else {
            return Err(GameError::Evaluation {
                node: index,
                message: "the line of play does not reach the node's decision".to_owned(),
                diagnostics: Vec::new(),
            });
        };
        solutions.push(Some(NodeSolution {
            optimal: step.optimal.clone(),
            choice: step.option,
            payoffs: evaluation.strategy.payoffs.clone(),
        }));
    }
    Ok(solutions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use casus_core::SourceFile;
    use casus_core::limits::Limits;

    fn game(text: &str) -> (Scenario, Program, Game) {
        let checked = crate::check_source(
            &SourceFile::new("t.toml", text),
            &Limits::default(),
            &EvalLimits::default(),
        );
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        let (scenario, program) = (checked.scenario.unwrap(), checked.program.unwrap());
        let game = build(&scenario, &program, 1_000).unwrap();
        (scenario, program, game)
    }

    const SMALL: &str = r#"
[scenario]
title = "t"
[actors]
a = "A"
b = "B"
c = "C"
[decisions.first]
actor = "a"
options = ["x", "y"]
[decisions.luck]
actor = "nature"
when = "first == 'y'"
options = ["good", "bad", "worse"]
likelihood = { good = "likely", bad = "10%", worse = [0.1, 0.2] }
[outcomes.win]
title = "Win"
when = "luck == 'good'"
payoff = { a = 3, b = 1 }
[outcomes.rest]
title = "Rest"
payoff = { a = 1 }
"#;

    #[test]
    fn skipped_decisions_do_not_appear_and_nodes_are_in_pre_order() {
        let (scenario, _, game) = game(SMALL);
        // first=x skips luck: root, terminal, chance node, three terminals.
        let kinds: Vec<&str> = game
            .nodes
            .iter()
            .map(|n| match n.kind {
                NodeKind::Choice { .. } => "choice",
                NodeKind::Chance { .. } => "chance",
                NodeKind::Terminal { .. } => "terminal",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "choice", "terminal", "chance", "terminal", "terminal", "terminal"
            ]
        );
        assert_eq!(game.nodes[0].kind.children(), [1, 2]);
        assert_eq!(game.history(4), [(0, 1), (1, 1)]);
        // `c` neither decides nor has a payoff, so it is not a player.
        assert_eq!(game.players, [0, 1]);
        assert_eq!(game.missing_payoffs(&scenario), [(1, 1)]);
    }

    #[test]
    fn nature_gets_exact_fractions_from_the_written_likelihoods() {
        let (_, _, game) = game(SMALL);
        let NodeKind::Chance { exact, .. } = &game.nodes[2].kind else {
            panic!("node 2 is nature's");
        };
        // Points: likely 0.675, 10 % 0.1, [0.1, 0.2] 0.15; total 0.925, checked by hand.
        let expected = ["27/37", "4/37", "6/37"];
        let exact: Vec<String> = exact
            .as_ref()
            .unwrap()
            .iter()
            .map(|r| r.to_string())
            .collect();
        assert_eq!(exact, expected);
    }

    #[test]
    fn every_node_gets_the_engines_answer() {
        let (scenario, program, game) = game(SMALL);
        let solutions = solve(&scenario, &program, &game, &EvalLimits::default()).unwrap();
        let root = solutions[0].as_ref().unwrap();
        // y is worth 3·27/37 + 1·10/37 = 91/37 ≈ 2.46 to `a`, x only 1 (by hand).
        assert_eq!(root.optimal, [1]);
        assert!((root.payoffs[0] - 91.0 / 37.0).abs() < 1e-12);
        assert!(solutions[1].is_none());
        let chance = solutions[2].as_ref().unwrap();
        assert_eq!(chance.choice, 0);
        assert!(chance.optimal.is_empty());
    }
}
