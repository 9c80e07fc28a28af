//! Integer instructions: moves and extensions, the ALU group (ADD … CMP, TEST), INC/DEC/NOT/NEG,
//! XCHG/XADD/CMPXCHG (LOCK = host atomics), PUSH/POP/LEAVE, shifts and rotates, multiply and
//! divide (divide errors raise [`EXC_DIVIDE`]), sign extensions (CBW … CQO), SETcc/CMOVcc, the
//! bit instructions (BT*, BSF/BSR, TZCNT/LZCNT/POPCNT, BSWAP).

use emu_ir::helpers::HelperFn;
use emu_ir::{AtomicOp, BinOp, Cond, ExitReason, Helper, HelperEffects, Type, UnOp, Value};
use iced_x86::{Mnemonic as M, OpKind, Register};

use crate::translator::{Flow, Illegal};
use crate::x86_64::ctx::{Ctx, Loc, Res};
use crate::x86_64::flags::{Kind, CC_B};
use crate::x86_64::{X64Cpu, EXC_DIVIDE, RAX, RDX};

/// Translate `c.i` if it belongs to this class.
pub(crate) fn translate(c: &mut Ctx) -> Option<Res> {
    let m = c.i.mnemonic();
    Some(match m {
        M::Add | M::Or | M::Adc | M::Sbb | M::And | M::Sub | M::Xor | M::Cmp | M::Test => alu(c, m),
        M::Inc | M::Dec => inc_dec(c, m == M::Inc),
        M::Not => not(c),
        M::Neg => neg(c),
        M::Mov => mov(c),
        M::Movzx => extend(c, false),
        M::Movsx | M::Movsxd => extend(c, true),
        M::Lea => lea(c),
        M::Xchg => xchg(c),
        M::Xadd => xadd(c),
        M::Cmpxchg => cmpxchg(c),
        M::Push => push(c),
        M::Pop => pop(c),
        M::Leave => leave(c),
        M::Shl | M::Sal | M::Shr | M::Sar => shift(c, m),
        M::Rol | M::Ror => rotate(c, m == M::Rol),
        M::Shld | M::Shrd => double_shift(c, m == M::Shld),
        M::Mul => mul_wide(c, false),
        M::Imul if c.i.op_count() == 1 => mul_wide(c, true),
        M::Imul => imul(c),
        M::Div | M::Idiv => div(c, m == M::Idiv),
        M::Cbw | M::Cwd => acc_extend(c, m == M::Cwd, Type::I16),
        M::Cwde | M::Cdq => acc_extend(c, m == M::Cdq, Type::I32),
        M::Cdqe | M::Cqo => acc_extend(c, m == M::Cqo, Type::I64),
        M::Bt | M::Bts | M::Btr | M::Btc => bit_test(c, m),
        M::Bsf | M::Bsr => bit_scan(c, m == M::Bsf),
        M::Tzcnt | M::Lzcnt | M::Popcnt => count(c, m),
        M::Bswap => bswap(c),
        _ if is_setcc(m) => setcc(c),
        _ if is_cmovcc(m) => cmovcc(c),
        _ => return None,
    })
}

fn is_setcc(m: M) -> bool {
    matches!(
        m,
        M::Seto
            | M::Setno
            | M::Setb
            | M::Setae
            | M::Sete
            | M::Setne
            | M::Setbe
            | M::Seta
            | M::Sets
            | M::Setns
            | M::Setp
            | M::Setnp
            | M::Setl
            | M::Setge
            | M::Setle
            | M::Setg
    )
}

fn is_cmovcc(m: M) -> bool {
    matches!(
        m,
        M::Cmovo
            | M::Cmovno
            | M::Cmovb
            | M::Cmovae
            | M::Cmove
            | M::Cmovne
            | M::Cmovbe
            | M::Cmova
            | M::Cmovs
            | M::Cmovns
            | M::Cmovp
            | M::Cmovnp
            | M::Cmovl
            | M::Cmovge
            | M::Cmovle
            | M::Cmovg
    )
}

/// The instruction's condition (0–15, x86 encoding order).
pub(crate) fn cond_code(c: &Ctx) -> Result<u8, Illegal> {
    (c.i.condition_code() as u8).checked_sub(1).ok_or(Illegal)
}

