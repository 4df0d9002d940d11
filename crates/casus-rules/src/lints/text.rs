//! How lints quote expressions, values and paths in messages: one line, short, deterministic.

use casus_core::expr::Expr;
use casus_core::model::{Scenario, format_number};

use crate::compile::value::{Symbols, Val};

/// Most secondary labels on one finding: each stretches the excerpt shown, and a finding about
/// many rules names the rest instead.
pub(super) const MAX_LABELS: usize = 3;

/// Longest expression quoted whole in a message; longer ones are cut with `…`.
const MAX_EXPR: usize = 80;

/// An expression as an analyst would write it, shortened to fit in one message.
pub(super) fn expr(expr: &Expr) -> String {
    let text = crate::workflow::diff::expr_text(expr);
    if text.chars().count() <= MAX_EXPR {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_EXPR - 1).collect();
    cut.push('…');
    cut
}

/// A run-time value as written in an expression; an untaken decision is "unset".
pub(super) fn val(value: Val, symbols: &Symbols) -> String {
    match value {
        Val::Unset => "unset".to_owned(),
        Val::Bool(b) => b.to_string(),
        Val::Num(n) => format_number(n),
        Val::Sym(s) => symbols.name(s).to_owned(),
    }
}

/// The decisions of a path prefix, as the engine's own errors write them:
/// `land = de_facto, offer skipped`.
pub(super) fn path(scenario: &Scenario, steps: &[(usize, Option<usize>)]) -> String {
    let parts: Vec<String> = steps
        .iter()
        .filter_map(|&(d, o)| {
            let decision = scenario.decisions.get(d)?;
            Some(match o.and_then(|o| decision.options.get(o)) {
                Some(option) => format!("{} = {}", decision.id.name, option.name),
                None => format!("{} skipped", decision.id.name),
            })
        })
        .collect();
    if parts.is_empty() {
        "before any decision".to_owned()
    } else {
        parts.join(", ")
    }
}

/// A probability as a whole percentage, the way the likelihood errors write it: `35 %`.
pub(super) fn percent(p: f64) -> String {
    format!("{:.0} %", p * 100.0)
}

/// A band as percentages: `55–80 %`, or one number when it has no width.
pub(super) fn band(lo: f64, hi: f64) -> String {
    if (hi - lo).abs() < 5e-3 {
        percent(lo)
    } else {
        format!("{:.0}–{:.0} %", lo * 100.0, hi * 100.0)
    }
}

/// Items in backticks joined as prose: `a`, `b` and `c`.
pub(super) fn and_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Like [`and_list`], ending in "and others" when the list was cut short.
pub(super) fn and_list_more(items: &[String], more: bool) -> String {
    if more && !items.is_empty() {
        let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
        format!("{} and others", quoted.join(", "))
    } else {
        and_list(items)
    }
}
