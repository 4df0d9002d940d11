//! The analysis session: every analysis reads the same composed model. Each test's numbers are
//! computed by hand in its fixture's header (`tests/fixtures/session/`).
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail the test by panicking"
)]

#[path = "support/fixtures.rs"]
#[allow(
    dead_code,
    reason = "each test file uses the part of the shared loader it needs"
)]
mod fixtures;

use std::path::Path;

use casus_core::Code;
use casus_rules::analyses::ranking::Assumption;
use casus_rules::analyses::voi::Undefined;
use casus_rules::session::{Analysed, Budget, Model, Options, Plan, Session, SessionError, WhatIf};

/// Opens a fixture of `tests/fixtures/session/` as a session, asserting it checks.
fn open(name: &str) -> Session {
    fixtures::session(&format!("crates/casus-rules/tests/fixtures/session/{name}"))
}

fn what_if(variant: Option<&str>, given: &[(&str, &str)], observe: &[&str]) -> WhatIf {
    WhatIf {
        variant: variant.map(str::to_owned),
        given: given
            .iter()
            .map(|(n, v)| WhatIf::parse_given(&format!("{n}={v}")).unwrap())
            .collect(),
        observe: observe.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn run(session: &Session, what: &WhatIf) -> (Model, Analysed) {
    let model = session.model(what).unwrap();
    let analysed = session
        .run(&model, &Plan::full(), &Budget::unlimited())
        .unwrap();
    assert!(analysed.omitted.is_empty(), "{:?}", analysed.omitted);
    (model, analysed)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// The EVPI of the one chance event of a run, for the one actor.
fn evpi(analysed: &Analysed) -> Option<f64> {
    let values = analysed.information.as_ref().unwrap();
    assert_eq!(values.len(), 1);
    values[0].evpi.as_ref().map(|v| v[0])
}

#[test]
fn value_of_information_uses_the_conditional_table_in_force() {
    let session = open("umbrella-in-force.toml");
    let (_, analysed) = run(&session, &WhatIf::none());
    assert!(close(analysed.evaluation.strategy.payoffs[0], 1.5));
    let value = evpi(&analysed).unwrap();
    assert!(close(value, 0.75), "{value}");
}

#[test]
fn value_of_information_follows_given_facts_and_variants() {
    let session = open("umbrella-in-force.toml");
    let (_, given) = run(&session, &what_if(None, &[("season", "dry")], &[]));
    assert!(close(evpi(&given).unwrap(), 1.5), "{:?}", given.information);
    let (_, variant) = run(&session, &what_if(Some("dry_season"), &[], &[]));
    assert!(
        close(evpi(&variant).unwrap(), 1.5),
        "{:?}",
        variant.information
    );
}

#[test]
fn value_of_information_honours_given_decisions() {
    let session = open("umbrella-in-force.toml");
    // The walker's choice is given: learning the weather changes nothing it can do.
    let (_, carried) = run(&session, &what_if(None, &[("carry", "umbrella")], &[]));
    assert!(
        close(evpi(&carried).unwrap(), 0.0),
        "{:?}",
        carried.information
    );
    // The event itself is given: nothing is left to learn.
    let (_, known) = run(&session, &what_if(None, &[("weather", "rain")], &[]));
    let values = known.information.as_ref().unwrap();
    assert_eq!(values[0].evpi, None);
    assert_eq!(values[0].undefined, Some(Undefined::Given));
}

#[test]
fn a_guard_on_input_facts_leaves_the_value_defined_a_derived_dependence_does_not() {
    // `weather` is guarded by the input fact `forecast_issued`: still defined (above).
    let session = open("umbrella-in-force.toml");
    let (_, analysed) = run(&session, &WhatIf::none());
    assert!(evpi(&analysed).is_some());
    // Make the table depend on the walker's choice through a derived fact.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/session/umbrella-in-force.toml");
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("when = \"season == 'wet'\"", "when = \"prepared\"")
        + "\n[facts.prepared]\ntype = \"bool\"\ndefault = false\n\n[rules.ready]\nwhen = \"carry == 'umbrella'\"\nthen = { prepared = true }\n";
    let session = Session::open_text("derived.toml", &text, Options::default());
    assert!(!session.has_errors(), "{:#?}", session.diagnostics());
    let (_, analysed) = run(&session, &WhatIf::none());
    let values = analysed.information.as_ref().unwrap();
    assert_eq!(values[0].evpi, None);
    assert_eq!(values[0].undefined, Some(Undefined::DependsOnDecisions));
}

#[test]
fn the_strategy_conditions_chance_nodes_on_evidence_below() {
    let session = open("evidence-below.toml");
    let (_, prior) = run(&session, &WhatIf::none());
    assert!(close(prior.evaluation.strategy.payoffs[0], 0.5));
    let (_, seen) = run(&session, &what_if(None, &[], &["loud_report"]));
    let payoff = seen.evaluation.strategy.payoffs[0];
    assert!(close(payoff, 0.74), "{payoff}");
    // The forecast agrees: heads is 0.74 after the observation.
    assert!(close(seen.evaluation.outcomes[0].probability, 0.74));
    // Every probability on the line of play is a probability: the coin's posterior, then
    // the report's under heads (3.6 / 3.7), not 360 %.
    let line = &seen.evaluation.strategy.line;
    assert!(close(line[0].values[0], 0.74), "{line:?}");
    assert!(close(line[1].values[0], 3.6 / 3.7), "{line:?}");
    for step in line {
        for v in &step.values {
            assert!((0.0..=1.0).contains(v), "{line:?}");
        }
    }
    let before = seen.before_observing.as_ref().unwrap();
    assert!(close(before[0], 0.5));
}

#[test]
fn the_strategy_conditions_chance_nodes_on_given_decisions() {
    let session = open("evidence-below.toml");
    let (_, given) = run(&session, &what_if(None, &[("report", "says_heads")], &[]));
    let payoff = given.evaluation.strategy.payoffs[0];
    assert!(close(payoff, 0.9), "{payoff}");
    assert!(close(given.evaluation.outcomes[0].probability, 0.9));
}

#[test]
fn ranges_of_a_pooled_decision_are_taken_around_the_pooled_point() {
    let session = open("pooled.toml");
    let (_, analysed) = run(&session, &WhatIf::none());
    assert!(close(analysed.evaluation.outcomes[0].probability, 0.4));
    let (lo, hi) = analysed.sensitivity.as_ref().unwrap().ranges[0];
    assert!(close(lo, 0.25), "{lo}");
    assert!(close(hi, 4.0 / 7.0), "{hi}");
}

#[test]
fn per_analyst_forecasts_honour_given_values() {
    let session = open("pooled.toml");
    let (_, plain) = run(&session, &WhatIf::none());
    let forecasts: Vec<f64> = plain.analysts.as_ref().unwrap()[0]
        .forecasts
        .iter()
        .map(|f| f.as_ref().unwrap()[0])
        .collect();
    assert_eq!(forecasts.len(), 3);
    for (f, e) in forecasts.iter().zip([0.2, 0.3, 0.7]) {
        assert!(close(*f, e), "{forecasts:?}");
    }
    let (_, rigged) = run(&session, &what_if(None, &[("rigged", "true")], &[]));
    for f in &rigged.analysts.as_ref().unwrap()[0].forecasts {
        assert!(close(f.as_ref().unwrap()[0], 1.0), "{:?}", rigged.analysts);
    }
}

#[test]
fn the_ranking_honours_given_values_and_skips_what_they_fix() {
    let session = open("two-events.toml");
    let (_, analysed) = run(&session, &what_if(None, &[("d", "a")], &[]));
    let ranked = analysed.ranking.as_ref().unwrap();
    assert!(
        !ranked
            .iter()
            .any(|r| r.assumption == Assumption::Likelihood(0)),
        "{ranked:?}"
    );
    let e = ranked
        .iter()
        .find(|r| r.assumption == Assumption::Likelihood(1))
        .unwrap();
    assert!(close(e.distance, 0.6), "{ranked:?}");
}

#[test]
fn no_consistent_path_has_its_own_code() {
    let session = open("two-events.toml");
    let model = session
        .model(&what_if(None, &[("d", "a"), ("late", "go")], &[]))
        .unwrap();
    match session.run(&model, &Plan::forecast(), &Budget::unlimited()) {
        Err(SessionError::Findings(d)) => assert_eq!(d[0].code, Code::NoConsistentPath),
        other => panic!("expected no consistent path, got {other:?}"),
    }
}

#[test]
fn names_are_resolved_with_hints_and_conflicts_refused() {
    let session = open("umbrella-in-force.toml");
    let usage = |what: &WhatIf| match session.model(what) {
        Err(SessionError::Usage { part, message }) => format!("{part}: {message}"),
        other => panic!("expected a usage error, got {other:?}"),
    };
    assert_eq!(
        usage(&what_if(Some("dry_seasons"), &[], &[])),
        "variant: `dry_seasons` is not a variant; did you mean `dry_season`?"
    );
    let message = usage(&what_if(None, &[("carry", "umbrela")], &[]));
    assert!(message.contains("did you mean `umbrella`?"), "{message}");
    let message = usage(&what_if(
        None,
        &[("carry", "umbrella"), ("carry", "none")],
        &[],
    ));
    assert!(message.contains("given twice"), "{message}");
    let message = usage(&what_if(None, &[], &["rain_seen"]));
    assert!(
        message.starts_with("observe: `rain_seen` is not a signpost"),
        "{message}"
    );
    // The same value twice is not a conflict.
    assert!(
        session
            .model(&what_if(None, &[("carry", "none"), ("carry", "none")], &[]))
            .is_ok()
    );
}

#[test]
fn observed_names_may_be_separated_by_spaces_or_commas() {
    let session = open("evidence-below.toml");
    let model = session
        .model(&what_if(None, &[], &["loud_report, loud_report"]))
        .unwrap();
    assert_eq!(model.observed, [0]);
}

#[test]
fn a_spent_budget_leaves_analyses_out_and_says_why() {
    let session = open("umbrella-in-force.toml");
    let model = session.model(&WhatIf::none()).unwrap();
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let budget = Budget {
        cancel: Some(cancel),
        ..Budget::unlimited()
    };
    // The forecast itself is stopped by the cancelled budget only past its first batch of
    // nodes, so this small scenario still evaluates; every analysis after it is left out.
    let analysed = session.run(&model, &Plan::full(), &budget).unwrap();
    assert!(analysed.sensitivity.is_none());
    assert!(analysed.information.is_none());
    assert!(analysed.ranking.is_none());
    assert_eq!(analysed.omitted.len(), 3, "{:?}", analysed.omitted);
}

/// Library callers need no special stack: a session on a thread with 2 MiB of stack runs
/// every analysis of a scenario with 1,000 decisions.
#[test]
fn a_library_caller_on_a_two_mebibyte_stack_can_run_everything() {
    let mut text = String::from("[scenario]\ntitle = \"deep\"\n\n[actors]\nme = \"Me\"\n\n");
    for i in 0..1000 {
        text.push_str(&format!(
            "[decisions.d{i}]\nactor = \"nature\"\noptions = [\"a\", \"b\"]\nlikelihood = {{ a = 0.5, b = 0.5 }}\n\n"
        ));
    }
    text.push_str("[outcomes.end]\npayoff = { me = 1 }\n");
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let session = Session::open_text("deep.toml", &text, Options::default());
            assert!(!session.has_errors(), "{:?}", session.diagnostics());
            let model = session.model(&WhatIf::none()).unwrap();
            // The forecast, the ranges and sampling each walk all 1,000 levels; the other
            // analyses only repeat such walks (and cost a thousand of them here).
            let plan = Plan {
                ranges: true,
                samples: Some((2, 1)),
                ..Plan::forecast()
            };
            let analysed = session.run(&model, &plan, &Budget::unlimited()).unwrap();
            (
                analysed.evaluation.outcomes[0].probability,
                analysed.sampling.map(|s| s.samples),
            )
        })
        .unwrap();
    let (probability, samples) = handle.join().unwrap();
    assert!(close(probability, 1.0));
    assert_eq!(samples, Some(2));
}

/// A value given for an input fact can take arithmetic out of the finite numbers where the
/// file's value did not: the model is refused with E0407, as `casus check` refuses the file.
/// A divisor that cannot be 0 passes.
#[test]
fn given_values_that_break_arithmetic_are_refused() {
    let text = "[scenario]\ntitle = \"ratio\"\n[actors]\nme = \"Me\"\n\
        [facts]\nenemy = 10\ntroops = 5\n\
        [decisions.d]\nactor = \"nature\"\noptions = [\"a\", \"b\"]\n\
        likelihood = { a = 0.5, b = 0.5 }\n\
        [outcomes.outnumbered]\nwhen = \"enemy / troops > 3 and d == 'a'\"\npayoff = { me = 1 }\n\
        [outcomes.rest]\npayoff = { me = 0 }\n";
    let session = Session::open_text("ratio.toml", text, Options::default());
    assert!(!session.has_errors(), "{:#?}", session.diagnostics());
    assert!(
        session
            .model(&what_if(None, &[("troops", "2")], &[]))
            .is_ok()
    );
    match session.model(&what_if(None, &[("troops", "0")], &[])) {
        Err(SessionError::Findings(d)) => {
            assert_eq!(d[0].code, Code::ArithmeticRange, "{d:?}");
            assert!(
                d[0].message.contains("`enemy / troops` can divide by zero"),
                "{d:?}"
            );
        }
        other => panic!("expected E0407, got {other:?}"),
    }
}

/// The budget's listener hears each stage as it starts, in the order the run takes them.
#[test]
fn the_progress_listener_hears_every_stage() {
    let session = open("pooled.toml");
    let model = session.model(&WhatIf::none()).unwrap();
    let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = std::sync::Arc::clone(&heard);
    let budget = Budget {
        progress: Some(casus_rules::session::Progress::new(move |stage| {
            sink.lock().unwrap().push(stage.to_owned());
        })),
        ..Budget::unlimited()
    };
    session.run(&model, &Plan::full(), &budget).unwrap();
    assert_eq!(
        *heard.lock().unwrap(),
        [
            "evaluating",
            "the ranges",
            "the value of information",
            "the assumption ranking",
            "the analysts' disagreement"
        ]
    );
}
