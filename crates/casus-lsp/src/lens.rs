//! Code lenses: each outcome's forecast above its table, and "run test" above each
//! `[tests.*]`; and the commands they run.

use casus_core::Span;
use casus_core::likelihood::word_for;
use casus_rules::session::Budget;
use casus_rules::workflow::testing::TestStatus;
use serde::Serialize;

use crate::analysis::Snapshot;

/// The command a test's lens runs: the scenario's tests, or the one named.
pub(crate) const RUN_TESTS: &str = "casus.runTests";
/// The command an outcome's lens runs: the forecast of every outcome.
pub(crate) const SHOW_FORECAST: &str = "casus.showForecast";

/// One lens: a title over the line of `span`, and the command it runs with its arguments
/// (after the document's URI).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Lens {
    /// Where.
    pub(crate) span: Span,
    /// What it says.
    pub(crate) title: String,
    /// The command.
    pub(crate) command: &'static str,
    /// The test to run, for [`RUN_TESTS`].
    pub(crate) test: Option<String>,
}

/// The lenses of a document: forecasts from `full` when it is the current version's complete
/// analysis, a word on why not otherwise.
pub(crate) fn lenses(quick: &Snapshot, full: Option<&Snapshot>) -> Vec<Lens> {
    let Some(scenario) = quick.session.scenario() else {
        return Vec::new();
    };
    let forecast = full.and_then(Snapshot::forecast);
    let mut lenses = Vec::new();
    for (i, outcome) in scenario.outcomes.iter().enumerate() {
        let title = match forecast.as_ref().and_then(|f| f.get(i)) {
            Some(p) => format!("forecast {} ({})", percent(*p), word_for(*p).word),
            None if quick.session.has_errors() => "forecast: fix the errors first".to_owned(),
            None => "forecast: evaluating…".to_owned(),
        };
        lenses.push(Lens {
            span: outcome.id.span,
            title,
            command: SHOW_FORECAST,
            test: None,
        });
    }
    for test in &scenario.tests {
        lenses.push(Lens {
            span: test.id.span,
            title: format!("▶ run test `{}`", test.id.name),
            command: RUN_TESTS,
            test: Some(test.id.name.clone()),
        });
    }
    lenses
}

fn percent(p: f64) -> String {
    format!("{:.1} %", p * 100.0)
}

/// One test's result, as the command returns it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TestReport {
    /// The test's id.
    pub(crate) test: String,
    /// `passed`, `failed` or `vacuous`.
    pub(crate) status: &'static str,
    /// Why it failed, in words.
    pub(crate) failures: Vec<casus_rules::workflow::testing::Failure>,
}

/// Runs the scenario's tests (or only `only`) under `budget`.
pub(crate) fn run_tests(
    snapshot: &Snapshot,
    only: Option<&str>,
    budget: &Budget,
) -> Result<Vec<TestReport>, String> {
    let scenario = snapshot
        .session
        .scenario()
        .ok_or_else(|| "the file does not load; fix its errors first".to_owned())?;
    let results = snapshot
        .session
        .tests(budget)
        .map_err(|e| format!("{e}; fix its errors first"))?;
    Ok(results
        .into_iter()
        .filter_map(|r| {
            let id = scenario.tests.get(r.index)?.id.name.clone();
            if only.is_some_and(|o| o != id) {
                return None;
            }
            Some(TestReport {
                test: id,
                status: r.status.as_str(),
                failures: r.failures,
            })
        })
        .collect())
}

/// The test results in one sentence for a message.
pub(crate) fn summary(reports: &[TestReport]) -> String {
    let passed = reports
        .iter()
        .filter(|r| r.status == TestStatus::Passed.as_str())
        .count();
    let failed: Vec<String> = reports
        .iter()
        .filter(|r| r.status != TestStatus::Passed.as_str())
        .map(|r| format!("`{}` {}", r.test, r.status))
        .collect();
    if failed.is_empty() {
        format!("{passed} of {} tests passed", reports.len())
    } else {
        format!(
            "{passed} of {} tests passed; {}",
            reports.len(),
            failed.join(", ")
        )
    }
}

/// The forecast in one sentence for a message.
pub(crate) fn forecast_summary(snapshot: &Snapshot) -> Option<String> {
    let scenario = snapshot.session.scenario()?;
    let forecast = snapshot.forecast()?;
    let parts: Vec<String> = scenario
        .outcomes
        .iter()
        .zip(&forecast)
        .map(|(o, p)| format!("`{}` {}", o.id.name, percent(*p)))
        .collect();
    Some(format!("forecast: {}", parts.join(", ")))
}
