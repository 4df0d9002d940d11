//! `casus score --format json`: the track record of resolved scenarios, per file, per analyst,
//! per tag and over the library, with the calibration curve, the worst misses and the
//! recalibration offered. The Markdown and HTML renderers (`crate::score`) read this same
//! struct, so the three formats cannot disagree.

use casus_rules::workflow::score::record::{FileRecord, State};
use casus_rules::workflow::score::{self as scoring, Forecast, Scorecard, Scores, metrics};
use schemars::JsonSchema;
use serde::Serialize;

use super::Named;
use crate::text::round;

/// What `casus score --format json` prints.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ScoreOutput {
    /// Over every file's forecasts of record (not the analysts'); `null` when none was scored.
    pub library: Option<ScoresOut>,
    /// Each file, in the order given.
    pub files: Vec<FileOut>,
    /// Per analyst (`likelihood.by`), by id: the forecasts with that analyst's estimates
    /// alone in place of the pool.
    pub analysts: Named<ScoresOut>,
    /// Per tag (`[scenario] tags`), by tag.
    pub tags: Named<ScoresOut>,
    /// The library's calibration curve.
    pub calibration: CalibrationOut,
    /// The library's worst misses (highest Brier score), worst first; at most 10.
    pub worst_misses: Vec<MissOut>,
    /// The recalibration offered, never applied; `null` when no forecast's outcome was one of
    /// its own.
    pub recalibration: Option<RecalibrationOut>,
}

/// The scores of a set of forecasts.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ScoresOut {
    /// How many forecasts.
    pub forecasts: usize,
    /// How many binary events: one per outcome of each forecast.
    pub events: usize,
    /// The mean multi-outcome Brier score, `Σ_k (p_k − o_k)²` per forecast: 0 (best) to 2.
    pub brier: f64,
    /// The mean binary Brier score over the events, `(p − o)²`: 0 (best) to 1.
    pub binary_brier: f64,
    /// The mean log score, `−ln p` of what happened (floored at 2^-52); `null` when no
    /// forecast's outcome was one of its own.
    pub log_score: Option<f64>,
    /// How many forecasts the log score averages (a "none of these" resolution has none).
    pub log_scored: usize,
    /// The Brier score of the events binned to the nearest tenth.
    pub binned_brier: f64,
    /// Reliability, the calibration index CI (0 is perfect).
    pub calibration_index: f64,
    /// Resolution, the discrimination index DI (higher is better).
    pub discrimination_index: f64,
    /// Uncertainty, the outcome index variance VI; `binned_brier = CI − DI + VI`.
    pub uncertainty: f64,
    /// The share of events that happened.
    pub base_rate: f64,
    /// DI / VI (η²); `null` when every event went the same way.
    pub normalised_discrimination: Option<f64>,
    /// Mean confidence minus share correct, over events folded above ½: positive is
    /// overconfident, negative underconfident; `null` when every event is at ½.
    pub overconfidence: Option<f64>,
}

impl From<&Scores> for ScoresOut {
    fn from(s: &Scores) -> Self {
        let d = &s.decomposition;
        Self {
            forecasts: s.forecasts,
            events: s.events,
            brier: round(s.brier),
            binary_brier: round(s.binary_brier),
            log_score: s.log_score.map(round),
            log_scored: s.log_scored,
            binned_brier: round(d.binned_brier),
            calibration_index: round(d.reliability),
            discrimination_index: round(d.resolution),
            uncertainty: round(d.uncertainty),
            base_rate: round(d.base_rate),
            normalised_discrimination: d.normalised_discrimination.map(round),
            overconfidence: s.overconfidence.map(round),
        }
    }
}

/// Where a file stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileState {
    /// Resolved and scored.
    Scored,
    /// Not resolved yet (no `[resolution]` outcome): nothing to score.
    Open,
    /// The newest version has errors; `casus check` shows them.
    Invalid,
    /// No version could be read.
    Empty,
}

