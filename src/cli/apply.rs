//! `flexmap apply`: stream NDJSON through a program.
//!
//! Memory stays constant: lines are read in bounded batches (a line longer than
//! `--max-line-bytes` is skipped without being buffered), mapped (in parallel with
//! `--jobs`), and written in input order. Every line in ends as an output line or an error
//! line: `lines = mapped + errors`, printed to stderr at the end.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};

use flexmap::runtime::{FastPath, Program, RuntimeWarning, WarningKind};
use flexmap::{Ruleset, Severity};
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
    #[arg(long, default_value_t = flexmap::runtime::MAX_LINE_BYTES)]
    pub max_line_bytes: usize,
    #[command(flatten)]
    pub diagnostics: OutputArgs,
}

/// A batch of input lines: their bytes back to back, and where each line is.
#[derive(Default)]
struct Batch {
    /// Number of the batch's first line, 1-based.
    first: u64,
    text: Vec<u8>,
    lines: Vec<Line>,
}

/// One input line of a batch.
enum Line {
    /// `Batch::text[start..end]`, without its terminator.
    Text(usize, usize),
    /// A line over `--max-line-bytes`, of this many bytes, not kept.
    TooLong(usize),
}

impl Batch {
    fn bytes(&self, line: &Line) -> Option<&[u8]> {
        match line {
            Line::Text(start, end) => self.text.get(*start..*end),
            Line::TooLong(_) => None,
        }
    }
}

/// A mapped batch: the output lines back to back, the lines that failed, and every warning.
struct Mapped {
    batch: Batch,
    out: Vec<u8>,
    /// Index in the batch and reason.
    failures: Vec<(usize, String)>,
    /// Index in the batch and warning.
    warnings: Vec<(usize, RuntimeWarning)>,
}

#[derive(Default)]
struct Counts {
    lines: u64,
    mapped: u64,
    errors: u64,
    /// Count and first line of each warning (worded only at the end).
    warnings: HashMap<RuntimeWarning, (u64, u64)>,
}

/// Where output goes, and how it is counted.
struct Sink {
    output: Box<dyn Write>,
    dead: Option<BufWriter<File>>,
    counts: Counts,
    progress: Option<indicatif::ProgressBar>,
}

impl Sink {
    /// Writes one mapped batch, in order.
    fn consume(&mut self, mapped: &Mapped) -> io::Result<()> {
        let lines = mapped.batch.lines.len() as u64;
        self.output.write_all(&mapped.out)?;
        for (index, reason) in &mapped.failures {
            let number = mapped.batch.first + *index as u64;
            let bytes = mapped
                .batch
                .lines
                .get(*index)
                .and_then(|l| mapped.batch.bytes(l));
            dead_letter(self.dead.as_mut(), number, reason, bytes)?;
        }
        for (index, warning) in &mapped.warnings {
            let number = mapped.batch.first + *index as u64;
            let entry = self.counts.warnings.entry(*warning).or_insert((0, number));
            entry.0 += 1;
        }
        self.counts.lines += lines;
        self.counts.errors += mapped.failures.len() as u64;
        self.counts.mapped += lines - mapped.failures.len() as u64;
        if let Some(bar) = &self.progress {
            bar.set_position(self.counts.lines);
        }
        Ok(())
    }
}

/// Why a run stopped early.
enum Stop {
    Read(io::Error),
    Write(io::Error),
}

