//! `casus score`: forecasts of record, scored against what happened.
//!
//! [`record`] turns the versions of each scenario file (which the CLI reads from git) into
//! forecasts of record, each evaluated through the [`Session`](crate::session::Session) as of
//! its date; [`score`] then computes every number of the track record from them, and
//! [`metrics`] and [`recalibrate`] hold the formulas. Nothing here reads a file or runs a
//! program: the same versions give the same bytes of output on every machine.

pub mod metrics;
pub mod recalibrate;
pub mod record;

use std::collections::BTreeMap;

use serde::Serialize;

use metrics::{Bin, Decomposition, Event};

/// Where a forecast comes from: a commit, or the file as it is when it is not in git.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The commit (full hash); `None` for the file on disk.
    pub commit: Option<String>,
    /// The date the forecast is as of (`YYYY-MM-DD`): the version's `as_of`, or else the day
    /// of its commit.
    pub date: String,
}

/// One forecast of record: a version's forecast of a resolved scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// The scenario file, as the user named it.
    pub scenario: String,
    /// The scenario's title (as the newest version has it).
    pub title: String,
    /// The scenario's tags (as the newest version has them).
    pub tags: Vec<String>,
    /// The version the forecast is from.
    pub version: Version,
    /// `None` for the file's forecast; an analyst's id for the forecast with that analyst's
    /// estimates alone in place of the pool.
    pub analyst: Option<String>,
    /// The outcomes of that version, in file order.
    pub outcomes: Vec<String>,
    /// The probability the version gave each outcome.
    pub probabilities: Vec<f64>,
    /// The outcome that happened, as an index into `outcomes`; `None` when none of them did
    /// (or the version has no outcome of that name).
    pub happened: Option<usize>,
}

impl Forecast {
    /// The multi-outcome Brier score of this forecast.
    pub fn brier(&self) -> f64 {
        metrics::brier(&self.probabilities, self.happened)
    }

    /// Its binary events, one per outcome.
    pub fn events(&self) -> impl Iterator<Item = Event> + '_ {
        self.probabilities.iter().enumerate().map(|(k, &p)| Event {
            p,
            happened: self.happened == Some(k),
        })
    }
}

/// The scores of a set of forecasts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scores {
    /// How many forecasts.
    pub forecasts: usize,
    /// How many binary events (a forecast gives one per outcome).
    pub events: usize,
    /// The mean multi-outcome Brier score (the sum over outcomes), 0 to 2.
    pub brier: f64,
    /// The mean binary Brier score over the events, 0 to 1.
    pub binary_brier: f64,
    /// The mean log score over the forecasts whose outcome was one of theirs; `None` if none.
    pub log_score: Option<f64>,
    /// How many forecasts the log score averages.
    pub log_scored: usize,
    /// The Murphy / Mandel & Barnes decomposition of the binned events.
    pub decomposition: Decomposition,
    /// Over/underconfidence (positive: overconfident); `None` when every event is at ½.
    pub overconfidence: Option<f64>,
}

/// The scores of `forecasts`; `None` when there are none.
pub fn scores<'a>(forecasts: impl IntoIterator<Item = &'a Forecast>) -> Option<Scores> {
    let forecasts: Vec<&Forecast> = forecasts.into_iter().collect();
    let events: Vec<Event> = forecasts.iter().flat_map(|f| f.events()).collect();
    let logs: Vec<f64> = forecasts
        .iter()
        .filter_map(|f| metrics::log_score(&f.probabilities, f.happened))
        .collect();
    Some(Scores {
        forecasts: forecasts.len(),
        events: events.len(),
        brier: metrics::mean(forecasts.iter().map(|f| f.brier()))?,
        binary_brier: metrics::binary_brier(&events)?,
        log_scored: logs.len(),
        log_score: metrics::mean(logs),
        decomposition: metrics::decompose(&events)?,
        overconfidence: metrics::overconfidence(&events),
    })
}

/// One scenario's record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioScores {
    /// The file.
    pub scenario: String,
    /// Its title.
    pub title: String,
    /// The outcome that happened, or `None` for none of them.
    pub happened: Option<String>,
    /// Its scores over its forecasts of record.
    pub scores: Scores,
    /// The binary Brier score of each outcome of the newest version, over the forecasts that
    /// have it, in file order.
    pub per_outcome: Vec<(String, f64)>,
}

