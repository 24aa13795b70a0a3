//! `flexmap apply`: stream NDJSON through a program.
//!
//! Memory stays constant: lines are read in bounded batches (a line longer than
//! `--max-line-bytes` is skipped without being buffered), mapped (in parallel with
//! `--jobs`), and written in input order. Every line in ends as an output line or an error
//! line: `lines = mapped + errors`, printed to stderr at the end.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;

use flexmap::runtime::{Program, RuntimeWarning};
use flexmap::{Ruleset, Severity};
use rayon::prelude::*;
use serde_json::Value;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Format, OutputArgs};

/// Lines per batch; bounds memory together with `--max-line-bytes`.
const BATCH_LINES: usize = 2048;
/// Bytes per batch, so a batch of long lines stays bounded too.
const BATCH_BYTES: usize = 8 * 1024 * 1024;

/// Arguments of `flexmap apply`.
#[derive(clap::Args, Debug)]
pub struct ApplyArgs {
    /// The rule file.
    pub rules: PathBuf,
    /// NDJSON input; `-` or nothing reads standard input.
    pub input: Option<PathBuf>,
    /// Write output here instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Write records that cannot be mapped here, one JSON object per line: line number,
    /// reason and the original text.
    #[arg(long, value_name = "DEAD.ndjson")]
    pub errors: Option<PathBuf>,
    /// Deep-merge the result into the attributes found at this dotted path of the record
    /// (e.g. `task.attributes`, an object or a JSON string) and output the merged object.
    #[arg(long, value_name = "PATH")]
    pub merge: Option<String>,
    /// Turn runtime warnings into record errors.
    #[arg(long)]
    pub strict: bool,
    /// Worker threads; output order is the input order whatever the number.
    #[arg(long, short = 'j', default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Longest input line accepted, in bytes; longer lines become error lines.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_line_bytes: usize,
    #[command(flatten)]
    pub diagnostics: OutputArgs,
}

/// One input line, as read.
enum Line {
    Text(Vec<u8>),
    TooLong(usize),
}

/// What became of one line.
enum Outcome {
    Mapped(Vec<u8>, Vec<RuntimeWarning>),
    Failed(String, Vec<RuntimeWarning>),
}

#[derive(Default)]
struct Counts {
    lines: u64,
    mapped: u64,
    errors: u64,
    warnings: BTreeMap<String, (u64, u64)>,
}

