//! Mapping positions in a decoded TOML string back to byte offsets in the file.
//!
//! Expressions are parsed from the decoded value of a TOML string, but diagnostics must
//! underline what the analyst typed. Between the two stand quotes, escapes (`\"`, `\u00e9`),
//! the trimmed first newline of a multi-line string and line-ending backslashes; [`StrMap`]
//! undoes all of them.

use crate::span::Span;

/// Where positions of a decoded string came from in the file.
///
/// Built once per string value (linear in its length) and queried once per token, so the
/// expression parser can work on plain decoded text and still report file spans.
#[derive(Clone, Debug)]
pub struct StrMap {
    /// Contiguous runs of decoded bytes, in order, covering `0..len` with no gaps.
    segments: Vec<Segment>,
    /// Length of the decoded string in bytes.
    len: usize,
    /// File offset of the (empty) position just past the last decoded byte.
    end: usize,
    /// When the raw text could not be decoded to the given value, every position maps here.
    fallback: Option<Span>,
}

/// A run of decoded bytes and the file bytes it came from.
#[derive(Clone, Copy, Debug)]
struct Segment {
    /// First decoded byte.
    dec: usize,
    /// Number of decoded bytes (never 0).
    dec_len: usize,
    /// First file byte.
    file: usize,
    /// Number of file bytes.
    file_len: usize,
    /// Byte-for-byte copy of the file (otherwise one character produced by one escape).
    verbatim: bool,
}

impl StrMap {
    /// Maps a TOML string value, quotes included in `value_span` as the toml crate reports it.
    ///
    /// Falls back to mapping every position to `value_span` if the raw text does not decode to
    /// `decoded` (a recovered parse error, a span from elsewhere): a coarse span beats a wrong
    /// one, and nothing here may panic on hostile input.
    pub fn new(source: &str, value_span: Span, decoded: &str) -> StrMap {
        match decode(source, value_span) {
            Some((text, map)) if text == decoded => map,
            _ => StrMap {
                segments: Vec::new(),
                len: decoded.len(),
                end: value_span.end,
                fallback: Some(value_span),
            },
        }
    }

    /// Maps text that never was inside TOML (tests, `--given` values on the command line), so
    /// callers can use one parser entry point for both.
    pub fn identity(decoded: &str, base: usize) -> StrMap {
        let mut builder = Builder::new(base);
        builder.verbatim(base, decoded.len());
        builder.finish()
    }

    /// The file span of the decoded byte range `start..end`.
    ///
    /// A character produced by an escape maps to the whole escape, so a token such as
    /// `\"refuse\"` is underlined quotes and backslashes included. An empty range gives an empty
    /// span at that position, which is where "expected an expression" points. Out-of-range
    /// positions are clamped to the end of the string.
    pub fn span(&self, start: usize, end: usize) -> Span {
        if let Some(span) = self.fallback {
            return span;
        }
        let (start, end) = (start.min(self.len), end.min(self.len));
        let (start, end) = if start <= end {
            (start, end)
        } else {
            (end, start)
        };
        if start == end {
            let at = self.start_of(start);
            return Span::new(at, at);
        }
        Span::new(self.start_of(start), self.end_of(end))
    }

    /// The segment holding decoded byte `index`, if `index < len`.
    fn segment(&self, index: usize) -> Option<&Segment> {
        let at = self
            .segments
            .partition_point(|s| s.dec + s.dec_len <= index);
        self.segments.get(at)
    }

    /// File offset where decoded byte `index` starts (or the end position for `len`).
    fn start_of(&self, index: usize) -> usize {
        match self.segment(index) {
            Some(s) if s.verbatim => s.file + (index - s.dec),
            Some(s) => s.file,
            None => self.end,
        }
    }

    /// File offset just past the source of decoded byte `index - 1`.
    fn end_of(&self, index: usize) -> usize {
        let Some(last) = index.checked_sub(1) else {
            return self.start_of(0);
        };
        match self.segment(last) {
            Some(s) if s.verbatim => s.file + (index - s.dec),
            Some(s) => s.file + s.file_len,
            None => self.end,
        }
    }
}

/// Accumulates segments, merging adjacent verbatim runs so plain strings stay one segment.
struct Builder {
    segments: Vec<Segment>,
    len: usize,
    /// Where the content starts in the file, for the end position of an empty string.
    content_start: usize,
}

impl Builder {
    fn new(content_start: usize) -> Self {
        Self {
            segments: Vec::new(),
            len: 0,
            content_start,
        }
    }

