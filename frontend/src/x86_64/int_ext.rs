//! The less common integer instructions: the BMI1/BMI2 bit-manipulation extensions (ANDN,
//! BEXTR, BLSI/BLSMSK/BLSR, BZHI, MULX, PDEP/PEXT, RORX, SARX/SHLX/SHRX), ADX (ADCX/ADOX),
//! MOVBE, rotates through carry (RCL/RCR), CMPXCHG8B/CMPXCHG16B, LOCK NEG/ADC/SBB (a
//! compare-and-swap loop in a helper) and XLATB.

use emu_ir::helpers::HelperFn;
use emu_ir::{BinOp, Cond, Helper, HelperEffects, Type, Value};
use iced_x86::{Mnemonic as M, Register};

use crate::translator::{Flow, Illegal};
use crate::x86_64::ctx::{Ctx, Loc, Res};
use crate::x86_64::flags::{Kind, CC_B, CC_O, OF, ZF};
use crate::x86_64::{X64Cpu, RAX, RCX, RDX};

const OK: Res = Ok(Flow::Continue);
/// RBX in encoding order.
const RBX: u32 = 3;

/// Translate `c.i` if it belongs to this class.
pub(crate) fn translate(c: &mut Ctx) -> Option<Res> {
    let m = c.i.mnemonic();
    Some(match m {
        M::Andn => andn(c),
        M::Bextr => bextr(c),
        M::Blsi | M::Blsmsk | M::Blsr => lowest_bit(c, m),
        M::Bzhi => bzhi(c),
        M::Mulx => mulx(c),
        M::Pdep | M::Pext => deposit_extract(c, m == M::Pdep),
        M::Rorx => rorx(c),
        M::Sarx | M::Shlx | M::Shrx => shift_x(c, m),
        M::Adcx | M::Adox => add_carry_x(c, m == M::Adox),
        M::Movbe => movbe(c),
        M::Rcl | M::Rcr => rotate_carry(c, m == M::Rcl),
        M::Cmpxchg8b => cmpxchg8b(c),
        M::Cmpxchg16b => cmpxchg16b(c),
        M::Xlatb => xlatb(c),
        M::Neg | M::Adc | M::Sbb if c.i.has_lock_prefix() => locked_rmw(c, m),
        _ => return None,
    })
}

/// An I64 0/1 from an I8 condition.
fn flag64(c: &mut Ctx, v: Value) -> Value {
    c.fit(v, Type::I64)
}

/// Logic-kind flags for `r` (ZF/SF/PF from the result, CF = OF = 0) with CF replaced by
/// `cf` (I64 0/1) when given.
fn logic_flags(c: &mut Ctx, r: Value, cf: Option<Value>) {
    c.set_cc(Kind::Logic, r, None, None);
    if let Some(cf) = cf {
        let zero = c.b.i64(0);
        c.override_cf_of(cf, Some(zero), None);
    }
}

/// ANDN: `~src1 & src2`.
fn andn(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    let (a, b) = (c.read_op(1, ty)?, c.read_op(2, ty)?);
    let ones = c.iconst(ty, u64::MAX);
    let na = c.b.xor(a, ones);
    let r = c.b.and(na, b);
    c.write_op(0, r)?;
    logic_flags(c, r, None);
    OK
}

/// `(1 << n) - 1` in `ty` for a run-time `n` (I64) below the width, all ones from the
/// width up.
fn low_mask(c: &mut Ctx, ty: Type, n: Value) -> Value {
    let bits = c.b.i64(u64::from(ty.bits()));
    let full = c.b.icmp(Cond::GeU, n, bits);
    let one = c.b.i64(1);
    let shifted = c.b.binary(BinOp::Shl, one, n);
    let m = c.b.sub(shifted, one);
    let ones = c.b.i64(u64::MAX);
    let m = c.b.select(full, ones, m);
    c.fit(m, ty)
}

