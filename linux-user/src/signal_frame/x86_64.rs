//! The x86_64 `rt_sigframe` (arch/x86/kernel/signal_64.c): below the 128-byte red zone, a
//! 64-aligned 512-byte FXSAVE area, then the frame `{ pretcode; ucontext; siginfo }` placed so
//! the handler starts as if called (`rsp + 8` 16-aligned). The kernel `ucontext` is
//! `uc_flags`@0, `uc_link`@8, `uc_stack`@16, `uc_mcontext` (`struct sigcontext`, 256 bytes)@40
//! and `uc_sigmask`@296. The handler returns with `ret` to `pretcode` (`sa_restorer`), whose
//! `rt_sigreturn` finds the `ucontext` at its `rsp`.

use emu_frontend::x86_64::{X64Cpu, FXSAVE_SIZE};

use super::{get_u64, put_u64, FrameInput, Restored};
use crate::errno::Errno;
use crate::memory::AddressSpace;

/// Kernel `struct ucontext` size and field offsets.
const UC_SIZE: usize = 304;
const UC_FLAGS: usize = 0;
const UC_STACK: usize = 16;
const UC_MCONTEXT: usize = 40;
const UC_SIGMASK: usize = 296;
/// `sizeof(struct rt_sigframe)`: pretcode, ucontext, siginfo.
pub const FRAME_SIZE: usize = 8 + UC_SIZE + 128;
/// Offsets in the frame.
const UC: usize = 8;
const INFO: usize = UC + UC_SIZE;
const SC: usize = UC + UC_MCONTEXT;
/// `struct sigcontext` offsets (relative to it): r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx,
/// rsp, rip, eflags, then cs/gs/fs/ss, err, trapno, oldmask, cr2, fpstate.
const SC_RIP: usize = 128;
const SC_EFLAGS: usize = 136;
const SC_CSGSFS: usize = 144;
const SC_ERR: usize = 152;
const SC_TRAPNO: usize = 160;
const SC_CR2: usize = 176;
const SC_FPSTATE: usize = 184;
/// The registers in `sigcontext` order, as register numbers.
const SC_ORDER: [usize; 16] = [8, 9, 10, 11, 12, 13, 14, 15, 7, 6, 5, 3, 2, 0, 1, 4];
/// `uc_flags`: UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS, as 64-bit Linux sets them.
const UC_FLAGS_VALUE: u64 = 0x6;
/// The user code segment selector (`__USER_CS`) and data segment (`__USER_DS`).
const USER_CS: u64 = 0x33;
const USER_DS: u64 = 0x2b;

pub fn setup(cpu: &mut X64Cpu, space: &mut AddressSpace, f: &FrameInput) -> Result<(), Errno> {
    let below_red_zone = f.stack_top.wrapping_sub(128);
    let fx = below_red_zone.wrapping_sub(FXSAVE_SIZE as u64) & !63;
    let frame = (fx.wrapping_sub(FRAME_SIZE as u64) & !15).wrapping_sub(8);
    space.write_bytes(fx, &cpu.fxsave())?;

    let mut b = vec![0u8; FRAME_SIZE];
    put_u64(&mut b, 0, f.return_to);
    put_u64(&mut b, UC + UC_FLAGS, UC_FLAGS_VALUE);
    b[UC + UC_STACK..UC + UC_STACK + 24].copy_from_slice(&f.uc_stack);
    for (i, &r) in SC_ORDER.iter().enumerate() {
        put_u64(&mut b, SC + 8 * i, cpu.regs[r]);
    }
    put_u64(&mut b, SC + SC_RIP, cpu.header.pc);
    put_u64(&mut b, SC + SC_EFLAGS, cpu.eflags());
    put_u64(&mut b, SC + SC_CSGSFS, USER_CS | USER_DS << 48);
    put_u64(&mut b, SC + SC_ERR, f.trap.error_code);
    put_u64(&mut b, SC + SC_TRAPNO, f.trap.trapno);
    put_u64(&mut b, SC + SC_CR2, f.trap.fault_address);
    put_u64(&mut b, SC + SC_FPSTATE, fx);
    put_u64(&mut b, UC + UC_SIGMASK, f.uc_sigmask);
    b[INFO..INFO + 128].copy_from_slice(f.info);
    space.write_bytes(frame, &b)?;

    cpu.regs[7] = f.signo;
    cpu.regs[6] = frame + INFO as u64;
    cpu.regs[2] = frame + UC as u64;
    cpu.regs[0] = 0;
    cpu.regs[4] = frame;
    cpu.df = 0;
    // Linux starts the handler with a fresh x87 (the interrupted state is in the frame).
    cpu.x87_init();
    cpu.header.pc = f.handler;
    Ok(())
}

pub fn restore(cpu: &mut X64Cpu, space: &AddressSpace) -> Result<Restored, Errno> {
    // `ret` popped `pretcode`: the ucontext is at the stack pointer.
    let uc = cpu.regs[4];
    let b = space.read_bytes(uc, UC_SIZE)?;
    let sc = UC_MCONTEXT;
    let fpstate = get_u64(&b, sc + SC_FPSTATE);
    let fx = if fpstate != 0 {
        let bytes = space.read_bytes(fpstate, FXSAVE_SIZE)?;
        let mut image = [0u8; FXSAVE_SIZE];
        image.copy_from_slice(&bytes);
        Some(image)
    } else {
        None
    };
    for (i, &r) in SC_ORDER.iter().enumerate() {
        cpu.regs[r] = get_u64(&b, sc + 8 * i);
    }
    cpu.header.pc = get_u64(&b, sc + SC_RIP);
    cpu.set_eflags(get_u64(&b, sc + SC_EFLAGS));
    if let Some(fx) = fx {
        cpu.fxrstor(&fx);
    }
    let mut uc_stack = [0u8; 24];
    uc_stack.copy_from_slice(&b[UC_STACK..UC_STACK + 24]);
    Ok(Restored {
        mask: get_u64(&b, UC_SIGMASK),
        uc_stack,
    })
}
