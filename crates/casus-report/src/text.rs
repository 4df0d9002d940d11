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

/// Shortens `text` to `width` characters with an ellipsis, on one line.
pub fn clip(text: &str, width: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if hidden(c) { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= width {
        one_line
    } else {
        let mut out: String = one_line.chars().take(width.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Characters that never reach a terminal raw: control characters (escape sequences that
/// colour, move the cursor or retitle the window, line breaks that fake output) and the
/// bidirectional embeddings, overrides, isolates and marks that make text display in another
/// order than it reads (CVE-2021-42574).
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}
