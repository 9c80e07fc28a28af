//! Advanced SIMD integer, permute and structure load/store instructions (the FP vector
//! instructions live in `simd_fp.rs`, which the decoder tries first).
//!
//! - Structure loads and stores are inline IR (`simd_ldst.rs`).
//! - Cheap whole-register operations are inline IR on the two 64-bit halves: the bitwise
//!   three-same group, the modified-immediate group (MOVI/MVNI/ORR/BIC/FMOV), and the copy
//!   group (DUP, INS, UMOV, SMOV).
//! - The commonest lane operations also have inline SWAR forms on the halves (ADD, SUB,
//!   CMEQ, SHL, USHR, XTN, SHRN, USHLL/SSHLL): decoded and validated like the rest, then
//!   emitted as a few 64-bit integer operations per half instead of a helper call.
//! - Everything else goes through one helper, `a64_simd(job, group, word)`: the translator
//!   decodes the word into a lane-engine plan or a permute routine (`simd_vec.rs`, over the
//!   lane operations of `simd_lanes.rs`) and interns it; the helper runs it by index.

use emu_ir::helpers::HelperFn;
use emu_ir::{BinOp, Helper, HelperEffects, Type, Value};

use super::insn::{insn, Ctx, Entry, Exec, Flow, Illegal, Insn};
use super::A64Cpu;

#[path = "simd_lanes.rs"]
mod lanes;
#[path = "simd_ldst.rs"]
mod ldst;
#[path = "simd_vec.rs"]
mod vec;

use ldst::{elem_ty, lane_offset, replicate};
use vec::*;

/// This class's decode rows (the groups' exact field checks are in `simd_vec.rs`).
#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("ldst_multi",       "0x0011000x000000xxxxxxxxxxxxxxxx", ldst::ldst_multi),
    insn!("ldst_multi_post",  "0x0011001x0xxxxxxxxxxxxxxxxxxxxx", ldst::ldst_multi),
    insn!("ldst_single",      "0x0011010xx00000xxxxxxxxxxxxxxxx", ldst::ldst_single),
    insn!("ldst_single_post", "0x0011011xxxxxxxxxxxxxxxxxxxxxxx", ldst::ldst_single),
    insn!("simd_modimm",      "0xx0111100000xxxxxxxx1xxxxxxxxxx", mod_imm),
    insn!("simd_shift",       "0xx011110xxxxxxxxxxxx1xxxxxxxxxx", via::<G_SHIFT>),
    insn!("simd_shift_s",     "01x111110xxxxxxxxxxxx1xxxxxxxxxx", via::<G_SHIFT_S>),
    insn!("simd_logic",       "0xx01110xx1xxxxx000111xxxxxxxxxx", logic),
    insn!("simd_3same",       "0xx01110xx1xxxxx0xxxx1xxxxxxxxxx", via::<G_3SAME>),
    insn!("simd_3same",       "0xx01110xx1xxxxx10xxx1xxxxxxxxxx", via::<G_3SAME>),
    insn!("simd_3same_s",     "01x11110xx1xxxxx0xxxx1xxxxxxxxxx", via::<G_3SAME_S>),
    insn!("simd_3same_s",     "01x11110xx1xxxxx10xxx1xxxxxxxxxx", via::<G_3SAME_S>),
    insn!("simd_3extra",      "0xx01110xx0xxxxx1xxxx1xxxxxxxxxx", via::<G_3EXTRA>),
    insn!("simd_3extra_s",    "01x11110xx0xxxxx1xxxx1xxxxxxxxxx", via::<G_3EXTRA_S>),
    insn!("simd_3diff",       "0xx01110xx1xxxxxxxxx00xxxxxxxxxx", via::<G_3DIFF>),
    insn!("simd_3diff_s",     "01x11110xx1xxxxxxxxx00xxxxxxxxxx", via::<G_3DIFF_S>),
    insn!("simd_2misc",       "0xx01110xx10000xxxxx10xxxxxxxxxx", via::<G_2MISC>),
    insn!("simd_2misc_s",     "01x11110xx10000xxxxx10xxxxxxxxxx", via::<G_2MISC_S>),
    insn!("simd_across",      "0xx01110xx11000xxxxx10xxxxxxxxxx", via::<G_ACROSS>),
    insn!("simd_pair_s",      "01x11110xx11000xxxxx10xxxxxxxxxx", via::<G_PAIR_S>),
    insn!("simd_elem",        "0xx01111xxxxxxxxxxxxx0xxxxxxxxxx", via::<G_ELEM>),
    insn!("simd_elem_s",      "01x11111xxxxxxxxxxxxx0xxxxxxxxxx", via::<G_ELEM_S>),
    insn!("simd_copy",        "0xx01110000xxxxx0xxxx1xxxxxxxxxx", copy),
    insn!("simd_dup_s",       "01011110000xxxxx000001xxxxxxxxxx", dup_scalar),
    insn!("simd_tbl",         "0x001110000xxxxx0xxx00xxxxxxxxxx", via::<G_TBL>),
    insn!("simd_perm",        "0x001110xx0xxxxx0xxx10xxxxxxxxxx", via::<G_PERM>),
    insn!("simd_ext",         "0x101110000xxxxx0xxxx0xxxxxxxxxx", via::<G_EXT>),
];

