//! Completion: names and options inside expressions, likelihood words, actors, and the keys
//! each table of format v1 takes.
//!
//! While an analyst types, the buffer is often not valid TOML (`when = "russia_answer == '`
//! has no closing quote yet), so the context is read from the text of the line and the table
//! header above it, and the names come from the last version of the file that loaded.

use casus_core::Span;
use casus_core::format::{self, Table};
use casus_core::likelihood::{ICD_203, Vocabulary};
use casus_core::model::{Scenario, Type};
use lsp_types::CompletionItemKind;

use crate::symbols::Index;

/// One proposal: what to insert over `replace`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Item {
    /// The text inserted, and shown.
    pub(crate) label: String,
    /// How the client marks it.
    pub(crate) kind: CompletionItemKind,
    /// A few words on what it is.
    pub(crate) detail: String,
    /// The text the insertion replaces: what has been typed of it so far.
    pub(crate) replace: Span,
}

/// What the cursor is in.
#[derive(Debug, PartialEq)]
enum Context<'t> {
    /// A comment: nothing to offer.
    Comment,
    /// A string value of `key`, whose content starts at the byte given; `table` is the key of
    /// the inline table around it, if any.
    String {
        key: &'t str,
        table: Option<&'t str>,
        quote: char,
        content: usize,
    },
    /// A table header being written: `[decisions.`.
    Header { start: usize },
    /// A key of the inline table `table = { … }`.
    InlineKey { table: &'t str, start: usize },
    /// A key at the start of a line.
    Key { start: usize },
    /// Anywhere else.
    Other,
}

/// Proposals at byte `offset` of `text`, with names from `scenario` (the last that loaded).
pub(crate) fn complete(
    text: &str,
    offset: usize,
    scenario: Option<&Scenario>,
    index: Option<&Index>,
) -> Vec<Item> {
    let offset = crate::text::floor_char(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    let section = section_at(text, line_start);
    let section: Vec<&str> = section.iter().map(String::as_str).collect();
    let empty = Scenario::default();
    let s = scenario.unwrap_or(&empty);
    let at = |i: usize| line_start + i;
    match context(prefix) {
        Context::Comment | Context::Other => Vec::new(),
        Context::Header { start } => headers(Span::new(at(start), offset)),
        Context::Key { start } => {
            let replace = Span::new(at(start), offset);
            let present = keys_present(text, line_start);
            let mut items = table_keys(&section, replace, &present);
            if let ["decisions", d, "likelihood_if"] = section.as_slice() {
                items.extend(options_of(s, d, replace));
            }
            items
        }
        Context::InlineKey { table, start } => {
            let replace = Span::new(at(start), offset);
            inline_keys(s, &section, table, replace)
        }
        Context::String {
            key,
            table,
            quote,
            content,
        } => {
            let content = at(content);
            let typed = &text[content..offset];
            if key == "when" {
                return expression(s, typed, content, quote, offset);
            }
            let replace = Span::new(content, offset);
            if key == "actor" {
                return s
                    .actors
                    .iter()
                    .map(|a| item(&a.id.name, CompletionItemKind::CLASS, &a.name, replace))
                    .collect();
            }
            if let ["decisions", d, ..] = section.as_slice()
                && (key == "likelihood"
                    || s.decisions
                        .iter()
                        .any(|x| x.id.name == *d && x.options.iter().any(|o| o.name == key)))
            {
                return words(index, replace);
            }
            if key == casus_core::model::EXPECT_OUTCOME
                && (table == Some("expect") || section.last() == Some(&"expect"))
            {
                return s
                    .outcomes
                    .iter()
                    .map(|o| item(&o.id.name, CompletionItemKind::EVENT, &o.title, replace))
                    .collect();
            }
            symbols_of(s, key, replace)
        }
    }
}

fn item(label: &str, kind: CompletionItemKind, detail: &str, replace: Span) -> Item {
    Item {
        label: label.to_owned(),
        kind,
        detail: detail.to_owned(),
        replace,
    }
}

/// Reads where the end of a line's `prefix` stands.
fn context(prefix: &str) -> Context<'_> {
    let mut string: Option<(char, usize)> = None;
    let mut escaped = false;
    for (i, c) in prefix.char_indices() {
        match string {
            Some((quote, _)) => {
                if escaped {
                    escaped = false;
                } else if quote == '"' && c == '\\' {
                    escaped = true;
                } else if c == quote {
                    string = None;
                }
            }
            None => match c {
                '#' => return Context::Comment,
                '"' | '\'' => string = Some((c, i + 1)),
                _ => {}
            },
        }
    }
    if let Some((quote, content)) = string {
        let before = prefix[..content - 1].trim_end();
        let key = before
            .strip_suffix('=')
            .map(|b| trailing_id(b.trim_end()))
            .unwrap_or("");
        return Context::String {
            key,
            table: open_table(before),
            quote,
            content,
        };
    }
    let word_start = prefix.len() - trailing_id(prefix).len();
    let head = prefix[..word_start].trim_end();
    let trimmed = prefix.trim_start();
    if trimmed.starts_with('[') && !trimmed.contains(']') {
        let start = prefix.len() - trimmed.trim_start_matches('[').trim_start().len();
        return Context::Header { start };
    }
    if head.is_empty() {
        return Context::Key { start: word_start };
    }
    if (head.ends_with('{') || head.ends_with(','))
        && let Some(table) = open_table(head)
    {
        return Context::InlineKey {
            table,
            start: word_start,
        };
    }
    Context::Other
}

