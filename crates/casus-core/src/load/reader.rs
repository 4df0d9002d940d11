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

/// How TOML names a value's type, in the words an analyst would use.
pub(super) fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) | DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true or false",
        DeValue::Datetime(d) if d.time.is_none() => "a date",
        DeValue::Datetime(d) if d.date.is_none() => "a time of day",
        DeValue::Datetime(_) => "a date with a time of day",
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
        let help = did_you_mean(key.get_ref(), allowed.iter().copied())
            .unwrap_or_else(|| format!("{within} takes {}", backticked(allowed)));
        self.unknown_key_with_help(key, within, help);
    }

    pub(super) fn unknown_key_with_help(&mut self, key: &Key<'_>, within: &str, help: String) {
        let name = escape_for_message(key.get_ref());
        self.report(
            Diagnostic::new(
                Code::UnknownKey,
                format!("unknown key `{name}` in {within}"),
            )
            .primary(span_of(key), "not a key of format v1")
            .help(help),
        );
    }

    /// Reports that `table` lacks `key`, unless the table has an unknown key that is probably
    /// `key` misspelt: that key's own error already says "did you mean", and a second error
    /// about the same typo would only echo it.
    pub(super) fn missing_key(
        &mut self,
        table: Option<(&DeTable<'_>, &[&str])>,
        span: Span,
        key: &str,
        within: &str,
        help: String,
    ) {
        if table.is_some_and(|(t, allowed)| is_misspelt(t, key, allowed)) {
            return;
        }
        self.report(
            Diagnostic::new(Code::MissingKey, format!("{within} has no `{key}`"))
                .primary(span, format!("`{key}` is required here"))
                .help(help),
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
        // Examples are code; keep them in backticks even where a caller wrote them bare.
        let example = if example.contains('`') {
            example.to_owned()
        } else {
            format!("`{example}`")
        };
        self.report(
            Diagnostic::new(
                Code::WrongType,
                format!("{what} must be {expected}, not {found}"),
            )
            .primary(span_of(value), format!("expected {expected}"))
            .help(format!("write it as {example}")),
        );
    }

    pub(super) fn invalid_value(
        &mut self,
        (span, label): (Span, &str),
        message: String,
        help: String,
    ) {
        self.report(
            Diagnostic::new(Code::InvalidValue, message)
                .primary(span, label)
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
                self.wrong_type(
                    value,
                    what,
                    "text",
                    "text in double quotes, such as `\"…\"`",
                );
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
            Some(Err(bad)) => {
                let shown = self.text.get(value.span()).unwrap_or("").to_owned();
                let help = match bad {
                    BadNumber::NotFinite => "write an ordinary number such as `2` or `-1.5`",
                    BadNumber::OutOfRange => OUT_OF_RANGE_HELP,
                };
                self.invalid_value(
                    (span_of(value), bad.label()),
                    bad.message(what, &shown),
                    help.to_owned(),
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
                            (span_of(value), "too large"),
                            format!("{what} is too large"),
                            "use a number between -1000 and 1000".to_owned(),
                        );
                        None
                    }
                }
            }
            DeValue::Float(f) => {
                self.report(
                    Diagnostic::new(
                        Code::WrongType,
                        format!("{what} must be a whole number, not `{}`", f.as_str()),
                    )
                    .primary(span_of(value), "expected a whole number")
                    .help("write a whole number such as `1`"),
                );
                None
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
            DeValue::String(text) if text.trim().is_empty() => {
                self.report(
                    Diagnostic::new(Code::ExpressionSyntax, format!("{what} is empty"))
                        .primary(span_of(value), "empty condition")
                        .help("write a condition such as `\"answer == 'refuse'\"`, or `\"true\"` for one that always holds"),
                );
                None
            }
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
                    "`\"russia_answer == 'refuse'\"` or `{ russia_answer = \"refuse\" }`",
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
                (span, "an empty table"),
                format!("{what} is an empty table"),
                "give at least one `name = value`, or write `\"true\"` for a condition that always holds".to_owned(),
            );
        }
        conjunction
    }

    /// A likelihood in any of its forms.
    pub(super) fn likelihood(&mut self, value: &Val<'_>, what: &str) -> Option<Likelihood> {
        let span = span_of(value);
        match value.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) => {
                let p = self.probability(value, what)?;
                Some(Likelihood::exact(p, Form::Number, span))
            }
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
                    self.bad_likelihood_text(text, span, what);
                    None
                }
            }
            DeValue::Array(items) => {
                let mut bounds = Vec::new();
                for item in items.iter() {
                    bounds.push(match item.get_ref() {
                        DeValue::String(text) => match parse_percent(text) {
                            Some(p) => Some(p),
                            None => {
                                self.bad_likelihood_text(text, span_of(item), what);
                                None
                            }
                        },
                        _ => self.probability(item, &format!("an end of {what}")),
                    });
                }
                match bounds.as_slice() {
                    [Some(lo), Some(hi)] if lo <= hi => {
                        Some(Likelihood::band(*lo, *hi, Form::Range, span))
                    }
                    [Some(_), Some(_)] => {
                        let end = |i: usize| {
                            items
                                .get(i)
                                .and_then(|item| self.text.get(item.span()))
                                .unwrap_or("…")
                                .to_owned()
                        };
                        self.report(
                            Diagnostic::new(
                                Code::InvalidLikelihood,
                                format!("{what} is a range whose low end is above its high end"),
                            )
                            .primary(span, "the ends are the wrong way round")
                            .help(format!(
                                "write the lower end first: `[{}, {}]`",
                                end(1),
                                end(0)
                            )),
                        );
                        None
                    }
                    _ if bounds.len() == 2 => None, // a bad end is reported already
                    _ => {
                        self.report(
                            Diagnostic::new(
                                Code::InvalidLikelihood,
                                format!(
                                    "{what} is a list of {} values, but a range has two",
                                    bounds.len()
                                ),
                            )
                            .primary(span, "expected `[low, high]`")
                            .help("write a range as its two ends, such as `[0.2, 0.4]` or `[\"20%\", \"40%\"]`"),
                        );
                        None
                    }
                }
            }
            other => {
                self.report(
                    Diagnostic::new(
                        Code::InvalidLikelihood,
                        format!(
                            "{what} must be a number, a percentage, a range or an ICD 203 word, not {}",
                            type_name(other)
                        ),
                    )
                    .primary(span, "not a likelihood")
                    .help(LIKELIHOOD_FORMS),
                );
                None
            }
        }
    }

    /// A bare number as a probability in [0, 1].
    fn probability(&mut self, value: &Val<'_>, what: &str) -> Option<f64> {
        let span = span_of(value);
        let shown = self.text.get(value.span()).unwrap_or("").to_owned();
        let (message, label, help) = match number_of(value.get_ref()) {
            Some(Ok(p)) if (0.0..=1.0).contains(&p) => return Some(p),
            // A whole number from 2 to 100 is almost surely a percentage without its `%`.
            Some(Ok(p)) if (2.0..=100.0).contains(&p) && p == p.trunc() => (
                format!("{what} is `{shown}`, more than 1"),
                "a probability is at most 1",
                format!(
                    "write `{}`, or the percentage as text: `\"{}%\"`",
                    crate::model::format_number(p / 100.0),
                    crate::model::format_number(p)
                ),
            ),
            Some(Ok(p)) if p > 1.0 => (
                format!("{what} is `{shown}`, more than 1"),
                "a probability is at most 1",
                LIKELIHOOD_FORMS.to_owned(),
            ),
            Some(Ok(_)) => (
                format!("{what} is `{shown}`, outside 0 to 1"),
                "a probability lies between 0 and 1",
                LIKELIHOOD_FORMS.to_owned(),
            ),
            Some(Err(BadNumber::NotFinite)) => (
                format!("{what} is not a finite number"),
                "a probability lies between 0 and 1",
                LIKELIHOOD_FORMS.to_owned(),
            ),
            Some(Err(BadNumber::OutOfRange)) => (
                format!("{what} is `{shown}`, outside 0 to 1"),
                "a probability lies between 0 and 1",
                LIKELIHOOD_FORMS.to_owned(),
            ),
            None => (
                format!(
                    "{what} must be a number or a percentage, not {}",
                    type_name(value.get_ref())
                ),
                "not a probability",
                "write the ends of a range as numbers such as `0.2` or percentages such as `\"20%\"`"
                    .to_owned(),
            ),
        };
        self.report(
            Diagnostic::new(Code::InvalidLikelihood, message)
                .primary(span, label)
                .help(help),
        );
        None
    }

    /// A string that is neither a percentage in [0, 100] nor an estimative word.
    fn bad_likelihood_text(&mut self, text: &str, span: Span, what: &str) {
        let shown = escape_for_message(text);
        let out_of_range = text
            .trim()
            .strip_suffix('%')
            .and_then(|n| n.trim().parse::<f64>().ok());
        let diagnostic = if let Some(n) = out_of_range {
            let side = if n > 100.0 {
                "more than 100 %"
            } else {
                "not between 0 % and 100 %"
            };
            Diagnostic::new(
                Code::InvalidLikelihood,
                format!("{what} is `{shown}`, {side}"),
            )
            .primary(span, "a percentage lies between 0 % and 100 %")
            .help("write a percentage between `\"0%\"` and `\"100%\"`")
        } else {
            let words = crate::likelihood::ICD_203.iter().map(|w| w.word);
            let hint = did_you_mean(&text.to_lowercase(), words);
            Diagnostic::new(
                Code::InvalidLikelihood,
                format!("`{shown}` is not a likelihood"),
            )
            .primary(span, "not a number, percentage or ICD 203 word")
            .help(hint.unwrap_or_else(|| {
                "use an ICD 203 word (almost no chance, very unlikely, unlikely, roughly even \
                 chance, likely, very likely, almost certain), a percentage such as `\"35%\"` or \
                 a number in [0, 1]"
                    .to_owned()
            }))
        };
        self.report(diagnostic);
    }
}

