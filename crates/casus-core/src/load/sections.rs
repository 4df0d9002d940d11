//! One function per section of format v1.

use toml::de::{DeTable, DeValue};

use super::reader::{Reader, Val, entries, span_of};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::format;
use crate::model::{
    Actor, Assignment, ConditionalLikelihood, Contribution, Decision, Estimate, Evidence, Fact,
    FactKind, Ident, Level, LikelihoodTable, LintSetting, Meta, NATURE, Outcome, Resolution, Rule,
    Scenario, Signpost, Test, Type, UNATTRIBUTED, Value, Variant, linear_pool,
};
use crate::span::{Span, Spanned};

// The allowed keys of each table come from the declaration of the format, which the JSON
// Schema is generated from too.
const TOP: &[&str] = &names::<{ format::FILE.keys.len() }>(&format::FILE);
const META: &[&str] = &names::<{ format::META.keys.len() }>(&format::META);
const ACTOR: &[&str] = &names::<{ format::ACTOR.keys.len() }>(&format::ACTOR);
const INPUT_FACT: &[&str] = &names::<{ format::INPUT_FACT.keys.len() }>(&format::INPUT_FACT);
const DERIVED_FACT: &[&str] = &names::<{ format::DERIVED_FACT.keys.len() }>(&format::DERIVED_FACT);
const DECISION: &[&str] = &names::<{ format::DECISION.keys.len() }>(&format::DECISION);
const RULE: &[&str] = &names::<{ format::RULE.keys.len() }>(&format::RULE);
const OUTCOME: &[&str] = &names::<{ format::OUTCOME.keys.len() }>(&format::OUTCOME);
const TEST: &[&str] = &names::<{ format::TEST.keys.len() }>(&format::TEST);
const VARIANT: &[&str] = &names::<{ format::VARIANT.keys.len() }>(&format::VARIANT);
const SIGNPOST: &[&str] = &names::<{ format::SIGNPOST.keys.len() }>(&format::SIGNPOST);
const RESOLUTION: &[&str] = &names::<{ format::RESOLUTION.keys.len() }>(&format::RESOLUTION);

const fn names<const N: usize>(table: &format::Table) -> [&'static str; N] {
    format::key_names(table.keys)
}

pub(super) fn scenario(r: &mut Reader<'_>, document: &DeTable<'_>) -> Scenario {
    let mut scenario = Scenario::default();
    let mut saw_meta = false;
    for (key, value) in entries(document) {
        match key.get_ref().as_ref() {
            "scenario" => {
                saw_meta = true;
                if let Some(table) = r.table(value, "`[scenario]`", "[scenario] with a `title`") {
                    scenario.meta = meta(r, table, span_of(key));
                }
            }
            "actors" => each(r, value, "`[actors]`", |r, key, value| {
                let id = r.id(key, "actor");
                scenario.actors.push(actor(r, id, value));
            }),
            "facts" => each(r, value, "`[facts]`", |r, key, value| {
                let id = r.id(key, "fact");
                if let Some(f) = fact(r, id, value) {
                    scenario.facts.push(f);
                }
            }),
            "decisions" => each(r, value, "`[decisions]`", |r, key, value| {
                let id = r.id(key, "decision");
                if let Some(d) = decision(r, id, value) {
                    scenario.decisions.push(d);
                }
            }),
            "rules" => each(r, value, "`[rules]`", |r, key, value| {
                let id = r.id(key, "rule");
                if let Some(rule) = rule(r, id, value) {
                    scenario.rules.push(rule);
                }
            }),
            "outcomes" => each(r, value, "`[outcomes]`", |r, key, value| {
                let id = r.id(key, "outcome");
                if let Some(o) = outcome(r, id, value) {
                    scenario.outcomes.push(o);
                }
            }),
            "tests" => each(r, value, "`[tests]`", |r, key, value| {
                let id = r.id(key, "test");
                if let Some(t) = test(r, id, value) {
                    scenario.tests.push(t);
                }
            }),
            "variants" => each(r, value, "`[variants]`", |r, key, value| {
                let id = r.id(key, "variant");
                if let Some(v) = variant(r, id, value) {
                    scenario.variants.push(v);
                }
            }),
            "signposts" => each(r, value, "`[signposts]`", |r, key, value| {
                let id = r.id(key, "signpost");
                if let Some(s) = signpost(r, id, value) {
                    scenario.signposts.push(s);
                }
            }),
            "lints" => scenario.lints = lints(r, value),
            "resolution" => {
                if let Some(table) = r.table(
                    value,
                    "`[resolution]`",
                    "[resolution] with `outcome`, `date` and `source`",
                ) {
                    scenario.resolution = Some(resolution(r, table, span_of(key)));
                }
            }
            _ => {
                let name = super::reader::escape_for_message(key.get_ref());
                let help = crate::diagnostic::did_you_mean(key.get_ref(), TOP.iter().copied())
                    .unwrap_or_else(|| {
                        format!(
                            "a scenario file has the sections {}",
                            super::reader::backticked(TOP)
                        )
                    });
                r.report(
                    Diagnostic::new(Code::UnknownKey, format!("unknown section `{name}`"))
                        .primary(span_of(key), "not a section of format v1")
                        .help(help),
                );
            }
        }
    }
    if !saw_meta {
        let help = "start the file with\n\n[scenario]\ntitle = \"What the scenario is about\"";
        let diagnostic =
            Diagnostic::new(Code::MissingScenario, "the file has no `[scenario]` table").help(help);
        let diagnostic = if r.text.trim().is_empty() {
            Diagnostic {
                message: "the file is empty".to_owned(),
                ..diagnostic
            }
        } else {
            diagnostic.primary(Span::new(0, 0), "expected `[scenario]` in this file")
        };
        r.report(diagnostic);
    }
    limit(
        r,
        scenario.decisions.len(),
        r.limits.max_decisions,
        "decisions",
        "--max-decisions",
    );
    limit(
        r,
        scenario.rules.len(),
        r.limits.max_rules,
        "rules",
        "--max-rules",
    );
    scenario
}

