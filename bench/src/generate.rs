//! A deterministic scenario generator: the same family, size and seed always give the same
//! file, byte for byte, on every machine.
//!
//! Three families cover what analysts write and what stresses the engine:
//! - [`Family::Rules`]: many rules over few two-option decisions, with an outcome that reads
//!   every decision (so no two prefixes share a future and every path is walked);
//! - [`Family::Window`]: many decisions whose rules read a bounded window of recent decisions,
//!   which the engine must evaluate by merging equal states instead of walking 2^n paths;
//! - [`Family::Mix`]: a realistic mix of actors and nature, guards, `add`, conditional
//!   likelihoods, estimative words and payoffs;
//! - [`Family::Scores`]: two-option decisions and `add` rules that each read two of them,
//!   with three outcomes on the sum: the shape where default `casus eval` used to re-run the
//!   rules once per rule, so it is the family that keeps the analyses honest about cost.
//!
//! Every scenario is also written as a neutral JSON [`Spec`] that the peer scripts in
//! `bench/peers/` translate into their own formats, so peers and casus run the same rules.

use std::fmt::Write as _;

use serde::Serialize;

/// A scenario family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Family {
    /// Many rules over few two-option decisions; no state merges.
    Rules,
    /// Many decisions; rules read a bounded window of recent decisions.
    Window,
    /// Nature and actors, guards, `add`, conditional likelihoods, words and payoffs.
    Mix,
    /// Two-option decisions, `add` rules reading two decisions each, outcomes on the sum.
    Scores,
}

impl Family {
    /// Every family, for loops in tests and benches.
    pub const ALL: [Family; 4] = [Family::Rules, Family::Window, Family::Mix, Family::Scores];

    /// The family's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Family::Rules => "rules",
            Family::Window => "window",
            Family::Mix => "mix",
            Family::Scores => "scores",
        }
    }

    /// The family named `name`, if any.
    pub fn parse(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// How big a generated scenario is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Size {
    /// Decisions.
    pub decisions: usize,
    /// Rules.
    pub rules: usize,
}

/// A literal value in a condition or a `then`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Lit {
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A symbol.
    Sym(String),
}

/// A condition, restricted to what every peer can express: comparisons of one name with a
/// literal, combined with `and`, `or`, `not`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Cond {
    /// `name == value`.
    Eq {
        /// A decision or fact.
        name: String,
        /// The literal.
        value: Lit,
    },
    /// `name != value`.
    Ne {
        /// A decision or fact.
        name: String,
        /// The literal.
        value: Lit,
    },
    /// `name >= value` on a number fact.
    Ge {
        /// A number fact.
        name: String,
        /// The bound.
        value: f64,
    },
    /// `name < value` on a number fact.
    Lt {
        /// A number fact.
        name: String,
        /// The bound.
        value: f64,
    },
    /// Every part holds.
    And {
        /// The parts.
        args: Vec<Cond>,
    },
    /// Some part holds.
    Or {
        /// The parts.
        args: Vec<Cond>,
    },
    /// The part does not hold.
    Not {
        /// The negated condition.
        arg: Box<Cond>,
    },
}

impl Cond {
    fn eq(name: &str, value: Lit) -> Cond {
        Cond::Eq {
            name: name.to_owned(),
            value,
        }
    }

    /// The condition in casus's expression language.
    pub fn to_expr(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Cond::Eq { name, value } => {
                let _ = write!(out, "{name} == {}", lit_expr(value));
            }
            Cond::Ne { name, value } => {
                let _ = write!(out, "{name} != {}", lit_expr(value));
            }
            Cond::Ge { name, value } => {
                let _ = write!(out, "{name} >= {}", num(*value));
            }
            Cond::Lt { name, value } => {
                let _ = write!(out, "{name} < {}", num(*value));
            }
            Cond::Not { arg } => {
                out.push_str("not (");
                arg.write(out);
                out.push(')');
            }
            Cond::And { args } | Cond::Or { args } => {
                let word = if matches!(self, Cond::And { .. }) {
                    " and "
                } else {
                    " or "
                };
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(word);
                    }
                    if matches!(a, Cond::And { .. } | Cond::Or { .. }) {
                        out.push('(');
                        a.write(out);
                        out.push(')');
                    } else {
                        a.write(out);
                    }
                }
            }
        }
    }
}