/// This class's helpers.
pub const HELPERS: &[&Helper] = &[&SIMD];

/// `a64_simd(job, group, word)`: run a lane-engine or permute instruction on the CPU state
/// (`job` is its interning index, see `simd_vec.rs`).
pub static SIMD: Helper = Helper {
    name: "a64_simd",
    func: HelperFn::A3(simd_helper),
    nargs: 3,
    ret: None,
    effects: HelperEffects {
        reads_state: true,
        writes_state: true,
        memory: false,
    },
};

extern "C" fn simd_helper(env: *mut u8, job: u64, group: u64, word: u64) -> u64 {
    // SAFETY: helpers are called with `env` pointing at the running thread's `A64Cpu`
    // (the state struct this frontend's blocks are generated for), exclusively borrowed
    // for the duration of the call.
    let cpu = unsafe { &mut *env.cast::<A64Cpu>() };
    vec::exec(cpu, job, group, Insn(word as u32));
    0
}

/// Validate `i` as an instruction of group `G` and emit it: inline when it has a SWAR form,
/// else as a call of the `a64_simd` helper.
fn via<const G: u64>(c: &mut Ctx, i: Insn) -> Exec {
    let job = vec::intern(G, i).ok_or(Illegal)?;
    if let Some((op, e)) = swar_kind(G, i) {
        swar(c, i, op, e, matches!(G, G_3SAME_S | G_2MISC_S | G_SHIFT_S));
        return Ok(Flow::Continue);
    }
    let args = [job, G, u64::from(i.0)].map(|a| c.b.i64(a));
    c.b.call(&SIMD, &args);
    Ok(Flow::Continue)
}

/// Lane operations with an inline SWAR form on 64-bit halves.
#[derive(Clone, Copy)]
enum Swar {
    Add,
    Sub,
    CmeqReg,
    CmeqZero,
    Shl(u32),
    Ushr(u32),
    /// XTN/SHRN: each `2e`-bit lane shifted right and truncated to `e` bits.
    Narrow(u32),
    /// USHLL/SSHLL (UXTL/SXTL): each `e`-bit lane extended to `2e` bits and shifted left.
    Long(u32),
    /// UZP1/UZP2 (odd).
    Uzp(bool),
    /// SADDL/SSUBL (`wide`: SADDW/SSUBW) and the unsigned forms: (sub, wide).
    AddLong(bool, bool),
    /// CMGT/CMHI, CMGE/CMHS, SMAX/UMAX, SMIN/UMIN (`signed` unless U).
    Order(Order, bool),
}

