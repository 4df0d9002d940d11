//! `casus lsp`: the language server, over standard input and output.
//!
//! The server itself is the `casus-lsp` crate; this command only starts it. Editors run it as
//! a child process (see `docs/editors.md`), so it prints nothing of its own: standard output
//! carries the protocol.

use clap::Args;

use crate::Status;
use crate::cli::GlobalArgs;
use crate::error::CliError;

/// Arguments of `casus lsp`.
#[derive(Debug, Args)]
pub(crate) struct LspArgs {
    /// Accepted and ignored: editors' LSP clients often pass it to say the protocol runs over
    /// standard input and output, which is the only transport.
    #[arg(long)]
    pub(crate) stdio: bool,
}

/// Serves one editor until it says `exit`, evaluating on `--threads` threads.
pub(crate) fn run(_args: &LspArgs) -> Result<Status, CliError> {
    let config = casus_lsp::Config {
        threads: GlobalArgs::get().threads.map_or(0, usize::from),
    };
    casus_lsp::run_stdio(config)
        .map_err(|e| CliError::Usage(format!("the language server stopped: {e}")))?;
    Ok(Status::Ok)
}
