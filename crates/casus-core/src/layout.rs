//! The canonical layout of a scenario file: what `casus fmt` writes, and what a language
//! server's "format document" returns.
//!
//! It works on the text with `toml_edit`, so comments and the author's values survive: it
//! orders sections and keys as the format declares them (`crate::format`), tidies blank lines
//! and comments, and writes strings in one quoting style. It does no I/O; writing the result
//! back, atomically and safely, is the caller's job. Formatting twice changes nothing.
//!
//! The layout, applied so every comment stays with what it annotates:
//! - sections in the order `scenario`, `actors`, `facts`, `decisions`, `rules`, `outcomes`,
//!   `tests` (unknown ones last); items keep their order within a section — decisions happen
//!   in file order, and the rest is the analyst's order for reports;
//! - within each item, keys in the order of the format's declaration
//!   ([`crate::format`]), unknown keys last in their order;
//! - `key = value` with one space around `=`, one-line inline tables and arrays as
//!   `{ a = 1, b = 2 }` and `["a", "b"]` (multi-line ones, which may hold comments, are left as
//!   written), single-line literal strings as basic strings when that needs no escape;
//! - comments kept, lines trimmed, no run of blank lines, one blank line before each table
//!   header, a `#:schema` line first, one newline at the end.

use crate::format::{self as decl, Table as Decl};
use toml_edit::{DocumentMut, Formatted, InlineTable, Item, Key, RawString, Table, Value};

/// The canonical layout of a scenario file's text; an error when it is not valid TOML.
///
/// ```
/// let messy = "[actors]\nus = 'United States'\n\n\n[scenario]\ntitle='Talks' # short\n";
/// let tidy = casus_core::layout::canonical(messy).unwrap();
/// assert_eq!(tidy, "[scenario]\ntitle = \"Talks\"  # short\n\n[actors]\nus = \"United States\"\n");
/// // Formatting twice changes nothing.
/// assert_eq!(casus_core::layout::canonical(&tidy).unwrap(), tidy);
/// ```
pub fn canonical(text: &str) -> Result<String, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|_| "it is not valid TOML".to_owned())?;
    let head = take_file_header(&mut doc);
    order_sections(&mut doc);
    let root = doc.as_table_mut();
    for (key, item) in root.iter_mut() {
        let section = key.get().to_owned();
        if let Some(table) = item.as_table_mut() {
            if section == "scenario" {
                sort_keys(table, &decl::META);
            } else if section == "resolution" {
                sort_keys(table, &decl::RESOLUTION);
            } else {
                format_section(&section, table);
            }
        }
    }
    tidy_table(doc.as_table_mut(), true);
    let trailing = doc.trailing().as_str().unwrap_or("").to_owned();
    let (_, comments) = tidy_comments(&format!("{trailing}\n"));
    doc.set_trailing(comments.trim_end().to_owned());
    let mut out = doc.to_string();
    let (_, head) = tidy_comments(&head);
    if !head.trim().is_empty() {
        out = format!("{head}\n{}", out.trim_start_matches(['\n', '\r']));
    }
    out = schema_line_first(&out);
    let trimmed = out.trim_end();
    let trimmed = trimmed.trim_start_matches(['\n', '\r']);
    Ok(if trimmed.is_empty() {
        String::new()
    } else {
        format!("{trimmed}\n")
    })
}

/// The declaration of an item of `section`, by its form.
fn item_decl(section: &str, entry: &Item) -> Option<&'static Decl> {
    Some(match section {
        "actors" => &decl::ACTOR,
        "facts" => {
            let has = |k: &str| match entry {
                Item::Table(t) => t.contains_key(k),
                Item::Value(Value::InlineTable(t)) => t.contains_key(k),
                _ => false,
            };
            if has("type") && !has("value") {
                &decl::DERIVED_FACT
            } else {
                &decl::INPUT_FACT
            }
        }
        "decisions" => &decl::DECISION,
        "rules" => &decl::RULE,
        "outcomes" => &decl::OUTCOME,
        "tests" => &decl::TEST,
        _ => return None,
    })
}

/// Orders the keys of every item of a section (`[decisions.x]` tables and inline tables such as
/// `us = { name = …, doc = … }`).
fn format_section(section: &str, table: &mut Table) {
    for (_, item) in table.iter_mut() {
        let Some(d) = item_decl(section, item) else {
            continue;
        };
        match item {
            Item::Table(t) => {
                sort_keys(t, d);
                if section == "decisions"
                    && let Some(Item::ArrayOfTables(list)) = t.get_mut("likelihood_if")
                {
                    for entry in list.iter_mut() {
                        sort_keys(entry, &decl::LIKELIHOOD_IF);
                    }
                }
            }
            Item::Value(Value::InlineTable(t)) => sort_inline_keys(t, d),
            _ => {}
        }
    }
}