/// The key of the innermost inline table still open at the end of `text`: `given` in
/// `given = { answer = `.
fn open_table(text: &str) -> Option<&str> {
    let mut depth = 0i32;
    for (i, c) in text.char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' if depth > 0 => depth -= 1,
            '{' => {
                let before = text[..i].trim_end().strip_suffix('=')?.trim_end();
                return Some(trailing_id(before));
            }
            _ => {}
        }
    }
    None
}

/// The id (letters, digits, `_`) that ends `text`.
fn trailing_id(text: &str) -> &str {
    let start = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
        .last()
        .map_or(text.len(), |(i, _)| i);
    &text[start..]
}

/// The dotted path of the last table header before `before`: `["decisions", "front"]`.
fn section_at(text: &str, before: usize) -> Vec<String> {
    for line in text[..before].lines().rev() {
        let t = line.trim();
        if t.starts_with('[') {
            let inner = t.trim_start_matches('[');
            let inner = inner.split(']').next().unwrap_or("");
            return inner.split('.').map(|p| p.trim().to_owned()).collect();
        }
    }
    Vec::new()
}

/// The keys already written in the table that holds the line at `line_start`.
fn keys_present(text: &str, line_start: usize) -> Vec<String> {
    let mut keys = Vec::new();
    let header = text[..line_start]
        .lines()
        .rev()
        .take_while(|l| !l.trim_start().starts_with('['));
    let after = text[line_start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['));
    for line in header.chain(after) {
        if let Some((key, _)) = line.split_once('=') {
            keys.push(key.trim().to_owned());
        }
    }
    keys
}

/// The format's table for a section path.
fn table_of(section: &[&str]) -> Vec<&'static Table> {
    match section {
        ["scenario"] => vec![&format::META],
        ["actors", _] => vec![&format::ACTOR],
        ["facts", _] => vec![&format::INPUT_FACT, &format::DERIVED_FACT],
        ["decisions", _] => vec![&format::DECISION],
        ["decisions", _, "likelihood_if"] => vec![&format::LIKELIHOOD_IF],
        ["rules", _] => vec![&format::RULE],
        ["outcomes", _] => vec![&format::OUTCOME],
        ["tests", _] => vec![&format::TEST],
        ["variants", _] => vec![&format::VARIANT],
        ["signposts", _] => vec![&format::SIGNPOST],
        _ => Vec::new(),
    }
}

/// The keys of the current table not yet written.
fn table_keys(section: &[&str], replace: Span, present: &[String]) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    for table in table_of(section) {
        for key in table.keys {
            if present.iter().any(|p| p == key.name) || items.iter().any(|i| i.label == key.name) {
                continue;
            }
            items.push(item(key.name, CompletionItemKind::FIELD, key.doc, replace));
        }
    }
    items
}

/// Table headers.
fn headers(replace: Span) -> Vec<Item> {
    format::FILE
        .keys
        .iter()
        .map(|k| item(k.name, CompletionItemKind::MODULE, k.doc, replace))
        .collect()
}

/// Keys of an inline table: names for `given`/`expect`/`then`/`add`, options for
/// `likelihood`, actors for `payoff`.
fn inline_keys(s: &Scenario, section: &[&str], table: &str, replace: Span) -> Vec<Item> {
    let facts = |derived_only: bool| {
        s.facts
            .iter()
            .filter(move |f| !derived_only || f.is_derived())
            .map(move |f| item(&f.id.name, CompletionItemKind::VARIABLE, "fact", replace))
    };
    let decisions = s
        .decisions
        .iter()
        .map(|d| item(&d.id.name, CompletionItemKind::ENUM, "decision", replace));
    match table {
        "given" => facts(false).chain(decisions).collect(),
        "expect" => {
            let mut items: Vec<Item> = facts(false).chain(decisions).collect();
            items.push(item(
                casus_core::model::EXPECT_OUTCOME,
                CompletionItemKind::KEYWORD,
                "the outcome every path must reach",
                replace,
            ));
            items
        }
        "then" | "add" => facts(true).collect(),
        "likelihood" => match section {
            ["decisions", d, ..] => options_of(s, d, replace),
            _ => Vec::new(),
        },
        "payoff" => s
            .actors
            .iter()
            .map(|a| item(&a.id.name, CompletionItemKind::CLASS, &a.name, replace))
            .collect(),
        _ => Vec::new(),
    }
}

