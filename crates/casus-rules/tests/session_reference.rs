//! The analysis session against the naive reference (`support/reference.rs`) on generated
//! scenarios with `likelihood_if` tables, guards, variants, signposts and analysts, under
//! random combinations of a variant, given facts and decisions, and observed signposts.
//!
//! Every analysis a run computes is compared with the reference's own computation on the same
//! composed model: the forecast (and the forecast before observing), the strategy's payoffs and
//! its line of play, value of information, one-way ranges and the tornado, the assumption
//! ranking, the per-analyst forecasts, the watch-list and the variants side by side. The
//! reference itself is checked against the hand-computed session fixtures.
//!
//! The reference can also redraw each sample of probabilistic sensitivity
//! (`Reference::sample`); the session disagrees with it when an observed likelihood ratio is
//! about a decision without likelihoods, so that comparison waits for the engine's fix.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on generated files that do not load"
)]

#[path = "support/asks.rs"]
mod asks;
#[path = "support/fixtures.rs"]
#[allow(
    dead_code,
    reason = "each test file uses the part of the shared loader it needs"
)]
mod fixtures;
#[path = "support/generate.rs"]
mod generate;
#[path = "support/reference.rs"]
#[expect(
    dead_code,
    reason = "shared test support: the strategy with decisions forced is for tests/engine.rs"
)]
mod reference;

use casus_core::Code;
use casus_core::model::{Scenario, Value};
use casus_rules::EvalLimits;
use casus_rules::analyses::ranking::{Assumption, EXACT_RANKS, Measure, rank_assumptions_exactly};
use casus_rules::analyses::voi::Undefined;
use casus_rules::session::{Analysed, Budget, Options, Plan, Session, SessionError, WhatIf};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use asks::{Ask, Resolved, ask};
use generate::GenScenario;
use reference::{RefAssumption, RefInfo, Reference};

const TOLERANCE: f64 = 1e-9;

