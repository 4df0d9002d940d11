//! `casus report`: the documents an analyst hands to a colleague, in Markdown, JSON, DOT,
//! Mermaid and self-contained HTML.
//!
//! [`model::build`] gathers everything from the rules' outputs into a [`ReportModel`];
//! [`render`] turns it into one format. Every format is deterministic to the byte (no
//! timestamps, no hash-order iteration, numbers through [`crate::text`]) because committed
//! reports are snapshots that CI compares, and every piece of scenario text is escaped for the
//! format it lands in (see the `escape` module).

mod dot;
mod escape;
mod html;
mod json;
mod labels;
mod layout;
mod markdown;
mod mermaid;
pub mod model;
mod svg;

pub use model::{Inputs, ReportModel, build};

/// The formats of `casus report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Markdown with a Mermaid diagram, as GitHub renders it.
    Markdown,
    /// JSON, schema `casus.report/1`.
    Json,
    /// Graphviz DOT of one graph.
    Dot,
    /// Mermaid flowchart of one graph.
    Mermaid,
    /// One self-contained HTML page with the graph as inline SVG.
    Html,
}

impl Format {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [Format; 5] = [
        Format::Markdown,
        Format::Json,
        Format::Dot,
        Format::Mermaid,
        Format::Html,
    ];

    /// The file extension of a report in this format (also its name on the command line,
    /// except `md`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Json => "json",
            Format::Dot => "dot",
            Format::Mermaid => "mmd",
            Format::Html => "html",
        }
    }
}

/// Which graph the DOT and Mermaid formats draw; the other formats ignore it (Markdown and
/// HTML draw the decision graph, JSON holds both).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Graph {
    /// Decisions, chance events and outcomes, equal states merged.
    #[default]
    Decisions,
    /// The rule dependency graph: fact → rule → fact.
    Rules,
}

/// Renders a report. The text always ends with a newline.
pub fn render(model: &ReportModel, format: Format, graph: Graph) -> String {
    match (format, graph) {
        (Format::Markdown, _) => markdown::render(model),
        (Format::Json, _) => json::render(model),
        (Format::Dot, Graph::Decisions) => dot::decisions(model),
        (Format::Dot, Graph::Rules) => dot::rules(model),
        (Format::Mermaid, Graph::Decisions) => mermaid::decisions(&model.decision_graph),
        (Format::Mermaid, Graph::Rules) => mermaid::rules(&model.rule_graph),
        (Format::Html, _) => html::render(model),
    }
}