/// BEXTR: `len` (bits 15:8 of src2) bits of src1 from bit `start` (bits 7:0).
fn bextr(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    let a = c.read_op(1, ty)?;
    let ctl = c.read_op(2, ty)?;
    let ctl = c.fit(ctl, Type::I64);
    let byte = c.b.i64(0xff);
    let start = c.b.and(ctl, byte);
    let eight = c.b.i64(8);
    let len = c.b.binary(BinOp::ShrU, ctl, eight);
    let len = c.b.and(len, byte);
    let a64 = c.fit(a, Type::I64);
    let bits = c.b.i64(u64::from(ty.bits()));
    let past = c.b.icmp(Cond::GeU, start, bits);
    let shifted = c.b.binary(BinOp::ShrU, a64, start);
    let zero = c.b.i64(0);
    let shifted = c.b.select(past, zero, shifted);
    let shifted = c.fit(shifted, ty);
    let mask = low_mask(c, ty, len);
    let r = c.b.and(shifted, mask);
    c.write_op(0, r)?;
    logic_flags(c, r, None);
    OK
}

/// BLSI (`-x & x`), BLSMSK (`(x - 1) ^ x`), BLSR (`(x - 1) & x`).
fn lowest_bit(c: &mut Ctx, m: M) -> Res {
    let ty = c.op_ty(0);
    let x = c.read_op(1, ty)?;
    let zero = c.iconst(ty, 0);
    let one = c.iconst(ty, 1);
    let dec = c.b.sub(x, one);
    let r = match m {
        M::Blsi => {
            let neg = c.b.sub(zero, x);
            c.b.and(neg, x)
        }
        M::Blsmsk => c.b.xor(dec, x),
        _ => c.b.and(dec, x),
    };
    c.write_op(0, r)?;
    // BLSI: CF = source non-zero; BLSMSK and BLSR: CF = source zero.
    let cond = if m == M::Blsi { Cond::Ne } else { Cond::Eq };
    let cf = c.b.icmp(cond, x, zero);
    let cf = flag64(c, cf);
    logic_flags(c, r, Some(cf));
    OK
}

/// BZHI: src1 with the bits from index src2[7:0] up cleared; CF = index ≥ width.
fn bzhi(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    let a = c.read_op(1, ty)?;
    let n = c.read_op(2, ty)?;
    let n = c.fit(n, Type::I64);
    let byte = c.b.i64(0xff);
    let n = c.b.and(n, byte);
    let mask = low_mask(c, ty, n);
    let r = c.b.and(a, mask);
    c.write_op(0, r)?;
    let bits = c.b.i64(u64::from(ty.bits()));
    let cf = c.b.icmp(Cond::GeU, n, bits);
    let cf = flag64(c, cf);
    logic_flags(c, r, Some(cf));
    OK
}

/// MULX: unsigned RDX × src into hi (first operand) and lo (second); no flags. When both
/// destinations are one register it gets the high half.
fn mulx(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    let a = c.reg_n(RDX, ty);
    let b = c.read_op(2, ty)?;
    let lo = c.b.binary(BinOp::Mul, a, b);
    let hi = c.b.binary(BinOp::MulHiU, a, b);
    c.write_op(1, lo)?;
    c.write_op(0, hi)?;
    OK
}

/// PDEP/PEXT through a pure helper; no flags.
fn deposit_extract(c: &mut Ctx, deposit: bool) -> Res {
    let ty = c.op_ty(0);
    let (a, mask) = (c.read_op(1, ty)?, c.read_op(2, ty)?);
    let args = [c.fit(a, Type::I64), c.fit(mask, Type::I64)];
    let helper = if deposit { &PDEP } else { &PEXT };
    let r = c.b.call(helper, &args).ok_or(Illegal)?;
    let r = c.fit(r, ty);
    c.write_op(0, r)?;
    OK
}

/// RORX: rotate right by an immediate; no flags.
fn rorx(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    let a = c.read_op(1, ty)?;
    let n = c.i.immediate(2) & u64::from(ty.bits() - 1);
    let n = c.iconst(Type::I8, n);
    let r = c.b.binary(BinOp::RotR, a, n);
    c.write_op(0, r)?;
    OK
}

