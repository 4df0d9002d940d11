//! The HTML report: one self-contained page (no script, no network, no external font or
//! style sheet), with the decision graph as inline SVG, outcome bars, collapsible path
//! details and a print style.
//!
//! The page carries a Content-Security-Policy that allows no script and no fetch at all, so
//! even a mistake in escaping could not run code or call out; every piece of scenario text
//! still goes through [`escape::html`].

use std::fmt::Write as _;

use super::escape::html;
use super::model::{ReportModel, SignpostShift, TORNADO_ROWS};
use super::svg;
use crate::analysis::{differs, points};
use crate::text::{payoff, percent};

/// How many assumptions the ranking shows (JSON has them all).
const ASSUMPTION_ROWS: usize = 10;

const STYLE: &str = r#"
:root { --ink: #1d2330; --muted: #5b6474; --line: #d9dee7; --accent: #3b5b92; --bar: #5b7fc0; --band: #c9d6ee; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.7em; line-height: 1.25; margin: 0.2em 0 0.4em; overflow-wrap: anywhere; }
h2 { font-size: 1.25em; margin: 2em 0 0.6em; padding-bottom: 0.2em; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05em; margin: 1.4em 0 0.4em; }
p, li, td, th, summary { overflow-wrap: anywhere; }
.summary { font-size: 1.05em; color: #333a48; white-space: pre-line; }
.meta { color: var(--muted); font-size: 0.92em; }
code, .id { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; font-size: 0.93em; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { color: var(--muted); font-weight: 600; background: #f7f8fa; }
td > code, td.words { white-space: nowrap; overflow-wrap: normal; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.bar { position: relative; height: 14px; min-width: 160px; background: #f1f3f7; border-radius: 3px; }
.bar .band { position: absolute; top: 0; height: 14px; background: var(--band); border-radius: 3px; }
.bar .fill { position: absolute; top: 3px; left: 0; height: 8px; background: var(--bar); border-radius: 2px; }
.bar .median { position: absolute; top: 0; width: 2px; height: 14px; background: var(--ink); }
.bar .point { position: absolute; top: 4px; width: 6px; height: 6px; margin-left: -3px; border-radius: 3px; background: var(--bar); }
td.differs { font-weight: 700; }
.delta { color: var(--muted); font-weight: 400; font-size: 0.9em; }
.graph-scroll { overflow: auto; width: calc(100vw - 48px); max-width: max-content; position: relative; left: 50%; transform: translateX(-50%); border: 1px solid var(--line); border-radius: 6px; background: #fcfcfd; }
svg.decision-graph { display: block; }
svg.decision-graph text { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 12px; fill: var(--ink); }
svg.decision-graph .strong { font-weight: 700; }
svg.decision-graph .edge { fill: none; stroke: #8a93a3; stroke-opacity: 0.75; }
svg.decision-graph .arrowhead { fill: #8a93a3; }
svg.decision-graph .edge-label rect { fill: #ffffff; fill-opacity: 0.92; stroke: none; }
svg.decision-graph .edge-label text { fill: #3d4554; font-size: 11px; }
svg.decision-graph .node rect { stroke-width: 1.4; }
svg.decision-graph .node.decision rect { fill: #eef3fb; stroke: #3b5b92; }
svg.decision-graph .node.chance rect { fill: #f6f1e7; stroke: #8a6d3b; stroke-dasharray: 5 3; }
svg.decision-graph .node.outcome rect { fill: #eaf6ec; stroke: #2f6b3a; stroke-width: 2.2; }
svg.decision-graph .node.truncated rect { fill: #f3f3f3; stroke: #888; stroke-dasharray: 4 3; }
.legend { color: var(--muted); font-size: 0.88em; }
.warn { background: #fff6e0; border-left: 4px solid #d49a1a; padding: 8px 12px; }
.disagree { background: #fdeeee; border-left: 4px solid #b84a4a; padding: 8px 12px; }
details { border: 1px solid var(--line); border-radius: 6px; margin: 0.5em 0; padding: 0 12px; }
details[open] { padding-bottom: 8px; }
summary { cursor: pointer; padding: 8px 0; font-weight: 600; }
summary .meta { font-weight: 400; }
ol.paths > li { margin: 0.5em 0 0.8em; }
.steps { margin: 0.2em 0; }
.step { display: inline-block; margin: 1px 0; }
.arrow { color: var(--muted); margin: 0 4px; }
ul.rules { margin: 0.3em 0 0; padding-left: 1.2em; }
ul.rules li { margin: 0.15em 0; }
.because { color: #333a48; }
.source { color: var(--muted); font-size: 0.9em; }
.status-passed { color: #2f6b3a; font-weight: 600; }
.status-failed, .status-vacuous { color: #b84a4a; font-weight: 600; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  .bar { min-width: 70px; }
  .graph-scroll { width: auto; left: auto; transform: none; }
  .graph-scroll { overflow: visible; max-height: none; border: none; }
  svg.decision-graph { max-width: 100%; height: auto; }
  details { border: none; padding: 0; }
  details::details-content { content-visibility: visible; display: block; }
  summary { list-style: none; }
  h2 { break-after: avoid; }
  tr, li, .node { break-inside: avoid; }
}
"#;

fn opt(text: Option<&String>) -> String {
    text.map_or_else(String::new, |t| html(t))
}

fn id(text: &str) -> String {
    format!("<code>{}</code>", html(text))
}

fn ids(list: &[String]) -> String {
    list.iter().map(|i| id(i)).collect::<Vec<_>>().join(", ")
}

fn bar(p: f64, range: [f64; 2]) -> String {
    let pct = |x: f64| format!("{:.1}", (x * 100.0).clamp(0.0, 100.0));
    format!(
        r#"<div class="bar" role="img" aria-label="{}"><div class="band" style="left:{}%;width:{}%"></div><div class="fill" style="width:{}%"></div></div>"#,
        percent(p),
        pct(range[0]),
        pct(range[1] - range[0]),
        pct(p)
    )
}

/// Renders the HTML page.
pub(crate) fn render(model: &ReportModel) -> String {
    let s = &model.scenario;
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"generator\" content=\"casus report\">\n");
    let _ = writeln!(out, "<title>{}</title>", html(&s.title));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>\n<main>");

    // Header.
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", html(&s.title));
    if let Some(summary) = &s.summary {
        let _ = writeln!(out, "<p class=\"summary\">{}</p>", html(summary));
    }
    let mut meta = vec![format!("File {}", id(&s.file))];
    if let Some(as_of) = &s.as_of {
        meta.push(format!("as of {}", html(as_of)));
    }
    meta.push(format!("{} paths", model.forecast.paths));
    if !s.tags.is_empty() {
        let tags: Vec<String> = s.tags.iter().map(|t| html(t)).collect();
        meta.push(format!("tags: {}", tags.join(", ")));
    }
    let _ = writeln!(out, "<p class=\"meta\">{}</p>\n</header>", meta.join(" · "));

    forecast(&mut out, model);
    graph(&mut out, model);
    strategy(&mut out, model);
    paths(&mut out, model);
    sensitivity(&mut out, model);
    uncertainty(&mut out, model);
    variants(&mut out, model);
    signposts(&mut out, model);
    analysts(&mut out, model);
    information(&mut out, model);
    assumptions(&mut out, model);
    tests(&mut out, model);
    warnings(&mut out, model);
    scenario(&mut out, model);

    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn forecast(out: &mut String, model: &ReportModel) {
    let f = &model.forecast;
    out.push_str("<section id=\"forecast\">\n<h2>Forecast</h2>\n");
    out.push_str("<p class=\"legend\">Probability under the point estimates (dark bar) and the range over the likelihood bands (light band).</p>\n");
    out.push_str("<table class=\"outcomes\">\n<thead><tr><th>Outcome</th><th>Title</th><th class=\"num\">Probability</th><th></th><th>Range</th><th>In words</th></tr></thead>\n<tbody>\n");
    for o in &f.outcomes {
        let range = if o.range[0] == o.range[1] {
            "—".to_owned()
        } else {
            format!("{:.1}–{}", o.range[0] * 100.0, percent(o.range[1]))
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{range}</td><td class=\"words\">{}</td></tr>",
            id(&o.id),
            html(&o.title),
            percent(o.probability),
            bar(o.probability, o.range),
            o.words
        );
    }
    out.push_str("</tbody>\n</table>\n");
    for d in &f.uniform_decisions {
        let _ = writeln!(
            out,
            "<p class=\"warn\">{} has no likelihoods, so its options count as equally likely.</p>",
            id(d)
        );
    }
    out.push_str("</section>\n");
}

fn graph(out: &mut String, model: &ReportModel) {
    let g = &model.decision_graph;
    out.push_str("<section id=\"graph\">\n<h2>Decision graph</h2>\n");
    out.push_str("<p class=\"legend\">Left to right in the order decisions happen. Blue boxes are an actor's decision, dashed brown boxes chance events, green boxes outcomes; situations with the same future are merged, so each outcome appears once. Arrows carry the option, its likelihood there, and the rules that start (+) or stop (−) firing; thicker arrows carry more probability.</p>\n");
    if g.truncated {
        let _ = writeln!(
            out,
            "<p class=\"warn\">The graph has more than {} situations; only the first {} are drawn.</p>",
            g.max_nodes, g.max_nodes
        );
    }
    if !g.initial.is_empty() {
        let _ = writeln!(
            out,
            "<p>Rules firing before any decision: {}.</p>",
            ids(&g.initial)
        );
    }
    out.push_str("<div class=\"graph-scroll\">\n");
    out.push_str(&svg::render(g));
    out.push_str("\n</div>\n</section>\n");
}

fn strategy(out: &mut String, model: &ReportModel) {
    let st = &model.strategy;
    out.push_str("<section id=\"strategy\">\n<h2>Strategy</h2>\n");
    out.push_str("<p class=\"legend\">Each actor picks the option with the highest expected payoff for itself, given optimal play afterwards; chance events follow their likelihoods.</p>\n");
    if !st.line.is_empty() {
        out.push_str("<table>\n<thead><tr><th>#</th><th>Decision</th><th>Actor</th><th>Choice</th><th>Expected payoffs or probabilities</th></tr></thead>\n<tbody>\n");
        for (i, p) in st.line.iter().enumerate() {
            let mut choice = id(&p.choice);
            if p.chance {
                choice.push_str(" (most likely)");
            } else if p.optimal.len() > 1 {
                let _ = write!(choice, " (tie: {})", ids(&p.optimal));
            }
            let values: Vec<String> = p
                .values
                .iter()
                .map(|v| {
                    let value = if p.chance {
                        percent(v.value)
                    } else {
                        payoff(v.value)
                    };
                    format!("{} {value}", id(&v.option))
                })
                .collect();
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{choice}</td><td>{}</td></tr>",
                i + 1,
                id(&p.decision),
                id(&p.actor),
                values.join(", ")
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if let Some(o) = &st.outcome {
        let _ = writeln!(out, "<p>The line of play ends in {}.</p>", id(o));
    }
    if !st.payoffs.is_empty() {
        let payoffs: Vec<String> = st
            .payoffs
            .iter()
            .map(|v| format!("{} {}", id(&v.actor), payoff(v.value)))
            .collect();
        let _ = writeln!(out, "<p>Expected payoffs: {}.</p>", payoffs.join(", "));
    }
    if let (Some(forecast), Some(strategic)) = (&st.forecast_disagrees, &st.outcome) {
        let _ = writeln!(
            out,
            "<p class=\"disagree\"><strong>Forecast and strategy disagree:</strong> the most likely outcome is {}, but rational play leads to {}.</p>",
            id(forecast),
            id(strategic)
        );
    }
    if !st.key_assumptions.is_empty() {
        out.push_str("<h3>Key assumptions</h3>\n<p class=\"legend\">Where the likelihoods say one thing and the actor's payoffs another.</p>\n<ul>\n");
        for k in &st.key_assumptions {
            let values: Vec<String> = k
                .values
                .iter()
                .map(|v| format!("{} {}", id(&v.option), payoff(v.value)))
                .collect();
            let _ = writeln!(
                out,
                "<li>{}: judged most likely {} ({}), yet {}'s payoffs favour {} ({}).</li>",
                id(&k.decision),
                id(&k.forecast),
                percent(k.forecast_probability),
                id(&k.actor),
                ids(&k.strategic),
                values.join(", ")
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn paths(out: &mut String, model: &ReportModel) {
    out.push_str("<section id=\"paths\">\n<h2>Paths</h2>\n");
    out.push_str("<p class=\"legend\">The most likely paths to each outcome, with the rules that fire on them and why. Open an outcome to see them.</p>\n");
    if !model.paths.complete {
        let _ = writeln!(
            out,
            "<p class=\"warn\">The scenario has more than {}: the lists below come from the first {} in file order and may miss more likely ones.</p>",
            casus_core::diagnostic::plural(model.paths.walked, "path"),
            model.paths.walked
        );
    }
    for paths in &model.paths.outcomes {
        let outcome = model
            .forecast
            .outcomes
            .iter()
            .find(|o| o.id == paths.outcome);
        let (title, p) = outcome.map_or((String::new(), 0.0), |o| (o.title.clone(), o.probability));
        let _ = writeln!(
            out,
            "<details>\n<summary>{} {} <span class=\"meta\">{} · {} path{}</span></summary>",
            id(&paths.outcome),
            html(&title),
            percent(p),
            paths.count,
            if paths.count == 1 { "" } else { "s" }
        );
        if paths.top.is_empty() {
            out.push_str("<p>No path reaches this outcome.</p>\n");
        } else {
            out.push_str("<ol class=\"paths\">\n");
            for path in &paths.top {
                let steps: Vec<String> = path
                    .steps
                    .iter()
                    .map(|s| {
                        format!(
                            "<span class=\"step\">{} = {} <span class=\"meta\">({})</span></span>",
                            id(&s.decision),
                            id(&s.option),
                            percent(s.probability)
                        )
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "<li><strong>{}</strong> <span class=\"meta\">({} of this outcome)</span>\n<div class=\"steps\">{}</div>",
                    percent(path.probability),
                    percent(path.share),
                    if steps.is_empty() {
                        "no decision taken".to_owned()
                    } else {
                        steps.join("<span class=\"arrow\">→</span>")
                    }
                );
                if !path.fired.is_empty() {
                    out.push_str("<ul class=\"rules\">\n");
                    for rule in &path.fired {
                        let because = rule.because.as_ref().map_or_else(String::new, |b| {
                            format!(": <span class=\"because\">{}</span>", html(b))
                        });
                        let source = rule.source.as_ref().map_or_else(String::new, |s| {
                            format!(" <span class=\"source\">(source: {})</span>", html(s))
                        });
                        let _ = writeln!(out, "<li>{}{because}{source}</li>", id(&rule.id));
                    }
                    out.push_str("</ul>\n");
                }
                out.push_str("</li>\n");
            }
            out.push_str("</ol>\n");
        }
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

fn sensitivity(out: &mut String, model: &ReportModel) {
    out.push_str("<section id=\"sensitivity\">\n<h2>Sensitivity</h2>\n");
    let sens = &model.sensitivity;
    if let Some(error) = &sens.error {
        let _ = writeln!(out, "<p class=\"warn\">Not computed: {}.</p>", html(error));
    } else if sens.tornado.is_empty() {
        out.push_str("<p>No likelihood band moves any outcome.</p>\n");
    } else {
        out.push_str("<p class=\"legend\">Which decision's likelihood bands move which outcome most, each decision swept alone across its bands.</p>\n");
        out.push_str("<table class=\"tornado\">\n<thead><tr><th>Decision</th><th>Outcome</th><th class=\"num\">Low</th><th></th><th class=\"num\">High</th><th class=\"num\">Swing</th></tr></thead>\n<tbody>\n");
        for row in sens.tornado.iter().take(TORNADO_ROWS) {
            let pct = |x: f64| format!("{:.1}", (x * 100.0).clamp(0.0, 100.0));
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td><div class=\"bar\"><div class=\"band\" style=\"left:{}%;width:{}%\"></div></div></td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                id(&row.decision),
                id(&row.outcome),
                percent(row.low),
                pct(row.low),
                pct(row.high - row.low),
                percent(row.high),
                percent(row.swing)
            );
        }
        out.push_str("</tbody>\n</table>\n");
        let more = sens.tornado.len().saturating_sub(TORNADO_ROWS);
        if more > 0 {
            let _ = writeln!(
                out,
                "<p class=\"legend\">{more} smaller effects are in the JSON report.</p>"
            );
        }
    }
    out.push_str("</section>\n");
}

fn tests(out: &mut String, model: &ReportModel) {
    let t = &model.tests;
    out.push_str("<section id=\"tests\">\n<h2>Tests</h2>\n");
    if t.results.is_empty() {
        out.push_str("<p>The scenario has no tests.</p>\n");
    } else {
        let _ = writeln!(out, "<p>{} passed, {} failed.</p>", t.passed, t.failed);
        out.push_str("<table>\n<thead><tr><th>Test</th><th>Result</th><th>Notes</th></tr></thead>\n<tbody>\n");
        for r in &t.results {
            let mut notes: Vec<String> = r.doc.iter().map(|d| html(d)).collect();
            notes.extend(r.failures.iter().map(|f| html(f)));
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"status-{}\">{}</td><td>{}</td></tr>",
                id(&r.id),
                r.status,
                r.status,
                notes.join("<br>")
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

fn warnings(out: &mut String, model: &ReportModel) {
    out.push_str("<section id=\"warnings\">\n<h2>Warnings</h2>\n");
    if model.diagnostics.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for d in &model.diagnostics {
            let at = match (d.line, d.column) {
                (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
                _ => String::new(),
            };
            let help = d
                .help
                .as_ref()
                .map_or_else(String::new, |h| format!(" — help: {}", html(h)));
            let _ = writeln!(
                out,
                "<li>{}[{}]{at}: {}{help}</li>",
                d.severity,
                d.code,
                html(&d.message)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn scenario(out: &mut String, model: &ReportModel) {
    out.push_str("<section id=\"scenario\">\n<h2>Scenario</h2>\n");
    let s = &model.scenario;
    if !s.sources.is_empty() {
        out.push_str("<h3>Sources</h3>\n<ul>\n");
        for source in &s.sources {
            let _ = writeln!(out, "<li>{}</li>", html(source));
        }
        out.push_str("</ul>\n");
    }
    if !model.actors.is_empty() {
        out.push_str("<h3>Actors</h3>\n<table>\n<thead><tr><th>Actor</th><th>Name</th><th>Notes</th></tr></thead>\n<tbody>\n");
        for a in &model.actors {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                id(&a.id),
                html(&a.name),
                opt(a.doc.as_ref())
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !model.facts.is_empty() {
        out.push_str("<h3>Facts</h3>\n<table>\n<thead><tr><th>Fact</th><th>Kind</th><th>Value</th><th>Type</th><th>Unit</th><th>Source</th><th>Notes</th></tr></thead>\n<tbody>\n");
        for f in &model.facts {
            let value = if f.kind == "derived" {
                format!("default {}", html(&f.value))
            } else {
                html(&f.value)
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{value}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                id(&f.id),
                f.kind,
                html(&f.ty),
                opt(f.unit.as_ref()),
                opt(f.source.as_ref()),
                opt(f.doc.as_ref())
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !model.decisions.is_empty() {
        out.push_str("<h3>Decisions</h3>\n<table>\n<thead><tr><th>#</th><th>Decision</th><th>Actor</th><th>Question</th><th>Options and likelihoods</th><th>Asked when</th></tr></thead>\n<tbody>\n");
        for (i, d) in model.decisions.iter().enumerate() {
            let options: Vec<String> = d
                .options
                .iter()
                .map(|o| {
                    let written = o
                        .likelihood
                        .as_ref()
                        .map_or_else(String::new, |l| format!(" {}", html(l)));
                    format!("{}{written} ({})", id(&o.id), percent(o.probability))
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
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{notes}</td><td>{}</td></tr>",
                i + 1,
                id(&d.id),
                if d.chance {
                    "chance".to_owned()
                } else {
                    html(&d.actor_name)
                },
                opt(d.ask.as_ref()),
                d.when.as_ref().map_or_else(String::new, |w| id(w))
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

/// A position on a bar, in percent of its width.
fn at(x: f64) -> String {
    format!("{:.1}", (x * 100.0).clamp(0.0, 100.0))
}

fn not_computed(out: &mut String, error: &str) {
    let _ = writeln!(out, "<p class=\"warn\">Not computed: {}.</p>", html(error));
}

fn uncertainty(out: &mut String, model: &ReportModel) {
    let s = &model.sampling;
    out.push_str("<section id=\"uncertainty\">\n<h2>Uncertainty</h2>\n");
    if let Some(error) = &s.error {
        not_computed(out, error);
    } else {
        let max = s.outcomes.iter().map(|o| o.p95).fold(0.0, f64::max);
        let scaled = |x: f64| if max > 0.0 { at(x / max) } else { at(0.0) };
        let _ = writeln!(
            out,
            "<p class=\"legend\">Each outcome's probability when every likelihood is drawn within its band at once ({} samples, seed {}): the light band spans the 5th to the 95th percentile, the dark line is the median and the dot the point estimate, on a scale from 0 to {}.</p>",
            s.samples,
            s.seed,
            percent(max)
        );
        out.push_str("<table class=\"spread\">\n<thead><tr><th>Outcome</th><th class=\"num\">Point estimate</th><th class=\"num\">Mean</th><th class=\"num\">5th</th><th class=\"num\">Median</th><th class=\"num\">95th</th><th></th></tr></thead>\n<tbody>\n");
        for o in &s.outcomes {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td><div class=\"bar\" role=\"img\" aria-label=\"{} to {}\"><div class=\"band\" style=\"left:{}%;width:{}%\"></div><div class=\"median\" style=\"left:{}%\"></div><div class=\"point\" style=\"left:{}%\"></div></div></td></tr>",
                id(&o.outcome),
                percent(o.probability),
                percent(o.mean),
                percent(o.p5),
                percent(o.p50),
                percent(o.p95),
                percent(o.p5),
                percent(o.p95),
                scaled(o.p5),
                scaled(o.p95 - o.p5),
                scaled(o.p50),
                scaled(o.probability)
            );
        }
        out.push_str("</tbody>\n</table>\n");
        let _ = writeln!(
            out,
            "<p>The strategic line of play changed in {} of {} samples.</p>",
            s.line_changes, s.samples
        );
    }
    out.push_str("</section>\n");
}

fn variants(out: &mut String, model: &ReportModel) {
    let v = &model.variants;
    if v.error.is_none() && v.columns.is_empty() {
        return;
    }
    out.push_str("<section id=\"variants\">\n<h2>Variants</h2>\n");
    if let Some(error) = &v.error {
        not_computed(out, error);
        out.push_str("</section>\n");
        return;
    }
    out.push_str("<p class=\"legend\">The base scenario and each variant side by side; bold marks a probability that differs from the base, with the change in points.</p>\n");
    out.push_str("<table class=\"variants\">\n<thead><tr><th>Outcome</th>");
    for c in &v.columns {
        let name = c.id.as_ref().map_or_else(|| "base".to_owned(), |i| id(i));
        let _ = write!(out, "<th class=\"num\">{name}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let rows = v.columns.first().map_or(0, |c| c.outcomes.len());
    for row in 0..rows {
        let _ = write!(
            out,
            "<tr><td>{}</td>",
            id(&v.columns[0].outcomes[row].outcome)
        );
        for c in &v.columns {
            match c.outcomes.get(row) {
                Some(o) if o.differs => {
                    let _ = write!(
                        out,
                        "<td class=\"num differs\">{} <span class=\"delta\">{}</span></td>",
                        percent(o.probability),
                        points(o.delta)
                    );
                }
                Some(o) => {
                    let _ = write!(out, "<td class=\"num\">{}</td>", percent(o.probability));
                }
                None => out.push_str("<td class=\"num\">—</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("<tr><td>Line of play ends in</td>");
    for c in &v.columns {
        let end = c
            .strategic_outcome
            .as_ref()
            .map_or_else(|| "—".to_owned(), |o| id(o));
        let _ = write!(out, "<td class=\"num\">{end}</td>");
    }
    out.push_str("</tr>\n</tbody>\n</table>\n<ul>\n");
    for c in v.columns.iter().skip(1) {
        let Some(variant) = &c.id else { continue };
        let mut line = id(variant);
        if let Some(title) = &c.title {
            let _ = write!(line, ": {}", html(title));
        }
        if let Some(doc) = &c.doc {
            let _ = write!(line, " — <span class=\"because\">{}</span>", html(doc));
        }
        if let Some(source) = &c.source {
            let _ = write!(
                line,
                " <span class=\"source\">(source: {})</span>",
                html(source)
            );
        }
        if let Some(error) = &c.error {
            let _ = write!(line, " — not evaluated: {}", html(error));
        }
        let _ = writeln!(out, "<li>{line}</li>");
    }
    out.push_str("</ul>\n</section>\n");
}

fn shift(s: Option<&SignpostShift>) -> String {
    s.map_or_else(
        || "—".to_owned(),
        |s| format!("{} {}", id(&s.signpost), points(s.shift)),
    )
}

fn signposts(out: &mut String, model: &ReportModel) {
    let sp = &model.signposts;
    if sp.error.is_none() && sp.signposts.is_empty() {
        return;
    }
    out.push_str("<section id=\"signposts\">\n<h2>Signposts</h2>\n");
    if let Some(error) = &sp.error {
        not_computed(out, error);
        out.push_str("</section>\n");
        return;
    }
    out.push_str("<p class=\"legend\">What to watch for: how each outcome's probability would move if a signpost were seen (each alone, by Bayes' rule).</p>\n");
    out.push_str("<table class=\"watch\">\n<thead><tr><th>Outcome</th><th class=\"num\">Now</th><th>Raised most by</th><th>Lowered most by</th></tr></thead>\n<tbody>\n");
    for w in &sp.watch {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            id(&w.outcome),
            percent(w.probability),
            shift(w.raised_by.as_ref()),
            shift(w.lowered_by.as_ref())
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str("<table class=\"signposts\">\n<thead><tr><th>Signpost</th><th>What is seen</th><th>What it says</th><th class=\"num\">Moves</th><th>Source</th></tr></thead>\n<tbody>\n");
    for s in &sp.signposts {
        let moves = match &s.error {
            Some(error) => html(error),
            None => percent(s.distance),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{moves}</td><td>{}</td></tr>",
            id(&s.id),
            opt(s.title.as_ref()),
            html(&s.evidence),
            opt(s.source.as_ref())
        );
    }
    out.push_str("</tbody>\n</table>\n<p class=\"legend\">“Moves” is the share of probability that would move to other outcomes.</p>\n</section>\n");
}

fn analysts(out: &mut String, model: &ReportModel) {
    let a = &model.analysts;
    if a.error.is_none() && a.decisions.is_empty() {
        return;
    }
    out.push_str("<section id=\"analysts\">\n<h2>Analysts</h2>\n");
    let _ = writeln!(
        out,
        "<p class=\"legend\">Estimates are pooled by a {}.</p>",
        html(a.pooling)
    );
    if let Some(error) = &a.error {
        not_computed(out, error);
    }
    for d in &a.decisions {
        let _ = writeln!(
            out,
            "<h3>{} — the analysts disagree most on {} ({} apart)</h3>",
            id(&d.decision),
            id(&d.option),
            points(d.spread).trim_start_matches('+')
        );
        out.push_str("<table>\n<thead><tr><th>Analyst</th>");
        if let Some(first) = d.analysts.first() {
            for o in &first.estimate {
                let _ = write!(out, "<th class=\"num\">{}</th>", id(&o.option));
            }
        }
        out.push_str("<th>As of</th><th>Source</th></tr></thead>\n<tbody>\n");
        for analyst in &d.analysts {
            let _ = write!(out, "<tr><td>{}</td>", id(&analyst.analyst));
            for o in &analyst.estimate {
                let _ = write!(out, "<td class=\"num\">{}</td>", percent(o.value));
            }
            let _ = writeln!(
                out,
                "<td>{}</td><td>{}</td></tr>",
                opt(analyst.as_of.as_ref()),
                opt(analyst.source.as_ref())
            );
        }
        out.push_str("</tbody>\n</table>\n");
        let mut moves: Vec<_> = d.moves.iter().filter(|m| differs(m.value, 0.0)).collect();
        moves.sort_by(|x, y| y.value.total_cmp(&x.value));
        if moves.is_empty() {
            out.push_str("<p>The disagreement moves no outcome.</p>\n");
        } else {
            let moves: Vec<String> = moves
                .iter()
                .map(|m| {
                    format!(
                        "{} {}",
                        id(&m.outcome),
                        points(m.value).trim_start_matches('+')
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "<p>With each analyst's table alone, the forecasts lie this far apart: {}.</p>",
                moves.join(", ")
            );
        }
    }
    out.push_str("</section>\n");
}

fn information(out: &mut String, model: &ReportModel) {
    let i = &model.value_of_information;
    out.push_str("<section id=\"value-of-information\">\n<h2>Value of information</h2>\n");
    if let Some(error) = &i.error {
        not_computed(out, error);
    } else if i.events.is_empty() {
        out.push_str("<p>The scenario has no chance events.</p>\n");
    } else if model.actors.is_empty() {
        out.push_str(
            "<p>The scenario has no actors, so knowing a chance event first helps no one.</p>\n",
        );
    } else {
        out.push_str("<p class=\"legend\">What each actor would gain in expected payoff if a chance event were known before anyone chooses (negative: the knowledge helps others more).</p>\n<table>\n<thead><tr><th>Chance event</th>");
        for a in &model.actors {
            let _ = write!(out, "<th class=\"num\">{}</th>", id(&a.id));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for e in &i.events {
            let _ = write!(out, "<tr><td>{}</td>", id(&e.decision));
            match &e.evpi {
                Some(values) => {
                    for v in values {
                        let _ = write!(out, "<td class=\"num\">{}</td>", payoff(v.value));
                    }
                }
                None => {
                    let _ = write!(
                        out,
                        "<td colspan=\"{}\">not defined: the event depends on earlier decisions</td>",
                        model.actors.len()
                    );
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

fn assumptions(out: &mut String, model: &ReportModel) {
    let r = &model.assumptions;
    out.push_str("<section id=\"assumptions\">\n<h2>What the forecast hangs on</h2>\n");
    if let Some(error) = &r.error {
        not_computed(out, error);
        out.push_str("</section>\n");
        return;
    }
    let shown: Vec<_> = r
        .ranked
        .iter()
        .filter(|a| differs(a.distance, 0.0))
        .take(ASSUMPTION_ROWS)
        .collect();
    if shown.is_empty() {
        out.push_str("<p>No likelihood reversed and no rule dropped moves the forecast.</p>\n");
    } else {
        out.push_str("<p class=\"legend\">Each likelihood judgement reversed and each rule dropped, ranked by the share of probability that moves to another outcome.</p>\n<table>\n<thead><tr><th>Assumption</th><th class=\"num\">Moves</th><th></th><th>Most of all</th></tr></thead>\n<tbody>\n");
        for a in shown {
            let what = if a.kind == "rule" {
                format!("rule {}, dropped", id(&a.id))
            } else {
                format!("the likelihoods of {}, reversed", id(&a.id))
            };
            let _ = writeln!(
                out,
                "<tr><td>{what}</td><td class=\"num\">{}</td><td><div class=\"bar\"><div class=\"fill\" style=\"width:{}%\"></div></div></td><td>{} {}</td></tr>",
                percent(a.distance),
                at(a.distance),
                id(&a.outcome),
                points(a.delta)
            );
        }
        out.push_str("</tbody>\n</table>\n");
        if r.ranked.len() > ASSUMPTION_ROWS {
            let _ = writeln!(
                out,
                "<p class=\"legend\">The JSON report ranks all {} assumptions.</p>",
                r.ranked.len()
            );
        }
    }
    out.push_str("</section>\n");
}