/// One file's record.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FileOut {
    /// The file, as given.
    pub file: String,
    /// Where it stands.
    pub state: FileState,
    /// The scenario's title; `null` unless scored.
    pub title: Option<String>,
    /// The outcome that happened; `null` for none of them, or unless scored.
    pub happened: Option<String>,
    /// Its scores over its own forecasts of record; `null` when it has none.
    pub scores: Option<ScoresOut>,
    /// The binary Brier score of each outcome, over the forecasts that have it.
    pub per_outcome: Named<f64>,
    /// Each forecast of record, oldest first (each version's own, then its analysts').
    pub forecasts: Vec<ForecastOut>,
    /// The versions that are not forecasts of record, and why.
    pub left_out: Vec<LeftOutOut>,
}

/// One forecast of record.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ForecastOut {
    /// The commit it was read from; `null` for the file on disk outside git.
    pub commit: Option<String>,
    /// The date it is as of: its `as_of`, else the day of its commit.
    pub date: String,
    /// `null` for the file's forecast; else the analyst whose estimates alone it uses.
    pub analyst: Option<String>,
    /// The probability of each outcome, in file order.
    pub forecast: Named<f64>,
    /// The outcome that happened; `null` when none of these did.
    pub happened: Option<String>,
    /// Its multi-outcome Brier score.
    pub brier: f64,
    /// Its log score; `null` when none of its outcomes happened.
    pub log_score: Option<f64>,
}

/// A version left out of the record.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LeftOutOut {
    /// The commit; `null` for the file on disk.
    pub commit: Option<String>,
    /// Why, as a sentence.
    pub reason: String,
}

/// The calibration curve and how it is drawn.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CalibrationOut {
    /// How events are binned, in words.
    pub binning: String,
    /// Which interval each bin carries, in words.
    pub interval: String,
    /// The non-empty bins, lowest first.
    pub bins: Vec<BinOut>,
}

/// One bin of the calibration curve.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct BinOut {
    /// Lower edge.
    pub lower: f64,
    /// Upper edge.
    pub upper: f64,
    /// Events in the bin.
    pub count: usize,
    /// Their mean forecast.
    pub mean_forecast: f64,
    /// The share of them that happened.
    pub observed: f64,
    /// The 95 % Wilson interval's lower end.
    pub low: f64,
    /// The 95 % Wilson interval's upper end.
    pub high: f64,
}

/// A bad miss.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct MissOut {
    /// The file.
    pub file: String,
    /// The commit; `null` for the file on disk.
    pub commit: Option<String>,
    /// The forecast's date.
    pub date: String,
    /// The outcome the forecast found most likely.
    pub expected: String,
    /// The outcome that happened; `null` for none of them.
    pub happened: Option<String>,
    /// The probability the forecast gave it.
    pub probability: f64,
    /// The forecast's multi-outcome Brier score.
    pub brier: f64,
}

/// The one-parameter recalibration, offered and never applied.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RecalibrationOut {
    /// The fitted parameter `a`: `p'_k ∝ p_k^a`, every log-odds times `a` (above 1 sharpens,
    /// below 1 flattens).
    pub a: f64,
    /// The forecasts it is fitted on and scored over: those whose outcome was one of theirs.
    pub forecasts: usize,
    /// Their mean Brier score as forecast.
    pub brier_before: f64,
    /// Their mean log score as forecast.
    pub log_before: f64,
    /// Mean Brier score recalibrated with `a`, fitted on the same forecasts (in sample).
    pub brier_in_sample: f64,
    /// Mean log score recalibrated with `a` (in sample).
    pub log_in_sample: f64,
    /// Mean Brier score with each scenario recalibrated by a parameter fitted on the other
    /// scenarios (leave one scenario out); `null` with fewer than two scenarios.
    pub brier_out_of_sample: Option<f64>,
    /// Mean log score, left out the same way.
    pub log_out_of_sample: Option<f64>,
}