/// A forecast that missed badly.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Miss {
    /// The file.
    pub scenario: String,
    /// The version.
    pub version: Version,
    /// The outcome that happened, or `None` for none of them.
    pub happened: Option<String>,
    /// The probability the forecast gave it (0 for none of them).
    pub probability: f64,
    /// The outcome the forecast found most likely (the first, on a tie).
    pub expected: String,
    /// Its multi-outcome Brier score.
    pub brier: f64,
}

/// What the one-parameter recalibration would have done.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recalibration {
    /// The parameter fitted on the whole record: log-odds are multiplied by it.
    pub a: f64,
    /// The forecasts it is fitted and evaluated on: those whose outcome was one of theirs.
    pub forecasts: usize,
    /// Their mean Brier score as forecast.
    pub brier_before: f64,
    /// Their mean log score as forecast.
    pub log_before: f64,
    /// The mean Brier score, recalibrated with `a` (in sample: fitted on these forecasts).
    pub brier_in_sample: f64,
    /// The mean log score, recalibrated with `a` (in sample).
    pub log_in_sample: f64,
    /// The mean Brier score when each scenario's forecasts are recalibrated with a parameter
    /// fitted on the other scenarios only (leave one scenario out); `None` with one scenario.
    pub brier_out_of_sample: Option<f64>,
    /// The mean log score, left out the same way.
    pub log_out_of_sample: Option<f64>,
}

/// Everything `casus score` reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scorecard {
    /// The whole library: every file's forecast of record.
    pub library: Option<Scores>,
    /// Per scenario, in the order given.
    pub scenarios: Vec<ScenarioScores>,
    /// Per analyst (`likelihood.by`), by id: each analyst's forecasts alone.
    pub analysts: Vec<(String, Scores)>,
    /// Per tag, by tag.
    pub tags: Vec<(String, Scores)>,
    /// The calibration curve of the library.
    pub curve: Vec<Bin>,
    /// The worst misses of the library, worst first.
    pub worst: Vec<Miss>,
    /// The recalibration offered; `None` without resolved forecasts to fit.
    pub recalibration: Option<Recalibration>,
}

/// How many misses the table lists.
pub const WORST: usize = 10;

/// Scores a record: `forecasts` in the order of the files given, oldest version first.
pub fn score(forecasts: &[Forecast]) -> Scorecard {
    let (own, by_analyst): (Vec<&Forecast>, Vec<&Forecast>) =
        forecasts.iter().partition(|f| f.analyst.is_none());
    let mut order: Vec<&str> = Vec::new();
    let mut per_scenario: BTreeMap<&str, Vec<&Forecast>> = BTreeMap::new();
    let mut per_tag: BTreeMap<&str, Vec<&Forecast>> = BTreeMap::new();
    for f in &own {
        if !per_scenario.contains_key(f.scenario.as_str()) {
            order.push(&f.scenario);
        }
        per_scenario.entry(&f.scenario).or_default().push(f);
        for tag in &f.tags {
            per_tag.entry(tag).or_default().push(f);
        }
    }
    let mut per_analyst: BTreeMap<&str, Vec<&Forecast>> = BTreeMap::new();
    for f in &by_analyst {
        if let Some(a) = &f.analyst {
            per_analyst.entry(a).or_default().push(f);
        }
    }
    let scenarios = order
        .iter()
        .filter_map(|name| {
            let list = per_scenario.get(name)?;
            let newest = list.last()?;
            let per_outcome = newest
                .outcomes
                .iter()
                .filter_map(|outcome| {
                    let events: Vec<Event> = list
                        .iter()
                        .filter_map(|f| {
                            let k = f.outcomes.iter().position(|o| o == outcome)?;
                            f.events().nth(k)
                        })
                        .collect();
                    Some((outcome.clone(), metrics::binary_brier(&events)?))
                })
                .collect();
            Some(ScenarioScores {
                scenario: (*name).to_owned(),
                title: newest.title.clone(),
                happened: newest
                    .happened
                    .and_then(|k| newest.outcomes.get(k).cloned()),
                scores: scores(list.iter().copied())?,
                per_outcome,
            })
        })
        .collect();
    let group = |map: BTreeMap<&str, Vec<&Forecast>>| -> Vec<(String, Scores)> {
        map.into_iter()
            .filter_map(|(k, list)| Some((k.to_owned(), scores(list)?)))
            .collect()
    };
    let events: Vec<Event> = own.iter().flat_map(|f| f.events()).collect();
    Scorecard {
        library: scores(own.iter().copied()),
        scenarios,
        analysts: group(per_analyst),
        tags: group(per_tag),
        curve: metrics::calibration_curve(&events),
        worst: worst(&own),
        recalibration: recalibration(&own),
    }
}

