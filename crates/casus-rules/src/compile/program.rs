//! Compiling a checked scenario into a [`Program`]: slots, interned symbols, bytecode, and the
//! rule order from the dependency graph.

use std::sync::Arc;

use casus_core::Diagnostic;
use casus_core::model::{FactKind, Scenario, Value};
use casus_core::names::Names;

use crate::compile::bytecode::{Code, SlotMap};
use crate::compile::deps::RuleGraph;
use crate::compile::value::{Symbols, Val};
use crate::search::memo::Memo;

/// A decision ready to evaluate.
#[derive(Clone, Debug)]
pub struct CDecision {
    /// Index in the scenario.
    pub index: usize,
    /// The decision's slot.
    pub slot: u32,
    /// The options' symbols, in file order.
    pub options: Vec<u32>,
    /// The deciding actor's index in `Program::actors`; `None` for nature.
    pub actor: Option<usize>,
    /// The guard; `None` means always taken.
    pub guard: Option<Code>,
    /// Normalised point-estimate probabilities, one per option.
    pub probabilities: Vec<f64>,
    /// The band of each option before normalisation.
    pub bands: Vec<(f64, f64)>,
    /// Unnormalised point estimates, one per option, as the table states them (a pool of
    /// analysts' estimates states its pooled point, which need not be the middle of its band).
    pub points: Vec<f64>,
    /// The same for each conditional table, in order.
    pub conditional_points: Vec<Vec<f64>>,
    /// Conditional likelihoods: the first whose code holds gives the probabilities.
    pub conditional: Vec<(Code, Vec<f64>)>,
    /// The band of each option of each conditional likelihood before normalisation, parallel
    /// to `conditional`; sensitivity analysis sweeps them.
    pub conditional_bands: Vec<Vec<(f64, f64)>>,
    /// Whether no likelihood was given and the options are treated as equally likely.
    pub uniform: bool,
}

impl CDecision {
    /// Whether nature decides.
    pub fn is_chance(&self) -> bool {
        self.actor.is_none()
    }
}

/// A rule ready to evaluate.
#[derive(Clone, Debug)]
pub struct CRule {
    /// Index in the scenario.
    pub index: usize,
    /// The condition.
    pub(crate) when: Code,
    /// `(derived fact index, value)` for each `then`.
    pub sets: Vec<(usize, Val)>,
    /// `(derived fact index, amount)` for each `add`.
    pub adds: Vec<(usize, f64)>,
    /// Resolves conflicts.
    pub priority: i64,
}

/// A derived fact ready to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub struct CDerived {
    /// Index in `scenario.facts`.
    pub fact: usize,
    /// The fact's slot.
    pub slot: u32,
    /// Its value when no rule sets it, or the base of the sum.
    pub default: Val,
    /// Whether rules sum into it (`add`) rather than set it.
    pub summed: bool,
}

/// An outcome ready to evaluate.
#[derive(Clone, Debug)]
pub struct COutcome {
    /// Index in the scenario.
    pub index: usize,
    /// The condition; `None` for the fallback.
    pub(crate) when: Option<Code>,
}

/// A compiled scenario.
#[derive(Clone, Debug)]
pub struct Program {
    /// Interned symbols.
    pub symbols: Symbols,
    /// Slot values before any decision: input facts, derived defaults, unset decisions.
    pub initial: Vec<Val>,
    /// Decisions in the order they happen.
    pub decisions: Vec<CDecision>,
    /// Rules in the scenario's order.
    pub rules: Vec<CRule>,
    /// Rule indices in dependency order: a rule comes after every rule whose facts it reads.
    pub rule_order: Vec<usize>,
    /// Derived facts.
    pub derived: Vec<CDerived>,
    /// Outcomes in the scenario's order.
    pub outcomes: Vec<COutcome>,
    /// Actor ids, in the scenario's order.
    pub actors: Vec<String>,
    /// `payoffs[outcome][actor]`; a missing payoff counts as 0.
    pub payoffs: Vec<Vec<f64>>,
    /// The fact-and-rule dependency graph, shared by clones.
    pub graph: Arc<RuleGraph>,
    /// Whether observed evidence (likelihood ratios) has been multiplied into the likelihood
    /// tables, so that they no longer sum to 1 and the search must condition nature's moves
    /// on what lies below them (see `crate::analyses::signposts`).
    pub evidence: bool,
    /// The search's analyses of this program's shape and its clones' (changed or not).
    pub(crate) analyses: Memo,
}

