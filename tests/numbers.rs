//! The number model of `add` facts (issue 21): fixed point, whole numbers of 1e-9 within
//! ±1e15, shared by every engine. Sums are compared with exact expected values — the ones an
//! analyst computes by hand, which `f64` addition would miss in the last bit — in the search
//! (`eval`), the path walk (`explain`, `test`) and the lints (`check`); values the model
//! cannot hold are an `E0406` at check time, never a clamp.
#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test fail the test on any error, as the tests themselves do"
)]

use casus_core::limits::Limits;
use casus_core::model::{Scenario, Value};
use casus_core::{Code, Diagnostic, SourceFile};
use casus_rules::analyses::explain::explain;
use casus_rules::compile::value::Val;
use casus_rules::workflow::testing::{TestStatus, run_tests};
use casus_rules::{Checked, EvalLimits, Program, check_source};

fn check(text: &str) -> Checked {
    check_source(
        &SourceFile::new("numbers.toml", text),
        &Limits::default(),
        &EvalLimits::default(),
    )
}

/// Ten rules add `0.1` to `n` and two add `0.1` and `0.2` to `m` (default `0.3`) when the coin
/// shows `x`. By hand: `n` = 1 and `m` = 0.6 exactly on that side, 0 and 0.3 on the other. In
/// `f64`, `0.1` added ten times is 0.9999999999999999 and `0.3 + 0.1 + 0.2` is
/// 0.6000000000000001, so an engine that summed in `f64` would miss both outcomes.
fn tenths() -> String {
    let mut text = String::from(
        "[scenario]\ntitle = \"tenths\"\n\n[actors]\na = \"A\"\n\n[facts]\nn = { type = \"number\", default = 0 }\nm = { type = \"number\", default = 0.3 }\n\n[decisions.coin]\nactor = \"nature\"\noptions = [\"x\", \"y\"]\nlikelihood = { x = 0.5, y = 0.5 }\n\n",
    );
    for i in 0..10 {
        text.push_str(&format!(
            "[rules.tenth_{i}]\nwhen = \"coin == 'x'\"\nadd = {{ n = 0.1 }}\n\n"
        ));
    }
    text.push_str("[rules.m_one]\nwhen = \"coin == 'x'\"\nadd = { m = 0.1 }\n\n[rules.m_two]\nwhen = \"coin == 'x'\"\nadd = { m = 0.2 }\n\n");
    text.push_str(
        "[outcomes.exact]\nwhen = \"n == 1 and m == 0.6\"\npayoff = { a = 1 }\n\n[outcomes.rest]\npayoff = { a = 0 }\n\n[tests.ten_tenths_make_one]\ngiven = { coin = \"x\" }\nexpect = { n = 1, m = 0.6, outcome = \"exact\" }\n\n[tests.nothing_added]\ngiven = { coin = \"y\" }\nexpect = { n = 0, m = 0.3, outcome = \"rest\" }\n\n[tests.half]\nexpect_probability = { exact = [0.5, 0.5] }\n",
    );
    text
}

fn index(scenario: &Scenario, outcome: &str) -> usize {
    scenario
        .outcomes
        .iter()
        .position(|o| o.id.name == outcome)
        .unwrap()
}

fn fact(scenario: &Scenario, name: &str) -> usize {
    scenario
        .facts
        .iter()
        .position(|f| f.id.name == name)
        .unwrap()
}

#[test]
fn every_engine_sums_tenths_exactly() {
    let checked = check(&tenths());
    // The lints walk the paths too: none says an outcome is unreachable.
    assert_eq!(checked.diagnostics, Vec::<Diagnostic>::new());
    let scenario = checked.scenario.unwrap();
    let program = checked.program.unwrap();
    let evaluation = checked.evaluation.unwrap();
    // The search.
    assert_eq!(
        evaluation.outcomes[index(&scenario, "exact")].probability,
        0.5
    );
    assert_eq!(
        evaluation.outcomes[index(&scenario, "rest")].probability,
        0.5
    );
    // The path walk behind `test`.
    let results = run_tests(&scenario, &EvalLimits::default());
    assert_eq!(results.len(), 3);
    for result in &results {
        assert_eq!(result.status, TestStatus::Passed, "{result:#?}");
    }
    // The path walk behind `explain`: the most likely path (the first, `x`) and its values.
    let explanation = explain(&program, &casus_rules::Given::default(), 1_000)
        .unwrap()
        .unwrap();
    let path = explanation.path;
    assert_eq!(path.outcome, Some(index(&scenario, "exact")));
    assert_eq!(
        path.fact(&program, fact(&scenario, "n")),
        Some(Val::Num(1.0))
    );
    assert_eq!(
        path.fact(&program, fact(&scenario, "m")),
        Some(Val::Num(0.6))
    );
}

