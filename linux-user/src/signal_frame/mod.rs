//! Guest signal frames: the exact `struct rt_sigframe` Linux builds on the guest stack for a
//! handler (`siginfo` + `ucontext` with the arch's `sigcontext`), entering the handler, and
//! `rt_sigreturn` reading the (possibly handler-modified) frame back. One file per arch; this
//! module owns the arch-independent part of `ucontext` and the `rt_sigreturn` trampoline code.
//!
//! Shared `ucontext` layout (riscv64 and arm64 alike): `uc_flags` @0, `uc_link` @8, `uc_stack`
//! @16 (24 bytes), `uc_sigmask` @40, padding to 168, `uc_mcontext` @176 (16-aligned).

pub mod aarch64;
pub mod riscv64;
pub mod x86_64;

use emu_frontend::aarch64::A64Cpu;
use emu_frontend::riscv64::Rv64Cpu;
use emu_frontend::x86_64::X64Cpu;

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
    X86_64(&'a mut X64Cpu),
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
    /// The handler was installed with `SA_SIGINFO` (arm64 passes the frame pointers only then).
    pub siginfo: bool,
    /// Top of the stack the frame goes on.
    pub stack_top: u64,
    /// The thread's last hardware exception (x86_64 `sigcontext` reports it).
    pub trap: crate::syscall::signal::TrapInfo,
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
        // mov eax, 15; syscall; nop
        ArchCpu::X86_64(_) => [0x0000_0fb8, 0x9005_0f00],
    }
}

/// The guest stack pointer.
pub fn stack_pointer(cpu: &ArchCpu) -> u64 {
    match cpu {
        ArchCpu::Riscv64(c) => c.x[2],
        ArchCpu::Aarch64(c) => c.x[31],
        ArchCpu::X86_64(c) => c.regs[4],
    }
}

/// The guest pc.
pub fn pc(cpu: &ArchCpu) -> u64 {
    match cpu {
        ArchCpu::Riscv64(c) => c.header.pc,
        ArchCpu::Aarch64(c) => c.header.pc,
        ArchCpu::X86_64(c) => c.header.pc,
    }
}

/// Build the frame for a handler on the guest stack and point the CPU at the handler.
pub fn setup(cpu: &mut ArchCpu, space: &mut AddressSpace, f: &FrameInput) -> Result<(), Errno> {
    match cpu {
        ArchCpu::Riscv64(c) => riscv64::setup(c, space, f),
        ArchCpu::Aarch64(c) => aarch64::setup(c, space, f),
        ArchCpu::X86_64(c) => x86_64::setup(c, space, f),
    }
}

