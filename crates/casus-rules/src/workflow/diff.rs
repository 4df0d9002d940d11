//! Semantic diff of two versions of a scenario: what changed in the model, and what that does to
//! the results.
//!
//! The model is compared item by item (matched by id) and field by field, on a canonical text of
//! each field: an expression is printed back from its syntax tree, so `{ a = "x" }` and
//! `"a == 'x'"` are the same condition and moving or reformatting a line changes nothing. The
//! results compare the forecasts (outcomes matched by id), the strategic line of play, every
//! path (matched by the options it takes on the decisions both versions share) and the tests.
//!
//! Everything is named by id in the result, since two versions index their items differently.
//! Nothing here renders.

use std::collections::HashMap;
use std::ops::ControlFlow;

use casus_core::expr::{BinaryOp, Expr, ExprKind, UnaryOp};
use casus_core::likelihood::{Form, Likelihood};
use casus_core::model::{FactKind, LikelihoodTable, Scenario, Type, Value, format_number};
use serde::Serialize;

use crate::analyses::sensitivity::sensitivity;
use crate::compile::program::Program;
use crate::search::paths::walk;
use crate::search::result::Evaluation;
use crate::search::walk::{EvalLimits, Given};
use crate::workflow::testing::{TestStatus, run_tests};

/// Probabilities closer than this are the same: sums of products agree only to the last bits.
pub const PROBABILITY_EPSILON: f64 = 1e-9;

/// Most paths per version compared one by one; past it the path comparison is skipped (with a
/// note), since matching needs every path of both versions in memory.
pub const MAX_COMPARED_PATHS: u64 = 1_000_000;

/// How many changed paths are kept as examples.
pub const PATH_EXAMPLES: usize = 5;

/// One version of a scenario, as far as it got: loaded always; compiled and evaluated only when
/// it checked without errors.
#[derive(Clone, Copy, Debug)]
pub struct Version<'a> {
    /// The model.
    pub scenario: &'a Scenario,
    /// The compiled program, if the scenario checked without errors.
    pub program: Option<&'a Program>,
    /// Its evaluation with nothing given.
    pub evaluation: Option<&'a Evaluation>,
}

/// Everything that changed between two versions of one scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioDiff {
    /// Items added, removed or changed, in the order: scenario, actors, facts, decisions,
    /// rules, outcomes, variants, signposts, tests; within each, in the new file's order,
    /// removed items last. Analysts' estimates are fields of their decision
    /// (`likelihood.by.ANALYST.OPTION`).
    pub changes: Vec<ItemChange>,
    /// How the results moved; `None` when a version has errors (see `unavailable`).
    pub results: Option<ResultsDiff>,
    /// Why the results were not compared.
    pub unavailable: Option<String>,
}

impl ScenarioDiff {
    /// Whether nothing changed, in the model or in the results.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.results.as_ref().is_none_or(ResultsDiff::is_empty)
    }
}

/// The kind of item a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// The `[scenario]` table.
    Scenario,
    /// An actor.
    Actor,
    /// A fact.
    Fact,
    /// A decision.
    Decision,
    /// A rule.
    Rule,
    /// An outcome.
    Outcome,
    /// A variant: an alternative future.
    Variant,
    /// A signpost: an indicator to watch.
    Signpost,
    /// A test.
    Test,
}

impl ItemKind {
    /// The word reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Scenario => "scenario",
            ItemKind::Actor => "actor",
            ItemKind::Fact => "fact",
            ItemKind::Decision => "decision",
            ItemKind::Rule => "rule",
            ItemKind::Outcome => "outcome",
            ItemKind::Variant => "variant",
            ItemKind::Signpost => "signpost",
            ItemKind::Test => "test",
        }
    }
}

/// Added, removed or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, with different fields.
    Changed,
}

/// One item that changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemChange {
    /// What kind of item.
    pub kind: ItemKind,
    /// Its id (`scenario` for the `[scenario]` table).
    pub id: String,
    /// Added, removed or changed.
    pub change: ChangeKind,
    /// For a changed item, the fields that differ, in the order they are written; for an added
    /// item, every field (old `None`).
    pub fields: Vec<FieldChange>,
}

/// A field whose canonical text differs; `None` where the field is absent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    /// The field, with a dotted key for entries of a table (`likelihood.accept`, `payoff.us`).
    pub field: String,
    /// Its old text.
    pub old: Option<String>,
    /// Its new text.
    pub new: Option<String>,
}

/// How the results moved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResultsDiff {
    /// Complete paths, old and new.
    pub paths: (u128, u128),
    /// Outcomes whose probability or range moved, that became reachable or unreachable, or
    /// that were added or removed; in the new file's order, removed outcomes last.
    pub outcomes: Vec<OutcomeChange>,
    /// The strategic line, when it changed.
    pub strategy: Option<StrategyChange>,
    /// Key assumptions (decisions whose likeliest option is not the actor's strategic choice)
    /// that appeared, disappeared or changed, in the new file's order, removed ones last.
    pub key_assumptions: Vec<KeyAssumptionChange>,
    /// Paths whose outcome changed.
    pub paths_changed: PathDiff,
    /// Tests whose result changed, in the new file's order, removed tests last.
    pub tests: Vec<TestChange>,
}

