//! Advanced SIMD floating point (single and double precision lanes): the three-same FP
//! operations (arithmetic, FMLA/FMLS, compares, pairwise), the two-register-misc FP operations
//! (FABS/FNEG/FSQRT/FRINT*, conversions to and from integers, FCVTL/FCVTN/FCVTXN, estimates,
//! compares against zero), by-element FMUL/FMLA/FMLS/FMULX, across-lanes FMAXV/FMINV/
//! FMAXNMV/FMINNMV, the scalar pairwise, three-same and two-register-misc FP forms, and the
//! fixed-point conversions of the shift-by-immediate group (SCVTF/UCVTF/FCVTZS/FCVTZU #fbits).
//!
//! Every row's pattern is exact, so none matches an integer Advanced SIMD encoding (this table
//! is tried before `simd.rs`'s). Each instruction is one helper call that works element by
//! element on the V registers in the CPU state through `emu_fpu::arm`.

use emu_fpu::arm::{self, Cmp, FpCtx, Op2, Prec};
use emu_fpu::RoundingMode;
use emu_ir::helpers::HelperFn;
use emu_ir::{Helper, Type};

use super::fp::call;
use super::fp::helpers::{
    from_int, helper, prec, prec_code, prec_mask, to_int, unary, with_fpu, CV_SIGNED, CV_WIDE,
    FP_EFFECTS, RM_FPCR, UN_RECPE, UN_RECPX, UN_RINT, UN_RINTX, UN_RSQRTE, UN_SQRT,
};
use super::insn::{insn, Ctx, Entry, Exec, Illegal, Insn};
use super::A64Cpu;

pub const TABLE: &[Entry] = &[
    insn!(
        "fp-3same",
        "0xx01110 xx 1 xxxxx 11xxx 1 xxxxx xxxxx",
        vec_three_same
    ),
    insn!(
        "fp-3same-scalar",
        "01x11110 xx 1 xxxxx 11xxx 1 xxxxx xxxxx",
        scalar_three_same
    ),
    insn!(
        "fp-misc-cmp",
        "0xx01110 1x 10000 011xx 10 xxxxx xxxxx",
        vec_misc
    ),
    insn!(
        "fp-misc-cvt",
        "0xx01110 0x 10000 1011x 10 xxxxx xxxxx",
        vec_misc
    ),
    insn!(
        "fp-misc",
        "0xx01110 0x 10000 11xxx 10 xxxxx xxxxx",
        vec_misc
    ),
    insn!(
        "fp-misc",
        "0xx01110 1x 10000 110xx 10 xxxxx xxxxx",
        vec_misc
    ),
    insn!(
        "fp-misc",
        "0xx01110 1x 10000 11101 10 xxxxx xxxxx",
        vec_misc
    ),
    insn!(
        "fp-misc",
        "0xx01110 1x 10000 1111x 10 xxxxx xxxxx",
        vec_misc
    ),
    insn!(
        "fp-misc-scalar",
        "01x11110 1x 10000 011xx 10 xxxxx xxxxx",
        scalar_misc
    ),
    insn!(
        "fp-misc-scalar",
        "01x11110 xx 10000 11xxx 10 xxxxx xxxxx",
        scalar_misc
    ),
    insn!(
        "fcvtxn-scalar",
        "01111110 0x 10000 10110 10 xxxxx xxxxx",
        scalar_misc
    ),
    insn!(
        "fp-elem",
        "0x001111 1x x x xxxx 0x01 x 0 xxxxx xxxxx",
        vec_by_elem
    ),
    insn!(
        "fp-elem",
        "0xx01111 1x x x xxxx 1001 x 0 xxxxx xxxxx",
        vec_by_elem
    ),
    insn!(
        "fp-elem-scalar",
        "01011111 1x x x xxxx 0x01 x 0 xxxxx xxxxx",
        scalar_by_elem
    ),
    insn!(
        "fp-elem-scalar",
        "01x11111 1x x x xxxx 1001 x 0 xxxxx xxxxx",
        scalar_by_elem
    ),
    insn!(
        "fp-across",
        "01101110 x0 11000 01100 10 xxxxx xxxxx",
        across
    ),
    insn!(
        "fp-across",
        "01101110 x0 11000 01111 10 xxxxx xxxxx",
        across
    ),
    insn!(
        "fp-pair-scalar",
        "01111110 xx 11000 011xx 10 xxxxx xxxxx",
        scalar_pairwise
    ),
    insn!(
        "fp-fixed-vec",
        "0xx011110 1xxx xxx 111xx 1 xxxxx xxxxx",
        vec_fixed
    ),
    insn!(
        "fp-fixed-vec",
        "0xx011110 01xx xxx 111xx 1 xxxxx xxxxx",
        vec_fixed
    ),
    insn!(
        "fp-fixed-scalar",
        "01x111110 1xxx xxx 111xx 1 xxxxx xxxxx",
        scalar_fixed
    ),
    insn!(
        "fp-fixed-scalar",
        "01x111110 01xx xxx 111xx 1 xxxxx xxxxx",
        scalar_fixed
    ),
];

