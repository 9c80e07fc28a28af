//! Control flow and system instructions: Jcc/JRCXZ, JMP, CALL, RET (direct and indirect),
//! LOOP/LOOPE/LOOPNE, SYSCALL, CPUID (the model is in `cpuid.rs`), RDTSC/RDTSCP, the flag
//! instructions (CLC/STC/CMC/CLD/STD, LAHF/SAHF, PUSHF/POPF), fences and hints (NOP, ENDBR64,
//! PAUSE, PREFETCH*, CLFLUSH*, RDSSP without shadow stacks), the x87 control and status words
//! (FNSTCW/FLDCW/FNSTSW/FNCLEX; the environment images are in `x87_env.rs`), and the
//! instructions that fault in user mode (HLT, UD2, INT3).

use emu_ir::helpers::HelperFn;
use emu_ir::{BinOp, Cond, ExitReason, Helper, HelperEffects, Terminal, Type};
use iced_x86::{Mnemonic as M, OpKind};

use crate::translator::{Flow, Illegal};
use crate::x86_64::cpuid::CPUID;
use crate::x86_64::ctx::{Ctx, Res};
use crate::x86_64::flags::{ARITH, CC_E, DF, IF};
use crate::x86_64::int::cond_code;
use crate::x86_64::{X64Cpu, EXC_GP, R11, RAX, RCX, RDX};

/// Translate `c.i` if it belongs to this class.
pub(crate) fn translate(c: &mut Ctx) -> Option<Res> {
    let m = c.i.mnemonic();
    Some(match m {
        M::Jmp => jmp(c),
        M::Call => call(c),
        M::Ret => ret(c),
        M::Jrcxz | M::Jecxz => jrcxz(c),
        M::Syscall => syscall(c),
        M::Cpuid => call_state_helper(c, &CPUID),
        M::Rdtsc | M::Rdtscp => rdtsc(c),
        M::Loop | M::Loope | M::Loopne => loop_(c),
        // RDSSP is a NOP without shadow stacks (CET is not enabled), which is how software
        // (libgcc's unwinder) detects them: it zeroes the register first.
        M::Nop
        | M::Rdsspd
        | M::Rdsspq
        | M::Endbr64
        | M::Pause
        | M::Prefetchnta
        | M::Prefetcht0
        | M::Prefetcht1
        | M::Prefetcht2
        | M::Prefetchw
        | M::Clflush
        | M::Clflushopt => Ok(Flow::Continue),
        M::Lfence | M::Mfence | M::Sfence => {
            c.b.fence();
            Ok(Flow::Continue)
        }
        M::Cld | M::Std => {
            let v = c.b.i64(u64::from(m == M::Std));
            c.b.write_reg(X64Cpu::DF_OFFSET, v);
            Ok(Flow::Continue)
        }
        M::Clc | M::Stc | M::Cmc => carry(c, m),
        M::Lahf => lahf(c),
        M::Sahf => sahf(c),
        M::Pushfq => pushf(c),
        M::Popfq => popf(c),
        M::Fnstcw | M::Fstcw => store_x87_word(c, X64Cpu::FPU_CW_OFFSET),
        M::Fnstsw | M::Fstsw => store_x87_word(c, X64Cpu::FPU_SW_OFFSET),
        M::Fldcw => c.read_op(0, Type::I16).map(|v| {
            let v = c.fit(v, Type::I64);
            c.b.write_reg(X64Cpu::FPU_CW_OFFSET, v);
            Flow::Continue
        }),
        M::Fxsave | M::Fxsave64 => crate::x86_64::fxsave::translate(c, false),
        M::Fxrstor | M::Fxrstor64 => crate::x86_64::fxsave::translate(c, true),
        M::Fnclex | M::Fclex => {
            // Clear the exception flags, ES and B; keep the condition codes.
            let sw = c.b.read_reg(Type::I64, X64Cpu::FPU_SW_OFFSET);
            let keep = c.b.i64(!0x80ff);
            let sw = c.b.and(sw, keep);
            c.b.write_reg(X64Cpu::FPU_SW_OFFSET, sw);
            Ok(Flow::Continue)
        }
        M::Wait => Ok(Flow::Continue),
        M::Hlt => fault(c, ExitReason::Exception(EXC_GP)),
        M::Ud2 | M::Ud0 | M::Ud1 => fault(c, ExitReason::IllegalInsn),
        // INT3 is a trap: the exception reports the next instruction.
        M::Int3 => {
            let next = c.next;
            end(
                c,
                Terminal::Exit {
                    reason: ExitReason::Breakpoint,
                    pc: next,
                },
            )
        }
        _ if is_jcc(m) => jcc(c),
        _ => return None,
    })
}

