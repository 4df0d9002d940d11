//! Reading TOML values into model values, reporting every mismatch.

use std::borrow::Cow;

use toml::Spanned as TomlSpanned;
use toml::de::{DeArray, DeTable, DeValue};

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::expr::{BinaryOp, Expr, ExprKind, parse_expr};
use crate::likelihood::{Form, Likelihood, lookup_word, parse_percent};
use crate::limits::Limits;
use crate::model::{Ident, Value};
use crate::span::{Span, Spanned};
use crate::toml_str::StrMap;

/// A TOML key with its span.
pub(super) type Key<'i> = TomlSpanned<Cow<'i, str>>;
/// A TOML value with its span.
pub(super) type Val<'i> = TomlSpanned<DeValue<'i>>;

pub(super) fn span_of<T>(spanned: &TomlSpanned<T>) -> Span {
    Span::from(spanned.span())
}

/// The entries of a table in file order.
///
/// `DeTable` iterates in key order; analysts expect file order, and decisions depend on it.
pub(super) fn entries<'a, 'i>(table: &'a DeTable<'i>) -> Vec<(&'a Key<'i>, &'a Val<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

pub(super) fn file_too_large(size: usize, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Code::LimitExceeded,
        format!("the file is {size} bytes, more than the limit of {limit} bytes"),
    )
    .help("split the scenario into smaller files, or raise the limit with `--max-file-size`")
}

pub(super) fn toml_error(text: &str, error: &toml::de::Error) -> Diagnostic {
    // toml's messages are multi-line and repeat the source; the first line is the plain words.
    let message = error
        .message()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .trim();
    let message = message.trim_end_matches('.').to_owned();
    let mut diagnostic = Diagnostic::new(Code::TomlSyntax, lowercase_first(&message));
    if let Some(range) = error.span() {
        let span = Span::from(range).clamp_to(text);
        diagnostic = diagnostic.primary(span, "");
    }
    diagnostic.help(
        "see the TOML syntax at https://toml.io; strings need quotes and tables need `[` and `]`",
    )
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How TOML names a value's type, in the words an analyst would use.
pub(super) fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) | DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true or false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// Reads values and collects diagnostics.
pub(super) struct Reader<'s> {
    pub(super) text: &'s str,
    pub(super) limits: Limits,
    diagnostics: Vec<Diagnostic>,
}

impl<'s> Reader<'s> {
    pub(super) fn new(text: &'s str, limits: Limits) -> Self {
        Self {
            text,
            limits,
            diagnostics: Vec::new(),
        }
    }

    pub(super) fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    pub(super) fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub(super) fn unknown_key(&mut self, key: &Key<'_>, allowed: &[&str], within: &str) {
        let name = key.get_ref().as_ref();
        let help = did_you_mean(name, allowed.iter().copied())
            .unwrap_or_else(|| format!("{within} takes {}", backticked(allowed)));
        self.report(
            Diagnostic::new(
                Code::UnknownKey,
                format!("unknown key `{name}` in {within}"),
            )
            .primary(span_of(key), "not a key of format v1")
            .help(help),
        );
    }

    pub(super) fn missing_key(&mut self, span: Span, key: &str, within: &str, example: &str) {
        self.report(
            Diagnostic::new(Code::MissingKey, format!("{within} has no `{key}`"))
                .primary(span, format!("`{key}` is required here"))
                .help(format!("add `{key} = {example}`")),
        );
    }

    pub(super) fn wrong_type(
        &mut self,
        value: &Val<'_>,
        what: &str,
        expected: &str,
        example: &str,
    ) {
        let found = type_name(value.get_ref());
        self.report(
            Diagnostic::new(
                Code::WrongType,
                format!("{what} must be {expected}, not {found}"),
            )
            .primary(span_of(value), format!("expected {expected}"))
            .help(format!("write it as {example}")),
        );
    }

    pub(super) fn invalid_value(&mut self, span: Span, message: String, help: String) {
        self.report(
            Diagnostic::new(Code::InvalidValue, message)
                .primary(span, "")
                .help(help),
        );
    }

    /// An id from a TOML key, checked against `[a-z][a-z0-9_]*`.
    pub(super) fn id(&mut self, key: &Key<'_>, what: &str) -> Ident {
        self.id_text(key.get_ref(), span_of(key), what)
    }

    pub(super) fn id_text(&mut self, name: &str, span: Span, what: &str) -> Ident {
        if !is_valid_id(name) {
            let suggestion = suggest_id(name);
            let help = if suggestion.is_empty() {
                "ids start with a lowercase letter, then lowercase letters, digits and `_`"
                    .to_owned()
            } else {
                format!(
                    "ids are lowercase letters, digits and `_`, starting with a letter: write `{suggestion}`"
                )
            };
            self.report(
                Diagnostic::new(
                    Code::InvalidId,
                    format!("`{}` is not a valid {what} id", escape_for_message(name)),
                )
                .primary(span, "not of the form `[a-z][a-z0-9_]*`")
                .help(help),
            );
        }
        Ident {
            name: name.to_owned(),
            span,
        }
    }

