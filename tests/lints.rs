//! Lints suite: every lint has a fixture that triggers it (`fixtures/lints/trigger/NAME.toml`)
//! and a near miss that must not (`fixtures/lints/near-miss/NAME.toml`), both snapshotted as
//! an analyst sees them; levels set in `[lints]` and for a run change what is reported; and the
//! real scenarios check clean at the default levels.
//!
//! Reviewing a trigger snapshot means asking: is the finding true of the fixture (each fixture
//! says in its title what is wrong), does the underline sit on the cause, and does the note say
//! why? A near miss differs from its trigger in the one detail that makes the finding false;
//! any finding of its lint there is a false positive, which is a bug.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions fail the test on fixture reads and names that must succeed"
)]

use std::path::Path;

use casus_core::limits::Limits;
use casus_core::model::Level;
use casus_core::{Code, Diagnostic, Severity, SourceFile};
use casus_report::diagnostics::{render_human, summary_line};
use casus_rules::{EvalLimits, LintLevels, check_source, check_source_with};

/// The lints of issue 10; each must have a trigger and a near miss.
const LINTS: &[Code] = &[
    Code::UnusedFact,
    Code::UnusedDecision,
    Code::UnusedActor,
    Code::UnusedInput,
    Code::ConstantCondition,
    Code::LikelihoodAtBandEdge,
    Code::ShadowedLikelihood,
    Code::MixedVocabulary,
    Code::BecauseContradictsLikelihood,
    Code::UnreachableDecision,
    Code::IrrelevantDecision,
    Code::DeadRule,
    Code::RuleAlwaysFires,
    Code::RedundantAssignment,
    Code::ShadowedRule,
    Code::UnreachableOutcome,
    Code::MissingPayoff,
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The file as the CLI names it when run from the repository root.
fn source(path: &Path) -> SourceFile {
    let name = path
        .strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    SourceFile::new(name, std::fs::read_to_string(path).unwrap())
}

fn check(file: &SourceFile) -> Vec<Diagnostic> {
    check_source(file, &Limits::default(), &EvalLimits::default()).diagnostics
}

/// What `casus check` prints for one file, without colour.
fn rendered(file: &SourceFile, diagnostics: &[Diagnostic]) -> String {
    let mut out = render_human(file, diagnostics, false);
    out.push_str(&summary_line(&[(file, diagnostics)], false));
    out.push('\n');
    out
}

/// The lint a fixture is about, from its file name.
fn lint_of(path: &Path) -> Code {
    let stem = path.file_stem().unwrap().to_string_lossy();
    let code = Code::parse(&stem).unwrap_or_else(|| panic!("`{stem}` names no lint"));
    assert!(code.is_lint(), "`{stem}` is not a lint");
    assert_eq!(code.name(), stem, "name fixtures after the lint's name");
    code
}

/// The house style of messages (STYLE.md), as the diagnostics suite checks it for errors.
fn assert_house_style(name: &str, d: &Diagnostic) {
    let first = d.message.chars().next().unwrap_or(' ');
    assert!(!first.is_uppercase(), "{name}: capital: {}", d.message);
    assert!(!d.message.ends_with('.'), "{name}: period: {}", d.message);
    assert!(!d.message.contains('\n'), "{name}: lines: {}", d.message);
    assert!(
        d.primary_span().is_some(),
        "{name}: nothing underlined: {}",
        d.message
    );
    assert!(
        d.help.as_deref().is_some_and(|h| !h.trim().is_empty()),
        "{name}: no help: {}",
        d.message
    );
    for text in std::iter::once(&d.message).chain(d.help.as_ref()) {
        assert_eq!(
            text.matches('`').count() % 2,
            0,
            "{name}: backticks: {text}"
        );
    }
}

#[test]
fn every_trigger_fixture_reports_its_lint() {
    insta::glob!("fixtures/lints/trigger/*.toml", |path| {
        let code = lint_of(path);
        let file = source(path);
        let diagnostics = check(&file);
        let name = file.name().to_owned();
        assert!(
            !diagnostics.iter().any(Diagnostic::is_error),
            "{name} has errors:\n{}",
            rendered(&file, &diagnostics)
        );
        assert!(
            diagnostics.iter().any(|d| d.code == code),
            "{name} does not report {code}:\n{}",
            rendered(&file, &diagnostics)
        );
        for d in diagnostics.iter().filter(|d| d.code.is_lint()) {
            assert_eq!(
                d.severity,
                d.code.default_severity(),
                "{name}: {}",
                d.message
            );
            if d.code != Code::UniformLikelihood {
                assert_house_style(&name, d);
            }
        }
        insta::assert_snapshot!(rendered(&file, &diagnostics));
    });
}

#[test]
fn no_near_miss_fixture_reports_its_lint() {
    insta::glob!("fixtures/lints/near-miss/*.toml", |path| {
        let code = lint_of(path);
        let file = source(path);
        let diagnostics = check(&file);
        let name = file.name().to_owned();
        assert!(
            !diagnostics.iter().any(|d| d.code == code || d.is_error()),
            "{name} reports {code} or an error, a false positive:\n{}",
            rendered(&file, &diagnostics)
        );
        insta::assert_snapshot!(rendered(&file, &diagnostics));
    });
}

#[test]
fn every_lint_has_a_trigger_and_a_near_miss() {
    for code in LINTS {
        for kind in ["trigger", "near-miss"] {
            let path = root().join(format!("tests/fixtures/lints/{kind}/{}.toml", code.name()));
            assert!(
                path.is_file(),
                "{code} has no {kind} fixture: {}",
                path.display()
            );
        }
    }
    // And no fixture is about a lint missing from the list above.
    for kind in ["trigger", "near-miss"] {
        for entry in std::fs::read_dir(root().join("tests/fixtures/lints").join(kind)).unwrap() {
            let code = lint_of(&entry.unwrap().path());
            assert!(LINTS.contains(&code), "{code} is not in LINTS");
        }
    }
}

/// A trigger fixture with a `[lints]` table appended.
fn with_lints(lint: &str, table: &str) -> SourceFile {
    let path = root().join(format!("tests/fixtures/lints/trigger/{lint}.toml"));
    let text = std::fs::read_to_string(path).unwrap();
    SourceFile::new(
        format!("{lint}.toml"),
        format!("{text}\n[lints]\n{table}\n"),
    )
}

fn severities(diagnostics: &[Diagnostic], code: Code) -> Vec<Severity> {
    diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| d.severity)
        .collect()
}

