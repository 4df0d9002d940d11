//! The merged decision graph the search records: evaluate once, re-weight many times.
//!
//! The search (`crate::search::walk`) visits each distinct state once and reuses its result
//! wherever another prefix reaches it. Recorded, those states form a DAG of decision and chance
//! nodes whose edges are options and whose leaves are outcomes. Which paths exist, which
//! outcome each reaches and which likelihood table applies at each node never change when only
//! numbers change, so every analysis that varies numbers — likelihoods swept, drawn or
//! reversed, observations as likelihood ratios — runs on this graph in O(edges) and never
//! touches the rules again:
//!
//! - `MergedGraph::solve` is backward induction with other tables: the forecast and the
//!   strategic line of play in one pass, repeating exactly the search's arithmetic (masses
//!   summed option by option, nature's payoffs weighted and scaled by the reciprocal of the
//!   weight or averaged when every consistent option has weight 0, actors choosing the first
//!   best option with the search's tie tolerance, nature's line following its likeliest
//!   option), so its numbers are the search's bit for bit;
//! - `MergedGraph::adjoint` is one backward pass (each node's outcome mass below) and one
//!   forward pass (each node's reach probability). A path meets each decision at most once, so
//!   the unnormalised forecast is linear in every likelihood table:
//!   `M(o) = C(o) + Σ_i t_i · G_i(o)` with `G_i(o) = Σ_{nodes n using the table} reach(n) ·
//!   mass(child_i(n))(o)`. One adjoint thus gives the forecast for any change of any one
//!   decision's tables, exactly, and conditioning on evidence is the ratio of two such sums.
//!   The graph keeps the last adjoint it computed with its tables, so the ranges, the
//!   reversals and the firing bounds of one run share one;
//! - `MergedGraph::solve_given_from` solves with one decision given over only the nodes that
//!   have it at or below them (`MergedGraph::each_above` lists them, 64 decisions per pass),
//!   starting from a solve with nothing given: value of information pays per event for the
//!   nodes above it, not for the whole graph.
//!
//! The graph is stored flat, children before parents (the order in which the search finishes
//! them), so each pass is one sweep over two arrays. It is not a petgraph graph: the drawing
//! (`crate::graphs::drawing`) is, but a pass here touches millions of edges and the flat form
//! is a third of the memory and needs no indirection. Its size is bounded by a memory budget
//! ([`DEFAULT_BYTES`], see [`max_nodes`]): past it the search records nothing and
//! analyses evaluate again (the streaming search keeps flat memory however many paths there
//! are), and the session says which of the two ran.

use std::sync::{Arc, PoisonError};

use crate::compile::program::Program;

/// Payoffs closer than this (relative) are a tie; the search's tolerance.
const TIE: f64 = 1e-9;

/// How many decisions one pass of [`MergedGraph::each_above`] marks: a bit each in a node's
/// mask.
const ABOVE_CHUNK: usize = 64;

/// How many node indices per node the lists of one scan of [`MergedGraph::each_above`] may
/// hold together: 16 bytes a node, less than a solve's scratch.
const ABOVE_LISTED: usize = 4;

/// The memory the graph and one pass over it may take by default. A scenario whose graph
/// needs more is analysed by evaluating again, which keeps flat memory.
pub const DEFAULT_BYTES: usize = 256 << 20;

/// How many nodes fit in `bytes` for `program`: per node the node itself, two edges, the
/// search's memo entry that points at it, and a pass's masses and payoffs (two threads).
pub fn max_nodes(bytes: usize, program: &Program) -> usize {
    let per_node = std::mem::size_of::<Choice>()
        + 2 * std::mem::size_of::<Edge>()
        + 8
        + 2 * 8 * (program.outcomes.len() + program.actors.len());
    bytes / per_node.max(1)
}

/// Where a table's probabilities come from: a decision's base table or one of its
/// conditional tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TableRef {
    /// The decision.
    pub(crate) decision: usize,
    /// `None` for the base table, else the index into `conditional`.
    pub(crate) conditional: Option<usize>,
}

/// A child: a complete path's outcome, or a node (a decision taken there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ref {
    Leaf(u32),
    Node(u32),
}

/// An option edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Edge {
    pub(crate) option: u32,
    pub(crate) child: Ref,
}

/// A decision taken in one merged state. Its edges are `edges[start..next.start]`, the
/// options with consistent paths below, in option order; skipped decisions are not nodes
/// (a skip passes its child up, since it changes neither masses, payoffs nor the line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Choice {
    pub(crate) level: u32,
    pub(crate) table: u32,
    pub(crate) start: u32,
}

/// The merged decision graph of one evaluation.
#[derive(Clone, Debug)]
pub struct MergedGraph {
    /// Children before parents.
    choices: Vec<Choice>,
    edges: Vec<Edge>,
    /// Where the paths start.
    root: Ref,
    /// The tables the nodes refer to, and the index of each decision's base table in it.
    tables: Vec<TableRef>,
    table_base: Vec<u32>,
    /// Who decides at each level (`None`: nature).
    actor: Vec<Option<usize>>,
    outcomes: usize,
    actors: usize,
    /// `payoffs[outcome][actor]`.
    payoffs: Vec<Vec<f64>>,
    /// Whether nature's moves are conditioned on evidence, as in the search: each option
    /// weighed by its probability times the mass below.
    conditioned: bool,
    /// The last adjoint taken, with its tables: the ranges, the reversals and the firing
    /// bounds of one run all ask for the adjoint at the same tables.
    adjoint: AdjointCache,
}

/// The last adjoint a graph computed and the tables it was taken at. A second pass over a
/// large graph costs as much as the first, and the analyses of one run share one adjoint
/// without having to pass it between them.
#[derive(Debug, Default)]
struct AdjointCache(std::sync::Mutex<Option<Taken>>);

/// An adjoint and the tables it was taken at.
type Taken = (Vec<Vec<f64>>, Arc<Adjoint>);

impl AdjointCache {
    /// The cached adjoint if it was taken at exactly `tables` (bit for bit, so that a cached
    /// answer is always the one computing again would give), else `compute`'s, kept.
    fn get_or(&self, tables: &[Vec<f64>], compute: impl FnOnce() -> Adjoint) -> Arc<Adjoint> {
        // A panic while the lock was held leaves at worst no entry or a complete one: the
        // entry is replaced whole.
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((at, adjoint)) = slot.as_ref()
            && same_bits(at, tables)
        {
            return Arc::clone(adjoint);
        }
        let adjoint = Arc::new(compute());
        *slot = Some((tables.to_vec(), Arc::clone(&adjoint)));
        adjoint
    }
}

impl Clone for AdjointCache {
    fn clone(&self) -> Self {
        let slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        Self(std::sync::Mutex::new(slot.clone()))
    }
}

/// Whether two sets of tables are equal bit for bit (a NaN equals itself, `-0.0` is not `0.0`).
fn same_bits(a: &[Vec<f64>], b: &[Vec<f64>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
        })
}