fn lit_expr(value: &Lit) -> String {
    match value {
        Lit::Bool(b) => b.to_string(),
        Lit::Num(n) => num(*n),
        Lit::Sym(s) => format!("'{s}'"),
    }
}

fn lit_toml(value: &Lit) -> String {
    match value {
        Lit::Bool(b) => b.to_string(),
        Lit::Num(n) => num(*n),
        Lit::Sym(s) => format!("\"{s}\""),
    }
}

fn num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The type of a derived fact.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum DerivedType {
    /// `true` / `false`, default `false`.
    Bool,
    /// One of the symbols, default the first.
    Enum {
        /// The symbols.
        values: Vec<String>,
    },
    /// A number that rules add to, default 0.
    Number,
}

/// A derived fact.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Derived {
    /// Its id.
    pub id: String,
    /// Its type.
    #[serde(flatten)]
    pub kind: DerivedType,
}

impl Derived {
    /// The value when no rule sets it.
    pub fn default_value(&self) -> Lit {
        match &self.kind {
            DerivedType::Bool => Lit::Bool(false),
            DerivedType::Enum { values } => Lit::Sym(values[0].clone()),
            DerivedType::Number => Lit::Num(0.0),
        }
    }
}

/// A likelihood as written in the file.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Likelihood {
    /// An exact probability.
    Number(f64),
    /// An ICD 203 word (a band).
    Word(String),
}

/// A decision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// Its id.
    pub id: String,
    /// Index in `Spec::actors`, or `None` for nature.
    pub actor: Option<usize>,
    /// Its options.
    pub options: Vec<String>,
    /// When it is taken; `None` means always.
    pub guard: Option<Cond>,
    /// Likelihood per option, if given.
    pub likelihood: Option<Vec<Likelihood>>,
    /// Conditional likelihoods, first match wins.
    pub likelihood_if: Vec<(Cond, Vec<Likelihood>)>,
}

/// A rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// The condition.
    pub when: Cond,
    /// `(derived fact index, value)` set when it fires.
    pub then: Vec<(usize, Lit)>,
    /// `(derived fact index, amount)` added when it fires.
    pub add: Vec<(usize, f64)>,
    /// Resolves conflicts: writers of one fact that set different values never share a
    /// priority, so generated files never conflict.
    pub priority: i64,
}

/// An outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    /// Its id.
    pub id: String,
    /// The condition; `None` for the fallback.
    pub when: Option<Cond>,
    /// Payoff per actor, in `Spec::actors` order.
    pub payoff: Vec<f64>,
}

/// A generated scenario, serialisable for the peer scripts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Spec {
    /// The family it belongs to.
    pub family: Family,
    /// Its size.
    pub size: Size,
    /// The seed it was generated from.
    pub seed: u64,
    /// Actor ids.
    pub actors: Vec<String>,
    /// Derived facts.
    pub derived: Vec<Derived>,
    /// Decisions, in the order they happen.
    pub decisions: Vec<Decision>,
    /// Rules.
    pub rules: Vec<Rule>,
    /// Outcomes; exactly one holds on every path by construction.
    pub outcomes: Vec<Outcome>,
}

/// SplitMix64: small, fast, and the same everywhere; a benchmark needs no better randomness.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

/// ICD 203 words with their bands in percent.
const WORDS: [(&str, u32, u32); 6] = [
    ("very unlikely", 5, 20),
    ("unlikely", 20, 45),
    ("roughly even chance", 45, 55),
    ("likely", 55, 80),
    ("very likely", 80, 95),
    ("almost certain", 95, 99),
];

