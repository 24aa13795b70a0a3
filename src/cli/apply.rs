//! `flexmap apply`: stream NDJSON through a program.
//!
//! Memory stays constant: lines are read in bounded batches (a line longer than
//! `--max-line-bytes` is skipped without being buffered), mapped (in parallel with
//! `--jobs`, all cores by default), and written in input order. Every line in ends as an
//! output line or an error line: `lines = mapped + errors`, printed to stderr at the end, also
//! when standard output is closed early. What one record becomes is the library's
//! `RecordPolicy` (the one `serve` uses too). Nothing is written before the output and errors
//! paths are known to differ from the input, the rules and each other.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use base64::Engine as _;
use flexmap::runtime::{FastPath, MergePath, Program, RecordPolicy, RuntimeWarning};
use serde_json::Value;

use super::progress::{Progress, figure};
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
    /// reason and the original record, exactly (`record`, or `record_base64` when the line is
    /// not UTF-8). The one place record values are written.
    #[arg(long, value_name = "DEAD.ndjson")]
    pub errors: Option<PathBuf>,
    /// Deep-merge the result into the attributes found at this dotted path of the record
    /// (e.g. `task.attributes`, an object or a JSON string) and output the merged object; a
    /// record without that path is an error line.
    #[arg(long, value_name = "PATH", value_parser = MergePath::parse)]
    pub merge: Option<MergePath>,
    /// Turn runtime warnings into record errors.
    #[arg(long)]
    pub strict: bool,
    /// Worker threads [default: the number of available cores]; output order and bytes are
    /// the same whatever the number.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,
    /// Print the record beside each error reason on stderr (without it, and without
    /// `--errors`, no record value is printed).
    #[arg(long)]
    pub show_values: bool,
    /// Explain each record, rule by rule, as NDJSON lines: the `when` result, the value after
    /// each step (path, filters, the `??` branch taken), the target kind's coercion, and why
    /// the field was written, changed, dropped or skipped. Trace lines PRINT RECORD VALUES, by
    /// design. `--trace` writes them to stderr, `--trace=FILE` to a file (docs/language.md).
    #[arg(long, value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "-")]
    pub trace: Option<PathBuf>,
    /// No progress display on a terminal (the summary line stays).
    #[arg(long, short = 'q')]
    pub quiet: bool,
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
    /// A line over `--max-line-bytes`, of this many bytes (terminator not counted), not kept.
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
    /// All warnings, for the progress display.
    warning_total: u64,
    /// Count and first line of each warning (worded only at the end).
    warnings: HashMap<RuntimeWarning, (u64, u64)>,
}

/// Where output goes, and how it is counted.
struct Sink {
    output: Box<dyn Write>,
    dead: Option<BufWriter<File>>,
    show_values: bool,
    counts: Counts,
    progress: Option<Progress>,
    /// `--trace` (tracing adds no work to mapping: it runs here, on the writing side).
    trace: Option<super::trace::Tracer>,
}

impl Sink {
    /// Writes one mapped batch, in order: its error lines first (so a closed output still
    /// leaves them in `--errors`), then its output. Counts only a batch written whole.
    fn consume(&mut self, mapped: &Mapped) -> Result<(), Stop> {
        let lines = mapped.batch.lines.len() as u64;
        for (index, reason) in &mapped.failures {
            let number = mapped.batch.first + *index as u64;
            let bytes = mapped
                .batch
                .lines
                .get(*index)
                .and_then(|l| mapped.batch.bytes(l));
            dead_letter(self.dead.as_mut(), self.show_values, number, reason, bytes)
                .map_err(Stop::Errors)?;
        }
        self.output.write_all(&mapped.out).map_err(Stop::Write)?;
        if let Some(tracer) = &mut self.trace {
            for (index, line) in mapped.batch.lines.iter().enumerate() {
                let number = mapped.batch.first + index as u64;
                tracer
                    .line(number, mapped.batch.bytes(line))
                    .map_err(Stop::Write)?;
            }
        }
        for (index, warning) in &mapped.warnings {
            let number = mapped.batch.first + *index as u64;
            let entry = self.counts.warnings.entry(*warning).or_insert((0, number));
            entry.0 += 1;
        }
        self.counts.lines += lines;
        self.counts.errors += mapped.failures.len() as u64;
        self.counts.mapped += lines - mapped.failures.len() as u64;
        self.counts.warning_total += mapped.warnings.len() as u64;
        if let Some(progress) = &self.progress {
            progress.update(
                self.counts.lines,
                self.counts.errors,
                self.counts.warning_total,
            );
        }
        Ok(())
    }
}

