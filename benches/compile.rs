//! Criterion bench: load and compile each example ruleset and the benchmark ruleset
//! (`cargo bench --bench compile`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use flexmap::Ruleset;

const RULESETS: &[&str] = &[
    "rules-examples/inbound-voice.yaml",
    "rules-examples/chat-survey.yaml",
    "rules-examples/hipaa-healthcare.yaml",
    "rules-examples/worker-hr.yaml",
    "benches/compare.yaml",
];

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    for path in RULESETS {
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("compile bench: cannot read {path}; run it from the repository root");
            continue;
        };
        group.bench_function(*path, |b| {
            b.iter(|| {
                let ruleset = Ruleset::from_str(black_box(&text), path);
                black_box(ruleset.compile().is_ok())
            });
        });
    }
    group.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
