//! `flexmap schema` (the JSON Schema of rule files) and `flexmap completions SHELL`.

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, EXIT_OK, EXIT_USAGE};

/// Arguments of `flexmap completions`.
#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Runs `flexmap schema`: prints the rule-file JSON Schema, pretty, to stdout.
pub fn run_schema() -> u8 {
    match schema_text() {
        Ok(text) => {
            println!("{text}");
            EXIT_OK
        }
        Err(error) => {
            eprintln!("error: cannot print the schema: {error}");
            EXIT_USAGE
        }
    }
}

/// The rule-file JSON Schema as pretty JSON (no trailing newline).
pub fn schema_text() -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&flexmap::schema::rule_file_schema())
}

/// Runs `flexmap completions SHELL`: prints the completion script to stdout.
pub fn run_completions(args: &CompletionsArgs) -> u8 {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "flexmap", &mut std::io::stdout());
    EXIT_OK
}
