//! Reports suite: every format of every scenario in `scenarios/` and of the report fixtures is
//! snapshotted and rendered twice to the same bytes; hostile text cannot break any format;
//! the decision graph agrees with the search; the SVG layout never overlaps; and the HTML of
//! the bundled scenario is opened in headless Chromium, which must show the graph and the
//! outcome table without a console error.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "helpers of a test fail the test on any error, as the tests themselves do"
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[path = "support/chromium.rs"]
mod chromium;
use chromium::{console_problems, pixels_like, run_chromium};

use casus_core::SourceFile;
use casus_core::limits::Limits;
use casus_report::report::{self, Format, Graph, ReportModel};
use casus_rules::EvalLimits;
use casus_rules::graphs::drawing::GraphNode;
use petgraph::graph::{DiGraph, NodeIndex};

fn source(path: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    SourceFile::new(name, text)
}

fn model(path: &Path) -> ReportModel {
    report::prepare(
        &casus_rules::session::Session::open(
            source(path).clone(),
            casus_rules::session::Options {
                limits: Limits::default(),
                eval: EvalLimits::default(),
                ..Default::default()
            },
        ),
        &casus_rules::session::Budget::unlimited(),
    )
    .unwrap_or_else(|d| panic!("{}: {d:?}", path.display()))
}

/// Every rendering of a report, named as its snapshot.
fn renderings(model: &ReportModel) -> Vec<(&'static str, String)> {
    vec![
        (
            "md",
            report::render(model, Format::Markdown, Graph::Decisions),
        ),
        (
            "json",
            report::render(model, Format::Json, Graph::Decisions),
        ),
        ("dot", report::render(model, Format::Dot, Graph::Decisions)),
        (
            "rules_dot",
            report::render(model, Format::Dot, Graph::Rules),
        ),
        (
            "mermaid",
            report::render(model, Format::Mermaid, Graph::Decisions),
        ),
        (
            "rules_mermaid",
            report::render(model, Format::Mermaid, Graph::Rules),
        ),
        (
            "html",
            report::render(model, Format::Html, Graph::Decisions),
        ),
    ]
}

fn snapshot_all(path: &Path) {
    let first = renderings(&model(path));
    // A second, independent run must give the same bytes: no time, no hash order.
    let second = renderings(&model(path));
    for ((name, a), (_, b)) in first.iter().zip(&second) {
        assert!(a == b, "{name} of {} differs between runs", path.display());
        insta::assert_snapshot!(*name, a);
    }
}

#[test]
fn every_format_of_every_scenario() {
    insta::glob!("../scenarios", "*.toml", snapshot_all);
}

#[test]
fn every_format_of_the_report_fixtures() {
    // One glob over both folders: a glob matching a single file would name its snapshots
    // without the file.
    insta::glob!(
        "fixtures",
        "{reports/*.toml,valid/design-example.toml,variants/analysts.toml}",
        snapshot_all
    );
}

fn all_scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["scenarios", "tests/fixtures/reports"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.push(root.join("tests/fixtures/valid/design-example.toml"));
    files.sort();
    files
}

/// The decision graph is built by its own breadth-first walk with its own merging; the
/// search computes the forecast and the path count another way. They must agree: every
/// outcome leaf carries the outcome's forecast, and the paths through the DAG are the
/// scenario's paths.
#[test]
fn the_decision_graph_agrees_with_the_search() {
    for path in all_scenarios() {
        let checked =
            casus_rules::check_source(&source(&path), &Limits::default(), &EvalLimits::default());
        let (program, evaluation) = (checked.program.unwrap(), checked.evaluation.unwrap());
        let given = casus_rules::Given::none(program.decisions.len());
        let graph = casus_rules::graphs::drawing::build(&program, &given, 10_000);
        assert!(!graph.truncated, "{}", path.display());
        for (i, result) in evaluation.outcomes.iter().enumerate() {
            let leaf = graph
                .graph
                .node_weights()
                .find_map(|n| match n {
                    GraphNode::Outcome {
                        outcome,
                        probability,
                    } if *outcome == i => Some(*probability),
                    _ => None,
                })
                .unwrap_or(0.0);
            assert!(
                (leaf - result.probability).abs() < 1e-9,
                "{}: outcome {i}: graph {leaf}, search {}",
                path.display(),
                result.probability
            );
        }
        let mut memo = HashMap::new();
        let paths = count_paths(&graph.graph, graph.root.unwrap(), &mut memo);
        assert_eq!(paths, evaluation.paths, "{}", path.display());
    }
}

