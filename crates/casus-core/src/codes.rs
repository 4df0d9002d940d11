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
    /// (in tests) are reserved, and so is the option `by` in a decision with analysts, whose
    /// estimates are under `likelihood.by`.
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

    /// A fact that rules `add` to cannot be summed exactly. `add` sums are fixed point: whole
    /// numbers of 1e-9 within ±1e15, so that a sum never depends on the order rules fire in and
    /// ten times `0.1` is exactly `1`. A default or an amount beyond ±1e15, a nonzero amount
    /// with more than nine decimals, or a fact whose sum could leave the range (its default's
    /// size plus the size of every amount added to it is more than 1e15) would be clamped or
    /// rounded; casus refuses the file instead of computing with a different number.
    ///
    /// ```toml
    /// [facts]
    /// debt = { type = "number", default = 1e20 }   # beyond ±1e15
    /// [rules.interest]
    /// when = "default == 'yes'"
    /// add = { debt = 0.0000000004 }               # finer than 1e-9
    /// ```
    ///
    /// Fix: count in a unit that keeps the numbers in range, such as billions (`default = 1e11`)
    /// or thousandths.
    AddRange = ("E0406", "add_range", Error, "an `add` sum cannot be held exactly");

    /// Arithmetic in a condition can leave the finite numbers: a product or sum beyond about
    /// ±1.8e308, or a division whose divisor can be 0, for some value its facts can take (an
    /// input fact's value, a derived fact's default, the values rules set and the reach of its
    /// `add` sum). The result would be infinite or not a number, and a comparison with it would
    /// not mean what it says: `inf` is greater than every number, and `NaN` compares false with
    /// everything.
    ///
    /// ```toml
    /// [facts]
    /// troops = 0
    /// [outcomes.outnumbered]
    /// when = "enemy / troops > 3"   # troops is 0
    /// ```
    ///
    /// Fix: divide only by what cannot be 0 (compare `enemy > 3 * troops` instead), and keep
    /// numbers in units that stay small.
    ArithmeticRange = ("E0407", "arithmetic_range", Error, "arithmetic can leave the finite numbers");

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

    /// No complete path is consistent with what a run fixed: the values given with `--given`
    /// (or a test's `given`) and the signposts observed with `--observe` rule out every path.
    /// A forecast conditioned on something impossible has nothing to say, so casus says that
    /// instead of printing an empty one.
    ///
    /// ```toml
    /// [decisions.final_offer]
    /// actor = "us"
    /// when = "russia_answer == 'stall'"   # only made when Russia stalls
    /// options = ["make", "withhold"]
    /// # casus eval --given russia_answer=accept --given final_offer=make
    /// ```
    ///
    /// Fix: give values that can hold together (check the guards of the decisions given), or
    /// observe fewer signposts.
    NoConsistentPath = ("E0505", "no_consistent_path", Error, "no path is consistent with what was given or observed");

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

    /// A variant overrides something that is not an input fact. A variant changes what is
    /// known (input facts), what is judged likely (likelihood tables) and what is wanted
    /// (payoffs); derived facts follow from the rules, and decisions are taken on the paths.
    ///
    /// ```toml
    /// [variants.assets_unfrozen]
    /// facts = { us_posture = "walk_away" }   # a derived fact: rules set it
    /// ```
    ///
    /// Fix: override the input facts or likelihoods that make the rules set it, or add an
    /// input fact for the assumption and read it in the rules.
    VariantTarget = ("E0701", "variant_target", Error, "a variant overrides something that is not an input fact");

    /// An analyst's estimate (`likelihood.by.ANALYST`) is dated more than
    /// `max_estimate_age_days` before the scenario's `as_of`, or the file sets a maximum age
    /// without an `as_of` to measure it from. The age is measured from the scenario's `as_of`,
    /// never from today, so the check gives the same answer on every machine and every day.
    ///
    /// ```toml
    /// [scenario]
    /// as_of = 2025-04-22
    /// max_estimate_age_days = 90
    ///
    /// [decisions.russia_answer.likelihood.by.desk]
    /// accept = 0.2
    /// refuse = 0.5
    /// stall = 0.3
    /// as_of = 2024-11-02   # 171 days before the assessment
    /// ```
    ///
    /// Fix: ask the analyst for a fresh estimate and update `as_of`, or drop the estimate.
    StaleEstimate = ("W0701", "stale_estimate", Warning, "an analyst's estimate is older than the file allows");

    /// `[resolution]` names an outcome, variant or signpost the scenario does not declare. A
    /// misspelt outcome would score every forecast of the file against an outcome no forecast
    /// could give a probability to. `outcome = "none"` says that none of the outcomes happened
    /// (unless the scenario has an outcome named `none`).
    ///
    /// ```toml
    /// [outcomes.deal]
    /// when = "russia_answer == 'accept'"
    /// [resolution]
    /// outcome = "dael"   # no outcome `dael`
    /// date = 2025-06-01
    /// ```
    ///
    /// Fix: name one of the scenario's outcomes (the help suggests the closest), or write
    /// `outcome = "none"` when none of them happened.
    ResolutionName = ("E0801", "resolution_name", Error, "a resolution names an outcome, variant or signpost that does not exist");

    /// The resolution is dated before the scenario's `as_of`: the file claims to forecast, as of
    /// a date, a question that was already settled. A forecast made after the fact scores
    /// nothing, so the dates must be in order.
    ///
    /// ```toml
    /// [scenario]
    /// as_of = 2025-04-18
    /// [resolution]
    /// outcome = "deal"
    /// date = 2025-03-01   # before as_of
    /// ```
    ///
    /// Fix: correct the resolution's `date` (the day the outcome happened), or the scenario's
    /// `as_of` if that is the one mistyped.
    ResolutionDate = ("E0802", "resolution_date", Error, "a resolution is dated before the scenario's `as_of`");

    /// `casus score` found a commit, after the one that resolved the scenario, that changes the
    /// model: anything in the file but the `[resolution]` table, compared as TOML data (comments,
    /// layout and key order do not count). A forecast changed once the answer is known is
    /// hindsight; it is left out of the record, and the warning says which commit made it.
    ///
    /// ```toml
    /// # commit 1: the forecast; commit 2 adds [resolution] outcome = "deal";
    /// # commit 3 then edits the likelihoods:
    /// [decisions.russia_answer]
    /// likelihood = { accept = 0.9, refuse = 0.1 }   # changed after the resolution
    /// ```
    ///
    /// Fix: leave a resolved scenario as it was; to analyse the question further, copy it to a
    /// new file with a new `as_of`.
    ChangedAfterResolution = ("W0801", "changed_after_resolution", Warning, "a resolved scenario's model changed after its resolution");

    /// A derived fact that nothing reads: no guard, conditional likelihood, rule, outcome,
    /// signpost or test expectation (reads by rules whose own facts nothing reads do not
    /// count). The rules that set it then change no result, so this is usually a forgotten
    /// condition or a misspelt name; the message names those rules.
    ///
    /// ```toml
    /// [facts]
    /// us_posture = { type = ["engage", "walk_away"], default = "engage" }
    /// [rules.walk_away]
    /// when = "russia_answer == 'refuse'"
    /// then = { us_posture = "walk_away" }   # and no outcome or test reads us_posture
    /// ```
    ///
    /// Fix: read the fact where it should matter (`when = "us_posture == 'walk_away'"` in an
    /// outcome, or an `expect` in a test), or remove it and the rules that set it.
    UnusedFact = ("W0101", "unused_fact", Warning, "a derived fact nothing reads");

    /// A decision whose option nothing reads: no guard, conditional likelihood, rule, outcome,
    /// signpost or test expectation depends on it (reads by rules whose facts nothing reads do
    /// not count). Every option then leads to the same future, so the decision only multiplies
    /// the paths.
    ///
    /// ```toml
    /// [decisions.europe_response]
    /// actor = "europe"
    /// options = ["step_up", "hold_back"]   # no rule or outcome mentions europe_response
    /// ```
    ///
    /// Fix: make the option matter, for example with a rule
    /// `when = "europe_response == 'step_up'"`, or remove the decision.
    UnusedDecision = ("W0102", "unused_decision", Warning, "a decision nothing reads");

    /// An actor that takes no decision and has no payoff in any outcome (or variant). It
    /// appears in no result, so it is usually left over from an earlier draft.
    ///
    /// ```toml
    /// [actors]
    /// us = "United States"
    /// china = "China"        # decides nothing, no payoff mentions it
    /// ```
    ///
    /// Fix: give it payoffs (`payoff = { china = 1 }`) or a decision, or remove it.
    UnusedActor = ("W0103", "unused_actor", Warning, "an actor that decides nothing and has no payoff");

    /// An input fact that nothing reads: no guard, conditional likelihood, rule, outcome,
    /// signpost or test expectation. Analysts often record facts only as context for readers
    /// (with a unit and a source), so this is a note; it is worth a look when the fact was
    /// meant to change a result, or is a misspelling of one that does.
    ///
    /// ```toml
    /// [facts]
    /// occupied_share = { value = 20, unit = "%" }   # no condition mentions it
    /// ```
    ///
    /// Fix: read the fact where it should change a result (`when = "occupied_share > 15"`), or
    /// leave it as context. To make such facts fail CI, write `unused_input = "warn"` under
    /// `[lints]`, or run `casus check --warn unused_input`.
    UnusedInput = ("W0104", "unused_input", Note, "an input fact nothing reads");

    /// Part of a condition is always true or always false wherever it is checked, so it does
    /// not do what it seems to. casus finds this by evaluating the part on every state where
    /// the condition is checked, and says which values the facts it reads take there. Input
    /// facts do not change on a path, so a comparison with one alone is constant unless the
    /// file says the fact may vary: the path-based lints (this one, the unreachable, dead,
    /// shadowed and redundant ones) also walk the what-ifs the file declares, namely each
    /// test's and variant's overridden input facts and each other value a symbol fact's `type`
    /// lists, and report only what holds in all of them.
    ///
    /// ```toml
    /// [facts]
    /// support = 90
    /// [rules.backing]
    /// when = "russia_answer == 'refuse' and support > 90"   # always false: support is 90
    /// ```
    ///
    /// Fix: correct the comparison (`support >= 90`) or drop the part that is constant. If the
    /// condition is there for `--given support=95` runs, add a test that overrides the fact
    /// (it then counts as a what-if), or write `constant_condition = "allow"` under `[lints]`
    /// with a comment saying so.
    ConstantCondition = ("W0201", "constant_condition", Warning, "a condition is always true or always false");

    /// A decision's likelihoods can sum to 100 % only when every band is at its low end, or
    /// every band at its high end. The check E0302 accepts them, but the judgement is stretched
    /// to breaking: the forecast normalises the middles of the bands, which then fall outside
    /// the words' own bands.
    ///
    /// ```toml
    /// likelihood = { accept = "very likely", refuse = "unlikely" }   # 80 % + 20 % at the least
    /// ```
    ///
    /// Fix: choose estimates whose bands meet in the middle (`accept = "likely"`,
    /// `refuse = "unlikely"`), or give explicit numbers or ranges.
    LikelihoodAtBandEdge = ("W0301", "likelihood_at_band_edge", Warning, "likelihoods sum to 1 only at the edge of their bands");

    /// A `likelihood_if` that never applies: its `when` is never true where the decision is
    /// taken, or an earlier `likelihood_if` holds whenever it does (the first that holds wins).
    /// Also reported: a decision's own `likelihood` that is never used because some
    /// `likelihood_if` applies wherever the decision is taken.
    ///
    /// ```toml
    /// [[decisions.russia_answer.likelihood_if]]
    /// when = "us_offer != 'none'"
    /// accept = "roughly even chance"
    /// refuse = "unlikely"
    /// [[decisions.russia_answer.likelihood_if]]
    /// when = "us_offer == 'relief_and_assets'"   # never reached: the one above holds too
    /// accept = "likely"
    /// refuse = "very unlikely"
    /// ```
    ///
    /// Fix: put the more specific `likelihood_if` first, tighten the earlier one's `when`, or
    /// remove the one that never applies.
    ShadowedLikelihood = ("W0302", "shadowed_likelihood", Warning, "a conditional likelihood never applies");

    /// The file mixes ICD 203's two rows of estimative words, such as "likely" beside
    /// "probable". ICD 203 asks analysts to use one row in a product, so readers never wonder
    /// whether two words mean different things.
    ///
    /// ```toml
    /// likelihood = { accept = "likely", refuse = "improbable" }
    /// ```
    ///
    /// Fix: write every word from one row, as the help suggests (`"unlikely"` for
    /// `"improbable"`).
    MixedVocabulary = ("W0303", "mixed_vocabulary", Note, "estimative words from both ICD 203 vocabularies");

    /// A rule's `because` uses an estimative word whose band does not fit the likelihood of
    /// the option the rule's condition names. The explanation then says one thing and the
    /// forecast another.
    ///
    /// ```toml
    /// [decisions.russia_answer]
    /// likelihood = { accept = 0.2, refuse = 0.8 }
    /// [rules.deal]
    /// when = "russia_answer == 'accept'"
    /// then = { ceasefire = true }
    /// because = "Moscow will very likely accept"   # "very likely" is 80–95 %, accept is 20 %
    /// ```
    ///
    /// Fix: make the words agree with the numbers, in the `because` text or in the likelihood.
    /// Words after "not" are not read, and neither is "remote", which is common in plain prose.
    BecauseContradictsLikelihood = ("W0304", "because_contradicts_likelihood", Warning, "a `because` text contradicts a likelihood");

    /// A decision that no path takes, because its guard is false wherever it is checked: none
    /// of its options can happen, and whatever reads it only ever sees it unset.
    ///
    /// ```toml
    /// [decisions.ceasefire_holds]
    /// actor = "nature"
    /// when = "ceasefire"                      # no rule ever sets ceasefire to true
    /// options = ["holds", "violated"]
    /// ```
    ///
    /// Fix: correct the guard, or the rules that should make it true, or remove the decision.
    UnreachableDecision = ("W0305", "unreachable_decision", Warning, "no path takes any option of a decision");

    /// A decision whose options all lead to the same future: wherever it is taken, every option
    /// is followed by the same decisions, likelihoods and outcomes. Which option is chosen does
    /// not matter, so the decision is either missing a rule or not needed.
    ///
    /// ```toml
    /// [decisions.us_statement]
    /// actor = "us"
    /// options = ["soft", "hard"]
    /// [rules.hard_line]
    /// when = "us_statement == 'hard'"
    /// then = { tone = "hard" }          # and nothing that decides the outcome reads tone
    /// ```
    ///
    /// Fix: add the rule or condition through which the choice should matter, or remove the
    /// decision.
    IrrelevantDecision = ("W0306", "irrelevant_decision", Warning, "every option of a decision leads to the same outcomes");

    /// A rule that never fires: its condition is false on every path, at every point, so its
    /// `then` and `add` never happen. The message says which part of the condition is never
    /// true, or that its parts are never true together.
    ///
    /// ```toml
    /// [rules.walk_away]
    /// when = "russia_answer == 'refuse' and us_offer == 'none'"   # us_offer is never 'none' when Russia answers
    /// then = { us_posture = "walk_away" }
    /// ```
    ///
    /// Fix: correct the condition, or remove the rule.
    DeadRule = ("W0401", "dead_rule", Warning, "a rule never fires");

    /// A rule that fires on every path, at every point: its condition is always true, so the
    /// rule is a constant in disguise. Rules written `when = "true"` say so on purpose and are
    /// not reported.
    ///
    /// ```toml
    /// [facts]
    /// support = 90
    /// [rules.backing]
    /// when = "support >= 50"        # always true: support is 90
    /// then = { backed = true }
    /// ```
    ///
    /// Fix: correct the condition; or, if the fact should simply have that value, make it the
    /// fact's `default` and remove the rule.
    RuleAlwaysFires = ("W0402", "rule_always_fires", Warning, "a rule fires on every path");

    /// A rule sets a fact to the value it has anyway, wherever the rule fires: the fact's
    /// default, or the value another rule of the same priority sets at the same time; or it
    /// adds 0. Removing the assignment changes nothing.
    ///
    /// ```toml
    /// ceasefire = { type = "bool", default = false }
    /// [rules.no_deal]
    /// when = "russia_answer == 'refuse'"
    /// then = { ceasefire = false }       # already false whenever this fires
    /// ```
    ///
    /// Fix: remove the assignment, or correct the value it should set.
    RedundantAssignment = ("W0403", "redundant_assignment", Warning, "a rule sets a fact to the value it already has");

    /// A rule's assignment never wins: wherever the rule fires, a rule of higher priority sets
    /// the same fact too. The message names the rules that win and a path where it happens.
    ///
    /// ```toml
    /// [rules.aid_paused]
    /// when = "us_posture == 'walk_away'"
    /// then = { us_aid = "paused" }
    /// [rules.aid_cut]
    /// when = "us_posture == 'walk_away'"
    /// then = { us_aid = "cut" }
    /// priority = 1                        # always fires with aid_paused, and wins
    /// ```
    ///
    /// Fix: remove the shadowed assignment, or narrow the higher-priority rule's `when` so the
    /// lower one applies somewhere.
    ShadowedRule = ("W0404", "shadowed_rule", Warning, "a rule is always overridden by a rule of higher priority");

    /// An outcome that no path reaches: its condition is false at the end of every path (or,
    /// for the fallback, some other outcome always holds). Its forecast is always 0 and its
    /// payoffs never count.
    ///
    /// ```toml
    /// [outcomes.settlement]
    /// when = "ceasefire and us_posture == 'walk_away'"   # no path has both
    /// ```
    ///
    /// Fix: correct the condition, or remove the outcome.
    UnreachableOutcome = ("W0501", "unreachable_outcome", Warning, "no path reaches an outcome");

    /// An outcome has no payoff for an actor that takes a decision. A missing payoff counts as
    /// 0, so the strategy solver silently treats that outcome as neutral for the actor.
    /// Scenarios without any payoff (forecast only) are not reported.
    ///
    /// ```toml
    /// [decisions.russia_answer]
    /// actor = "russia"
    /// [outcomes.deal]
    /// payoff = { us = 2, ukraine = 1 }   # nothing for russia, which decides
    /// ```
    ///
    /// Fix: give every deciding actor a payoff in every reachable outcome, such as
    /// `russia = 1`; write `russia = 0` if neutral is what you mean.
    MissingPayoff = ("W0502", "missing_payoff", Warning, "an outcome has no payoff for an actor that decides");
}
