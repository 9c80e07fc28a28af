//! The IR interpreter (tier 0): executes a [`Block`] directly on a CPU state struct.
//!
//! Every value is held as a `u128` whose bits above the value's type width are zero (floats as
//! their raw bits). The semantics here are the reference the Cranelift backend is tested against:
//! total division with RISC-V results, shift and rotate amounts modulo the width, little-endian
//! unaligned loads and stores through [`CpuHeader::host_addr`], atomics as host atomics.

use std::cell::RefCell;
use std::sync::atomic::{fence, AtomicU16, AtomicU32, AtomicU64, AtomicU8, Ordering};

use crate::{
    AtomicOp, BinOp, Block, CastOp, Cond, CpuHeader, ExitReason, Inst, Terminal, Type, UnOp, Value,
};

/// How an interpreted block ended; the header's `pc` holds the next guest pc in every case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockExit {
    /// A direct jump (`Goto` or either side of `Branch`) to this pc.
    Goto(u64),
    /// An indirect jump to this pc.
    Indirect(u64),
    /// Left the execution loop.
    Exit(ExitReason),
}

thread_local! {
    /// Value scratch reused between blocks (taken out while a block runs, so a helper that
    /// re-enters the interpreter simply gets a fresh vector).
    static SCRATCH: RefCell<Vec<u128>> = const { RefCell::new(Vec::new()) };
}

/// Interpret `block` on the CPU state at `env`.
///
/// # Safety
/// `env` must point to a live CPU state struct starting with a [`crate::CpuHeader`], large
/// enough for every register offset the block uses, and the header's memory window must be valid.
pub unsafe fn interpret(block: &Block, env: *mut u8) -> BlockExit {
    let mut vals = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
    vals.clear();
    vals.resize(block.value_types.len(), 0);
    // SAFETY: forwarded from this function's contract.
    let exit = unsafe { run(block, env, &mut vals) };
    SCRATCH.with(|s| *s.borrow_mut() = vals);
    // SAFETY: `env` starts with a CpuHeader (contract); `pc` is a plain u64 field.
    unsafe { (*(env as *mut CpuHeader)).pc = exit.1 };
    exit.0
}

/// Execute the instructions and terminal; returns the exit and the next guest pc.
///
/// # Safety
/// As for [`interpret`]; `vals` has one slot per block value.
unsafe fn run(block: &Block, env: *mut u8, vals: &mut [u128]) -> (BlockExit, u64) {
    // The header is read afresh for each access (no long-lived reference): register writes
    // and helpers may change it.
    let host = |addr: u128| {
        let h = env as *const CpuHeader;
        // SAFETY: `env` starts with a CpuHeader (contract of `interpret`); plain field reads.
        let (base, mask) = unsafe { ((*h).mem_base, (*h).mem_mask) };
        base.wrapping_add(addr as u64 & mask) as *mut u8
    };
    for data in &block.insts {
        let get = |v: Value| vals[v.index()];
        let result = match &data.inst {
            Inst::Const { ty, imm } => imm & ty.mask(),
            // SAFETY: the register offset lies inside the CPU state (contract).
            Inst::ReadReg { ty, offset } => unsafe { read_le(env.add(*offset as usize), *ty) },
            Inst::WriteReg { offset, value } => {
                // SAFETY: as for ReadReg.
                unsafe { write_le(env.add(*offset as usize), block.ty(*value), get(*value)) };
                continue;
            }
            Inst::Unary { op, arg } => unary(*op, block.ty(*arg), get(*arg)),
            Inst::Binary { op, lhs, rhs } => binary(*op, block.ty(*lhs), get(*lhs), get(*rhs)),
            Inst::Cast { op, ty, arg } => cast(*op, block.ty(*arg), *ty, get(*arg)),
            Inst::Icmp { cond, lhs, rhs } => {
                u128::from(compare(*cond, block.ty(*lhs), get(*lhs), get(*rhs)))
            }
            Inst::Select {
                cond,
                if_true,
                if_false,
            } => {
                if get(*cond) != 0 {
                    get(*if_true)
                } else {
                    get(*if_false)
                }
            }
            Inst::Load { ty, addr } => {
                // SAFETY: the window is valid (contract); faults stay inside it.
                unsafe { read_le(host(get(*addr)), *ty) }
            }
            Inst::Store { addr, value } => {
                let p = host(get(*addr));
                // SAFETY: as for Load.
                unsafe { write_le(p, block.ty(*value), get(*value)) };
                continue;
            }
            Inst::AtomicRmw {
                op,
                ty,
                addr,
                value,
            } => {
                let p = host(get(*addr));
                // SAFETY: as for Load.
                unsafe { atomic_rmw(p, *op, *ty, get(*value)) }
            }
            Inst::AtomicCas {
                ty,
                addr,
                expected,
                replacement,
            } => {
                let p = host(get(*addr));
                // SAFETY: as for Load.
                unsafe { atomic_cas(p, *ty, get(*expected), get(*replacement)) }
            }
            Inst::Fence => {
                fence(Ordering::SeqCst);
                continue;
            }
            Inst::Call { helper, args } => {
                let mut a = [0u64; crate::helpers::MAX_HELPER_ARGS];
                for (slot, v) in a.iter_mut().zip(args) {
                    *slot = get(*v) as u64;
                }
                let n = args.len().min(a.len());
                let r = helper.func.call(env, &a[..n]);
                match helper.ret {
                    Some(ty) => u128::from(r) & ty.mask(),
                    None => continue,
                }
            }
            Inst::ExitIf { cond, reason, pc } => {
                if get(*cond) != 0 {
                    return (BlockExit::Exit(*reason), *pc);
                }
                continue;
            }
        };
        if let Some(v) = data.result {
            vals[v.index()] = result;
        }
    }
    match &block.terminal {
        Terminal::Goto(pc) => (BlockExit::Goto(*pc), *pc),
        Terminal::Branch {
            cond,
            taken,
            not_taken,
        } => {
            let pc = if vals[cond.index()] != 0 {
                *taken
            } else {
                *not_taken
            };
            (BlockExit::Goto(pc), pc)
        }
        Terminal::Indirect(v) => {
            let pc = vals[v.index()] as u64;
            (BlockExit::Indirect(pc), pc)
        }
        Terminal::Exit { reason, pc } => (BlockExit::Exit(*reason), *pc),
    }
}