/// Buffers for [`MergedGraph::solve`], one per thread.
#[derive(Clone, Debug)]
pub(crate) struct Scratch {
    mass: Vec<f64>,
    payoff: Vec<f64>,
    chosen: Vec<u32>,
    /// Whether a node has a consistent path below it (all do unless a decision is given).
    live: Vec<bool>,
}

/// A scratch's values at some nodes ([`MergedGraph::save`]), in the order of their list.
#[derive(Clone, Debug, Default)]
pub(crate) struct Saved {
    mass: Vec<f64>,
    payoff: Vec<f64>,
    chosen: Vec<u32>,
    live: Vec<bool>,
}

/// What one solve finds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Solved {
    /// Each outcome's probability.
    pub(crate) probabilities: Vec<f64>,
    /// The strategic line of play: `(decision, option)` of every decision taken on it.
    pub(crate) line: Vec<(usize, usize)>,
    /// Each actor's expected payoff at the start under the strategy.
    pub(crate) payoffs: Vec<f64>,
    /// The mass of the consistent paths, before the forecast is normalised by it.
    pub(crate) mass: f64,
}

/// The forecast as a function of each table: see the module docs.
#[derive(Clone, Debug)]
pub(crate) struct Adjoint {
    /// The unnormalised forecast under the tables the adjoint was taken at.
    pub(crate) mass: Vec<f64>,
    /// `gradient[table][option][outcome]`: how the mass moves per unit of that entry.
    pub(crate) gradient: Vec<Vec<Vec<f64>>>,
}

impl Adjoint {
    /// The normalised forecast when the tables `changed` (index, new entries) replace the
    /// entries `tables` had: exact, since the mass is linear in each decision's tables and a
    /// change touches one decision's. All zeros when no mass is left, as in the search.
    pub(crate) fn forecast_with(
        &self,
        tables: &[Vec<f64>],
        changed: &[(usize, Vec<f64>)],
    ) -> Vec<f64> {
        let mut mass = self.mass.clone();
        for (table, entries) in changed {
            let (Some(old), Some(gradient)) = (tables.get(*table), self.gradient.get(*table))
            else {
                continue;
            };
            for (option, row) in gradient.iter().enumerate() {
                let delta = entries.get(option).copied().unwrap_or(0.0)
                    - old.get(option).copied().unwrap_or(0.0);
                if delta != 0.0 {
                    for (m, g) in mass.iter_mut().zip(row) {
                        *m += delta * g;
                    }
                }
            }
        }
        // Rounding can leave a tiny negative mass where an outcome loses everything.
        mass.iter_mut().for_each(|m| *m = m.max(0.0));
        let total: f64 = mass.iter().sum();
        mass.iter()
            .map(|m| if total > 0.0 { m / total } else { 0.0 })
            .collect()
    }
}

impl MergedGraph {
    /// How many decision nodes the graph has.
    pub fn nodes(&self) -> usize {
        self.choices.len()
    }

    /// For each decision, whether some path takes it.
    pub(crate) fn taken(&self) -> Vec<bool> {
        let mut taken = vec![false; self.actor.len()];
        for c in &self.choices {
            if let Some(t) = taken.get_mut(c.level as usize) {
                *t = true;
            }
        }
        taken
    }

    /// How many option edges it has.
    pub fn edges(&self) -> usize {
        self.edges.len()
    }

    /// The index of decision `decision`'s table `conditional` in [`MergedGraph::tables_of`].
    pub(crate) fn table_index(&self, decision: usize, conditional: Option<usize>) -> Option<usize> {
        let base = *self.table_base.get(decision)? as usize;
        Some(base + conditional.map_or(0, |k| k + 1))
    }

    fn edges_of(&self, n: usize) -> &[Edge] {
        let start = self.choices[n].start as usize;
        let end = self
            .choices
            .get(n + 1)
            .map_or(self.edges.len(), |c| c.start as usize);
        &self.edges[start..end]
    }

    /// Buffers sized for this graph.
    pub(crate) fn scratch(&self) -> Scratch {
        Scratch {
            mass: vec![0.0; self.choices.len() * self.outcomes],
            payoff: vec![0.0; self.choices.len() * self.actors],
            chosen: vec![u32::MAX; self.choices.len()],
            live: vec![true; self.choices.len()],
        }
    }

    /// The tables of `program`, in this graph's order.
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

    /// The forecast and the line of play with the probabilities `tables` (one list per
    /// [`TableRef`], one entry per option).
    pub(crate) fn solve(&self, tables: &[Vec<f64>], scratch: &mut Scratch) -> Solved {
        self.solve_given(tables, scratch, None)
    }

    /// [`MergedGraph::solve`] with one more decision given: `(decision, option)`, as the
    /// search gives it — only that option is consistent at the decision, and nature's moves
    /// are conditioned on it. Right for a decision every path takes (a decision that some
    /// paths skip is not a node on them, and those paths would count as consistent).
    pub(crate) fn solve_given(
        &self,
        tables: &[Vec<f64>],
        scratch: &mut Scratch,
        given: Option<(usize, usize)>,
    ) -> Solved {
        self.solve_within(
            tables,
            scratch,
            given,
            given.is_some(),
            0..self.choices.len(),
        )
    }

    /// The graph solved as if some decision were given (nature's moves weighed by their
    /// consistent mass) with none given: what [`MergedGraph::solve_given`] computes at every
    /// node above which the given decision lies nowhere. See [`MergedGraph::solve_given_from`].
    pub(crate) fn conditioned_base(&self, tables: &[Vec<f64>]) -> Scratch {
        let mut base = self.scratch();
        self.solve_within(tables, &mut base, None, true, 0..self.choices.len());
        base
    }

    /// For each of `levels` (at most [`ABOVE_CHUNK`] decisions), which nodes have a node of
    /// that decision at or below them: bit `i` of `masks[n]` is set when `levels[i]` lies at
    /// or below node `n`. These are the only nodes a solve with the decision given computes
    /// differently from the conditioned base. One pass over the edges serves every decision of
    /// the chunk, where marking the nodes above one decision is a pass of its own.
    fn above_masks(&self, levels: &[usize]) -> Vec<u64> {
        // Each decision's bits (a decision listed twice has two).
        let mut own = vec![0u64; self.actor.len()];
        for (bit, &level) in levels.iter().take(ABOVE_CHUNK).enumerate() {
            if let Some(o) = own.get_mut(level) {
                *o |= 1 << bit;
            }
        }
        let mut masks = vec![0u64; self.choices.len()];
        for (n, choice) in self.choices.iter().enumerate() {
            let edges = self.edges_of(n);
            // A node without edges is consistent with nothing given, and with nothing when one
            // is: it is above every decision.
            let mut mask = if edges.is_empty() { u64::MAX } else { 0 };
            mask |= own.get(choice.level as usize).copied().unwrap_or(0);
            for edge in edges {
                if let Ref::Node(c) = edge.child {
                    // Children come first, so their masks are complete.
                    mask |= masks[c as usize];
                }
            }
            masks[n] = mask;
        }
        masks
    }

