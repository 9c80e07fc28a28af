//! Test support shared by every frontend's unit tests: assembling snippets with a GNU cross
//! toolchain, and running machine code through a translator and the IR interpreter (every
//! block checked by the IR verifier).

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use emu_ir::interp::{interpret, BlockExit};
use emu_ir::{CpuHeader, ExitReason, Translator};

/// Guest address test code is placed at by default.
pub const CODE_BASE: u64 = 0x1_0000;
/// Size of the default test data memory (guest addresses wrap modulo this).
pub const MEM_SIZE: usize = 0x1_0000;

/// A GNU cross toolchain: the tool prefix (`aarch64-linux-gnu-`) and extra flags.
pub struct Toolchain {
    pub prefix: &'static str,
    pub as_flags: &'static [&'static str],
    pub ld_flags: &'static [&'static str],
}

/// A unique scratch path stem in the temporary directory: `path("s")` is its `.s` file.
pub fn scratch(kind: &str) -> impl Fn(&str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let stem = format!("emu-frontend-{kind}-{}-{n}", std::process::id());
    move |ext| std::env::temp_dir().join(format!("{stem}.{ext}"))
}

/// Assemble `src` and return its `.text` bytes: linked at `link_at` (so pc-relative references
/// to labels and calls are resolved) or, with `None`, as the object has them. `None` when the
/// toolchain is missing (with a message); a rejected snippet panics.
pub fn assemble(tc: &Toolchain, src: &str, link_at: Option<u64>) -> Option<Vec<u8>> {
    let path = scratch("as");
    std::fs::write(path("s"), format!("{src}\n")).ok()?;
    let tool = |name: &str| format!("{}{name}", tc.prefix);
    let Ok(status) = Command::new(tool("as"))
        .args(tc.as_flags)
        .arg("-o")
        .arg(path("o"))
        .arg(path("s"))
        .status()
    else {
        eprintln!("{} not available: skipping", tool("as"));
        return None;
    };
    assert!(status.success(), "assembler rejected:\n{src}");
    let text_of = match link_at {
        Some(base) => {
            let link = Command::new(tool("ld"))
                .arg(format!("-Ttext={base:#x}"))
                .args(["-e", "0"])
                .args(tc.ld_flags)
                .arg("-o")
                .arg(path("elf"))
                .arg(path("o"))
                .status()
                .ok()?;
            assert!(link.success(), "linker rejected:\n{src}");
            path("elf")
        }
        None => path("o"),
    };
    let copy = Command::new(tool("objcopy"))
        .args(["-O", "binary", "-j", ".text"])
        .arg(&text_of)
        .arg(path("bin"))
        .status()
        .ok()?;
    assert!(copy.success());
    let bytes = std::fs::read(path("bin")).ok();
    for ext in ["s", "o", "elf", "bin"] {
        let _ = std::fs::remove_file(path(ext));
    }
    bytes
}

/// One line of objdump's disassembly: the encoding, the mnemonic (`.inst`, `.2byte`, ... for
/// encodings objdump does not know), the operands and the whole line.
pub struct Disassembled {
    pub word: u32,
    pub mnemonic: String,
    pub operands: String,
    pub line: String,
}

/// Assemble `src` (one directive or instruction per encoding) and disassemble the object with
/// `objdump -d` plus `flags`; one entry per encoding (`count` of them, checked). `None`
/// without a toolchain.
pub fn objdump(
    tc: &Toolchain,
    src: &str,
    flags: &[&str],
    count: usize,
) -> Option<Vec<Disassembled>> {
    let path = scratch("dis");
    std::fs::write(path("s"), format!("{src}\n")).ok()?;
    let status = Command::new(format!("{}as", tc.prefix))
        .args(tc.as_flags)
        .arg("-o")
        .arg(path("o"))
        .arg(path("s"))
        .status()
        .ok()?;
    assert!(status.success());
    let out = Command::new(format!("{}objdump", tc.prefix))
        .arg("-d")
        .args(flags)
        .arg(path("o"))
        .output()
        .ok()?;
    let _ = std::fs::remove_file(path("s"));
    let _ = std::fs::remove_file(path("o"));
    let text = String::from_utf8_lossy(&out.stdout);
    let result: Vec<Disassembled> = text.lines().filter_map(disassembled).collect();
    assert_eq!(result.len(), count, "objdump output not understood");
    Some(result)
}