/// Read `ty.bytes()` little-endian bytes at `p` (unaligned).
///
/// # Safety
/// `p` must be valid for reads of that many bytes.
unsafe fn read_le(p: *const u8, ty: Type) -> u128 {
    // SAFETY: `p` is readable for `ty.bytes()` bytes (contract); each arm reads exactly that
    // many, unaligned.
    unsafe {
        match ty.bytes() {
            1 => u128::from(p.read()),
            2 => u128::from(u16::from_le((p as *const u16).read_unaligned())),
            4 => u128::from(u32::from_le((p as *const u32).read_unaligned())),
            8 => u128::from(u64::from_le((p as *const u64).read_unaligned())),
            _ => u128::from_le((p as *const u128).read_unaligned()),
        }
    }
}

/// Write the low `ty.bytes()` bytes of `v` little-endian at `p` (unaligned).
///
/// # Safety
/// `p` must be valid for writes of that many bytes.
unsafe fn write_le(p: *mut u8, ty: Type, v: u128) {
    // SAFETY: `p` is writable for `ty.bytes()` bytes (contract); each arm writes exactly that
    // many, unaligned.
    unsafe {
        match ty.bytes() {
            1 => p.write(v as u8),
            2 => (p as *mut u16).write_unaligned((v as u16).to_le()),
            4 => (p as *mut u32).write_unaligned((v as u32).to_le()),
            8 => (p as *mut u64).write_unaligned((v as u64).to_le()),
            _ => (p as *mut u128).write_unaligned(v.to_le()),
        }
    }
}

/// `v` (of type `ty`) sign-extended to 128 bits.
pub fn sign_extend(v: u128, ty: Type) -> i128 {
    let shift = 128 - ty.bits();
    ((v << shift) as i128) >> shift
}

fn f32_of(v: u128) -> f32 {
    f32::from_bits(v as u32)
}

fn f64_of(v: u128) -> f64 {
    f64::from_bits(v as u64)
}

/// Apply a float operation on the F32 or F64 value `a` (and `b`), returning raw bits.
fn float2(
    ty: Type,
    a: u128,
    b: u128,
    f32op: fn(f32, f32) -> f32,
    f64op: fn(f64, f64) -> f64,
) -> u128 {
    match ty {
        Type::F32 => u128::from(f32op(f32_of(a), f32_of(b)).to_bits()),
        _ => u128::from(f64op(f64_of(a), f64_of(b)).to_bits()),
    }
}