impl Resolved {
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
            let sensitivity = analysed.sensitivity.as_ref().unwrap();
            let (expected, tornado) = reference.ranges().unwrap();
            prop_assert_eq!(sensitivity.ranges.len(), expected.len());
            for (o, (got, want)) in sensitivity.ranges.iter().zip(&expected).enumerate() {
                prop_assert!(close(got.0, want.0) && close(got.1, want.1), "outcome {o}: {got:?} vs {want:?}\n{context}");
            }
            // The tornado lists every decision and outcome a band moves, largest swing first.
            for row in &sensitivity.tornado {
                let want = tornado.get(&(row.decision, row.outcome));
                prop_assert!(want.is_some(), "{row:?} is not swept by the reference\n{context}");
                let &(low, high) = want.unwrap();
                prop_assert!(close(row.low, low) && close(row.high, high), "{row:?} vs {low} {high}\n{context}");
            }
            for (&(decision, outcome), &(low, high)) in &tornado {
                if high - low > TOLERANCE {
                    prop_assert!(sensitivity.tornado.iter().any(|r| r.decision == decision && r.outcome == outcome), "d{decision} moves outcome {outcome} by {}\n{context}", high - low);
                }
            }
            for pair in sensitivity.tornado.windows(2) {
                prop_assert!(pair[0].swing() >= pair[1].swing() - TOLERANCE);
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
            // The exact distances that a bound was compared with: every rule left as a bound
            // must truly rank below each of them.
            let exact: Vec<f64> = ranked.iter().filter(|r| r.measure == Measure::Exact).map(|r| r.distance).collect();
            for entry in ranked {
                let key = match entry.assumption {
                    Assumption::Likelihood(d) => {
                        prop_assert!(!resolved.given.iter().any(|&(g, _)| g == d), "a given decision is ranked\n{context}");
                        RefAssumption::Likelihood(d)
                    }
                    Assumption::Rule(r) => RefAssumption::Rule(r),
                };
                let want = expected.iter().find(|(k, _, _)| *k == key);
                prop_assert!(want.is_some(), "{:?} is not ranked by the reference\n{}", key, context);
                let &(_, distance, largest) = want.unwrap();
                match entry.measure {
                    Measure::Exact => {
                        prop_assert!(close(entry.distance, distance), "{key:?}: {} vs {distance}\n{context}", entry.distance);
                        prop_assert!(close(entry.largest_move.1.abs(), largest), "{key:?}: largest move {:?} vs {largest}\n{context}", entry.largest_move);
                    }
                    Measure::Bound => {
                        prop_assert!(distance <= entry.distance + TOLERANCE, "{key:?}: bound {} below the distance {distance}\n{context}", entry.distance);
                        prop_assert!(exact.len() >= EXACT_RANKS, "{key:?} left as a bound with only {} exact\n{context}", exact.len());
                        let kth = { let mut e = exact.clone(); e.sort_by(|a, b| b.total_cmp(a)); e[EXACT_RANKS - 1] };
                        prop_assert!(distance <= kth + TOLERANCE, "{key:?}: {distance} would rank above the exact {kth}\n{context}");
                    }
                    // The reference cannot compare a forecast without an answer on some path.
                    Measure::NoOutcome => prop_assert!(distance == 1.0 && largest == 0.0, "{key:?}: no outcome, but the reference moved {distance}\n{context}"),
                }
            }
            Ok(())
        })?;
    }

    /// With few distances wanted exactly, every rule left as a bound is below each exact
    /// distance ranked (so the ranking shown is the reference's) and above its own distance:
    /// under variants and analysts' pools (where bounds apply), and under given values and
    /// signposts (where every rule must be computed).
    #[test]
    fn a_bounded_ranking_agrees_with_dropping_every_rule(generated in generate::rich(), ask in ask(), exact in 1usize..3) {
        let text = generated.to_toml(None);
        let session = Session::open_text("generated.toml", &text, Options::default());
        let base_scenario = session.scenario().unwrap();
        let resolved = Resolved::of(base_scenario, &ask);
        let scenario = resolved.scenario(base_scenario);
        let reference = Reference::new(&scenario, &resolved.overrides())
            .given(resolved.forced(scenario.decisions.len()))
            .observing(&resolved.observe);
        let Ok(model) = session.model(&resolved.what_if(base_scenario)) else {
            return Ok(());
        };
        let Ok((evaluation, graph)) = model.evaluate_recorded(&EvalLimits::default()) else {
            return Ok(());
        };
        let Some(expected) = reference.ranking() else {
            return Ok(());
        };
        let context = format!("{resolved:?}\n{text}");
        let base: Vec<f64> = evaluation.outcomes.iter().map(|o| o.probability).collect();
        let ranked = rank_assumptions_exactly(&model, graph.as_ref(), &base, &EvalLimits::default(), exact).unwrap();
        if model.is_conditioned() {
            prop_assert!(ranked.iter().all(|r| r.measure != Measure::Bound), "a bound under conditioning\n{context}");
        }
        let computed: Vec<f64> = ranked.iter().filter(|r| r.measure != Measure::Bound && matches!(r.assumption, Assumption::Rule(_))).map(|r| r.distance).collect();
        for entry in &ranked {
            let Assumption::Rule(r) = entry.assumption else { continue };
            let &(_, distance, _) = expected.iter().find(|(k, _, _)| *k == RefAssumption::Rule(r)).unwrap();
            match entry.measure {
                Measure::Exact => prop_assert!(close(entry.distance, distance), "rule {r}: {} vs {distance}\n{context}", entry.distance),
                Measure::NoOutcome => prop_assert!(distance == 1.0, "rule {r}\n{context}"),
                Measure::Bound => {
                    prop_assert!(distance <= entry.distance + TOLERANCE, "rule {r}: bound {} below {distance}\n{context}", entry.distance);
                    prop_assert!(computed.len() >= exact, "{computed:?}\n{context}");
                    let mut sorted = computed.clone();
                    sorted.sort_by(|a, b| b.total_cmp(a));
                    prop_assert!(distance <= sorted[exact - 1] + TOLERANCE, "rule {r}: {distance} would enter the ranking {sorted:?}\n{context}");
                }
            }
        }
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
                        for (o, moved) in disagreement.moves.iter().enumerate() {
                            let column = want.iter().flatten().map(|f| f[o]);
                            let spread = column.clone().fold(f64::NEG_INFINITY, f64::max) - column.fold(f64::INFINITY, f64::min);
                            prop_assert!(close(*moved, spread.max(0.0)), "outcome {o} moves {moved} vs {spread}\n{context}");
                        }
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    /// `--all-variants`: the base and every variant side by side, each under the what-if's
    /// given values and observed signposts.
    #[test]
    fn variants_side_by_side_agree_with_the_reference(generated in generate::rich(), ask in ask()) {
        let text = generated.to_toml(None);
        let session = Session::open_text("generated.toml", &text, Options::default());
        prop_assert!(!session.has_errors(), "{:#?}", session.diagnostics());
        let base = session.scenario().unwrap();
        let resolved = Resolved::of(base, &ask);
        let context = format!("{resolved:?}\n{text}");
        let columns = match session.compare_variants(&resolved.what_if(base), &Budget::unlimited()) {
            Ok(columns) => columns,
            Err(SessionError::Usage { .. }) => {
                prop_assert!(base.variants.is_empty());
                return Ok(());
            }
            Err(SessionError::Findings(d)) => {
                // The base itself has no consistent path.
                prop_assert!(d.iter().any(|d| d.code == Code::NoConsistentPath), "{d:?}\n{context}");
                let scenario = base.clone();
                let reference = Reference::new(&scenario, &resolved.overrides())
                    .given(resolved.forced(scenario.decisions.len()))
                    .observing(&resolved.observe);
                prop_assert!(reference.forecast().is_none(), "{context}");
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("{e:?}\n{context}"))),
        };
        prop_assert_eq!(columns.len(), base.variants.len() + 1);
        for (i, column) in columns.iter().enumerate() {
            let variant = i.checked_sub(1);
            prop_assert_eq!(column.variant, variant);
            let scenario = match variant {
                Some(v) => reference::apply_variant(base, v),
                None => base.clone(),
            };
            let reference = Reference::new(&scenario, &resolved.overrides())
                .given(resolved.forced(scenario.decisions.len()))
                .observing(&resolved.observe);
            match (&column.result, reference.forecast()) {
                (Ok(result), Some(forecast)) => {
                    prop_assert!(all_close(&result.probabilities, &forecast), "v{:?}: {:?} vs {forecast:?}\n{context}", variant, result.probabilities);
                    let solved = reference.solve().unwrap();
                    prop_assert!(all_close(&result.payoffs, &solved.value), "v{:?}: {:?} vs {:?}\n{context}", variant, result.payoffs, solved.value);
                }
                (Err(_), None) => {}
                (got, want) => return Err(TestCaseError::fail(format!("v{variant:?}: {got:?} vs {want:?}\n{context}"))),
            }
        }
    }
}

