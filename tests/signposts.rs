//! Signposts: the forecast conditioned on what was seen, by Bayes' rule, against numbers
//! computed by hand (in `tests/fixtures/signposts/stall.toml`) and against a brute-force
//! enumeration of the paths that shares nothing with the search but the path walker.
#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test fail the test on any error, as the tests themselves do"
)]

use std::ops::ControlFlow;
use std::path::Path;

use casus_core::SourceFile;
use casus_core::limits::Limits;
use casus_core::model::Scenario;
use casus_report::diagnostics::render_human;
use casus_rules::analyses::signposts::{resolve, watch_list};
use casus_rules::search::given::Fixed;
use casus_rules::session::Model;
use casus_rules::{EvalLimits, Evaluation, Given, Program, check_source};

fn fixture(relative: &str) -> (Scenario, Program) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/signposts")
        .join(relative);
    let text = std::fs::read_to_string(path).unwrap();
    let checked = check_source(
        &SourceFile::new(relative, text),
        &Limits::default(),
        &EvalLimits::default(),
    );
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    (checked.scenario.unwrap(), checked.program.unwrap())
}

fn observed(scenario: &Scenario, ids: &[&str]) -> Evaluation {
    let signposts = resolve(scenario, ids).unwrap();
    Model::compose(
        scenario,
        None,
        Fixed::none(scenario.decisions.len()),
        signposts,
    )
    .and_then(|m| m.evaluate(&EvalLimits::default()))
    .unwrap()
}

fn probabilities(evaluation: &Evaluation) -> Vec<f64> {
    evaluation.outcomes.iter().map(|o| o.probability).collect()
}

fn assert_close(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < 1e-12, "{actual:?} vs {expected:?}");
    }
}

/// Outcomes in file order: deal, walk, talks. The numbers are the fixture's hand
/// computations.
#[test]
fn a_likelihood_ratio_conditions_the_forecast_by_bayes_rule() {
    let (scenario, _) = fixture("stall.toml");
    // accept 0.2 · 1, refuse 0.3 · 0.5, stall 0.5 · 3: total 1.85.
    assert_close(
        &probabilities(&observed(&scenario, &["energy_pause"])),
        &[0.2 / 1.85, 1.65 * 0.6 / 1.85, 1.65 * 0.4 / 1.85],
    );
}

#[test]
fn a_ratio_on_a_skipped_decision_leaves_those_paths_alone() {
    let (scenario, _) = fixture("stall.toml");
    // The deal paths skip `us_response` and keep ratio 1: 0.2, 0.48 · 4, 0.32; total 2.44.
    assert_close(
        &probabilities(&observed(&scenario, &["trip_cancelled"])),
        &[0.2 / 2.44, 1.92 / 2.44, 0.32 / 2.44],
    );
}

#[test]
fn a_condition_rules_paths_out_for_forecast_and_strategy() {
    let (scenario, program) = fixture("stall.toml");
    let base = casus_rules::evaluate(&scenario, &program, &Given::none(2), &EvalLimits::default())
        .unwrap();
    let seen = observed(&scenario, &["more_meetings"]);
    assert_close(&probabilities(&seen), &[0.2 / 0.52, 0.0, 0.32 / 0.52]);
    assert!(!seen.outcomes[1].reachable, "walk is ruled out");
    // The US would rather walk away (1 against 0); once walking away is ruled out, it keeps
    // talking, and the line of play ends in talks.
    let choice = |e: &Evaluation| {
        e.strategy
            .line
            .iter()
            .find(|s| s.decision == 1)
            .map(|s| s.option)
    };
    assert_eq!(choice(&base), Some(0));
    assert_eq!(choice(&seen), Some(1));
    assert_eq!(base.strategy.outcome, Some(1));
    assert_eq!(seen.strategy.outcome, Some(2));
    // Two of the five paths are ruled out.
    assert_eq!(base.paths, 5);
    assert_eq!(seen.paths, 3);
}

