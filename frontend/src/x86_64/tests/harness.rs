//! The native-vs-emulated comparison harness. A snippet is assembled twice: alone (the bytes
//! the translator sees) and inside a wrapper function that loads a [`State`] into the
//! registers, runs the snippet, and stores the registers back; the wrapper runs natively from
//! an executable mapping. The emulated CPU uses an identity memory window (guest address =
//! host address), so memory operands can point into a shared buffer.

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use emu_ir::interp::{interpret, BlockExit};
use emu_ir::Translator;

use crate::translator::LoopTranslator;
use crate::x86_64::flags::{AF, ARITH, CF, DF, OF, PF, SF, ZF};
use crate::x86_64::{X64Arch, X64Cpu};
use crate::BufferFetch;

/// Registers, flags and XMM registers, as the wrapper reads and writes them.
#[repr(C)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub regs: [u64; 16],
    pub flags: u64,
    pub xmm: [[u64; 2]; 16],
}

const NAMES: [&str; 16] = [
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
    "r14", "r15",
];

/// Assemble Intel-syntax `src`; the `.text` bytes, or `None` without binutils.
pub fn assemble(src: &str) -> Option<Vec<u8>> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let stem = std::env::temp_dir().join(format!("emu-x64-{}-{n}", std::process::id()));
    let path = |ext: &str| stem.with_extension(ext);
    std::fs::write(path("s"), format!(".intel_syntax noprefix\n{src}\n")).ok()?;
    let Ok(status) = Command::new("as")
        .arg("-o")
        .arg(path("o"))
        .arg(path("s"))
        .status()
    else {
        eprintln!("as not available: skipping");
        return None;
    };
    assert!(status.success(), "assembler rejected:\n{src}");
    let copy = Command::new("objcopy")
        .args(["-O", "binary", "-j", ".text"])
        .arg(path("o"))
        .arg(path("bin"))
        .status()
        .ok()?;
    assert!(copy.success());
    let bytes = std::fs::read(path("bin")).ok()?;
    for ext in ["s", "o", "bin"] {
        let _ = std::fs::remove_file(path(ext));
    }
    Some(bytes)
}

/// The wrapper around a snippet: `extern "C" fn(*mut State)`.
fn wrapper(snippet: &str) -> String {
    let mut s =
        String::from("push rbx\npush rbp\npush r12\npush r13\npush r14\npush r15\npush rdi\n");
    s += "push qword ptr [rdi+128]\npopfq\n";
    for x in 0..16 {
        s += &format!("movdqu xmm{x}, [rdi+{}]\n", 136 + 16 * x);
    }
    for (r, name) in NAMES.iter().enumerate() {
        if r != 4 && r != 7 {
            s += &format!("mov {name}, [rdi+{}]\n", 8 * r);
        }
    }
    s += "mov rdi, [rdi+56]\n";
    s += snippet;
    s += "\nxchg rdi, [rsp]\n";
    for (r, name) in NAMES.iter().enumerate() {
        if r != 4 && r != 7 {
            s += &format!("mov [rdi+{}], {name}\n", 8 * r);
        }
    }
    for x in 0..16 {
        s += &format!("movdqu [rdi+{}], xmm{x}\n", 136 + 16 * x);
    }
    s += "pushfq\npop qword ptr [rdi+128]\npop qword ptr [rdi+56]\ncld\n";
    s += "pop r15\npop r14\npop r13\npop r12\npop rbp\npop rbx\nret\n";
    s
}

/// Executable copy of `code`.
struct ExecPage {
    ptr: *mut libc::c_void,
    len: usize,
}

impl ExecPage {
    fn new(code: &[u8]) -> ExecPage {
        let len = code.len().div_ceil(4096) * 4096;
        // SAFETY: a fresh anonymous mapping; no existing memory is affected.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(ptr, libc::MAP_FAILED);
        // SAFETY: the mapping is `len >= code.len()` bytes, writable, and not aliased.
        unsafe { std::ptr::copy_nonoverlapping(code.as_ptr(), ptr.cast::<u8>(), code.len()) };
        ExecPage { ptr, len }
    }