/// Estimative words for `k` options whose bands can sum to 100 %, as the checker requires.
fn words(k: usize, rng: &mut Rng) -> Vec<Likelihood> {
    loop {
        let picked: Vec<usize> = (0..k).map(|_| rng.below(WORDS.len())).collect();
        let lo: u32 = picked.iter().map(|&w| WORDS[w].1).sum();
        let hi: u32 = picked.iter().map(|&w| WORDS[w].2).sum();
        if lo <= 100 && hi >= 100 {
            return picked
                .into_iter()
                .map(|w| Likelihood::Word(WORDS[w].0.to_owned()))
                .collect();
        }
    }
}

/// Generates a scenario of `family` with about `size` decisions and rules.
pub fn generate(family: Family, size: Size, seed: u64) -> Spec {
    let mut rng = Rng::new(seed ^ (family as u64).wrapping_mul(0x1234_5678_9ABC_DEF1));
    match family {
        Family::Rules => rules_family(size, seed, &mut rng),
        Family::Window => window_family(size, seed, &mut rng),
        Family::Mix => mix_family(size, seed, &mut rng),
        Family::Scores => scores_family(size, seed, &mut rng),
    }
}

fn sym(s: &str) -> Lit {
    Lit::Sym(s.to_owned())
}

/// Many rules over few decisions. Decisions alternate between two actors and nature; each
/// rule reads one to three decisions and sometimes an earlier derived fact; derived facts are
/// flags, enums and scores. The outcome `unanimous` reads every decision.
fn rules_family(size: Size, seed: u64, rng: &mut Rng) -> Spec {
    let actors = vec!["north".to_owned(), "south".to_owned()];
    let n = size.decisions.max(1);
    let decisions: Vec<Decision> = (0..n)
        .map(|i| {
            let actor = match i % 3 {
                0 => Some(0),
                1 => Some(1),
                _ => None,
            };
            let p = 0.2 + 0.1 * (rng.below(7) as f64);
            Decision {
                id: format!("d{i}"),
                actor,
                options: vec!["yes".to_owned(), "no".to_owned()],
                guard: None,
                likelihood: Some(vec![
                    Likelihood::Number(round2(p)),
                    Likelihood::Number(round2(1.0 - p)),
                ]),
                likelihood_if: Vec::new(),
            }
        })
        .collect();
    let n_facts = (size.rules / 10).clamp(3, 1000);
    let derived: Vec<Derived> = (0..n_facts)
        .map(|f| Derived {
            id: format!("f{f}"),
            kind: match f % 3 {
                0 => DerivedType::Number,
                1 => DerivedType::Bool,
                _ => DerivedType::Enum {
                    values: vec!["low".to_owned(), "mid".to_owned(), "high".to_owned()],
                },
            },
        })
        .collect();
    let decision_atom = |rng: &mut Rng| {
        let d = rng.below(n);
        let o = if rng.chance(50) { "yes" } else { "no" };
        if rng.chance(80) {
            Cond::eq(&format!("d{d}"), sym(o))
        } else {
            Cond::Ne {
                name: format!("d{d}"),
                value: sym(o),
            }
        }
    };
    let mut rules = Vec::with_capacity(size.rules);
    for r in 0..size.rules {
        let target = r % n_facts;
        let mut parts: Vec<Cond> = (0..1 + rng.below(3)).map(|_| decision_atom(rng)).collect();
        if target > 0 && rng.chance(30) {
            let source = rng.below(target);
            parts.push(fact_atom(&derived[source], rng));
        }
        let when = if parts.len() > 1 && rng.chance(20) {
            let last = parts.pop().unwrap_or_else(|| decision_atom(rng));
            Cond::Or {
                args: vec![Cond::And { args: parts }, last],
            }
        } else if parts.len() == 1 {
            parts.remove(0)
        } else {
            Cond::And { args: parts }
        };
        let (then, add) = effect(&derived[target], target, rng);
        rules.push(Rule {
            id: format!("r{r}"),
            when,
            then,
            add,
            priority: r as i64,
        });
    }
    let all_yes = Cond::And {
        args: (0..n)
            .map(|d| Cond::eq(&format!("d{d}"), sym("yes")))
            .collect(),
    };
    let not_all = Cond::Not {
        arg: Box::new(all_yes.clone()),
    };
    let outcomes = vec![
        Outcome {
            id: "unanimous".to_owned(),
            when: Some(all_yes),
            payoff: vec![3.0, 3.0],
        },
        Outcome {
            id: "north_ahead".to_owned(),
            when: Some(Cond::And {
                args: vec![
                    not_all.clone(),
                    Cond::Ge {
                        name: "f0".to_owned(),
                        value: 3.0,
                    },
                ],
            }),
            payoff: vec![2.0, -1.0],
        },
        Outcome {
            id: "south_ahead".to_owned(),
            when: Some(Cond::And {
                args: vec![
                    not_all,
                    Cond::Lt {
                        name: "f0".to_owned(),
                        value: 3.0,
                    },
                    Cond::eq("f1", Lit::Bool(true)),
                ],
            }),
            payoff: vec![-1.0, 2.0],
        },
        Outcome {
            id: "deadlock".to_owned(),
            when: None,
            payoff: vec![0.0, 0.0],
        },
    ];
    Spec {
        family: Family::Rules,
        size,
        seed,
        actors,
        derived,
        decisions,
        rules,
        outcomes,
    }
}