/// Runs `flexmap apply`.
pub fn run(args: &ApplyArgs) -> u8 {
    let program = match load_program(args) {
        Ok(program) => program,
        Err(code) => return code,
    };
    let input: Box<dyn Read> = match &args.input {
        None => Box::new(io::stdin().lock()),
        Some(path) if path.as_os_str() == "-" => Box::new(io::stdin().lock()),
        Some(path) => match File::open(path) {
            Ok(file) => Box::new(file),
            Err(e) => {
                eprintln!("flexmap: cannot read {}: {e}", path.display());
                return EXIT_USAGE;
            }
        },
    };
    let mut output: Box<dyn Write> = match &args.output {
        None => Box::new(BufWriter::with_capacity(1 << 16, io::stdout().lock())),
        Some(path) => match File::create(path) {
            Ok(file) => Box::new(BufWriter::with_capacity(1 << 16, file)),
            Err(e) => {
                eprintln!("flexmap: cannot write {}: {e}", path.display());
                return EXIT_USAGE;
            }
        },
    };
    let mut dead: Option<BufWriter<File>> = match &args.errors {
        None => None,
        Some(path) => match File::create(path) {
            Ok(file) => Some(BufWriter::new(file)),
            Err(e) => {
                eprintln!("flexmap: cannot write {}: {e}", path.display());
                return EXIT_USAGE;
            }
        },
    };
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(usize::from(args.jobs))
        .build()
    {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("flexmap: cannot start {} threads: {e}", args.jobs);
            return EXIT_USAGE;
        }
    };
    let progress = progress_bar();
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut counts = Counts::default();
    let mut batch: Vec<Line> = Vec::with_capacity(BATCH_LINES);
    loop {
        batch.clear();
        let mut bytes = 0;
        let mut eof = false;
        while batch.len() < BATCH_LINES && bytes < BATCH_BYTES {
            match read_line(&mut reader, args.max_line_bytes) {
                Ok(Some(line)) => {
                    bytes += match &line {
                        Line::Text(t) => t.len(),
                        Line::TooLong(_) => 0,
                    };
                    batch.push(line);
                }
                Ok(None) => {
                    eof = true;
                    break;
                }
                Err(e) => {
                    eprintln!("flexmap: cannot read input: {e}");
                    return EXIT_USAGE;
                }
            }
        }
        let outcomes: Vec<Outcome> = if args.jobs > 1 {
            pool.install(|| {
                batch
                    .par_iter()
                    .map(|line| map_line(&program, line, args))
                    .collect()
            })
        } else {
            batch
                .iter()
                .map(|line| map_line(&program, line, args))
                .collect()
        };
        for (line, outcome) in batch.iter().zip(outcomes) {
            counts.lines += 1;
            let number = counts.lines;
            let warnings = match outcome {
                Outcome::Mapped(mut bytes, warnings) => {
                    counts.mapped += 1;
                    bytes.push(b'\n');
                    if let Err(e) = output.write_all(&bytes) {
                        return write_failed(&e);
                    }
                    warnings
                }
                Outcome::Failed(reason, warnings) => {
                    counts.errors += 1;
                    if let Err(e) = dead_letter(dead.as_mut(), number, &reason, line) {
                        return write_failed(&e);
                    }
                    warnings
                }
            };
            for warning in warnings {
                let entry = counts
                    .warnings
                    .entry(program.describe(&warning))
                    .or_insert((0, number));
                entry.0 += 1;
            }
        }
        if let Some(bar) = &progress {
            bar.set_position(counts.lines);
        }
        if eof {
            break;
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if let Err(e) = output.flush() {
        return write_failed(&e);
    }
    if let Some(Err(e)) = dead.as_mut().map(Write::flush) {
        return write_failed(&e);
    }
    report(&counts, args);
    if counts.errors > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn write_failed(e: &io::Error) -> u8 {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return EXIT_OK;
    }
    eprintln!("flexmap: cannot write output: {e}");
    EXIT_USAGE
}

fn load_program(args: &ApplyArgs) -> Result<Program, u8> {
    let text = match std::fs::read_to_string(&args.rules) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("flexmap: cannot read {}: {e}", args.rules.display());
            return Err(EXIT_USAGE);
        }
    };
    let ruleset = Ruleset::from_str(&text, &args.rules.display().to_string());
    let config = flexmap::Config::find(&args.rules);
    match ruleset.compile_with(&config) {
        Ok(program) => Ok(program),
        Err(error) => {
            let errors: Vec<_> = error
                .diagnostics
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect();
            let output = OutputArgs {
                format: args.diagnostics.format,
                color: args.diagnostics.color,
            };
            super::print_diagnostics(&errors, 1, &output, true);
            eprintln!(
                "flexmap: {} has {} error{}; nothing was applied",
                args.rules.display(),
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            Err(EXIT_FINDINGS)
        }
    }
}

/// Reads one line without its terminator; a line over `max` bytes is consumed but not kept.
fn read_line(reader: &mut impl BufRead, max: usize) -> io::Result<Option<Line>> {
    let mut line = Vec::new();
    let mut total = 0usize;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            if total == 0 {
                return Ok(None);
            }
            break;
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        total += chunk.len();
        if total > max {
            too_long = true;
            line = Vec::new();
        } else {
            line.extend_from_slice(chunk);
        }
        let consumed = done.unwrap_or(available.len());
        reader.consume(consumed);
        if done.is_some() {
            total += 1;
            break;
        }
    }
    if too_long {
        return Ok(Some(Line::TooLong(total)));
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(Line::Text(line)))
}

fn map_line(program: &Program, line: &Line, args: &ApplyArgs) -> Outcome {
    let bytes = match line {
        Line::Text(bytes) => bytes,
        Line::TooLong(n) => {
            return Outcome::Failed(
                format!(
                    "line is {n} bytes, over --max-line-bytes {}",
                    args.max_line_bytes
                ),
                Vec::new(),
            );
        }
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return Outcome::Failed(
                format!("invalid UTF-8 at byte {}", e.valid_up_to()),
                Vec::new(),
            );
        }
    };
    if text.trim().is_empty() {
        return Outcome::Failed("empty line".into(), Vec::new());
    }
    let record: Value = match serde_json::from_str(text) {
        Ok(record) => record,
        Err(e) => return Outcome::Failed(format!("malformed JSON: {e}"), Vec::new()),
    };
    if !record.is_object() {
        return Outcome::Failed("the record is not a JSON object".into(), Vec::new());
    }
    let mut applied = program.apply(&record);
    // The payload cap is checked below on the bytes actually written (merged or not).
    applied.warnings.retain(|w| !w.kind.is_record_error());
    if args.strict && !applied.warnings.is_empty() {
        let reasons: Vec<String> = applied
            .warnings
            .iter()
            .map(|w| program.describe(w))
            .collect();
        return Outcome::Failed(
            format!("--strict: {}", reasons.join("; ")),
            applied.warnings,
        );
    }
    let mut out = Vec::with_capacity(256);
    match &args.merge {
        None => applied.attributes.write_json(&mut out),
        Some(path) => match merged(&record, path, &applied.attributes) {
            Ok(value) => {
                let _ = serde_json::to_writer(&mut out, &value);
            }
            Err(reason) => return Outcome::Failed(reason, applied.warnings),
        },
    }
    if let Some(reason) = payload_too_large(&out) {
        return Outcome::Failed(reason, applied.warnings);
    }
    Outcome::Mapped(out, applied.warnings)
}

