//! Random scenarios for property tests, written as TOML text so they go through the loader.
//!
//! Generated files are valid by construction: guards read only earlier decisions, a rule
//! reads only derived facts declared before its target (no cycles), every rule has its own
//! priority (no conflicts), outcomes are made exclusive by chaining `not (…)`, and there is a
//! fallback outcome.

use proptest::prelude::*;

#[derive(Clone, Debug)]
pub(crate) enum Atom {
    /// decision `d` == option `o`
    Decision(usize, usize),
    /// decision `d` != option `o`
    NotDecision(usize, usize),
    /// derived fact `f` holds / equals its first symbol / number ≥ k
    Derived(usize, i8),
    /// input number fact compared with a constant
    Input(i8),
}

#[derive(Clone, Debug)]
pub(crate) enum Cond {
    Atom(Atom),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Bool,
    Enum,
    Number,
}

#[derive(Clone, Debug)]
pub(crate) struct GenDecision {
    pub(crate) actor: Option<usize>,
    pub(crate) options: usize,
    pub(crate) guard: Option<Cond>,
    pub(crate) weights: Option<Vec<u8>>,
    pub(crate) form: u8,
    pub(crate) conditional: Option<(Cond, Vec<u8>)>,
}

#[derive(Clone, Debug)]
pub(crate) struct GenRule {
    pub(crate) when: Cond,
    pub(crate) target: usize,
    pub(crate) value: u8,
    pub(crate) amount: i8,
}

#[derive(Clone, Debug)]
pub(crate) struct GenScenario {
    pub(crate) actors: usize,
    pub(crate) input: i8,
    pub(crate) derived: Vec<Kind>,
    pub(crate) decisions: Vec<GenDecision>,
    pub(crate) rules: Vec<GenRule>,
    pub(crate) outcomes: Vec<Cond>,
    pub(crate) payoffs: Vec<Vec<i8>>,
    /// Variants, signposts and analysts; empty from [`scenario`], drawn by [`rich`].
    pub(crate) extras: Extras,
}

/// The parts of a scenario that the analysis session composes: `[variants.*]`,
/// `[signposts.*]` and analysts' estimates.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extras {
    pub(crate) variants: Vec<GenVariant>,
    pub(crate) signposts: Vec<GenSignpost>,
    /// Per decision with likelihoods: the analysts' weights and forms (at least two), written
    /// under `likelihood.by.ANALYST` in place of the plain table.
    pub(crate) analysts: Vec<Option<Vec<Estimate>>>,
    /// Per decision: the form of its `likelihood_if` tables (exact when absent, and for a
    /// decision without likelihoods, which has no bands).
    pub(crate) conditional_forms: Vec<u8>,
    /// Per decision: a further `likelihood_if` table after the first (condition, weights).
    pub(crate) more_conditional: Vec<Option<(Cond, Vec<u8>)>>,
}

/// One analyst's estimate: weights and form, as for a plain table.
pub(crate) type Estimate = (Vec<u8>, u8);

/// A `[variants.ID]`.
#[derive(Clone, Debug)]
pub(crate) struct GenVariant {
    /// A new value of the input fact `level`.
    pub(crate) level: Option<i8>,
    /// Decision, weights and form of a replaced likelihood table.
    pub(crate) likelihood: Option<(usize, Vec<u8>, u8)>,
    /// Outcome, actor and payoff overridden.
    pub(crate) payoff: Option<(usize, usize, i8)>,
}

/// A `[signposts.ID]`.
#[derive(Clone, Debug)]
pub(crate) enum GenSignpost {
    /// A likelihood ratio per option of a decision; `None` leaves the option out (ratio 1).
    Ratio(usize, Vec<Option<u8>>),
    /// A condition at the end of the path.
    When(Cond),
}

/// The ratios a signpost can give, indexed by its generated value.
pub(crate) const RATIOS: [f64; 6] = [0.25, 0.5, 1.5, 2.0, 3.0, 4.0];

