//! Lints about likelihoods as written: bands that meet only at their edges, ICD 203's two
//! vocabularies mixed in one file, and `because` texts whose words contradict the numbers.

use casus_core::expr::{BinaryOp, Expr, ExprKind};
use casus_core::likelihood::{EstimativeWord, ICD_203, Likelihood, Vocabulary, lookup_word};
use casus_core::model::{Decision, LikelihoodTable, Scenario};
use casus_core::span::Span;
use casus_core::{Code, Diagnostic};

use crate::compile::program::Program;

use super::text;

/// Sums this close to 1 are 1.
const EPSILON: f64 = 1e-9;

/// A likelihood table as written, with the decision it is for and where it stands.
struct Written<'s> {
    decision: &'s Decision,
    table: &'s LikelihoodTable,
    /// "`d`", "`d` under a `likelihood_if`", …
    what: String,
}

/// Every likelihood table written in the file. A pooled table (several analysts) is not one
/// anyone wrote, so each analyst's own table stands in for it.
fn written(scenario: &Scenario) -> Vec<Written<'_>> {
    let mut out = Vec::new();
    for decision in &scenario.decisions {
        let name = &decision.id.name;
        if decision.estimates.is_empty() {
            if let Some(table) = &decision.likelihood {
                out.push(Written {
                    decision,
                    table,
                    what: format!("`{name}`"),
                });
            }
        } else {
            for estimate in &decision.estimates {
                out.push(Written {
                    decision,
                    table: &estimate.table,
                    what: format!("`{name}` by `{}`", estimate.analyst.name),
                });
            }
        }
        for c in &decision.likelihood_if {
            out.push(Written {
                decision,
                table: &c.table,
                what: format!("`{name}` under a `likelihood_if`"),
            });
        }
    }
    for variant in &scenario.variants {
        for (id, table) in &variant.likelihood {
            if let Some(decision) = scenario.decisions.iter().find(|d| d.id.name == id.name) {
                out.push(Written {
                    decision,
                    table,
                    what: format!("`{}` in variant `{}`", id.name, variant.id.name),
                });
            }
        }
    }
    out
}

/// Reports every likelihood-word lint.
pub(super) fn report(scenario: &Scenario, program: &Program, out: &mut Vec<Diagnostic>) {
    let tables = written(scenario);
    for w in &tables {
        band_edge(w, out);
    }
    mixed_vocabulary(&tables, out);
    for rule in &scenario.rules {
        because(scenario, program, rule, out);
    }
}

fn band_edge(w: &Written<'_>, out: &mut Vec<Diagnostic>) {
    let entries: Vec<(&str, &Likelihood)> = w
        .decision
        .options
        .iter()
        .filter_map(|o| Some((o.name.as_str(), w.table.get(&o.name)?)))
        .collect();
    if entries.len() != w.decision.options.len() || entries.is_empty() {
        return;
    }
    let lo: f64 = entries.iter().map(|(_, l)| l.lo).sum();
    let hi: f64 = entries.iter().map(|(_, l)| l.hi).sum();
    if hi - lo < EPSILON {
        // Exact numbers summing to 1 say exactly what they mean.
        return;
    }
    let (end, at_low) = if (lo - 1.0).abs() < EPSILON {
        ("low", true)
    } else if (hi - 1.0).abs() < EPSILON {
        ("high", false)
    } else {
        return;
    };
    let forced: Vec<String> = entries
        .iter()
        .map(|(o, l)| format!("{o} = {}", text::percent(if at_low { l.lo } else { l.hi })))
        .collect();
    let total: f64 = entries.iter().map(|(_, l)| l.point).sum();
    let middles: Vec<String> = entries
        .iter()
        .map(|(o, l)| format!("{o} = {}", text::percent(l.point / total.max(EPSILON))))
        .collect();
    out.push(
        Diagnostic::new(
            Code::LikelihoodAtBandEdge,
            format!(
                "the likelihoods of {} sum to 100 % only at the {end} end of every band",
                w.what
            ),
        )
        .primary(
            w.table.span,
            format!("at their {}est they add up to exactly 100 %", end),
        )
        .note(format!(
            "that forces {}; the forecast uses the middles, scaled to 100 %: {}",
            forced.join(", "),
            middles.join(", ")
        ))
        .help("choose estimates whose bands meet in the middle, or give numbers or ranges"),
    );
}