// ---------------------------------------------------------------------------------------------
// Helpers.

/// Kinds of element-wise two-operand work ([`V_OP2`]'s `kind_op` >> 8).
const K_PLAIN: u64 = 0;
const K_PAIRWISE: u64 = 1;
const K_ACROSS: u64 = 2;
/// FMLA (op 0) / FMLS (op 1): accumulate into the destination.
const K_FMA: u64 = 3;
/// Compare: op is a [`CMPS`] index, plus [`CMP_SWAP`] / [`CMP_ZERO`].
const K_CMP: u64 = 4;
const CMP_SWAP: u64 = 1 << 4;
const CMP_ZERO: u64 = 1 << 5;
/// The compares by code.
const CMPS: [Cmp; 5] = [Cmp::Eq, Cmp::Ge, Cmp::Gt, Cmp::AbsGe, Cmp::AbsGt];
/// `idx` value for "not by element".
const NO_INDEX: u64 = 0xff;

/// V register `r` as one 128-bit value.
fn vreg128(cpu: &A64Cpu, r: u64) -> u128 {
    let v = cpu.v[(r & 31) as usize];
    u128::from(v[0]) | u128::from(v[1]) << 64
}

fn set_vreg128(cpu: &mut A64Cpu, r: u64, v: u128) {
    cpu.v[(r & 31) as usize] = [v as u64, (v >> 64) as u64];
}

/// Element `i` of `p`-sized elements of `v`.
fn elem(v: u128, p: Prec, i: u64) -> u64 {
    (v >> (i * u64::from(p.bits()))) as u64 & prec_mask(p)
}

/// `v` with element `i` set to `x`.
fn with_elem(v: u128, p: Prec, i: u64, x: u64) -> u128 {
    let sh = i * u64::from(p.bits());
    let mask = u128::from(prec_mask(p)) << sh;
    (v & !mask) | (u128::from(x & prec_mask(p)) << sh)
}

/// Registers packed as `rd | rn << 5 | rm << 10`.
fn unpack_regs(regs: u64) -> (u64, u64, u64) {
    (regs & 31, (regs >> 5) & 31, (regs >> 10) & 31)
}

/// The two-operand vector/scalar operations (see the `K_*` kinds); `lanes` result elements,
/// the rest of the destination zeroed; `idx` the element of `rm` for by-element forms.
fn op2_vec(
    ctx: &mut FpCtx,
    cpu: &mut A64Cpu,
    kind_op: u64,
    p: Prec,
    regs: u64,
    lanes: u64,
    idx: u64,
) {
    let (rd, rn, rm) = unpack_regs(regs);
    let (d, n, m) = (vreg128(cpu, rd), vreg128(cpu, rn), vreg128(cpu, rm));
    let (kind, op) = (kind_op >> 8, kind_op & 0xff);
    let op2 = Op2::from_code(op).unwrap_or(Op2::Add);
    let m_at = |i| {
        if idx == NO_INDEX {
            elem(m, p, i)
        } else {
            elem(m, p, idx)
        }
    };
    let mut r = 0u128;
    match kind {
        K_PAIRWISE => {
            let src = lanes.max(2);
            let cat = |j: u64| {
                if j < src {
                    elem(n, p, j)
                } else {
                    elem(m, p, j - src)
                }
            };
            for i in 0..lanes {
                r = with_elem(r, p, i, ctx.op2(op2, p, cat(2 * i), cat(2 * i + 1)));
            }
        }
        K_ACROSS => {
            let mut vals: Vec<u64> = (0..lanes).map(|i| elem(n, p, i)).collect();
            while vals.len() > 1 {
                vals = vals
                    .chunks(2)
                    .map(|c| ctx.op2(op2, p, c[0], c[c.len() - 1]))
                    .collect();
            }
            r = u128::from(vals[0]);
        }
        K_FMA => {
            for i in 0..lanes {
                let a = elem(n, p, i);
                let a = if op == 1 { arm::neg(p, a) } else { a };
                r = with_elem(r, p, i, ctx.mul_add(p, elem(d, p, i), a, m_at(i)));
            }
        }
        K_CMP => {
            let cmp = CMPS[(op & 7) as usize % CMPS.len()];
            for i in 0..lanes {
                let (a, b) = (elem(n, p, i), if op & CMP_ZERO != 0 { 0 } else { m_at(i) });
                let (a, b) = if op & CMP_SWAP != 0 { (b, a) } else { (a, b) };
                let t = ctx.cmp_mask(cmp, p, a, b);
                r = with_elem(r, p, i, if t { u64::MAX } else { 0 });
            }
        }
        _ => {
            for i in 0..lanes {
                r = with_elem(r, p, i, ctx.op2(op2, p, elem(n, p, i), m_at(i)));
            }
        }
    }
    set_vreg128(cpu, rd, r);
}

