//! The record of one scenario file: which of its versions are forecasts of record, and what
//! each forecast was, re-evaluated through the session exactly as that version says.
//!
//! The rules, in order (docs/scoring.md states them for analysts):
//!
//! - the newest version must be valid and resolved (`[resolution]` with an `outcome`);
//! - the version that first carries the outcome *resolves* the file; every later version is
//!   after the fact and left out, and one that changes the model (anything but
//!   `[resolution]`, compared as TOML data) is also warned about (`W0801`);
//! - a version's date is its `as_of`, else the day of its commit; a version dated after the
//!   resolution's date, or before `--since`, is left out;
//! - each remaining version is evaluated as that version says: the variant its
//!   `[resolution]` names, conditioned on the signposts its `[resolution]` records as seen on
//!   or before its date;
//! - a version whose date and forecast are those of the forecast before it restates it and is
//!   not counted twice.

use casus_core::model::{NONE_OF_THESE, Scenario};
use casus_core::{Code, Diagnostic, SourceFile};

use super::{Forecast, Version};
use crate::session::{Budget, Options, Plan, Session, SessionError, WhatIf};

/// One version of a file, as the CLI read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The commit it was read from; `None` for the file on disk outside git.
    pub commit: Option<String>,
    /// The day of that commit (`YYYY-MM-DD`).
    pub day: Option<String>,
    /// The file's text at that version.
    pub text: String,
}

/// A file and its versions, oldest first; the last is the newest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History {
    /// The file, as the user named it.
    pub name: String,
    /// Its versions, oldest first.
    pub versions: Vec<Snapshot>,
}

/// A version that is not a forecast of record, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LeftOut {
    /// The commit; `None` for the file on disk.
    pub commit: Option<String>,
    /// Why it is left out, as a sentence.
    pub reason: String,
}

/// Where a file stands.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Resolved and scored.
    Scored,
    /// No `[resolution]` outcome yet: nothing to score.
    Open,
    /// The newest version has errors (`casus check` shows them).
    Invalid,
    /// The file has no versions to read.
    Empty,
}

/// The record of one file.
#[derive(Debug)]
pub struct FileRecord {
    /// The file, as the user named it.
    pub name: String,
    /// Where it stands.
    pub state: State,
    /// Its forecasts of record, oldest first: the file's own, each followed by its analysts'.
    pub forecasts: Vec<Forecast>,
    /// The versions left out, oldest first.
    pub left_out: Vec<LeftOut>,
    /// Findings about the history (`W0801`), and the limits (`E0003`) that stopped the check
    /// of the newest version, located in the newest version.
    pub findings: Vec<Diagnostic>,
    /// The newest version, which the findings point into.
    pub source: SourceFile,
}

