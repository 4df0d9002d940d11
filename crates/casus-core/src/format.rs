//! The declaration of format v1: every table, its keys, what each key holds and why.
//!
//! This is the single source for three consumers: the loader takes its lists of allowed keys
//! from here (so an unknown-key error and its "did you mean" agree with the format), `casus
//! schema` generates the JSON Schema editors validate with ([`json_schema`]), and `casus fmt`
//! orders keys within a table by their order here. Adding a key to the format means adding it
//! here; the schema test then fails until `schema/casus.schema.json` is regenerated.

use serde_json::{Map, Value as Json, json};

use crate::likelihood::ICD_203;

/// What a key's value looks like.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// A string of free text.
    Text,
    /// A list of strings of free text.
    TextList,
    /// A TOML date such as `2025-04-18`.
    Date,
    /// An id (`[a-z][a-z0-9_]*`), such as an actor.
    Id,
    /// A non-empty list of distinct ids: a decision's options.
    IdList,
    /// `true`, `false`, a number, or a symbol.
    Value,
    /// `"bool"`, `"number"`, or a list of symbols.
    FactType,
    /// An expression string, or a table of equalities joined by `and`.
    Condition,
    /// A whole number.
    Integer,
    /// A table from option to likelihood.
    Likelihoods,
    /// A table from id to value.
    Values,
    /// A table from id to number.
    Numbers,
    /// A table from outcome id to likelihood (a range a probability must lie in).
    Ranges,
    /// A list of tables, each of the given table's form.
    TableList(&'static Table),
    /// One table of the given form.
    Table(&'static Table),
    /// A table whose keys are ids, each entry in one of the given forms.
    Entries(&'static [Entry]),
    /// A table from id to values of the given shape (a variant's likelihood per decision).
    Nested(&'static Shape),
    /// A decision's likelihoods: a table from option to likelihood, and optionally `by`, a
    /// table from analyst to that analyst's estimate (see [`ESTIMATE`]).
    Estimates,
    /// `[lints]`: a table from lint name to level (`allow`, `note`, `warn` or `deny`).
    Levels,
    /// A table from id to a TOML date: when each signpost of a resolution was seen.
    Dates,
}

/// One form an entry of a section may take.
#[derive(Clone, Copy, Debug)]
pub enum Entry {
    /// A value written directly: `us = "United States"`.
    Shorthand(Shape),
    /// A table with declared keys.
    Table(&'static Table),
}

/// A key of a table.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    /// The key as written.
    pub name: &'static str,
    /// What it holds.
    pub shape: Shape,
    /// Whether the table must have it.
    pub required: bool,
    /// What it means, for editors and the schema.
    pub doc: &'static str,
}

/// A table of the format.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    /// How messages and the schema name it.
    pub name: &'static str,
    /// What it is for.
    pub doc: &'static str,
    /// Its keys, in canonical order (the order `casus fmt` writes them in).
    pub keys: &'static [Key],
    /// The shape of keys not listed (ids, such as the options of a `likelihood_if`); `None`
    /// when only the listed keys are allowed.
    pub other: Option<Shape>,
}

impl Table {
    /// The key named `name`.
    pub fn key(&self, name: &str) -> Option<&'static Key> {
        self.keys.iter().find(|k| k.name == name)
    }
}

const fn key(name: &'static str, shape: Shape, required: bool, doc: &'static str) -> Key {
    Key {
        name,
        shape,
        required,
        doc,
    }
}

/// The names of `keys`, in order; the loader's lists of allowed keys.
pub const fn key_names<const N: usize>(keys: &[Key]) -> [&'static str; N] {
    let mut names = [""; N];
    let mut i = 0;
    while i < N {
        names[i] = keys[i].name;
        i += 1;
    }
    names
}

/// `[scenario]`.
pub const META: Table = Table {
    name: "[scenario]",
    doc: "What the scenario is about.",
    keys: &[
        key("title", Shape::Text, true, "What the scenario is about."),
        key("summary", Shape::Text, false, "The question it answers."),
        key(
            "as_of",
            Shape::Date,
            false,
            "The date the assessment is as of, as a TOML date such as 2025-04-18 (no quotes).",
        ),
        key(
            "sources",
            Shape::TextList,
            false,
            "Where the facts come from.",
        ),
        key(
            "tags",
            Shape::TextList,
            false,
            "Free tags for grouping scenarios.",
        ),
        key(
            "max_estimate_age_days",
            Shape::Integer,
            false,
            "How many days before `as_of` an analyst's estimate (`likelihood.by.ANALYST`) may be dated before `casus check` warns that it is stale.",
        ),
    ],
    other: None,
};

/// An actor written as a table.
pub const ACTOR: Table = Table {
    name: "actor",
    doc: "Someone who decides, or who has payoffs.",
    keys: &[
        key("name", Shape::Text, true, "The display name."),
        key("doc", Shape::Text, false, "A longer description."),
    ],
    other: None,
};

/// An input fact written as a table.
pub const INPUT_FACT: Table = Table {
    name: "input fact",
    doc: "A known value; tests may override it.",
    keys: &[
        key(
            "value",
            Shape::Value,
            true,
            "The known value: true, false, a number or a symbol.",
        ),
        key(
            "type",
            Shape::FactType,
            false,
            "For a symbol value, the other symbols a test may override it with.",
        ),
        key(
            "unit",
            Shape::Text,
            false,
            "Unit, for reports (`%`, `bn USD`).",
        ),
        key("source", Shape::Text, false, "Where the value comes from."),
        key("doc", Shape::Text, false, "A longer description."),
    ],
    other: None,
};

/// A derived fact.
pub const DERIVED_FACT: Table = Table {
    name: "derived fact",
    doc: "A value only rules set (`then`) or add to (`add`).",
    keys: &[
        key(
            "type",
            Shape::FactType,
            true,
            "What it can hold: \"bool\", \"number\", or a list of symbols.",
        ),
        key(
            "default",
            Shape::Value,
            true,
            "Its value when no rule sets it, or the base that `add` rules add to.",
        ),
        key("doc", Shape::Text, false, "A longer description."),
    ],
    other: None,
};

/// One `[[decisions.ID.likelihood_if]]`.
pub const LIKELIHOOD_IF: Table = Table {
    name: "likelihood_if",
    doc: "A conditional likelihood: when `when` holds, these likelihoods replace the decision's own; the first that holds wins.",
    keys: &[key(
        "when",
        Shape::Condition,
        true,
        "When these likelihoods apply; may read only decisions declared earlier.",
    )],
    other: Some(Shape::Likelihoods),
};

/// `[decisions.ID]`.
pub const DECISION: Table = Table {
    name: "decision",
    doc: "An open decision: an actor (or nature, for a chance event) picks one option. Decisions happen in file order.",
    keys: &[
        key(
            "actor",
            Shape::Id,
            true,
            "Who decides: an actor id, or \"nature\" for a chance event.",
        ),
        key(
            "ask",
            Shape::Text,
            false,
            "The question, in the analyst's words.",
        ),
        key(
            "when",
            Shape::Condition,
            false,
            "The guard: when false the decision is skipped and stays unset.",
        ),
        key("options", Shape::IdList, true, "The options, in order."),
        key(
            "likelihood",
            Shape::Estimates,
            false,
            "The likelihood of each option: a number in [0, 1], a percentage such as \"45%\", a range [lo, hi], or an ICD 203 word. Without it the options count as equally likely. Several analysts' estimates go under `by.ANALYST`; casus pools them.",
        ),
        key(
            "likelihood_if",
            Shape::TableList(&LIKELIHOOD_IF),
            false,
            "Conditional likelihoods; the first whose `when` holds wins.",
        ),
        key("doc", Shape::Text, false, "A longer description."),
    ],
    other: None,
};

/// One analyst's estimate: `[decisions.ID.likelihood.by.ANALYST]`.
pub const ESTIMATE: Table = Table {
    name: "estimate",
    doc: "One analyst's likelihood of each option; casus pools the analysts' estimates with equal weights (a linear pool).",
    keys: &[
        key(
            "as_of",
            Shape::Date,
            false,
            "The date the estimate was made, as a TOML date such as 2025-04-18 (no quotes).",
        ),
        key(
            "source",
            Shape::Text,
            false,
            "Where the estimate comes from.",
        ),
    ],
    other: Some(Shape::Likelihoods),
};

/// `[rules.ID]`.
pub const RULE: Table = Table {
    name: "rule",
    doc: "An if/then rule that sets or adds to derived facts.",
    keys: &[
        key("when", Shape::Condition, true, "When the rule fires."),
        key(
            "then",
            Shape::Values,
            false,
            "Derived facts it sets, to literal values.",
        ),
        key(
            "add",
            Shape::Numbers,
            false,
            "Number facts it adds to; the contributions of all firing rules sum up.",
        ),
        key(
            "priority",
            Shape::Integer,
            false,
            "Resolves conflicts: of two rules setting one fact, the higher priority wins (default 0).",
        ),
        key(
            "because",
            Shape::Text,
            false,
            "Why, in the analyst's words; quoted by explanations and reports.",
        ),
        key("source", Shape::Text, false, "Who says so."),
    ],
    other: None,
};

/// `[outcomes.ID]`.
pub const OUTCOME: Table = Table {
    name: "outcome",
    doc: "A result the analyst cares about; every path reaches exactly one.",
    keys: &[
        key("title", Shape::Text, false, "What it means."),
        key(
            "when",
            Shape::Condition,
            false,
            "When a path reaches it; without it the outcome is the fallback (at most one).",
        ),
        key(
            "payoff",
            Shape::Numbers,
            false,
            "Utility per actor, for the strategy solver; a missing actor counts as 0.",
        ),
        key("doc", Shape::Text, false, "A longer description."),
    ],
    other: None,
};

/// `[tests.ID]`.
pub const TEST: Table = Table {
    name: "test",
    doc: "An expectation `casus test` checks.",
    keys: &[
        key("doc", Shape::Text, false, "What the test guards against."),
        key(
            "given",
            Shape::Values,
            false,
            "Decisions fixed and input facts overridden.",
        ),
        key(
            "expect",
            Shape::Values,
            false,
            "Values that must hold on every path consistent with `given`; the key `outcome` names the outcome.",
        ),
        key(
            "expect_probability",
            Shape::Ranges,
            false,
            "Outcomes whose point-estimate probability must lie in a range.",
        ),
        key(
            "variant",
            Shape::Id,
            false,
            "The variant (`[variants.ID]`) the test runs against instead of the base scenario.",
        ),
    ],
    other: None,
};

/// `[variants.ID]`.
pub const VARIANT: Table = Table {
    name: "variant",
    doc: "An alternative future: the base scenario with some input facts, likelihood tables and payoffs overridden.",
    keys: &[
        key("title", Shape::Text, false, "What the variant assumes."),
        key(
            "facts",
            Shape::Values,
            false,
            "Input facts overridden, with their values in this variant.",
        ),
        key(
            "likelihood",
            Shape::Nested(&Shape::Likelihoods),
            false,
            "Decisions whose base likelihood table is replaced: `likelihood.DECISION = { option = likelihood, … }`.",
        ),
        key(
            "payoff",
            Shape::Nested(&Shape::Numbers),
            false,
            "Payoffs overridden: `payoff.OUTCOME = { actor = number, … }`; actors left out keep theirs.",
        ),
        key(
            "source",
            Shape::Text,
            false,
            "Where the assumption comes from.",
        ),
        key("doc", Shape::Text, false, "A longer description."),
    ],
    other: None,
};

/// `[signposts.ID]`.
pub const SIGNPOST: Table = Table {
    name: "signpost",
    doc: "An indicator to watch for: either a likelihood ratio per option of one decision, or a condition that rules out the paths where it is false.",
    keys: &[
        key("title", Shape::Text, false, "The observable event."),
        key(
            "decision",
            Shape::Id,
            false,
            "The decision the signpost is evidence about; give `ratio` with it.",
        ),
        key(
            "ratio",
            Shape::Numbers,
            false,
            "A positive likelihood ratio per option of `decision`: how much more often the signpost is seen when that option is taken (options left out have ratio 1).",
        ),
        key(
            "when",
            Shape::Condition,
            false,
            "Instead of `decision` and `ratio`: a condition that holds at the end of every path consistent with seeing the signpost.",
        ),
        key(
            "source",
            Shape::Text,
            false,
            "Where the indicator comes from.",
        ),
        key("doc", Shape::Text, false, "A longer description."),
    ],
    other: None,
};

/// `[resolution]`.
pub const RESOLUTION: Table = Table {
    name: "[resolution]",
    doc: "How the question came out: the outcome that happened, when and on whose word, and the signposts seen on the way. `casus score` scores every earlier forecast of the file against it.",
    keys: &[
        key(
            "outcome",
            Shape::Id,
            false,
            "The outcome that happened, or `none` when none of the outcomes did; leave it out while the question is open.",
        ),
        key(
            "date",
            Shape::Date,
            false,
            "When the outcome happened, as a TOML date (required with `outcome`); forecasts dated after it are not scored.",
        ),
        key(
            "source",
            Shape::Text,
            false,
            "Where the resolution comes from.",
        ),
        key(
            "variant",
            Shape::Id,
            false,
            "The variant (`[variants.ID]`) whose forecast is the forecast of record; the base scenario when left out.",
        ),
        key(
            "observed",
            Shape::Dates,
            false,
            "Signposts seen, each with the date it was seen: `observed = { energy_pause = 2025-05-02 }`; a forecast is conditioned on those seen on or before its date.",
        ),
        key("doc", Shape::Text, false, "A longer description."),
    ],
    other: None,
};

/// The whole file.
pub const FILE: Table = Table {
    name: "a scenario file",
    doc: "A casus scenario file, format v1: actors, facts, decisions with likelihoods, rules, outcomes with payoffs, and tests.",
    keys: &[
        key("scenario", Shape::Table(&META), true, META.doc),
        key(
            "actors",
            Shape::Entries(&[Entry::Shorthand(Shape::Text), Entry::Table(&ACTOR)]),
            false,
            "Who decides or has payoffs: `id = \"Display name\"` or `id = { name = …, doc = … }`.",
        ),
        key(
            "facts",
            Shape::Entries(&[
                Entry::Shorthand(Shape::Value),
                Entry::Table(&INPUT_FACT),
                Entry::Table(&DERIVED_FACT),
            ]),
            false,
            "Input facts (known values) and derived facts (a type and a default; only rules set them).",
        ),
        key(
            "decisions",
            Shape::Entries(&[Entry::Table(&DECISION)]),
            false,
            "Open decisions, in the order they happen.",
        ),
        key(
            "rules",
            Shape::Entries(&[Entry::Table(&RULE)]),
            false,
            "If/then rules; their order never changes a result.",
        ),
        key(
            "outcomes",
            Shape::Entries(&[Entry::Table(&OUTCOME)]),
            false,
            "The outcomes the analyst cares about.",
        ),
        key(
            "tests",
            Shape::Entries(&[Entry::Table(&TEST)]),
            false,
            "Expectations `casus test` checks.",
        ),
        key(
            "variants",
            Shape::Entries(&[Entry::Table(&VARIANT)]),
            false,
            "Alternative futures that override inputs, likelihoods and payoffs of the base scenario.",
        ),
        key(
            "signposts",
            Shape::Entries(&[Entry::Table(&SIGNPOST)]),
            false,
            "Indicators to watch for, and what seeing each says about the paths.",
        ),
        key(
            "lints",
            Shape::Levels,
            false,
            "The level of lints in this file: `lint_name = \"allow\"`, `\"note\"`, `\"warn\"` or `\"deny\"`; say why in a comment beside it. `casus check --allow/--warn/--deny` override it.",
        ),
        key(
            "resolution",
            Shape::Table(&RESOLUTION),
            false,
            RESOLUTION.doc,
        ),
    ],
    other: None,
};

/// The id pattern of format v1, as a regular expression.
pub const ID_PATTERN: &str = "^[a-z][a-z0-9_]*$";

/// A percentage string as the loader reads it (`"45%"`, `"12.5 %"`).
const PERCENT_PATTERN: &str = "^\\s*[0-9]+(\\.[0-9]+)?\\s*%\\s*$";

/// Other spellings of ICD 203's words that the loader accepts (see
/// [`lookup_word`](crate::likelihood::lookup_word)); a test checks the loader accepts each.
pub const WORD_SYNONYMS: [&str; 12] = [
    "almost certainly",
    "nearly certainly",
    "highly likely",
    "highly unlikely",
    "very probable",
    "very improbable",
    "even chance",
    "even odds",
    "about even",
    "toss-up",
    "probably",
    "probably not",
];

/// A regular expression (ECMA 262, which has no case-insensitive flag inside a pattern) that
/// matches an estimative word the way the loader does: any case, words separated by spaces,
/// hyphens or underscores.
fn word_pattern() -> String {
    let alternatives: Vec<String> = ICD_203
        .iter()
        .map(|w| w.word)
        .chain(WORD_SYNONYMS)
        .map(|word| {
            word.split([' ', '-'])
                .map(|part| {
                    part.chars()
                        .map(|c| {
                            if c.is_ascii_alphabetic() {
                                format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
                            } else {
                                c.to_string()
                            }
                        })
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join("[\\s_-]+")
        })
        .collect();
    format!("^[\\s_-]*(?:{})[\\s_-]*$", alternatives.join("|"))
}

/// The JSON Schema (draft 2020-12) of scenario files, generated from the declaration above.
///
/// TOML dates appear as strings with `"format": "date"`, as TOML-aware editors (Even Better
/// TOML / taplo) present them to a schema. Likelihood words are listed in their canonical
/// spelling; the loader is more lenient (any case, hyphens, common synonyms).
pub fn json_schema() -> Json {
    let mut defs = Map::new();
    defs.insert(
        "id".into(),
        json!({ "type": "string", "pattern": ID_PATTERN, "description": "An id: a lowercase letter, then lowercase letters, digits or `_`." }),
    );
    defs.insert(
        "value".into(),
        json!({ "type": ["boolean", "number", "string"], "description": "true, false, a number, or a symbol." }),
    );
    defs.insert(
        "condition".into(),
        json!({
            "description": "An expression such as \"russia_answer == 'refuse' and not ceasefire\", or a table of equalities such as { russia_answer = \"refuse\" }.",
            "anyOf": [
                { "type": "string", "minLength": 1 },
                { "type": "object", "propertyNames": { "$ref": "#/$defs/id" }, "additionalProperties": { "$ref": "#/$defs/value" } }
            ]
        }),
    );
    let words: Vec<&str> = ICD_203.iter().map(|w| w.word).collect();
    let percent = json!({ "type": "string", "pattern": PERCENT_PATTERN });
    let probability = json!({ "type": "number", "minimum": 0, "maximum": 1 });
    defs.insert(
        "likelihood".into(),
        json!({
            "description": "A number in [0, 1], a percentage such as \"45%\", a range [lo, hi], or an ICD 203 estimative word.",
            "anyOf": [
                probability,
                percent,
                // The canonical words, for completion; the pattern also admits the spellings
                // the loader accepts (any case, hyphens, common synonyms).
                { "type": "string", "enum": words },
                { "type": "string", "pattern": word_pattern() },
                {
                    "type": "array",
                    "items": { "anyOf": [probability, percent] },
                    "minItems": 2,
                    "maxItems": 2
                }
            ]
        }),
    );
    defs.insert(
        "fact_type".into(),
        json!({
            "description": "\"bool\", \"number\", or a list of symbols.",
            "anyOf": [
                { "type": "string", "enum": ["bool", "number"] },
                { "type": "array", "items": { "$ref": "#/$defs/id" }, "minItems": 1, "uniqueItems": true }
            ]
        }),
    );
    for table in [
        &META,
        &ACTOR,
        &INPUT_FACT,
        &DERIVED_FACT,
        &LIKELIHOOD_IF,
        &DECISION,
        &RULE,
        &OUTCOME,
        &TEST,
        &ESTIMATE,
        &VARIANT,
        &SIGNPOST,
        &RESOLUTION,
    ] {
        defs.insert(def_name(table).into(), table_schema(table));
    }
    let mut schema = table_schema(&FILE);
    if let Json::Object(map) = &mut schema {
        let mut head = Map::new();
        head.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        head.insert("title".into(), json!("casus scenario file (format v1)"));
        head.append(map);
        head.insert("$defs".into(), Json::Object(defs));
        return Json::Object(head);
    }
    schema
}

fn def_name(table: &Table) -> &'static str {
    match table.name {
        "[scenario]" => "scenario",
        "actor" => "actor",
        "input fact" => "input_fact",
        "derived fact" => "derived_fact",
        "likelihood_if" => "likelihood_if",
        "decision" => "decision",
        "rule" => "rule",
        "outcome" => "outcome",
        "test" => "test",
        "estimate" => "estimate",
        "variant" => "variant",
        "signpost" => "signpost",
        "[resolution]" => "resolution",
        _ => "file",
    }
}

fn reference(table: &Table) -> Json {
    json!({ "$ref": format!("#/$defs/{}", def_name(table)) })
}

fn table_schema(table: &Table) -> Json {
    let mut properties = Map::new();
    for k in table.keys {
        let mut schema = shape_schema(&k.shape);
        // Draft 2020-12 allows keywords beside `$ref`; older validators ignore them.
        if let Json::Object(map) = &mut schema {
            map.insert("description".into(), json!(k.doc));
        }
        properties.insert(k.name.into(), schema);
    }
    let required: Vec<&str> = table
        .keys
        .iter()
        .filter(|k| k.required)
        .map(|k| k.name)
        .collect();
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    out.insert("description".into(), json!(table.doc));
    out.insert("properties".into(), Json::Object(properties));
    if !required.is_empty() {
        out.insert("required".into(), json!(required));
    }
    match &table.other {
        None => {
            out.insert("additionalProperties".into(), json!(false));
        }
        Some(shape) => {
            // The other keys are option ids, each with a likelihood.
            out.insert("propertyNames".into(), json!({ "$ref": "#/$defs/id" }));
            let other = match shape {
                Shape::Likelihoods => json!({ "$ref": "#/$defs/likelihood" }),
                other => shape_schema(other),
            };
            out.insert("additionalProperties".into(), other);
        }
    }
    Json::Object(out)
}

fn map_of(value: Json) -> Json {
    json!({
        "type": "object",
        "propertyNames": { "$ref": "#/$defs/id" },
        "additionalProperties": value,
    })
}

fn shape_schema(shape: &Shape) -> Json {
    match shape {
        Shape::Text => json!({ "type": "string" }),
        Shape::TextList => json!({ "type": "array", "items": { "type": "string" } }),
        Shape::Date => json!({ "type": "string", "format": "date" }),
        Shape::Id => json!({ "$ref": "#/$defs/id" }),
        Shape::IdList => json!({
            "type": "array",
            "items": { "$ref": "#/$defs/id" },
            "minItems": 1,
            "uniqueItems": true,
        }),
        Shape::Value => json!({ "$ref": "#/$defs/value" }),
        Shape::FactType => json!({ "$ref": "#/$defs/fact_type" }),
        Shape::Condition => json!({ "$ref": "#/$defs/condition" }),
        Shape::Integer => json!({ "type": "integer" }),
        Shape::Likelihoods | Shape::Ranges => map_of(json!({ "$ref": "#/$defs/likelihood" })),
        Shape::Values => map_of(json!({ "$ref": "#/$defs/value" })),
        Shape::Numbers => map_of(json!({ "type": "number" })),
        Shape::Dates => map_of(json!({ "type": "string", "format": "date" })),
        Shape::TableList(table) => json!({ "type": "array", "items": reference(table) }),
        Shape::Table(table) => reference(table),
        Shape::Nested(shape) => map_of(shape_schema(shape)),
        Shape::Levels => {
            let lints: Vec<&str> = crate::codes::Code::ALL
                .iter()
                .filter(|c| c.is_lint())
                .map(|c| c.name())
                .collect();
            let levels: Vec<&str> = crate::model::Level::ALL
                .iter()
                .map(|l| l.as_str())
                .collect();
            json!({
                "type": "object",
                "propertyNames": { "enum": lints },
                "additionalProperties": { "type": "string", "enum": levels },
            })
        }
        Shape::Estimates => json!({
            "type": "object",
            "properties": {
                "by": {
                    "description": "Several analysts' estimates: `by.ANALYST = { option = likelihood, …, as_of = …, source = … }`.",
                    "type": "object",
                    "propertyNames": { "$ref": "#/$defs/id" },
                    "additionalProperties": { "$ref": "#/$defs/estimate" },
                }
            },
            "propertyNames": { "$ref": "#/$defs/id" },
            "additionalProperties": { "$ref": "#/$defs/likelihood" },
        }),
        Shape::Entries(forms) => {
            let alternatives: Vec<Json> = forms
                .iter()
                .map(|form| match form {
                    Entry::Shorthand(shape) => shape_schema(shape),
                    Entry::Table(table) => reference(table),
                })
                .collect();
            let entry = match alternatives.as_slice() {
                [one] => one.clone(),
                _ => json!({ "anyOf": alternatives }),
            };
            map_of(entry)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_follow_the_declaration() {
        let names: [&str; 5] = key_names(META.keys);
        assert_eq!(names, ["title", "summary", "as_of", "sources", "tags"]);
    }

    #[test]
    fn every_table_is_in_the_schema() {
        let schema = json_schema();
        for name in [
            "scenario",
            "actor",
            "input_fact",
            "derived_fact",
            "likelihood_if",
            "decision",
            "rule",
            "outcome",
            "test",
            "estimate",
            "variant",
            "signpost",
            "resolution",
        ] {
            assert!(schema["$defs"][name].is_object(), "{name} missing");
        }
        assert_eq!(schema["required"], json!(["scenario"]));
    }

    #[test]
    fn the_loader_knows_every_synonym_the_schema_admits() {
        for word in WORD_SYNONYMS {
            assert!(
                crate::likelihood::lookup_word(word).is_some(),
                "`{word}` is not a word the loader reads"
            );
        }
    }
}
