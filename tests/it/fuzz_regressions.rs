//! Replays every input the fuzzers found (`tests/cases/fuzz-regressions/<target>/*`) through
//! the fuzz targets' own logic (`fuzz/src/lib.rs`, included here), so a fixed crash stays
//! fixed and the fuzz logic keeps compiling without cargo-fuzz. `fuzz/README.md` says what
//! each input found.

#[path = "../../fuzz/src/lib.rs"]
pub mod harness;

use crate::{display, files};

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = format!("tests/cases/fuzz-regressions/{target}");
    // git keeps no empty folder: a target without found inputs has none in a fresh clone.
    if !crate::root().join(&dir).is_dir() {
        return 0;
    }
    let inputs = files(&dir, "");
    for input in &inputs {
        let bytes = std::fs::read(input).expect("regression input readable");
        // The debug build's frames are larger: twice the fuzzers' stack, as a rayon thread has.
        let outcome =
            std::panic::catch_unwind(|| harness::on_stack(2 * harness::FUZZ_STACK, run, &bytes));
        assert!(outcome.is_ok(), "{} fails again", display(input));
    }
    inputs.len()
}

/// The `amplification` target without its allocation meter (the fuzz binary counts
/// allocations with its own global allocator; this test binary keeps the system's).
fn amplification(data: &[u8]) {
    harness::amplification(data, &harness::NoMeter);
}

#[test]
fn fuzz_regressions_stay_fixed() {
    let replayed = replay("yaml_front_end", harness::yaml_front_end)
        + replay("expression", harness::expression)
        + replay("runtime", harness::runtime)
        + replay("amplification", amplification);
    assert!(replayed > 0, "no regression inputs");
}

/// The fixed programs of the `runtime` target compile (the examples and the every-field
/// rulesets), and each every-field ruleset writes every writable field of its target.
#[test]
fn every_field_rulesets_compile_and_cover_the_catalog() {
    use flexmap::catalog::{self, Section, Target};
    let programs = harness::fixed_programs();
    assert!(programs.len() >= 8);
    for (target, sections) in [
        (
            Target::Task,
            &[Section::Conversations, Section::Customers][..],
        ),
        (Target::Worker, &[Section::Worker][..]),
    ] {
        let text = harness::every_field_rules(target, true);
        for section in sections {
            for field in catalog::section_fields(*section).filter(|f| !f.read_only) {
                assert!(
                    text.contains(&format!("\n  {}: r.{}", field.name, field.name)),
                    "{} missing",
                    field.name
                );
            }
        }
    }
}
