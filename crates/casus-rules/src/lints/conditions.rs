//! Lints about conditions, found by evaluating every part of every condition wherever it is
//! checked: dead and always-firing rules, unreachable decisions and outcomes, constant parts of
//! conditions, conditional likelihoods that never apply, and decisions that do not matter.

use casus_core::expr::Expr;
use casus_core::model::{FactKind, Scenario};
use casus_core::names::NameRef;
use casus_core::span::Span;
use casus_core::{Code, Diagnostic};

use super::explore::{Condition, Explored, Owner, Shape};
use super::text;
use super::usage::Usage;

/// What the condition lints read.
pub(super) struct Context<'a, 's> {
    pub(super) scenario: &'s Scenario,
    pub(super) explored: &'a Explored<'s>,
    pub(super) usage: &'a Usage,
}

/// Reports every condition lint.
pub(super) fn report(cx: &Context<'_, '_>, out: &mut Vec<Diagnostic>) {
    for c in &cx.explored.conditions {
        if c.checked == 0 {
            continue;
        }
        let whole = whole_condition(cx, c, out);
        if !whole {
            constant_parts(cx, c, 0, out);
        }
    }
    likelihoods(cx, out);
    fallbacks(cx, out);
    relevance(cx, out);
}

/// Whether part `i` reads nothing (a literal such as `true`): written on purpose.
fn literal(c: &Condition<'_>, i: usize) -> bool {
    let mut reads = false;
    if let Some(node) = c.nodes.get(i) {
        node.expr.for_each_name(&mut |_, _| reads = true);
    }
    !reads
}

/// Whether part `i` reads a decision no path takes: it is constant only because of that, which
/// is reported once, at the decision.
fn untaken(cx: &Context<'_, '_>, c: &Condition<'_>, i: usize) -> bool {
    let mut found = false;
    if let Some(node) = c.nodes.get(i) {
        node.expr.for_each_name(&mut |name, _| {
            found |= c.reads.iter().any(|r| {
                r.name == name
                    && matches!(r.target, NameRef::Decision(d) if cx.explored.decisions.get(d).is_some_and(|s| !s.taken))
            });
        });
    }
    found
}

/// Reports a whole condition that is constant, as what that means for its owner. Returns
/// whether the condition was constant (then its parts are not reported again).
fn whole_condition(cx: &Context<'_, '_>, c: &Condition<'_>, out: &mut Vec<Diagnostic>) -> bool {
    let Some(always) = c.constant(0) else {
        return false;
    };
    if literal(c, 0) {
        return true;
    }
    let Some(root) = c.nodes.first() else {
        return true;
    };
    let span = root.expr.span;
    let why = reason(cx, c, 0, always);
    let scenario = cx.scenario;
    let diagnostic = match (c.owner, always) {
        (Owner::Rule(r), false) => {
            let name = &scenario.rules[r].id.name;
            Diagnostic::new(Code::DeadRule, format!("rule `{name}` never fires"))
                .primary(span, "never true on any path")
                .note(why)
                .help("correct the condition, or remove the rule")
        }
        (Owner::Rule(r), true) => {
            let name = &scenario.rules[r].id.name;
            Diagnostic::new(Code::RuleAlwaysFires, format!("rule `{name}` fires on every path"))
                .primary(span, "always true")
                .note(why)
                .help("correct the condition; if the facts it sets should simply have these values, make them their defaults and remove the rule")
        }
        (Owner::Guard(d), false) => {
            let reachable = cx.explored.decisions.get(d).is_none_or(|s| s.taken);
            if reachable {
                return true;
            }
            let name = &scenario.decisions[d].id.name;
            Diagnostic::new(
                Code::UnreachableDecision,
                format!("no path takes decision `{name}`: its guard is never true"),
            )
            .primary(span, "never true where it is checked")
            .note(why)
            .help(format!(
                "correct the guard, or the rules that should make it true, or remove `{name}`"
            ))
        }
        (Owner::Guard(d), true) => {
            let name = &scenario.decisions[d].id.name;
            Diagnostic::new(
                Code::ConstantCondition,
                format!("the guard of `{name}` is always true"),
            )
            .primary(span, "always true where it is checked")
            .note(why)
            .help(format!(
                "`{name}` is taken on every path: remove its `when`, or correct it"
            ))
        }
        // Conditional likelihoods are reported with the others of their decision.
        (Owner::LikelihoodIf(..), _) => return true,
        (Owner::Outcome(o), false) => {
            let reachable = cx.explored.outcomes.get(o).is_none_or(|r| *r);
            if reachable {
                return true;
            }
            let name = &scenario.outcomes[o].id.name;
            Diagnostic::new(
                Code::UnreachableOutcome,
                format!("no path reaches outcome `{name}`"),
            )
            .primary(span, "never true at the end of a path")
            .note(why)
            .help("correct the condition, or remove the outcome")
        }
        (Owner::Outcome(o), true) => {
            let name = &scenario.outcomes[o].id.name;
            Diagnostic::new(
                Code::ConstantCondition,
                format!("the condition of outcome `{name}` holds on every path"),
            )
            .primary(span, "always true at the end of a path")
            .note(why)
            .help("correct the condition, or make the outcome the fallback by removing its `when`")
        }
        (Owner::Signpost(s), false) => {
            let name = &scenario.signposts[s].id.name;
            Diagnostic::new(
                Code::ConstantCondition,
                format!("signpost `{name}` can never be seen: its condition holds on no path"),
            )
            .primary(span, "never true at the end of a path")
            .note(why)
            .help("correct the condition, or remove the signpost")
        }
        (Owner::Signpost(s), true) => {
            let name = &scenario.signposts[s].id.name;
            Diagnostic::new(
                Code::ConstantCondition,
                format!("signpost `{name}` tells nothing: its condition holds on every path"),
            )
            .primary(span, "always true at the end of a path")
            .note(why)
            .help("correct the condition, or remove the signpost")
        }
    };
    out.push(diagnostic);
    true
}