fn is_jcc(m: M) -> bool {
    matches!(
        m,
        M::Jo
            | M::Jno
            | M::Jb
            | M::Jae
            | M::Je
            | M::Jne
            | M::Jbe
            | M::Ja
            | M::Js
            | M::Jns
            | M::Jp
            | M::Jnp
            | M::Jl
            | M::Jge
            | M::Jle
            | M::Jg
    )
}

fn end(c: &mut Ctx, t: Terminal) -> Res {
    c.b.set_terminal(t);
    Ok(Flow::End)
}

fn fault(c: &mut Ctx, reason: ExitReason) -> Res {
    let pc = c.pc;
    end(c, Terminal::Exit { reason, pc })
}

/// The target of a near branch: direct (`Ok(Err(pc))`) or computed (`Ok(Ok(value))`).
fn target(c: &mut Ctx) -> Result<Result<emu_ir::Value, u64>, Illegal> {
    match c.i.op_kind(0) {
        OpKind::NearBranch64 => Ok(Err(c.i.near_branch_target())),
        OpKind::Register | OpKind::Memory if c.op_size(0) == 8 => Ok(Ok(c.read_op(0, Type::I64)?)),
        _ => Err(Illegal),
    }
}

fn goto(c: &mut Ctx, t: Result<emu_ir::Value, u64>) -> Res {
    match t {
        Ok(v) => end(c, Terminal::Indirect(v)),
        Err(pc) => end(c, Terminal::Goto(pc)),
    }
}

fn jmp(c: &mut Ctx) -> Res {
    let t = target(c)?;
    goto(c, t)
}

fn call(c: &mut Ctx) -> Res {
    let t = target(c)?;
    let ret = c.b.i64(c.next);
    c.push(ret);
    goto(c, t)
}

fn ret(c: &mut Ctx) -> Res {
    let to = c.pop();
    if c.i.op_count() == 1 {
        let sp = c.reg64(crate::x86_64::RSP);
        let n = c.b.i64(c.i.immediate(0) & 0xffff);
        let sp = c.b.add(sp, n);
        c.set_reg64(crate::x86_64::RSP, sp);
    }
    end(c, Terminal::Indirect(to))
}

/// End the block with a branch to the instruction's near target when `cond` (I8) holds,
/// else to the next instruction.
fn branch_if(c: &mut Ctx, cond: emu_ir::Value) -> Res {
    let (taken, not_taken) = (c.i.near_branch_target(), c.next);
    end(
        c,
        Terminal::Branch {
            cond,
            taken,
            not_taken,
        },
    )
}

fn jcc(c: &mut Ctx) -> Res {
    let cc = cond_code(c)?;
    let cond = c.cond(cc);
    branch_if(c, cond)
}

fn jrcxz(c: &mut Ctx) -> Res {
    let ty = if c.i.mnemonic() == M::Jecxz {
        Type::I32
    } else {
        Type::I64
    };
    let v = c.reg_n(RCX, ty);
    let zero = c.iconst(ty, 0);
    let cond = c.b.icmp(Cond::Eq, v, zero);
    branch_if(c, cond)
}

/// LOOP/LOOPE/LOOPNE: decrement RCX (ECX with an address-size prefix, without touching
/// the flags) and branch while it is non-zero (and ZF is set / clear).
fn loop_(c: &mut Ctx) -> Res {
    use iced_x86::Code;
    let ecx = matches!(
        c.i.code(),
        Code::Loop_rel8_64_ECX | Code::Loope_rel8_64_ECX | Code::Loopne_rel8_64_ECX
    );
    let ty = if ecx { Type::I32 } else { Type::I64 };
    let count = c.reg_n(RCX, ty);
    let one = c.iconst(ty, 1);
    let count = c.b.sub(count, one);
    c.set_reg_n(RCX, count);
    let zero = c.iconst(ty, 0);
    let mut cond = c.b.icmp(Cond::Ne, count, zero);
    let m = c.i.mnemonic();
    if m != M::Loop {
        let cc = if m == M::Loope { CC_E } else { CC_E | 1 };
        let z = c.cond(cc);
        cond = c.b.and(cond, z);
    }
    branch_if(c, cond)
}

/// The full RFLAGS value as an I64 (arithmetic flags, DF, IF, bit 1).
fn rflags(c: &mut Ctx) -> emu_ir::Value {
    let f = c.eflags_value();
    let df = c.b.read_reg(Type::I64, X64Cpu::DF_OFFSET);
    let ten = c.b.i64(10);
    let df = c.b.binary(BinOp::Shl, df, ten);
    let fixed = c.b.i64(IF | 0x2);
    let f = c.b.or(f, df);
    c.b.or(f, fixed)
}

