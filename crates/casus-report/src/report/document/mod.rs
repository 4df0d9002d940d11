//! Builds the report's [`Document`] from the [`ReportModel`]: the one place that decides what
//! a report says and in which order, so Markdown and HTML cannot drift apart.
//!
//! Grouped by what a section shows: `results` (forecast, graph, strategy, paths), `analyses`
//! (sensitivity, uncertainty, variants, signposts, analysts, value of information, the
//! ranking) and `scenario` (the model as written: actors, facts, decisions with their
//! likelihood tables, rules, outcomes with their payoffs, tests, warnings, sources). Every
//! sentence is built from the typed model; numbers go through [`crate::text`].

mod analyses;
mod results;
mod scenario;

use super::ReportModel;
use super::doc::{Block, Document, Inline, code, para, text, warn};

/// The document of a report.
pub(crate) fn build(model: &ReportModel) -> Document {
    let mut blocks = header(model);
    blocks.push(results::forecast(model));
    blocks.push(results::graph(model));
    blocks.push(results::strategy(model));
    blocks.push(results::paths(model));
    blocks.push(analyses::sensitivity(model));
    blocks.push(analyses::uncertainty(model));
    blocks.extend(analyses::variants(model));
    blocks.extend(analyses::signposts(model));
    blocks.extend(analyses::analysts(model));
    blocks.push(analyses::information(model));
    blocks.push(analyses::assumptions(model));
    blocks.push(scenario::model(model));
    blocks.push(scenario::tests(model));
    blocks.push(scenario::warnings(model));
    Document {
        title: model.scenario.title.clone(),
        blocks,
    }
}

/// The summary and one line of facts about the file.
fn header(model: &ReportModel) -> Vec<Block> {
    let s = &model.scenario;
    let mut blocks = Vec::new();
    if let Some(summary) = &s.summary {
        blocks.push(para(summary.clone()));
    }
    let mut meta: Vec<Inline> = vec![text("File "), code(s.file.clone())];
    if let Some(as_of) = &s.as_of {
        meta.push(text(format!(" · as of {as_of}")));
    }
    meta.push(text(format!(
        " · {}",
        crate::text::count(model.forecast.paths, "path", "paths")
    )));
    if !s.tags.is_empty() {
        meta.push(text(format!(" · tags: {}", s.tags.join(", "))));
    }
    blocks.push(Block::Legend(meta));
    blocks
}

/// A note that an analysis did not run, and why.
fn not_computed(error: &str) -> Block {
    warn(format!("Not computed: {error}."))
}

/// Optional text as a cell.
fn cell(text_of: Option<&String>) -> Vec<Inline> {
    text_of.map_or_else(Vec::new, |t| vec![text(t.clone())])
}