fn count_paths<N, E>(
    graph: &DiGraph<N, E>,
    node: NodeIndex,
    memo: &mut HashMap<NodeIndex, u128>,
) -> u128 {
    if let Some(&n) = memo.get(&node) {
        return n;
    }
    let children: Vec<NodeIndex> = graph.neighbors(node).collect();
    let n = if children.is_empty() {
        1
    } else {
        children.iter().map(|&c| count_paths(graph, c, memo)).sum()
    };
    memo.insert(node, n);
    n
}

fn hostile() -> (ReportModel, PathBuf) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports/hostile-text.toml");
    (model(&path), path)
}

/// Every tag in the page is one the renderer writes: no tag from scenario text survives.
#[test]
fn hostile_text_cannot_add_markup_to_html() {
    let (model, _) = hostile();
    let html = report::render(&model, Format::Html, Graph::Decisions);
    const ALLOWED: &[&str] = &[
        "!DOCTYPE",
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "header",
        "h1",
        "h2",
        "h3",
        "p",
        "section",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "div",
        "span",
        "code",
        "strong",
        "ul",
        "ol",
        "li",
        "details",
        "summary",
        "br",
        "svg",
        "defs",
        "marker",
        "path",
        "g",
        "rect",
        "text",
        "tspan",
        "figure",
        "figcaption",
        "a",
        "line",
        "circle",
        "h4",
    ];
    let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        let closing = rest.starts_with('/');
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!' || *c == '-')
            .collect();
        assert!(
            ALLOWED.contains(&name.as_str()),
            "unexpected tag `<{name}` at byte {i}: {}",
            &html[i..(i + 60).min(html.len())]
        );
        let entry = counts.entry(name).or_default();
        if closing {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
    }
    // Elements that must be closed are balanced; the page has one graph and one detail
    // block per outcome.
    for name in [
        "table",
        "tr",
        "td",
        "th",
        "p",
        "section",
        "details",
        "summary",
        "svg",
        "g",
        "text",
        "tspan",
        "title",
        "ul",
        "ol",
        "li",
        "code",
        "span",
        "div",
        "figure",
        "figcaption",
        "a",
    ] {
        let (open, close) = counts.get(name).copied().unwrap_or_default();
        assert_eq!(
            open, close,
            "<{name}> opened {open} times, closed {close} times"
        );
    }
    // The drawn graph, and the full one when the drawn one folds branches.
    let graphs = html.matches("<svg class=\"decision-graph\"").count();
    assert!((1..=2).contains(&graphs), "{graphs} graphs");
    assert_eq!(
        html.matches("<details class=\"paths\">").count(),
        model.forecast.outcomes.len()
    );
    assert!(!html.to_lowercase().contains("<script"));
    assert!(html.contains("&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;"));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
}

