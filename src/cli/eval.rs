//! `flexmap eval`: one expression on one record; prints the value, its static type and any
//! runtime warning. A parse or type error is lint's diagnostic, pointing into the expression.

use std::io::Read;
use std::path::{Path, PathBuf};

use flexmap::Ruleset;
use flexmap::runtime::number;
use flexmap::source::SourceFile;
use serde_json::Value;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, OutputArgs};

/// Largest record `eval` reads, in bytes.
const MAX_RECORD_BYTES: u64 = 64 * 1024 * 1024;

/// Arguments of `flexmap eval`.
#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// The expression, as written in a rule (`crm.account.tier | lower ?? "none"`).
    pub expr: String,
    /// A JSON record to evaluate it on; `-` reads standard input. Without it, `{}`.
    #[arg(value_name = "RECORD.json|-")]
    pub record: Option<PathBuf>,
    /// Use the `tables:` and `inputs:` of this rule file.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Also print each step: paths, filters, the `??` branch taken, `if` branches.
    #[arg(long)]
    pub steps: bool,
    /// Print one JSON object (value, type, steps, warnings) instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub diagnostics: OutputArgs,
}

/// Runs `flexmap eval`.
pub fn run(args: &EvalArgs) -> u8 {
    let ruleset = match &args.rules {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Some(Ruleset::from_str(&text, &path.display().to_string())),
            Err(e) => {
                eprintln!("flexmap: cannot read {}: {e}", path.display());
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    if let Some(ruleset) = &ruleset
        && ruleset.model().is_none()
    {
        super::print_diagnostics(ruleset.load_diagnostics(), 1, &args.diagnostics, true);
        eprintln!(
            "flexmap: {} does not load; its tables and inputs cannot be used",
            ruleset.source().name()
        );
        return EXIT_FINDINGS;
    }
    let source = SourceFile::new("<expr>", args.expr.as_str());
    let (checked, diagnostics) =
        flexmap::check::check_expression(&source, ruleset.as_ref().and_then(Ruleset::model));
    if !diagnostics.is_empty() {
        super::print_diagnostics(&diagnostics, 1, &args.diagnostics, true);
    }
    let Some(checked) = checked else {
        return EXIT_FINDINGS;
    };
    let record = match read_record(args.record.as_deref()) {
        Ok(record) => record,
        Err(message) => {
            eprintln!("flexmap: {message}");
            return EXIT_USAGE;
        }
    };
    let program = &checked.program;
    let (value, warnings) = program.evaluate(&checked.ir, &record);
    let warnings: Vec<String> = warnings.iter().map(|w| program.describe(w)).collect();
    let steps = if args.steps {
        program.steps(&checked.ir, &record)
    } else {
        Vec::new()
    };
    if args.json {
        let mut out = serde_json::json!({
            "value": value,
            "type": checked.ty.name(),
            "warnings": warnings,
        });
        if args.steps {
            // Built by hand, not with `to_value`: big integers stay exact (`runtime::number`).
            let steps = steps.iter().map(|step| {
                let mut entry = serde_json::json!({"step": step.step, "value": step.value});
                if let Some(at) = &step.at {
                    entry["at"] = Value::from(at.as_str());
                }
                entry
            });
            out["steps"] = Value::Array(steps.collect());
        }
        println!("{}", number::to_json(&out));
    } else {
        for step in &steps {
            match &step.at {
                Some(at) => println!(
                    "step: {} at {at} -> {}",
                    step.step,
                    number::to_json(&step.value)
                ),
                None => println!("step: {} -> {}", step.step, number::to_json(&step.value)),
            }
        }
        println!("value: {}", number::to_json(&value));
        println!("type: {}", checked.ty.name());
        for warning in &warnings {
            println!("warning: {warning}");
        }
    }
    EXIT_OK
}

/// Reads the record: a file (regular files only, bounded), standard input, or `{}`.
fn read_record(path: Option<&Path>) -> Result<Value, String> {
    let Some(path) = path else {
        return Ok(Value::Object(serde_json::Map::new()));
    };
    let name = path.display();
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(MAX_RECORD_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        let meta = file
            .metadata()
            .map_err(|e| format!("cannot read {name}: {e}"))?;
        if !meta.is_file() {
            return Err(format!("cannot read {name}: not a regular file"));
        }
        file.take(MAX_RECORD_BYTES + 1).read_to_end(&mut bytes)
    };
    read.map_err(|e| format!("cannot read {name}: {e}"))?;
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Err(format!(
            "{name} is over {MAX_RECORD_BYTES} bytes; eval reads one record"
        ));
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => number::parse_record(text),
        Err(_) => serde_json::from_slice(&bytes),
    }
    .map_err(|e| format!("{name} is not one JSON value: {e}"))
}