fn cond(decisions: usize, options: usize, derived: usize, depth: u32) -> BoxedStrategy<Cond> {
    let mut atoms: Vec<BoxedStrategy<Atom>> = vec![(-3i8..4).prop_map(Atom::Input).boxed()];
    if decisions > 0 {
        atoms.push(
            (0..decisions, 0..options)
                .prop_map(|(d, o)| Atom::Decision(d, o))
                .boxed(),
        );
        atoms.push(
            (0..decisions, 0..options)
                .prop_map(|(d, o)| Atom::NotDecision(d, o))
                .boxed(),
        );
    }
    if derived > 0 {
        atoms.push(
            (0..derived, -1i8..3)
                .prop_map(|(f, k)| Atom::Derived(f, k))
                .boxed(),
        );
    }
    let leaf = proptest::strategy::Union::new(atoms).prop_map(Cond::Atom);
    leaf.prop_recursive(depth, 8, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| Cond::Not(Box::new(c))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Cond::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| Cond::Or(Box::new(a), Box::new(b))),
        ]
    })
    .boxed()
}

pub(crate) fn scenario() -> impl Strategy<Value = GenScenario> {
    (
        2usize..=3,
        1usize..=5,
        proptest::collection::vec(0u8..3, 1..=3),
        -3i8..4,
    )
        .prop_flat_map(|(actors, n_decisions, kinds, input)| {
            let derived: Vec<Kind> = kinds
                .iter()
                .map(|k| [Kind::Bool, Kind::Enum, Kind::Number][*k as usize])
                .collect();
            let n_derived = derived.len();
            let decisions: Vec<BoxedStrategy<GenDecision>> = (0..n_decisions)
                .map(|level| {
                    (
                        proptest::option::weighted(0.6, 0..actors),
                        2usize..=3,
                        proptest::option::weighted(0.3, cond(level, 3, n_derived, 1)),
                        proptest::collection::vec(0u8..10, 3),
                        0u8..5,
                        proptest::option::weighted(
                            0.3,
                            (
                                cond(level, 3, n_derived, 1),
                                proptest::collection::vec(1u8..10, 3),
                            ),
                        ),
                        any::<bool>(),
                    )
                        .prop_map(
                            |(
                                actor,
                                options,
                                guard,
                                weights,
                                form,
                                conditional,
                                has_likelihood,
                            )| GenDecision {
                                actor,
                                options,
                                guard,
                                weights: (actor.is_none() || has_likelihood)
                                    .then(|| weights.iter().map(|w| w + 1).collect()),
                                form,
                                conditional,
                            },
                        )
                        .boxed()
                })
                .collect();
            let rules = proptest::collection::vec(
                (0..n_derived).prop_flat_map(move |target| {
                    (cond(n_decisions, 3, target, 2), 0u8..2, -2i8..4).prop_map(
                        move |(when, value, amount)| GenRule {
                            when,
                            target,
                            value,
                            amount,
                        },
                    )
                }),
                0..=6,
            );
            let outcomes = proptest::collection::vec(cond(n_decisions, 3, n_derived, 2), 1..=3);
            (
                Just(actors),
                Just(input),
                Just(derived),
                decisions,
                rules,
                outcomes,
            )
                .prop_flat_map(
                    |(actors, input, derived, decisions, rules, outcomes)| {
                        let n_outcomes = outcomes.len() + 1;
                        let payoffs = proptest::collection::vec(
                            proptest::collection::vec(-2i8..3, actors),
                            n_outcomes,
                        );
                        (
                            Just(actors),
                            Just(input),
                            Just(derived),
                            Just(decisions),
                            Just(rules),
                            Just(outcomes),
                            payoffs,
                        )
                            .prop_map(
                                |(actors, input, derived, decisions, rules, outcomes, payoffs)| {
                                    GenScenario {
                                        actors,
                                        input,
                                        derived,
                                        decisions,
                                        rules,
                                        outcomes,
                                        payoffs,
                                        extras: Extras::default(),
                                    }
                                },
                            )
                    },
                )
        })
}

