//! The evaluation engine against hand-computed fixtures and a naive reference evaluator.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on fixtures that do not load"
)]

#[path = "support/fixtures.rs"]
#[allow(
    dead_code,
    reason = "each test file uses the part of the shared loader it needs"
)]
mod fixtures;
#[path = "support/generate.rs"]
#[expect(
    dead_code,
    reason = "shared test support: the session's parts of the generator are for tests/session_reference.rs"
)]
mod generate;
#[path = "support/reference.rs"]
#[expect(
    dead_code,
    reason = "shared test support: the session's analyses of the reference are for tests/session_reference.rs"
)]
mod reference;

use std::ops::ControlFlow;

use casus_core::SourceFile;
use casus_core::limits::Limits;
use casus_core::model::{Scenario, Value};
use casus_rules::search::paths::walk;
use casus_rules::{EvalLimits, Evaluation, Given, Program, check_source, evaluate};
use proptest::prelude::*;

fn load(name: &str, text: &str) -> (Scenario, Program, Evaluation) {
    let checked = check_source(
        &SourceFile::new(name, text),
        &Limits::default(),
        &EvalLimits::default(),
    );
    assert!(
        !checked.has_errors(),
        "{name} has errors: {:#?}\n{text}",
        checked.diagnostics
    );
    (
        checked.scenario.unwrap(),
        checked.program.unwrap(),
        checked.evaluation.unwrap(),
    )
}

fn fixture(name: &str) -> (Scenario, Program, Evaluation) {
    load(
        name,
        &fixtures::text(&format!("tests/fixtures/eval/{name}.toml")),
    )
}

fn probability(scenario: &Scenario, evaluation: &Evaluation, outcome: &str) -> f64 {
    let i = scenario
        .outcomes
        .iter()
        .position(|o| o.id.name == outcome)
        .unwrap();
    evaluation.outcomes[i].probability
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12
}

/// The option names along the line of play.
fn line(scenario: &Scenario, evaluation: &Evaluation) -> Vec<String> {
    evaluation
        .strategy
        .line
        .iter()
        .map(|s| {
            let d = &scenario.decisions[s.decision];
            format!("{}={}", d.id.name, d.options[s.option].name)
        })
        .collect()
}

fn given(scenario: &Scenario, pairs: &[(&str, &str)]) -> (Program, Given) {
    let values: Vec<(&str, Value)> = pairs
        .iter()
        .map(|(n, v)| (*n, casus_rules::search::given::parse_value(v)))
        .collect();
    let fixed =
        casus_rules::search::given::resolve(scenario, values.iter().map(|(n, v)| (*n, v))).unwrap();
    (
        Program::compile_with(scenario, &fixed.overrides).unwrap(),
        fixed.given,
    )
}

#[test]
fn design_example_matches_the_independent_computation() {
    let (s, _, e) = load(
        "design",
        &fixtures::text("tests/fixtures/valid/design-example.toml"),
    );
    // Computed independently of casus (the fixture's header).
    assert_eq!(e.paths, 25);
    for (id, p) in [
        ("stalemate", 0.5996),
        ("us_walks_away", 0.2442),
        ("ceasefire_collapses", 0.1055),
        ("frozen_conflict", 0.0486),
        ("recognised_settlement", 0.0022),
    ] {
        assert!(
            (probability(&s, &e, id) - p).abs() < 5e-5,
            "{id}: {}",
            probability(&s, &e, id)
        );
    }
    assert_eq!(e.uniform, vec![1]);
}

#[test]
fn entry_game_is_solved_by_backward_induction() {
    let (s, _, e) = fixture("entry-game");
    assert_eq!(line(&s, &e), ["entry=enter", "response=accommodate"]);
    assert_eq!(e.strategy.payoffs, vec![1.0, 1.0]);
    assert_eq!(e.strategy.outcome, Some(1));
    assert_eq!(e.paths, 3);
    // Forecast with both choices uniform: stay_out 0.5, fight 0.25, accommodate 0.25.
    assert!(close(probability(&s, &e, "monopoly"), 0.5));
    assert!(close(probability(&s, &e, "price_war"), 0.25));
}

#[test]
fn a_choice_before_chance_weighs_the_expected_payoff() {
    let (s, _, e) = fixture("coin-and-choice");
    assert_eq!(line(&s, &e)[0], "pick=risky");
    assert!(close(e.strategy.payoffs[0], 0.5));
    assert!(close(probability(&s, &e, "win"), 0.25));
    assert!(close(probability(&s, &e, "loss"), 0.25));
    assert!(close(probability(&s, &e, "safe"), 0.5));
    // Under the strategy, the gambler always bets: win and loss are even.
    assert!(close(e.outcomes[0].strategic_probability, 0.5));
    assert!(close(e.outcomes[2].strategic_probability, 0.0));
}