fn unary(op: UnOp, ty: Type, a: u128) -> u128 {
    let bits = ty.bits();
    let unused = 128 - bits; // high bits of the u128 that are always zero
    let r = match op {
        UnOp::Not => !a,
        UnOp::Neg => a.wrapping_neg(),
        UnOp::Clz => u128::from(a.leading_zeros() - unused),
        UnOp::Ctz => u128::from(a.trailing_zeros().min(bits)),
        UnOp::Popcnt => u128::from(a.count_ones()),
        UnOp::Bswap => a.swap_bytes() >> unused,
        UnOp::FNeg => float2(ty, a, 0, |x, _| -x, |x, _| -x),
        UnOp::FAbs => float2(ty, a, 0, |x, _| x.abs(), |x, _| x.abs()),
        UnOp::FSqrt => float2(ty, a, 0, |x, _| x.sqrt(), |x, _| x.sqrt()),
    };
    r & ty.mask()
}

/// The high half of the 2n-bit product of n-bit `a` and `b`, each either signed or unsigned.
fn mul_high(ty: Type, a: u128, b: u128, a_signed: bool, b_signed: bool) -> u128 {
    let bits = ty.bits();
    let ext = |v: u128, signed: bool| -> (u128, u128) {
        // Extend to a 256-bit (hi, lo) pair.
        if signed {
            let s = sign_extend(v, ty);
            (if s < 0 { u128::MAX } else { 0 }, s as u128)
        } else {
            (0, v)
        }
    };
    let (ah, al) = ext(a, a_signed);
    let (bh, bl) = ext(b, b_signed);
    let (lo, hi) = mul_wide(al, bl);
    // Cross terms only affect the high 128 bits of the 256-bit product.
    let hi = hi
        .wrapping_add(ah.wrapping_mul(bl))
        .wrapping_add(al.wrapping_mul(bh));
    if bits == 128 {
        hi
    } else {
        // The product fits in 256 bits; for n < 128 the high half starts at bit n of `lo`/`hi`.
        ((lo >> bits) | (hi << (128 - bits))) & ty.mask()
    }
}

/// Full 128 × 128 → 256-bit unsigned product as (low, high).
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    let m = u128::from(u64::MAX);
    let (a0, a1, b0, b1) = (a & m, a >> 64, b & m, b >> 64);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 64) + (p01 & m) + (p10 & m);
    let lo = (p00 & m) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (lo, hi)
}

/// Total division and remainder with RISC-V results.
fn divide(op: BinOp, ty: Type, a: u128, b: u128) -> u128 {
    let mask = ty.mask();
    match op {
        BinOp::DivU => a.checked_div(b).unwrap_or(mask),
        BinOp::RemU => a.checked_rem(b).unwrap_or(a),
        BinOp::DivS | BinOp::RemS => {
            let (sa, sb) = (sign_extend(a, ty), sign_extend(b, ty));
            let min = sign_extend(1u128 << (ty.bits() - 1), ty);
            let div = op == BinOp::DivS;
            let r = if sb == 0 {
                if div {
                    -1
                } else {
                    sa
                }
            } else if sa == min && sb == -1 {
                if div {
                    min
                } else {
                    0
                }
            } else if div {
                sa / sb
            } else {
                sa % sb
            };
            r as u128 & mask
        }
        _ => unreachable!("not a division"),
    }
}

/// The result of `op` on `a` and `b` of type `ty` (raw bits), exactly as the interpreter computes
/// it. Backends call this for operations they do not lower inline (e.g. 128-bit division).
pub fn eval_binary(op: BinOp, ty: Type, a: u128, b: u128) -> u128 {
    binary(op, ty, a & ty.mask(), b & ty.mask())
}

