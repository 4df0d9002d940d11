//! A structured generator for the fuzz targets: arbitrary bytes become a scenario file.
//!
//! Random bytes almost never make a TOML file that loads, type-checks and evaluates, so a
//! fuzzer fed only bytes spends its time in the TOML parser. [`GenScenario`] is built by the
//! `arbitrary` crate and written out as TOML that is valid by construction (guards read only
//! earlier decisions, rules read only facts declared before their target, every rule has its
//! own priority, outcomes are made exclusive, there is a fallback outcome), so the fuzzers
//! reach the engine and every renderer. Free text (titles, `because`, docs, sources) comes from
//! the fuzzer verbatim, escaped only as TOML needs, so the renderers see hostile text.
//!
//! When [`GenScenario::chaos`] is set, the constraints are dropped one by one: guards may read
//! later decisions, rules may form cycles or conflict, outcomes may overlap, the fallback may
//! be missing. Those files reach the checker's and the search's error paths instead.
//!
//! This is the idea of `tests/support/generate.rs` (the proptest generator), adapted to
//! `arbitrary`.

use std::fmt::Write as _;

use arbitrary::Arbitrary;

/// Most decisions, rules, outcomes, derived facts and texts the generator writes; small
/// enough that one input evaluates in milliseconds.
const MAX_DECISIONS: usize = 7;
const MAX_RULES: usize = 8;
const MAX_OUTCOMES: usize = 4;
const MAX_DERIVED: usize = 3;
const MAX_TESTS: usize = 3;
/// Conditions deeper than this are cut to an atom.
const MAX_DEPTH: u8 = 4;

const OPTIONS: [&str; 4] = ["alpha", "beta", "gamma", "delta"];

/// One atomic condition.
#[derive(Arbitrary, Clone, Debug)]
pub enum Atom {
    /// A decision equals an option.
    Decision(u8, u8),
    /// A decision differs from an option.
    NotDecision(u8, u8),
    /// A decision is one of a set of options (bit mask).
    InOptions(u8, u8),
    /// A derived fact holds, equals a symbol, or is at least a number.
    Derived(u8, i8),
    /// The input number compared with a constant, through arithmetic.
    Input(i8, i8),
    /// A literal.
    Literal(bool),
}

/// A condition tree.
#[derive(Arbitrary, Clone, Debug)]
pub enum Cond {
    /// A leaf.
    Atom(Atom),
    /// `not (…)`.
    Not(Box<Cond>),
    /// `(…) and (…)`.
    And(Box<Cond>, Box<Cond>),
    /// `(…) or (…)`.
    Or(Box<Cond>, Box<Cond>),
}

/// How a decision's likelihoods are written.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Form {
    /// Exact numbers that sum to 1.
    Numbers,
    /// Percent strings.
    Percents,
    /// Ranges around the numbers.
    Ranges,
    /// Estimative words.
    Words,
}

/// One decision.
#[derive(Arbitrary, Clone, Debug)]
pub struct GenDecision {
    /// `None` is nature.
    pub actor: Option<u8>,
    /// Options, 1 to 4 (1 is an error only in chaos mode).
    pub options: u8,
    /// The guard.
    pub guard: Option<Cond>,
    /// Weights of the likelihoods, if any.
    pub weights: Option<[u8; 4]>,
    /// How they are written.
    pub form: Form,
    /// A conditional likelihood.
    pub conditional: Option<(Cond, [u8; 4])>,
    /// Index of the text used as `ask`.
    pub ask: Option<u8>,
}

/// One rule.
#[derive(Arbitrary, Clone, Debug)]
pub struct GenRule {
    /// When it fires.
    pub when: Cond,
    /// Which derived fact it sets or adds to.
    pub target: u8,
    /// The value set (bool, symbol index).
    pub value: u8,
    /// The amount added to a number fact.
    pub amount: i8,
    /// Index of the text used as `because`.
    pub because: Option<u8>,
    /// Priority; in chaos mode it may repeat another rule's.
    pub priority: i8,
}