/// Why a run stopped early.
enum Stop {
    Read(io::Error),
    /// Writing the output failed (standard output closed, disk full).
    Write(io::Error),
    /// Writing `--errors` failed.
    Errors(io::Error),
}

/// Runs `flexmap apply`.
pub fn run(args: &ApplyArgs) -> u8 {
    if let Err(message) = distinct_files(args) {
        eprintln!("flexmap: {message}");
        return EXIT_USAGE;
    }
    let program = match load_program(args) {
        Ok(program) => program,
        Err(code) => return code,
    };
    let read = Arc::new(AtomicU64::new(0));
    let (input, size): (Box<dyn Read + Send>, Option<u64>) = match input_path(args) {
        None => (Box::new(io::stdin()), None),
        Some(path) => match File::open(path) {
            Ok(file) => {
                let size = file
                    .metadata()
                    .ok()
                    .filter(std::fs::Metadata::is_file)
                    .map(|m| m.len());
                (Box::new(file), size)
            }
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
    let trace = match args
        .trace
        .as_deref()
        .map(|path| super::trace::Tracer::new(&program, path))
    {
        None => None,
        Some(Ok(tracer)) => Some(tracer),
        Some(Err(e)) => {
            eprintln!("flexmap: cannot write the trace: {e}");
            return EXIT_USAGE;
        }
    };
    let fast = FastPath::new(&program);
    let mut policy = RecordPolicy::new().strict(args.strict);
    if let Some(path) = &args.merge {
        policy = policy.merge(path.clone());
    }
    let mut sink = Sink {
        output,
        dead,
        show_values: args.show_values,
        counts: Counts::default(),
        // Trace lines on stderr and a progress display would interleave.
        progress: if args.quiet || args.trace.as_deref() == Some(Path::new("-")) {
            None
        } else {
            Progress::records(size, Arc::clone(&read))
        },
        trace,
    };
    let reader = BufReader::with_capacity(1 << 16, Counted { inner: input, read });
    let job = Job {
        fast: &fast,
        policy: &policy,
        max_line_bytes: args.max_line_bytes,
    };
    let jobs = args.jobs.map_or_else(default_jobs, usize::from);
    let mut stopped = if jobs > 1 {
        run_parallel(reader, &job, jobs, &mut sink)
    } else {
        run_serial(reader, &job, &mut sink)
    };
    if stopped.is_ok() {
        stopped = sink.output.flush().map_err(Stop::Write);
    }
    if stopped.is_ok()
        && let Some(tracer) = &mut sink.trace
    {
        stopped = tracer.flush().map_err(Stop::Write);
    }
    if let Some(progress) = sink.progress.take() {
        progress.finish();
    }
    // Whatever happened, the error lines so far are kept and the counts so far are printed.
    let flushed = sink.dead.as_mut().map_or(Ok(()), Write::flush);
    report(&sink.counts, &program, args);
    let code = match stopped {
        Ok(()) => {
            if sink.counts.errors > 0 {
                EXIT_FINDINGS
            } else {
                EXIT_OK
            }
        }
        Err(Stop::Read(e)) => {
            eprintln!(
                "flexmap: cannot read input after line {}: {e}",
                sink.counts.lines
            );
            EXIT_USAGE
        }
        Err(Stop::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            eprintln!(
                "flexmap: the output was closed (broken pipe); stopped early: the counts above cover the first {} lines",
                figure(sink.counts.lines)
            );
            EXIT_FINDINGS
        }
        Err(Stop::Write(e)) => {
            eprintln!(
                "flexmap: cannot write output after line {}: {e}",
                sink.counts.lines
            );
            EXIT_USAGE
        }
        Err(Stop::Errors(e)) => {
            eprintln!("flexmap: cannot write the errors file: {e}");
            EXIT_USAGE
        }
    };
    if let Err(e) = flushed {
        eprintln!("flexmap: cannot write the errors file: {e}");
        return EXIT_USAGE;
    }
    code
}

/// `--jobs` when not given: the cores this process may use (cgroup limits included).
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(256))
}