/// The reason a line fails when the JSON it would write is over `TaskRouter`'s cap.
fn payload_too_large(json: &[u8]) -> Option<String> {
    let cap = flexmap::runtime::MAX_PAYLOAD_CHARS;
    if json.len() <= cap {
        return None;
    }
    let chars = flexmap::runtime::json_chars(json);
    (chars > cap).then(|| {
        format!(
            "the attributes JSON is {chars} characters, over TaskRouter's {cap}-character cap, so TaskRouter would reject the update (payload-too-large)"
        )
    })
}

/// The attributes at `path` in the record with `attributes` deep-merged into them.
fn merged(record: &Value, path: &str, attributes: &flexmap::Attributes) -> Result<Value, String> {
    let mut base = record;
    for key in path.split('.') {
        base = base.get(key).unwrap_or(&Value::Null);
    }
    let mut base = match base {
        Value::Null => Value::Object(serde_json::Map::new()),
        Value::Object(_) => base.clone(),
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(value @ Value::Object(_)) => value,
            _ => {
                return Err(format!(
                    "--merge: the string at `{path}` is not a JSON object"
                ));
            }
        },
        _ => return Err(format!("--merge: the value at `{path}` is not an object")),
    };
    deep_merge(&mut base, attributes.to_value());
    Ok(base)
}

fn deep_merge(base: &mut Value, update: Value) {
    match (base, update) {
        (Value::Object(base), Value::Object(update)) => {
            for (key, value) in update {
                match base.get_mut(&key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        deep_merge(existing, value);
                    }
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, update) => *base = update,
    }
}

fn dead_letter(
    dead: Option<&mut BufWriter<File>>,
    number: u64,
    reason: &str,
    line: &Line,
) -> io::Result<()> {
    match dead {
        Some(writer) => {
            let record = match line {
                Line::Text(bytes) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
                Line::TooLong(_) => Value::Null,
            };
            let entry = serde_json::json!({ "line": number, "error": reason, "record": record });
            serde_json::to_writer(&mut *writer, &entry)?;
            writer.write_all(b"\n")
        }
        None => {
            // Without a dead-letter file the reason still reaches stderr (never the record).
            eprintln!("flexmap: line {number}: {reason}");
            Ok(())
        }
    }
}

fn report(counts: &Counts, args: &ApplyArgs) {
    let total_warnings: u64 = counts.warnings.values().map(|(n, _)| n).sum();
    for (message, (count, first)) in &counts.warnings {
        eprintln!(
            "warning: {message} — {count} record{} (first at line {first})",
            if *count == 1 { "" } else { "s" }
        );
    }
    let errors = match (&args.errors, counts.errors) {
        (_, 0) => "0 errors".to_string(),
        (Some(path), n) => format!(
            "{n} error{} (written to {})",
            if n == 1 { "" } else { "s" },
            path.display()
        ),
        (None, n) => format!("{n} error{} (reasons above)", if n == 1 { "" } else { "s" }),
    };
    if args.diagnostics.format == Format::Json {
        eprintln!(
            "{}",
            serde_json::json!({"lines": counts.lines, "mapped": counts.mapped, "errors": counts.errors, "warnings": total_warnings})
        );
    } else {
        eprintln!(
            "flexmap apply: {} line{}: {} mapped, {errors}, {total_warnings} warning{}",
            counts.lines,
            if counts.lines == 1 { "" } else { "s" },
            counts.mapped,
            if total_warnings == 1 { "" } else { "s" }
        );
    }
}

fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} {pos} lines mapped ({per_sec})")
    {
        bar.set_style(style);
    }
    Some(bar)
}