    /// Calls `visit(i, nodes)` for each decision `levels[i]`, in order, with the nodes that
    /// have a node of that decision at or below them, ascending (children first): the nodes
    /// [`MergedGraph::solve_given_from`] solves and [`MergedGraph::restore`] puts back. Stops
    /// at the first error `visit` returns.
    ///
    /// The work is proportional to the nodes listed, not to the nodes times the decisions:
    /// one pass over the edges per [`ABOVE_CHUNK`] decisions computes a mask per node, and a
    /// scan of the masks lists the nodes of several decisions at once. Memory stays a mask
    /// and a few indices per node: the lists of one scan hold at most [`ABOVE_LISTED`] indices
    /// per node (more only when one decision's list alone is longer).
    pub(crate) fn each_above<E>(
        &self,
        levels: &[usize],
        mut visit: impl FnMut(usize, &[u32]) -> Result<(), E>,
    ) -> Result<(), E> {
        let cap = ABOVE_LISTED * self.choices.len().max(1);
        for (chunk_index, chunk) in levels.chunks(ABOVE_CHUNK).enumerate() {
            let masks = self.above_masks(chunk);
            let mut counts = [0usize; ABOVE_CHUNK];
            for &mask in &masks {
                let mut rest = chunk_mask(chunk.len()) & mask;
                while rest != 0 {
                    counts[rest.trailing_zeros() as usize] += 1;
                    rest &= rest - 1;
                }
            }
            // Groups of consecutive decisions whose lists fit the cap together.
            let mut first = 0;
            while first < chunk.len() {
                let mut end = first + 1;
                let mut total = counts[first];
                while end < chunk.len() && total + counts[end] <= cap {
                    total += counts[end];
                    end += 1;
                }
                let lists = above_lists(&masks, first..end, &counts);
                for (k, list) in lists.iter().enumerate() {
                    visit(chunk_index * ABOVE_CHUNK + first + k, list)?;
                }
                first = end;
            }
        }
        Ok(())
    }

    /// [`MergedGraph::solve_given`] with `(decision, option)` given, computing only the nodes
    /// `above` lists (see [`MergedGraph::each_above`]): `scratch` must hold `base`'s values
    /// ([`MergedGraph::conditioned_base`]) at every other node, which are the values that
    /// solve would compute there, bit for bit. Call [`MergedGraph::restore`] before
    /// solving for another decision.
    pub(crate) fn solve_given_from(
        &self,
        tables: &[Vec<f64>],
        scratch: &mut Scratch,
        given: (usize, usize),
        above: &[u32],
    ) -> Solved {
        self.solve_within(
            tables,
            scratch,
            Some(given),
            true,
            above.iter().map(|&n| n as usize),
        )
    }

    /// Copies `scratch`'s values at the nodes `above` lists into `saved`, for
    /// [`MergedGraph::restore`]: what a solve over those nodes overwrites, and no more.
    pub(crate) fn save(&self, scratch: &Scratch, above: &[u32], saved: &mut Saved) {
        let (no, na) = (self.outcomes, self.actors);
        saved.mass.clear();
        saved.payoff.clear();
        saved.chosen.clear();
        saved.live.clear();
        for n in above.iter().map(|&n| n as usize) {
            saved
                .mass
                .extend_from_slice(&scratch.mass[n * no..(n + 1) * no]);
            saved
                .payoff
                .extend_from_slice(&scratch.payoff[n * na..(n + 1) * na]);
            saved.chosen.push(scratch.chosen[n]);
            saved.live.push(scratch.live[n]);
        }
    }

    /// Puts the values [`MergedGraph::save`] kept back into `scratch` at the nodes `above`
    /// lists (the same list).
    pub(crate) fn restore(&self, scratch: &mut Scratch, saved: &Saved, above: &[u32]) {
        let (no, na) = (self.outcomes, self.actors);
        for (i, n) in above.iter().map(|&n| n as usize).enumerate() {
            scratch.mass[n * no..(n + 1) * no].copy_from_slice(&saved.mass[i * no..(i + 1) * no]);
            scratch.payoff[n * na..(n + 1) * na]
                .copy_from_slice(&saved.payoff[i * na..(i + 1) * na]);
            scratch.chosen[n] = saved.chosen[i];
            scratch.live[n] = saved.live[i];
        }
    }

    /// Each actor's expected payoff at the start under the strategy at `tables`: the
    /// payoffs of [`MergedGraph::solve`], bit for bit (the same arithmetic, `payoff_at`), in
    /// a pass that keeps no masses when the graph is not conditioned (nature's moves then
    /// weigh their probabilities alone). A conditioned graph is solved whole.
    pub(crate) fn strategy_payoffs(&self, tables: &[Vec<f64>]) -> Vec<f64> {
        if self.conditioned {
            return self.solve(tables, &mut self.scratch()).payoffs;
        }
        let na = self.actors;
        let none: &[f64] = &[];
        let mut payoff = vec![0.0; self.choices.len() * na];
        for (n, choice) in self.choices.iter().enumerate() {
            let probabilities = tables
                .get(choice.table as usize)
                .map_or(none, Vec::as_slice);
            let (below, head) = payoff.split_at_mut(n * na);
            let below: &[f64] = below;
            let child_payoff = |child: Ref| self.payoff_of(child, below);
            let weight = |edge: &Edge| {
                probabilities
                    .get(edge.option as usize)
                    .copied()
                    .unwrap_or(0.0)
            };
            let actor = self.actor.get(choice.level as usize).copied().flatten();
            payoff_at(
                actor,
                self.edges_of(n),
                weight,
                false,
                child_payoff,
                &mut head[..na],
            );
        }
        match self.root {
            Ref::Leaf(o) => self.payoffs.get(o as usize).cloned().unwrap_or_default(),
            Ref::Node(r) => payoff[r as usize * na..(r as usize + 1) * na].to_vec(),
        }
    }

    /// The payoffs of a child: an outcome's, or a node's in `below` (the payoffs of the
    /// nodes before the one being solved, `actors` numbers each).
    fn payoff_of<'a>(&'a self, child: Ref, below: &'a [f64]) -> &'a [f64] {
        let na = self.actors;
        match child {
            Ref::Leaf(o) => self.payoffs.get(o as usize).map_or(&[], Vec::as_slice),
            Ref::Node(c) => &below[c as usize * na..(c as usize + 1) * na],
        }
    }

    /// Each actor's payoff at the start in a solved `scratch`.
    pub(crate) fn payoffs_at_root(&self, scratch: &Scratch) -> Vec<f64> {
        let na = self.actors;
        match self.root {
            Ref::Leaf(o) => self.payoffs.get(o as usize).cloned().unwrap_or_default(),
            Ref::Node(r) => scratch.payoff[r as usize * na..(r as usize + 1) * na].to_vec(),
        }
    }