impl ResultsDiff {
    /// Whether no result moved.
    pub fn is_empty(&self) -> bool {
        self.paths.0 == self.paths.1
            && self.outcomes.is_empty()
            && self.strategy.is_none()
            && self.key_assumptions.is_empty()
            && self.tests.is_empty()
            && match &self.paths_changed {
                PathDiff::Compared(p) => p.changed == 0 && p.only_old == 0 && p.only_new == 0,
                PathDiff::Skipped { .. } => true,
            }
    }
}

/// One outcome's forecast in one version.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct OutcomeState {
    /// Point-estimate probability.
    pub probability: f64,
    /// Whether any path reaches it.
    pub reachable: bool,
    /// Its range when the likelihoods move across their bands (one-way sensitivity, see
    /// [`crate::analyses::sensitivity`]); `None` when sensitivity could not be computed.
    pub range: Option<(f64, f64)>,
}

/// An outcome whose forecast (point estimate, range or reachability) changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutcomeChange {
    /// The outcome's id.
    pub id: String,
    /// Its title in the newest version that has it.
    pub title: String,
    /// Old forecast; `None` for an added outcome.
    pub old: Option<OutcomeState>,
    /// New forecast; `None` for a removed outcome.
    pub new: Option<OutcomeState>,
    /// New minus old probability (a missing side counts as 0).
    pub delta: f64,
}

/// A decision on the line of play.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineStep {
    /// Decision id.
    pub decision: String,
    /// Who decides (`nature` for chance).
    pub actor: String,
    /// The option taken.
    pub option: String,
}

/// The strategic line of play, old and new.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StrategyChange {
    /// The old line.
    pub old: Vec<LineStep>,
    /// The old line's outcome.
    pub old_outcome: Option<String>,
    /// The new line.
    pub new: Vec<LineStep>,
    /// The new line's outcome.
    pub new_outcome: Option<String>,
}

/// A key assumption in one version: where the likelihoods and the actor's payoffs disagree.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KeyAssumptionState {
    /// The option the likelihoods make most likely.
    pub forecast: String,
    /// Its probability.
    pub probability: f64,
    /// The options the actor's payoffs make optimal.
    pub strategic: Vec<String>,
}

/// A key assumption that appeared, disappeared or changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KeyAssumptionChange {
    /// The decision.
    pub decision: String,
    /// Old state; `None` when it was no key assumption.
    pub old: Option<KeyAssumptionState>,
    /// New state; `None` when it is no key assumption any more.
    pub new: Option<KeyAssumptionState>,
}

/// The path comparison, or why it was skipped.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum PathDiff {
    /// Every path was compared.
    Compared(PathComparison),
    /// Too many paths, or a walk failed.
    Skipped {
        /// Why, as a sentence.
        reason: String,
    },
}

/// Paths matched by their choices on the decisions both versions share.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathComparison {
    /// The decisions both versions have, in the new order; paths are matched on these.
    pub decisions: Vec<String>,
    /// Matched paths (by choices on the shared decisions).
    pub matched: u64,
    /// Matched paths whose outcome changed.
    pub changed: u64,
    /// Paths only the old version has (a guard or an option changed).
    pub only_old: u64,
    /// Paths only the new version has.
    pub only_new: u64,
    /// The most likely changed paths (by the larger of the two probabilities), most likely
    /// first.
    pub examples: Vec<PathChange>,
    /// Every changed, vanished and new path, grouped by where they end, most probable group
    /// first, each with its most likely path as a witness.
    pub groups: Vec<PathGroup>,
}

/// What happened to a group of paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PathGroupKind {
    /// In both versions, ending elsewhere now.
    Moved,
    /// Only in the new version (a guard or an option changed).
    New,
    /// Only in the old version.
    Gone,
}

/// Paths that share what happened to them: "N paths now end in X instead of Y".
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathGroup {
    /// Moved, new or gone.
    pub kind: PathGroupKind,
    /// Where they ended in the old version (empty for new paths).
    pub old_outcomes: Vec<String>,
    /// Where they end in the new version (empty for gone paths).
    pub new_outcomes: Vec<String>,
    /// How many paths (matched by their choices on the shared decisions).
    pub paths: u64,
    /// Their total probability in the old version.
    pub old_probability: f64,
    /// Their total probability in the new version.
    pub new_probability: f64,
    /// The most likely of them: `(decision, option)` on the shared decisions.
    pub witness: Vec<(String, Option<String>)>,
}

/// A path whose outcome changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathChange {
    /// `(decision, option)` on the shared decisions; `None` when skipped.
    pub choices: Vec<(String, Option<String>)>,
    /// Outcomes the old version reaches on it (more than one when the old version has a
    /// decision the new one lacks).
    pub old_outcomes: Vec<String>,
    /// Outcomes the new version reaches on it.
    pub new_outcomes: Vec<String>,
    /// Its probability in the old version.
    pub old_probability: f64,
    /// Its probability in the new version.
    pub new_probability: f64,
}