/// Many decisions; every rule reads two or three decisions within a window of four. Derived
/// facts: two scores, two flags, one enum. Some decisions are guarded by a score, some have a
/// likelihood that depends on a flag.
fn window_family(size: Size, seed: u64, rng: &mut Rng) -> Spec {
    const WINDOW: usize = 4;
    let actors = vec!["red".to_owned(), "blue".to_owned()];
    let n = size.decisions.max(WINDOW);
    let derived = vec![
        Derived {
            id: "tension".to_owned(),
            kind: DerivedType::Number,
        },
        Derived {
            id: "trust".to_owned(),
            kind: DerivedType::Number,
        },
        Derived {
            id: "incident".to_owned(),
            kind: DerivedType::Bool,
        },
        Derived {
            id: "talks".to_owned(),
            kind: DerivedType::Bool,
        },
        Derived {
            id: "posture".to_owned(),
            kind: DerivedType::Enum {
                values: vec!["calm".to_owned(), "alert".to_owned(), "war".to_owned()],
            },
        },
    ];
    let decisions: Vec<Decision> = (0..n)
        .map(|i| {
            let actor = match i % 4 {
                0 => Some(0),
                2 => Some(1),
                _ => None,
            };
            let guard = (i > WINDOW && i % 7 == 3).then(|| Cond::Lt {
                name: "tension".to_owned(),
                value: 6.0,
            });
            let likelihood_if = if actor.is_none() && i % 8 == 1 && i > 1 {
                vec![(
                    Cond::eq("incident", Lit::Bool(true)),
                    vec![Likelihood::Number(0.8), Likelihood::Number(0.2)],
                )]
            } else {
                Vec::new()
            };
            Decision {
                id: format!("d{i}"),
                actor,
                options: vec!["hold".to_owned(), "push".to_owned()],
                guard,
                likelihood: Some(words(2, rng)),
                likelihood_if,
            }
        })
        .collect();
    let mut rules = Vec::with_capacity(size.rules);
    for r in 0..size.rules {
        let end = WINDOW - 1 + rng.below(n - WINDOW + 1);
        let mut picked: Vec<usize> = (0..2 + rng.below(2))
            .map(|_| end + 1 - WINDOW + rng.below(WINDOW))
            .collect();
        picked.push(end);
        picked.sort_unstable();
        picked.dedup();
        let parts: Vec<Cond> = picked
            .iter()
            .map(|&d| {
                Cond::eq(
                    &format!("d{d}"),
                    sym(if rng.chance(50) { "hold" } else { "push" }),
                )
            })
            .collect();
        let when = Cond::And { args: parts };
        // Priorities as an analyst sets them: the graver value wins.
        let (then, add, priority) = match rng.below(6) {
            0 | 1 => (Vec::new(), vec![(0, 1.0)], 0),
            2 => (Vec::new(), vec![(1, 1.0)], 0),
            3 => (vec![(2, Lit::Bool(true))], Vec::new(), 0),
            4 => (vec![(3, Lit::Bool(true))], Vec::new(), 0),
            _ => {
                let war = rng.chance(30);
                (
                    vec![(4, sym(if war { "war" } else { "alert" }))],
                    Vec::new(),
                    i64::from(war),
                )
            }
        };
        rules.push(Rule {
            id: format!("r{r}"),
            when,
            then,
            add,
            priority,
        });
    }
    let war = Cond::eq("posture", sym("war"));
    let outcomes = vec![
        Outcome {
            id: "war".to_owned(),
            when: Some(war.clone()),
            payoff: vec![-5.0, -5.0],
        },
        Outcome {
            id: "settlement".to_owned(),
            when: Some(Cond::And {
                args: vec![
                    Cond::Not {
                        arg: Box::new(war.clone()),
                    },
                    Cond::eq("talks", Lit::Bool(true)),
                    Cond::Ge {
                        name: "trust".to_owned(),
                        value: 2.0,
                    },
                ],
            }),
            payoff: vec![2.0, 2.0],
        },
        Outcome {
            id: "crisis".to_owned(),
            when: Some(Cond::And {
                args: vec![
                    Cond::Not { arg: Box::new(war) },
                    Cond::Or {
                        args: vec![
                            Cond::eq("talks", Lit::Bool(false)),
                            Cond::Lt {
                                name: "trust".to_owned(),
                                value: 2.0,
                            },
                        ],
                    },
                    Cond::Ge {
                        name: "tension".to_owned(),
                        value: 4.0,
                    },
                ],
            }),
            payoff: vec![1.0, -2.0],
        },
        Outcome {
            id: "status_quo".to_owned(),
            when: None,
            payoff: vec![0.0, 1.0],
        },
    ];
    Spec {
        family: Family::Window,
        size,
        seed,
        actors,
        derived,
        decisions,
        rules,
        outcomes,
    }
}