const OK: Res = Ok(Flow::Continue);

/// The ALU group and TEST.
fn alu(c: &mut Ctx, m: M) -> Res {
    let ty = c.op_ty(0);
    let dst = c.loc(0)?;
    let b = c.read_op(1, ty)?;
    if let (true, Loc::Mem(addr)) = (c.i.has_lock_prefix(), dst) {
        if let Some(r) = locked_alu(c, m, addr, b) {
            return r;
        }
    }
    let a = c.read_loc(dst, ty)?;
    let (r, kind, src2) = match m {
        M::Add => (c.b.add(a, b), Kind::Add, None),
        M::Sub | M::Cmp => (c.b.sub(a, b), Kind::Sub, None),
        M::And | M::Test => (c.b.and(a, b), Kind::Logic, None),
        M::Or => (c.b.or(a, b), Kind::Logic, None),
        M::Xor => (c.b.xor(a, b), Kind::Logic, None),
        M::Adc | M::Sbb => {
            let cin = c.cond(CC_B);
            let cin_t = c.fit(cin, ty);
            if m == M::Adc {
                let t = c.b.add(a, b);
                (c.b.add(t, cin_t), Kind::Adc, Some(cin))
            } else {
                let t = c.b.sub(a, b);
                (c.b.sub(t, cin_t), Kind::Sbb, Some(cin))
            }
        }
        _ => return Err(Illegal),
    };
    if !matches!(m, M::Cmp | M::Test) {
        c.write_loc(dst, r)?;
    }
    c.set_cc(kind, r, Some(b), src2);
    OK
}

/// LOCK-prefixed ALU operations on memory as host atomics (`None`: no atomic form).
fn locked_alu(c: &mut Ctx, m: M, addr: Value, b: Value) -> Option<Res> {
    let ty = c.b.ty(b);
    let (op, operand) = match m {
        M::Add => (AtomicOp::Add, b),
        M::Sub => {
            let zero = c.iconst(ty, 0);
            (AtomicOp::Add, c.b.sub(zero, b))
        }
        M::And => (AtomicOp::And, b),
        M::Or => (AtomicOp::Or, b),
        M::Xor => (AtomicOp::Xor, b),
        _ => return None,
    };
    let old = c.b.atomic_rmw(op, ty, addr, operand);
    let (r, kind) = match m {
        M::Add => (c.b.add(old, b), Kind::Add),
        M::Sub => (c.b.sub(old, b), Kind::Sub),
        M::And => (c.b.and(old, b), Kind::Logic),
        M::Or => (c.b.or(old, b), Kind::Logic),
        _ => (c.b.xor(old, b), Kind::Logic),
    };
    c.set_cc(kind, r, Some(b), None);
    Some(OK)
}

fn inc_dec(c: &mut Ctx, inc: bool) -> Res {
    let ty = c.op_ty(0);
    let dst = c.loc(0)?;
    let cf = c.cond(CC_B);
    let one = c.iconst(ty, 1);
    let r = match (c.i.has_lock_prefix(), dst) {
        (true, Loc::Mem(addr)) => {
            let delta = if inc { one } else { c.iconst(ty, u64::MAX) };
            let old = c.b.atomic_rmw(AtomicOp::Add, ty, addr, delta);
            c.b.add(old, delta)
        }
        _ => {
            let a = c.read_loc(dst, ty)?;
            let r = if inc {
                c.b.add(a, one)
            } else {
                c.b.sub(a, one)
            };
            c.write_loc(dst, r)?;
            r
        }
    };
    c.set_cc(if inc { Kind::Inc } else { Kind::Dec }, r, None, Some(cf));
    OK
}

fn not(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    let dst = c.loc(0)?;
    let ones = c.iconst(ty, u64::MAX);
    match (c.i.has_lock_prefix(), dst) {
        (true, Loc::Mem(addr)) => {
            c.b.atomic_rmw(AtomicOp::Xor, ty, addr, ones);
        }
        _ => {
            let a = c.read_loc(dst, ty)?;
            let r = c.b.xor(a, ones);
            c.write_loc(dst, r)?;
        }
    }
    OK
}

