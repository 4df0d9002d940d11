//! Running a scenario's `[tests.*]`, and measuring how much of the scenario they exercise.
//!
//! A test fixes decisions and overrides input facts with `given`. Its `expect` must hold on
//! every complete path consistent with `given` (streamed from [`crate::search::paths::walk`]): the key
//! `outcome` names the outcome reached, any other key a fact (its final value) or a decision
//! (the option taken; a skipped decision is unset and so never equals an option). A test that
//! no path is consistent with is vacuous, and fails: it would otherwise pass while checking
//! nothing. `expect_probability` compares the point-estimate forecast under `given` (from
//! [`crate::evaluate`]) with a range, with a tolerance of [`PROBABILITY_TOLERANCE`].
//!
//! The results name decisions, options and outcomes by index into the scenario; renderers
//! look the names up. Nothing here renders.

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::time::Instant;

use casus_core::model::{EXPECT_OUTCOME, Scenario, Test, Value, format_number};
use casus_core::names::{NameRef, Names};
use serde::Serialize;

use crate::compile::program::Program;
use crate::compile::value::Val;
use crate::search::given::{Fixed, resolve};
use crate::search::paths::{Path, WalkError, walk};
use crate::search::walk::{EvalLimits, Given, evaluate};

/// How far a forecast may lie outside an `expect_probability` range and still pass: sums of
/// products of likelihoods are exact only to the last few bits.
pub const PROBABILITY_TOLERANCE: f64 = 1e-9;

/// How many of the most likely untested paths coverage lists.
pub const UNCOVERED_EXAMPLES: usize = 5;

/// A test's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestStatus {
    /// Every expectation holds.
    Passed,
    /// An expectation does not hold, or the test could not run.
    Failed,
    /// No path is consistent with the test's `given`: the test checks nothing.
    Vacuous,
}

impl TestStatus {
    /// The word reports use: `ok`, `FAILED`, `vacuous`.
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Passed => "passed",
            TestStatus::Failed => "failed",
            TestStatus::Vacuous => "vacuous",
        }
    }

    /// Whether the test counts as a failure (vacuous tests do).
    pub fn is_failure(self) -> bool {
        self != TestStatus::Passed
    }
}

/// One test's result, in the scenario's test order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestResult {
    /// Index into `scenario.tests`.
    pub index: usize,
    /// Passed, failed or vacuous.
    pub status: TestStatus,
    /// Complete paths consistent with `given` on which `expect` was checked (0 for a test with
    /// only `expect_probability`, whose forecast covers them all).
    pub paths: u64,
    /// Why it failed, in the order the expectations are written; empty when it passed.
    pub failures: Vec<Failure>,
    /// How long the test took to run (JUnit's `time`); not part of what a test found, so
    /// machine outputs that must be reproducible leave it out.
    #[serde(skip)]
    pub elapsed: std::time::Duration,
}

impl TestResult {
    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        self.status == TestStatus::Passed
    }
}

/// One reason a test failed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failure {
    /// An `expect` entry does not hold on some paths.
    Expect(ExpectFailure),
    /// A forecast lies outside its `expect_probability` range.
    Probability(ProbabilityFailure),
    /// No path is consistent with `given`.
    Vacuous,
    /// The test could not run: its `given` does not fit the scenario, a limit was hit, or a
    /// path-dependent error stopped the forecast. The sentence says which.
    Error {
        /// What went wrong, as a sentence for the analyst.
        message: String,
    },
}

/// An `expect` entry that does not hold on every path.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExpectFailure {
    /// Index into the test's `expect`.
    pub entry: usize,
    /// The key as written: `outcome`, a fact or a decision.
    pub key: String,
    /// The expected value, as an analyst writes it.
    pub expected: String,
    /// On how many paths it does not hold.
    pub failing_paths: u64,
    /// Of how many paths consistent with `given`.
    pub paths: u64,
    /// The values seen instead, each with the number of paths it was seen on; most frequent
    /// first, then by name. An unset decision shows as `unset`; a path with no outcome (only in
    /// a scenario with errors) as `none`.
    pub seen: Vec<(String, u64)>,
    /// The most likely offending path (the first in file order on a tie).
    pub path: Vec<Choice>,
    /// That path's probability under the point estimates.
    pub path_probability: f64,
    /// The value seen on that path.
    pub path_value: String,
}

