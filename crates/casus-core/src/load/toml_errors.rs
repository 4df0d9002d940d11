//! TOML syntax errors in an analyst's words.
//!
//! The toml parser recovers from errors and reports every one it meets, which is what lets a
//! file with two independent typos show both. After an unclosed list or string, though, every
//! following line is "wrong" to the parser, and a file with one missing `]` would get dozens of
//! errors, all echoes of the first. [`toml_errors`] keeps the first error of each run of
//! broken lines and counts the echoes in a note, and rewords the parser's most common messages
//! (which are written for TOML implementers) with the fix an analyst needs.

use std::ops::Range;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// The help of every TOML syntax error that has no more specific one.
const TOML_HELP: &str = "see the TOML syntax at https://toml.io: text goes in double quotes, \
                         table headers in `[` and `]`, and every key needs `=` and a value";

/// One error as the parser reported it, located.
struct Raw<'e> {
    /// The first line of the parser's message, without its trailing period.
    message: &'e str,
    /// Where it points, clamped to the text; errors without a span point at the start.
    span: Span,
    /// 0-based line of `span.start`.
    line: usize,
}

/// Turns the parser's errors into diagnostics, dropping those that only echo an earlier one.
pub(super) fn toml_errors(text: &str, errors: &[toml::de::Error]) -> Vec<Diagnostic> {
    let lines = Lines::new(text);
    let mut raw: Vec<Raw<'_>> = errors
        .iter()
        .map(|error| {
            let message = error
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .trim()
                .trim_end_matches('.');
            let span = error
                .span()
                .map_or(Span::new(0, 0), |r| Span::from(r).clamp_to(text));
            Raw {
                message,
                span,
                line: lines.line_of(span.start),
            }
        })
        .collect();
    raw.sort_by_key(|r| (r.span.start, r.span.end));

    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut echoes = 0usize;
    let mut previous_line: Option<usize> = None;
    for error in &raw {
        // INVARIANT: `previous_line` is the line of the error just before this one, kept or not,
        // so a run of broken lines is one run however long it is.
        let independent = previous_line.is_none_or(|previous| {
            error.line > previous && lines.has_content_between(text, previous, error.line)
        });
        previous_line = Some(error.line);
        if !independent {
            echoes += 1;
            continue;
        }
        if let Some(last) = diagnostics.last_mut() {
            add_echo_note(last, echoes);
        }
        echoes = 0;
        diagnostics.push(reword(text, &lines, error));
    }
    if let Some(last) = diagnostics.last_mut() {
        add_echo_note(last, echoes);
    }
    diagnostics
}

fn add_echo_note(diagnostic: &mut Diagnostic, echoes: usize) {
    if echoes > 0 {
        let problems = if echoes == 1 { "problem" } else { "problems" };
        diagnostic.notes.push(format!(
            "the TOML parser found {echoes} more {problems} right after this one; they most \
             likely follow from it, so fix this one and check again"
        ));
    }
}

/// Line starts of the text, for finding lines around an error.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Self {
        Self {
            starts: std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// The byte range of line `line`, without its line break.
    fn range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self.starts.get(line).copied().unwrap_or(text.len());
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |next| next.saturating_sub(1));
        let end = if text.get(..end).is_some_and(|t| t.ends_with('\r')) {
            end - 1
        } else {
            end
        };
        start..end.max(start)
    }

    fn text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        text.get(self.range(text, line)).unwrap_or("")
    }

    /// Whether a line strictly between `a` and `b` holds something other than blanks and
    /// comments: a line the parser read without complaint, so an error after it is news.
    fn has_content_between(&self, text: &str, a: usize, b: usize) -> bool {
        (a + 1..b).any(|line| {
            let content = self.text(text, line).trim();
            !content.is_empty() && !content.starts_with('#')
        })
    }
}

/// Splits "missing comma between array elements, expected `,`" into its two halves.
fn split_expected(message: &str) -> (&str, Option<&str>) {
    match message.split_once(", expected ") {
        Some((description, expected)) => (description, Some(expected)),
        None => (message, None),
    }
}

