//! Deeper analyses in `casus eval`: probabilistic sensitivity, value of information, the
//! assumptions the forecast hangs on, variants side by side, signposts to watch and where
//! analysts disagree — as text for people and as JSON.

use std::fmt::Write as _;

use casus_core::model::Scenario;
use casus_rules::analyses::ranking::{Assumption, Measure, Ranked};
use casus_rules::analyses::sampling::Sampling;
use casus_rules::analyses::signposts::Effect;
use casus_rules::analyses::variants::{Column, Disagreement};
use casus_rules::analyses::voi::{InformationValue, Undefined};

use crate::text::{clip, pad, payoff, percent};

/// The spread of each outcome's probability when every likelihood is drawn within its band.
pub fn render_sampling(scenario: &Scenario, sampling: &Sampling) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nProbabilistic sensitivity ({} samples, seed {}: every likelihood drawn within its band)",
        sampling.samples, sampling.seed
    );
    let width = scenario
        .outcomes
        .iter()
        .map(|o| o.id.name.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        out,
        "  {}  {:>7}  {:>7}  {:>7}  {:>7}",
        pad("outcome", width),
        "mean",
        "5th",
        "median",
        "95th"
    );
    for spread in &sampling.outcomes {
        let _ = writeln!(
            out,
            "  {}  {:>7}  {:>7}  {:>7}  {:>7}",
            pad(&scenario.outcomes[spread.outcome].id.name, width),
            percent(spread.mean),
            percent(spread.p5),
            percent(spread.p50),
            percent(spread.p95),
        );
    }
    let _ = writeln!(
        out,
        "  the strategic line of play changed in {} of {} samples",
        sampling.line_changes, sampling.samples
    );
    out
}

/// What each actor would gain from learning each chance event before anyone chooses.
pub fn render_information(scenario: &Scenario, values: &[InformationValue]) -> String {
    let mut out = String::new();
    if values.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nValue of information (each actor's gain if the chance event were known before anyone chooses)"
    );
    let width = values
        .iter()
        .map(|v| scenario.decisions[v.decision].id.name.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let actors: Vec<String> = scenario
        .actors
        .iter()
        .map(|a| format!("{:>8}", a.id.name))
        .collect();
    let _ = writeln!(out, "  {}  {}", pad("event", width), actors.join("  "));
    for value in values {
        let name = pad(&scenario.decisions[value.decision].id.name, width);
        match &value.evpi {
            Some(evpi) => {
                let cells: Vec<String> =
                    evpi.iter().map(|v| format!("{:>8}", payoff(*v))).collect();
                let _ = writeln!(out, "  {name}  {}", cells.join("  "));
            }
            None => {
                let why = match value.undefined {
                    Some(Undefined::Given) => "given: there is nothing left to learn",
                    Some(Undefined::NeverTaken) => {
                        "not defined: no path consistent with what is given takes it"
                    }
                    Some(Undefined::DependsOnDecisions) | None => {
                        "not defined: its guard or likelihoods depend on earlier decisions"
                    }
                };
                let _ = writeln!(out, "  {name}  {why}");
            }
        }
    }
    out
}

fn describe(scenario: &Scenario, assumption: Assumption) -> String {
    match assumption {
        Assumption::Likelihood(d) => format!(
            "the likelihoods of `{}`, reversed",
            scenario.decisions[d].id.name
        ),
        Assumption::Rule(r) => format!("rule `{}`, dropped", scenario.rules[r].id.name),
    }
}

/// The most load-bearing assumptions, most first.
pub fn render_ranking(scenario: &Scenario, ranked: &[Ranked], max_rows: usize) -> String {
    let mut out = String::new();
    // A bound is below every exact distance ranked (that is why it was not computed): never
    // one of the rows shown.
    let shown: Vec<&Ranked> = ranked
        .iter()
        .filter(|r| r.measure != Measure::Bound && r.distance > 1e-12)
        .take(max_rows)
        .collect();
    if shown.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nWhat the forecast hangs on (share of probability that moves to another outcome)"
    );
    for r in shown {
        if r.measure == Measure::NoOutcome {
            let _ = writeln!(
                out,
                "  {:>7}  {}: some path would reach no outcome",
                "–",
                describe(scenario, r.assumption),
            );
            continue;
        }
        let (outcome, delta) = r.largest_move;
        let _ = writeln!(
            out,
            "  {:>7}  {}: most of all `{}` ({})",
            percent(r.distance),
            describe(scenario, r.assumption),
            scenario.outcomes[outcome].id.name,
            points(delta)
        );
    }
    out
}

/// Whether two probabilities print differently: a difference a reader can see.
pub fn differs(a: f64, b: f64) -> bool {
    percent(a) != percent(b)
}