/// Runs `flexmap apply`.
pub fn run(args: &ApplyArgs) -> u8 {
    let program = match load_program(args) {
        Ok(program) => program,
        Err(code) => return code,
    };
    let input: Box<dyn Read + Send> = match &args.input {
        None => Box::new(io::stdin()),
        Some(path) if path.as_os_str() == "-" => Box::new(io::stdin()),
        Some(path) => match File::open(path) {
            Ok(file) => Box::new(file),
            Err(e) => {
                eprintln!("flexmap: cannot read {}: {e}", path.display());
                return EXIT_USAGE;
            }
        },
    };
    let output: Box<dyn Write> = match &args.output {
        None => Box::new(BufWriter::with_capacity(1 << 16, io::stdout().lock())),
        Some(path) => match File::create(path) {
            Ok(file) => Box::new(BufWriter::with_capacity(1 << 16, file)),
            Err(e) => {
                eprintln!("flexmap: cannot write {}: {e}", path.display());
                return EXIT_USAGE;
            }
        },
    };
    let dead: Option<BufWriter<File>> = match &args.errors {
        None => None,
        Some(path) => match File::create(path) {
            Ok(file) => Some(BufWriter::new(file)),
            Err(e) => {
                eprintln!("flexmap: cannot write {}: {e}", path.display());
                return EXIT_USAGE;
            }
        },
    };
    let fast = FastPath::new(&program);
    let mut sink = Sink {
        output,
        dead,
        counts: Counts::default(),
        progress: progress_bar(),
    };
    let reader = BufReader::with_capacity(1 << 16, input);
    let stopped = if args.jobs > 1 {
        run_parallel(reader, &fast, args, &mut sink)
    } else {
        run_serial(reader, &fast, args, &mut sink)
    };
    match stopped {
        Err(Stop::Read(e)) => {
            eprintln!("flexmap: cannot read input: {e}");
            return EXIT_USAGE;
        }
        Err(Stop::Write(e)) => return write_failed(&e),
        Ok(()) => {}
    }
    if let Some(bar) = sink.progress.take() {
        bar.finish_and_clear();
    }
    if let Err(e) = sink.output.flush() {
        return write_failed(&e);
    }
    if let Some(Err(e)) = sink.dead.as_mut().map(Write::flush) {
        return write_failed(&e);
    }
    report(&sink.counts, &program, args);
    if sink.counts.errors > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// One thread: read a batch, map it, write it.
fn run_serial(
    mut reader: impl BufRead,
    fast: &FastPath<'_>,
    args: &ApplyArgs,
    sink: &mut Sink,
) -> Result<(), Stop> {
    let mut next = 1;
    loop {
        let (batch, eof) =
            read_batch(&mut reader, args.max_line_bytes, next).map_err(Stop::Read)?;
        next += batch.lines.len() as u64;
        let mapped = map_batch(fast, batch, args);
        sink.consume(&mapped).map_err(Stop::Write)?;
        if eof {
            return Ok(());
        }
    }
}

/// `--jobs N`: a reader thread, N mapping threads, and this thread writing batches in input
/// order. At most `2 N` batches are in flight each way, so memory stays bounded.
fn run_parallel(
    mut reader: impl BufRead + Send,
    fast: &FastPath<'_>,
    args: &ApplyArgs,
    sink: &mut Sink,
) -> Result<(), Stop> {
    let jobs = usize::from(args.jobs);
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Batch)>(2 * jobs);
    let (done_tx, done_rx) = mpsc::sync_channel::<(u64, Mapped)>(2 * jobs);
    let work_rx = Arc::new(Mutex::new(work_rx));
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || -> io::Result<()> {
            let mut next = 1;
            for seq in 0.. {
                let (batch, eof) = read_batch(&mut reader, args.max_line_bytes, next)?;
                next += batch.lines.len() as u64;
                if work_tx.send((seq, batch)).is_err() || eof {
                    return Ok(());
                }
            }
            Ok(())
        });
        for _ in 0..jobs {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                loop {
                    let next = match work_rx.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, batch)) = next else { return };
                    if done_tx.send((seq, map_batch(fast, batch, args))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(work_rx);
        drop(done_tx);
        let written = write_in_order(done_rx, sink);
        let read = match reading.join() {
            Ok(result) => result,
            Err(_) => Err(io::Error::other("the reader thread panicked")),
        };
        written.map_err(Stop::Write)?;
        read.map_err(Stop::Read)
    })
}

/// Writes batches as they arrive, in sequence order; stops (dropping `done`) on a write error.
fn write_in_order(done: mpsc::Receiver<(u64, Mapped)>, sink: &mut Sink) -> io::Result<()> {
    let mut pending: BTreeMap<u64, Mapped> = BTreeMap::new();
    let mut next = 0;
    for (seq, mapped) in done {
        pending.insert(seq, mapped);
        while let Some(mapped) = pending.remove(&next) {
            sink.consume(&mapped)?;
            next += 1;
        }
    }
    Ok(())
}

/// Reads up to `BATCH_LINES` lines or `BATCH_BYTES` bytes; `true` at the end of the input.
fn read_batch(reader: &mut impl BufRead, max: usize, first: u64) -> io::Result<(Batch, bool)> {
    let mut batch = Batch {
        first,
        text: Vec::with_capacity(BATCH_BYTES.min(1 << 20)),
        lines: Vec::with_capacity(BATCH_LINES),
    };
    while batch.lines.len() < BATCH_LINES && batch.text.len() < BATCH_BYTES {
        if !read_line(reader, max, &mut batch)? {
            return Ok((batch, true));
        }
    }
    Ok((batch, false))
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

/// Reads one line into `batch` without its terminator (a line over `max` bytes is consumed but
/// not kept); `false` at the end of the input.
fn read_line(reader: &mut impl BufRead, max: usize, batch: &mut Batch) -> io::Result<bool> {
    let start = batch.text.len();
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
                return Ok(false);
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
            batch.text.truncate(start);
        } else {
            batch.text.extend_from_slice(chunk);
        }
        let consumed = done.unwrap_or(available.len());
        reader.consume(consumed);
        if done.is_some() {
            total += 1;
            break;
        }
    }
    if too_long {
        batch.lines.push(Line::TooLong(total));
        return Ok(true);
    }
    if batch.text.last() == Some(&b'\r') && batch.text.len() > start {
        batch.text.pop();
    }
    batch.lines.push(Line::Text(start, batch.text.len()));
    Ok(true)
}

