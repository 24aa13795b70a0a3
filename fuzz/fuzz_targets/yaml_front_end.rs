//! Fuzz target `yaml_front_end`: the logic is `flexmap_fuzz::yaml_front_end` (see `fuzz/src/lib.rs`), run on a
//! small stack (`flexmap_fuzz::FUZZ_STACK`).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    flexmap_fuzz::on_stack(flexmap_fuzz::FUZZ_STACK, flexmap_fuzz::yaml_front_end, data);
});
