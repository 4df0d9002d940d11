//! Hover: what a name or a likelihood word under the cursor stands for.

use casus_core::Span;
use casus_core::likelihood::{EstimativeWord, Vocabulary, word_for};
use casus_core::model::{FactKind, Scenario, format_number};

use crate::analysis::Snapshot;
use crate::symbols::Target;
use crate::text::slice;

/// The Markdown shown for byte `offset`, and the span it describes.
pub(crate) fn hover(
    quick: &Snapshot,
    full: Option<&Snapshot>,
    text: &str,
    offset: usize,
) -> Option<(String, Span)> {
    if let Some((span, word)) = quick.index.word_at(offset) {
        return Some((band(word), span));
    }
    let scenario = quick.session.scenario()?;
    let occurrence = quick.index.at(offset)?;
    let forecast = full.and_then(Snapshot::forecast);
    let markdown = describe(scenario, occurrence.target, text, forecast.as_deref())?;
    Some((markdown, occurrence.span))
}

/// A likelihood word and its band.
fn band(word: &EstimativeWord) -> String {
    let row = match word.vocabulary {
        Vocabulary::Likelihood => "likelihood",
        Vocabulary::Probability => "probability",
    };
    format!(
        "**{}**: {}–{} % (ICD 203, {row} row)",
        word.word,
        percent(word.lo),
        percent(word.hi)
    )
}

fn percent(p: f64) -> String {
    format_number((p * 1000.0).round() / 10.0)
}

/// The hover text of `target`.
fn describe(s: &Scenario, target: Target, text: &str, forecast: Option<&[f64]>) -> Option<String> {
    let mut lines = Vec::new();
    let mut doc = None;
    match target {
        Target::Actor(i) => {
            let a = s.actors.get(i)?;
            lines.push(format!("**actor** `{}`: {}", a.id.name, a.name));
            doc = a.doc.as_deref();
        }
        Target::Fact(i) => {
            let f = s.facts.get(i)?;
            doc = f.doc.as_deref();
            match &f.kind {
                FactKind::Input {
                    value,
                    ty,
                    unit,
                    source,
                } => {
                    let unit = unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
                    lines.push(format!(
                        "**input fact** `{}` = `{}`{unit}",
                        f.id.name,
                        value.value.display()
                    ));
                    lines.push(format!("type: {}", ty.describe()));
                    if let Some(source) = source {
                        lines.push(format!("source: {source}"));
                    }
                }
                FactKind::Derived { ty, default } => {
                    lines.push(format!("**derived fact** `{}`", f.id.name));
                    lines.push(format!(
                        "type: {}; default `{}`",
                        ty.describe(),
                        default.value.display()
                    ));
                }
            }
        }
        Target::Decision(i) => {
            let d = s.decisions.get(i)?;
            doc = d.doc.as_deref();
            let who = if d.is_chance() {
                "chance event".to_owned()
            } else {
                format!("decision of `{}`", d.actor.name)
            };
            lines.push(format!("**{who}** `{}`", d.id.name));
            if let Some(ask) = &d.ask {
                lines.push(ask.clone());
            }
            lines.push(format!(
                "options: {}",
                casus_core::model::list(&d.option_names())
            ));
            if let Some(when) = &d.when {
                lines.push(format!("when: `{}`", slice(text, when.span)));
            }
        }
        Target::Option(d, o) => {
            let decision = s.decisions.get(d)?;
            let option = decision.options.get(o)?;
            lines.push(format!(
                "**option** `{}` of `{}`",
                option.name, decision.id.name
            ));
            if let Some(l) = decision
                .likelihood
                .as_ref()
                .and_then(|t| t.get(&option.name))
            {
                let written = slice(text, l.span);
                lines.push(format!(
                    "likelihood: {written} (band {}–{} %)",
                    percent(l.lo),
                    percent(l.hi)
                ));
            }
            doc = decision.doc.as_deref();
        }
        Target::Rule(i) => {
            let r = s.rules.get(i)?;
            lines.push(format!("**rule** `{}`", r.id.name));
            lines.push(format!("when: `{}`", slice(text, r.when.span)));
            match &r.because {
                Some(because) => lines.push(format!("because: {because}")),
                None => lines.push("no `because` given".to_owned()),
            }
            if let Some(source) = &r.source {
                lines.push(format!("source: {source}"));
            }
        }
        Target::Outcome(i) => {
            let o = s.outcomes.get(i)?;
            doc = o.doc.as_deref();
            lines.push(format!("**outcome** `{}`: {}", o.id.name, o.title));
            match &o.when {
                Some(when) => lines.push(format!("when: `{}`", slice(text, when.span))),
                None => lines.push("when: no other outcome holds (the fallback)".to_owned()),
            }
            if !o.payoff.is_empty() {
                let payoffs: Vec<String> = o
                    .payoff
                    .iter()
                    .map(|(a, p)| format!("`{}` {}", a.name, format_number(p.value)))
                    .collect();
                lines.push(format!("payoffs: {}", payoffs.join(", ")));
            }
            lines.push(match forecast.and_then(|f| f.get(i)) {
                Some(p) => format!("forecast: {} % ({})", percent(*p), word_for(*p).word),
                None => {
                    "forecast: not known yet (the file has errors or is being evaluated)".to_owned()
                }
            });
        }
        Target::Test(i) => {
            let t = s.tests.get(i)?;
            lines.push(format!("**test** `{}`", t.id.name));
            doc = t.doc.as_deref();
        }
        Target::Variant(i) => {
            let v = s.variants.get(i)?;
            let title = v.title.as_deref().unwrap_or("");
            lines.push(format!("**variant** `{}`: {title}", v.id.name));
            doc = v.doc.as_deref();
            if let Some(source) = &v.source {
                lines.push(format!("source: {source}"));
            }
        }
        Target::Signpost(i) => {
            let p = s.signposts.get(i)?;
            let title = p.title.as_deref().unwrap_or("");
            lines.push(format!("**signpost** `{}`: {title}", p.id.name));
            doc = p.doc.as_deref();
            if let Some(source) = &p.source {
                lines.push(format!("source: {source}"));
            }
        }
    }
    if let Some(doc) = doc {
        lines.push(String::new());
        lines.push(doc.to_owned());
    }
    Some(lines.join("\n\n"))
}