/// Two-option decisions (actors and nature in turn, nature with estimative words) and `add`
/// rules that each read two decisions at most three apart; three outcomes split the sum at about a third and two
/// thirds of its expected range, so each is reached on many paths.
fn scores_family(size: Size, seed: u64, rng: &mut Rng) -> Spec {
    const WINDOW: usize = 3;
    let actors = vec!["east".to_owned(), "west".to_owned()];
    let n = size.decisions.max(2);
    let derived = vec![Derived {
        id: "score".to_owned(),
        kind: DerivedType::Number,
    }];
    let decisions = (0..n)
        .map(|i| Decision {
            id: format!("d{i}"),
            actor: match i % 3 {
                0 => Some(0),
                1 => Some(1),
                _ => None,
            },
            options: vec!["no".to_owned(), "yes".to_owned()],
            guard: None,
            likelihood: Some(words(2, rng)),
            likelihood_if: Vec::new(),
        })
        .collect();
    let mut total = 0.0;
    let rules = (0..size.rules)
        .map(|r| {
            // Two decisions close together, as events that bear on each other usually are:
            // once both are past, only the sum remains of them, and states merge.
            let a = rng.below(n - 1);
            let b = a + 1 + rng.below(WINDOW.min(n - 1 - a));
            let amount = (1 + rng.below(3)) as f64;
            total += amount;
            Rule {
                id: format!("r{r}"),
                when: Cond::And {
                    args: vec![
                        Cond::eq(&format!("d{a}"), sym("yes")),
                        Cond::eq(
                            &format!("d{b}"),
                            sym(if rng.chance(50) { "yes" } else { "no" }),
                        ),
                    ],
                },
                then: Vec::new(),
                add: vec![(0, amount)],
                priority: 0,
            }
        })
        .collect();
    // Each rule fires on about a quarter of the paths: the sum centres near `total / 4`.
    let low = (total / 5.0).round();
    let high = (total * 3.0 / 10.0).round().max(low + 1.0);
    let below = |v: f64| Cond::Lt {
        name: "score".to_owned(),
        value: v,
    };
    let at_least = |v: f64| Cond::Ge {
        name: "score".to_owned(),
        value: v,
    };
    let outcomes = vec![
        Outcome {
            id: "calm".to_owned(),
            when: Some(below(low)),
            payoff: vec![2.0, 1.0],
        },
        Outcome {
            id: "strain".to_owned(),
            when: Some(Cond::And {
                args: vec![at_least(low), below(high)],
            }),
            payoff: vec![0.0, 0.0],
        },
        Outcome {
            id: "rupture".to_owned(),
            when: Some(at_least(high)),
            payoff: vec![-3.0, 2.0],
        },
    ];
    Spec {
        family: Family::Scores,
        size,
        seed,
        actors,
        derived,
        decisions,
        rules,
        outcomes,
    }
}

