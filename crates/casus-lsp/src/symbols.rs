//! Where each named thing of a scenario is declared and used: the one index that hover, go
//! to definition, find references and rename read.
//!
//! It is built from the scenario the session loaded, whose every id, value and expression node
//! keeps its span, plus the table headers (`[[decisions.front.likelihood_if]]`) that repeat an
//! id without the model keeping a span for it. Each occurrence's span covers exactly the name,
//! never its quotes, so a rename replaces the name and nothing else.

use std::collections::HashMap;

use casus_core::Span;
use casus_core::expr::{BinaryOp, Expr, ExprKind};
use casus_core::likelihood::{EstimativeWord, Likelihood};
use casus_core::model::{
    EXPECT_OUTCOME, Evidence, Ident, LikelihoodTable, NATURE, Scenario, Value,
};

/// A thing an analyst names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    /// `[actors]` entry, by index.
    Actor(usize),
    /// `[facts]` entry.
    Fact(usize),
    /// `[decisions.*]`.
    Decision(usize),
    /// An option: decision, then option index.
    Option(usize, usize),
    /// `[rules.*]`.
    Rule(usize),
    /// `[outcomes.*]`.
    Outcome(usize),
    /// `[tests.*]`.
    Test(usize),
    /// `[variants.*]`.
    Variant(usize),
    /// `[signposts.*]`.
    Signpost(usize),
}

/// One place a name is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Occurrence {
    /// Exactly the name's characters.
    pub(crate) span: Span,
    /// What it names.
    pub(crate) target: Target,
    /// Whether this is where it is declared.
    pub(crate) definition: bool,
}

/// Every occurrence of every name in one file, and every likelihood word.
#[derive(Debug, Default)]
pub(crate) struct Index {
    occurrences: Vec<Occurrence>,
    words: Vec<(Span, &'static EstimativeWord)>,
}

impl Index {
    /// Indexes `scenario`, loaded from `text`.
    pub(crate) fn build(scenario: &Scenario, text: &str) -> Self {
        let mut b = Builder {
            text,
            scenario,
            index: Index::default(),
            values: HashMap::new(),
        };
        for (i, f) in scenario.facts.iter().enumerate() {
            b.values.insert(f.id.name.as_str(), Target::Fact(i));
        }
        for (i, d) in scenario.decisions.iter().enumerate() {
            b.values.insert(d.id.name.as_str(), Target::Decision(i));
        }
        b.scan();
        b.headers();
        let mut index = b.index;
        index
            .occurrences
            .sort_by_key(|o| (o.span.start, o.span.end, !o.definition));
        index
            .occurrences
            .dedup_by(|a, b| a.span == b.span && a.target == b.target);
        index.words.sort_by_key(|(s, _)| (s.start, s.end));
        index
    }

    /// The occurrence whose name holds byte `offset` (its end included, where a cursor after
    /// the last letter stands).
    pub(crate) fn at(&self, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.span.start <= offset && offset <= o.span.end)
    }

    /// The likelihood word written at byte `offset`.
    pub(crate) fn word_at(&self, offset: usize) -> Option<(Span, &'static EstimativeWord)> {
        self.words
            .iter()
            .find(|(s, _)| s.start <= offset && offset <= s.end)
            .copied()
    }

    /// Every likelihood word the file uses.
    pub(crate) fn words(&self) -> impl Iterator<Item = &'static EstimativeWord> + '_ {
        self.words.iter().map(|(_, w)| *w)
    }

    /// Every occurrence of `target`, in file order.
    pub(crate) fn of(&self, target: Target) -> impl Iterator<Item = &Occurrence> + '_ {
        self.occurrences.iter().filter(move |o| o.target == target)
    }

    /// Where `target` is declared.
    pub(crate) fn definition(&self, target: Target) -> Option<&Occurrence> {
        self.of(target).find(|o| o.definition)
    }
}

struct Builder<'a> {
    text: &'a str,
    scenario: &'a Scenario,
    index: Index,
    /// Facts and decisions by name: what an expression's names refer to.
    values: HashMap<&'a str, Target>,
}

impl<'a> Builder<'a> {
    /// Records `name` written within `span` (which may include quotes or escapes).
    fn add(&mut self, span: Span, name: &str, target: Target, definition: bool) {
        if name.is_empty() {
            return;
        }
        let Some(raw) = self.text.get(span.start..span.end) else {
            return;
        };
        if let Some(at) = raw.find(name) {
            let start = span.start + at;
            self.index.occurrences.push(Occurrence {
                span: Span::new(start, start + name.len()),
                target,
                definition,
            });
        }
    }