/// The findings of `text`, as `CODE message`.
fn findings(text: &str) -> Vec<String> {
    check(text)
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::AddRange)
        .map(|d| format!("{} {}", d.code.as_str(), d.message))
        .collect()
}

fn with_facts_and_adds(facts: &str, adds: &[&str]) -> String {
    let mut text = format!(
        "[scenario]\ntitle = \"range\"\n\n[actors]\na = \"A\"\n\n[facts]\n{facts}\n\n[decisions.d]\nactor = \"a\"\noptions = [\"x\", \"y\"]\n\n"
    );
    for (i, add) in adds.iter().enumerate() {
        text.push_str(&format!(
            "[rules.r{i}]\nwhen = \"d == 'x'\"\nadd = {{ {add} }}\n\n"
        ));
    }
    text.push_str("[outcomes.high]\nwhen = \"n > 0\"\npayoff = { a = 1 }\n\n[outcomes.rest]\npayoff = { a = 0 }\n");
    text
}

#[test]
fn what_fixed_point_cannot_hold_is_an_error_at_check_time() {
    let n = "n = { type = \"number\", default = 0 }";
    // An amount below the resolution: `eval` used to round it to 0 and call `n > 0` unreachable.
    assert_eq!(
        findings(&with_facts_and_adds(n, &["n = 0.0000000004"])),
        ["E0406 rule `r0` adds `4e-10` to `n`, finer than `add` sums resolve"]
    );
    // Two amounts of 1e308: each beyond the range (and their sum infinite).
    assert_eq!(
        findings(&with_facts_and_adds(n, &["n = 1e308", "n = 1e308"])),
        [
            "E0406 rule `r0` adds `1e308` to `n`, more than `add` sums hold",
            "E0406 rule `r1` adds `1e308` to `n`, more than `add` sums hold"
        ]
    );
    // Each amount fits, their sum may not: the bound is |default| + Σ |amount|.
    assert_eq!(
        findings(&with_facts_and_adds(
            "n = { type = \"number\", default = -1e14 }",
            &["n = 6e14", "n = -4e14"]
        )),
        ["E0406 the sum of `n` could reach 1.1e15, beyond what `add` sums hold"]
    );
    // A default beyond the range, and one with more than nine decimals.
    assert_eq!(
        findings(&with_facts_and_adds(
            "n = { type = \"number\", default = 1e20 }",
            &["n = 1"]
        )),
        ["E0406 the default of `n`, `1e20`, is beyond what `add` sums hold"]
    );
    assert_eq!(
        findings(&with_facts_and_adds(
            "n = { type = \"number\", default = 0.1234567891 }",
            &["n = 1"]
        )),
        ["E0406 the default of `n`, `0.1234567891`, is finer than `add` sums resolve"]
    );
    // At the edges of the range and the resolution: fine, and exact.
    let edge = check(&with_facts_and_adds(
        "n = { type = \"number\", default = -4e14 }",
        &["n = 0.000000001", "n = 599999999999999.9"],
    ));
    assert!(!edge.has_errors(), "{:#?}", edge.diagnostics);
}

/// A fact that is only set (`then`) is not summed: its default may be any finite number.
#[test]
fn facts_that_are_set_keep_the_whole_range_of_numbers() {
    let text = "[scenario]\ntitle = \"set\"\n\n[actors]\na = \"A\"\n\n[facts]\nn = { type = \"number\", default = 1e300 }\n\n[decisions.d]\nactor = \"a\"\noptions = [\"x\", \"y\"]\n\n[rules.r]\nwhen = \"d == 'x'\"\nthen = { n = 1e-20 }\n\n[outcomes.tiny]\nwhen = \"n < 1\"\npayoff = { a = 1 }\n\n[outcomes.rest]\npayoff = { a = 0 }\n";
    let checked = check(text);
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    let scenario = checked.scenario.unwrap();
    let default = match &scenario.facts[0].kind {
        casus_core::model::FactKind::Derived { default, .. } => default.value.clone(),
        casus_core::model::FactKind::Input { .. } => Value::Bool(false),
    };
    assert_eq!(default, Value::Number(1e300));
    let _ = Program::compile(&scenario).unwrap();
}