/// A realistic mix: three actors and nature, two to four options, guards on earlier
/// decisions and on facts, `add` scores, flags and enums, conditional likelihoods, estimative
/// words, and five outcomes with payoffs.
fn mix_family(size: Size, seed: u64, rng: &mut Rng) -> Spec {
    let actors = vec![
        "capital".to_owned(),
        "rebels".to_owned(),
        "patron".to_owned(),
    ];
    let n = size.decisions.max(2);
    let option_pool = ["wait", "talk", "press", "strike"];
    let derived = vec![
        Derived {
            id: "pressure".to_owned(),
            kind: DerivedType::Number,
        },
        Derived {
            id: "support".to_owned(),
            kind: DerivedType::Number,
        },
        Derived {
            id: "escalated".to_owned(),
            kind: DerivedType::Bool,
        },
        Derived {
            id: "mediation".to_owned(),
            kind: DerivedType::Bool,
        },
        Derived {
            id: "front".to_owned(),
            kind: DerivedType::Enum {
                values: vec![
                    "stable".to_owned(),
                    "moving".to_owned(),
                    "broken".to_owned(),
                ],
            },
        },
    ];
    let mut decisions: Vec<Decision> = Vec::with_capacity(n);
    for i in 0..n {
        let actor = match rng.below(4) {
            3 => None,
            a => Some(a),
        };
        let k = 2 + rng.below(3);
        let options: Vec<String> = option_pool[..k].iter().map(|s| (*s).to_owned()).collect();
        let likelihood = if actor.is_none() || rng.chance(70) {
            Some(words(k, rng))
        } else {
            None
        };
        let guard = if i > 0 && rng.chance(25) {
            if rng.chance(50) {
                let j = rng.below(i);
                Some(Cond::Ne {
                    name: format!("d{j}"),
                    value: sym(&decisions[j].options[0]),
                })
            } else {
                Some(Cond::Lt {
                    name: "pressure".to_owned(),
                    value: 4.0,
                })
            }
        } else {
            None
        };
        let likelihood_if = if likelihood.is_some() && i > 0 && rng.chance(30) {
            vec![(Cond::eq("escalated", Lit::Bool(true)), words(k, rng))]
        } else {
            Vec::new()
        };
        decisions.push(Decision {
            id: format!("d{i}"),
            actor,
            options,
            guard,
            likelihood,
            likelihood_if,
        });
    }
    let mut rules = Vec::with_capacity(size.rules);
    for r in 0..size.rules {
        let mut parts = Vec::new();
        for _ in 0..1 + rng.below(2) {
            let d = rng.below(n);
            let o = rng.below(decisions[d].options.len());
            parts.push(Cond::eq(&format!("d{d}"), sym(&decisions[d].options[o])));
        }
        let target = rng.below(derived.len());
        if target >= 2 && rng.chance(30) {
            parts.push(Cond::Ge {
                name: "pressure".to_owned(),
                value: 2.0,
            });
        }
        let when = if parts.len() == 1 {
            parts.remove(0)
        } else {
            Cond::And { args: parts }
        };
        let (then, add, priority) = match target {
            0 | 1 => (Vec::new(), vec![(target, 1.0 + rng.below(2) as f64)], 0),
            2 | 3 => (vec![(target, Lit::Bool(true))], Vec::new(), 0),
            _ => {
                let broken = rng.chance(40);
                (
                    vec![(4, sym(if broken { "broken" } else { "moving" }))],
                    Vec::new(),
                    i64::from(broken),
                )
            }
        };
        rules.push(Rule {
            id: format!("r{r}"),
            when,
            then,
            add,
            priority,
        });
    }
    let broken = Cond::eq("front", sym("broken"));
    let not_broken = Cond::Not {
        arg: Box::new(broken.clone()),
    };
    let outcomes = vec![
        Outcome {
            id: "collapse".to_owned(),
            when: Some(broken),
            payoff: vec![-4.0, 3.0, -2.0],
        },
        Outcome {
            id: "deal".to_owned(),
            when: Some(Cond::And {
                args: vec![
                    not_broken.clone(),
                    Cond::eq("mediation", Lit::Bool(true)),
                    Cond::Lt {
                        name: "pressure".to_owned(),
                        value: 3.0,
                    },
                ],
            }),
            payoff: vec![2.0, 1.0, 2.0],
        },
        Outcome {
            id: "escalation".to_owned(),
            when: Some(Cond::And {
                args: vec![
                    not_broken.clone(),
                    Cond::eq("escalated", Lit::Bool(true)),
                    Cond::Ge {
                        name: "pressure".to_owned(),
                        value: 3.0,
                    },
                ],
            }),
            payoff: vec![-2.0, -1.0, -3.0],
        },
        Outcome {
            id: "attrition".to_owned(),
            when: Some(Cond::And {
                args: vec![
                    not_broken,
                    Cond::Ge {
                        name: "support".to_owned(),
                        value: 3.0,
                    },
                    Cond::Not {
                        arg: Box::new(Cond::And {
                            args: vec![
                                Cond::eq("mediation", Lit::Bool(true)),
                                Cond::Lt {
                                    name: "pressure".to_owned(),
                                    value: 3.0,
                                },
                            ],
                        }),
                    },
                    Cond::Not {
                        arg: Box::new(Cond::And {
                            args: vec![
                                Cond::eq("escalated", Lit::Bool(true)),
                                Cond::Ge {
                                    name: "pressure".to_owned(),
                                    value: 3.0,
                                },
                            ],
                        }),
                    },
                ],
            }),
            payoff: vec![-1.0, 1.0, -1.0],
        },
        Outcome {
            id: "standoff".to_owned(),
            when: None,
            payoff: vec![0.0, 0.0, 0.0],
        },
    ];
    Spec {
        family: Family::Mix,
        size,
        seed,
        actors,
        derived,
        decisions,
        rules,
        outcomes,
    }
}

