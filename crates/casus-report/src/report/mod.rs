//! `casus report`: the documents an analyst hands to a colleague, in Markdown, JSON, DOT,
//! Mermaid and self-contained HTML.
//!
//! [`model::build`] gathers everything from the rules' outputs into a [`ReportModel`];
//! [`render`] turns it into one format. Markdown and HTML are two printers of one
//! `doc::Document` that `document` builds from the model, so they say the same things in
//! the same order; JSON, DOT and Mermaid serialise the model and its graphs directly. Every format is deterministic to the byte (no
//! timestamps, no hash-order iteration, numbers through [`crate::text`]) because committed
//! reports are snapshots that CI compares, and every piece of scenario text is escaped for the
//! format it lands in (see the `escape` module).

mod charts;
mod doc;
mod document;
mod dot;
pub(crate) mod escape;
mod fit;
mod html;
mod json;
mod labels;
mod layout;
mod markdown;
mod mermaid;
pub mod model;
mod svg;

pub use model::{Analyses, Inputs, ReportModel, build};

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
        (Format::Markdown, _) => markdown::render(&document::build(model)),
        (Format::Json, _) => json::render(model),
        (Format::Dot, Graph::Decisions) => dot::decisions(model),
        (Format::Dot, Graph::Rules) => dot::rules(model),
        (Format::Mermaid, Graph::Decisions) => mermaid::decisions(&model.decision_graph),
        (Format::Mermaid, Graph::Rules) => mermaid::rules(&model.rule_graph),
        (Format::Html, _) => html::render(&document::build(model)),
    }
}

/// Builds the report model of the scenario a session holds, as written: the one entry point
/// the CLI and the tests share, so both produce the same bytes. Every analysis runs through
/// the session under `budget`.
///
/// Fails with every diagnostic when the scenario has errors (or a limit stops its
/// evaluation); warnings and notes go into the report.
pub fn prepare(
    session: &casus_rules::session::Session,
    budget: &casus_rules::session::Budget,
) -> Result<ReportModel, Vec<casus_core::Diagnostic>> {
    let (Some(scenario), Some(program), Some(evaluation), false) = (
        session.scenario(),
        session.program(),
        session.evaluation(),
        session.has_errors(),
    ) else {
        return Err(session.diagnostics().to_vec());
    };
    let limits = session.eval_limits(budget);
    let (sensitivity, analyses) = Analyses::run(session, budget)?;
    let tests = session.tests(budget).map_err(model::session_error)?;
    let given = casus_rules::Given::none(program.decisions.len());
    let graph = session.install(|| {
        casus_rules::graphs::drawing::build(
            program,
            &given,
            casus_rules::graphs::drawing::DEFAULT_MAX_NODES,
        )
    });
    let source = session.source();
    // The name without folders, so a report does not depend on where it was made.
    let name = source.name();
    let file_name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    Ok(session.install(|| {
        build(&Inputs {
            source,
            file_name,
            scenario,
            program,
            evaluation,
            sensitivity: &sensitivity,
            tests: &tests,
            diagnostics: session.diagnostics(),
            graph: &graph,
            max_paths: limits.max_paths,
            analyses: &analyses,
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use casus_core::SourceFile;
    use casus_core::limits::Limits;
    use casus_rules::EvalLimits;

    const DESIGN: &str = include_str!("../../../../tests/fixtures/valid/design-example.toml");

    /// The report of the design example (`tests/fixtures/valid/design-example.toml`) with a tiny graph limit and path limit, to see
    /// both limits reported rather than silently applied.
    fn limited() -> ReportModel {
        let source = SourceFile::new("design-example.toml", DESIGN);
        let checked =
            casus_rules::check_source(&source, &Limits::default(), &EvalLimits::default());
        let (scenario, program, evaluation) = (
            checked.scenario.as_ref().unwrap(),
            checked.program.as_ref().unwrap(),
            checked.evaluation.as_ref().unwrap(),
        );
        let given = casus_rules::Given::none(program.decisions.len());
        let graph = casus_rules::graphs::drawing::build(program, &given, 3);
        let sensitivity = Err(Vec::new());
        let analyses = Analyses::skipped(&casus_core::Diagnostic::new(
            casus_core::Code::LimitExceeded,
            "skipped in this test",
        ));
        build(&Inputs {
            source: &source,
            file_name: "design-example.toml",
            scenario,
            program,
            evaluation,
            sensitivity: &sensitivity,
            tests: &[],
            diagnostics: &[],
            graph: &graph,
            max_paths: 5,
            analyses: &analyses,
        })
    }

    #[test]
    fn limits_are_reported_in_every_format() {
        let model = limited();
        assert!(model.decision_graph.truncated);
        assert!(!model.paths.complete);
        assert_eq!(model.paths.walked, 5);
        let md = render(&model, Format::Markdown, Graph::Decisions);
        assert!(md.contains("only the first 3 are drawn"), "{md}");
        assert!(md.contains("the lists below come from the first 5"), "{md}");
        assert!(
            md.contains("Not computed: sensitivity analysis failed."),
            "{md}"
        );
        let html = render(&model, Format::Html, Graph::Decisions);
        assert!(html.contains("only the first 3 are drawn"));
        assert!(html.contains("<g class=\"node truncated\""), "{html}");
        let mermaid = render(&model, Format::Mermaid, Graph::Decisions);
        assert!(
            mermaid.contains("[/\"not drawn<br/>more than 3 situations"),
            "{mermaid}"
        );
        let dot = render(&model, Format::Dot, Graph::Decisions);
        assert!(
            dot.contains("label=\"not drawn\\nmore than 3 situations"),
            "{dot}"
        );
        let json = render(&model, Format::Json, Graph::Decisions);
        assert!(json.contains("\"truncated\": true"));
    }
}