/// A decision on a path: the option taken, or `None` when the guard was false.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Choice {
    /// Index into `scenario.decisions`.
    pub decision: usize,
    /// Index into the decision's options; `None` when skipped.
    pub option: Option<usize>,
}

/// An outcome whose forecast lies outside the range a test expects.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProbabilityFailure {
    /// Index into the test's `expect_probability`.
    pub entry: usize,
    /// Index into `scenario.outcomes`.
    pub outcome: usize,
    /// The expected range.
    pub range: (f64, f64),
    /// The point-estimate forecast under `given`.
    pub probability: f64,
}

/// How much of a scenario its tests exercise.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Coverage {
    /// Complete paths of the scenario, nothing given.
    pub paths: u64,
    /// Of those, the paths on which some test's `expect` was checked.
    pub covered_paths: u64,
    /// The probability of the covered paths under the point estimates.
    pub covered_probability: f64,
    /// Whether each rule fires on some path a test checks.
    pub rules: Vec<bool>,
    /// Whether each outcome is reached on some path a test checks, or named by an
    /// `expect_probability`.
    pub outcomes: Vec<bool>,
    /// The most likely paths no test checks, most likely first (at most
    /// [`UNCOVERED_EXAMPLES`]).
    pub uncovered: Vec<UncoveredPath>,
}

impl Coverage {
    /// Covered paths as a percentage (100 for a scenario with no paths).
    pub fn path_percent(&self) -> f64 {
        percent(self.covered_paths, self.paths)
    }

    /// Rules exercised as a percentage.
    pub fn rule_percent(&self) -> f64 {
        percent(
            self.rules.iter().filter(|&&r| r).count() as u64,
            self.rules.len() as u64,
        )
    }

    /// Outcomes exercised as a percentage.
    pub fn outcome_percent(&self) -> f64 {
        percent(
            self.outcomes.iter().filter(|&&o| o).count() as u64,
            self.outcomes.len() as u64,
        )
    }
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        100.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// A path no test checks.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UncoveredPath {
    /// Its decisions.
    pub path: Vec<Choice>,
    /// Its probability.
    pub probability: f64,
    /// The outcome it reaches.
    pub outcome: Option<usize>,
}

/// Runs every test of a scenario that checked without errors. Never fails as a whole: a test
/// that cannot run is a failed test whose [`Failure::Error`] says why.
pub fn run_tests(scenario: &Scenario, limits: &EvalLimits) -> Vec<TestResult> {
    Runner::new(scenario, limits, false).run().0
}

/// Runs every test and measures coverage. Coverage fails (with a sentence) only when the
/// scenario cannot be compiled or walked within the limits.
pub fn run_tests_with_coverage(
    scenario: &Scenario,
    limits: &EvalLimits,
) -> (Vec<TestResult>, Result<Coverage, String>) {
    let (results, coverage) = Runner::new(scenario, limits, true).run();
    (
        results,
        coverage.unwrap_or_else(|| Err("coverage was not measured".to_owned())),
    )
}

/// What a test touched, kept for coverage.
struct Touched {
    /// The decisions it fixes, as `(decision, option)`.
    fixed: Vec<(usize, usize)>,
    /// For a test that overrides input facts, the choices of each path it checked: its paths
    /// are those of another world, so they cover a base path only where the choices match.
    keys: Option<HashSet<Vec<Option<usize>>>>,
}

struct Runner<'a> {
    scenario: &'a Scenario,
    limits: &'a EvalLimits,
    names: Names,
    coverage: bool,
    rules: Vec<bool>,
    outcomes: Vec<bool>,
    touched: Vec<Touched>,
}

impl<'a> Runner<'a> {
    fn new(scenario: &'a Scenario, limits: &'a EvalLimits, coverage: bool) -> Self {
        Self {
            scenario,
            limits,
            names: Names::new(scenario),
            coverage,
            rules: vec![false; scenario.rules.len()],
            outcomes: vec![false; scenario.outcomes.len()],
            touched: Vec::new(),
        }
    }

