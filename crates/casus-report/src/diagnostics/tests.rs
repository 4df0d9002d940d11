//! Snapshot tests: each checks what a person or a tool would actually see.

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use casus_core::{Code, Diagnostic, Severity, SourceFile, Span};

use super::*;

const SCENARIO: &str = r#"[scenario]
title = "Talks"

[decisions.russia_answer]
actor = "russia"
options = ["accept", "refuse"]
likelihood = { accept = "likely", refuse = "very likely" }

[rules.walk_away]
when = "russia_anwser == 'refuse'"
then = { us_posture = "walk_away" }
"#;

fn file(text: &str) -> SourceFile {
    SourceFile::new("scenarios/talks.toml", text)
}

/// The span of the `nth` (0-based) occurrence of `needle`, so tests name what they point at.
fn span_of(text: &str, needle: &str, nth: usize) -> Span {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("`{needle}` not found"));
    Span::new(start, start + needle.len())
}

fn human(text: &str, diagnostics: &[Diagnostic]) -> String {
    render_human(&file(text), diagnostics, false)
}

fn unknown_name() -> Diagnostic {
    Diagnostic::new(Code::UnknownName, "unknown name `russia_anwser`")
        .primary(
            span_of(SCENARIO, "russia_anwser", 0),
            "not a fact or decision",
        )
        .help("did you mean `russia_answer`?")
}

fn likelihood_sum() -> Diagnostic {
    Diagnostic::new(
        Code::LikelihoodSum,
        "likelihoods of `russia_answer` cannot sum to 1",
    )
    .primary(span_of(SCENARIO, "\"very likely\"", 0), "at least 80 %")
    .secondary(span_of(SCENARIO, "\"likely\"", 0), "at least 55 %")
    .secondary(span_of(SCENARIO, "russia_answer", 0), "for this decision")
    .note("the smallest possible sum is 135 %")
    .help("lower some estimates, or give ranges wide enough to meet at 100 %")
}

fn not_utf8() -> Diagnostic {
    Diagnostic::new(Code::NotUtf8, "the file is not UTF-8 text")
        .help("save the file as UTF-8 in your editor")
}

#[test]
fn human_simple_error_with_help() {
    insta::assert_snapshot!(human(SCENARIO, &[unknown_name()]));
}

#[test]
fn human_multiple_labels_and_notes() {
    insta::assert_snapshot!(human(SCENARIO, &[likelihood_sum()]));
}

#[test]
fn human_zero_width_span_at_end_of_file() {
    let text = "[scenario]\ntitle = \"Talks\"\nsummary = [\"a\",\n";
    let eof = Diagnostic::new(Code::TomlSyntax, "unclosed array")
        .primary(Span::new(text.len(), text.len()), "expected `]`")
        .secondary(span_of(text, "[", 1), "opened here");
    insta::assert_snapshot!(human(text, &[eof]));
}

#[test]
fn human_multi_line_span() {
    let start = span_of(SCENARIO, "[rules.walk_away]", 0).start;
    let end = span_of(SCENARIO, "\"walk_away\" }", 0).end;
    let conflict = Diagnostic::new(
        Code::RuleConflict,
        "rules `walk_away` and `stay` set `us_posture` to different values",
    )
    .primary(Span::new(start, end), "sets `us_posture` to `walk_away`")
    .note("on the path russia_answer = refuse")
    .help("give the rule that should win a higher `priority`");
    insta::assert_snapshot!(human(SCENARIO, &[conflict]));
}

#[test]
fn human_no_label() {
    insta::assert_snapshot!(human("\u{fffd}\u{fffd}", &[not_utf8()]));
}

#[test]
fn human_separates_diagnostics_with_a_blank_line() {
    let out = human(SCENARIO, &[unknown_name(), not_utf8()]);
    assert!(out.contains("`russia_answer`?\n\nerror[E0002]"), "{out}");
    assert!(out.ends_with("editor\n\n"), "{out}");
    assert_eq!(human(SCENARIO, &[]), "");
}