fn limit(r: &mut Reader<'_>, count: usize, max: usize, what: &str, flag: &str) {
    if count > max {
        r.report(
            Diagnostic::new(
                Code::LimitExceeded,
                format!("the scenario has {count} {what}, more than the limit of {max}"),
            )
            .help(format!(
                "split the scenario, or raise the limit with `{flag}`"
            )),
        );
    }
}

/// Calls `f` for each entry of a section table.
fn each<'i>(
    r: &mut Reader<'_>,
    value: &Val<'i>,
    what: &str,
    mut f: impl FnMut(&mut Reader<'_>, &super::reader::Key<'i>, &Val<'i>),
) {
    let example = format!(
        "a table: a `{}` header followed by its entries",
        what.trim_matches('`')
    );
    if let Some(table) = r.table(value, what, &example) {
        for (key, value) in entries(table) {
            f(r, key, value);
        }
    }
}

fn opt_string(r: &mut Reader<'_>, slot: &mut Option<String>, value: &Val<'_>, what: &str) {
    *slot = r.string(value, what);
}

fn meta(r: &mut Reader<'_>, table: &DeTable<'_>, span: Span) -> Meta {
    let mut meta = Meta {
        span,
        ..Meta::default()
    };
    let mut title = None;
    // A title of the wrong type has had its own error: it is not missing as well.
    let mut title_given = false;
    for (key, value) in entries(table) {
        match key.get_ref().as_ref() {
            "title" => {
                title_given = true;
                title = r.string(value, "the title");
            }
            "summary" => opt_string(r, &mut meta.summary, value, "the summary"),
            "as_of" => meta.as_of = date(r, value, "`as_of`"),
            "sources" => meta.sources = r.strings(value, "`sources`"),
            "tags" => meta.tags = r.strings(value, "`tags`"),
            "max_estimate_age_days" => {
                meta.max_estimate_age_days = days(r, value, "`max_estimate_age_days`");
            }
            section if TOP.contains(&section) => r.unknown_key_with_help(
                key,
                "`[scenario]`",
                format!(
                    "`{section}` is a section of its own: start it with a `[{section}]` header on a line of its own, after the keys of `[scenario]`"
                ),
            ),
            _ => r.unknown_key(key, META, "`[scenario]`"),
        }
    }
    match title {
        Some(t) => meta.title = t,
        None if title_given => {}
        None => r.missing_key(
            Some((table, META)),
            span,
            "title",
            "`[scenario]`",
            "add `title = \"…\"` saying what the scenario is about".to_owned(),
        ),
    }
    meta
}

fn actor(r: &mut Reader<'_>, id: Ident, value: &Val<'_>) -> Actor {
    if id.name == NATURE {
        r.report(
            Diagnostic::new(Code::InvalidId, "`nature` is reserved for chance events")
                .primary(id.span, "declared as an actor here")
                .help("remove it from `[actors]`: chance decisions use `actor = \"nature\"` without declaring it"),
        );
    }
    let mut actor = Actor {
        name: id.name.clone(),
        id,
        doc: None,
    };
    match value.get_ref() {
        DeValue::String(name) => actor.name = name.to_string(),
        DeValue::Table(table) => {
            let mut name = None;
            for (key, value) in entries(table) {
                match key.get_ref().as_ref() {
                    "name" => name = r.string(value, "an actor's name"),
                    "doc" => opt_string(r, &mut actor.doc, value, "`doc`"),
                    _ => r.unknown_key(key, ACTOR, &format!("actor `{}`", actor.id.name)),
                }
            }
            match name {
                Some(n) => actor.name = n,
                None => r.missing_key(
                    Some((table, ACTOR)),
                    span_of(value),
                    "name",
                    &format!("actor `{}`", actor.id.name),
                    "add `name = \"…\"` with the name reports show, such as `name = \"United States\"`"
                        .to_owned(),
                ),
            }
        }
        _ => r.wrong_type(
            value,
            &format!("actor `{}`", actor.id.name),
            "a name or a table",
            "\"United States\" or { name = \"United States\", doc = \"…\" }",
        ),
    }
    actor
}