    fn run(&self, state: &mut State) {
        // SAFETY: the page holds the wrapper, a function with the C ABI taking `*mut State`
        // that preserves the callee-saved registers and the stack.
        let f: extern "C" fn(*mut State) = unsafe { std::mem::transmute(self.ptr) };
        f(state);
    }
}

impl Drop for ExecPage {
    fn drop(&mut self) {
        // SAFETY: unmapping the mapping this value owns.
        unsafe { libc::munmap(self.ptr, self.len) };
    }
}

/// How an emulated run ended.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// Reached the end of the snippet.
    Done,
    /// Left the loop with an exit at this pc.
    Exit(emu_ir::ExitReason, u64),
}

/// Guest address the snippet is translated at (the emulated code is never executed natively).
pub const CODE_BASE: u64 = 0x40_0000;

/// Run `code` through the translator (blocks of at most `max_insns` instructions, optimized
/// as the engine does) and the interpreter on `state`.
pub fn emulate(code: &[u8], state: &mut State, max_insns: u32) -> End {
    let fetch = Arc::new(BufferFetch::new(CODE_BASE, code.to_vec()));
    let t = LoopTranslator::<X64Arch>::with_max_insns(fetch, max_insns);
    let mut cpu = X64Cpu::new();
    cpu.header.pc = CODE_BASE;
    cpu.header.mem_base = 0;
    cpu.header.mem_mask = u64::MAX;
    cpu.regs = state.regs;
    cpu.set_eflags(state.flags);
    cpu.xmm[..16].copy_from_slice(&state.xmm);
    let end = CODE_BASE + code.len() as u64;
    let mut result = End::Done;
    for _ in 0..100_000 {
        if cpu.header.pc == end {
            break;
        }
        let mut block = t.translate(cpu.header.pc, 0);
        emu_ir::passes::optimize(&mut block);
        // SAFETY: `cpu` is an X64Cpu whose identity window covers host memory; the snippets
        // only touch the test's buffers.
        let exit = unsafe { interpret(&block, (&mut cpu as *mut X64Cpu).cast()) };
        if let BlockExit::Exit(reason) = exit {
            result = End::Exit(reason, cpu.header.pc);
            break;
        }
    }
    state.regs = cpu.regs;
    state.flags = cpu.eflags();
    state.xmm.copy_from_slice(&cpu.xmm[..16]);
    result
}

/// A small deterministic random source (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value biased toward edge cases of every operand width.
    pub fn operand(&mut self) -> u64 {
        const EDGES: [u64; 12] = [
            0,
            1,
            u64::MAX,
            0x7f,
            0x80,
            0xff,
            0x7fff,
            0x8000,
            0x7fff_ffff,
            0x8000_0000,
            0x7fff_ffff_ffff_ffff,
            0x8000_0000_0000_0000,
        ];
        let r = self.next();
        match r % 4 {
            0 => EDGES[(r >> 8) as usize % EDGES.len()] ^ (self.next() & 0xffff_ffff_0000_0000 & r),
            1 => self.next() & 0xff,
            _ => self.next(),
        }
    }
}

/// A random state: operand-like registers, random arithmetic flags (DF clear), random XMM.
pub fn random_state(rng: &mut Rng) -> State {
    let mut s = State {
        regs: [0; 16],
        flags: (rng.next() & ARITH) | 0x202,
        xmm: [[0; 2]; 16],
    };
    for r in s.regs.iter_mut() {
        *r = rng.operand();
    }
    for x in s.xmm.iter_mut() {
        *x = [rng.operand(), rng.operand()];
    }
    s
}

fn flag_names(f: u64) -> String {
    [
        (CF, "CF"),
        (PF, "PF"),
        (AF, "AF"),
        (ZF, "ZF"),
        (SF, "SF"),
        (OF, "OF"),
        (DF, "DF"),
    ]
    .iter()
    .filter(|(b, _)| f & b != 0)
    .map(|(_, n)| *n)
    .collect::<Vec<_>>()
    .join(",")
}

