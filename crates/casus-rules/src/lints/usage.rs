//! Who reads what: unused facts, decisions and actors, and missing payoffs.
//!
//! A fact or decision is *live* when something that shapes a result reads it: a guard, a
//! conditional likelihood, an outcome, a signpost, a test's expectation, or a rule that sets a
//! live fact. Reads by rules whose own facts nothing reads do not count, so a dead-end chain of
//! rules is reported once, at the fact where it ends.

use std::collections::HashSet;

use casus_core::expr::Expr;
use casus_core::model::{EXPECT_OUTCOME, Evidence, NATURE, Scenario};
use casus_core::names::{NameRef, Names};
use casus_core::{Code, Diagnostic};

use super::text::and_list;

/// What some path reaches, in the scenario as written or one of its what-ifs.
#[derive(Debug)]
pub(super) struct Reach {
    /// Per decision: whether some path takes it.
    pub(super) decisions: Vec<bool>,
    /// Per outcome: whether some path reaches it.
    pub(super) outcomes: Vec<bool>,
}

/// Which facts, decisions and rules are live.
#[derive(Debug)]
pub(super) struct Usage {
    /// Per fact, in the scenario's order.
    pub(super) fact: Vec<bool>,
    /// Per decision.
    pub(super) decision: Vec<bool>,
    /// Per fact: the rules whose condition reads it.
    fact_readers: Vec<Vec<usize>>,
    /// Per decision: the rules whose condition reads it.
    decision_readers: Vec<Vec<usize>>,
    /// Per fact: the rules that set or add to it.
    fact_writers: Vec<Vec<usize>>,
}

impl Usage {
    /// Works out what is live in `scenario`.
    pub(super) fn new(scenario: &Scenario) -> Self {
        let names = Names::new(scenario);
        let mut usage = Usage {
            fact: vec![false; scenario.facts.len()],
            decision: vec![false; scenario.decisions.len()],
            fact_readers: vec![Vec::new(); scenario.facts.len()],
            decision_readers: vec![Vec::new(); scenario.decisions.len()],
            fact_writers: vec![Vec::new(); scenario.facts.len()],
        };
        // What each rule reads and writes, resolved once.
        let mut rule_reads: Vec<Vec<NameRef>> = Vec::with_capacity(scenario.rules.len());
        for (r, rule) in scenario.rules.iter().enumerate() {
            let mut reads: Vec<NameRef> = Vec::new();
            rule.when.for_each_name(&mut |name, _| {
                if let Some((target, _)) = names.get(name)
                    && !reads.contains(&target)
                {
                    reads.push(target);
                }
            });
            for &target in &reads {
                let list = match target {
                    NameRef::Fact(f) => usage.fact_readers.get_mut(f),
                    NameRef::Decision(d) => usage.decision_readers.get_mut(d),
                };
                if let Some(list) = list {
                    list.push(r);
                }
            }
            rule_reads.push(reads);
            let targets = rule
                .then
                .iter()
                .map(|a| &a.fact)
                .chain(rule.add.iter().map(|c| &c.fact));
            for fact in targets {
                if let Some((NameRef::Fact(f), _)) = names.get(&fact.name)
                    && let Some(list) = usage.fact_writers.get_mut(f)
                    && !list.contains(&r)
                {
                    list.push(r);
                }
            }
        }
        let mark = |usage: &mut Usage, name: &str| match names.get(name) {
            Some((NameRef::Fact(i), _)) => {
                if let Some(f) = usage.fact.get_mut(i) {
                    *f = true;
                }
            }
            Some((NameRef::Decision(i), _)) => {
                if let Some(d) = usage.decision.get_mut(i) {
                    *d = true;
                }
            }
            None => {}
        };
        let mut roots: Vec<&Expr> = Vec::new();
        for decision in &scenario.decisions {
            roots.extend(decision.when.as_ref());
            roots.extend(decision.likelihood_if.iter().map(|c| &c.when));
        }
        roots.extend(scenario.outcomes.iter().filter_map(|o| o.when.as_ref()));
        for signpost in &scenario.signposts {
            match &signpost.evidence {
                Some(Evidence::When(when)) => roots.push(when),
                Some(Evidence::Ratio { decision, .. }) => mark(&mut usage, &decision.name),
                None => {}
            }
        }
        for expr in roots {
            expr.for_each_name(&mut |name, _| mark(&mut usage, name));
        }
        for test in &scenario.tests {
            for (name, _) in test.expect.iter().filter(|(n, _)| n.name != EXPECT_OUTCOME) {
                mark(&mut usage, &name.name);
            }
        }
        // A rule is live when it writes a live fact; then what it reads is live too. A
        // worklist of facts that became live, so each rule and each read is visited once.
        let mut queue: Vec<usize> = (0..scenario.facts.len())
            .filter(|&f| usage.fact[f])
            .collect();
        let mut live_rule = vec![false; scenario.rules.len()];
        while let Some(f) = queue.pop() {
            for &r in &usage.fact_writers[f] {
                if std::mem::replace(&mut live_rule[r], true) {
                    continue;
                }
                for &reads in &rule_reads[r] {
                    match reads {
                        NameRef::Fact(g) => {
                            if !std::mem::replace(&mut usage.fact[g], true) {
                                queue.push(g);
                            }
                        }
                        NameRef::Decision(d) => usage.decision[d] = true,
                    }
                }
            }
        }
        usage
    }