/// The input file, `None` for standard input.
fn input_path(args: &ApplyArgs) -> Option<&Path> {
    args.input.as_deref().filter(|path| path.as_os_str() != "-")
}

/// What one mapping thread needs.
struct Job<'a> {
    fast: &'a FastPath<'a>,
    policy: &'a RecordPolicy,
    max_line_bytes: usize,
}

/// A reader that counts the bytes it hands out (for the progress display).
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// One thread: read a batch, map it, write it.
fn run_serial(mut reader: impl BufRead, job: &Job<'_>, sink: &mut Sink) -> Result<(), Stop> {
    let mut next = 1;
    loop {
        let (batch, eof) = read_batch(&mut reader, job.max_line_bytes, next).map_err(Stop::Read)?;
        next += batch.lines.len() as u64;
        let mapped = map_batch(job, batch);
        sink.consume(&mapped)?;
        if eof {
            return Ok(());
        }
    }
}

/// `--jobs N`: a reader thread, N mapping threads, and this thread writing batches in input
/// order. At most `2 N` batches are in flight each way, so memory stays bounded.
fn run_parallel(
    mut reader: impl BufRead + Send,
    job: &Job<'_>,
    jobs: usize,
    sink: &mut Sink,
) -> Result<(), Stop> {
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Batch)>(2 * jobs);
    let (done_tx, done_rx) = mpsc::sync_channel::<(u64, Mapped)>(2 * jobs);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let max = job.max_line_bytes;
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || -> io::Result<()> {
            let mut next = 1;
            for seq in 0.. {
                let (batch, eof) = read_batch(&mut reader, max, next)?;
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
                    if done_tx.send((seq, map_batch(job, batch))).is_err() {
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
        written?;
        read.map_err(Stop::Read)
    })
}

/// Writes batches as they arrive, in sequence order; stops (dropping `done`) on a write error.
fn write_in_order(done: mpsc::Receiver<(u64, Mapped)>, sink: &mut Sink) -> Result<(), Stop> {
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
/// A UTF-8 byte order mark at the very start of the input is not part of the first record.
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
        if first == 1 && batch.lines.len() == 1 {
            strip_bom(&mut batch);
        }
    }
    Ok((batch, false))
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Drops a byte order mark from the batch's first line (only ever line 1 of the input).
fn strip_bom(batch: &mut Batch) {
    if let Some(Line::Text(0, end)) = batch.lines.first_mut()
        && batch.text.starts_with(BOM)
    {
        batch.text.drain(..BOM.len());
        *end -= BOM.len();
    }
}

fn load_program(args: &ApplyArgs) -> Result<Program, u8> {
    if let Err(e) = flexmap::project::read_text(&args.rules) {
        eprintln!("flexmap: {}", e.message);
        return Err(EXIT_USAGE);
    }
    super::compile_or_report(&args.rules, &args.diagnostics, "applied")
}

/// Reads one line into `batch` without its terminator (a line over `max` bytes is consumed but
/// not kept); `false` at the end of the input.
fn read_line(reader: &mut impl BufRead, max: usize, batch: &mut Batch) -> io::Result<bool> {
    let start = batch.text.len();
    let mut total = 0usize;
    let mut too_long = false;
    let mut last = None;
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
        if let Some(byte) = chunk.last() {
            last = Some(*byte);
        }
        if total > max {
            too_long = true;
            batch.text.truncate(start);
        } else {
            batch.text.extend_from_slice(chunk);
        }
        let consumed = done.unwrap_or(available.len());
        reader.consume(consumed);
        if done.is_some() {
            if total == 0 {
                // An empty line: still a line.
                batch.lines.push(Line::Text(start, start));
                return Ok(true);
            }
            break;
        }
    }
    if too_long {
        // The length of the line itself: neither `\n` nor a `\r` before it.
        let crlf = usize::from(last == Some(b'\r'));
        batch.lines.push(Line::TooLong(total - crlf));
        return Ok(true);
    }
    if batch.text.last() == Some(&b'\r') && batch.text.len() > start {
        batch.text.pop();
    }
    batch.lines.push(Line::Text(start, batch.text.len()));
    Ok(true)
}