#[test]
fn conditional_likelihoods_take_the_first_match() {
    let (s, _, e) = fixture("conditional-likelihood");
    assert!(
        close(probability(&s, &e, "clash"), 0.69),
        "{}",
        probability(&s, &e, "clash")
    );
    assert!(close(probability(&s, &e, "calm"), 0.31));
}

#[test]
fn add_sums_are_exact() {
    let (s, _, e) = fixture("add-sums");
    assert!(
        close(probability(&s, &e, "majority"), 0.648),
        "{}",
        probability(&s, &e, "majority")
    );
    assert_eq!(e.paths, 8);
}

#[test]
fn skipped_decisions_stay_unset() {
    let (s, _, e) = fixture("skipped-decisions");
    assert_eq!(e.paths, 3);
    assert!(close(probability(&s, &e, "no_talks"), 0.6));
    assert!(close(probability(&s, &e, "deal"), 0.2));
    assert!(close(probability(&s, &e, "no_deal"), 0.2));
}

#[test]
fn ties_are_reported_and_broken_by_file_order() {
    let (s, _, e) = fixture("ties");
    let step = &e.strategy.line[0];
    assert_eq!(step.optimal, vec![0, 1]);
    assert_eq!(step.option, 0);
    assert_eq!(line(&s, &e), ["move=talk"]);
    assert_eq!(e.strategy.payoffs, vec![1.0, 2.0]);
}

#[test]
fn the_higher_priority_wins() {
    let (s, _, e) = fixture("priority");
    assert!(close(probability(&s, &e, "tense"), 0.5));
    assert!(close(probability(&s, &e, "calm"), 0.5));
    assert_eq!(line(&s, &e), ["signal=alarm"]);
}

#[test]
fn nature_before_a_choice_and_input_overrides() {
    let (s, _, e) = fixture("weather");
    assert!(close(e.strategy.payoffs[0], 1.75));
    assert_eq!(line(&s, &e), ["weather=sun", "carry=none"]);
    let (program, fixed) = given(&s, &[("threshold", "5")]);
    let e = evaluate(&s, &program, &fixed, &EvalLimits::default()).unwrap();
    assert!(close(probability(&s, &e, "stuck_inside"), 1.0));
    assert_eq!(e.paths, 2);
    let (program, fixed) = given(&s, &[("weather", "rain")]);
    let e = evaluate(&s, &program, &fixed, &EvalLimits::default()).unwrap();
    assert!(close(e.strategy.payoffs[0], 1.0));
}

#[test]
fn a_given_decision_that_is_always_skipped_is_inconsistent() {
    let (s, _, _) = fixture("weather");
    let (program, fixed) = given(&s, &[("threshold", "5"), ("carry", "umbrella")]);
    let errors = evaluate(&s, &program, &fixed, &EvalLimits::default()).unwrap_err();
    assert!(
        errors[0].message.contains("no path is consistent"),
        "{:?}",
        errors[0].message
    );
}