/// SARX/SHLX/SHRX: shift src1 by src2 (masked to the width); no flags.
fn shift_x(c: &mut Ctx, m: M) -> Res {
    let ty = c.op_ty(0);
    let a = c.read_op(1, ty)?;
    let n = c.read_op(2, ty)?;
    let mask = c.iconst(ty, u64::from(ty.bits() - 1));
    let n = c.b.and(n, mask);
    let op = match m {
        M::Sarx => BinOp::ShrS,
        M::Shlx => BinOp::Shl,
        _ => BinOp::ShrU,
    };
    let r = c.b.binary(op, a, n);
    c.write_op(0, r)?;
    OK
}

/// `a + b + cin` (cin I8 0/1) and its carry out (I64 0/1).
fn add_with_carry(c: &mut Ctx, a: Value, b: Value, cin: Value) -> (Value, Value) {
    let ty = c.b.ty(a);
    let t = c.b.add(a, b);
    let c1 = c.b.icmp(Cond::LtU, t, a);
    let cin = c.fit(cin, ty);
    let r = c.b.add(t, cin);
    let c2 = c.b.icmp(Cond::LtU, r, t);
    let carry = c.b.or(c1, c2);
    (r, flag64(c, carry))
}

/// ADCX (carry in and out through CF) and ADOX (through OF); no other flag changes.
fn add_carry_x(c: &mut Ctx, through_of: bool) -> Res {
    let ty = c.op_ty(0);
    let a = c.read_op(0, ty)?;
    let b = c.read_op(1, ty)?;
    let cin = c.cond(if through_of { CC_O } else { CC_B });
    let (r, carry) = add_with_carry(c, a, b, cin);
    c.write_op(0, r)?;
    if through_of {
        replace_flag(c, OF, carry);
    } else {
        c.override_cf_of(carry, None, None);
    }
    OK
}

/// Set one arithmetic flag (`flag`, a single bit) to `v` (I64 0/1), keeping the others.
fn replace_flag(c: &mut Ctx, flag: u64, v: Value) {
    let f = c.eflags_value();
    let keep = c.b.i64(!flag);
    let f = c.b.and(f, keep);
    let sh = c.b.i64(u64::from(flag.trailing_zeros()));
    let v = c.b.binary(BinOp::Shl, v, sh);
    let f = c.b.or(f, v);
    c.set_eflags_value(f);
}

/// MOVBE: a load or store with the bytes reversed.
fn movbe(c: &mut Ctx) -> Res {
    let ty = c.op_ty(0);
    let v = c.read_op(1, ty)?;
    let r = if ty == Type::I16 {
        let eight = c.iconst(ty, 8);
        c.b.binary(BinOp::RotL, v, eight)
    } else {
        c.b.unary(emu_ir::UnOp::Bswap, v)
    };
    c.write_op(0, r)?;
    OK
}