/// Maps every line of a batch.
fn map_batch(job: &Job<'_>, batch: Batch) -> Mapped {
    let mut mapped = Mapped {
        out: Vec::with_capacity(batch.text.len() + batch.lines.len()),
        failures: Vec::new(),
        warnings: Vec::new(),
        batch: Batch::default(),
    };
    let mut warnings = Vec::new();
    for (index, line) in batch.lines.iter().enumerate() {
        let outcome = match (batch.bytes(line), line) {
            (Some(bytes), _) => job
                .policy
                .map_line(job.fast, bytes, &mut mapped.out, &mut warnings)
                .map_err(|e| e.message),
            (None, Line::TooLong(n)) => Err(format!(
                "line is {n} bytes, over --max-line-bytes {}",
                job.max_line_bytes
            )),
            (None, Line::Text(..)) => Err("empty line".to_owned()),
        };
        match outcome {
            Ok(()) => mapped.out.push(b'\n'),
            Err(reason) => mapped.failures.push((index, reason)),
        }
        mapped
            .warnings
            .extend(warnings.drain(..).map(|w| (index, w)));
    }
    mapped.batch = batch;
    mapped
}

/// One error line: to `--errors` with the record exactly as read (a JSON string, or base64
/// when the line is not UTF-8), or to stderr with the reason only (the record too with
/// `--show-values`).
fn dead_letter(
    dead: Option<&mut BufWriter<File>>,
    show_values: bool,
    number: u64,
    reason: &str,
    line: Option<&[u8]>,
) -> io::Result<()> {
    match dead {
        Some(writer) => {
            let entry = match line.map(std::str::from_utf8) {
                Some(Ok(text)) => {
                    serde_json::json!({ "line": number, "error": reason, "record": text })
                }
                Some(Err(_)) => serde_json::json!({
                    "line": number,
                    "error": reason,
                    "record": Value::Null,
                    "record_base64": base64::engine::general_purpose::STANDARD.encode(line.unwrap_or_default()),
                }),
                None => {
                    serde_json::json!({ "line": number, "error": reason, "record": Value::Null })
                }
            };
            serde_json::to_writer(&mut *writer, &entry)?;
            writer.write_all(b"\n")
        }
        None if show_values => {
            let shown = line.map_or_else(
                || "(not kept: over --max-line-bytes)".to_owned(),
                |bytes| String::from_utf8_lossy(bytes).escape_debug().to_string(),
            );
            eprintln!("flexmap: line {number}: {reason}\n  record: {shown}");
            Ok(())
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
            "warning: {message} — {} record{} (first at line {first})",
            figure(*count),
            flexmap::diagnostic::plural(*count)
        );
    }
    let errors = match (&args.errors, counts.errors) {
        (_, 0) => "0 errors".to_string(),
        (Some(path), n) => format!(
            "{} error{} (written to {})",
            figure(n),
            flexmap::diagnostic::plural(n),
            path.display()
        ),
        (None, n) => format!(
            "{} error{} (reasons above)",
            figure(n),
            flexmap::diagnostic::plural(n)
        ),
    };
    if args.diagnostics.format == Format::Json {
        eprintln!(
            "{}",
            serde_json::json!({"lines": counts.lines, "mapped": counts.mapped, "errors": counts.errors, "warnings": total_warnings})
        );
    } else {
        eprintln!(
            "flexmap apply: {} line{}: {} mapped, {errors}, {} warning{}",
            figure(counts.lines),
            flexmap::diagnostic::plural(counts.lines),
            figure(counts.mapped),
            figure(total_warnings),
            flexmap::diagnostic::plural(total_warnings)
        );
    }
}