/// A test whose result changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestChange {
    /// The test's id.
    pub id: String,
    /// Old result; `None` for an added test.
    pub old: Option<TestStatus>,
    /// New result; `None` for a removed test.
    pub new: Option<TestStatus>,
}

/// Compares two versions of a scenario.
pub fn diff(old: &Version<'_>, new: &Version<'_>, limits: &EvalLimits) -> ScenarioDiff {
    let changes = model_changes(old.scenario, new.scenario);
    let (results, unavailable) = match (old.program, old.evaluation, new.program, new.evaluation) {
        (Some(op), Some(oe), Some(np), Some(ne)) => (
            Some(results_diff(
                (old.scenario, op, oe),
                (new.scenario, np, ne),
                limits,
            )),
            None,
        ),
        _ => {
            let which = match (old.evaluation.is_some(), new.evaluation.is_some()) {
                (false, false) => "both versions have errors",
                (false, true) => "the old version has errors",
                _ => "the new version has errors",
            };
            (
                None,
                Some(format!(
                    "{which}, so only the model is compared; run `casus check` to see them"
                )),
            )
        }
    };
    ScenarioDiff {
        changes,
        results,
        unavailable,
    }
}

// ---------------------------------------------------------------------------------------------
// The model

type Fields = Vec<(String, String)>;

/// Every item of a scenario with its fields, by kind.
fn items(scenario: &Scenario) -> Vec<(ItemKind, String, Fields)> {
    let mut out = Vec::new();
    let meta = &scenario.meta;
    let mut fields = vec![("title".to_owned(), meta.title.clone())];
    push_opt(&mut fields, "summary", meta.summary.as_deref());
    push_opt(&mut fields, "as_of", meta.as_of.as_deref());
    push_list(&mut fields, "sources", &meta.sources);
    push_list(&mut fields, "tags", &meta.tags);
    out.push((ItemKind::Scenario, "scenario".to_owned(), fields));

    for actor in &scenario.actors {
        let mut fields = vec![("name".to_owned(), actor.name.clone())];
        push_opt(&mut fields, "doc", actor.doc.as_deref());
        out.push((ItemKind::Actor, actor.id.name.clone(), fields));
    }
    for fact in &scenario.facts {
        let mut fields = Vec::new();
        match &fact.kind {
            FactKind::Input {
                value,
                ty,
                unit,
                source,
            } => {
                fields.push(("kind".to_owned(), "input".to_owned()));
                fields.push(("value".to_owned(), value_text(&value.value)));
                if let Type::Enum(_) = ty {
                    fields.push(("type".to_owned(), type_text(ty)));
                }
                push_opt(&mut fields, "unit", unit.as_deref());
                push_opt(&mut fields, "source", source.as_deref());
            }
            FactKind::Derived { ty, default } => {
                fields.push(("kind".to_owned(), "derived".to_owned()));
                fields.push(("type".to_owned(), type_text(ty)));
                fields.push(("default".to_owned(), value_text(&default.value)));
            }
        }
        push_opt(&mut fields, "doc", fact.doc.as_deref());
        out.push((ItemKind::Fact, fact.id.name.clone(), fields));
    }
    for (position, decision) in scenario.decisions.iter().enumerate() {
        let mut fields = vec![
            ("position".to_owned(), (position + 1).to_string()),
            ("actor".to_owned(), decision.actor.name.clone()),
        ];
        push_opt(&mut fields, "ask", decision.ask.as_deref());
        fields.push((
            "options".to_owned(),
            format!("[{}]", decision.option_names().join(", ")),
        ));
        if let Some(when) = &decision.when {
            fields.push(("when".to_owned(), expr_text(when)));
        }
        if decision.estimates.is_empty() {
            if let Some(table) = &decision.likelihood {
                push_likelihoods(&mut fields, "likelihood", table);
            }
        } else {
            // The pooled table follows from the estimates; each analyst's is what changed.
            for estimate in &decision.estimates {
                let head = format!("likelihood.by.{}", estimate.analyst.name);
                push_likelihoods(&mut fields, &head, &estimate.table);
                push_opt(
                    &mut fields,
                    &format!("{head}.as_of"),
                    estimate.as_of.as_ref().map(|a| a.value.as_str()),
                );
                push_opt(
                    &mut fields,
                    &format!("{head}.source"),
                    estimate.source.as_deref(),
                );
            }
        }
        for (i, conditional) in decision.likelihood_if.iter().enumerate() {
            let head = format!("likelihood_if[{}]", i + 1);
            fields.push((format!("{head}.when"), expr_text(&conditional.when)));
            push_likelihoods(&mut fields, &head, &conditional.table);
        }
        push_opt(&mut fields, "doc", decision.doc.as_deref());
        out.push((ItemKind::Decision, decision.id.name.clone(), fields));
    }
    for rule in &scenario.rules {
        let mut fields = vec![("when".to_owned(), expr_text(&rule.when))];
        for a in &rule.then {
            fields.push((format!("then.{}", a.fact.name), value_text(&a.value.value)));
        }
        for c in &rule.add {
            fields.push((
                format!("add.{}", c.fact.name),
                format_number(c.amount.value),
            ));
        }
        push_opt(&mut fields, "because", rule.because.as_deref());
        push_opt(&mut fields, "source", rule.source.as_deref());
        if rule.priority.value != 0 {
            fields.push(("priority".to_owned(), rule.priority.value.to_string()));
        }
        out.push((ItemKind::Rule, rule.id.name.clone(), fields));
    }
    for outcome in &scenario.outcomes {
        let mut fields = vec![("title".to_owned(), outcome.title.clone())];
        fields.push((
            "when".to_owned(),
            outcome
                .when
                .as_ref()
                .map_or_else(|| "(fallback)".to_owned(), expr_text),
        ));
        for (actor, p) in &outcome.payoff {
            fields.push((format!("payoff.{}", actor.name), format_number(p.value)));
        }
        push_opt(&mut fields, "doc", outcome.doc.as_deref());
        out.push((ItemKind::Outcome, outcome.id.name.clone(), fields));
    }
    for variant in &scenario.variants {
        let mut fields = Vec::new();
        push_opt(&mut fields, "title", variant.title.as_deref());
        push_opt(&mut fields, "source", variant.source.as_deref());
        for (fact, value) in &variant.facts {
            fields.push((format!("facts.{}", fact.name), value_text(&value.value)));
        }
        for (decision, table) in &variant.likelihood {
            push_likelihoods(&mut fields, &format!("likelihood.{}", decision.name), table);
        }
        for (outcome, payoffs) in &variant.payoff {
            for (actor, p) in payoffs {
                fields.push((
                    format!("payoff.{}.{}", outcome.name, actor.name),
                    format_number(p.value),
                ));
            }
        }
        push_opt(&mut fields, "doc", variant.doc.as_deref());
        out.push((ItemKind::Variant, variant.id.name.clone(), fields));
    }
    for signpost in &scenario.signposts {
        let mut fields = Vec::new();
        push_opt(&mut fields, "title", signpost.title.as_deref());
        push_opt(&mut fields, "source", signpost.source.as_deref());
        match &signpost.evidence {
            Some(casus_core::model::Evidence::Ratio { decision, ratios }) => {
                fields.push(("decision".to_owned(), decision.name.clone()));
                for (option, ratio) in ratios {
                    fields.push((format!("ratio.{}", option.name), format_number(ratio.value)));
                }
            }
            Some(casus_core::model::Evidence::When(expr)) => {
                fields.push(("when".to_owned(), expr_text(expr)));
            }
            None => {}
        }
        push_opt(&mut fields, "doc", signpost.doc.as_deref());
        out.push((ItemKind::Signpost, signpost.id.name.clone(), fields));
    }
    for test in &scenario.tests {
        let mut fields = Vec::new();
        for (k, v) in &test.given {
            fields.push((format!("given.{}", k.name), value_text(&v.value)));
        }
        for (k, v) in &test.expect {
            fields.push((format!("expect.{}", k.name), value_text(&v.value)));
        }
        for (k, r) in &test.expect_probability {
            fields.push((
                format!("expect_probability.{}", k.name),
                format!(
                    "[{}, {}]",
                    format_number(r.value.0),
                    format_number(r.value.1)
                ),
            ));
        }
        push_opt(&mut fields, "doc", test.doc.as_deref());
        out.push((ItemKind::Test, test.id.name.clone(), fields));
    }
    out
}

