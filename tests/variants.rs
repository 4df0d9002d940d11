//! Variants and analysts: overrides, pooling and disagreement against numbers computed by hand
//! (in the comments of `tests/fixtures/variants/*.toml`), tests that target a variant, and
//! the checks of the new tables.
#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test fail the test on any error, as the tests themselves do"
)]

use std::path::Path;

use casus_core::limits::Limits;
use casus_core::model::Scenario;
use casus_core::{Code, SourceFile};
use casus_report::diagnostics::render_human;
use casus_rules::analyses::variants::{Column, ColumnResult, analysts, apply};
use casus_rules::session::{Budget, Model, Options, Session, WhatIf};
use casus_rules::workflow::testing::{TestStatus, run_tests};
use casus_rules::{EvalLimits, Given, Program, check_source};

fn checked(relative: &str) -> casus_rules::Checked {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/variants")
        .join(relative);
    let text = std::fs::read_to_string(path).unwrap();
    check_source(
        &SourceFile::new(format!("tests/fixtures/variants/{relative}"), text),
        &Limits::default(),
        &EvalLimits::default(),
    )
}

fn fixture(relative: &str) -> Scenario {
    let checked = checked(relative);
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    checked.scenario.unwrap()
}

fn assert_close(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < 1e-12, "{actual:?} vs {expected:?}");
    }
}

fn forecast(scenario: &Scenario) -> Vec<f64> {
    let program = Program::compile(scenario).unwrap();
    casus_rules::evaluate(
        scenario,
        &program,
        &Given::none(program.decisions.len()),
        &EvalLimits::default(),
    )
    .unwrap()
    .outcomes
    .iter()
    .map(|o| o.probability)
    .collect()
}

/// Outcomes in file order: deal, walk, talks.
/// The base and every variant of a fixture, side by side through a session.
fn compare(relative: &str, given: &[(&str, casus_core::model::Value)]) -> Vec<Column> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/variants")
        .join(relative);
    let text = std::fs::read_to_string(&path).unwrap();
    let session = Session::open(SourceFile::new(relative, text), Options::default());
    let what_if = WhatIf {
        given: given
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect(),
        ..WhatIf::none()
    };
    session
        .compare_variants(&what_if, &Budget::unlimited())
        .unwrap()
}

#[test]
fn a_variant_overrides_facts_likelihoods_and_payoffs() {
    let base = fixture("talks.toml");
    assert_close(&forecast(&base), &[0.2, 0.48, 0.32]);
    // The input fact makes the conditional table apply.
    let unfrozen = apply(&base, "assets_unfrozen").unwrap();
    assert_close(&forecast(&unfrozen), &[0.5, 0.3, 0.2]);
    // The variant's table replaces the base table; the payoff override changes Russia's mind.
    let hardliners = apply(&base, "hardliners").unwrap();
    assert_close(&forecast(&hardliners), &[0.1, 0.54, 0.36]);
    assert_eq!(hardliners.outcomes[0].payoff_of("russia"), Some(5.0));
    assert_eq!(hardliners.outcomes[0].payoff_of("us"), Some(2.0));
    // Applying a variant changes nothing else, and the base is untouched.
    assert_eq!(hardliners.rules.len(), base.rules.len());
    assert_eq!(base.outcomes[0].payoff_of("russia"), Some(-1.0));
    assert!(apply(&base, "no_such_variant").is_none());
}

#[test]
fn variants_compare_side_by_side_base_first() {
    let scenario = fixture("talks.toml");
    let columns = compare("talks.toml", &[]);
    let variants: Vec<Option<usize>> = columns.iter().map(|c| c.variant).collect();
    assert_eq!(variants, [None, Some(0), Some(1)]);
    let result = |i: usize| -> &ColumnResult { columns[i].result.as_ref().unwrap() };
    assert_close(&result(0).probabilities, &[0.2, 0.48, 0.32]);
    assert_close(&result(1).probabilities, &[0.5, 0.3, 0.2]);
    assert_close(&result(2).probabilities, &[0.1, 0.54, 0.36]);
    // Base: Russia refuses (then the US keeps talking, 0 beats -1), so play ends in talks;
    // with a deal worth 5 to Russia, play ends in the deal.
    assert_eq!(result(0).strategic_outcome, Some(2));
    assert_eq!(result(2).strategic_outcome, Some(0));
    assert_close(&result(2).payoffs, &[2.0, 5.0]);
    insta::assert_snapshot!(
        "comparison",
        casus_report::analysis::render_variants(&scenario, &columns)
    );
    insta::assert_snapshot!(
        "comparison_json",
        serde_json::to_string_pretty(
            &casus_report::output::eval::VariantsOutput::build(&scenario, &columns).variants
        )
        .unwrap()
    );
}

