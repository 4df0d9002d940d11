//! The game tree of a small scenario, built once and re-weighted many times.
//!
//! Probabilistic sensitivity evaluates one scenario thousands of times with different
//! likelihoods and nothing else changed: which paths exist, which outcome each reaches and
//! which likelihood table applies at each step never change. So for a scenario with few paths,
//! [`Tree::build`] walks the paths once and keeps them as a tree whose every decision node knows
//! its table; [`Tree::solve`] then computes the forecast and the strategic line of play for a
//! set of tables in one pass over the nodes, with no rule evaluated and nothing allocated.
//!
//! `solve` repeats exactly the arithmetic of the search (`crate::search::walk`): masses summed
//! bottom-up option by option, nature's payoffs weighted and scaled by the reciprocal of the
//! weight (or averaged when every consistent option has probability 0), actors choosing the
//! first best option with the same tie tolerance, nature's line following its likeliest
//! option. So the forecast is the search's bit for bit, and so is the line; a test checks it
//! on every bundled scenario.

use std::ops::ControlFlow;

use crate::compile::program::Program;
use crate::search::paths::walk;
use crate::search::walk::Given;

/// Payoffs closer than this (relative) are a tie; the search's tolerance.
const TIE: f64 = 1e-9;

/// Where a table's probabilities come from: a decision's base table or one of its
/// conditional tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TableRef {
    /// The decision.
    pub(crate) decision: usize,
    /// `None` for the base table, else the index into `conditional`.
    pub(crate) conditional: Option<usize>,
}

#[derive(Clone, Debug)]
enum Node {
    /// A complete path's end: the outcome it reaches.
    Leaf(usize),
    /// A decision skipped on this path: its one child.
    Skip(usize),
    /// A decision taken: who decides, which table gives the probabilities, and the consistent
    /// options with their children, in option order.
    Choice {
        level: usize,
        actor: Option<usize>,
        table: usize,
        children: Vec<(usize, usize)>,
    },
}

/// A child as `solve` sees it: a complete path's outcome, or a decision taken (skipped
/// decisions are passed through, since they change neither masses, payoffs nor the line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ref {
    Leaf(usize),
    Node(usize),
}

/// A decision taken, ready to solve.
#[derive(Clone, Debug)]
struct Choice {
    level: usize,
    actor: Option<usize>,
    table: usize,
    children: Vec<(usize, Ref)>,
}

/// The paths of a scenario as a tree.
#[derive(Clone, Debug)]
pub(crate) struct Tree {
    /// Root first; every child comes after its parent (while building).
    nodes: Vec<Node>,
    /// The decisions taken, parents before children, for solving.
    choices: Vec<Choice>,
    /// Where the paths start.
    root: Ref,
    /// The tables the nodes refer to.
    pub(crate) tables: Vec<TableRef>,
    outcomes: usize,
    actors: usize,
    /// `payoffs[outcome][actor]`.
    payoffs: Vec<Vec<f64>>,
    /// Whether nature's moves are conditioned on evidence, as in the search
    /// (`crate::search::walk`): each option weighed by its probability times the mass below.
    conditioned: bool,
}

/// Buffers for [`Tree::solve`], one per thread.
#[derive(Clone, Debug)]
pub(crate) struct Scratch {
    mass: Vec<f64>,
    payoff: Vec<f64>,
    chosen: Vec<usize>,
}

/// What one solve finds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Solved {
    /// Each outcome's probability.
    pub(crate) probabilities: Vec<f64>,
    /// The strategic line of play: `(decision, option)` of every decision taken on it.
    pub(crate) line: Vec<(usize, usize)>,
}

