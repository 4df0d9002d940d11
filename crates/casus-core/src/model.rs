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
    /// `[variants.*]`, in file order: alternative futures that override inputs, likelihoods
    /// and payoffs of the base scenario.
    pub variants: Vec<Variant>,
    /// `[signposts.*]`, in file order: observable indicators that condition the forecast.
    pub signposts: Vec<Signpost>,
    /// `[lints]`, in file order: the level this file gives each lint it names.
    pub lints: Vec<LintSetting>,
    /// `[resolution]`: how the question came out, when it has.
    pub resolution: Option<Resolution>,
}

/// The word `outcome` takes in `[resolution]` when none of the scenario's outcomes happened
/// (unless the scenario has an outcome of that name, which it then means).
pub const NONE_OF_THESE: &str = "none";

/// The `[resolution]` table: what happened, when, on whose word, and the signposts seen on the
/// way. It records the world, not a judgement, so it never changes the forecast as written;
/// `casus score` reads it to score the file's earlier forecasts.
#[derive(Clone, Debug)]
pub struct Resolution {
    /// The outcome that happened, or [`NONE_OF_THESE`]; `None` while the question is open.
    pub outcome: Option<Ident>,
    /// When the outcome happened (`YYYY-MM-DD`).
    pub date: Option<Spanned<String>>,
    /// Where the resolution comes from.
    pub source: Option<String>,
    /// The variant whose forecast is the forecast of record.
    pub variant: Option<Ident>,
    /// Each signpost seen, with the date (`YYYY-MM-DD`) it was seen, in file order.
    pub observed: Vec<(Ident, Spanned<String>)>,
    /// A longer description.
    pub doc: Option<String>,
    /// The `[resolution]` header.
    pub span: Span,
}

impl Resolution {
    /// The signposts seen on or before `date` (`YYYY-MM-DD`), in file order. TOML dates are
    /// written with four-digit years and two-digit months and days, so comparing the text
    /// compares the dates.
    pub fn observed_by(&self, date: &str) -> Vec<String> {
        self.observed
            .iter()
            .filter(|(_, seen)| seen.value.as_str() <= date)
            .map(|(id, _)| id.name.clone())
            .collect()
    }
}

/// How a lint is reported: set per file in `[lints]` and per run on the command line, so a
/// team decides which findings fail its CI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Not reported at all.
    Allow,
    /// Reported as a note; never fails a run.
    Note,
    /// Reported as a warning; fails a run only under `--deny warnings`.
    Warn,
    /// Reported as an error; fails the run.
    Deny,
}

impl Level {
    /// Every level, from quietest to loudest.
    pub const ALL: [Level; 4] = [Level::Allow, Level::Note, Level::Warn, Level::Deny];

    /// The word written in `[lints]` and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Note => "note",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    /// Reads a level word as `[lints]` writes it.
    pub fn parse(text: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == text)
    }

    /// The severity a finding gets at this level; `None` when it is not reported.
    pub fn severity(self) -> Option<crate::diagnostic::Severity> {
        use crate::diagnostic::Severity;
        match self {
            Level::Allow => None,
            Level::Note => Some(Severity::Note),
            Level::Warn => Some(Severity::Warning),
            Level::Deny => Some(Severity::Error),
        }
    }
}

/// One entry of `[lints]`: `dead_rule = "allow"`.
#[derive(Clone, Debug)]
pub struct LintSetting {
    /// The lint's name as written.
    pub name: Ident,
    /// The lint it names.
    pub code: crate::codes::Code,
    /// The level the file gives it.
    pub level: Spanned<Level>,
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
    /// How old (in days before `as_of`) an analyst's estimate may be before `casus check`
    /// warns that it is stale.
    pub max_estimate_age_days: Option<Spanned<i64>>,
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
    /// Estimates of several analysts (`likelihood.by.ANALYST`), in file order. When there are
    /// any, `likelihood` holds their linear pool (see [`linear_pool`]), so the rest of casus
    /// reads one table either way.
    pub estimates: Vec<Estimate>,
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
    /// The variant the test runs against, instead of the base scenario.
    pub variant: Option<Ident>,
}

/// The key in a test's `expect` that names the outcome.
pub const EXPECT_OUTCOME: &str = "outcome";

