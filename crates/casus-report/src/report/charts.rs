//! The report's charts as inline SVG, drawn from numbers alone (no script, no font metrics
//! beyond a fixed cell width): the forecast with its ranges, the tornado, the sampled spread
//! and the value of information.
//!
//! Every probability axis runs from 0 to 100 %, so charts compare with each other and with
//! the reader's sense of scale; the tornado, which shows swings around a point, is the one
//! exception, and says so on its axis. Ids and titles go through [`html`] like all text.

use std::fmt::Write as _;

use super::escape::html;
use super::model::{ActorInfo, InformationInfo, OutcomeInfo, SamplingInfo, TornadoInfo};
use super::svg::num;
use crate::text::{payoff, percent};

/// The width of every chart, in pixels; the page scales it down, never up.
const WIDTH: f64 = 820.0;
/// Where the label column ends and the plot begins.
const PLOT_LEFT: f64 = 300.0;
/// Where the plot ends.
const PLOT_RIGHT: f64 = 790.0;
/// The height of one row.
const ROW: f64 = 24.0;
/// Space above the first row for the axis labels.
const TOP: f64 = 26.0;
/// Most characters of a label (an id, with its number).
const LABEL: usize = 40;

/// An x position on the 0–1 axis.
fn x_of(p: f64) -> f64 {
    PLOT_LEFT + p.clamp(0.0, 1.0) * (PLOT_RIGHT - PLOT_LEFT)
}

fn open(out: &mut String, height: f64, label: &str) {
    let _ = writeln!(
        out,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{}">"#,
        html(label),
        w = num(WIDTH),
        h = num(height)
    );
}

/// The 0–100 % axis: grid lines every 25 % with their labels.
fn percent_axis(out: &mut String, bottom: f64) {
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let x = x_of(tick);
        let _ = writeln!(
            out,
            r#"<line class="grid" x1="{x}" y1="{}" x2="{x}" y2="{}"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"#,
            num(TOP - 6.0),
            num(bottom),
            num(TOP - 10.0),
            format_args!("{} %", tick * 100.0),
            x = num(x)
        );
    }
}

/// A row label (an id and a number), clipped so it never runs into the plot.
fn label(out: &mut String, y: f64, name: &str, value: &str) {
    let name = crate::text::clip(name, LABEL - value.chars().count() - 2);
    let _ = writeln!(
        out,
        r#"<text x="4" y="{}">{}</text><text x="{}" y="{}" text-anchor="end">{}</text>"#,
        num(y + ROW / 2.0 + 4.0),
        html(&name),
        num(PLOT_LEFT - 8.0),
        num(y + ROW / 2.0 + 4.0),
        html(value)
    );
}