/// Markdown: tables keep their column count, the Mermaid fence is the only fence, no raw
/// HTML, and no heading comes from scenario text.
#[test]
fn hostile_text_cannot_break_markdown() {
    let (model, _) = hostile();
    let md = report::render(&model, Format::Markdown, Graph::Decisions);
    let unescaped_pipes = |line: &str| {
        let mut n = 0;
        let mut escaped = false;
        for c in line.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => n += 1,
                _ => escaped = false,
            }
        }
        n
    };
    let mut in_fence: Option<&str> = None;
    let mut fences = 0;
    let mut columns: Option<usize> = None;
    for (n, line) in md.lines().enumerate() {
        if line.starts_with("```") {
            fences += 1;
            in_fence = if in_fence.is_some() { None } else { Some(line) };
            assert!(
                line == "```mermaid" || line == "```text" || line == "```",
                "line {n}: {line}"
            );
            continue;
        }
        if in_fence == Some("```mermaid") {
            // Mermaid statements are indented; nothing from the text starts a line.
            assert!(
                line == "flowchart LR" || line.starts_with("    "),
                "line {n}: {line}"
            );
            continue;
        }
        if in_fence.is_some() {
            // The text chart of the spread: ids (escaped) and the chart's own characters.
            assert!(!line.contains('`'), "line {n}: {line}");
            continue;
        }
        let stripped = without_renderer_html(line);
        assert!(!stripped.contains('<'), "raw `<` on line {n}: {line}");
        if line.starts_with('#') {
            let known = (n == 0 && line.starts_with("# "))
                || line.starts_with("## ")
                || line.starts_with("### ")
                || line.starts_with("#### ");
            assert!(known, "line {n} is a heading: {line}");
            assert!(
                !line.starts_with("## ") || !line.contains('\\'),
                "line {n}: {line}"
            );
        }
        if line.starts_with('|') {
            let pipes = unescaped_pipes(line);
            match columns {
                None => columns = Some(pipes),
                Some(c) => assert_eq!(pipes, c, "line {n} has another column count: {line}"),
            }
        } else {
            columns = None;
        }
    }
    assert!(
        md.contains("```mermaid\n") && fences % 2 == 0,
        "the Mermaid block and each fence closed"
    );
    assert!(md.lines().next().unwrap().starts_with("# &lt;script&gt;"));
}

/// A Markdown line without the HTML the renderer itself writes (GitHub's `<details>`, a
/// summary's `<code>` and `<b>`, a cell's `<br>`, a row's anchor `<a id="rule-x"></a>` with
/// an id of `[a-z0-9_-]`), so that any `<` left came from scenario text.
fn without_renderer_html(line: &str) -> String {
    let mut out = line.to_owned();
    for tag in [
        "<details>",
        "</details>",
        "<summary>",
        "</summary>",
        "<code>",
        "</code>",
        "<b>",
        "</b>",
        "<br>",
    ] {
        out = out.replace(tag, "");
    }
    while let Some(start) = out.find("<a id=\"") {
        let id_start = start + "<a id=\"".len();
        let id_len = out[id_start..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
            .count();
        let end = id_start + id_len;
        if !out[end..].starts_with("\"></a>") {
            break;
        }
        out.replace_range(start..end + "\"></a>".len(), "");
    }
    out
}

/// Parses one quoted label at the start of `text`; returns the rest after the closing
/// quote. Mermaid labels contain no quote at all; DOT labels may contain `\"`.
fn quoted(text: &str, backslash_escapes: bool) -> Option<&str> {
    let mut chars = text.strip_prefix('"')?.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if backslash_escapes => {
                chars.next()?;
            }
            '"' => return Some(&text[1 + i + 1..]),
            '\n' | '\r' => return None,
            _ => {}
        }
    }
    None
}

/// Mermaid: every statement is one of the renderer's own shapes, with one quoted label.
#[test]
fn hostile_text_cannot_break_mermaid() {
    let (model, _) = hostile();
    for graph in [Graph::Decisions, Graph::Rules] {
        let text = report::render(&model, Format::Mermaid, graph);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("flowchart LR"));
        for line in lines {
            let body = line
                .strip_prefix("    ")
                .unwrap_or_else(|| panic!("{line}"));
            if body.starts_with("classDef ") || body.starts_with("class ") {
                assert!(!body.contains('"'), "{line}");
                continue;
            }
            let id_len = body
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count();
            assert!(id_len > 0, "{line}");
            let rest = &body[id_len..];
            let ok = if let Some(edge) = rest.strip_prefix(" -->|").and_then(|r| quoted(r, false)) {
                // ` -->|"label"| target`
                edge.strip_prefix("| ")
                    .is_some_and(|t| t.chars().all(|c| c.is_ascii_alphanumeric()))
            } else if let Some(kind) = ["-- sets -->", "-. adds .->", "-->"]
                .iter()
                .find_map(|a| rest.strip_prefix(&format!(" {a} ")))
            {
                kind.chars().all(|c| c.is_ascii_alphanumeric())
            } else {
                let open = ["{{", "([", "[(", "[/", "[", "("]
                    .iter()
                    .find(|o| rest.starts_with(**o))
                    .unwrap_or_else(|| panic!("{line}"));
                let after = quoted(&rest[open.len()..], false).unwrap_or_else(|| panic!("{line}"));
                ["}}", "])", ")]", "/]", "]", ")"].contains(&after)
            };
            assert!(ok, "not a renderer statement: {line}");
        }
    }
}