    /// Reports unused facts, decisions and actors, and missing payoffs. Decisions no path
    /// takes are left to the reachability lint, and outcomes no path reaches need no payoffs.
    pub(super) fn report(&self, scenario: &Scenario, reach: &Reach, out: &mut Vec<Diagnostic>) {
        let rules = |list: &[usize]| -> Vec<&casus_core::model::Rule> {
            list.iter().filter_map(|&r| scenario.rules.get(r)).collect()
        };
        for (i, fact) in scenario.facts.iter().enumerate() {
            if self.fact[i] {
                continue;
            }
            let name = &fact.id.name;
            let readers = rules(&self.fact_readers[i]);
            let writers = rules(&self.fact_writers[i]);
            let message = if readers.is_empty() {
                format!("fact `{name}` is never read")
            } else {
                format!("fact `{name}` is read only by rules whose results nothing reads")
            };
            let code = if fact.is_derived() {
                Code::UnusedFact
            } else {
                Code::UnusedInput
            };
            let mut d = Diagnostic::new(code, message).primary(
                fact.id.span,
                "no guard, likelihood, outcome, signpost or test reads it",
            );
            let labelled = readers
                .iter()
                .map(|r| {
                    (
                        r,
                        "reads it, but nothing reads what this rule sets".to_owned(),
                    )
                })
                .chain(writers.iter().map(|r| (r, format!("sets `{name}`"))));
            d = label_rules(d, labelled);
            let help = if fact.is_derived() {
                format!(
                    "read `{name}` where it should change a result (an outcome's `when`, a guard or a test), or remove it and the rules that set it"
                )
            } else {
                format!(
                    "read `{name}` where it should change a result, or leave it as context for readers"
                )
            };
            out.push(d.help(help));
        }
        for (i, decision) in scenario.decisions.iter().enumerate() {
            let reachable = reach.decisions.get(i).copied().unwrap_or(true);
            if self.decision[i] || !reachable {
                continue;
            }
            let name = &decision.id.name;
            let readers = rules(&self.decision_readers[i]);
            let message = if readers.is_empty() {
                format!("decision `{name}` is never read")
            } else {
                format!("decision `{name}` is read only by rules whose results nothing reads")
            };
            let mut d = Diagnostic::new(Code::UnusedDecision, message).primary(
                decision.id.span,
                "whichever option is taken, nothing that shapes a result sees it",
            );
            let labelled = readers.iter().map(|r| {
                (
                    r,
                    "reads it, but nothing reads what this rule sets".to_owned(),
                )
            });
            d = label_rules(d, labelled);
            out.push(d.help(format!(
                "read `{name}` in a rule or outcome through which the choice should matter, or remove the decision"
            )));
        }
        let mut named: HashSet<&str> = scenario
            .decisions
            .iter()
            .map(|d| d.actor.name.as_str())
            .collect();
        for outcome in &scenario.outcomes {
            named.extend(outcome.payoff.iter().map(|(a, _)| a.name.as_str()));
        }
        for variant in &scenario.variants {
            for (_, payoffs) in &variant.payoff {
                named.extend(payoffs.iter().map(|(a, _)| a.name.as_str()));
            }
        }
        for actor in &scenario.actors {
            let name = &actor.id.name;
            if !named.contains(name.as_str()) {
                out.push(
                    Diagnostic::new(
                        Code::UnusedActor,
                        format!("actor `{name}` decides nothing and has no payoff"),
                    )
                    .primary(actor.id.span, "appears in no decision and no payoff")
                    .help(format!(
                        "give `{name}` payoffs in the outcomes, or a decision, or remove it"
                    )),
                );
            }
        }
        missing_payoffs(scenario, reach, out);
    }
}