/// Differences between two states (flags compared under `flag_mask`; RSP never).
pub fn diff(native: &State, emu: &State, flag_mask: u64) -> Vec<String> {
    let mut out = Vec::new();
    for (r, name) in NAMES.iter().enumerate() {
        if r != 4 && native.regs[r] != emu.regs[r] {
            out.push(format!(
                "{name}: native {:#x} emu {:#x}",
                native.regs[r], emu.regs[r]
            ));
        }
    }
    let (nf, ef) = (native.flags & flag_mask, emu.flags & flag_mask);
    if nf != ef {
        out.push(format!(
            "flags: native [{}] emu [{}]",
            flag_names(nf),
            flag_names(ef)
        ));
    }
    for x in 0..16 {
        if native.xmm[x] != emu.xmm[x] {
            out.push(format!(
                "xmm{x}: native {:x?} emu {:x?}",
                native.xmm[x], emu.xmm[x]
            ));
        }
    }
    out
}

/// A snippet ready to compare.
pub struct Case {
    pub src: String,
    code: Vec<u8>,
    page: ExecPage,
    /// Flags compared (defined flags of the snippet's instructions).
    pub flag_mask: u64,
}

impl Case {
    /// Assemble `src`; `None` without binutils.
    pub fn new(src: &str) -> Option<Case> {
        let code = assemble(src)?;
        let page = ExecPage::new(&assemble(&wrapper(src))?);
        Some(Case {
            src: src.to_string(),
            code,
            page,
            flag_mask: ARITH | DF,
        })
    }

    /// Ignore `flags` (undefined after the snippet).
    pub fn undefined(mut self, flags: u64) -> Case {
        self.flag_mask &= !flags;
        self
    }

    /// Run natively and emulated (whole block and one instruction per block) from `state`,
    /// with `mem` restored to `mem_init` before each run; panic with a report on a mismatch.
    pub fn check(&self, state: &State, mem: &mut [u8], mem_init: &[u8]) {
        mem.copy_from_slice(mem_init);
        let mut native = state.clone();
        self.page.run(&mut native);
        let native_mem = mem.to_vec();
        for max_insns in [64, 1] {
            mem.copy_from_slice(mem_init);
            let mut emu = state.clone();
            let end = emulate(&self.code, &mut emu, max_insns);
            let mut problems = diff(&native, &emu, self.flag_mask);
            if end != End::Done {
                problems.push(format!("emulation ended with {end:?}"));
            }
            if native_mem != mem {
                let at: Vec<String> = (0..mem.len())
                    .filter(|&i| native_mem[i] != mem[i])
                    .map(|i| format!("{i}: {:#x}/{:#x}", native_mem[i], mem[i]))
                    .collect();
                problems.push(format!(
                    "memory differs (offset: native/emu): {}",
                    at.join(", ")
                ));
            }
            assert!(
                problems.is_empty(),
                "snippet (max {max_insns} insns per block):\n{}\ninput: {state:x?}\n{}",
                self.src,
                problems.join("\n")
            );
        }
    }

    /// [`Case::check`] on `n` random states (with `setup` adjusting each), memory at `mem`.
    pub fn check_random(&self, seed: u64, n: usize, mut setup: impl FnMut(&mut State, &mut Rng)) {
        let mut rng = Rng::new(seed);
        // 16-byte aligned (MOVDQA/MOVAPS operands).
        let mut words = vec![0u128; 16];
        // SAFETY: the byte view covers exactly the 256 bytes of `words`, which outlives it.
        let mem = unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<u8>(), 256) };
        for _ in 0..n {
            let init: Vec<u8> = (0..256).map(|_| rng.next() as u8).collect();
            let mut s = random_state(&mut rng);
            s.regs[6] = mem.as_mut_ptr() as u64 + 64; // rsi
            s.regs[7] = mem.as_mut_ptr() as u64 + 128; // rdi
            setup(&mut s, &mut rng);
            self.check(&s, mem, &init);
        }
    }
}

/// Compare every snippet in `srcs` on `n` random states.
pub fn check_all(srcs: &[&str], undefined: u64, n: usize) {
    for (i, src) in srcs.iter().enumerate() {
        let Some(case) = Case::new(src) else {
            return;
        };
        case.undefined(undefined)
            .check_random(0x1234 + i as u64, n, |_, _| {});
    }
}
