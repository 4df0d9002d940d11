//! Evaluation of generated scenarios under small limits: the search (on one thread and on
//! two, which must agree to the byte), sensitivity, tests with coverage, the path walk,
//! explanations, why-not, value of information, assumption ranking, the decision graph and
//! the game tree. Invariant checked: the forecast sums to 1.
#![no_main]

use std::ops::ControlFlow;

use casus_core::SourceFile;
use casus_fuzz::GenScenario;
use casus_rules::{Given, check_source, evaluate};
use libfuzzer_sys::fuzz_target;

const MAX_PATHS: u64 = 20_000;

fuzz_target!(|input: (GenScenario, Vec<u8>)| {
    let (generated, fixed) = input;
    let file = SourceFile::new("gen.toml", generated.to_toml());
    let (limits, eval) = casus_fuzz::small_limits();
    let checked = check_source(&file, &limits, &eval);
    let (Some(scenario), Some(program), Some(evaluation), false) = (
        &checked.scenario,
        &checked.program,
        &checked.evaluation,
        checked.has_errors(),
    ) else {
        return;
    };
    let sum: f64 = evaluation.outcomes.iter().map(|o| o.probability).sum();
    assert!((sum - 1.0).abs() < 1e-6, "the forecast sums to {sum}");

    let two = casus_rules::EvalLimits { threads: 2, ..eval.clone() };
    let none = Given::none(program.decisions.len());
    if let Ok(parallel) = evaluate(scenario, program, &none, &two) {
        assert_eq!(
            serde_json::to_string(evaluation).ok(),
            serde_json::to_string(&parallel).ok(),
            "one thread and two disagree"
        );
    }

    // Fix some decisions from the fuzzer's bytes.
    let mut given = Given::none(program.decisions.len());
    for (d, decision) in program.decisions.iter().enumerate() {
        let Some(&b) = fixed.get(d) else { break };
        let n = decision.probabilities.len().max(1);
        if b & 0x80 != 0 {
            given.decisions[d] = Some(usize::from(b) % n);
        }
    }
    let _ = evaluate(scenario, program, &given, &eval);
    let model = casus_rules::session::Model {
        given: given.clone(),
        ..casus_rules::session::Model::as_written(scenario, program)
    };
    let _ = casus_rules::analyses::sensitivity::sensitivity(&model, &eval);
    let _ = casus_rules::workflow::testing::run_tests_with_coverage(scenario, &eval);
    let _ = casus_rules::search::paths::walk(program, &given, MAX_PATHS, |_| ControlFlow::Continue(()));
    let _ = casus_rules::analyses::voi::value_of_information(&model, &eval);
    if let Ok(e) = model.evaluate(&eval) {
        let forecast: Vec<f64> = e.outcomes.iter().map(|o| o.probability).collect();
        let _ = casus_rules::analyses::ranking::rank_assumptions(&model, &forecast, &eval);
    }
    let _ = casus_rules::graphs::drawing::build(program, &given, 300);
    let _ = casus_rules::analyses::sampling::sample(&model, &eval, (8, 7));
    if let Ok(game) = casus_rules::graphs::game_tree::build(scenario, program, 2_000) {
        let _ = casus_rules::graphs::game_tree::solve(scenario, program, &game, &eval);
    }
    if let Ok(Some(explanation)) = casus_rules::analyses::explain::explain(program, &given, MAX_PATHS) {
        let fixed = casus_rules::search::given::Fixed {
            given: given.clone(),
            overrides: Vec::new(),
        };
        for outcome in 0..scenario.outcomes.len() {
            let _ = casus_rules::analyses::explain::paths_to(program, &given, outcome, 5, MAX_PATHS);
            let _ = casus_rules::analyses::whynot::why_not(
                scenario,
                program,
                &fixed,
                &explanation.path,
                outcome,
                MAX_PATHS,
            );
        }
    }
});