fn neg(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    let dst = c.loc(0)?;
    let a = c.read_loc(dst, ty)?;
    let zero = c.iconst(ty, 0);
    let r = c.b.sub(zero, a);
    c.write_loc(dst, r)?;
    c.set_cc(Kind::Sub, r, Some(a), None);
    OK
}

fn mov(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    let v = c.read_op(1, ty)?;
    c.write_op(0, v)?;
    OK
}

/// MOVZX, MOVSX, MOVSXD.
fn extend(c: &mut Ctx, signed: bool) -> Res {
    let (dty, sty) = (c.op_ty(0), c.op_ty(1));
    let v = c.read_op(1, sty)?;
    let v = if signed {
        c.sfit(v, dty)
    } else {
        c.fit(v, dty)
    };
    c.write_op(0, v)?;
    OK
}

fn lea(c: &mut Ctx) -> Res {
    if c.i.op_kind(1) != OpKind::Memory {
        return Err(Illegal);
    }
    let ty = c.op_ty(0);
    let a = c.ea_no_segment();
    let a = c.fit(a, ty);
    c.write_op(0, a)?;
    OK
}

fn xchg(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    let (l0, l1) = (c.loc(0)?, c.loc(1)?);
    match (l0, l1) {
        (Loc::Mem(addr), Loc::Reg(r)) | (Loc::Reg(r), Loc::Mem(addr)) => {
            let v = c.read_gpr(r)?;
            let old = c.b.atomic_rmw(AtomicOp::Xchg, ty, addr, v);
            c.write_gpr(r, old)?;
        }
        (Loc::Reg(r0), Loc::Reg(r1)) => {
            let (v0, v1) = (c.read_gpr(r0)?, c.read_gpr(r1)?);
            c.write_gpr(r0, v1)?;
            c.write_gpr(r1, v0)?;
        }
        _ => return Err(Illegal),
    }
    OK
}

fn xadd(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    let (dst, Loc::Reg(src)) = (c.loc(0)?, c.loc(1)?) else {
        return Err(Illegal);
    };
    let s = c.read_gpr(src)?;
    let r = if let Loc::Mem(addr) = dst {
        let old = c.b.atomic_rmw(AtomicOp::Add, ty, addr, s);
        c.write_gpr(src, old)?;
        c.b.add(old, s)
    } else {
        let a = c.read_loc(dst, ty)?;
        let r = c.b.add(a, s);
        c.write_gpr(src, a)?;
        c.write_loc(dst, r)?;
        r
    };
    c.set_cc(Kind::Add, r, Some(s), None);
    OK
}

fn cmpxchg(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    let (dst, Loc::Reg(src)) = (c.loc(0)?, c.loc(1)?) else {
        return Err(Illegal);
    };
    let s = c.read_gpr(src)?;
    let acc = c.reg_n(RAX, ty);
    let old = if let Loc::Mem(addr) = dst {
        c.b.atomic_cas(ty, addr, acc, s)
    } else {
        let old = c.read_loc(dst, ty)?;
        let eq = c.b.icmp(Cond::Eq, old, acc);
        if ty == Type::I32 {
            // The destination is written (and zero-extended) only on success.
            let Loc::Reg(r) = dst else {
                return Err(Illegal);
            };
            let n = r.full_register().number() as u32;
            let full = c.reg64(n);
            let new = c.fit(s, Type::I64);
            let v = c.b.select(eq, new, full);
            c.set_reg64(n, v);
        } else {
            let new = c.b.select(eq, s, old);
            c.write_loc(dst, new)?;
        }
        old
    };
    // The accumulator is written only on failure (it may be the destination itself).
    let eq = c.b.icmp(Cond::Eq, old, acc);
    if ty == Type::I32 {
        let full = c.reg64(RAX);
        let wide = c.fit(old, Type::I64);
        let v = c.b.select(eq, full, wide);
        c.set_reg64(RAX, v);
    } else {
        let current = c.reg_n(RAX, ty);
        let v = c.b.select(eq, current, old);
        c.set_reg_n(RAX, v);
    }
    let r = c.b.sub(acc, old);
    c.set_cc(Kind::Sub, r, Some(old), None);
    OK
}