#[test]
fn human_crlf_tabs_and_non_ascii() {
    let text = "[scenario]\r\ntitle\t= \"Gespräch über Frieden\" # é\r\nsumary = \"x\"\r\n";
    let unknown = Diagnostic::new(Code::UnknownKey, "unknown key `sumary` in `[scenario]`")
        .primary(span_of(text, "sumary", 0), "")
        .secondary(span_of(text, "\"Gespräch über Frieden\"", 0), "a string")
        .help("did you mean `summary`?");
    // A span that swallows the line break still underlines only its own line.
    let line = span_of(text, "sumary = \"x\"\r\n", 0);
    let whole_line = Diagnostic::new(Code::UnknownKey, "unknown key").primary(line, "this line");
    insta::assert_snapshot!(human(text, &[unknown, whole_line]));
}

#[test]
fn human_empty_file() {
    let missing = Diagnostic::new(Code::MissingScenario, "the file has no `[scenario]` table")
        .primary(Span::new(0, 0), "expected `[scenario]` here");
    insta::assert_snapshot!(human("", &[missing]));
}

#[test]
fn human_long_lines_are_cut_around_the_labels() {
    let text = format!("title = \"{}\"\nnext = 1\n", "a".repeat(100_000));
    let value = span_of(&text, "\"", 0).start..span_of(&text, "\"", 1).end;
    let diagnostics = [
        Diagnostic::new(Code::LimitExceeded, "the title is too long")
            .primary(Span::new(value.end - 1, value.end), "ends here")
            .secondary(span_of(&text, "title", 0), "this key"),
        Diagnostic::new(Code::LimitExceeded, "the title is too long")
            .primary(Span::new(value.start, value.end + 10), "this string"),
    ];
    let out = human(&text, &diagnostics);
    assert!(out.len() < 2_000, "{} bytes", out.len());
    // The location is the file's, not the excerpt's.
    assert!(out.contains("--> scenarios/talks.toml:1:100010\n"), "{out}");
    insta::assert_snapshot!(out);
}

/// What annotate-snippets draws when it is given the whole file and the path itself.
fn annotate_snippets_alone(text: &str, span: std::ops::Range<usize>, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii)
    .hyperlink(false);
    let report = renderer.render(&[Level::ERROR.primary_title("m").id("E0001").element(
        Snippet::source(text)
            .path("scenarios/talks.toml")
            .annotation(AnnotationKind::Primary.span(span).label("here")),
    )]);
    format!("{report}\n\n")
}

#[test]
fn human_header_matches_annotate_snippets() {
    // The `-->` line is inserted by hand; it must look exactly as annotate-snippets draws it.
    let span = span_of(SCENARIO, "russia_anwser", 0);
    for color in [false, true] {
        let d = Diagnostic::new(Code::TomlSyntax, "m").primary(span, "here");
        let expected = annotate_snippets_alone(SCENARIO, span.start..span.end, color);
        assert_eq!(
            render_human(&file(SCENARIO), &[d], color),
            expected,
            "color: {color}"
        );
    }
}

/// On short lines the excerpt changes nothing, so for every span the output (and above all the
/// `-->` location, which the JSON, GitHub and SARIF output share) must be what annotate-snippets
/// computes from the whole file.
#[test]
fn human_locations_agree_with_annotate_snippets() {
    let texts = [
        "a = 1\nb = 2\n",
        "a = \"é\"\r\n\tb = 2\r\n",
        "x",
        "\n\n",
        "k = 1\n\n# end",
    ];
    for text in texts {
        for start in 0..=text.len() {
            for end in start..=text.len() {
                let range = locate(text, Span::new(start, end));
                let d =
                    Diagnostic::new(Code::TomlSyntax, "m").primary(Span::new(start, end), "here");
                let ours = render_human(&file(text), &[d], false);
                let theirs = annotate_snippets_alone(text, range.clone(), false);
                assert_eq!(ours, theirs, "{text:?} {start}..{end} -> {range:?}");
            }
        }
    }
}

#[test]
fn human_color_only_when_asked() {
    let plain = human(SCENARIO, &[likelihood_sum()]);
    let styled = render_human(&file(SCENARIO), &[likelihood_sum()], true);
    assert!(plain.is_ascii() && !plain.contains('\x1b'));
    assert!(styled.contains("\x1b["));
}