/// Scenarios with everything [`scenario`] has, plus variants, signposts (likelihood ratios
/// and conditions) and decisions with two or three analysts' estimates. The same sizes (at most
/// five decisions of at most three options), so the naive reference stays fast.
pub(crate) fn rich() -> impl Strategy<Value = GenScenario> {
    scenario().prop_flat_map(|generated| {
        let n = generated.decisions.len();
        let n_derived = generated.derived.len();
        let n_outcomes = generated.outcomes.len() + 1;
        let actors = generated.actors;
        let variant = (
            proptest::option::weighted(0.5, -3i8..4),
            proptest::option::weighted(0.6, (0..n, proptest::collection::vec(1u8..10, 3), 0u8..4)),
            proptest::option::weighted(0.5, (0..n_outcomes, 0..actors, -2i8..3)),
        )
            .prop_map(|(level, likelihood, payoff)| GenVariant {
                // A variant must change something.
                level: level.or_else(|| (likelihood.is_none() && payoff.is_none()).then_some(0)),
                likelihood,
                payoff,
            });
        let signpost = prop_oneof![
            (
                0..n,
                proptest::collection::vec(proptest::option::weighted(0.8, 0u8..6), 3)
            )
                .prop_map(|(d, r)| GenSignpost::Ratio(d, r)),
            cond(n, 3, n_derived, 1).prop_map(GenSignpost::When),
        ];
        let analysts = proptest::collection::vec(
            proptest::option::weighted(
                0.4,
                proptest::collection::vec((proptest::collection::vec(1u8..10, 3), 0u8..4), 2..=3),
            ),
            n,
        );
        let conditional_forms = proptest::collection::vec(0u8..4, n);
        let more_conditional: Vec<_> = (0..n)
            .map(|level| {
                proptest::option::weighted(
                    0.3,
                    (
                        cond(level, 3, n_derived, 1),
                        proptest::collection::vec(1u8..10, 3),
                    ),
                )
            })
            .collect();
        (
            Just(generated),
            proptest::collection::vec(variant, 0..=2),
            proptest::collection::vec(signpost, 0..=3),
            analysts,
            proptest::bool::weighted(0.75),
            (conditional_forms, more_conditional),
        )
            .prop_map(
                |(
                    mut generated,
                    variants,
                    signposts,
                    analysts,
                    guess,
                    (conditional_forms, more_conditional),
                )| {
                    if guess {
                        guessing_game(&mut generated);
                    }
                    // Analysts only for decisions with likelihoods: an actor's decision without
                    // them is uniform by convention.
                    let analysts = analysts
                        .into_iter()
                        .zip(&generated.decisions)
                        .map(|(a, d)| a.filter(|_| d.weights.is_some()))
                        .collect();
                    let conditional_forms = conditional_forms
                        .into_iter()
                        .zip(&generated.decisions)
                        .map(|(f, d)| if d.weights.is_some() { f } else { 0 })
                        .collect();
                    generated.extras = Extras {
                        variants,
                        signposts,
                        analysts,
                        conditional_forms,
                        more_conditional,
                    };
                    generated
                },
            )
    })
}

/// Makes the first outcome "an actor guesses a later chance event": it holds when the first
/// actor's decision and the last chance event after it both take their first option or both
/// do not, and that actor gains most there. Random outcomes rarely make an actor care about a
/// later event, and then learning the event first is worth nothing; this makes value of
/// information non-zero often.
fn guessing_game(generated: &mut GenScenario) {
    let Some((i, actor)) = generated
        .decisions
        .iter()
        .enumerate()
        .find_map(|(i, d)| d.actor.map(|a| (i, a)))
    else {
        return;
    };
    let Some(j) = (i + 1..generated.decisions.len())
        .rev()
        .find(|&j| generated.decisions[j].actor.is_none())
    else {
        return;
    };
    let atom = |a| Box::new(Cond::Atom(a));
    generated.outcomes[0] = Cond::Or(
        Box::new(Cond::And(
            atom(Atom::Decision(i, 0)),
            atom(Atom::Decision(j, 0)),
        )),
        Box::new(Cond::And(
            atom(Atom::NotDecision(i, 0)),
            atom(Atom::NotDecision(j, 0)),
        )),
    );
    generated.payoffs[0][actor] = 2;
}

const OPTIONS: [&str; 3] = ["alpha", "beta", "gamma"];

impl GenScenario {
    fn atom(&self, atom: &Atom) -> String {
        match *atom {
            Atom::Decision(d, o) => {
                let o = o % self.decisions[d].options;
                format!("d{d} == '{}'", OPTIONS[o])
            }
            Atom::NotDecision(d, o) => {
                let o = o % self.decisions[d].options;
                format!("d{d} != '{}'", OPTIONS[o])
            }
            Atom::Derived(f, k) => match self.derived[f] {
                Kind::Bool => format!("f{f}"),
                Kind::Enum => format!("f{f} == 'low'"),
                Kind::Number => format!("f{f} >= {k}"),
            },
            Atom::Input(k) => format!("level > {k}"),
        }
    }

    fn cond(&self, c: &Cond) -> String {
        match c {
            Cond::Atom(a) => self.atom(a),
            Cond::Not(c) => format!("not ({})", self.cond(c)),
            Cond::And(a, b) => format!("({}) and ({})", self.cond(a), self.cond(b)),
            Cond::Or(a, b) => format!("({}) or ({})", self.cond(a), self.cond(b)),
        }
    }