fn rank(d: &Decl, key: &str) -> usize {
    d.keys
        .iter()
        .position(|k| k.name == key)
        .unwrap_or(d.keys.len())
}

fn sort_keys(table: &mut Table, d: &Decl) {
    table.sort_values_by(|a, _, b, _| rank(d, a.get()).cmp(&rank(d, b.get())));
}

fn sort_inline_keys(table: &mut InlineTable, d: &Decl) {
    table.sort_values_by(|a, _, b, _| rank(d, a.get()).cmp(&rank(d, b.get())));
}

/// Takes the comments at the top of the file — those before the first table header and
/// separated from it by a blank line — so they stay at the top when the sections move.
fn take_file_header(doc: &mut DocumentMut) -> String {
    let mut first: Option<isize> = None;
    for (_, item) in doc.as_table().iter() {
        visit(item, &mut |t: &Table| {
            if let Some(p) = t.position() {
                first = Some(first.map_or(p, |f| f.min(p)));
            }
        });
    }
    let mut head = String::new();
    for (_, item) in doc.as_table_mut().iter_mut() {
        visit_mut(item, &mut |t: &mut Table| {
            if t.position() != first || first.is_none() {
                return;
            }
            let prefix = t
                .decor()
                .prefix()
                .and_then(RawString::as_str)
                .unwrap_or("")
                .to_owned();
            if let Some(split) = prefix.rfind("\n\n") {
                head = prefix[..split + 1].to_owned();
                t.decor_mut().set_prefix(prefix[split + 2..].to_owned());
            } else if prefix.trim_start().starts_with("#:schema") && !prefix.trim().contains('\n') {
                head = prefix;
                t.decor_mut().set_prefix("");
            }
        });
    }
    let root = doc
        .decor()
        .prefix()
        .and_then(RawString::as_str)
        .unwrap_or("")
        .to_owned();
    doc.decor_mut().set_prefix("");
    format!("{root}{head}")
}

/// Gives every table header a position so sections come in canonical order while the tables
/// within a section keep their relative order (decisions never move relative to each other).
fn order_sections(doc: &mut DocumentMut) {
    let section_rank = |name: &str| {
        decl::FILE
            .keys
            .iter()
            .position(|k| k.name == name)
            .unwrap_or(decl::FILE.keys.len())
    };
    // First pass: each table's (section, effective position) in traversal order, computed as
    // the renderer does (a table without a position follows the one before it).
    let mut seen: Vec<(usize, isize)> = Vec::new();
    let mut last = 0isize;
    for (key, item) in doc.as_table().iter() {
        let rank = section_rank(key);
        visit(item, &mut |t: &Table| {
            if let Some(p) = t.position() {
                last = p;
            }
            seen.push((rank, last));
        });
    }
    let mut order: Vec<usize> = (0..seen.len()).collect();
    order.sort_by_key(|&i| (seen[i].0, seen[i].1, i));
    let mut new_position = vec![0isize; seen.len()];
    for (rank, &i) in order.iter().enumerate() {
        new_position[i] = isize::try_from(rank)
            .unwrap_or(isize::MAX)
            .saturating_add(1);
    }
    // Second pass, in the same traversal order: assign.
    let mut index = 0usize;
    for (_, item) in doc.as_table_mut().iter_mut() {
        visit_mut(item, &mut |t: &mut Table| {
            if let Some(&p) = new_position.get(index) {
                t.set_position(Some(p));
            }
            index += 1;
        });
    }
}

fn visit(item: &Item, f: &mut impl FnMut(&Table)) {
    match item {
        Item::Table(t) => {
            if !t.is_dotted() {
                f(t);
            }
            for (_, child) in t.iter() {
                visit(child, f);
            }
        }
        Item::ArrayOfTables(list) => {
            for t in list.iter() {
                f(t);
                for (_, child) in t.iter() {
                    visit(child, f);
                }
            }
        }
        _ => {}
    }
}

fn visit_mut(item: &mut Item, f: &mut impl FnMut(&mut Table)) {
    match item {
        Item::Table(t) => {
            if !t.is_dotted() {
                f(t);
            }
            for (_, child) in t.iter_mut() {
                visit_mut(child, f);
            }
        }
        Item::ArrayOfTables(list) => {
            for t in list.iter_mut() {
                f(t);
                for (_, child) in t.iter_mut() {
                    visit_mut(child, f);
                }
            }
        }
        _ => {}
    }
}

