//! The calibration chart: each bin's mean forecast against the share that happened, with its
//! 95 % Wilson interval as a vertical bar and its count beside it; the diagonal is perfect
//! calibration. Points above the diagonal are underconfident, below it overconfident.

use std::fmt::Write as _;

use crate::output::score::BinOut;

/// Side of the plot area, in pixels.
const SIDE: f64 = 300.0;
/// Margin around it, for the axes' labels.
const MARGIN: f64 = 44.0;

fn x(p: f64) -> f64 {
    MARGIN + SIDE * p
}

fn y(p: f64) -> f64 {
    MARGIN + SIDE * (1.0 - p)
}

/// The chart as inline SVG.
pub(super) fn svg(bins: &[BinOut]) -> String {
    let size = SIDE + 2.0 * MARGIN;
    let mut s = format!(
        "<svg class=\"calibration-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{size}\" height=\"{size}\" viewBox=\"0 0 {size} {size}\" role=\"img\" aria-label=\"calibration curve\">\n"
    );
    let _ = writeln!(
        s,
        "<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/><line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{3}\"/>",
        x(0.0),
        y(0.0),
        x(1.0),
        y(1.0)
    );
    let _ = writeln!(
        s,
        "<line class=\"diagonal\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        x(0.0),
        y(0.0),
        x(1.0),
        y(1.0)
    );
    for tick in 0..=10 {
        let p = f64::from(tick) / 10.0;
        if tick % 2 == 0 {
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{p:.1}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{p:.1}</text>",
                x(p),
                y(0.0) + 16.0,
                x(0.0) - 6.0,
                y(p) + 4.0
            );
        }
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">forecast</text><text x=\"12\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {:.1})\">observed</text>",
        x(0.5),
        size - 6.0,
        y(0.5),
        y(0.5)
    );
    for b in bins {
        let _ = writeln!(
            s,
            "<line class=\"bar\" x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{2:.1}\"/><circle class=\"point\" cx=\"{0:.1}\" cy=\"{3:.1}\" r=\"5\"/><text x=\"{4:.1}\" y=\"{5:.1}\">{6}</text>",
            x(b.mean_forecast),
            y(b.low),
            y(b.high),
            y(b.observed),
            x(b.mean_forecast) + 7.0,
            y(b.observed) - 6.0,
            b.count
        );
    }
    s.push_str("</svg>\n");
    s
}
