//! Guest signal frames: the exact `struct rt_sigframe` Linux builds on the guest stack for a
//! handler (`siginfo` + `ucontext` with the arch's `sigcontext`), entering the handler, and
//! `rt_sigreturn` reading the (possibly handler-modified) frame back. One file per arch; this
//! module owns the arch-independent part of `ucontext` and the `rt_sigreturn` trampoline code.
//!
//! Shared `ucontext` layout (riscv64 and arm64 alike): `uc_flags` @0, `uc_link` @8, `uc_stack`
//! @16 (24 bytes), `uc_sigmask` @40, padding to 168, `uc_mcontext` @176 (16-aligned).

pub mod aarch64;
pub mod riscv64;

use emu_frontend::aarch64::A64Cpu;
use emu_frontend::riscv64::Rv64Cpu;

use crate::errno::Errno;
use crate::memory::AddressSpace;

/// Offset of `uc` in `rt_sigframe` (after the 128-byte `siginfo`).
pub const UC_OFFSET: u64 = 128;
const UC_STACK: usize = 16;
const UC_SIGMASK: usize = 40;
/// Offset of `uc_mcontext` in `ucontext`.
pub const UC_MCONTEXT: usize = 176;

/// The guest CPU, by arch, for frame code that needs its registers.
pub enum ArchCpu<'a> {
    Riscv64(&'a mut Rv64Cpu),
    Aarch64(&'a mut A64Cpu),
}

/// What a frame records besides the registers.
pub struct FrameInput<'a> {
    pub signo: u64,
    pub info: &'a [u8; 128],
    /// `uc_stack` (the alternate stack as seen from the interrupted code).
    pub uc_stack: [u8; 24],
    /// The mask to restore at `rt_sigreturn`.
    pub uc_sigmask: u64,
    pub handler: u64,
    /// Where the handler returns to (`sa_restorer` or the trampoline).
    pub return_to: u64,
    /// Top of the stack the frame goes on.
    pub stack_top: u64,
}

/// What `rt_sigreturn` hands back besides restored registers.
pub struct Restored {
    pub mask: u64,
    pub uc_stack: [u8; 24],
}

/// The `rt_sigreturn` trampoline words for `cpu`'s arch: `li a7,139; ecall` or
/// `mov x8,#139; svc #0`.
pub fn trampoline_code(cpu: &ArchCpu) -> [u32; 2] {
    match cpu {
        ArchCpu::Riscv64(_) => [0x08b0_0893, 0x0000_0073],
        ArchCpu::Aarch64(_) => [0xd280_1168, 0xd400_0001],
    }
}

/// The guest stack pointer.
pub fn stack_pointer(cpu: &ArchCpu) -> u64 {
    match cpu {
        ArchCpu::Riscv64(c) => c.x[2],
        ArchCpu::Aarch64(c) => c.x[31],
    }
}

/// Build the frame for a handler on the guest stack and point the CPU at the handler.
pub fn setup(cpu: &mut ArchCpu, space: &mut AddressSpace, f: &FrameInput) -> Result<(), Errno> {
    match cpu {
        ArchCpu::Riscv64(c) => riscv64::setup(c, space, f),
        ArchCpu::Aarch64(c) => aarch64::setup(c, space, f),
    }
}

/// `rt_sigreturn`: restore the CPU from the frame at the guest stack pointer.
pub fn restore(cpu: &mut ArchCpu, space: &AddressSpace) -> Result<Restored, Errno> {
    match cpu {
        ArchCpu::Riscv64(c) => riscv64::restore(c, space),
        ArchCpu::Aarch64(c) => aarch64::restore(c, space),
    }
}

/// The arch-independent start of a frame of `size` bytes: `siginfo`, then `ucontext` up to
/// `uc_mcontext`.
fn frame_head(f: &FrameInput, size: usize) -> Vec<u8> {
    let mut b = vec![0u8; size];
    b[..128].copy_from_slice(f.info);
    let uc = UC_OFFSET as usize;
    b[uc + UC_STACK..uc + UC_STACK + 24].copy_from_slice(&f.uc_stack);
    put_u64(&mut b, uc + UC_SIGMASK, f.uc_sigmask);
    b
}

/// Read back what [`frame_head`] wrote (`uc` is the ucontext bytes).
fn restored_head(uc: &[u8]) -> Restored {
    let mut uc_stack = [0u8; 24];
    uc_stack.copy_from_slice(&uc[UC_STACK..UC_STACK + 24]);
    Restored {
        mask: get_u64(uc, UC_SIGMASK),
        uc_stack,
    }
}

fn put_u64(b: &mut [u8], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_le_bytes());
}

fn get_u64(b: &[u8], off: usize) -> u64 {
    b.get(off..off + 8)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

fn put_u32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

fn get_u32(b: &[u8], off: usize) -> u32 {
    b.get(off..off + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

/// Put `words` at `off`, 8 bytes each.
fn put_words(b: &mut [u8], off: usize, words: &[u64]) {
    for (i, w) in words.iter().enumerate() {
        put_u64(b, off + 8 * i, *w);
    }
}

/// Fill `words` from `off`.
fn get_words(b: &[u8], off: usize, words: &mut [u64]) {
    for (i, w) in words.iter_mut().enumerate() {
        *w = get_u64(b, off + 8 * i);
    }
}
