//! `casus test`: the bundled scenarios' own tests pass; a fixture with a failing, a vacuous and
//! an out-of-range test fails naming each; every output format is snapshotted, JUnit is checked
//! against the JUnit XML shape, and coverage numbers are checked by hand.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions unwrap file, process and fixture operations that must succeed"
)]

use std::path::Path;
use std::process::Command;

use casus_core::SourceFile;
use casus_core::limits::Limits;
use casus_rules::workflow::testing::{Failure, TestStatus, run_tests, run_tests_with_coverage};
use casus_rules::{EvalLimits, check_source};
use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

const FAILING: &str = "tests/fixtures/testing/failing-and-vacuous.toml";

/// `casus` run from the repository root, so paths in the output are the ones a user types.
/// The binary is built by `cargo test --workspace` (CI runs that); run
/// `cargo build -p casus-cli` first when running this file alone.
fn casus() -> Command {
    let mut command = Command::new(get_cargo_bin("casus"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command.env("NO_COLOR", "1");
    // JUnit durations are zero, so snapshots match byte for byte.
    command.env("CASUS_TEST_TIME", "fixed");
    command
}

fn scenario(relative: &str) -> casus_core::model::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let file = SourceFile::new(relative, std::fs::read_to_string(path).unwrap());
    let checked = check_source(&file, &Limits::default(), &EvalLimits::default());
    assert!(
        !checked.has_errors(),
        "{relative}: {:#?}",
        checked.diagnostics
    );
    checked.scenario.unwrap()
}

#[test]
fn every_bundled_scenario_passes_its_tests() {
    let mut names: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
    names.sort();
    assert!(names.len() >= 5);
    for name in names {
        let relative = format!("scenarios/{name}");
        let s = scenario(&relative);
        assert!(!s.tests.is_empty(), "{relative} has no tests");
        for result in run_tests(&s, &EvalLimits::default()) {
            assert!(
                result.passed(),
                "{relative}::{} {:?}",
                s.tests[result.index].id.name,
                result.failures
            );
        }
    }
}

#[test]
fn casus_test_over_the_scenarios_folder_passes() {
    let output = casus().args(["test", "scenarios/"]).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    // cargo's closing line, which CI tooling reads, once.
    let lines: Vec<&str> = stdout.lines().collect();
    let n = lines.len();
    assert!(lines[n - 1].starts_with("test result: ok. "), "{stdout}");
    assert_eq!(
        stdout.matches(" passed").count(),
        1,
        "one summary line: {stdout}"
    );
    assert!(!stdout.contains("FAILED"));
}

#[test]
fn the_runner_names_the_failing_and_the_vacuous_test() {
    let s = scenario(FAILING);
    let results = run_tests(&s, &EvalLimits::default());
    let status = |name: &str| {
        let r = results
            .iter()
            .find(|r| s.tests[r.index].id.name == name)
            .unwrap();
        (r.status, r.failures.clone(), r.paths)
    };
    assert_eq!(status("refusal_means_walk_away").0, TestStatus::Passed);
    assert_eq!(
        status("ceasefire_is_unlikely_to_last").0,
        TestStatus::Passed
    );

    // Refusal is possible after either offer that is not `none` (2 offers × 3 land statuses = 6
    // paths); on all six the US walks away, so a stalemate is expected on none of them.
    let (st, failures, paths) = status("refusal_is_a_stalemate");
    assert_eq!((st, paths), (TestStatus::Failed, 6));
    let Failure::Expect(f) = &failures[0] else {
        panic!("{failures:?}")
    };
    assert_eq!((f.failing_paths, f.paths), (6, 6));
    assert_eq!(f.seen, vec![("us_walks_away".to_owned(), 6)]);
    // The most likely of them, by hand: de_facto (0.675/1.03) × sanctions_relief (1/3) ×
    // refuse (0.45) = 0.0983; after relief_and_assets refusing is only 0.325/1.15.
    assert!((f.path_probability - 0.675 / 1.03 / 3.0 * 0.45).abs() < 1e-9);

    // The cease-fire decision needs Russia to accept, so refusing and a holding cease-fire
    // never meet.
    let (st, failures, paths) = status("refusal_and_a_holding_ceasefire");
    assert_eq!((st, paths), (TestStatus::Vacuous, 0));
    assert_eq!(failures, vec![Failure::Vacuous]);

    // The stalemate's forecast is 0.5996 (hand-computed), outside "unlikely" (20–45 %).
    let (st, failures, _) = status("stalemate_is_unlikely");
    assert_eq!(st, TestStatus::Failed);
    let Failure::Probability(p) = &failures[0] else {
        panic!("{failures:?}")
    };
    assert!((p.probability - 0.5996).abs() < 5e-5);
    assert_eq!(p.range, (0.2, 0.45));
}

#[test]
fn failing_tests_in_the_human_format() {
    assert_cmd_snapshot!(casus().args(["test", FAILING]));
}

#[test]
fn failing_tests_in_the_json_format() {
    assert_cmd_snapshot!(casus().args(["test", FAILING, "--format", "json"]));
}

#[test]
fn failing_tests_in_the_github_format() {
    assert_cmd_snapshot!(casus().args(["test", FAILING, "--format", "github"]));
}

#[test]
fn failing_tests_in_the_junit_format() {
    assert_cmd_snapshot!(casus().args([
        "test",
        FAILING,
        "tests/fixtures/testing/broken",
        "--format",
        "junit"
    ]));
}

/// The JUnit shape CI systems read (the Jenkins/Ant schema that GitLab and GitHub reporters
/// follow): `testsuites` > `testsuite` (name, tests, failures, errors) > `testcase` (name,
/// classname) with at most one `failure` or `error` (message, type); the counts add up.
#[test]
fn junit_output_has_the_junit_xml_shape() {
    let output = casus()
        .args([
            "test",
            FAILING,
            "scenarios/us-walk-away.toml",
            "tests/fixtures/testing/broken",
            "--format",
            "junit",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let xml = String::from_utf8(output.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let number = |node: roxmltree::Node<'_, '_>, attribute: &str| -> usize {
        node.attribute(attribute)
            .unwrap_or_else(|| panic!("`{attribute}` missing on {node:?}"))
            .parse()
            .unwrap()
    };
    let (mut tests, mut failures, mut errors) = (0, 0, 0);
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert_eq!(suites.len(), 3);
    for suite in suites {
        assert_eq!(suite.tag_name().name(), "testsuite");
        assert!(suite.attribute("name").is_some());
        let cases: Vec<_> = suite.children().filter(|n| n.is_element()).collect();
        let (mut f, mut e) = (0, 0);
        for case in &cases {
            assert_eq!(case.tag_name().name(), "testcase");
            assert!(case.attribute("name").is_some() && case.attribute("classname").is_some());
            let verdicts: Vec<_> = case.children().filter(|n| n.is_element()).collect();
            assert!(verdicts.len() <= 1);
            for v in verdicts {
                assert!(v.attribute("message").is_some() && v.attribute("type").is_some());
                match v.tag_name().name() {
                    "failure" => f += 1,
                    "error" => e += 1,
                    other => panic!("unexpected <{other}>"),
                }
            }
        }
        assert_eq!(number(suite, "tests"), cases.len());
        assert_eq!(number(suite, "failures"), f);
        assert_eq!(number(suite, "errors"), e);
        tests += cases.len();
        failures += f;
        errors += e;
    }
    assert_eq!(number(root, "tests"), tests);
    assert_eq!(number(root, "failures"), failures);
    assert_eq!(number(root, "errors"), errors);
    // 5 in the fixture + 7 in us-walk-away + the broken file; 3 failures; 1 error.
    assert_eq!((tests, failures, errors), (13, 3, 1));
}

#[test]
fn a_file_with_errors_fails_and_says_why() {
    assert_cmd_snapshot!(casus().args(["test", "tests/fixtures/testing/broken"]));
}

#[test]
fn coverage_of_the_design_example() {
    let s = scenario("tests/fixtures/valid/design-example.toml");
    let (results, coverage) = run_tests_with_coverage(&s, &EvalLimits::default());
    assert!(results.iter().all(|r| r.passed()));
    let c = coverage.unwrap();
    // By hand: the only `expect` test fixes russia_answer = refuse, which 3 land statuses × 2
    // offers allow: 6 of the 25 paths, carrying P(refuse) = 0.2442 (the forecast of
    // us_walks_away in the hand computation).
    assert_eq!((c.covered_paths, c.paths), (6, 25));
    assert!((c.covered_probability - 0.2442).abs() < 5e-5);
    // walk_away fires on those paths, the ceasefire rule never does.
    assert_eq!(c.rules, vec![true, false]);
    // us_walks_away is reached, ceasefire_collapses is named by expect_probability.
    let covered: Vec<&str> = s
        .outcomes
        .iter()
        .zip(&c.outcomes)
        .filter(|(_, c)| **c)
        .map(|(o, _)| o.id.name.as_str())
        .collect();
    assert_eq!(covered, vec!["ceasefire_collapses", "us_walks_away"]);
    // The likeliest untested path: de_facto (0.6553) × no offer (1/3) = 0.2184.
    assert!((c.uncovered[0].probability - 0.675 / 1.03 / 3.0).abs() < 1e-9);
}

#[test]
fn coverage_report_and_minimum() {
    assert_cmd_snapshot!(casus().args([
        "test",
        "tests/fixtures/valid/design-example.toml",
        "--coverage"
    ]));
    let below = casus()
        .args([
            "test",
            "tests/fixtures/valid/design-example.toml",
            "--min-coverage",
            "25",
        ])
        .output()
        .unwrap();
    assert_eq!(below.status.code(), Some(1));
    assert!(
        String::from_utf8(below.stderr)
            .unwrap()
            .contains("path coverage of `tests/fixtures/valid/design-example.toml` is 24.0 %, below the minimum of 25 %")
    );
    let above = casus()
        .args([
            "test",
            "tests/fixtures/valid/design-example.toml",
            "--min-coverage",
            "24",
        ])
        .output()
        .unwrap();
    assert_eq!(above.status.code(), Some(0));
}

/// JUnit's `time` is measured: each test case has the seconds it took, each test suite the
/// seconds its file took and the whole run their sum; `CASUS_TEST_TIME=fixed` (set by the
/// snapshot tests) makes them zero.
#[test]
fn junit_times_are_measured_unless_fixed() {
    let times = |fixed: bool| -> Vec<f64> {
        let mut command = Command::new(get_cargo_bin("casus"));
        command.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "test",
            "scenarios/",
            "--format",
            "junit",
        ]);
        if fixed {
            command.env("CASUS_TEST_TIME", "fixed");
        } else {
            command.env_remove("CASUS_TEST_TIME");
        }
        let stdout = String::from_utf8(command.output().unwrap().stdout).unwrap();
        let doc = roxmltree::Document::parse(&stdout).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("testsuites") || n.has_tag_name("testsuite"))
            .map(|n| n.attribute("time").unwrap().parse::<f64>().unwrap())
            .chain(std::iter::once(
                doc.descendants()
                    .filter(|n| n.has_tag_name("testcase"))
                    .map(|n| n.attribute("time").unwrap().parse::<f64>().unwrap())
                    .sum::<f64>(),
            ))
            .collect()
    };
    let mut measured = times(false);
    // The last entry is the sum of the test cases' times (every case has one, or the parse
    // above fails): each case runs inside its suite's time, give or take the rounding of each
    // to the millisecond.
    let cases = measured.pop().unwrap();
    assert!(
        cases >= 0.0 && cases <= measured[0] + 0.05,
        "{cases} {measured:?}"
    );
    assert_eq!(measured.len(), 6, "the run and its five files");
    let (total, suites) = (measured[0], &measured[1..]);
    // Evaluating a scenario takes some time; the total is the sum (rounded to milliseconds).
    assert!(
        suites.iter().all(|t| *t >= 0.0) && total > 0.0,
        "{measured:?}"
    );
    assert!(
        (total - suites.iter().sum::<f64>()).abs() <= 0.003,
        "{measured:?}"
    );
    assert!(times(true).iter().all(|t| *t == 0.0));
}