fn push_opt(fields: &mut Fields, name: &str, value: Option<&str>) {
    if let Some(v) = value {
        fields.push((name.to_owned(), v.to_owned()));
    }
}

fn push_list(fields: &mut Fields, name: &str, values: &[String]) {
    if !values.is_empty() {
        let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
        fields.push((name.to_owned(), format!("[{}]", quoted.join(", "))));
    }
}

fn push_likelihoods(fields: &mut Fields, head: &str, table: &LikelihoodTable) {
    for (option, likelihood) in &table.entries {
        fields.push((
            format!("{head}.{}", option.name),
            likelihood_text(likelihood),
        ));
    }
}

/// A likelihood as the analyst wrote it, canonically: `0.25`, `45%`, `[0.2, 0.4]`, `likely`.
pub fn likelihood_text(l: &Likelihood) -> String {
    match l.form {
        Form::Number => format_number(l.point),
        Form::Percent => format!("{}%", format_number((l.point * 1e10).round() / 1e8)),
        Form::Range => format!("[{}, {}]", format_number(l.lo), format_number(l.hi)),
        Form::Word(w) => w.to_owned(),
    }
}

fn value_text(value: &Value) -> String {
    value.display()
}

fn type_text(ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".to_owned(),
        Type::Number => "number".to_owned(),
        Type::Enum(symbols) => format!("[{}]", symbols.join(", ")),
    }
}

/// An expression printed back from its syntax tree, with only the parentheses precedence
/// needs: `a == 'x' and (b or not c)`.
pub fn expr_text(expr: &Expr) -> String {
    let mut out = String::new();
    print_expr(expr, 0, &mut out);
    out
}