/// DOT: every line is a statement of the renderer's, every string is closed on its line.
#[test]
fn hostile_text_cannot_break_dot() {
    let (model, _) = hostile();
    for graph in [Graph::Decisions, Graph::Rules] {
        let text = report::render(&model, Format::Dot, graph);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("// "));
        assert!(lines[1].starts_with("digraph "));
        assert_eq!(*lines.last().unwrap(), "}");
        for line in &lines[2..lines.len() - 1] {
            // Replace each string by `S`; what is left must be plain DOT syntax.
            let mut skeleton = String::new();
            let mut rest: &str = line;
            while let Some(i) = rest.find('"') {
                skeleton.push_str(&rest[..i]);
                skeleton.push('S');
                rest = quoted(&rest[i..], true).unwrap_or_else(|| panic!("unclosed: {line}"));
            }
            skeleton.push_str(rest);
            assert!(
                skeleton
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || " =[],;{}-.>_".contains(c)),
                "{line} → {skeleton}"
            );
            let end = skeleton.trim_end();
            assert!(end.ends_with(';') || end.ends_with("; }"), "{line}");
        }
    }
}

#[test]
fn hostile_text_round_trips_through_json() {
    let (model, _) = hostile();
    let json: serde_json::Value =
        serde_json::from_str(&report::render(&model, Format::Json, Graph::Decisions)).unwrap();
    assert_eq!(json["schema"], "casus.report/1");
    assert_eq!(json["scenario"]["title"], model.scenario.title.as_str());
    assert!(model.scenario.title.contains("<script>"));
}

/// Boxes of the SVG (nodes and edge labels): none overlaps another, all inside the drawing.
#[test]
fn graph_boxes_never_overlap() {
    for path in all_scenarios() {
        let html = report::render(&model(&path), Format::Html, Graph::Decisions);
        // The drawn graph (top to bottom) and the full one (left to right), when there are two.
        for (svg_start, _) in html.match_indices("<svg class=\"decision-graph\"") {
            let svg = &html[svg_start..svg_start + html[svg_start..].find("</svg>").unwrap()];
            let attr = |tag: &str, name: &str| -> f64 {
                let key = format!(" {name}=\"");
                let start = tag.find(&key).unwrap() + key.len();
                tag[start..start + tag[start..].find('"').unwrap()]
                    .parse()
                    .unwrap()
            };
            let header = &svg[..svg.find('>').unwrap()];
            let (width, height) = (attr(header, "width"), attr(header, "height"));
            let boxes: Vec<(f64, f64, f64, f64)> = svg
                .match_indices("<rect ")
                .map(|(i, _)| {
                    let tag = &svg[i..i + svg[i..].find('>').unwrap()];
                    (
                        attr(tag, "x"),
                        attr(tag, "y"),
                        attr(tag, "width"),
                        attr(tag, "height"),
                    )
                })
                .collect();
            assert!(!boxes.is_empty());
            for (a, &(x, y, w, h)) in boxes.iter().enumerate() {
                assert!(
                    x >= 0.0 && y >= 0.0 && x + w <= width + 0.1 && y + h <= height + 0.1,
                    "{}: box {a} leaves the drawing",
                    path.display()
                );
                for (b, &(x2, y2, w2, h2)) in boxes.iter().enumerate().skip(a + 1) {
                    let apart = x + w <= x2 + 0.1
                        || x2 + w2 <= x + 0.1
                        || y + h <= y2 + 0.1
                        || y2 + h2 <= y + 0.1;
                    assert!(apart, "{}: boxes {a} and {b} overlap", path.display());
                }
            }
        }
    }
}

