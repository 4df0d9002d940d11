//! The JSON contracts of the commands: each committed schema in `schema/output/` is what the
//! typed result generates, and real outputs — every bundled scenario under every kind of
//! what-if — validate against it. A schema that accepted anything would pass the second check,
//! so the last test shows each one rejects a field it does not declare.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions unwrap file and fixture operations that must succeed"
)]

use std::path::{Path, PathBuf};

use casus_core::model::Value;
use casus_core::{Diagnostic, SourceFile};
use casus_report::diagnostics::CheckOutput;
use casus_report::diff::{FileChange, FileDiff};
use casus_report::eval::EvalView;
use casus_report::explain::ExplainReport;
use casus_report::output::Contract;
use casus_report::output::diff::DiffOutput;
use casus_report::output::eval::VariantsOutput;
use casus_report::output::explain::ExplainOutput;
use casus_report::output::testing::TestOutput;
use casus_report::testing::FileTests;
use casus_rules::session::{Budget, ExplainRequest, Options, Plan, Session, WhatIf};
use casus_rules::workflow::diff::{ScenarioDiff, Version};
use casus_rules::{Checked, EvalLimits, check_source};
use serde_json::Value as Json;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn committed(contract: Contract) -> PathBuf {
    root()
        .join("schema/output")
        .join(format!("{}.schema.json", contract.name()))
}

fn validator(contract: Contract) -> jsonschema::Validator {
    let schema: Json = serde_json::from_str(&contract.schema()).unwrap();
    jsonschema::meta::validate(&schema).unwrap();
    jsonschema::draft202012::options().build(&schema).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Json, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

/// The `*.toml` files of a folder of the repository, sorted.
fn toml_files(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn scenarios() -> Vec<(String, Session)> {
    let files = toml_files("scenarios");
    assert!(files.len() >= 5);
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let session = Session::open(SourceFile::new(name.clone(), text), Options::default());
            assert!(!session.has_errors(), "{name}");
            (name, session)
        })
        .collect()
}

/// Every what-if worth a different shape of output: nothing, each variant, each signpost,
/// a given value of the first decision, and sampling.
fn what_ifs(session: &Session) -> Vec<(WhatIf, Plan)> {
    let scenario = session.scenario().unwrap();
    let full = Plan::full();
    let mut out = vec![
        (WhatIf::none(), full),
        (
            WhatIf::none(),
            Plan {
                samples: Some((20, 1)),
                ..full
            },
        ),
    ];
    for v in &scenario.variants {
        out.push((
            WhatIf {
                variant: Some(v.id.name.clone()),
                ..WhatIf::none()
            },
            full,
        ));
    }
    for s in &scenario.signposts {
        out.push((
            WhatIf {
                observe: vec![s.id.name.clone()],
                ..WhatIf::none()
            },
            full,
        ));
    }
    if let Some(d) = scenario.decisions.first() {
        out.push((
            WhatIf {
                given: vec![(
                    d.id.name.clone(),
                    casus_core::model::Value::Symbol(d.options[0].name.clone()),
                )],
                ..WhatIf::none()
            },
            full,
        ));
    }
    out
}

#[test]
fn the_committed_output_schemas_are_up_to_date() {
    for contract in Contract::ALL {
        let path = committed(contract);
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == contract.schema(),
            "{} is out of date; regenerate it with `cargo run -p casus-cli -- schema --output {} > {}`",
            path.display(),
            contract.name(),
            path.strip_prefix(root()).unwrap().display()
        );
    }
}

#[test]
fn docs_json_md_is_generated_from_the_schemas() {
    let path = root().join("docs/json.md");
    let expected = casus_report::output::json_md();
    if std::env::var_os("UPDATE_GENERATED").is_some_and(|v| v == "1") {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == expected,
        "docs/json.md is out of date; regenerate it with `UPDATE_GENERATED=1 cargo test --test output_schemas`"
    );
}

