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
        // Bounded, regular files only (a FIFO is FM902, never opened), as `lint` reads.
        Some(path) => match flexmap::project::read_text(path) {
            Ok(text) => Some(Ruleset::from_str(&text, &path.display().to_string())),
            Err(d) => return unreadable(&d, args),
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
        Err(RecordError::Unreadable(d)) => return unreadable(&d, args),
        Err(RecordError::Invalid(message)) => {
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

/// A file `eval` could not read: a missing file is a usage error (exit 2), anything else
/// (a FIFO, a device, a file over the limit) its FM902/FM901 finding (exit 1).
fn unreadable(d: &flexmap::Diagnostic, args: &EvalArgs) -> u8 {
    if d.message.ends_with("no such file") {
        eprintln!("flexmap: {}", d.message);
        return EXIT_USAGE;
    }
    super::print_diagnostics(std::slice::from_ref(d), 1, &args.diagnostics, true);
    EXIT_FINDINGS
}

/// Why the record could not be had.
enum RecordError {
    /// The file could not be read (FM902, FM901 when too large).
    Unreadable(Box<flexmap::Diagnostic>),
    /// It was read but is not one JSON value, or standard input is too long.
    Invalid(String),
}

/// Reads the record: a file (`fsio`'s bounded read of regular files only), standard input
/// (bounded), or `{}`.
fn read_record(path: Option<&Path>) -> Result<Value, RecordError> {
    let Some(path) = path else {
        return Ok(Value::Object(serde_json::Map::new()));
    };
    let name = path.display();
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_RECORD_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| RecordError::Invalid(format!("cannot read {name}: {e}")))?;
        if bytes.len() as u64 > MAX_RECORD_BYTES {
            return Err(RecordError::Invalid(format!(
                "{name} is over {MAX_RECORD_BYTES} bytes; eval reads one record"
            )));
        }
        bytes
    } else {
        flexmap::fsio::read_regular_bounded(path, MAX_RECORD_BYTES).map_err(|e| {
            RecordError::Unreadable(Box::new(
                e.diagnostic(path, "check the path of the record and its permissions"),
            ))
        })?
    };
    match std::str::from_utf8(&bytes) {
        Ok(text) => number::parse_record(text),
        Err(_) => serde_json::from_slice(&bytes),
    }
    .map_err(|e| RecordError::Invalid(format!("{name} is not one JSON value: {e}")))
}
