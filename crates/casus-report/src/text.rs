//! Number and text formatting shared by every renderer, so all formats agree to the byte.

/// A probability as a percentage with one decimal: `59.9 %`.
pub fn percent(p: f64) -> String {
    format!("{:.1} %", p * 100.0)
}

/// A payoff with two decimals, `-0.00` shown as `0.00`.
pub fn payoff(x: f64) -> String {
    let s = format!("{x:.2}");
    if s == "-0.00" { "0.00".to_owned() } else { s }
}

/// A number rounded to 12 decimals for machine formats, so noise in the last bits of a sum
/// never shows up as a change in a snapshot or a diff.
pub fn round(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1e12).round() / 1e12 + 0.0
    } else {
        x
    }
}

/// Pads `text` to `width` characters (not bytes).
pub fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    if len >= width {
        text.to_owned()
    } else {
        format!("{text}{}", " ".repeat(width - len))
    }
}

/// Shortens `text` to `width` characters with an ellipsis, on one line, with every character
/// that could hide or fake text shown escaped (see [`visible`]).
pub fn clip(text: &str, width: usize) -> String {
    let one_line = visible_prose(text);
    if one_line.chars().count() <= width {
        one_line
    } else {
        let mut out: String = one_line.chars().take(width.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Characters that never reach a reader raw, in any human or Markdown output:
/// - control characters (escape sequences that colour, move the cursor or retitle the window;
///   line breaks that fake output, such as a line `::error::…` that a GitHub log runs);
/// - the line and paragraph separators U+2028 and U+2029, which some viewers break lines at;
/// - zero-width characters (U+200B–U+200D, U+2060–U+2064, U+FEFF), which make two different
///   ids look the same, or an id look like it has no typo;
/// - the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
///   U+202A–U+202E, U+2066–U+2069) that make text display in another order than it reads
///   (CVE-2021-42574).
#[must_use]
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2060}'..='\u{2064}'
                | '\u{FEFF}'
                | '\u{061C}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Pushes the escaped form of an unsafe character: `\n`, `\r` and `\t` for the usual three,
/// `\u{200b}` (as in Rust and TOML source, lowercase hex) for the rest.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// The one sanitiser of user text (titles, ids, file names, messages) for human and Markdown
/// output: every [unsafe](is_unsafe) character shown escaped, so a zero-width character in an id
/// is visible in the error about it and no text can start a new line. Everything else,
/// including the backslash, is left as it is.
#[must_use]
pub fn visible(text: &str) -> String {
    if !text.chars().any(is_unsafe) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// [`visible`] for prose (titles, summaries, `because` texts) shown on one line: a line break
/// or tab is only wrapped text, so it becomes a space; everything else unsafe is escaped.
#[must_use]
pub fn visible_prose(text: &str) -> String {
    visible(&text.replace(['\n', '\r', '\t'], " "))
}

/// [`visible`] for text that casus itself lays out on several lines (a help that shows a TOML
/// snippet): line breaks are kept, everything else unsafe is escaped.
#[must_use]
pub fn visible_lines(text: &str) -> String {
    text.split('\n').map(visible).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_characters_are_shown_escaped() {
        assert_eq!(visible("plain é ü 中"), "plain é ü 中");
        assert_eq!(visible("a\nb\rc\td"), "a\\nb\\rc\\td");
        assert_eq!(visible("esc\u{1b}[31m"), "esc\\u{1b}[31m");
        assert_eq!(visible("x\u{200b}y"), "x\\u{200b}y");
        assert_eq!(
            visible("\u{feff}\u{2028}\u{2029}"),
            "\\u{feff}\\u{2028}\\u{2029}"
        );
        assert_eq!(
            visible("\u{61c}\u{202a}\u{202e}\u{2066}\u{2069}\u{200e}"),
            "\\u{61c}\\u{202a}\\u{202e}\\u{2066}\\u{2069}\\u{200e}"
        );
        assert_eq!(visible("\u{85}\u{7f}"), "\\u{85}\\u{7f}");
        assert_eq!(visible("back\\slash"), "back\\slash");
    }

    #[test]
    fn a_line_break_never_starts_a_line() {
        let name = "s.toml\n::error::pwned";
        assert!(!visible(name).contains('\n'));
        assert_eq!(
            visible_lines("start with\n\n[scenario]\u{200b}"),
            "start with\n\n[scenario]\\u{200b}"
        );
        assert!(!clip(name, 200).contains('\n'));
        assert_eq!(
            visible_prose("wrapped\r\nprose\u{2028}x"),
            "wrapped  prose\\u{2028}x"
        );
    }
}
