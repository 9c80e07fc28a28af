//! Test support: assemble RISC-V source with the GNU toolchain, and run assembled code through
//! the translator and the IR interpreter.

use std::sync::Arc;

use emu_ir::ExitReason;

use crate::riscv64::{Rv64Cpu, Rv64Translator};
pub use crate::test_support::CODE_BASE;
use crate::test_support::{self, Toolchain};
use crate::BufferFetch;

const MARCH: &str = "-march=rv64gc_zba_zbb_zbs_zicsr_zifencei";

const TOOLCHAIN: Toolchain = Toolchain {
    prefix: "riscv64-linux-gnu-",
    as_flags: &[MARCH, "-mno-relax"],
    ld_flags: &["--no-relax"],
};

/// Assemble `src` (RVC allowed when `rvc`), link it at [`CODE_BASE`] and return the `.text`
/// bytes, or `None` when the toolchain is missing.
pub fn assemble(src: &str, rvc: bool) -> Option<Vec<u8>> {
    let option = if rvc { ".option rvc" } else { ".option norvc" };
    test_support::assemble(&TOOLCHAIN, &format!("{option}\n{src}"), Some(CODE_BASE))
}

/// Disassemble every 16-bit halfword that is an RVC encoding with GNU objdump (no aliases):
/// `(halfword, mnemonic)` pairs, where the mnemonic is `.2byte` for encodings objdump does not
/// know. `None` without a toolchain.
pub fn objdump_all_rvc() -> Option<Vec<(u16, String)>> {
    let halfwords: Vec<u16> = (0..=u16::MAX).filter(|h| h & 3 != 3).collect();
    let listing = objdump_words(
        &halfwords.iter().map(|&h| u32::from(h)).collect::<Vec<_>>(),
        2,
    )?;
    Some(listing.into_iter().map(|(w, m)| (w as u16, m)).collect())
}

/// Disassemble instruction words of `size` bytes (2 or 4) with GNU objdump (no aliases):
/// `(word, mnemonic)` pairs, the mnemonic `.2byte`/`.4byte` where objdump does not know the
/// encoding. `None` without a toolchain.
pub fn objdump_words(words: &[u32], size: u32) -> Option<Vec<(u32, String)>> {
    let src: Vec<String> = words
        .iter()
        .map(|w| format!(".insn {size}, {w:#x}"))
        .collect();
    let src = format!(".option rvc\n{}", src.join("\n"));
    let tc = Toolchain {
        as_flags: &[MARCH],
        ..TOOLCHAIN
    };
    let listing = test_support::objdump(&tc, &src, &["-M", "no-aliases"], words.len())?;
    Some(listing.into_iter().map(|d| (d.word, d.mnemonic)).collect())
}

/// Split assembled bytes into little-endian 32-bit words.
pub fn words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// The result of running a snippet.
pub type Run = test_support::Run<Rv64Cpu>;

/// Run machine code from `CODE_BASE` until it leaves the execution loop (e.g. at `ebreak`),
/// translating with the riscv64 frontend and executing with `emu_ir::interp`.
pub fn run_code(code: Vec<u8>, setup: impl FnOnce(&mut Rv64Cpu)) -> Run {
    let translator = Rv64Translator::new(Arc::new(BufferFetch::new(CODE_BASE, code)));
    test_support::run_code(&translator, setup)
}

/// Assemble `src` (RVC allowed) and run it; `None` without a toolchain.
pub fn run(src: &str, setup: impl FnOnce(&mut Rv64Cpu)) -> Option<Run> {
    assemble(src, true).map(|code| run_code(code, setup))
}

/// Run `src` followed by `ebreak` and check it stopped there.
pub fn run_to_ebreak(src: &str) -> Option<Run> {
    let r = run(&format!("{src}\nebreak"), |_| {})?;
    assert_eq!(
        r.exit,
        ExitReason::Breakpoint,
        "code did not reach its ebreak"
    );
    Some(r)
}