    fn ident(&mut self, id: &Ident, target: Target, definition: bool) {
        self.add(id.span, &id.name, target, definition);
    }

    fn decision_named(&self, name: &str) -> Option<usize> {
        self.scenario
            .decisions
            .iter()
            .position(|d| d.id.name == name)
    }

    fn option_of(&self, decision: usize, option: &str) -> Option<Target> {
        let d = self.scenario.decisions.get(decision)?;
        d.options
            .iter()
            .position(|o| o.name == option)
            .map(|o| Target::Option(decision, o))
    }

    fn actor(&mut self, id: &Ident) {
        if let Some(i) = self
            .scenario
            .actors
            .iter()
            .position(|a| a.id.name == id.name)
        {
            self.ident(id, Target::Actor(i), false);
        }
    }

    fn outcome(&mut self, id: &Ident) {
        if let Some(i) = self
            .scenario
            .outcomes
            .iter()
            .position(|o| o.id.name == id.name)
        {
            self.ident(id, Target::Outcome(i), false);
        }
    }

    /// A fact or decision named in a key.
    fn value_name(&mut self, id: &Ident) {
        if let Some(&target) = self.values.get(id.name.as_str()) {
            self.ident(id, target, false);
        }
    }

    /// A symbol value written for decision `decision`.
    fn option_value(&mut self, decision: Option<usize>, value: &Value, span: Span) {
        if let (Some(d), Value::Symbol(s)) = (decision, value)
            && let Some(target) = self.option_of(d, s)
        {
            self.add(span, s, target, false);
        }
    }

    fn table(&mut self, decision: usize, table: &LikelihoodTable) {
        for (option, likelihood) in &table.entries {
            if let Some(target) = self.option_of(decision, &option.name) {
                self.ident(option, target, false);
            }
            self.word(likelihood);
        }
    }

    fn word(&mut self, likelihood: &Likelihood) {
        if let Some(word) = likelihood.word() {
            let raw = self
                .text
                .get(likelihood.span.start..likelihood.span.end)
                .unwrap_or("");
            let inner = raw.trim_matches(|c| c == '"' || c == '\'');
            let start = likelihood.span.start + raw.find(inner).unwrap_or(0);
            self.index
                .words
                .push((Span::new(start, start + inner.len()), word));
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Name(name) => {
                if let Some(&target) = self.values.get(name.as_str()) {
                    self.add(expr.span, name, target, false);
                }
            }
            ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Symbol(_) => {}
            ExprKind::Unary(_, operand) => self.expr(operand),
            ExprKind::Binary(op, lhs, rhs) => {
                if matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
                    self.compared(lhs, rhs);
                    self.compared(rhs, lhs);
                }
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::In(lhs, items) => {
                for item in items {
                    self.compared(lhs, item);
                }
                self.expr(lhs);
                for item in items {
                    self.expr(item);
                }
            }
        }
    }

    /// `decision == 'option'`: the symbol is that decision's option.
    fn compared(&mut self, name: &Expr, symbol: &Expr) {
        if let (ExprKind::Name(n), ExprKind::Symbol(s)) = (&name.kind, &symbol.kind)
            && let Some(d) = self.decision_named(n)
            && let Some(target) = self.option_of(d, s)
        {
            self.add(symbol.span, s, target, false);
        }
    }