fn fact(r: &mut Reader<'_>, id: Ident, value: &Val<'_>) -> Option<Fact> {
    let what = format!("fact `{}`", id.name);
    let DeValue::Table(table) = value.get_ref() else {
        let value = r.value(value, &what)?;
        let ty = input_type(&value.value, None);
        return Some(Fact {
            id,
            kind: FactKind::Input {
                value,
                ty,
                unit: None,
                source: None,
            },
            doc: None,
        });
    };
    let derived = table.get("type").is_some() && table.get("value").is_none();
    let allowed = if derived { DERIVED_FACT } else { INPUT_FACT };
    let (mut input, mut ty, mut default, mut unit, mut source, mut doc) =
        (None, None, None, None, None, None);
    for (key, value) in entries(table) {
        match key.get_ref().as_ref() {
            "value" => input = r.value(value, &format!("the value of {what}")),
            "type" => ty = fact_type(r, value, &what),
            "default" if derived => default = Some(value),
            "unit" if !derived => unit = r.string(value, "`unit`"),
            "source" if !derived => source = r.string(value, "`source`"),
            "doc" => doc = r.string(value, "`doc`"),
            "unit" | "source" if derived => r.unknown_key_with_help(
                key,
                &what,
                format!(
                    "`{}` belongs to input facts, which have a `value`; a derived fact takes {}",
                    key.get_ref(),
                    super::reader::backticked(DERIVED_FACT)
                ),
            ),
            "default" => r.unknown_key_with_help(
                key,
                &what,
                "`default` belongs to derived facts, which rules set: give `type` and `default` without `value`; an input fact has only its `value`"
                    .to_owned(),
            ),
            _ => r.unknown_key(key, allowed, &what),
        }
    }
    let kind = if derived {
        let ty = ty?;
        let Some(default) = default else {
            let example = match &ty {
                Type::Bool => "false".to_owned(),
                Type::Number => "0".to_owned(),
                Type::Enum(symbols) => {
                    format!("\"{}\"", symbols.first().map_or("…", String::as_str))
                }
            };
            r.missing_key(
                Some((table, allowed)),
                span_of(value),
                "default",
                &format!("derived {what}"),
                format!("add `default = {example}`, the value it has when no rule sets it"),
            );
            return None;
        };
        let default = r.value(default, &format!("the default of {what}"))?;
        if !ty.admits(&default.value) {
            r.report(
                Diagnostic::new(
                    Code::TypeMismatch,
                    format!("the default of {what} is not {}", ty.describe()),
                )
                .primary(
                    default.span,
                    format!("`{}` does not fit the type", default.value.display()),
                )
                .help(format!("give a default that is {}", ty.describe())),
            );
        }
        FactKind::Derived { ty, default }
    } else {
        let Some(value) = input else {
            r.missing_key(
                Some((table, allowed)),
                span_of(value),
                "value",
                &what,
                "give an input fact its `value`, such as `value = 90`, or a derived fact its `type` and `default`"
                    .to_owned(),
            );
            return None;
        };
        let ty = input_type(&value.value, ty);
        FactKind::Input {
            value,
            ty,
            unit,
            source,
        }
    };
    Some(Fact { id, kind, doc })
}

/// The type of an input fact: its own for bools and numbers; for a symbol, the listed symbols
/// plus the value itself, so tests may override it with any of them.
fn input_type(value: &Value, declared: Option<Type>) -> Type {
    match (value, declared) {
        (Value::Bool(_), _) => Type::Bool,
        (Value::Number(_), _) => Type::Number,
        (Value::Symbol(s), Some(Type::Enum(mut symbols))) => {
            if !symbols.contains(s) {
                symbols.insert(0, s.clone());
            }
            Type::Enum(symbols)
        }
        (Value::Symbol(s), _) => Type::Enum(vec![s.clone()]),
    }
}

fn fact_type(r: &mut Reader<'_>, value: &Val<'_>, what: &str) -> Option<Type> {
    match value.get_ref() {
        DeValue::String(name) if name == "bool" => Some(Type::Bool),
        DeValue::String(name) if name == "number" => Some(Type::Number),
        DeValue::Array(items) => {
            let symbols = symbols(
                r,
                items.iter(),
                span_of(value),
                &format!("the type of {what}"),
            )?;
            Some(Type::Enum(symbols.into_iter().map(|s| s.name).collect()))
        }
        _ => {
            r.invalid_value(
                (span_of(value), "not a type"),
                format!("the type of {what} must be `\"bool\"`, `\"number\"` or a list of symbols"),
                "write `type = \"bool\"`, `type = \"number\"` or `type = [\"engage\", \"walk_away\"]`".to_owned(),
            );
            None
        }
    }
}

/// A non-empty list of distinct symbol ids.
fn symbols<'a, 'i: 'a>(
    r: &mut Reader<'_>,
    items: impl Iterator<Item = &'a Val<'i>>,
    span: Span,
    what: &str,
) -> Option<Vec<Ident>> {
    // Before the duplicate check, which compares each id with those before it: a hostile list
    // of a million ids would otherwise take hours to reject.
    let items: Vec<&Val<'i>> = items.collect();
    if items.len() > r.limits.max_options {
        r.report(
            Diagnostic::new(
                Code::LimitExceeded,
                format!(
                    "{what} has {} options, more than the limit of {}",
                    items.len(),
                    r.limits.max_options
                ),
            )
            .primary(span, "")
            .help("group options, or raise the limit with `--max-options`"),
        );
        return None;
    }
    let mut out: Vec<Ident> = Vec::new();
    for item in items {
        let Some(text) = r.string(item, what) else {
            continue;
        };
        let ident = r.id_text(&text, span_of(item), "symbol");
        if let Some(first) = out.iter().find(|o| o.name == ident.name) {
            let first_span = first.span;
            r.report(
                Diagnostic::new(
                    Code::DuplicateId,
                    format!("`{}` is listed twice in {what}", ident.name),
                )
                .primary(ident.span, "listed again here")
                .secondary(first_span, "first listed here")
                .help("remove one of them"),
            );
            continue;
        }
        out.push(ident);
    }
    if out.is_empty() {
        r.invalid_value(
            (span, "an empty list"),
            format!("{what} cannot be an empty list"),
            "list at least one symbol, such as `[\"accept\", \"refuse\"]`".to_owned(),
        );
        return None;
    }
    Some(out)
}