fn push(c: &mut Ctx) -> Res {
    if c.op_size(0) == 2 {
        return Err(Illegal);
    }
    let v = c.read_op(0, Type::I64)?;
    c.push(v);
    OK
}

fn pop(c: &mut Ctx) -> Res {
    if c.op_size(0) == 2 {
        return Err(Illegal);
    }
    let v = c.pop();
    c.write_op(0, v)?;
    OK
}

fn leave(c: &mut Ctx) -> Res {
    let bp = c.read_gpr(Register::RBP)?;
    c.set_reg64(crate::x86_64::RSP, bp);
    let v = c.pop();
    c.write_gpr(Register::RBP, v)?;
    OK
}

/// The count operand `n` of a `bits`-bit shift: `Some` (masked) for an immediate, `None` for CL.
fn static_count(c: &Ctx, n: u32, bits: u32) -> Option<u64> {
    let mask = if bits == 64 { 63 } else { 31 };
    match c.i.op_kind(n) {
        OpKind::Register => None,
        _ => Some(c.i.immediate(n) & mask),
    }
}

/// CL masked as the count of a `bits`-bit shift, in type `ty`.
fn cl_count(c: &mut Ctx, ty: Type, bits: u32) -> Result<Value, Illegal> {
    let cl = c.read_gpr(Register::CL)?;
    let cl = c.fit(cl, ty);
    let mask = c.iconst(ty, if bits == 64 { 63 } else { 31 });
    Ok(c.b.and(cl, mask))
}

/// Lazy flags after a shift by a run-time count: unchanged when the count is zero.
fn set_cc_unless_zero(c: &mut Ctx, kind: Kind, r: Value, s: Value, count: Value) {
    let ty = c.b.ty(r);
    let cty = c.b.ty(count);
    let zero = c.iconst(cty, 0);
    let is_zero = c.b.icmp(Cond::Eq, count, zero);
    let new = [
        c.b.i64(crate::x86_64::flags::cc_op(kind, ty)),
        c.fit(r, Type::I64),
        c.fit(s, Type::I64),
    ];
    let offs = [
        X64Cpu::CC_OP_OFFSET,
        X64Cpu::CC_DST_OFFSET,
        X64Cpu::CC_SRC_OFFSET,
    ];
    for (off, v) in offs.into_iter().zip(new) {
        let old = c.b.read_reg(Type::I64, off);
        let sel = c.b.select(is_zero, old, v);
        c.b.write_reg(off, sel);
    }
}

fn shift(c: &mut Ctx, m: M) -> Res {
    let ty = c.op_ty(0);
    let bits = ty.bits();
    let wide = if bits == 64 { Type::I64 } else { Type::I32 };
    let (op, kind) = match m {
        M::Shl | M::Sal => (BinOp::Shl, Kind::Shl),
        M::Shr => (BinOp::ShrU, Kind::Shr),
        _ => (BinOp::ShrS, Kind::Sar),
    };
    let dst = c.loc(0)?;
    let a = c.read_loc(dst, ty)?;
    let aw = if kind == Kind::Sar {
        c.sfit(a, wide)
    } else {
        c.fit(a, wide)
    };
    let count = match static_count(c, 1, bits) {
        Some(0) => {
            c.write_loc(dst, a)?;
            return OK;
        }
        Some(n) => c.iconst(wide, n),
        None => cl_count(c, wide, bits)?,
    };
    let r = c.b.binary(op, aw, count);
    let one = c.iconst(wide, 1);
    let cm1 = c.b.sub(count, one);
    let s = c.b.binary(op, aw, cm1);
    let (r, s) = (c.fit(r, ty), c.fit(s, ty));
    c.write_loc(dst, r)?;
    if static_count(c, 1, bits).is_some() {
        c.set_cc(kind, r, Some(s), None);
    } else {
        set_cc_unless_zero(c, kind, r, s, count);
    }
    OK
}

/// Bit `n` of `v` as an I64 0/1.
fn bit_of(c: &mut Ctx, v: Value, n: u32) -> Value {
    let ty = c.b.ty(v);
    let sh = c.iconst(ty, u64::from(n));
    let x = c.b.binary(BinOp::ShrU, v, sh);
    let x = c.fit(x, Type::I64);
    let one = c.b.i64(1);
    c.b.and(x, one)
}