/// Parse `"   1a:\t6101                \tc.addi16sp\tsp,0"`.
fn disassembled(line: &str) -> Option<Disassembled> {
    let fields: Vec<&str> = line.split('\t').collect();
    if fields.len() < 3 || !fields[0].trim_end().ends_with(':') {
        return None;
    }
    let word = u32::from_str_radix(fields[1].trim(), 16).ok()?;
    Some(Disassembled {
        word,
        mnemonic: fields[2].trim().to_string(),
        operands: fields.get(3).map_or("", |o| o.trim()).to_string(),
        line: line.to_string(),
    })
}

/// A deterministic xorshift generator: the next state of `s`.
pub fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

/// A guest CPU state the test runner can drive.
pub trait TestCpu: Default {
    fn header_mut(&mut self) -> &mut CpuHeader;
    /// Integer register `r`.
    fn x(&self, r: usize) -> u64;
}

/// Give `cpu` the guest memory window `mem` (its length a power of two; addresses wrap).
pub fn attach<C: TestCpu>(cpu: &mut C, mem: &mut [u8]) {
    let h = cpu.header_mut();
    h.mem_base = mem.as_mut_ptr() as u64;
    h.mem_mask = (mem.len() - 1) as u64;
}

/// Translate the block at `pc`, check it with the verifier and interpret it once.
///
/// # Safety
/// `cpu`'s memory window must be valid for every address the block may touch (a window from
/// [`attach`], or none for register-only code).
pub unsafe fn run_block<C: TestCpu>(
    translator: &dyn Translator,
    cpu: &mut C,
    pc: u64,
) -> BlockExit {
    let block = translator.translate(pc, 0);
    if let Err(e) = emu_ir::verify::verify(&block) {
        panic!("block at {pc:#x} does not verify: {e:?}\n{block:?}");
    }
    let env = (cpu as *mut C).cast::<u8>();
    // SAFETY: `env` is the live CPU state the translator's blocks expect; memory by contract.
    unsafe { interpret(&block, env) }
}

/// Run blocks from `pc` until one leaves the execution loop (at most `limit` blocks).
///
/// # Safety
/// As [`run_block`].
pub unsafe fn run_blocks<C: TestCpu>(
    translator: &dyn Translator,
    cpu: &mut C,
    mut pc: u64,
    limit: usize,
) -> ExitReason {
    for _ in 0..limit {
        // SAFETY: forwarded contract.
        match unsafe { run_block(translator, cpu, pc) } {
            BlockExit::Goto(next) | BlockExit::Indirect(next) => pc = next,
            BlockExit::Exit(reason) => return reason,
        }
    }
    panic!("test code did not stop");
}

/// The result of running a snippet.
pub struct Run<C> {
    pub cpu: Box<C>,
    pub exit: ExitReason,
    pub mem: Vec<u8>,
}

impl<C: TestCpu> Run<C> {
    pub fn x(&self, r: usize) -> u64 {
        self.cpu.x(r)
    }
}

/// Run the code `translator` fetches from [`CODE_BASE`] on a fresh CPU (`setup` first) with a
/// zeroed [`MEM_SIZE`] memory window, until it leaves the execution loop.
pub fn run_code<C: TestCpu>(translator: &dyn Translator, setup: impl FnOnce(&mut C)) -> Run<C> {
    let mut mem = vec![0u8; MEM_SIZE];
    let mut cpu = Box::<C>::default();
    attach(&mut *cpu, &mut mem);
    setup(&mut cpu);
    // SAFETY: the window is `mem` (addresses masked to its size), alive until we return.
    let exit = unsafe { run_blocks(translator, &mut *cpu, CODE_BASE, 100_000) };
    Run { cpu, exit, mem }
}

/// The [`TestCpu`] impl of a CPU struct with a `header` and an `x` register array.
macro_rules! test_cpu {
    ($($cpu:ty),*) => {$(
        impl TestCpu for $cpu {
            fn header_mut(&mut self) -> &mut CpuHeader {
                &mut self.header
            }
            fn x(&self, r: usize) -> u64 {
                self.x[r]
            }
        }
    )*};
}
test_cpu!(crate::riscv64::Rv64Cpu, crate::aarch64::A64Cpu);