/// Every estimative word written in a likelihood, in file order.
fn words<'s>(tables: &[Written<'s>]) -> Vec<(&'static EstimativeWord, Span)> {
    let mut found: Vec<(&'static EstimativeWord, Span)> = tables
        .iter()
        .flat_map(|w| w.table.entries.iter())
        .filter_map(|(_, l)| Some((l.word()?, l.span)))
        .collect();
    found.sort_by_key(|(_, span)| (span.start, span.end));
    found.dedup_by_key(|(_, span)| (span.start, span.end));
    found
}

fn mixed_vocabulary(tables: &[Written<'_>], out: &mut Vec<Diagnostic>) {
    let found = words(tables);
    let count = |row: Vocabulary| found.iter().filter(|(w, _)| w.vocabulary == row).count();
    let (likelihood, probability) = (
        count(Vocabulary::Likelihood),
        count(Vocabulary::Probability),
    );
    if likelihood == 0 || probability == 0 {
        return;
    }
    let first_of = |row: Vocabulary| found.iter().find(|(w, _)| w.vocabulary == row);
    // The row used less is the odd one out; on a tie, the row that comes second.
    let minority = match likelihood.cmp(&probability) {
        std::cmp::Ordering::Less => Vocabulary::Likelihood,
        std::cmp::Ordering::Greater => Vocabulary::Probability,
        std::cmp::Ordering::Equal => {
            let start = |row| first_of(row).map_or(0, |(_, s)| s.start);
            if start(Vocabulary::Likelihood) > start(Vocabulary::Probability) {
                Vocabulary::Likelihood
            } else {
                Vocabulary::Probability
            }
        }
    };
    let majority = match minority {
        Vocabulary::Likelihood => Vocabulary::Probability,
        Vocabulary::Probability => Vocabulary::Likelihood,
    };
    let (Some((odd, odd_span)), Some((usual, usual_span))) =
        (first_of(minority), first_of(majority))
    else {
        return;
    };
    let mut replacements: Vec<String> = Vec::new();
    for (w, _) in found.iter().filter(|(w, _)| w.vocabulary == minority) {
        let Some(twin) = ICD_203
            .iter()
            .find(|t| t.vocabulary == majority && t.lo == w.lo && t.hi == w.hi)
        else {
            continue;
        };
        let replacement = format!("\"{}\" for \"{}\"", twin.word, w.word);
        if !replacements.contains(&replacement) {
            replacements.push(replacement);
        }
    }
    out.push(
        Diagnostic::new(
            Code::MixedVocabulary,
            format!(
                "estimative words from both ICD 203 rows: \"{}\" beside \"{}\"",
                odd.word, usual.word
            ),
        )
        .primary(*odd_span, "from the other row")
        .secondary(*usual_span, "the row most of the file uses")
        .note(format!(
            "the file uses {} word{} from one row and {} from the other",
            likelihood.max(probability),
            if likelihood.max(probability) == 1 {
                ""
            } else {
                "s"
            },
            likelihood.min(probability),
        ))
        .help(format!(
            "ICD 203 asks for one row per product: write {}",
            replacements.join(", ")
        )),
    );
}

/// The `(decision, option)` pairs a condition compares: `d == 'o'`, `d in ['o', …]`.
fn compared_options(scenario: &Scenario, expr: &Expr, out: &mut Vec<(usize, usize)>) {
    let decision_of = |e: &Expr| match &e.kind {
        ExprKind::Name(n) => scenario.decisions.iter().position(|d| d.id.name == *n),
        _ => None,
    };
    let mut add = |d: usize, symbol: &Expr| {
        if let ExprKind::Symbol(s) = &symbol.kind
            && let Some(o) = scenario.decisions[d]
                .options
                .iter()
                .position(|o| o.name == *s)
            && !out.contains(&(d, o))
        {
            out.push((d, o));
        }
    };
    match &expr.kind {
        ExprKind::Binary(BinaryOp::Eq, l, r) => {
            if let Some(d) = decision_of(l) {
                add(d, r);
            } else if let Some(d) = decision_of(r) {
                add(d, l);
            }
        }
        ExprKind::In(l, items) => {
            if let Some(d) = decision_of(l) {
                for item in items {
                    add(d, item);
                }
            }
        }
        ExprKind::Binary(BinaryOp::And | BinaryOp::Or, l, r) => {
            compared_options(scenario, l, out);
            compared_options(scenario, r, out);
        }
        _ => {}
    }
}

/// Words that say the estimate after them is denied, so it is not read.
const NEGATIONS: [&str; 4] = ["not", "no", "never", "hardly"];

/// The estimative words of a text, each with the tokens that follow it.
fn estimates_in(text: &str) -> Vec<(&'static EstimativeWord, Vec<String>)> {
    let tokens: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let mut matched = None;
        for n in (1..=3).rev() {
            let Some(phrase) = tokens.get(i..i + n) else {
                continue;
            };
            // "remote" is more often plain prose ("remote regions") than an estimate.
            if n == 1 && phrase[0] == "remote" {
                continue;
            }
            if let Some(word) = lookup_word(&phrase.join(" ")) {
                matched = Some((word, n));
                break;
            }
        }
        match matched {
            Some((word, n)) => {
                let negated = i > 0 && NEGATIONS.contains(&tokens[i - 1].as_str());
                if !negated {
                    let after = tokens.iter().skip(i + n).take(3).cloned().collect();
                    found.push((word, after));
                }
                i += n;
            }
            None => i += 1,
        }
    }
    found
}

/// Whether a token names `option`: the option's first word, allowing endings ("refuse" is
/// named by "refuses" and "refused").
fn names_option(token: &str, option: &str) -> bool {
    let first = option.split('_').next().unwrap_or(option);
    let stem = if first.len() > 4 {
        first.strip_suffix('e').unwrap_or(first)
    } else {
        first
    };
    !stem.is_empty() && token.starts_with(stem)
}

fn because(
    scenario: &Scenario,
    program: &Program,
    rule: &casus_core::model::Rule,
    out: &mut Vec<Diagnostic>,
) {
    let Some(text) = &rule.because else {
        return;
    };
    let mut pairs = Vec::new();
    compared_options(scenario, &rule.when, &mut pairs);
    if pairs.is_empty() {
        return;
    }
    for (word, after) in estimates_in(text) {
        for &(d, o) in &pairs {
            let decision = &scenario.decisions[d];
            let option = &decision.options[o].name;
            if !after.iter().any(|t| names_option(t, option)) {
                continue;
            }
            let Some(table) = &decision.likelihood else {
                continue;
            };
            let Some(base) = table.get(option) else {
                continue;
            };
            // Every likelihood the option can have: as written, and as scaled to 100 %.
            let compiled = program.decisions.get(d);
            let mut bands: Vec<(f64, f64)> = vec![(base.lo, base.hi)];
            bands.extend(
                decision
                    .likelihood_if
                    .iter()
                    .filter_map(|c| c.table.get(option))
                    .map(|l| (l.lo, l.hi)),
            );
            if let Some(c) = compiled {
                bands.extend(c.probabilities.get(o).map(|&p| (p, p)));
                bands.extend(
                    c.conditional
                        .iter()
                        .filter_map(|(_, p)| p.get(o))
                        .map(|&p| (p, p)),
                );
            }
            let fits = bands
                .iter()
                .any(|&(lo, hi)| lo <= word.hi + EPSILON && hi >= word.lo - EPSILON);
            if fits {
                continue;
            }
            let conditional = if decision.likelihood_if.is_empty() {
                String::new()
            } else {
                " (and no `likelihood_if` brings it closer)".to_owned()
            };
            out.push(
                Diagnostic::new(
                    Code::BecauseContradictsLikelihood,
                    format!(
                        "the `because` of rule `{}` calls `{} = {option}` \"{}\", but its likelihood is {}",
                        rule.id.name,
                        decision.id.name,
                        word.word,
                        text::band(base.lo, base.hi)
                    ),
                )
                .primary(
                    rule.id.span,
                    format!("its `because` says \"{}\" ({})", word.word, text::band(word.lo, word.hi)),
                )
                .secondary(base.span, format!("{}{conditional}", text::band(base.lo, base.hi)))
                .help("make the words agree with the numbers: change the `because` text or the likelihood"),
            );
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_in(text: &str) -> Vec<(&'static str, Vec<String>)> {
        estimates_in(text)
            .into_iter()
            .map(|(w, after)| (w.word, after))
            .collect()
    }

    #[test]
    fn estimative_words_are_read_longest_first_and_not_after_a_negation() {
        assert_eq!(
            words_in("Moscow will very likely refuse it"),
            [("very likely", vec!["refuse".to_owned(), "it".to_owned()])]
        );
        // "unlikely" is one word, not "likely" behind a prefix.
        assert_eq!(words_in("an unlikely yes")[0].0, "unlikely");
        assert_eq!(words_in("a Toss-Up at best")[0].0, "roughly even chance");
        assert!(words_in("it is not likely to accept").is_empty());
        // "remote" is read as prose.
        assert!(words_in("remote regions are quiet").is_empty());
        assert!(words_in("no estimate here").is_empty());
    }

    #[test]
    fn an_option_is_named_with_its_endings() {
        assert!(names_option("refuses", "refuse"));
        assert!(names_option("refused", "refuse"));
        assert!(names_option("accepts", "accept"));
        assert!(names_option("relief", "relief_and_assets"));
        assert!(!names_option("follows", "refuse"));
        assert!(!names_option("stalled", "stay"));
    }
}