/// The diagnostic for one parser error: the parser's words, or better ones where we know the
/// usual cause.
fn reword(text: &str, lines: &Lines, error: &Raw<'_>) -> Diagnostic {
    let (description, expected) = split_expected(error.message);
    let line_range = lines.range(text, error.line);
    let line_text = text.get(line_range.clone()).unwrap_or("");
    let found = text.get(error.span.start..error.span.end).unwrap_or("");
    // The key on the error's line, if the line is `key = …`.
    let key = line_text
        .split_once('=')
        .map(|(k, _)| k.trim())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let syntax = |message: String| Diagnostic::new(Code::TomlSyntax, message);
    match description {
        "string values must be quoted" if found.trim().is_empty() => {
            let message = match key {
                Some(key) => format!("`{}` has no value", shorten(key)),
                None => "a value is missing".to_owned(),
            };
            syntax(message)
                .primary(error.span, "expected a value here")
                .help(
                    "write a value after `=`: text in double quotes such as `\"…\"`, a number, \
                     `true` or `false`, a list `[…]` or a table `{ … }`",
                )
        }
        "string values must be quoted" => syntax("text must be in quotes".to_owned())
            .primary(error.span, "not in quotes")
            .help(quote_help(
                line_text,
                error.span.start.saturating_sub(line_range.start),
                found,
            )),
        "key with no value" => {
            let column = error.span.start.saturating_sub(line_range.start);
            let key = line_text.get(..column).unwrap_or("").trim();
            let rest = line_text.get(column..).unwrap_or("").trim();
            let plain = |t: &str| {
                !t.is_empty() && !t.contains(['`', '=', '[', ']', '{', '}', ',', '#', '"', '\''])
            };
            match (plain(key), rest.is_empty()) {
                (true, true) => syntax(format!("`{}` has no value", shorten(key)))
                    .primary(error.span, "expected `=` and a value here")
                    .help(format!(
                        "write `{} = …` with a value, or remove the line",
                        shorten(key)
                    )),
                (true, false) => syntax(format!("expected `=` after `{}`", shorten(key)))
                    .primary(error.span, "expected `=` here")
                    .help("every line of a table is `key = value`"),
                _ => syntax("expected `=` after the key".to_owned())
                    .primary(error.span, "expected `=` here")
                    .help(
                        "every line of a table is `key = value`, and keys are made of letters, \
                         digits, `-` and `_`",
                    ),
            }
        }
        "invalid basic string" if expected == Some("`\"`") => {
            let mut diagnostic = syntax("this string is never closed".to_owned())
                .primary(error.span, "expected a closing `\"` here");
            if let Some(open) = line_text
                .get(..error.span.start.saturating_sub(line_range.start))
                .and_then(|before| before.find('"'))
            {
                let at = line_range.start + open;
                diagnostic = diagnostic.secondary(Span::new(at, at + 1), "the string starts here");
            }
            diagnostic.help(
                "add the closing `\"`; a string in `\"…\"` ends on the line it starts on, so \
                 write text over several lines in triple quotes `\"\"\"…\"\"\"`",
            )
        }
        "missing escaped value" => syntax("unknown escape in a string".to_owned())
            .primary(
                Span::new(
                    error.span.start.saturating_sub(1),
                    error.span.end.max(error.span.start + 1),
                )
                .clamp_to(text),
                "not a TOML escape",
            )
            .help(
                "in a `\"…\"` string a backslash starts an escape such as `\\n` or `\\\"`; write \
                 `\\\\` for a backslash itself, or use single quotes `'…'`, where backslashes \
                 stay as they are",
            ),
        "duplicate key" => duplicate(text, lines, error, line_text),
        "unclosed table" => {
            let header = line_text.trim();
            let help = if header.contains(['=', ' ', '`', '"', '\'', '{', '}']) {
                "end the header with `]`, as in `[decisions.us_offer]`, and put keys on the lines \
                 below it"
                    .to_owned()
            } else {
                format!("add `]`: `{}]`", shorten(header))
            };
            syntax("the table header is not closed".to_owned())
                .primary(error.span, "expected `]` here")
                .help(help)
        }
        "invalid unquoted key" | "invalid inline table element" => {
            syntax("this character cannot appear in a key".to_owned())
                .primary(error.span, "not allowed in a key")
                .help(
                    "keys are made of letters, digits, `-` and `_` (casus ids of lowercase \
                     letters, digits and `_`); check for a missing `=`, `,` or quote",
                )
        }
        "unexpected key or value" if expected.is_some_and(|e| e.starts_with("newline")) => {
            syntax("unexpected text after the value".to_owned())
                .primary(error.span, "expected the end of the line here")
                .help(
                    "a line holds one `key = value`: put the rest on a line of its own, or after \
                     `#` as a comment; if the value is text, check its quotes",
                )
        }
        "missing opening quote" => syntax("this text has no opening quote".to_owned())
            .primary(error.span, "expected a quote before the text")
            .help("put text in double quotes at both ends: `\"…\"`"),
        "invalid float"
        | "invalid integer number"
        | "unexpected leading zero"
        | "invalid mantissa" => syntax("not a valid number".to_owned())
            .primary(error.span, "not a number")
            .help("write numbers like `90`, `0.5`, `-2` or `1e3`; text goes in double quotes"),
        "invalid boolean" => syntax("expected `true`, `false` or text in quotes".to_owned())
            .primary(error.span, "not `true` or `false`")
            .help("write `true` or `false` in lowercase, or put text in double quotes: `\"…\"`"),
        "unquoted keys cannot be empty" => syntax("a key is missing".to_owned())
            .primary(error.span, "expected a key here")
            .help("write the key before `=`, as in `title = \"…\"`"),
        "missing assignment between key-value pairs" => {
            syntax("expected `=` between a key and its value".to_owned())
                .primary(error.span, "expected `=` here")
                .help("write `key = value`")
        }
        "missing comma between key-value pairs" => {
            syntax("missing `,` between the entries of a table `{ … }`".to_owned())
                .primary(error.span, "expected `,` here")
                .help("separate the entries with commas, as in `{ us = 2, russia = 1 }`")
        }
        "extra comma in inline table" | "extra comma in array" => syntax("an extra `,`".to_owned())
            .primary(error.span, "no item before this `,`")
            .help("remove it"),
        "extra `=`" | "extra assignment between key-value pairs" => {
            syntax("an extra `=`".to_owned())
                .primary(error.span, "a second `=`")
                .help("a line holds one `key = value`: remove the second `=`")
        }
        "missing array opening" => syntax("a `]` with no `[`".to_owned())
            .primary(error.span, "this `]` closes nothing")
            .help("remove it, or add the `[` that starts the list"),
        "invalid literal string" if expected == Some("`'`") => {
            syntax("this string is never closed".to_owned())
                .primary(error.span, "expected a closing `'` here")
                .help(
                    "add the closing `'`; a string in `'…'` ends on the line it starts on, so \
                     write text over several lines in triple quotes",
                )
        }
        "invalid multi-line basic string" | "invalid multi-line literal string"
            if expected.is_some_and(|e| e.starts_with("`\"") || e.starts_with("`'")) =>
        {
            syntax("this multi-line string is never closed".to_owned())
                .primary(error.span, "expected the closing triple quotes before here")
                .help("end the string with the same triple quotes it starts with")
        }
        "missing comma between array elements" | "unclosed array" => {
            unclosed_list(text, lines, error, line_range.start)
        }
        "unclosed inline table" | "missing key for inline table element" => {
            unclosed_table(text, lines, error)
        }
        "cannot recurse further; max recursion depth met" | "recursion limit" => Diagnostic::new(
            Code::LimitExceeded,
            "lists, tables or dotted keys are nested too deeply",
        )
        .primary(error.span, "too deep here")
        .help("a scenario never needs more than a few levels of nesting; flatten this value"),
        _ => {
            let message = lowercase_first(error.message);
            syntax(message).primary(error.span, "").help(TOML_HELP)
        }
    }
}