#[test]
fn json() {
    let two = file(SCENARIO);
    let empty = SourceFile::new("scenarios/bad.toml", "");
    let first: &[Diagnostic] = &[unknown_name(), likelihood_sum()];
    let second: &[Diagnostic] = &[not_utf8()];
    insta::assert_snapshot!(render_json(&[(&two, first), (&empty, second)]));
}

#[test]
fn json_empty() {
    assert_eq!(render_json(&[]), "[]\n");
}

#[test]
fn github_escapes_user_text() {
    let text = "[scenario]\ntitle = \"100% sure, really: yes\"\n";
    let tricky = SourceFile::new("scenarios/a,b:c%.toml", text);
    let diagnostics = [
        Diagnostic::new(
            Code::InvalidValue,
            "`100% sure, really: yes` is not allowed\r\nhere",
        )
        .primary(span_of(text, "\"100% sure, really: yes\"", 0), "")
        .note("line one\nline two")
        .help("write `0.5`, `50%` or `\"likely\"`"),
        Diagnostic::new(Code::MissingKey, "`[scenario]` has no `summary`")
            .primary(Span::new(0, text.len()), "this table"),
        not_utf8(),
        Diagnostic::new(
            Code::UniformLikelihood,
            "`russia_answer` has no likelihoods",
        )
        .primary(Span::new(0, 1), ""),
        Diagnostic {
            severity: Severity::Warning,
            ..not_utf8()
        },
    ];
    insta::assert_snapshot!(render_github(&[(&tricky, &diagnostics)]));
}

#[test]
fn sarif_two_files() {
    let talks = file(SCENARIO);
    let other_text = "[scenario]\ntitle = \"Other\"\n[actors]\nus = 1\n";
    let other = SourceFile::new("scenarios\\other file.toml", other_text);
    let first: &[Diagnostic] = &[likelihood_sum(), unknown_name()];
    let second: &[Diagnostic] = &[
        Diagnostic::new(
            Code::WrongType,
            "an actor must be a string or a table, not a number",
        )
        .primary(span_of(other_text, "1", 0), "a number"),
        not_utf8(),
    ];
    let sarif = render_sarif(&[(&talks, first), (&other, second)]);
    // The version changes with every release; the snapshot should not.
    let sarif = sarif.replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!(sarif);
}

#[test]
fn sarif_uris() {
    assert_eq!(
        sarif::file_uri("./scenarios/a b.toml"),
        "scenarios/a%20b.toml"
    );
    assert_eq!(
        sarif::file_uri("C:\\work\\x.toml"),
        "file:///C:/work/x.toml"
    );
    assert_eq!(sarif::file_uri("/tmp/ré.toml"), "file:///tmp/r%C3%A9.toml");
    assert_eq!(sarif::file_uri("a:b.toml"), "a%3Ab.toml");
}

#[test]
fn summary() {
    let a = file(SCENARIO);
    let b = SourceFile::new("b.toml", "");
    let none: &[Diagnostic] = &[];
    let warning = Diagnostic {
        severity: Severity::Warning,
        ..not_utf8()
    };
    let note = Diagnostic::new(Code::UniformLikelihood, "uniform");
    let errors: &[Diagnostic] = &[
        unknown_name(),
        likelihood_sum(),
        not_utf8(),
        warning.clone(),
    ];
    let warnings: &[Diagnostic] = &[warning, note.clone()];
    let notes: &[Diagnostic] = &[note];

    assert_eq!(
        summary_line(&[(&a, none), (&b, none)], false),
        "ok: 2 files checked, no findings"
    );
    assert_eq!(
        summary_line(&[(&a, none)], false),
        "ok: 1 file checked, no findings"
    );
    assert_eq!(
        summary_line(&[(&a, errors), (&b, none)], false),
        "error: 3 errors, 1 warning in 1 of 2 files"
    );
    assert_eq!(
        summary_line(&[(&a, errors), (&b, notes)], false),
        "error: 3 errors, 1 warning, 1 note in 2 files"
    );
    assert_eq!(
        summary_line(&[(&a, warnings)], false),
        "warning: 1 warning, 1 note in 1 file"
    );
    assert_eq!(
        summary_line(&[(&a, notes), (&b, none)], false),
        "note: 1 note in 1 of 2 files"
    );
    assert_eq!(
        summary_line(&[(&a, errors)], true),
        "\x1b[1m\x1b[91merror\x1b[0m\x1b[1m: 3 errors, 1 warning in 1 file\x1b[0m"
    );
}

