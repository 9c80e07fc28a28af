//! Shared fixtures of the engine micro-benchmarks: a tiny riscv64 encoder (just the
//! instructions the benchmark programs use), guest code in a [`BufferFetch`], and a riscv64
//! CPU with a guest memory window driven through an [`Engine`].

#![allow(dead_code)]

use std::sync::Arc;

use emu_backend::{Engine, EngineConfig, Vcpu};
use emu_frontend::riscv64::{Rv64Cpu, Rv64Translator};
use emu_frontend::BufferFetch;
use emu_ir::ExitReason;

/// Guest address of the benchmark code (page aligned).
pub const CODE_BASE: u64 = 0x1_0000;
/// Size of the guest data window (addresses wrap modulo it).
pub const MEM_SIZE: usize = 1 << 16;

/// riscv64 encodings.
pub mod rv {
    fn r(f7: u32, rs2: u32, rs1: u32, f3: u32, rd: u32) -> u32 {
        f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x33
    }
    fn i(imm: i32, rs1: u32, f3: u32, rd: u32, opcode: u32) -> u32 {
        ((imm as u32) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode
    }
    pub fn add(rd: u32, rs1: u32, rs2: u32) -> u32 {
        r(0, rs2, rs1, 0, rd)
    }
    pub fn sub(rd: u32, rs1: u32, rs2: u32) -> u32 {
        r(0x20, rs2, rs1, 0, rd)
    }
    pub fn xor(rd: u32, rs1: u32, rs2: u32) -> u32 {
        r(0, rs2, rs1, 4, rd)
    }
    pub fn mul(rd: u32, rs1: u32, rs2: u32) -> u32 {
        r(1, rs2, rs1, 0, rd)
    }
    pub fn addi(rd: u32, rs1: u32, imm: i32) -> u32 {
        i(imm, rs1, 0, rd, 0x13)
    }
    pub fn slli(rd: u32, rs1: u32, shamt: u32) -> u32 {
        i(shamt as i32 & 63, rs1, 1, rd, 0x13)
    }
    pub fn srli(rd: u32, rs1: u32, shamt: u32) -> u32 {
        i(shamt as i32 & 63, rs1, 5, rd, 0x13)
    }
    pub fn ld(rd: u32, rs1: u32, imm: i32) -> u32 {
        i(imm, rs1, 3, rd, 0x03)
    }
    pub fn sd(rs2: u32, rs1: u32, imm: i32) -> u32 {
        let imm = imm as u32;
        (imm >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | 3 << 12 | (imm & 0x1f) << 7 | 0x23
    }
    /// `bne rs1, rs2, pc + off`.
    pub fn bne(rs1: u32, rs2: u32, off: i32) -> u32 {
        let o = off as u32;
        (o >> 12 & 1) << 31
            | (o >> 5 & 0x3f) << 25
            | rs2 << 20
            | rs1 << 15
            | 1 << 12
            | (o >> 1 & 0xf) << 8
            | (o >> 11 & 1) << 7
            | 0x63
    }
    /// `jal rd, pc + off`.
    pub fn jal(rd: u32, off: i32) -> u32 {
        let o = off as u32;
        (o >> 20 & 1) << 31
            | (o >> 1 & 0x3ff) << 21
            | (o >> 11 & 1) << 20
            | (o >> 12 & 0xff) << 12
            | rd << 7
            | 0x6f
    }
    pub const ECALL: u32 = 0x0000_0073;
}

/// Guest code: instruction words placed at [`CODE_BASE`] + their byte offsets.
pub struct Code {
    bytes: Vec<u8>,
}

impl Code {
    pub fn new() -> Code {
        Code { bytes: Vec::new() }
    }

    /// Place `words` at byte offset `at` (zero-filling any gap).
    pub fn at(mut self, at: usize, words: &[u32]) -> Code {
        let end = at + 4 * words.len();
        if self.bytes.len() < end {
            self.bytes.resize(end, 0);
        }
        for (k, w) in words.iter().enumerate() {
            self.bytes[at + 4 * k..at + 4 * k + 4].copy_from_slice(&w.to_le_bytes());
        }
        self
    }

    pub fn translator(self) -> Arc<Rv64Translator> {
        let fetch = Arc::new(BufferFetch::new(CODE_BASE, self.bytes));
        Arc::new(Rv64Translator::new(fetch))
    }
}

/// A straight-line mix of `n` ALU, multiply and load/store instructions, then `ecall`.
pub fn straight_line(n: usize) -> Vec<u32> {
    let mut words: Vec<u32> = (0..n as u32)
        .map(|k| {
            let (rd, a, b) = (5 + k % 20, 5 + (k + 3) % 20, 5 + (k + 7) % 20);
            match k % 8 {
                0 => rv::add(rd, a, b),
                1 => rv::xor(rd, a, b),
                2 => rv::addi(rd, a, (k as i32 % 2000) - 1000),
                3 => rv::slli(rd, a, k % 63),
                4 => rv::sub(rd, a, b),
                5 => rv::mul(rd, a, b),
                6 => rv::ld(rd, 2, 8 * (k as i32 % 64)),
                _ => rv::sd(a, 2, 8 * (k as i32 % 64)),
            }
        })
        .collect();
    words.push(rv::ECALL);
    words
}

/// A riscv64 CPU with its own zeroed guest data window.
pub struct Machine {
    pub cpu: Box<Rv64Cpu>,
    mem: Vec<u64>,
}

impl Machine {
    pub fn new() -> Machine {
        let mut mem = vec![0u64; MEM_SIZE / 8 + 2];
        let mut cpu = Box::new(Rv64Cpu::new());
        cpu.header.mem_base = mem.as_mut_ptr() as u64;
        cpu.header.mem_mask = (MEM_SIZE - 1) as u64;
        Machine { cpu, mem }
    }

    /// The 64-bit word at guest data address `addr` (8-aligned, inside the window).
    pub fn load(&self, addr: u64) -> u64 {
        self.mem[addr as usize / 8]
    }

    /// Run from `pc` until the engine returns; the exit must be the program's `ecall`.
    pub fn run(&mut self, vcpu: &mut Vcpu, pc: u64) {
        self.cpu.header.pc = pc;
        let env = (&mut *self.cpu as *mut Rv64Cpu).cast::<u8>();
        // SAFETY: `env` is a live riscv64 CPU state whose memory window is `mem` (addresses
        // masked to its size, with slack for the last access), owned by `self`.
        let exit = unsafe { vcpu.run(env) };
        assert_eq!(
            exit,
            ExitReason::Syscall,
            "benchmark program did not reach its ecall"
        );
    }
}

/// An engine over `translator`: every block compiled before its first run (`compiled`), or
/// everything interpreted. Synchronous compilation, so runs are deterministic.
pub fn engine(translator: Arc<Rv64Translator>, compiled: bool) -> (Arc<Engine>, Vcpu) {
    let config = EngineConfig {
        tier1_threshold: if compiled { 0 } else { u32::MAX },
        background_compile: false,
        ..EngineConfig::default()
    };
    let engine = Engine::new(translator, config).expect("engine");
    let vcpu = engine.vcpu();
    (engine, vcpu)
}

/// The tier names used in benchmark ids.
pub fn tier_name(compiled: bool) -> &'static str {
    if compiled {
        "tier1-cranelift"
    } else {
        "tier0-interpreter"
    }
}