/// One test.
#[derive(Arbitrary, Clone, Debug)]
pub struct GenTest {
    /// Decisions fixed: (decision, option).
    pub given: Vec<(u8, u8)>,
    /// The outcome expected.
    pub outcome: Option<u8>,
    /// An expected probability range of an outcome, in percent.
    pub probability: Option<(u8, u8, u8)>,
    /// Index of the text used as `doc`.
    pub doc: Option<u8>,
}

/// The derived facts' types.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Kind {
    /// `type = "bool"`.
    Bool,
    /// Two symbols.
    Enum,
    /// `type = "number"`, summed by `add`.
    Number,
}

/// A whole scenario.
#[derive(Arbitrary, Clone, Debug)]
pub struct GenScenario {
    /// Actors, 1 to 3.
    pub actors: u8,
    /// The input number fact.
    pub input: i8,
    /// Derived facts.
    pub derived: Vec<Kind>,
    /// Decisions in file order.
    pub decisions: Vec<GenDecision>,
    /// Rules.
    pub rules: Vec<GenRule>,
    /// Outcome conditions (a fallback is added unless chaos drops it).
    pub outcomes: Vec<Cond>,
    /// Payoffs, taken cyclically.
    pub payoffs: Vec<i8>,
    /// Free text from the fuzzer, for titles, asks, `because`, docs and sources.
    pub texts: Vec<String>,
    /// Tests.
    pub tests: Vec<GenTest>,
    /// Bits that drop the validity constraints (0: valid by construction).
    pub chaos: u8,
}

/// A TOML basic string holding exactly `text`: every character outside printable ASCII is
/// written as a `\u` escape, so any text at all survives the trip through TOML.
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

impl GenScenario {
    fn chaos(&self, bit: u8) -> bool {
        self.chaos & (1 << bit) != 0
    }

    fn decisions(&self) -> &[GenDecision] {
        &self.decisions[..self.decisions.len().min(MAX_DECISIONS)]
    }

    fn derived(&self) -> &[Kind] {
        &self.derived[..self.derived.len().min(MAX_DERIVED)]
    }

    fn actors(&self) -> usize {
        usize::from(self.actors % 3) + 1
    }

    fn options(&self, d: usize) -> usize {
        let n = usize::from(self.decisions()[d].options % 4) + 1;
        if n == 1 && !self.chaos(0) { 2 } else { n }
    }

    fn text(&self, i: u8, fallback: &str) -> String {
        match self.texts.get(usize::from(i) % self.texts.len().max(1)) {
            Some(t) => toml_string(t),
            None => toml_string(fallback),
        }
    }

    /// An atom that reads only decisions `< decisions` and derived facts `< derived`; `None`
    /// when nothing of the kind exists.
    fn atom(&self, atom: &Atom, decisions: usize, derived: usize) -> String {
        let literal = |b: bool| if b { "true" } else { "false" }.to_owned();
        match *atom {
            Atom::Decision(d, o) | Atom::NotDecision(d, o) | Atom::InOptions(d, o) => {
                if decisions == 0 {
                    return format!("level > {}", o % 5);
                }
                let d = usize::from(d) % decisions;
                let n = self.options(d);
                let option = OPTIONS[usize::from(o) % n];
                match atom {
                    Atom::Decision(..) => format!("d{d} == '{option}'"),
                    Atom::NotDecision(..) => format!("d{d} != '{option}'"),
                    _ => {
                        let set: Vec<String> = (0..n)
                            .filter(|i| o & (1 << i) != 0)
                            .map(|i| format!("'{}'", OPTIONS[i]))
                            .collect();
                        let set = if set.is_empty() {
                            format!("'{option}'")
                        } else {
                            set.join(", ")
                        };
                        format!("d{d} in [{set}]")
                    }
                }
            }
            Atom::Derived(f, k) => {
                if derived == 0 {
                    return literal(k > 0);
                }
                let f = usize::from(f) % derived;
                match self.derived()[f] {
                    Kind::Bool => format!("f{f}"),
                    Kind::Enum => format!("f{f} == 'low'"),
                    Kind::Number => format!("f{f} >= {}", k % 4),
                }
            }
            Atom::Input(a, k) => format!("level * {} + {} > {}", a % 3, k % 5, k % 3),
            Atom::Literal(b) => literal(b),
        }
    }