#[test]
fn signposts_combine() {
    let (scenario, _) = fixture("stall.toml");
    // deal 0.2, talks 1.65 · 0.4 = 0.66, walk ruled out: total 0.86.
    assert_close(
        &probabilities(&observed(&scenario, &["energy_pause", "more_meetings"])),
        &[0.2 / 0.86, 0.0, 0.66 / 0.86],
    );
}

/// A path's weight from the options it takes (decisions in file order), or `None` when the
/// observation rules it out.
type Weight = dyn Fn(&[Option<usize>]) -> Option<f64>;

/// The same posteriors by brute force: walk every path of the base program, weight it by its
/// probability times the likelihood ratio of the option it takes, drop it where the
/// condition is false, and normalise.
#[test]
fn conditioning_agrees_with_enumerating_the_paths() {
    let (scenario, program) = fixture("stall.toml");
    let cases: [(&[&str], &Weight); 4] = [
        (&["energy_pause"], &|o| Some([1.0, 0.5, 3.0][o[0].unwrap()])),
        (&["trip_cancelled"], &|o| {
            Some(if o[1] == Some(0) { 4.0 } else { 1.0 })
        }),
        (&["more_meetings"], &|o| (o[1] != Some(0)).then_some(1.0)),
        (&["energy_pause", "more_meetings"], &|o| {
            (o[1] != Some(0)).then_some([1.0, 0.5, 3.0][o[0].unwrap()])
        }),
    ];
    for (ids, weight) in cases {
        let mut mass = vec![0.0; scenario.outcomes.len()];
        casus_rules::search::paths::walk(&program, &Given::none(2), 100, |path| {
            let options: Vec<Option<usize>> = (0..2).map(|d| path.option(d)).collect();
            if let Some(w) = weight(&options) {
                mass[path.outcome.unwrap()] += path.probability * w;
            }
            ControlFlow::Continue(())
        })
        .unwrap();
        let total: f64 = mass.iter().sum();
        let expected: Vec<f64> = mass.iter().map(|m| m / total).collect();
        assert_close(&probabilities(&observed(&scenario, ids)), &expected);
    }
}

#[test]
fn sampling_keeps_the_observed_ratios() {
    let (scenario, _) = fixture("stall.toml");
    // Every likelihood is an exact number, so every sample draws the point estimates: the
    // spread collapses onto the conditioned forecast, ratios and ruled-out paths included.
    let signposts = resolve(&scenario, &["energy_pause", "more_meetings"]).unwrap();
    let model = Model::compose(&scenario, None, Fixed::none(2), signposts).unwrap();
    let sampling =
        casus_rules::analyses::sampling::sample(&model, &EvalLimits::default(), (20, 3)).unwrap();
    let expected = [0.2 / 0.86, 0.0, 0.66 / 0.86];
    for (spread, e) in sampling.outcomes.iter().zip(expected) {
        assert!((spread.mean - e).abs() < 1e-12, "{sampling:?}");
        assert!((spread.p5 - e).abs() < 1e-12 && (spread.p95 - e).abs() < 1e-12);
    }
}

#[test]
fn a_condition_no_path_meets_is_reported() {
    let (mut scenario, _) = fixture("stall.toml");
    // Observe "the US walked away" and "the US did not walk away" at once.
    let mut contrary = scenario.signposts[2].clone();
    contrary.id.name = "walked_away".to_owned();
    if let Some(casus_core::model::Evidence::When(when)) = &mut contrary.evidence {
        *when = casus_core::expr::Expr {
            kind: casus_core::expr::ExprKind::Unary(
                casus_core::expr::UnaryOp::Not,
                Box::new(when.clone()),
            ),
            span: when.span,
        };
    }
    scenario.signposts.push(contrary);
    let signposts = resolve(&scenario, &["more_meetings", "walked_away"]).unwrap();
    let errors = Model::compose(&scenario, None, Fixed::none(2), signposts)
        .and_then(|m| m.evaluate(&EvalLimits::default()))
        .unwrap_err();
    assert_eq!(
        errors[0].message,
        "no path is consistent with the observed signposts and given values"
    );
}

