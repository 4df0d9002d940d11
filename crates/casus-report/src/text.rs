//! Number and text formatting shared by every command and renderer, so all formats agree to
//! the byte: `casus eval` and `casus report` print the same number the same way.

use casus_core::model::{Rule, format_number};

/// `x` with `places` decimals, the one rounding every number a reader sees goes through.
///
/// `format!("{:.1}")` rounds the binary value, so `0.1755` (stored as 0.17549999…) would
/// print as `17.5 %` in one command and `17.6 %` in another that had first rounded the value
/// to 12 decimals (as the JSON and the report model do). Here the value is first rounded to
/// 12 decimals ([`round`]) and then rounded half away from zero in decimal, so a value and its
/// rounded copy always print alike, and a half reads the way a reader rounds it. `-0` prints
/// as `0`.
#[must_use]
pub fn fixed(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let scale = 10f64.powi(i32::try_from(places).unwrap_or(6));
    let scaled = round(x) * scale;
    // Within a millionth of a unit of the last place counts as the half it stands for: the
    // noise of the product, not the value.
    let nudge = if scaled < 0.0 { -1e-6 } else { 1e-6 };
    let rounded = (scaled + nudge).round() / scale;
    let text = format!("{rounded:.places$}");
    if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        text[1..].to_owned()
    } else {
        text
    }
}

/// A probability as a percentage with one decimal: `59.9 %`.
#[must_use]
pub fn percent(p: f64) -> String {
    format!("{} %", fixed(p * 100.0, 1))
}

/// A percentage with one decimal and no sign, for the low end of a range: `20.0`.
#[must_use]
pub fn percent_number(p: f64) -> String {
    fixed(p * 100.0, 1)
}

/// A range of probabilities: `20.0–40.0 %`.
#[must_use]
pub fn percent_range(lo: f64, hi: f64) -> String {
    format!("{}–{}", percent_number(lo), percent(hi))
}

/// A payoff with two decimals, `-0.00` shown as `0.00`.
#[must_use]
pub fn payoff(x: f64) -> String {
    fixed(x, 2)
}

/// A change in probability in percentage points, signed: `+5.1 pts`, `-0.3 pts`, `0.0 pts`.
#[must_use]
pub fn points(delta: f64) -> String {
    let text = fixed(delta * 100.0, 1);
    if text.starts_with('-') || text == "0.0" {
        format!("{text} pts")
    } else {
        format!("+{text} pts")
    }
}

/// A count with its noun, singular or plural: `1 row`, `2 rows`.
#[must_use]
pub fn count(n: impl Into<u128>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The tense of a sentence about a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tense {
    /// What the rule does: `sets f = v`, `adds 2 to g`.
    Present,
    /// What it did before it stopped firing: `set f = v`, `added 2 to g`.
    Past,
}

/// What a rule does, one phrase per effect, in `tense`: built from the rule's `then` and
/// `add` tables, never by patching a sentence.
#[must_use]
pub fn rule_effects(rule: &Rule, tense: Tense) -> Vec<String> {
    let (set, add, subtract) = match tense {
        Tense::Present => ("sets", "adds", "subtracts"),
        Tense::Past => ("set", "added", "subtracted"),
    };
    let mut parts: Vec<String> = rule
        .then
        .iter()
        .map(|a| format!("{set} {} = {}", a.fact.name, a.value.value.display()))
        .collect();
    parts.extend(rule.add.iter().map(|c| {
        let amount = c.amount.value;
        if amount < 0.0 {
            format!("{subtract} {} from {}", format_number(-amount), c.fact.name)
        } else {
            format!("{add} {} to {}", format_number(amount), c.fact.name)
        }
    }));
    parts
}

/// Phrases joined as a sentence does: `a`, `a and b`, `a, b and c`.
#[must_use]
pub fn and_list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
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
///
/// Prose is cut at the last word boundary that fits, so no word is cut in half; a single word
/// longer than half the width (an id, a URL) is cut where the width ends.
pub fn clip(text: &str, width: usize) -> String {
    let one_line = visible_prose(text);
    if one_line.chars().count() <= width {
        return one_line;
    }
    let room = width.saturating_sub(1);
    let head: Vec<char> = one_line.chars().take(room + 1).collect();
    // The last space at or before `room`: the word after it does not fit whole.
    let boundary = head
        .iter()
        .rposition(|c| *c == ' ')
        .filter(|&at| at * 2 >= room);
    let mut out: String = match boundary {
        Some(at) => head[..at].iter().collect::<String>().trim_end().to_owned(),
        None => head[..room.min(head.len())].iter().collect(),
    };
    // No dangling punctuation before the ellipsis: `word,…` reads as a typo.
    while out.ends_with([',', ';', ':', '—', '-']) {
        out.pop();
    }
    out.push('…');
    out
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
    fn a_value_and_its_rounded_copy_print_alike() {
        // The issue's cases: `eval` printed the raw value, `report` the value rounded to 12
        // decimals, and they differed (17.6 % against 17.5 %, -1.33 against -1.32).
        for (raw, pct) in [
            (0.1755, "17.6 %"),
            (0.1755 - 1e-15, "17.6 %"),
            (0.1755 + 1e-15, "17.6 %"),
        ] {
            assert_eq!(percent(raw), pct);
            assert_eq!(percent(round(raw)), pct);
        }
        assert_eq!(payoff(-1.325), "-1.33");
        assert_eq!(payoff(round(-1.325)), "-1.33");
        assert_eq!(payoff(-1.3249), "-1.32");
        assert_eq!(payoff(-0.0001), "0.00");
        assert_eq!(percent(-0.00001), "0.0 %");
        assert_eq!(points(0.051), "+5.1 pts");
        assert_eq!(points(-0.003), "-0.3 pts");
        assert_eq!(points(-0.0004), "0.0 pts");
        assert_eq!(percent_range(0.2, 0.4), "20.0–40.0 %");
    }

    #[test]
    fn rounding_agrees_with_exact_decimal_arithmetic() {
        // An independent oracle: the value's shortest decimal form (Rust's `{}` prints the
        // shortest string that reads back as the same double) rounded half up by hand.
        fn by_hand(x: f64) -> String {
            let text = format!("{}", (x * 1000.0).round() / 1000.0);
            let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
            let digits: Vec<u32> = frac.chars().filter_map(|c| c.to_digit(10)).collect();
            let mut units: i64 =
                int.parse::<i64>().unwrap() * 10 + i64::from(digits.first().copied().unwrap_or(0));
            if digits.get(1).copied().unwrap_or(0) >= 5 {
                units += 1;
            }
            format!("{}.{}", units / 10, units % 10)
        }
        for thousandths in 0..100_000_u32 {
            let x = f64::from(thousandths) / 1000.0;
            assert_eq!(fixed(x, 1), by_hand(x), "{x}");
        }
    }

    #[test]
    fn clipped_prose_ends_at_a_word_with_an_ellipsis() {
        let summary = "Will the parties sign a framework agreement before the deadline expires";
        let short = clip(summary, 40);
        assert_eq!(short, "Will the parties sign a framework…");
        assert!(short.chars().count() <= 40);
        assert_eq!(clip("abcdefghijklmnopqrstuvwxyz", 10), "abcdefghi…");
        assert_eq!(clip("fits", 10), "fits");
        assert_eq!(clip("one, two, three, four", 12), "one, two…");
    }

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
