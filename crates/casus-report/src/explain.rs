//! `casus explain`: a path told step by step, the paths that lead to an outcome, and the
//! answer to "why not OUTCOME?" — as text an analyst can paste into a brief; the JSON is
//! [`crate::output::explain::ExplainOutput`].
//!
//! Every sentence quotes the analyst's own words (`ask`, `because`, `source`, titles) so the
//! explanation reads as their reasoning, not the engine's.

use std::fmt::Write as _;

use casus_core::expr::{BinaryOp, Expr, ExprKind, UnaryOp};
use casus_core::model::{Rule, Scenario, format_number};
use casus_rules::Program;
use casus_rules::analyses::explain::{ExplainedPath, Explanation, OutcomePaths};
use casus_rules::analyses::whynot::{Counterfactual, Flip, Reason, WhyNot};
use casus_rules::compile::value::Val;
use casus_rules::search::given::Fixed;

use crate::eval::actor_name;
use crate::text::{Tense, and_list, clip, payoff, percent, rule_effects};

/// Longest free text quoted in human output, in characters.
const QUOTE: usize = 400;

/// What `casus explain` was asked and found.
#[derive(Clone, Copy, Debug)]
pub struct ExplainReport<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// The program the paths were walked on (compiled with the given facts).
    pub program: &'a Program,
    /// The given decisions and facts.
    pub fixed: &'a Fixed,
    /// The most likely path consistent with the given values.
    pub explanation: &'a Explanation,
    /// With `--outcome`: the paths that lead there.
    pub outcome_paths: Option<&'a OutcomePaths>,
    /// With `--why-not`: the target outcome and the answer.
    pub why_not: Option<(usize, &'a WhyNot)>,
}

/// The explanation as text for people.
pub fn render_human(report: &ExplainReport<'_>) -> String {
    let s = report.scenario;
    let mut out = String::new();
    let _ = writeln!(out, "{}", clip(&s.meta.title, 100));
    if let Some(given) = given_text(s, report.fixed) {
        let _ = writeln!(out, "Given: {given}");
    }
    out.push('\n');

    if let Some(paths) = report.outcome_paths {
        render_outcome_paths(&mut out, report, paths);
        return out;
    }
    let explanation = report.explanation;
    if let Some((target, answer)) = report.why_not {
        let _ = writeln!(
            out,
            "Explained path ({}): {}",
            path_share_text(explanation, has_given(report.fixed)),
            compact(s, &explanation.path)
        );
        if let Some(o) = explanation.path.outcome {
            let _ = writeln!(out, "  ends in: {}", outcome_text(s, o));
        }
        out.push('\n');
        render_why_not(&mut out, report, target, answer);
        return out;
    }
    let _ = writeln!(
        out,
        "{}",
        capitalise(&path_share_text(explanation, has_given(report.fixed)))
    );
    out.push('\n');
    render_path(
        &mut out,
        report,
        &explanation.path,
        &explanation.likelier,
        None,
    );
    out
}

/// "The most likely of 12 paths …" or "The only path …".
fn path_share_text(explanation: &Explanation, given: bool) -> String {
    let among = if given {
        " consistent with the given values"
    } else {
        ""
    };
    if explanation.paths <= 1 {
        format!("the only path{among}")
    } else {
        let others = explanation.paths - 1;
        format!(
            "the most likely of {} paths{among}, {} of their probability; {others} other {}",
            explanation.paths,
            share_text(explanation.share()),
            if others == 1 { "path" } else { "paths" }
        )
    }
}

/// A probability for a sentence: like [`percent`], but a tiny non-zero share (one path among a
/// million) reads `< 0.1 %`, not `0.0 %`, which would say it cannot happen.
fn share_text(p: f64) -> String {
    if p > 0.0 && p < 0.0005 {
        "< 0.1 %".to_owned()
    } else {
        percent(p)
    }
}