    /// `len` bytes copied unchanged from file offset `file`.
    fn verbatim(&mut self, file: usize, len: usize) {
        if len == 0 {
            return;
        }
        if let Some(last) = self.segments.last_mut()
            && last.verbatim
            && last.file + last.file_len == file
        {
            last.dec_len += len;
            last.file_len += len;
        } else {
            self.segments.push(Segment {
                dec: self.len,
                dec_len: len,
                file,
                file_len: len,
                verbatim: true,
            });
        }
        self.len += len;
    }

    /// One character of `dec_len` bytes produced by the escape at `file..file + file_len`.
    fn escape(&mut self, file: usize, file_len: usize, dec_len: usize) {
        self.segments.push(Segment {
            dec: self.len,
            dec_len,
            file,
            file_len,
            verbatim: false,
        });
        self.len += dec_len;
    }

    fn finish(self) -> StrMap {
        let end = self
            .segments
            .last()
            .map_or(self.content_start, |s| s.file + s.file_len);
        StrMap {
            segments: self.segments,
            len: self.len,
            end,
            fallback: None,
        }
    }
}

/// Decodes the raw string at `span`, returning the text and its map, or `None` if the raw text
/// is not a well-formed TOML string.
fn decode(source: &str, span: Span) -> Option<(String, StrMap)> {
    let raw = source.get(span.start..span.end)?;
    let (open, basic, multiline) = if raw.len() >= 6 && raw.starts_with("\"\"\"") {
        ("\"\"\"", true, true)
    } else if raw.len() >= 6 && raw.starts_with("'''") {
        ("'''", false, true)
    } else if raw.len() >= 2 && raw.starts_with('"') {
        ("\"", true, false)
    } else if raw.len() >= 2 && raw.starts_with('\'') {
        ("'", false, false)
    } else {
        return None;
    };
    if !raw.ends_with(open) {
        return None;
    }
    let mut content = raw.get(open.len()..raw.len() - open.len())?;
    let mut base = span.start + open.len();
    if multiline {
        // TOML trims a newline that immediately follows the opening delimiter.
        let trim = if content.starts_with('\n') {
            1
        } else if content.starts_with("\r\n") {
            2
        } else {
            0
        };
        content = content.get(trim..)?;
        base += trim;
    }
    let mut builder = Builder::new(base);
    let mut text = String::with_capacity(content.len());
    if !basic {
        builder.verbatim(base, content.len());
        text.push_str(content);
        return Some((text, builder.finish()));
    }

    let bytes = content.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Copy everything up to the next backslash in one go.
        let next = bytes
            .get(i..)?
            .iter()
            .position(|&b| b == b'\\')
            .map_or(bytes.len(), |p| i + p);
        if next > i {
            text.push_str(content.get(i..next)?);
            builder.verbatim(base + i, next - i);
            i = next;
            continue;
        }
        // `bytes[i]` is a backslash.
        let kind = *bytes.get(i + 1)?;
        let simple = match kind {
            b'b' => Some('\u{8}'),
            b't' => Some('\t'),
            b'n' => Some('\n'),
            b'f' => Some('\u{c}'),
            b'r' => Some('\r'),
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'e' => Some('\u{1b}'),
            _ => None,
        };
        if let Some(c) = simple {
            text.push(c);
            builder.escape(base + i, 2, c.len_utf8());
            i += 2;
            continue;
        }
        let digits = match kind {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            b' ' | b'\t' | b'\n' | b'\r' if multiline => {
                i = skip_line_ending_backslash(bytes, i + 1)?;
                continue;
            }
            _ => return None,
        };
        let hex = content.get(i + 2..i + 2 + digits)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
        text.push(c);
        builder.escape(base + i, 2 + digits, c.len_utf8());
        i += 2 + digits;
    }
    Some((text, builder.finish()))
}