/// `rt_sigreturn`: restore the CPU from the frame at the guest stack pointer.
pub fn restore(cpu: &mut ArchCpu, space: &AddressSpace) -> Result<Restored, Errno> {
    match cpu {
        ArchCpu::Riscv64(c) => riscv64::restore(c, space),
        ArchCpu::Aarch64(c) => aarch64::restore(c, space),
        ArchCpu::X86_64(c) => x86_64::restore(c, space),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::{map_flags, Backing, Layout};

    /// Sizes and offsets as glibc's `ucontext_t` has them (960 and 4560 bytes).
    #[test]
    fn frame_sizes_match_the_kernel() {
        assert_eq!(riscv64::FRAME_SIZE, 128 + 960);
        assert_eq!(aarch64::FRAME_SIZE, 128 + 4560);
        assert_eq!(aarch64::FRAME_SIZE % 16, 0);
        assert_eq!(x86_64::FRAME_SIZE, 440);
    }

    fn space() -> (AddressSpace, u64) {
        let mut s = AddressSpace::new(Layout::default()).unwrap();
        let flags = map_flags::PRIVATE | map_flags::ANONYMOUS;
        let a = s.mmap(0, 0x4000, 3, flags, Backing::Anonymous).unwrap();
        (s, a)
    }

    fn input(info: &[u8; 128], top: u64) -> FrameInput<'_> {
        FrameInput {
            siginfo: true,
            signo: 10,
            info,
            uc_stack: [0; 24],
            uc_sigmask: 0x1234,
            handler: 0x5000,
            return_to: 0x6000,
            stack_top: top,
            trap: Default::default(),
        }
    }

    /// Setting up a frame and returning from it restores every register.
    #[test]
    fn sigreturn_restores_what_setup_saved() {
        let (mut s, a) = space();
        let info = [0u8; 128];
        let mut rv = Rv64Cpu::new();
        rv.header.pc = 0x1000;
        for i in 1..32 {
            rv.x[i] = i as u64 * 3;
            rv.f[i] = i as u64 * 5;
        }
        rv.x[2] = a + 0x4000;
        rv.frm = 3;
        rv.fflags = 0x11;
        let before = (rv.x, rv.f, rv.header.pc, rv.frm, rv.fflags);
        setup(
            &mut ArchCpu::Riscv64(&mut rv),
            &mut s,
            &input(&info, a + 0x4000),
        )
        .unwrap();
        assert_eq!((rv.header.pc, rv.x[1], rv.x[10]), (0x5000, 0x6000, 10));
        assert_eq!(rv.x[2] % 16, 0);
        let r = restore(&mut ArchCpu::Riscv64(&mut rv), &s).unwrap();
        assert_eq!(r.mask, 0x1234);
        assert_eq!((rv.x, rv.f, rv.header.pc, rv.frm, rv.fflags), before);

        let mut arm = A64Cpu::new();
        arm.header.pc = 0x2000;
        for i in 0..31 {
            arm.x[i] = i as u64 * 7;
        }
        for (i, v) in arm.v.iter_mut().enumerate() {
            *v = [i as u64, !(i as u64)];
        }
        arm.x[31] = a + 0x4000;
        arm.flag_z = 1;
        arm.flag_v = 1;
        arm.fpcr = 0x0040_0000;
        arm.fpsr = 0x10;
        let before = (
            arm.x,
            arm.v,
            arm.header.pc,
            arm.flag_z,
            arm.flag_v,
            arm.fpcr,
        );
        setup(
            &mut ArchCpu::Aarch64(&mut arm),
            &mut s,
            &input(&info, a + 0x4000),
        )
        .unwrap();
        assert_eq!((arm.header.pc, arm.x[30], arm.x[0]), (0x5000, 0x6000, 10));
        assert_eq!(arm.x[29], a + 0x4000 - 16, "frame record");
        let r = restore(&mut ArchCpu::Aarch64(&mut arm), &s).unwrap();
        assert_eq!(r.mask, 0x1234);
        assert_eq!(
            (
                arm.x,
                arm.v,
                arm.header.pc,
                arm.flag_z,
                arm.flag_v,
                arm.fpcr
            ),
            before
        );
        assert_eq!(arm.fpsr, 0x10);

        let mut x = X64Cpu::new();
        x.header.pc = 0x2000;
        for (i, r) in x.regs.iter_mut().enumerate() {
            *r = i as u64 * 9;
        }
        for (i, v) in x.xmm.iter_mut().take(16).enumerate() {
            *v = [i as u64, !(i as u64)];
        }
        x.regs[4] = a + 0x4000 - 8;
        x.set_eflags(0x8d5 | 0x400);
        x.mxcsr = 0x1fa0;
        let before = (x.regs, x.xmm, x.header.pc, x.eflags(), x.mxcsr);
        setup(
            &mut ArchCpu::X86_64(&mut x),
            &mut s,
            &input(&info, a + 0x4000),
        )
        .unwrap();
        assert_eq!((x.header.pc, x.regs[7]), (0x5000, 10));
        assert_eq!((x.regs[4] + 8) % 16, 0, "entered as if called");
        assert_eq!(s.read_u64(x.regs[4]).unwrap(), 0x6000, "pretcode");
        assert_eq!(x.df, 0);
        // The handler's `ret` pops pretcode.
        x.regs[4] += 8;
        x.xmm[3] = [0, 0];
        let r = restore(&mut ArchCpu::X86_64(&mut x), &s).unwrap();
        assert_eq!(r.mask, 0x1234);
        assert_eq!((x.regs, x.xmm, x.header.pc, x.eflags(), x.mxcsr), before);
    }

    /// A frame on an unmapped stack, or a corrupt one, is an error (SIGSEGV), not a panic.
    #[test]
    fn bad_stacks_and_frames_are_errors() {
        let (mut s, a) = space();
        let info = [0u8; 128];
        let mut rv = Rv64Cpu::new();
        assert!(setup(&mut ArchCpu::Riscv64(&mut rv), &mut s, &input(&info, 0x10)).is_err());
        rv.x[2] = u64::MAX - 8;
        assert!(restore(&mut ArchCpu::Riscv64(&mut rv), &s).is_err());
        let mut arm = A64Cpu::new();
        arm.x[31] = a + 8;
        assert!(
            restore(&mut ArchCpu::Aarch64(&mut arm), &s).is_err(),
            "misaligned"
        );
        arm.x[31] = a;
        assert!(
            restore(&mut ArchCpu::Aarch64(&mut arm), &s).is_err(),
            "no fpsimd"
        );
    }
}
