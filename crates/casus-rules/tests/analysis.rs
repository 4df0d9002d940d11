//! Analysis depth: value of information and probabilistic sensitivity, against hand
//! computations and numerical integration.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on fixtures that do not load"
)]

#[path = "support/fixtures.rs"]
#[allow(
    dead_code,
    reason = "each test file uses the part of the shared loader it needs"
)]
mod fixtures;

use casus_core::SourceFile;
use casus_core::limits::Limits;
use casus_core::model::Scenario;
use casus_rules::session::Model;
use casus_rules::{EvalLimits, Program, check_source};

fn fixture(name: &str) -> (Scenario, Program) {
    let text = fixtures::text(&format!("tests/fixtures/analysis/{name}.toml"));
    let checked = check_source(
        &SourceFile::new(name, text),
        &Limits::default(),
        &EvalLimits::default(),
    );
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    (checked.scenario.unwrap(), checked.program.unwrap())
}

/// The forecast of the scenario as written.
fn forecast(scenario: &casus_core::model::Scenario, program: &casus_rules::Program) -> Vec<f64> {
    Model::as_written(scenario, program)
        .evaluate(&EvalLimits::default())
        .unwrap()
        .outcomes
        .iter()
        .map(|o| o.probability)
        .collect()
}

#[test]
fn evpi_matches_the_textbook_umbrella() {
    let (scenario, program) = fixture("umbrella-evpi");
    let values = casus_rules::analyses::voi::value_of_information(
        &Model::as_written(&scenario, &program),
        &EvalLimits::default(),
    )
    .unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].decision, 1);
    let evpi = values[0].evpi.as_ref().unwrap();
    assert!((evpi[0] - 1.0).abs() < 1e-12, "{evpi:?}");
}

/// E[X / (X + Y)] and its median for X ~ U(0.55, 0.80), Y ~ U(0.20, 0.45), by a midpoint grid:
/// an independent way to the number sampling must converge to.
fn integrate() -> (f64, f64) {
    let n = 2000;
    let mut values = Vec::with_capacity(n * n);
    for i in 0..n {
        let x = 0.55 + 0.25 * (i as f64 + 0.5) / n as f64;
        for j in 0..n {
            let y = 0.20 + 0.25 * (j as f64 + 0.5) / n as f64;
            values.push(x / (x + y));
        }
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    values.sort_by(f64::total_cmp);
    (mean, values[values.len() / 2])
}

#[test]
fn sampling_converges_to_the_integral() {
    let (scenario, program) = fixture("banded-coin");
    let (mean, median) = integrate();
    let mut errors = Vec::new();
    for samples in [200, 20_000] {
        let s = casus_rules::analyses::sampling::sample(
            &Model::as_written(&scenario, &program),
            &EvalLimits::default(),
            (samples, 7),
        )
        .unwrap();
        let heads = &s.outcomes[0];
        assert!(heads.p5 <= heads.p50 && heads.p50 <= heads.p95);
        assert!(
            heads.p5 >= 0.55 / 1.0 && heads.p95 <= 0.8 / 1.0,
            "{heads:?}"
        );
        errors.push(((heads.mean - mean).abs(), (heads.p50 - median).abs()));
        assert_eq!(
            s.line_changes, 0,
            "one chance event: the line of play cannot change"
        );
    }
    assert!(
        errors[1].0 < 0.002 && errors[1].1 < 0.004,
        "{errors:?} vs mean {mean}, median {median}"
    );
    assert!(
        errors[1].0 <= errors[0].0 + 1e-3,
        "more samples should not be worse: {errors:?}"
    );
}

#[test]
fn sampling_depends_on_the_seed_only() {
    let (scenario, program) = fixture("banded-coin");
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            casus_rules::analyses::sampling::sample(
                &Model::as_written(&scenario, &program),
                &EvalLimits::default(),
                (500, 42),
            )
            .unwrap()
        })
    };
    assert_eq!(run(1), run(2));
    let other = casus_rules::analyses::sampling::sample(
        &Model::as_written(&scenario, &program),
        &EvalLimits::default(),
        (500, 43),
    )
    .unwrap();
    assert_ne!(run(1), other);
}