/// The first letter in upper case, for a sentence.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A path step by step: each decision with its actor and question, the rules that start or
/// stop firing with their `because` and `source`, then the outcome and the derived facts.
fn render_path(
    out: &mut String,
    report: &ExplainReport<'_>,
    path: &ExplainedPath,
    likelier: &[Option<(usize, f64)>],
    reaching: Option<usize>,
) {
    let s = report.scenario;
    if !path.initial.is_empty() {
        let _ = writeln!(out, "Before any decision:");
        for &r in &path.initial {
            let _ = writeln!(out, "  - {}", rule_sentence(report, r));
        }
        out.push('\n');
    }
    for (n, step) in path.steps.iter().enumerate() {
        let decision = &s.decisions[step.decision];
        let actor = actor_name(s, &decision.actor.name);
        let ask = decision
            .ask
            .as_deref()
            .map(|a| format!(": {}", clip(a, QUOTE)))
            .unwrap_or_default();
        let _ = writeln!(out, "{}. {} ({actor}){ask}", n + 1, decision.id.name);
        match step.option {
            None => {
                let guard = decision
                    .when
                    .as_ref()
                    .map(|w| format!(" `{}`", expr_text(w)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "   skipped: its condition{guard} does not hold on this path"
                );
            }
            Some(o) => {
                let how = if is_given(report.fixed, step.decision) {
                    "given".to_owned()
                } else {
                    share_text(step.probability)
                };
                // `likelier` speaks of the paths that reach `reaching` only, when it is set.
                let paths = reaching.map_or_else(
                    || "the paths through it".to_owned(),
                    |o| format!("its paths to `{}`", s.outcomes[o].id.name),
                );
                let note = match likelier.get(n).copied().flatten() {
                    Some((l, p)) => format!(
                        "; `{}` is likelier at this step ({}), but {paths} are less likely overall",
                        decision.options[l].name,
                        percent(p)
                    ),
                    None => String::new(),
                };
                let _ = writeln!(out, "   → {} ({how}{note})", decision.options[o].name);
                if !step.started.is_empty() || !step.stopped.is_empty() {
                    let _ = writeln!(
                        out,
                        "   Because {} = {}:",
                        decision.id.name, decision.options[o].name
                    );
                    for &r in &step.started {
                        let _ = writeln!(out, "   - {}", rule_sentence(report, r));
                    }
                    for &r in &step.stopped {
                        let _ = writeln!(
                            out,
                            "   - rule `{}` no longer applies{}",
                            s.rules[r].id.name,
                            effects_suffix(&s.rules[r])
                        );
                    }
                }
            }
        }
    }
    out.push('\n');
    match path.outcome {
        Some(o) => {
            let _ = writeln!(out, "Outcome: {}", outcome_text(s, o));
            let payoffs = payoffs_text(s, o);
            if !payoffs.is_empty() {
                let _ = writeln!(out, "  payoffs: {payoffs}");
            }
        }
        None => {
            let _ = writeln!(out, "Outcome: none");
        }
    }
    let facts = derived_facts(report, path);
    if !facts.is_empty() {
        let _ = writeln!(out, "Derived facts at the end:");
        for (_, text) in facts {
            let _ = writeln!(out, "  {text}");
        }
    }
}

/// "rule `r` sets f = v and adds 1 to g: “because” (source: …)".
fn rule_sentence(report: &ExplainReport<'_>, r: usize) -> String {
    let rule = &report.scenario.rules[r];
    let mut text = format!("rule `{}`", rule.id.name);
    let effects = effects(rule);
    if !effects.is_empty() {
        let _ = write!(text, " {effects}");
    }
    if let Some(because) = &rule.because {
        let _ = write!(text, ": “{}”", clip(because, QUOTE));
    }
    if let Some(source) = &rule.source {
        let _ = write!(text, " (source: {})", clip(source, QUOTE));
    }
    text
}

/// "sets f = v, sets g = w and adds 1 to h".
fn effects(rule: &Rule) -> String {
    and_list(&rule_effects(rule, Tense::Present))
}

/// " (it set f = v and added 2 to g)" for a rule that stopped firing; empty for a rule
/// without effects.
fn effects_suffix(rule: &Rule) -> String {
    let effects = rule_effects(rule, Tense::Past);
    if effects.is_empty() {
        String::new()
    } else {
        format!(" (it {})", and_list(&effects))
    }
}

/// Each derived fact at the end of the path with what made it so: `(fact index, text)`.
fn derived_facts(report: &ExplainReport<'_>, path: &ExplainedPath) -> Vec<(usize, String)> {
    let (s, program) = (report.scenario, report.program);
    let mut out = Vec::new();
    for derived in &program.derived {
        let fact = &s.facts[derived.fact];
        let name = &fact.id.name;
        let value = path
            .fact(program, derived.fact)
            .map_or("?".to_owned(), |v| val_text(program, v));
        let firing: Vec<&Rule> = path
            .firing()
            .into_iter()
            .map(|r| &s.rules[r])
            .filter(|rule| {
                rule.then.iter().any(|a| a.fact.name == *name)
                    || rule.add.iter().any(|c| c.fact.name == *name)
            })
            .collect();
        let why = if firing.is_empty() {
            "(default)".to_owned()
        } else if derived.summed {
            let parts: Vec<String> = firing
                .iter()
                .flat_map(|rule| {
                    rule.add.iter().filter(|c| c.fact.name == *name).map(|c| {
                        let a = c.amount.value;
                        let sign = if a < 0.0 { "-" } else { "+" };
                        format!("{sign}{} by `{}`", format_number(a.abs()), rule.id.name)
                    })
                })
                .collect();
            format!(
                "(default {}, {})",
                val_text(program, derived.default),
                parts.join(", ")
            )
        } else {
            let top = firing.iter().map(|r| r.priority.value).max().unwrap_or(0);
            let winners: Vec<String> = firing
                .iter()
                .filter(|r| r.priority.value == top)
                .map(|r| format!("`{}`", r.id.name))
                .collect();
            let losers: Vec<String> = firing
                .iter()
                .filter(|r| r.priority.value < top)
                .map(|r| format!("`{}`", r.id.name))
                .collect();
            let mut text = format!("(set by {}", winners.join(" and "));
            if !losers.is_empty() {
                let _ = write!(
                    text,
                    ", whose priority {top} overrides {}",
                    losers.join(" and ")
                );
            }
            text.push(')');
            text
        };
        out.push((derived.fact, format!("{name} = {value} {why}")));
    }
    out
}

/// `--outcome ID`: the paths that lead there, most likely first, then the first in detail.
fn render_outcome_paths(out: &mut String, report: &ExplainReport<'_>, paths: &OutcomePaths) {
    let s = report.scenario;
    let _ = writeln!(out, "Paths to {}", outcome_text(s, paths.outcome));
    let among = if has_given(report.fixed) {
        " consistent with the given values"
    } else {
        ""
    };
    if paths.count == 0 {
        let _ = writeln!(
            out,
            "  None of the {} paths{among} reaches `{}`.",
            paths.paths, s.outcomes[paths.outcome].id.name
        );
        return;
    }
    let _ = writeln!(
        out,
        "  {} of {} paths{among} lead there, {} of their probability{}",
        paths.count,
        paths.paths,
        share_text(paths.share()),
        if paths.count > paths.top.len() as u64 {
            format!("; the {} most likely:", paths.top.len())
        } else {
            ":".to_owned()
        }
    );
    let width = paths.top.len().to_string().len();
    for (n, path) in paths.top.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>width$}. {:>7}  {}",
            n + 1,
            share_text(paths.share_of(path)),
            compact(s, path)
        );
    }
    let more = paths.count.saturating_sub(paths.top.len() as u64);
    if more > 0 {
        let _ = writeln!(
            out,
            "  … and {more} more {}",
            if more == 1 { "path" } else { "paths" }
        );
    }
    if let Some(first) = paths.top.first() {
        out.push('\n');
        let _ = writeln!(out, "The most likely of them, step by step:");
        out.push('\n');
        render_path(out, report, first, &paths.likelier, Some(paths.outcome));
    }
}

