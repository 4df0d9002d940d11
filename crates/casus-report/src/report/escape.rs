//! Escaping scenario text for each output format.
//!
//! A scenario file may come from a pull request, so every piece of its text (titles,
//! summaries, `because` texts, sources, docs) is untrusted: it must never add markup, close a
//! code fence, end a label or start a new statement. Ids are `[a-z][a-z0-9_]*` and safe
//! everywhere, but they go through the same functions anyway: one path for all text is easier
//! to trust than a rule about which text is safe.

/// Characters shown escaped in every format, by the one sanitiser
/// ([`crate::text::visible`]): control characters (invalid in XML, line breaks in a table row
/// or a label), line and paragraph separators, zero-width characters, and the bidirectional
/// controls that can make text display in another order than it reads (CVE-2021-42574). The
/// escape (`\u{200b}`) is then escaped for the format like any other text.
fn hidden(c: char) -> bool {
    crate::text::is_unsafe(c)
}

/// The escaped form of an unsafe character, as plain text.
fn shown(c: char) -> String {
    crate::text::visible(c.encode_utf8(&mut [0; 4]))
}

/// Text as it may appear in HTML element content or a double- or single-quoted attribute.
/// Control characters (other than tab and newline) are shown escaped (`\u{1b}`): they are invalid in XML,
/// and inline SVG must stay well-formed.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            '\r' => out.push(' '),
            c if hidden(c) => out.push_str(&shown(c)),
            c => out.push(c),
        }
    }
    out
}

/// Text inline in Markdown (a paragraph, a list item or a table cell): on one line, with
/// every character that Markdown or its HTML could read as syntax escaped.
///
/// Newlines and tabs become spaces (a newline could end a table row or start a heading; in
/// prose it only wraps), other unsafe characters are shown escaped, `<`, `>` and
/// `&` become entities (no raw HTML), and the ASCII punctuation that starts emphasis, code,
/// links, tables or strikethrough is escaped with a backslash, which CommonMark allows before
/// any ASCII punctuation.
pub(crate) fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            // Wrapped prose: a line break is only a space.
            '\n' | '\r' | '\t' => out.push(' '),
            // `\u{200b}`, its backslash escaped for Markdown.
            c if hidden(c) => {
                out.push('\\');
                out.push_str(&shown(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// An id in a Markdown code span. Ids are `[a-z][a-z0-9_]*`, but the text is escaped as if it
/// were not: anything outside that alphabet is shown through [`md`] instead of in a code
/// span, which could be broken out of with a backtick.
pub(crate) fn md_code(id: &str) -> String {
    if !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        format!("`{id}`")
    } else {
        md(id)
    }
}

/// An anchor in a Markdown link destination (`#rule-us_aid`): as it is when it is made of
/// `[a-z0-9_-]` only, as anchors of ids are; otherwise escaped like text, so it can neither
/// end the link nor add markup.
pub(crate) fn md_anchor(anchor: &str) -> String {
    if anchor
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        anchor.to_owned()
    } else {
        md(anchor).replace(['(', ')', ' '], "")
    }
}

/// Text inside a double-quoted DOT string (`label="…"`). Backslashes are doubled (so `\N`,
/// `\G` and friends are never substitutions and `\l` never a line break), quotes escaped, and
/// newlines become spaces and other control characters are shown escaped: the renderer adds its
/// own `\n`.
pub(crate) fn dot(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' | '\t' => out.push(' '),
            c if hidden(c) => out.push_str(&dot(&shown(c))),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a double-quoted Mermaid label (`n1["…"]`).
///
/// Everything but letters, digits, space and a few harmless punctuation marks becomes a
/// Mermaid entity code (`#35;`), so no quote ends the label, no `-->` makes an edge, no
/// backtick turns it into a Markdown string, no `<` makes HTML, no backtick fence closes the
/// Markdown block around the diagram, and newlines never end the statement.
pub(crate) fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() && !hidden(c) || matches!(c, ' ' | ',' | '.' | ':' | '%' | '?') {
            out.push(c);
        } else if matches!(c, '\n' | '\r' | '\t') {
            out.push(' ');
        } else if hidden(c) {
            out.push_str(&mermaid(&shown(c)));
        } else {
            out.push_str(&format!("#{};", u32::from(c)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(html("a\u{0}b\nc"), "a\\u{0}b\nc");
        assert_eq!(html("x\u{202E}y\u{200b}"), "x\\u{202e}y\\u{200b}");
    }

    #[test]
    fn markdown_stays_on_one_line_and_inert() {
        assert_eq!(md("a | b\n# c"), "a \\| b \\# c");
        assert_eq!(
            md("id\u{200b}\u{feff}\u{2028}\u{61c}"),
            "id\\\\u{200b}\\\\u{feff}\\\\u{2028}\\\\u{61c}"
        );
        assert_eq!(md("`x` *y* <b>"), "\\`x\\` \\*y\\* &lt;b&gt;");
        assert_eq!(md_code("walk_away"), "`walk_away`");
        assert_eq!(md_code("a`b"), "a\\`b");
        assert_eq!(md_anchor("rule-us_aid"), "rule-us_aid");
        assert_eq!(md_anchor("rule-a) [x](y"), "rule-a\\[x\\]y");
    }

    #[test]
    fn dot_strings_cannot_be_closed_or_substituted() {
        assert_eq!(dot("a\"b\\N\nc\u{7}"), "a\\\"b\\\\N c\\\\u{7}");
    }

    #[test]
    fn mermaid_labels_use_entity_codes() {
        assert_eq!(mermaid("a --> \"b\""), "a #45;#45;#62; #34;b#34;");
        assert_eq!(mermaid("```"), "#96;#96;#96;");
        assert_eq!(mermaid("x\ny"), "x y");
        assert_eq!(mermaid("x\u{200b}"), "x#92;u#123;200b#125;");
    }
}