/// After a line-ending backslash at `from - 1`: skips optional spaces and tabs, a newline
/// (required), then all whitespace and newlines. Returns the index of the next kept byte.
fn skip_line_ending_backslash(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b'\n'), _) => i += 1,
        (Some(b'\r'), Some(b'\n')) => i += 2,
        _ => return None,
    }
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n')) || bytes.get(i..i + 2) == Some(b"\r\n")
    {
        i += if bytes.get(i) == Some(&b'\r') { 2 } else { 1 };
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use toml::de::{DeTable, DeValue};

    /// Parses `source`, takes the string value of key `a`, and returns it with its map.
    fn map_of(source: &str) -> (String, StrMap, Span) {
        let (table, errors) = DeTable::parse_recoverable(source);
        assert!(errors.is_empty(), "{errors:?}");
        let value = table.get_ref().get("a").expect("key `a`");
        let DeValue::String(text) = value.get_ref() else {
            panic!("not a string")
        };
        let span = Span::from(value.span());
        (text.to_string(), StrMap::new(source, span, text), span)
    }

    /// The file text for the decoded range.
    fn file_text<'a>(source: &'a str, map: &StrMap, start: usize, end: usize) -> &'a str {
        let span = map.span(start, end);
        &source[span.start..span.end]
    }

    #[test]
    fn toml_value_span_includes_the_quotes() {
        let source = "a = \"x\"\n";
        let (_, _, span) = map_of(source);
        assert_eq!(&source[span.start..span.end], "\"x\"");
    }

    #[test]
    fn identity_adds_the_base() {
        let map = StrMap::identity("abc", 10);
        assert_eq!(map.span(0, 3), Span::new(10, 13));
        assert_eq!(map.span(1, 2), Span::new(11, 12));
        assert_eq!(map.span(3, 3), Span::new(13, 13));
        assert_eq!(map.span(0, 99), Span::new(10, 13));
        assert_eq!(StrMap::identity("", 4).span(0, 0), Span::new(4, 4));
    }

    #[test]
    fn plain_basic_string() {
        let source = "a = \"us_offer != 'none'\"\n";
        let (text, map, _) = map_of(source);
        let at = text.find("'none'").unwrap();
        assert_eq!(file_text(source, &map, at, at + 6), "'none'");
        assert_eq!(file_text(source, &map, 0, text.len()), "us_offer != 'none'");
        // The end position is just before the closing quote.
        assert_eq!(
            map.span(text.len(), text.len()),
            Span::new(source.len() - 2, source.len() - 2)
        );
    }

    #[test]
    fn escaped_quotes_map_to_the_whole_escape() {
        let source = "a = \"russia_answer == \\\"refuse\\\"\"\n";
        let (text, map, _) = map_of(source);
        assert_eq!(text, "russia_answer == \"refuse\"");
        let at = text.find('"').unwrap();
        assert_eq!(file_text(source, &map, at, text.len()), "\\\"refuse\\\"");
        assert_eq!(file_text(source, &map, at, at + 1), "\\\"");
        assert_eq!(file_text(source, &map, at + 1, at + 7), "refuse");
        assert_eq!(file_text(source, &map, 0, 13), "russia_answer");
    }

    #[test]
    fn unicode_escapes_and_non_ascii() {
        let source = "a = \"caf\\u00e9 é x \\U0001F600 \\x41\\e!\"\n";
        let (text, map, _) = map_of(source);
        assert_eq!(text, "café é x 😀 A\u{1b}!");
        // `é` from \u00e9: both of its bytes start at the escape, the end is the escape's end.
        assert_eq!(file_text(source, &map, 3, 5), "\\u00e9");
        assert_eq!(file_text(source, &map, 4, 5), "\\u00e9");
        // A literal non-ASCII character maps byte for byte.
        let e = text.rfind('é').unwrap();
        assert_eq!(file_text(source, &map, e, e + 2), "é");
        let x = text.find('x').unwrap();
        assert_eq!(file_text(source, &map, x, x + 1), "x");
        let smile = text.find('😀').unwrap();
        assert_eq!(file_text(source, &map, smile, smile + 4), "\\U0001F600");
        let a = text.find('A').unwrap();
        assert_eq!(file_text(source, &map, a, a + 2), "\\x41\\e");
        assert_eq!(file_text(source, &map, a + 2, a + 3), "!");
    }

    #[test]
    fn all_simple_escapes() {
        let source = "a = \"\\b\\t\\n\\f\\r\\\"\\\\z\"\n";
        let (text, map, _) = map_of(source);
        assert_eq!(text, "\u{8}\t\n\u{c}\r\"\\z");
        for i in 0..7 {
            assert_eq!(map.span(i, i + 1).len(), 2, "escape {i}");
        }
        assert_eq!(file_text(source, &map, 7, 8), "z");
    }

    #[test]
    fn literal_string() {
        let source = "a = 'x == \"y\" \\n'\n";
        let (text, map, _) = map_of(source);
        assert_eq!(text, "x == \"y\" \\n");
        assert_eq!(file_text(source, &map, 5, 8), "\"y\"");
        assert_eq!(file_text(source, &map, 9, 11), "\\n");
    }

    #[test]
    fn multiline_basic_with_trimmed_newline_and_line_ending_backslash() {
        let source = "a = \"\"\"\nfoo and \\\n      bar\nor \\\"baz\\\"\"\"\"\n";
        let (text, map, _) = map_of(source);
        assert_eq!(text, "foo and bar\nor \"baz\"");
        assert_eq!(file_text(source, &map, 0, 3), "foo");
        let bar = text.find("bar").unwrap();
        assert_eq!(file_text(source, &map, bar, bar + 3), "bar");
        // A range across the trimmed part covers it.
        assert_eq!(file_text(source, &map, 4, bar + 3), "and \\\n      bar");
        let baz = text.find('"').unwrap();
        assert_eq!(file_text(source, &map, baz, text.len()), "\\\"baz\\\"");
        // An empty range right after the trimmed part points at `bar`.
        assert_eq!(
            map.span(bar, bar),
            Span::new(source.find("bar").unwrap(), source.find("bar").unwrap())
        );
    }

    #[test]
    fn multiline_basic_with_crlf_and_trailing_quotes() {
        let source = "a = \"\"\"\r\nx ==\\  \r\n  \r\n 'y'\r\n\"\"\"\"\"\n";
        let (text, map, _) = map_of(source);
        assert_eq!(text, "x =='y'\r\n\"\"");
        assert_eq!(file_text(source, &map, 0, 4), "x ==");
        assert_eq!(file_text(source, &map, 4, 7), "'y'");
        assert_eq!(file_text(source, &map, 7, 11), "\r\n\"\"");
    }

    #[test]
    fn multiline_literal() {
        let source = "a = '''\nfoo \\\n  é'''\n";
        let (text, map, _) = map_of(source);
        assert_eq!(text, "foo \\\n  é");
        assert_eq!(file_text(source, &map, 0, text.len()), "foo \\\n  é");
        assert_eq!(map.span(0, 0).start, source.find("foo").unwrap());
    }

    #[test]
    fn empty_strings() {
        for source in [
            "a = \"\"\n",
            "a = ''\n",
            "a = \"\"\"\n\"\"\"\n",
            "a = '''\n'''\n",
        ] {
            let (text, map, span) = map_of(source);
            assert_eq!(text, "");
            let at = map.span(0, 0);
            assert!(
                at.is_empty() && at.start > span.start && at.start < span.end,
                "{source:?}"
            );
        }
    }

    #[test]
    fn string_inside_an_inline_table() {
        let source = "r = { when = \"a == \\\"b\\\"\" }\n";
        let (table, _) = DeTable::parse_recoverable(source);
        let inner = table.get_ref().get("r").unwrap();
        let DeValue::Table(inner) = inner.get_ref() else {
            panic!()
        };
        let value = inner.get("when").unwrap();
        let DeValue::String(text) = value.get_ref() else {
            panic!()
        };
        let map = StrMap::new(source, Span::from(value.span()), text);
        let span = map.span(5, 8);
        assert_eq!(&source[span.start..span.end], "\\\"b\\\"");
    }

    #[test]
    fn mismatch_falls_back_to_the_value_span() {
        let source = "a = \"xyz\"\n";
        let span = Span::new(4, 9);
        let map = StrMap::new(source, span, "other");
        assert_eq!(map.span(0, 2), span);
        assert_eq!(map.span(5, 5), span);
        // Spans that are out of range, not on a char boundary, or not a string.
        for bad in [Span::new(4, 99), Span::new(0, 3), Span::new(5, 8)] {
            assert_eq!(StrMap::new(source, bad, "xyz").span(0, 1), bad);
        }
        let source = "a = \"é\"";
        assert_eq!(
            StrMap::new(source, Span::new(5, 6), "é").span(0, 1),
            Span::new(5, 6)
        );
    }

    #[test]
    fn malformed_raw_text_never_panics() {
        let raws = [
            "\"",
            "\"\"\"",
            "\"\\\"",
            "\"\\u12\"",
            "\"\\uZZZZ\"",
            "\"\\uD800\"",
            "\"\\U00110000\"",
            "\"\\q\"",
            "\"\"\"\\ x\"\"\"",
            "\"\"\"\\ \r\"\"\"",
            "'''''",
            "\"\\x4\"",
            "\"\\u+123\"",
            "\"é\\",
            "x",
            "",
        ];
        for raw in raws {
            let map = StrMap::new(raw, Span::new(0, raw.len()), "whatever");
            let _ = map.span(0, 100);
            let _ = map.span(7, 2);
        }
    }

    #[test]
    fn long_strings_are_one_segment() {
        let text = "a and b ".repeat(10_000);
        let source = format!("a = \"{text}\"");
        let (_, map, _) = map_of(&source);
        assert_eq!(map.segments.len(), 1);
        assert_eq!(map.span(8, 9), Span::new(13, 14));
    }
}
