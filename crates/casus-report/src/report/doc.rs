//! The report as a document: a small tree of blocks (sections, paragraphs, tables, lists,
//! figures, notes) and inline runs (text, ids, links, emphasis), built once from the
//! [`ReportModel`](super::ReportModel) by [`super::document`] and printed by the Markdown and
//! HTML back ends.
//!
//! The tree holds plain, unescaped text: each back end escapes it for its own target (see
//! `super::escape`), so no piece of scenario text reaches a page without passing one escaping
//! function. The only markup the tree carries is the SVG of [`Block::Figure`], which
//! `super::charts` and `super::svg` build from numbers and escaped text.

/// A whole document: a title and its blocks.
#[derive(Clone, Debug, Default)]
pub(crate) struct Document {
    /// The page title (the HTML `<title>` and the first heading).
    pub(crate) title: String,
    /// The blocks, in reading order.
    pub(crate) blocks: Vec<Block>,
}

/// What an anchor names: every item of the model has one, so that the graph, the paths and
/// the tables can link to each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An actor.
    Actor,
    /// A fact.
    Fact,
    /// A decision.
    Decision,
    /// A rule.
    Rule,
    /// An outcome.
    Outcome,
    /// A test.
    Test,
    /// A signpost.
    Signpost,
}

impl Kind {
    /// The prefix of the anchor: `rule-` and so on. The kinds share no prefix, so an id used
    /// by a fact and a rule still has two anchors.
    fn prefix(self) -> &'static str {
        match self {
            Kind::Actor => "actor",
            Kind::Fact => "fact",
            Kind::Decision => "decision",
            Kind::Rule => "rule",
            Kind::Outcome => "outcome",
            Kind::Test => "test",
            Kind::Signpost => "signpost",
        }
    }
}

/// The anchor of an item: `rule-us_aid`. Ids are `[a-z][a-z0-9_]*`, so the anchor is safe in
/// a URL fragment and an attribute; back ends escape it all the same.
pub(crate) fn anchor(kind: Kind, id: &str) -> String {
    format!("{}-{id}", kind.prefix())
}

/// A run of inline content.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Inline {
    /// Plain text.
    Text(String),
    /// An id or a piece of source (a guard as written), in a monospace font.
    Code(String),
    /// An id that links to its item's anchor.
    Ref(Kind, String),
    /// Strong emphasis.
    Strong(Vec<Inline>),
    /// Secondary text (a source, a share in brackets).
    Muted(Vec<Inline>),
    /// The analyst's reason (`because`), set apart from the rest.
    Quote(String),
    /// A line break inside a table cell or a list item.
    Break,
}

/// Plain text.
pub(crate) fn text(t: impl Into<String>) -> Inline {
    Inline::Text(t.into())
}

/// An id in a monospace font.
pub(crate) fn code(t: impl Into<String>) -> Inline {
    Inline::Code(t.into())
}

/// An id that links to its item.
pub(crate) fn item(kind: Kind, id: impl Into<String>) -> Inline {
    Inline::Ref(kind, id.into())
}

/// Inline runs joined by `sep`.
pub(crate) fn joined(parts: Vec<Vec<Inline>>, sep: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push(text(sep));
        }
        out.extend(part);
    }
    out
}

/// How a note stands out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Something the reader must know to read the numbers right (a limit, a missing
    /// analysis).
    Warn,
    /// Forecast and strategy disagree.
    Disagree,
}

/// A column of a table.
#[derive(Clone, Debug)]
pub(crate) struct Column {
    /// The header.
    pub(crate) head: Vec<Inline>,
    /// Whether the column holds numbers (aligned right).
    pub(crate) numeric: bool,
}

/// A column of text.
pub(crate) fn col(head: impl Into<String>) -> Column {
    Column {
        head: vec![text(head)],
        numeric: false,
    }
}

/// A column of numbers.
pub(crate) fn num(head: impl Into<String>) -> Column {
    Column {
        head: vec![text(head)],
        numeric: true,
    }
}