#[test]
fn levels_in_the_file_change_how_a_lint_is_reported() {
    let cases = [
        ("allow", vec![]),
        ("note", vec![Severity::Note]),
        ("warn", vec![Severity::Warning]),
        ("deny", vec![Severity::Error]),
    ];
    for (word, expected) in cases {
        let file = with_lints("dead_rule", &format!("dead_rule = \"{word}\""));
        let diagnostics = check(&file);
        assert_eq!(severities(&diagnostics, Code::DeadRule), expected, "{word}");
        // A level only ever changes the lint it names.
        assert!(
            diagnostics.iter().all(|d| d.code == Code::DeadRule),
            "{word}: {diagnostics:?}"
        );
    }
    // A note can be raised to a warning the same way.
    let file = with_lints("unused_input", "unused_input = \"warn\"");
    assert_eq!(
        severities(&check(&file), Code::UnusedInput),
        [Severity::Warning]
    );
}

#[test]
fn levels_for_a_run_override_the_file() {
    let file = with_lints("dead_rule", "dead_rule = \"allow\"  # the file silences it");
    let run = |levels: Vec<(Code, Level)>| {
        let levels = LintLevels { levels };
        check_source_with(&file, &Limits::default(), &EvalLimits::default(), &levels).diagnostics
    };
    assert_eq!(severities(&run(vec![]), Code::DeadRule), []);
    assert_eq!(
        severities(&run(vec![(Code::DeadRule, Level::Deny)]), Code::DeadRule),
        [Severity::Error]
    );
    assert_eq!(
        severities(&run(vec![(Code::DeadRule, Level::Warn)]), Code::DeadRule),
        [Severity::Warning]
    );
    // Levels for other lints leave this one as the file says.
    assert_eq!(
        severities(&run(vec![(Code::UnusedFact, Level::Deny)]), Code::DeadRule),
        []
    );
}

#[test]
fn a_lint_the_file_denies_fails_the_run_as_an_error() {
    let file = with_lints("shadowed_rule", "shadowed_rule = \"deny\"");
    let checked = check_source(&file, &Limits::default(), &EvalLimits::default());
    assert!(checked.has_errors());
    // The scenario is still evaluated: a denied lint is a finding, not a broken file.
    assert!(checked.evaluation.is_some());
}

/// A session that shows errors only (`casus eval`) skips the lints, which could only warn,
/// unless one is denied: then the file still fails as it does under `casus check`.
#[test]
fn a_session_for_errors_only_still_fails_on_a_denied_lint() {
    use casus_rules::session::{Options, Session};
    let open = |file: SourceFile, errors_only: bool| {
        Session::open(
            file,
            Options {
                errors_only,
                ..Options::default()
            },
        )
    };
    let plain = || {
        let path = root().join("tests/fixtures/lints/trigger/dead_rule.toml");
        SourceFile::new("dead_rule.toml", std::fs::read_to_string(path).unwrap())
    };
    // Warned about when every finding is wanted; nothing to show when only errors are.
    let all = open(plain(), false);
    assert_eq!(
        severities(all.diagnostics(), Code::DeadRule),
        [Severity::Warning]
    );
    let errors = open(plain(), true);
    assert!(
        errors.diagnostics().is_empty(),
        "{:?}",
        errors.diagnostics()
    );
    assert!(errors.evaluation().is_some());
    // Denied by the file: an error either way.
    for errors_only in [false, true] {
        let denied = open(with_lints("dead_rule", "dead_rule = \"deny\""), errors_only);
        assert!(denied.has_errors(), "{errors_only}");
        assert_eq!(
            severities(denied.diagnostics(), Code::DeadRule),
            [Severity::Error]
        );
    }
}

