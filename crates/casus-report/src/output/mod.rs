//! The JSON contracts of the commands: one typed result per command, serialised at the edge.
//!
//! Each command's JSON is the `Serialize` of one struct here, and its JSON Schema is derived
//! from the same struct (`casus schema --output COMMAND`), so the schema cannot drift from what
//! the command prints; `docs/json.md` documents every field. Names replace indices (an outcome
//! is its `id`), and numbers are rounded to 12 decimals so the same scenario gives the same
//! bytes on every machine.

pub mod diff;
pub mod eval;
pub mod explain;
pub mod score;
pub mod testing;

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// A JSON object whose keys keep the scenario's order (actors, outcomes, options), which a
/// `BTreeMap` would sort away.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Named<T>(pub Vec<(String, T)>);

impl<T> Named<T> {
    /// Pairs `names` with `values`, in order; the shorter decides the length.
    pub fn zip<'a>(
        names: impl IntoIterator<Item = &'a str>,
        values: impl IntoIterator<Item = T>,
    ) -> Self {
        Self(names.into_iter().map(str::to_owned).zip(values).collect())
    }
}

impl<T> FromIterator<(String, T)> for Named<T> {
    fn from_iter<I: IntoIterator<Item = (String, T)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl<T: Serialize> Serialize for Named<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<T: JsonSchema> JsonSchema for Named<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Named_{}", T::schema_name()).into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let values = generator.subschema_for::<T>();
        json_schema!({
            "type": "object",
            "additionalProperties": values,
        })
    }
}

/// A count of paths: exact up to 2^64 − 1, and beyond that (a count saturates at 2^128 − 1)
/// the nearest floating-point number, since JSON readers hold no larger integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathCount(pub u128);

impl Serialize for PathCount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match u64::try_from(self.0) {
            Ok(n) => serializer.serialize_u64(n),
            Err(_) => serializer.serialize_f64(self.0 as f64),
        }
    }
}

impl JsonSchema for PathCount {
    fn schema_name() -> Cow<'static, str> {
        "PathCount".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "number",
            "minimum": 0,
            "description": "A count of paths: exact below 2^64, else the nearest floating-point number.",
        })
    }
}

/// A decision on a path, by name: the option taken, or `null` where the decision is skipped.
#[derive(Clone, Debug, PartialEq, serde::Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ChoiceOut {
    /// The decision's id.
    pub decision: String,
    /// The option taken; `null` when the decision is skipped.
    pub option: Option<String>,
}

/// A command whose JSON output has a published schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contract {
    /// `casus eval --format json`.
    Eval,
    /// `casus eval --all-variants --format json`.
    Variants,
    /// `casus report --format json`.
    Report,
    /// `casus explain --format json`.
    Explain,
    /// `casus test --format json`.
    Test,
    /// `casus check --format json`.
    Check,
    /// `casus diff --format json`.
    Diff,
    /// `casus score --format json`.
    Score,
}

impl Contract {
    /// Every contract, in the order `docs/json.md` lists them.
    pub const ALL: [Contract; 8] = [
        Contract::Eval,
        Contract::Variants,
        Contract::Report,
        Contract::Explain,
        Contract::Test,
        Contract::Check,
        Contract::Diff,
        Contract::Score,
    ];

    /// The name on the command line (`casus schema --output NAME`) and of the committed copy
    /// (`schema/output/NAME.schema.json`).
    pub fn name(self) -> &'static str {
        match self {
            Contract::Eval => "eval",
            Contract::Variants => "eval-variants",
            Contract::Report => "report",
            Contract::Explain => "explain",
            Contract::Test => "test",
            Contract::Check => "check",
            Contract::Diff => "diff",
            Contract::Score => "score",
        }
    }

    /// The contract's JSON Schema, as pretty JSON ending in a newline.
    pub fn schema(self) -> String {
        match self {
            Contract::Eval => schema::<eval::EvalOutput>(),
            Contract::Variants => schema::<eval::VariantsOutput>(),
            Contract::Report => schema::<crate::report::ReportModel>(),
            Contract::Explain => schema::<explain::ExplainOutput>(),
            Contract::Test => schema::<testing::TestOutput>(),
            Contract::Check => schema::<crate::diagnostics::CheckOutput<'static>>(),
            Contract::Diff => schema::<diff::DiffOutput>(),
            Contract::Score => schema::<score::ScoreOutput>(),
        }
    }
}