/// RCL/RCR: rotate through CF by the count (masked to 5 or 6 bits, then taken modulo
/// width + 1). CF is the last bit rotated out; OF = for RCL the result's MSB XOR the new
/// CF, for RCR the XOR of the result's two top bits. A zero count changes nothing but
/// still writes the destination (clearing the top half of a 64-bit register for a 32-bit
/// operand), as the hardware does.
fn rotate_carry(c: &mut Ctx, left: bool) -> Res {
    let ty = c.op_ty(0);
    let w = u64::from(ty.bits());
    let dst = c.loc(0)?;
    let a = c.read_loc(dst, ty)?;
    let a = c.fit(a, Type::I64);
    let mask = if w == 64 { 63 } else { 31 };
    let n = match c.loc(1)? {
        Loc::Imm(v) => c.b.i64((v & mask) % (w + 1)),
        Loc::Reg(r) => {
            let v = c.read_gpr(r)?;
            let v = c.fit(v, Type::I64);
            let m = c.b.i64(mask);
            let v = c.b.and(v, m);
            if w < 32 {
                let modulus = c.b.i64(w + 1);
                c.b.binary(BinOp::RemU, v, modulus)
            } else {
                v
            }
        }
        Loc::Mem(_) => return Err(Illegal),
    };
    let cin = c.cond(CC_B);
    let cin = flag64(c, cin);
    let zero = c.b.i64(0);
    let is_zero = c.b.icmp(Cond::Eq, n, zero);
    // With n = 0 every shift below stays in range and the select restores `a`.
    let one = c.b.i64(1);
    let nm1 = c.b.sub(n, one);
    let nm1 = c.b.select(is_zero, zero, nm1);
    let width = c.b.i64(w);
    let w_n = c.b.sub(width, n);
    let w_n = c.b.select(is_zero, zero, w_n);
    let (main, carry_in, wrapped, cf_pos) = if left {
        // (a << n) | (cf << (n - 1)) | (a >> (w + 1 - n)); CF = bit w - n.
        let main = c.b.binary(BinOp::Shl, a, n);
        let carry_in = c.b.binary(BinOp::Shl, cin, nm1);
        let t = c.b.binary(BinOp::ShrU, a, w_n);
        let wrapped = c.b.binary(BinOp::ShrU, t, one);
        (main, carry_in, wrapped, w_n)
    } else {
        // (a >> n) | (cf << (w - n)) | (a << (w + 1 - n)); CF = bit n - 1.
        let main = c.b.binary(BinOp::ShrU, a, n);
        let carry_in = c.b.binary(BinOp::Shl, cin, w_n);
        let t = c.b.binary(BinOp::Shl, a, w_n);
        let wrapped = c.b.binary(BinOp::Shl, t, one);
        (main, carry_in, wrapped, nm1)
    };
    let r = c.b.or(main, carry_in);
    let r = c.b.or(r, wrapped);
    let r = c.b.select(is_zero, a, r);
    let r = c.fit(r, ty);
    c.write_loc(dst, r)?;
    let cf = c.b.binary(BinOp::ShrU, a, cf_pos);
    let cf = c.b.and(cf, one);
    let r64 = c.fit(r, Type::I64);
    let top = c.b.i64(w - 1);
    let msb = c.b.binary(BinOp::ShrU, r64, top);
    let msb = c.b.and(msb, one);
    let other = if left {
        cf
    } else {
        let pos = c.b.i64(w - 2);
        let b = c.b.binary(BinOp::ShrU, r64, pos);
        c.b.and(b, one)
    };
    let of = c.b.xor(msb, other);
    c.override_cf_of(cf, Some(of), Some(is_zero));
    OK
}

/// Two 32-bit registers joined as hi:lo into an I64.
fn reg_pair32(c: &mut Ctx, hi: u32, lo: u32) -> Value {
    let h = c.reg_n(hi, Type::I32);
    let l = c.reg_n(lo, Type::I32);
    let h = c.fit(h, Type::I64);
    let l = c.fit(l, Type::I64);
    let sh = c.b.i64(32);
    let h = c.b.binary(BinOp::Shl, h, sh);
    c.b.or(h, l)
}

/// CMPXCHG8B: compare EDX:EAX with the 64-bit operand; equal: store ECX:EBX, ZF = 1;
/// otherwise load the operand into EDX:EAX, ZF = 0. Always atomic (a host CAS).
fn cmpxchg8b(c: &mut Ctx) -> Res {
    let Loc::Mem(addr) = c.loc(0)? else {
        return Err(Illegal);
    };
    let expected = reg_pair32(c, RDX, RAX);
    let new = reg_pair32(c, RCX, RBX);
    let old = c.b.atomic_cas(Type::I64, addr, expected, new);
    let eq = c.b.icmp(Cond::Eq, old, expected);
    let sh = c.b.i64(32);
    let old_hi = c.b.binary(BinOp::ShrU, old, sh);
    let old_lo = c.fit(old, Type::I32);
    let old_lo = c.fit(old_lo, Type::I64);
    for (reg, v) in [(RAX, old_lo), (RDX, old_hi)] {
        let cur = c.reg64(reg);
        let v = c.b.select(eq, cur, v);
        c.set_reg64(reg, v);
    }
    let zf = flag64(c, eq);
    replace_flag(c, ZF, zf);
    OK
}

