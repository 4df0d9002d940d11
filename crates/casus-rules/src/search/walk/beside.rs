//! Twins solved beside the search's own states (see [`crate::search::drops`]).
//!
//! A rule that only adds, to sums that no rule, guard or likelihood reads, changes nothing
//! the search evaluates on the way down: only the memo key and the outcomes see it. So the
//! twin of a state without such a rule has, for each option, the state's child with the
//! rule's amounts taken out as its child, and the twin's node is the state's node with each
//! child so changed. A twin is therefore solved *beside* a state of the search: its node takes
//! the options the state's node takes, and each child the memo does not hold yet is in turn
//! solved beside the state's child. The rules each option wakes run once for the state and
//! every twin riding along, not once more per twin; on files whose rules read decisions
//! alone, running them again for the twins was most of the cost of finding every drop.
//!
//! Where the state is one the memo already holds, its node is run again for the twins alone
//! (a *host*), its own result thrown away: one run for all of them instead of one each.
//! The children are combined by the node's own code ([`Gather`]), in the same order, so a
//! twin's entry is, bit for bit, the one solving it alone would store.

use super::{Child, Frame, Gather, NO_STEP, Search};

#[cfg(test)]
thread_local! {
    /// Twins stored after being solved beside a state, on this thread: tests check that
    /// their files take this path at all.
    pub(super) static STORED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A twin of the state being solved at some level, solved beside it.
#[derive(Debug)]
pub(super) struct Beside {
    /// The twin's memo key.
    key: Box<[u64]>,
    /// The rule it lacks.
    rule: usize,
    /// What its node gathers from its children.
    frame: Frame,
    gather: Gather,
    /// Error paths found below it.
    errors: u64,
    /// Whether its child for the option being taken is solved beside the state's child, and
    /// read from the memo once that is solved.
    waiting: bool,
    /// Whether it is left to be solved on its own (a child without the rule was a conflict).
    failed: bool,
}

/// Where a class of amounts lands in [`Search::known`]: the state itself.
pub(super) const OWN: u32 = u32::MAX;
/// Where a class of amounts lands in [`Search::known`]: not known yet.
pub(super) const UNKNOWN: u32 = u32::MAX - 1;
/// A class in [`Search::known`] that is no twin riding along.
const NO_ITEM: u32 = u32::MAX;

impl Search<'_> {
    /// Adds to `self.beside[level]` the twins of the state at `level` that the search has not
    /// met: one per rule cut here that fired and can be dropped beside.
    pub(super) fn twins_beside(&mut self, level: usize) {
        self.known[level].clear();
        let (Some(plan), Some(drops)) = (self.drop_plan, &self.drops) else {
            return;
        };
        if drops.broken {
            return;
        }
        let analysis = self.analysis;
        // The state's own key, made once some rule is to be dropped.
        let mut own = std::mem::take(&mut self.own_keys[level]);
        let mut made = false;
        // Rules that add the same amounts have one twin; where each lands is kept for the
        // state's arrival.
        let mut known = std::mem::take(&mut self.known[level]);
        for &r in &plan.cut[level] {
            let class = plan.adds_class[r];
            if !plan.beside[r] || !self.state.fired[r] || known.iter().any(|k| k.0 == class) {
                continue;
            }
            if !made {
                self.make_key(level);
                own.clone_from(&self.key);
                made = true;
            }
            self.make_key_less(level, &analysis.demand.adds[r]);
            // Where the class lands, or the twin riding along that it is, known once stored.
            let (lands, item) = if self.key == own {
                (OWN, NO_ITEM)
            } else if let Some(&entry) = self.memo.index[level].get(self.key.as_slice()) {
                (entry, NO_ITEM)
            } else {
                let item = self.add_beside(level, r);
                (UNKNOWN, u32::try_from(item).unwrap_or(NO_ITEM))
            };
            known.push((class, lands, item));
        }
        self.known[level] = known;
        self.own_keys[level] = own;
    }

    /// The twin whose key is in `self.key` (which the memo does not hold), lacking rule `r`,
    /// among the twins solved beside the state at `level`: added unless it is there already.
    /// Returns its place in the list.
    fn add_beside(&mut self, level: usize, r: usize) -> usize {
        if let Some(item) = self.beside[level].iter().position(|b| *b.key == *self.key) {
            return item;
        }
        let (mut frame, mut gather) = self.spare.pop().unwrap_or_else(|| {
            (
                Frame::new(self.program.outcomes.len(), self.program.actors.len()),
                Gather::default(),
            )
        });
        gather.reset(&mut frame);
        frame
            .line
            .resize(self.program.decisions.len() - level, NO_STEP);
        self.beside[level].push(Beside {
            key: self.key.clone().into_boxed_slice(),
            rule: r,
            frame,
            gather,
            errors: 0,
            waiting: false,
            failed: false,
        });
        self.beside[level].len() - 1
    }

    /// Solves again, as a host, the state at `level` that the memo holds, for the twins
    /// waiting to be solved beside it, when there are two or more; its own result is thrown
    /// away. A lone twin costs as much solved on its own, and is left to be. Returns whether
    /// the node ran.
    pub(super) fn host(&mut self, level: usize) -> bool {
        if self.beside[level].len() < 2 {
            self.recycle(level);
            return false;
        }
        // A node run again, like a twin's: counted so the deadline is looked at as often.
        self.twin_nodes += 1;
        self.work += (self.program.decisions.len() - level) as u64;
        if self.twin_nodes.is_multiple_of(4096) || self.work >= super::WORK_PER_CHECK {
            self.poll();
        }
        // The node run again stands for no path: its errors, like its twins', are not the
        // evaluation's.
        let errors = self.error_paths;
        self.twin_depth += 1;
        self.node(level);
        self.twin_depth -= 1;
        self.error_paths = errors;
        // A node whose decision is skipped takes no options, and so solves no twin: they
        // are solved on their own.
        self.recycle(level);
        true
    }

    /// Solves the twins of the state at `level` that the search has already solved beside
    /// the state's node run again (see [`Search::host`]). A state reached again by another
    /// prefix may differ from the first in which closed rules fired, and so have twins of its
    /// own. Returns whether the node ran.
    pub(super) fn host_twins(&mut self, level: usize) -> bool {
        self.twins_beside(level);
        self.host(level)
    }

    /// Option `i` (probability `p`, `actor` choosing) was just taken at `level`, with
    /// `conflicts` error paths found in taking it. For each twin riding along: its child is
    /// the state's child without the twin's rule; read from the memo, solved on its own where
    /// states do not merge, or else left to be solved beside the state's child, which the
    /// caller solves next ([`Search::gather_waiting`] then reads it).
    pub(super) fn solve_beside(
        &mut self,
        level: usize,
        i: usize,
        p: f64,
        actor: Option<usize>,
        conflicts: u64,
    ) {
        let analysis = self.analysis;
        let child = level + 1;
        let merges = child < self.program.decisions.len() && analysis.can_merge(child);
        let mut own = std::mem::take(&mut self.own_keys[child]);
        if merges {
            self.make_key(child);
            own.clone_from(&self.key);
        }
        let mut list = std::mem::take(&mut self.beside[level]);
        for beside in list.iter_mut().filter(|b| !b.failed) {
            beside.waiting = false;
            beside.errors += conflicts;
            if merges {
                self.make_key_less(child, &analysis.demand.adds[beside.rule]);
                if let Some(&entry) = self.memo.index[child].get(self.key.as_slice()) {
                    self.twin_child_entry(level, beside, entry, i, p, actor);
                } else {
                    // The state's own child (the drop changed nothing its key holds), or one
                    // the memo does not hold yet: read once the state's child is solved.
                    if self.key != own {
                        self.add_beside(child, beside.rule);
                    }
                    beside.waiting = true;
                }
            } else {
                self.twin_child_solved(level, beside, i, p, actor);
            }
            if self.stopped.is_some() {
                break;
            }
        }
        self.beside[level] = list;
        self.own_keys[child] = own;
        // The twins' children left to solve beside the state's child ride along with it.
        self.riding = merges && !self.beside[child].is_empty();
    }

    /// After the state's child for option `i` is solved: the children of the twins that
    /// waited for it, read from the memo (or solved on their own if it could not keep them).
    pub(super) fn gather_waiting(&mut self, level: usize, i: usize, p: f64, actor: Option<usize>) {
        let analysis = self.analysis;
        let child = level + 1;
        // Twins left unsolved below (the search stopped, or went no further).
        self.recycle(child);
        self.riding = false;
        let mut list = std::mem::take(&mut self.beside[level]);
        for beside in list.iter_mut().filter(|b| b.waiting && !b.failed) {
            beside.waiting = false;
            if self.stopped.is_some() {
                break;
            }
            self.make_key_less(child, &analysis.demand.adds[beside.rule]);
            match self.memo.index[child].get(self.key.as_slice()) {
                Some(&entry) => self.twin_child_entry(level, beside, entry, i, p, actor),
                None => self.twin_child_solved(level, beside, i, p, actor),
            }
        }
        self.beside[level] = list;
    }

    /// Adds the twin's child for option `i`, memo entry `entry` at `level + 1`, to the twin's
    /// node: what solving it would do on finding it in the memo.
    fn twin_child_entry(
        &mut self,
        level: usize,
        beside: &mut Beside,
        entry: u32,
        i: usize,
        p: f64,
        actor: Option<usize>,
    ) {
        let child = level + 1;
        self.work += self.key.len() as u64;
        if self.work >= super::WORK_PER_CHECK {
            self.poll();
        }
        self.load(child, entry);
        if self.drops.as_ref().is_some_and(|d| d.has_error(entry)) {
            beside.errors += 1;
        }
        let below = Child::new(&self.frames[child..], None, &self.program.payoffs);
        beside
            .gather
            .add(&mut beside.frame, below, i, p, actor, self.conditioned);
    }

    /// Solves the twin's child for option `i` on its own, as the state's child without the
    /// twin's rule, and adds it to the twin's node.
    fn twin_child_solved(
        &mut self,
        level: usize,
        beside: &mut Beside,
        i: usize,
        p: f64,
        actor: Option<usize>,
    ) {
        let Some(plan) = self.drop_plan else {
            return;
        };
        let (program, analysis) = (self.program, self.analysis);
        let child = level + 1;
        let mark = self.state.trail.len();
        let before = self.state.conflicts.len();
        self.state.hypothetical = true;
        self.state
            .drop_rule(program, analysis, beside.rule, child, true);
        self.state
            .rerun_cone(program, analysis, plan, beside.rule, child, true);
        self.state.sweep(program, analysis, child);
        if self.state.conflicts.len() > before {
            // Not a rule that can be dropped beside after all: left to be solved on its own.
            self.state.conflicts.truncate(before);
            beside.failed = true;
        } else {
            // The twin's errors are its own, not those of the states enclosing it.
            let errors = self.error_paths;
            self.twin_depth += 1;
            self.solve(child);
            self.twin_depth -= 1;
            beside.errors += self.error_paths - errors;
            self.error_paths = errors;
            if self.stopped.is_none() {
                let below = Child::new(
                    &self.frames[child..],
                    self.leaf_outcome,
                    &self.program.payoffs,
                );
                beside
                    .gather
                    .add(&mut beside.frame, below, i, p, actor, self.conditioned);
            }
        }
        self.state.undo(mark);
        self.state.hypothetical = false;
    }

    /// Ends and stores the twins solved beside the state at `level` (none if the search
    /// stopped), as [`Search::twin`] would.
    pub(super) fn store_beside(&mut self, level: usize, actor: Option<usize>, n_options: usize) {
        let mut list = std::mem::take(&mut self.beside[level]);
        for (item, mut beside) in list.drain(..).enumerate() {
            if !beside.failed && self.stopped.is_none() {
                beside
                    .gather
                    .finish(&mut beside.frame, actor, self.conditioned, n_options);
                std::mem::swap(&mut self.frames[level], &mut beside.frame);
                self.last = None;
                self.twin_depth += 1;
                let entry = self.store(level, beside.key);
                self.twin_depth -= 1;
                #[cfg(test)]
                STORED.with(|stored| stored.set(stored.get() + 1));
                std::mem::swap(&mut self.frames[level], &mut beside.frame);
                if let Some(drops) = &mut self.drops {
                    drops.open(0);
                    drops.close(entry, beside.errors, false);
                }
                if let Some(entry) = entry {
                    let item = u32::try_from(item).unwrap_or(NO_ITEM);
                    for known in self.known[level].iter_mut().filter(|k| k.2 == item) {
                        known.1 = entry;
                    }
                }
            }
            self.spare.push((beside.frame, beside.gather));
        }
        self.beside[level] = list;
    }

    /// Forgets the twins waiting at `level`, keeping their frames.
    pub(super) fn recycle(&mut self, level: usize) {
        let mut list = std::mem::take(&mut self.beside[level]);
        self.spare
            .extend(list.drain(..).map(|b| (b.frame, b.gather)));
        self.beside[level] = list;
    }
}