#[test]
fn eval_outputs_validate_under_every_kind_of_what_if() {
    let validator = validator(Contract::Eval);
    let mut checked = 0;
    for (name, session) in scenarios() {
        let base = session.scenario().unwrap();
        for (what_if, plan) in what_ifs(&session) {
            let Ok(model) = session.model(&what_if) else {
                continue;
            };
            let Ok(analysed) = session.run(&model, &plan, &Budget::unlimited()) else {
                continue;
            };
            let shown = model.shown();
            let view = EvalView {
                scenario: &shown,
                variant: model.variant.and_then(|v| base.variants.get(v)),
                observed: &model.observed,
                analysed: &analysed,
            };
            let json = serde_json::to_value(view.output()).unwrap();
            assert_valid(&validator, &json, &format!("{name} {what_if:?}"));
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} outputs checked");
}

#[test]
fn all_variants_outputs_validate() {
    let validator = validator(Contract::Variants);
    let mut checked = 0;
    for (name, session) in scenarios() {
        let base = session.scenario().unwrap();
        if base.variants.is_empty() {
            continue;
        }
        let columns = session
            .compare_variants(&WhatIf::none(), &Budget::unlimited())
            .unwrap();
        let json = serde_json::to_value(VariantsOutput::build(base, &columns)).unwrap();
        assert_valid(&validator, &json, &name);
        checked += 1;
    }
    assert!(checked >= 1);
}

#[test]
fn report_outputs_validate() {
    let validator = validator(Contract::Report);
    for (name, session) in scenarios() {
        let model = casus_report::report::prepare(&session, &Budget::unlimited()).unwrap();
        let json = serde_json::to_value(&model).unwrap();
        assert_valid(&validator, &json, &name);
    }
}

/// What `casus explain` shows for `what_if` and `request`, as its JSON; `None` where the
/// session refuses the combination.
fn explain_json(session: &Session, what_if: &WhatIf, request: &ExplainRequest) -> Option<Json> {
    let model = session.model(what_if).ok()?;
    let explained = session
        .explain(&model, request, &Budget::unlimited())
        .ok()?;
    // As the command does: the outcomes the analyst wrote, without the engine's own.
    let scenario = model.shown();
    let report = ExplainReport {
        scenario: &scenario,
        program: &model.program,
        fixed: &model.fixed,
        explanation: &explained.explanation,
        outcome_paths: explained.outcome_paths.as_ref().map(|(_, p)| p),
        why_not: explained.why_not.as_ref().map(|(t, a)| (*t, a)),
    };
    Some(serde_json::to_value(ExplainOutput::build(&report)).unwrap())
}

#[test]
fn explain_outputs_validate_plain_with_outcome_and_with_why_not() {
    let validator = validator(Contract::Explain);
    let mut checked = 0;
    let mut answers = std::collections::BTreeSet::new();
    for (name, session) in scenarios() {
        let scenario = session.scenario().unwrap();
        let mut what_ifs = vec![WhatIf::none()];
        // A given decision makes some outcomes reachable only by departing from it.
        if let Some(d) = scenario.decisions.first() {
            what_ifs.push(WhatIf {
                given: vec![(d.id.name.clone(), Value::Symbol(d.options[0].name.clone()))],
                ..WhatIf::none()
            });
        }
        for v in &scenario.variants {
            what_ifs.push(WhatIf {
                variant: Some(v.id.name.clone()),
                ..WhatIf::none()
            });
        }
        let plain = ExplainRequest {
            outcome: None,
            why_not: None,
            listed: 10,
        };
        let mut requests = vec![plain.clone()];
        for o in &scenario.outcomes {
            requests.push(ExplainRequest {
                outcome: Some(o.id.name.clone()),
                ..plain.clone()
            });
            requests.push(ExplainRequest {
                why_not: Some(o.id.name.clone()),
                ..plain.clone()
            });
        }
        for what_if in &what_ifs {
            for request in &requests {
                let json = explain_json(&session, what_if, request)
                    .unwrap_or_else(|| panic!("{name} {what_if:?} {request:?} was refused"));
                assert_valid(
                    &validator,
                    &json,
                    &format!("{name} {what_if:?} {request:?}"),
                );
                if let Some(answer) = json["why_not"]["answer"].as_str() {
                    let kind = json["why_not"]["reason"]["kind"].as_str().unwrap_or("");
                    answers.insert(format!("{answer} {kind}").trim().to_owned());
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 100, "only {checked} outputs checked");
    // Every shape of answer to `--why-not` the scenarios give was among them.
    for answer in ["already_reached", "change", "no_change given_decisions"] {
        assert!(answers.contains(answer), "no `{answer}` among {answers:?}");
    }
}

#[test]
fn explain_outputs_for_the_rarer_why_not_answers_validate() {
    // The bundled scenarios never need another input fact, nor miss an outcome altogether.
    let validator = validator(Contract::Explain);
    let mut answers = std::collections::BTreeSet::new();
    for path in toml_files("tests/fixtures/explain") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let session = Session::open(SourceFile::new(name.clone(), text), Options::default());
        let Some(scenario) = session.scenario().filter(|_| !session.has_errors()) else {
            continue;
        };
        for o in &scenario.outcomes {
            let request = ExplainRequest {
                outcome: None,
                why_not: Some(o.id.name.clone()),
                listed: 10,
            };
            let Some(json) = explain_json(&session, &WhatIf::none(), &request) else {
                continue;
            };
            assert_valid(&validator, &json, &format!("{name} why not {}", o.id.name));
            if let Some(kind) = json["why_not"]["reason"]["kind"].as_str() {
                answers.insert(kind.to_owned());
            }
        }
    }
    for kind in ["input_facts", "unreachable"] {
        assert!(answers.contains(kind), "no `{kind}` among {answers:?}");
    }
}

/// Each file's tests as `casus test` runs them, with or without coverage.
struct Ran {
    source: SourceFile,
    session: Session,
    results: Vec<casus_rules::workflow::testing::TestResult>,
    coverage: Option<Result<casus_rules::workflow::testing::Coverage, String>>,
}

fn run_tests(paths: &[PathBuf], coverage: bool) -> Vec<Ran> {
    paths
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let source = SourceFile::new(name, std::fs::read_to_string(path).unwrap());
            let session = Session::open(source.clone(), Options::default());
            let budget = Budget::unlimited();
            let (results, coverage) = if session.has_errors() {
                (Vec::new(), None)
            } else if coverage {
                let (results, coverage) = session.tests_with_coverage(&budget).unwrap();
                (results, Some(coverage))
            } else {
                (session.tests(&budget).unwrap(), None)
            };
            Ran {
                source,
                session,
                results,
                coverage,
            }
        })
        .collect()
}

fn test_json(ran: &[Ran]) -> Json {
    let views: Vec<FileTests<'_>> = ran
        .iter()
        .map(|r| FileTests {
            source: &r.source,
            run: r
                .session
                .scenario()
                .filter(|_| !r.session.has_errors())
                .map(|s| (s, r.results.as_slice())),
            diagnostics: r.session.diagnostics(),
            coverage: r.coverage.as_ref(),
            elapsed: std::time::Duration::ZERO,
        })
        .collect();
    serde_json::to_value(TestOutput::build(&views)).unwrap()
}

#[test]
fn test_outputs_validate_with_and_without_coverage() {
    let validator = validator(Contract::Test);
    let mut files = toml_files("scenarios");
    files.extend(toml_files("tests/fixtures/testing"));
    files.extend(toml_files("tests/fixtures/testing/broken"));
    let mut kinds = std::collections::BTreeSet::new();
    for coverage in [false, true] {
        // Each file alone, and all of them in one run.
        for file in &files {
            let json = test_json(&run_tests(std::slice::from_ref(file), coverage));
            assert_valid(&validator, &json, &format!("{} {coverage}", file.display()));
        }
        let json = test_json(&run_tests(&files, coverage));
        assert_valid(
            &validator,
            &json,
            &format!("every file, coverage {coverage}"),
        );
        for file in json["files"].as_array().unwrap() {
            assert_eq!(
                file["coverage"].is_object(),
                coverage && file["errors"] == 0
            );
            for test in file["tests"].as_array().unwrap() {
                for failure in test["failures"].as_array().unwrap() {
                    kinds.insert(failure["kind"].as_str().unwrap().to_owned());
                }
            }
        }
        // A file with errors is in the output, without a scenario.
        assert!(
            json["files"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["errors"].as_u64() > Some(0) && f.get("scenario").is_none())
        );
    }
    for kind in ["expect", "probability", "vacuous"] {
        assert!(kinds.contains(kind), "no `{kind}` failure among {kinds:?}");
    }
}

#[test]
fn check_outputs_validate_for_invalid_fixtures_and_scenarios() {
    let validator = validator(Contract::Check);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/invalid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    assert!(paths.len() >= 50);
    paths.extend(toml_files("scenarios"));
    let checked: Vec<(SourceFile, Vec<Diagnostic>)> = paths
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            // As `casus check` reads a file: a file that is not UTF-8 is one diagnostic.
            let (source, decode_error) =
                SourceFile::from_bytes(name, &std::fs::read(path).unwrap());
            let diagnostics = match decode_error {
                Some(d) => vec![d],
                None => {
                    check_source(&source, &Default::default(), &EvalLimits::default()).diagnostics
                }
            };
            (source, diagnostics)
        })
        .collect();
    let mut diagnostics = 0;
    for (source, found) in &checked {
        let json = serde_json::to_value(CheckOutput::build(&[(source, found)])).unwrap();
        assert_valid(&validator, &json, source.name());
        // The JSON the command prints is this value.
        let printed: Json =
            serde_json::from_str(&casus_report::diagnostics::render_json(&[(source, found)]))
                .unwrap();
        assert_eq!(printed, json, "{}", source.name());
        diagnostics += found.len();
    }
    let pairs: Vec<(&SourceFile, &[Diagnostic])> =
        checked.iter().map(|(s, d)| (s, d.as_slice())).collect();
    let json = serde_json::to_value(CheckOutput::build(&pairs)).unwrap();
    assert_valid(&validator, &json, "every file");
    assert_eq!(json.as_array().unwrap().len(), diagnostics);
    assert!(diagnostics >= 50);
}