fn missing_payoffs(scenario: &Scenario, reach: &Reach, out: &mut Vec<Diagnostic>) {
    if scenario.outcomes.iter().all(|o| o.payoff.is_empty()) {
        // A forecast-only scenario: no strategy is asked for, so no payoff is missing.
        return;
    }
    let mut deciders: Vec<(&str, &str)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for decision in &scenario.decisions {
        let actor = decision.actor.name.as_str();
        if actor != NATURE && seen.insert(actor) {
            deciders.push((actor, &decision.id.name));
        }
    }
    for (i, outcome) in scenario.outcomes.iter().enumerate() {
        let reachable = reach.outcomes.get(i).copied().unwrap_or(true);
        if !reachable {
            continue;
        }
        let paid: HashSet<&str> = outcome
            .payoff
            .iter()
            .map(|(a, _)| a.name.as_str())
            .collect();
        let missing: Vec<&(&str, &str)> =
            deciders.iter().filter(|(a, _)| !paid.contains(a)).collect();
        if missing.is_empty() {
            continue;
        }
        let actors: Vec<String> = missing.iter().map(|(a, _)| (*a).to_owned()).collect();
        let (first, decision) = missing[0];
        let message = if missing.len() == 1 {
            format!(
                "outcome `{}` has no payoff for `{first}`, which decides `{decision}`",
                outcome.id.name
            )
        } else {
            format!(
                "outcome `{}` has no payoff for {}, which take decisions",
                outcome.id.name,
                and_list(&actors)
            )
        };
        let example = actors
            .iter()
            .map(|a| format!("{a} = …"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(
            Diagnostic::new(Code::MissingPayoff, message)
                .primary(
                    outcome.id.span,
                    "a missing payoff counts as 0 for the strategy",
                )
                .help(format!(
                    "add `{example}` to its `payoff`; write 0 if neutral is what you mean"
                )),
        );
    }
}

/// Secondary labels on a few rules; more would stretch the excerpt over much of the file, so
/// the rest are counted in a note.
fn label_rules<'r>(
    mut diagnostic: Diagnostic,
    rules: impl Iterator<Item = (&'r &'r casus_core::model::Rule, String)>,
) -> Diagnostic {
    let mut more = 0;
    for (i, (rule, label)) in rules.enumerate() {
        if i < super::text::MAX_LABELS {
            diagnostic = diagnostic.secondary(rule.id.span, label);
        } else {
            more += 1;
        }
    }
    if more > 0 {
        diagnostic = diagnostic.note(format!(
            "{more} more rule{} read or set it",
            if more == 1 { "" } else { "s" }
        ));
    }
    diagnostic
}