fn rotate(c: &mut Ctx, left: bool) -> Res {
    let ty = c.op_ty(0);
    let bits = ty.bits();
    let dst = c.loc(0)?;
    let a = c.read_loc(dst, ty)?;
    let (count, keep) = match static_count(c, 1, bits) {
        // No rotation, but the destination is written (a 32-bit register's top half clears).
        Some(0) => {
            c.write_loc(dst, a)?;
            return OK;
        }
        Some(n) => (c.iconst(Type::I8, n), None),
        None => {
            let n = cl_count(c, Type::I8, bits)?;
            let zero = c.iconst(Type::I8, 0);
            (n, Some(c.b.icmp(Cond::Eq, n, zero)))
        }
    };
    let r =
        c.b.binary(if left { BinOp::RotL } else { BinOp::RotR }, a, count);
    c.write_loc(dst, r)?;
    let msb = bit_of(c, r, bits - 1);
    let (cf, other) = if left {
        (bit_of(c, r, 0), msb)
    } else {
        (msb, bit_of(c, r, bits - 2))
    };
    let of = if left {
        c.b.xor(msb, cf)
    } else {
        c.b.xor(msb, other)
    };
    c.override_cf_of(cf, Some(of), keep);
    OK
}

/// SHLD/SHRD: shift `dst` by the count, filling from `src`.
fn double_shift(c: &mut Ctx, left: bool) -> Res {
    let ty = c.op_ty(0);
    let bits = ty.bits();
    if bits == 16 {
        return Err(Illegal);
    }
    let dst = c.loc(0)?;
    let a = c.read_loc(dst, ty)?;
    let s = c.read_op(1, ty)?;
    let count = match static_count(c, 2, bits) {
        Some(0) => {
            c.write_loc(dst, a)?;
            return OK;
        }
        Some(n) => c.iconst(ty, n),
        None => cl_count(c, ty, bits)?,
    };
    // Shift the pair by count - 1 then by 1, so a count of `bits` never appears.
    let one = c.iconst(ty, 1);
    let cm1 = c.b.sub(count, one);
    let pair = |c: &mut Ctx, hi: Value, lo: Value, n: Value| -> Value {
        let width = c.iconst(ty, u64::from(bits));
        let inv = c.b.sub(width, n);
        let zero = c.iconst(ty, 0);
        let n_zero = c.b.icmp(Cond::Eq, n, zero);
        if left {
            let x = c.b.binary(BinOp::Shl, hi, n);
            let y = c.b.binary(BinOp::ShrU, lo, inv);
            let y = c.b.select(n_zero, zero, y);
            c.b.or(x, y)
        } else {
            let x = c.b.binary(BinOp::ShrU, lo, n);
            let y = c.b.binary(BinOp::Shl, hi, inv);
            let y = c.b.select(n_zero, zero, y);
            c.b.or(x, y)
        }
    };
    let (hi, lo) = if left { (a, s) } else { (s, a) };
    let partial = pair(c, hi, lo, cm1);
    // One more step: the operand keeps shifting in bits of `src` (shifted by count - 1 too).
    let (s_hi, s_lo) = if left {
        let t = c.b.binary(BinOp::Shl, s, cm1);
        (partial, t)
    } else {
        let t = c.b.binary(BinOp::ShrU, s, cm1);
        (t, partial)
    };
    let r = pair(c, s_hi, s_lo, one);
    let zero = c.iconst(ty, 0);
    let count_zero = c.b.icmp(Cond::Eq, count, zero);
    let r = c.b.select(count_zero, a, r);
    c.write_loc(dst, r)?;
    let kind = if left { Kind::Shl } else { Kind::Shrd };
    if static_count(c, 2, bits).is_some() {
        c.set_cc(kind, r, Some(partial), None);
    } else {
        set_cc_unless_zero(c, kind, r, partial, count);
    }
    OK
}