/// The JSON Schema of a command's output, as pretty JSON ending in a newline.
///
/// The schema describes what the command prints (schemars' serialisation contract): a field is
/// required unless it is left out when empty, so a field that is always printed, `null` or
/// not, is required.
pub fn schema<T: JsonSchema>() -> String {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// `docs/json.md`: every contract's fields, generated from the same schemas, so the page
/// cannot drift from what the commands print.
pub fn json_md() -> String {
    let mut out = String::from(
        "# JSON output\n\n\
         <!-- Generated from the typed results in crates/casus-report/src/output/ by \
         `UPDATE_GENERATED=1 cargo test --test output_schemas`; do not edit by hand. -->\n\n\
         Every command that prints JSON prints one typed result, and `casus schema --output \
         COMMAND` prints its JSON Schema (draft 2020-12), generated from the same type; the \
         repository keeps copies in `schema/output/`, and the tests validate real outputs \
         against them. Objects never carry fields their schema does not declare. Outcomes, \
         decisions, actors and options appear by their ids; maps keyed by id keep the \
         scenario's order. Probabilities and payoffs are rounded to 12 decimals.\n",
    );
    for contract in Contract::ALL {
        let schema: serde_json::Value =
            serde_json::from_str(&contract.schema()).unwrap_or_default();
        let title = words(&schema);
        out.push_str(&format!(
            "\n## `{}`\n\n{title} Schema: `casus schema --output {}`.\n",
            contract.name(),
            contract.name()
        ));
        if schema["type"] == "array" {
            out.push_str(&format!(
                "\nThe top level is an array of {}.\n",
                type_words(&schema["items"])
            ));
        } else {
            table(&mut out, "the top level", &schema, false);
        }
        if let Some(defs) = schema["$defs"].as_object() {
            for (name, def) in defs {
                definition(&mut out, name, def);
            }
        }
    }
    out
}

/// One named type of a schema: an object's fields as a table, each variant of a tagged union
/// as a table, or the values of an enumeration as a list.
fn definition(out: &mut String, name: &str, def: &serde_json::Value) {
    let description = words(def);
    if def["properties"].is_object() {
        table(out, &format!("`{name}`"), def, true);
        return;
    }
    let variants = def["oneOf"]
        .as_array()
        .or_else(|| def["anyOf"].as_array())
        .map(Vec::as_slice)
        .unwrap_or_default();
    if !variants.is_empty() && variants.iter().all(|v| v["const"].is_string()) {
        out.push_str(&format!("\n### `{name}`\n\n{description} One of:\n\n"));
        for v in variants {
            out.push_str(&format!(
                "- `{}`: {}\n",
                v["const"].as_str().unwrap_or_default(),
                words(v)
            ));
        }
        return;
    }
    if !variants.is_empty() && variants.iter().all(|v| v["properties"].is_object()) {
        out.push_str(&format!(
            "\n### `{name}`\n\n{description} One of the objects below.\n"
        ));
        for v in variants {
            // The tag of an internally tagged union: the property whose value is fixed.
            let tag = v["properties"].as_object().and_then(|p| {
                p.iter()
                    .find_map(|(k, t)| Some(format!("`{k}`: `{}`", t["const"].as_str()?)))
            });
            let heading = match tag {
                Some(tag) => format!("`{name}` with {tag}"),
                None => format!("`{name}`"),
            };
            table(out, &heading, v, true);
        }
        return;
    }
    out.push_str(&format!(
        "\n### `{name}`\n\n{description} Type: {}.\n",
        type_words(def)
    ));
}

/// A schema's description on one line.
fn words(schema: &serde_json::Value) -> String {
    schema["description"]
        .as_str()
        .unwrap_or_default()
        .replace('\n', " ")
}

/// One object's fields as a Markdown table, after its description when `describe`.
fn table(out: &mut String, heading: &str, object: &serde_json::Value, describe: bool) {
    let Some(properties) = object["properties"].as_object() else {
        return;
    };
    let required: Vec<&str> = object["required"]
        .as_array()
        .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let description = if describe {
        words(object)
    } else {
        String::new()
    };
    let description = if description.is_empty() {
        String::new()
    } else {
        format!("{description}\n\n")
    };
    out.push_str(&format!(
        "\n### {heading}\n\n{description}| field | type | required | meaning |\n|---|---|---|---|\n"
    ));
    for (name, property) in properties {
        let meaning = match property["const"].as_str() {
            // The tag of a tagged union's variant.
            Some(tag) if words(property).is_empty() => format!("always `{tag}`"),
            _ => words(property).replace('|', "\\|"),
        };
        out.push_str(&format!(
            "| `{name}` | {} | {} | {meaning} |\n",
            type_words(property),
            if required.contains(&name.as_str()) {
                "yes"
            } else {
                "no"
            }
        ));
    }
}

/// A property's type in a few words: `string`, `array of OutcomeOut`, `map of number`,
/// `string or null`, ….
fn type_words(property: &serde_json::Value) -> String {
    if let Some(reference) = property["$ref"].as_str() {
        return format!("`{}`", reference.rsplit('/').next().unwrap_or(reference));
    }
    if let Some(any) = property["anyOf"].as_array() {
        let words: Vec<String> = any.iter().map(type_words).collect();
        return words.join(" or ");
    }
    if let Some(one) = property["oneOf"].as_array() {
        let words: Vec<String> = one.iter().map(type_words).collect();
        return words.join(" or ");
    }
    let kinds: Vec<&str> = match &property["type"] {
        serde_json::Value::String(s) => vec![s.as_str()],
        serde_json::Value::Array(kinds) => kinds.iter().filter_map(|k| k.as_str()).collect(),
        _ if property["enum"].is_array() || property["const"].is_string() => vec!["string"],
        _ => vec!["any"],
    };
    // An element type of several words is grouped: `array of (string or null)`.
    let group = |words: String| {
        if words.contains(" or ") {
            format!("({words})")
        } else {
            words
        }
    };
    let mut words: Vec<String> = kinds
        .iter()
        .filter(|&&k| k != "null")
        .map(|&kind| match kind {
            "array" => format!("array of {}", group(type_words(&property["items"]))),
            "object" if property["additionalProperties"].is_object() => format!(
                "map of {}",
                group(type_words(&property["additionalProperties"]))
            ),
            kind => kind.to_owned(),
        })
        .collect();
    if kinds.contains(&"null") {
        words.push("null".to_owned());
    }
    words.join(" or ")
}
