//! Value of information: what an actor gains if a chance event is revealed before anyone
//! chooses.
//!
//! For a chance decision `d` with options `o`, and an actor `a` whose value under the
//! strategy is `V(a)`, the expected value of perfect information is
//! `Σ P(d = o) · V(a | d = o) − V(a)`, where `V(a | d = o)` is the strategy's value when every
//! actor plays knowing `d = o` (the subgame with `d` fixed), and `P(d = o)` is the probability
//! of the option in the model in force: the table that applies (a `likelihood_if` whose
//! condition holds on the input facts, a variant's table, the analysts' pool), conditioned on
//! what is given and observed. It is computed as the share of the model's probability mass on
//! the paths where `d = o`, so conditioning needs no special case. Revealing to everyone is what
//! a perfect-information model can express; in a game with several actors the value can be
//! negative (what helps a rival can hurt you), and that is reported, not hidden.
//!
//! **Definedness.** "Learning `d` first" must not change `d` itself. So the value is defined
//! exactly when neither the event's guard (`when`) nor the condition of any of its
//! `likelihood_if` tables can depend on a decision — directly, or through derived facts that
//! rules compute from decisions (see [`RuleGraph::depends_on_decisions`]). A guard or condition
//! on input facts alone is a constant of the model and leaves the value defined. An event that
//! the values given make certain has nothing left to learn, and is reported as given.
//!
//! [`RuleGraph::depends_on_decisions`]: crate::compile::deps::RuleGraph::depends_on_decisions

use casus_core::Diagnostic;

use crate::compile::program::{CDecision, Program};
use crate::graphs::merged::{MergedGraph, Saved};
use crate::search::walk::EvalLimits;
use crate::session::Model;

/// Why the value of information of an event is not a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Undefined {
    /// The event's guard or likelihoods depend on earlier decisions, so it cannot be learnt
    /// first without changing it.
    DependsOnDecisions,
    /// The event is given (`--given`): there is nothing left to learn.
    Given,
    /// No path with the event taken is consistent with what is given and observed.
    NeverTaken,
}

/// The value of learning one chance event first, per actor.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct InformationValue {
    /// The chance decision.
    pub decision: usize,
    /// Expected value of perfect information, per actor (scenario order); `None` when it is
    /// not defined, and [`InformationValue::undefined`] says why.
    pub evpi: Option<Vec<f64>>,
    /// Why `evpi` is `None`.
    pub undefined: Option<Undefined>,
}

impl InformationValue {
    /// The value of an event for which it is not a number, and why.
    fn undefined_because(decision: usize, why: Undefined) -> Self {
        Self {
            decision,
            evpi: None,
            undefined: Some(why),
        }
    }
}

/// Why the value of learning `decision` first is not a number, as far as the model alone
/// tells: given, or depending on decisions.
fn undefined(model: &Model, decision: &CDecision) -> Option<Undefined> {
    if model.is_given(decision.index) {
        Some(Undefined::Given)
    } else if depends_on_decisions(&model.program, decision) {
        Some(Undefined::DependsOnDecisions)
    } else {
        None
    }
}

/// Whether learning `decision` first would change it: its guard or a `likelihood_if`
/// condition can depend on a decision.
pub fn depends_on_decisions(program: &Program, decision: &CDecision) -> bool {
    let reads = decision
        .guard
        .iter()
        .chain(decision.conditional.iter().map(|(code, _)| code))
        .flat_map(|code| code.reads.iter().copied());
    reads
        .into_iter()
        .any(|slot| program.graph.depends_on_decisions(slot))
}

/// EVPI for every chance decision of the model in force.
pub fn value_of_information(
    model: &Model,
    limits: &EvalLimits,
) -> Result<Vec<InformationValue>, Vec<Diagnostic>> {
    let recorded = model.evaluate_recorded(limits)?;
    value_of_information_with(model, recorded.1.as_ref(), limits)
}

/// [`value_of_information`] on the model's merged decision graph, when the caller recorded it
/// with the forecast: each "event learnt first" is the graph solved with the event given, over
/// the nodes with the event at or below them (the rest keep a solve with nothing given), no
/// rule evaluated. (An event whose value is defined has a guard on
/// input facts alone, so every path takes it or none does, which is what solving with it
/// given needs.) Without the graph, each option is an evaluation.
pub fn value_of_information_with(
    model: &Model,
    graph: Option<&MergedGraph>,
    limits: &EvalLimits,
) -> Result<Vec<InformationValue>, Vec<Diagnostic>> {
    match graph {
        Some(graph) => on_graph(model, graph, limits),
        None => by_evaluating(model, limits),
    }
}

