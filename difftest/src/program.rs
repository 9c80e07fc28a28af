//! The batch program: lays out a static ELF whose `_start` installs the fault handler, runs
//! every case (set sp to the case record, load the input state, run the instructions, store
//! the output state) and finally `write`s all case records to stdout. All encodings come from
//! the arch's [`ArchSpec`] primitives; this file owns the memory map and the order of steps.

use crate::arch::{ArchSpec, Mem, Sys};
use crate::elf::{self, Segment};
use crate::layout::{Kind, Layout, BASE_IN_SCRATCH, HEADER, RESUME_OFF, SCRATCH};

/// Where the code segment is loaded.
pub const CODE_BASE: u64 = 0x40_0000;
/// Where the data segment (sigaltstack descriptor, sigaction, case records) is loaded.
pub const DATA_BASE: u64 = 0x100_0000;
/// The page holding the scratch window (the rest of the page absorbs writeback drift).
pub const SCRATCH_PAGE: u64 = 0x200_0000;
/// The base register's value: the middle of the scratch page.
pub const BASE_ADDR: u64 = SCRATCH_PAGE + 2048;
/// The start of the scratch window.
pub const SCRATCH_ADDR: u64 = BASE_ADDR - BASE_IN_SCRATCH;

const STACK_T: u64 = DATA_BASE;
const SIGACTION: u64 = DATA_BASE + 32;
const RECORDS: u64 = DATA_BASE + 64;
const ALTSTACK_SIZE: u64 = 64 * 1024;
/// The signals a case may raise; each is caught and recorded.
pub const FAULT_SIGNALS: [u64; 5] = [4, 5, 7, 8, 11];
const SA_SIGINFO: u64 = 4;
const SA_ONSTACK: u64 = 0x0800_0000;
const SA_RESTORER: u64 = 0x0400_0000;

/// One case as the program runs it.
pub struct ProgramCase<'a> {
    /// The instruction bytes.
    pub code: Vec<u8>,
    /// The input state block.
    pub input: &'a [u8],
}

/// A built batch program.
pub struct Program {
    pub elf: Vec<u8>,
    /// Bytes the program writes to stdout when it completes.
    pub output_len: usize,
}

/// Builds the batch program for `cases`.
pub fn build(arch: &dyn ArchSpec, cases: &[ProgramCase]) -> Program {
    let layout = arch.layout();
    let rec = layout.record_size() as u64;
    let output_len = cases.len() * layout.record_size();
    let mut code = Vec::new();
    prologue(arch, &mut code);
    let mut case_starts = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        case_starts.push(code.len() as u64);
        case_code(arch, &mut code, RECORDS + i as u64 * rec, &case.code);
    }
    let epilogue_at = code.len() as u64;
    arch.syscall(&mut code, Sys::Write, &[1, RECORDS, output_len as u64]);
    arch.syscall(&mut code, Sys::ExitGroup, &[0]);
    let handler_at = CODE_BASE + code.len() as u64;
    code.extend(arch.handler());
    let restorer_at = arch.restorer().map(|r| {
        let at = CODE_BASE + code.len() as u64;
        code.extend(r);
        at
    });

    let mut data = Vec::new();
    // stack_t { ss_sp, ss_flags, ss_size }
    let altstack = RECORDS + output_len as u64;
    push_words(&mut data, &[altstack, 0, ALTSTACK_SIZE, 0]);
    let flags = SA_SIGINFO | SA_ONSTACK;
    match restorer_at {
        Some(r) => push_words(&mut data, &[handler_at, flags | SA_RESTORER, r, 0]),
        None => push_words(&mut data, &[handler_at, flags, 0, 0]),
    }
    for (i, case) in cases.iter().enumerate() {
        let next = case_starts.get(i + 1).copied().unwrap_or(epilogue_at);
        let mut record = vec![0u8; layout.record_size()];
        record[RESUME_OFF..RESUME_OFF + 8].copy_from_slice(&(CODE_BASE + next).to_le_bytes());
        record[HEADER..HEADER + case.input.len()].copy_from_slice(case.input);
        data.extend(record);
    }
    data.resize(data.len() + ALTSTACK_SIZE as usize, 0);

    let (machine, flags) = arch.elf_machine();
    let segments = [
        Segment {
            vaddr: CODE_BASE,
            bytes: code,
            writable: false,
            exec: true,
        },
        Segment {
            vaddr: DATA_BASE,
            bytes: data,
            writable: true,
            exec: false,
        },
        Segment {
            vaddr: SCRATCH_PAGE,
            bytes: vec![0; 4096],
            writable: true,
            exec: false,
        },
    ];
    Program {
        elf: elf::build(machine, flags, CODE_BASE, &segments),
        output_len,
    }
}

fn push_words(data: &mut Vec<u8>, words: &[u64]) {
    for w in words {
        data.extend(w.to_le_bytes());
    }
}

/// `_start`: the alternate signal stack and the fault handlers.
fn prologue(arch: &dyn ArchSpec, code: &mut Vec<u8>) {
    arch.syscall(code, Sys::SigAltStack, &[STACK_T, 0]);
    for sig in FAULT_SIGNALS {
        arch.syscall(code, Sys::RtSigaction, &[sig, SIGACTION, 0, 8]);
    }
}

/// Load order: control state and vectors first (they go through the first integer
/// register), integer registers last.
fn load_rank(kind: Kind) -> u8 {
    match kind {
        Kind::Flags | Kind::FpCtl => 0,
        Kind::Vec => 1,
        Kind::Int => 2,
    }
}

/// One case: set up, run `insns`, record.
fn case_code(arch: &dyn ArchSpec, code: &mut Vec<u8>, record: u64, insns: &[u8]) {
    let layout = arch.layout();
    let (in_off, out_off) = (layout.in_off(), layout.out_off());
    arch.set_sp(code, record);
    arch.set_reg(code, arch.base_reg(), BASE_ADDR);
    arch.case_prologue(code);
    copy_scratch(arch, code, layout, true);
    let mut order: Vec<usize> = (0..layout.fields.len()).collect();
    order.sort_by_key(|&i| load_rank(layout.fields[i].kind));
    for &i in &order {
        let off = (in_off + layout.offsets[i]) as u32;
        arch.load_field(code, &layout.fields[i], off);
    }
    code.extend_from_slice(insns);
    for &i in order.iter().rev() {
        let off = (out_off + layout.offsets[i]) as u32;
        arch.store_field(code, &layout.fields[i], off);
    }
    arch.set_reg(code, arch.base_reg(), BASE_ADDR);
    copy_scratch(arch, code, layout, false);
}

/// Copies the scratch window from the input state (`inbound`) or to the output state.
fn copy_scratch(arch: &dyn ArchSpec, code: &mut Vec<u8>, layout: &Layout, inbound: bool) {
    let state = if inbound {
        layout.in_off()
    } else {
        layout.out_off()
    };
    let rec = Mem::Sp((state + layout.regs_size) as i32);
    let win = Mem::Base(-(BASE_IN_SCRATCH as i32));
    if inbound {
        arch.copy_block(code, rec, win, SCRATCH);
    } else {
        arch.copy_block(code, win, rec, SCRATCH);
    }
}
