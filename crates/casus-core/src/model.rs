//! The typed scenario model that loading produces and checking validates.
//!
//! The model mirrors format v1 closely and keeps a span on everything an analyst wrote, so
//! later stages (the engine's path-dependent checks, lints, reports) can point back at the
//! source. Items are kept in file order; decisions' order is meaningful (they happen in it),
//! for the rest it only keeps reports in the order the analyst chose.

use crate::expr::Expr;
use crate::likelihood::Likelihood;
use crate::span::{Span, Spanned};

/// The actor id reserved for chance events.
pub const NATURE: &str = "nature";

/// An id as written, with its span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The id text.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A value a fact or decision can hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `true` or `false`.
    Bool(bool),
    /// A finite number.
    Number(f64),
    /// A symbol: an option of a decision or a member of an enum fact type.
    Symbol(String),
}

impl Value {
    /// The value as an analyst would write it in an expression.
    pub fn display(&self) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => format_number(*n),
            Value::Symbol(s) => s.clone(),
        }
    }
}

/// Formats a number the same way on every machine: integers without a fraction, others with
/// the shortest representation that round-trips.
pub fn format_number(n: f64) -> String {
    if n == n.trunc() && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// User text quoted in a message: shortened, with control characters (line breaks, tabs,
/// terminal escapes) made visible, so a hostile or mistyped value can neither flood nor break
/// a one-line message.
pub(crate) fn user_text(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 60 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The type of a fact or decision.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// One of a fixed set of symbols (a decision's options or an enum fact type).
    Enum(Vec<String>),
}

impl Type {
    /// How the type is named in messages.
    pub fn describe(&self) -> String {
        match self {
            Type::Bool => "true or false".to_owned(),
            Type::Number => "a number".to_owned(),
            Type::Enum(symbols) => format!("one of {}", list(symbols)),
        }
    }

    /// Whether `value` has this type.
    pub fn admits(&self, value: &Value) -> bool {
        match (self, value) {
            (Type::Bool, Value::Bool(_)) | (Type::Number, Value::Number(_)) => true,
            (Type::Enum(symbols), Value::Symbol(s)) => symbols.contains(s),
            _ => false,
        }
    }
}

/// `a`, `a` or `b`, `a`, `b` or `c` — for messages, each in backticks.
pub fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => "nothing".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A whole scenario file.
#[derive(Clone, Debug, Default)]
pub struct Scenario {
    /// The `[scenario]` table.
    pub meta: Meta,
    /// `[actors]`, in file order.
    pub actors: Vec<Actor>,
    /// `[facts]`, in file order.
    pub facts: Vec<Fact>,
    /// `[decisions.*]`, in file order, which is the order they happen in.
    pub decisions: Vec<Decision>,
    /// `[rules.*]`, in file order (which never changes a result).
    pub rules: Vec<Rule>,
    /// `[outcomes.*]`, in file order.
    pub outcomes: Vec<Outcome>,
    /// `[tests.*]`, in file order.
    pub tests: Vec<Test>,
}

/// The `[scenario]` table.
#[derive(Clone, Debug, Default)]
pub struct Meta {
    /// What the scenario is about.
    pub title: String,
    /// The question it answers.
    pub summary: Option<String>,
    /// The date the assessment is as of, as written (`YYYY-MM-DD`).
    pub as_of: Option<String>,
    /// Where the facts come from.
    pub sources: Vec<String>,
    /// Free tags for grouping scenarios.
    pub tags: Vec<String>,
    /// The `[scenario]` header.
    pub span: Span,
}

/// Someone who decides, or who has payoffs.
#[derive(Clone, Debug)]
pub struct Actor {
    /// The id used in decisions and payoffs.
    pub id: Ident,
    /// The display name.
    pub name: String,
    /// A longer description.
    pub doc: Option<String>,
}

/// A fact: known input or derived by rules.
#[derive(Clone, Debug)]
pub struct Fact {
    /// The name expressions read.
    pub id: Ident,
    /// Input or derived.
    pub kind: FactKind,
    /// A longer description.
    pub doc: Option<String>,
}

/// Whether a fact is known or computed.
#[derive(Clone, Debug)]
pub enum FactKind {
    /// A known value; a test may override it.
    Input {
        /// The value.
        value: Spanned<Value>,
        /// The values a test may override it with. Bool and number facts have their own type;
        /// a symbol fact admits its value plus those listed in an optional `type`.
        ty: Type,
        /// Unit, for reports (`%`, `bn USD`).
        unit: Option<String>,
        /// Where the value comes from.
        source: Option<String>,
    },
    /// A value only rules set or add to.
    Derived {
        /// What it can hold.
        ty: Type,
        /// Its value when no rule sets it, or the base that `add` rules add to.
        default: Spanned<Value>,
    },
}

impl Fact {
    /// The fact's type.
    pub fn ty(&self) -> &Type {
        match &self.kind {
            FactKind::Input { ty, .. } | FactKind::Derived { ty, .. } => ty,
        }
    }

    /// Whether rules compute this fact.
    pub fn is_derived(&self) -> bool {
        matches!(self.kind, FactKind::Derived { .. })
    }
}

/// An open decision: an actor (or nature) picks one option.
#[derive(Clone, Debug)]
pub struct Decision {
    /// The name expressions read.
    pub id: Ident,
    /// Who decides; `nature` for chance events.
    pub actor: Ident,
    /// The question, in the analyst's words.
    pub ask: Option<String>,
    /// A longer description.
    pub doc: Option<String>,
    /// The options, in file order.
    pub options: Vec<Ident>,
    /// The guard: when false the decision is skipped and stays unset.
    pub when: Option<Expr>,
    /// Likelihood of each option, if the analyst has a judgement.
    pub likelihood: Option<LikelihoodTable>,
    /// Conditional likelihoods; the first whose `when` holds wins.
    pub likelihood_if: Vec<ConditionalLikelihood>,
    /// The `[decisions.ID]` table.
    pub span: Span,
}

impl Decision {
    /// Whether this is a chance event rather than an actor's choice.
    pub fn is_chance(&self) -> bool {
        self.actor.name == NATURE
    }

    /// The option names, in order.
    pub fn option_names(&self) -> Vec<String> {
        self.options.iter().map(|o| o.name.clone()).collect()
    }
}

/// A likelihood per option.
#[derive(Clone, Debug)]
pub struct LikelihoodTable {
    /// Option and likelihood, in the order written.
    pub entries: Vec<(Ident, Likelihood)>,
    /// The whole table.
    pub span: Span,
}

impl LikelihoodTable {
    /// The likelihood given for `option`.
    pub fn get(&self, option: &str) -> Option<&Likelihood> {
        self.entries
            .iter()
            .find(|(o, _)| o.name == option)
            .map(|(_, l)| l)
    }
}

/// One `[[decisions.ID.likelihood_if]]` entry.
#[derive(Clone, Debug)]
pub struct ConditionalLikelihood {
    /// When this table applies.
    pub when: Expr,
    /// The likelihoods.
    pub table: LikelihoodTable,
}

/// An if/then rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The rule's id.
    pub id: Ident,
    /// When it fires.
    pub when: Expr,
    /// Facts it sets.
    pub then: Vec<Assignment>,
    /// Number facts it adds to.
    pub add: Vec<Contribution>,
    /// Why, in the analyst's words; quoted by explanations and reports.
    pub because: Option<String>,
    /// Who says so.
    pub source: Option<String>,
    /// Resolves conflicts: of two rules setting one fact, the higher priority wins.
    pub priority: Spanned<i64>,
}