#[test]
fn spans_are_made_safe() {
    let text = "a = \"é\"\r\nb = 2\r\n";
    let e = text.find('é').unwrap();
    // Inside a character: widened to the whole character.
    assert_eq!(
        locate(
            text,
            Span {
                start: e + 1,
                end: e + 1
            }
        ),
        e..e + 2
    );
    let (first_cr, second_cr) = (text.find('\r').unwrap(), text.rfind('\r').unwrap());
    // Reversed and past the end: clamped, then moved off the final line break.
    assert_eq!(
        locate(text, Span { start: 99, end: 50 }),
        second_cr..second_cr
    );
    // Between `\r` and `\n`: before the `\r`.
    let between = first_cr + 1;
    assert_eq!(
        locate(text, Span::new(between, between)),
        first_cr..first_cr
    );
    // A trailing line break is not part of the span.
    assert_eq!(
        locate(text, Span::new(first_cr + 2, text.len())),
        first_cr + 2..second_cr
    );
    assert_eq!(locate("", Span::new(3, 7)), 0..0);
}

/// Every renderer, on every span of awkward texts, returns without panicking.
#[test]
fn no_span_panics() {
    let texts = [
        String::new(),
        "\n".to_owned(),
        "\r\n\r\n".to_owned(),
        "a = \"é\u{1F600}\"\r\n\tb = 2".to_owned(),
        "x\r".to_owned(),
        "\r".to_owned(),
        "e\u{301}\u{200d}\u{1b}[31m\u{202e}\0\n界".to_owned(),
        format!("k = \"{}\"\n{}\n", "界".repeat(300), "b".repeat(300)),
    ];
    for text in &texts {
        let f = file(text);
        let len = text.len();
        let offsets: Vec<usize> = (0..=len + 2)
            .filter(|o| len < 50 || o % 37 == 0 || *o + 3 > len)
            .collect();
        for &start in &offsets {
            for &end in &offsets {
                let d = Diagnostic::new(Code::TomlSyntax, "m")
                    .primary(Span { start, end }, "p")
                    .secondary(
                        Span {
                            start: end,
                            end: len + 1,
                        },
                        "s",
                    )
                    .help("h");
                let ds = [d];
                let _ = render_human(&f, &ds, false);
                let _ = render_human(&f, &ds, true);
                let all: &[(&SourceFile, &[Diagnostic])] = &[(&f, &ds)];
                let _ = (render_json(all), render_github(all), render_sarif(all));
            }
        }
    }
}

/// Every rule's `helpUri` points at a heading of `docs/diagnostics.md`, by the anchor GitHub
/// makes of it (lowercase; letters, digits, `-` and `_` kept; spaces become `-`).
#[test]
fn sarif_help_uris_point_at_the_diagnostics_page() {
    let page = include_str!("../../../../docs/diagnostics.md");
    let anchors: Vec<String> = page
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(|heading| {
            heading
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
                .map(|c| if c == ' ' { '-' } else { c })
                .collect()
        })
        .collect();
    for code in Code::ALL {
        let uri = sarif::help_uri(*code);
        let (page_uri, anchor) = uri.split_once('#').unwrap();
        assert_eq!(
            page_uri,
            concat!(
                env!("CARGO_PKG_REPOSITORY"),
                "/blob/main/docs/diagnostics.md"
            )
        );
        assert!(
            anchors.iter().any(|a| a == anchor),
            "no heading for `#{anchor}` in docs/diagnostics.md"
        );
    }
    assert!(env!("CARGO_PKG_REPOSITORY").starts_with("https://"));
    let talks = file(SCENARIO);
    let found: &[Diagnostic] = &[unknown_name()];
    let sarif: serde_json::Value = serde_json::from_str(&render_sarif(&[(&talks, found)])).unwrap();
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert_eq!(driver["informationUri"], env!("CARGO_PKG_REPOSITORY"));
    assert_eq!(
        driver["rules"][0]["helpUri"],
        sarif::help_uri(unknown_name().code).as_str()
    );
}