fn decision(r: &mut Reader<'_>, id: Ident, value: &Val<'_>) -> Option<Decision> {
    let what = format!("decision `{}`", id.name);
    let table = r.table(value, &what, "a table with `actor` and `options`")?;
    let span = id.span;
    let (mut actor, mut ask, mut doc, mut options, mut when, mut likelihood) =
        (None, None, None, None, None, None);
    let mut likelihood_if = Vec::new();
    let mut estimates = Vec::new();
    let mut options_value = None;
    for (key, value) in entries(table) {
        match key.get_ref().as_ref() {
            "actor" => {
                actor = r
                    .string(value, "`actor`")
                    .map(|name| r.id_text(&name, span_of(value), "actor"))
            }
            "ask" => ask = r.string(value, "`ask`"),
            "doc" => doc = r.string(value, "`doc`"),
            "options" => {
                options_value = Some(value);
                if let DeValue::String(text) = value.get_ref() {
                    let items: Vec<String> = text
                        .split(|c: char| c == ',' || c.is_whitespace())
                        .filter(|i| !i.is_empty())
                        .take(8)
                        .map(|i| format!("\"{}\"", super::reader::escape_for_message(i)))
                        .collect();
                    let example = format!("a list, such as `[{}]`", items.join(", "));
                    r.wrong_type(value, &format!("the options of {what}"), "a list", &example);
                    continue;
                }
                if let Some(items) = r.array(
                    value,
                    &format!("the options of {what}"),
                    "[\"accept\", \"refuse\"]",
                ) {
                    options = symbols(
                        r,
                        items.iter(),
                        span_of(value),
                        &format!("the options of {what}"),
                    );
                }
            }
            "when" => when = r.condition(value, &format!("the guard of {what}")),
            "likelihood" => (likelihood, estimates) = decision_likelihood(r, value, &what),
            "likelihood_if" => {
                let Some(items) = r.array(
                    value,
                    "`likelihood_if`",
                    "[[decisions.ID.likelihood_if]] tables",
                ) else {
                    continue;
                };
                for item in items.iter() {
                    if let Some(c) = conditional(r, item, &what) {
                        likelihood_if.push(c);
                    }
                }
            }
            _ => r.unknown_key(key, DECISION, &what),
        }
    }
    let Some(actor) = actor else {
        r.missing_key(
            Some((table, DECISION)),
            span,
            "actor",
            &what,
            "add `actor = \"…\"` with an actor id from `[actors]`, or `actor = \"nature\"` for a chance event"
                .to_owned(),
        );
        return None;
    };
    let Some(options) = options else {
        if options_value.is_none() {
            r.missing_key(
                Some((table, DECISION)),
                span,
                "options",
                &what,
                "add `options = [\"…\", \"…\"]` listing what can be chosen".to_owned(),
            );
        }
        return None;
    };
    if !estimates.is_empty() {
        // `likelihood.by` holds the analysts: an option `by` could not be given a likelihood in
        // the plain table beside them, and would read as an analyst table everywhere else.
        if let Some(by) = options.iter().find(|o| o.name == "by") {
            r.report(
                Diagnostic::new(
                    Code::InvalidId,
                    format!("`by` cannot be an option of {what}, which has analysts"),
                )
                .primary(by.span, "a reserved option name here")
                .secondary(
                    estimates[0].analyst.span,
                    "analysts' estimates are under `likelihood.by`",
                )
                .help("rename the option, such as `by_others`"),
            );
        }
        // A plain table beside the analysts' is one more estimate in the pool.
        if let Some(own) = likelihood.take().filter(|t| !t.entries.is_empty()) {
            estimates.insert(
                0,
                Estimate {
                    analyst: Ident {
                        name: UNATTRIBUTED.to_owned(),
                        span: own.span,
                    },
                    table: own,
                    as_of: None,
                    source: None,
                },
            );
        }
        let span = estimates.first().map_or(span, |e| e.table.span);
        likelihood = Some(linear_pool(&estimates, &options, span));
    }
    Some(Decision {
        id,
        actor,
        ask,
        doc,
        options,
        when,
        likelihood,
        likelihood_if,
        span,
        estimates,
    })
}

/// A decision's `likelihood`: the plain table, and the analysts' estimates under `by`.
fn decision_likelihood(
    r: &mut Reader<'_>,
    value: &Val<'_>,
    what: &str,
) -> (Option<LikelihoodTable>, Vec<Estimate>) {
    let Some(table) = r.table(
        value,
        &format!("the likelihood of {what}"),
        "{ accept = \"likely\", refuse = \"unlikely\" }",
    ) else {
        return (None, Vec::new());
    };
    let mut entries_out = Vec::new();
    let mut estimates = Vec::new();
    for (key, value) in entries(table) {
        if key.get_ref().as_ref() == "by" {
            let Some(by) = r.table(
                value,
                "`by`",
                "a table of analysts: `by.kofman = { accept = 0.2, refuse = 0.5, stall = 0.3 }`",
            ) else {
                continue;
            };
            for (key, value) in entries(by) {
                let analyst = r.id(key, "analyst");
                if let Some(e) = estimate(r, analyst, value, what) {
                    estimates.push(e);
                }
            }
            continue;
        }
        let option = r.id(key, "option");
        if let Some(l) = r.likelihood(value, &format!("the likelihood of `{}`", option.name)) {
            entries_out.push((option, l));
        }
    }
    let own = LikelihoodTable {
        entries: entries_out,
        span: span_of(value),
    };
    (Some(own), estimates)
}

