//! One version of one document, analysed through the session: what every feature reads.
//!
//! A document is analysed in two steps, both through [`Session::open_text`], the same entry
//! point as `casus check`:
//!
//! - **quick**: the evaluation is given a deadline that has already passed. The search checks
//!   its deadline only every few thousand nodes, so a scenario of ordinary size still
//!   evaluates completely, while one with millions of paths stops after the first few
//!   thousand. Loading, checking and compiling always finish, so parse and check diagnostics
//!   and everything navigation needs are there within milliseconds.
//! - **full**: only when the quick step was cut short, the same with `casus check`'s own
//!   limits and the document's cancel flag, on a worker thread. A keystroke sets the flag and
//!   the search stops within a few thousand nodes.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use casus_core::{Code, Diagnostic};
use casus_rules::EvalLimits;
use casus_rules::session::{Options, Session};

use crate::symbols::Index;

/// The message of the search's time-limit diagnostic. A quick analysis that carries it was cut
/// short by its own deadline, not by anything in the file.
const CUT_SHORT: &str = "evaluation took longer than the time limit";

/// How long a full analysis may take: `casus check`'s default `--timeout`, so the editor
/// reports what the command would.
const FULL_TIMEOUT: Duration = Duration::from_secs(60);

/// One analysed version of a document.
#[derive(Debug)]
pub(crate) struct Snapshot {
    /// The document version analysed.
    pub(crate) version: i32,
    /// The session opened on that version's text.
    pub(crate) session: Session,
    /// Whether the evaluation ran to its end (or failed on its own), so that the diagnostics
    /// are those of `casus check` and the forecast is known.
    pub(crate) complete: bool,
    /// Names and likelihood words, for navigation.
    pub(crate) index: Index,
}

impl Snapshot {
    /// The quick analysis of `text`.
    pub(crate) fn quick(name: &str, text: &str, version: i32) -> Self {
        let eval = EvalLimits {
            deadline: Some(Instant::now()),
            threads: 1,
            ..EvalLimits::default()
        };
        let session = Session::open_text(name, text, options(eval));
        let complete = !session.diagnostics().iter().any(is_cut_short);
        Self::new(version, session, complete)
    }

    /// The full analysis of `text` on `threads` threads (0: one per core), stopped when
    /// `cancel` is set.
    pub(crate) fn full(
        name: &str,
        text: &str,
        version: i32,
        threads: usize,
        cancel: Arc<AtomicBool>,
    ) -> Self {
        let eval = EvalLimits {
            deadline: Instant::now().checked_add(FULL_TIMEOUT),
            cancel: Some(cancel),
            threads,
            ..EvalLimits::default()
        };
        let session = Session::open_text(name, text, options(eval));
        Self::new(version, session, true)
    }

    fn new(version: i32, session: Session, complete: bool) -> Self {
        let index = session
            .scenario()
            .map(|s| Index::build(s, session.source().text()))
            .unwrap_or_default();
        Self {
            version,
            session,
            complete,
            index,
        }
    }

    /// The diagnostics to show: all of the session's, less the time limit the quick step
    /// imposed on itself.
    pub(crate) fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> + '_ {
        let quick = !self.complete;
        self.session
            .diagnostics()
            .iter()
            .filter(move |d| !(quick && is_cut_short(d)))
    }

    /// The forecast of each outcome, in file order, when it is known.
    pub(crate) fn forecast(&self) -> Option<Vec<f64>> {
        if !self.complete {
            return None;
        }
        self.session
            .evaluation()
            .map(|e| e.outcomes.iter().map(|o| o.probability).collect())
    }
}

fn options(eval: EvalLimits) -> Options {
    Options {
        eval,
        ..Options::default()
    }
}

fn is_cut_short(d: &Diagnostic) -> bool {
    d.code == Code::LimitExceeded && d.message == CUT_SHORT
}
