//! What a decision node gathers from its options' children, apart from the node itself, so
//! that a state and the twins solved beside it (see [`super::beside`]) combine their children
//! by one code path, bit for bit.

use super::{Child, Frame, LineStep, SKIPPED, TIE, TRACKED, add_scaled, same_weight, scale};

/// A node's running sums over its options, and what it chose.
#[derive(Clone, Debug, Default)]
pub(super) struct Gather {
    /// Total weight of the consistent options at a chance node.
    weight: f64,
    /// How many consistent options a chance node has (for the flat average).
    flat: f64,
    /// The actor's best option so far and its value.
    pub(super) best: Option<(usize, f64)>,
    /// The options tied at the best value, as bits.
    pub(super) optimal: u64,
    /// The options' values (a chance node's weights, an actor's payoffs), for the line.
    values: [f64; TRACKED],
    /// The likeliest option so far and its weight.
    pub(super) likeliest: Option<(usize, f64)>,
    /// Every option tied at the highest probability, as bits.
    pub(super) likely_mask: u64,
    /// Per option tried: its value (`NaN` for one without a consistent path).
    pub(super) all_values: Vec<f64>,
    /// The options tied at the best value.
    pub(super) optimal_list: Vec<usize>,
}

impl Gather {
    /// A node's gathering, its lists' room taken from `all_values` and `optimal_list`.
    #[inline(always)]
    pub(super) fn new(all_values: Vec<f64>, optimal_list: Vec<usize>) -> Self {
        Self {
            weight: 0.0,
            flat: 0.0,
            best: None,
            optimal: 0,
            values: [f64::NAN; TRACKED],
            likeliest: None,
            likely_mask: 0,
            all_values,
            optimal_list,
        }
    }

    /// The lists' room, for the next node.
    #[inline(always)]
    pub(super) fn into_lists(self) -> (Vec<f64>, Vec<usize>) {
        (self.all_values, self.optimal_list)
    }

    /// Ready for a node's options, keeping the lists' room.
    #[inline(always)]
    pub(super) fn reset(&mut self, me: &mut Frame) {
        self.weight = 0.0;
        self.flat = 0.0;
        self.best = None;
        self.optimal = 0;
        self.values = [f64::NAN; TRACKED];
        self.likeliest = None;
        self.likely_mask = 0;
        self.all_values.clear();
        self.optimal_list.clear();
        me.line_id = super::NO_LINE;
        me.tail_id = super::NO_LINE;
        me.mass.fill(0.0);
        me.payoff.fill(0.0);
        me.dist.fill(0.0);
        me.flat_payoff.fill(0.0);
        me.flat_dist.fill(0.0);
        me.paths = 0;
    }

    /// Adds option `i`, of probability `p`, whose subtree is `child`, into `me` (whose line
    /// has room for the child's line and one step). `actor`: who chooses (`None`: nature);
    /// `conditioned`: whether the search conditions on evidence. Returns whether the child
    /// has a consistent path.
    #[inline(always)]
    pub(super) fn add(
        &mut self,
        me: &mut Frame,
        child: Child<'_>,
        i: usize,
        p: f64,
        actor: Option<usize>,
        conditioned: bool,
    ) -> bool {
        child.add_mass(&mut me.mass, p);
        let child_paths = child.paths();
        me.paths = me.paths.saturating_add(child_paths);
        if child_paths == 0 {
            self.all_values.push(f64::NAN);
            return false;
        }
        match actor {
            None => {
                // Under evidence, the option's weight is its posterior (unnormalised): its
                // probability times the consistent mass below it.
                let w = if conditioned {
                    p * child.total_mass()
                } else {
                    p
                };
                self.weight += w;
                self.flat += 1.0;
                add_scaled(&mut me.payoff, child.payoff(), w);
                child.add_dist(&mut me.dist, w);
                // The flat sums are used only when every consistent option has weight 0, so
                // only such options need adding.
                if w == 0.0 {
                    add_scaled(&mut me.flat_payoff, child.payoff(), 1.0);
                    child.add_dist(&mut me.flat_dist, 1.0);
                }
                if let Some(slot) = self.values.get_mut(i) {
                    *slot = w;
                }
                if self
                    .likeliest
                    .is_none_or(|(_, q)| w > q && !(conditioned && same_weight(w, q)))
                {
                    self.likeliest = Some((i, w));
                    me.line[1..].copy_from_slice(child.line());
                    me.tail_id = child.line_id();
                }
                self.all_values.push(p);
            }
            Some(a) => {
                let v = child.payoff().get(a).copied().unwrap_or(0.0);
                self.all_values.push(v);
                if let Some(slot) = self.values.get_mut(i) {
                    *slot = v;
                }
                if self.likeliest.is_none_or(|(_, q)| p > q) {
                    self.likeliest = Some((i, p));
                    self.likely_mask = 0;
                }
                if self.likeliest.is_some_and(|(_, q)| p == q) && i < 64 {
                    self.likely_mask |= 1 << i;
                }
                let tie = self
                    .best
                    .is_some_and(|(_, b)| (v - b).abs() <= TIE * b.abs().max(1.0));
                if tie {
                    self.optimal_list.push(i);
                    if i < 64 {
                        self.optimal |= 1 << i;
                    }
                } else if self.best.is_none_or(|(_, b)| v > b) {
                    self.best = Some((i, v));
                    self.optimal_list.clear();
                    self.optimal_list.push(i);
                    self.optimal = if i < 64 { 1 << i } else { 0 };
                    me.payoff.copy_from_slice(child.payoff());
                    child.copy_dist(&mut me.dist);
                    me.line[1..].copy_from_slice(child.line());
                    me.tail_id = child.line_id();
                }
            }
        }
        true
    }

    /// Ends the node in `me`: a chance node's averages normalised, and the line's first step.
    #[inline(always)]
    pub(super) fn finish(
        &mut self,
        me: &mut Frame,
        actor: Option<usize>,
        conditioned: bool,
        n_options: usize,
    ) {
        if actor.is_none() && me.paths > 0 {
            if self.weight > 0.0 {
                scale(&mut me.payoff, 1.0 / self.weight);
                scale(&mut me.dist, 1.0 / self.weight);
                if conditioned {
                    // The line of play shows nature's probabilities at this point, which under
                    // evidence are the posteriors: the weights, normalised; an option with no
                    // consistent path has posterior 0.
                    let weight = self.weight;
                    for v in self.values.iter_mut().take(n_options) {
                        *v = if v.is_finite() { *v / weight } else { 0.0 };
                    }
                }
            } else if self.flat > 0.0 {
                let flat = self.flat;
                me.payoff
                    .iter_mut()
                    .zip(&me.flat_payoff)
                    .for_each(|(a, b)| *a = b / flat);
                me.dist
                    .iter_mut()
                    .zip(&me.flat_dist)
                    .for_each(|(a, b)| *a = b / flat);
            }
        }
        let chosen = match actor {
            None => self.likeliest.map(|(i, _)| i),
            Some(_) => self.best.map(|(i, _)| i),
        };
        me.line[0] = LineStep {
            option: chosen.map_or(SKIPPED, |i| u16::try_from(i).unwrap_or(SKIPPED)),
            optimal: self.optimal,
            values: self.values,
        };
    }
}
