//! `casus test --format json`: per file, each test with its verdict and failures; the totals;
//! coverage when measured.

use casus_core::model::Scenario;
use casus_rules::workflow::testing::{Choice, Coverage, Failure, TestStatus};
use schemars::JsonSchema;
use serde::Serialize;

use super::ChoiceOut;
use crate::testing::{FileTests, counts};
use crate::text::round;

/// What `casus test --format json` prints: the totals, then each file's tests.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TestOutput {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed (a vacuous test fails), plus one for each file whose tests could not
    /// run.
    pub failed: usize,
    /// Each file, in the order given.
    pub files: Vec<TestFileOut>,
}

/// One file's tests.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TestFileOut {
    /// The file's path as given.
    pub file: String,
    /// The scenario's title; absent when the file has errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub scenario: Option<String>,
    /// The errors that kept its tests from running (`casus check` shows them); 0 when they
    /// ran.
    pub errors: usize,
    /// Each test in file order; empty when they could not run.
    pub tests: Vec<TestCaseOut>,
    /// With `--coverage`: what the tests exercise; absent when the tests could not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "CoverageOut")]
    pub coverage: Option<CoverageOut>,
}

/// One test's result.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TestCaseOut {
    /// The test's id.
    pub name: String,
    /// Its verdict.
    pub status: TestVerdict,
    /// Complete paths consistent with its `given` on which `expect` was checked (0 for a test
    /// with only `expect_probability`).
    pub paths: u64,
    /// Why it failed, in the order the expectations are written; empty when it passed.
    pub failures: Vec<FailureOut>,
}

/// A test's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TestVerdict {
    /// Every expectation holds.
    Passed,
    /// An expectation does not hold, or the test could not run.
    Failed,
    /// No path is consistent with the test's `given`: it checks nothing, and counts as failed.
    Vacuous,
}

impl From<TestStatus> for TestVerdict {
    fn from(status: TestStatus) -> Self {
        match status {
            TestStatus::Passed => TestVerdict::Passed,
            TestStatus::Failed => TestVerdict::Failed,
            TestStatus::Vacuous => TestVerdict::Vacuous,
        }
    }
}

/// One reason a test failed.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
#[schemars(deny_unknown_fields)]
pub enum FailureOut {
    /// An `expect` entry does not hold on some paths.
    Expect {
        /// The key as written: `outcome`, a fact or a decision.
        key: String,
        /// The expected value, as written.
        expected: String,
        /// On how many paths it does not hold.
        failing_paths: u64,
        /// Of how many paths consistent with `given`.
        paths: u64,
        /// The values seen instead, most frequent first, then by name.
        seen: Vec<SeenOut>,
        /// The most likely path where it does not hold.
        path: Vec<ChoiceOut>,
        /// That path's probability.
        path_probability: f64,
        /// The value seen on that path.
        path_value: String,
    },
    /// A forecast lies outside its `expect_probability` range.
    Probability {
        /// The outcome's id.
        outcome: Option<String>,
        /// The expected `[low, high]`.
        range: [f64; 2],
        /// The forecast under `given`.
        probability: f64,
    },
    /// No path is consistent with `given`.
    Vacuous,
    /// The test could not run.
    Error {
        /// Why, as a sentence.
        message: String,
    },
}

/// A value seen where an `expect` entry wanted another.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SeenOut {
    /// The value (`unset` for a skipped decision, `none` for no outcome).
    pub value: String,
    /// On how many paths.
    pub paths: u64,
}

/// Coverage (`--coverage`), or why it could not be measured.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum CoverageOut {
    /// The measurement.
    Measured(CoverageMeasured),
    /// Why it could not be measured.
    NotMeasured(CoverageError),
}

/// How much of a scenario its tests exercise.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CoverageMeasured {
    /// Complete paths of the scenario, nothing given.
    pub paths: u64,
    /// Of those, the paths on which some test's `expect` was checked.
    pub covered_paths: u64,
    /// Covered paths as a percentage (100 for a scenario with no paths).
    pub path_percent: f64,
    /// The probability of the covered paths.
    pub covered_probability: f64,
    /// Rules in the scenario.
    pub rules: usize,
    /// Rules that fire on some path a test checks.
    pub covered_rules: usize,
    /// Outcomes in the scenario.
    pub outcomes: usize,
    /// Outcomes reached on some path a test checks, or named by an `expect_probability`.
    pub covered_outcomes: usize,
    /// The ids of the rules no test exercises.
    pub untested_rules: Vec<String>,
    /// The ids of the outcomes no test reaches.
    pub untested_outcomes: Vec<String>,
    /// The most likely paths no test checks, most likely first.
    pub untested_paths: Vec<UntestedPathOut>,
}

