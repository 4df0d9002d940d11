//! Explanations, counterfactuals, sensitivity ranges and key-assumption flags.
//!
//! The fixtures in `tests/fixtures/explain/` carry their hand computations in their header
//! comments; the assertions here repeat those numbers, never numbers copied from casus's own
//! output. The property tests check why-not's minimality by brute force over every set of
//! flipped decisions, against the naive reference evaluator's enumeration of paths, and the
//! range invariants on generated scenarios.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions unwrap fixtures that must load"
)]

#[path = "../crates/casus-rules/tests/support/generate.rs"]
#[expect(
    dead_code,
    reason = "shared test support: the session's parts of the generator are for tests/session_reference.rs"
)]
mod generate;
#[path = "../crates/casus-rules/tests/support/reference.rs"]
#[expect(
    dead_code,
    clippy::expect_used,
    reason = "shared test support: this suite uses only its path enumeration, and its helpers expect well-formed scenarios"
)]
mod reference;

use casus_core::SourceFile;
use casus_core::limits::Limits;
use casus_core::model::{Scenario, Value};
use casus_report::explain::ExplainReport;
use casus_rules::analyses::explain::{ExplainedPath, Explanation, explain, paths_to};
use casus_rules::analyses::sensitivity::{Sensitivity, sensitivity};
use casus_rules::analyses::whynot::{Reason, WhyNot, why_not};
use casus_rules::compile::value::Val;
use casus_rules::search::given::Fixed;
use casus_rules::{EvalLimits, Evaluation, Given, Program, check_source, evaluate};
use proptest::prelude::*;

const MAX_PATHS: u64 = 1_000_000;