    fn likelihoods(&self, options: usize, weights: &[u8], form: u8) -> String {
        entries(options, weights, form).join(", ")
    }

    /// The scenario as TOML; `order` permutes rules, derived facts and outcomes in the file.
    pub(crate) fn to_toml(&self, shuffle: Option<u64>) -> String {
        let mut out = String::from("[scenario]\ntitle = \"generated\"\n\n[actors]\n");
        for a in 0..self.actors {
            out.push_str(&format!("a{a} = \"Actor {a}\"\n"));
        }
        let mut facts = vec!["level = 1\n".to_owned()];
        for (f, kind) in self.derived.iter().enumerate() {
            facts.push(match kind {
                Kind::Bool => format!("f{f} = {{ type = \"bool\", default = false }}\n"),
                Kind::Enum => {
                    format!("f{f} = {{ type = [\"low\", \"high\"], default = \"high\" }}\n")
                }
                Kind::Number => format!("f{f} = {{ type = \"number\", default = 0 }}\n"),
            });
        }
        facts[0] = format!("level = {}\n", self.input);
        permute(&mut facts, shuffle, 1);
        out.push_str("\n[facts]\n");
        out.extend(facts);
        for (d, decision) in self.decisions.iter().enumerate() {
            out.push_str(&format!("\n[decisions.d{d}]\n"));
            match decision.actor {
                Some(a) => out.push_str(&format!("actor = \"a{a}\"\n")),
                None => out.push_str("actor = \"nature\"\n"),
            }
            let options: Vec<String> = OPTIONS[..decision.options]
                .iter()
                .map(|o| format!("\"{o}\""))
                .collect();
            out.push_str(&format!("options = [{}]\n", options.join(", ")));
            if let Some(g) = &decision.guard {
                out.push_str(&format!("when = \"{}\"\n", self.cond(g)));
            }
            let analysts = self.extras.analysts.get(d).and_then(Option::as_ref);
            if let Some(w) = decision.weights.as_ref().filter(|_| analysts.is_none()) {
                out.push_str(&format!(
                    "likelihood = {{ {} }}\n",
                    self.likelihoods(decision.options, w, decision.form)
                ));
            }
            let form = self.extras.conditional_forms.get(d).copied().unwrap_or(0);
            let more = self.extras.more_conditional.get(d).and_then(Option::as_ref);
            for (c, w) in decision.conditional.iter().chain(more) {
                out.push_str(&format!(
                    "[[decisions.d{d}.likelihood_if]]\nwhen = \"{}\"\n",
                    self.cond(c)
                ));
                for entry in entries(decision.options, w, form) {
                    out.push_str(&entry);
                    out.push('\n');
                }
            }
            for (k, (w, form)) in analysts.into_iter().flatten().enumerate() {
                out.push_str(&format!("\n[decisions.d{d}.likelihood.by.analyst{k}]\n"));
                for entry in entries(decision.options, w, *form) {
                    out.push_str(&entry);
                    out.push('\n');
                }
            }
        }
        let mut rules = Vec::new();
        for (r, rule) in self.rules.iter().enumerate() {
            let effect = match self.derived[rule.target] {
                Kind::Bool => format!("then = {{ f{} = {} }}", rule.target, rule.value == 0),
                Kind::Enum => format!(
                    "then = {{ f{} = \"{}\" }}",
                    rule.target,
                    ["low", "high"][rule.value as usize]
                ),
                Kind::Number => format!("add = {{ f{} = {} }}", rule.target, rule.amount),
            };
            rules.push(format!(
                "\n[rules.r{r}]\nwhen = \"{}\"\n{effect}\npriority = {r}\n",
                self.cond(&rule.when)
            ));
        }
        permute(&mut rules, shuffle, 0);
        out.extend(rules);
        let mut outcomes = Vec::new();
        let payoff = |o: usize| {
            (0..self.actors)
                .map(|a| format!("a{a} = {}", self.payoffs[o][a]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (o, c) in self.outcomes.iter().enumerate() {
            let mut when = format!("({})", self.cond(c));
            for earlier in &self.outcomes[..o] {
                when.push_str(&format!(" and not ({})", self.cond(earlier)));
            }
            outcomes.push(format!(
                "\n[outcomes.o{o}]\nwhen = \"{when}\"\npayoff = {{ {} }}\n",
                payoff(o)
            ));
        }
        outcomes.push(format!(
            "\n[outcomes.rest]\npayoff = {{ {} }}\n",
            payoff(self.outcomes.len())
        ));
        permute(&mut outcomes, shuffle, 0);
        out.extend(outcomes);
        self.extras_toml(&mut out);
        out
    }

    /// The outcome's id in the file.
    fn outcome_name(&self, o: usize) -> String {
        if o < self.outcomes.len() {
            format!("o{o}")
        } else {
            "rest".to_owned()
        }
    }

    fn extras_toml(&self, out: &mut String) {
        for (v, variant) in self.extras.variants.iter().enumerate() {
            out.push_str(&format!("\n[variants.v{v}]\ntitle = \"variant {v}\"\n"));
            if let Some(level) = variant.level {
                out.push_str(&format!("facts = {{ level = {level} }}\n"));
            }
            if let Some((d, w, form)) = &variant.likelihood {
                let d = d % self.decisions.len();
                out.push_str(&format!(
                    "likelihood.d{d} = {{ {} }}\n",
                    self.likelihoods(self.decisions[d].options, w, *form)
                ));
            }
            if let Some((o, a, x)) = variant.payoff {
                out.push_str(&format!(
                    "payoff.{} = {{ a{a} = {x} }}\n",
                    self.outcome_name(o)
                ));
            }
        }
        for (s, signpost) in self.extras.signposts.iter().enumerate() {
            out.push_str(&format!("\n[signposts.s{s}]\ntitle = \"signpost {s}\"\n"));
            match signpost {
                GenSignpost::Ratio(d, ratios) => {
                    let d = d % self.decisions.len();
                    let entries: Vec<String> = ratios[..self.decisions[d].options]
                        .iter()
                        .enumerate()
                        .filter_map(|(o, r)| {
                            r.map(|r| format!("{} = {}", OPTIONS[o], RATIOS[r as usize]))
                        })
                        .collect();
                    let entries = if entries.is_empty() {
                        vec![format!("{} = 2", OPTIONS[0])]
                    } else {
                        entries
                    };
                    out.push_str(&format!(
                        "decision = \"d{d}\"\nratio = {{ {} }}\n",
                        entries.join(", ")
                    ));
                }
                GenSignpost::When(c) => {
                    out.push_str(&format!("when = \"{}\"\n", self.cond(c)));
                }
            }
        }
    }
}

/// `option = likelihood` for each option, written in `form`: 0 exact, 1 a percentage, 2 a
/// range, 3 estimative words.
fn entries(options: usize, weights: &[u8], form: u8) -> Vec<String> {
    let exact = exact(&weights[..options]);
    let words_two = ["likely", "unlikely"];
    let words_three = ["likely", "unlikely", "very unlikely"];
    (0..options)
        .map(|i| {
            let p = exact[i];
            let text = match form {
                1 => format!("\"{}%\"", (p * 1000.0).round() / 10.0),
                2 => format!(
                    "[{}, {}]",
                    ((p - 0.05).max(0.0) * 1000.0).round() / 1000.0,
                    ((p + 0.05).min(1.0) * 1000.0).round() / 1000.0
                ),
                3 if options == 2 => format!("\"{}\"", words_two[i]),
                3 => format!("\"{}\"", words_three[i]),
                _ => format!("{p}"),
            };
            format!("{} = {text}", OPTIONS[i])
        })
        .collect()
}

/// A deterministic permutation of `items[from..]` from a seed.
fn permute(items: &mut [String], seed: Option<u64>, from: usize) {
    let Some(mut state) = seed else { return };
    let tail = &mut items[from..];
    for i in (1..tail.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (state >> 33) as usize % (i + 1);
        tail.swap(i, j);
    }
}

/// Probabilities from weights, rounded to tenths of a percent, the last one taking the rest so
/// that they sum to 1 as exact numbers must.
fn exact(weights: &[u8]) -> Vec<f64> {
    let total: f64 = weights.iter().map(|&w| f64::from(w)).sum();
    let mut out: Vec<f64> = weights
        .iter()
        .map(|&w| (f64::from(w) / total * 1000.0).round() / 1000.0)
        .collect();
    let n = out.len();
    let rest: f64 = out[..n - 1].iter().sum();
    out[n - 1] = ((1.0 - rest) * 1000.0).round() / 1000.0;
    out
}
