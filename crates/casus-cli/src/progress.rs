//! A spinner on standard error for work that takes more than about a second, naming the stage
//! the run is in; nothing at all when standard error is not a terminal or `--quiet` is given,
//! so logs and pipes get only results.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use casus_rules::session::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::GlobalArgs;

/// How long work runs before the spinner shows: shorter work would only flicker.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// The spinner of one command; it is cleared when this is dropped.
pub(crate) struct Spinner {
    shared: Arc<Shared>,
    timer: Option<JoinHandle<()>>,
}

struct Shared {
    label: String,
    stage: Mutex<String>,
    bar: Mutex<Option<ProgressBar>>,
    done: AtomicBool,
}

impl Spinner {
    /// A spinner for `label` (the command and file), or none when standard error is not a
    /// terminal or the run is quiet.
    pub(crate) fn start(label: &str) -> Option<Self> {
        if GlobalArgs::get().quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            return None;
        }
        let shared = Arc::new(Shared {
            label: label.to_owned(),
            stage: Mutex::new(String::new()),
            bar: Mutex::new(None),
            done: AtomicBool::new(false),
        });
        let waiting = Arc::clone(&shared);
        let started = Instant::now();
        let timer = std::thread::Builder::new()
            .name("casus-progress".to_owned())
            .spawn(move || {
                std::thread::park_timeout(SHOW_AFTER);
                if waiting.done.load(Ordering::Acquire) {
                    return;
                }
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                    .with_elapsed(started.elapsed());
                if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                    bar.set_style(style);
                }
                bar.set_message(waiting.message());
                bar.enable_steady_tick(Duration::from_millis(120));
                if let Ok(mut slot) = waiting.bar.lock() {
                    *slot = Some(bar);
                }
            })
            .ok();
        Some(Self { shared, timer })
    }

    /// The listener to hand to the session's budget.
    pub(crate) fn progress(&self) -> Progress {
        let shared = Arc::clone(&self.shared);
        Progress::new(move |stage| {
            if let Ok(mut current) = shared.stage.lock() {
                stage.clone_into(&mut current);
            }
            if let Ok(bar) = shared.bar.lock()
                && let Some(bar) = bar.as_ref()
            {
                bar.set_message(shared.message());
            }
        })
    }
}

impl Shared {
    fn message(&self) -> String {
        match self.stage.lock() {
            Ok(stage) if !stage.is_empty() => format!("{}: {}", self.label, stage),
            _ => self.label.clone(),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.shared.done.store(true, Ordering::Release);
        if let Some(timer) = self.timer.take() {
            timer.thread().unpark();
            let _ = timer.join();
        }
        if let Ok(mut bar) = self.shared.bar.lock()
            && let Some(bar) = bar.take()
        {
            bar.finish_and_clear();
        }
    }
}