/// The scenario of a fixture of `crates/casus-rules/tests/fixtures/session/`, whose headers
/// compute the numbers by hand.
fn hand_computed(name: &str) -> Scenario {
    fixtures::session(&format!("crates/casus-rules/tests/fixtures/session/{name}"))
        .scenario()
        .unwrap()
        .clone()
}

fn decision(scenario: &Scenario, name: &str) -> usize {
    scenario
        .decisions
        .iter()
        .position(|d| d.id.name == name)
        .unwrap()
}

fn signpost(scenario: &Scenario, name: &str) -> usize {
    scenario
        .signposts
        .iter()
        .position(|s| s.id.name == name)
        .unwrap()
}

/// The value of information of the reference's only chance event, for the only actor.
fn only_evpi(reference: &Reference<'_>) -> RefInfo {
    let values = reference.information();
    assert_eq!(values.len(), 1);
    values[0].1.clone()
}

#[test]
fn the_reference_reproduces_the_hand_computed_value_of_information() {
    let scenario = hand_computed("umbrella-in-force.toml");
    let plain = Reference::new(&scenario, &[]);
    assert!(close(plain.solve().unwrap().value[0], 1.5));
    let RefInfo::Value(v) = only_evpi(&plain) else {
        panic!("{:?}", only_evpi(&plain))
    };
    assert!(close(v[0], 0.75), "{v:?}");
    let dry = [("season", Value::Symbol("dry".to_owned()))];
    let given = Reference::new(&scenario, &dry);
    let RefInfo::Value(v) = only_evpi(&given) else {
        panic!("{:?}", only_evpi(&given))
    };
    assert!(close(v[0], 1.5), "{v:?}");
    let variant = reference::apply_variant(&scenario, 0);
    let RefInfo::Value(v) = only_evpi(&Reference::new(&variant, &[])) else {
        panic!("the variant's value is defined")
    };
    assert!(close(v[0], 1.5), "{v:?}");
    let mut forced = vec![None; scenario.decisions.len()];
    forced[decision(&scenario, "carry")] = Some(0);
    let carried = Reference::new(&scenario, &[]).given(forced.clone());
    let RefInfo::Value(v) = only_evpi(&carried) else {
        panic!("{:?}", only_evpi(&carried))
    };
    assert!(close(v[0], 0.0), "{v:?}");
    forced[decision(&scenario, "carry")] = None;
    forced[decision(&scenario, "weather")] = Some(0);
    let known = Reference::new(&scenario, &[]).given(forced);
    assert_eq!(only_evpi(&known), RefInfo::Given);
}

