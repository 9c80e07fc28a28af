//! Test support: assemble RISC-V source with the GNU toolchain, and run assembled code through
//! the translator and the IR interpreter.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use emu_ir::interp::{interpret, BlockExit};
use emu_ir::{ExitReason, Translator};

use crate::riscv64::{Rv64Cpu, Rv64Translator};
use crate::BufferFetch;

const MARCH: &str = "-march=rv64gc_zba_zbb_zbs_zicsr_zifencei";

/// Assemble `src` (RVC allowed when `rvc`), link it at [`CODE_BASE`] and return the `.text`
/// bytes, or `None` when the
/// toolchain is missing.
pub fn assemble(src: &str, rvc: bool) -> Option<Vec<u8>> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir();
    let stem = format!("emu-frontend-test-{}-{n}", std::process::id());
    let path = |ext: &str| -> PathBuf { dir.join(format!("{stem}.{ext}")) };
    let option = if rvc { ".option rvc" } else { ".option norvc" };
    std::fs::write(path("s"), format!("{option}\n{src}\n")).ok()?;
    let as_status = Command::new("riscv64-linux-gnu-as")
        .args([MARCH, "-mno-relax", "-o"])
        .arg(path("o"))
        .arg(path("s"))
        .status();
    let Ok(status) = as_status else {
        eprintln!("riscv64-linux-gnu-as not available: skipping");
        return None;
    };
    assert!(status.success(), "assembler rejected:\n{src}");
    // Link at CODE_BASE so pc-relative relocations (call, la, jumps to labels) are resolved.
    let link = Command::new("riscv64-linux-gnu-ld")
        .arg(format!("-Ttext={CODE_BASE:#x}"))
        .args(["-e", "0", "--no-relax", "-o"])
        .arg(path("elf"))
        .arg(path("o"))
        .status()
        .ok()?;
    assert!(link.success(), "linker rejected:\n{src}");
    let copy = Command::new("riscv64-linux-gnu-objcopy")
        .args(["-O", "binary", "-j", ".text"])
        .arg(path("elf"))
        .arg(path("bin"))
        .status()
        .ok()?;
    assert!(copy.success());
    let bytes = std::fs::read(path("bin")).ok()?;
    for ext in ["s", "o", "elf", "bin"] {
        let _ = std::fs::remove_file(path(ext));
    }
    Some(bytes)
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
    let dir = std::env::temp_dir();
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let stem = format!("emu-frontend-dis-{}-{n}", std::process::id());
    let (s, o) = (dir.join(format!("{stem}.s")), dir.join(format!("{stem}.o")));
    std::fs::write(&s, format!(".option rvc\n{}\n", src.join("\n"))).ok()?;
    let status = Command::new("riscv64-linux-gnu-as")
        .args([MARCH, "-o"])
        .arg(&o)
        .arg(&s)
        .status()
        .ok()?;
    assert!(status.success());
    let out = Command::new("riscv64-linux-gnu-objdump")
        .args(["-d", "-M", "no-aliases"])
        .arg(&o)
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&s);
    let _ = std::fs::remove_file(&o);
    let text = String::from_utf8_lossy(&out.stdout);
    let mut result = Vec::new();
    for line in text.lines() {
        // "   1a:\t6101                \tc.addi16sp\tsp,0"
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 3 || !fields[0].trim_end().ends_with(':') {
            continue;
        }
        let Ok(w) = u32::from_str_radix(fields[1].trim(), 16) else {
            continue;
        };
        result.push((w, fields[2].trim().to_string()));
    }
    assert_eq!(result.len(), words.len(), "objdump output not understood");
    Some(result)
}

/// Split assembled bytes into little-endian 32-bit words.
pub fn words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Guest address the test code is placed at.
pub const CODE_BASE: u64 = 0x1_0000;
/// Size of the test guest data memory (addresses wrap modulo this).
pub const MEM_SIZE: usize = 0x1_0000;

/// The result of running a snippet.
pub struct Run {
    pub cpu: Box<Rv64Cpu>,
    pub exit: ExitReason,
    pub mem: Vec<u8>,
}

impl Run {
    pub fn x(&self, r: usize) -> u64 {
        self.cpu.x[r]
    }
}

/// Run machine code from `CODE_BASE` until it leaves the execution loop (e.g. at `ebreak`),
/// translating with the riscv64 frontend and executing with `emu_ir::interp`. Every block is
/// checked with the IR verifier.
pub fn run_code(code: Vec<u8>, setup: impl FnOnce(&mut Rv64Cpu)) -> Run {
    let translator = Rv64Translator::new(Arc::new(BufferFetch::new(CODE_BASE, code)));
    let mut mem = vec![0u8; MEM_SIZE];
    let mut cpu = Box::new(Rv64Cpu::new());
    cpu.header.mem_base = mem.as_mut_ptr() as u64;
    cpu.header.mem_mask = (MEM_SIZE - 1) as u64;
    setup(&mut cpu);
    let mut pc = CODE_BASE;
    for _ in 0..100_000 {
        let block = translator.translate(pc, 0);
        if let Err(e) = emu_ir::verify::verify(&block) {
            panic!("block at {pc:#x} does not verify: {e:?}\n{block:?}");
        }
        let env = (&mut *cpu as *mut Rv64Cpu).cast::<u8>();
        // SAFETY: `env` is a live Rv64Cpu whose memory window is `mem` (addresses masked to
        // its size), which outlives the call.
        let exit = unsafe { interpret(&block, env) };
        match exit {
            BlockExit::Goto(next) | BlockExit::Indirect(next) => pc = next,
            BlockExit::Exit(reason) => {
                return Run {
                    cpu,
                    exit: reason,
                    mem,
                }
            }
        }
    }
    panic!("test code did not stop");
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