/// One-operand MUL/IMUL: rDX:rAX (AX for bytes) = rAX * src.
fn mul_wide(c: &mut Ctx, signed: bool) -> Res {
    let ty = c.op_ty(0);
    let src = c.read_op(0, ty)?;
    let acc = c.reg_n(RAX, ty);
    let (low, high) = if ty == Type::I8 {
        let (a, b) = if signed {
            (c.sfit(acc, Type::I16), c.sfit(src, Type::I16))
        } else {
            (c.fit(acc, Type::I16), c.fit(src, Type::I16))
        };
        let p = c.b.binary(BinOp::Mul, a, b);
        c.set_reg_n(RAX, p);
        let eight = c.iconst(Type::I16, 8);
        let h = c.b.binary(BinOp::ShrU, p, eight);
        (c.fit(p, Type::I8), c.fit(h, Type::I8))
    } else {
        let low = c.b.binary(BinOp::Mul, acc, src);
        let hi_op = if signed { BinOp::MulHiS } else { BinOp::MulHiU };
        let high = c.b.binary(hi_op, acc, src);
        c.set_reg_n(RAX, low);
        c.set_reg_n(RDX, high);
        (low, high)
    };
    set_mul_flags(c, low, high, signed);
    OK
}

/// CF = OF = the high half is not the extension of the low half.
fn set_mul_flags(c: &mut Ctx, low: Value, high: Value, signed: bool) {
    let ty = c.b.ty(low);
    let ext = if signed {
        let sh = c.iconst(ty, u64::from(ty.bits() - 1));
        c.b.binary(BinOp::ShrS, low, sh)
    } else {
        c.iconst(ty, 0)
    };
    let ovf = c.b.icmp(Cond::Ne, high, ext);
    c.set_cc(Kind::Mul, low, Some(ovf), None);
}

/// Two- and three-operand IMUL.
fn imul(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    let (a, b) = if c.i.op_count() == 3 {
        (c.read_op(1, ty)?, c.read_op(2, ty)?)
    } else {
        (c.read_op(0, ty)?, c.read_op(1, ty)?)
    };
    let low = c.b.binary(BinOp::Mul, a, b);
    let high = c.b.binary(BinOp::MulHiS, a, b);
    c.write_op(0, low)?;
    set_mul_flags(c, low, high, true);
    OK
}

/// DIV/IDIV through a helper that leaves the registers alone on a divide error.
fn div(c: &mut Ctx, signed: bool) -> Res {
    let ty = c.op_ty(0);
    let src = c.read_op(0, ty)?;
    let src = c.fit(src, Type::I64);
    let code = c.b.i64(u64::from(ty.bytes()) | u64::from(signed) << 8);
    let err = c.b.call(&DIV, &[code, src]).ok_or(Illegal)?;
    let zero = c.b.i64(0);
    let failed = c.b.icmp(Cond::Ne, err, zero);
    c.b.exit_if(failed, ExitReason::Exception(EXC_DIVIDE), c.pc);
    OK
}

/// The division itself: `Some((quotient, remainder))`, or `None` on a divide error.
fn divide(dividend: u128, divisor: u64, bits: u32, signed: bool) -> Option<(u64, u64)> {
    let mask = u64::MAX >> (64 - bits);
    if divisor & mask == 0 {
        return None;
    }
    if signed {
        let sh = 128 - 2 * bits;
        let n = ((dividend << sh) as i128) >> sh;
        let d = i128::from(((divisor << (64 - bits)) as i64) >> (64 - bits));
        let (q, r) = (n.checked_div(d)?, n.checked_rem(d)?);
        let limit = 1i128 << (bits - 1);
        if q < -limit || q >= limit {
            return None;
        }
        Some((q as u64 & mask, r as u64 & mask))
    } else {
        let d = u128::from(divisor & mask);
        let (q, r) = (dividend / d, dividend % d);
        if q > u128::from(mask) {
            return None;
        }
        Some((q as u64, r as u64))
    }
}