#[test]
fn the_reference_reproduces_the_hand_computed_strategy_under_evidence() {
    let scenario = hand_computed("evidence-below.toml");
    let prior = Reference::new(&scenario, &[]);
    assert!(close(prior.solve().unwrap().value[0], 0.5));
    let seen = prior
        .clone()
        .observing(&[signpost(&scenario, "loud_report")]);
    let solved = seen.solve().unwrap();
    assert!(close(solved.value[0], 0.74), "{:?}", solved.value);
    assert!(close(seen.forecast().unwrap()[0], 0.74));
    assert!(close(solved.line[0].values[0], 0.74), "{:?}", solved.line);
    assert!(
        close(solved.line[1].values[0], 3.6 / 3.7),
        "{:?}",
        solved.line
    );
    let mut forced = vec![None; scenario.decisions.len()];
    forced[decision(&scenario, "report")] = Some(0);
    let given = prior.given(forced);
    assert!(close(given.solve().unwrap().value[0], 0.9));
    assert!(close(given.forecast().unwrap()[0], 0.9));
}

#[test]
fn the_reference_reproduces_the_hand_computed_pooled_ranges_and_analysts() {
    let scenario = hand_computed("pooled.toml");
    let reference = Reference::new(&scenario, &[]);
    assert!(close(reference.forecast().unwrap()[0], 0.4));
    let (lo, hi) = reference.ranges().unwrap().0[0];
    assert!(close(lo, 0.25) && close(hi, 4.0 / 7.0), "{lo} {hi}");
    let analysts = reference.analysts();
    let forecasts: Vec<f64> = analysts[0]
        .1
        .iter()
        .map(|f| f.as_ref().unwrap()[0])
        .collect();
    assert!(all_close(&forecasts, &[0.2, 0.3, 0.7]), "{forecasts:?}");
    let rigged = Reference::new(&scenario, &[("rigged", Value::Bool(true))]);
    for f in &rigged.analysts()[0].1 {
        assert!(close(f.as_ref().unwrap()[0], 1.0), "{f:?}");
    }
}

#[test]
fn the_reference_reproduces_the_hand_computed_ranking() {
    let scenario = hand_computed("two-events.toml");
    let mut forced = vec![None; scenario.decisions.len()];
    forced[decision(&scenario, "d")] = Some(0);
    let ranked = Reference::new(&scenario, &[])
        .given(forced)
        .ranking()
        .unwrap();
    assert!(
        !ranked
            .iter()
            .any(|(a, _, _)| *a == RefAssumption::Likelihood(0)),
        "{ranked:?}"
    );
    let (_, distance, _) = ranked
        .iter()
        .find(|(a, _, _)| *a == RefAssumption::Likelihood(1))
        .unwrap();
    assert!(close(*distance, 0.6), "{ranked:?}");
}