#[test]
fn an_unknown_signpost_is_named_with_a_suggestion() {
    let (scenario, _) = fixture("stall.toml");
    assert_eq!(
        resolve(&scenario, &["energy_paus"]).unwrap_err(),
        "`energy_paus` is not a signpost; did you mean `energy_pause`?"
    );
}

#[test]
fn the_watch_list_names_what_moves_each_outcome_most() {
    let (scenario, program) = fixture("stall.toml");
    let base: Vec<f64> =
        casus_rules::evaluate(&scenario, &program, &Given::none(2), &EvalLimits::default())
            .unwrap()
            .outcomes
            .iter()
            .map(|o| o.probability)
            .collect();
    let effects = watch_list(
        &scenario,
        &casus_rules::session::Model::as_written(&scenario, &program),
        &base,
        &EvalLimits::default(),
    )
    .unwrap();
    assert_eq!(effects.len(), 3);
    // Ruling out walking away moves all of walk's 0.48 to the other outcomes.
    assert!((effects[2].distance - 0.48).abs() < 1e-12, "{effects:?}");
    // Walk rises most with the cancelled trip (0.48 → 1.92 / 2.44) and falls most with more
    // meetings (to 0).
    let (up, down) = casus_report::analysis::strongest(&effects, 1);
    assert_eq!(up.map(|(s, _)| s), Some(1));
    assert!((up.unwrap().1 - (1.92 / 2.44 - 0.48)).abs() < 1e-12);
    assert_eq!(down, Some((2, -0.48)));
    insta::assert_snapshot!(
        "watch_list",
        casus_report::analysis::render_watch_list(&scenario, &effects)
    );
    insta::assert_snapshot!(
        "watch_list_json",
        serde_json::to_string_pretty(&casus_report::output::eval::watch_list(&scenario, &effects))
            .unwrap()
    );
}

#[test]
fn mistakes_in_signposts_are_reported_where_they_are() {
    insta::glob!("fixtures/signposts/invalid", "*.toml", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = format!(
            "tests/fixtures/signposts/invalid/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let file = SourceFile::new(name, text);
        let checked = check_source(&file, &Limits::default(), &EvalLimits::default());
        assert!(checked.has_errors());
        insta::assert_snapshot!(render_human(&file, &checked.diagnostics, false));
    });
}

/// The bundled peace-framework scenario declares variants and signposts, and its report shows
/// them: the comparison (base first, then each variant), the watch-list (one row per outcome)
/// and every signpost with its source.
#[test]
fn the_bundled_report_shows_variants_and_signposts() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ukraine-peace-framework.toml");
    let file = SourceFile::new(
        "ukraine-peace-framework.toml",
        std::fs::read_to_string(path).unwrap(),
    );
    let model = casus_report::report::prepare(
        &casus_rules::session::Session::open(
            file.clone(),
            casus_rules::session::Options {
                limits: Limits::default(),
                eval: EvalLimits::default(),
                ..Default::default()
            },
        ),
        &casus_rules::session::Budget::unlimited(),
    )
    .unwrap();
    let columns: Vec<Option<&str>> = model
        .variants
        .columns
        .iter()
        .map(|c| c.id.as_deref())
        .collect();
    assert_eq!(
        columns,
        [
            None,
            Some("europe_releases_assets"),
            Some("congress_sanctions")
        ]
    );
    assert_eq!(model.signposts.signposts.len(), 3);
    assert!(model.signposts.signposts.iter().all(|s| s.source.is_some()));
    assert_eq!(model.signposts.watch.len(), model.forecast.outcomes.len());
    assert_eq!(
        model.sampling.samples,
        casus_report::report::model::REPORT_SAMPLES
    );
    for format in [
        casus_report::report::Format::Markdown,
        casus_report::report::Format::Html,
    ] {
        let text =
            casus_report::report::render(&model, format, casus_report::report::Graph::Decisions);
        for needle in [
            "Variants",
            "Signposts",
            "Uncertainty",
            "Value of information",
            "energy_strikes_pause",
            "congress_sanctions",
        ] {
            assert!(text.contains(needle), "{format:?} lacks {needle}");
        }
    }
}
