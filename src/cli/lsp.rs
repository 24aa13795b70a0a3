//! `flexmap lsp`: the language server over stdio (see `flexmap::lsp`).

use super::{EXIT_OK, EXIT_USAGE};

/// Arguments of `flexmap lsp`.
#[derive(clap::Args, Debug)]
pub struct LspArgs {
    /// Accepted for editors that pass it (the server always speaks over stdio).
    #[arg(long)]
    pub stdio: bool,
}

/// Runs the server until the client exits.
pub fn run(_args: &LspArgs) -> u8 {
    match flexmap::lsp::run_stdio() {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("flexmap lsp: {e}");
            EXIT_USAGE
        }
    }
}
