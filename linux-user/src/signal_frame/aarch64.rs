//! The arm64 `rt_sigframe` (arch/arm64/kernel/signal.c): `siginfo` (128), `ucontext` whose
//! `uc_mcontext` is `struct sigcontext { fault_address, regs[31], sp, pc, pstate,
//! __reserved[4096] }`; `__reserved` holds an `fpsimd_context` (magic 0x46508001, 528 bytes:
//! fpsr, fpcr, v0..v31) and a null terminator record. Above the frame sits the frame record
//! (x29, x30) that x29 points to on entry.

use emu_frontend::aarch64::A64Cpu;

use super::{
    frame_head, get_u32, get_u64, get_words, put_u32, put_u64, put_words, restored_head,
    FrameInput, Restored, UC_MCONTEXT, UC_OFFSET,
};
use crate::errno::Errno;
use crate::memory::AddressSpace;

/// `sizeof(struct rt_sigframe)` (a multiple of 16).
pub const FRAME_SIZE: usize = 128 + UC_MCONTEXT + 288 + 4096;
const SC: usize = UC_OFFSET as usize + UC_MCONTEXT;
const FAULT_ADDRESS: usize = SC;
const REGS: usize = SC + 8;
const SP: usize = SC + 256;
const PC: usize = SC + 264;
const PSTATE: usize = SC + 272;
const FPSIMD: usize = SC + 288;
const FPSIMD_MAGIC: u32 = 0x4650_8001;
const FPSIMD_SIZE: u32 = 528;

fn pstate(cpu: &A64Cpu) -> u64 {
    (cpu.flag_n & 1) << 31
        | (cpu.flag_z & 1) << 30
        | (cpu.flag_c & 1) << 29
        | (cpu.flag_v & 1) << 28
}

fn set_pstate(cpu: &mut A64Cpu, p: u64) {
    cpu.flag_n = (p >> 31) & 1;
    cpu.flag_z = (p >> 30) & 1;
    cpu.flag_c = (p >> 29) & 1;
    cpu.flag_v = (p >> 28) & 1;
}

/// Build the frame; `fault_address` is `si_addr` for faults (else 0).
pub fn setup(cpu: &mut A64Cpu, space: &mut AddressSpace, f: &FrameInput) -> Result<(), Errno> {
    let record = (f.stack_top.wrapping_sub(16)) & !15;
    let frame = record.wrapping_sub(FRAME_SIZE as u64);
    let mut b = frame_head(f, FRAME_SIZE);
    put_u64(&mut b, FAULT_ADDRESS, get_u64(f.info, 16));
    put_words(&mut b, REGS, &cpu.x[..31]);
    put_u64(&mut b, SP, cpu.x[31]);
    put_u64(&mut b, PC, cpu.header.pc);
    put_u64(&mut b, PSTATE, pstate(cpu));
    put_u32(&mut b, FPSIMD, FPSIMD_MAGIC);
    put_u32(&mut b, FPSIMD + 4, FPSIMD_SIZE);
    put_u32(&mut b, FPSIMD + 8, cpu.fpsr as u32);
    put_u32(&mut b, FPSIMD + 12, cpu.fpcr as u32);
    let vregs: Vec<u64> = cpu.v.iter().flatten().copied().collect();
    put_words(&mut b, FPSIMD + 16, &vregs);
    space.write_bytes(frame, &b)?;
    let mut rec = [0u8; 16];
    put_words(&mut rec, 0, &[cpu.x[29], cpu.x[30]]);
    space.write_bytes(record, &rec)?;
    cpu.x[0] = f.signo;
    // As arm64's setup_rt_frame: the pointers are passed only to SA_SIGINFO handlers.
    if f.siginfo {
        cpu.x[1] = frame;
        cpu.x[2] = frame + UC_OFFSET;
    }
    cpu.x[29] = record;
    cpu.x[30] = f.return_to;
    cpu.x[31] = frame;
    cpu.header.pc = f.handler;
    Ok(())
}

pub fn restore(cpu: &mut A64Cpu, space: &AddressSpace) -> Result<Restored, Errno> {
    let frame = cpu.x[31];
    if frame & 15 != 0 {
        return Err(Errno::EFAULT);
    }
    let b = space.read_bytes(frame, FRAME_SIZE)?;
    if get_u32(&b, FPSIMD) != FPSIMD_MAGIC || get_u32(&b, FPSIMD + 4) != FPSIMD_SIZE {
        return Err(Errno::EINVAL);
    }
    get_words(&b, REGS, &mut cpu.x[..31]);
    cpu.x[31] = get_u64(&b, SP);
    cpu.header.pc = get_u64(&b, PC);
    set_pstate(cpu, get_u64(&b, PSTATE));
    cpu.fpsr = u64::from(get_u32(&b, FPSIMD + 8));
    cpu.fpcr = u64::from(get_u32(&b, FPSIMD + 12));
    let mut vregs = [0u64; 64];
    get_words(&b, FPSIMD + 16, &mut vregs);
    for (v, pair) in cpu.v.iter_mut().zip(vregs.chunks_exact(2)) {
        *v = [pair[0], pair[1]];
    }
    cpu.excl_size = 0;
    Ok(restored_head(&b[UC_OFFSET as usize..]))
}