/// A row of a table.
#[derive(Clone, Debug, Default)]
pub(crate) struct Row {
    /// The anchor of the item the row describes.
    pub(crate) anchor: Option<String>,
    /// One cell per column.
    pub(crate) cells: Vec<Vec<Inline>>,
}

impl Row {
    /// A row without an anchor.
    pub(crate) fn new(cells: Vec<Vec<Inline>>) -> Row {
        Row {
            anchor: None,
            cells,
        }
    }

    /// A row that is the home of an item.
    pub(crate) fn of(kind: Kind, id: &str, cells: Vec<Vec<Inline>>) -> Row {
        Row {
            anchor: Some(anchor(kind, id)),
            cells,
        }
    }
}

/// A table.
#[derive(Clone, Debug)]
pub(crate) struct Table {
    /// A class for the style sheet and for tests (`outcomes`, `rules`, …).
    pub(crate) class: &'static str,
    /// The columns.
    pub(crate) columns: Vec<Column>,
    /// The rows.
    pub(crate) rows: Vec<Row>,
}

/// An item of a list.
#[derive(Clone, Debug, Default)]
pub(crate) struct ListItem {
    /// Its text.
    pub(crate) content: Vec<Inline>,
    /// A nested list under it.
    pub(crate) children: Vec<ListItem>,
}

impl ListItem {
    /// An item without children.
    pub(crate) fn new(content: Vec<Inline>) -> ListItem {
        ListItem {
            content,
            children: Vec::new(),
        }
    }
}

/// A block.
#[derive(Clone, Debug)]
pub(crate) enum Block {
    /// A section with a heading; `level` 2 is a top-level section.
    Section {
        /// The anchor of the heading.
        id: String,
        /// 2 or 3.
        level: u8,
        /// The heading.
        title: Vec<Inline>,
        /// Its content.
        blocks: Vec<Block>,
    },
    /// A paragraph.
    Para(Vec<Inline>),
    /// A paragraph that says how to read what follows.
    Legend(Vec<Inline>),
    /// A paragraph that stands out.
    Note(Tone, Vec<Inline>),
    /// A table.
    Table(Table),
    /// A list.
    List {
        /// Numbered or bulleted.
        ordered: bool,
        /// Its items.
        items: Vec<ListItem>,
    },
    /// Content the reader opens when they want it (`<details>`).
    Details {
        /// A class for the style sheet (`all-branches` is left out of print).
        class: &'static str,
        /// The line shown when it is closed.
        summary: Vec<Inline>,
        /// What opens.
        blocks: Vec<Block>,
    },
    /// A chart or a drawing: inline SVG in HTML; in Markdown, which GitHub shows without
    /// inline SVG, the `markdown` blocks instead (a Mermaid diagram, or nothing when a table
    /// beside the figure already gives its numbers).
    Figure {
        /// A class for the style sheet and tests.
        class: &'static str,
        /// The SVG element, built from numbers and escaped text.
        svg: String,
        /// What the figure shows, in words.
        caption: Vec<Inline>,
        /// What Markdown shows instead.
        markdown: Vec<Block>,
    },
    /// Source text in a fenced block (`mermaid`, `dot`).
    Code {
        /// The language of the fence.
        lang: &'static str,
        /// The text; the back end makes sure it cannot close the fence.
        text: String,
    },
}

/// A section.
pub(crate) fn section(id: &str, level: u8, title: &str, blocks: Vec<Block>) -> Block {
    Block::Section {
        id: id.to_owned(),
        level,
        title: vec![text(title)],
        blocks,
    }
}

/// A paragraph of plain text.
pub(crate) fn para(t: impl Into<String>) -> Block {
    Block::Para(vec![text(t)])
}

/// A legend of plain text.
pub(crate) fn legend(t: impl Into<String>) -> Block {
    Block::Legend(vec![text(t)])
}

/// A warning note of plain text.
pub(crate) fn warn(t: impl Into<String>) -> Block {
    Block::Note(Tone::Warn, vec![text(t)])
}