fn binary(op: BinOp, ty: Type, a: u128, b: u128) -> u128 {
    let bits = ty.bits();
    let mask = ty.mask();
    let amount = (b % u128::from(bits)) as u32;
    let r = match op {
        BinOp::Add => a.wrapping_add(b),
        BinOp::Sub => a.wrapping_sub(b),
        BinOp::Mul => a.wrapping_mul(b),
        BinOp::MulHiU => mul_high(ty, a, b, false, false),
        BinOp::MulHiS => mul_high(ty, a, b, true, true),
        BinOp::MulHiSU => mul_high(ty, a, b, true, false),
        BinOp::DivU | BinOp::DivS | BinOp::RemU | BinOp::RemS => divide(op, ty, a, b),
        BinOp::And => a & b,
        BinOp::Or => a | b,
        BinOp::Xor => a ^ b,
        BinOp::Shl => a << amount,
        BinOp::ShrU => a >> amount,
        BinOp::ShrS => (sign_extend(a, ty) >> amount) as u128,
        BinOp::RotL => rotate_left(a, amount, bits),
        BinOp::RotR => rotate_left(a, (bits - amount) % bits, bits),
        BinOp::FAdd => float2(ty, a, b, |x, y| x + y, |x, y| x + y),
        BinOp::FSub => float2(ty, a, b, |x, y| x - y, |x, y| x - y),
        BinOp::FMul => float2(ty, a, b, |x, y| x * y, |x, y| x * y),
        BinOp::FDiv => float2(ty, a, b, |x, y| x / y, |x, y| x / y),
    };
    r & mask
}

/// Rotate the `bits`-wide value `a` left by `n < bits`.
fn rotate_left(a: u128, n: u32, bits: u32) -> u128 {
    if n == 0 {
        a
    } else {
        (a << n) | (a >> (bits - n))
    }
}

fn cast(op: CastOp, from: Type, to: Type, a: u128) -> u128 {
    match op {
        CastOp::ZExt | CastOp::Bitcast => a & to.mask(),
        CastOp::SExt => sign_extend(a, from) as u128 & to.mask(),
        CastOp::Trunc => a & to.mask(),
    }
}

fn compare(cond: Cond, ty: Type, a: u128, b: u128) -> bool {
    let (sa, sb) = (sign_extend(a, ty), sign_extend(b, ty));
    match cond {
        Cond::Eq => a == b,
        Cond::Ne => a != b,
        Cond::LtS => sa < sb,
        Cond::LeS => sa <= sb,
        Cond::GtS => sa > sb,
        Cond::GeS => sa >= sb,
        Cond::LtU => a < b,
        Cond::LeU => a <= b,
        Cond::GtU => a > b,
        Cond::GeU => a >= b,
    }
}

/// The new memory value of a read-modify-write `op` on old value `old` with operand `v`.
fn rmw_result(op: AtomicOp, ty: Type, old: u128, v: u128) -> u128 {
    let (so, sv) = (sign_extend(old, ty), sign_extend(v, ty));
    let r = match op {
        AtomicOp::Add => old.wrapping_add(v),
        AtomicOp::And => old & v,
        AtomicOp::Or => old | v,
        AtomicOp::Xor => old ^ v,
        AtomicOp::Xchg => v,
        AtomicOp::SMin => {
            if so <= sv {
                old
            } else {
                v
            }
        }
        AtomicOp::SMax => {
            if so >= sv {
                old
            } else {
                v
            }
        }
        AtomicOp::UMin => old.min(v),
        AtomicOp::UMax => old.max(v),
    };
    r & ty.mask()
}

/// Run `f` on the host atomic of width `ty` at `p`, or return `None` when `p` is misaligned or
/// the width has no host atomic (I128, floats go through their integer width).
macro_rules! with_atomic {
    ($p:expr, $ty:expr, |$a:ident, $t:ident| $body:expr) => {{
        let p = $p;
        let bytes = $ty.bytes() as usize;
        if !(p as usize).is_multiple_of(bytes) {
            None
        } else {
            match bytes {
                1 => {
                    // SAFETY: `p` is valid (caller) and aligned (checked).
                    let $a = unsafe { AtomicU8::from_ptr(p) };
                    type $t = u8;
                    Some($body)
                }
                2 => {
                    // SAFETY: as above.
                    let $a = unsafe { AtomicU16::from_ptr(p as *mut u16) };
                    type $t = u16;
                    Some($body)
                }
                4 => {
                    // SAFETY: as above.
                    let $a = unsafe { AtomicU32::from_ptr(p as *mut u32) };
                    type $t = u32;
                    Some($body)
                }
                8 => {
                    // SAFETY: as above.
                    let $a = unsafe { AtomicU64::from_ptr(p as *mut u64) };
                    type $t = u64;
                    Some($body)
                }
                _ => None,
            }
        }
    }};
}

