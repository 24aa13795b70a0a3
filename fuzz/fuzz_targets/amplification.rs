//! Fuzz target `amplification`: the logic is `flexmap_fuzz::amplification` (see
//! `fuzz/src/lib.rs`); this file adds the meter, a global allocator that counts the bytes in
//! use and their high-water mark.

#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes in use, the high-water mark since the last `start`, and the level at that start.
static IN_USE: AtomicUsize = AtomicUsize::new(0);
static HIGH: AtomicUsize = AtomicUsize::new(0);
static BASE: AtomicUsize = AtomicUsize::new(0);

struct Counting;

fn grew(size: usize) {
    let now = IN_USE.fetch_add(size, Ordering::Relaxed) + size;
    HIGH.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters change.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

struct HighWater;

impl flexmap_fuzz::Meter for HighWater {
    fn start(&self) {
        let now = IN_USE.load(Ordering::Relaxed);
        BASE.store(now, Ordering::Relaxed);
        HIGH.store(now, Ordering::Relaxed);
    }

    fn peak(&self) -> usize {
        HIGH.load(Ordering::Relaxed)
            .saturating_sub(BASE.load(Ordering::Relaxed))
    }
}

fn target(data: &[u8]) {
    flexmap_fuzz::amplification(data, &HighWater);
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    flexmap_fuzz::on_stack(flexmap_fuzz::FUZZ_STACK, target, data);
});