// Regressions: the first proptest suite found both of these in the engine.

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// docs/language.md: "every probability on the printed line of play is that posterior,
    /// between 0 and 1". An option that a given value or an observed condition rules out has
    /// posterior 0.
    #[test]
    fn every_probability_on_the_line_of_play_is_a_probability(generated in generate::rich(), ask in ask()) {
        compare(&generated, &ask, &Plan::forecast(), |analysed, reference, _, context| {
            let solved = reference.solve().unwrap();
            let line = &analysed.evaluation.strategy.line;
            for (step, expected) in line.iter().zip(&solved.line) {
                if step.chance {
                    prop_assert!(step.values.iter().all(|p| (0.0..=1.0).contains(p)), "{line:?}\n{context}");
                    prop_assert!(all_close(&step.values, &expected.values), "{:?} vs {:?}\n{context}", step.values, expected.values);
                }
            }
            Ok(())
        })?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    /// The reference redraws each sample as docs/language.md says (one generator per sample,
    /// seeded from the seed and the sample's index; every judged table in file order, its own
    /// table then its `likelihood_if`s) and checks every statistic reported.
    #[test]
    fn sampling_agrees_with_drawing_each_sample(generated in generate::rich(), ask in ask(), seed in any::<u64>(), samples in 1usize..12) {
        let plan = Plan { samples: Some((samples, seed)), ..Plan::forecast() };
        compare(&generated, &ask, &plan, |analysed, reference, _, context| {
            let sampling = analysed.sampling.as_ref().unwrap();
            prop_assert_eq!(sampling.samples, samples);
            prop_assert!(sampling.line_changes <= samples);
            let drawn: Vec<Vec<f64>> = (0..samples as u64)
                .map(|i| {
                    let mut rng = fastrand::Rng::with_seed(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                    reference.sample(|| rng.f64())
                })
                .collect();
            prop_assert_eq!(sampling.outcomes.len(), analysed.forecast().len());
            for spread in &sampling.outcomes {
                let mut column: Vec<f64> = drawn.iter().map(|f| f[spread.outcome]).collect();
                column.sort_by(f64::total_cmp);
                let mean = column.iter().sum::<f64>() / column.len() as f64;
                let want = [mean, reference::percentile(&column, 0.05), reference::percentile(&column, 0.5), reference::percentile(&column, 0.95)];
                let got = [spread.mean, spread.p5, spread.p50, spread.p95];
                prop_assert!(all_close(&got, &want), "outcome {}: {got:?} vs {want:?}\n{context}", spread.outcome);
            }
            Ok(())
        })?;
    }
}

/// Computed by hand: `pick` has no likelihoods, so each option is 1/3; seeing `seen` (ratio 2
/// on alpha) makes them 2/4, 1/4, 1/4, and `not_gamma` 3/4. No band has width, so every
/// sample's forecast is the point forecast, 3/4 (the engine once drew 5/6: the ratio twice).
#[test]
fn sampling_applies_an_observed_ratio_once_to_a_decision_without_likelihoods() {
    let text = "[scenario]\ntitle = \"ratio\"\n[actors]\na0 = \"A\"\n\
        [decisions.pick]\nactor = \"a0\"\noptions = [\"alpha\", \"beta\", \"gamma\"]\n\
        [outcomes.not_gamma]\nwhen = \"pick != 'gamma'\"\npayoff = { a0 = 1 }\n\
        [outcomes.rest]\npayoff = { a0 = 0 }\n\
        [signposts.seen]\ntitle = \"seen\"\ndecision = \"pick\"\nratio = { alpha = 2 }\n";
    let session = Session::open_text("ratio.toml", text, Options::default());
    let what = WhatIf {
        observe: vec!["seen".to_owned()],
        ..WhatIf::none()
    };
    let model = session.model(&what).unwrap();
    let plan = Plan {
        samples: Some((4, 1)),
        ..Plan::forecast()
    };
    let analysed = session.run(&model, &plan, &Budget::unlimited()).unwrap();
    assert!(close(analysed.forecast()[0], 0.75));
    let mean = analysed.sampling.as_ref().unwrap().outcomes[0].mean;
    assert!(close(mean, 0.75), "{mean}");
}

/// Computed by hand: with `d0 = beta` given, alpha has no consistent path; its posterior on
/// the line of play is 0 (the engine once reported NaN).
#[test]
fn a_given_chance_event_shows_zero_for_the_options_it_rules_out() {
    let text = "[scenario]\ntitle = \"given\"\n[actors]\na0 = \"A\"\n\
        [decisions.d0]\nactor = \"nature\"\noptions = [\"alpha\", \"beta\"]\n\
        likelihood = { alpha = 0.25, beta = 0.75 }\n\
        [outcomes.o0]\nwhen = \"d0 == 'alpha'\"\npayoff = { a0 = 1 }\n\
        [outcomes.rest]\npayoff = { a0 = 0 }\n";
    let session = Session::open_text("given.toml", text, Options::default());
    let what = WhatIf {
        given: vec![WhatIf::parse_given("d0=beta").unwrap()],
        ..WhatIf::none()
    };
    let model = session.model(&what).unwrap();
    let analysed = session
        .run(&model, &Plan::forecast(), &Budget::unlimited())
        .unwrap();
    let values = &analysed.evaluation.strategy.line[0].values;
    assert!(all_close(values, &[0.0, 1.0]), "{values:?}");
}