/// One analyst's estimate under `likelihood.by`.
fn estimate(r: &mut Reader<'_>, analyst: Ident, value: &Val<'_>, what: &str) -> Option<Estimate> {
    let table = r.table(
        value,
        &format!("the estimate of `{}` for {what}", analyst.name),
        "{ accept = 0.2, refuse = 0.5, stall = 0.3, as_of = 2025-04-18, source = \"…\" }",
    )?;
    let mut estimate = Estimate {
        analyst,
        table: LikelihoodTable {
            entries: Vec::new(),
            span: span_of(value),
        },
        as_of: None,
        source: None,
    };
    for (key, value) in entries(table) {
        match key.get_ref().as_ref() {
            "as_of" => {
                estimate.as_of = date(r, value, "`as_of`").map(|d| Spanned::new(d, span_of(value)));
            }
            "source" => estimate.source = r.string(value, "`source`"),
            _ => {
                let option = r.id(key, "option");
                if let Some(l) =
                    r.likelihood(value, &format!("the likelihood of `{}`", option.name))
                {
                    estimate.table.entries.push((option, l));
                }
            }
        }
    }
    Some(estimate)
}

/// A TOML date (`2025-04-18`, no quotes), as written.
fn date(r: &mut Reader<'_>, value: &Val<'_>, what: &str) -> Option<String> {
    match value.get_ref() {
        DeValue::Datetime(date) if date.date.is_some() && date.time.is_none() => {
            Some(date.to_string())
        }
        // A date-time is a date with more: say which date to write instead.
        DeValue::Datetime(datetime) if datetime.date.is_some() => {
            let day = datetime.date.map(|d| d.to_string()).unwrap_or_default();
            r.report(
                Diagnostic::new(
                    Code::WrongType,
                    format!("{what} must be a date, not a date with a time of day"),
                )
                .primary(span_of(value), "a date-time")
                .help(format!("write the date alone: `{day}`")),
            );
            None
        }
        _ => {
            r.wrong_type(
                value,
                what,
                "a date",
                "a TOML date such as `2025-04-18` (no quotes)",
            );
            None
        }
    }
}

/// A whole number of days, at least 0.
fn days(r: &mut Reader<'_>, value: &Val<'_>, what: &str) -> Option<Spanned<i64>> {
    let n = r.integer(value, what)?;
    if n < 0 {
        r.invalid_value(
            (span_of(value), "a negative number of days"),
            format!("{what} cannot be negative"),
            "give the age in days, such as `max_estimate_age_days = 90`".to_owned(),
        );
        return None;
    }
    Some(Spanned::new(n, span_of(value)))
}

fn likelihood_table(r: &mut Reader<'_>, value: &Val<'_>, what: &str) -> Option<LikelihoodTable> {
    let table = r.table(
        value,
        &format!("the likelihood of {what}"),
        "{ accept = \"likely\", refuse = \"unlikely\" }",
    )?;
    let mut entries_out = Vec::new();
    for (key, value) in entries(table) {
        let option = r.id(key, "option");
        if let Some(l) = r.likelihood(value, &format!("the likelihood of `{}`", option.name)) {
            entries_out.push((option, l));
        }
    }
    Some(LikelihoodTable {
        entries: entries_out,
        span: span_of(value),
    })
}

fn conditional(r: &mut Reader<'_>, item: &Val<'_>, what: &str) -> Option<ConditionalLikelihood> {
    let table = r.table(
        item,
        &format!("a `likelihood_if` of {what}"),
        "a table with `when` and a likelihood per option",
    )?;
    let mut when = None;
    let mut saw_when = false;
    let mut entries_out = Vec::new();
    for (key, value) in entries(table) {
        if key.get_ref().as_ref() == "when" {
            saw_when = true;
            when = r.condition(value, "the condition of a `likelihood_if`");
        } else {
            let option = r.id(key, "option");
            if let Some(l) = r.likelihood(value, &format!("the likelihood of `{}`", option.name)) {
                entries_out.push((option, l));
            }
        }
    }
    if !saw_when {
        r.missing_key(
            Some((table, &["when"])),
            span_of(item),
            "when",
            &format!("a `likelihood_if` of {what}"),
            "add `when = \"…\"` with the condition under which these likelihoods apply; it may read only earlier decisions"
                .to_owned(),
        );
    }
    Some(ConditionalLikelihood {
        when: when?,
        table: LikelihoodTable {
            entries: entries_out,
            span: span_of(item),
        },
    })
}