    pub(super) fn table<'a, 'i>(
        &mut self,
        value: &'a Val<'i>,
        what: &str,
        example: &str,
    ) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            _ => {
                self.wrong_type(value, what, "a table", example);
                None
            }
        }
    }

    pub(super) fn array<'a, 'i>(
        &mut self,
        value: &'a Val<'i>,
        what: &str,
        example: &str,
    ) -> Option<&'a DeArray<'i>> {
        match value.get_ref() {
            DeValue::Array(array) => Some(array),
            _ => {
                self.wrong_type(value, what, "a list", example);
                None
            }
        }
    }

    pub(super) fn string(&mut self, value: &Val<'_>, what: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(value, what, "a string", "\"…\" in double quotes");
                None
            }
        }
    }

    pub(super) fn strings(&mut self, value: &Val<'_>, what: &str) -> Vec<String> {
        let Some(array) = self.array(value, what, "[\"…\", \"…\"]") else {
            return Vec::new();
        };
        array
            .iter()
            .filter_map(|item| self.string(item, what))
            .collect()
    }

    pub(super) fn number(&mut self, value: &Val<'_>, what: &str) -> Option<f64> {
        match number_of(value.get_ref()) {
            Some(Ok(n)) => Some(n),
            Some(Err(())) => {
                self.invalid_value(
                    span_of(value),
                    format!("{what} must be a finite number"),
                    "write an ordinary number such as `2` or `-1.5`".to_owned(),
                );
                None
            }
            None => {
                self.wrong_type(value, what, "a number", "a number such as `2` or `-1.5`");
                None
            }
        }
    }

    pub(super) fn integer(&mut self, value: &Val<'_>, what: &str) -> Option<i64> {
        match value.get_ref() {
            DeValue::Integer(i) => {
                match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
                    Ok(n) => Some(n),
                    Err(_) => {
                        self.invalid_value(
                            span_of(value),
                            format!("{what} is too large"),
                            "use a number between -1000 and 1000".to_owned(),
                        );
                        None
                    }
                }
            }
            _ => {
                self.wrong_type(value, what, "a whole number", "a whole number such as `1`");
                None
            }
        }
    }

    /// A literal value: bool, finite number or symbol.
    pub(super) fn value(&mut self, value: &Val<'_>, what: &str) -> Option<Spanned<Value>> {
        let span = span_of(value);
        let v = match value.get_ref() {
            DeValue::Boolean(b) => Value::Bool(*b),
            DeValue::String(s) => Value::Symbol(s.to_string()),
            DeValue::Integer(_) | DeValue::Float(_) => Value::Number(self.number(value, what)?),
            _ => {
                self.wrong_type(
                    value,
                    what,
                    "true, false, a number or a symbol",
                    "`true`, `20` or `\"walk_away\"`",
                );
                return None;
            }
        };
        Some(Spanned::new(v, span))
    }

    /// A condition: an expression string, or a table of equalities joined by `and`.
    pub(super) fn condition(&mut self, value: &Val<'_>, what: &str) -> Option<Expr> {
        match value.get_ref() {
            DeValue::String(text) => {
                let map = StrMap::new(self.text, span_of(value), text);
                match parse_expr(text, &map, self.limits.expr) {
                    Ok(expr) => Some(expr),
                    Err(diagnostic) => {
                        self.report(diagnostic);
                        None
                    }
                }
            }
            DeValue::Table(table) => self.equalities(table, span_of(value), what),
            _ => {
                self.wrong_type(
                    value,
                    what,
                    "an expression or a table of equalities",
                    "\"russia_answer == 'refuse'\" or { russia_answer = \"refuse\" }",
                );
                None
            }
        }
    }

    /// `{ a = "x", b = true }` becomes `a == 'x' and b == true`, with the spans of the keys and
    /// values, so the checker reports against what the analyst wrote.
    fn equalities(&mut self, table: &DeTable<'_>, span: Span, what: &str) -> Option<Expr> {
        let mut conjunction: Option<Expr> = None;
        for (key, value) in entries(table) {
            let name = Expr {
                kind: ExprKind::Name(key.get_ref().to_string()),
                span: span_of(key),
            };
            let literal = self.value(value, what)?;
            let literal = Expr {
                kind: match literal.value {
                    Value::Bool(b) => ExprKind::Bool(b),
                    Value::Number(n) => ExprKind::Number(n),
                    Value::Symbol(s) => ExprKind::Symbol(s),
                },
                span: literal.span,
            };
            let eq_span = name.span.cover(literal.span);
            let eq = Expr {
                kind: ExprKind::Binary(BinaryOp::Eq, Box::new(name), Box::new(literal)),
                span: eq_span,
            };
            conjunction = Some(match conjunction {
                None => eq,
                Some(lhs) => {
                    let span = lhs.span.cover(eq.span);
                    Expr {
                        kind: ExprKind::Binary(BinaryOp::And, Box::new(lhs), Box::new(eq)),
                        span,
                    }
                }
            });
        }
        if conjunction.is_none() {
            self.invalid_value(
                span,
                format!("{what} is an empty table"),
                "give at least one `name = value`, or write `\"true\"` for a condition that always holds".to_owned(),
            );
        }
        conjunction
    }

    /// A likelihood in any of its forms.
    pub(super) fn likelihood(&mut self, value: &Val<'_>, what: &str) -> Option<Likelihood> {
        let span = span_of(value);
        let bad = |reader: &mut Self, message: String| {
            reader.report(
                Diagnostic::new(Code::InvalidLikelihood, message)
                    .primary(span, "")
                    .help("write a number in [0, 1] such as `0.25`, a percentage such as `\"25%\"`, a range such as `[0.2, 0.4]`, or an ICD 203 word such as `\"likely\"`"),
            );
            None
        };
        match value.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) => match number_of(value.get_ref()) {
                Some(Ok(p)) if (0.0..=1.0).contains(&p) => {
                    Some(Likelihood::exact(p, Form::Number, span))
                }
                Some(Ok(p)) if p > 1.0 && p <= 100.0 => bad(
                    self,
                    format!(
                        "{what} `{}` is more than 1; percentages are written as strings such as `\"{}%\"`",
                        crate::model::format_number(p),
                        crate::model::format_number(p)
                    ),
                ),
                _ => bad(self, format!("{what} must lie between 0 and 1")),
            },
            DeValue::String(text) => {
                if let Some(p) = parse_percent(text) {
                    Some(Likelihood::exact(p, Form::Percent, span))
                } else if let Some(word) = lookup_word(text) {
                    Some(Likelihood::band(
                        word.lo,
                        word.hi,
                        Form::Word(word.word),
                        span,
                    ))
                } else {
                    let words = crate::likelihood::ICD_203.iter().map(|w| w.word);
                    let hint = did_you_mean(&text.to_lowercase(), words);
                    let message = format!("`{}` is not a likelihood", escape_for_message(text));
                    self.report(
                        Diagnostic::new(Code::InvalidLikelihood, message).primary(span, "not a number, percentage or ICD 203 word").help(
                            hint.unwrap_or_else(|| {
                                "use an ICD 203 word (almost no chance, very unlikely, unlikely, roughly even chance, likely, very likely, almost certain), a percentage such as `\"35%\"` or a number in [0, 1]".to_owned()
                            }),
                        ),
                    );
                    None
                }
            }
            DeValue::Array(items) => {
                let bounds: Vec<Option<f64>> = items
                    .iter()
                    .map(|item| match item.get_ref() {
                        DeValue::String(s) => parse_percent(s),
                        other => number_of(other)
                            .and_then(Result::ok)
                            .filter(|p| (0.0..=1.0).contains(p)),
                    })
                    .collect();
                match bounds.as_slice() {
                    [Some(lo), Some(hi)] if lo <= hi => {
                        Some(Likelihood::band(*lo, *hi, Form::Range, span))
                    }
                    [Some(_), Some(_)] => bad(
                        self,
                        format!("{what} range has its low end above its high end"),
                    ),
                    _ => bad(
                        self,
                        format!("{what} range must be two probabilities `[low, high]` in [0, 1]"),
                    ),
                }
            }
            _ => bad(
                self,
                format!(
                    "{what} must be a number, a percentage, a range or an ICD 203 word, not {}",
                    type_name(value.get_ref())
                ),
            ),
        }
    }
}

/// `Some(Ok(n))` for a finite TOML number, `Some(Err(()))` for inf/nan or an out-of-range
/// integer, `None` for anything that is not a number.
fn number_of(value: &DeValue<'_>) -> Option<Result<f64, ()>> {
    let parsed = match value {
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .map(|n| n as f64)
            .ok(),
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        _ => return None,
    };
    Some(parsed.filter(|n| n.is_finite()).ok_or(()))
}

/// Whether `name` is `[a-z][a-z0-9_]*`.
pub(super) fn is_valid_id(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The closest valid id: lowercased, separators as `_`, other characters dropped.
fn suggest_id(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if (c == '-' || c == ' ' || c == '_' || c == '.')
            && !out.is_empty()
            && !out.ends_with('_')
        {
            out.push('_');
        }
    }
    let trimmed = out
        .trim_matches('_')
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches('_');
    trimmed.to_owned()
}

/// User text in a message, shortened and with control characters made visible, so a hostile
/// key cannot flood or corrupt the terminal.
pub(crate) fn escape_for_message(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 60 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

pub(super) fn backticked(items: &[&str]) -> String {
    crate::model::list(&items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
}