    fn run(mut self) -> (Vec<TestResult>, Option<Result<Coverage, String>>) {
        let base = Program::compile(self.scenario);
        let results = self
            .scenario
            .tests
            .iter()
            .enumerate()
            .map(|(index, test)| {
                let started = std::time::Instant::now();
                let mut result = match &test.variant {
                    Some(variant) => self.run_variant(index, test, &variant.name),
                    None => self.run_one(index, test, base.as_ref().ok()),
                };
                result.elapsed = started.elapsed();
                result
            })
            .collect();
        let coverage = self.coverage.then(|| match &base {
            Ok(program) => self.coverage_of(program),
            Err(_) => Err(COMPILE_ERROR.to_owned()),
        });
        (results, coverage)
    }

    fn run_one(&mut self, index: usize, test: &Test, base: Option<&Program>) -> TestResult {
        let mut result = TestResult {
            index,
            status: TestStatus::Passed,
            paths: 0,
            failures: Vec::new(),
            elapsed: std::time::Duration::ZERO,
        };
        let fail = |mut result: TestResult, message: String| {
            result.status = TestStatus::Failed;
            result.failures.push(Failure::Error { message });
            result
        };
        let pairs = test.given.iter().map(|(n, v)| (n.name.as_str(), &v.value));
        let fixed = match resolve(self.scenario, pairs) {
            Ok(fixed) => fixed,
            Err(message) => return fail(result, message),
        };
        let owned;
        let program = match (fixed.overrides.is_empty(), base) {
            (true, Some(base)) => base,
            _ => match Program::compile_with(self.scenario, &fixed.overrides) {
                Ok(p) => {
                    owned = p;
                    &owned
                }
                Err(_) => return fail(result, COMPILE_ERROR.to_owned()),
            },
        };

        if test.expect.is_empty() {
            // A forecast-only test still needs one consistent path to mean anything.
            match self.first_path(program, &fixed.given) {
                Ok(true) => {}
                Ok(false) => {
                    result.status = TestStatus::Vacuous;
                    result.failures.push(Failure::Vacuous);
                    return result;
                }
                Err(message) => return fail(result, message),
            }
        } else {
            match self.check_expect(test, program, &fixed) {
                Ok((paths, failures)) => {
                    result.paths = paths;
                    if paths == 0 {
                        result.status = TestStatus::Vacuous;
                        result.failures.push(Failure::Vacuous);
                        return result;
                    }
                    result
                        .failures
                        .extend(failures.into_iter().map(Failure::Expect));
                }
                Err(message) => return fail(result, message),
            }
        }

        for (outcome, _) in &test.expect_probability {
            self.outcome_named(&outcome.name);
        }
        if !test.expect_probability.is_empty() {
            match evaluate(self.scenario, program, &fixed.given, self.limits) {
                Ok(evaluation) => {
                    for (entry, (outcome, range)) in test.expect_probability.iter().enumerate() {
                        let Some(o) = self
                            .scenario
                            .outcomes
                            .iter()
                            .position(|x| x.id.name == outcome.name)
                        else {
                            result.failures.push(Failure::Error {
                                message: format!("`{}` is not an outcome", outcome.name),
                            });
                            continue;
                        };
                        let p = evaluation.outcomes.get(o).map_or(0.0, |r| r.probability);
                        let (lo, hi) = range.value;
                        if p < lo - PROBABILITY_TOLERANCE || p > hi + PROBABILITY_TOLERANCE {
                            result
                                .failures
                                .push(Failure::Probability(ProbabilityFailure {
                                    entry,
                                    outcome: o,
                                    range: (lo, hi),
                                    probability: p,
                                }));
                        }
                    }
                }
                Err(diagnostics) => {
                    let message = diagnostics
                        .first()
                        .map_or_else(|| "the forecast failed".to_owned(), |d| d.message.clone());
                    result.failures.push(Failure::Error { message });
                }
            }
        }
        if !result.failures.is_empty() {
            result.status = TestStatus::Failed;
        }
        result
    }