/// The record of `history`: each version is opened with `options` and evaluated under
/// `budget`; `since` (`YYYY-MM-DD`) leaves out forecasts dated before it.
pub fn record(
    history: &History,
    options: &Options,
    since: Option<&str>,
    budget: &Budget,
) -> FileRecord {
    let sessions: Vec<Session> = history
        .versions
        .iter()
        .map(|v| Session::open_text(&history.name, &v.text, options.clone()))
        .collect();
    let mut out = FileRecord {
        name: history.name.clone(),
        state: State::Empty,
        forecasts: Vec::new(),
        left_out: Vec::new(),
        findings: Vec::new(),
        source: SourceFile::new(history.name.clone(), ""),
    };
    let Some(newest) = sessions.last() else {
        return out;
    };
    out.source = newest.source().clone();
    let current = match newest.scenario() {
        Some(s) if !newest.has_errors() => s,
        _ => {
            out.state = State::Invalid;
            // A limit that stopped the check (`--timeout`, `--max-paths`) is no error in the
            // file, and `casus check` without the limit would not show it: say which one.
            out.findings.extend(limits_hit(newest));
            return out;
        }
    };
    let Some(resolution) = current.resolution.as_ref() else {
        out.state = State::Open;
        return out;
    };
    let (Some(outcome), Some(resolved_on)) = (&resolution.outcome, &resolution.date) else {
        out.state = State::Open;
        return out;
    };
    out.state = State::Scored;
    let resolved_at = sessions
        .iter()
        .position(|s| {
            s.scenario()
                .and_then(|s| s.resolution.as_ref())
                .is_some_and(|r| r.outcome.is_some())
        })
        .unwrap_or(sessions.len() - 1);
    let level = current
        .lints
        .iter()
        .find(|l| l.code == Code::ChangedAfterResolution)
        .map_or(Code::ChangedAfterResolution.default_severity(), |l| {
            l.level
                .value
                .severity()
                .unwrap_or(casus_core::Severity::Note)
        });
    let silenced = current
        .lints
        .iter()
        .any(|l| l.code == Code::ChangedAfterResolution && l.level.value.severity().is_none());
    for (i, snapshot) in history.versions.iter().enumerate() {
        let left_out = |reason: String| LeftOut {
            commit: snapshot.commit.clone(),
            reason,
        };
        if i > resolved_at {
            let resolving = &history.versions[resolved_at];
            if casus_core::resolution::same_model(&resolving.text, &snapshot.text) {
                out.left_out
                    .push(left_out("committed after the resolution".to_owned()));
            } else {
                out.left_out.push(left_out(
                    "changes the model after the resolution (W0801)".to_owned(),
                ));
                if !silenced {
                    let mut d = changed_after(snapshot, resolving, resolution.span);
                    d.severity = level;
                    out.findings.push(d);
                }
            }
            continue;
        }
        let session = &sessions[i];
        let scenario = match session.scenario() {
            Some(s) if !session.has_errors() => s,
            _ => {
                let reason = match limits_hit(session).first() {
                    Some(limit) => format!(
                        "could not be checked within the limits, so it has no forecast: {} (E0003)",
                        limit.message
                    ),
                    None => "has errors, so it has no forecast (`casus check` it at that commit)"
                        .to_owned(),
                };
                out.left_out.push(left_out(reason));
                continue;
            }
        };
        let Some(date) = scenario.meta.as_of.clone().or_else(|| snapshot.day.clone()) else {
            out.left_out.push(left_out(
                "has no `as_of` and no commit to date it".to_owned(),
            ));
            continue;
        };
        if date.as_str() > resolved_on.value.as_str() {
            out.left_out.push(left_out(format!(
                "is dated {date}, after the resolution on {}",
                resolved_on.value
            )));
            continue;
        }
        if since.is_some_and(|s| date.as_str() < s) {
            out.left_out
                .push(left_out(format!("is dated {date}, before `--since`")));
            continue;
        }
        let what_if = what_if(scenario, &date);
        let version = Version {
            commit: snapshot.commit.clone(),
            date: date.clone(),
        };
        let forecasts = match evaluate(session, scenario, &what_if, budget) {
            Ok(f) => f,
            Err(reason) => {
                out.left_out.push(left_out(reason));
                continue;
            }
        };
        let restated = out
            .forecasts
            .iter()
            .rev()
            .find(|f| f.analyst.is_none())
            .is_some_and(|last| {
                last.version.date == date
                    && forecasts
                        .first()
                        .is_some_and(|(_, o, p)| *o == last.outcomes && *p == last.probabilities)
            });
        if restated {
            let previous = out
                .forecasts
                .iter()
                .rev()
                .find(|f| f.analyst.is_none())
                .and_then(|f| f.version.commit.as_deref())
                .map_or("the version before", short);
            out.left_out.push(left_out(format!(
                "restates the forecast of {previous}, with the same date"
            )));
            continue;
        }
        for (analyst, outcomes, probabilities) in forecasts {
            let happened = if outcome.name == NONE_OF_THESE
                && !current.outcomes.iter().any(|o| o.id.name == NONE_OF_THESE)
            {
                None
            } else {
                outcomes.iter().position(|o| *o == outcome.name)
            };
            out.forecasts.push(Forecast {
                scenario: history.name.clone(),
                title: current.meta.title.clone(),
                tags: current.meta.tags.clone(),
                version: version.clone(),
                analyst,
                outcomes,
                probabilities,
                happened,
            });
        }
    }
    out
}