impl Program {
    /// Compiles a scenario that checked without errors. Fails with diagnostics only for what
    /// needs the dependency graph (a rule cycle).
    pub fn compile(scenario: &Scenario) -> Result<Program, Vec<Diagnostic>> {
        Self::compile_with(scenario, &[])
    }

    /// Compiles with input facts overridden (`--given fact=value`, tests).
    pub fn compile_with(
        scenario: &Scenario,
        overrides: &[(usize, Value)],
    ) -> Result<Program, Vec<Diagnostic>> {
        let names = Names::new(scenario);
        let n_decisions = scenario.decisions.len();
        let decision_slot = |i: usize| slot(i);
        let fact_slot = |i: usize| slot(n_decisions + i);
        let slots = SlotMap {
            names: &names,
            decision_slot: &decision_slot,
            fact_slot: &fact_slot,
        };
        let mut symbols = Symbols::default();

        let mut initial = vec![Val::Unset; n_decisions + scenario.facts.len()];
        let mut derived = Vec::new();
        for (i, fact) in scenario.facts.iter().enumerate() {
            let value = match &fact.kind {
                FactKind::Input { value, .. } => {
                    let value = overrides
                        .iter()
                        .find(|(f, _)| *f == i)
                        .map_or(&value.value, |(_, v)| v);
                    to_val(value, &mut symbols)
                }
                FactKind::Derived { default, .. } => {
                    let default = to_val(&default.value, &mut symbols);
                    let summed = scenario
                        .rules
                        .iter()
                        .any(|r| r.add.iter().any(|c| c.fact.name == fact.id.name));
                    derived.push(CDerived {
                        fact: i,
                        slot: fact_slot(i),
                        default,
                        summed,
                    });
                    default
                }
            };
            initial[n_decisions + i] = value;
        }
        let derived_index = |name: &str| {
            derived
                .iter()
                .position(|d| scenario.facts[d.fact].id.name == name)
        };

        let actors: Vec<String> = scenario.actors.iter().map(|a| a.id.name.clone()).collect();
        let decisions = scenario
            .decisions
            .iter()
            .enumerate()
            .map(|(index, d)| {
                let options: Vec<u32> = d.options.iter().map(|o| symbols.intern(&o.name)).collect();
                let names: Vec<String> = d.option_names();
                let (probabilities, bands, points, uniform) = match &d.likelihood {
                    Some(table) => {
                        let bands = names
                            .iter()
                            .map(|o| table.get(o).map_or((0.0, 0.0), |l| (l.lo, l.hi)))
                            .collect();
                        let points: Vec<f64> = names
                            .iter()
                            .map(|o| table.get(o).map_or(0.0, |l| l.point))
                            .collect();
                        (normalise(points.iter().copied()), bands, points, false)
                    }
                    None => {
                        let p = 1.0 / names.len().max(1) as f64;
                        (
                            vec![p; names.len()],
                            vec![(p, p); names.len()],
                            vec![p; names.len()],
                            true,
                        )
                    }
                };
                let conditional_points = d
                    .likelihood_if
                    .iter()
                    .map(|c| {
                        names
                            .iter()
                            .map(|o| c.table.get(o).map_or(0.0, |l| l.point))
                            .collect()
                    })
                    .collect();
                let conditional_bands = d
                    .likelihood_if
                    .iter()
                    .map(|c| {
                        names
                            .iter()
                            .map(|o| c.table.get(o).map_or((0.0, 0.0), |l| (l.lo, l.hi)))
                            .collect()
                    })
                    .collect();
                let conditional = d
                    .likelihood_if
                    .iter()
                    .map(|c| {
                        let code = Code::compile(&c.when, &slots, &mut symbols);
                        (
                            code,
                            normalise(
                                names
                                    .iter()
                                    .map(|o| c.table.get(o).map_or(0.0, |l| l.point)),
                            ),
                        )
                    })
                    .collect();
                CDecision {
                    index,
                    slot: decision_slot(index),
                    options,
                    actor: actors.iter().position(|a| *a == d.actor.name),
                    guard: d
                        .when
                        .as_ref()
                        .map(|w| Code::compile(w, &slots, &mut symbols)),
                    probabilities,
                    bands,
                    points,
                    conditional_points,
                    conditional,
                    conditional_bands,
                    uniform,
                }
            })
            .collect();

        let rules: Vec<CRule> = scenario
            .rules
            .iter()
            .enumerate()
            .map(|(index, r)| CRule {
                index,
                when: Code::compile(&r.when, &slots, &mut symbols),
                sets: r
                    .then
                    .iter()
                    .filter_map(|a| {
                        Some((
                            derived_index(&a.fact.name)?,
                            to_val(&a.value.value, &mut symbols),
                        ))
                    })
                    .collect(),
                adds: r
                    .add
                    .iter()
                    .filter_map(|c| Some((derived_index(&c.fact.name)?, c.amount.value)))
                    .collect(),
                priority: r.priority.value,
            })
            .collect();

        let outcomes = scenario
            .outcomes
            .iter()
            .enumerate()
            .map(|(index, o)| COutcome {
                index,
                when: o
                    .when
                    .as_ref()
                    .map(|w| Code::compile(w, &slots, &mut symbols)),
            })
            .collect();
        let payoffs = scenario
            .outcomes
            .iter()
            .map(|o| {
                actors
                    .iter()
                    .map(|a| o.payoff_of(a).unwrap_or(0.0))
                    .collect()
            })
            .collect();

        let graph = RuleGraph::new(scenario, &rules, &derived, n_decisions);
        let rule_order = graph.rule_order(scenario)?;
        Ok(Program {
            symbols,
            initial,
            decisions,
            rules,
            rule_order,
            derived,
            outcomes,
            actors,
            payoffs,
            graph: Arc::new(graph),
            evidence: false,
            analyses: Memo::default(),
        })
    }