helper!(
    V_OP2,
    "a64_vfp_op2",
    A5,
    |e, kind_op, p, regs, lanes, idx| {
        with_fpu(e, |ctx, cpu| {
            op2_vec(ctx, cpu, kind_op, prec(p), regs, lanes, idx);
            0
        })
    }
);

/// Unary element codes beyond `fp_helpers`' ones.
const UN_ABS: u64 = 32;
const UN_NEG: u64 = 33;
/// `UN_TO_INT | rm << 4 | conversion flags << 8`: float to integer.
const UN_TO_INT: u64 = 1 << 20;
/// `UN_FROM_INT | conversion flags << 8`: integer to float.
const UN_FROM_INT: u64 = 1 << 21;

fn unary_elem(ctx: &mut FpCtx, code: u64, p: Prec, a: u64) -> u64 {
    let wide = if p == Prec::D { CV_WIDE } else { 0 };
    match code {
        UN_ABS => arm::abs(p, a),
        UN_NEG => arm::neg(p, a),
        c if c & UN_TO_INT != 0 => to_int(ctx, p, a, (c >> 4) & 15, ((c >> 8) & 0x1ff) | wide),
        c if c & UN_FROM_INT != 0 => from_int(ctx, p, a, ((c >> 8) & 0x1ff) | wide),
        c => unary(ctx, c, p, a),
    }
}

helper!(V_UNARY, "a64_vfp_unary", A5, |e, code, p, rd, rn, lanes| {
    with_fpu(e, |ctx, cpu| {
        let p = prec(p);
        let n = vreg128(cpu, rn);
        let r = (0..lanes).fold(0u128, |r, i| {
            with_elem(r, p, i, unary_elem(ctx, code, p, elem(n, p, i)))
        });
        set_vreg128(cpu, rd, r);
        0
    })
});

/// Precision changes: `from` → `to` (FCVTL widens, FCVTN/FCVTXN narrow); `half` 1 for the
/// `2` forms (upper half source / destination); `odd` for FCVTXN; `lanes` elements.
fn convert_vec(
    ctx: &mut FpCtx,
    cpu: &mut A64Cpu,
    from: Prec,
    to: Prec,
    rd: u64,
    rn: u64,
    flags: u64,
) {
    let (half, odd, lanes) = (flags & 1, flags & 2 != 0, flags >> 8);
    let n = vreg128(cpu, rn);
    let narrowing = to.bits() < from.bits();
    let src_base = if narrowing { 0 } else { half * lanes };
    let dst_base = if narrowing { half * lanes } else { 0 };
    let mut r = if narrowing && half == 1 {
        vreg128(cpu, rd) & u128::from(u64::MAX)
    } else {
        0
    };
    for i in 0..lanes {
        let a = elem(n, from, src_base + i);
        let x = if odd {
            ctx.convert_odd(a)
        } else {
            ctx.convert(from, to, a)
        };
        r = with_elem(r, to, dst_base + i, x);
    }
    set_vreg128(cpu, rd, r);
}

helper!(
    V_CONVERT,
    "a64_vfp_convert",
    A5,
    |e, from, to, rd, rn, flags| {
        with_fpu(e, |ctx, cpu| {
            convert_vec(ctx, cpu, prec(from), prec(to), rd, rn, flags);
            0
        })
    }
);

/// This class's helpers.
pub const HELPERS: &[&Helper] = &[&V_OP2, &V_UNARY, &V_CONVERT];