/// SYSCALL: RCX = the return address, R11 = RFLAGS (as the kernel's entry sees them), then
/// leave the loop with pc after the instruction.
fn syscall(c: &mut Ctx) -> Res {
    let next = c.b.i64(c.next);
    c.set_reg64(RCX, next);
    let f = rflags(c);
    c.set_reg64(R11, f);
    let pc = c.next;
    end(
        c,
        Terminal::Exit {
            reason: ExitReason::Syscall,
            pc,
        },
    )
}

/// FNSTCW/FNSTSW: store a 16-bit x87 register to memory (or AX).
fn store_x87_word(c: &mut Ctx, offset: u32) -> Res {
    let v = x87_word(c, offset);
    let v = c.fit(v, Type::I16);
    c.write_op(0, v)?;
    Ok(Flow::Continue)
}

/// The control word, or the status word with the stack top in bits 13:11 (I64).
fn x87_word(c: &mut Ctx, offset: u32) -> emu_ir::Value {
    let v = c.b.read_reg(Type::I64, offset);
    if offset != X64Cpu::FPU_SW_OFFSET {
        return v;
    }
    let top = c.b.read_reg(Type::I64, X64Cpu::FPU_TOP_OFFSET);
    let eleven = c.b.i64(11);
    let top = c.b.binary(BinOp::Shl, top, eleven);
    c.b.or(v, top)
}

fn call_state_helper(c: &mut Ctx, h: &'static Helper) -> Res {
    c.b.call(h, &[]);
    Ok(Flow::Continue)
}

/// RDTSC; RDTSCP also sets ECX to TSC_AUX (0: the processor number Linux puts there).
fn rdtsc(c: &mut Ctx) -> Res {
    if c.i.mnemonic() == M::Rdtscp {
        let zero = c.b.i64(0);
        c.set_reg64(RCX, zero);
    }
    let t = c.b.call(&RDTSC, &[]).ok_or(Illegal)?;
    let lo = c.b.trunc(Type::I32, t);
    c.set_reg_n(RAX, lo);
    let sh = c.b.i64(32);
    let hi = c.b.binary(BinOp::ShrU, t, sh);
    c.set_reg64(RDX, hi);
    Ok(Flow::Continue)
}

fn carry(c: &mut Ctx, m: M) -> Res {
    let cf = match m {
        M::Clc => c.b.i64(0),
        M::Stc => c.b.i64(1),
        _ => {
            let cf = c.cond(crate::x86_64::flags::CC_AE);
            c.fit(cf, Type::I64)
        }
    };
    c.override_cf_of(cf, None, None);
    Ok(Flow::Continue)
}

/// AH = SF:ZF:0:AF:0:PF:1:CF.
fn lahf(c: &mut Ctx) -> Res {
    let f = c.eflags_value();
    let two = c.b.i64(2);
    let f = c.b.or(f, two);
    let f = c.b.trunc(Type::I8, f);
    c.write_gpr(iced_x86::Register::AH, f)?;
    Ok(Flow::Continue)
}

/// SF, ZF, AF, PF, CF from AH; OF kept.
fn sahf(c: &mut Ctx) -> Res {
    let ah = c.read_gpr(iced_x86::Register::AH)?;
    let ah = c.fit(ah, Type::I64);
    let low = c.b.i64(ARITH & 0xff);
    let ah = c.b.and(ah, low);
    let f = c.eflags_value();
    let keep = c.b.i64(crate::x86_64::flags::OF);
    let f = c.b.and(f, keep);
    let f = c.b.or(f, ah);
    c.set_eflags_value(f);
    Ok(Flow::Continue)
}

fn pushf(c: &mut Ctx) -> Res {
    let f = rflags(c);
    c.push(f);
    Ok(Flow::Continue)
}

fn popf(c: &mut Ctx) -> Res {
    let v = c.pop();
    let m = c.b.i64(ARITH);
    let f = c.b.and(v, m);
    c.set_eflags_value(f);
    let ten = c.b.i64(10);
    let df = c.b.binary(BinOp::ShrU, v, ten);
    let one = c.b.i64(DF >> 10);
    let df = c.b.and(df, one);
    c.b.write_reg(X64Cpu::DF_OFFSET, df);
    Ok(Flow::Continue)
}

extern "C" fn helper_rdtsc(_env: *mut u8) -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    // A 1 GHz counter since the first RDTSC.
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

static RDTSC: Helper = Helper {
    name: "x64_rdtsc",
    func: HelperFn::A0(helper_rdtsc),
    nargs: 0,
    ret: Some(Type::I64),
    effects: HelperEffects {
        reads_state: false,
        writes_state: false,
        memory: true,
    },
};

pub(crate) static HELPERS: &[&Helper] = &[&CPUID, &RDTSC];
