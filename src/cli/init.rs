//! `flexmap init [DIR]`: scaffolds a project with settings, an example rule file and its test,
//! and the two JSON Schemas editors use.

use std::path::{Path, PathBuf};

use super::{EXIT_OK, EXIT_USAGE};

/// Arguments of `flexmap init`.
#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Folder to create the project in (created when missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
}

/// The commented `flexmap.toml` written by `flexmap init`.
const CONFIG_TEMPLATE: &str = r#"# flexmap project settings. Every setting is optional; remove the `#` to use one.

# hipaa = true              # HIPAA account: FM401 pii-leak is an error, FM402 pii-dropped is reported
# sso = true                # agents log in through SSO: FM107 sso-overwrites on worker rulesets
# exclude = ["drafts"]      # paths that directory scans skip
# rules = ["rules/**/*.yaml"]  # the project's rule files (default: every rule file below this folder)
#
# All task rulesets of this project share one Insights workspace and one slot space; run
# `flexmap lock` to pin custom fields to their slots in flexmap.lock, and commit it.

[lints]
# Levels by lint name or code: "error", "warning", "info" or "allow".
# id-in-attribute = "error"
# FM104 = "allow"
"#;

/// The example rule file written by `flexmap init`.
const EXAMPLE_TEMPLATE: &str = r#"# yaml-language-server: $schema=../flexmap.schema.json
flexmap: 1
target: task
description: Example rules for voice calls; replace the input paths with your own records

inputs:
  ivr.language:   { type: string, cardinality: low }
  crm.contact.id: { type: string, cardinality: high }

tables:
  languages:
    en-US: English
    es-MX: Spanish

conversations:
  language: ivr.language | lookup(languages) ?? "Other"
  in_business_hours:
    const: "Yes"
    description: Calls are only routed to agents in business hours

customers:
  external_id: crm.contact.id
"#;

/// The example test file written by `flexmap init` (run it with `flexmap test`).
const EXAMPLE_TEST_TEMPLATE: &str = r#"# yaml-language-server: $schema=../flexmap.test.schema.json
rules: example.yaml
cases:
  - name: a Spanish caller with a CRM contact
    input:
      ivr: { language: es-MX }
      crm: { contact: { id: C-1001 } }
    expect:
      conversations: { language: Spanish, in_business_hours: "Yes" }
      customers: { external_id: C-1001 }
  - name: an unknown language falls back to Other, without a warning
    input:
      ivr: { language: fr-FR }
    expect:
      conversations: { language: Other, in_business_hours: "Yes" }
"#;

/// Runs `flexmap init`.
pub fn run(args: &InitArgs) -> u8 {
    let schema = match super::schema::schema_text() {
        Ok(text) => text + "\n",
        Err(error) => {
            eprintln!("error: cannot write the schema: {error}");
            return EXIT_USAGE;
        }
    };
    let test_schema = match super::schema::test_schema_text() {
        Ok(text) => text + "\n",
        Err(error) => {
            eprintln!("error: cannot write the schema: {error}");
            return EXIT_USAGE;
        }
    };
    let files: [(PathBuf, &str); 5] = [
        (args.dir.join("flexmap.toml"), CONFIG_TEMPLATE),
        (
            args.dir.join("rules").join("example.yaml"),
            EXAMPLE_TEMPLATE,
        ),
        (
            args.dir.join("rules").join("example.test.yaml"),
            EXAMPLE_TEST_TEMPLATE,
        ),
        (args.dir.join("flexmap.schema.json"), &schema),
        (args.dir.join("flexmap.test.schema.json"), &test_schema),
    ];
    if !args.force {
        let existing: Vec<&Path> = files
            .iter()
            .map(|(path, _)| path.as_path())
            .filter(|path| path.exists())
            .collect();
        if !existing.is_empty() {
            for path in existing {
                eprintln!("error: `{}` already exists", path.display());
            }
            eprintln!("help: use `flexmap init --force` to overwrite");
            return EXIT_USAGE;
        }
    }
    for (path, text) in &files {
        if let Some(parent) = path.parent()
            && let Err(error) = std::fs::create_dir_all(parent)
        {
            eprintln!("error: cannot create `{}`: {error}", parent.display());
            return EXIT_USAGE;
        }
        if let Err(error) = std::fs::write(path, text) {
            eprintln!("error: cannot write `{}`: {error}", path.display());
            return EXIT_USAGE;
        }
        eprintln!("created {}", path.display());
    }
    EXIT_OK
}
