//! Writing to standard output and error, tolerating a closed pipe (`casus eval … | head`).

use std::io::Write;

/// Prints to standard output; a closed pipe is not an error worth a panic.
pub(crate) fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Prints to standard error.
pub(crate) fn eprint(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}
