//! The native ZEN peer at small sizes: GoRules ZEN's Rust crate, casus given every decision
//! and casus through the session reach the outcome casus's path walker reports, on every
//! combination of options. ZEN shares no code with casus, so it is the independent check of
//! both the translation and the engine. No timing here; `casus-bench native` times the same
//! passes.

use casus_bench::generate::{Cond, Family, Lit, Size, generate};
use casus_bench::native::{self, NativeError};
use casus_bench::zen;

fn size(decisions: usize, rules: usize) -> Size {
    Size { decisions, rules }
}

#[test]
fn every_engine_agrees_on_every_combination() {
    for (family, size) in [
        (Family::Rules, size(6, 40)),
        (Family::Rules, size(8, 120)),
        (Family::Scores, size(6, 12)),
        (Family::Scores, size(8, 40)),
    ] {
        for seed in 1..=2 {
            let spec = generate(family, size, seed);
            let what = format!("{} {size:?} seed {seed}", family.name());
            let combinations = zen::combinations(&spec);
            assert_eq!(combinations.len(), 1 << size.decisions, "{what}");
            let expected = native::walker_outcomes(&spec).unwrap();
            // More than one outcome is reached, so agreeing is not trivial.
            let mut distinct = expected.clone();
            distinct.sort();
            distinct.dedup();
            assert!(distinct.len() >= 2, "{what}: only {distinct:?}");

            let decision = native::zen_decision(&spec).unwrap();
            let from_zen = native::zen_outcomes(&decision, &spec, &combinations).unwrap();
            native::agree("zen-engine", &spec, &combinations, &from_zen, &expected)
                .unwrap_or_else(|e| panic!("{what}: {e}"));

            let session = native::session(&spec).unwrap();
            let given = native::casus_given(&session, &spec, &combinations).unwrap();
            native::agree("casus given", &spec, &combinations, &given, &expected)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let through = native::casus_session(&session, &spec, &combinations).unwrap();
            native::agree("session", &spec, &combinations, &through, &expected)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
        }
    }
}

/// The whole comparison runs, timed, and reports a time for every engine.
#[test]
fn the_comparison_reports_every_engine() {
    let spec = generate(Family::Rules, size(5, 30), 1);
    let comparison = native::compare(&spec, 2).unwrap();
    assert_eq!(comparison.combinations, 32);
    assert_eq!(comparison.scenario, "rules 5x30");
    for stats in [
        &comparison.zen_us,
        &comparison.casus_walk_per_path_us,
        &comparison.casus_given_us,
        &comparison.casus_session_us,
    ] {
        assert_eq!(stats.runs, 2);
        assert!(stats.min > 0.0 && stats.min <= stats.median && stats.median <= stats.max);
    }
    // `bench/run` turns it into rows of RESULTS.md: ZEN against the walk per path and against
    // casus from scratch, each ratio the quotient of the medians.
    let peers = serde_json::json!({ "zen_native": &comparison });
    let text = casus_bench::report::markdown(&[], Some(&peers));
    let zen = comparison.zen_us.median;
    for (casus, what) in [
        (
            comparison.casus_walk_per_path_us.median,
            "per path (the walk)",
        ),
        (comparison.casus_given_us.median, "per combination"),
    ] {
        let row = format!("{:.0}×: {zen:.2} µs", zen / casus);
        let line = text
            .lines()
            .find(|l| l.contains(&row) && l.contains(what))
            .unwrap_or_else(|| panic!("no row with `{row}` … `{what}`:\n{text}"));
        assert!(
            line.contains("rules 5x30, 32 combinations, zen-engine 2.1.3"),
            "{line}"
        );
        let met = zen / casus >= 20.0;
        assert_eq!(
            line.ends_with("| met (outcomes of every combination agree in every run) |"),
            met,
            "{line}"
        );
    }
}

