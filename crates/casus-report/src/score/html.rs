//! The score document as one self-contained HTML page: no script, no fetch (its
//! Content-Security-Policy forbids both), the calibration chart as inline SVG.

use super::{Block, chart, document, escape::html};
use crate::output::score::ScoreOutput;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#1d2330}\
table{border-collapse:collapse;margin:0 0 1.5rem}th,td{border:1px solid #c9d2e3;padding:.25rem .5rem;text-align:right}\
th:first-child,td:first-child{text-align:left}th{background:#eef3fb}\
.calibration-chart .point{fill:#5b7fc0}.calibration-chart .bar{stroke:#5b7fc0;stroke-width:2}\
.calibration-chart .diagonal{stroke:#9aa5b8;stroke-dasharray:4 4}.calibration-chart .axis{stroke:#1d2330}\
.calibration-chart text{font-size:11px;fill:#1d2330}";

/// `casus score --format html`.
pub fn render(out: &ScoreOutput) -> String {
    let mut body = String::new();
    let mut first = true;
    for block in document(out) {
        match block {
            Block::Heading(h) => {
                let tag = if first { "h1" } else { "h2" };
                first = false;
                body.push_str(&format!("<{tag}>{}</{tag}>\n", html(&h)));
            }
            Block::Text(t) => body.push_str(&format!("<p>{}</p>\n", html(&t))),
            Block::Table(class, head, rows) => {
                if rows.is_empty() {
                    body.push_str("<p>None.</p>\n");
                    continue;
                }
                body.push_str(&format!("<table class=\"{class}\">\n<thead><tr>"));
                for h in &head {
                    body.push_str(&format!("<th>{}</th>", html(h)));
                }
                body.push_str("</tr></thead>\n<tbody>\n");
                for row in &rows {
                    body.push_str("<tr>");
                    for c in row {
                        body.push_str(&format!("<td>{}</td>", html(c)));
                    }
                    body.push_str("</tr>\n");
                }
                body.push_str("</tbody>\n</table>\n");
            }
            Block::Chart => body.push_str(&chart::svg(&out.calibration.bins)),
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>Track record</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
}