/// The limits (`E0003`) that stopped the check of `session`, when they are its only errors.
fn limits_hit(session: &Session) -> Vec<Diagnostic> {
    let errors: Vec<&Diagnostic> = session
        .diagnostics()
        .iter()
        .filter(|d| d.is_error())
        .collect();
    if errors.iter().all(|d| d.code == Code::LimitExceeded) {
        errors.into_iter().cloned().collect()
    } else {
        Vec::new()
    }
}

/// The first 12 characters of a commit hash.
fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// The variant and signposts a version's own `[resolution]` says were in force on `date`.
fn what_if(scenario: &Scenario, date: &str) -> WhatIf {
    match &scenario.resolution {
        Some(r) => WhatIf {
            variant: r.variant.as_ref().map(|v| v.name.clone()),
            given: Vec::new(),
            observe: r.observed_by(date),
        },
        None => WhatIf::none(),
    }
}

/// A forecast and its outcomes, with the analyst whose estimates alone it uses.
type Evaluated = (Option<String>, Vec<String>, Vec<f64>);

/// The version's forecast, then each analyst's: the same model with that analyst's estimates
/// alone in place of the pool at every decision the analyst estimated.
fn evaluate(
    session: &Session,
    scenario: &Scenario,
    what_if: &WhatIf,
    budget: &Budget,
) -> Result<Vec<Evaluated>, String> {
    let model = session.model(what_if).map_err(|e| reason(&e))?;
    let analysed = session
        .run(&model, &Plan::forecast(), budget)
        .map_err(|e| reason(&e))?;
    let outcomes: Vec<String> = scenario
        .outcomes
        .iter()
        .map(|o| o.id.name.clone())
        .collect();
    let mut out = vec![(None, outcomes.clone(), analysed.forecast())];
    let mut analysts: Vec<String> = Vec::new();
    for decision in &model.scenario.decisions {
        for estimate in &decision.estimates {
            if !analysts.contains(&estimate.analyst.name) {
                analysts.push(estimate.analyst.name.clone());
            }
        }
    }
    let limits = session.eval_limits(budget);
    for analyst in analysts {
        let mut alone = Scenario::clone(&model.scenario);
        for decision in &mut alone.decisions {
            if let Some(estimate) = decision
                .estimates
                .iter()
                .find(|e| e.analyst.name == analyst)
            {
                decision.likelihood = Some(estimate.table.clone());
                decision.estimates.clear();
            }
        }
        let evaluated = session.install(|| model.evaluate_scenario(&alone, &limits));
        match evaluated {
            Ok(e) => {
                let p = e.outcomes.iter().map(|o| o.probability).collect();
                out.push((Some(analyst), outcomes.clone(), p));
            }
            Err(d) => return Err(format!("analyst `{analyst}`: {}", sentence(&d))),
        }
    }
    Ok(out)
}

fn reason(error: &SessionError) -> String {
    match error {
        SessionError::Findings(d) => format!("cannot be evaluated: {}", sentence(d)),
        other => format!("cannot be evaluated: {other}"),
    }
}

fn sentence(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .first()
        .map_or_else(|| "the evaluation failed".to_owned(), |d| d.message.clone())
}

fn changed_after(snapshot: &Snapshot, resolving: &Snapshot, at: casus_core::Span) -> Diagnostic {
    let commit = snapshot.commit.as_deref().map_or("the file on disk", short);
    let resolved = resolving
        .commit
        .as_deref()
        .map_or("the file on disk", short);
    Diagnostic::new(
        Code::ChangedAfterResolution,
        format!("commit `{commit}` changes the model after the resolution of `{resolved}`"),
    )
    .primary(at, "resolved here")
    .help("its forecast is hindsight and is left out of the record; leave a resolved scenario as it was, and analyse the question further in a new file with a new `as_of`")
}