/// The options of decision `decision`.
fn options_of(s: &Scenario, decision: &str, replace: Span) -> Vec<Item> {
    s.decisions
        .iter()
        .filter(|d| d.id.name == decision)
        .flat_map(|d| {
            d.options.iter().map(move |o| {
                item(
                    &o.name,
                    CompletionItemKind::ENUM_MEMBER,
                    &format!("option of `{}`", d.id.name),
                    replace,
                )
            })
        })
        .collect()
}

/// The symbols a value of `name` can take: a decision's options or an enum fact's members.
fn symbols_of(s: &Scenario, name: &str, replace: Span) -> Vec<Item> {
    if s.decisions.iter().any(|d| d.id.name == name) {
        return options_of(s, name, replace);
    }
    s.facts
        .iter()
        .filter(|f| f.id.name == name)
        .flat_map(|f| match f.ty() {
            Type::Enum(symbols) => symbols.clone(),
            _ => Vec::new(),
        })
        .map(|symbol| {
            item(
                &symbol,
                CompletionItemKind::ENUM_MEMBER,
                &format!("value of `{name}`"),
                replace,
            )
        })
        .collect()
}

/// Inside an expression string: options after `name == '`, names elsewhere.
fn expression(s: &Scenario, typed: &str, content: usize, quote: char, offset: usize) -> Vec<Item> {
    let symbol_quote = if quote == '"' { '\'' } else { '"' };
    let quotes: Vec<usize> = typed.match_indices(symbol_quote).map(|(i, _)| i).collect();
    if quotes.len() % 2 == 1
        && let Some(&open) = quotes.last()
    {
        let replace = Span::new(content + open + 1, offset);
        let before = typed[..open].trim_end();
        let compared = before
            .strip_suffix("==")
            .or_else(|| before.strip_suffix("!="))
            .map(|b| trailing_id(b.trim_end()));
        let listed = || {
            let bracket = before.rfind('[')?;
            let head = before[..bracket].trim_end().strip_suffix("in")?;
            Some(trailing_id(head.trim_end()))
        };
        return match compared.or_else(listed) {
            Some(name) => symbols_of(s, name, replace),
            None => Vec::new(),
        };
    }
    let partial = trailing_id(typed);
    let replace = Span::new(offset - partial.len(), offset);
    let facts = s.facts.iter().map(|f| {
        let detail = format!("fact: {}", f.ty().describe());
        item(&f.id.name, CompletionItemKind::VARIABLE, &detail, replace)
    });
    let decisions = s.decisions.iter().map(|d| {
        let detail = format!("decision: {}", casus_core::model::list(&d.option_names()));
        item(&d.id.name, CompletionItemKind::ENUM, &detail, replace)
    });
    facts.chain(decisions).collect()
}

/// Likelihood words in the row of ICD 203 the file already writes (both rows when it writes
/// none yet: ICD 203 asks not to mix them).
fn words(index: Option<&Index>, replace: Span) -> Vec<Item> {
    let (mut likelihood, mut probability) = (0, 0);
    for word in index.into_iter().flat_map(Index::words) {
        match word.vocabulary {
            Vocabulary::Likelihood => likelihood += 1,
            Vocabulary::Probability => probability += 1,
        }
    }
    let row = match (likelihood, probability) {
        (0, 0) => None,
        (l, p) if l >= p => Some(Vocabulary::Likelihood),
        _ => Some(Vocabulary::Probability),
    };
    ICD_203
        .iter()
        .filter(|w| row.is_none_or(|r| r == w.vocabulary))
        .map(|w| {
            let detail = format!(
                "{}–{} %",
                casus_core::model::format_number((w.lo * 100.0).round()),
                casus_core::model::format_number((w.hi * 100.0).round())
            );
            item(w.word, CompletionItemKind::VALUE, &detail, replace)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_of_a_line_is_read_from_its_text() {
        assert_eq!(
            context("when = \"answer == '"),
            Context::String {
                key: "when",
                table: None,
                quote: '"',
                content: 8
            }
        );
        assert_eq!(
            context("given = { answer = \"ac"),
            Context::String {
                key: "answer",
                table: Some("given"),
                quote: '"',
                content: 20
            }
        );
        assert_eq!(context("  act"), Context::Key { start: 2 });
        assert_eq!(context("[decis"), Context::Header { start: 1 });
        assert_eq!(
            context("then = { x = 1, de"),
            Context::InlineKey {
                table: "then",
                start: 16
            }
        );
        assert_eq!(context("x = 1 # when = \""), Context::Comment);
        assert_eq!(context("x = 1"), Context::Other);
    }
}
