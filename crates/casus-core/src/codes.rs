//! Every diagnostic code, documented once, here.
//!
//! Each entry's doc comment is its long explanation: what it catches, why it matters, an
//! example and the fix. `casus check --explain CODE` prints it and `docs/diagnostics.md` is
//! generated from it, so the two can never drift apart.

use serde::{Serialize, Serializer};

use crate::diagnostic::Severity;

macro_rules! codes {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = ($code:literal, $name:literal, $severity:ident, $summary:literal);
    )*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = $summary]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as shown to users, such as `E0101`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            /// The snake_case name used to configure levels, such as `unknown_key`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name),* }
            }

            /// The level a finding has unless configured otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity),* }
            }

            /// One line saying what the code catches.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary),* }
            }

            /// The long explanation in Markdown: why it matters, an example and the fix.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc, "\n"),*)),* }
            }
        }
    };
}

impl Code {
    /// Looks a code up by its code (`E0101`) or name (`unknown_key`), ignoring case.
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text) || c.name().eq_ignore_ascii_case(text))
    }

    /// The explanation as plain Markdown, without the one-space indent that doc comments
    /// carry: what `casus check --explain` prints and `docs/diagnostics.md` shows.
    pub fn explanation_text(self) -> String {
        self.explanation()
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned()
    }

    /// Whether a scenario file or a run may change the level of this code.
    ///
    /// Hard errors (`E…`) make the scenario meaningless and cannot be silenced; lints (`W…`) can.
    pub fn is_lint(self) -> bool {
        self.as_str().starts_with('W')
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

codes! {
    /// The file is not valid TOML, so nothing in it can be read. casus reports the first error
    /// of each broken stretch of lines; errors right after it usually follow from it (an
    /// unclosed list or string swallows the lines below), so they are counted in a note instead.
    ///
    /// ```toml
    /// [scenario
    /// title = Talks
    /// ```
    ///
    /// Fix: close the bracket, quote the text (`title = "Talks"`) or remove the stray character
    /// the message points at, then check again.
    TomlSyntax = ("E0001", "toml_syntax", Error, "the file is not valid TOML");

    /// Scenario files must be UTF-8. A file saved in another encoding (Latin-1, Windows-1252,
    /// UTF-16) shows up as bytes that are not UTF-8; the message gives the first one.
    ///
    /// ```text
    /// title = "Caf\xE9 talks"   # é saved as the single Latin-1 byte E9
    /// ```
    ///
    /// Fix: save the file as UTF-8 in your editor (most offer "Save with encoding").
    NotUtf8 = ("E0002", "not_utf8", Error, "the file is not UTF-8 text");

    /// A scenario, an expression or an evaluation went past one of casus's limits. The limits keep
    /// a hostile or runaway file from exhausting memory, stack or time; the defaults are far
    /// above any real scenario.
    ///
    /// ```toml
    /// when = "((((((((((  …20,000 levels…  ceasefire  ))))))))))"   # deeper than 64 levels
    /// ```
    ///
    /// Fix: simplify or split the scenario (a deep condition can become a derived fact set by a
    /// rule), or raise the limit on the command line; the message names the flag.
    LimitExceeded = ("E0003", "limit_exceeded", Error, "a size or time limit was exceeded");

    /// The file has no `[scenario]` table, or is empty. Every scenario starts with one that
    /// gives at least a title, so reports can say what they are about.
    ///
    /// ```toml
    /// [actors]
    /// us = "United States"   # no [scenario] above
    /// ```
    ///
    /// Fix: start the file with
    ///
    /// ```toml
    /// [scenario]
    /// title = "US peace framework for Ukraine"
    /// ```
    MissingScenario = ("E0004", "missing_scenario", Error, "the file has no `[scenario]` table");

    /// A key that format v1 does not know. Usually a typo; unknown keys are errors so that a
    /// misspelt `likelihod` never silently turns a decision uniform.
    ///
    /// ```toml
    /// [decisions.russia_answer]
    /// actor = "russia"
    /// optoins = ["accept", "refuse"]   # did you mean `options`?
    /// ```
    ///
    /// Fix: correct the spelling as the help suggests, or remove the key.
    UnknownKey = ("E0101", "unknown_key", Error, "a key format v1 does not know");

    /// A key that must be present is missing: the scenario's `title`, a decision's `actor` or
    /// `options`, a rule's `when` or `then`, a derived fact's `default`, a conditional
    /// likelihood's `when`, or any expectation in a test.
    ///
    /// ```toml
    /// [decisions.us_offer]
    /// actor = "us"            # no `options`
    /// ```
    ///
    /// Fix: add the key the message names, such as `options = ["none", "sanctions_relief"]`.
    MissingKey = ("E0102", "missing_key", Error, "a required key is missing");

    /// A value has the wrong TOML type: text where a table is expected, a number where a list
    /// of options is expected, a date in quotes, and so on.
    ///
    /// ```toml
    /// [decisions.us_offer]
    /// actor = "us"
    /// options = "none"          # expected a list: ["none", "sanctions_relief"]
    /// ```
    ///
    /// Fix: write the value in the form the help shows.
    WrongType = ("E0103", "wrong_type", Error, "a value has the wrong type");

    /// Ids (actors, facts, decisions, options, rules, outcomes, tests) are lowercase ASCII
    /// letters, digits and underscores, starting with a letter: `[a-z][a-z0-9_]*`. This keeps them
    /// usable in expressions and in every report format. `nature` (chance events) and `outcome`
    /// (in tests) are reserved.
    ///
    /// ```toml
    /// [actors]
    /// United-States = "United States"
    /// ```
    ///
    /// Fix: write the id as the help suggests (`united_states`), and keep the display text in
    /// the value.
    InvalidId = ("E0104", "invalid_id", Error, "an id is not of the form `[a-z][a-z0-9_]*`");

    /// One id names two things. Facts and decisions share one namespace because expressions
    /// read both by name; an option may not appear twice in one decision.
    ///
    /// ```toml
    /// [facts]
    /// ceasefire = { type = "bool", default = false }
    /// [decisions.ceasefire]     # `ceasefire` is already a fact
    /// ```
    ///
    /// Fix: rename one of them.
    DuplicateId = ("E0105", "duplicate_id", Error, "one id names two things");

    /// A value has the right TOML type but is not allowed: an empty list of options, a fact type
    /// that is neither `bool`, `number` nor a list of symbols, an empty condition table, a
    /// number that is not finite.
    ///
    /// ```toml
    /// us_posture = { type = "enum", default = "engage" }
    /// ```
    ///
    /// Fix: the help says what is accepted, here `type = ["engage", "walk_away"]`.
    InvalidValue = ("E0106", "invalid_value", Error, "a value is not allowed here");

    /// An expression cannot be parsed: an unbalanced parenthesis, an operator with nothing after
    /// it, an unterminated symbol, an empty expression, or an operator from another language
    /// (`&&`, `=`, `!`).
    ///
    /// ```toml
    /// when = "russia_answer == 'refuse' and"   # `and` needs something after it
    /// ```
    ///
    /// Fix: complete or correct the expression where the underline points; the help shows the
    /// usual fix, such as writing `and` for `&&`.
    ExpressionSyntax = ("E0201", "expression_syntax", Error, "an expression cannot be parsed");

    /// An expression reads a name that is neither a fact nor a decision, or a table names
    /// an actor, fact, decision or outcome that does not exist.
    ///
    /// ```toml
    /// when = "russia_anwser == 'refuse'"   # did you mean `russia_answer`?
    /// ```
    ///
    /// Fix: correct the spelling, declare the name, or quote it if it is an option
    /// (`'refuse'`, not `refuse`).
    UnknownName = ("E0202", "unknown_name", Error, "a name that is not declared");

    /// A symbol is compared with a decision or fact whose options do not include it. Catching
    /// this before anything runs means a misspelt option never makes a rule silently dead.
    ///
    /// ```toml
    /// when = "russia_answer == 'refused'"   # options are accept, refuse, stall
    /// ```
    ///
    /// Fix: use one of the options (`'refuse'`), or add the symbol to the options.
    UnknownSymbol = ("E0203", "unknown_symbol", Error, "a symbol that is not among the options");

    /// Two values of different types meet: a number compared with a symbol, `and` applied to a
    /// number, arithmetic on a decision, a condition that is not true or false, a default that
    /// does not fit its fact's type.
    ///
    /// ```toml
    /// when = "ukraine_support == 'high'"   # `ukraine_support` is a number
    /// ```
    ///
    /// Fix: compare values of one type, such as `ukraine_support > 50`.
    TypeMismatch = ("E0204", "type_mismatch", Error, "values of different types meet");

    /// A guard (`when` of a decision) or a conditional likelihood reads a decision that is taken
    /// at the same time or later. Decisions happen in file order, so that decision has no value yet.
    ///
    /// ```toml
    /// [decisions.us_offer]
    /// actor = "us"
    /// when = "russia_answer == 'refuse'"   # russia_answer is declared below
    /// options = ["none", "sanctions_relief"]
    ///
    /// [decisions.russia_answer]
    /// actor = "russia"
    /// options = ["accept", "refuse"]
    /// ```
    ///
    /// Fix: move the decision that is read above the one that reads it, or drop the reference.
    LaterDecision = ("E0206", "later_decision", Error, "a guard reads a decision taken later");

    /// A likelihood cannot be read: not a number in [0, 1], a percentage such as `"35%"`, a
    /// range `[lo, hi]` with its low end first, or an ICD 203 estimative word such as `"likely"`.
    ///
    /// ```toml
    /// likelihood = { accept = "maybe", refuse = 60 }   # 60 is more than 1
    /// ```
    ///
    /// Fix: write `"roughly even chance"` for a word, and `0.6` or `"60%"` for a number.
    InvalidLikelihood = ("E0301", "invalid_likelihood", Error, "a likelihood cannot be read");

    /// A decision's likelihoods cannot sum to 1 anywhere within their bands, so they cannot be
    /// probabilities of its options.
    ///
    /// ```toml
    /// likelihood = { accept = "likely", refuse = "very likely" }   # at least 55 % + 80 %
    /// ```
    ///
    /// Fix: lower some estimates, or give ranges wide enough to meet at 100 %.
    LikelihoodSum = ("E0302", "likelihood_sum", Error, "likelihoods cannot sum to 1");

    /// A likelihood table must give every option of its decision exactly once, and only those.
    ///
    /// ```toml
    /// options = ["accept", "refuse", "stall"]
    /// likelihood = { accept = 0.3, refuse = 0.7 }   # `stall` is missing
    /// ```
    ///
    /// Fix: add the missing options (`stall = "unlikely"`) and remove those that are not options.
    LikelihoodOptions = ("E0303", "likelihood_options", Error, "likelihoods do not match the options");

    /// A chance event (actor `nature`) has no likelihoods. Nature does not choose; without
    /// likelihoods casus cannot say how likely each option is.
    ///
    /// ```toml
    /// [decisions.ceasefire_holds]
    /// actor = "nature"
    /// options = ["holds", "violated"]   # no likelihood
    /// ```
    ///
    /// Fix: add `likelihood = { holds = "unlikely", violated = "likely" }` with an estimate for
    /// every option.
    NatureWithoutLikelihood = ("E0304", "nature_without_likelihood", Error, "a chance event has no likelihoods");

    /// A rule sets or adds to something that is not a derived fact. Input facts are what you know
    /// and decisions are what actors choose; only derived facts (declared with `type` and
    /// `default`) are set by rules.
    ///
    /// ```toml
    /// [facts]
    /// ukraine_support = 90
    /// [rules.r]
    /// when = "true"
    /// then = { ukraine_support = 50 }   # an input fact
    /// ```
    ///
    /// Fix: declare a derived fact, such as `support_now = { type = "number", default = 90 }`,
    /// and set that one instead.
    RuleTarget = ("E0401", "rule_target", Error, "a rule sets something that is not a derived fact");

    /// A rule's `then` value does not have the fact's type, or `add` targets a fact that is not
    /// a number.
    ///
    /// ```toml
    /// us_posture = { type = ["engage", "walk_away"], default = "engage" }
    /// then = { us_posture = "leave" }   # not one of engage, walk_away
    /// ```
    ///
    /// Fix: use one of the fact's values (`"walk_away"`), or add the value to its `type`.
    RuleValue = ("E0402", "rule_value", Error, "a rule's value does not fit the fact");

    /// One fact is both set (`then`) by some rule and summed (`add`) by another. A fact is
    /// either set or summed, never both, so its value never depends on rule order.
    ///
    /// ```toml
    /// [rules.pressure_up]
    /// when = "russia_answer == 'refuse'"
    /// add = { pressure = 1 }
    /// [rules.pressure_reset]
    /// when = "us_offer == 'none'"
    /// then = { pressure = 0 }
    /// ```
    ///
    /// Fix: use `add` everywhere for that fact, or `then` everywhere.
    SetAndAdd = ("E0403", "set_and_add", Error, "a fact is both set and summed");

    /// Rules depend on each other in a cycle: a rule reads a fact that another rule sets, which
    /// reads a fact the first one sets. Derived facts are computed in dependency order, and a
    /// cycle has none.
    ///
    /// ```toml
    /// [rules.hawks]
    /// when = "us_posture == 'walk_away'"
    /// then = { hardline = true }
    /// [rules.doves]
    /// when = "hardline"
    /// then = { us_posture = "engage" }
    /// ```
    ///
    /// Fix: break the cycle; usually one of the facts should be an input fact or a decision.
    RuleCycle = ("E0404", "rule_cycle", Error, "rules depend on each other in a cycle");

    /// Two rules fire on the same path and set one fact to different values, and neither has the
    /// higher `priority`. The message names a path where it happens.
    ///
    /// ```toml
    /// [rules.walk_away]
    /// when = "russia_answer == 'refuse'"
    /// then = { us_posture = "walk_away" }
    /// [rules.stay]
    /// when = "us_offer == 'relief_and_assets'"
    /// then = { us_posture = "engage" }   # both fire when Russia refuses the full offer
    /// ```
    ///
    /// Fix: tighten one rule's `when`, or give the rule that should win a higher `priority`.
    RuleConflict = ("E0405", "rule_conflict", Error, "two rules set one fact to different values");

    /// A payoff names an actor that is not declared in `[actors]`.
    ///
    /// ```toml
    /// payoff = { us = 2, ukriane = 0 }   # did you mean `ukraine`?
    /// ```
    ///
    /// Fix: correct the actor id, or declare the actor under `[actors]`.
    PayoffActor = ("E0501", "payoff_actor", Error, "a payoff names an unknown actor");

    /// More than one outcome has no `when`. An outcome without `when` is the fallback, reached
    /// when no other outcome is; there can be at most one.
    ///
    /// ```toml
    /// [outcomes.stalemate]
    /// title = "No agreement"
    /// [outcomes.muddle_through]
    /// title = "Nothing changes"   # a second outcome without `when`
    /// ```
    ///
    /// Fix: give all but one of them a `when`, or merge them.
    FallbackOutcome = ("E0502", "fallback_outcome", Error, "more than one fallback outcome");

    /// A complete path reaches no outcome and there is no fallback. Every path must end
    /// somewhere, or the forecast would not sum to 1. The message names the path.
    ///
    /// ```toml
    /// [outcomes.deal]
    /// when = "russia_answer == 'accept'"
    /// [outcomes.walk_away]
    /// when = "russia_answer == 'refuse'"   # and when Russia stalls?
    /// ```
    ///
    /// Fix: widen an outcome's `when`, or add a fallback outcome without `when`.
    NoOutcome = ("E0503", "no_outcome", Error, "a path reaches no outcome");

    /// A complete path reaches two outcomes at once. Outcomes must not overlap, or the forecast
    /// would count the path twice. The message names the path.
    ///
    /// ```toml
    /// [outcomes.deal]
    /// when = "russia_answer == 'accept'"
    /// [outcomes.relief_given]
    /// when = "us_offer == 'sanctions_relief'"   # overlaps when Russia accepts relief
    /// ```
    ///
    /// Fix: make the outcomes' `when` conditions exclusive, for example with `and not (…)`.
    OverlappingOutcomes = ("E0504", "overlapping_outcomes", Error, "a path reaches two outcomes");

    /// A test's `given` sets something it cannot: a derived fact (rules compute those) or an
    /// option that its decision does not have.
    ///
    /// ```toml
    /// [tests.walk_away]
    /// given = { us_posture = "walk_away" }   # a derived fact
    /// expect = { outcome = "us_walks_away" }
    /// ```
    ///
    /// Fix: fix a decision or override an input fact instead, such as
    /// `given = { russia_answer = "refuse" }`.
    TestGiven = ("E0601", "test_given", Error, "a test fixes something it cannot");

    /// A decision has no likelihoods, so forecasts treat its options as equally likely. That is
    /// often fine for an actor's own choice, but the forecast then says less than it seems.
    ///
    /// ```toml
    /// [decisions.us_offer]
    /// actor = "us"
    /// options = ["none", "sanctions_relief", "relief_and_assets"]   # each counted as 1/3
    /// ```
    ///
    /// Fix: add `likelihood = { … }` if you have a judgement, or leave it and read the
    /// forecast with that in mind.
    UniformLikelihood = ("W0001", "uniform_likelihood", Note, "a decision has no likelihoods and is treated as uniform");
}
