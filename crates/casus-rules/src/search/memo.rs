//! The search's static analysis of a program ([`Facts`]), kept for the programs of one compile.
//!
//! Analyses evaluate many programs that differ from the one compiled only in numbers (a table
//! varied, an input fact given) or in a rule dropped, and a sweep evaluates the same few again
//! at every point. What the search must know before it starts depends only on a program's
//! *shape* — its rules' conditions and effects, the guards and conditions of decisions and
//! outcomes, the derived facts and the dependency graph — never on its likelihoods or input
//! values. A [`Memo`] is shared by a compiled program and every clone of it; it keeps the
//! analysis of each shape it has seen, so a shape is analysed once.
//!
//! INVARIANT: a [`Code`] is never changed once compiled, so two codes that share their
//! instructions are the same code ([`Code::same`]); the shape keeps the codes it compares
//! with, so their allocations cannot be reused by other codes while it lives.

use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use crate::compile::bytecode::Code;
use crate::compile::deps::RuleGraph;
use crate::compile::program::{CDerived, Program};
use crate::compile::value::Val;
use crate::search::demand::Facts;

/// At most this many shapes are kept per compile; past it the memo starts again. A run
/// needs the program as compiled and one shape per rule the ranking drops.
const KEPT: usize = 256;

/// The analyses of the shapes of one compile's programs; clones share it.
#[derive(Clone, Default)]
pub(crate) struct Memo(Arc<Mutex<Kept>>);

/// The shapes seen and their analyses, by [`hash_shape`].
type Kept = HashMap<u64, Vec<(Shape, Arc<Facts>)>>;

/// Holds nothing a reader needs, and its contents depend on what was evaluated before.
impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

impl Memo {
    /// The analysis of `program`'s shape: the one kept, or `analyse(program)`, then kept.
    pub(crate) fn get_or_analyse(
        &self,
        program: &Program,
        analyse: impl FnOnce(&Program) -> Facts,
    ) -> Arc<Facts> {
        let Ok(facts) = self.get_or_try(program, |p| Ok::<_, Infallible>(analyse(p)));
        facts
    }

    /// [`Memo::get_or_analyse`] with an analysis that may give up (at a deadline): nothing is
    /// kept then.
    pub(crate) fn get_or_try<E>(
        &self,
        program: &Program,
        analyse: impl FnOnce(&Program) -> Result<Facts, E>,
    ) -> Result<Arc<Facts>, E> {
        let hash = hash_shape(program);
        let found = self.0.lock().ok().and_then(|map| {
            map.get(&hash)?
                .iter()
                .find(|(shape, _)| shape.matches(program))
                .map(|(_, facts)| Arc::clone(facts))
        });
        if let Some(facts) = found {
            return Ok(facts);
        }
        // Analysed outside the lock: threads evaluating different programs do not wait for
        // each other, and two that analyse the same shape at once get equal analyses.
        let facts = Arc::new(analyse(program)?);
        if let Ok(mut map) = self.0.lock() {
            if map.values().map(Vec::len).sum::<usize>() >= KEPT {
                map.clear();
            }
            map.entry(hash)
                .or_default()
                .push((Shape::of(program), Arc::clone(&facts)));
        }
        Ok(facts)
    }
}

/// Everything of a program that [`Facts::new`] reads.
struct Shape {
    graph: Arc<RuleGraph>,
    slots: usize,
    derived: Vec<CDerived>,
    rules: Vec<RuleShape>,
    decisions: Vec<(Option<Code>, Vec<Code>)>,
    outcomes: Vec<(usize, Option<Code>)>,
}

/// A rule's part of a [`Shape`].
struct RuleShape {
    index: usize,
    when: Code,
    sets: Vec<(usize, Val)>,
    adds: Vec<(usize, f64)>,
    priority: i64,
}

impl Shape {
    fn of(program: &Program) -> Self {
        Self {
            graph: Arc::clone(&program.graph),
            slots: program.initial.len(),
            derived: program.derived.clone(),
            rules: program
                .rules
                .iter()
                .map(|r| RuleShape {
                    index: r.index,
                    when: r.when.clone(),
                    sets: r.sets.clone(),
                    adds: r.adds.clone(),
                    priority: r.priority,
                })
                .collect(),
            decisions: program
                .decisions
                .iter()
                .map(|d| {
                    (
                        d.guard.clone(),
                        d.conditional.iter().map(|(c, _)| c.clone()).collect(),
                    )
                })
                .collect(),
            outcomes: program
                .outcomes
                .iter()
                .map(|o| (o.index, o.when.clone()))
                .collect(),
        }
    }

    /// Whether `program` has this shape. Values compare with `==`, so a NaN never matches
    /// and is analysed afresh, which is always right.
    fn matches(&self, program: &Program) -> bool {
        let same_code = |a: &Option<Code>, b: &Option<Code>| match (a, b) {
            (Some(a), Some(b)) => a.same(b),
            (None, None) => true,
            _ => false,
        };
        Arc::ptr_eq(&self.graph, &program.graph)
            && self.slots == program.initial.len()
            && self.derived == program.derived
            && self.rules.len() == program.rules.len()
            && self.rules.iter().zip(&program.rules).all(|(s, r)| {
                s.index == r.index
                    && s.priority == r.priority
                    && s.when.same(&r.when)
                    && s.sets == r.sets
                    && s.adds == r.adds
            })
            && self.decisions.len() == program.decisions.len()
            && self
                .decisions
                .iter()
                .zip(&program.decisions)
                .all(|((guard, conditional), d)| {
                    same_code(guard, &d.guard)
                        && conditional.len() == d.conditional.len()
                        && conditional
                            .iter()
                            .zip(&d.conditional)
                            .all(|(a, (b, _))| a.same(b))
                })
            && self.outcomes.len() == program.outcomes.len()
            && self
                .outcomes
                .iter()
                .zip(&program.outcomes)
                .all(|((index, when), o)| *index == o.index && same_code(when, &o.when))
    }
}

