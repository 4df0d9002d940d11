//! The Markdown report, as GitHub renders it (tables, a Mermaid diagram).
//!
//! Scenario text goes through [`escape::md`] (one line, no markup) and ids through
//! [`escape::md_code`]; the Mermaid block is escaped by [`escape::mermaid`], which never
//! produces a backtick, so nothing can close the fence.

use std::fmt::Write as _;

use super::escape::{md, md_code};
use super::mermaid;
use super::model::{ActorValue, OptionValue, ReportModel, TORNADO_ROWS};
use crate::analysis::points;
use crate::text::{payoff, percent};

/// How many assumptions the ranking shows (JSON has them all).
const ASSUMPTION_ROWS: usize = 10;

/// Characters in a text band of the percentile chart.
const BAND_WIDTH: usize = 30;

/// Mermaid's default `maxTextSize` (GitHub keeps it): a larger diagram shows only an error.
const MERMAID_MAX_TEXT: usize = 50_000;

fn range(r: [f64; 2]) -> String {
    if r[0] == r[1] {
        "—".to_owned()
    } else {
        format!("{:.1}–{}", r[0] * 100.0, percent(r[1]))
    }
}

fn actor_values(values: &[ActorValue]) -> String {
    values
        .iter()
        .map(|v| format!("{} {}", md_code(&v.actor), payoff(v.value)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn option_values(values: &[OptionValue], as_percent: bool) -> String {
    values
        .iter()
        .map(|v| {
            let value = if as_percent {
                percent(v.value)
            } else {
                payoff(v.value)
            };
            format!("{} {value}", md_code(&v.option))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn opt(text: Option<&String>) -> String {
    text.map_or_else(String::new, |t| md(t))
}

fn ids(ids: &[String]) -> String {
    ids.iter()
        .map(|i| md_code(i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders the Markdown report.
pub(crate) fn render(model: &ReportModel) -> String {
    let mut out = String::new();
    let s = &model.scenario;
    let _ = writeln!(out, "# {}\n", md(&s.title));
    if let Some(summary) = &s.summary {
        let _ = writeln!(out, "{}\n", md(summary));
    }
    let _ = writeln!(out, "- **File:** {}", md(&s.file));
    if let Some(as_of) = &s.as_of {
        let _ = writeln!(out, "- **As of:** {}", md(as_of));
    }
    if !s.tags.is_empty() {
        let tags: Vec<String> = s.tags.iter().map(|t| md(t)).collect();
        let _ = writeln!(out, "- **Tags:** {}", tags.join(", "));
    }
    if !s.sources.is_empty() {
        let _ = writeln!(out, "- **Sources:**");
        for source in &s.sources {
            let _ = writeln!(out, "  - {}", md(source));
        }
    }
    out.push('\n');

    if !model.actors.is_empty() {
        out.push_str("## Actors\n\n| Actor | Name | Notes |\n|---|---|---|\n");
        for a in &model.actors {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                md_code(&a.id),
                md(&a.name),
                opt(a.doc.as_ref())
            );
        }
        out.push('\n');
    }

    if !model.facts.is_empty() {
        out.push_str(
            "## Facts\n\n| Fact | Kind | Value | Type | Unit | Source | Notes |\n|---|---|---|---|---|---|---|\n",
        );
        for f in &model.facts {
            let value = if f.kind == "derived" {
                format!("default {}", md(&f.value))
            } else {
                md(&f.value)
            };
            let _ = writeln!(
                out,
                "| {} | {} | {value} | {} | {} | {} | {} |",
                md_code(&f.id),
                f.kind,
                md(&f.ty),
                opt(f.unit.as_ref()),
                opt(f.source.as_ref()),
                opt(f.doc.as_ref())
            );
        }
        out.push('\n');
    }

    if !model.decisions.is_empty() {
        out.push_str(
            "## Decisions\n\nDecisions happen in this order; a decision with a condition is skipped when it is false.\n\n| # | Decision | Actor | Question | Options and likelihoods | Asked when |\n|---|---|---|---|---|---|\n",
        );
        for (i, d) in model.decisions.iter().enumerate() {
            let options: Vec<String> = d
                .options
                .iter()
                .map(|o| {
                    let written = o
                        .likelihood
                        .as_ref()
                        .map_or_else(String::new, |l| format!(" {}", md(l)));
                    format!("{}{written} ({})", md_code(&o.id), percent(o.probability))
                })
                .collect();
            let mut notes = options.join(", ");
            if d.uniform {
                notes.push_str(" — no likelihoods: equally likely");
            }
            if d.conditional > 0 {
                let _ = write!(
                    notes,
                    " — {} conditional table{}",
                    d.conditional,
                    if d.conditional == 1 { "" } else { "s" }
                );
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {notes} | {} |",
                i + 1,
                md_code(&d.id),
                if d.chance {
                    "chance".to_owned()
                } else {
                    md(&d.actor_name)
                },
                opt(d.ask.as_ref()),
                d.when.as_ref().map_or_else(String::new, |w| md(w))
            );
        }
        out.push('\n');
    }

    let graph = &model.decision_graph;
    out.push_str("## Decision graph\n\n");
    out.push_str("Each box is a decision in one distinct situation (situations with the same future are merged); arrows are options with their likelihood there and the rules that start (+) or stop (−) firing; each outcome appears once.\n\n");
    if graph.truncated {
        let _ = writeln!(
            out,
            "**The graph has more than {} situations; only the first {} are drawn.**\n",
            graph.max_nodes, graph.max_nodes
        );
    }
    if !graph.initial.is_empty() {
        let _ = writeln!(
            out,
            "Rules firing before any decision: {}.\n",
            ids(&graph.initial)
        );
    }
    let diagram = mermaid::decisions(graph);
    if diagram.len() > MERMAID_MAX_TEXT {
        let _ = writeln!(
            out,
            "The diagram is too large for Mermaid as GitHub renders it ({} characters); see the HTML or DOT report.\n",
            diagram.len()
        );
    } else {
        out.push_str("```mermaid\n");
        out.push_str(&diagram);
        out.push_str("```\n\n");
    }

    let f = &model.forecast;
    let _ = writeln!(
        out,
        "## Forecast\n\n{} paths. Probabilities under the point estimates; the range spans the likelihood bands.\n",
        f.paths
    );
    out.push_str("| Outcome | Title | Probability | Range | In words |\n|---|---|---:|---|---|\n");
    for o in &f.outcomes {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            md_code(&o.id),
            md(&o.title),
            percent(o.probability),
            range(o.range),
            o.words
        );
    }
    out.push('\n');
    for d in &f.uniform_decisions {
        let _ = writeln!(
            out,
            "Note: {} has no likelihoods, so its options count as equally likely.\n",
            md_code(d)
        );
    }

    let st = &model.strategy;
    out.push_str("## Strategy\n\nEach actor picks the option with the highest expected payoff for itself, given optimal play afterwards; chance events follow their likelihoods.\n\n");
    if !st.line.is_empty() {
        out.push_str("| # | Decision | Actor | Choice | Expected payoffs or probabilities |\n|---|---|---|---|---|\n");
        for (i, p) in st.line.iter().enumerate() {
            let mut choice = md_code(&p.choice);
            if p.chance {
                choice.push_str(" (most likely)");
            } else if p.optimal.len() > 1 {
                let _ = write!(choice, " (tie: {})", ids(&p.optimal));
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {choice} | {} |",
                i + 1,
                md_code(&p.decision),
                md_code(&p.actor),
                option_values(&p.values, p.chance)
            );
        }
        out.push('\n');
    }
    if let Some(o) = &st.outcome {
        let _ = writeln!(out, "The line of play ends in {}.\n", md_code(o));
    }
    if !st.payoffs.is_empty() {
        let _ = writeln!(out, "Expected payoffs: {}.\n", actor_values(&st.payoffs));
    }
    if let (Some(forecast), Some(strategic)) = (&st.forecast_disagrees, &st.outcome) {
        let _ = writeln!(
            out,
            "**Forecast and strategy disagree:** the most likely outcome is {}, but rational play leads to {}.\n",
            md_code(forecast),
            md_code(strategic)
        );
    }
    if !st.key_assumptions.is_empty() {
        out.push_str("### Key assumptions\n\nWhere the likelihoods say one thing and the actor's payoffs another:\n\n");
        for k in &st.key_assumptions {
            let _ = writeln!(
                out,
                "- {}: judged most likely {} ({}), yet {}'s payoffs favour {} ({}).",
                md_code(&k.decision),
                md_code(&k.forecast),
                percent(k.forecast_probability),
                md_code(&k.actor),
                ids(&k.strategic),
                option_values(&k.values, false)
            );
        }
        out.push('\n');
    }

    out.push_str("## Paths\n\nThe most likely paths to each outcome, with the rules that fire on them and why.\n\n");
    let titles = |id: &str| {
        f.outcomes
            .iter()
            .find(|o| o.id == id)
            .map_or((String::new(), 0.0), |o| (o.title.clone(), o.probability))
    };
    if !model.paths.complete {
        let _ = writeln!(
            out,
            "**The scenario has more than {}: the lists below come from the first {} in file order and may miss more likely ones.**\n",
            casus_core::diagnostic::plural(model.paths.walked, "path"),
            model.paths.walked
        );
    }
    for paths in &model.paths.outcomes {
        let (title, p) = titles(&paths.outcome);
        let _ = writeln!(
            out,
            "### {} — {}\n\n{} — {} path{}.\n",
            md_code(&paths.outcome),
            md(&title),
            percent(p),
            paths.count,
            if paths.count == 1 { "" } else { "s" }
        );
        for (i, path) in paths.top.iter().enumerate() {
            let steps: Vec<String> = path
                .steps
                .iter()
                .map(|s| {
                    format!(
                        "{} = {} ({})",
                        md_code(&s.decision),
                        md_code(&s.option),
                        percent(s.probability)
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "{}. **{}** ({} of this outcome): {}",
                i + 1,
                percent(path.probability),
                percent(path.share),
                if steps.is_empty() {
                    "no decision taken".to_owned()
                } else {
                    steps.join(" → ")
                }
            );
            for rule in &path.fired {
                let because = rule
                    .because
                    .as_ref()
                    .map_or_else(String::new, |b| format!(": {}", md(b)));
                let source = rule
                    .source
                    .as_ref()
                    .map_or_else(String::new, |s| format!(" (source: {})", md(s)));
                let _ = writeln!(out, "   - {}{because}{source}", md_code(&rule.id));
            }
        }
        if !paths.top.is_empty() {
            out.push('\n');
        }
    }

    out.push_str("## Sensitivity\n\n");
    match &model.sensitivity.error {
        Some(error) => {
            let _ = writeln!(out, "Not computed: {}.\n", md(error));
        }
        None if model.sensitivity.tornado.is_empty() => {
            out.push_str("No likelihood band moves any outcome.\n\n");
        }
        None => {
            out.push_str("Which decision's likelihood bands move which outcome most, each decision swept alone across its bands.\n\n| Decision | Outcome | Low | High | Swing |\n|---|---|---:|---:|---:|\n");
            for row in model.sensitivity.tornado.iter().take(TORNADO_ROWS) {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    md_code(&row.decision),
                    md_code(&row.outcome),
                    percent(row.low),
                    percent(row.high),
                    percent(row.swing)
                );
            }
            let more = model.sensitivity.tornado.len().saturating_sub(TORNADO_ROWS);
            if more > 0 {
                let _ = writeln!(out, "\n{more} smaller effects are in the JSON report.");
            }
            out.push('\n');
        }
    }

    deeper(&mut out, model);

    let t = &model.tests;
    out.push_str("## Tests\n\n");
    if t.results.is_empty() {
        out.push_str("The scenario has no tests.\n\n");
    } else {
        let _ = writeln!(out, "{} passed, {} failed.\n", t.passed, t.failed);
        out.push_str("| Test | Result | Notes |\n|---|---|---|\n");
        for r in &t.results {
            let mut notes: Vec<String> = r.doc.iter().map(|d| md(d)).collect();
            notes.extend(r.failures.iter().map(|f| md(f)));
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                md_code(&r.id),
                r.status,
                notes.join(" — ")
            );
        }
        out.push('\n');
    }

    out.push_str("## Warnings\n\n");
    if model.diagnostics.is_empty() {
        out.push_str("None.\n");
    } else {
        for d in &model.diagnostics {
            let at = match (d.line, d.column) {
                (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
                _ => String::new(),
            };
            let help = d
                .help
                .as_ref()
                .map_or_else(String::new, |h| format!(" — help: {}", md(h)));
            let _ = writeln!(
                out,
                "- {}\\[{}\\]{at}: {}{help}",
                d.severity,
                d.code,
                md(&d.message)
            );
        }
    }
    out
}

/// A text bar for the percentile chart: `·` outside the 5th–95th percentile band, `━` inside,
/// `┃` at the median, on a scale from 0 to `max`.
fn band(p5: f64, p50: f64, p95: f64, max: f64) -> String {
    let at = |x: f64| {
        if max > 0.0 {
            ((x / max) * BAND_WIDTH as f64)
                .round()
                .clamp(0.0, BAND_WIDTH as f64) as usize
        } else {
            0
        }
    };
    let (lo, mid, hi) = (at(p5), at(p50).min(BAND_WIDTH - 1), at(p95));
    (0..BAND_WIDTH)
        .map(|i| {
            if i == mid {
                '┃'
            } else if i >= lo && i < hi.max(lo + 1) {
                '━'
            } else {
                '·'
            }
        })
        .collect()
}

/// The deeper analyses: probabilistic sensitivity, variants, signposts, analysts, value of
/// information and the assumption ranking.
fn deeper(out: &mut String, model: &ReportModel) {
    let s = &model.sampling;
    out.push_str("## Uncertainty\n\n");
    match &s.error {
        Some(error) => {
            let _ = writeln!(out, "Not computed: {}.\n", md(error));
        }
        None => {
            let max = s.outcomes.iter().map(|o| o.p95).fold(0.0, f64::max);
            let _ = writeln!(
                out,
                "Each outcome's probability when every likelihood is drawn within its band at once ({} samples, seed {}). The bar spans the 5th to the 95th percentile (━) with the median (┃), on a scale from 0 to {}.\n",
                s.samples,
                s.seed,
                percent(max)
            );
            out.push_str("| Outcome | Point estimate | Mean | 5th | Median | 95th | Spread |\n|---|---:|---:|---:|---:|---:|---|\n");
            for o in &s.outcomes {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | `{}` |",
                    md_code(&o.outcome),
                    percent(o.probability),
                    percent(o.mean),
                    percent(o.p5),
                    percent(o.p50),
                    percent(o.p95),
                    band(o.p5, o.p50, o.p95, max)
                );
            }
            let _ = writeln!(
                out,
                "\nThe strategic line of play changed in {} of {} samples.\n",
                s.line_changes, s.samples
            );
        }
    }

    let v = &model.variants;
    if v.error.is_some() || !v.columns.is_empty() {
        out.push_str("## Variants\n\n");
        if let Some(error) = &v.error {
            let _ = writeln!(out, "Not computed: {}.\n", md(error));
        } else {
            out.push_str("The base scenario and each variant side by side; **bold** marks a probability that differs from the base, with the change in points.\n\n");
            let names: Vec<String> = v
                .columns
                .iter()
                .map(|c| {
                    c.id.as_ref()
                        .map_or_else(|| "base".to_owned(), |id| md_code(id))
                })
                .collect();
            let _ = writeln!(out, "| Outcome | {} |", names.join(" | "));
            let _ = writeln!(out, "|---|{}", "---:|".repeat(names.len()));
            let rows = v.columns.first().map_or(0, |c| c.outcomes.len());
            for row in 0..rows {
                let outcome = &v.columns[0].outcomes[row].outcome;
                let cells: Vec<String> = v
                    .columns
                    .iter()
                    .map(|c| match c.outcomes.get(row) {
                        Some(o) if o.differs => {
                            format!("**{}** ({})", percent(o.probability), points(o.delta))
                        }
                        Some(o) => percent(o.probability),
                        None => "—".to_owned(),
                    })
                    .collect();
                let _ = writeln!(out, "| {} | {} |", md_code(outcome), cells.join(" | "));
            }
            let ends: Vec<String> = v
                .columns
                .iter()
                .map(|c| {
                    c.strategic_outcome
                        .as_ref()
                        .map_or_else(|| "—".to_owned(), |o| md_code(o))
                })
                .collect();
            let _ = writeln!(out, "| Line of play ends in | {} |\n", ends.join(" | "));
            for c in v.columns.iter().skip(1) {
                let Some(id) = &c.id else { continue };
                let mut line = format!("- {}", md_code(id));
                if let Some(title) = &c.title {
                    let _ = write!(line, ": {}", md(title));
                }
                if let Some(doc) = &c.doc {
                    let _ = write!(line, " — {}", md(doc));
                }
                if let Some(source) = &c.source {
                    let _ = write!(line, " (source: {})", md(source));
                }
                if let Some(error) = &c.error {
                    let _ = write!(line, " — not evaluated: {}", md(error));
                }
                let _ = writeln!(out, "{line}");
            }
            out.push('\n');
        }
    }

    let sp = &model.signposts;
    if sp.error.is_some() || !sp.signposts.is_empty() {
        out.push_str("## Signposts\n\n");
        if let Some(error) = &sp.error {
            let _ = writeln!(out, "Not computed: {}.\n", md(error));
        } else {
            out.push_str("What to watch for: how each outcome's probability would move if a signpost were seen (each alone, by Bayes' rule).\n\n| Outcome | Now | Raised most by | Lowered most by |\n|---|---:|---|---|\n");
            let shift = |s: &Option<super::model::SignpostShift>| {
                s.as_ref().map_or_else(
                    || "—".to_owned(),
                    |s| format!("{} {}", md_code(&s.signpost), points(s.shift)),
                )
            };
            for w in &sp.watch {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    md_code(&w.outcome),
                    percent(w.probability),
                    shift(&w.raised_by),
                    shift(&w.lowered_by)
                );
            }
            out.push_str("\n| Signpost | What is seen | What it says | Moves | Source |\n|---|---|---|---:|---|\n");
            for s in &sp.signposts {
                let moves = match &s.error {
                    Some(error) => md(error),
                    None => percent(s.distance),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {moves} | {} |",
                    md_code(&s.id),
                    opt(s.title.as_ref()),
                    md(&s.evidence),
                    opt(s.source.as_ref())
                );
            }
            out.push_str(
                "\n“Moves” is the share of probability that would move to other outcomes.\n\n",
            );
        }
    }

    let a = &model.analysts;
    if a.error.is_some() || !a.decisions.is_empty() {
        out.push_str("## Analysts\n\n");
        let _ = writeln!(out, "Estimates are pooled by a {}.\n", md(a.pooling));
        if let Some(error) = &a.error {
            let _ = writeln!(out, "Not computed: {}.\n", md(error));
        }
        for d in &a.decisions {
            let _ = writeln!(
                out,
                "### {} — the analysts disagree most on {} ({} apart)\n",
                md_code(&d.decision),
                md_code(&d.option),
                points(d.spread).trim_start_matches('+')
            );
            let options: Vec<String> = d
                .analysts
                .first()
                .map(|x| x.estimate.iter().map(|o| md_code(&o.option)).collect())
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| Analyst | {} | As of | Source |\n|---|{}---|---|",
                options.join(" | "),
                "---:|".repeat(options.len())
            );
            for analyst in &d.analysts {
                let cells: Vec<String> =
                    analyst.estimate.iter().map(|o| percent(o.value)).collect();
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    md_code(&analyst.analyst),
                    cells.join(" | "),
                    opt(analyst.as_of.as_ref()),
                    opt(analyst.source.as_ref())
                );
            }
            let mut moves: Vec<&super::model::OutcomeValue> = d
                .moves
                .iter()
                .filter(|m| crate::analysis::differs(m.value, 0.0))
                .collect();
            moves.sort_by(|x, y| y.value.total_cmp(&x.value));
            if moves.is_empty() {
                out.push_str("\nThe disagreement moves no outcome.\n\n");
            } else {
                let moves: Vec<String> = moves
                    .iter()
                    .map(|m| {
                        format!(
                            "{} {}",
                            md_code(&m.outcome),
                            points(m.value).trim_start_matches('+')
                        )
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "\nWith each analyst's table alone, the forecasts lie this far apart: {}.\n",
                    moves.join(", ")
                );
            }
        }
    }

    let i = &model.value_of_information;
    out.push_str("## Value of information\n\n");
    match &i.error {
        Some(error) => {
            let _ = writeln!(out, "Not computed: {}.\n", md(error));
        }
        None if i.events.is_empty() => out.push_str("The scenario has no chance events.\n\n"),
        None if model.actors.is_empty() => {
            out.push_str(
                "The scenario has no actors, so knowing a chance event first helps no one.\n\n",
            );
        }
        None => {
            out.push_str("What each actor would gain in expected payoff if a chance event were known before anyone chooses (negative: the knowledge helps others more).\n\n");
            let actors: Vec<String> = model.actors.iter().map(|a| md_code(&a.id)).collect();
            let _ = writeln!(
                out,
                "| Chance event | {} |\n|---|{}",
                actors.join(" | "),
                "---:|".repeat(actors.len())
            );
            for e in &i.events {
                let cells: Vec<String> = match &e.evpi {
                    Some(values) => values.iter().map(|v| payoff(v.value)).collect(),
                    None => {
                        let mut cells = vec![String::new(); actors.len()];
                        if let Some(first) = cells.first_mut() {
                            *first =
                                "not defined: the event depends on earlier decisions".to_owned();
                        }
                        cells
                    }
                };
                let _ = writeln!(out, "| {} | {} |", md_code(&e.decision), cells.join(" | "));
            }
            out.push('\n');
        }
    }

    let r = &model.assumptions;
    out.push_str("## What the forecast hangs on\n\n");
    match &r.error {
        Some(error) => {
            let _ = writeln!(out, "Not computed: {}.\n", md(error));
        }
        None => {
            let shown: Vec<_> = r
                .ranked
                .iter()
                .filter(|a| crate::analysis::differs(a.distance, 0.0))
                .take(ASSUMPTION_ROWS)
                .collect();
            if shown.is_empty() {
                out.push_str("No likelihood reversed and no rule dropped moves the forecast.\n\n");
            } else {
                out.push_str("Each likelihood judgement reversed and each rule dropped, ranked by the share of probability that moves to another outcome.\n\n| Assumption | Moves | Most of all |\n|---|---:|---|\n");
                for a in shown {
                    let what = if a.kind == "rule" {
                        format!("rule {}, dropped", md_code(&a.id))
                    } else {
                        format!("the likelihoods of {}, reversed", md_code(&a.id))
                    };
                    let _ = writeln!(
                        out,
                        "| {what} | {} | {} {} |",
                        percent(a.distance),
                        md_code(&a.outcome),
                        points(a.delta)
                    );
                }
                let more = r.ranked.len().saturating_sub(ASSUMPTION_ROWS);
                if more > 0 {
                    let _ = writeln!(
                        out,
                        "\nThe JSON report ranks all {} assumptions.",
                        r.ranked.len()
                    );
                }
                out.push('\n');
            }
        }
    }
}