    /// Runs a test against a variant (`[tests.X] variant = "ID"`). The variant is another
    /// world, so its paths count for no coverage of the base scenario.
    fn run_variant(&self, index: usize, test: &Test, variant: &str) -> TestResult {
        match crate::analyses::variants::apply(self.scenario, variant) {
            Some(scenario) => Runner::new(&scenario, self.limits, false).run_one(index, test, None),
            None => TestResult {
                index,
                status: TestStatus::Failed,
                paths: 0,
                failures: vec![Failure::Error {
                    message: format!("`{variant}` is not a variant of this scenario"),
                }],
                elapsed: std::time::Duration::ZERO,
            },
        }
    }

    fn outcome_named(&mut self, name: &str) {
        if let Some(o) = self
            .scenario
            .outcomes
            .iter()
            .position(|x| x.id.name == name)
        {
            self.outcomes[o] = true;
        }
    }

    /// Whether any path is consistent with `given`.
    fn first_path(&self, program: &Program, given: &Given) -> Result<bool, String> {
        let mut found = false;
        let mut clock = Clock::new(self.limits);
        let walked = walk(program, given, self.limits.max_paths, |_| {
            found = true;
            ControlFlow::Break(())
        });
        clock.tick();
        walked.map_err(|e| walk_error(e, self.limits))?;
        Ok(found)
    }

    /// Walks the paths consistent with `given` and checks every `expect` entry on each.
    fn check_expect(
        &mut self,
        test: &Test,
        program: &Program,
        fixed: &Fixed,
    ) -> Result<(u64, Vec<ExpectFailure>), String> {
        let scenario = self.scenario;
        let n_decisions = scenario.decisions.len();
        let expected: Vec<Expected> = test
            .expect
            .iter()
            .map(|(key, value)| self.expected(&key.name, &value.value, program))
            .collect::<Result<_, _>>()?;
        let mut tallies: Vec<Tally> = expected.iter().map(|_| Tally::default()).collect();
        let mut paths = 0u64;
        let mut clock = Clock::new(self.limits);
        let mut keys = (self.coverage && !fixed.overrides.is_empty()).then(HashSet::new);
        let (rules, outcomes) = (&mut self.rules, &mut self.outcomes);
        let walked = walk(program, &fixed.given, self.limits.max_paths, |path| {
            paths += 1;
            if clock.tick() {
                return ControlFlow::Break(());
            }
            for (e, tally) in expected.iter().zip(tallies.iter_mut()) {
                let seen = e.seen(path);
                if !e.holds(seen) {
                    tally.record(seen, path);
                }
            }
            mark_touched(path, rules, outcomes);
            if let Some(keys) = keys.as_mut() {
                keys.insert(choices(path, n_decisions));
            }
            ControlFlow::Continue(())
        });
        walked.map_err(|e| walk_error(e, self.limits))?;
        if clock.expired {
            return Err(TIMEOUT.to_owned());
        }
        self.touched.push(Touched {
            fixed: fixed
                .given
                .decisions
                .iter()
                .enumerate()
                .filter_map(|(d, o)| o.map(|o| (d, o)))
                .collect(),
            keys,
        });
        let failures = expected
            .iter()
            .zip(tallies)
            .enumerate()
            .filter(|(_, (_, tally))| tally.failing > 0)
            .map(|(entry, (_, tally))| {
                let mut seen: Vec<(String, u64)> = tally
                    .seen
                    .iter()
                    .map(|(v, n)| (Expected::describe(*v, scenario, program), *n))
                    .collect();
                seen.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                let (path, path_probability, path_value) = tally
                    .example
                    .as_ref()
                    .map(|(p, prob, v)| {
                        (p.clone(), *prob, Expected::describe(*v, scenario, program))
                    })
                    .unwrap_or_default();
                ExpectFailure {
                    entry,
                    key: test.expect[entry].0.name.clone(),
                    expected: test.expect[entry].1.value.display(),
                    failing_paths: tally.failing,
                    paths,
                    seen,
                    path,
                    path_probability,
                    path_value,
                }
            })
            .collect();
        Ok((paths, failures))
    }

