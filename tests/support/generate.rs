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
}

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
                                    }
                                },
                            )
                    },
                )
        })
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
            .collect::<Vec<_>>()
            .join(", ")
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
            if let Some(w) = &decision.weights {
                out.push_str(&format!(
                    "likelihood = {{ {} }}\n",
                    self.likelihoods(decision.options, w, decision.form)
                ));
            }
            if let Some((c, w)) = &decision.conditional {
                out.push_str(&format!(
                    "[[decisions.d{d}.likelihood_if]]\nwhen = \"{}\"\n",
                    self.cond(c)
                ));
                for (i, p) in exact(&w[..decision.options]).iter().enumerate() {
                    out.push_str(&format!("{} = {p}\n", OPTIONS[i]));
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
        out
    }
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
