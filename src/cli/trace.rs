//! `flexmap apply --trace`: one NDJSON line per rule per record, saying why each value came
//! out (`Program::trace`). Trace lines hold record values: printing them is what the user
//! asked for with `--trace`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use flexmap::runtime::Program;

/// One trace line: the input line number, then the rule's trace.
#[derive(serde::Serialize)]
struct TraceLine<'a> {
    line: u64,
    #[serde(flatten)]
    rule: &'a flexmap::runtime::RuleTrace,
}

/// Where trace lines go, and the program they trace.
pub struct Tracer {
    program: Program,
    out: Box<dyn Write + Send>,
}

impl Tracer {
    /// Traces to standard error for `-`, else to a new file at `path`.
    ///
    /// # Errors
    /// The file cannot be created.
    pub fn new(program: &Program, path: &Path) -> io::Result<Tracer> {
        let out: Box<dyn Write + Send> = if path.as_os_str() == "-" {
            Box::new(io::stderr())
        } else {
            Box::new(BufWriter::new(File::create(path)?))
        };
        Ok(Tracer {
            program: program.clone(),
            out,
        })
    }

    /// Writes the trace of input line `number`: one line per rule, or one line with the
    /// reason when the line is not JSON (it is an error line of `apply` then).
    ///
    /// # Errors
    /// Writing fails.
    pub fn line(&mut self, number: u64, bytes: Option<&[u8]>) -> io::Result<()> {
        let record = bytes
            .and_then(|b| std::str::from_utf8(b).ok())
            .map(flexmap::runtime::number::parse_record);
        let Some(Ok(record)) = record else {
            let line = serde_json::json!({
                "line": number,
                "outcome": "not-mapped",
                "reason": "the line is not one JSON record (see the errors of apply)",
            });
            return writeln!(self.out, "{line}");
        };
        for rule in self.program.trace(&record) {
            serde_json::to_writer(
                &mut self.out,
                &TraceLine {
                    line: number,
                    rule: &rule,
                },
            )?;
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Flushes the trace file.
    ///
    /// # Errors
    /// Writing fails.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