fn on_graph(
    model: &Model,
    graph: &MergedGraph,
    limits: &EvalLimits,
) -> Result<Vec<InformationValue>, Vec<Diagnostic>> {
    let program = model.with_evidence(&model.program);
    let tables = graph.tables_of(&program);
    let taken = graph.taken();
    let why: Vec<Option<Undefined>> = model
        .program
        .decisions
        .iter()
        .map(|decision| {
            undefined(model, decision).or_else(|| {
                (!taken.get(decision.index).copied().unwrap_or(false))
                    .then_some(Undefined::NeverTaken)
            })
        })
        .collect();
    let events: Vec<&CDecision> = model
        .program
        .decisions
        .iter()
        .filter(|d| d.is_chance() && why.get(d.index).copied().flatten().is_none())
        .collect();
    if events.is_empty() {
        return Ok(assemble(model, &why, Vec::new(), &[]));
    }
    // Learning an event first changes the solve only at the nodes with the event at or below
    // them: the rest keep the values of a solve conditioned on nothing, computed once, and
    // the nodes solved for one event are put back before the next. The strategy's payoffs:
    // on a conditioned graph the solve is the conditioned base, the same computation;
    // otherwise a pass over the payoffs alone, beside it on another thread.
    let (mut scratch, base) = if graph.is_conditioned() {
        let scratch = graph.conditioned_base(&tables);
        let base = graph.payoffs_at_root(&scratch);
        (scratch, base)
    } else {
        rayon::join(
            || graph.conditioned_base(&tables),
            || graph.strategy_payoffs(&tables),
        )
    };
    let levels: Vec<usize> = events.iter().map(|d| d.index).collect();
    let mut saved = Saved::default();
    // `(mass, Σ mass · payoffs)` of each event, in `events` order.
    let mut informed: Vec<(f64, Vec<f64>)> = Vec::with_capacity(events.len());
    graph.each_above(&levels, |i, above| {
        // A pass per option: a thousand events on a large graph take a while.
        if limits.expired() {
            return Err(vec![crate::search::walk::time_limit()]);
        }
        let decision = events[i];
        graph.save(&scratch, above, &mut saved);
        let mut sum = vec![0.0; model.program.actors.len()];
        let mut mass = 0.0;
        for option in 0..decision.options.len() {
            let sub =
                graph.solve_given_from(&tables, &mut scratch, (decision.index, option), above);
            mass += sub.mass;
            for (acc, v) in sum.iter_mut().zip(&sub.payoffs) {
                *acc += sub.mass * v;
            }
        }
        graph.restore(&mut scratch, &saved, above);
        informed.push((mass, sum));
        Ok(())
    })?;
    Ok(assemble(model, &why, informed, &base))
}

/// Every chance event's value in decision order: why it is undefined (`why`, per decision),
/// or from `informed`, the `(mass, Σ mass · payoffs)` of each of the others in order, against
/// the strategy's payoffs `base`.
fn assemble(
    model: &Model,
    why: &[Option<Undefined>],
    informed: Vec<(f64, Vec<f64>)>,
    base: &[f64],
) -> Vec<InformationValue> {
    let mut informed = informed.into_iter();
    let mut values = Vec::new();
    for decision in model.program.decisions.iter().filter(|d| d.is_chance()) {
        if let Some(why) = why.get(decision.index).copied().flatten() {
            values.push(InformationValue::undefined_because(decision.index, why));
            continue;
        }
        let Some((mass, sum)) = informed.next() else {
            continue;
        };
        if mass <= 0.0 {
            values.push(InformationValue::undefined_because(
                decision.index,
                Undefined::NeverTaken,
            ));
            continue;
        }
        let evpi = sum.iter().zip(base).map(|(i, b)| i / mass - b).collect();
        values.push(InformationValue {
            decision: decision.index,
            evpi: Some(evpi),
            undefined: None,
        });
    }
    values
}

/// Each option of each event evaluated with the event given: for a graph over its budget.
fn by_evaluating(
    model: &Model,
    limits: &EvalLimits,
) -> Result<Vec<InformationValue>, Vec<Diagnostic>> {
    let program = &model.program;
    let base = model.evaluate(limits)?;
    let mut values = Vec::new();
    for decision in program.decisions.iter().filter(|d| d.is_chance()) {
        if let Some(why) = undefined(model, decision) {
            values.push(InformationValue::undefined_because(decision.index, why));
            continue;
        }
        let mut informed = vec![0.0; program.actors.len()];
        let mut mass = 0.0;
        for option in 0..decision.options.len() {
            if limits.expired() {
                return Err(vec![crate::search::walk::time_limit()]);
            }
            let mut given = model.given.clone();
            given.decisions[decision.index] = Some(option);
            let sub = match model.evaluate_given(program, &given, limits) {
                Ok(sub) => sub,
                Err(d)
                    if d.iter()
                        .all(|d| d.code == casus_core::Code::NoConsistentPath) =>
                {
                    continue;
                }
                Err(d) => return Err(d),
            };
            mass += sub.mass;
            for (acc, v) in informed.iter_mut().zip(&sub.strategy.payoffs) {
                *acc += sub.mass * v;
            }
        }
        if mass <= 0.0 {
            values.push(InformationValue::undefined_because(
                decision.index,
                Undefined::NeverTaken,
            ));
            continue;
        }
        // `mass` is the probability of the paths on which the event is taken, which is all of
        // the model's mass for an event whose guard holds; weighing by each option's share of
        // it is `P(d = o)` in the model in force.
        let evpi = informed
            .iter()
            .zip(&base.strategy.payoffs)
            .map(|(i, b)| i / mass - b)
            .collect();
        values.push(InformationValue {
            decision: decision.index,
            evpi: Some(evpi),
            undefined: None,
        });
    }
    Ok(values)
}