    /// This program — compiled from `scenario` with no input fact overridden — with input facts
    /// overridden as [`Program::compile_with`] would compile them, without compiling again: a
    /// sweep over given values shares one compile. `None` when an override replaces a symbol
    /// or gives one: the compile would have interned other symbols, and only compiling again
    /// gets them right.
    pub fn overridden(&self, scenario: &Scenario, overrides: &[(usize, Value)]) -> Option<Program> {
        let n_decisions = self.decisions.len();
        let mut initial = self.initial.clone();
        for (i, fact) in scenario.facts.iter().enumerate() {
            let FactKind::Input { value, .. } = &fact.kind else {
                continue;
            };
            // The first override of a fact wins, as in `compile_with`.
            let Some((_, given)) = overrides.iter().find(|(f, _)| *f == i) else {
                continue;
            };
            let given = match (given, &value.value) {
                (Value::Symbol(_), _) | (_, Value::Symbol(_)) => return None,
                (Value::Bool(b), _) => Val::Bool(*b),
                (Value::Number(x), _) => Val::Num(*x),
            };
            *initial.get_mut(n_decisions + i)? = given;
        }
        Some(Program {
            initial,
            ..self.clone()
        })
    }

    /// The number of decisions.
    pub fn decision_count(&self) -> usize {
        self.decisions.len()
    }
}

fn slot(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn to_val(value: &Value, symbols: &mut Symbols) -> Val {
    match value {
        Value::Bool(b) => Val::Bool(*b),
        Value::Number(n) => Val::Num(*n),
        Value::Symbol(s) => Val::Sym(symbols.intern(s)),
    }
}

/// Point estimates scaled to sum to 1; all-zero estimates (rejected by the checker) become
/// uniform rather than dividing by zero.
fn normalise(points: impl Iterator<Item = f64>) -> Vec<f64> {
    let points: Vec<f64> = points.collect();
    let total: f64 = points.iter().sum();
    if total > 0.0 {
        points.iter().map(|p| p / total).collect()
    } else {
        vec![1.0 / points.len().max(1) as f64; points.len()]
    }
}