    /// Whether nature's moves are weighed by their consistent mass even with nothing given
    /// (the forecast is conditioned on evidence): then [`MergedGraph::solve`] and
    /// [`MergedGraph::conditioned_base`] are the same computation.
    pub(crate) fn is_conditioned(&self) -> bool {
        self.conditioned
    }

    /// The solve: with `given` as [`MergedGraph::solve_given`]; nature's moves weighed by
    /// their consistent mass when `conditioned` (or the graph is); only the `nodes` listed
    /// (ascending, so children first), the others keeping what `scratch` holds.
    fn solve_within(
        &self,
        tables: &[Vec<f64>],
        scratch: &mut Scratch,
        given: Option<(usize, usize)>,
        conditioned: bool,
        nodes: impl Iterator<Item = usize>,
    ) -> Solved {
        let (no, na) = (self.outcomes, self.actors);
        let conditioned = self.conditioned || conditioned;
        let given = given.map(|(d, o)| (d as u32, o as u32));
        let Scratch {
            mass,
            payoff,
            chosen,
            live,
        } = scratch;
        let none: &[f64] = &[];
        // Children come before their parents: walking forwards solves every child first.
        let mut kept = Vec::new();
        for n in nodes {
            let choice = self.choices[n];
            // With a decision given, only its option is consistent there, and a node with no
            // consistent path below is no option of its parent, as in the search.
            let edges = match given {
                Some((level, option)) => {
                    kept.clear();
                    kept.extend(self.edges_of(n).iter().filter(|e| {
                        (level != choice.level || e.option == option)
                            && match e.child {
                                Ref::Leaf(_) => true,
                                Ref::Node(c) => live[c as usize],
                            }
                    }));
                    live[n] = !kept.is_empty();
                    kept.as_slice()
                }
                None => self.edges_of(n),
            };
            let probabilities = tables
                .get(choice.table as usize)
                .map_or(none, Vec::as_slice);
            let p_of = |option: u32| probabilities.get(option as usize).copied().unwrap_or(0.0);
            let (below, head) = mass.split_at_mut(n * no);
            head[..no].fill(0.0);
            add_masses(edges, p_of, below, &mut head[..no]);
            let masses: &[f64] = mass;
            // Under evidence, each child's consistent mass.
            let child_mass = |child: Ref| -> f64 {
                match child {
                    Ref::Leaf(_) => 1.0,
                    Ref::Node(c) => masses[c as usize * no..(c as usize + 1) * no].iter().sum(),
                }
            };
            let (below, head) = payoff.split_at_mut(n * na);
            let me = &mut head[..na];
            let below: &[f64] = below;
            let child_payoff = |child: Ref| self.payoff_of(child, below);
            let weight = |edge: &Edge| {
                if conditioned {
                    p_of(edge.option) * child_mass(edge.child)
                } else {
                    p_of(edge.option)
                }
            };
            let actor = self.actor.get(choice.level as usize).copied().flatten();
            chosen[n] = payoff_at(actor, edges, weight, conditioned, child_payoff, me);
        }
        if given.is_some() && matches!(self.root, Ref::Node(r) if !live[r as usize]) {
            // No path is consistent with the decision given.
            return Solved {
                probabilities: vec![0.0; no],
                line: Vec::new(),
                payoffs: vec![0.0; na],
                mass: 0.0,
            };
        }
        let root_mass = self.mass_of(self.root, mass);
        let total: f64 = root_mass.iter().sum();
        let payoffs = match self.root {
            Ref::Leaf(o) => self.payoffs.get(o as usize).cloned().unwrap_or_default(),
            Ref::Node(r) => payoff[r as usize * na..(r as usize + 1) * na].to_vec(),
        };
        let probabilities = root_mass
            .iter()
            .map(|m| if total > 0.0 { m / total } else { 0.0 })
            .collect();
        let mut line = Vec::new();
        let mut at = self.root;
        while let Ref::Node(n) = at {
            let n = n as usize;
            let choice = self.choices[n];
            let position = chosen[n] as usize;
            let edge = match given {
                Some((level, option)) => self
                    .edges_of(n)
                    .iter()
                    .filter(|e| {
                        (level != choice.level || e.option == option)
                            && match e.child {
                                Ref::Leaf(_) => true,
                                Ref::Node(c) => live[c as usize],
                            }
                    })
                    .nth(position),
                None => self.edges_of(n).get(position),
            };
            let Some(edge) = edge else {
                break;
            };
            line.push((self.choices[n].level as usize, edge.option as usize));
            at = edge.child;
        }
        Solved {
            probabilities,
            line,
            payoffs,
            mass: total,
        }
    }

    /// The outcome mass below `at`, from per-node masses.
    fn mass_of(&self, at: Ref, mass: &[f64]) -> Vec<f64> {
        let no = self.outcomes;
        let mut out = vec![0.0; no];
        match at {
            Ref::Leaf(o) => {
                if let Some(x) = out.get_mut(o as usize) {
                    *x = 1.0;
                }
            }
            Ref::Node(c) => out.copy_from_slice(&mass[c as usize * no..(c as usize + 1) * no]),
        }
        out
    }

    /// The forecast's mass and its gradient in every table entry, at `tables` (see the module
    /// docs): one backward and one forward pass, or none when the last adjoint asked of this
    /// graph was at the same tables.
    pub(crate) fn adjoint(&self, tables: &[Vec<f64>]) -> Arc<Adjoint> {
        self.adjoint.get_or(tables, || self.compute_adjoint(tables))
    }

    /// [`MergedGraph::adjoint`], computed.
    fn compute_adjoint(&self, tables: &[Vec<f64>]) -> Adjoint {
        let no = self.outcomes;
        let none: &[f64] = &[];
        let p_of = |table: u32, option: u32| {
            tables
                .get(table as usize)
                .map_or(none, Vec::as_slice)
                .get(option as usize)
                .copied()
                .unwrap_or(0.0)
        };
        let mut mass = vec![0.0; self.choices.len() * no];
        for n in 0..self.choices.len() {
            let table = self.choices[n].table;
            let (below, head) = mass.split_at_mut(n * no);
            add_masses(
                self.edges_of(n),
                |option| p_of(table, option),
                below,
                &mut head[..no],
            );
        }
        let mut gradient: Vec<Vec<Vec<f64>>> = tables
            .iter()
            .map(|t| vec![vec![0.0; no]; t.len()])
            .collect();
        let mut reach = vec![0.0; self.choices.len()];
        if let Ref::Node(r) = self.root {
            reach[r as usize] = 1.0;
        }
        // Parents before children: walking backwards, each node's reach is complete.
        for n in (0..self.choices.len()).rev() {
            let (table, r) = (self.choices[n].table, reach[n]);
            if r == 0.0 {
                continue;
            }
            for edge in self.edges_of(n) {
                let Some(row) = gradient
                    .get_mut(table as usize)
                    .and_then(|g| g.get_mut(edge.option as usize))
                else {
                    continue;
                };
                match edge.child {
                    Ref::Leaf(o) => {
                        if let Some(x) = row.get_mut(o as usize) {
                            *x += r;
                        }
                    }
                    Ref::Node(c) => {
                        let at = c as usize * no;
                        for (a, v) in row.iter_mut().zip(&mass[at..at + no]) {
                            *a += r * v;
                        }
                        reach[c as usize] += r * p_of(table, edge.option);
                    }
                }
            }
        }
        Adjoint {
            mass: self.mass_of(self.root, &mass),
            gradient,
        }
    }
}