fn forecast_out(f: &Forecast) -> ForecastOut {
    ForecastOut {
        commit: f.version.commit.clone(),
        date: f.version.date.clone(),
        analyst: f.analyst.clone(),
        forecast: Named::zip(
            f.outcomes.iter().map(String::as_str),
            f.probabilities.iter().copied().map(round),
        ),
        happened: f.happened.and_then(|k| f.outcomes.get(k).cloned()),
        brier: round(f.brier()),
        log_score: metrics::log_score(&f.probabilities, f.happened).map(round),
    }
}

impl ScoreOutput {
    /// The output of the records of the files given, in order.
    pub fn new(records: &[FileRecord]) -> Self {
        let forecasts: Vec<Forecast> = records
            .iter()
            .flat_map(|r| r.forecasts.iter().cloned())
            .collect();
        let card: Scorecard = scoring::score(&forecasts);
        let files = records
            .iter()
            .map(|r| {
                let own = card.scenarios.iter().find(|s| s.scenario == r.name);
                FileOut {
                    file: r.name.clone(),
                    state: match r.state {
                        State::Scored => FileState::Scored,
                        State::Open => FileState::Open,
                        State::Invalid => FileState::Invalid,
                        State::Empty => FileState::Empty,
                    },
                    title: own.map(|s| s.title.clone()),
                    happened: own.and_then(|s| s.happened.clone()),
                    scores: own.map(|s| ScoresOut::from(&s.scores)),
                    per_outcome: own
                        .map(|s| {
                            s.per_outcome
                                .iter()
                                .map(|(k, v)| (k.clone(), round(*v)))
                                .collect()
                        })
                        .unwrap_or_default(),
                    forecasts: r.forecasts.iter().map(forecast_out).collect(),
                    left_out: r
                        .left_out
                        .iter()
                        .map(|l| LeftOutOut {
                            commit: l.commit.clone(),
                            reason: l.reason.clone(),
                        })
                        .collect(),
                }
            })
            .collect();
        let named = |list: &[(String, Scores)]| -> Named<ScoresOut> {
            list.iter()
                .map(|(k, s)| (k.clone(), ScoresOut::from(s)))
                .collect()
        };
        Self {
            library: card.library.as_ref().map(ScoresOut::from),
            files,
            analysts: named(&card.analysts),
            tags: named(&card.tags),
            calibration: CalibrationOut {
                binning: "each outcome of each forecast is one event, binned by its probability p into [0, 0.1], (0.1, 0.2], …, (0.9, 1] (scikit-learn's calibration_curve, uniform, 10 bins); the decomposition instead rounds p to the nearest tenth (11 categories)".to_owned(),
                interval: "95 % Wilson score interval of the observed share".to_owned(),
                bins: card
                    .curve
                    .iter()
                    .map(|b| BinOut {
                        lower: round(b.lower),
                        upper: round(b.upper),
                        count: b.count,
                        mean_forecast: round(b.mean_forecast),
                        observed: round(b.observed),
                        low: round(b.low),
                        high: round(b.high),
                    })
                    .collect(),
            },
            worst_misses: card
                .worst
                .iter()
                .map(|m| MissOut {
                    file: m.scenario.clone(),
                    commit: m.version.commit.clone(),
                    date: m.version.date.clone(),
                    expected: m.expected.clone(),
                    happened: m.happened.clone(),
                    probability: round(m.probability),
                    brier: round(m.brier),
                })
                .collect(),
            recalibration: card.recalibration.as_ref().map(|r| RecalibrationOut {
                a: round(r.a),
                forecasts: r.forecasts,
                brier_before: round(r.brier_before),
                log_before: round(r.log_before),
                brier_in_sample: round(r.brier_in_sample),
                log_in_sample: round(r.log_in_sample),
                brier_out_of_sample: r.brier_out_of_sample.map(round),
                log_out_of_sample: r.log_out_of_sample.map(round),
            }),
        }
    }
}