/// Refuses (before anything is written) an output or errors path that is the input, the rules
/// or the other output: the same file by name, through a symbolic link, or by device and inode
/// (a hard link, or standard input/output redirected from or to it).
fn distinct_files(args: &ApplyArgs) -> Result<(), String> {
    let input = match input_path(args) {
        Some(path) => Endpoint::path("the input", path),
        None => Endpoint::stdin(),
    };
    let output = match &args.output {
        Some(path) => Endpoint::path("the output (-o)", path),
        None => Endpoint::stdout(),
    };
    let errors = args
        .errors
        .as_deref()
        .map(|path| Endpoint::path("the errors file (--errors)", path));
    let trace = args
        .trace
        .as_deref()
        .filter(|path| path.as_os_str() != "-")
        .map(|path| Endpoint::path("the trace file (--trace)", path));
    let rules = Endpoint::path("the rules", &args.rules);
    let writers: Vec<&Endpoint> = std::iter::once(&output)
        .chain(errors.as_ref())
        .chain(trace.as_ref())
        .collect();
    for (index, writer) in writers.iter().enumerate() {
        for other in [&input, &rules]
            .into_iter()
            .chain(writers.get(index + 1..).unwrap_or_default().iter().copied())
        {
            if writer.same_as(other) {
                let named = if writer.path.is_some() { writer } else { other };
                return Err(format!(
                    "{} and {} are the same file{}; writing to it would destroy what is there. Nothing was written: choose another path for {}",
                    writer.what,
                    other.what,
                    named
                        .path
                        .as_deref()
                        .map(|p| format!(" ({})", p.display()))
                        .unwrap_or_default(),
                    named.what,
                ));
            }
        }
    }
    Ok(())
}

/// A file `apply` reads or writes, for the same-file check.
struct Endpoint {
    what: &'static str,
    path: Option<PathBuf>,
    /// An open handle to an existing regular file (devices, pipes and terminals are never
    /// "the same file" in a harmful way: `/dev/null` twice is fine).
    handle: Option<same_file::Handle>,
    /// Where the path points once links are followed, for files that do not exist yet.
    resolved: Option<PathBuf>,
}

impl Endpoint {
    fn path(what: &'static str, path: &Path) -> Endpoint {
        let metadata = std::fs::metadata(path);
        let regular = metadata.as_ref().is_ok_and(std::fs::Metadata::is_file);
        Endpoint {
            what,
            path: Some(path.to_path_buf()),
            handle: regular
                .then(|| same_file::Handle::from_path(path).ok())
                .flatten(),
            // An existing file is compared by its handle; a device or a pipe never clashes.
            resolved: if metadata.is_err() || regular {
                resolve(path)
            } else {
                None
            },
        }
    }

    fn stdin() -> Endpoint {
        Endpoint::stream("standard input", same_file::Handle::stdin())
    }

    fn stdout() -> Endpoint {
        Endpoint::stream("standard output", same_file::Handle::stdout())
    }

    fn stream(what: &'static str, handle: io::Result<same_file::Handle>) -> Endpoint {
        let handle = handle
            .ok()
            .filter(|h| h.as_file().metadata().is_ok_and(|m| m.is_file()));
        Endpoint {
            what,
            path: None,
            handle,
            resolved: None,
        }
    }

    fn same_as(&self, other: &Endpoint) -> bool {
        if let (Some(a), Some(b)) = (&self.handle, &other.handle) {
            return a == b;
        }
        matches!((&self.resolved, &other.resolved), (Some(a), Some(b)) if a == b)
    }
}

/// The absolute path `path` names once symbolic links are followed, also when the last
/// component (or the end of a link chain) does not exist yet.
fn resolve(path: &Path) -> Option<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        if let Ok(canonical) = std::fs::canonicalize(&path) {
            return Some(canonical);
        }
        match std::fs::read_link(&path) {
            Ok(target) => {
                path = match path.parent() {
                    Some(parent) => parent.join(target),
                    None => target,
                };
            }
            Err(_) => {
                let name = path.file_name()?;
                let parent = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                return std::fs::canonicalize(parent).ok().map(|p| p.join(name));
            }
        }
    }
    None
}