/// `fact = value` in a rule's `then`.
#[derive(Clone, Debug)]
pub struct Assignment {
    /// The derived fact set.
    pub fact: Ident,
    /// The value it gets.
    pub value: Spanned<Value>,
}

/// `fact = amount` in a rule's `add`.
#[derive(Clone, Debug)]
pub struct Contribution {
    /// The number fact added to.
    pub fact: Ident,
    /// How much is added.
    pub amount: Spanned<f64>,
}

/// A result the analyst cares about.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The outcome's id.
    pub id: Ident,
    /// What it means.
    pub title: String,
    /// When a path reaches it; `None` for the fallback.
    pub when: Option<Expr>,
    /// Utility per actor, for the strategy solver.
    pub payoff: Vec<(Ident, Spanned<f64>)>,
    /// A longer description.
    pub doc: Option<String>,
}

impl Outcome {
    /// The payoff of `actor`, if given.
    pub fn payoff_of(&self, actor: &str) -> Option<f64> {
        self.payoff
            .iter()
            .find(|(a, _)| a.name == actor)
            .map(|(_, p)| p.value)
    }
}

/// A `[tests.ID]` table.
#[derive(Clone, Debug)]
pub struct Test {
    /// The test's id.
    pub id: Ident,
    /// Decisions fixed and input facts overridden.
    pub given: Vec<(Ident, Spanned<Value>)>,
    /// Values that must hold on every path consistent with `given`; the key `outcome` names
    /// the outcome.
    pub expect: Vec<(Ident, Spanned<Value>)>,
    /// Outcomes whose probability must lie in a range.
    pub expect_probability: Vec<(Ident, Spanned<(f64, f64)>)>,
    /// What the test guards against.
    pub doc: Option<String>,
    /// The test's table.
    pub span: Span,
}

/// The key in a test's `expect` that names the outcome.
pub const EXPECT_OUTCOME: &str = "outcome";
