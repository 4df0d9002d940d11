//! `casus score --format md|html`: the track record as a document.
//!
//! The document is built once from [`ScoreOutput`] — the same struct the JSON prints — as
//! headed sections of prose and tables (`Block`); `markdown.rs` and `html.rs` print it, and
//! the HTML page adds the calibration chart (`chart.rs`). Numbers are formatted here, once, so
//! the two formats agree to the digit.

mod chart;
mod escape;
mod html;
mod markdown;

use crate::output::score::{FileState, ScoreOutput, ScoresOut};

pub use html::render as html;
pub use markdown::render as markdown;

/// One piece of the document.
#[derive(Clone, Debug, PartialEq)]
enum Block {
    /// A section heading.
    Heading(String),
    /// A paragraph of casus's own prose (numbers and fixed words, never user text, which goes
    /// in tables, whose cells are escaped for each format).
    Text(String),
    /// A table: a class name for the HTML page, the header, the rows (plain text cells).
    Table(&'static str, Vec<String>, Vec<Vec<String>>),
    /// The calibration chart (HTML only; Markdown has the table beside it).
    Chart,
}

/// A number with three decimals.
fn n3(x: f64) -> String {
    let s = format!("{x:.3}");
    if s == "-0.000" { "0.000".to_owned() } else { s }
}

fn opt3(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), n3)
}

fn percent(p: f64) -> String {
    crate::text::percent(p)
}

fn short(commit: Option<&str>) -> String {
    commit.map_or_else(|| "on disk".to_owned(), |c| c.chars().take(12).collect())
}

const SCORE_HEADER: [&str; 10] = [
    "forecasts",
    "Brier",
    "binary Brier",
    "log score",
    "CI",
    "DI",
    "VI",
    "DI/VI",
    "over/under",
    "events",
];

fn score_cells(s: &ScoresOut) -> Vec<String> {
    vec![
        s.forecasts.to_string(),
        n3(s.brier),
        n3(s.binary_brier),
        opt3(s.log_score),
        n3(s.calibration_index),
        n3(s.discrimination_index),
        n3(s.uncertainty),
        opt3(s.normalised_discrimination),
        opt3(s.overconfidence),
        s.events.to_string(),
    ]
}

fn header(first: &str, rest: &[&str]) -> Vec<String> {
    std::iter::once(first)
        .chain(rest.iter().copied())
        .map(str::to_owned)
        .collect()
}

