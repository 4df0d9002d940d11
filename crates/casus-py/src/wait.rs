//! Long calls off the interpreter: the work runs on a thread of its own with the GIL released,
//! and the calling thread polls for signals, so other Python threads keep running and Ctrl-C
//! stops the work instead of waiting for it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// How often the waiting thread looks for a signal: short enough that Ctrl-C feels immediate,
/// long enough to cost nothing.
const POLL: Duration = Duration::from_millis(20);

/// Runs `work` with the GIL released. On a signal whose handler raises (Ctrl-C's
/// `KeyboardInterrupt`), sets `cancel`, which every stage of the engine checks, waits for the
/// work to stop, and returns the handler's exception.
pub(crate) fn detached<T: Send>(
    py: Python<'_>,
    cancel: &Arc<AtomicBool>,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    let mut interrupted: Option<PyErr> = None;
    let done = py.detach(|| {
        std::thread::scope(|scope| {
            let (sender, receiver) = channel();
            scope.spawn(move || {
                // The receiver outlives this thread (the scope waits for it), so a send fails
                // only if the waiting side has gone, when nobody wants the value.
                let _ = sender.send(work());
            });
            loop {
                match receiver.recv_timeout(POLL) {
                    Ok(value) => return Some(value),
                    Err(RecvTimeoutError::Disconnected) => return None,
                    Err(RecvTimeoutError::Timeout) => {
                        if interrupted.is_none()
                            && let Err(e) = Python::attach(|py| py.check_signals())
                        {
                            cancel.store(true, Ordering::Relaxed);
                            interrupted = Some(e);
                        }
                    }
                }
            }
        })
    });
    if let Some(e) = interrupted {
        return Err(e);
    }
    done.ok_or_else(|| {
        PyRuntimeError::new_err("casus stopped without a result (an internal error)")
    })
}
