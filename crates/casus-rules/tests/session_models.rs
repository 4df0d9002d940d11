//! The session composes each what-if's model from what it compiled before: the scenario and
//! program of a variant and its observed conditions are made once and shared, given numbers
//! and booleans are patched into the program, and the search's analysis of a program is kept
//! per shape. These tests hold that to composing from scratch with [`Model::compose`]: the
//! same model, field by field, and the same watch-list, forecast before observing and
//! analyses, bit for bit, on every bundled scenario and on generated ones, whatever order the
//! what-ifs come in.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on files that do not load"
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

use casus_core::Diagnostic;
use casus_core::model::{FactKind, Scenario, Type, Value};
use casus_rules::analyses::signposts;
use casus_rules::search::given;
use casus_rules::session::{Budget, Model, Options, Plan, Session, SessionError, WhatIf};
use proptest::prelude::*;

use asks::{Resolved, ask};

/// `what_if`'s model composed from scratch, as the session composed it before it kept
/// anything; `None` when a name in it does not resolve.
fn from_scratch(base: &Scenario, what_if: &WhatIf) -> Option<Result<Model, Vec<Diagnostic>>> {
    let variant = match &what_if.variant {
        Some(id) => Some(base.variants.iter().position(|v| v.id.name == *id)?),
        None => None,
    };
    let fixed = given::resolve(base, what_if.given.iter().map(|(n, v)| (n.as_str(), v))).ok()?;
    let ids: Vec<&str> = what_if.observe.iter().map(String::as_str).collect();
    let mut observed: Vec<usize> = Vec::new();
    for s in signposts::resolve(base, &ids).ok()? {
        if !observed.contains(&s) {
            observed.push(s);
        }
    }
    Some(Model::compose(base, variant, fixed, observed))
}

/// The session's model for `what_if` is the model composed from scratch, field by field
/// (`Debug` shows every field; the kept analyses show as `Memo` whatever they hold); or both
/// fail with the same findings. Returns the model.
fn same_model(session: &Session, what_if: &WhatIf) -> Option<Model> {
    let base = session.scenario().unwrap();
    let expected = from_scratch(base, what_if)?;
    let got = session.model(what_if);
    match (got, expected) {
        (Ok(got), Ok(expected)) => {
            assert_eq!(
                format!("{got:#?}"),
                format!("{expected:#?}"),
                "{}: {what_if:?}",
                session.source().name()
            );
            Some(got)
        }
        (Err(SessionError::Findings(got)), Err(expected)) => {
            assert_eq!(got, expected, "{what_if:?}");
            None
        }
        (got, expected) => {
            // One succeeded and the other failed (or failed otherwise): never equal.
            assert_eq!(
                format!("{got:?}"),
                format!("{expected:?}"),
                "{what_if:?}: the session and composing from scratch disagree"
            );
            None
        }
    }
}

/// Runs every analysis on the session's model and checks the parts composed from other
/// models (the watch-list, the forecast before observing) against composing those from
/// scratch, bit for bit (compared as `Debug` text, where a NaN equals itself).
fn same_run(session: &Session, model: &Model) {
    let base = session.scenario().unwrap();
    let Ok(analysed) = session.run(model, &Plan::full(), &Budget::unlimited()) else {
        return;
    };
    let limits = session.eval_limits(&Budget::unlimited());
    let forecast = analysed.forecast();
    if let Some(watch) = &analysed.watch {
        let expected = signposts::watch_list(base, model, &forecast, &limits).unwrap();
        assert_eq!(
            format!("{watch:?}"),
            format!("{expected:?}"),
            "{}",
            session.source().name()
        );
    }
    if let Some(before) = &analysed.before_observing {
        let unobserved = Model::compose(base, model.variant, model.fixed.clone(), Vec::new())
            .and_then(|m| m.evaluate(&limits))
            .unwrap();
        let expected: Vec<f64> = unobserved.outcomes.iter().map(|o| o.probability).collect();
        assert_eq!(format!("{before:?}"), format!("{expected:?}"));
    }
}

/// Other values for `base`'s input facts: a number moved, a boolean flipped, a symbol given
/// as written and as each other member of its type (which the program cannot patch in, and
/// compiles again).
fn other_values(base: &Scenario) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for fact in &base.facts {
        let FactKind::Input { value, ty, .. } = &fact.kind else {
            continue;
        };
        let name = fact.id.name.clone();
        match (&value.value, ty) {
            (Value::Number(n), _) => {
                out.push((name.clone(), Value::Number(n + 7.0)));
                out.push((name, Value::Number(n / 2.0 - 1.0)));
            }
            (Value::Bool(b), _) => out.push((name, Value::Bool(!b))),
            (Value::Symbol(s), Type::Enum(members)) => {
                out.push((name.clone(), Value::Symbol(s.clone())));
                for m in members.iter().filter(|m| *m != s) {
                    out.push((name.clone(), Value::Symbol(m.clone())));
                }
            }
            (Value::Symbol(s), _) => out.push((name, Value::Symbol(s.clone()))),
        }
    }
    out
}

