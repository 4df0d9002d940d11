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
        "{reports/*.toml,valid/design-example.toml}",
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
        "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2",
        "h3", "p", "section", "table", "thead", "tbody", "tr", "th", "td", "div", "span", "code",
        "strong", "ul", "ol", "li", "details", "summary", "br", "svg", "defs", "marker", "path",
        "g", "rect", "text", "tspan",
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
        "table", "tr", "td", "th", "p", "section", "details", "summary", "svg", "g", "text",
        "tspan", "title", "ul", "ol", "li", "code", "span", "div",
    ] {
        let (open, close) = counts.get(name).copied().unwrap_or_default();
        assert_eq!(
            open, close,
            "<{name}> opened {open} times, closed {close} times"
        );
    }
    assert_eq!(counts["svg"].0, 1);
    assert_eq!(counts["details"].0, model.forecast.outcomes.len());
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
    let mut in_fence = false;
    let mut fences = 0;
    let mut columns: Option<usize> = None;
    for (n, line) in md.lines().enumerate() {
        if line.starts_with("```") {
            fences += 1;
            in_fence = !in_fence;
            assert!(line == "```mermaid" || line == "```", "line {n}: {line}");
            continue;
        }
        if in_fence {
            // Mermaid statements are indented; nothing from the text starts a line.
            assert!(
                line == "flowchart LR" || line.starts_with("    "),
                "line {n}: {line}"
            );
            continue;
        }
        assert!(!line.contains('<'), "raw `<` on line {n}: {line}");
        if line.starts_with('#') {
            let known = (n == 0 && line.starts_with("# "))
                || line.starts_with("## ")
                || line.starts_with("### ");
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
    assert_eq!(fences, 2, "one Mermaid block, opened and closed");
    assert!(md.lines().next().unwrap().starts_with("# &lt;script&gt;"));
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
        let svg_start = html.find("<svg class=\"decision-graph\"").unwrap();
        let svg = &html[svg_start..html.find("</svg>").unwrap()];
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

/// Where Debian's Chromium lives; `CASUS_CHROMIUM` may name another build.
fn chromium() -> PathBuf {
    let path = std::env::var_os("CASUS_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.exists(),
        "headless Chromium is needed to test the HTML report and `{}` does not exist: \
         install Debian's package with `apt-get update && apt-get install -y chromium` \
         (.ci/run does), or point CASUS_CHROMIUM at a Chromium binary",
        path.display()
    );
    path
}

/// Runs Chromium headless on `page` with `extra` arguments; returns (stdout, stderr). Fails
/// the test when it does not finish within two minutes or exits with an error.
fn run_chromium(page: &Path, profile: &Path, extra: &[String]) -> (String, String) {
    use std::io::Read as _;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let _ = std::fs::remove_dir_all(profile);
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
    assert!(status.success(), "chromium failed ({status}):\n{stderr}");
    (stdout, stderr)
}

/// Pixels of `png` within a few units of `rgb` on every channel.
fn pixels_like(png: &Path, rgb: [u8; 3]) -> usize {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    buf[..info.buffer_size()]
        .chunks_exact(channels)
        .filter(|px| (0..3).all(|c| px[c].abs_diff(rgb[c]) <= 3))
        .count()
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
    let problems: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.contains("CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Refused to")
                || l.contains("Content Security Policy")
        })
        .collect();
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
