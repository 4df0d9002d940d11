//! `casus test`: test results as text for people (in the manner of `cargo test`), as JUnit XML
//! for CI dashboards, and as GitHub Actions annotations on the lines of the failing
//! expectations; the JSON is [`crate::output::testing::TestOutput`].
//!
//! Every renderer reads the same [`FileTests`] list and agrees on the counts: a vacuous test is
//! a failure, and a file whose tests could not run (it has errors) counts as one failure.

use std::fmt::Write as _;

use casus_core::model::{Scenario, Test};
use casus_core::{Diagnostic, SourceFile, Span};
use casus_rules::workflow::testing::{
    Choice, Coverage, ExpectFailure, Failure, ProbabilityFailure, TestResult, TestStatus,
};

use crate::text::{clip, percent, round};

/// One file's tests, as the CLI ran them.
#[derive(Clone, Copy, Debug)]
pub struct FileTests<'a> {
    /// The file, for its name and for line numbers.
    pub source: &'a SourceFile,
    /// The scenario and the results of its tests, when it checked without errors.
    pub run: Option<(&'a Scenario, &'a [TestResult])>,
    /// The errors that kept its tests from running; empty when they ran.
    pub diagnostics: &'a [Diagnostic],
    /// Coverage, when asked for: the measurement, or why it could not be made.
    pub coverage: Option<&'a Result<Coverage, String>>,
    /// How long reading, checking and testing the file took: JUnit's `time` of its test suite.
    /// Test cases carry no `time` of their own: the runner does not time tests one by one, and
    /// an invented share would be no measurement.
    pub elapsed: std::time::Duration,
}

impl FileTests<'_> {
    /// How many errors kept the file's tests from running.
    pub(crate) fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