/// The forecast: a bar per outcome at its probability, with a whisker over its range.
pub(crate) fn forecast(outcomes: &[OutcomeInfo]) -> String {
    let height = TOP + ROW * outcomes.len() as f64 + 6.0;
    let mut out = String::new();
    open(&mut out, height, "forecast with ranges");
    percent_axis(&mut out, height - 4.0);
    for (i, o) in outcomes.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        label(&mut out, y, &o.id, &percent(o.probability));
        let mid = y + ROW / 2.0;
        let _ = writeln!(
            out,
            r#"<rect class="point" x="{}" y="{}" width="{}" height="10"><title>{}: {}</title></rect>"#,
            num(x_of(0.0)),
            num(mid - 5.0),
            num(x_of(o.probability) - x_of(0.0)),
            html(&o.id),
            html(&percent(o.probability))
        );
        if o.range[0] < o.range[1] {
            let (lo, hi) = (x_of(o.range[0]), x_of(o.range[1]));
            let _ = writeln!(
                out,
                r#"<path class="whisker" d="M{lo},{} V{} M{lo},{} H{hi} M{hi},{} V{}" fill="none"/>"#,
                num(mid - 6.0),
                num(mid + 6.0),
                num(mid),
                num(mid - 6.0),
                num(mid + 6.0),
                lo = num(lo),
                hi = num(hi)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Rows of the tornado drawn per outcome (the table lists them all).
const TORNADO_BARS: usize = 8;

/// A tornado per outcome that any likelihood band moves: centred on the outcome's point
/// estimate, one bar per decision from the probability at its low band to the one at its
/// high band, the largest swing on top. The axis is the same for every panel: the point
/// plus or minus the largest deviation of any bar, so bars compare across panels.
pub(crate) fn tornado(outcomes: &[OutcomeInfo], rows: &[TornadoInfo]) -> String {
    let panels: Vec<(&OutcomeInfo, Vec<&TornadoInfo>)> = outcomes
        .iter()
        .filter_map(|o| {
            let mut bars: Vec<&TornadoInfo> = rows.iter().filter(|r| r.outcome == o.id).collect();
            // Largest swing first; the sort is stable, so equal swings keep the table's order.
            bars.sort_by(|a, b| b.swing.total_cmp(&a.swing));
            bars.truncate(TORNADO_BARS);
            (!bars.is_empty()).then_some((o, bars))
        })
        .collect();
    let reach = panels
        .iter()
        .flat_map(|(o, bars)| {
            bars.iter()
                .map(move |b| (o.probability - b.low).max(b.high - o.probability))
        })
        .fold(0.0_f64, f64::max)
        .max(0.001);
    let half = (PLOT_RIGHT - PLOT_LEFT) / 2.0;
    let centre = PLOT_LEFT + half;
    let x = |point: f64, p: f64| centre + ((p - point) / reach).clamp(-1.0, 1.0) * half;
    let rows_drawn: usize = panels.iter().map(|(_, b)| b.len() + 1).sum();
    let height = TOP + ROW * rows_drawn as f64 + 6.0;
    let mut out = String::new();
    open(&mut out, height, "tornado per outcome");
    let _ = writeln!(
        out,
        r#"<text x="{}" y="{}" text-anchor="middle">point estimate</text><text x="{}" y="{}" text-anchor="start">−{}</text><text x="{}" y="{}" text-anchor="end">+{}</text>"#,
        num(centre),
        num(TOP - 10.0),
        num(PLOT_LEFT),
        num(TOP - 10.0),
        html(&crate::text::points(reach).replace(['+', '-'], "")),
        num(PLOT_RIGHT),
        num(TOP - 10.0),
        html(&crate::text::points(reach).replace(['+', '-'], ""))
    );
    let mut y = TOP;
    for (o, bars) in &panels {
        let _ = writeln!(
            out,
            r#"<text x="4" y="{}" class="panel"><tspan font-weight="700">{}</tspan> at {}</text>"#,
            num(y + ROW / 2.0 + 4.0),
            html(&crate::text::clip(&o.id, LABEL)),
            html(&percent(o.probability))
        );
        let top = y;
        y += ROW;
        for b in bars {
            label(
                &mut out,
                y,
                &b.decision,
                &format!("{}–{}", percent(b.low), percent(b.high)),
            );
            let mid = y + ROW / 2.0;
            let (lo, pt, hi) = (x(o.probability, b.low), centre, x(o.probability, b.high));
            let _ = writeln!(
                out,
                r#"<rect class="low" x="{}" y="{}" width="{}" height="12"/><rect class="high" x="{}" y="{}" width="{}" height="12"/>"#,
                num(lo),
                num(mid - 6.0),
                num(pt - lo),
                num(pt),
                num(mid - 6.0),
                num(hi - pt)
            );
            y += ROW;
        }
        let _ = writeln!(
            out,
            r#"<line class="centre" x1="{c}" y1="{}" x2="{c}" y2="{}"/>"#,
            num(top + ROW - 2.0),
            num(y),
            c = num(centre)
        );
    }
    out.push_str("</svg>");
    out
}

/// The sampled distribution per outcome: a box from the 5th to the 95th percentile, the
/// median as a line and the point estimate as a dot, on a 0–100 % axis.
pub(crate) fn spread(sampling: &SamplingInfo) -> String {
    let height = TOP + ROW * sampling.outcomes.len() as f64 + 6.0;
    let mut out = String::new();
    open(&mut out, height, "sampled distribution per outcome");
    percent_axis(&mut out, height - 4.0);
    for (i, o) in sampling.outcomes.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        label(
            &mut out,
            y,
            &o.outcome,
            &format!("{}–{}", percent(o.p5), percent(o.p95)),
        );
        let mid = y + ROW / 2.0;
        let _ = writeln!(
            out,
            r#"<rect class="band" x="{}" y="{}" width="{}" height="14"/><line class="median" x1="{m}" y1="{}" x2="{m}" y2="{}"/><circle class="point" cx="{}" cy="{}" r="3.5"/>"#,
            num(x_of(o.p5)),
            num(mid - 7.0),
            num((x_of(o.p95) - x_of(o.p5)).max(1.0)),
            num(mid - 8.0),
            num(mid + 8.0),
            num(x_of(o.probability)),
            num(mid),
            m = num(x_of(o.p50))
        );
    }
    out.push_str("</svg>");
    out
}

/// The value of information: per chance event, a bar per actor from zero, gains to the
/// right and losses to the left, on one scale for the whole chart.
pub(crate) fn information(info: &InformationInfo, actors: &[ActorInfo]) -> String {
    let events: Vec<_> = info.events.iter().filter(|e| e.evpi.is_some()).collect();
    let largest = events
        .iter()
        .flat_map(|e| e.evpi.iter().flatten().map(|v| v.value.abs()))
        .fold(0.0_f64, f64::max);
    let has_loss = events
        .iter()
        .flat_map(|e| e.evpi.iter().flatten())
        .any(|v| v.value < 0.0);
    let zero = if has_loss {
        (PLOT_LEFT + PLOT_RIGHT) / 2.0
    } else {
        PLOT_LEFT
    };
    let span = PLOT_RIGHT - zero;
    let x = |v: f64| {
        if largest > 0.0 {
            zero + (v / largest).clamp(-1.0, 1.0) * span
        } else {
            zero
        }
    };
    let rows: usize = events.len() * (actors.len() + 1);
    let height = TOP + ROW * rows as f64 + 6.0;
    let mut out = String::new();
    open(&mut out, height, "value of information per actor");
    let _ = writeln!(
        out,
        r#"<text x="{}" y="{}" text-anchor="middle">0</text><text x="{}" y="{}" text-anchor="end">{}</text>"#,
        num(zero),
        num(TOP - 10.0),
        num(PLOT_RIGHT),
        num(TOP - 10.0),
        html(&payoff(largest))
    );
    let mut y = TOP;
    for e in &events {
        let _ = writeln!(
            out,
            r#"<text x="4" y="{}" font-weight="700">{}</text>"#,
            num(y + ROW / 2.0 + 4.0),
            html(&crate::text::clip(&e.decision, LABEL))
        );
        y += ROW;
        for v in e.evpi.iter().flatten() {
            let name = actors
                .iter()
                .find(|a| a.id == v.actor)
                .map_or(v.actor.as_str(), |a| a.name.as_str());
            label(&mut out, y, name, &payoff(v.value));
            let (a, b) = (x(v.value.min(0.0)), x(v.value.max(0.0)));
            let _ = writeln!(
                out,
                r#"<rect class="{}" x="{}" y="{}" width="{}" height="12"/>"#,
                if v.value < 0.0 { "loss" } else { "gain" },
                num(a),
                num(y + ROW / 2.0 - 6.0),
                num(b - a)
            );
            y += ROW;
        }
    }
    let _ = writeln!(
        out,
        r#"<line class="axis" x1="{z}" y1="{}" x2="{z}" y2="{}"/>"#,
        num(TOP - 4.0),
        num(y),
        z = num(zero)
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{ActorValue, EventInfo};

    /// The numbers of every `<rect class="CLASS" …>`: x and width.
    fn rects(svg: &str, class: &str) -> Vec<(f64, f64)> {
        let key = format!("<rect class=\"{class}\" ");
        svg.match_indices(&key)
            .map(|(i, _)| {
                let tag = &svg[i..i + svg[i..].find('>').unwrap()];
                let attr = |name: &str| -> f64 {
                    let k = format!(" {name}=\"");
                    let s = tag.find(&k).unwrap() + k.len();
                    tag[s..s + tag[s..].find('"').unwrap()].parse().unwrap()
                };
                (attr("x"), attr("width"))
            })
            .collect()
    }

    fn outcome(id: &str, p: f64, range: [f64; 2]) -> OutcomeInfo {
        OutcomeInfo {
            id: id.to_owned(),
            title: id.to_owned(),
            probability: p,
            range,
            words: "",
            reachable: true,
            strategic_probability: 0.0,
            payoffs: Vec::new(),
            when: None,
            doc: None,
        }
    }

    #[test]
    fn forecast_bars_run_from_zero_on_a_0_to_100_axis() {
        let svg = forecast(&[
            outcome("a", 0.25, [0.2, 0.3]),
            outcome("b", 1.0, [1.0, 1.0]),
        ]);
        // The plot is 490 px wide (300 to 790): 25 % is 122.5 px, 100 % all of it.
        assert_eq!(rects(&svg, "point"), [(300.0, 122.5), (300.0, 490.0)]);
        // One whisker, for the outcome with a range: from 20 % (398) to 30 % (447).
        assert_eq!(svg.matches("class=\"whisker\"").count(), 1);
        assert!(svg.contains("M398,"), "{svg}");
        assert!(svg.contains("H447"), "{svg}");
        assert!(svg.contains(">100 %</text>"));
    }

    #[test]
    fn the_tornado_is_centred_on_the_point_and_sorted_by_swing() {
        let row = |decision: &str, low: f64, high: f64| TornadoInfo {
            decision: decision.to_owned(),
            outcome: "a".to_owned(),
            low,
            high,
            swing: high - low,
        };
        let svg = tornado(
            &[outcome("a", 0.5, [0.3, 0.6])],
            &[row("small", 0.45, 0.55), row("large", 0.3, 0.6)],
        );
        // The largest deviation is 0.2 (0.5 − 0.3), the half width 245 px around x = 545.
        let low = rects(&svg, "low");
        let high = rects(&svg, "high");
        // `large` first: low side 0.2 → 245 px left of the centre, high side 0.1 → 122.5 px.
        assert_eq!(low[0], (300.0, 245.0));
        assert_eq!(high[0], (545.0, 122.5));
        // `small`: ±0.05 → 61.25 px each side (coordinates print with one decimal, the
        // exact binary halves to even: 483.75 → 483.8, 61.25 → 61.2).
        assert_eq!(low[1], (483.8, 61.2));
        assert_eq!(high[1], (545.0, 61.2));
        assert!(svg.find(">large<").unwrap() < svg.find(">small<").unwrap());
    }

    #[test]
    fn information_bars_share_one_scale_from_zero() {
        let info = InformationInfo {
            error: None,
            events: vec![EventInfo {
                decision: "luck".to_owned(),
                evpi: Some(vec![
                    ActorValue {
                        actor: "a".to_owned(),
                        value: 2.0,
                    },
                    ActorValue {
                        actor: "b".to_owned(),
                        value: -1.0,
                    },
                ]),
            }],
        };
        let actors = [
            ActorInfo {
                id: "a".to_owned(),
                name: "A".to_owned(),
                doc: None,
            },
            ActorInfo {
                id: "b".to_owned(),
                name: "B".to_owned(),
                doc: None,
            },
        ];
        let svg = information(&info, &actors);
        // A loss moves zero to the middle (545); 2.0 is the whole right half (245 px), −1.0
        // half of the left one.
        assert_eq!(rects(&svg, "gain"), [(545.0, 245.0)]);
        assert_eq!(rects(&svg, "loss"), [(422.5, 122.5)]);
    }
}