/// The document of `out`.
fn document(out: &ScoreOutput) -> Vec<Block> {
    let mut blocks = vec![Block::Heading("Track record".to_owned())];
    let count = |state: FileState| out.files.iter().filter(|f| f.state == state).count();
    let forecasts: usize = out
        .files
        .iter()
        .map(|f| f.forecasts.iter().filter(|x| x.analyst.is_none()).count())
        .sum();
    blocks.push(Block::Text(format!(
        "{} file(s) scored with {forecasts} forecast(s) of record; {} open, {} with errors. \
         Brier is the multi-outcome score (sum over outcomes, 0 best, 2 worst); binary Brier, \
         the calibration index CI, the discrimination index DI and the outcome variance VI \
         read each outcome of each forecast as one event (docs/scoring.md says how to read \
         them).",
        count(FileState::Scored),
        count(FileState::Open),
        count(FileState::Invalid) + count(FileState::Empty),
    )));
    blocks.push(Block::Heading("Library".to_owned()));
    match &out.library {
        Some(s) => {
            blocks.push(Block::Table(
                "scores",
                header("scope", &SCORE_HEADER),
                vec![[vec!["library".to_owned()], score_cells(s)].concat()],
            ));
            blocks.push(Block::Text(format!(
                "Decomposition of the Brier score of the events rounded to the nearest tenth: {} = CI {} − DI {} + VI {}.",
                n3(s.binned_brier),
                n3(s.calibration_index),
                n3(s.discrimination_index),
                n3(s.uncertainty)
            )));
        }
        None => blocks.push(Block::Text("No forecast of record to score.".to_owned())),
    }
    blocks.push(Block::Heading("Calibration".to_owned()));
    blocks.push(Block::Text(format!(
        "Binning: {}. Interval: {}.",
        out.calibration.binning, out.calibration.interval
    )));
    blocks.push(Block::Chart);
    blocks.push(Block::Table(
        "calibration",
        header(
            "bin",
            &["events", "mean forecast", "observed", "95 % interval"],
        ),
        out.calibration
            .bins
            .iter()
            .map(|b| {
                vec![
                    format!("{:.1}–{:.1}", b.lower, b.upper),
                    b.count.to_string(),
                    percent(b.mean_forecast),
                    percent(b.observed),
                    format!("{} – {}", percent(b.low), percent(b.high)),
                ]
            })
            .collect(),
    ));
    blocks.push(Block::Heading("Worst misses".to_owned()));
    blocks.push(Block::Table(
        "misses",
        header(
            "file",
            &[
                "date",
                "commit",
                "most likely",
                "happened",
                "p(happened)",
                "Brier",
            ],
        ),
        out.worst_misses
            .iter()
            .map(|m| {
                vec![
                    m.file.clone(),
                    m.date.clone(),
                    short(m.commit.as_deref()),
                    m.expected.clone(),
                    m.happened
                        .clone()
                        .unwrap_or_else(|| "none of these".to_owned()),
                    percent(m.probability),
                    n3(m.brier),
                ]
            })
            .collect(),
    ));
    blocks.push(Block::Heading("Per scenario".to_owned()));
    blocks.push(Block::Table(
        "scores",
        header("file", &[&["happened"][..], &SCORE_HEADER[..]].concat()),
        out.files
            .iter()
            .filter_map(|f| {
                let s = f.scores.as_ref()?;
                Some(
                    [
                        vec![
                            f.file.clone(),
                            f.happened
                                .clone()
                                .unwrap_or_else(|| "none of these".to_owned()),
                        ],
                        score_cells(s),
                    ]
                    .concat(),
                )
            })
            .collect(),
    ));
    for (title, class, list) in [
        ("Per analyst", "analyst", &out.analysts),
        ("Per tag", "tag", &out.tags),
    ] {
        if list.0.is_empty() {
            continue;
        }
        blocks.push(Block::Heading(title.to_owned()));
        blocks.push(Block::Table(
            "scores",
            header(class, &SCORE_HEADER),
            list.0
                .iter()
                .map(|(k, s)| [vec![k.clone()], score_cells(s)].concat())
                .collect(),
        ));
    }
    blocks.push(Block::Heading(
        "Recalibration (offered, not applied)".to_owned(),
    ));
    match &out.recalibration {
        Some(r) => {
            blocks.push(Block::Text(format!(
                "Fitted on {} forecast(s): a = {} (every log-odds times a; above 1 sharpens, below 1 flattens). Out of sample: each scenario recalibrated with a fitted on the other scenarios only.",
                r.forecasts,
                n3(r.a)
            )));
            blocks.push(Block::Table(
                "recalibration",
                header(
                    "",
                    &[
                        "as forecast",
                        "recalibrated, in sample",
                        "recalibrated, out of sample",
                    ],
                ),
                vec![
                    vec![
                        "Brier".to_owned(),
                        n3(r.brier_before),
                        n3(r.brier_in_sample),
                        opt3(r.brier_out_of_sample),
                    ],
                    vec![
                        "log score".to_owned(),
                        n3(r.log_before),
                        n3(r.log_in_sample),
                        opt3(r.log_out_of_sample),
                    ],
                ],
            ));
        }
        None => blocks.push(Block::Text(
            "Nothing to fit: no forecast's outcome was one of its own.".to_owned(),
        )),
    }
    let left: Vec<Vec<String>> =
        out.files
            .iter()
            .flat_map(|f| {
                let state = match f.state {
                    FileState::Open => Some("not resolved yet"),
                    FileState::Invalid => Some("the newest version has errors"),
                    FileState::Empty => Some("no version could be read"),
                    FileState::Scored => None,
                };
                state
                    .map(|s| vec![f.file.clone(), "—".to_owned(), s.to_owned()])
                    .into_iter()
                    .chain(f.left_out.iter().map(|l| {
                        vec![f.file.clone(), short(l.commit.as_deref()), l.reason.clone()]
                    }))
            })
            .collect();
    if !left.is_empty() {
        blocks.push(Block::Heading("Left out".to_owned()));
        blocks.push(Block::Table(
            "left-out",
            header("file", &["commit", "why"]),
            left,
        ));
    }
    blocks
}
