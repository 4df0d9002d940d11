//! The terminal view, drawn by annotate-snippets (rustc's own renderer).

use std::ops::Range;

use annotate_snippets::renderer::{DEFAULT_LINE_NUM_STYLE, DecorStyle};
use annotate_snippets::{AnnotationKind, Group, Level, Message, Origin, Renderer, Snippet};
use casus_core::{Diagnostic, LineCol, Severity, SourceFile};

use super::{Located, anchor, locate_labels};
use crate::text::{visible, visible_lines};

/// Lines up to this many bytes go to annotate-snippets untouched; it trims them to the
/// terminal width on its own as long as the labels sit close together.
const LONG_LINE: usize = 240;
/// Characters kept on each side of a label boundary inside a long line.
const CONTEXT: usize = 60;
/// Stands in for the characters cut out of a long line (ASCII, like annotate-snippets' own).
const ELLIPSIS: &str = "...";

/// Renders diagnostics of one file the way rustc does, for people reading a terminal.
///
/// Each diagnostic is followed by a blank line, so the output of several files can be printed
/// one after another and closed with [`summary_line`](super::summary_line). `color` adds ANSI
/// styles; without it the text is plain ASCII art (apart from the user's own source text) and
/// byte for byte stable, fit for snapshots. Lines of any length are cut down around the labels,
/// so a 100,000-character line never reaches the terminal whole.
#[must_use]
pub fn render_human(file: &SourceFile, diagnostics: &[Diagnostic], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii)
    .hyperlink(false);
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render_one(&renderer, color, file, diagnostic));
        out.push_str("\n\n");
    }
    out
}

fn render_one(renderer: &Renderer, color: bool, file: &SourceFile, d: &Diagnostic) -> String {
    // User text reaches the terminal only through the one sanitiser: a zero-width character
    // in an id shows as `\u{200b}`, a line break in a file name cannot start a line.
    let message = visible(&d.message);
    let name = visible(file.name());
    let title = || {
        level(d.severity)
            .primary_title(message.as_str())
            .id(d.code.as_str())
    };
    let located = locate_labels(file, &d.labels);
    let Some(at) = anchor(&located) else {
        // A file-level finding (not UTF-8, no `[scenario]`) has nothing to underline.
        let group = title()
            .element(Origin::path(name.as_str()))
            .elements(messages(d));
        return renderer.render(&[group]);
    };

    let ranges: Vec<Range<usize>> = located.iter().map(|l| l.range.clone()).collect();
    let excerpt = Excerpt::new(file, &ranges);
    let annotations = located.iter().zip(excerpt.spans).map(|(l, span)| {
        let kind = if l.label.primary {
            AnnotationKind::Primary
        } else {
            AnnotationKind::Context
        };
        // A label sits beside an underline, where a line break would tear the drawing apart;
        // the sanitiser shows it as `\n`.
        let text = Some(visible(&l.label.message)).filter(|m| !m.is_empty());
        kind.span(span).label(text)
    });
    // The snippet has no path on purpose: annotate-snippets would compute the `-->` location
    // from the excerpt, whose columns differ from the file's once a long line is cut, and from
    // the topmost primary label rather than the first one. The header is added below instead.
    let snippet = Snippet::source(excerpt.source)
        .line_start(excerpt.first_line)
        .annotations(annotations);
    let body = renderer.render(&[Group::with_title(title())
        .element(snippet)
        .elements(messages(d))]);
    let title_lines = renderer
        .render(&[Group::with_title(title())])
        .split('\n')
        .count();
    insert_header(&body, title_lines, &name, at, color)
}

/// Puts ` --> file:line:col` between the title and the snippet, where annotate-snippets would.
fn insert_header(
    body: &str,
    title_lines: usize,
    path: &str,
    at: &Located<'_>,
    color: bool,
) -> String {
    let lines: Vec<&str> = body.split('\n').collect();
    let split = title_lines.min(lines.len());
    let (head, tail) = lines.split_at(split);
    // The first snippet line is the gutter separator, `{width + 1 spaces}|`; the arrow sits one
    // column to the left of the bar, like rustc's.
    let gutter = tail
        .first()
        .map_or(1, |l| l.len() - l.trim_start_matches(' ').len());
    let indent = " ".repeat(gutter.saturating_sub(1));
    let arrow = if color {
        format!("{DEFAULT_LINE_NUM_STYLE}--> {DEFAULT_LINE_NUM_STYLE:#}")
    } else {
        String::from("--> ")
    };
    let LineCol { line, column } = at.start;
    let header = format!("{indent}{arrow}{path}:{line}:{column}");
    let mut all = Vec::with_capacity(lines.len() + 1);
    all.extend_from_slice(head);
    all.push(header.as_str());
    all.extend_from_slice(tail);
    all.join("\n")
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

/// The `= note:` and `= help:` lines; notes first, so the fix is the last thing read.
fn messages(d: &Diagnostic) -> Vec<Message<'static>> {
    // annotate-snippets passes messages through unchanged, unlike titles and labels; casus's
    // own line breaks (a help that shows a TOML snippet) are kept, the rest is escaped.
    let notes = d
        .notes
        .iter()
        .map(|note| Level::NOTE.message(visible_lines(note)));
    let help = d
        .help
        .iter()
        .map(|help| Level::HELP.message(visible_lines(help)));
    notes.chain(help).collect()
}

/// The lines a diagnostic's labels touch, with long lines cut down around the labels.
///
/// annotate-snippets shows every column between the leftmost and the rightmost label of a
/// snippet, so two labels at both ends of a 100,000-character line would print all of it, and
/// it would walk a whole multi-megabyte file for every diagnostic. Handing it only the covered
/// lines, trimmed, keeps both the output and the work small.
struct Excerpt {
    source: String,
    /// 1-based number of the first line of `source` in the file.
    first_line: usize,
    /// The label ranges, moved into `source`.
    spans: Vec<Range<usize>>,
}