/// The HTML report of the bundled scenario in a real browser: it loads without a console
/// error (the page has no script, and its Content-Security-Policy would report any fetch),
/// its graph and outcome table are in the DOM, and the screenshot shows them: the bars'
/// colour and the decision boxes' fill are on screen. The PNG is kept under
/// `target/report-screenshots/` as a CI artifact.
#[test]
fn the_html_report_renders_in_headless_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = model(&root.join("scenarios/ukraine-peace-framework.toml"));
    let html = report::render(&model, Format::Html, Graph::Decisions);
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let out = tmp.parent().unwrap_or(tmp).join("report-screenshots");
    std::fs::create_dir_all(&out).unwrap();
    let page = out.join("ukraine-peace-framework.html");
    std::fs::write(&page, &html).unwrap();
    let png = out.join("ukraine-peace-framework.png");
    let _ = std::fs::remove_file(&png);
    // Wide enough for the whole graph (the page scrolls it sideways in a narrower window), so
    // the screenshot shows every box and label.
    let svg = &html[html.find("<svg class=\"decision-graph\"").unwrap()..];
    let width_at = svg.find(" width=\"").unwrap() + " width=\"".len();
    let graph_width: f64 = svg[width_at..width_at + svg[width_at..].find('"').unwrap()]
        .parse()
        .unwrap();
    let window = format!(
        "--window-size={},3200",
        (graph_width as u32 + 120).max(1400)
    );

    let (_, log) = run_chromium(
        &page,
        &tmp.join("chromium-profile-screenshot"),
        &[format!("--screenshot={}", png.display()), window],
    );
    let problems = console_problems(&log);
    assert!(
        problems.is_empty(),
        "console errors:\n{}",
        problems.join("\n")
    );
    assert!(png.exists(), "no screenshot written:\n{log}");

    let (dom, _) = run_chromium(
        &page,
        &tmp.join("chromium-profile-dom"),
        &["--dump-dom".to_owned()],
    );
    assert!(
        dom.contains("<svg class=\"decision-graph\""),
        "no graph in the DOM"
    );
    assert!(
        dom.contains("<table class=\"outcomes\">"),
        "no outcome table in the DOM"
    );
    assert!(
        dom.contains("talks_drag_on"),
        "the most likely outcome is missing"
    );

    // Colours from the page's style sheet: the forecast bars and the decision boxes.
    let bars = pixels_like(&png, [0x5b, 0x7f, 0xc0]);
    let boxes = pixels_like(&png, [0xee, 0xf3, 0xfb]);
    assert!(bars > 200, "outcome bars not visible ({bars} pixels)");
    assert!(boxes > 2000, "decision graph not visible ({boxes} pixels)");
}

/// The bundled scenarios (`scenarios/*.toml`), each with its name without the extension.
fn bundled() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    all_scenarios()
        .into_iter()
        .filter(|p| p.starts_with(&root))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect()
}

/// A folder for one test's pages, PDFs and browser profiles.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of a report page for a probe: the page's Content-Security-Policy (which allows no
/// script) is dropped and `head` is added, so the test can measure the page as Chromium lays
/// it out. The report itself never carries a script.
fn probe_copy(html: &str, head: &str) -> String {
    let csp_start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let csp_end = csp_start + html[csp_start..].find(">\n").unwrap() + 2;
    let without = format!("{}{}", &html[..csp_start], &html[csp_end..]);
    without.replacen("</head>", &format!("{head}\n</head>"), 1)
}

/// Measures, at 1400 × 900, every outcome box of the drawn (fitted) graph: its left and
/// right edge on the page, the page's scroll width and the graph box's own scroll width.
const BOX_PROBE: &str = r#"<script>
addEventListener('load', () => {
  const figure = document.querySelector('#graph > figure.graph');
  const svg = figure.querySelector('svg.decision-graph');
  const scroller = figure.querySelector('.graph-scroll');
  const boxes = [...svg.querySelectorAll('g.node.outcome')].map(g => {
    const r = g.querySelector('rect').getBoundingClientRect();
    return { id: g.getAttribute('data-id'), left: r.left, right: r.right, width: r.width };
  });
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({
    viewport: innerWidth,
    page: document.documentElement.scrollWidth,
    scroller: scroller.scrollWidth, scroller_client: scroller.clientWidth,
    boxes,
  });
  document.body.appendChild(out);
});
</script>"#;