// ---------------------------------------------------------------------------------------------
// Decoding.

/// Single or double lanes from the `sz` bit (22).
fn sz_prec(i: Insn) -> Prec {
    if i.bit(22) {
        Prec::D
    } else {
        Prec::S
    }
}

/// Lanes of a vector form (`Q` bit 30); 1D is unallocated.
fn vec_lanes(i: Insn, p: Prec) -> Result<u64, Illegal> {
    let q = i.bit(30);
    if p == Prec::D && !q {
        return Err(Illegal);
    }
    Ok(if q { 128 } else { 64 } / u64::from(p.bits()))
}

fn regs(i: Insn) -> u64 {
    u64::from(i.rd()) | u64::from(i.rn()) << 5 | u64::from(i.rm()) << 10
}

fn op2_call(c: &mut Ctx, kind: u64, op: u64, p: Prec, regs: u64, lanes: u64, idx: u64) -> Exec {
    call(c, &V_OP2, &[kind << 8 | op, prec_code(p), regs, lanes, idx])
}

/// What a three-same FP opcode (U, a, opcode<2:0>) does; `None`: unallocated.
fn three_same_op(u: bool, a: bool, opc: u32) -> Option<(u64, u64)> {
    use Op2::*;
    let plain = |op: Op2| Some((K_PLAIN, op.code()));
    let pair = |op: Op2| Some((K_PAIRWISE, op.code()));
    let cmp = |k: usize| Some((K_CMP, k as u64));
    match (u, a, opc) {
        (false, false, 0) => plain(MaxNm),
        (false, false, 1) => Some((K_FMA, 0)),
        (false, false, 2) => plain(Add),
        (false, false, 3) => plain(Mulx),
        (false, false, 4) => cmp(0),
        (false, false, 6) => plain(Max),
        (false, false, 7) => plain(Recps),
        (false, true, 0) => plain(MinNm),
        (false, true, 1) => Some((K_FMA, 1)),
        (false, true, 2) => plain(Sub),
        (false, true, 6) => plain(Min),
        (false, true, 7) => plain(Rsqrts),
        (true, false, 0) => pair(MaxNm),
        (true, false, 2) => pair(Add),
        (true, false, 3) => plain(Mul),
        (true, false, 4) => cmp(1),
        (true, false, 5) => cmp(3),
        (true, false, 6) => pair(Max),
        (true, false, 7) => plain(Div),
        (true, true, 0) => pair(MinNm),
        (true, true, 2) => plain(Abd),
        (true, true, 4) => cmp(2),
        (true, true, 5) => cmp(4),
        (true, true, 6) => pair(Min),
        _ => None,
    }
}

fn vec_three_same(c: &mut Ctx, i: Insn) -> Exec {
    let p = sz_prec(i);
    let lanes = vec_lanes(i, p)?;
    let (kind, op) = three_same_op(i.bit(29), i.bit(23), i.bits(13, 11)).ok_or(Illegal)?;
    op2_call(c, kind, op, p, regs(i), lanes, NO_INDEX)
}

fn scalar_three_same(c: &mut Ctx, i: Insn) -> Exec {
    let (kind, op) = three_same_op(i.bit(29), i.bit(23), i.bits(13, 11)).ok_or(Illegal)?;
    let scalar_ok = match kind {
        K_PLAIN => [Op2::Mulx, Op2::Recps, Op2::Rsqrts, Op2::Abd]
            .iter()
            .any(|o| o.code() == op),
        K_CMP => true,
        _ => false,
    };
    if !scalar_ok {
        return Err(Illegal);
    }
    op2_call(c, kind, op, sz_prec(i), regs(i), 1, NO_INDEX)
}

/// A two-register-misc FP operation (U, a, opcode): an element-wise unary code, a compare
/// against zero, or a precision conversion.
enum Misc {
    /// An element-wise [`V_UNARY`] code.
    Unary(u64),
    /// A [`K_CMP`] compare code (with [`CMP_SWAP`]) against zero.
    CmpZero(u64),
    /// FCVTN, or FCVTXN (`odd`: rounding to odd).
    Narrow { odd: bool },
    /// FCVTL.
    Widen,
}

/// The [`V_UNARY`] code of a float-to-integer conversion.
fn to_int_code(rm: RoundingMode, signed: bool) -> u64 {
    let s = if signed { CV_SIGNED } else { 0 };
    UN_TO_INT | (rm as u64) << 4 | s << 8
}