/// Every form a likelihood may take, for helps.
const LIKELIHOOD_FORMS: &str = "write a number in [0, 1] such as `0.25`, a percentage such as \
                                `\"25%\"`, a range such as `[0.2, 0.4]`, or an ICD 203 word such \
                                as `\"likely\"`";

/// Whether `table` has a key that is not one of the `allowed` ones but probably a misspelling
/// of `key`.
pub(super) fn is_misspelt(table: &DeTable<'_>, key: &str, allowed: &[&str]) -> bool {
    table.iter().any(|(k, _)| {
        let k = k.get_ref().as_ref();
        !allowed.contains(&k) && did_you_mean(k, [key]).is_some()
    })
}

/// Why a TOML number is not a usable value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BadNumber {
    /// `inf` or `nan`.
    NotFinite,
    /// An integer beyond 64 bits, or a float beyond ±1.8e308: too large to hold, which is not
    /// the same mistake as writing `inf`.
    OutOfRange,
}

impl BadNumber {
    /// The label under the value.
    fn label(self) -> &'static str {
        match self {
            BadNumber::NotFinite => "not a finite number",
            BadNumber::OutOfRange => "out of range",
        }
    }

    /// "must be …" or "is …", completing `{what} `.
    fn message(self, what: &str, shown: &str) -> String {
        match self {
            BadNumber::NotFinite => format!("{what} must be a finite number"),
            BadNumber::OutOfRange => format!("{what} is `{shown}`, which is too large to hold"),
        }
    }
}

/// `Some(Ok(n))` for a finite TOML number, `Some(Err(_))` for inf/nan or a number too large
/// to hold, `None` for anything that is not a number.
fn number_of(value: &DeValue<'_>) -> Option<Result<f64, BadNumber>> {
    match value {
        DeValue::Integer(i) => Some(
            i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                .map(|n| n as f64)
                .map_err(|_| BadNumber::OutOfRange),
        ),
        DeValue::Float(f) => {
            let text = f.as_str().replace('_', "");
            let lower = text.to_ascii_lowercase();
            if lower.contains("inf") || lower.contains("nan") {
                return Some(Err(BadNumber::NotFinite));
            }
            Some(match text.parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(n),
                _ => Err(BadNumber::OutOfRange),
            })
        }
        _ => None,
    }
}

/// The help for a number too large to hold.
const OUT_OF_RANGE_HELP: &str = "integers hold up to 9223372036854775807 and other numbers up to about 1.8e308; write a smaller number";

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

/// User text in a message, shortened and with control characters made visible.
pub(crate) fn escape_for_message(text: &str) -> String {
    crate::model::user_text(text)
}

pub(super) fn backticked(items: &[&str]) -> String {
    crate::model::list(&items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
}