/// Issue 17: for each bundled scenario, the drawn decision graph shows every one of its
/// outcome boxes at 1400 × 900 without horizontal scrolling: each box lies inside the
/// window, the page is no wider than the window, and the graph's own box does not scroll.
/// The boxes are measured by Chromium's layout (a probe script in a copy of the page).
#[test]
fn the_drawn_graph_fits_a_1400_px_window() {
    let tmp = scratch("graph-fits");
    for (name, path) in bundled() {
        let html = report::render(&model(&path), Format::Html, Graph::Decisions);
        // The outcome boxes the page draws in its fitted graph, from the HTML itself.
        let figure = &html[html.find("<figure class=\"graph\">").unwrap()..];
        let figure = &figure[..figure.find("</figure>").unwrap()];
        let drawn = figure.matches("<g class=\"node outcome").count();
        assert!(drawn >= 1, "{name}: no outcome in the drawn graph");
        let page = tmp.join(format!("{name}.html"));
        std::fs::write(&page, probe_copy(&html, BOX_PROBE)).unwrap();
        let (dom, _) = run_chromium(
            &page,
            &tmp.join(format!("profile-{name}")),
            &[
                "--dump-dom".to_owned(),
                "--window-size=1400,900".to_owned(),
                "--virtual-time-budget=5000".to_owned(),
            ],
        );
        let start = dom.find("<pre id=\"probe\">").unwrap_or_else(|| {
            panic!(
                "{name}: the probe did not run:\n{}",
                &dom[..dom.len().min(400)]
            )
        }) + "<pre id=\"probe\">".len();
        let json = &dom[start..start + dom[start..].find("</pre>").unwrap()];
        let probe: serde_json::Value =
            serde_json::from_str(&json.replace("&amp;", "&").replace("&quot;", "\"")).unwrap();
        let viewport = probe["viewport"].as_f64().unwrap();
        assert_eq!(viewport, 1400.0, "{name}: {probe}");
        assert!(
            probe["page"].as_f64().unwrap() <= viewport,
            "{name}: the page scrolls sideways: {probe}"
        );
        assert!(
            probe["scroller"].as_f64().unwrap() <= probe["scroller_client"].as_f64().unwrap(),
            "{name}: the graph scrolls sideways: {probe}"
        );
        let boxes = probe["boxes"].as_array().unwrap();
        assert_eq!(boxes.len(), drawn, "{name}: {probe}");
        for b in boxes {
            let (left, right) = (b["left"].as_f64().unwrap(), b["right"].as_f64().unwrap());
            assert!(
                left >= 0.0 && right <= viewport && b["width"].as_f64().unwrap() > 10.0,
                "{name}: outcome box {b} is not inside the window"
            );
        }
    }
}

/// Where poppler's `pdftotext` lives; `CASUS_PDFTOTEXT` may name another.
fn pdftotext() -> PathBuf {
    let path = std::env::var_os("CASUS_PDFTOTEXT")
        .map_or_else(|| PathBuf::from("/usr/bin/pdftotext"), PathBuf::from);
    assert!(
        path.exists(),
        "pdftotext is needed to read the printed report and `{}` does not exist: install \
         Debian's package with `apt-get install -y poppler-utils` (.ci/chromium does), or point \
         CASUS_PDFTOTEXT at it",
        path.display()
    );
    path
}

