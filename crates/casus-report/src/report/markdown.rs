//! The Markdown report, as GitHub renders it (tables, a Mermaid diagram).
//!
//! Scenario text goes through [`escape::md`] (one line, no markup) and ids through
//! [`escape::md_code`]; the Mermaid block is escaped by [`escape::mermaid`], which never
//! produces a backtick, so nothing can close the fence.

use std::fmt::Write as _;

use super::escape::{md, md_code};
use super::mermaid;
use super::model::{ActorValue, OptionValue, ReportModel, TORNADO_ROWS};
use crate::text::{payoff, percent};

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
            "**The scenario has more than {} paths: the lists below come from the first {} in file order and may miss more likely ones.**\n",
            model.paths.walked, model.paths.walked
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