/// The lane-ordering operations with a SWAR form.
#[derive(Clone, Copy)]
enum Order {
    Gt,
    Ge,
    Max,
    Min,
}

/// The SWAR form of an (already validated) instruction and its element bits, if it has one.
fn swar_kind(group: u64, i: Insn) -> Option<(Swar, u32)> {
    let (u, size) = (i.bit(29), i.bits(23, 22));
    let e = 8 << size;
    match group {
        G_3SAME | G_3SAME_S => match i.bits(15, 11) {
            16 => Some((if u { Swar::Sub } else { Swar::Add }, e)),
            17 if u => Some((Swar::CmeqReg, e)),
            6 => Some((Swar::Order(Order::Gt, !u), e)),
            7 => Some((Swar::Order(Order::Ge, !u), e)),
            12 => Some((Swar::Order(Order::Max, !u), e)),
            13 => Some((Swar::Order(Order::Min, !u), e)),
            _ => None,
        },
        G_PERM if i.bits(13, 12) == 1 && size != 3 => Some((Swar::Uzp(i.bit(14)), e)),
        G_3DIFF if i.bits(15, 14) == 0 => Some((Swar::AddLong(i.bit(13), i.bit(12)), e)),
        G_2MISC | G_2MISC_S if i.bits(16, 12) == 9 && !u => Some((Swar::CmeqZero, e)),
        G_2MISC if i.bits(16, 12) == 18 && !u => Some((Swar::Narrow(0), e)),
        G_SHIFT | G_SHIFT_S => {
            let immh = i.bits(22, 19);
            let e = 8 << (31 - immh.leading_zeros());
            let imm = i.bits(22, 16);
            match (i.bits(15, 11), u) {
                (10, false) => Some((Swar::Shl(imm - e), e)),
                (0, true) => Some((Swar::Ushr(2 * e - imm), e)),
                (16, false) if group == G_SHIFT => Some((Swar::Narrow(2 * e - imm), e)),
                (20, _) if group == G_SHIFT => Some((Swar::Long(imm - e), e)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `v` replicated into every `e`-bit lane of 64 bits.
fn lanes_of(e: u32, v: u64) -> u64 {
    (0..64 / e).fold(0, |acc, k| acc | v << (k * e))
}

/// Emit a SWAR operation on each 64-bit half (one half for scalars and Q=0, the upper half
/// then zeroed).
fn swar(c: &mut Ctx, i: Insn, op: Swar, e: u32, scalar: bool) {
    match op {
        Swar::Narrow(s) => return swar_narrow(c, i, e, s),
        Swar::Long(s) => return swar_long(c, i, e, s),
        Swar::AddLong(sub, wide) => return swar_addl(c, i, e, sub, wide),
        Swar::Uzp(odd) => return swar_uzp(c, i, e, odd),
        _ => {}
    }
    let count = if i.bit(30) && !scalar { 2 } else { 1 };
    let lane_ones = if e == 64 { u64::MAX } else { (1 << e) - 1 };
    let high = lanes_of(e, 1 << (e - 1));
    let mut out = Vec::new();
    for h in 0..count {
        let read = |c: &mut Ctx, r: u32| {
            if h == 0 {
                c.vreg(Type::I64, r)
            } else {
                c.vreg_hi(r)
            }
        };
        let a = read(c, i.rn());
        let v = match op {
            Swar::Add | Swar::Sub | Swar::CmeqReg | Swar::Order(..) => {
                let b = read(c, i.rm());
                match op {
                    Swar::Add => swar_add(c, a, b, high),
                    Swar::Sub => swar_sub(c, a, b, high),
                    Swar::Order(order, signed) => {
                        let lanes = Lanes {
                            e,
                            high,
                            ones: lane_ones,
                        };
                        swar_order(c, order, signed, a, b, lanes)
                    }
                    _ => {
                        let x = c.b.xor(a, b);
                        swar_is_zero(c, x, e, high, lane_ones)
                    }
                }
            }
            Swar::CmeqZero => swar_is_zero(c, a, e, high, lane_ones),
            Swar::Shl(s) => {
                let k = c.b.i64(u64::from(s));
                let x = c.b.binary(BinOp::Shl, a, k);
                let m = c.b.i64(lanes_of(e, (lane_ones << s) & lane_ones));
                c.b.and(x, m)
            }
            Swar::Ushr(s) if s >= e => c.b.i64(0),
            Swar::Narrow(_) | Swar::Long(_) | Swar::AddLong(..) | Swar::Uzp(_) => a,
            Swar::Ushr(s) => {
                let k = c.b.i64(u64::from(s));
                let x = c.b.binary(BinOp::ShrU, a, k);
                let m = c.b.i64(lanes_of(e, lane_ones >> s));
                c.b.and(x, m)
            }
        };
        out.push(v);
    }
    c.set_vreg128(i.rd(), out[0], out.get(1).copied());
}

/// XTN/SHRN (and the "2" forms, which fill bits 127:64 and keep 63:0): the `2e`-bit lanes of
/// Vn shifted right by `s` and packed as `e`-bit lanes.
fn swar_narrow(c: &mut Ctx, i: Insn, e: u32, s: u32) {
    let [lo, hi] = halves(c, i.rn());
    let out = swar_pack2(c, lo, hi, e, s);
    if i.bit(30) {
        c.b.write_reg(A64Cpu::v_hi_offset(i.rd()), out);
    } else {
        c.set_vreg128(i.rd(), out, None);
    }
}

/// The `2e`-bit lanes of `x` shifted right by `s` and truncated to `e` bits, packed into the
/// low 32 bits.
fn swar_pack(c: &mut Ctx, x: Value, e: u32, s: u32) -> Value {
    let k = c.b.i64(u64::from(s));
    let x = c.b.binary(BinOp::ShrU, x, k);
    let m = c.b.i64(lanes_of(2 * e, (1 << e) - 1));
    let mut x = c.b.and(x, m);
    // Close the gaps: lanes of w bits at 2w-bit strides become lanes of 2w bits.
    let mut w = e;
    while w < 32 {
        let k = c.b.i64(u64::from(w));
        let y = c.b.binary(BinOp::ShrU, x, k);
        let y = c.b.or(x, y);
        let m = c.b.i64(lanes_of(4 * w, (1 << (2 * w)) - 1));
        x = c.b.and(y, m);
        w *= 2;
    }
    x
}

/// `swar_pack(lo) | swar_pack(hi) << 32`.
fn swar_pack2(c: &mut Ctx, lo: Value, hi: Value, e: u32, s: u32) -> Value {
    let lo = swar_pack(c, lo, e, s);
    let hi = swar_pack(c, hi, e, s);
    let k = c.b.i64(32);
    let hi = c.b.binary(BinOp::Shl, hi, k);
    c.b.or(lo, hi)
}

/// UZP1/UZP2 (`odd`) with `e`-bit elements below 64: the even (odd) lanes of `Vm:Vn`.
fn swar_uzp(c: &mut Ctx, i: Insn, e: u32, odd: bool) {
    let s = if odd { e } else { 0 };
    let [n0, n1] = halves(c, i.rn());
    let [m0, m1] = halves(c, i.rm());
    if i.bit(30) {
        let lo = swar_pack2(c, n0, n1, e, s);
        let hi = swar_pack2(c, m0, m1, e, s);
        c.set_vreg128(i.rd(), lo, Some(hi));
    } else {
        let lo = swar_pack2(c, n0, m0, e, s);
        c.set_vreg128(i.rd(), lo, None);
    }
}

/// The source half of a long operation: bits 127:64 of `r` for the "2" forms (Q=1).
fn long_source(c: &mut Ctx, i: Insn, r: u32) -> Value {
    if i.bit(30) {
        c.vreg_hi(r)
    } else {
        c.vreg(Type::I64, r)
    }
}

/// Half `h` of the `e`-bit lanes of `src` extended (signed unless U) to `2e` bits.
fn swar_extend(c: &mut Ctx, i: Insn, src: Value, h: u64, e: u32) -> Value {
    let k = c.b.i64(32 * h);
    let x = c.b.binary(BinOp::ShrU, src, k);
    let m = c.b.i64(0xffff_ffff);
    let mut x = c.b.and(x, m);
    // Open the gaps: lanes of 2w bits become lanes of w bits at 2w-bit strides.
    let mut w = 16;
    while w >= e {
        let k = c.b.i64(u64::from(w));
        let y = c.b.binary(BinOp::Shl, x, k);
        let y = c.b.or(x, y);
        let m = c.b.i64(lanes_of(2 * w, (1 << w) - 1));
        x = c.b.and(y, m);
        w /= 2;
    }
    if !i.bit(29) {
        // Sign-extend each lane: (v ^ sign) - sign, lane-wise.
        let sk = c.b.i64(lanes_of(2 * e, 1 << (e - 1)));
        let flipped = c.b.xor(x, sk);
        x = swar_sub(c, flipped, sk, lanes_of(2 * e, 1 << (2 * e - 1)));
    }
    x
}

/// USHLL/SSHLL (and the "2" forms, reading bits 127:64 of Vn): each `e`-bit lane extended
/// (by U) to `2e` bits and shifted left by `s`.
fn swar_long(c: &mut Ctx, i: Insn, e: u32, s: u32) {
    let src = long_source(c, i, i.rn());
    let lane2 = if e == 32 {
        u64::MAX
    } else {
        (1u64 << (2 * e)) - 1
    };
    let mut out = Vec::new();
    for h in 0..2u64 {
        let mut x = swar_extend(c, i, src, h, e);
        if s != 0 {
            let k = c.b.i64(u64::from(s));
            let y = c.b.binary(BinOp::Shl, x, k);
            let m = c.b.i64(lanes_of(2 * e, (lane2 << s) & lane2));
            x = c.b.and(y, m);
        }
        out.push(x);
    }
    c.set_vreg128(i.rd(), out[0], Some(out[1]));
}

/// SADDL/UADDL, SSUBL/USUBL (`wide`: SADDW/UADDW, SSUBW/USUBW) and their "2" forms: `2e`-bit
/// lanes of the extended (or, wide, the full) Vn plus or minus the extended Vm.
fn swar_addl(c: &mut Ctx, i: Insn, e: u32, sub: bool, wide: bool) {
    let high = lanes_of(2 * e, 1 << (2 * e - 1));
    let n = long_source(c, i, i.rn());
    let m = long_source(c, i, i.rm());
    let mut out = Vec::new();
    for h in 0..2u64 {
        let a = if wide {
            if h == 0 {
                c.vreg(Type::I64, i.rn())
            } else {
                c.vreg_hi(i.rn())
            }
        } else {
            swar_extend(c, i, n, h, e)
        };
        let b = swar_extend(c, i, m, h, e);
        out.push(if sub {
            swar_sub(c, a, b, high)
        } else {
            swar_add(c, a, b, high)
        });
    }
    c.set_vreg128(i.rd(), out[0], Some(out[1]));
}

/// The lane geometry of a SWAR operation.
#[derive(Clone, Copy)]
struct Lanes {
    /// Lane bits.
    e: u32,
    /// The top bit of every lane.
    high: u64,
    /// All ones in one lane.
    ones: u64,
}

/// All ones in every lane where `a < b` (signed or unsigned), else zero: the borrow out of
/// each lane's top bit in the lane-wise `a - b`.
fn swar_less(c: &mut Ctx, signed: bool, a: Value, b: Value, l: Lanes) -> Value {
    let (a, b) = if signed {
        let h = c.b.i64(l.high);
        (c.b.xor(a, h), c.b.xor(b, h))
    } else {
        (a, b)
    };
    let d = swar_sub(c, a, b, l.high);
    let ones = c.b.i64(u64::MAX);
    let na = c.b.xor(a, ones);
    let t1 = c.b.and(na, b);
    let x = c.b.xor(a, b);
    let nx = c.b.xor(x, ones);
    let t2 = c.b.and(nx, d);
    let borrow = c.b.or(t1, t2);
    let h = c.b.i64(l.high);
    let top = c.b.and(borrow, h);
    let sh = c.b.i64(u64::from(l.e - 1));
    let bit = c.b.binary(BinOp::ShrU, top, sh);
    let fill = c.b.i64(l.ones);
    c.b.binary(BinOp::Mul, bit, fill)
}

/// CMGT/CMHI, CMGE/CMHS, SMAX/UMAX, SMIN/UMIN on one half.
fn swar_order(c: &mut Ctx, order: Order, signed: bool, a: Value, b: Value, l: Lanes) -> Value {
    match order {
        Order::Gt => swar_less(c, signed, b, a, l),
        Order::Ge => {
            let lt = swar_less(c, signed, a, b, l);
            let ones = c.b.i64(u64::MAX);
            c.b.xor(lt, ones)
        }
        Order::Max => {
            let lt = swar_less(c, signed, a, b, l);
            select_bits(c, a, b, lt)
        }
        Order::Min => {
            let lt = swar_less(c, signed, a, b, l);
            select_bits(c, b, a, lt)
        }
    }
}

/// Lane-wise `a + b` (`high`: the top bit of every lane).
fn swar_add(c: &mut Ctx, a: Value, b: Value, high: u64) -> Value {
    let low = c.b.i64(!high);
    let hi = c.b.i64(high);
    let (al, bl) = (c.b.and(a, low), c.b.and(b, low));
    let sum = c.b.add(al, bl);
    let x = c.b.xor(a, b);
    let top = c.b.and(x, hi);
    c.b.xor(sum, top)
}

/// Lane-wise `a - b`.
fn swar_sub(c: &mut Ctx, a: Value, b: Value, high: u64) -> Value {
    let low = c.b.i64(!high);
    let hi = c.b.i64(high);
    let ah = c.b.or(a, hi);
    let bl = c.b.and(b, low);
    let diff = c.b.sub(ah, bl);
    let ones = c.b.i64(u64::MAX);
    let nb = c.b.xor(b, ones);
    let x = c.b.xor(a, nb);
    let top = c.b.and(x, hi);
    c.b.xor(diff, top)
}

/// All ones in every lane of `x` that is zero, else zero.
fn swar_is_zero(c: &mut Ctx, x: Value, e: u32, high: u64, lane_ones: u64) -> Value {
    let low = c.b.i64(!high);
    let xl = c.b.and(x, low);
    let t = c.b.add(xl, low);
    let t = c.b.or(t, x);
    let ones = c.b.i64(u64::MAX);
    let nt = c.b.xor(t, ones);
    let hi = c.b.i64(high);
    let z = c.b.and(nt, hi);
    let sh = c.b.i64(u64::from(e - 1));
    let bit = c.b.binary(BinOp::ShrU, z, sh);
    let fill = c.b.i64(lane_ones);
    c.b.binary(BinOp::Mul, bit, fill)
}

/// Write a Q-sized result: `hi` is dropped (zeroed) when Q is 0.
fn set_q(c: &mut Ctx, i: Insn, lo: Value, hi: Value) {
    let hi = if i.bit(30) { Some(hi) } else { None };
    c.set_vreg128(i.rd(), lo, hi);
}

/// Both 64-bit halves of V register `r`.
fn halves(c: &mut Ctx, r: u32) -> [Value; 2] {
    [c.vreg(Type::I64, r), c.vreg_hi(r)]
}

/// AND, BIC, ORR, ORN, EOR, BSL, BIT, BIF (vector), on the two halves.
fn logic(c: &mut Ctx, i: Insn) -> Exec {
    let (n, m, d) = (halves(c, i.rn()), halves(c, i.rm()), halves(c, i.rd()));
    let sel = (u32::from(i.bit(29)) << 2) | i.bits(23, 22);
    let mut out = [n[0]; 2];
    for h in 0..2 {
        let (a, b, dd) = (n[h], m[h], d[h]);
        out[h] = match sel {
            0 => c.b.and(a, b),
            1 | 3 => {
                let ones = c.b.i64(u64::MAX);
                let nb = c.b.xor(b, ones);
                if sel == 1 {
                    c.b.and(a, nb)
                } else {
                    c.b.or(a, nb)
                }
            }
            2 => c.b.or(a, b),
            4 => c.b.xor(a, b),
            // BSL: d ? n : m  ==  m ^ ((m ^ n) & d).
            5 => select_bits(c, b, a, dd),
            // BIT: m ? n : d.
            6 => select_bits(c, dd, a, b),
            // BIF: m ? d : n.
            _ => select_bits(c, a, dd, b),
        };
    }
    set_q(c, i, out[0], out[1]);
    Ok(Flow::Continue)
}

/// Bitwise `mask ? t : f`, as `f ^ ((f ^ t) & mask)`.
fn select_bits(c: &mut Ctx, f: Value, t: Value, mask: Value) -> Value {
    let x = c.b.xor(f, t);
    let x = c.b.and(x, mask);
    c.b.xor(f, x)
}

/// `AdvSIMDExpandImm(op, cmode, imm8)`.
fn expand_imm(op: bool, cmode: u32, imm8: u64) -> u64 {
    let rep32 = |x: u64| x << 32 | x;
    let rep16 = |x: u64| x * 0x0001_0001_0001_0001;
    match cmode >> 1 {
        0 => rep32(imm8),
        1 => rep32(imm8 << 8),
        2 => rep32(imm8 << 16),
        3 => rep32(imm8 << 24),
        4 => rep16(imm8),
        5 => rep16(imm8 << 8),
        6 if cmode & 1 == 0 => rep32(imm8 << 8 | 0xff),
        6 => rep32(imm8 << 16 | 0xffff),
        _ => match (cmode & 1, op) {
            (0, false) => imm8 * 0x0101_0101_0101_0101,
            (0, true) => (0..8)
                .filter(|b| imm8 >> b & 1 != 0)
                .fold(0, |acc, b| acc | 0xff << (8 * b)),
            (_, false) => rep32(fp_imm(imm8, 5, 19)),
            (_, true) => fp_imm(imm8, 8, 48),
        },
    }
}

/// The FP immediate `imm8<7>:NOT(imm8<6>):Replicate(imm8<6>, rep):imm8<5:0>:Zeros(zeros)`.
fn fp_imm(imm8: u64, rep: u32, zeros: u32) -> u64 {
    let b6 = imm8 >> 6 & 1;
    let mut v = (imm8 >> 7 & 1) << 1 | (b6 ^ 1);
    for _ in 0..rep {
        v = v << 1 | b6;
    }
    (v << 6 | (imm8 & 0x3f)) << zeros
}

/// MOVI, MVNI, ORR/BIC (vector, immediate), FMOV (vector, immediate).
fn mod_imm(c: &mut Ctx, i: Insn) -> Exec {
    let (q, op, cmode, o2) = (i.bit(30), i.bit(29), i.bits(15, 12), i.bit(11));
    let imm8 = u64::from(i.bits(18, 16) << 5 | i.bits(9, 5));
    let imm = if o2 {
        // FMOV (vector, immediate), half precision.
        if op || cmode != 15 {
            return Err(Illegal);
        }
        fp_imm(imm8, 2, 6) * 0x0001_0001_0001_0001
    } else {
        if cmode == 15 && op && !q {
            return Err(Illegal);
        }
        expand_imm(op, cmode, imm8)
    };
    // ORR/BIC: cmode 0xx1 or 10x1; everything else writes the (inverted for MVNI) immediate.
    let is_orr_bic = cmode & 1 == 1 && cmode < 12;
    let mvni = op && !is_orr_bic && cmode < 14;
    let [lo, hi] = if is_orr_bic {
        let d = halves(c, i.rd());
        let k = c.b.i64(if op { !imm } else { imm });
        let f = |c: &mut Ctx, x| {
            if op {
                c.b.and(x, k)
            } else {
                c.b.or(x, k)
            }
        };
        [f(c, d[0]), f(c, d[1])]
    } else {
        let v = c.b.i64(if mvni { !imm } else { imm });
        [v, v]
    };
    set_q(c, i, lo, hi);
    Ok(Flow::Continue)
}

/// The element size (log2 bytes) and index encoded in `imm5`, if any.
fn imm5_lane(imm5: u32) -> Option<(u32, u32)> {
    let size = imm5.trailing_zeros();
    (size <= 3).then(|| (size, imm5 >> (size + 1)))
}

/// Lane `idx` of `1 << size` bytes of V register `r`, zero-extended to I64.
fn read_lane(c: &mut Ctx, r: u32, size: u32, idx: u32) -> Value {
    let bytes = 1 << size;
    let v = c.b.read_reg(elem_ty(bytes), lane_offset(r, idx, bytes));
    c.widen(v)
}

/// The copy group: DUP (element, general), INS (element, general), SMOV, UMOV.
fn copy(c: &mut Ctx, i: Insn) -> Exec {
    let (q, op, imm4) = (i.bit(30), i.bit(29), i.bits(14, 11));
    let (size, idx) = imm5_lane(i.bits(20, 16)).ok_or(Illegal)?;
    let bytes = 1u32 << size;
    let (rd, rn) = (i.rd(), i.rn());
    match (op, imm4) {
        (false, 0 | 1) => {
            if size == 3 && !q {
                return Err(Illegal);
            }
            let v = if imm4 == 0 {
                read_lane(c, rn, size, idx)
            } else if size == 3 {
                c.x(rn)
            } else {
                let x = c.x(rn);
                let t = c.b.trunc(elem_ty(bytes), x);
                c.widen(t)
            };
            let v = replicate(c, v, bytes);
            set_q(c, i, v, v);
        }
        (false, 3) if q => {
            let x = c.x(rn);
            let v = if size == 3 {
                x
            } else {
                c.b.trunc(elem_ty(bytes), x)
            };
            c.b.write_reg(lane_offset(rd, idx, bytes), v);
        }
        (false, 5) if size < 2 + u32::from(q) => {
            let v = c.b.read_reg(elem_ty(bytes), lane_offset(rn, idx, bytes));
            let v = c.b.sext(if q { Type::I64 } else { Type::I32 }, v);
            c.set_reg(rd, v);
        }
        (false, 7) if (size == 3) == q => {
            let v = read_lane(c, rn, size, idx);
            c.set_x(rd, v);
        }
        (true, _) if q => {
            let v =
                c.b.read_reg(elem_ty(bytes), lane_offset(rn, imm4 >> size, bytes));
            c.b.write_reg(lane_offset(rd, idx, bytes), v);
        }
        _ => return Err(Illegal),
    }
    Ok(Flow::Continue)
}

/// DUP (element), scalar: `MOV Bd/Hd/Sd/Dd, Vn.T[i]`.
fn dup_scalar(c: &mut Ctx, i: Insn) -> Exec {
    let (size, idx) = imm5_lane(i.bits(20, 16)).ok_or(Illegal)?;
    let v = read_lane(c, i.rn(), size, idx);
    c.set_vreg128(i.rd(), v, None);
    Ok(Flow::Continue)
}