/// The comment lines of a decor prefix, each trimmed, with runs of blank lines made one and
/// no blank line first; a blank line after the last comment (a banner that stands apart) is
/// kept. Returns whether a blank line came first, and the lines, each ending in a newline.
fn tidy_comments(raw: &str) -> (bool, String) {
    // What follows the last line break is the indentation of the line the key or header is on.
    let body = raw.rfind('\n').map_or("", |i| &raw[..=i]);
    let mut lines: Vec<&str> = Vec::new();
    let mut leading_blank = false;
    for line in body.lines() {
        let line = line.trim();
        if line.is_empty() {
            if lines.is_empty() {
                leading_blank = true;
                continue;
            }
            if lines.last().is_some_and(|l| l.is_empty()) {
                continue;
            }
        }
        lines.push(line);
    }
    let mut out = String::new();
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    (leading_blank, out)
}

/// `"  # note"` for a trailing comment, `""` for bare whitespace.
fn tidy_suffix(raw: Option<&RawString>) -> String {
    let text = raw.and_then(RawString::as_str).unwrap_or("");
    let trimmed = text.trim();
    if trimmed.starts_with('#') {
        format!("  {trimmed}")
    } else {
        String::new()
    }
}

/// Normalises the layout of a table and everything in it. `first` is whether the table's
/// header (if rendered) is the first thing in the file.
fn tidy_table(table: &mut Table, first: bool) {
    let header = table
        .decor()
        .prefix()
        .and_then(RawString::as_str)
        .unwrap_or("")
        .to_owned();
    let (_, comments) = tidy_comments(&header);
    table.decor_mut().set_prefix(if first {
        comments
    } else {
        format!("\n{comments}")
    });
    let suffix = tidy_suffix(table.decor().suffix());
    table.decor_mut().set_suffix(suffix);

    let mut first_key = true;
    for (mut key, item) in table.iter_mut() {
        match item {
            Item::Value(value) => {
                tidy_key(&mut key, first_key);
                first_key = false;
                tidy_value(value, true);
            }
            Item::Table(t) if t.is_dotted() => {
                tidy_key(&mut key, first_key);
                first_key = false;
                tidy_table(t, false);
            }
            Item::Table(t) => tidy_table(t, false),
            Item::ArrayOfTables(list) => {
                for t in list.iter_mut() {
                    tidy_table(t, false);
                }
            }
            Item::None => {}
        }
    }
}

fn tidy_key(key: &mut toml_edit::KeyMut<'_>, first: bool) {
    let prefix = key
        .leaf_decor()
        .prefix()
        .and_then(RawString::as_str)
        .unwrap_or("")
        .to_owned();
    let (blank_before, mut comments) = tidy_comments(&prefix);
    if blank_before && !first {
        comments.insert(0, '\n');
    }
    // A bare key where the name allows it (`"us"` becomes `us`).
    let bare = Key::new(key.get());
    if bare.display_repr() != key.display_repr()
        && key
            .get()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.fmt();
    }
    key.leaf_decor_mut().set_prefix(comments);
    key.leaf_decor_mut().set_suffix(" ");
}

/// Normalises a value; `top` is whether it stands after `key =` in a table (rather than inside
/// an array or inline table, whose own formatting sets the spacing).
fn tidy_value(value: &mut Value, top: bool) {
    let suffix = tidy_suffix(value.decor().suffix());
    match value {
        Value::String(s) => basic_string(s),
        Value::InlineTable(t) => {
            let written = t.to_string();
            if !written.contains('\n') && !written.contains('#') {
                for (_, v) in t.iter_mut() {
                    tidy_value(v, false);
                }
                t.fmt();
            }
        }
        Value::Array(a) => {
            let written = a.to_string();
            if !written.contains('\n') && !written.contains('#') {
                for v in a.iter_mut() {
                    tidy_value(v, false);
                }
                a.fmt();
            } else {
                for v in a.iter_mut() {
                    if let Value::String(s) = v {
                        basic_string(s);
                    }
                }
            }
        }
        _ => {}
    }
    if top {
        value.decor_mut().set_prefix(" ");
        value.decor_mut().set_suffix(suffix);
    }
}

/// A single-line literal string (`'…'`) as a basic string (`"…"`) when that needs no escape.
fn basic_string(s: &mut Formatted<String>) {
    let repr = s.display_repr();
    let literal = repr.starts_with('\'') && !repr.starts_with("'''");
    let plain = !s
        .value()
        .chars()
        .any(|c| c == '"' || c == '\\' || c.is_control());
    if literal && plain {
        let decor = s.decor().clone();
        *s = Formatted::new(s.value().clone());
        *s.decor_mut() = decor;
    }
}

/// Moves a `#:schema …` directive (for editors) to the first line, where editors look for it.
fn schema_line_first(text: &str) -> String {
    let Some(line) = text
        .lines()
        .find(|l| l.trim_start().starts_with("#:schema"))
    else {
        return text.to_owned();
    };
    let line = line.trim().to_owned();
    if text.starts_with(&line) {
        return text.to_owned();
    }
    let rest: Vec<&str> = text.lines().filter(|l| l.trim() != line).collect();
    format!("{line}\n{}\n", rest.join("\n"))
}
