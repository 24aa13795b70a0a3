//! Fuzz target `runtime`: the logic is `flexmap_fuzz::runtime` (see `fuzz/src/lib.rs`), run on a
//! small stack (`flexmap_fuzz::FUZZ_STACK`).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    flexmap_fuzz::on_stack(flexmap_fuzz::FUZZ_STACK, flexmap_fuzz::runtime, data);
});