/// A condition on a derived fact, for rules that chain.
fn fact_atom(fact: &Derived, rng: &mut Rng) -> Cond {
    match &fact.kind {
        DerivedType::Bool => Cond::eq(&fact.id, Lit::Bool(rng.chance(70))),
        DerivedType::Enum { values } => Cond::Ne {
            name: fact.id.clone(),
            value: Lit::Sym(values[rng.below(values.len())].clone()),
        },
        DerivedType::Number => Cond::Ge {
            name: fact.id.clone(),
            value: (1 + rng.below(3)) as f64,
        },
    }
}

type Effect = (Vec<(usize, Lit)>, Vec<(usize, f64)>);

fn effect(fact: &Derived, index: usize, rng: &mut Rng) -> Effect {
    match &fact.kind {
        DerivedType::Number => (Vec::new(), vec![(index, (1 + rng.below(3)) as f64)]),
        DerivedType::Bool => (vec![(index, Lit::Bool(true))], Vec::new()),
        DerivedType::Enum { values } => (
            vec![(
                index,
                Lit::Sym(values[1 + rng.below(values.len() - 1)].clone()),
            )],
            Vec::new(),
        ),
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Spec {
    /// The scenario as a casus TOML file.
    pub fn to_toml(&self) -> String {
        let mut out = String::with_capacity(256 * (self.rules.len() + self.decisions.len()));
        let _ = writeln!(
            out,
            "[scenario]\ntitle = \"generated {} scenario: {} decisions, {} rules, seed {}\"\n",
            self.family.name(),
            self.size.decisions,
            self.size.rules,
            self.seed
        );
        out.push_str("[actors]\n");
        for a in &self.actors {
            let _ = writeln!(out, "{a} = \"{a}\"");
        }
        out.push_str("\n[facts]\n");
        for d in &self.derived {
            let ty = match &d.kind {
                DerivedType::Bool => "\"bool\"".to_owned(),
                DerivedType::Number => "\"number\"".to_owned(),
                DerivedType::Enum { values } => format!(
                    "[{}]",
                    values
                        .iter()
                        .map(|v| format!("\"{v}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let _ = writeln!(
                out,
                "{} = {{ type = {ty}, default = {} }}",
                d.id,
                lit_toml(&d.default_value())
            );
        }
        for d in &self.decisions {
            let _ = writeln!(out, "\n[decisions.{}]", d.id);
            let actor = d.actor.map_or("nature", |a| self.actors[a].as_str());
            let _ = writeln!(out, "actor = \"{actor}\"");
            let options: Vec<String> = d.options.iter().map(|o| format!("\"{o}\"")).collect();
            let _ = writeln!(out, "options = [{}]", options.join(", "));
            if let Some(g) = &d.guard {
                let _ = writeln!(out, "when = \"{}\"", g.to_expr());
            }
            if let Some(l) = &d.likelihood {
                let _ = writeln!(out, "likelihood = {}", likelihood_table(&d.options, l));
            }
            for (when, l) in &d.likelihood_if {
                let _ = writeln!(out, "[[decisions.{}.likelihood_if]]", d.id);
                let _ = writeln!(out, "when = \"{}\"", when.to_expr());
                for (o, x) in d.options.iter().zip(l) {
                    let _ = writeln!(out, "{o} = {}", likelihood_value(x));
                }
            }
        }
        for r in &self.rules {
            let _ = writeln!(out, "\n[rules.{}]", r.id);
            let _ = writeln!(out, "when = \"{}\"", r.when.to_expr());
            if !r.then.is_empty() {
                let parts: Vec<String> = r
                    .then
                    .iter()
                    .map(|(f, v)| format!("{} = {}", self.derived[*f].id, lit_toml(v)))
                    .collect();
                let _ = writeln!(out, "then = {{ {} }}", parts.join(", "));
            }
            if !r.add.is_empty() {
                let parts: Vec<String> = r
                    .add
                    .iter()
                    .map(|(f, v)| format!("{} = {}", self.derived[*f].id, num(*v)))
                    .collect();
                let _ = writeln!(out, "add = {{ {} }}", parts.join(", "));
            }
            let _ = writeln!(out, "priority = {}", r.priority);
        }
        for o in &self.outcomes {
            let _ = writeln!(out, "\n[outcomes.{}]", o.id);
            let _ = writeln!(out, "title = \"{}\"", o.id.replace('_', " "));
            if let Some(w) = &o.when {
                let _ = writeln!(out, "when = \"{}\"", w.to_expr());
            }
            let parts: Vec<String> = self
                .actors
                .iter()
                .zip(&o.payoff)
                .map(|(a, p)| format!("{a} = {}", num(*p)))
                .collect();
            let _ = writeln!(out, "payoff = {{ {} }}", parts.join(", "));
        }
        out
    }
}

fn likelihood_value(l: &Likelihood) -> String {
    match l {
        Likelihood::Number(x) => num(*x),
        Likelihood::Word(w) => format!("\"{w}\""),
    }
}

fn likelihood_table(options: &[String], l: &[Likelihood]) -> String {
    let parts: Vec<String> = options
        .iter()
        .zip(l)
        .map(|(o, x)| format!("{o} = {}", likelihood_value(x)))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}