/// `--why-not OUTCOME`.
fn render_why_not(out: &mut String, report: &ExplainReport<'_>, target: usize, answer: &WhyNot) {
    let s = report.scenario;
    let name = &s.outcomes[target].id.name;
    let _ = writeln!(out, "Why not {}?", outcome_text(s, target));
    match answer {
        WhyNot::AlreadyReached => {
            let _ = writeln!(out, "  The explained path already reaches `{name}`.");
        }
        WhyNot::Change(change) => {
            render_change(out, report, change, target);
        }
        WhyNot::NoChange(Reason::GivenDecisions(change)) => {
            // The given decisions the new path departs from: another option, or skipped.
            let given: Vec<String> = report
                .fixed
                .given
                .decisions
                .iter()
                .enumerate()
                .filter_map(|(d, g)| {
                    let g = (*g)?;
                    let decision = &s.decisions[d];
                    let was = &decision.options.get(g)?.name;
                    match change.path.option(d) {
                        Some(o) if o == g => None,
                        Some(o) => Some(format!(
                            "{} = {} (given as {was})",
                            decision.id.name,
                            decision.options.get(o)?.name
                        )),
                        None => Some(format!(
                            "{} to be skipped (given as {was})",
                            decision.id.name
                        )),
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "  No change of choices reaches `{name}` while the given values hold: it needs {}.",
                given.join(" and ")
            );
            let _ = writeln!(out, "  With every decision free:");
            render_change(out, report, change, target);
        }
        WhyNot::NoChange(Reason::InputFacts(found)) => {
            let changes: Vec<String> = found
                .iter()
                .map(|(f, v)| {
                    let current = report
                        .explanation
                        .path
                        .fact(report.program, *f)
                        .map_or("?".to_owned(), |c| val_text(report.program, c));
                    format!("{} = {} (now {current})", s.facts[*f].id.name, v.display())
                })
                .collect();
            let _ = writeln!(
                out,
                "  No change of choices reaches `{name}`: no path reaches it with the current input facts."
            );
            let _ = writeln!(
                out,
                "  It becomes reachable when an input fact differs, for example {}.",
                changes.join(", or ")
            );
        }
        WhyNot::NoChange(Reason::Unreachable { reads }) => {
            let outcome = &s.outcomes[target];
            let _ = writeln!(
                out,
                "  No change of choices reaches `{name}`: it is unreachable on every path."
            );
            match &outcome.when {
                None => {
                    let _ = writeln!(
                        out,
                        "  It is the fallback, and on every path another outcome's condition holds."
                    );
                }
                Some(when) => {
                    let _ = writeln!(
                        out,
                        "  Its condition `{}` holds on no path.",
                        clip(&expr_text(when), QUOTE)
                    );
                }
            }
            if !reads.is_empty() {
                let facts: Vec<String> = reads
                    .iter()
                    .map(|&f| {
                        let value = report
                            .explanation
                            .path
                            .fact(report.program, f)
                            .map_or("?".to_owned(), |v| val_text(report.program, v));
                        format!("{} = {value}", s.facts[f].id.name)
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "  It depends on the input facts {}; no single change of them that was tried reaches it.",
                    facts.join(", ")
                );
            }
        }
    }
}

fn render_change(
    out: &mut String,
    report: &ExplainReport<'_>,
    change: &Counterfactual,
    target: usize,
) {
    let s = report.scenario;
    let n = change.flips.len();
    let _ = writeln!(
        out,
        "  {n} changed {}, on the most likely path with so few (probability {}):",
        if n == 1 { "choice" } else { "choices" },
        share_text(change.share()),
    );
    for flip in &change.flips {
        let _ = writeln!(out, "  - {}", flip_text(s, flip));
    }
    if !change.now_skipped.is_empty() {
        let skipped: Vec<&str> = change
            .now_skipped
            .iter()
            .map(|&d| s.decisions[d].id.name.as_str())
            .collect();
        let _ = writeln!(
            out,
            "  Then {} {} skipped.",
            skipped.join(", "),
            if skipped.len() == 1 { "is" } else { "are" }
        );
    }
    if !change.start_firing.is_empty() {
        let _ = writeln!(out, "  Rules that then fire:");
        for &r in &change.start_firing {
            let _ = writeln!(out, "  - {}", rule_sentence(report, r));
        }
    }
    if !change.stop_firing.is_empty() {
        let _ = writeln!(out, "  Rules that stop firing:");
        for &r in &change.stop_firing {
            let _ = writeln!(
                out,
                "  - rule `{}`{}",
                s.rules[r].id.name,
                effects_suffix(&s.rules[r])
            );
        }
    }
    let _ = writeln!(out, "  The path then ends in {}.", outcome_text(s, target));
    let _ = writeln!(out, "  Whole path: {}", compact(s, &change.path));
    if change.equally_small > 0 {
        let _ = writeln!(
            out,
            "  {} other {} `{}` with as few changes.",
            change.equally_small,
            if change.equally_small == 1 {
                "path reaches"
            } else {
                "paths reach"
            },
            s.outcomes[target].id.name
        );
    }
}

fn flip_text(s: &Scenario, flip: &Flip) -> String {
    let d = &s.decisions[flip.decision];
    match flip.from {
        Some(from) => format!(
            "{} = {} instead of {}",
            d.id.name, d.options[flip.to].name, d.options[from].name
        ),
        None => format!(
            "{} = {} (skipped on the explained path)",
            d.id.name, d.options[flip.to].name
        ),
    }
}

/// `a = x, b = y, …` for the decisions taken on a path.
fn compact(s: &Scenario, path: &ExplainedPath) -> String {
    let parts: Vec<String> = path
        .steps
        .iter()
        .filter_map(|step| {
            let d = &s.decisions[step.decision];
            step.option
                .map(|o| format!("{} = {}", d.id.name, d.options[o].name))
        })
        .collect();
    if parts.is_empty() {
        "no decision taken".to_owned()
    } else {
        parts.join(", ")
    }
}

fn outcome_text(s: &Scenario, o: usize) -> String {
    let outcome = &s.outcomes[o];
    format!("{} — {}", outcome.id.name, clip(&outcome.title, QUOTE))
}

fn payoffs_text(s: &Scenario, o: usize) -> String {
    let outcome = &s.outcomes[o];
    s.actors
        .iter()
        .map(|a| {
            format!(
                "{} {}",
                a.id.name,
                payoff(outcome.payoff_of(&a.id.name).unwrap_or(0.0))
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether anything was given with `--given`.
fn has_given(fixed: &Fixed) -> bool {
    !fixed.overrides.is_empty() || fixed.given.decisions.iter().any(Option::is_some)
}

fn is_given(fixed: &Fixed, decision: usize) -> bool {
    fixed
        .given
        .decisions
        .get(decision)
        .copied()
        .flatten()
        .is_some()
}

/// `russia_answer = refuse, kyiv_buy_in = 60`, or `None` when nothing is given.
fn given_text(s: &Scenario, fixed: &Fixed) -> Option<String> {
    let mut parts: Vec<String> = fixed
        .given
        .decisions
        .iter()
        .enumerate()
        .filter_map(|(d, o)| {
            let o = (*o)?;
            let decision = &s.decisions[d];
            Some(format!(
                "{} = {}",
                decision.id.name,
                decision.options.get(o)?.name
            ))
        })
        .collect();
    parts.extend(
        fixed
            .overrides
            .iter()
            .map(|(f, v)| format!("{} = {}", s.facts[*f].id.name, v.display())),
    );
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// A run-time value as an analyst writes it.
pub fn val_text(program: &Program, value: Val) -> String {
    match value {
        Val::Unset => "none".to_owned(),
        Val::Bool(b) => b.to_string(),
        Val::Num(n) => format_number(n),
        Val::Sym(id) => program.symbols.name(id).to_owned(),
    }
}

/// An expression written back as an analyst would write it, with only the parentheses its
/// meaning needs.
pub fn expr_text(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, expr, 0);
    out
}

fn precedence(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Binary(op, _, _) => binary_precedence(*op),
        ExprKind::In(_, _) => 3,
        ExprKind::Unary(UnaryOp::Not, _) => 2,
        ExprKind::Unary(UnaryOp::Neg, _) => 6,
        _ => 7,
    }
}

fn binary_precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => 0,
        BinaryOp::And => 1,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            3
        }
        BinaryOp::Add | BinaryOp::Sub => 4,
        BinaryOp::Mul | BinaryOp::Div => 5,
    }
}

/// Writes `expr`, parenthesised when it binds looser than `min`.
fn write_expr(out: &mut String, expr: &Expr, min: u8) {
    let own = precedence(expr);
    let paren = own < min;
    if paren {
        out.push('(');
    }
    match &expr.kind {
        ExprKind::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        ExprKind::Number(n) => out.push_str(&format_number(*n)),
        ExprKind::Symbol(s) => {
            let _ = write!(out, "'{s}'");
        }
        ExprKind::Name(n) => out.push_str(n),
        ExprKind::Unary(UnaryOp::Not, operand) => {
            out.push_str("not ");
            write_expr(out, operand, 2);
        }
        ExprKind::Unary(UnaryOp::Neg, operand) => {
            out.push('-');
            write_expr(out, operand, 6);
        }
        ExprKind::Binary(op, lhs, rhs) => {
            // Left-associative: the right operand needs parentheses at equal precedence;
            // comparisons do not chain, so both their operands do.
            let p = binary_precedence(*op);
            let left_min = if p == 3 { p + 1 } else { p };
            write_expr(out, lhs, left_min);
            let _ = write!(out, " {} ", op.as_str());
            write_expr(out, rhs, p + 1);
        }
        ExprKind::In(lhs, items) => {
            write_expr(out, lhs, 4);
            out.push_str(" in [");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, item, 0);
            }
            out.push(']');
        }
    }
    if paren {
        out.push(')');
    }
}
