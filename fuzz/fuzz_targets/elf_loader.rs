//! Arbitrary bytes as a guest executable through the loader path (`emu_linux_user::fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = emu_linux_user::fuzzing::load_image(data);
});