/// Binding levels, loosest first; an operand is parenthesised when it binds more loosely than
/// its position requires.
fn level(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Binary(op, _, _) => binary_level(*op),
        ExprKind::Unary(UnaryOp::Not, _) => 3,
        ExprKind::In(_, _) => 4,
        ExprKind::Unary(UnaryOp::Neg, _) => 7,
        _ => 8,
    }
}

fn binary_level(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => 1,
        BinaryOp::And => 2,
        BinaryOp::Add | BinaryOp::Sub => 5,
        BinaryOp::Mul | BinaryOp::Div => 6,
        _ => 4,
    }
}

fn print_expr(expr: &Expr, min: u8, out: &mut String) {
    let own = level(expr);
    let paren = own < min;
    if paren {
        out.push('(');
    }
    match &expr.kind {
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Number(n) => out.push_str(&format_number(*n)),
        ExprKind::Symbol(s) => {
            out.push('\'');
            out.push_str(s);
            out.push('\'');
        }
        ExprKind::Name(n) => out.push_str(n),
        ExprKind::Unary(UnaryOp::Not, operand) => {
            out.push_str("not ");
            print_expr(operand, 3, out);
        }
        ExprKind::Unary(UnaryOp::Neg, operand) => {
            out.push('-');
            print_expr(operand, 7, out);
        }
        ExprKind::Binary(op, lhs, rhs) => {
            let l = binary_level(*op);
            // Comparisons do not chain: both operands must bind more tightly.
            let left_min = if l == 4 { 5 } else { l };
            print_expr(lhs, left_min, out);
            out.push(' ');
            out.push_str(op.as_str());
            out.push(' ');
            print_expr(rhs, l + 1, out);
        }
        ExprKind::In(lhs, items) => {
            print_expr(lhs, 5, out);
            out.push_str(" in [");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                print_expr(item, 0, out);
            }
            out.push(']');
        }
    }
    if paren {
        out.push(')');
    }
}

/// Items added, removed and changed, kind by kind.
fn model_changes(old: &Scenario, new: &Scenario) -> Vec<ItemChange> {
    let old_items = items(old);
    let new_items = items(new);
    let kinds = [
        ItemKind::Scenario,
        ItemKind::Actor,
        ItemKind::Fact,
        ItemKind::Decision,
        ItemKind::Rule,
        ItemKind::Outcome,
        ItemKind::Variant,
        ItemKind::Signpost,
        ItemKind::Test,
    ];
    let mut changes = Vec::new();
    for kind in kinds {
        let olds: Vec<&(ItemKind, String, Fields)> =
            old_items.iter().filter(|i| i.0 == kind).collect();
        let news: Vec<&(ItemKind, String, Fields)> =
            new_items.iter().filter(|i| i.0 == kind).collect();
        for (_, id, fields) in &news {
            match olds.iter().find(|o| o.1 == *id) {
                // An added item lists its fields, so a reviewer sees what it says.
                None => changes.push(ItemChange {
                    kind,
                    id: id.clone(),
                    change: ChangeKind::Added,
                    fields: field_changes(&Vec::new(), fields),
                }),
                Some((_, _, old_fields)) => {
                    let fields = field_changes(old_fields, fields);
                    if !fields.is_empty() {
                        changes.push(ItemChange {
                            kind,
                            id: id.clone(),
                            change: ChangeKind::Changed,
                            fields,
                        });
                    }
                }
            }
        }
        for (_, id, _) in &olds {
            if !news.iter().any(|n| n.1 == *id) {
                changes.push(ItemChange {
                    kind,
                    id: id.clone(),
                    change: ChangeKind::Removed,
                    fields: Vec::new(),
                });
            }
        }
    }
    // A decision's position alone changes when one before it is added or removed; only a real
    // reordering of the decisions both versions share is worth reporting.
    drop_shifted_positions(old, new, &mut changes);
    changes
}

fn field_changes(old: &Fields, new: &Fields) -> Vec<FieldChange> {
    let mut out = Vec::new();
    for (name, old_value) in old {
        let new_value = new.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        if new_value != Some(old_value) {
            out.push(FieldChange {
                field: name.clone(),
                old: Some(old_value.clone()),
                new: new_value.cloned(),
            });
        }
    }
    for (name, new_value) in new {
        if !old.iter().any(|(n, _)| n == name) {
            out.push(FieldChange {
                field: name.clone(),
                old: None,
                new: Some(new_value.clone()),
            });
        }
    }
    out
}

fn drop_shifted_positions(old: &Scenario, new: &Scenario, changes: &mut Vec<ItemChange>) {
    let shared = |a: &Scenario, b: &Scenario| -> Vec<String> {
        a.decisions
            .iter()
            .filter(|d| b.decisions.iter().any(|e| e.id.name == d.id.name))
            .map(|d| d.id.name.clone())
            .collect()
    };
    let reordered = shared(old, new) != shared(new, old);
    if reordered {
        return;
    }
    for change in changes.iter_mut() {
        if change.kind == ItemKind::Decision {
            change.fields.retain(|f| f.field != "position");
        }
    }
    changes.retain(|c| c.change != ChangeKind::Changed || !c.fields.is_empty());
}