/// The agreement check has teeth: ZEN given a rule set that differs from casus's in one
/// outcome's threshold disagrees on some combination, and the comparison fails saying where.
#[test]
fn a_different_rule_set_is_caught() {
    let spec = generate(Family::Scores, size(6, 12), 1);
    let mut changed = spec.clone();
    let calm = changed
        .outcomes
        .iter_mut()
        .find(|o| o.id == "calm")
        .unwrap();
    calm.when = Some(Cond::Lt {
        name: "score".to_owned(),
        value: 1e9,
    });
    let combinations = zen::combinations(&spec);
    let expected = native::walker_outcomes(&spec).unwrap();
    let decision = native::zen_decision(&changed).unwrap();
    let got = native::zen_outcomes(&decision, &changed, &combinations).unwrap();
    let error = native::agree("zen-engine", &spec, &combinations, &got, &expected).unwrap_err();
    let NativeError::Disagree {
        count,
        combinations: total,
        ref got,
        ..
    } = error
    else {
        panic!("{error}");
    };
    assert_eq!(got, "calm");
    assert_eq!(total, 64);
    let not_calm = expected.iter().filter(|o| *o != "calm").count();
    assert_eq!(count, not_calm);
    assert!(
        error.to_string().contains("zen-engine disagrees"),
        "{error}"
    );
}

#[test]
fn guarded_scenarios_are_refused() {
    let spec = generate(Family::Mix, size(6, 20), 1);
    assert!(matches!(
        zen::graph(&spec),
        Err(zen::TranslateError::Guarded(_))
    ));
}

/// A translation checked by hand: one decision, one number fact with two `add` rules, one
/// bool fact, and outcomes with a fallback.
#[test]
fn the_expressions_of_a_small_scenario() {
    let mut spec = generate(Family::Scores, size(2, 1), 1);
    spec.rules[0].when = Cond::Eq {
        name: "d0".to_owned(),
        value: Lit::Sym("yes".to_owned()),
    };
    spec.rules[0].add = vec![(0, 2.0)];
    let mut second = spec.rules[0].clone();
    second.id = "r1".to_owned();
    second.when = Cond::Not {
        arg: Box::new(Cond::Eq {
            name: "d1".to_owned(),
            value: Lit::Sym("no".to_owned()),
        }),
    };
    second.add = vec![(0, 0.5)];
    spec.rules.push(second);
    spec.outcomes[0].when = Some(Cond::Lt {
        name: "score".to_owned(),
        value: 1.0,
    });
    spec.outcomes[1].when = Some(Cond::And {
        args: vec![
            Cond::Ge {
                name: "score".to_owned(),
                value: 1.0,
            },
            Cond::Lt {
                name: "score".to_owned(),
                value: 2.0,
            },
        ],
    });
    spec.outcomes[2].when = None;
    let expressions = zen::plain_expressions(&spec).unwrap();
    assert_eq!(
        expressions,
        vec![
            (
                "score".to_owned(),
                "0.0 + ((d0 == 'yes') ? 2.0 : 0) + (not((d1 == 'no')) ? 0.5 : 0)".to_owned()
            ),
            (
                "outcome".to_owned(),
                format!(
                    "((score < 1.0) ? 'calm' : ({} ? 'strain' : 'rupture'))",
                    "((score >= 1.0) and (score < 2.0))"
                )
            ),
        ]
    );
    let graph = zen::graph(&spec).unwrap();
    assert_eq!(
        graph["nodes"][1]["content"]["expressions"][1]["value"],
        "(($.score < 1.0) ? 'calm' : ((($.score >= 1.0) and ($.score < 2.0)) ? 'strain' : 'rupture'))"
    );
}

/// Both ZEN peers run one engine: the crate's version in `Cargo.lock` and the Python
/// package's pin in `bench/peers/requirements.txt` are [`native::ZEN_VERSION`].
#[test]
fn both_zen_peers_pin_one_version() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    let entry = format!(
        "name = \"zen-engine\"\nversion = \"{}\"",
        native::ZEN_VERSION
    );
    assert!(lock.contains(&entry), "Cargo.lock has no `{entry}`");
    let requirements = std::fs::read_to_string(root.join("bench/peers/requirements.txt")).unwrap();
    assert!(
        requirements
            .lines()
            .any(|l| l == format!("zen-engine=={}", native::ZEN_VERSION)),
        "{requirements}"
    );
}