fn load(name: &str, text: &str) -> (Scenario, Program) {
    let checked = check_source(
        &SourceFile::new(name, text),
        &Limits::default(),
        &EvalLimits::default(),
    );
    assert!(
        !checked.has_errors(),
        "{name} has errors: {:#?}",
        checked.diagnostics
    );
    (checked.scenario.unwrap(), checked.program.unwrap())
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(format!("{}/{relative}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn fixture(name: &str) -> (Scenario, Program) {
    load(name, &read(&format!("tests/fixtures/explain/{name}.toml")))
}

fn ukraine() -> (Scenario, Program) {
    load("ukraine", &read("scenarios/ukraine-peace-framework.toml"))
}

/// What `--given` does: resolve the pairs and compile with the given input facts.
fn fix(scenario: &Scenario, pairs: &[(&str, &str)]) -> (Fixed, Program) {
    let values: Vec<(&str, Value)> = pairs
        .iter()
        .map(|(n, v)| (*n, casus_rules::search::given::parse_value(v)))
        .collect();
    let fixed =
        casus_rules::search::given::resolve(scenario, values.iter().map(|(n, v)| (*n, v))).unwrap();
    let program = Program::compile_with(scenario, &fixed.overrides).unwrap();
    (fixed, program)
}

fn decision(s: &Scenario, id: &str) -> usize {
    s.decisions.iter().position(|d| d.id.name == id).unwrap()
}

fn option(s: &Scenario, d: &str, o: &str) -> usize {
    s.decisions[decision(s, d)]
        .options
        .iter()
        .position(|x| x.name == o)
        .unwrap()
}

fn outcome(s: &Scenario, id: &str) -> usize {
    s.outcomes.iter().position(|o| o.id.name == id).unwrap()
}

fn rule(s: &Scenario, id: &str) -> usize {
    s.rules.iter().position(|r| r.id.name == id).unwrap()
}

fn fact(s: &Scenario, id: &str) -> usize {
    s.facts.iter().position(|f| f.id.name == id).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12
}

/// `d = o` for each decision taken on a path.
fn choices(s: &Scenario, path: &ExplainedPath) -> Vec<String> {
    path.steps
        .iter()
        .filter_map(|st| {
            let d = &s.decisions[st.decision];
            st.option
                .map(|o| format!("{}={}", d.id.name, d.options[o].name))
        })
        .collect()
}

/// Everything `casus explain` computes, rendered as the CLI renders it.
fn explain_output(
    s: &Scenario,
    given: &[(&str, &str)],
    to: Option<&str>,
    why: Option<&str>,
    json: bool,
) -> String {
    let (fixed, program) = fix(s, given);
    evaluate(s, &program, &fixed.given, &EvalLimits::default()).unwrap();
    let explanation = explain(&program, &fixed.given, MAX_PATHS).unwrap().unwrap();
    let outcome_paths =
        to.map(|id| paths_to(&program, &fixed.given, outcome(s, id), 10, MAX_PATHS).unwrap());
    let answer = why.map(|id| {
        let t = outcome(s, id);
        (
            t,
            why_not(s, &program, &fixed, &explanation.path, t, MAX_PATHS).unwrap(),
        )
    });
    let report = ExplainReport {
        scenario: s,
        program: &program,
        fixed: &fixed,
        explanation: &explanation,
        outcome_paths: outcome_paths.as_ref(),
        why_not: answer.as_ref().map(|(t, a)| (*t, a)),
    };
    if json {
        serde_json::to_string_pretty(&casus_report::output::explain::ExplainOutput::build(
            &report,
        ))
        .unwrap()
    } else {
        casus_report::explain::render_human(&report)
    }
}

fn explained(s: &Scenario, given: &[(&str, &str)]) -> (Fixed, Program, Explanation) {
    let (fixed, program) = fix(s, given);
    let explanation = explain(&program, &fixed.given, MAX_PATHS).unwrap().unwrap();
    (fixed, program, explanation)
}

// --- explain ------------------------------------------------------------------------------

#[test]
fn the_most_likely_path_is_explained_with_the_rules_along_it() {
    let (s, _) = fixture("narrative");
    let (_, program, e) = explained(&s, &[]);
    // Header of narrative.toml: four paths; withdraw (0.5) is the most likely.
    assert_eq!(e.paths, 4);
    assert!(close(e.total_probability, 1.0));
    assert!(close(e.share(), 0.5));
    assert_eq!(choices(&s, &e.path), ["move=withdraw"]);
    assert_eq!(e.path.steps[1].option, None, "answer is skipped");
    assert_eq!(
        e.path.initial,
        [rule(&s, "standing_alliance"), rule(&s, "undecided_alert")]
    );
    assert_eq!(e.path.steps[0].stopped, [rule(&s, "undecided_alert")]);
    assert!(e.path.steps[0].started.is_empty());
    assert_eq!(e.path.outcome, Some(outcome(&s, "peace")));
    assert_eq!(
        e.path.fact(&program, fact(&s, "pressure")),
        Some(Val::Num(1.0))
    );
    // `withdraw` is the likeliest option at the only step taken.
    assert_eq!(e.likelier, [None, None]);
}

#[test]
fn given_values_narrow_the_paths_and_priorities_are_named() {
    let (s, _) = fixture("narrative");
    let (_, program, e) = explained(&s, &[("move", "attack")]);
    // Header: attack+sanction 0.16 and attack+ignore 0.04; share 0.16 / 0.2 = 0.8.
    assert_eq!(e.paths, 2);
    assert!(close(e.share(), 0.8));
    assert_eq!(choices(&s, &e.path), ["move=attack", "answer=sanction"]);
    assert_eq!(e.path.steps[0].started, [rule(&s, "war_on_attack")]);
    assert_eq!(e.path.steps[1].started, [rule(&s, "sanction")]);
    assert_eq!(e.path.outcome, Some(outcome(&s, "war")));
    assert_eq!(
        e.path.fact(&program, fact(&s, "pressure")),
        Some(Val::Num(3.0))
    );
    let text = explain_output(&s, &[("move", "attack")], None, None, false);
    assert!(
        text.contains(
            "posture = war (set by `war_on_attack`, whose priority 1 overrides `undecided_alert`)"
        ),
        "{text}"
    );
    assert!(
        text.contains("pressure = 3 (default 0, +1 by `standing_alliance`, +2 by `sanction`)"),
        "{text}"
    );
    assert!(text.contains("→ attack (given)"), "{text}");
    assert!(
        text.contains("“an attack means war, whatever the alert level” (source: defence ministry)"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn the_narrative_fixture_reads_well() {
    let (s, _) = fixture("narrative");
    insta::assert_snapshot!(explain_output(&s, &[], None, None, false));
}

#[test]
fn a_less_likely_step_on_the_most_likely_path_is_pointed_out() {
    let (s, _) = ukraine();
    let (_, _, e) = explained(&s, &[("russia_answer", "refuse")]);
    // After a refusal with no threat, us_response's base table applies: walk_away "likely"
    // 0.675, pressure_russia "very unlikely" 0.125, keep_talking "unlikely" 0.325 (sum 1.125);
    // the most likely path keeps talking (0.325 / 1.125) because walk_away's paths split over
    // Europe's response and Russia's offensive. walk_away is 0.675 / 1.125 = 0.6.
    let step = decision(&s, "us_response");
    assert_eq!(
        e.path.option(step),
        Some(option(&s, "us_response", "keep_talking"))
    );
    assert!(close(e.path.steps[step].probability, 0.325 / 1.125));
    let (likelier, p) = e.likelier[step].unwrap();
    assert_eq!(likelier, option(&s, "us_response", "walk_away"));
    assert!(close(p, 0.6));
}

#[test]
fn outcome_paths_are_listed_most_likely_first_and_capped() {
    let (s, _) = fixture("why-not");
    let (fixed, program) = fix(&s, &[]);
    // Header of why-not.toml: agreement is reached by talk-yes-calm .06, talk-yes-storm .04,
    // wait-yes-storm .024, wait-no-storm .096: four paths, total .22.
    let paths = paths_to(
        &program,
        &fixed.given,
        outcome(&s, "agreement"),
        3,
        MAX_PATHS,
    )
    .unwrap();
    assert_eq!(paths.count, 4);
    assert!(close(paths.share(), 0.22));
    let listed: Vec<Vec<String>> = paths.top.iter().map(|p| choices(&s, p)).collect();
    assert_eq!(
        listed,
        [
            vec!["d1=wait", "d2=no", "d3=storm"],
            vec!["d1=talk", "d2=yes", "d3=calm"],
            vec!["d1=talk", "d2=yes", "d3=storm"],
        ]
    );
    let text = explain_output(&s, &[], Some("agreement"), None, false);
    assert!(
        text.contains("4 of 10 paths lead there, 22.0 % of their probability:"),
        "{text}"
    );
    let none = paths_to(&program, &fixed.given, outcome(&s, "never"), 3, MAX_PATHS).unwrap();
    assert_eq!((none.count, none.top.len()), (0, 0));
}

/// Issue 17: a rule that stops firing is told in the past tense from its own effects
/// ("it set posture = alert and added 2 to support"), never as a patched sentence ("it set
/// added 2 to …").
#[test]
fn a_rule_that_stops_firing_says_what_it_did() {
    let (s, _) = fixture("wording");
    let text = explain_output(&s, &[], None, None, false);
    assert!(
        text.contains(
            "rule `aid` no longer applies (it set posture = alert and added 2 to support)"
        ),
        "{text}"
    );
    assert!(!text.contains("set added"), "{text}");
}

/// Issue 17: `explain --outcome X` speaks only of paths that reach X. `withdraw` is likelier
/// at the first step, but none of its paths reaches `standoff`, so the explanation must not
/// say its paths are "less likely overall" (they are more likely, and lead elsewhere).
#[test]
fn explaining_an_outcome_speaks_only_of_paths_that_reach_it() {
    let (s, _) = fixture("wording");
    let (fixed, program) = fix(&s, &[]);
    let paths = paths_to(
        &program,
        &fixed.given,
        outcome(&s, "standoff"),
        3,
        MAX_PATHS,
    )
    .unwrap();
    assert_eq!(paths.count, 1);
    assert_eq!(paths.likelier, [None]);
    let text = explain_output(&s, &[], Some("standoff"), None, false);
    assert!(text.contains("→ stay (40.0 %)\n"), "{text}");
    assert!(!text.contains("less likely overall"), "{text}");
    // Over all paths, the same step is no different: `stay` is the less likely option, but
    // the most likely path overall takes `withdraw`, so there is nothing to point out there.
    let (_, _, e) = explained(&s, &[]);
    assert_eq!(e.likelier, [None]);
}

// --- why not ------------------------------------------------------------------------------

fn answer(s: &Scenario, given: &[(&str, &str)], target: &str) -> WhyNot {
    let (fixed, program, e) = explained(s, given);
    why_not(s, &program, &fixed, &e.path, outcome(s, target), MAX_PATHS).unwrap()
}

#[test]
fn why_not_prefers_fewer_flips_over_a_likelier_path() {
    let (s, _) = fixture("why-not");
    // Header: one flip (d2 = yes, .06) beats two flips (wait, storm, .096).
    let WhyNot::Change(change) = answer(&s, &[], "agreement") else {
        panic!("expected a change");
    };
    assert_eq!(change.flips.len(), 1);
    assert_eq!(change.flips[0].decision, decision(&s, "d2"));
    assert_eq!(change.flips[0].from, Some(option(&s, "d2", "no")));
    assert_eq!(change.flips[0].to, option(&s, "d2", "yes"));
    assert!(close(change.share(), 0.06));
    assert_eq!(change.start_firing, [rule(&s, "deal_by_talks")]);
    assert!(change.stop_firing.is_empty());
    assert_eq!(change.equally_small, 0);
}

#[test]
fn why_not_names_decisions_that_become_skipped_and_rules_that_fire() {
    let (s, _) = fixture("why-not");
    let WhyNot::Change(change) = answer(&s, &[], "crisis") else {
        panic!("expected a change");
    };
    let flipped: Vec<usize> = change.flips.iter().map(|f| f.decision).collect();
    assert_eq!(flipped, [decision(&s, "d1"), decision(&s, "d3")]);
    assert!(close(change.share(), 0.08));
    assert_eq!(change.now_skipped, [decision(&s, "d2")]);
    assert_eq!(
        change.start_firing,
        [rule(&s, "strike_escalates"), rule(&s, "storm_escalates")]
    );
}

#[test]
fn why_not_explains_what_no_change_of_choices_can_reach() {
    let (s, _) = fixture("why-not");
    assert_eq!(answer(&s, &[], "stalemate"), WhyNot::AlreadyReached);

    // Only by changing the given d3.
    let WhyNot::NoChange(Reason::GivenDecisions(change)) = answer(&s, &[("d3", "calm")], "crisis")
    else {
        panic!("expected a given decision to block it");
    };
    assert!(change.flips.iter().any(|f| f.decision == decision(&s, "d3")
        && f.from == Some(option(&s, "d3", "calm"))
        && f.to == option(&s, "d3", "storm")));

    // Only with another input fact.
    assert_eq!(
        answer(&s, &[], "war_by_treaty"),
        WhyNot::NoChange(Reason::InputFacts(vec![(
            fact(&s, "treaty_in_force"),
            Value::Bool(false)
        )]))
    );

    // Unreachable whatever the facts: `troops > 100 and troops < 50`.
    assert_eq!(
        answer(&s, &[], "never"),
        WhyNot::NoChange(Reason::Unreachable {
            reads: vec![fact(&s, "troops")]
        })
    );
    let text = explain_output(&s, &[], None, Some("never"), false);
    assert!(
        text.contains("No change of choices reaches `never`: it is unreachable on every path."),
        "{text}"
    );
    assert!(
        text.contains("Its condition `troops > 100 and troops < 50` holds on no path."),
        "{text}"
    );
}

#[test]
fn an_overridden_fact_is_named_when_it_blocks_the_target() {
    let (s, _) = fixture("why-not");
    // With the treaty lifted by `--given`, war_by_treaty is reachable by striking in calm
    // weather; with the treaty back in force (the file's value) it is not.
    let WhyNot::Change(change) = answer(&s, &[("treaty_in_force", "false")], "war_by_treaty")
    else {
        panic!("expected a change");
    };
    assert_eq!(change.flips.len(), 1);
    let text = explain_output(&s, &[], None, Some("war_by_treaty"), false);
    assert!(
        text.contains("for example treaty_in_force = false (now true)"),
        "{text}"
    );
}

// --- ranges -------------------------------------------------------------------------------

fn sensitivity_of(s: &Scenario, program: &Program) -> (Evaluation, Sensitivity) {
    let given = Given::none(s.decisions.len());
    let limits = EvalLimits::default();
    (
        evaluate(s, program, &given, &limits).unwrap(),
        sensitivity(
            &casus_rules::session::Model {
                given: given.clone(),
                fixed: casus_rules::search::given::Fixed {
                    given: given.clone(),
                    overrides: Vec::new(),
                },
                ..casus_rules::session::Model::as_written(s, program)
            },
            &limits,
        )
        .unwrap(),
    )
}

#[test]
fn ranges_match_the_hand_computation() {
    let (s, program) = fixture("ranges");
    let (_, sens) = sensitivity_of(&s, &program);
    // Header of ranges.toml.
    let expected = [
        ("x_p", 0.18, 8.1 / 35.0),
        ("x_q", 0.42, 0.54),
        ("y_hold", 4.0 / 35.0, 0.2),
        ("y_break", 4.0 / 35.0, 0.2),
    ];
    for (id, lo, hi) in expected {
        let (l, h) = sens.ranges[outcome(&s, id)];
        assert!(
            close(l, lo) && close(h, hi),
            "{id}: [{l}, {h}], expected [{lo}, {hi}]"
        );
    }
    let rows: Vec<(String, String, f64)> = sens
        .tornado
        .iter()
        .map(|r| {
            (
                s.decisions[r.decision].id.name.clone(),
                s.outcomes[r.outcome].id.name.clone(),
                r.swing(),
            )
        })
        .collect();
    let expected = [
        ("a", "x_q", 0.12),
        ("a", "y_hold", 0.2 - 4.0 / 35.0),
        ("a", "y_break", 0.2 - 4.0 / 35.0),
        ("a", "x_p", 0.3 * (27.0 / 35.0 - 0.6)),
        ("c", "y_hold", 0.325 / 9.0),
        ("c", "y_break", 0.325 / 9.0),
    ];
    assert_eq!(rows.len(), expected.len(), "{rows:?}");
    for ((d, o, swing), (ed, eo, es)) in rows.iter().zip(expected) {
        assert_eq!((d.as_str(), o.as_str()), (ed, eo));
        assert!(close(*swing, es), "{d} {o}: {swing} vs {es}");
    }
    // c's conditional table alone: 0.325 × [4/9, 5/9].
    let c_hold = sens
        .tornado
        .iter()
        .find(|r| r.decision == decision(&s, "c") && r.outcome == outcome(&s, "y_hold"))
        .unwrap();
    assert!(close(c_hold.low, 0.325 * 4.0 / 9.0) && close(c_hold.high, 0.325 * 5.0 / 9.0));
}

#[test]
fn exact_likelihoods_contribute_no_width() {
    let (s, program) = fixture("exact");
    let (evaluation, sens) = sensitivity_of(&s, &program);
    for (o, &(lo, hi)) in sens.ranges.iter().enumerate() {
        let p = evaluation.outcomes[o].probability;
        assert!(
            lo == p && hi == p,
            "{}: [{lo}, {hi}] around {p}",
            s.outcomes[o].id.name
        );
    }
    assert!(sens.tornado.is_empty());
    // In ranges.toml, b is exact: it has no tornado row though it decides x_p against x_q.
    let (s, program) = fixture("ranges");
    let (_, sens) = sensitivity_of(&s, &program);
    assert!(sens.tornado.iter().all(|r| r.decision != decision(&s, "b")));
}

#[test]
fn ranges_in_the_flags_fixture_match_the_hand_computation() {
    let (s, program) = fixture("flags");
    let (evaluation, sens) = sensitivity_of(&s, &program);
    // offer: P(talk) = 0.675 in [0.6, 27/35] as in ranges.toml; standoff = 0.7 P(talk),
    // war = 1 - P(talk), peace = peace_doha = 0.3 × 0.5 × P(talk) (venue is uniform).
    let talk = (0.6, 27.0 / 35.0);
    for (id, point, lo, hi) in [
        ("standoff", 0.7 * 0.675, 0.7 * talk.0, 0.7 * talk.1),
        ("war", 0.325, 1.0 - talk.1, 1.0 - talk.0),
        ("peace", 0.15 * 0.675, 0.15 * talk.0, 0.15 * talk.1),
        ("peace_doha", 0.15 * 0.675, 0.15 * talk.0, 0.15 * talk.1),
    ] {
        let o = outcome(&s, id);
        assert!(close(evaluation.outcomes[o].probability, point), "{id}");
        let (l, h) = sens.ranges[o];
        assert!(
            close(l, lo) && close(h, hi),
            "{id}: [{l}, {h}] vs [{lo}, {hi}]"
        );
    }
}

// --- key-assumption flags -----------------------------------------------------------------

#[test]
fn key_assumptions_flag_only_judgements_the_payoffs_contradict() {
    let (s, program) = fixture("flags");
    let (evaluation, _) = sensitivity_of(&s, &program);
    // Header of flags.toml: only `reply` is flagged.
    assert_eq!(evaluation.key_assumptions.len(), 1);
    let flag = &evaluation.key_assumptions[0];
    assert_eq!(flag.decision, decision(&s, "reply"));
    assert_eq!(flag.forecast, option(&s, "reply", "reject"));
    assert!(close(flag.forecast_probability, 0.7));
    assert_eq!(flag.strategic, [option(&s, "reply", "accept")]);
    assert_eq!(flag.values, [2.0, 1.0]);
    assert_eq!(
        flag.context,
        [(decision(&s, "offer"), Some(option(&s, "offer", "talk")))]
    );
    assert_eq!(
        casus_report::eval::key_assumption_sentence(&s, flag),
        "reply (Rebels): you judge `reject` most likely (70.0 %), yet Rebels' payoffs favour `accept` (expected payoff 2.00 against 1.00 for `reject`)"
    );
    assert_eq!(
        casus_report::eval::key_assumption_place(&s, flag).as_deref(),
        Some("after offer = talk")
    );
    // A given decision has no judgement left to contradict.
    let (fixed, program) = fix(&s, &[("reply", "reject")]);
    let given = evaluate(&s, &program, &fixed.given, &EvalLimits::default()).unwrap();
    assert!(given.key_assumptions.is_empty());
}

// --- the bundled scenario -----------------------------------------------------------------

#[test]
fn ukraine_explain_snapshots() {
    let (s, _) = ukraine();
    insta::assert_snapshot!(
        "ukraine_explain",
        explain_output(&s, &[], None, None, false)
    );
    insta::assert_snapshot!(
        "ukraine_explain_walk_away",
        explain_output(&s, &[("us_response", "walk_away")], None, None, false)
    );
    insta::assert_snapshot!(
        "ukraine_explain_outcome",
        explain_output(&s, &[], Some("europe_fills_gap"), None, false)
    );
    insta::assert_snapshot!(
        "ukraine_why_not_frozen_conflict",
        explain_output(&s, &[], None, Some("frozen_conflict"), false)
    );
    insta::assert_snapshot!(
        "ukraine_why_not_given",
        explain_output(
            &s,
            &[("russia_answer", "refuse")],
            None,
            Some("frozen_conflict"),
            false
        )
    );
    insta::assert_snapshot!(
        "ukraine_why_not_json",
        explain_output(&s, &[], None, Some("recognised_settlement"), true)
    );
}

#[test]
fn ukraine_eval_shows_ranges_and_the_tornado() {
    let (s, program) = ukraine();
    let (evaluation, sens) = sensitivity_of(&s, &program);
    let mut text = casus_report::eval::render_human(&s, &evaluation, Some(&sens.ranges));
    text.push_str(&casus_report::eval::render_tornado(&s, &sens.tornado, 10));
    insta::assert_snapshot!("ukraine_eval_human", text);
    let json = serde_json::to_value(casus_report::output::eval::EvalOutput::of_evaluation(
        &s,
        &evaluation,
        Some(&sens),
    ))
    .unwrap();
    for o in json["outcomes"].as_array().unwrap() {
        let (p, r) = (o["probability"].as_f64().unwrap(), &o["range"]);
        let (lo, hi) = (r[0].as_f64().unwrap(), r[1].as_f64().unwrap());
        assert!(lo <= p && p <= hi, "{o}");
    }
    insta::assert_snapshot!(
        "ukraine_eval_json",
        serde_json::to_string_pretty(&json).unwrap()
    );
}

/// Issue 17: the rows the tornado leaves out are counted in words, singular or plural
/// ("… and 1 smaller row", not "1 smaller rows").
#[test]
fn the_tornado_counts_the_rows_it_leaves_out() {
    let (s, program) = ukraine();
    let (_, sens) = sensitivity_of(&s, &program);
    let n = sens.tornado.len();
    assert!(n > 3, "{n}");
    let one = casus_report::eval::render_tornado(&s, &sens.tornado, n - 1);
    assert!(
        one.ends_with("  … and 1 smaller row (`--format json` lists them all)\n"),
        "{one}"
    );
    let two = casus_report::eval::render_tornado(&s, &sens.tornado, n - 2);
    assert!(two.contains("… and 2 smaller rows ("), "{two}");
    let all = casus_report::eval::render_tornado(&s, &sens.tornado, n);
    assert!(!all.contains("smaller"), "{all}");
}

/// Issue 17: a summary too long for one line is cut after a whole word, with "…".
#[test]
fn the_eval_summary_is_cut_at_a_word() {
    let (s, program) = ukraine();
    let (evaluation, _) = sensitivity_of(&s, &program);
    let text = casus_report::eval::render_human(&s, &evaluation, None);
    let line = text.lines().nth(1).unwrap();
    let summary = s.meta.summary.as_deref().unwrap().trim().replace('\n', " ");
    assert!(
        summary.chars().count() > 100,
        "the summary must need cutting"
    );
    let kept = line.strip_suffix('…').unwrap_or_else(|| panic!("{line}"));
    assert!(summary.starts_with(kept), "{kept}");
    // The next character of the summary ends a word.
    let next = summary[kept.len()..].chars().next().unwrap();
    assert!(
        next == ' ' || next.is_ascii_punctuation(),
        "cut mid-word: {line}"
    );
    assert!(line.chars().count() <= 100);
}

// --- properties ---------------------------------------------------------------------------

/// The changed choices from `base` to a reference path, computed independently of casus.
fn ref_flips(base: &[Option<usize>], choices: &[Option<usize>]) -> Vec<usize> {
    (0..choices.len())
        .filter(|&d| choices[d].is_some() && choices[d] != base[d])
        .collect()
}

/// Every subset of `0..n` with `k` members, as bit masks.
fn subsets(n: usize, k: usize) -> Vec<u32> {
    (0u32..(1 << n))
        .filter(|m| m.count_ones() as usize == k)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, .. ProptestConfig::default() })]

    /// Why-not is minimal: brute force over every set of flipped decisions, smallest first,
    /// finds no smaller set that reaches the target, and among paths with as few flips none
    /// is more likely. Paths come from the reference evaluator, not from casus.
    #[test]
    fn why_not_is_minimal(generated in generate::scenario(), target in any::<usize>(), pick in any::<(usize, usize, bool)>()) {
        let text = generated.to_toml(None);
        let checked = check_source(&SourceFile::new("generated", &text), &Limits::default(), &EvalLimits::default());
        prop_assume!(!checked.has_errors());
        let s = checked.scenario.unwrap();
        let target = target % s.outcomes.len();
        // Sometimes fix one decision, as `--given` would.
        let mut pairs: Vec<(String, String)> = Vec::new();
        if pick.2 {
            let d = &s.decisions[pick.0 % s.decisions.len()];
            pairs.push((d.id.name.clone(), d.options[pick.1 % d.options.len()].name.clone()));
        }
        let pair_refs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let (fixed, program) = fix(&s, &pair_refs);
        let Some(e) = explain(&program, &fixed.given, MAX_PATHS).unwrap() else {
            // No path is consistent with the given decision.
            return Ok(());
        };
        let answer = why_not(&s, &program, &fixed, &e.path, target, MAX_PATHS).unwrap();

        let reference = reference::Reference::new(&s, &[]);
        let consistent: Vec<reference::RefPath> = reference
            .paths()
            .into_iter()
            .filter(|p| fixed.given.decisions.iter().enumerate().all(|(d, g)| g.is_none() || p.choices[d] == *g))
            .collect();
        let base: Vec<Option<usize>> = (0..s.decisions.len()).map(|d| e.path.option(d)).collect();
        // The explained path is the most likely consistent path.
        let best = consistent.iter().map(|p| p.probability).fold(0.0, f64::max);
        prop_assert!(close(e.path.probability, best));
        prop_assert!(consistent.iter().any(|p| p.choices == base));

        let reaching: Vec<&reference::RefPath> = consistent.iter().filter(|p| p.outcome == target).collect();
        let n = s.decisions.len();
        let mut smallest = None;
        'sizes: for k in 0..=n {
            for mask in subsets(n, k) {
                let fits = |p: &&reference::RefPath| ref_flips(&base, &p.choices).iter().all(|&d| mask & (1 << d) != 0);
                if reaching.iter().any(fits) {
                    smallest = Some(k);
                    break 'sizes;
                }
            }
        }
        match (&answer, smallest) {
            (WhyNot::AlreadyReached, Some(0)) => prop_assert_eq!(e.path.outcome, Some(target)),
            (WhyNot::Change(change), Some(k)) => {
                prop_assert!(k > 0);
                prop_assert_eq!(change.flips.len(), k, "{}", text);
                prop_assert_eq!(change.path.outcome, Some(target));
                let choices: Vec<Option<usize>> = (0..n).map(|d| change.path.option(d)).collect();
                let flipped: Vec<usize> = change.flips.iter().map(|f| f.decision).collect();
                prop_assert_eq!(ref_flips(&base, &choices), flipped);
                let likeliest = reaching
                    .iter()
                    .filter(|p| ref_flips(&base, &p.choices).len() == k)
                    .map(|p| p.probability)
                    .fold(0.0, f64::max);
                prop_assert!(close(change.path.probability, likeliest), "{} vs {}", change.path.probability, likeliest);
                let equal = reaching.iter().filter(|p| ref_flips(&base, &p.choices).len() == k).count();
                prop_assert_eq!(change.equally_small as usize + 1, equal);
            }
            (WhyNot::NoChange(reason), None) => {
                // Nothing consistent with the given values reaches it; the reason holds.
                let all = reference.paths();
                match reason {
                    Reason::GivenDecisions(change) => {
                        prop_assert!(all.iter().any(|p| p.outcome == target));
                        // The new path departs from a given decision: another option, or skipped.
                        prop_assert!(fixed.given.decisions.iter().enumerate().any(|(d, g)| g.is_some() && change.path.option(d) != *g));
                    }
                    Reason::InputFacts(_) | Reason::Unreachable { .. } => {
                        prop_assert!(all.iter().all(|p| p.outcome != target));
                    }
                }
            }
            (answer, smallest) => prop_assert!(false, "answer {:?} but the smallest flip set has {:?} members\n{}", answer, smallest, text),
        }
    }

    /// Ranges contain the point estimate and stay within [0, 1]; only decisions with a band
    /// appear in the tornado table, whose bars also contain the point; the ranges equal the
    /// envelope of sweeping each band's ends directly, and a value inside a band never leaves
    /// them (the ends are the extremes).
    #[test]
    fn ranges_contain_the_point_and_stay_in_bounds(generated in generate::scenario(), t in 0.05f64..0.95) {
        let text = generated.to_toml(None);
        let checked = check_source(&SourceFile::new("generated", &text), &Limits::default(), &EvalLimits::default());
        prop_assume!(!checked.has_errors());
        let s = checked.scenario.unwrap();
        let program = checked.program.unwrap();
        let (evaluation, sens) = sensitivity_of(&s, &program);
        prop_assert_eq!(sens.ranges.len(), s.outcomes.len());
        for (o, &(lo, hi)) in sens.ranges.iter().enumerate() {
            let p = evaluation.outcomes[o].probability;
            prop_assert!((0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi));
            prop_assert!(lo <= p && p <= hi, "{}: {} not in [{}, {}]", o, p, lo, hi);
        }
        let has_band = |d: usize| {
            let decision = &s.decisions[d];
            decision.likelihood.iter().flat_map(|t| &t.entries).any(|(_, l)| !l.is_exact())
                || decision.likelihood_if.iter().flat_map(|c| &c.table.entries).any(|(_, l)| !l.is_exact())
        };
        if !(0..s.decisions.len()).any(has_band) {
            prop_assert!(sens.tornado.is_empty());
            for (o, &(lo, hi)) in sens.ranges.iter().enumerate() {
                prop_assert!(lo == hi && lo == evaluation.outcomes[o].probability);
            }
        }
        for pair in sens.tornado.windows(2) {
            prop_assert!(pair[0].swing() >= pair[1].swing() - 1e-12);
        }
        for row in &sens.tornado {
            prop_assert!(has_band(row.decision), "{}", text);
            let p = evaluation.outcomes[row.outcome].probability;
            let (lo, hi) = sens.ranges[row.outcome];
            prop_assert!(row.low <= p && p <= row.high);
            prop_assert!(lo <= row.low && row.high <= hi);
        }
        // The definition, evaluated directly: each likelihood with a band set to either end
        // (and to a point inside), its table renormalised, the scenario evaluated again. The
        // ends' envelope must be the ranges (casus combines per-option evaluations instead);
        // the inside point must fall within them.
        let none = Given::none(s.decisions.len());
        let mut envelope: Vec<(f64, f64)> = evaluation.outcomes.iter().map(|o| (o.probability, o.probability)).collect();
        for (d, decision) in s.decisions.iter().enumerate() {
            let Some(base) = &decision.likelihood else { continue };
            let tables = std::iter::once((None, base)).chain(decision.likelihood_if.iter().enumerate().map(|(k, c)| (Some(k), &c.table)));
            for (k, table) in tables {
                for (i, o) in decision.options.iter().enumerate() {
                    let Some(l) = table.get(&o.name) else { continue };
                    if l.is_exact() {
                        continue;
                    }
                    for (value, end) in [(l.lo, true), (l.hi, true), (l.lo + t * (l.hi - l.lo), false)] {
                        let raw: Vec<f64> = decision
                            .options
                            .iter()
                            .enumerate()
                            .map(|(j, x)| if j == i { value } else { table.get(&x.name).map_or(0.0, |y| y.point) })
                            .collect();
                        let total: f64 = raw.iter().sum();
                        let q: Vec<f64> = raw.iter().map(|r| r / total).collect();
                        let mut swept = program.clone();
                        match k {
                            None => swept.decisions[d].probabilities = q,
                            Some(k) => swept.decisions[d].conditional[k].1 = q,
                        }
                        let direct = evaluate(&s, &swept, &none, &EvalLimits::default()).unwrap();
                        for (o, &(lo, hi)) in sens.ranges.iter().enumerate() {
                            let v = direct.outcomes[o].probability;
                            if end {
                                envelope[o] = (envelope[o].0.min(v), envelope[o].1.max(v));
                            } else {
                                prop_assert!(lo - 1e-9 <= v && v <= hi + 1e-9, "inside {} of {}: {} not in [{}, {}]\n{}", t, decision.id.name, v, lo, hi, text);
                            }
                        }
                    }
                }
            }
        }
        for (o, (&(lo, hi), &(elo, ehi))) in sens.ranges.iter().zip(&envelope).enumerate() {
            prop_assert!((lo - elo).abs() < 1e-9 && (hi - ehi).abs() < 1e-9, "outcome {}: [{}, {}] but direct sweeps give [{}, {}]\n{}", o, lo, hi, elo, ehi, text);
        }
    }
}

#[test]
fn ranges_under_a_given_decision_match_the_hand_computation() {
    let (s, _) = fixture("ranges");
    let (fixed, program) = fix(&s, &[("b", "p")]);
    let sens = sensitivity(
        &casus_rules::session::Model {
            given: fixed.given.clone(),
            fixed: fixed.clone(),
            ..casus_rules::session::Model::as_written(&s, &program)
        },
        &EvalLimits::default(),
    )
    .unwrap();
    // With b = p given (b is independent of a and c): x_p is P(x) in [0.6, 27/35], x_q cannot
    // happen, and y_hold, y_break keep their ranges [4/35, 0.2] from ranges.toml's header.
    let expected = [
        ("x_p", 0.6, 27.0 / 35.0),
        ("x_q", 0.0, 0.0),
        ("y_hold", 4.0 / 35.0, 0.2),
        ("y_break", 4.0 / 35.0, 0.2),
    ];
    for (id, lo, hi) in expected {
        let (l, h) = sens.ranges[outcome(&s, id)];
        assert!(
            close(l, lo) && close(h, hi),
            "{id}: [{l}, {h}], expected [{lo}, {hi}]"
        );
    }
}

/// Every `share` in `explain --format json` is a probability, and for a change that departs
/// from the given decisions it is the share the human text prints: of the paths the search
/// considered, not of those consistent with the given values (it once exceeded 1).
#[test]
fn every_share_in_the_explain_json_is_the_probability_the_text_prints() {
    fn shares(json: &serde_json::Value, out: &mut Vec<f64>) {
        match json {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if k == "share" {
                        out.push(v.as_f64().unwrap());
                    }
                    shares(v, out);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| shares(v, out)),
            _ => {}
        }
    }
    let mut departing = 0;
    for name in [
        "ukraine-peace-framework",
        "us-walk-away",
        "ceasefire-compliance",
    ] {
        let path = format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        let checked = check_source(
            &SourceFile::new(name, &text),
            &Limits::default(),
            &EvalLimits::default(),
        );
        let s = checked.scenario.unwrap();
        let first = &s.decisions[0];
        for option in &first.options {
            let given = [(first.id.name.as_str(), option.name.as_str())];
            let (fixed, program) = fix(&s, &given);
            let Ok(Some(explanation)) = explain(&program, &fixed.given, MAX_PATHS) else {
                continue;
            };
            for target in s.outcomes.iter().map(|o| o.id.name.as_str()) {
                let json: serde_json::Value =
                    serde_json::from_str(&explain_output(&s, &given, None, Some(target), true))
                        .unwrap();
                let mut all = Vec::new();
                shares(&json, &mut all);
                for share in &all {
                    assert!(
                        (0.0..=1.0 + 1e-12).contains(share),
                        "{name} {given:?} {target}: {share}"
                    );
                }
                let answer = why_not(
                    &s,
                    &program,
                    &fixed,
                    &explanation.path,
                    outcome(&s, target),
                    MAX_PATHS,
                )
                .unwrap();
                if let WhyNot::NoChange(Reason::GivenDecisions(change)) = answer {
                    departing += 1;
                    let expected = casus_report::text::round(change.share());
                    assert!(
                        all.iter().any(|s| (s - expected).abs() < 1e-12),
                        "{name} {given:?} {target}: {all:?} lacks {expected}"
                    );
                }
            }
        }
    }
    assert!(departing > 0, "no answer departed from the given decisions");
}