// ---------------------------------------------------------------------------------------------
// The results

fn results_diff(
    old: (&Scenario, &Program, &Evaluation),
    new: (&Scenario, &Program, &Evaluation),
    limits: &EvalLimits,
) -> ResultsDiff {
    let (os, op, oe) = old;
    let (ns, np, ne) = new;
    ResultsDiff {
        paths: (oe.paths, ne.paths),
        outcomes: outcome_changes(
            os,
            &(oe, ranges(os, op, limits)),
            ns,
            &(ne, ranges(ns, np, limits)),
        ),
        strategy: strategy_change(os, oe, ns, ne),
        key_assumptions: key_assumption_changes(os, oe, ns, ne),
        paths_changed: path_diff((os, op), (ns, np), limits),
        tests: test_changes(os, ns, limits),
    }
}

/// A version's evaluation with its sensitivity ranges, if they could be computed.
type Forecast<'a> = (&'a Evaluation, Option<Vec<(f64, f64)>>);

fn ranges(scenario: &Scenario, program: &Program, limits: &EvalLimits) -> Option<Vec<(f64, f64)>> {
    let model = crate::session::Model::as_written(scenario, program);
    sensitivity(&model, limits).ok().map(|s| s.ranges)
}

fn state((evaluation, ranges): &Forecast<'_>, index: usize) -> Option<OutcomeState> {
    evaluation.outcomes.get(index).map(|r| OutcomeState {
        probability: r.probability,
        reachable: r.reachable,
        range: ranges.as_ref().and_then(|rs| rs.get(index).copied()),
    })
}

fn moved(old: OutcomeState, new: OutcomeState) -> bool {
    let far = |a: f64, b: f64| (a - b).abs() > PROBABILITY_EPSILON;
    let range_moved = match (old.range, new.range) {
        (Some(a), Some(b)) => far(a.0, b.0) || far(a.1, b.1),
        _ => false,
    };
    far(old.probability, new.probability) || old.reachable != new.reachable || range_moved
}

fn outcome_changes(
    os: &Scenario,
    oe: &Forecast<'_>,
    ns: &Scenario,
    ne: &Forecast<'_>,
) -> Vec<OutcomeChange> {
    let mut out = Vec::new();
    for (i, outcome) in ns.outcomes.iter().enumerate() {
        let new = state(ne, i);
        let old = os
            .outcomes
            .iter()
            .position(|o| o.id.name == outcome.id.name)
            .and_then(|j| state(oe, j));
        let p = |s: Option<OutcomeState>| s.map_or(0.0, |s| s.probability);
        let delta = p(new) - p(old);
        let moved = match (old, new) {
            (Some(o), Some(n)) => moved(o, n),
            _ => true,
        };
        if moved {
            out.push(OutcomeChange {
                id: outcome.id.name.clone(),
                title: outcome.title.clone(),
                old,
                new,
                delta,
            });
        }
    }
    for (j, outcome) in os.outcomes.iter().enumerate() {
        if !ns.outcomes.iter().any(|o| o.id.name == outcome.id.name) {
            let old = state(oe, j);
            out.push(OutcomeChange {
                id: outcome.id.name.clone(),
                title: outcome.title.clone(),
                old,
                new: None,
                delta: -old.map_or(0.0, |s| s.probability),
            });
        }
    }
    out
}

fn line(scenario: &Scenario, evaluation: &Evaluation) -> (Vec<LineStep>, Option<String>) {
    let steps = evaluation
        .strategy
        .line
        .iter()
        .filter_map(|step| {
            let d = scenario.decisions.get(step.decision)?;
            Some(LineStep {
                decision: d.id.name.clone(),
                actor: d.actor.name.clone(),
                option: d.options.get(step.option)?.name.clone(),
            })
        })
        .collect();
    let outcome = evaluation
        .strategy
        .outcome
        .and_then(|o| scenario.outcomes.get(o))
        .map(|o| o.id.name.clone());
    (steps, outcome)
}

fn strategy_change(
    os: &Scenario,
    oe: &Evaluation,
    ns: &Scenario,
    ne: &Evaluation,
) -> Option<StrategyChange> {
    let (old, old_outcome) = line(os, oe);
    let (new, new_outcome) = line(ns, ne);
    (old != new || old_outcome != new_outcome).then_some(StrategyChange {
        old,
        old_outcome,
        new,
        new_outcome,
    })
}

fn key_assumptions(
    scenario: &Scenario,
    evaluation: &Evaluation,
) -> Vec<(String, KeyAssumptionState)> {
    evaluation
        .key_assumptions
        .iter()
        .filter_map(|k| {
            let d = scenario.decisions.get(k.decision)?;
            let name = |i: usize| d.options.get(i).map(|o| o.name.clone());
            Some((
                d.id.name.clone(),
                KeyAssumptionState {
                    forecast: name(k.forecast)?,
                    probability: k.forecast_probability,
                    strategic: k.strategic.iter().filter_map(|&i| name(i)).collect(),
                },
            ))
        })
        .collect()
}