#[test]
fn assumptions_are_ranked_by_how_far_the_forecast_moves() {
    let (scenario, program) = fixture("umbrella-evpi");
    let ranked = casus_rules::analyses::ranking::rank_assumptions(
        &Model::as_written(&scenario, &program),
        &forecast(&scenario, &program),
        &EvalLimits::default(),
    )
    .unwrap();
    // Only the weather has likelihoods. Reversing 0.25/0.75 to 0.75/0.25 moves half the
    // forecast: carry is uniform, so rain outcomes go from 2 × 0.125 to 2 × 0.375.
    assert_eq!(ranked.len(), 1);
    assert_eq!(
        ranked[0].assumption,
        casus_rules::analyses::ranking::Assumption::Likelihood(1)
    );
    assert!((ranked[0].distance - 0.5).abs() < 1e-12, "{ranked:?}");
    assert!((ranked[0].largest_move.1.abs() - 0.25).abs() < 1e-12);
}

#[test]
fn dropping_a_rule_is_measured_against_the_forecast() {
    let text = fixtures::text("tests/fixtures/eval/coin-and-choice.toml");
    let checked = check_source(
        &SourceFile::new("coin", text),
        &Limits::default(),
        &EvalLimits::default(),
    );
    let (scenario, program) = (checked.scenario.unwrap(), checked.program.unwrap());
    let ranked = casus_rules::analyses::ranking::rank_assumptions(
        &Model::as_written(&scenario, &program),
        &forecast(&scenario, &program),
        &EvalLimits::default(),
    )
    .unwrap();
    // Without `heads_wins` nobody wins: win 0.25 → 0, loss 0.25 → 0.5, safe stays 0.5, so the
    // distance is 0.25. Reversing a fair coin moves nothing.
    assert_eq!(
        ranked[0].assumption,
        casus_rules::analyses::ranking::Assumption::Rule(0)
    );
    assert!((ranked[0].distance - 0.25).abs() < 1e-12, "{ranked:?}");
    assert_eq!(
        ranked[1].assumption,
        casus_rules::analyses::ranking::Assumption::Likelihood(1)
    );
    assert!(ranked[1].distance.abs() < 1e-12);
}

/// The ranking computes the rule that matters and leaves the rare one as its firing-mass
/// bound (the fixture's header has the arithmetic).
#[test]
fn a_rule_that_cannot_enter_the_ranking_is_left_as_its_bound() {
    use casus_rules::analyses::ranking::{Assumption, Measure, rank_assumptions_exactly};
    let (scenario, program) = fixture("bounded-ranking");
    let model = Model::as_written(&scenario, &program);
    let (evaluation, graph) = model.evaluate_recorded(&EvalLimits::default()).unwrap();
    let base: Vec<f64> = evaluation.outcomes.iter().map(|o| o.probability).collect();
    assert!((base[0] - 0.51).abs() < 1e-12, "{base:?}");
    let ranked =
        rank_assumptions_exactly(&model, graph.as_ref(), &base, &EvalLimits::default(), 2).unwrap();
    let rule = |name: &str| {
        let index = scenario
            .rules
            .iter()
            .position(|r| r.id.name == name)
            .unwrap();
        ranked
            .iter()
            .find(|r| r.assumption == Assumption::Rule(index))
            .unwrap()
            .clone()
    };
    let alarm = rule("raise_alarm");
    assert_eq!(alarm.measure, Measure::Exact);
    assert!((alarm.distance - 0.51).abs() < 1e-12, "{alarm:?}");
    let often = rule("often");
    assert_eq!(often.measure, Measure::Exact);
    assert!((often.distance - 0.5).abs() < 1e-12, "{often:?}");
    let seldom = rule("seldom");
    assert_eq!(seldom.measure, Measure::Bound);
    assert!((seldom.distance - 0.02).abs() < 1e-12, "{seldom:?}");
    // Computed exactly when three distances are wanted: 0.01, within its bound.
    let all =
        rank_assumptions_exactly(&model, graph.as_ref(), &base, &EvalLimits::default(), 3).unwrap();
    let index = scenario
        .rules
        .iter()
        .position(|r| r.id.name == "seldom")
        .unwrap();
    let exact = all
        .iter()
        .find(|r| r.assumption == Assumption::Rule(index))
        .unwrap();
    assert_eq!(exact.measure, Measure::Exact);
    assert!((exact.distance - 0.01).abs() < 1e-12, "{exact:?}");
}