/// A hash of what [`Shape::matches`] compares: equal shapes hash alike.
fn hash_shape(program: &Program) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    Arc::as_ptr(&program.graph).hash(&mut h);
    program.initial.len().hash(&mut h);
    for d in &program.derived {
        (d.fact, d.slot, d.summed, d.default.bits()).hash(&mut h);
    }
    for r in &program.rules {
        (r.index, r.priority, r.when.identity()).hash(&mut h);
        for (f, v) in &r.sets {
            (f, v.bits()).hash(&mut h);
        }
        r.sets.len().hash(&mut h);
        for (f, a) in &r.adds {
            (f, a.to_bits()).hash(&mut h);
        }
        r.adds.len().hash(&mut h);
    }
    for d in &program.decisions {
        d.guard.as_ref().map(Code::identity).hash(&mut h);
        for (c, _) in &d.conditional {
            c.identity().hash(&mut h);
        }
        d.conditional.len().hash(&mut h);
    }
    for o in &program.outcomes {
        (o.index, o.when.as_ref().map(Code::identity)).hash(&mut h);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use casus_core::SourceFile;
    use casus_core::limits::Limits;

    use super::*;
    use crate::search::demand::Analysis;
    use crate::search::walk::EvalLimits;

    /// The programs of every bundled scenario, as compiled.
    fn programs() -> Vec<(String, Program)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let mut paths: Vec<_> = std::fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|path| {
                let text = std::fs::read_to_string(&path).unwrap();
                let name = path.display().to_string();
                let checked = crate::check_source(
                    &SourceFile::new(&name, text.as_str()),
                    &Limits::default(),
                    &EvalLimits::default(),
                );
                assert!(!checked.has_errors(), "{name}: {:#?}", checked.diagnostics);
                (name, checked.program.unwrap())
            })
            .collect()
    }

    /// Each way an analysis varies a program, applied to a clone of `program`: every rule
    /// dropped (its effects cleared) and each of its effects changed, every table reversed,
    /// every input value moved. Named for messages.
    fn variations(program: &Program) -> Vec<(String, Program)> {
        let mut out = Vec::new();
        for r in 0..program.rules.len() {
            let mut dropped = program.clone();
            dropped.rules[r].sets.clear();
            dropped.rules[r].adds.clear();
            out.push((format!("rule {r} dropped"), dropped));
            if !program.rules[r].sets.is_empty() {
                let mut changed = program.clone();
                changed.rules[r].sets[0].1 = Val::Num(-1.5);
                out.push((format!("rule {r} sets another value"), changed));
            }
            if !program.rules[r].adds.is_empty() {
                let mut changed = program.clone();
                changed.rules[r].adds[0].1 += 1.0;
                out.push((format!("rule {r} adds another amount"), changed));
            }
            let mut reprioritised = program.clone();
            reprioritised.rules[r].priority += 1;
            out.push((format!("rule {r} another priority"), reprioritised));
        }
        let mut tables = program.clone();
        for d in &mut tables.decisions {
            d.probabilities.reverse();
            for (_, t) in &mut d.conditional {
                t.reverse();
            }
        }
        out.push(("tables reversed".to_owned(), tables));
        let mut values = program.clone();
        for v in &mut values.initial {
            if let Val::Num(n) = v {
                *v = Val::Num(*n + 1.0);
            }
        }
        out.push(("input values moved".to_owned(), values));
        out
    }

    #[test]
    fn a_kept_analysis_is_the_analysis_of_the_program_asked_about() {
        for (name, program) in programs() {
            let variations = variations(&program);
            assert!(variations.len() > 2, "{name}");
            // Twice over, so that the second round reads every analysis from the memo.
            for round in 0..2 {
                for (what, varied) in std::iter::once(("as compiled".to_owned(), program.clone()))
                    .chain(variations.iter().cloned())
                {
                    let kept = Analysis::new(&varied);
                    assert!(
                        *kept == Facts::new(&varied),
                        "{name}, {what}, round {round}"
                    );
                }
            }
        }
    }

    /// The program of the scenario at `name`, compiled again.
    fn programs_again(name: &str) -> Program {
        programs()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p)
            .unwrap()
    }

    #[test]
    fn numbers_share_an_analysis_and_effects_do_not() {
        for (name, program) in programs() {
            let first = Analysis::new(&program);
            for (what, varied) in variations(&program) {
                let other = Analysis::new(&varied);
                let shared = std::ptr::eq::<Facts>(&*first, &*other);
                // Tables and input values are numbers the search reads as it goes; anything
                // about a rule may change what it must know.
                let numbers = what == "tables reversed" || what == "input values moved";
                assert_eq!(shared, numbers, "{name}, {what}");
            }
            // A compile of its own has a memo of its own.
            let again = Analysis::new(&programs_again(&name));
            assert!(!std::ptr::eq::<Facts>(&*first, &*again), "{name}");
            assert!(*first == *again, "{name}");
        }
    }
}