/// Key assumptions that appeared or disappeared, or whose likeliest option, strategic choice
/// or probability changed.
fn key_assumption_changes(
    os: &Scenario,
    oe: &Evaluation,
    ns: &Scenario,
    ne: &Evaluation,
) -> Vec<KeyAssumptionChange> {
    let old = key_assumptions(os, oe);
    let new = key_assumptions(ns, ne);
    let same = |a: &KeyAssumptionState, b: &KeyAssumptionState| {
        a.forecast == b.forecast
            && a.strategic == b.strategic
            && (a.probability - b.probability).abs() <= PROBABILITY_EPSILON
    };
    let mut out = Vec::new();
    for (decision, state) in &new {
        let before = old.iter().find(|(d, _)| d == decision).map(|(_, s)| s);
        if before.is_none_or(|b| !same(b, state)) {
            out.push(KeyAssumptionChange {
                decision: decision.clone(),
                old: before.cloned(),
                new: Some(state.clone()),
            });
        }
    }
    for (decision, state) in &old {
        if !new.iter().any(|(d, _)| d == decision) {
            out.push(KeyAssumptionChange {
                decision: decision.clone(),
                old: Some(state.clone()),
                new: None,
            });
        }
    }
    out
}

fn test_changes(os: &Scenario, ns: &Scenario, limits: &EvalLimits) -> Vec<TestChange> {
    let old_results = run_tests(os, limits);
    let new_results = run_tests(ns, limits);
    let status =
        |scenario: &Scenario, results: &[crate::workflow::testing::TestResult], id: &str| {
            let index = scenario.tests.iter().position(|t| t.id.name == id)?;
            results.iter().find(|r| r.index == index).map(|r| r.status)
        };
    let mut out = Vec::new();
    for test in &ns.tests {
        let id = &test.id.name;
        let (old, new) = (status(os, &old_results, id), status(ns, &new_results, id));
        if old != new {
            out.push(TestChange {
                id: id.clone(),
                old,
                new,
            });
        }
    }
    for test in &os.tests {
        let id = &test.id.name;
        if !ns.tests.iter().any(|t| t.id.name == *id) {
            out.push(TestChange {
                id: id.clone(),
                old: status(os, &old_results, id),
                new: None,
            });
        }
    }
    out
}

/// What one version does on the paths that share a key.
#[derive(Default)]
struct Bucket {
    outcomes: Vec<u32>,
    probability: f64,
}

/// Interns strings so path keys are small vectors of numbers.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }

    fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("?", String::as_str)
    }
}

const SKIPPED: u32 = u32::MAX;