/// Where a condition is written, for messages.
fn place(scenario: &Scenario, owner: Owner) -> String {
    match owner {
        Owner::Guard(d) => format!("the guard of `{}`", scenario.decisions[d].id.name),
        Owner::LikelihoodIf(d, _) => {
            format!("a `likelihood_if` of `{}`", scenario.decisions[d].id.name)
        }
        Owner::Rule(r) => format!("the condition of rule `{}`", scenario.rules[r].id.name),
        Owner::Outcome(o) => format!(
            "the condition of outcome `{}`",
            scenario.outcomes[o].id.name
        ),
        Owner::Signpost(s) => {
            format!(
                "the condition of signpost `{}`",
                scenario.signposts[s].id.name
            )
        }
    }
}

/// Reports the largest parts under node `i` (not constant itself) that are constant.
fn constant_parts(cx: &Context<'_, '_>, c: &Condition<'_>, i: usize, out: &mut Vec<Diagnostic>) {
    let Some(node) = c.nodes.get(i) else {
        return;
    };
    for &child in &node.children {
        match c.constant(child) {
            None => constant_parts(cx, c, child, out),
            Some(_) if literal(c, child) || untaken(cx, c, child) => {}
            Some(always) => {
                let part = &c.nodes[child];
                let word = if always { "always true" } else { "never true" };
                let mut help =
                    "correct it, or drop it: the condition means the same without it".to_owned();
                let inputs = input_facts_read(cx, c, part.expr);
                if !inputs.is_empty() {
                    help.push_str(&format!(
                        "; if it is there for runs that override {}, add a test that overrides it",
                        text::and_list(&inputs)
                    ));
                }
                out.push(
                    Diagnostic::new(
                        Code::ConstantCondition,
                        format!(
                            "`{}` is {word} in {}",
                            text::expr(part.expr),
                            place(cx.scenario, c.owner)
                        ),
                    )
                    .primary(part.expr.span, format!("{word} wherever it is checked"))
                    .note(reason(cx, c, child, always))
                    .help(help),
                );
            }
        }
    }
}

/// The input facts `expr` reads, when it reads nothing else.
fn input_facts_read(cx: &Context<'_, '_>, c: &Condition<'_>, expr: &Expr) -> Vec<String> {
    let mut names = Vec::new();
    let mut only_inputs = true;
    expr.for_each_name(&mut |name, _| {
        let input = c.reads.iter().any(|r| {
            r.name == name
                && matches!(r.target, NameRef::Fact(f) if cx.scenario.facts.get(f).is_some_and(|f| !f.is_derived()))
        });
        if input {
            if !names.iter().any(|n: &String| n == name) {
                names.push(name.to_owned());
            }
        } else {
            only_inputs = false;
        }
    });
    if only_inputs { names } else { Vec::new() }
}