/// The base scenario and its variants side by side, base first; `*` marks a probability that
/// differs from the base as printed.
pub fn render_variants(scenario: &Scenario, columns: &[Column]) -> String {
    let mut out = String::new();
    let Some((base, variants)) = columns.split_first() else {
        return out;
    };
    let _ = writeln!(
        out,
        "\nVariants (base first; * marks a probability that differs from the base)"
    );
    let name = |c: &Column| {
        c.variant
            .and_then(|v| scenario.variants.get(v))
            .map_or_else(|| "base".to_owned(), |v| v.id.name.clone())
    };
    let end = |c: &Column| match &c.result {
        Ok(r) => r
            .strategic_outcome
            .and_then(|o| scenario.outcomes.get(o))
            .map_or_else(|| "—".to_owned(), |o| o.id.name.clone()),
        Err(_) => "—".to_owned(),
    };
    // Each column: a number right-aligned at its width, then a two-character mark.
    let widths: Vec<usize> = columns
        .iter()
        .map(|c| name(c).chars().count().max(end(c).chars().count()).max(7))
        .collect();
    let first = scenario
        .outcomes
        .iter()
        .map(|o| o.id.name.chars().count())
        .max()
        .unwrap_or(7)
        .max(17);
    let row = |label: &str, cells: Vec<String>| {
        let line = format!("  {}{}", pad(label, first), cells.concat());
        format!("{}\n", line.trim_end())
    };
    out.push_str(&row(
        "outcome",
        columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("  {:>w$}  ", name(c), w = w))
            .collect(),
    ));
    let base_result = base.result.as_ref().ok();
    for (o, outcome) in scenario.outcomes.iter().enumerate() {
        let cells = columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| match &c.result {
                Ok(r) => {
                    let p = r.probabilities.get(o).copied().unwrap_or(0.0);
                    let mark = match (c.variant, base_result) {
                        (Some(_), Some(b)) => {
                            let q = b.probabilities.get(o).copied().unwrap_or(0.0);
                            if differs(p, q) { " *" } else { "  " }
                        }
                        _ => "  ",
                    };
                    format!("  {:>w$}{mark}", percent(p), w = w)
                }
                Err(_) => format!("  {:>w$}  ", "—", w = w),
            })
            .collect();
        out.push_str(&row(&outcome.id.name, cells));
    }
    out.push_str(&row(
        "line of play ends",
        columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("  {:>w$}  ", end(c), w = w))
            .collect(),
    ));
    for column in variants {
        let Some(variant) = column.variant.and_then(|v| scenario.variants.get(v)) else {
            continue;
        };
        let title = variant
            .title
            .as_deref()
            .map_or_else(String::new, |t| format!(": {}", clip(t, 80)));
        let source = variant
            .source
            .as_deref()
            .map_or_else(String::new, |s| format!(" (source: {})", clip(s, 80)));
        let _ = writeln!(out, "  {}{title}{source}", variant.id.name);
        if let Err(why) = &column.result {
            let _ = writeln!(out, "    not evaluated: {why}");
        }
    }
    out
}

/// The forecast before and after observing signposts, for `casus eval --observe`.
pub fn render_observed(
    scenario: &Scenario,
    observed: &[usize],
    base: &[f64],
    conditioned: &[f64],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nObserved signposts (the forecast above is conditioned on them by Bayes' rule)"
    );
    for &s in observed {
        let Some(signpost) = scenario.signposts.get(s) else {
            continue;
        };
        let title = signpost
            .title
            .as_deref()
            .map_or_else(String::new, |t| format!(": {}", clip(t, 80)));
        let _ = writeln!(out, "  {}{title}", signpost.id.name);
    }
    let width = scenario
        .outcomes
        .iter()
        .map(|o| o.id.name.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        out,
        "  {}  {:>7}  {:>7}  {:>10}",
        pad("outcome", width),
        "before",
        "after",
        "change"
    );
    for (o, outcome) in scenario.outcomes.iter().enumerate() {
        let (b, a) = (
            base.get(o).copied().unwrap_or(0.0),
            conditioned.get(o).copied().unwrap_or(0.0),
        );
        let _ = writeln!(
            out,
            "  {}  {:>7}  {:>7}  {:>10}",
            pad(&outcome.id.name, width),
            percent(b),
            percent(a),
            points(a - b)
        );
    }
    out
}

pub use crate::text::points;

/// A signpost (index) and the shift in an outcome's probability that seeing it causes.
pub type Shift = Option<(usize, f64)>;

/// The signposts that would raise and lower `outcome` most if seen, each by a visible amount.
pub fn strongest(effects: &[Effect], outcome: usize) -> (Shift, Shift) {
    let (mut up, mut down): (Shift, Shift) = (None, None);
    for effect in effects {
        let Some(&shift) = effect.shifts.get(outcome) else {
            continue;
        };
        if !differs(shift, 0.0) {
            continue;
        }
        if shift > 0.0 && up.is_none_or(|(_, u)| shift > u) {
            up = Some((effect.signpost, shift));
        }
        if shift < 0.0 && down.is_none_or(|(_, d)| shift < d) {
            down = Some((effect.signpost, shift));
        }
    }
    (up, down)
}

