//! The JSON Schema of scenario files: the committed copy matches what the format's declaration
//! generates, every real scenario and valid fixture validates against it, and it rejects the
//! mistakes editors should flag.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions unwrap file, process and fixture operations that must succeed"
)]

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

const SCHEMA_PATH: &str = "schema/casus.schema.json";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn generated() -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(&casus_core::format::json_schema()).unwrap()
    )
}

/// TOML as a TOML-aware editor hands it to a JSON Schema: dates and times become strings.
fn to_json(value: toml::Value) -> Json {
    match value {
        toml::Value::String(s) => Json::String(s),
        toml::Value::Integer(i) => Json::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
        toml::Value::Boolean(b) => Json::Bool(b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(items) => Json::Array(items.into_iter().map(to_json).collect()),
        toml::Value::Table(table) => {
            Json::Object(table.into_iter().map(|(k, v)| (k, to_json(v))).collect())
        }
    }
}

fn parse(text: &str) -> Json {
    to_json(toml::Value::Table(
        toml::from_str::<toml::Table>(text).unwrap(),
    ))
}

fn validator() -> jsonschema::Validator {
    let schema: Json =
        serde_json::from_str(&std::fs::read_to_string(root().join(SCHEMA_PATH)).unwrap()).unwrap();
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn errors(validator: &jsonschema::Validator, instance: &Json) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_committed_schema_is_up_to_date() {
    let committed = std::fs::read_to_string(root().join(SCHEMA_PATH)).unwrap_or_default();
    assert!(
        committed == generated(),
        "{SCHEMA_PATH} is out of date with the format's declaration (crates/casus-core/src/format.rs); \
         regenerate it with `cargo run -p casus-cli -- schema > {SCHEMA_PATH}` and commit it"
    );
}

#[test]
fn the_schema_is_valid_draft_2020_12() {
    let schema: Json = serde_json::from_str(&generated()).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::meta::validate(&schema).unwrap();
}

#[test]
fn every_scenario_and_valid_fixture_validates() {
    let validator = validator();
    let mut files = toml_files(&root().join("scenarios"));
    files.extend(toml_files(&root().join("tests/fixtures/valid")));
    assert!(files.len() >= 5, "no scenarios found");
    for file in files {
        let instance = parse(&std::fs::read_to_string(&file).unwrap());
        let errors = errors(&validator, &instance);
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

#[test]
fn the_schema_flags_what_the_loader_rejects() {
    let validator = validator();
    let base = "[scenario]\ntitle = \"t\"\n[actors]\nus = \"US\"\n[decisions.d]\nactor = \"us\"\noptions = [\"a\", \"b\"]\n";
    let cases = [
        // A misspelt key in a rule.
        (
            "[rules.r]\nwen = \"d == 'a'\"\nthen = { x = true }\n",
            "wen",
        ),
        // A likelihood word ICD 203 does not have.
        (
            "[decisions.e]\nactor = \"us\"\noptions = [\"a\"]\nlikelihood = { a = \"maybe\" }\n",
            "maybe",
        ),
        // An id with a capital letter.
        ("[outcomes.Bad]\ntitle = \"x\"\n", "Bad"),
        // A likelihood above 1.
        (
            "[decisions.e]\nactor = \"us\"\noptions = [\"a\"]\nlikelihood = { a = 1.5 }\n",
            "1.5",
        ),
        // A derived fact without its default.
        ("[facts]\nf = { type = \"bool\" }\n", "default"),
    ];
    for (extra, what) in cases {
        let instance = parse(&format!("{base}{extra}"));
        assert!(
            !errors(&validator, &instance).is_empty(),
            "the schema accepts {what:?}:\n{extra}"
        );
    }
    assert!(
        !errors(&validator, &parse("[actors]\nus = \"US\"\n")).is_empty(),
        "a file without [scenario] must not validate"
    );
    assert!(errors(&validator, &parse(base)).is_empty());
}

#[test]
fn the_loader_accepts_every_declared_key() {
    // One file that uses every key the declaration lists: the loader must not call any of them
    // unknown, so the schema never suggests a key the loader rejects.
    let text = r#"
[scenario]
title = "every key"
summary = "s"
as_of = 2025-04-18
sources = ["a"]
tags = ["b"]
max_estimate_age_days = 30

[actors]
us = { name = "US", doc = "d" }

[facts]
level = { value = "low", type = ["low", "high"], unit = "u", source = "s", doc = "d" }
flag = { type = "bool", default = false, doc = "d" }
score = { type = "number", default = 0 }

[decisions.d]
actor = "us"
ask = "q"
options = ["a", "b"]
when = "level == 'low'"
likelihood = { a = "likely", b = "unlikely" }
doc = "d"
[[decisions.d.likelihood_if]]
when = "level == 'high'"
a = 0.5
b = 0.5

[decisions.e]
actor = "nature"
options = ["a", "b"]

[decisions.e.likelihood.by.x]
a = 0.4
b = 0.6
as_of = 2025-04-01
source = "s"

[decisions.e.likelihood.by.y]
a = 0.5
b = 0.5

[rules.r]
when = "d == 'a'"
then = { flag = true }
add = { score = 1 }
because = "b"
source = "s"
priority = 1

[outcomes.yes]
title = "t"
when = "flag"
payoff = { us = 1 }
doc = "d"

[outcomes.no]
title = "t"

[tests.t]
given = { d = "a" }
expect = { outcome = "yes" }
expect_probability = { yes = [0, 1] }
doc = "d"
variant = "v"

[variants.v]
title = "t"
facts = { level = "high" }
likelihood.d = { a = 0.1, b = 0.9 }
payoff.yes = { us = 2 }
source = "s"
doc = "d"

[signposts.s]
title = "t"
decision = "e"
ratio = { a = 2 }
source = "s"
doc = "d"

[signposts.w]
when = "flag"
"#;
    let file = casus_core::SourceFile::new("every-key.toml", text);
    let loaded = casus_core::load::load(&file, &casus_core::limits::Limits::default());
    let unknown: Vec<&str> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == casus_core::Code::UnknownKey)
        .map(|d| d.message.as_str())
        .collect();
    assert!(unknown.is_empty(), "{unknown:#?}");
    let errors = errors(&validator(), &parse(text));
    assert!(errors.is_empty(), "{errors:#?}");
    // Every key of every table appears above.
    for table in [
        &casus_core::format::META,
        &casus_core::format::ACTOR,
        &casus_core::format::INPUT_FACT,
        &casus_core::format::DERIVED_FACT,
        &casus_core::format::DECISION,
        &casus_core::format::LIKELIHOOD_IF,
        &casus_core::format::RULE,
        &casus_core::format::OUTCOME,
        &casus_core::format::TEST,
        &casus_core::format::ESTIMATE,
        &casus_core::format::VARIANT,
        &casus_core::format::SIGNPOST,
    ] {
        for key in table.keys {
            assert!(
                text.contains(&format!("{} = ", key.name))
                    || text.contains(&format!("{}.", key.name))
                    || text.contains(&format!(".{}]]", key.name)),
                "key `{}` of {} is not exercised",
                key.name,
                table.name
            );
        }
    }
}