/// A label boundary: its byte offset in the file, which label, and whether it is the end.
type Point = (usize, usize, bool);

impl Excerpt {
    /// INVARIANT: `ranges` is not empty and every range lies on character boundaries of the file
    /// text, as [`locate`](super::locate) guarantees.
    fn new(file: &SourceFile, ranges: &[Range<usize>]) -> Self {
        let text = file.text();
        let lo = ranges.iter().map(|r| r.start).min().unwrap_or(0);
        let hi = ranges.iter().map(|r| r.end).max().unwrap_or(0);
        // From the file's line index: scanning the text for the line breaks would cost the
        // length of the line for every diagnostic, which on a one-line file of 20,000 rules
        // is quadratic.
        let region_start = file.line_bounds(lo).start;
        let region_end = file.line_bounds(hi).end.max(hi);

        let mut points: Vec<Point> = ranges
            .iter()
            .enumerate()
            .flat_map(|(i, r)| [(r.start, i, false), (r.end, i, true)])
            .collect();
        points.sort_unstable();

        let mut excerpt = Excerpt {
            source: String::new(),
            first_line: file.line_col(region_start).line,
            spans: vec![0..0; ranges.len()],
        };
        let mut next = 0;
        let mut line_start = region_start;
        loop {
            let line_end = text[line_start..region_end]
                .find('\n')
                .map_or(region_end, |i| line_start + i);
            let mut line = &text[line_start..line_end];
            if line_end < text.len() {
                // Only a `\r` before the `\n` is part of the line ending; annotate-snippets would
                // draw one at the end of the excerpt as a visible `␍`.
                line = line.strip_suffix('\r').unwrap_or(line);
            }
            let first = next;
            while points.get(next).is_some_and(|p| p.0 <= line_end) {
                next += 1;
            }
            excerpt.push_line(line, line_start, &points[first..next]);
            if line_end >= region_end {
                break;
            }
            excerpt.source.push('\n');
            line_start = line_end + 1;
        }
        excerpt
    }

    fn set(&mut self, (_, label, is_end): Point, offset: usize) {
        if let Some(span) = self.spans.get_mut(label) {
            if is_end {
                span.end = offset;
            } else {
                span.start = offset;
            }
        }
    }

    /// Appends one line, keeping the text around `points` (offsets into the file).
    fn push_line(&mut self, line: &str, line_start: usize, points: &[Point]) {
        let base = self.source.len();
        let relative: Vec<usize> = points
            .iter()
            .map(|p| (p.0 - line_start).min(line.len()))
            .collect();
        if line.len() <= LONG_LINE {
            self.source.push_str(line);
            for (&point, &r) in points.iter().zip(&relative) {
                self.set(point, base + r);
            }
            return;
        }

        // Only the text near the points is looked at: walking the whole line for every
        // diagnostic is what made a long line quadratic.
        let windows = windows(line, &relative);
        let mut point = 0;
        let mut shown_to = 0;
        for window in &windows {
            if window.start > shown_to {
                self.source.push_str(ELLIPSIS);
            }
            let offset = self.source.len();
            while relative.get(point).is_some_and(|&r| r <= window.end) {
                self.set(points[point], offset + relative[point] - window.start);
                point += 1;
            }
            self.source.push_str(&line[window.clone()]);
            shown_to = window.end;
        }
        if shown_to < line.len() {
            self.source.push_str(ELLIPSIS);
        }
        for &p in &points[point..] {
            self.set(p, self.source.len());
        }
    }
}

/// The byte offset `n` characters before `at` in `line` (or its start).
fn chars_before(line: &str, at: usize, n: usize) -> usize {
    line[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// The byte offset `n` characters after `at` in `line` (or its end).
fn chars_after(line: &str, at: usize, n: usize) -> usize {
    line[at..]
        .char_indices()
        .nth(n)
        .map_or(line.len(), |(i, _)| at + i)
}

/// Whether `text` has at most `n` characters, looking at no more than `n + 1` of them.
fn at_most_chars(text: &str, n: usize) -> bool {
    text.chars().take(n + 1).count() <= n
}

/// The byte ranges of a long line worth showing: [`CONTEXT`] characters around every point
/// (sorted byte offsets on character boundaries), or the start of the line when no label
/// boundary falls on it (the middle of a multi-line span). The work is proportional to the
/// points and the context, not to the line.
fn windows(line: &str, points: &[usize]) -> Vec<Range<usize>> {
    let mut windows: Vec<Range<usize>> = Vec::new();
    let centers: Vec<usize> = if points.is_empty() {
        vec![chars_after(line, 0, CONTEXT)]
    } else {
        points.to_vec()
    };
    for c in centers {
        let window = chars_before(line, c, CONTEXT)..chars_after(line, c, CONTEXT);
        match windows.last_mut() {
            // A gap no longer than the ellipsis would save nothing.
            Some(last)
                if window.start <= last.end
                    || at_most_chars(&line[last.end..window.start], ELLIPSIS.len()) =>
            {
                last.end = last.end.max(window.end);
            }
            _ => windows.push(window),
        }
    }
    if let Some(first) = windows.first_mut()
        && at_most_chars(&line[..first.start], ELLIPSIS.len())
    {
        first.start = 0;
    }
    if let Some(last) = windows.last_mut()
        && at_most_chars(&line[last.end..], ELLIPSIS.len())
    {
        last.end = line.len();
    }
    windows
}