/// The signpost watch-list: for each outcome, which signpost would raise and which would
/// lower its probability most if seen; then each signpost with how much it moves in all.
pub fn render_watch_list(scenario: &Scenario, effects: &[Effect]) -> String {
    let mut out = String::new();
    if effects.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nSignposts to watch (how the forecast moves if a signpost is seen, each alone)"
    );
    let width = scenario
        .outcomes
        .iter()
        .map(|o| o.id.name.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let name = |s: usize| {
        scenario
            .signposts
            .get(s)
            .map_or("?", |s| s.id.name.as_str())
    };
    let cell = |best: Shift| {
        best.map_or_else(
            || "—".to_owned(),
            |(s, d)| format!("{} {}", name(s), points(d)),
        )
    };
    let rows: Vec<(String, String, String)> = scenario
        .outcomes
        .iter()
        .enumerate()
        .map(|(o, outcome)| {
            let (up, down) = strongest(effects, o);
            (outcome.id.name.clone(), cell(up), cell(down))
        })
        .collect();
    let up_width = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(0)
        .max(14);
    let _ = writeln!(
        out,
        "  {}  {}  lowered most by",
        pad("outcome", width),
        pad("raised most by", up_width)
    );
    for (outcome, up, down) in &rows {
        let _ = writeln!(
            out,
            "  {}  {}  {down}",
            pad(outcome, width),
            pad(up, up_width)
        );
    }
    let mut order: Vec<&Effect> = effects.iter().collect();
    order.sort_by(|a, b| b.distance.total_cmp(&a.distance));
    let _ = writeln!(
        out,
        "  each signpost, by the share of probability it moves to other outcomes:"
    );
    for effect in order {
        let Some(signpost) = scenario.signposts.get(effect.signpost) else {
            continue;
        };
        let title = signpost
            .title
            .as_deref()
            .map_or_else(String::new, |t| format!(" — {}", clip(t, 70)));
        match &effect.result {
            Ok(_) => {
                let _ = writeln!(
                    out,
                    "  {:>7}  {}{title}",
                    percent(effect.distance),
                    signpost.id.name
                );
            }
            Err(why) => {
                let _ = writeln!(out, "  {:>7}  {}: {why}", "—", signpost.id.name);
            }
        }
    }
    out
}

/// Where analysts disagree most, and which outcomes that disagreement moves.
pub fn render_analysts(scenario: &Scenario, disagreements: &[Disagreement]) -> String {
    let mut out = String::new();
    if disagreements.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nAnalysts (estimates pooled by a linear pool with equal weights; each band is the envelope of the analysts' bands)"
    );
    for d in disagreements {
        let decision = &scenario.decisions[d.decision];
        let option = decision
            .options
            .get(d.option)
            .map_or("?", |o| o.name.as_str());
        let _ = writeln!(
            out,
            "  {}: the analysts disagree most on `{option}` ({} apart)",
            decision.id.name,
            points(d.spread).trim_start_matches('+')
        );
        let who_width = decision
            .estimates
            .iter()
            .map(|e| e.analyst.name.chars().count())
            .max()
            .unwrap_or(7)
            .max(7);
        let options: Vec<String> = decision
            .options
            .iter()
            .map(|o| format!("{:>8}", clip(&o.name, 12)))
            .collect();
        let _ = writeln!(
            out,
            "    {}  {}  {:<10}  source",
            pad("analyst", who_width),
            options.join("  "),
            "as of"
        );
        for (estimate, points) in decision.estimates.iter().zip(&d.points) {
            let cells: Vec<String> = points
                .iter()
                .map(|p| format!("{:>8}", percent(*p)))
                .collect();
            let _ = writeln!(
                out,
                "    {}  {}  {:<10}  {}",
                pad(&estimate.analyst.name, who_width),
                cells.join("  "),
                estimate.as_of.as_ref().map_or("—", |a| a.value.as_str()),
                estimate
                    .source
                    .as_deref()
                    .map_or("—".to_owned(), |s| clip(s, 50))
            );
        }
        let mut moves: Vec<(usize, f64)> = d.moves.iter().copied().enumerate().collect();
        moves.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let shown: Vec<String> = moves
            .iter()
            .filter(|(_, m)| differs(*m, 0.0))
            .take(3)
            .map(|(o, m)| {
                format!(
                    "{} {}",
                    scenario.outcomes[*o].id.name,
                    points(*m).trim_start_matches('+')
                )
            })
            .collect();
        if shown.is_empty() {
            let _ = writeln!(out, "    the disagreement moves no outcome");
        } else {
            let _ = writeln!(
                out,
                "    each analyst's table alone moves most: {}",
                shown.join(", ")
            );
        }
    }
    out
}