/// CMPXCHG16B: as CMPXCHG8B on RDX:RAX / RCX:RBX and a 16-byte aligned operand (#GP
/// otherwise), through the shared 128-bit host CAS.
fn cmpxchg16b(c: &mut Ctx) -> Res {
    let Loc::Mem(addr) = c.loc(0)? else {
        return Err(Illegal);
    };
    c.require_aligned(addr, 16);
    let eq = c.b.call(&CMPXCHG16B, &[addr]).ok_or(Illegal)?;
    replace_flag(c, ZF, eq);
    OK
}

/// XLATB: AL = [RBX + AL] (the decoder's memory operand, segment override included).
fn xlatb(c: &mut Ctx) -> Res {
    let addr = c.ea();
    let v = c.b.load(Type::I8, addr);
    c.write_gpr(Register::AL, v)?;
    OK
}

/// LOCK NEG/ADC/SBB on memory: the new value depends on the old one in ways no host atomic
/// does, so a helper runs a compare-and-swap loop and returns the old value.
fn locked_rmw(c: &mut Ctx, m: M) -> Res {
    let ty = c.op_ty(0);
    let Loc::Mem(addr) = c.loc(0)? else {
        return Err(Illegal);
    };
    let (b, cin) = if m == M::Neg {
        (c.iconst(ty, 0), c.iconst(Type::I8, 0))
    } else {
        (c.read_op(1, ty)?, c.cond(CC_B))
    };
    let op = match m {
        M::Neg => RMW_NEG,
        M::Adc => RMW_ADC,
        _ => RMW_SBB,
    };
    let code = op | u64::from(ty.bytes()) << 8;
    let args = [
        c.b.i64(code),
        addr,
        c.fit(b, Type::I64),
        c.fit(cin, Type::I64),
    ];
    let old = c.b.call(&LOCKED_RMW, &args).ok_or(Illegal)?;
    let old = c.fit(old, ty);
    match m {
        M::Neg => {
            let zero = c.iconst(ty, 0);
            let r = c.b.sub(zero, old);
            c.set_cc(Kind::Sub, r, Some(old), None);
        }
        M::Adc => {
            let cin_t = c.fit(cin, ty);
            let t = c.b.add(old, b);
            let r = c.b.add(t, cin_t);
            c.set_cc(Kind::Adc, r, Some(b), Some(cin));
        }
        _ => {
            let cin_t = c.fit(cin, ty);
            let t = c.b.sub(old, b);
            let r = c.b.sub(t, cin_t);
            c.set_cc(Kind::Sbb, r, Some(b), Some(cin));
        }
    }
    OK
}

const RMW_NEG: u64 = 0;
const RMW_ADC: u64 = 1;
const RMW_SBB: u64 = 2;

/// The new value of a locked NEG/ADC/SBB from the old one.
fn rmw_value(op: u64, old: u64, b: u64, cin: u64) -> u64 {
    match op {
        RMW_NEG => old.wrapping_neg(),
        RMW_ADC => old.wrapping_add(b).wrapping_add(cin),
        _ => old.wrapping_sub(b).wrapping_sub(cin),
    }
}

