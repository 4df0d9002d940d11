//! Every renderer on generated scenarios full of fuzzer text: diagnostics (human, JSON,
//! GitHub, SARIF), eval (human, JSON, tornado), every report format and graph, tests (human,
//! JSON, JUnit, GitHub, coverage), explain (human, JSON, with `--outcome` and `--why-not`),
//! diff (human, Markdown, JSON) against a changed version, and the Gambit and
//! SilverDecisions exports. Machine formats must parse: JSON as JSON.
#![no_main]

use casus_core::SourceFile;
use casus_fuzz::GenScenario;
use casus_report::report::{self, Format, Graph};
use casus_rules::{Checked, Given, check_source};
use libfuzzer_sys::fuzz_target;

const MAX_PATHS: u64 = 20_000;

fn json_parses(text: &str) {
    assert!(
        serde_json::from_str::<serde_json::Value>(text).is_ok(),
        "not JSON: {text}"
    );
}

fuzz_target!(|input: (GenScenario, GenScenario)| {
    let (old, new) = input;
    let (limits, eval) = casus_fuzz::small_limits();
    let new_file = SourceFile::new("new.toml", new.to_toml());
    let checked = check_source(&new_file, &limits, &eval);
    casus_fuzz::render_diagnostics(&new_file, &checked.diagnostics);
    json_parses(&casus_report::diagnostics::render_json(&[(
        &new_file,
        &checked.diagnostics,
    )]));
    json_parses(&casus_report::diagnostics::render_sarif(&[(
        &new_file,
        &checked.diagnostics,
    )]));

    // The diff against another generated version (often sharing most ids).
    let old_file = SourceFile::new("old.toml", old.to_toml());
    let old_checked = check_source(&old_file, &limits, &eval);
    diff(&old_checked, &checked, &eval);

    // Tests, on whatever loaded.
    let results = checked
        .scenario
        .as_ref()
        .filter(|_| !checked.has_errors())
        .map(|s| casus_rules::workflow::testing::run_tests_with_coverage(s, &eval));
    let views = [casus_report::testing::FileTests {
        source: &new_file,
        run: match (&checked.scenario, &results) {
            (Some(s), Some((r, _))) => Some((s, r.as_slice())),
            _ => None,
        },
        diagnostics: if checked.has_errors() {
            &checked.diagnostics
        } else {
            &[]
        },
        coverage: results.as_ref().map(|(_, c)| c),
        elapsed: std::time::Duration::ZERO,
    }];
    let _ = casus_report::testing::render_human(&views);
    let _ = casus_report::testing::closing_lines(&views);
    let _ = casus_report::testing::render_junit(&views);
    let _ = casus_report::testing::render_github(&views);
    json_parses(&serde_json::to_string(&casus_report::output::testing::TestOutput::build(&views)).unwrap_or_default());

    let (Some(scenario), Some(program), Some(evaluation), false) = (
        &checked.scenario,
        &checked.program,
        &checked.evaluation,
        checked.has_errors(),
    ) else {
        return;
    };
    let none = Given::none(program.decisions.len());
    let _ = &none;
    let model = casus_rules::session::Model::as_written(scenario, program);
    let sensitivity = casus_rules::analyses::sensitivity::sensitivity(&model, &eval).ok();
    let ranges = sensitivity.as_ref().map(|s| s.ranges.as_slice());
    let _ = casus_report::eval::render_human(scenario, evaluation, ranges);
    if let Some(s) = &sensitivity {
        let _ = casus_report::eval::render_tornado(scenario, &s.tornado, 10);
    }
    let json = casus_report::output::eval::EvalOutput::of_evaluation(
        scenario,
        evaluation,
        sensitivity.as_ref(),
    );
    json_parses(&serde_json::to_string(&json).unwrap_or_default());

    let session = casus_rules::session::Session::open(
        new_file.clone(),
        casus_rules::session::Options {
            limits,
            eval: eval.clone(),
            ..Default::default()
        },
    );
    if let Ok(model) = report::prepare(&session, &casus_rules::session::Budget::unlimited()) {
        for format in Format::ALL {
            for graph in [Graph::Decisions, Graph::Rules] {
                let text = report::render(&model, format, graph);
                if format == Format::Json {
                    json_parses(&text);
                }
            }
        }
    }

    if let Ok(game) = casus_rules::graphs::game_tree::build(scenario, program, 2_000) {
        let _ = casus_report::efg::render(scenario, &game);
        for actor in 0..scenario.actors.len() {
            let _ = casus_report::silverdecisions::render(scenario, &game, actor);
        }
    }

    let fixed = casus_rules::search::given::Fixed {
        given: none.clone(),
        overrides: Vec::new(),
    };
    if let Ok(Some(explanation)) = casus_rules::analyses::explain::explain(program, &none, MAX_PATHS) {
        for outcome in 0..scenario.outcomes.len().min(3) {
            let paths = casus_rules::analyses::explain::paths_to(program, &none, outcome, 5, MAX_PATHS).ok();
            let why = casus_rules::analyses::whynot::why_not(
                scenario,
                program,
                &fixed,
                &explanation.path,
                outcome,
                MAX_PATHS,
            )
            .ok();
            let report = casus_report::explain::ExplainReport {
                scenario,
                program,
                fixed: &fixed,
                explanation: &explanation,
                outcome_paths: paths.as_ref(),
                why_not: why.as_ref().map(|w| (outcome, w)),
            };
            let _ = casus_report::explain::render_human(&report);
            json_parses(&serde_json::to_string(&casus_report::output::explain::ExplainOutput::build(&report)).unwrap_or_default());
        }
    }
});

fn diff(old: &Checked, new: &Checked, eval: &casus_rules::EvalLimits) {
    use casus_report::diff::{FileChange, FileDiff};
    let (Some(os), Some(ns)) = (&old.scenario, &new.scenario) else {
        return;
    };
    fn version<'c>(
        c: &'c Checked,
        s: &'c casus_core::model::Scenario,
    ) -> casus_rules::workflow::diff::Version<'c> {
        casus_rules::workflow::diff::Version {
            scenario: s,
            program: c.program.as_ref().filter(|_| !c.has_errors()),
            evaluation: c.evaluation.as_ref().filter(|_| !c.has_errors()),
        }
    }
    let d = casus_rules::workflow::diff::diff(&version(old, os), &version(new, ns), eval);
    let views = [
        FileDiff {
            name: "gen.toml",
            title: Some(&ns.meta.title),
            change: FileChange::Compared(&d),
        },
        FileDiff {
            name: "added.toml",
            title: None,
            change: FileChange::Added,
        },
        FileDiff {
            name: "bad.toml",
            title: Some(&os.meta.title),
            change: FileChange::Unreadable("neither version can be read"),
        },
    ];
    let _ = casus_report::diff::render_human(&views);
    let _ = casus_report::diff::render_markdown(&views);
    json_parses(&serde_json::to_string(&casus_report::output::diff::DiffOutput::build(&views)).unwrap_or_default());
}