#[test]
fn mistakes_in_the_lints_table_are_errors_with_a_suggestion() {
    let file = with_lints(
        "dead_rule",
        "dead_rul = \"allow\"\nW0404 = \"allow\"\nunknown_key = \"allow\"\nunused_actor = \"warning\"\nunused_fact = \"off\"\nnot_a_lint_at_all = \"deny\"",
    );
    let diagnostics = check(&file);
    assert!(
        diagnostics.iter().all(Diagnostic::is_error),
        "{diagnostics:?}"
    );
    assert_eq!(diagnostics.len(), 6, "{diagnostics:?}");
    for d in &diagnostics {
        assert_house_style(file.name(), d);
    }
    insta::assert_snapshot!(rendered(&file, &diagnostics));
}

#[test]
fn the_scenarios_check_clean_at_the_default_levels() {
    let mut count = 0;
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        count += 1;
        let file = source(&path);
        let diagnostics = check(&file);
        assert!(
            diagnostics.iter().all(|d| d.severity == Severity::Note),
            "{} does not check clean:\n{}",
            file.name(),
            rendered(&file, &diagnostics)
        );
    }
    assert!(count >= 5, "only {count} scenarios");
}

#[test]
fn every_silenced_lint_in_a_scenario_says_why() {
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let Some(table) = text.split("\n[lints]\n").nth(1) else {
            continue;
        };
        let mut commented = false;
        for line in table.lines().take_while(|l| !l.starts_with('[')) {
            if line.trim_start().starts_with('#') {
                commented = true;
            } else if line.contains('=') {
                assert!(
                    commented || line.contains('#'),
                    "{}: `{line}` has no comment saying why",
                    path.display()
                );
                commented = false;
            }
        }
    }
}

#[test]
fn lints_give_the_same_findings_every_time() {
    for entry in std::fs::read_dir(root().join("tests/fixtures/lints/trigger")).unwrap() {
        let file = source(&entry.unwrap().path());
        assert_eq!(check(&file), check(&file), "{}", file.name());
    }
}

/// Whether the file declares what-ifs (overridden input facts, listed other values), which the
/// lints walk and the plain evaluation does not.
fn has_what_ifs(scenario: &casus_core::model::Scenario) -> bool {
    use casus_core::model::{FactKind, Type};
    let input = |name: &str| {
        scenario
            .facts
            .iter()
            .any(|f| f.id.name == name && !f.is_derived())
    };
    scenario
        .tests
        .iter()
        .any(|t| t.given.iter().any(|(n, _)| input(&n.name)))
        || scenario.variants.iter().any(|v| !v.facts.is_empty())
        || scenario
            .facts
            .iter()
            .any(|f| matches!(&f.kind, FactKind::Input { ty: Type::Enum(s), .. } if s.len() > 1))
}

/// The lints find unreachable outcomes and decisions by their own walk over every state; the
/// search finds reachability with its merged depth-first evaluation. Two independent ways must
/// agree on every file without what-ifs.
#[test]
fn unreachable_outcomes_and_decisions_agree_with_the_search() {
    let mut compared = 0;
    for dir in [
        "scenarios",
        "tests/fixtures/valid",
        "tests/fixtures/eval",
        "tests/fixtures/explain",
        "tests/fixtures/lints/trigger",
        "tests/fixtures/lints/near-miss",
    ] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let file = source(&path);
            let checked = check_source(&file, &Limits::default(), &EvalLimits::default());
            let (Some(scenario), Some(evaluation), false) =
                (&checked.scenario, &checked.evaluation, checked.has_errors())
            else {
                continue;
            };
            let allowed = scenario
                .lints
                .iter()
                .any(|l| l.code == Code::UnreachableOutcome || l.code == Code::UnreachableDecision);
            if has_what_ifs(scenario) || allowed {
                continue;
            }
            for (decision, options) in scenario.decisions.iter().zip(&evaluation.option_reachable) {
                let name = format!("decision `{}`", decision.id.name);
                let reported = checked
                    .diagnostics
                    .iter()
                    .any(|d| d.code == Code::UnreachableDecision && d.message.contains(&name));
                assert_eq!(
                    reported,
                    !options.iter().any(|r| *r),
                    "{}: {name}",
                    file.name()
                );
            }
            for (outcome, result) in scenario.outcomes.iter().zip(&evaluation.outcomes) {
                let name = format!("outcome `{}`", outcome.id.name);
                let reported = checked
                    .diagnostics
                    .iter()
                    .any(|d| d.code == Code::UnreachableOutcome && d.message.ends_with(&name));
                assert_eq!(
                    reported,
                    !result.reachable,
                    "{}: {name} reachable = {}, reported = {reported}",
                    file.name(),
                    result.reachable
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 100, "only {compared} outcomes compared");
}