impl MergedGraph {
    /// `marginals[decision][option]`: the share of the forecast's mass on paths that take the
    /// option, at `tables` (0 for a decision no path takes).
    pub(crate) fn marginals(&self, tables: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let adjoint = self.adjoint(tables);
        let total: f64 = adjoint.mass.iter().sum();
        let mut out: Vec<Vec<f64>> = self
            .table_base
            .iter()
            .map(|&t| vec![0.0; tables.get(t as usize).map_or(0, Vec::len)])
            .collect();
        if total <= 0.0 {
            return out;
        }
        // The mass through (table, option) is the entry times its gradient, summed over
        // outcomes: the linearity the adjoint rests on.
        for (t, rows) in adjoint.gradient.iter().enumerate() {
            let Some(decision) = self.tables.get(t).map(|r| r.decision) else {
                continue;
            };
            for (option, row) in rows.iter().enumerate() {
                let p = tables
                    .get(t)
                    .and_then(|e| e.get(option))
                    .copied()
                    .unwrap_or(0.0);
                if let Some(slot) = out.get_mut(decision).and_then(|m| m.get_mut(option)) {
                    *slot += p * row.iter().sum::<f64>() / total;
                }
            }
        }
        out
    }
}

/// A node's payoffs, into `me`, from its consistent `edges` and its children's payoffs, as the
/// search computes them: nature's (`actor` `None`) weighted by `weight` (the option's
/// probability, times its consistent mass when `conditioned`) and scaled by the reciprocal of
/// the total weight, or averaged when every option weighs 0; an actor's those of the first
/// best option with the search's tie tolerance. Returns the position in `edges` of the option
/// the line follows (nature's likeliest), `u32::MAX` for none. The one copy of this arithmetic,
/// so that every pass that computes payoffs computes the search's, bit for bit.
fn payoff_at<'a>(
    actor: Option<usize>,
    edges: &[Edge],
    weight: impl Fn(&Edge) -> f64,
    conditioned: bool,
    child_payoff: impl Fn(Ref) -> &'a [f64],
    me: &mut [f64],
) -> u32 {
    match actor {
        None => {
            me.fill(0.0);
            let (mut total, mut flat) = (0.0, 0.0);
            let mut likeliest: Option<(usize, f64)> = None;
            for (k, edge) in edges.iter().enumerate() {
                let p = weight(edge);
                total += p;
                flat += 1.0;
                for (a, v) in me.iter_mut().zip(child_payoff(edge.child)) {
                    *a += p * v;
                }
                let tie =
                    conditioned && (p - likeliest.map_or(0.0, |(_, q)| q)).abs() <= 1e-12 * p.abs();
                if likeliest.is_none_or(|(_, q)| p > q && !tie) {
                    likeliest = Some((k, p));
                }
            }
            if total > 0.0 {
                let scale = 1.0 / total;
                me.iter_mut().for_each(|a| *a *= scale);
            } else if flat > 0.0 {
                // Every consistent option has probability 0: the search averages them
                // unweighted.
                me.fill(0.0);
                for edge in edges {
                    for (a, v) in me.iter_mut().zip(child_payoff(edge.child)) {
                        *a += v;
                    }
                }
                me.iter_mut().for_each(|a| *a /= flat);
            }
            likeliest.map_or(u32::MAX, |(k, _)| k as u32)
        }
        Some(actor) => {
            let mut best: Option<(usize, f64)> = None;
            for (k, edge) in edges.iter().enumerate() {
                let v = child_payoff(edge.child).get(actor).copied().unwrap_or(0.0);
                let tie = best.is_some_and(|(_, b)| (v - b).abs() <= TIE * b.abs().max(1.0));
                if !tie && best.is_none_or(|(_, b)| v > b) {
                    best = Some((k, v));
                }
            }
            match best.and_then(|(k, _)| Some((k, edges.get(k)?))) {
                Some((k, edge)) => {
                    me.copy_from_slice(child_payoff(edge.child));
                    k as u32
                }
                None => {
                    me.fill(0.0);
                    u32::MAX
                }
            }
        }
    }
}

/// The bits of the first `len` decisions of a chunk.
fn chunk_mask(len: usize) -> u64 {
    if len >= ABOVE_CHUNK {
        u64::MAX
    } else {
        (1u64 << len) - 1
    }
}

/// The nodes whose mask has bit `b`, ascending, for each bit `b` in `bits`; `counts[b]` is
/// how many there are. One scan of the masks for all of them.
fn above_lists(masks: &[u64], bits: std::ops::Range<usize>, counts: &[usize]) -> Vec<Vec<u32>> {
    let mut lists: Vec<Vec<u32>> = bits
        .clone()
        .map(|b| Vec::with_capacity(counts.get(b).copied().unwrap_or(0)))
        .collect();
    let wanted = chunk_mask(bits.end) & !chunk_mask(bits.start);
    for (n, &mask) in masks.iter().enumerate() {
        let mut rest = mask & wanted;
        while rest != 0 {
            let b = rest.trailing_zeros() as usize;
            if let Some(list) = lists.get_mut(b - bits.start) {
                list.push(n as u32);
            }
            rest &= rest - 1;
        }
    }
    lists
}

/// Adds each edge's probability times its child's outcome mass to `m`, option by option (the
/// search's order, so the sums are its bit for bit); `below` holds the masses of the nodes
/// before this one, `outcomes` numbers each.
fn add_masses(edges: &[Edge], p_of: impl Fn(u32) -> f64, below: &[f64], m: &mut [f64]) {
    let no = m.len();
    for edge in edges {
        let p = p_of(edge.option);
        match edge.child {
            Ref::Leaf(o) => {
                if let Some(x) = m.get_mut(o as usize) {
                    *x += p;
                }
            }
            Ref::Node(c) => {
                let at = c as usize * no;
                for (a, v) in m.iter_mut().zip(&below[at..at + no]) {
                    *a += p * v;
                }
            }
        }
    }
}