/// Why part `i` of `c` is always true (`always`) or never true, wherever it is checked.
fn reason(cx: &Context<'_, '_>, c: &Condition<'_>, i: usize, always: bool) -> String {
    let Some(node) = c.nodes.get(i) else {
        return String::new();
    };
    let constant_children = |want: bool| -> Vec<usize> {
        node.children
            .iter()
            .copied()
            .filter(|&ch| c.constant(ch) == Some(want))
            .collect()
    };
    let joined = |children: &[usize], want: bool| -> String {
        children
            .iter()
            .take(3)
            .map(|&ch| reason(cx, c, ch, want))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match (node.shape, always) {
        (Shape::Not, _) => match node.children.first() {
            Some(&child) => reason(cx, c, child, !always),
            None => String::new(),
        },
        (Shape::And, false) => match constant_children(false).first() {
            Some(&child) => reason(cx, c, child, false),
            None => format!(
                "the parts of `{}` are each true somewhere, but never all at once",
                text::expr(node.expr)
            ),
        },
        (Shape::Or, true) => match constant_children(true).first() {
            Some(&child) => reason(cx, c, child, true),
            None => format!(
                "the parts of `{}` are never all false at once",
                text::expr(node.expr)
            ),
        },
        (Shape::And, true) | (Shape::Or, false) => joined(&constant_children(always), always),
        (Shape::Atom, _) => {
            let word = if always { "always true" } else { "never true" };
            let values = values(cx, c, node.expr);
            if matches!(node.expr.kind, casus_core::expr::ExprKind::Name(_)) && !values.is_empty() {
                // A bare name: its values are the reason.
                values
            } else if values.is_empty() {
                format!("`{}` is {word}", text::expr(node.expr))
            } else {
                format!("`{}` is {word}: {values}", text::expr(node.expr))
            }
        }
    }
}

/// The values the names in `expr` had where `c` was checked: `support` is 90.
fn values(cx: &Context<'_, '_>, c: &Condition<'_>, expr: &Expr) -> String {
    let mut names: Vec<String> = Vec::new();
    expr.for_each_name(&mut |name, _| {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    });
    let mut parts = Vec::new();
    for name in &names {
        let Some(read) = c.reads.iter().find(|r| r.name == *name) else {
            continue;
        };
        let input = matches!(read.target, NameRef::Fact(f)
            if cx.scenario.facts.get(f).is_some_and(|f| matches!(f.kind, FactKind::Input { .. })));
        let shown: Vec<String> = read.values.iter().map(|v| format!("`{v}`")).collect();
        let list = match shown.as_slice() {
            [] => continue,
            [one] => one.clone(),
            [init @ .., last] if read.more => format!("{}, {last} or others", init.join(", ")),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
        };
        parts.push(if input {
            format!("`{name}` is {list}")
        } else if shown.len() == 1 && !read.more {
            format!("`{name}` is always {list} where this is checked")
        } else {
            format!("`{name}` is only ever {list} where this is checked")
        });
    }
    parts.join(", and ")
}

/// Conditional likelihoods that never apply, and decisions' own likelihoods never used.
fn likelihoods(cx: &Context<'_, '_>, out: &mut Vec<Diagnostic>) {
    let scenario = cx.scenario;
    let conditionals: std::collections::HashMap<(usize, usize), &Condition<'_>> = cx
        .explored
        .conditions
        .iter()
        .filter_map(|c| match c.owner {
            Owner::LikelihoodIf(d, k) => Some(((d, k), c)),
            _ => None,
        })
        .collect();
    for (d, decision) in scenario.decisions.iter().enumerate() {
        let Some(seen) = cx.explored.decisions.get(d) else {
            continue;
        };
        if !seen.taken || decision.likelihood_if.is_empty() {
            continue;
        }
        let name = &decision.id.name;
        for (k, conditional) in decision.likelihood_if.iter().enumerate() {
            let Some(&c) = conditionals.get(&(d, k)) else {
                continue;
            };
            if literal(c, 0) {
                continue;
            }
            let span = conditional.when.span;
            if !seen.holds[k] {
                out.push(
                    Diagnostic::new(
                        Code::ShadowedLikelihood,
                        format!("a `likelihood_if` of `{name}` never applies"),
                    )
                    .primary(span, format!("never true where `{name}` is taken"))
                    .note(reason(cx, c, 0, false))
                    .help("correct its `when`, or remove it"),
                );
            } else if !seen.first[k] {
                let mut diagnostic = Diagnostic::new(
                    Code::ShadowedLikelihood,
                    format!(
                        "a `likelihood_if` of `{name}` never applies: an earlier one always wins"
                    ),
                )
                .primary(
                    span,
                    "whenever this holds, an earlier `likelihood_if` holds too",
                );
                for &j in seen.beaten_by[k].iter().take(text::MAX_LABELS) {
                    if let Some(earlier) = decision.likelihood_if.get(j) {
                        diagnostic = diagnostic.secondary(
                            earlier.when.span,
                            "holds too, and the first that holds wins",
                        );
                    }
                }
                out.push(diagnostic.help(
                    "put the more specific `likelihood_if` first, narrow the earlier one's `when`, or remove this one",
                ));
            }
        }
        if let Some(table) = &decision.likelihood
            && !seen.base_used
        {
            out.push(
                Diagnostic::new(
                    Code::ShadowedLikelihood,
                    format!("the likelihood of `{name}` is never used"),
                )
                .primary(table.span, format!("a `likelihood_if` applies wherever `{name}` is taken"))
                .help("make the last `likelihood_if` the decision's `likelihood`, or narrow the conditions so this one is used somewhere"),
            );
        }
    }
}

/// Fallback outcomes no path reaches (outcomes with a `when` are reported with their condition).
fn fallbacks(cx: &Context<'_, '_>, out: &mut Vec<Diagnostic>) {
    for (o, outcome) in cx.scenario.outcomes.iter().enumerate() {
        let reachable = cx.explored.outcomes.get(o).is_none_or(|r| *r);
        if outcome.when.is_some() || reachable {
            continue;
        }
        out.push(
            Diagnostic::new(
                Code::UnreachableOutcome,
                format!("no path reaches the fallback outcome `{}`", outcome.id.name),
            )
            .primary(outcome.id.span, "another outcome holds on every path")
            .help("remove it; or keep it as a safety net for later edits and write `unreachable_outcome = \"allow\"` under `[lints]` with a comment saying so"),
        );
    }
}

/// Decisions whose options all lead to the same future.
fn relevance(cx: &Context<'_, '_>, out: &mut Vec<Diagnostic>) {
    let scenario = cx.scenario;
    for (d, decision) in scenario.decisions.iter().enumerate() {
        let Some(seen) = cx.explored.decisions.get(d) else {
            continue;
        };
        // Unread decisions are reported as such; one option cannot matter.
        let live = cx.usage.decision.get(d).copied().unwrap_or(true);
        if !seen.taken || seen.matters || !live || decision.options.len() < 2 {
            continue;
        }
        let name = &decision.id.name;
        let mut diagnostic = Diagnostic::new(
            Code::IrrelevantDecision,
            format!("whichever option `{name}` takes, the same follows"),
        )
        .primary(
            decision.id.span,
            "every option leads to the same decisions, likelihoods and outcomes",
        );
        if let Some((prefix, single)) = &seen.example {
            let at = if prefix.is_empty() {
                "where it is taken first".to_owned()
            } else {
                format!("after {}", text::path(scenario, prefix))
            };
            if let Some(o) = single.and_then(|o| scenario.outcomes.get(o)) {
                diagnostic = diagnostic.note(format!(
                    "for example, {at}, every option ends in `{}`",
                    o.id.name
                ));
            }
        }
        out.push(diagnostic.help(
            "add the rule or condition through which the choice should matter, or remove the decision",
        ));
    }
}

/// The span covering a `then` entry, key to value.
pub(super) fn entry_span(key: Span, value: Span) -> Span {
    if value.start >= key.start {
        key.cover(value)
    } else {
        key
    }
}