#[test]
fn given_values_apply_to_every_column_and_win_over_a_variant() {
    let given = [("assets_frozen", casus_core::model::Value::Bool(false))];
    let columns = compare("talks.toml", &given);
    // With the assets unfrozen everywhere, the base and `assets_unfrozen` agree; `hardliners`
    // replaces only the base table, so the conditional table still applies to it.
    for column in &columns {
        assert_close(
            &column.result.as_ref().unwrap().probabilities,
            &[0.5, 0.3, 0.2],
        );
    }
}

#[test]
fn tests_can_target_a_variant() {
    let scenario = fixture("talks.toml");
    let results = run_tests(&scenario, &EvalLimits::default());
    assert_eq!(results.len(), 4);
    for r in &results {
        assert_eq!(r.status, TestStatus::Passed, "{r:?}");
    }
    // The same expectation against the base fails: the variant is what makes it hold.
    let mut against_base = scenario.clone();
    against_base.tests[1].variant = None;
    let results = run_tests(&against_base, &EvalLimits::default());
    assert_eq!(results[1].status, TestStatus::Failed);
}

#[test]
fn analysts_are_pooled_and_their_disagreement_measured() {
    let scenario = fixture("analysts.toml");
    // The pool: accept 0.3, refuse 0.35, stall 0.35; bands are the envelopes.
    let program = Program::compile(&scenario).unwrap();
    assert_close(&program.decisions[0].probabilities, &[0.3, 0.35, 0.35]);
    assert_eq!(
        program.decisions[0].bands,
        vec![(0.2, 0.4), (0.3, 0.4), (0.2, 0.5)]
    );
    assert_close(&forecast(&scenario), &[0.3, 0.42, 0.28]);
    let program = Program::compile(&scenario).unwrap();
    let found = analysts(
        &Model::as_written(&scenario, &program),
        &EvalLimits::default(),
    )
    .unwrap();
    assert_eq!(found.len(), 1);
    let d = &found[0];
    assert_eq!(
        (d.decision, d.option),
        (0, 2),
        "they disagree most on stall"
    );
    assert!((d.spread - 0.3).abs() < 1e-12);
    assert_close(d.forecasts[0].as_ref().unwrap(), &[0.2, 0.48, 0.32]);
    assert_close(d.forecasts[1].as_ref().unwrap(), &[0.4, 0.36, 0.24]);
    assert_close(&d.moves, &[0.2, 0.12, 0.08]);
    insta::assert_snapshot!(
        "analysts",
        casus_report::analysis::render_analysts(&scenario, &found)
    );
}

#[test]
fn an_old_estimate_is_stale_relative_to_the_scenario_date() {
    let checked = checked("analysts.toml");
    let stale: Vec<&str> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::StaleEstimate)
        .map(|d| d.message.as_str())
        .collect();
    // Bob's estimate is 110 days older than the scenario's `as_of`; alice's is 21.
    assert_eq!(
        stale,
        [
            "the estimate of `bob` for `russia_answer` is 110 days old, more than the 90 the file allows"
        ]
    );
}

#[test]
fn a_plain_table_beside_the_analysts_is_one_more_estimate() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/variants/analysts.toml"),
    )
    .unwrap()
    // An inline table cannot be extended by later headers, so the plain table gets a header of
    // its own, before the analysts' tables.
    .replace(
        "options = [\"accept\", \"refuse\", \"stall\"]\n",
        "options = [\"accept\", \"refuse\", \"stall\"]\n\n[decisions.russia_answer.likelihood]\naccept = 0.6\nrefuse = 0.2\nstall = 0.2\n",
    );
    let checked = check_source(
        &SourceFile::new("beside.toml", text),
        &Limits::default(),
        &EvalLimits::default(),
    );
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    let scenario = checked.scenario.unwrap();
    let names: Vec<&str> = scenario.decisions[0]
        .estimates
        .iter()
        .map(|e| e.analyst.name.as_str())
        .collect();
    assert_eq!(names, ["(unattributed)", "alice", "bob"]);
    // (0.6 + 0.2 + 0.4) / 3, (0.2 + 0.3 + 0.4) / 3, (0.2 + 0.5 + 0.2) / 3.
    assert_close(
        &checked.program.unwrap().decisions[0].probabilities,
        &[0.4, 0.3, 0.3],
    );
}

#[test]
fn mistakes_in_variants_and_estimates_are_reported_where_they_are() {
    insta::glob!("fixtures/variants/invalid", "*.toml", |path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let checked = checked(&format!("invalid/{name}"));
        let text = std::fs::read_to_string(path).unwrap();
        let file = SourceFile::new(format!("tests/fixtures/variants/invalid/{name}"), text);
        assert!(checked.has_errors());
        insta::assert_snapshot!(render_human(&file, &checked.diagnostics, false));
    });
}