/// Records the graph while the search runs: one node per decision taken in a state the search
/// solves (a memoised state once), in the order the search finishes them.
#[derive(Debug)]
pub(crate) struct Recorder {
    choices: Vec<Choice>,
    edges: Vec<Edge>,
    /// The node of each memo entry, in entry order.
    memo: Vec<Option<Ref>>,
    table_base: Vec<u32>,
}

impl Recorder {
    pub(crate) fn new(program: &Program) -> Self {
        let mut table_base = Vec::with_capacity(program.decisions.len());
        let mut next = 0u32;
        for d in &program.decisions {
            table_base.push(next);
            next += 1 + d.conditional.len() as u32;
        }
        Self {
            choices: Vec::new(),
            edges: Vec::new(),
            memo: Vec::new(),
            table_base,
        }
    }

    /// Records a decision taken at `level` with its `conditional` table (`None`: the base
    /// table) and its consistent option edges; returns its reference.
    pub(crate) fn choice(
        &mut self,
        level: usize,
        conditional: Option<usize>,
        edges: &[Edge],
    ) -> Ref {
        let base = self.table_base.get(level).copied().unwrap_or(0);
        let id = self.choices.len() as u32;
        self.choices.push(Choice {
            level: level as u32,
            table: base + conditional.map_or(0, |k| k as u32 + 1),
            start: self.edges.len() as u32,
        });
        self.edges.extend_from_slice(edges);
        Ref::Node(id)
    }

    /// Remembers the node of the memo entry just stored.
    pub(crate) fn remember(&mut self, node: Option<Ref>) {
        self.memo.push(node);
    }

    /// Remembers the node of memo entry `entry`, stored before its node was recorded (a state
    /// first solved for a rule's twin, which records nothing).
    pub(crate) fn remember_at(&mut self, entry: usize, node: Option<Ref>) {
        if let Some(slot) = self.memo.get_mut(entry) {
            *slot = node;
        }
    }

    /// The node of memo entry `entry`.
    pub(crate) fn recall(&self, entry: usize) -> Option<Ref> {
        self.memo.get(entry).copied().flatten()
    }

