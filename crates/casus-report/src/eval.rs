//! `casus eval`: the forecast and strategy, as text for people and as the JSON contract.

use std::fmt::Write as _;

use casus_core::likelihood::word_for;
use casus_core::model::Scenario;
use casus_rules::analyses::sensitivity::TornadoRow;
use casus_rules::{Evaluation, KeyAssumption};

use crate::text::{clip, pad, payoff, percent};

/// Outcome indices sorted by probability, most likely first; ties keep file order.
pub fn by_probability(evaluation: &Evaluation) -> Vec<usize> {
    let mut order: Vec<usize> = (0..evaluation.outcomes.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (
            evaluation.outcomes[a].probability,
            evaluation.outcomes[b].probability,
        );
        pb.total_cmp(&pa).then(a.cmp(&b))
    });
    order
}

/// The evaluation as an analyst reads it in a terminal.
pub fn render_human(
    scenario: &Scenario,
    evaluation: &Evaluation,
    ranges: Option<&[(f64, f64)]>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", clip(&scenario.meta.title, 100));
    if let Some(summary) = &scenario.meta.summary {
        let _ = writeln!(out, "{}", clip(summary, 100));
    }
    let _ = writeln!(out, "{} paths", evaluation.paths);
    out.push('\n');

    let _ = writeln!(out, "Forecast");
    let id_width = scenario
        .outcomes
        .iter()
        .map(|o| o.id.name.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let range_col = ranges.is_some();
    let _ = writeln!(
        out,
        "  {}  {:>11}  {}in words",
        pad("outcome", id_width),
        "probability",
        if range_col {
            format!("{}  ", pad("range", 15))
        } else {
            String::new()
        },
    );
    for i in by_probability(evaluation) {
        let result = &evaluation.outcomes[i];
        let outcome = &scenario.outcomes[i];
        let words = if result.reachable {
            word_for(result.probability).word
        } else {
            "unreachable"
        };
        let range = match ranges.and_then(|r| r.get(i)) {
            Some((lo, hi)) => format!("{}  ", pad(&crate::text::percent_range(*lo, *hi), 15)),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "  {}  {:>11}  {range}{}  {}",
            pad(&outcome.id.name, id_width),
            percent(result.probability),
            pad(words, 20),
            clip(&outcome.title, 60)
        );
    }
    for &d in &evaluation.uniform {
        let _ = writeln!(
            out,
            "  note: `{}` has no likelihoods, so its options count as equally likely",
            scenario.decisions[d].id.name
        );
    }
    out.push('\n');

    let _ = writeln!(
        out,
        "Strategy (each actor maximises its own expected payoff; nature follows its likelihoods)"
    );
    for (n, step) in evaluation.strategy.line.iter().enumerate() {
        let decision = &scenario.decisions[step.decision];
        let chosen = &decision.options[step.option].name;
        let head = format!("{}. {} ({})", n + 1, decision.id.name, decision.actor.name);
        let detail = if step.chance {
            let p = step.values.get(step.option).copied().unwrap_or(f64::NAN);
            format!("{chosen}, the most likely ({})", percent(p))
        } else {
            let others: Vec<String> = step
                .values
                .iter()
                .enumerate()
                .filter(|(i, v)| *i != step.option && v.is_finite())
                .map(|(i, v)| format!("{} {}", decision.options[i].name, payoff(*v)))
                .collect();
            let value = step.values.get(step.option).map_or(String::new(), |v| {
                format!(": expected payoff {}", payoff(*v))
            });
            let mut text = format!("{chosen}{value}");
            if !others.is_empty() {
                let _ = write!(text, " (else {})", others.join(", "));
            }
            if step.optimal.len() > 1 {
                let tied: Vec<&str> = step
                    .optimal
                    .iter()
                    .map(|&i| decision.options[i].name.as_str())
                    .collect();
                let _ = write!(text, "; tie between {}", tied.join(", "));
            }
            text
        };
        let _ = writeln!(out, "  {}  {detail}", pad(&head, 34));
    }
    if let Some(o) = evaluation.strategy.outcome {
        let outcome = &scenario.outcomes[o];
        let _ = writeln!(
            out,
            "  ends in: {} — {}",
            outcome.id.name,
            clip(&outcome.title, 70)
        );
    }
    let payoffs: Vec<String> = scenario
        .actors
        .iter()
        .zip(&evaluation.strategy.payoffs)
        .map(|(a, p)| format!("{} {}", a.id.name, payoff(*p)))
        .collect();
    if !payoffs.is_empty() {
        let _ = writeln!(out, "  expected payoffs: {}", payoffs.join(", "));
    }

    if !evaluation.key_assumptions.is_empty() {
        out.push('\n');
        let _ = writeln!(
            out,
            "Key assumptions (the likelihoods say one thing, the actor's payoffs another)"
        );
        for flag in &evaluation.key_assumptions {
            let _ = writeln!(out, "  {}", key_assumption_sentence(scenario, flag));
            if let Some(place) = key_assumption_place(scenario, flag) {
                let _ = writeln!(out, "    {place}");
            }
        }
    }
    out
}

/// A key-assumption flag in one sentence: what the analyst judges likely, and what the actor's
/// payoffs favour instead.
pub fn key_assumption_sentence(scenario: &Scenario, flag: &KeyAssumption) -> String {
    let decision = &scenario.decisions[flag.decision];
    let option = |i: usize| {
        decision
            .options
            .get(i)
            .map_or("?", |o| o.name.as_str())
            .to_owned()
    };
    let strategic: Vec<String> = flag
        .strategic
        .iter()
        .map(|&i| format!("`{}`", option(i)))
        .collect();
    let value = |i: usize| {
        flag.values
            .get(i)
            .filter(|v| v.is_finite())
            .map_or("?".to_owned(), |v| payoff(*v))
    };
    let best = flag.strategic.first().copied().unwrap_or(0);
    let actor = actor_name(scenario, &decision.actor.name);
    format!(
        "{} ({actor}): you judge `{}` most likely ({}), yet {} payoffs favour {} (expected payoff {} against {} for `{}`)",
        decision.id.name,
        option(flag.forecast),
        percent(flag.forecast_probability),
        possessive(&actor),
        strategic.join(" or "),
        value(best),
        value(flag.forecast),
        option(flag.forecast),
    )
}

/// Where a key-assumption flag was found: the choices before the first point where it holds,
/// and at how many points of the decision graph it holds. `None` for the first decision, which
/// has no choices before it and is met once.
pub fn key_assumption_place(scenario: &Scenario, flag: &KeyAssumption) -> Option<String> {
    let choices: Vec<String> = flag
        .context
        .iter()
        .map(|&(d, o)| {
            let decision = &scenario.decisions[d];
            match o.and_then(|o| decision.options.get(o)) {
                Some(option) => format!("{} = {}", decision.id.name, option.name),
                None => format!("{} skipped", decision.id.name),
            }
        })
        .collect();
    if choices.is_empty() && flag.occurrences <= 1 {
        return None;
    }
    let mut text = if choices.is_empty() {
        "at the start".to_owned()
    } else {
        format!("after {}", choices.join(", "))
    };
    if flag.occurrences > 1 {
        let _ = write!(
            text,
            " (the first of {} points in the decision graph where this holds)",
            flag.occurrences
        );
    }
    Some(text)
}

/// The display name of actor `id` (`nature` for chance events).
pub fn actor_name(scenario: &Scenario, id: &str) -> String {
    scenario
        .actors
        .iter()
        .find(|a| a.id.name == id)
        .map_or_else(|| id.to_owned(), |a| clip(&a.name, 60))
}

/// `Russia's`, `United States'`.
fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

/// The tornado table for people: which decision's likelihoods move which outcome most, at most
/// `max_rows` rows. Empty when no likelihood has a band.
pub fn render_tornado(scenario: &Scenario, tornado: &[TornadoRow], max_rows: usize) -> String {
    let mut out = String::new();
    out.push('\n');
    let _ = writeln!(
        out,
        "Sensitivity (each decision's likelihoods swept across their bands, one decision at a time)"
    );
    if tornado.is_empty() {
        let _ = writeln!(
            out,
            "  no likelihood band moves any outcome (exact numbers and uniform decisions have no band)"
        );
        return out;
    }
    let shown = &tornado[..tornado.len().min(max_rows)];
    let decision_width = shown
        .iter()
        .map(|r| scenario.decisions[r.decision].id.name.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let outcome_width = shown
        .iter()
        .map(|r| scenario.outcomes[r.outcome].id.name.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        out,
        "  {}  {}  {:>7}  {:>7}  {:>9}",
        pad("decision", decision_width),
        pad("outcome", outcome_width),
        "low",
        "high",
        "swing"
    );
    for row in shown {
        let _ = writeln!(
            out,
            "  {}  {}  {:>7}  {:>7}  {:>9}",
            pad(&scenario.decisions[row.decision].id.name, decision_width),
            pad(&scenario.outcomes[row.outcome].id.name, outcome_width),
            percent(row.low),
            percent(row.high),
            format!("{} pts", crate::text::fixed(row.swing() * 100.0, 1)),
        );
    }
    if tornado.len() > shown.len() {
        let _ = writeln!(
            out,
            "  … and {} (`--format json` lists them all)",
            crate::text::count(
                (tornado.len() - shown.len()) as u128,
                "smaller row",
                "smaller rows"
            )
        );
    }
    out
}

/// What `casus eval` shows for one model: the scenario in force (its own outcomes only), the
/// variant, the signposts observed and everything the session computed.
#[derive(Clone, Copy, Debug)]
pub struct EvalView<'a> {
    /// The scenario in force, with only its own outcomes.
    pub scenario: &'a Scenario,
    /// The variant in force.
    pub variant: Option<&'a casus_core::model::Variant>,
    /// Indices of the signposts observed.
    pub observed: &'a [usize],
    /// The session's results.
    pub analysed: &'a casus_rules::session::Analysed,
}

/// Most assumption rows shown in human output; the JSON carries them all.
const ASSUMPTION_ROWS: usize = 5;

/// Most tornado rows shown in human output; the JSON carries them all.
const TORNADO_ROWS: usize = 10;

impl EvalView<'_> {
    /// Tables for people.
    pub fn human(&self) -> String {
        use crate::analysis as a;
        let (scenario, analysed) = (self.scenario, self.analysed);
        let ranges = analysed.sensitivity.as_ref().map(|s| s.ranges.as_slice());
        let mut text = render_human(scenario, &analysed.evaluation, ranges);
        if let Some(variant) = self.variant {
            text = with_variant_line(&text, variant);
        }
        if let Some(before) = &analysed.before_observing {
            text.push_str(&a::render_observed(
                scenario,
                self.observed,
                before,
                &analysed.forecast(),
            ));
        }
        if let Some(s) = &analysed.sensitivity {
            text.push_str(&render_tornado(scenario, &s.tornado, TORNADO_ROWS));
        }
        if let Some(s) = &analysed.sampling {
            text.push_str(&a::render_sampling(scenario, s));
        }
        if let Some(i) = &analysed.information {
            text.push_str(&a::render_information(scenario, i));
        }
        if let Some(r) = &analysed.ranking {
            text.push_str(&a::render_ranking(scenario, r, ASSUMPTION_ROWS));
        }
        if let Some(w) = &analysed.watch {
            text.push_str(&a::render_watch_list(scenario, w));
        }
        if let Some(d) = &analysed.analysts {
            text.push_str(&a::render_analysts(scenario, d));
        }
        text
    }

    /// The typed result of `casus eval --format json` (docs/json.md).
    pub fn output(&self) -> crate::output::eval::EvalOutput {
        crate::output::eval::EvalOutput::build(self)
    }
}

/// `casus eval --all-variants` as text: the base and every variant side by side.
pub fn variants_human(
    scenario: &Scenario,
    columns: &[casus_rules::analyses::variants::Column],
) -> String {
    let mut text = format!("{}\n", clip(&scenario.meta.title, 100));
    text.push_str(&crate::analysis::render_variants(scenario, columns));
    text
}

/// The human output with a line naming the variant after the title.
fn with_variant_line(text: &str, variant: &casus_core::model::Variant) -> String {
    let title = variant
        .title
        .as_deref()
        .map_or_else(String::new, |t| format!(": {}", clip(t, 90)));
    let line = format!("Variant `{}`{title}", variant.id.name);
    // Before the line that counts the paths, which follows the title and summary.
    let mut lines: Vec<&str> = text.split('\n').collect();
    let at = lines
        .iter()
        .position(|l| l.ends_with(" paths"))
        .unwrap_or(1.min(lines.len()));
    lines.insert(at, &line);
    lines.join("\n")
}