/// Passed and failed counts over every file: a file whose tests could not run is one failure.
#[must_use]
pub fn counts(files: &[FileTests<'_>]) -> (usize, usize) {
    let mut passed = 0;
    let mut failed = 0;
    for file in files {
        match file.run {
            Some((_, results)) => {
                for r in results {
                    if r.passed() {
                        passed += 1;
                    } else {
                        failed += 1;
                    }
                }
            }
            None => failed += 1,
        }
    }
    (passed, failed)
}

/// The closing line every text format ends with, once: `cargo test`'s own
/// `test result: ok. N passed; M failed`, which CI tooling already recognises. (A second,
/// plainer line with the same counts read as the summary printed twice.)
#[must_use]
pub fn closing_lines(files: &[FileTests<'_>]) -> String {
    let (passed, failed) = counts(files);
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    format!("test result: {verdict}. {passed} passed; {failed} failed\n")
}

fn test_name(file: &FileTests<'_>, test: &Test) -> String {
    format!("{}::{}", file.source.name(), test.id.name)
}

/// The results as `cargo test` prints them: a line per test, then each failure in detail, then
/// the closing lines. Coverage, when measured, comes before the closing lines.
#[must_use]
pub fn render_human(files: &[FileTests<'_>]) -> String {
    let mut out = String::new();
    let tests: usize = files
        .iter()
        .map(|f| f.run.map_or(1, |(_, r)| r.len()))
        .sum();
    let _ = writeln!(
        out,
        "running {tests} {} in {} {}",
        plural(tests, "test", "tests"),
        files.len(),
        plural(files.len(), "file", "files")
    );
    let mut failed_names = Vec::new();
    let mut details = String::new();
    for file in files {
        let Some((scenario, results)) = file.run else {
            let name = clip(file.source.name(), 200);
            let errors = file.errors();
            let _ = writeln!(out, "test {name} ... FAILED");
            let _ = writeln!(details, "\n---- {name} ----");
            let _ = writeln!(
                details,
                "  the file has {errors} {}, so its tests did not run; run `casus check {name}` to see them",
                plural(errors, "error", "errors")
            );
            failed_names.push(name);
            continue;
        };
        for result in results {
            let Some(test) = scenario.tests.get(result.index) else {
                continue;
            };
            let name = clip(&test_name(file, test), 200);
            let verdict = match result.status {
                TestStatus::Passed => "ok",
                TestStatus::Failed => "FAILED",
                TestStatus::Vacuous => "FAILED (vacuous)",
            };
            let _ = writeln!(out, "test {name} ... {verdict}");
            if result.status.is_failure() {
                let _ = writeln!(details, "\n---- {name} ----");
                for failure in &result.failures {
                    for line in failure_lines(scenario, test, failure) {
                        let _ = writeln!(details, "  {line}");
                    }
                }
                failed_names.push(name);
            }
        }
    }
    if !failed_names.is_empty() {
        let _ = write!(out, "\nfailures:\n{details}\nfailures:\n");
        for name in &failed_names {
            let _ = writeln!(out, "    {name}");
        }
    }
    for file in files {
        if let (Some(coverage), Some((scenario, _))) = (file.coverage, file.run) {
            out.push('\n');
            out.push_str(&render_coverage(file.source.name(), scenario, coverage));
        }
    }
    out.push('\n');
    out.push_str(&closing_lines(files));
    out
}

fn plural<'s>(n: usize, one: &'s str, many: &'s str) -> &'s str {
    if n == 1 { one } else { many }
}

/// The lines that explain one failure, without indentation.
fn failure_lines(scenario: &Scenario, test: &Test, failure: &Failure) -> Vec<String> {
    match failure {
        Failure::Expect(f) => expect_lines(scenario, f),
        Failure::Probability(f) => vec![probability_line(scenario, f)],
        Failure::Vacuous => {
            let given: Vec<String> = test
                .given
                .iter()
                .map(|(n, v)| format!("{} = {}", n.name, clip(&v.value.display(), 60)))
                .collect();
            vec![
                format!(
                    "vacuous: no path is consistent with `given` ({})",
                    given.join(", ")
                ),
                "help: a given decision is skipped wherever the rest of `given` holds; check its guard (`when`), or give other values".to_owned(),
            ]
        }
        Failure::Error { message } => vec![format!("error: {}", clip(message, 300))],
    }
}

fn expect_lines(scenario: &Scenario, f: &ExpectFailure) -> Vec<String> {
    let mut lines = vec![format!(
        "expected `{} = {}`, but it does not hold on {} of {} {}",
        f.key,
        clip(&f.expected, 60),
        f.failing_paths,
        f.paths,
        plural_u64(f.paths, "path", "paths")
    )];
    let seen: Vec<String> = f
        .seen
        .iter()
        .map(|(v, n)| {
            format!(
                "`{}` on {n} {}",
                clip(v, 60),
                plural_u64(*n, "path", "paths")
            )
        })
        .collect();
    lines.push(format!("  seen: {}", seen.join(", ")));
    lines.push(format!(
        "  most likely such path ({}): {} → `{}`",
        percent(f.path_probability),
        path_text(scenario, &f.path),
        clip(&f.path_value, 60)
    ));
    lines
}

fn plural_u64<'s>(n: u64, one: &'s str, many: &'s str) -> &'s str {
    if n == 1 { one } else { many }
}

fn probability_line(scenario: &Scenario, f: &ProbabilityFailure) -> String {
    let name = scenario
        .outcomes
        .get(f.outcome)
        .map_or("?", |o| o.id.name.as_str());
    format!(
        "expected the probability of `{name}` in [{}, {}], but the forecast is {} ({})",
        number(f.range.0),
        number(f.range.1),
        number(round4(f.probability)),
        percent(f.probability)
    )
}

/// A number as in the file: integers without a fraction.
fn number(x: f64) -> String {
    casus_core::model::format_number(round(x))
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// `a=x, b=y, c skipped`: a path's decisions in order.
pub fn path_text(scenario: &Scenario, path: &[Choice]) -> String {
    let steps: Vec<String> = path
        .iter()
        .map(|c| {
            let Some(d) = scenario.decisions.get(c.decision) else {
                return "?".to_owned();
            };
            match c.option.and_then(|o| d.options.get(o)) {
                Some(o) => format!("{}={}", d.id.name, o.name),
                None => format!("{} skipped", d.id.name),
            }
        })
        .collect();
    if steps.is_empty() {
        "(no decisions)".to_owned()
    } else {
        steps.join(", ")
    }
}

/// The coverage block of one file.
#[must_use]
pub fn render_coverage(
    name: &str,
    scenario: &Scenario,
    coverage: &Result<Coverage, String>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "coverage of {}", clip(name, 200));
    let coverage = match coverage {
        Ok(c) => c,
        Err(message) => {
            let _ = writeln!(out, "  not measured: {}", clip(message, 300));
            return out;
        }
    };
    let rules = coverage.rules.iter().filter(|&&r| r).count();
    let outcomes = coverage.outcomes.iter().filter(|&&o| o).count();
    let _ = writeln!(
        out,
        "  paths     {} of {} ({:.1} %), {} of the probability",
        coverage.covered_paths,
        coverage.paths,
        coverage.path_percent(),
        percent(coverage.covered_probability)
    );
    let _ = writeln!(
        out,
        "  rules     {rules} of {} ({:.1} %)",
        coverage.rules.len(),
        coverage.rule_percent()
    );
    let _ = writeln!(
        out,
        "  outcomes  {outcomes} of {} ({:.1} %)",
        coverage.outcomes.len(),
        coverage.outcome_percent()
    );
    let untouched_rules: Vec<&str> = scenario
        .rules
        .iter()
        .zip(&coverage.rules)
        .filter(|(_, c)| !**c)
        .map(|(r, _)| r.id.name.as_str())
        .collect();
    if !untouched_rules.is_empty() {
        let _ = writeln!(
            out,
            "  rules no test exercises: {}",
            untouched_rules.join(", ")
        );
    }
    let untouched_outcomes: Vec<&str> = scenario
        .outcomes
        .iter()
        .zip(&coverage.outcomes)
        .filter(|(_, c)| !**c)
        .map(|(o, _)| o.id.name.as_str())
        .collect();
    if !untouched_outcomes.is_empty() {
        let _ = writeln!(
            out,
            "  outcomes no test reaches: {}",
            untouched_outcomes.join(", ")
        );
    }
    if !coverage.uncovered.is_empty() {
        let _ = writeln!(out, "  most likely paths no test checks:");
        for u in &coverage.uncovered {
            let outcome = u
                .outcome
                .and_then(|o| scenario.outcomes.get(o))
                .map_or("none", |o| o.id.name.as_str());
            let _ = writeln!(
                out,
                "    {:>7}  {} → {outcome}",
                percent(u.probability),
                path_text(scenario, &u.path)
            );
        }
    }
    out
}

/// JUnit XML in the shape CI systems read (`testsuites` > `testsuite` per file > `testcase` per
/// test, with `failure` or `error`). No timings, so the output is the same on every run.
#[must_use]
pub fn render_junit(files: &[FileTests<'_>]) -> String {
    let mut suites = String::new();
    let (mut total, mut total_failures, mut total_errors) = (0usize, 0usize, 0usize);
    let mut total_time = std::time::Duration::ZERO;
    for file in files {
        let name = xml(file.source.name());
        let mut cases = String::new();
        let (mut tests, mut failures, mut errors) = (0usize, 0usize, 0usize);
        match file.run {
            None => {
                tests = 1;
                errors = 1;
                let count = file.errors();
                let message = format!(
                    "the file has {count} {}, so its tests did not run",
                    plural(count, "error", "errors")
                );
                let body: Vec<String> = file
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| format!("{}: {}", d.code.as_str(), d.message))
                    .collect();
                let _ = write!(
                    cases,
                    "    <testcase classname=\"{name}\" name=\"(scenario)\" file=\"{name}\">\n      <error type=\"scenario_error\" message=\"{}\">{}</error>\n    </testcase>\n",
                    xml(&message),
                    xml(&body.join("\n"))
                );
            }
            Some((scenario, results)) => {
                for r in results {
                    let Some(test) = scenario.tests.get(r.index) else {
                        continue;
                    };
                    tests += 1;
                    let line = file.source.line_col(test.span.start).line;
                    let _ = write!(
                        cases,
                        "    <testcase classname=\"{name}\" name=\"{}\" file=\"{name}\" line=\"{line}\" time=\"{:.3}\"",
                        xml(&test.id.name),
                        r.elapsed.as_secs_f64()
                    );
                    if r.passed() {
                        cases.push_str("/>\n");
                        continue;
                    }
                    cases.push_str(">\n");
                    let is_error = r
                        .failures
                        .iter()
                        .any(|f| matches!(f, Failure::Error { .. }));
                    let (element, kind) = if is_error {
                        errors += 1;
                        ("error", "error")
                    } else if r.status == TestStatus::Vacuous {
                        failures += 1;
                        ("failure", "vacuous")
                    } else {
                        failures += 1;
                        ("failure", "expectation")
                    };
                    let lines: Vec<String> = r
                        .failures
                        .iter()
                        .flat_map(|f| failure_lines(scenario, test, f))
                        .collect();
                    let message = lines.first().cloned().unwrap_or_default();
                    let _ = write!(
                        cases,
                        "      <{element} type=\"{kind}\" message=\"{}\">{}</{element}>\n    </testcase>\n",
                        xml(&message),
                        xml(&lines.join("\n"))
                    );
                }
            }
        }
        total += tests;
        total_failures += failures;
        total_errors += errors;
        total_time += file.elapsed;
        let _ = write!(
            suites,
            "  <testsuite name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\" time=\"{:.3}\">\n{cases}  </testsuite>\n",
            file.elapsed.as_secs_f64()
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"casus test\" tests=\"{total}\" failures=\"{total_failures}\" errors=\"{total_errors}\" time=\"{:.3}\">\n{suites}</testsuites>\n",
        total_time.as_secs_f64()
    )
}

/// Escapes text for an XML attribute or element; characters XML 1.0 cannot hold at all (most
/// control characters) become U+FFFD.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// GitHub Actions annotations: one `::error` per failure, on the line of the expectation that
/// failed (the test's header for a vacuous test or one that could not run), then the closing
/// lines as plain log text.
#[must_use]
pub fn render_github(files: &[FileTests<'_>]) -> String {
    let mut out = String::new();
    for file in files {
        let Some((scenario, results)) = file.run else {
            out.push_str(&crate::diagnostics::render_github(&[(
                file.source,
                file.diagnostics,
            )]));
            continue;
        };
        for r in results {
            let Some(test) = scenario.tests.get(r.index) else {
                continue;
            };
            for failure in &r.failures {
                let span = failure_span(test, failure);
                let start = file.source.line_col(span.start);
                let end = file.source.line_col(span.end);
                let _ = write!(
                    out,
                    "::error file={},line={}",
                    escape_property(file.source.name()),
                    start.line
                );
                if start.line == end.line {
                    let _ = write!(
                        out,
                        ",col={},endLine={},endColumn={}",
                        start.column, end.line, end.column
                    );
                } else {
                    let _ = write!(out, ",endLine={}", end.line);
                }
                let title = format!("test {} failed", test.id.name);
                let _ = writeln!(
                    out,
                    ",title={}::{}",
                    escape_property(&title),
                    escape_data(&failure_lines(scenario, test, failure).join("\n"))
                );
            }
        }
    }
    out.push_str(&closing_lines(files));
    out
}

/// Where a failure is annotated: the expectation's key, else the test's header.
fn failure_span(test: &Test, failure: &Failure) -> Span {
    match failure {
        Failure::Expect(f) => test.expect.get(f.entry).map(|(k, v)| k.span.cover(v.span)),
        Failure::Probability(f) => test
            .expect_probability
            .get(f.entry)
            .map(|(k, v)| k.span.cover(v.span)),
        Failure::Vacuous => test.given.first().map(|(k, _)| k.span),
        Failure::Error { .. } => None,
    }
    .unwrap_or(test.id.span)
}

/// Escapes a command's message (`escapeData` in `@actions/core`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property (`escapeProperty` in `@actions/core`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