fn misc_op(u: bool, a: bool, opcode: u32) -> Option<Misc> {
    use RoundingMode::*;
    let un = |c| Some(Misc::Unary(c));
    let cvt = |rm, u: bool| Some(Misc::Unary(to_int_code(rm, !u)));
    match (a, opcode) {
        (true, 0b01100) => Some(Misc::CmpZero(if u { 1 } else { 2 })),
        (true, 0b01101) => Some(Misc::CmpZero(if u { 1 | CMP_SWAP } else { 0 })),
        (true, 0b01110) if !u => Some(Misc::CmpZero(2 | CMP_SWAP)),
        (true, 0b01111) => un(if u { UN_NEG } else { UN_ABS }),
        (false, 0b10110) if !u => Some(Misc::Narrow { odd: false }),
        (false, 0b10110) => Some(Misc::Narrow { odd: true }),
        (false, 0b10111) if !u => Some(Misc::Widen),
        (false, 0b11000) => un(UN_RINT + if u { NearestMaxMag } else { NearestEven } as u64),
        (false, 0b11001) => un(if u {
            UN_RINTX + RM_FPCR
        } else {
            UN_RINT + Down as u64
        }),
        (true, 0b11000) if !u => un(UN_RINT + Up as u64),
        (true, 0b11001) => un(UN_RINT + if u { RM_FPCR } else { TowardZero as u64 }),
        (false, 0b11010) => cvt(NearestEven, u),
        (false, 0b11011) => cvt(Down, u),
        (false, 0b11100) => cvt(NearestMaxMag, u),
        (true, 0b11010) => cvt(Up, u),
        (true, 0b11011) => cvt(TowardZero, u),
        (false, 0b11101) => un(UN_FROM_INT | if u { 0 } else { CV_SIGNED << 8 }),
        (true, 0b11101) => un(if u { UN_RSQRTE } else { UN_RECPE }),
        (true, 0b11111) => un(if u { UN_SQRT } else { UN_RECPX }),
        _ => None,
    }
}

fn vec_misc(c: &mut Ctx, i: Insn) -> Exec {
    let op = misc_op(i.bit(29), i.bit(23), i.bits(16, 12)).ok_or(Illegal)?;
    let (rd, rn) = (u64::from(i.rd()), u64::from(i.rn()));
    let half = u64::from(i.bit(30));
    match op {
        Misc::Narrow { odd } => {
            let (from, to) = match (i.bit(22), odd) {
                (true, _) => (Prec::D, Prec::S),
                (false, false) => (Prec::S, Prec::H),
                (false, true) => return Err(Illegal),
            };
            let flags = half | u64::from(odd) << 1 | u64::from(64 / to.bits()) << 8;
            call(
                c,
                &V_CONVERT,
                &[prec_code(from), prec_code(to), rd, rn, flags],
            )
        }
        Misc::Widen => {
            let (from, to) = if i.bit(22) {
                (Prec::S, Prec::D)
            } else {
                (Prec::H, Prec::S)
            };
            let flags = half | u64::from(64 / from.bits()) << 8;
            call(
                c,
                &V_CONVERT,
                &[prec_code(from), prec_code(to), rd, rn, flags],
            )
        }
        Misc::Unary(code) => {
            let p = sz_prec(i);
            if code == UN_RECPX {
                return Err(Illegal);
            }
            let lanes = vec_lanes(i, p)?;
            call(c, &V_UNARY, &[code, prec_code(p), rd, rn, lanes])
        }
        Misc::CmpZero(op) => {
            let p = sz_prec(i);
            let lanes = vec_lanes(i, p)?;
            op2_call(c, K_CMP, op | CMP_ZERO, p, regs(i), lanes, NO_INDEX)
        }
    }
}

fn scalar_misc(c: &mut Ctx, i: Insn) -> Exec {
    let op = misc_op(i.bit(29), i.bit(23), i.bits(16, 12)).ok_or(Illegal)?;
    let (rd, rn) = (u64::from(i.rd()), u64::from(i.rn()));
    let p = sz_prec(i);
    match op {
        Misc::Narrow { odd: true } if p == Prec::D => {
            let flags = 2 | 1 << 8;
            call(
                c,
                &V_CONVERT,
                &[prec_code(Prec::D), prec_code(Prec::S), rd, rn, flags],
            )
        }
        Misc::Unary(code) => {
            let is_rint = (UN_RINT..UN_TO_INT).contains(&code) && code != UN_RECPX;
            if is_rint || code == UN_SQRT {
                return Err(Illegal);
            }
            call(c, &V_UNARY, &[code, prec_code(p), rd, rn, 1])
        }
        Misc::CmpZero(op) => op2_call(c, K_CMP, op | CMP_ZERO, p, regs(i), 1, NO_INDEX),
        _ => Err(Illegal),
    }
}