    /// Reads an `expect` entry against the compiled program.
    fn expected(&self, key: &str, value: &Value, program: &Program) -> Result<Expected, String> {
        if key == EXPECT_OUTCOME {
            let name = match value {
                Value::Symbol(s) => s.as_str(),
                _ => "",
            };
            return self
                .scenario
                .outcomes
                .iter()
                .position(|o| o.id.name == name)
                .map(Expected::Outcome)
                .ok_or_else(|| format!("`{}` is not an outcome", value.display()));
        }
        let slot = match self.names.get(key) {
            Some((NameRef::Decision(d), _)) => d,
            Some((NameRef::Fact(f), _)) => self.scenario.decisions.len() + f,
            None => return Err(format!("`{key}` is not a fact or decision")),
        };
        let want = match value {
            Value::Bool(b) => Some(Val::Bool(*b)),
            Value::Number(n) => Some(Val::Num(*n)),
            // A symbol the program never interned can be held by no slot.
            Value::Symbol(s) => program.symbols.get(s).map(Val::Sym),
        };
        Ok(Expected::Slot { slot, want })
    }

    /// Coverage: walks the scenario with nothing given and checks each path against what the
    /// tests touched.
    fn coverage_of(&self, program: &Program) -> Result<Coverage, String> {
        let n_decisions = self.scenario.decisions.len();
        let mut coverage = Coverage {
            paths: 0,
            covered_paths: 0,
            covered_probability: 0.0,
            rules: self.rules.clone(),
            outcomes: self.outcomes.clone(),
            uncovered: Vec::new(),
        };
        let mut clock = Clock::new(self.limits);
        let given = Given::none(n_decisions);
        let walked = walk(program, &given, self.limits.max_paths, |path| {
            coverage.paths += 1;
            if clock.tick() {
                return ControlFlow::Break(());
            }
            let key = choices(path, n_decisions);
            let covered = self.touched.iter().any(|t| {
                t.fixed.iter().all(|&(d, o)| key[d] == Some(o))
                    && t.keys.as_ref().is_none_or(|keys| keys.contains(&key))
            });
            if covered {
                coverage.covered_paths += 1;
                coverage.covered_probability += path.probability;
            } else {
                keep_likeliest(&mut coverage.uncovered, path);
            }
            ControlFlow::Continue(())
        });
        walked.map_err(|e| walk_error(e, self.limits))?;
        if clock.expired {
            return Err(TIMEOUT.to_owned());
        }
        Ok(coverage)
    }
}

const COMPILE_ERROR: &str = "the scenario does not compile; run `casus check` on it";
const TIMEOUT: &str = "the test ran out of time; raise the limit with `--timeout`";

fn walk_error(error: WalkError, limits: &EvalLimits) -> String {
    match error {
        WalkError::TooManyPaths(_) => format!(
            "the test's `given` is consistent with more than {}; fix more decisions in `given`, or raise the limit with `--max-paths`",
            casus_core::diagnostic::plural(limits.max_paths, "path")
        ),
        WalkError::TimedOut => TIMEOUT.to_owned(),
    }
}

/// Keeps the [`UNCOVERED_EXAMPLES`] most likely paths seen; on equal probability the first
/// walked (file order) stays ahead.
fn keep_likeliest(list: &mut Vec<UncoveredPath>, path: &Path<'_>) {
    let better = |p: f64, list: &Vec<UncoveredPath>| {
        list.len() < UNCOVERED_EXAMPLES || list.last().is_some_and(|l| p > l.probability)
    };
    if !better(path.probability, list) {
        return;
    }
    let entry = UncoveredPath {
        path: path_choices(path),
        probability: path.probability,
        outcome: path.outcome,
    };
    let at = list
        .iter()
        .position(|l| path.probability > l.probability)
        .unwrap_or(list.len());
    list.insert(at, entry);
    list.truncate(UNCOVERED_EXAMPLES);
}

/// The option taken at each decision (`None` = skipped), indexed by decision.
fn choices(path: &Path<'_>, n_decisions: usize) -> Vec<Option<usize>> {
    let mut key = vec![None; n_decisions];
    for step in path.steps {
        if let Some(slot) = key.get_mut(step.decision) {
            *slot = step.option;
        }
    }
    key
}

/// The path's decisions in order.
pub(crate) fn path_choices(path: &Path<'_>) -> Vec<Choice> {
    path.steps
        .iter()
        .map(|s| Choice {
            decision: s.decision,
            option: s.option,
        })
        .collect()
}

