//! The casus language server: `casus lsp` speaks the Language Server Protocol over standard
//! input and output, so analysts see the mistakes `casus check` finds as they type.
//!
//! # Why `lsp-server` and `lsp-types`
//!
//! They are rust-analyzer's own protocol crates: small (a framed reader and writer on two
//! threads, plus the typed messages), synchronous, and kept by a project that depends on them
//! every day. casus's analysis is synchronous CPU work on one file, so an async runtime
//! (`tower-lsp`, `async-lsp`) would bring tokio and buy nothing: the server needs one loop that
//! reads messages, and worker threads that it can cancel. `crossbeam-channel`, which
//! `lsp-server` is built on, lets that loop wait on the client and on the workers at once.
//!
//! # How it works
//!
//! Every feature reads a `Snapshot` (module `analysis`): one version of one buffer opened
//! through [`Session::open_text`](casus_rules::session::Session::open_text), the same entry
//! point as `casus check`, so the diagnostics are the command's, code for code and span for
//! span, with the file's `[lints]` honoured. Changes are debounced; each new version sets the
//! cancel flag of the run on the version before, whose search then stops within a few
//! thousand nodes. The quick analysis (parse, check, compile, and the evaluation of any
//! ordinary scenario) comes first; a scenario with millions of paths is then evaluated on a
//! worker thread, so it never holds up the diagnostics of the next keystroke.
//!
//! The modules hold one feature each: `diagnostics` (conversion), `hover`, `navigate`
//! (definition, references, rename), `complete`, `actions` (quick fixes, formatting) and
//! `lens` (forecasts and tests); `symbols` indexes the names they all read; `text` converts
//! positions; `server` is the loop.

mod actions;
mod analysis;
mod complete;
mod diagnostics;
mod hover;
mod lens;
mod navigate;
mod server;
mod symbols;
mod text;

pub use server::{Config, Error, run_stdio, serve};
