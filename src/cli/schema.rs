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

/// Arguments of `flexmap schema`.
#[derive(clap::Args, Debug)]
pub struct SchemaArgs {
    /// Print the schema of rule test files (`*.test.yaml`) instead of rule files.
    #[arg(long)]
    pub test_files: bool,
}

/// Runs `flexmap schema`: prints the rule-file (or test-file) JSON Schema, pretty, to stdout.
pub fn run_schema(args: &SchemaArgs) -> u8 {
    let text = if args.test_files {
        test_schema_text()
    } else {
        schema_text()
    };
    match text {
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

/// The rule-test-file JSON Schema as pretty JSON (no trailing newline).
pub fn test_schema_text() -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&flexmap::schema::test_file_schema())
}

/// Runs `flexmap completions SHELL`: prints the completion script to stdout.
pub fn run_completions(args: &CompletionsArgs) -> u8 {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "flexmap", &mut std::io::stdout());
    EXIT_OK
}
