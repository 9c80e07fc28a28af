//! The first byte picks the guest arch, the rest is its guest code: decode → IR → optimize →
//! Cranelift (`emu_frontend::fuzzing`, `emu_backend::fuzzing`).
#![no_main]

use emu_frontend::fuzzing::{split_arch, translate_bytes};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (arch, code) = split_arch(data);
    emu_backend::fuzzing::compile_blocks(&translate_bytes(arch, code));
});
