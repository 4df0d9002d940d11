//! The one fixture loader of casus-rules' tests. Fixtures are files: the workspace's
//! `tests/fixtures/` (shared with the other crates' tests) and this crate's own
//! `tests/fixtures/`, both named by their path from the workspace root.
#![allow(
    clippy::panic,
    reason = "a fixture that cannot be read or checked fails the test at once"
)]

use std::path::{Path, PathBuf};

use casus_rules::session::{Options, Session};

/// The workspace root, two folders above this crate.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The text of the fixture at `relative` (from the workspace root).
pub(crate) fn text(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// The fixture at `relative` opened as a session, asserting that it checks without errors.
pub(crate) fn session(relative: &str) -> Session {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    let session = Session::open_text(name, &text(relative), Options::default());
    assert!(
        !session.has_errors(),
        "{relative}: {:#?}",
        session.diagnostics()
    );
    session
}