fn worst(own: &[&Forecast]) -> Vec<Miss> {
    let mut misses: Vec<Miss> = own
        .iter()
        .map(|f| {
            let mut expected = 0;
            for (k, p) in f.probabilities.iter().enumerate() {
                if *p > f.probabilities[expected] {
                    expected = k;
                }
            }
            Miss {
                scenario: f.scenario.clone(),
                version: f.version.clone(),
                happened: f.happened.and_then(|k| f.outcomes.get(k).cloned()),
                probability: f
                    .happened
                    .and_then(|k| f.probabilities.get(k).copied())
                    .unwrap_or(0.0),
                expected: f.outcomes.get(expected).cloned().unwrap_or_default(),
                brier: f.brier(),
            }
        })
        .collect();
    // Worst first; ties in the order of the record, which is the order of the files given
    // and of their history, so the table is the same on every run.
    misses.sort_by(|a, b| b.brier.total_cmp(&a.brier));
    misses.truncate(WORST);
    misses
}

fn recalibration(own: &[&Forecast]) -> Option<Recalibration> {
    use recalibrate::{Resolved, apply, fit};
    let resolved: Vec<(&str, Resolved)> = own
        .iter()
        .filter_map(|f| {
            Some((
                f.scenario.as_str(),
                Resolved {
                    probabilities: f.probabilities.clone(),
                    happened: f.happened?,
                },
            ))
        })
        .collect();
    let all: Vec<Resolved> = resolved.iter().map(|(_, r)| r.clone()).collect();
    let a = fit(&all)?;
    let brier_with =
        |r: &Resolved, a: f64| metrics::brier(&apply(&r.probabilities, a), Some(r.happened));
    let log_with = |r: &Resolved, a: f64| {
        metrics::log_score(&apply(&r.probabilities, a), Some(r.happened)).unwrap_or(0.0)
    };
    let brier_before = metrics::mean(
        all.iter()
            .map(|r| metrics::brier(&r.probabilities, Some(r.happened))),
    )?;
    let log_before = metrics::mean(
        all.iter()
            .filter_map(|r| metrics::log_score(&r.probabilities, Some(r.happened))),
    )?;
    let brier_in_sample = metrics::mean(all.iter().map(|r| brier_with(r, a)))?;
    let log_in_sample = metrics::mean(all.iter().map(|r| log_with(r, a)))?;
    // Leave one scenario out: a scenario's versions are not independent forecasts, so each is
    // recalibrated with a parameter its own history had no part in.
    let mut names: Vec<&str> = resolved.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    names.dedup();
    let (brier_out_of_sample, log_out_of_sample) = if names.len() < 2 {
        (None, None)
    } else {
        let (mut briers, mut logs) = (Vec::new(), Vec::new());
        for name in &names {
            let rest: Vec<Resolved> = resolved
                .iter()
                .filter(|(n, _)| n != name)
                .map(|(_, r)| r.clone())
                .collect();
            let Some(a_rest) = fit(&rest) else { continue };
            for (_, r) in resolved.iter().filter(|(n, _)| n == name) {
                briers.push(brier_with(r, a_rest));
                logs.push(log_with(r, a_rest));
            }
        }
        (metrics::mean(briers), metrics::mean(logs))
    };
    Some(Recalibration {
        a,
        forecasts: all.len(),
        brier_before,
        log_before,
        brier_in_sample,
        log_in_sample,
        brier_out_of_sample,
        log_out_of_sample,
    })
}