fn rule(r: &mut Reader<'_>, id: Ident, value: &Val<'_>) -> Option<Rule> {
    let what = format!("rule `{}`", id.name);
    let table = r.table(value, &what, "a table with `when` and `then`")?;
    let (mut when, mut saw_when, mut because, mut source) = (None, false, None, None);
    let mut then = Vec::new();
    let mut add = Vec::new();
    let mut priority = Spanned::new(0, id.span);
    for (key, value) in entries(table) {
        match key.get_ref().as_ref() {
            "when" => {
                saw_when = true;
                when = r.condition(value, &format!("the condition of {what}"));
            }
            "then" => {
                let Some(t) = r.table(value, "`then`", "{ us_posture = \"walk_away\" }") else {
                    continue;
                };
                for (key, value) in entries(t) {
                    let fact = r.id(key, "fact");
                    if let Some(value) =
                        r.value(value, &format!("the value set for `{}`", fact.name))
                    {
                        then.push(Assignment { fact, value });
                    }
                }
            }
            "add" => {
                let Some(t) = r.table(value, "`add`", "{ pressure = 1 }") else {
                    continue;
                };
                for (key, value) in entries(t) {
                    let fact = r.id(key, "fact");
                    if let Some(amount) =
                        r.number(value, &format!("the amount added to `{}`", fact.name))
                    {
                        add.push(Contribution {
                            fact,
                            amount: Spanned::new(amount, span_of(value)),
                        });
                    }
                }
            }
            "because" => because = r.string(value, "`because`"),
            "source" => source = r.string(value, "`source`"),
            "priority" => {
                if let Some(p) = r.integer(value, "`priority`") {
                    priority = Spanned::new(p, span_of(value));
                }
            }
            _ => r.unknown_key(key, RULE, &what),
        }
    }
    if !saw_when {
        r.missing_key(
            Some((table, RULE)),
            id.span,
            "when",
            &what,
            "add `when = \"…\"` with the condition under which the rule fires, or `when = \"true\"` for a rule that always does"
                .to_owned(),
        );
    }
    if saw_when
        && then.is_empty()
        && add.is_empty()
        && table.get("then").is_none()
        && table.get("add").is_none()
        && !super::reader::is_misspelt(table, "add", RULE)
    {
        r.missing_key(
            Some((table, RULE)),
            id.span,
            "then",
            &what,
            "add `then = { fact = value }` to set derived facts, or `add = { fact = number }` to add to number facts"
                .to_owned(),
        );
    }
    Some(Rule {
        id,
        when: when?,
        then,
        add,
        because,
        source,
        priority,
    })
}

fn outcome(r: &mut Reader<'_>, id: Ident, value: &Val<'_>) -> Option<Outcome> {
    let what = format!("outcome `{}`", id.name);
    let table = r.table(value, &what, "a table with `title`, `when` and `payoff`")?;
    let (mut title, mut when, mut doc) = (None, None, None);
    let mut payoff = Vec::new();
    let mut when_failed = false;
    for (key, value) in entries(table) {
        match key.get_ref().as_ref() {
            "title" => title = r.string(value, "`title`"),
            "when" => {
                when = r.condition(value, &format!("the condition of {what}"));
                when_failed = when.is_none();
            }
            "doc" => doc = r.string(value, "`doc`"),
            "payoff" => {
                let Some(t) = r.table(value, "`payoff`", "{ us = 2, russia = -1 }") else {
                    continue;
                };
                for (key, value) in entries(t) {
                    let actor = r.id(key, "actor");
                    if let Some(p) = r.number(value, &format!("the payoff of `{}`", actor.name)) {
                        payoff.push((actor, Spanned::new(p, span_of(value))));
                    }
                }
            }
            _ => r.unknown_key(key, OUTCOME, &what),
        }
    }
    if when_failed {
        // A broken condition must not turn the outcome into a silent fallback.
        return None;
    }
    let title = title.unwrap_or_else(|| id.name.replace('_', " "));
    Some(Outcome {
        id,
        title,
        when,
        payoff,
        doc,
    })
}

fn test(r: &mut Reader<'_>, id: Ident, value: &Val<'_>) -> Option<Test> {
    let what = format!("test `{}`", id.name);
    let table = r.table(value, &what, "a table with `given` and `expect`")?;
    let span = id.span;
    let mut test = Test {
        id,
        given: Vec::new(),
        expect: Vec::new(),
        expect_probability: Vec::new(),
        doc: None,
        span,
        variant: None,
    };
    for (key, value) in entries(table) {
        match key.get_ref().as_ref() {
            "given" => test.given = name_values(r, value, "`given`"),
            "expect" => test.expect = name_values(r, value, "`expect`"),
            "expect_probability" => {
                let Some(t) = r.table(
                    value,
                    "`expect_probability`",
                    "{ us_walks_away = [0.2, 0.3] }",
                ) else {
                    continue;
                };
                for (key, value) in entries(t) {
                    let outcome = r.id(key, "outcome");
                    if let Some(l) = r.likelihood(
                        value,
                        &format!("the expected probability of `{}`", outcome.name),
                    ) {
                        test.expect_probability
                            .push((outcome, Spanned::new((l.lo, l.hi), l.span)));
                    }
                }
            }
            "doc" => test.doc = r.string(value, "`doc`"),
            "variant" => {
                test.variant = r
                    .string(value, "`variant`")
                    .map(|name| r.id_text(&name, span_of(value), "variant"));
            }
            _ => r.unknown_key(key, TEST, &what),
        }
    }
    let misspelt = ["expect", "expect_probability"]
        .iter()
        .any(|key| super::reader::is_misspelt(table, key, TEST));
    if test.expect.is_empty() && test.expect_probability.is_empty() && !misspelt {
        r.report(
            Diagnostic::new(Code::MissingKey, format!("{what} expects nothing"))
                .primary(span, "a test without expectations checks nothing")
                .help("add `expect = { outcome = \"…\" }` or `expect_probability = { … = [low, high] }`"),
        );
    }
    Some(test)
}

fn name_values(r: &mut Reader<'_>, value: &Val<'_>, what: &str) -> Vec<(Ident, Spanned<Value>)> {
    let Some(table) = r.table(value, what, "{ russia_answer = \"refuse\" }") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in entries(table) {
        let name = r.id(key, "name");
        if let Some(v) = r.value(value, &format!("the value of `{}` in {what}", name.name)) {
            out.push((name, v));
        }
    }
    out
}