/// Runs of white space as one space, so text wrapped across lines in the PDF still matches.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Issue 17: the printed report (Chromium's `--print-to-pdf`, A4 by the print style sheet)
/// holds every outcome's title, every rule's `because` and every actor's name, as
/// `pdftotext` reads them back.
#[test]
fn the_printed_report_holds_the_model() {
    let tmp = scratch("printed");
    for (name, path) in bundled() {
        let model = model(&path);
        let page = tmp.join(format!("{name}.html"));
        std::fs::write(
            &page,
            report::render(&model, Format::Html, Graph::Decisions),
        )
        .unwrap();
        let pdf = tmp.join(format!("{name}.pdf"));
        let _ = std::fs::remove_file(&pdf);
        run_chromium(
            &page,
            &tmp.join(format!("profile-{name}")),
            &[
                format!("--print-to-pdf={}", pdf.display()),
                "--no-pdf-header-footer".to_owned(),
            ],
        );
        let out = std::process::Command::new(pdftotext())
            .arg("-raw")
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pdftotext failed on {}",
            pdf.display()
        );
        let text = squeeze(&String::from_utf8(out.stdout).unwrap());
        let scenario = source(&path);
        let parsed = casus_core::load::load(&scenario, &Limits::default())
            .scenario
            .unwrap();
        let mut wanted: Vec<(&str, String)> = Vec::new();
        wanted.extend(
            parsed
                .outcomes
                .iter()
                .map(|o| ("outcome title", o.title.clone())),
        );
        wanted.extend(parsed.actors.iter().map(|a| ("actor name", a.name.clone())));
        wanted.extend(
            parsed
                .rules
                .iter()
                .filter_map(|r| r.because.clone().map(|b| ("rule's because", b))),
        );
        assert!(wanted.len() > 10, "{name}: {wanted:?}");
        for (what, needle) in wanted {
            assert!(
                text.contains(&squeeze(&needle)),
                "{name}: the PDF lacks the {what} “{needle}”"
            );
        }
    }
}

/// The screenshots shown in README.md, each of one part of the bundled scenario's report at
/// 1400 px: (file in docs/img, the section shown or `None` for the top of the page, window
/// height).
const SCREENSHOTS: [(&str, Option<&str>, u32); 3] = [
    ("report-forecast.png", None, 900),
    ("report-graph.png", Some("graph"), 1380),
    ("report-tornado.png", Some("sensitivity"), 1100),
];

/// Issue 17: the screenshots in docs/img/ are what the report looks like today. Each is taken
/// again and compared with the committed one, allowing for anti-aliasing (at most 3 % of the
/// pixels may differ). To refresh them after a change to the report:
/// `UPDATE_SCREENSHOTS=1 cargo test --test reports the_screenshots_in_the_docs_are_fresh`.
#[test]
fn the_screenshots_in_the_docs_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let html = report::render(
        &model(&root.join("scenarios/ukraine-peace-framework.toml")),
        Format::Html,
        Graph::Decisions,
    );
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&tmp).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let update = std::env::var_os("UPDATE_SCREENSHOTS").is_some();
    for (file, section, height) in SCREENSHOTS {
        // Only the section shown: the others are hidden by a style in a copy of the page.
        let page_html = match section {
            None => html.clone(),
            Some(id) => html.replacen(
                "</head>",
                &format!(
                    "<style>main > *:not(#{id}) {{ display: none; }} details.all-branches {{ display: none; }}</style>\n</head>"
                ),
                1,
            ),
        };
        let page = tmp.join(file.replace(".png", ".html"));
        std::fs::write(&page, page_html).unwrap();
        let png = tmp.join(file);
        let _ = std::fs::remove_file(&png);
        run_chromium(
            &page,
            &tmp.join(format!("profile-{file}")),
            &[
                format!("--screenshot={}", png.display()),
                format!("--window-size=1400,{height}"),
            ],
        );
        let committed = root.join("docs/img").join(file);
        if update {
            std::fs::create_dir_all(committed.parent().unwrap()).unwrap();
            std::fs::copy(&png, &committed).unwrap();
        }
        assert!(
            readme.contains(&format!("docs/img/{file}")),
            "README.md does not show docs/img/{file}"
        );
        let refresh = "refresh with `UPDATE_SCREENSHOTS=1 cargo test --test reports the_screenshots_in_the_docs_are_fresh`";
        assert!(committed.exists(), "docs/img/{file} is missing: {refresh}");
        let differ = differing_pixels(&png, &committed);
        assert!(
            differ <= 0.03,
            "docs/img/{file} is stale ({:.1} % of its pixels differ from the report today): {refresh}",
            differ * 100.0
        );
    }
}

