//! Positions in a document: byte offsets (what casus spans are) against the protocol's line
//! and UTF-16 column pairs, and edits applied to an open buffer.
//!
//! The protocol counts columns in UTF-16 code units by default, and every client this server
//! is documented for uses that default; casus counts bytes. All conversions clamp, so a
//! position past the end of a line or of the file (a stale client, a hostile one) maps to the
//! nearest valid offset instead of panicking.

use casus_core::Span;
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// Where each line of a text starts, for converting in both directions without rescanning.
#[derive(Clone, Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub(crate) fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { starts }
    }

    /// The byte range of line `line` without its `\n`, if the line exists.
    fn line(&self, text: &str, line: usize) -> Option<(usize, usize)> {
        let start = *self.starts.get(line)?;
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |next| next.saturating_sub(1));
        Some((start, end.max(start)))
    }

    /// The protocol position of byte `offset`.
    pub(crate) fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char(text, offset);
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column: usize = text
            .get(start..offset)
            .map_or(0, |prefix| prefix.chars().map(char::len_utf16).sum());
        Position::new(to_u32(line), to_u32(column))
    }

    /// The byte offset of a protocol position, clamped to the line and the text.
    pub(crate) fn offset(&self, text: &str, position: Position) -> usize {
        let Some((start, end)) = self.line(text, position.line as usize) else {
            return text.len();
        };
        let wanted = position.character as usize;
        let mut units = 0;
        let mut offset = start;
        for c in text.get(start..end).unwrap_or("").chars() {
            if units >= wanted {
                break;
            }
            units += c.len_utf16();
            offset += c.len_utf8();
        }
        offset
    }

    /// The protocol range of a span.
    pub(crate) fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end),
        )
    }

    /// The span of a protocol range.
    pub(crate) fn span(&self, text: &str, range: Range) -> Span {
        Span::new(self.offset(text, range.start), self.offset(text, range.end))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `offset` moved down to a character boundary within `text`.
pub(crate) fn floor_char(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Applies one change from `textDocument/didChange` to `text`: a range replaced, or (without a
/// range) the whole text.
pub(crate) fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let index = LineIndex::new(text);
            let span = index.span(text, range);
            text.replace_range(span.start..span.end, &change.text);
        }
    }
}

/// The text of `span`, or `""` when it does not lie on character boundaries within `text`.
pub(crate) fn slice(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_utf16_units() {
        let text = "a = \"é😀x\"\nb";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        // `a = "` is 5 units, é one, the emoji two.
        assert_eq!(index.position(text, x), Position::new(0, 8));
        assert_eq!(index.offset(text, Position::new(0, 8)), x);
        assert_eq!(index.offset(text, Position::new(1, 0)), text.len() - 1);
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, Position::new(0, 99)), 2);
        assert_eq!(index.offset(text, Position::new(7, 0)), text.len());
        assert_eq!(index.position(text, 999), Position::new(1, 2));
    }

    #[test]
    fn changes_replace_their_range() {
        let mut text = "title = \"a\"\nx = 1\n".to_owned();
        apply_change(
            &mut text,
            TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(1, 4), Position::new(1, 5))),
                range_length: None,
                text: "22".to_owned(),
            },
        );
        assert_eq!(text, "title = \"a\"\nx = 22\n");
    }
}