    /// Every id, value and expression the model keeps.
    fn scan(&mut self) {
        let s = self.scenario;
        for (i, a) in s.actors.iter().enumerate() {
            self.ident(&a.id, Target::Actor(i), true);
        }
        for (i, f) in s.facts.iter().enumerate() {
            self.ident(&f.id, Target::Fact(i), true);
        }
        for (i, d) in s.decisions.iter().enumerate() {
            self.ident(&d.id, Target::Decision(i), true);
            for (o, option) in d.options.iter().enumerate() {
                self.ident(option, Target::Option(i, o), true);
            }
            if d.actor.name != NATURE {
                self.actor(&d.actor);
            }
            if let Some(when) = &d.when {
                self.expr(when);
            }
            if d.estimates.is_empty() {
                if let Some(table) = &d.likelihood {
                    self.table(i, table);
                }
            } else {
                for estimate in &d.estimates {
                    self.table(i, &estimate.table);
                }
            }
            for conditional in &d.likelihood_if {
                self.expr(&conditional.when);
                self.table(i, &conditional.table);
            }
        }
        for (i, r) in s.rules.iter().enumerate() {
            self.ident(&r.id, Target::Rule(i), true);
            self.expr(&r.when);
            for assignment in &r.then {
                self.value_name(&assignment.fact);
            }
            for contribution in &r.add {
                self.value_name(&contribution.fact);
            }
        }
        for (i, o) in s.outcomes.iter().enumerate() {
            self.ident(&o.id, Target::Outcome(i), true);
            if let Some(when) = &o.when {
                self.expr(when);
            }
            for (actor, _) in &o.payoff {
                self.actor(actor);
            }
        }
        for (i, t) in s.tests.iter().enumerate() {
            self.ident(&t.id, Target::Test(i), true);
            for (key, value) in &t.given {
                self.value_name(key);
                self.option_value(self.decision_named(&key.name), &value.value, value.span);
            }
            for (key, value) in &t.expect {
                if key.name == EXPECT_OUTCOME {
                    if let Value::Symbol(name) = &value.value {
                        self.outcome(&Ident {
                            name: name.clone(),
                            span: value.span,
                        });
                    }
                } else {
                    self.value_name(key);
                    self.option_value(self.decision_named(&key.name), &value.value, value.span);
                }
            }
            for (outcome, _) in &t.expect_probability {
                self.outcome(outcome);
            }
            if let Some(variant) = &t.variant
                && let Some(v) = s.variants.iter().position(|v| v.id.name == variant.name)
            {
                self.ident(variant, Target::Variant(v), false);
            }
        }
        for (i, v) in s.variants.iter().enumerate() {
            self.ident(&v.id, Target::Variant(i), true);
            for (fact, _) in &v.facts {
                self.value_name(fact);
            }
            for (decision, table) in &v.likelihood {
                if let Some(d) = self.decision_named(&decision.name) {
                    self.ident(decision, Target::Decision(d), false);
                    self.table(d, table);
                }
            }
            for (outcome, payoffs) in &v.payoff {
                self.outcome(outcome);
                for (actor, _) in payoffs {
                    self.actor(actor);
                }
            }
        }
        for (i, p) in s.signposts.iter().enumerate() {
            self.ident(&p.id, Target::Signpost(i), true);
            match &p.evidence {
                Some(Evidence::Ratio { decision, ratios }) => {
                    let d = self.decision_named(&decision.name);
                    if let Some(d) = d {
                        self.ident(decision, Target::Decision(d), false);
                        for (option, _) in ratios {
                            if let Some(target) = self.option_of(d, &option.name) {
                                self.ident(option, target, false);
                            }
                        }
                    }
                }
                Some(Evidence::When(expr)) => self.expr(expr),
                None => {}
            }
        }
    }

    /// Ids repeated in table headers, which the model does not keep a span for:
    /// `[[decisions.front.likelihood_if]]`, `[tests.t.given]`.
    fn headers(&mut self) {
        let s = self.scenario;
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let trimmed = line.trim_start();
            if !trimmed.starts_with('[') {
                continue;
            }
            let body_at = start + (line.len() - trimmed.len());
            let body = trimmed.trim_start_matches('[');
            let body_at = body_at + (trimmed.len() - body.len());
            let Some(close) = body.find(']') else {
                continue;
            };
            let mut parts = Vec::new();
            let mut at = 0;
            for part in body[..close].split('.') {
                let lead = part.len() - part.trim_start().len();
                parts.push((part.trim(), body_at + at + lead));
                at += part.len() + 1;
            }
            let [(section, _), (name, name_at), ..] = parts.as_slice() else {
                continue;
            };
            let find = |ids: Vec<&Ident>| ids.iter().position(|id| id.name == *name);
            let target = match *section {
                "decisions" => {
                    find(s.decisions.iter().map(|d| &d.id).collect()).map(Target::Decision)
                }
                "rules" => find(s.rules.iter().map(|r| &r.id).collect()).map(Target::Rule),
                "outcomes" => find(s.outcomes.iter().map(|o| &o.id).collect()).map(Target::Outcome),
                "tests" => find(s.tests.iter().map(|t| &t.id).collect()).map(Target::Test),
                "variants" => find(s.variants.iter().map(|v| &v.id).collect()).map(Target::Variant),
                "signposts" => {
                    find(s.signposts.iter().map(|p| &p.id).collect()).map(Target::Signpost)
                }
                "facts" => find(s.facts.iter().map(|f| &f.id).collect()).map(Target::Fact),
                "actors" => find(s.actors.iter().map(|a| &a.id).collect()).map(Target::Actor),
                _ => None,
            };
            if let Some(target) = target {
                let span = Span::new(*name_at, name_at + name.len());
                let definition = self
                    .index
                    .occurrences
                    .iter()
                    .any(|o| o.span == span && o.definition);
                if !definition {
                    self.add(span, name, target, false);
                }
            }
        }
    }
}
