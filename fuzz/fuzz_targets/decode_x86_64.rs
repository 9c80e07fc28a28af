//! Arbitrary bytes as x86_64 guest code: decode → IR → verify → optimize → verify
//! (`emu_frontend::fuzzing`; the Cranelift step is the `translate_compile` target's).
#![no_main]

use emu_frontend::fuzzing::{translate_bytes, FuzzArch};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    translate_bytes(FuzzArch::X86_64, data);
});
