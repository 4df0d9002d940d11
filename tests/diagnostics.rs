//! Diagnostics suite: every fixture under tests/fixtures is checked and its rendering snapshotted.