/// What-ifs over every variant, input fact and signpost of `base`, alone and together.
fn what_ifs(base: &Scenario) -> Vec<WhatIf> {
    let variants: Vec<Option<String>> = std::iter::once(None)
        .chain(base.variants.iter().map(|v| Some(v.id.name.clone())))
        .collect();
    let signposts: Vec<String> = base.signposts.iter().map(|s| s.id.name.clone()).collect();
    let mut observes: Vec<Vec<String>> = vec![Vec::new(), signposts.clone()];
    observes.extend(signposts.iter().map(|s| vec![s.clone()]));
    observes.extend(
        signposts
            .iter()
            .rev()
            .cloned()
            .collect::<Vec<_>>()
            .chunks(2)
            .map(<[String]>::to_vec),
    );
    let values = other_values(base);
    let mut givens: Vec<Vec<(String, Value)>> = vec![Vec::new()];
    givens.extend(values.iter().map(|v| vec![v.clone()]));
    // Every fact moved at once: the first value listed for each.
    let mut all: Vec<(String, Value)> = Vec::new();
    for (name, value) in &values {
        if !all.iter().any(|(n, _)| n == name) {
            all.push((name.clone(), value.clone()));
        }
    }
    givens.push(all);
    let mut out = Vec::new();
    for variant in &variants {
        for observe in &observes {
            for given in &givens {
                out.push(WhatIf {
                    variant: variant.clone(),
                    given: given.clone(),
                    observe: observe.clone(),
                });
            }
        }
    }
    out
}

/// Every bundled scenario and valid fixture, as sessions.
fn bundled() -> Vec<Session> {
    let mut paths = Vec::new();
    for folder in ["scenarios", "tests/fixtures/valid"] {
        for entry in std::fs::read_dir(fixtures::root().join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                paths.push(format!(
                    "{folder}/{}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    paths.sort();
    paths.iter().map(|p| fixtures::session(p)).collect()
}

#[test]
fn every_bundled_scenario_composes_the_model_composed_from_scratch() {
    for session in bundled() {
        let base = session.scenario().unwrap().clone();
        let asks = what_ifs(&base);
        assert!(!asks.is_empty());
        // Twice over, the second time in reverse: every model is then made from kept parts,
        // after other what-ifs of the same variant and conditions.
        for what_if in asks.iter().chain(asks.iter().rev()) {
            same_model(&session, what_if);
        }
    }
}

#[test]
fn every_bundled_scenario_runs_as_composed_from_scratch() {
    for session in bundled() {
        let base = session.scenario().unwrap().clone();
        // Every analysis is slower than composing: the what-ifs with one change at most.
        let asks: Vec<WhatIf> = what_ifs(&base)
            .into_iter()
            .filter(|w| {
                usize::from(w.variant.is_some()) + w.given.len().min(2) + w.observe.len().min(2)
                    <= 1
            })
            .collect();
        for what_if in &asks {
            if let Some(model) = same_model(&session, what_if) {
                same_run(&session, &model);
            }
        }
    }
}

/// The number the sweep of the bundled Ukraine scenario varies, at every point: each model is
/// the one composed from scratch, and each run gives the numbers of a session that composed
/// nothing before.
#[test]
fn a_sweep_gives_at_every_point_what_a_fresh_session_gives() {
    let relative = "scenarios/ukraine-peace-framework.toml";
    let session = fixtures::session(relative);
    for value in (0..=100).step_by(5) {
        let what_if = WhatIf {
            given: vec![("kyiv_buy_in".to_owned(), Value::Number(f64::from(value)))],
            ..WhatIf::none()
        };
        let model = same_model(&session, &what_if).unwrap();
        let analysed = session
            .run(&model, &Plan::full(), &Budget::unlimited())
            .unwrap();
        let fresh = fixtures::session(relative);
        let expected = fresh
            .run(
                &fresh.model(&what_if).unwrap(),
                &Plan::full(),
                &Budget::unlimited(),
            )
            .unwrap();
        assert_eq!(
            format!("{analysed:?}"),
            format!("{expected:?}"),
            "kyiv_buy_in={value}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// One session asked several what-ifs in turn, against composing each from scratch and
    /// against a fresh session for the last.
    #[test]
    fn generated_scenarios_compose_and_run_as_from_scratch(
        generated in generate::rich(),
        asks in proptest::collection::vec(ask(), 1..6),
    ) {
        let text = generated.to_toml(None);
        let session = Session::open_text("generated.toml", &text, Options::default());
        prop_assert!(!session.has_errors(), "{:#?}\n{text}", session.diagnostics());
        let base = session.scenario().unwrap().clone();
        let mut last = None;
        for ask in &asks {
            let what_if = Resolved::of(&base, ask).what_if(&base);
            if let Some(model) = same_model(&session, &what_if) {
                same_run(&session, &model);
                last = Some((what_if, model));
            }
        }
        if let Some((what_if, model)) = last {
            let fresh = Session::open_text("generated.toml", &text, Options::default());
            let got = session.run(&model, &Plan::full(), &Budget::unlimited());
            let expected = fresh.model(&what_if).and_then(|m| fresh.run(&m, &Plan::full(), &Budget::unlimited()));
            match (got, expected) {
                (Ok(got), Ok(expected)) => prop_assert_eq!(format!("{got:?}"), format!("{expected:?}")),
                (Err(SessionError::Findings(a)), Err(SessionError::Findings(b))) => prop_assert_eq!(a, b),
                (got, expected) => return Err(TestCaseError::fail(format!("{got:?} vs {expected:?}\n{text}"))),
            }
        }
    }
}
