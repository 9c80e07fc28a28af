//! Replays the decode fuzz targets' kept inputs (`fuzz/regressions/TARGET/`, each a crash the
//! fuzzer found, and the seeds in `fuzz/seeds/TARGET/`) through the functions the targets call:
//! decode → IR → optimize → Cranelift must return for each (the `decode_*` targets stop
//! before Cranelift; their inputs are compiled here too).

use std::path::Path;

use emu_frontend::fuzzing::{kept_inputs, split_arch, translate_bytes, FuzzArch};

/// Run every kept input of `target`: code for `arch`, or with its arch byte first when `None`.
fn replay(target: &str, arch: Option<FuzzArch>) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    for path in kept_inputs(&fuzz, target) {
        eprintln!("{}", path.display());
        let bytes = std::fs::read(&path).expect("read a kept input");
        let (arch, code) = match arch {
            Some(arch) => (arch, &bytes[..]),
            None => split_arch(&bytes),
        };
        emu_backend::fuzzing::compile_blocks(&translate_bytes(arch, code));
    }
}

#[test]
fn decode_riscv64_regressions() {
    replay("decode_riscv64", Some(FuzzArch::Riscv64));
}

#[test]
fn decode_aarch64_regressions() {
    replay("decode_aarch64", Some(FuzzArch::Aarch64));
}

#[test]
fn decode_x86_64_regressions() {
    replay("decode_x86_64", Some(FuzzArch::X86_64));
}

#[test]
fn translate_compile_regressions() {
    replay("translate_compile", None);
}