/// `duplicate key`: name the key or table, and point at its first definition when it can be
/// found.
fn duplicate(text: &str, lines: &Lines, error: &Raw<'_>, line_text: &str) -> Diagnostic {
    let key = text
        .get(error.span.start..error.span.end)
        .unwrap_or("")
        .trim();
    let trimmed = line_text.trim();
    let is_header = trimmed.starts_with('[') && !trimmed.starts_with("[[");
    if is_header {
        let header = trimmed.split('#').next().unwrap_or(trimmed).trim();
        let first = (0..error.line).find(|&line| {
            lines
                .text(text, line)
                .split('#')
                .next()
                .unwrap_or("")
                .trim()
                == header
        });
        let mut diagnostic = Diagnostic::new(
            Code::TomlSyntax,
            format!("the table `{}` is defined twice", shorten(header)),
        )
        .primary(error.span, "defined again here");
        if let Some(line) = first {
            let range = lines.range(text, line);
            diagnostic = diagnostic.secondary(Span::from(range), "first defined here");
        }
        return diagnostic.help("merge the two tables into one, or rename one of them");
    }
    let mut diagnostic = Diagnostic::new(
        Code::TomlSyntax,
        format!("`{}` is given twice in one table", shorten(key)),
    )
    .primary(error.span, "given again here");
    if let Some(first) = first_definition(text, lines, error, key) {
        diagnostic = diagnostic.secondary(first, "first given here");
    }
    diagnostic.help("a key appears once per table: remove one of them")
}

/// Where `key` was first given in the table that holds the error: the text between the
/// previous table header and the error, searched for `key =` at a word boundary.
fn first_definition(text: &str, lines: &Lines, error: &Raw<'_>, key: &str) -> Option<Span> {
    if key.is_empty() {
        return None;
    }
    let table_start = (0..=error.line)
        .rev()
        .find(|&line| lines.text(text, line).trim_start().starts_with('['))
        .map_or(0, |line| lines.range(text, line).end);
    let region = text.get(table_start..error.span.start)?;
    let is_id = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    region.match_indices(key).find_map(|(i, _)| {
        let before_ok = region
            .get(..i)?
            .chars()
            .next_back()
            .is_none_or(|c| !is_id(c));
        let after = region.get(i + key.len()..)?.trim_start_matches([' ', '\t']);
        (before_ok && (after.starts_with('=') || after.starts_with('.')))
            .then(|| Span::new(table_start + i, table_start + i + key.len()))
    })
}