impl Tree {
    /// Walks the paths consistent with `given` (a path reaching `given.ruled_out` counts as
    /// absent) and keeps them as a tree; `None` when there are more than `max_nodes` nodes or
    /// a path has no outcome (a scenario with errors).
    pub(crate) fn build(program: &Program, given: &Given, max_nodes: usize) -> Option<Tree> {
        // Tag every table entry with its table's number (plus one, so no tag is 0): the walker
        // reports each step's probability as the table holds it, so the tag says which table
        // applied at that step.
        let mut tables = Vec::new();
        let mut tagged = program.clone();
        for (d, decision) in tagged.decisions.iter_mut().enumerate() {
            tables.push(TableRef {
                decision: d,
                conditional: None,
            });
            let tag = tables.len() as f64;
            decision.probabilities.iter_mut().for_each(|p| *p = tag);
            for (k, (_, table)) in decision.conditional.iter_mut().enumerate() {
                tables.push(TableRef {
                    decision: d,
                    conditional: Some(k),
                });
                let tag = tables.len() as f64;
                table.iter_mut().for_each(|p| *p = tag);
            }
        }
        let mut tree = Tree {
            nodes: Vec::new(),
            choices: Vec::new(),
            root: Ref::Leaf(usize::MAX),
            tables,
            outcomes: program.outcomes.len(),
            actors: program.actors.len(),
            conditioned: program.evidence
                || given.ruled_out.is_some()
                || given.decisions.iter().any(Option::is_some),
            payoffs: program.payoffs.clone(),
        };
        let mut ok = true;
        let walked = walk(&tagged, given, max_nodes as u64, |path| {
            let Some(outcome) = path.outcome else {
                ok = false;
                return ControlFlow::Break(());
            };
            if given.ruled_out == Some(outcome) {
                return ControlFlow::Continue(());
            }
            if !tree.insert(program, path.steps, outcome) || tree.nodes.len() > max_nodes {
                ok = false;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        });
        if !ok || walked.is_err() || tree.nodes.is_empty() {
            return None;
        }
        tree.compile();
        Some(tree)
    }

    /// Turns the nodes into the form `solve` reads: skipped decisions passed through, taken
    /// ones numbered in the nodes' order (so parents still come before children).
    fn compile(&mut self) {
        let mut number = vec![usize::MAX; self.nodes.len()];
        for (n, node) in self.nodes.iter().enumerate() {
            if matches!(node, Node::Choice { .. }) {
                number[n] = self.choices.len();
                self.choices.push(Choice {
                    level: 0,
                    actor: None,
                    table: 0,
                    children: Vec::new(),
                });
            }
        }
        let resolve = |mut n: usize| loop {
            match self.nodes.get(n) {
                Some(Node::Skip(child)) => n = *child,
                Some(Node::Choice { .. }) => break Ref::Node(number[n]),
                Some(Node::Leaf(o)) => break Ref::Leaf(*o),
                None => break Ref::Leaf(usize::MAX),
            }
        };
        let root = resolve(0);
        let mut choices = std::mem::take(&mut self.choices);
        for (n, node) in self.nodes.iter().enumerate() {
            if let Node::Choice {
                level,
                actor,
                table,
                children,
            } = node
                && let Some(choice) = choices.get_mut(number[n])
            {
                *choice = Choice {
                    level: *level,
                    actor: *actor,
                    table: *table,
                    children: children.iter().map(|&(o, c)| (o, resolve(c))).collect(),
                };
            }
        }
        self.choices = choices;
        self.root = root;
    }

    /// Adds one path; `false` if its steps do not fit the tree built so far.
    fn insert(
        &mut self,
        program: &Program,
        steps: &[crate::search::paths::PathStep],
        outcome: usize,
    ) -> bool {
        if self.nodes.is_empty() {
            self.nodes.push(Node::Leaf(usize::MAX));
        }
        let mut at = 0;
        for step in steps {
            let fresh = matches!(self.nodes[at], Node::Leaf(usize::MAX));
            match step.option {
                None => {
                    if fresh {
                        let child = self.nodes.len();
                        self.nodes.push(Node::Leaf(usize::MAX));
                        self.nodes[at] = Node::Skip(child);
                        at = child;
                    } else if let Node::Skip(child) = self.nodes[at] {
                        at = child;
                    } else {
                        return false;
                    }
                }
                Some(option) => {
                    if fresh {
                        let table = step.probability as usize;
                        if table == 0 || table > self.tables.len() {
                            return false;
                        }
                        self.nodes[at] = Node::Choice {
                            level: step.decision,
                            actor: program.decisions.get(step.decision).and_then(|d| d.actor),
                            table: table - 1,
                            children: Vec::new(),
                        };
                    }
                    let next = self.nodes.len();
                    let Node::Choice { children, .. } = &mut self.nodes[at] else {
                        return false;
                    };
                    at = match children.iter().find(|(o, _)| *o == option) {
                        Some(&(_, child)) => child,
                        None => {
                            children.push((option, next));
                            self.nodes.push(Node::Leaf(usize::MAX));
                            next
                        }
                    };
                }
            }
        }
        if !matches!(self.nodes[at], Node::Leaf(usize::MAX)) {
            return false;
        }
        self.nodes[at] = Node::Leaf(outcome);
        true
    }

    /// Buffers sized for this tree.
    pub(crate) fn scratch(&self) -> Scratch {
        Scratch {
            mass: vec![0.0; self.choices.len() * self.outcomes],
            payoff: vec![0.0; self.choices.len() * self.actors],
            chosen: vec![usize::MAX; self.choices.len()],
        }
    }

    /// The forecast and the line of play with the probabilities `tables` (one list per
    /// [`TableRef`], one entry per option).
    pub(crate) fn solve(&self, tables: &[Vec<f64>], scratch: &mut Scratch) -> Solved {
        let (no, na) = (self.outcomes, self.actors);
        let Scratch {
            mass,
            payoff,
            chosen,
        } = scratch;
        let none: &[f64] = &[];
        // Children come after their parents: walking backwards solves every child first.
        for (n, choice) in self.choices.iter().enumerate().rev() {
            let probabilities = tables.get(choice.table).map_or(none, Vec::as_slice);
            let p_of = |option: usize| probabilities.get(option).copied().unwrap_or(0.0);
            let (head, below) = mass.split_at_mut((n + 1) * no);
            let m = &mut head[n * no..];
            m.fill(0.0);
            for &(option, child) in &choice.children {
                let p = p_of(option);
                match child {
                    Ref::Leaf(o) => {
                        if let Some(x) = m.get_mut(o) {
                            *x += p;
                        }
                    }
                    Ref::Node(c) => {
                        let at = (c - n - 1) * no;
                        for (a, v) in m.iter_mut().zip(&below[at..at + no]) {
                            *a += p * v;
                        }
                    }
                }
            }
            // Under evidence, each child's consistent mass (summed before `mass` is borrowed
            // again below).
            let child_mass = |child: Ref, mass: &[f64]| -> f64 {
                match child {
                    Ref::Leaf(_) => 1.0,
                    Ref::Node(c) => mass[c * no..(c + 1) * no].iter().sum(),
                }
            };
            let masses: &[f64] = mass;
            let (head, below) = payoff.split_at_mut((n + 1) * na);
            let me = &mut head[n * na..];
            let payoffs = &self.payoffs;
            let child_payoff = |child: Ref| -> &[f64] {
                match child {
                    Ref::Leaf(o) => payoffs.get(o).map_or(none, Vec::as_slice),
                    Ref::Node(c) => &below[(c - n - 1) * na..(c - n) * na],
                }
            };
            match choice.actor {
                None => {
                    me.fill(0.0);
                    let (mut weight, mut flat) = (0.0, 0.0);
                    let mut likeliest: Option<(usize, f64)> = None;
                    for (k, &(option, child)) in choice.children.iter().enumerate() {
                        let p = if self.conditioned {
                            p_of(option) * child_mass(child, masses)
                        } else {
                            p_of(option)
                        };
                        weight += p;
                        flat += 1.0;
                        for (a, v) in me.iter_mut().zip(child_payoff(child)) {
                            *a += p * v;
                        }
                        let tie = self.conditioned
                            && (p - likeliest.map_or(0.0, |(_, q)| q)).abs() <= 1e-12 * p.abs();
                        if likeliest.is_none_or(|(_, q)| p > q && !tie) {
                            likeliest = Some((k, p));
                        }
                    }
                    if weight > 0.0 {
                        let scale = 1.0 / weight;
                        me.iter_mut().for_each(|a| *a *= scale);
                    } else if flat > 0.0 {
                        // Every consistent option has probability 0: the search averages them
                        // unweighted.
                        me.fill(0.0);
                        for &(_, child) in &choice.children {
                            for (a, v) in me.iter_mut().zip(child_payoff(child)) {
                                *a += v;
                            }
                        }
                        me.iter_mut().for_each(|a| *a /= flat);
                    }
                    chosen[n] = likeliest.map_or(usize::MAX, |(k, _)| k);
                }
                Some(actor) => {
                    let mut best: Option<(usize, f64)> = None;
                    for (k, &(_, child)) in choice.children.iter().enumerate() {
                        let v = child_payoff(child).get(actor).copied().unwrap_or(0.0);
                        let tie =
                            best.is_some_and(|(_, b)| (v - b).abs() <= TIE * b.abs().max(1.0));
                        if !tie && best.is_none_or(|(_, b)| v > b) {
                            best = Some((k, v));
                        }
                    }
                    match best {
                        Some((k, _)) => {
                            let child = choice.children[k].1;
                            me.copy_from_slice(child_payoff(child));
                            chosen[n] = k;
                        }
                        None => {
                            me.fill(0.0);
                            chosen[n] = usize::MAX;
                        }
                    }
                }
            }
        }
        let mut root_mass = vec![0.0; no];
        match self.root {
            Ref::Leaf(o) => {
                if let Some(x) = root_mass.get_mut(o) {
                    *x = 1.0;
                }
            }
            Ref::Node(r) => root_mass.copy_from_slice(&mass[r * no..(r + 1) * no]),
        }
        let total: f64 = root_mass.iter().sum();
        let probabilities = root_mass
            .iter()
            .map(|m| if total > 0.0 { m / total } else { 0.0 })
            .collect();
        let mut line = Vec::new();
        let mut at = self.root;
        while let Ref::Node(n) = at {
            let choice = &self.choices[n];
            let Some(&(option, child)) = choice.children.get(chosen[n]) else {
                break;
            };
            line.push((choice.level, option));
            at = child;
        }
        Solved {
            probabilities,
            line,
        }
    }

    /// The tables of `program`, in this tree's order.
    pub(crate) fn tables_of(&self, program: &Program) -> Vec<Vec<f64>> {
        self.tables
            .iter()
            .map(|t| {
                let d = &program.decisions[t.decision];
                match t.conditional {
                    None => d.probabilities.clone(),
                    Some(k) => d
                        .conditional
                        .get(k)
                        .map_or_else(Vec::new, |(_, p)| p.clone()),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::walk::{EvalLimits, evaluate};
    use casus_core::SourceFile;
    use casus_core::limits::Limits;

    /// Every bundled scenario and a few fixtures: the tree's forecast and line of play are the
    /// search's, bit for bit, under the point estimates and under random likelihoods.
    #[test]
    fn the_tree_agrees_with_the_search() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("scenarios"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        for fixture in [
            "tests/fixtures/valid/design-example.toml",
            "tests/fixtures/eval/ties.toml",
            "tests/fixtures/eval/skipped-decisions.toml",
            "tests/fixtures/signposts/stall.toml",
            "tests/fixtures/variants/analysts.toml",
        ] {
            files.push(root.join(fixture));
        }
        files.sort();
        let mut rng = fastrand::Rng::with_seed(5);
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let checked = crate::check_source(
                &SourceFile::new(path.display().to_string(), text),
                &Limits::default(),
                &EvalLimits::default(),
            );
            let (scenario, mut program) = (checked.scenario.unwrap(), checked.program.unwrap());
            let given = Given::none(program.decisions.len());
            let tree = Tree::build(&program, &given, 1 << 20).unwrap();
            let mut scratch = tree.scratch();
            for round in 0..20 {
                if round > 0 {
                    // Random tables, some entries 0, not normalised: what ratios and draws do.
                    for d in &mut program.decisions {
                        let draw = |rng: &mut fastrand::Rng| {
                            if rng.u8(..10) == 0 { 0.0 } else { rng.f64() }
                        };
                        d.probabilities.iter_mut().for_each(|p| *p = draw(&mut rng));
                        for (_, t) in &mut d.conditional {
                            t.iter_mut().for_each(|p| *p = draw(&mut rng));
                        }
                    }
                }
                let solved = tree.solve(&tree.tables_of(&program), &mut scratch);
                let evaluation =
                    evaluate(&scenario, &program, &given, &EvalLimits::default()).unwrap();
                let expected: Vec<f64> =
                    evaluation.outcomes.iter().map(|o| o.probability).collect();
                let line: Vec<(usize, usize)> = evaluation
                    .strategy
                    .line
                    .iter()
                    .map(|s| (s.decision, s.option))
                    .collect();
                assert_eq!(
                    solved.probabilities,
                    expected,
                    "{} round {round}",
                    path.display()
                );
                assert_eq!(solved.line, line, "{} round {round}", path.display());
            }
        }
    }
}