/// Maps every line of a batch.
fn map_batch(fast: &FastPath<'_>, batch: Batch, args: &ApplyArgs) -> Mapped {
    let mut mapped = Mapped {
        out: Vec::with_capacity(batch.text.len() + batch.lines.len()),
        failures: Vec::new(),
        warnings: Vec::new(),
        batch: Batch::default(),
    };
    let mut warnings = Vec::new();
    for (index, line) in batch.lines.iter().enumerate() {
        let start = mapped.out.len();
        let outcome = map_line(
            fast,
            batch.bytes(line),
            line,
            args,
            &mut mapped.out,
            &mut warnings,
        );
        match outcome {
            Ok(()) => mapped.out.push(b'\n'),
            Err(reason) => {
                mapped.out.truncate(start);
                mapped.failures.push((index, reason));
            }
        }
        mapped
            .warnings
            .extend(warnings.drain(..).map(|w| (index, w)));
    }
    mapped.batch = batch;
    mapped
}

/// Maps one line, appending its output to `out`; the reason when it cannot be mapped.
fn map_line(
    fast: &FastPath<'_>,
    bytes: Option<&[u8]>,
    line: &Line,
    args: &ApplyArgs,
    out: &mut Vec<u8>,
    warnings: &mut Vec<RuntimeWarning>,
) -> Result<(), String> {
    let bytes = match (bytes, line) {
        (Some(bytes), _) => bytes,
        (None, Line::TooLong(n)) => {
            return Err(format!(
                "line is {n} bytes, over --max-line-bytes {}",
                args.max_line_bytes
            ));
        }
        (None, Line::Text(..)) => &[],
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))?;
    if text.trim().is_empty() {
        return Err("empty line".into());
    }
    let program = fast.program();
    let start = out.len();
    match &args.merge {
        None => {
            let record = fast
                .parse(text)
                .map_err(|e| format!("malformed JSON: {e}"))?;
            if !record.is_object() {
                return Err("the record is not a JSON object".into());
            }
            fast.apply_json(&record, out, warnings);
        }
        Some(path) => {
            let record: Value =
                serde_json::from_str(text).map_err(|e| format!("malformed JSON: {e}"))?;
            if !record.is_object() {
                return Err("the record is not a JSON object".into());
            }
            let applied = program.apply(&record);
            // The payload cap is checked below on the bytes actually written (merged or not).
            warnings.extend(
                applied
                    .warnings
                    .iter()
                    .filter(|w| w.kind != WarningKind::PayloadTooLarge),
            );
            if !args.strict || warnings.is_empty() {
                let value = merged(&record, path, &applied.attributes)?;
                let _ = serde_json::to_writer(&mut *out, &value);
            }
        }
    }
    // A value over the runtime cost caps was never built: the record is an error.
    if let Some(too_large) = warnings
        .iter()
        .find(|w| w.kind == WarningKind::ValueTooLarge)
    {
        return Err(program.describe(too_large));
    }
    if args.strict && !warnings.is_empty() {
        let reasons: Vec<String> = warnings.iter().map(|w| program.describe(w)).collect();
        return Err(format!("--strict: {}", reasons.join("; ")));
    }
    if let Some(reason) = payload_too_large(&out[start..]) {
        return Err(reason);
    }
    Ok(())
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
    line: Option<&[u8]>,
) -> io::Result<()> {
    match dead {
        Some(writer) => {
            let record = match line {
                Some(bytes) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
                None => Value::Null,
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

fn report(counts: &Counts, program: &Program, args: &ApplyArgs) {
    let mut worded: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (warning, (count, first)) in &counts.warnings {
        let entry = worded
            .entry(program.describe(warning))
            .or_insert((0, *first));
        entry.0 += count;
        entry.1 = entry.1.min(*first);
    }
    let total_warnings: u64 = counts.warnings.values().map(|(n, _)| n).sum();
    for (message, (count, first)) in &worded {
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