/// Atomic read-modify-write at host pointer `p`; returns the old value. Misaligned or 128-bit
/// accesses fall back to a plain (non-atomic) read-modify-write.
///
/// # Safety
/// `p` must be valid for reads and writes of `ty.bytes()` bytes.
pub unsafe fn atomic_rmw(p: *mut u8, op: AtomicOp, ty: Type, v: u128) -> u128 {
    let done = with_atomic!(p, ty, |a, T| {
        let prev = a
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |old| {
                Some(rmw_result(op, ty, u128::from(old), v) as T)
            })
            .unwrap_or_else(|old| old);
        u128::from(prev)
    });
    done.unwrap_or_else(|| {
        // SAFETY: `p` is valid for `ty.bytes()` bytes (contract).
        let old = unsafe { read_le(p, ty) };
        // SAFETY: as above.
        unsafe { write_le(p, ty, rmw_result(op, ty, old, v)) };
        old
    })
}

/// Atomic compare-and-swap at host pointer `p`; returns the old value. Misaligned or 128-bit
/// accesses fall back to a plain (non-atomic) compare and write.
///
/// # Safety
/// `p` must be valid for reads and writes of `ty.bytes()` bytes.
pub unsafe fn atomic_cas(p: *mut u8, ty: Type, expected: u128, replacement: u128) -> u128 {
    let done = with_atomic!(p, ty, |a, T| {
        let r = a.compare_exchange(
            expected as T,
            replacement as T,
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
        u128::from(r.unwrap_or_else(|old| old))
    });
    done.unwrap_or_else(|| {
        // SAFETY: `p` is valid for `ty.bytes()` bytes (contract).
        let old = unsafe { read_le(p, ty) };
        if old == expected & ty.mask() {
            // SAFETY: as above.
            unsafe { write_le(p, ty, replacement) };
        }
        old
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_edge_cases_follow_riscv() {
        let t = Type::I64;
        let min = 1u128 << 63;
        let m1 = t.mask();
        assert_eq!(divide(BinOp::DivS, t, min, m1), min);
        assert_eq!(divide(BinOp::RemS, t, min, m1), 0);
        assert_eq!(divide(BinOp::DivU, t, 7, 0), m1);
        assert_eq!(divide(BinOp::DivS, t, 7, 0), m1);
        assert_eq!(divide(BinOp::RemU, t, 7, 0), 7);
        assert_eq!(divide(BinOp::RemS, t, 7, 0), 7);
        assert_eq!(
            divide(BinOp::DivS, t, (-7i64) as u64 as u128, 2),
            (-3i64) as u64 as u128
        );
        assert_eq!(
            divide(BinOp::RemS, t, (-7i64) as u64 as u128, 2),
            (-1i64) as u64 as u128
        );
    }

    #[test]
    fn mul_high_matches_wide_products() {
        let cases = [
            (u64::MAX, u64::MAX),
            (0x8000_0000_0000_0000, 3),
            (12345, 67890),
            (u64::MAX, 2),
        ];
        for (a, b) in cases {
            let (a128, b128) = (u128::from(a), u128::from(b));
            assert_eq!(
                mul_high(Type::I64, a128, b128, false, false),
                (a128 * b128) >> 64
            );
            let s = (i128::from(a as i64) * i128::from(b as i64)) >> 64;
            assert_eq!(
                mul_high(Type::I64, a128, b128, true, true),
                s as u64 as u128
            );
            let su = (i128::from(a as i64) * i128::from(b)) >> 64;
            assert_eq!(
                mul_high(Type::I64, a128, b128, true, false),
                su as u64 as u128
            );
        }
        // 128-bit: (2^127) * 4 = 2^129 -> high half 2.
        assert_eq!(mul_high(Type::I128, 1 << 127, 4, false, false), 2);
        assert_eq!(mul_high(Type::I128, u128::MAX, u128::MAX, true, true), 0);
    }

    #[test]
    fn bit_ops_follow_width() {
        assert_eq!(unary(UnOp::Clz, Type::I32, 0), 32);
        assert_eq!(unary(UnOp::Ctz, Type::I16, 0), 16);
        assert_eq!(unary(UnOp::Clz, Type::I8, 1), 7);
        assert_eq!(unary(UnOp::Bswap, Type::I32, 0x1122_3344), 0x4433_2211);
        assert_eq!(binary(BinOp::RotL, Type::I8, 0x81, 9), 0x03);
        assert_eq!(binary(BinOp::RotR, Type::I32, 1, 33), 0x8000_0000);
        assert_eq!(binary(BinOp::Shl, Type::I32, 1, 33), 2);
        assert_eq!(binary(BinOp::ShrS, Type::I8, 0x80, 7), 0xff);
    }
}