/// One analyst's likelihood table for a decision: `likelihood.by.ANALYST = { … }`.
#[derive(Clone, Debug)]
pub struct Estimate {
    /// Who made the estimate. A plain table written beside `by` is kept as an estimate
    /// named [`UNATTRIBUTED`].
    pub analyst: Ident,
    /// The likelihood of each option.
    pub table: LikelihoodTable,
    /// The date the estimate was made, as written (`YYYY-MM-DD`).
    pub as_of: Option<Spanned<String>>,
    /// Where the estimate comes from.
    pub source: Option<String>,
}

/// The name of the estimate a plain `likelihood` table stands for when analysts' estimates
/// are written beside it; not a valid id, so it cannot clash with an analyst.
pub const UNATTRIBUTED: &str = "(unattributed)";

/// The linear pool of several analysts' estimates, with equal weights: each option's point
/// estimate is the mean of the analysts' normalised point estimates, and its band is the
/// envelope of their bands (lowest low to highest high), so the pool is never more certain
/// than the least certain analyst.
///
/// If every estimate's bands can sum to 1, so can the envelope's: the pool stays valid.
pub fn linear_pool(estimates: &[Estimate], options: &[Ident], span: Span) -> LikelihoodTable {
    let normalised: Vec<Vec<f64>> = estimates
        .iter()
        .map(|e| {
            let points: Vec<f64> = options
                .iter()
                .map(|o| e.table.get(&o.name).map_or(0.0, |l| l.point))
                .collect();
            let total: f64 = points.iter().sum();
            if total > 0.0 {
                points.iter().map(|p| p / total).collect()
            } else {
                vec![0.0; points.len()]
            }
        })
        .collect();
    let count = estimates.len().max(1) as f64;
    let entries = options
        .iter()
        .enumerate()
        .filter(|(_, o)| estimates.iter().any(|e| e.table.get(&o.name).is_some()))
        .map(|(i, o)| {
            let given = || estimates.iter().filter_map(|e| e.table.get(&o.name));
            let lo = given().map(|l| l.lo).fold(f64::INFINITY, f64::min);
            let hi = given().map(|l| l.hi).fold(f64::NEG_INFINITY, f64::max);
            let point = normalised.iter().map(|p| p[i]).sum::<f64>() / count;
            let span = given().next().map_or(span, |l| l.span);
            let likelihood = crate::likelihood::Likelihood {
                lo: lo.min(point),
                hi: hi.max(point),
                point,
                form: crate::likelihood::Form::Range,
                span,
            };
            (o.clone(), likelihood)
        })
        .collect();
    LikelihoodTable { entries, span }
}

/// Payoffs per actor, as written: actor and payoff.
pub type Payoffs = Vec<(Ident, Spanned<f64>)>;

/// A `[variants.ID]` table: the base scenario with some inputs, likelihoods and payoffs
/// overridden ("Europe unfreezes the assets"). Applying it is a pure function on the model.
#[derive(Clone, Debug)]
pub struct Variant {
    /// The variant's id.
    pub id: Ident,
    /// What the variant assumes, for reports.
    pub title: Option<String>,
    /// A longer description.
    pub doc: Option<String>,
    /// Where the assumption comes from.
    pub source: Option<String>,
    /// Input facts overridden, with their new values.
    pub facts: Vec<(Ident, Spanned<Value>)>,
    /// Decisions whose base likelihood table is replaced, with the new table.
    pub likelihood: Vec<(Ident, LikelihoodTable)>,
    /// Outcomes whose payoffs are overridden: outcome, then actor and payoff.
    pub payoff: Vec<(Ident, Payoffs)>,
    /// The variant's table.
    pub span: Span,
}

/// A `[signposts.ID]` table: an indicator an analyst can watch for, and what seeing it says.
#[derive(Clone, Debug)]
pub struct Signpost {
    /// The signpost's id.
    pub id: Ident,
    /// The observable event, for reports.
    pub title: Option<String>,
    /// A longer description.
    pub doc: Option<String>,
    /// Where the indicator comes from.
    pub source: Option<String>,
    /// What observing it means; `None` only in a file with errors.
    pub evidence: Option<Evidence>,
    /// The signpost's table.
    pub span: Span,
}

/// What observing a signpost tells about the paths.
#[derive(Clone, Debug)]
pub enum Evidence {
    /// A likelihood ratio per option of one decision: observing the signpost multiplies each
    /// option's probability by its ratio (Bayes' rule once the forecast is normalised).
    Ratio {
        /// The decision the signpost is evidence about.
        decision: Ident,
        /// The ratio of each option; an option left out has ratio 1.
        ratios: Vec<(Ident, Spanned<f64>)>,
    },
    /// A condition that holds at the end of every path consistent with the observation.
    When(Expr),
}