fn variant(r: &mut Reader<'_>, id: Ident, value: &Val<'_>) -> Option<Variant> {
    let what = format!("variant `{}`", id.name);
    let table = r.table(
        value,
        &what,
        "a table with `title` and `facts`, `likelihood` or `payoff`",
    )?;
    let span = id.span;
    let mut variant = Variant {
        id,
        title: None,
        doc: None,
        source: None,
        facts: Vec::new(),
        likelihood: Vec::new(),
        payoff: Vec::new(),
        span,
    };
    for (key, value) in entries(table) {
        match key.get_ref().as_ref() {
            "title" => variant.title = r.string(value, "`title`"),
            "doc" => variant.doc = r.string(value, "`doc`"),
            "source" => variant.source = r.string(value, "`source`"),
            "facts" => variant.facts = name_values(r, value, "`facts`"),
            "likelihood" => {
                let Some(t) = r.table(
                    value,
                    "`likelihood`",
                    "{ russia_answer = { accept = 0.4, refuse = 0.3, stall = 0.3 } }",
                ) else {
                    continue;
                };
                for (key, value) in entries(t) {
                    let decision = r.id(key, "decision");
                    let about = format!("`{}` in {what}", decision.name);
                    if let Some(table) = likelihood_table(r, value, &about) {
                        variant.likelihood.push((decision, table));
                    }
                }
            }
            "payoff" => {
                let Some(t) = r.table(value, "`payoff`", "{ frozen_conflict = { us = 3 } }") else {
                    continue;
                };
                for (key, value) in entries(t) {
                    let outcome = r.id(key, "outcome");
                    let Some(p) = r.table(
                        value,
                        &format!("the payoffs of `{}`", outcome.name),
                        "{ us = 2, russia = -1 }",
                    ) else {
                        continue;
                    };
                    let mut payoffs = Vec::new();
                    for (key, value) in entries(p) {
                        let actor = r.id(key, "actor");
                        if let Some(n) = r.number(value, &format!("the payoff of `{}`", actor.name))
                        {
                            payoffs.push((actor, Spanned::new(n, span_of(value))));
                        }
                    }
                    variant.payoff.push((outcome, payoffs));
                }
            }
            _ => r.unknown_key(key, VARIANT, &what),
        }
    }
    let misspelt = ["facts", "likelihood", "payoff"]
        .iter()
        .any(|key| super::reader::is_misspelt(table, key, VARIANT));
    if variant.facts.is_empty()
        && variant.likelihood.is_empty()
        && variant.payoff.is_empty()
        && !misspelt
    {
        r.report(
            Diagnostic::new(Code::MissingKey, format!("{what} changes nothing"))
                .primary(span, "a variant without overrides is the base scenario")
                .help("add `facts = { … }`, `likelihood.DECISION = { … }` or `payoff.OUTCOME = { … }`"),
        );
    }
    Some(variant)
}

fn signpost(r: &mut Reader<'_>, id: Ident, value: &Val<'_>) -> Option<Signpost> {
    let what = format!("signpost `{}`", id.name);
    let table = r.table(
        value,
        &what,
        "a table with `title` and either `decision` and `ratio`, or `when`",
    )?;
    let span = id.span;
    let (mut title, mut doc, mut source) = (None, None, None);
    let (mut decision, mut ratios, mut when) = (None, None, None);
    let mut failed = false;
    for (key, value) in entries(table) {
        match key.get_ref().as_ref() {
            "title" => title = r.string(value, "`title`"),
            "doc" => doc = r.string(value, "`doc`"),
            "source" => source = r.string(value, "`source`"),
            "decision" => {
                decision = r
                    .string(value, "`decision`")
                    .map(|name| r.id_text(&name, span_of(value), "decision"));
                failed |= decision.is_none();
            }
            "ratio" => {
                let Some(t) = r.table(value, "`ratio`", "{ stall = 2, refuse = 0.5 }") else {
                    failed = true;
                    continue;
                };
                let mut list = Vec::new();
                for (key, value) in entries(t) {
                    let option = r.id(key, "option");
                    let Some(n) =
                        r.number(value, &format!("the likelihood ratio of `{}`", option.name))
                    else {
                        failed = true;
                        continue;
                    };
                    if n <= 0.0 {
                        r.invalid_value(
                            (span_of(value), "not a positive number"),
                            format!(
                                "the likelihood ratio of `{}` must be positive",
                                option.name
                            ),
                            "a ratio says how much more (above 1) or less (below 1) often the signpost is seen when this option is taken; to rule the option out, use `when` instead".to_owned(),
                        );
                        failed = true;
                        continue;
                    }
                    list.push((option, Spanned::new(n, span_of(value))));
                }
                ratios = Some((list, span_of(value)));
            }
            "when" => {
                when = r.condition(value, &format!("the condition of {what}"));
                failed |= when.is_none();
            }
            _ => r.unknown_key(key, SIGNPOST, &what),
        }
    }
    let evidence = match (decision, ratios, when) {
        (Some(decision), Some((ratios, _)), None) => Some(Evidence::Ratio { decision, ratios }),
        (None, None, Some(when)) => Some(Evidence::When(when)),
        (_, Some((_, ratio_span)), Some(_)) => {
            r.invalid_value(
                (ratio_span, "a ratio beside `when`"),
                format!("{what} has both `ratio` and `when`"),
                "a signpost is either a likelihood ratio for one decision or a condition; split it into two signposts".to_owned(),
            );
            None
        }
        (Some(decision), None, _) if !failed => {
            r.missing_key(
                Some((table, SIGNPOST)),
                decision.span,
                "ratio",
                &what,
                format!(
                    "add `ratio = {{ … }}` with a likelihood ratio for options of `{}`",
                    decision.name
                ),
            );
            None
        }
        (None, Some((_, ratio_span)), None) => {
            r.missing_key(
                Some((table, SIGNPOST)),
                ratio_span,
                "decision",
                &what,
                "add `decision = \"…\"` naming the decision whose options the ratios are for"
                    .to_owned(),
            );
            None
        }
        (None, None, None) if !failed => {
            r.missing_key(
                Some((table, SIGNPOST)),
                span,
                "when",
                &what,
                "add `when = \"…\"`, a condition seeing the signpost makes true, or `decision` and `ratio = { option = number }`".to_owned(),
            );
            None
        }
        _ => None,
    };
    Some(Signpost {
        id,
        title,
        doc,
        source,
        evidence,
        span,
    })
}