    /// Makes room for the graphs of `others`, to be absorbed.
    pub(crate) fn reserve_for<'r>(&mut self, others: impl Iterator<Item = &'r Recorder>) {
        let (choices, edges) = others.fold((0, 0), |(c, e), other| {
            (c + other.choices.len(), e + other.edges.len())
        });
        self.choices.reserve(choices);
        self.edges.reserve(edges);
    }

    /// Appends a subtree's recording (its nodes keep their order, after this one's), and
    /// returns where its `root` now is.
    pub(crate) fn absorb(&mut self, other: Recorder, root: Option<Ref>) -> Option<Ref> {
        let (nodes, edges) = (self.choices.len() as u32, self.edges.len() as u32);
        let shift = |r: Ref| match r {
            Ref::Node(n) => Ref::Node(n + nodes),
            leaf => leaf,
        };
        self.choices
            .extend(other.choices.into_iter().map(|c| Choice {
                start: c.start + edges,
                ..c
            }));
        self.edges.extend(other.edges.into_iter().map(|e| Edge {
            child: shift(e.child),
            ..e
        }));
        root.map(shift)
    }

    /// The finished graph, rooted at `root`.
    pub(crate) fn finish(self, program: &Program, root: Ref, conditioned: bool) -> MergedGraph {
        let mut tables = Vec::new();
        for (d, decision) in program.decisions.iter().enumerate() {
            tables.push(TableRef {
                decision: d,
                conditional: None,
            });
            for k in 0..decision.conditional.len() {
                tables.push(TableRef {
                    decision: d,
                    conditional: Some(k),
                });
            }
        }
        MergedGraph {
            choices: self.choices,
            edges: self.edges,
            root,
            tables,
            table_base: self.table_base,
            actor: program.decisions.iter().map(|d| d.actor).collect(),
            outcomes: program.outcomes.len(),
            actors: program.actors.len(),
            payoffs: program.payoffs.clone(),
            conditioned,
            adjoint: AdjointCache::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::walk::{EvalLimits, Given, evaluate, evaluate_recorded};
    use casus_core::SourceFile;
    use casus_core::limits::Limits;

    fn files() -> Vec<std::path::PathBuf> {
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
        files
    }

    /// A checked, compiled scenario file.
    fn load(path: &std::path::Path) -> (casus_core::model::Scenario, Program) {
        let text = std::fs::read_to_string(path).unwrap();
        let checked = crate::check_source(
            &SourceFile::new(path.display().to_string(), text),
            &Limits::default(),
            &EvalLimits::default(),
        );
        (checked.scenario.unwrap(), checked.program.unwrap())
    }

    /// Random tables, some entries 0, not normalised: what ratios and draws do.
    fn scramble(program: &mut Program, rng: &mut fastrand::Rng) {
        for d in &mut program.decisions {
            let mut draw = || if rng.u8(..10) == 0 { 0.0 } else { rng.f64() };
            d.probabilities.iter_mut().for_each(|p| *p = draw());
            for (_, t) in &mut d.conditional {
                t.iter_mut().for_each(|p| *p = draw());
            }
        }
    }

    /// Calls `check` with every file's scenario and program, and each `given` of: nothing,
    /// then each option of the first decision; with the search's evaluation under it and the
    /// graph that evaluation recorded (skipping a given no path is consistent with).
    fn each_first_given(
        mut check: impl FnMut(
            &std::path::Path,
            &casus_core::model::Scenario,
            &Program,
            &Given,
            crate::search::result::Evaluation,
            MergedGraph,
        ),
    ) {
        for path in files() {
            let (scenario, program) = load(&path);
            let mut givens = vec![Given::none(program.decisions.len())];
            for option in 0..program.decisions[0].options.len() {
                let mut given = Given::none(program.decisions.len());
                given.decisions[0] = Some(option);
                givens.push(given);
            }
            for given in givens {
                let limits = EvalLimits::default();
                let Ok((evaluation, graph)) =
                    evaluate_recorded(&scenario, &program, &given, &limits, 1 << 20)
                else {
                    continue;
                };
                check(
                    &path,
                    &scenario,
                    &program,
                    &given,
                    evaluation,
                    graph.unwrap(),
                );
            }
        }
    }

    /// A scenario file's program and the graph of its evaluation with nothing given.
    fn recorded(path: &std::path::Path) -> (casus_core::model::Scenario, Program, MergedGraph) {
        let (scenario, program) = load(path);
        let none = Given::none(program.decisions.len());
        let (_, graph) =
            evaluate_recorded(&scenario, &program, &none, &EvalLimits::default(), 1 << 20).unwrap();
        (scenario, program, graph.unwrap())
    }

    /// Every bundled scenario and a few fixtures: the recorded graph's forecast and line of
    /// play are the search's, bit for bit, under the point estimates and under random
    /// likelihoods, with nothing given and with each option of the first decision given.
    #[test]
    fn the_graph_agrees_with_the_search() {
        let mut rng = fastrand::Rng::with_seed(5);
        each_first_given(|path, scenario, program, given, _, graph| {
            let limits = EvalLimits::default();
            let mut scratch = graph.scratch();
            let mut program = program.clone();
            for round in 0..20 {
                if round > 0 {
                    scramble(&mut program, &mut rng);
                }
                let solved = graph.solve(&graph.tables_of(&program), &mut scratch);
                let Ok(evaluation) = evaluate(scenario, &program, given, &limits) else {
                    continue;
                };
                let expected: Vec<f64> =
                    evaluation.outcomes.iter().map(|o| o.probability).collect();
                let line: Vec<(usize, usize)> = evaluation
                    .strategy
                    .line
                    .iter()
                    .map(|s| (s.decision, s.option))
                    .collect();
                let what = format!("{} {given:?} round {round}", path.display());
                assert_eq!(solved.probabilities, expected, "{what}");
                assert_eq!(solved.line, line, "{what}");
            }
        });
    }

    /// The adjoint's forecast for any replacement of one table equals solving the graph with
    /// that table, within rounding, on every bundled scenario.
    #[test]
    fn the_adjoint_is_the_forecast_of_every_one_table_change() {
        let mut rng = fastrand::Rng::with_seed(9);
        for path in files() {
            let (_, program, graph) = recorded(&path);
            let tables = graph.tables_of(&program);
            let adjoint = graph.adjoint(&tables);
            let mut scratch = graph.scratch();
            for (t, table) in tables.iter().enumerate() {
                for _ in 0..4 {
                    let entries: Vec<f64> = table.iter().map(|_| rng.f64()).collect();
                    let mut changed = tables.clone();
                    changed[t] = entries.clone();
                    let expected = graph.solve(&changed, &mut scratch).probabilities;
                    let got = adjoint.forecast_with(&tables, &[(t, entries)]);
                    for (g, e) in got.iter().zip(&expected) {
                        assert!(
                            (g - e).abs() < 1e-12,
                            "{} table {t}: {got:?} {expected:?}",
                            path.display()
                        );
                    }
                }
            }
        }
    }

    /// The adjoint asked again at the same tables is the one computed before (no pass), and
    /// at other tables is computed anew: each answer equals computing it afresh, bit for bit,
    /// as the tables alternate; a clone of the graph keeps the entry.
    #[test]
    fn the_adjoint_is_computed_once_per_tables() {
        let mut rng = fastrand::Rng::with_seed(13);
        let bits = |a: &Adjoint| {
            let mut out: Vec<u64> = a.mass.iter().map(|m| m.to_bits()).collect();
            for rows in &a.gradient {
                for row in rows {
                    out.extend(row.iter().map(|g| g.to_bits()));
                }
            }
            out
        };
        for path in files() {
            let (_, mut program, graph) = recorded(&path);
            let first = graph.tables_of(&program);
            scramble(&mut program, &mut rng);
            let second = graph.tables_of(&program);
            let a = graph.adjoint(&first);
            assert!(
                Arc::ptr_eq(&a, &graph.adjoint(&first)),
                "{}",
                path.display()
            );
            let clone = graph.clone();
            assert!(
                Arc::ptr_eq(&a, &clone.adjoint(&first)),
                "{}",
                path.display()
            );
            let b = graph.adjoint(&second);
            let again = graph.adjoint(&first);
            for (tables, got) in [(&first, &a), (&second, &b), (&first, &again)] {
                assert_eq!(
                    bits(got),
                    bits(&graph.compute_adjoint(tables)),
                    "{}",
                    path.display()
                );
            }
            if !same_bits(&first, &second) {
                assert!(!Arc::ptr_eq(&a, &b), "{}", path.display());
                assert!(!Arc::ptr_eq(&a, &again), "{}", path.display());
            }
        }
    }

    /// Tables are the same key only when every entry has the same bits.
    #[test]
    fn tables_are_keyed_by_their_bits() {
        let t = |x: f64| vec![vec![0.5, x]];
        assert!(same_bits(&t(0.5), &t(0.5)));
        assert!(same_bits(&t(f64::NAN), &t(f64::NAN)));
        assert!(!same_bits(&t(0.0), &t(-0.0)));
        assert!(!same_bits(&t(0.5), &t(0.5 + f64::EPSILON)));
        assert!(!same_bits(&t(0.5), &[vec![0.5, 0.5], vec![]]));
        assert!(!same_bits(&t(0.5), &[vec![0.5]]));
    }

    /// The graph recorded with nothing given, solved with one decision given, is the search
    /// with that decision given, bit for bit: forecast, line, payoffs and mass. Every decision
    /// without a guard, every option.
    #[test]
    fn solving_with_a_decision_given_is_the_search_with_it_given() {
        for path in files() {
            let (scenario, program, graph) = recorded(&path);
            let none = Given::none(program.decisions.len());
            let limits = EvalLimits::default();
            let tables = graph.tables_of(&program);
            let mut scratch = graph.scratch();
            for decision in program.decisions.iter().filter(|d| d.guard.is_none()) {
                for option in 0..decision.options.len() {
                    let mut given = none.clone();
                    given.decisions[decision.index] = Some(option);
                    let solved =
                        graph.solve_given(&tables, &mut scratch, Some((decision.index, option)));
                    let what = format!("{} {given:?}", path.display());
                    match evaluate(&scenario, &program, &given, &limits) {
                        Ok(e) => {
                            let forecast: Vec<f64> =
                                e.outcomes.iter().map(|o| o.probability).collect();
                            let line: Vec<(usize, usize)> = e
                                .strategy
                                .line
                                .iter()
                                .map(|s| (s.decision, s.option))
                                .collect();
                            assert_eq!(solved.probabilities, forecast, "{what}");
                            assert_eq!(solved.line, line, "{what}");
                            assert_eq!(solved.payoffs, e.strategy.payoffs, "{what}");
                            assert_eq!(solved.mass, e.mass, "{what}");
                        }
                        Err(_) => assert_eq!(solved.mass, 0.0, "{what}"),
                    }
                }
            }
        }
    }

    /// Which nodes have a node of decision `level` at or below them, one full pass per
    /// decision: the naive reference for [`MergedGraph::each_above`].
    fn above(graph: &MergedGraph, level: usize) -> Vec<bool> {
        let mut above = vec![false; graph.choices.len()];
        for (n, choice) in graph.choices.iter().enumerate() {
            let edges = graph.edges_of(n);
            above[n] = choice.level as usize == level
                || edges.is_empty()
                || edges.iter().any(|e| match e.child {
                    Ref::Leaf(_) => false,
                    Ref::Node(c) => above[c as usize],
                });
        }
        above
    }

    /// The nodes `above` marks, ascending.
    fn listed(above: &[bool]) -> Vec<u32> {
        (0..above.len() as u32)
            .filter(|&n| above[n as usize])
            .collect()
    }

    /// [`MergedGraph::each_above`] lists, for every decision, exactly the nodes the naive
    /// reference marks, in ascending order, on every bundled scenario and fixture: with each
    /// decision once, and with the decisions repeated past a chunk of 64 so that several
    /// chunks and several scans per chunk (the memory cap) are exercised.
    #[test]
    fn the_lists_above_each_decision_are_the_naive_marks() {
        let mut scans_split = false;
        for path in files() {
            let (_, program, graph) = recorded(&path);
            let once: Vec<usize> = (0..program.decisions.len()).collect();
            let repeated: Vec<usize> = once.iter().copied().cycle().take(150).collect();
            for levels in [once, repeated] {
                let mut seen = Vec::new();
                graph
                    .each_above(&levels, |i, list| {
                        let expected = listed(&above(&graph, levels[i]));
                        assert_eq!(
                            list,
                            expected.as_slice(),
                            "{} level {}",
                            path.display(),
                            levels[i]
                        );
                        seen.push(i);
                        Ok::<(), ()>(())
                    })
                    .unwrap();
                assert_eq!(
                    seen,
                    (0..levels.len()).collect::<Vec<_>>(),
                    "{}",
                    path.display()
                );
                let total: usize = levels
                    .iter()
                    .map(|&l| above(&graph, l).iter().filter(|a| **a).count())
                    .sum();
                scans_split |= total > ABOVE_LISTED * graph.nodes();
            }
        }
        assert!(scans_split, "no chunk needed more than one scan");
    }

    /// An error from the visitor stops the walk there.
    #[test]
    fn each_above_stops_at_the_first_error() {
        let (_, program, graph) = recorded(&files()[0]);
        let levels: Vec<usize> = (0..program.decisions.len()).cycle().take(100).collect();
        let mut visited = 0;
        let result = graph.each_above(&levels, |i, _| {
            visited += 1;
            if i == 70 { Err(i) } else { Ok(()) }
        });
        assert_eq!(result, Err(70));
        assert_eq!(visited, 71);
    }

    /// Solving only the nodes with the given decision at or below them, from the conditioned
    /// base, is solving the whole graph, bit for bit, decision after decision on one scratch
    /// (the nodes solved saved before and restored after each decision); and the base is
    /// whole again after each.
    #[test]
    fn solving_above_a_given_decision_is_solving_the_whole_graph() {
        let mut partial_nodes = 0;
        for path in files() {
            let (_, program, graph) = recorded(&path);
            let tables = graph.tables_of(&program);
            let base = graph.conditioned_base(&tables);
            let mut scratch = base.clone();
            let mut whole = graph.scratch();
            let mut saved = Saved::default();
            let levels: Vec<usize> = program
                .decisions
                .iter()
                .filter(|d| d.guard.is_none())
                .map(|d| d.index)
                .collect();
            graph
                .each_above(&levels, |i, above| {
                    let decision = &program.decisions[levels[i]];
                    partial_nodes += graph.nodes() - above.len();
                    graph.save(&scratch, above, &mut saved);
                    for option in 0..decision.options.len() {
                        let given = (decision.index, option);
                        let from = graph.solve_given_from(&tables, &mut scratch, given, above);
                        let all = graph.solve_given(&tables, &mut whole, Some(given));
                        assert_eq!(from, all, "{} {given:?}", path.display());
                    }
                    graph.restore(&mut scratch, &saved, above);
                    assert_eq!(scratch.mass, base.mass, "{}", path.display());
                    assert_eq!(scratch.payoff, base.payoff, "{}", path.display());
                    assert_eq!(scratch.chosen, base.chosen, "{}", path.display());
                    assert_eq!(scratch.live, base.live, "{}", path.display());
                    Ok::<(), ()>(())
                })
                .unwrap();
        }
        // Some solves skipped some nodes, so the skipping was tested.
        assert!(partial_nodes > 0);
    }

    /// The payoffs-only pass gives the solve's payoffs bit for bit, under the point estimates
    /// and under random tables (some entries 0, so nature's unweighted average is taken too).
    #[test]
    fn the_strategy_payoffs_are_the_solves() {
        let mut rng = fastrand::Rng::with_seed(21);
        for path in files() {
            let (_, mut program, graph) = recorded(&path);
            let mut scratch = graph.scratch();
            for round in 0..20 {
                if round > 0 {
                    scramble(&mut program, &mut rng);
                }
                let tables = graph.tables_of(&program);
                let solved = graph.solve(&tables, &mut scratch);
                assert_eq!(
                    graph.strategy_payoffs(&tables),
                    solved.payoffs,
                    "{} round {round}",
                    path.display()
                );
            }
        }
    }

    /// The root's payoffs in a solved scratch are the solve's, which are the search's
    /// strategy payoffs; and on a conditioned graph (recorded with a decision given) the
    /// conditioned base is the solve, bit for bit, which is why value of information takes
    /// the one for the other there.
    #[test]
    fn the_root_payoffs_are_the_solves() {
        let mut conditioned = 0;
        each_first_given(|path, _, program, given, e, graph| {
            let what = format!("{} {given:?}", path.display());
            let tables = graph.tables_of(program);
            let mut scratch = graph.scratch();
            let solved = graph.solve(&tables, &mut scratch);
            assert_eq!(graph.payoffs_at_root(&scratch), solved.payoffs, "{what}");
            assert_eq!(solved.payoffs, e.strategy.payoffs, "{what}");
            assert_eq!(graph.strategy_payoffs(&tables), solved.payoffs, "{what}");
            assert_eq!(
                graph.is_conditioned(),
                given.decisions[0].is_some(),
                "{what}"
            );
            if graph.is_conditioned() {
                let base = graph.conditioned_base(&tables);
                assert_eq!(graph.payoffs_at_root(&base), solved.payoffs, "{what}");
                assert_eq!(base.payoff, scratch.payoff, "{what}");
                assert_eq!(base.mass, scratch.mass, "{what}");
                conditioned += 1;
            }
        });
        assert!(conditioned > 0);
    }

    /// A graph over its budget is not kept, and the evaluation is the same either way.
    #[test]
    fn a_graph_over_its_budget_is_dropped() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let path = root.join("scenarios/ukraine-peace-framework.toml");
        let (scenario, program) = load(&path);
        let given = Given::none(program.decisions.len());
        let limits = EvalLimits::default();
        let (full, graph) =
            evaluate_recorded(&scenario, &program, &given, &limits, 1 << 20).unwrap();
        let nodes = graph.unwrap().nodes();
        assert!(nodes > 2);
        let (small, none) =
            evaluate_recorded(&scenario, &program, &given, &limits, nodes - 1).unwrap();
        assert!(none.is_none());
        let (exact, kept) = evaluate_recorded(&scenario, &program, &given, &limits, nodes).unwrap();
        assert_eq!(kept.unwrap().nodes(), nodes);
        assert_eq!(full, small);
        assert_eq!(full, exact);
    }
}
