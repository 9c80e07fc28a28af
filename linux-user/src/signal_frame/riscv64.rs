//! The riscv64 `rt_sigframe` (arch/riscv/kernel/signal.c): `siginfo` (128), `ucontext` whose
//! `uc_mcontext` is `struct sigcontext { user_regs_struct (pc, x1..x31), __riscv_d_ext_state
//! (f[32], fcsr) }` in a 528-byte FP union. The handler returns through the trampoline in `ra`.

use emu_frontend::riscv64::Rv64Cpu;

use super::{
    frame_head, get_u32, get_words, put_u32, put_words, restored_head, FrameInput, Restored,
    UC_MCONTEXT, UC_OFFSET,
};
use crate::errno::Errno;
use crate::memory::AddressSpace;

/// `sizeof(struct rt_sigframe)`.
pub const FRAME_SIZE: usize = 128 + UC_MCONTEXT + 256 + 528;
/// Offset of `sc_regs` in the frame.
const REGS: usize = UC_OFFSET as usize + UC_MCONTEXT;
/// Offset of the FP state in the frame.
const FPREGS: usize = REGS + 256;
const FCSR: usize = FPREGS + 256;

pub fn setup(cpu: &mut Rv64Cpu, space: &mut AddressSpace, f: &FrameInput) -> Result<(), Errno> {
    let frame = (f.stack_top.wrapping_sub(FRAME_SIZE as u64)) & !15;
    let mut b = frame_head(f, FRAME_SIZE);
    let mut regs = cpu.x;
    regs[0] = cpu.header.pc;
    put_words(&mut b, REGS, &regs);
    put_words(&mut b, FPREGS, &cpu.f);
    put_u32(&mut b, FCSR, ((cpu.frm << 5) | cpu.fflags) as u32 & 0xff);
    space.write_bytes(frame, &b)?;
    cpu.x[10] = f.signo;
    cpu.x[11] = frame;
    cpu.x[12] = frame + UC_OFFSET;
    cpu.x[1] = f.return_to;
    cpu.x[2] = frame;
    cpu.header.pc = f.handler;
    Ok(())
}

pub fn restore(cpu: &mut Rv64Cpu, space: &AddressSpace) -> Result<Restored, Errno> {
    let frame = cpu.x[2];
    let b = space.read_bytes(frame, FRAME_SIZE)?;
    let mut regs = [0u64; 32];
    get_words(&b, REGS, &mut regs);
    cpu.header.pc = regs[0];
    cpu.x[1..].copy_from_slice(&regs[1..]);
    get_words(&b, FPREGS, &mut cpu.f);
    let fcsr = u64::from(get_u32(&b, FCSR));
    cpu.fflags = fcsr & 0x1f;
    cpu.frm = (fcsr >> 5) & 7;
    cpu.res_valid = 0;
    Ok(restored_head(&b[UC_OFFSET as usize..]))
}