fn path_diff(
    old: (&Scenario, &Program),
    new: (&Scenario, &Program),
    limits: &EvalLimits,
) -> PathDiff {
    let shared: Vec<String> = new
        .0
        .decisions
        .iter()
        .filter(|d| old.0.decisions.iter().any(|o| o.id.name == d.id.name))
        .map(|d| d.id.name.clone())
        .collect();
    let mut interner = Interner::default();
    let max = limits.max_paths.min(MAX_COMPARED_PATHS);
    let old_paths = match collect_paths(old, &shared, &mut interner, max) {
        Ok(p) => p,
        Err(reason) => return PathDiff::Skipped { reason },
    };
    let new_paths = match collect_paths(new, &shared, &mut interner, max) {
        Ok(p) => p,
        Err(reason) => return PathDiff::Skipped { reason },
    };
    let mut comparison = PathComparison {
        decisions: shared.clone(),
        matched: 0,
        changed: 0,
        only_old: 0,
        only_new: 0,
        examples: Vec::new(),
        groups: Vec::new(),
    };
    // (kind, old outcomes, new outcomes) → paths, old and new probability, most likely key.
    type Acc = (u64, f64, f64, f64, Vec<u32>);
    let mut groups: std::collections::BTreeMap<(PathGroupKind, Vec<u32>, Vec<u32>), Acc> =
        std::collections::BTreeMap::new();
    let mut add = |kind, old: Option<&Bucket>, new: Option<&Bucket>, key: &Vec<u32>| {
        let outcomes = |b: Option<&Bucket>| b.map(|b| b.outcomes.clone()).unwrap_or_default();
        let p = |b: Option<&Bucket>| b.map_or(0.0, |b| b.probability);
        let weight = p(old).max(p(new));
        let acc = groups
            .entry((kind, outcomes(old), outcomes(new)))
            .or_insert_with(|| (0, 0.0, 0.0, f64::NEG_INFINITY, key.clone()));
        acc.0 += 1;
        acc.1 += p(old);
        acc.2 += p(new);
        // Most likely first; the key breaks ties so the witness never depends on the map.
        if weight > acc.3 || (weight == acc.3 && *key < acc.4) {
            acc.3 = weight;
            acc.4.clone_from(key);
        }
    };
    let mut changed: Vec<(&Vec<u32>, &Bucket, &Bucket)> = Vec::new();
    // In key order, so sums of probabilities add up in the same order on every run.
    let mut new_sorted: Vec<(&Vec<u32>, &Bucket)> = new_paths.iter().collect();
    new_sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut old_sorted: Vec<(&Vec<u32>, &Bucket)> = old_paths.iter().collect();
    old_sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (key, new_bucket) in new_sorted {
        match old_paths.get(key) {
            None => {
                comparison.only_new += 1;
                add(PathGroupKind::New, None, Some(new_bucket), key);
            }
            Some(old_bucket) => {
                comparison.matched += 1;
                if old_bucket.outcomes != new_bucket.outcomes {
                    comparison.changed += 1;
                    changed.push((key, old_bucket, new_bucket));
                    add(
                        PathGroupKind::Moved,
                        Some(old_bucket),
                        Some(new_bucket),
                        key,
                    );
                }
            }
        }
    }
    for (key, old_bucket) in old_sorted {
        if !new_paths.contains_key(key) {
            comparison.only_old += 1;
            add(PathGroupKind::Gone, Some(old_bucket), None, key);
        }
    }
    // Most likely first; the key breaks ties so the order never
    // depends on the hash map.
    changed.sort_by(|a, b| {
        let pa = a.1.probability.max(a.2.probability);
        let pb = b.1.probability.max(b.2.probability);
        pb.total_cmp(&pa).then_with(|| a.0.cmp(b.0))
    });
    let names = |ids: &[u32], interner: &Interner| -> Vec<String> {
        ids.iter().map(|&i| interner.name(i).to_owned()).collect()
    };
    let choices = |key: &[u32]| -> Vec<(String, Option<String>)> {
        shared
            .iter()
            .zip(key.iter())
            .map(|(d, &option)| {
                (
                    d.clone(),
                    (option != SKIPPED).then(|| interner.name(option).to_owned()),
                )
            })
            .collect()
    };
    let mut grouped: Vec<PathGroup> = groups
        .into_iter()
        .map(|((kind, old, new), (paths, po, pn, _, key))| PathGroup {
            kind,
            old_outcomes: names(&old, &interner),
            new_outcomes: names(&new, &interner),
            paths,
            old_probability: po,
            new_probability: pn,
            witness: choices(&key),
        })
        .collect();
    // The most probable group first; then by kind and names, so the order is stable.
    grouped.sort_by(|a, b| {
        let pa = a.old_probability.max(a.new_probability);
        let pb = b.old_probability.max(b.new_probability);
        pb.total_cmp(&pa)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.old_outcomes.cmp(&b.old_outcomes))
            .then_with(|| a.new_outcomes.cmp(&b.new_outcomes))
    });
    comparison.groups = grouped;
    comparison.examples = changed
        .iter()
        .take(PATH_EXAMPLES)
        .map(|(key, o, n)| PathChange {
            choices: choices(key),
            old_outcomes: names(&o.outcomes, &interner),
            new_outcomes: names(&n.outcomes, &interner),
            old_probability: o.probability,
            new_probability: n.probability,
        })
        .collect();
    PathDiff::Compared(comparison)
}

/// Every path of one version, keyed by its choices on the shared decisions.
fn collect_paths(
    (scenario, program): (&Scenario, &Program),
    shared: &[String],
    interner: &mut Interner,
    max: u64,
) -> Result<HashMap<Vec<u32>, Bucket>, String> {
    // Where each of this version's decisions goes in the key, if it is shared.
    let position: Vec<Option<usize>> = scenario
        .decisions
        .iter()
        .map(|d| shared.iter().position(|s| *s == d.id.name))
        .collect();
    // Options and outcomes interned by name, so the two versions agree on the numbers.
    let options: Vec<Vec<u32>> = scenario
        .decisions
        .iter()
        .map(|d| d.options.iter().map(|o| interner.id(&o.name)).collect())
        .collect();
    let outcomes: Vec<u32> = scenario
        .outcomes
        .iter()
        .map(|o| interner.id(&o.id.name))
        .collect();
    let none = interner.id("(no outcome)");
    let mut paths: HashMap<Vec<u32>, Bucket> = HashMap::new();
    let walked = walk(
        program,
        &Given::none(program.decisions.len()),
        max,
        |path| {
            let mut key = vec![SKIPPED; shared.len()];
            for step in path.steps {
                if let (Some(Some(at)), Some(option)) = (position.get(step.decision), step.option) {
                    key[*at] = options[step.decision]
                        .get(option)
                        .copied()
                        .unwrap_or(SKIPPED);
                }
            }
            let outcome = path
                .outcome
                .and_then(|o| outcomes.get(o).copied())
                .unwrap_or(none);
            let bucket = paths.entry(key).or_default();
            if !bucket.outcomes.contains(&outcome) {
                bucket.outcomes.push(outcome);
                bucket.outcomes.sort_unstable();
            }
            bucket.probability += path.probability;
            ControlFlow::Continue(())
        },
    );
    match walked {
        Ok(_) => Ok(paths),
        Err(_) => Err(format!(
            "a version has more than {max} paths, too many to compare one by one; raise the limit with `--max-paths` (up to {MAX_COMPARED_PATHS})"
        )),
    }
}