/// The element index and `Rm` of a by-element form.
fn elem_index(i: Insn, p: Prec) -> Result<(u64, u64), Illegal> {
    let (h, l) = (u64::from(i.bit(11)), u64::from(i.bit(21)));
    let idx = match p {
        Prec::S => h << 1 | l,
        _ if l == 1 => return Err(Illegal),
        _ => h,
    };
    Ok((idx, u64::from(i.bits(20, 16))))
}

/// (kind, op) of a by-element opcode.
fn elem_op(i: Insn) -> (u64, u64) {
    match (i.bits(15, 12), i.bit(29)) {
        (0b0001, _) => (K_FMA, 0),
        (0b0101, _) => (K_FMA, 1),
        (_, false) => (K_PLAIN, Op2::Mul.code()),
        (_, true) => (K_PLAIN, Op2::Mulx.code()),
    }
}

fn by_elem(c: &mut Ctx, i: Insn, scalar: bool) -> Exec {
    let p = sz_prec(i);
    let lanes = if scalar { 1 } else { vec_lanes(i, p)? };
    let (idx, rm) = elem_index(i, p)?;
    let regs = u64::from(i.rd()) | u64::from(i.rn()) << 5 | rm << 10;
    let (kind, op) = elem_op(i);
    op2_call(c, kind, op, p, regs, lanes, idx)
}

fn vec_by_elem(c: &mut Ctx, i: Insn) -> Exec {
    by_elem(c, i, false)
}

fn scalar_by_elem(c: &mut Ctx, i: Insn) -> Exec {
    by_elem(c, i, true)
}

fn across(c: &mut Ctx, i: Insn) -> Exec {
    let min = i.bit(23);
    let op = match (i.bits(16, 12), min) {
        (0b01100, false) => Op2::MaxNm,
        (0b01100, true) => Op2::MinNm,
        (0b01111, false) => Op2::Max,
        (0b01111, true) => Op2::Min,
        _ => return Err(Illegal),
    };
    op2_call(c, K_ACROSS, op.code(), Prec::S, regs(i), 4, NO_INDEX)
}

fn scalar_pairwise(c: &mut Ctx, i: Insn) -> Exec {
    let op = match (i.bits(16, 12), i.bit(23)) {
        (0b01100, false) => Op2::MaxNm,
        (0b01100, true) => Op2::MinNm,
        (0b01101, false) => Op2::Add,
        (0b01111, false) => Op2::Max,
        (0b01111, true) => Op2::Min,
        _ => return Err(Illegal),
    };
    op2_call(c, K_PAIRWISE, op.code(), sz_prec(i), regs(i), 1, NO_INDEX)
}

/// The precision and fraction bits of a fixed-point conversion's `immh:immb`.
fn fixed_prec(i: Insn) -> Result<(Prec, u64), Illegal> {
    let immhb = u64::from(i.bits(22, 16));
    match i.bits(22, 19) {
        h if h & 8 != 0 => Ok((Prec::D, 128 - immhb)),
        h if h & 4 != 0 => Ok((Prec::S, 64 - immhb)),
        _ => Err(Illegal),
    }
}

fn fixed(c: &mut Ctx, i: Insn, scalar: bool) -> Exec {
    let (p, fbits) = fixed_prec(i)?;
    let lanes = if scalar { 1 } else { vec_lanes(i, p)? };
    let signed = if i.bit(29) { 0 } else { CV_SIGNED };
    let code = match i.bits(15, 11) {
        0b11100 => UN_FROM_INT | (signed | fbits) << 8,
        0b11111 => UN_TO_INT | (RoundingMode::TowardZero as u64) << 4 | (signed | fbits) << 8,
        _ => return Err(Illegal),
    };
    let (rd, rn) = (u64::from(i.rd()), u64::from(i.rn()));
    call(c, &V_UNARY, &[code, prec_code(p), rd, rn, lanes])
}

fn vec_fixed(c: &mut Ctx, i: Insn) -> Exec {
    fixed(c, i, false)
}

fn scalar_fixed(c: &mut Ctx, i: Insn) -> Exec {
    fixed(c, i, true)
}