extern "C" fn helper_locked_rmw(env: *mut u8, code: u64, addr: u64, b: u64, cin: u64) -> u64 {
    use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicU8, Ordering::SeqCst};
    // SAFETY: called only from translated x86_64 code, whose `env` is the live `X64Cpu`.
    let cpu = unsafe { &*env.cast::<X64Cpu>() };
    let p = cpu.header.host_addr(addr);
    let op = code & 0xff;
    let f = |old: u64| rmw_value(op, old, b, cin);
    macro_rules! cas {
        ($atomic:ty, $t:ty) => {{
            if (p as usize) % std::mem::size_of::<$t>() != 0 {
                // SAFETY: `p` is inside the guest window (a bad address faults there and
                // becomes a guest signal); a misaligned locked access is done unlocked.
                unsafe {
                    let old = p.cast::<$t>().read_unaligned();
                    p.cast::<$t>().write_unaligned(f(old as u64) as $t);
                    return old as u64;
                }
            }
            // SAFETY: `p` is aligned for the type and inside the guest window.
            let a = unsafe { <$atomic>::from_ptr(p.cast::<$t>()) };
            let mut old = a.load(SeqCst);
            loop {
                match a.compare_exchange_weak(old, f(old as u64) as $t, SeqCst, SeqCst) {
                    Ok(v) => return v as u64,
                    Err(v) => old = v,
                }
            }
        }};
    }
    match code >> 8 {
        1 => cas!(AtomicU8, u8),
        2 => cas!(AtomicU16, u16),
        4 => cas!(AtomicU32, u32),
        _ => cas!(AtomicU64, u64),
    }
}

static LOCKED_RMW: Helper = Helper {
    name: "x64_locked_rmw",
    func: HelperFn::A4(helper_locked_rmw),
    nargs: 4,
    ret: Some(Type::I64),
    effects: HelperEffects {
        reads_state: true,
        writes_state: false,
        memory: true,
    },
};

extern "C" fn helper_cmpxchg16b(env: *mut u8, addr: u64) -> u64 {
    // SAFETY: called only from translated x86_64 code, whose `env` is the live `X64Cpu` of
    // this guest thread; nothing else references it while the helper runs.
    let cpu = unsafe { &mut *env.cast::<X64Cpu>() };
    let r = |n: u32| cpu.regs[n as usize];
    let expected = crate::atomic128::join(r(RAX), r(RDX));
    let new = crate::atomic128::join(r(RBX), r(RCX));
    let p = cpu.header.host_addr(addr);
    // SAFETY: `p` is inside the guest window and 16-byte aligned (checked before the call);
    // a bad guest address faults there and becomes a guest signal.
    let old = unsafe { crate::atomic128::cas128(p, expected, new) };
    if old == expected {
        return 1;
    }
    cpu.regs[RAX as usize] = old as u64;
    cpu.regs[RDX as usize] = (old >> 64) as u64;
    0
}

static CMPXCHG16B: Helper = Helper {
    name: "x64_cmpxchg16b",
    func: HelperFn::A1(helper_cmpxchg16b),
    nargs: 1,
    ret: Some(Type::I64),
    effects: HelperEffects::ALL,
};

extern "C" fn helper_pdep(_env: *mut u8, src: u64, mask: u64) -> u64 {
    let (mut r, mut m, mut k) = (0u64, mask, 0);
    while m != 0 {
        let low = m & m.wrapping_neg();
        if src >> k & 1 != 0 {
            r |= low;
        }
        m ^= low;
        k += 1;
    }
    r
}

extern "C" fn helper_pext(_env: *mut u8, src: u64, mask: u64) -> u64 {
    let (mut r, mut m, mut k) = (0u64, mask, 0);
    while m != 0 {
        let low = m & m.wrapping_neg();
        if src & low != 0 {
            r |= 1 << k;
        }
        m ^= low;
        k += 1;
    }
    r
}

static PDEP: Helper = Helper {
    name: "x64_pdep",
    func: HelperFn::A2(helper_pdep),
    nargs: 2,
    ret: Some(Type::I64),
    effects: HelperEffects::PURE,
};

static PEXT: Helper = Helper {
    name: "x64_pext",
    func: HelperFn::A2(helper_pext),
    nargs: 2,
    ret: Some(Type::I64),
    effects: HelperEffects::PURE,
};

pub(crate) static HELPERS: &[&Helper] = &[&LOCKED_RMW, &CMPXCHG16B, &PDEP, &PEXT];