/// The analyses that re-weight the merged graph and their fallbacks for a graph over its
/// memory budget (which evaluate the rules again, the older and independent way) agree on every
/// bundled scenario, with nothing given and with the first decision's first option given:
/// ranges and tornado, value of information, and samples.
#[test]
fn reweighting_the_graph_agrees_with_evaluating_again() {
    use casus_rules::analyses::{sampling, sensitivity, voi};
    use casus_rules::session::{Options, Session, WhatIf};
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12;
    let mut files: Vec<_> = std::fs::read_dir(fixtures::root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let limits = EvalLimits::default();
    for path in files {
        let session = Session::open(
            SourceFile::new(
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ),
            Options::default(),
        );
        let scenario = session.scenario().unwrap();
        let first = &scenario.decisions[0];
        let given = format!("{}={}", first.id.name, first.options[0].name);
        for what_if in [
            WhatIf::none(),
            WhatIf {
                given: vec![WhatIf::parse_given(&given).unwrap()],
                ..WhatIf::none()
            },
        ] {
            let what = format!("{} {what_if:?}", path.display());
            let model = session.model(&what_if).unwrap();
            let (_, graph) = model.evaluate_recorded(&limits).unwrap();
            let graph = graph.as_ref();
            assert!(
                graph.is_some(),
                "{what}: the bundled scenarios fit the budget"
            );

            let fast = sensitivity::sensitivity_with(&model, graph, &limits).unwrap();
            let slow = sensitivity::sensitivity_with(&model, None, &limits).unwrap();
            assert_eq!(fast.ranges.len(), slow.ranges.len(), "{what}");
            for (a, b) in fast.ranges.iter().zip(&slow.ranges) {
                assert!(close(a.0, b.0) && close(a.1, b.1), "{what}: {a:?} vs {b:?}");
            }
            assert_eq!(fast.tornado.len(), slow.tornado.len(), "{what}");
            for (a, b) in fast.tornado.iter().zip(&slow.tornado) {
                assert_eq!((a.decision, a.outcome), (b.decision, b.outcome), "{what}");
                assert!(
                    close(a.low, b.low) && close(a.high, b.high),
                    "{what}: {a:?} vs {b:?}"
                );
            }

            let fast = voi::value_of_information_with(&model, graph, &limits).unwrap();
            let slow = voi::value_of_information_with(&model, None, &limits).unwrap();
            assert_eq!(fast.len(), slow.len(), "{what}");
            for (a, b) in fast.iter().zip(&slow) {
                assert_eq!(
                    (a.decision, a.undefined),
                    (b.decision, b.undefined),
                    "{what}"
                );
                let (x, y) = (
                    a.evpi.clone().unwrap_or_default(),
                    b.evpi.clone().unwrap_or_default(),
                );
                assert!(
                    x.len() == y.len() && x.iter().zip(&y).all(|(p, q)| (p - q).abs() <= 1e-9),
                    "{what}: {a:?} vs {b:?}"
                );
            }

            let fast = sampling::draws_with(&model, graph, &limits, (50, 3)).unwrap();
            let slow = sampling::draws_with(&model, None, &limits, (50, 3)).unwrap();
            assert_eq!(fast.line_changed, slow.line_changed, "{what}");
            for (a, b) in fast.probabilities.iter().zip(&slow.probabilities) {
                assert!(
                    a.iter().zip(b).all(|(p, q)| close(*p, *q)),
                    "{what}: {a:?} vs {b:?}"
                );
            }
        }
    }
}