    fn cond(&self, c: &Cond, decisions: usize, derived: usize, depth: u8) -> String {
        let leaf = |c: &Cond| match c {
            Cond::Atom(a) => self.atom(a, decisions, derived),
            _ => "true".to_owned(),
        };
        if depth >= MAX_DEPTH {
            return leaf(c);
        }
        let sub = |c: &Cond| self.cond(c, decisions, derived, depth + 1);
        match c {
            Cond::Atom(a) => self.atom(a, decisions, derived),
            Cond::Not(c) => format!("not ({})", sub(c)),
            Cond::And(a, b) => format!("({}) and ({})", sub(a), sub(b)),
            Cond::Or(a, b) => format!("({}) or ({})", sub(a), sub(b)),
        }
    }

    fn likelihoods(&self, n: usize, weights: &[u8; 4], form: Form) -> String {
        let exact = exact(&weights[..n]);
        (0..n)
            .map(|i| {
                let p = exact[i];
                let text = match form {
                    Form::Numbers => format!("{p}"),
                    Form::Percents => format!("\"{}%\"", (p * 1000.0).round() / 10.0),
                    Form::Ranges => format!(
                        "[{}, {}]",
                        ((p - 0.05).max(0.0) * 1000.0).round() / 1000.0,
                        ((p + 0.05).min(1.0) * 1000.0).round() / 1000.0
                    ),
                    Form::Words => {
                        let words = ["likely", "unlikely", "very unlikely", "almost no chance"];
                        let word = if n == 2 {
                            ["likely", "unlikely"][i]
                        } else {
                            words[i]
                        };
                        format!("\"{word}\"")
                    }
                };
                format!("{} = {text}", OPTIONS[i])
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The scenario as a TOML file.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "[scenario]\ntitle = {}", self.text(0, "generated"));
        if self.texts.len() > 1 {
            let _ = writeln!(out, "summary = {}", self.text(1, ""));
            let _ = writeln!(out, "sources = [{}]", self.text(2, ""));
        }
        out.push_str("\n[actors]\n");
        for a in 0..self.actors() {
            let _ = writeln!(out, "a{a} = {}", self.text(3 + a as u8, "actor"));
        }
        let _ = writeln!(
            out,
            "\n[facts]\nlevel = {{ value = {}, unit = {}, doc = {} }}",
            self.input,
            self.text(6, "%"),
            self.text(7, "")
        );
        for (f, kind) in self.derived().iter().enumerate() {
            let _ = match kind {
                Kind::Bool => writeln!(out, "f{f} = {{ type = \"bool\", default = false }}"),
                Kind::Enum => writeln!(
                    out,
                    "f{f} = {{ type = [\"low\", \"high\"], default = \"high\" }}"
                ),
                Kind::Number => writeln!(out, "f{f} = {{ type = \"number\", default = 0 }}"),
            };
        }
        let n_decisions = self.decisions().len();
        let n_derived = self.derived().len();
        for (d, decision) in self.decisions().iter().enumerate() {
            let _ = writeln!(out, "\n[decisions.d{d}]");
            match decision.actor {
                Some(a) => {
                    let _ = writeln!(out, "actor = \"a{}\"", usize::from(a) % self.actors());
                }
                None => out.push_str("actor = \"nature\"\n"),
            }
            if let Some(i) = decision.ask {
                let _ = writeln!(out, "ask = {}", self.text(i, ""));
            }
            let n = self.options(d);
            let options: Vec<String> = OPTIONS[..n].iter().map(|o| format!("\"{o}\"")).collect();
            let _ = writeln!(out, "options = [{}]", options.join(", "));
            // Guards read earlier decisions only, unless chaos lets them read any.
            let visible = if self.chaos(1) { n_decisions } else { d };
            if let Some(g) = &decision.guard {
                let _ = writeln!(out, "when = \"{}\"", self.cond(g, visible, n_derived, 0));
            }
            let weights = match decision.weights {
                Some(w) => Some(w),
                None if decision.actor.is_none() && !self.chaos(2) => Some([1, 1, 1, 1]),
                None => None,
            };
            if let Some(w) = weights {
                let w = w.map(|x| x.saturating_add(1));
                let _ = writeln!(
                    out,
                    "likelihood = {{ {} }}",
                    self.likelihoods(n, &w, decision.form)
                );
                if let Some((c, cw)) = &decision.conditional {
                    let _ = writeln!(
                        out,
                        "[[decisions.d{d}.likelihood_if]]\nwhen = \"{}\"",
                        self.cond(c, visible, n_derived, 0)
                    );
                    let cw = cw.map(|x| x.saturating_add(1));
                    for (i, p) in exact(&cw[..n]).iter().enumerate() {
                        let _ = writeln!(out, "{} = {p}", OPTIONS[i]);
                    }
                }
            }
        }
        if n_derived > 0 {
            for (r, rule) in self.rules.iter().take(MAX_RULES).enumerate() {
                let target = usize::from(rule.target) % n_derived;
                // A rule reads derived facts declared before its target: no cycles.
                let readable = if self.chaos(3) { n_derived } else { target };
                let effect = match self.derived()[target] {
                    Kind::Bool => format!("then = {{ f{target} = {} }}", rule.value % 2 == 0),
                    Kind::Enum => format!(
                        "then = {{ f{target} = \"{}\" }}",
                        ["low", "high"][usize::from(rule.value % 2)]
                    ),
                    Kind::Number => format!("add = {{ f{target} = {} }}", rule.amount),
                };
                let priority = if self.chaos(4) {
                    i64::from(rule.priority % 2)
                } else {
                    r as i64
                };
                let _ = writeln!(
                    out,
                    "\n[rules.r{r}]\nwhen = \"{}\"\n{effect}\npriority = {priority}",
                    self.cond(&rule.when, n_decisions, readable, 0)
                );
                if let Some(i) = rule.because {
                    let _ = writeln!(
                        out,
                        "because = {}\nsource = {}",
                        self.text(i, ""),
                        self.text(i.wrapping_add(1), "")
                    );
                }
            }
        }
        let actors = self.actors();
        let payoff = |o: usize| {
            (0..actors)
                .map(|a| {
                    let v = self
                        .payoffs
                        .get((o * actors + a) % self.payoffs.len().max(1))
                        .copied()
                        .unwrap_or(0);
                    format!("a{a} = {v}")
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let outcomes: Vec<String> = self
            .outcomes
            .iter()
            .take(MAX_OUTCOMES)
            .map(|c| self.cond(c, n_decisions, n_derived, 0))
            .collect();
        for (o, when) in outcomes.iter().enumerate() {
            let mut when = format!("({when})");
            if !self.chaos(5) {
                for earlier in &outcomes[..o] {
                    let _ = write!(when, " and not ({earlier})");
                }
            }
            let _ = writeln!(
                out,
                "\n[outcomes.o{o}]\ntitle = {}\nwhen = \"{when}\"\npayoff = {{ {} }}",
                self.text(8 + o as u8, "outcome"),
                payoff(o)
            );
        }
        if !self.chaos(6) {
            let _ = writeln!(
                out,
                "\n[outcomes.rest]\ntitle = {}\npayoff = {{ {} }}",
                self.text(12, "the rest"),
                payoff(outcomes.len())
            );
        }
        let n_outcomes = outcomes.len() + usize::from(!self.chaos(6));
        for (t, test) in self.tests.iter().take(MAX_TESTS).enumerate() {
            let _ = writeln!(out, "\n[tests.t{t}]");
            if let Some(i) = test.doc {
                let _ = writeln!(out, "doc = {}", self.text(i, ""));
            }
            if n_decisions > 0 && !test.given.is_empty() {
                let mut seen = Vec::new();
                let pairs: Vec<String> = test
                    .given
                    .iter()
                    .filter_map(|&(d, o)| {
                        let d = usize::from(d) % n_decisions;
                        if seen.contains(&d) {
                            return None;
                        }
                        seen.push(d);
                        Some(format!(
                            "d{d} = \"{}\"",
                            OPTIONS[usize::from(o) % self.options(d)]
                        ))
                    })
                    .collect();
                let _ = writeln!(out, "given = {{ {} }}", pairs.join(", "));
            }
            let name = |o: u8| {
                let o = usize::from(o) % n_outcomes.max(1);
                if o < outcomes.len() {
                    format!("o{o}")
                } else {
                    "rest".to_owned()
                }
            };
            match (test.outcome, test.probability) {
                (Some(o), _) => {
                    let _ = writeln!(out, "expect = {{ outcome = \"{}\" }}", name(o));
                }
                (None, Some((o, lo, hi))) => {
                    let (lo, hi) = (f64::from(lo.min(hi) % 101), f64::from(lo.max(hi) % 101));
                    let (lo, hi) = (lo.min(hi) / 100.0, lo.max(hi) / 100.0);
                    let _ = writeln!(out, "expect_probability = {{ {} = [{lo}, {hi}] }}", name(o));
                }
                (None, None) => {
                    let _ = writeln!(out, "expect = {{ outcome = \"{}\" }}", name(0));
                }
            }
        }
        out
    }
}

/// Probabilities from weights, rounded to thousandths, the last one taking the rest so that
/// they sum to 1 as exact numbers must.
fn exact(weights: &[u8]) -> Vec<f64> {
    let total: f64 = weights.iter().map(|&w| f64::from(w)).sum::<f64>().max(1.0);
    let mut out: Vec<f64> = weights
        .iter()
        .map(|&w| (f64::from(w) / total * 1000.0).round() / 1000.0)
        .collect();
    let n = out.len();
    if n > 0 {
        let rest: f64 = out[..n - 1].iter().sum();
        out[n - 1] = ((1.0 - rest).max(0.0) * 1000.0).round() / 1000.0;
    }
    out
}

/// Limits small enough that every fuzz input finishes in well under a second.
pub fn small_limits() -> (casus_core::limits::Limits, casus_rules::EvalLimits) {
    let limits = casus_core::limits::Limits {
        max_decisions: 64,
        max_options: 64,
        max_rules: 256,
        ..casus_core::limits::Limits::default()
    };
    let eval = casus_rules::EvalLimits {
        max_paths: 20_000,
        deadline: std::time::Instant::now().checked_add(std::time::Duration::from_secs(2)),
        threads: 1,
        ..casus_rules::EvalLimits::default()
    };
    (limits, eval)
}

/// Renders diagnostics in every format the CLI has.
pub fn render_diagnostics(file: &casus_core::SourceFile, diagnostics: &[casus_core::Diagnostic]) {
    use casus_report::diagnostics as d;
    let files = [(file, diagnostics)];
    let _ = d::render_human(file, diagnostics, false);
    let _ = d::render_human(file, diagnostics, true);
    let _ = d::render_json(&files);
    let _ = d::render_github(&files);
    let _ = d::render_sarif(&files);
    let _ = d::summary_line(&files, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Most generated scenarios without chaos must check clean, or the fuzzers would not reach
    /// the engine; the share is printed so a change to the generator can be judged.
    #[test]
    fn most_generated_scenarios_check_clean() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let (mut clean, mut total) = (0, 0);
        let mut first_error = None;
        for _ in 0..500 {
            let bytes: Vec<u8> = (0..600)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (state >> 56) as u8
                })
                .collect();
            let mut u = arbitrary::Unstructured::new(&bytes);
            let Ok(mut generated) = GenScenario::arbitrary(&mut u) else {
                continue;
            };
            generated.chaos = 0;
            let text = generated.to_toml();
            let file = casus_core::SourceFile::new("gen.toml", text.clone());
            let (limits, eval) = small_limits();
            let checked = casus_rules::check_source(&file, &limits, &eval);
            total += 1;
            if checked.has_errors() {
                if !generated.decisions.is_empty() {
                    first_error.get_or_insert((text, checked.diagnostics));
                }
            } else {
                clean += 1;
            }
        }
        eprintln!("{clean} of {total} generated scenarios check clean");
        if let Some((text, diagnostics)) = &first_error {
            eprintln!("first failure:\n{text}\n{diagnostics:#?}");
        }
        assert!(clean * 10 >= total * 8, "{clean} of {total}");
    }
}
