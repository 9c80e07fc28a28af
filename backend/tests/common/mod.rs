//! Shared test fixtures: a small CPU state with a guest memory window, and a runner that
//! executes one block through the interpreter and through compiled code from identical state.

#![allow(dead_code)]

use emu_backend::standalone::CompiledBlock;
use emu_ir::interp::{interpret, BlockExit};
use emu_ir::{Block, CpuHeader};

/// Number of 64-bit registers in the test CPU.
pub const NREGS: usize = 16;
/// Guest memory window size (addresses are masked to it).
pub const MEM_SIZE: usize = 4096;

/// A test CPU: header, registers, then the guest memory it points at (with slack so 16-byte
/// accesses at the last masked address stay inside).
#[repr(C)]
pub struct TestCpu {
    pub header: CpuHeader,
    pub regs: [u64; NREGS],
    pub mem: Box<[u64]>,
}

/// Byte offset of register `i` in [`TestCpu`].
pub const fn reg(i: usize) -> u32 {
    (std::mem::size_of::<CpuHeader>() + 8 * i) as u32
}

impl TestCpu {
    pub fn new() -> Box<TestCpu> {
        let mut cpu = Box::new(TestCpu {
            header: CpuHeader::default(),
            regs: [0; NREGS],
            mem: vec![0u64; MEM_SIZE / 8 + 4].into_boxed_slice(),
        });
        cpu.header.mem_base = cpu.mem.as_mut_ptr() as u64;
        cpu.header.mem_mask = (MEM_SIZE - 1) as u64;
        cpu
    }

    /// A copy of the architectural state (pc, registers, memory).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            pc: self.header.pc,
            regs: self.regs,
            mem: self.mem.to_vec(),
        }
    }

    pub fn env(&mut self) -> *mut u8 {
        self as *mut TestCpu as *mut u8
    }

    pub fn mem_bytes(&mut self) -> &mut [u8] {
        // SAFETY: the u64 buffer viewed as bytes; same allocation, no other borrow.
        unsafe {
            std::slice::from_raw_parts_mut(self.mem.as_mut_ptr() as *mut u8, self.mem.len() * 8)
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub pc: u64,
    pub regs: [u64; NREGS],
    pub mem: Vec<u64>,
}

/// Exit as the raw code compiled code returns (0 = continue at pc).
pub fn exit_code(e: BlockExit) -> u64 {
    match e {
        BlockExit::Goto(_) | BlockExit::Indirect(_) => 0,
        BlockExit::Exit(r) => r.encode(),
    }
}

/// Run `block` in the interpreter on a fresh CPU prepared by `init`.
pub fn run_interp(block: &Block, init: &dyn Fn(&mut TestCpu)) -> (u64, Snapshot) {
    let mut cpu = TestCpu::new();
    init(&mut cpu);
    // SAFETY: the block only uses register offsets inside TestCpu (built by the tests) and the
    // memory window is valid.
    let e = unsafe { interpret(block, cpu.env()) };
    (exit_code(e), cpu.snapshot())
}

/// Run compiled `code` on a fresh CPU prepared by `init`.
pub fn run_compiled(code: &CompiledBlock, init: &dyn Fn(&mut TestCpu)) -> (u64, Snapshot) {
    let mut cpu = TestCpu::new();
    init(&mut cpu);
    // SAFETY: as for `run_interp`.
    let e = unsafe { code.run(cpu.env()) };
    (e, cpu.snapshot())
}

/// Run `block` both ways from the state `init` makes; panic with the block on any difference.
/// Returns the (agreed) result.
pub fn check_agree(block: &Block, init: &dyn Fn(&mut TestCpu)) -> (u64, Snapshot) {
    let code =
        CompiledBlock::new(block).unwrap_or_else(|e| panic!("compile failed: {e}\n{block:#?}"));
    let i = run_interp(block, init);
    let c = run_compiled(&code, init);
    assert_eq!(
        i, c,
        "interpreter (left) and compiled (right) differ on\n{block:#?}"
    );
    i
}