extern "C" fn helper_div(env: *mut u8, code: u64, divisor: u64) -> u64 {
    // SAFETY: called only from translated x86_64 code, whose `env` is the live `X64Cpu` of
    // this guest thread; nothing else references it while the helper runs.
    let cpu = unsafe { &mut *env.cast::<X64Cpu>() };
    let bytes = (code & 0xff) as u32;
    let signed = code & 0x100 != 0;
    let (rax, rdx) = (cpu.regs[0], cpu.regs[2]);
    if bytes == 1 {
        let Some((q, r)) = divide(u128::from(rax & 0xffff), divisor, 8, signed) else {
            return 1;
        };
        cpu.regs[0] = (rax & !0xffff) | r << 8 | q;
        return 0;
    }
    let bits = bytes * 8;
    let mask = u64::MAX >> (64 - bits);
    let dividend = u128::from(rdx & mask) << bits | u128::from(rax & mask);
    let Some((q, r)) = divide(dividend, divisor, bits, signed) else {
        return 1;
    };
    if bits == 16 {
        cpu.regs[0] = (rax & !0xffff) | q;
        cpu.regs[2] = (rdx & !0xffff) | r;
    } else {
        cpu.regs[0] = q;
        cpu.regs[2] = r;
    }
    0
}

/// `x64_div(size | signed << 8, divisor)`: 0, or 1 for a divide error (no state changed).
static DIV: Helper = Helper {
    name: "x64_div",
    func: HelperFn::A2(helper_div),
    nargs: 2,
    ret: Some(Type::I64),
    effects: HelperEffects {
        reads_state: true,
        writes_state: true,
        memory: false,
    },
};

pub(crate) static HELPERS: &[&Helper] = &[&DIV];

/// CBW/CWDE/CDQE (sign-extend the low half of the `ty` accumulator into it) and
/// CWD/CDQ/CQO (`fill`: rDX = the sign of the `ty` accumulator).
fn acc_extend(c: &mut Ctx, fill: bool, ty: Type) -> Res {
    if fill {
        let v = c.reg_n(RAX, ty);
        let sh = c.iconst(ty, u64::from(ty.bits() - 1));
        let s = c.b.binary(BinOp::ShrS, v, sh);
        c.set_reg_n(RDX, s);
    } else {
        let half = crate::x86_64::ctx::ity(ty.bytes() as usize / 2);
        let v = c.reg_n(RAX, half);
        let v = c.sfit(v, ty);
        c.set_reg_n(RAX, v);
    }
    OK
}

fn bit_test(c: &mut Ctx, m: M) -> Res {
    let ty = c.op_ty(0);
    let bits = u64::from(ty.bits());
    let dst = c.loc(0)?;
    let (dst, pos) = match c.loc(1)? {
        Loc::Imm(n) => (dst, c.iconst(ty, n & (bits - 1))),
        Loc::Reg(r) => {
            let off = c.read_gpr(r)?;
            let m = c.iconst(ty, bits - 1);
            let pos = c.b.and(off, m);
            let dst = match dst {
                Loc::Mem(addr) => {
                    let wide = c.sfit(off, Type::I64);
                    let sh = c.b.i64(u64::from(bits.trailing_zeros()));
                    let words = c.b.binary(BinOp::ShrS, wide, sh);
                    let scale = c.b.i64(u64::from(ty.bytes().trailing_zeros()));
                    let bytes = c.b.binary(BinOp::Shl, words, scale);
                    Loc::Mem(c.b.add(addr, bytes))
                }
                other => other,
            };
            (dst, pos)
        }
        Loc::Mem(_) => return Err(Illegal),
    };
    let one = c.iconst(ty, 1);
    let mask = c.b.binary(BinOp::Shl, one, pos);
    let atomic = match m {
        M::Bts => Some(AtomicOp::Or),
        M::Btr => Some(AtomicOp::And),
        M::Btc => Some(AtomicOp::Xor),
        _ => None,
    };
    let operand = if m == M::Btr {
        let ones = c.iconst(ty, u64::MAX);
        c.b.xor(mask, ones)
    } else {
        mask
    };
    let old = match (c.i.has_lock_prefix(), dst, atomic) {
        (true, Loc::Mem(addr), Some(op)) => c.b.atomic_rmw(op, ty, addr, operand),
        _ => {
            let old = c.read_loc(dst, ty)?;
            let new = match m {
                M::Bts => Some(c.b.or(old, operand)),
                M::Btr => Some(c.b.and(old, operand)),
                M::Btc => Some(c.b.xor(old, operand)),
                _ => None,
            };
            if let Some(new) = new {
                c.write_loc(dst, new)?;
            }
            old
        }
    };
    let x = c.b.binary(BinOp::ShrU, old, pos);
    let x = c.fit(x, Type::I64);
    let one64 = c.b.i64(1);
    let cf = c.b.and(x, one64);
    c.override_cf_of(cf, None, None);
    OK
}

