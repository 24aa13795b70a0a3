//! Baseline for performance notes: parse each NDJSON line with `serde_json` into a `Value`
//! and print it back. Any mapping program must at least do this much work.
//!
//! `cargo run --release --example serde-roundtrip < in.ndjson > out.ndjson`

use std::io::{BufRead, BufWriter, Write};

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    for line in stdin.split(b'\n') {
        let line = line?;
        match serde_json::from_slice::<serde_json::Value>(&line) {
            Ok(value) => serde_json::to_writer(&mut out, &value)?,
            Err(e) => eprintln!("{e}"),
        }
        out.write_all(b"\n")?;
    }
    out.flush()
}