/// The RGB pixels of a PNG, with its width and height.
fn rgb(png: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert!(channels >= 3 && info.bit_depth == png::BitDepth::Eight);
    let pixels = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|px| [px[0], px[1], px[2]])
        .collect();
    (info.width, info.height, pixels)
}

/// The share of pixels that differ by more than a faint anti-aliasing shade; 1 when the sizes
/// differ.
fn differing_pixels(a: &Path, b: &Path) -> f64 {
    let (wa, ha, pa) = rgb(a);
    let (wb, hb, pb) = rgb(b);
    if (wa, ha) != (wb, hb) {
        return 1.0;
    }
    let differ = pa
        .iter()
        .zip(&pb)
        .filter(|(x, y)| (0..3).any(|c| x[c].abs_diff(y[c]) > 24))
        .count();
    differ as f64 / pa.len().max(1) as f64
}

/// Issue 17: `casus eval` and `casus report` print the same numbers the same way. `eval`
/// prints the engine's raw probabilities and payoffs, the report the ones its model rounded
/// to 12 decimals; both go through one formatter, so every outcome's probability and range
/// and every expected payoff reads alike in both.
#[test]
fn eval_and_report_print_the_same_numbers() {
    use casus_report::text::{payoff, percent, percent_range};
    for (_, path) in bundled() {
        let session = casus_rules::session::Session::open(
            source(&path),
            casus_rules::session::Options::default(),
        );
        let (scenario, evaluation) = (session.scenario().unwrap(), session.evaluation().unwrap());
        let model = model(&path);
        let info_of = |id: &str| model.forecast.outcomes.iter().find(|x| x.id == id).unwrap();
        let ranges: Vec<(f64, f64)> = scenario
            .outcomes
            .iter()
            .map(|o| (info_of(&o.id.name).range[0], info_of(&o.id.name).range[1]))
            .collect();
        let eval = casus_report::eval::render_human(scenario, evaluation, Some(&ranges));
        let md = report::render(&model, Format::Markdown, Graph::Decisions);
        for (i, o) in scenario.outcomes.iter().enumerate() {
            let raw = evaluation.outcomes[i].probability;
            let info = info_of(&o.id.name);
            assert_eq!(percent(raw), percent(info.probability), "{}", o.id.name);
            let line = eval
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{} ", o.id.name)))
                .unwrap();
            assert!(line.contains(&percent(raw)), "{line}");
            let row = md
                .lines()
                .find(|l| l.starts_with(&format!("| [`{}`]", o.id.name)))
                .unwrap();
            assert!(
                row.contains(&format!("| {} |", percent(info.probability))),
                "{row}"
            );
            if info.range[0] < info.range[1] {
                let range = percent_range(info.range[0], info.range[1]);
                assert!(
                    line.contains(&range) && row.contains(&range),
                    "{line}\n{row}"
                );
            }
        }
        for (a, p) in scenario.actors.iter().zip(&evaluation.strategy.payoffs) {
            let text = format!("{} {}", a.id.name, payoff(*p));
            let report_value = model
                .strategy
                .payoffs
                .iter()
                .find(|v| v.actor == a.id.name)
                .unwrap();
            assert_eq!(payoff(*p), payoff(report_value.value), "{}", a.id.name);
            assert!(eval.contains(&text), "eval lacks `{text}`");
        }
    }
}

/// Issue 17: the HTML and Markdown reports never send the reader to another report for the
/// rows they leave out ("4 smaller effects are in the JSON report"); the rest opens in place.
#[test]
fn reports_show_what_they_leave_out_in_place() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = model(&root.join("scenarios/ukraine-peace-framework.toml"));
    let more = model.sensitivity.tornado.len() - casus_report::report::model::TORNADO_ROWS;
    assert!(more > 0);
    for format in [Format::Markdown, Format::Html] {
        let text = report::render(&model, format, Graph::Decisions);
        assert!(!text.contains("JSON report"), "{format:?}");
        assert!(
            text.contains(&format!("<summary>{more} smaller effects</summary>")),
            "{format:?}"
        );
    }
}