/// A list that runs into the next line without `]`, or items without `,` between them.
fn unclosed_list(text: &str, lines: &Lines, error: &Raw<'_>, line_start: usize) -> Diagnostic {
    let at_line_start = text
        .get(line_start..error.span.start)
        .is_some_and(|before| before.trim().is_empty());
    let opening = open_before(text, lines, error.line, ('[', ']'));
    if at_line_start || error.message.starts_with("unclosed array") {
        let mut diagnostic =
            Diagnostic::new(Code::TomlSyntax, "this list is never closed".to_owned());
        diagnostic = match opening {
            Some(open) => diagnostic
                .primary(Span::new(open, open + 1), "this `[` has no matching `]`")
                .secondary(error.span, "the list still runs here"),
            None => diagnostic.primary(error.span, "the list still runs here"),
        };
        return diagnostic
            .help("add `]` after the last item of the list, and `,` between its items");
    }
    Diagnostic::new(
        Code::TomlSyntax,
        "missing `,` between list items".to_owned(),
    )
    .primary(error.span, "expected `,` or `]` before this")
    .help("separate the items of a list with commas, as in `[\"accept\", \"refuse\"]`")
}

/// An inline table `{ … }` that runs into the following lines without `}`.
fn unclosed_table(text: &str, lines: &Lines, error: &Raw<'_>) -> Diagnostic {
    // The error may sit on the line that opens the table (its end) or on a later one.
    let opening = open_before(text, lines, error.line + 1, ('{', '}'))
        .filter(|&open| open < error.span.start);
    let diagnostic = Diagnostic::new(Code::TomlSyntax, "this table `{ … }` is never closed");
    let diagnostic = match opening {
        Some(open) => diagnostic
            .primary(Span::new(open, open + 1), "this `{` has no matching `}`")
            .secondary(error.span, "the table still runs here"),
        None => diagnostic.primary(error.span, "expected `}` before this"),
    };
    diagnostic.help("add `}` after the last `key = value` of the table")
}

/// The offset of the last `open` bracket left unclosed on the lines before `line`, searching
/// back (ignoring text in quotes and comments). A heuristic used only to point at where a list
/// or table starts.
fn open_before(
    text: &str,
    lines: &Lines,
    line: usize,
    (open, close): (char, char),
) -> Option<usize> {
    let mut balance = 0i64;
    for l in (0..line).rev().take(200) {
        let range = lines.range(text, l);
        let content = text.get(range.clone())?;
        let mut brackets: Vec<(usize, char)> = Vec::new();
        let mut quote: Option<char> = None;
        for (i, c) in content.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, c) if c == open || c == close => brackets.push((i, c)),
                _ => {}
            }
        }
        for (i, c) in brackets.into_iter().rev() {
            if c == close {
                balance -= 1;
            } else {
                balance += 1;
                if balance > 0 {
                    return Some(range.start + i);
                }
            }
        }
    }
    None
}

/// The fix for unquoted text at `column` of `line`: the whole value in quotes when the text
/// starts the value (a condition such as `when = a == 'b'` is one string), each item when it
/// sits in a list of bare words, else just the word.
fn quote_help(line: &str, column: usize, found: &str) -> String {
    let before = line.get(..column).unwrap_or("");
    let after = line.get(column..).unwrap_or("");
    // The value runs to the end of the line or to a comment.
    let value = after.split(" #").next().unwrap_or(after).trim();
    let printable = |t: &str| !t.is_empty() && !t.contains('`') && t.chars().count() <= 60;
    if before.trim_end().ends_with('=') && printable(value) {
        if !value.contains('"') {
            return format!("write the value in double quotes: `\"{value}\"`");
        }
        if !value.contains('\'') {
            return format!("write the value in single quotes: `'{value}'`");
        }
    }
    if before.trim_end().ends_with(['[', ',']) {
        let list = line
            .split_once('[')
            .and_then(|(_, rest)| rest.split_once(']'))
            .map(|(items, _)| items);
        if let Some(items) = list {
            let words: Vec<&str> = items.split(',').map(str::trim).collect();
            let bare = |w: &&str| {
                !w.is_empty()
                    && w.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            };
            if words.iter().all(bare) && words.len() <= 8 {
                let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
                return format!(
                    "write each item in double quotes: `[{}]`",
                    quoted.join(", ")
                );
            }
        }
    }
    format!("write it in double quotes: `\"{}\"`", shorten(found.trim()))
}

/// User text quoted in a message, kept short.
fn shorten(text: &str) -> String {
    super::reader::escape_for_message(text)
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