/// Why coverage could not be measured.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CoverageError {
    /// Why, as a sentence.
    pub error: String,
}

/// A path no test checks.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct UntestedPathOut {
    /// Its decisions in order.
    pub path: Vec<ChoiceOut>,
    /// Its probability.
    pub probability: f64,
    /// The outcome it ends in; `null` for none.
    pub outcome: Option<String>,
}

impl TestOutput {
    /// The output of one `casus test` over `files`.
    pub fn build(files: &[FileTests<'_>]) -> Self {
        let (passed, failed) = counts(files);
        TestOutput {
            passed,
            failed,
            files: files.iter().map(TestFileOut::build).collect(),
        }
    }
}

impl TestFileOut {
    fn build(file: &FileTests<'_>) -> Self {
        let name = file.source.name().to_owned();
        let Some((scenario, results)) = file.run else {
            return TestFileOut {
                file: name,
                scenario: None,
                errors: file.errors(),
                tests: Vec::new(),
                coverage: None,
            };
        };
        TestFileOut {
            file: name,
            scenario: Some(scenario.meta.title.clone()),
            errors: 0,
            tests: results
                .iter()
                .filter_map(|r| {
                    let test = scenario.tests.get(r.index)?;
                    Some(TestCaseOut {
                        name: test.id.name.clone(),
                        status: r.status.into(),
                        paths: r.paths,
                        failures: r
                            .failures
                            .iter()
                            .map(|f| FailureOut::build(scenario, f))
                            .collect(),
                    })
                })
                .collect(),
            coverage: file.coverage.map(|c| CoverageOut::build(scenario, c)),
        }
    }
}

impl FailureOut {
    fn build(scenario: &Scenario, failure: &Failure) -> Self {
        match failure {
            Failure::Expect(f) => FailureOut::Expect {
                key: f.key.clone(),
                expected: f.expected.clone(),
                failing_paths: f.failing_paths,
                paths: f.paths,
                seen: f
                    .seen
                    .iter()
                    .map(|(value, paths)| SeenOut {
                        value: value.clone(),
                        paths: *paths,
                    })
                    .collect(),
                path: choices(scenario, &f.path),
                path_probability: round(f.path_probability),
                path_value: f.path_value.clone(),
            },
            Failure::Probability(f) => FailureOut::Probability {
                outcome: scenario.outcomes.get(f.outcome).map(|o| o.id.name.clone()),
                range: [round(f.range.0), round(f.range.1)],
                probability: round(f.probability),
            },
            Failure::Vacuous => FailureOut::Vacuous,
            Failure::Error { message } => FailureOut::Error {
                message: message.clone(),
            },
        }
    }
}

impl CoverageOut {
    fn build(scenario: &Scenario, coverage: &Result<Coverage, String>) -> Self {
        let c = match coverage {
            Ok(c) => c,
            Err(message) => {
                return CoverageOut::NotMeasured(CoverageError {
                    error: message.clone(),
                });
            }
        };
        CoverageOut::Measured(CoverageMeasured {
            paths: c.paths,
            covered_paths: c.covered_paths,
            path_percent: round(c.path_percent()),
            covered_probability: round(c.covered_probability),
            rules: c.rules.len(),
            covered_rules: c.rules.iter().filter(|&&r| r).count(),
            outcomes: c.outcomes.len(),
            covered_outcomes: c.outcomes.iter().filter(|&&o| o).count(),
            untested_rules: scenario
                .rules
                .iter()
                .zip(&c.rules)
                .filter(|(_, covered)| !**covered)
                .map(|(r, _)| r.id.name.clone())
                .collect(),
            untested_outcomes: scenario
                .outcomes
                .iter()
                .zip(&c.outcomes)
                .filter(|(_, covered)| !**covered)
                .map(|(o, _)| o.id.name.clone())
                .collect(),
            untested_paths: c
                .uncovered
                .iter()
                .map(|u| UntestedPathOut {
                    path: choices(scenario, &u.path),
                    probability: round(u.probability),
                    outcome: u
                        .outcome
                        .and_then(|o| scenario.outcomes.get(o))
                        .map(|o| o.id.name.clone()),
                })
                .collect(),
        })
    }
}

/// A path's decisions by name; a decision the scenario lacks is left out.
fn choices(scenario: &Scenario, path: &[Choice]) -> Vec<ChoiceOut> {
    path.iter()
        .filter_map(|c| {
            let d = scenario.decisions.get(c.decision)?;
            Some(ChoiceOut {
                decision: d.id.name.clone(),
                option: c
                    .option
                    .and_then(|o| d.options.get(o))
                    .map(|o| o.name.clone()),
            })
        })
        .collect()
}
