//! The JSON contracts of the commands: each committed schema in `schema/output/` is what the
//! typed result generates, and real outputs — every bundled scenario under every kind of
//! what-if — validate against it. A schema that accepted anything would pass the second check,
//! so the last test shows each one rejects a field it does not declare.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions unwrap file and fixture operations that must succeed"
)]

use std::path::{Path, PathBuf};

use casus_core::SourceFile;
use casus_report::eval::EvalView;
use casus_report::output::Contract;
use casus_report::output::eval::VariantsOutput;
use casus_rules::session::{Budget, Options, Plan, Session, WhatIf};
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

fn scenarios() -> Vec<(String, Session)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
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
            let mut shown = model.scenario.clone();
            shown.outcomes.truncate(model.outcomes);
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

#[test]
fn each_schema_rejects_an_undeclared_field() {
    for contract in Contract::ALL {
        let validator = validator(contract);
        let mut instance = serde_json::Map::new();
        instance.insert("not_in_the_contract".into(), Json::Bool(true));
        assert!(
            !validator.is_valid(&Json::Object(instance)),
            "{} accepts an undeclared field",
            contract.name()
        );
    }
}