/// BSF/BSR: the destination is unchanged for a zero source; ZF says which happened.
fn bit_scan(c: &mut Ctx, forward: bool) -> Res {
    let ty = c.op_ty(0);
    let src = c.read_op(1, ty)?;
    let r = if forward {
        c.b.unary(UnOp::Ctz, src)
    } else {
        let lz = c.b.unary(UnOp::Clz, src);
        let top = c.iconst(ty, u64::from(ty.bits() - 1));
        c.b.sub(top, lz)
    };
    let zero = c.iconst(ty, 0);
    let is_zero = c.b.icmp(Cond::Eq, src, zero);
    match c.loc(0)? {
        // A zero source leaves the whole destination register as it was (AMD's definition;
        // Intel's manuals call it undefined): a 32-bit form does not clear the top half.
        Loc::Reg(reg) if ty == Type::I32 => {
            let n = reg.full_register().number() as u32;
            let full = c.reg64(n);
            let new = c.fit(r, Type::I64);
            let v = c.b.select(is_zero, full, new);
            c.set_reg64(n, v);
        }
        dst => {
            let old = c.read_loc(dst, ty)?;
            let v = c.b.select(is_zero, old, r);
            c.write_loc(dst, v)?;
        }
    }
    // ZF = source is zero; the other flags are undefined (these are LOGIC's of the source).
    c.set_cc(Kind::Logic, src, None, None);
    OK
}

/// TZCNT, LZCNT (CF = source zero, ZF = result zero) and POPCNT (ZF = source zero).
fn count(c: &mut Ctx, m: M) -> Res {
    let ty = c.op_ty(0);
    let src = c.read_op(1, ty)?;
    let op = match m {
        M::Tzcnt => UnOp::Ctz,
        M::Lzcnt => UnOp::Clz,
        _ => UnOp::Popcnt,
    };
    let r = c.b.unary(op, src);
    c.write_op(0, r)?;
    let zero = c.iconst(ty, 0);
    let src_zero = c.b.icmp(Cond::Eq, src, zero);
    let src_zero = c.fit(src_zero, Type::I64);
    let six = c.b.i64(6);
    let f = if m == M::Popcnt {
        c.b.binary(BinOp::Shl, src_zero, six)
    } else {
        let r_zero = c.b.icmp(Cond::Eq, r, zero);
        let r_zero = c.fit(r_zero, Type::I64);
        let z = c.b.binary(BinOp::Shl, r_zero, six);
        c.b.or(z, src_zero)
    };
    c.set_eflags_value(f);
    OK
}

fn bswap(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    if ty.bits() < 32 {
        return Err(Illegal);
    }
    let v = c.read_op(0, ty)?;
    let r = c.b.unary(UnOp::Bswap, v);
    c.write_op(0, r)?;
    OK
}

fn setcc(c: &mut Ctx) -> Res {
    let cc = cond_code(c)?;
    let dst = c.loc(0)?;
    let v = c.cond(cc);
    c.write_loc(dst, v)?;
    OK
}

fn cmovcc(c: &mut Ctx) -> Res {
    let cc = cond_code(c)?;
    let ty = c.op_ty(0);
    let src = c.read_op(1, ty)?;
    let old = c.read_op(0, ty)?;
    let cond = c.cond(cc);
    let v = c.b.select(cond, src, old);
    c.write_op(0, v)?;
    OK
}

#[cfg(test)]
mod tests {
    use super::divide;

    #[test]
    fn divide_errors_and_results() {
        assert_eq!(divide(100, 7, 32, false), Some((14, 2)));
        assert_eq!(divide(100, 0, 32, false), None);
        assert_eq!(divide(1 << 40, 2, 32, false), None);
        // -7 / 2 = -3 rem -1 (8-bit).
        assert_eq!(divide(0xfff9, 2, 8, true), Some((0xfd, 0xff)));
        // -128 / -1 overflows.
        assert_eq!(divide(0xff80, 0xff, 8, true), None);
    }
}
