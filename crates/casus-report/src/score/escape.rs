//! Escaping of user text (file names, ids, reasons) for the score document's two formats: the
//! report's escaping (`crate::report::escape`), so that a score and a report treat hostile
//! text alike, plus prose for Markdown.

pub(super) use crate::report::escape::{html, md};

/// Prose casus wrote itself, for Markdown: what HTML would read as markup is escaped and
/// unsafe characters are shown escaped, as everywhere (line breaks kept); brackets, underscores and code spans
/// read as written.
pub(super) fn md_prose(text: &str) -> String {
    crate::text::visible_lines(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_and_unsafe_characters_are_escaped() {
        assert_eq!(
            super::html("<a href='x'>&"),
            "&lt;a href=&#39;x&#39;&gt;&amp;"
        );
        assert_eq!(super::md("a|b\n*c*"), "a\\|b \\*c\\*");
        assert!(!super::md_prose("a\u{202e}b <i>").contains('\u{202e}'));
        assert!(super::md_prose("a <i>").contains("&lt;i&gt;"));
    }
}