/// `[resolution]`: what happened and when. An `outcome` needs a `date`, since forecasts are
/// scored only up to it; names are resolved by the checker.
fn resolution(r: &mut Reader<'_>, table: &DeTable<'_>, span: Span) -> Resolution {
    let mut out = Resolution {
        outcome: None,
        date: None,
        source: None,
        variant: None,
        observed: Vec::new(),
        doc: None,
        span,
    };
    for (key, value) in entries(table) {
        match key.get_ref().as_ref() {
            "outcome" => {
                out.outcome = r
                    .string(value, "the outcome of `[resolution]`")
                    .map(|name| r.id_text(&name, span_of(value), "outcome"));
            }
            "date" => {
                out.date = date(r, value, "the date of `[resolution]`")
                    .map(|d| Spanned::new(d, span_of(value)));
            }
            "source" => out.source = r.string(value, "`source`"),
            "doc" => out.doc = r.string(value, "`doc`"),
            "variant" => {
                out.variant = r
                    .string(value, "the variant of `[resolution]`")
                    .map(|name| r.id_text(&name, span_of(value), "variant"));
            }
            "observed" => {
                let Some(seen) = r.table(
                    value,
                    "`observed`",
                    "{ energy_pause = 2025-05-02 }, each signpost with the date it was seen",
                ) else {
                    continue;
                };
                for (key, value) in entries(seen) {
                    let id = r.id(key, "signpost");
                    let what = format!("the date `{}` was seen", id.name);
                    if let Some(d) = date(r, value, &what) {
                        out.observed.push((id, Spanned::new(d, span_of(value))));
                    }
                }
            }
            _ => r.unknown_key(key, RESOLUTION, "`[resolution]`"),
        }
    }
    if let Some(outcome) = &out.outcome
        && out.date.is_none()
    {
        let at = outcome.span;
        r.missing_key(
            Some((table, RESOLUTION)),
            at,
            "date",
            "`[resolution]`",
            "add `date = 2025-06-01`, the day the outcome happened: forecasts are scored only up to it".to_owned(),
        );
    }
    out
}

/// `[lints]`: the level this file gives each lint it names. A name that is not a lint is an
/// error, like any unknown key, so a misspelt `dead_rul = "allow"` never silently does nothing.
fn lints(r: &mut Reader<'_>, value: &Val<'_>) -> Vec<LintSetting> {
    let mut out = Vec::new();
    let Some(table) = r.table(
        value,
        "`[lints]`",
        "a table such as `dead_rule = \"allow\"`",
    ) else {
        return out;
    };
    let lint_names: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| c.is_lint())
        .map(|c| c.name())
        .collect();
    for (key, value) in entries(table) {
        let text: &str = key.get_ref();
        let span = span_of(key);
        let shown = super::reader::escape_for_message(text);
        let code = match Code::parse(text) {
            Some(code) if code.is_lint() && code.name() == text => code,
            Some(code) if code.is_lint() => {
                r.unknown_key_with_help(
                    key,
                    "`[lints]`",
                    format!("`[lints]` takes lint names: write `{}`", code.name()),
                );
                continue;
            }
            Some(code) => {
                r.report(
                    Diagnostic::new(Code::UnknownKey, format!("`{shown}` is not a lint"))
                        .primary(span, format!("`{}` is an error", code.as_str()))
                        .help("errors make a scenario meaningless and cannot be silenced; fix the error instead"),
                );
                continue;
            }
            None => {
                let help = crate::diagnostic::did_you_mean(text, lint_names.iter().copied())
                    .unwrap_or_else(|| {
                        "the lints are listed in docs/diagnostics.md and by `casus check --explain CODE`".to_owned()
                    });
                r.report(
                    Diagnostic::new(Code::UnknownKey, format!("unknown lint `{shown}`"))
                        .primary(span, "not a lint")
                        .help(help),
                );
                continue;
            }
        };
        let Some(word) = r.string(value, &format!("the level of `{text}`")) else {
            continue;
        };
        let Some(level) = Level::parse(&word) else {
            let words: Vec<&str> = Level::ALL.iter().map(|l| l.as_str()).collect();
            let help = match word.trim().to_lowercase().as_str() {
                "error" | "forbid" => Some("write `\"deny\"` to make it an error".to_owned()),
                "off" | "ignore" | "none" | "silence" => {
                    Some("write `\"allow\"` to silence it".to_owned())
                }
                other => crate::diagnostic::did_you_mean(other, words.iter().copied()),
            }
            .unwrap_or_else(|| format!("a level is {}", super::reader::backticked(&words)));
            r.invalid_value(
                (span_of(value), "not a level"),
                format!(
                    "`{}` is not a lint level",
                    super::reader::escape_for_message(&word)
                ),
                help,
            );
            continue;
        };
        out.push(LintSetting {
            name: Ident {
                name: text.to_owned(),
                span,
            },
            code,
            level: Spanned::new(level, span_of(value)),
        });
    }
    out
}
