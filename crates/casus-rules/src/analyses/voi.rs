//! Value of information: what an actor gains if a chance event is revealed before anyone
//! chooses.
//!
//! For a chance decision `d` with options `o` and likelihoods `p(o)`, and an actor `a` whose
//! value under the strategy is `V(a)`, the expected value of perfect information is
//! `Σ p(o) · V(a | d = o) − V(a)`, where `V(a | d = o)` is the strategy's value when every
//! actor plays knowing `d = o` (the subgame with `d` fixed). Revealing to everyone is what a
//! perfect-information model can express; in a game with several actors the value can be
//! negative (what helps a rival can hurt you), and that is reported, not hidden.
//!
//! It is defined only for chance events whose guard and likelihoods do not depend on earlier
//! decisions: otherwise "learning it first" changes the event itself.

use casus_core::Diagnostic;
use casus_core::model::Scenario;

use crate::compile::program::Program;
use crate::search::walk::{EvalLimits, Given, evaluate};

/// The value of learning one chance event first, per actor.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct InformationValue {
    /// The chance decision.
    pub decision: usize,
    /// Expected value of perfect information, per actor (scenario order); `None` when the
    /// event's guard or likelihoods depend on earlier decisions, so it cannot be learnt first.
    pub evpi: Option<Vec<f64>>,
}

/// EVPI for every chance decision.
pub fn value_of_information(
    scenario: &Scenario,
    program: &Program,
    limits: &EvalLimits,
) -> Result<Vec<InformationValue>, Vec<Diagnostic>> {
    let none = Given::none(program.decisions.len());
    let base = evaluate(scenario, program, &none, limits)?;
    let mut values = Vec::new();
    for decision in program.decisions.iter().filter(|d| d.is_chance()) {
        let depends = |reads: &[u32]| {
            reads
                .iter()
                .any(|&slot| (slot as usize) < program.decisions.len())
        };
        let independent = decision.guard.is_none()
            && decision
                .conditional
                .iter()
                .all(|(code, _)| !depends(&code.reads));
        if !independent {
            values.push(InformationValue {
                decision: decision.index,
                evpi: None,
            });
            continue;
        }
        let mut informed = vec![0.0; program.actors.len()];
        for (option, &p) in decision.probabilities.iter().enumerate() {
            if p == 0.0 {
                continue;
            }
            let mut given = none.clone();
            given.decisions[decision.index] = Some(option);
            let sub = evaluate(scenario, program, &given, limits)?;
            for (acc, v) in informed.iter_mut().zip(&sub.strategy.payoffs) {
                *acc += p * v;
            }
        }
        let evpi = informed
            .iter()
            .zip(&base.strategy.payoffs)
            .map(|(i, b)| i - b)
            .collect();
        values.push(InformationValue {
            decision: decision.index,
            evpi: Some(evpi),
        });
    }
    Ok(values)
}
