//! Criterion bench: map one record, three ways (`cargo bench --bench apply`):
//! - `fast path`: `FastPath::parse` + `FastPath::apply_json`, what `flexmap apply` runs;
//! - `value + apply`: `serde_json::from_str::<Value>` + `Program::apply` + `write_json`;
//! - `apply only`: `Program::apply` on an already parsed record.
//!
//! The records are `rules-examples/inbound-voice.input.ndjson`, through
//! `rules-examples/inbound-voice.yaml` and `benches/compare.yaml`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flexmap::Ruleset;
use flexmap::runtime::FastPath;
use serde_json::Value;

const RULESETS: &[&str] = &["rules-examples/inbound-voice.yaml", "benches/compare.yaml"];
const RECORDS: &str = "rules-examples/inbound-voice.input.ndjson";

fn apply(c: &mut Criterion) {
    let Ok(input) = std::fs::read_to_string(RECORDS) else {
        eprintln!("apply bench: cannot read {RECORDS}; run it from the repository root");
        return;
    };
    let lines: Vec<&str> = input.lines().filter(|l| !l.trim().is_empty()).collect();
    let parsed: Vec<Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let bytes: usize = lines.iter().map(|l| l.len()).sum();
    for path in RULESETS {
        let Ok(Ok(program)) = Ruleset::from_path(std::path::Path::new(path)).map(|r| r.compile())
        else {
            eprintln!("apply bench: {path} does not compile");
            continue;
        };
        let fast = FastPath::new(&program);
        let mut group = c.benchmark_group(format!("apply {path}"));
        group.throughput(Throughput::Bytes(bytes as u64));
        let mut out = Vec::with_capacity(1 << 16);
        let mut warnings = Vec::new();
        group.bench_function("fast path", |b| {
            b.iter(|| {
                out.clear();
                warnings.clear();
                for line in &lines {
                    if let Ok(record) = fast.parse(black_box(line)) {
                        fast.apply_json(&record, &mut out, &mut warnings);
                    }
                }
                black_box(out.len())
            });
        });
        group.bench_function("value + apply", |b| {
            b.iter(|| {
                out.clear();
                for line in &lines {
                    if let Ok(record) = serde_json::from_str::<Value>(black_box(line)) {
                        program.apply(&record).attributes.write_json(&mut out);
                    }
                }
                black_box(out.len())
            });
        });
        group.bench_function("apply only", |b| {
            b.iter(|| {
                let mut written = 0;
                for record in &parsed {
                    written += program.apply(black_box(record)).warnings.len();
                }
                black_box(written)
            });
        });
        group.finish();
    }
}

criterion_group!(benches, apply);
criterion_main!(benches);