/// A version of a scenario file as `casus diff` reads it.
fn checked(name: &str, text: &str) -> Checked {
    check_source(
        &SourceFile::new(name, text),
        &Default::default(),
        &EvalLimits::default(),
    )
}

fn title(c: Option<&Checked>) -> Option<&str> {
    c.and_then(|c| c.scenario.as_ref())
        .map(|s| s.meta.title.as_str())
}

fn compare(old: &Checked, new: &Checked) -> Option<ScenarioDiff> {
    fn version<'c>(c: &'c Checked) -> Option<Version<'c>> {
        Some(Version {
            scenario: c.scenario.as_ref()?,
            program: c.program.as_ref().filter(|_| !c.has_errors()),
            evaluation: c.evaluation.as_ref().filter(|_| !c.has_errors()),
        })
    }
    Some(casus_rules::workflow::diff::diff(
        &version(old)?,
        &version(new)?,
        &EvalLimits::default(),
    ))
}

#[test]
fn diff_outputs_validate_for_the_diff_fixtures() {
    let validator = validator(Contract::Diff);
    let read = |path: PathBuf| std::fs::read_to_string(path).unwrap();
    // Every case of `tests/fixtures/diff/md`, and `old/` against `new/` file by file.
    let fixtures = root().join("tests/fixtures/diff");
    let mut pairs: Vec<(String, Option<String>, Option<String>)> = Vec::new();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures.join("md"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for case in cases {
        pairs.push((
            case.file_name().unwrap().to_string_lossy().into_owned(),
            Some(read(case.join("old.toml"))),
            Some(read(case.join("new.toml"))),
        ));
    }
    let mut names: Vec<String> = toml_files("tests/fixtures/diff/old")
        .into_iter()
        .chain(toml_files("tests/fixtures/diff/new"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        let side = |folder: &str| std::fs::read_to_string(fixtures.join(folder).join(&name)).ok();
        pairs.push((name.clone(), side("old"), side("new")));
    }
    // A new version that is no scenario file at all.
    pairs.push((
        "broken.toml".to_owned(),
        Some(read(fixtures.join("old/talks.toml"))),
        Some("not = [toml\n".to_owned()),
    ));
    let checked: Vec<(String, Option<Checked>, Option<Checked>)> = pairs
        .iter()
        .map(|(name, old, new)| {
            (
                name.clone(),
                old.as_deref().map(|t| checked(name, t)),
                new.as_deref().map(|t| checked(name, t)),
            )
        })
        .collect();
    let diffs: Vec<Option<ScenarioDiff>> = checked
        .iter()
        .map(|(_, old, new)| compare(old.as_ref()?, new.as_ref()?))
        .collect();
    let views: Vec<FileDiff<'_>> = checked
        .iter()
        .zip(&diffs)
        .map(|((name, old, new), d)| FileDiff {
            name,
            title: title(new.as_ref()).or_else(|| title(old.as_ref())),
            change: match (old, new, d) {
                (_, _, Some(d)) => FileChange::Compared(d),
                (None, Some(_), None) => FileChange::Added,
                (Some(_), None, None) => FileChange::Removed,
                _ => FileChange::Unreadable("a version cannot be read"),
            },
        })
        .collect();
    for view in &views {
        let json = serde_json::to_value(DiffOutput::build(std::slice::from_ref(view))).unwrap();
        assert_valid(&validator, &json, view.name);
    }
    let json = serde_json::to_value(DiffOutput::build(&views)).unwrap();
    assert_valid(&validator, &json, "every file");
    let statuses: std::collections::BTreeSet<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    for status in ["added", "removed", "changed", "unchanged", "unreadable"] {
        assert!(
            statuses.contains(status),
            "no `{status}` file among {statuses:?}"
        );
    }
}

#[test]
fn each_schema_rejects_an_undeclared_field() {
    for contract in Contract::ALL {
        let validator = validator(contract);
        let schema: Json = serde_json::from_str(&contract.schema()).unwrap();
        let mut object = serde_json::Map::new();
        object.insert("not_in_the_contract".into(), Json::Bool(true));
        // An array of diagnostics gets the field in its element.
        let instance = if schema["type"] == "array" {
            Json::Array(vec![Json::Object(object)])
        } else {
            Json::Object(object)
        };
        assert!(
            !validator.is_valid(&instance),
            "{} accepts an undeclared field",
            contract.name()
        );
    }
}

#[test]
fn real_outputs_with_an_undeclared_field_are_rejected() {
    // A schema that accepted any field would pass every test above; add one to real outputs.
    let (name, session) = scenarios().swap_remove(0);
    let why_not = ExplainRequest {
        outcome: None,
        why_not: session
            .scenario()
            .unwrap()
            .outcomes
            .last()
            .map(|o| o.id.name.clone()),
        listed: 10,
    };
    let explain = explain_json(&session, &WhatIf::none(), &why_not).unwrap();
    let test = test_json(&run_tests(&toml_files("tests/fixtures/testing"), true));
    let failing = test["files"][0]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .position(|t| t["failures"].as_array().is_some_and(|f| !f.is_empty()))
        .unwrap();
    let failure = format!("/files/0/tests/{failing}/failures/0");
    let fixture = root().join("tests/fixtures/invalid/duplicate-option.toml");
    let source = SourceFile::new("f.toml", std::fs::read_to_string(fixture).unwrap());
    let found = check_source(&source, &Default::default(), &EvalLimits::default()).diagnostics;
    let check = serde_json::to_value(CheckOutput::build(&[(&source, &found)])).unwrap();
    let cases = [
        (Contract::Explain, explain.clone(), "/path/steps/0"),
        (Contract::Explain, explain, "/why_not"),
        (Contract::Test, test.clone(), failure.as_str()),
        (Contract::Test, test, "/files/0/coverage"),
        (Contract::Check, check.clone(), "/0/labels/0"),
        (Contract::Check, check, "/0"),
    ];
    for (contract, mut json, at) in cases {
        let validator = validator(contract);
        assert_valid(&validator, &json, &name);
        json.pointer_mut(at)
            .and_then(Json::as_object_mut)
            .unwrap_or_else(|| panic!("{} has no object at {at}", contract.name()))
            .insert("not_in_the_contract".into(), Json::Bool(true));
        assert!(
            !validator.is_valid(&json),
            "{} accepts an undeclared field at {at}",
            contract.name()
        );
    }
}

/// One result, one shape: the spread of sampled forecasts has the same fields in `casus eval`
/// and in `casus report` (the eval output once said `id` where the report said `outcome`).
#[test]
fn eval_and_report_give_the_sampled_spread_one_shape() {
    let (_, session) = scenarios().into_iter().next().unwrap();
    let model = session.model(&WhatIf::none()).unwrap();
    let plan = Plan {
        samples: Some((20, 1)),
        ..Plan::forecast()
    };
    let analysed = session.run(&model, &plan, &Budget::unlimited()).unwrap();
    let eval = serde_json::to_value(
        EvalView {
            scenario: &model.scenario,
            variant: None,
            observed: &[],
            analysed: &analysed,
        }
        .output(),
    )
    .unwrap();
    let report = serde_json::to_value(
        casus_report::report::prepare(&session, &Budget::unlimited()).unwrap(),
    )
    .unwrap();
    let keys =
        |spread: &Json| -> Vec<String> { spread.as_object().unwrap().keys().cloned().collect() };
    let from_eval = keys(&eval["sampling"]["outcomes"][0]);
    let from_report = keys(&report["sampling"]["outcomes"][0]);
    assert_eq!(
        from_eval,
        ["outcome", "probability", "mean", "p5", "p50", "p95"]
    );
    assert_eq!(from_eval, from_report);
}