fn mark_touched(path: &Path<'_>, rules: &mut [bool], outcomes: &mut [bool]) {
    let fired = path
        .initial
        .iter()
        .chain(path.steps.iter().flat_map(|s| s.started.iter()));
    for &r in fired {
        if let Some(rule) = rules.get_mut(r) {
            *rule = true;
        }
    }
    for (r, &f) in path.fired.iter().enumerate() {
        if f && let Some(rule) = rules.get_mut(r) {
            *rule = true;
        }
    }
    if let Some(o) = path.outcome.and_then(|o| outcomes.get_mut(o)) {
        *o = true;
    }
}

/// What an `expect` entry compares.
enum Expected {
    /// The outcome reached.
    Outcome(usize),
    /// A slot's final value; `want` is `None` for a symbol no slot can hold.
    Slot { slot: usize, want: Option<Val> },
}

/// A value seen on a path, cheap to copy and compare.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Seen {
    Outcome(Option<usize>),
    Slot(Val),
}

impl Expected {
    fn seen(&self, path: &Path<'_>) -> Seen {
        match self {
            Expected::Outcome(_) => Seen::Outcome(path.outcome),
            Expected::Slot { slot, .. } => {
                Seen::Slot(path.slots.get(*slot).copied().unwrap_or(Val::Unset))
            }
        }
    }

    fn holds(&self, seen: Seen) -> bool {
        match (self, seen) {
            (Expected::Outcome(o), Seen::Outcome(got)) => got == Some(*o),
            (
                Expected::Slot {
                    want: Some(want), ..
                },
                Seen::Slot(got),
            ) => same(*want, got),
            _ => false,
        }
    }

    fn describe(seen: Seen, scenario: &Scenario, program: &Program) -> String {
        match seen {
            Seen::Outcome(None) => "none".to_owned(),
            Seen::Outcome(Some(o)) => scenario
                .outcomes
                .get(o)
                .map_or_else(|| format!("outcome {o}"), |x| x.id.name.clone()),
            Seen::Slot(Val::Unset) => "unset".to_owned(),
            Seen::Slot(Val::Bool(b)) => b.to_string(),
            Seen::Slot(Val::Num(n)) => format_number(n),
            Seen::Slot(Val::Sym(s)) => program.symbols.name(s).to_owned(),
        }
    }
}

/// Value equality for expectations: numbers within a relative 1e-9, since `add` sums of
/// fractions are exact only to the last bits.
fn same(want: Val, got: Val) -> bool {
    match (want, got) {
        (Val::Num(a), Val::Num(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        _ => want == got,
    }
}

/// Values seen on failing paths, and the most likely failing path.
#[derive(Default)]
struct Tally {
    failing: u64,
    seen: Vec<(Seen, u64)>,
    example: Option<(Vec<Choice>, f64, Seen)>,
}

impl Tally {
    fn record(&mut self, seen: Seen, path: &Path<'_>) {
        self.failing += 1;
        match self.seen.iter_mut().find(|(s, _)| same_seen(*s, seen)) {
            Some((_, n)) => *n += 1,
            None => self.seen.push((seen, 1)),
        }
        if self
            .example
            .as_ref()
            .is_none_or(|(_, p, _)| path.probability > *p)
        {
            self.example = Some((path_choices(path), path.probability, seen));
        }
    }
}

fn same_seen(a: Seen, b: Seen) -> bool {
    match (a, b) {
        (Seen::Slot(a), Seen::Slot(b)) => same(a, b),
        _ => a == b,
    }
}

/// Checks the deadline every few thousand paths, so a long walk stops with a clear message.
struct Clock {
    deadline: Option<Instant>,
    count: u32,
    expired: bool,
}

impl Clock {
    fn new(limits: &EvalLimits) -> Self {
        Self {
            deadline: limits.deadline,
            count: 0,
            expired: false,
        }
    }

    /// Counts a path; true once the deadline has passed.
    fn tick(&mut self) -> bool {
        self.count = self.count.wrapping_add(1);
        if self.count.is_multiple_of(4096)
            && let Some(deadline) = self.deadline
            && Instant::now() > deadline
        {
            self.expired = true;
        }
        self.expired
    }
}
