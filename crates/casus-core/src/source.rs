//! Scenario source text and the mapping from byte offsets to lines and columns.

/// The text of one scenario file with its display name.
///
/// Only the CLI reads files; everything below it works on this value, so analysis can run on
/// text that never touched the disk (tests, `diff --rev`, editors).
#[derive(Clone, Debug)]
pub struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

/// A 1-based line and column; the column counts characters, as editors do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl SourceFile {
    /// Wraps text under a display name (usually the path as the user gave it).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// Decodes file bytes. Text that is not UTF-8 is still returned (invalid bytes replaced)
    /// together with an `E0002` diagnostic at the first bad byte, so the analyst sees where.
    /// A UTF-8 byte-order mark is dropped: editors on Windows add it and TOML does not want it.
    pub fn from_bytes(name: impl Into<String>, bytes: &[u8]) -> (Self, Option<crate::Diagnostic>) {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(text) => (Self::new(name, text), None),
            Err(error) => {
                let at = error.valid_up_to();
                let file = Self::new(name, String::from_utf8_lossy(bytes).into_owned());
                let span = crate::Span::new(at, at + '\u{FFFD}'.len_utf8()).clamp_to(file.text());
                let diagnostic =
                    crate::Diagnostic::new(crate::Code::NotUtf8, "the file is not UTF-8 text")
                        .primary(span, format!("byte {at} is not valid UTF-8"))
                        .help("save the file as UTF-8 in your editor");
                (file, Some(diagnostic))
            }
        }
    }

    /// The display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The byte range of the line that holds `offset` (offsets past the end: the last line),
    /// without its `\n`; found in the line index, so renderers never scan the text for it.
    pub fn line_bounds(&self, offset: usize) -> std::ops::Range<usize> {
        let offset = offset.min(self.text.len());
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        start..end
    }

    /// The line and column of a byte offset; offsets past the end map to the end.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |prefix| prefix.chars().count())
            + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let file = SourceFile::new("a.toml", "x = 1\ntitle = \"Ré\" # é\n");
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(6), LineCol { line: 2, column: 1 });
        let hash = file.text().find('#').unwrap();
        assert_eq!(
            file.line_col(hash),
            LineCol {
                line: 2,
                column: 14
            }
        );
        assert_eq!(file.line_col(10_000), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn line_bounds_come_from_the_index() {
        let file = SourceFile::new("a.toml", "ab\ncd\n\nef");
        assert_eq!(file.line_bounds(0), 0..2);
        assert_eq!(file.line_bounds(2), 0..2);
        assert_eq!(file.line_bounds(4), 3..5);
        assert_eq!(file.line_bounds(6), 6..6);
        assert_eq!(file.line_bounds(8), 7..9);
        assert_eq!(file.line_bounds(100), 7..9);
        assert_eq!(SourceFile::new("e", "").line_bounds(0), 0..0);
    }
}