#[test]
fn the_path_limit_ends_with_a_diagnostic() {
    let (s, p, _) = fixture("add-sums");
    let limits = EvalLimits {
        max_paths: 5,
        ..EvalLimits::default()
    };
    let errors = evaluate(&s, &p, &Given::none(3), &limits).unwrap_err();
    assert_eq!(errors[0].code, casus_core::Code::LimitExceeded);
    assert!(
        errors[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("--max-paths")
    );
}

struct EnginePath {
    choices: Vec<Option<usize>>,
    probability: f64,
    outcome: usize,
}

fn engine_paths(program: &Program, given: &Given) -> Vec<EnginePath> {
    let mut out = Vec::new();
    walk(program, given, u64::MAX, |path| {
        out.push(EnginePath {
            choices: path.steps.iter().map(|s| s.option).collect(),
            probability: path.probability,
            outcome: path.outcome.unwrap(),
        });
        ControlFlow::Continue(())
    })
    .unwrap();
    out
}

fn assert_same_results(a: &(Scenario, Evaluation), b: &(Scenario, Evaluation)) {
    assert_eq!(a.1.paths, b.1.paths);
    for (i, o) in a.0.outcomes.iter().enumerate() {
        let j =
            b.0.outcomes
                .iter()
                .position(|x| x.id.name == o.id.name)
                .unwrap();
        assert!(
            close(a.1.outcomes[i].probability, b.1.outcomes[j].probability),
            "{}",
            o.id.name
        );
        assert_eq!(a.1.outcomes[i].reachable, b.1.outcomes[j].reachable);
    }
    assert_eq!(a.1.strategy.payoffs, b.1.strategy.payoffs);
    assert_eq!(a.1.strategy.line, b.1.strategy.line);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_the_reference(generated in generate::scenario()) {
        let text = generated.to_toml(None);
        let (scenario, program, evaluation) = load("generated", &text);
        let reference = reference::Reference::new(&scenario, &[]);
        let ref_paths = reference.paths();
        let paths = engine_paths(&program, &Given::none(scenario.decisions.len()));
        prop_assert_eq!(evaluation.paths, ref_paths.len() as u128);
        prop_assert_eq!(paths.len(), ref_paths.len());
        for (e, r) in paths.iter().zip(&ref_paths) {
            prop_assert_eq!(&e.choices, &r.choices);
            prop_assert_eq!(e.outcome, r.outcome, "{}", text);
            prop_assert!(close(e.probability, r.probability));
        }
        let forecast = reference::forecast(&ref_paths, scenario.outcomes.len());
        let mut total = 0.0;
        for (i, p) in forecast.iter().enumerate() {
            prop_assert!(close(evaluation.outcomes[i].probability, *p), "outcome {}: {} vs {}\n{}", i, evaluation.outcomes[i].probability, p, text);
            total += evaluation.outcomes[i].probability;
        }
        prop_assert!((total - 1.0).abs() < 1e-12);
        let expected = reference.strategy(&[]).unwrap();
        for (a, b) in evaluation.strategy.payoffs.iter().zip(&expected) {
            prop_assert!((a - b).abs() < 1e-9, "strategy {:?} vs {:?}\n{}", evaluation.strategy.payoffs, expected, text);
        }
    }

    #[test]
    fn reordering_the_file_changes_nothing(generated in generate::scenario(), seed in any::<u64>()) {
        let (s1, _, e1) = load("original", &generated.to_toml(None));
        let (s2, _, e2) = load("shuffled", &generated.to_toml(Some(seed)));
        assert_same_results(&(s1, e1), &(s2, e2));
    }

    #[test]
    fn given_equals_filtering_the_full_enumeration(generated in generate::scenario(), pick in any::<(usize, usize)>()) {
        let text = generated.to_toml(None);
        let (scenario, program, _) = load("generated", &text);
        let d = pick.0 % scenario.decisions.len();
        let o = pick.1 % scenario.decisions[d].options.len();
        let mut fixed = Given::none(scenario.decisions.len());
        fixed.decisions[d] = Some(o);
        let reference = reference::Reference::new(&scenario, &[]);
        let kept: Vec<_> = reference.paths().into_iter().filter(|p| p.choices[d] == Some(o)).collect();
        match evaluate(&scenario, &program, &fixed, &EvalLimits::default()) {
            Ok(evaluation) => {
                prop_assert!(!kept.is_empty());
                prop_assert_eq!(evaluation.paths, kept.len() as u128);
                let forecast = reference::forecast(&kept, scenario.outcomes.len());
                for (i, p) in forecast.iter().enumerate() {
                    prop_assert!(close(evaluation.outcomes[i].probability, *p), "{}", text);
                }
                let mut forced = vec![None; scenario.decisions.len()];
                forced[d] = Some(o);
                let expected = reference.strategy(&forced).unwrap();
                for (a, b) in evaluation.strategy.payoffs.iter().zip(&expected) {
                    prop_assert!((a - b).abs() < 1e-9, "{}", text);
                }
            }
            Err(_) => prop_assert!(kept.is_empty(), "engine found no consistent path, the reference found {}", kept.len()),
        }
    }
}

#[test]
fn a_tie_in_the_likelihoods_is_not_a_key_assumption() {
    // `a` and `b` are equally likely and the payoffs favour `b`: the forecast does not say
    // `a` over `b`, so nothing disagrees. Favouring `c` instead is a real disagreement.
    let scenario = |best: &str| {
        format!(
            "[scenario]\ntitle = \"tie\"\n[actors]\ngov = \"Government\"\n\
             [decisions.move]\nactor = \"gov\"\noptions = [\"a\", \"b\", \"c\"]\n\
             likelihood = {{ a = 0.4, b = 0.4, c = 0.2 }}\n\
             [outcomes.best]\nwhen = \"move == '{best}'\"\npayoff = {{ gov = 1 }}\n\
             [outcomes.rest]\npayoff = {{ gov = 0 }}\n"
        )
    };
    let (_, _, e) = load("tie", &scenario("b"));
    assert!(e.key_assumptions.is_empty(), "{:?}", e.key_assumptions);
    let (_, _, e) = load("tie", &scenario("c"));
    assert_eq!(e.key_assumptions.len(), 1);
    assert_eq!(e.key_assumptions[0].strategic, vec![2]);
}
