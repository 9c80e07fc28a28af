//! The out-of-line SSE/SSE2 helper `x64_sse(op, d, s, x)`: integer vector operations on
//! XMM registers, and scalar/packed floating point through `emu_fpu` (SoftFloat) with x86's
//! rules on top: MXCSR rounding, DAZ/FTZ and the exception flags (DE included) through
//! `mxcsr.rs`'s [`Mx`], NaN operands propagated (first operand first, quieted), the negative
//! "QNaN indefinite" for invalid results, and the integer indefinite (`0x80…0`) for
//! out-of-range conversions. `d` and `s` are XMM numbers (16: the scratch slot holding a
//! memory operand); `x` is an immediate or an integer operand. The result is the GPR value,
//! the flags, or 0.

use emu_fpu::{Flags, RoundingMode};
use emu_ir::helpers::HelperFn;
use emu_ir::{Helper, HelperEffects, Type};

use crate::x86_64::flags::{CF, PF, ZF};
use crate::x86_64::mxcsr::Mx;
use crate::x86_64::X64Cpu;

/// Operation codes (`op & 0xff`); bit 8 marks a 64-bit integer operand or result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Op {
    PcmpeqB,
    PcmpeqW,
    PcmpeqD,
    PcmpgtB,
    PcmpgtW,
    PcmpgtD,
    PminUB,
    PmaxUB,
    PminSW,
    PmaxSW,
    PaddB,
    PaddW,
    PaddD,
    PaddQ,
    PsubB,
    PsubW,
    PsubD,
    PsubQ,
    PaddusB,
    PaddusW,
    PsubusB,
    PsubusW,
    PavgB,
    PavgW,
    PmullW,
    PmulhW,
    PmulhuW,
    PmuludQ,
    PsadBW,
    PunpcklBW,
    PunpcklWD,
    PunpcklDQ,
    PunpcklQDQ,
    PunpckhBW,
    PunpckhWD,
    PunpckhDQ,
    PunpckhQDQ,
    PacksswB,
    PackuswB,
    PackssdW,
    PshufD,
    PshufLW,
    PshufHW,
    ShufPS,
    ShufPD,
    PslldQ,
    PsrldQ,
    PsllW,
    PsllD,
    PsllQ,
    PsrlW,
    PsrlD,
    PsrlQ,
    PsraW,
    PsraD,
    PmovmskB,
    MovmskPS,
    MovmskPD,
    PextrW,
    PinsrW,
    PaddsB,
    PaddsW,
    PsubsB,
    PsubsW,
    PmaddWD,
    // Floating point: `Fp* + 16 * prec-and-shape` is not used; each shape is its own code.
    AddSS,
    AddSD,
    AddPS,
    AddPD,
    SubSS,
    SubSD,
    SubPS,
    SubPD,
    MulSS,
    MulSD,
    MulPS,
    MulPD,
    DivSS,
    DivSD,
    DivPS,
    DivPD,
    MinSS,
    MinSD,
    MinPS,
    MinPD,
    MaxSS,
    MaxSD,
    MaxPS,
    MaxPD,
    SqrtSS,
    SqrtSD,
    SqrtPS,
    SqrtPD,
    /// Integer `x` to scalar float.
    CvtSI2SS,
    CvtSI2SD,
    /// Scalar float to integer (truncating / MXCSR rounding); the result is returned.
    CvttSS2SI,
    CvttSD2SI,
    CvtSS2SI,
    CvtSD2SI,
    CvtSS2SD,
    CvtSD2SS,
    CvtDQ2PD,
    CvtDQ2PS,
    CvttPS2DQ,
    CvtPS2PD,
    CvtPD2PS,
    /// Compare scalars; the result is ZF/PF/CF.
    UcomiSS,
    UcomiSD,
    ComiSS,
    ComiSD,
    /// Compare by predicate `x` (0–7) into all-ones/zero lanes.
    CmpSS,
    CmpSD,
    CmpPS,
    CmpPD,
    /// Packed doubles/floats to 32-bit integers (MXCSR rounding, or truncating).
    CvtPD2DQ,
    CvttPD2DQ,
    CvtPS2DQ,
}

impl Op {
    /// The op with code `code` (`Op as u8`), if any.
    pub(crate) fn from_code(code: u8) -> Option<Op> {
        if code > Op::CvtPS2DQ as u8 {
            return None;
        }
        // SAFETY: `Op` is `repr(u8)` with contiguous discriminants from 0 to `CvtPS2DQ` (no
        // explicit values), and `code` is in that range.
        Some(unsafe { std::mem::transmute::<u8, Op>(code) })
    }
}

/// Bit 8 of an op code: 64-bit integer operand/result.
pub(crate) const WIDE: u64 = 1 << 8;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Prec {
    S,
    D,
}

impl Prec {
    pub(super) fn bits(self) -> u32 {
        match self {
            Prec::S => 32,
            Prec::D => 64,
        }
    }
    pub(super) fn mask(self) -> u64 {
        u64::MAX >> (64 - self.bits())
    }
    pub(super) fn is_nan(self, a: u64) -> bool {
        match self {
            Prec::S => (a as u32 & 0x7fff_ffff) > 0x7f80_0000,
            Prec::D => (a & 0x7fff_ffff_ffff_ffff) > 0x7ff0_0000_0000_0000,
        }
    }
    fn is_snan(self, a: u64) -> bool {
        self.is_nan(a) && a & self.quiet_bit() == 0
    }
    fn quiet_bit(self) -> u64 {
        match self {
            Prec::S => 1 << 22,
            Prec::D => 1 << 51,
        }
    }
    /// The x86 "QNaN floating-point indefinite".
    fn indefinite(self) -> u64 {
        match self {
            Prec::S => 0xffc0_0000,
            Prec::D => 0xfff8_0000_0000_0000,
        }
    }
}

/// A two-operand arithmetic op with x86 NaN rules.
pub(super) fn arith2(p: Prec, kind: u8, a: u64, b: u64, mx: &mut Mx) -> u64 {
    let (a, b) = (a & p.mask(), b & p.mask());
    let rm = mx.rm;
    if kind >= 4 {
        // MIN (4) / MAX (5): the second operand unless the first is strictly smaller/greater;
        // any NaN operand is invalid and yields the second operand (flushed under DAZ).
        if p.is_nan(a) || p.is_nan(b) {
            mx.flags(Flags::NV);
            return mx.daz(p.bits(), b);
        }
        let (a, b) = (mx.input(p.bits(), a), mx.input(p.bits(), b));
        let lt = |x: u64, y: u64| match p {
            Prec::S => emu_fpu::f32_lt(x as u32, y as u32).0,
            Prec::D => emu_fpu::f64_lt(x, y).0,
        };
        let first = if kind == 4 { lt(a, b) } else { lt(b, a) };
        return if first { a } else { b };
    }
    if p.is_nan(a) || p.is_nan(b) {
        if p.is_snan(a) || p.is_snan(b) {
            mx.flags(Flags::NV);
        }
        let n = if p.is_nan(a) { a } else { b };
        return n | p.quiet_bit();
    }
    let b = mx.input(p.bits(), b);
    // Division by zero takes precedence over a denormal dividend.
    let a = if kind == 3 && b & (p.mask() >> 1) == 0 {
        mx.daz(p.bits(), a)
    } else {
        mx.input(p.bits(), a)
    };
    let (r, f) = match p {
        Prec::S => {
            let (x, y) = (a as u32, b as u32);
            let (r, f) = match kind {
                0 => emu_fpu::f32_add(x, y, rm),
                1 => emu_fpu::f32_sub(x, y, rm),
                2 => emu_fpu::f32_mul(x, y, rm),
                _ => emu_fpu::f32_div(x, y, rm),
            };
            (u64::from(r), f)
        }
        Prec::D => match kind {
            0 => emu_fpu::f64_add(a, b, rm),
            1 => emu_fpu::f64_sub(a, b, rm),
            2 => emu_fpu::f64_mul(a, b, rm),
            _ => emu_fpu::f64_div(a, b, rm),
        },
    };
    let r = mx.output(p.bits(), r, f);
    if p.is_nan(r) {
        p.indefinite()
    } else {
        r
    }
}

fn sqrt(p: Prec, a: u64, mx: &mut Mx) -> u64 {
    let (a, rm) = (a & p.mask(), mx.rm);
    if p.is_nan(a) {
        if p.is_snan(a) {
            mx.flags(Flags::NV);
        }
        return a | p.quiet_bit();
    }
    // The square root of a negative denormal is invalid, which takes precedence over DE.
    let a = if a >> (p.bits() - 1) != 0 {
        mx.daz(p.bits(), a)
    } else {
        mx.input(p.bits(), a)
    };
    let (r, f) = match p {
        Prec::S => {
            let (r, f) = emu_fpu::f32_sqrt(a as u32, rm);
            (u64::from(r), f)
        }
        Prec::D => emu_fpu::f64_sqrt(a, rm),
    };
    mx.flags(f);
    if p.is_nan(r) {
        p.indefinite()
    } else {
        r
    }
}

/// Float to integer (`wide`: 64-bit); out of range or NaN gives the integer indefinite.
fn to_int(p: Prec, a: u64, wide: bool, rm: RoundingMode, mx: &mut Mx) -> u64 {
    let a = a & p.mask();
    // Conversions to integers have no denormal-operand exception.
    let a = mx.daz(p.bits(), a);
    let (r, f) = match (p, wide) {
        (Prec::S, false) => {
            let (r, f) = emu_fpu::f32_to_i32(a as u32, rm);
            (u64::from(r), f)
        }
        (Prec::S, true) => emu_fpu::f32_to_i64(a as u32, rm),
        (Prec::D, false) => {
            let (r, f) = emu_fpu::f64_to_i32(a, rm);
            (u64::from(r), f)
        }
        (Prec::D, true) => emu_fpu::f64_to_i64(a, rm),
    };
    mx.flags(f);
    if f.contains(Flags::NV) {
        if wide {
            1 << 63
        } else {
            1 << 31
        }
    } else {
        r
    }
}

fn from_int(p: Prec, v: u64, wide: bool, mx: &mut Mx) -> u64 {
    let rm = mx.rm;
    let (r, f) = match (p, wide) {
        (Prec::S, false) => {
            let (r, f) = emu_fpu::i32_to_f32(v as u32, rm);
            (u64::from(r), f)
        }
        (Prec::S, true) => {
            let (r, f) = emu_fpu::i64_to_f32(v, rm);
            (u64::from(r), f)
        }
        (Prec::D, false) => emu_fpu::i32_to_f64(v as u32, rm),
        (Prec::D, true) => emu_fpu::i64_to_f64(v, rm),
    };
    mx.flags(f);
    r
}

/// Convert between precisions, NaNs keeping sign and payload (quieted).
fn convert(from: Prec, a: u64, mx: &mut Mx) -> u64 {
    let a = a & from.mask();
    if from.is_nan(a) {
        if from.is_snan(a) {
            mx.flags(Flags::NV);
        }
        return match from {
            Prec::S => (a & 0x8000_0000) << 32 | 0x7ff8_0000_0000_0000 | (a & 0x3f_ffff) << 29,
            Prec::D => (a >> 32 & 0x8000_0000) | 0x7fc0_0000 | (a >> 29 & 0x3f_ffff),
        };
    }
    let a = mx.input(from.bits(), a);
    match from {
        Prec::S => {
            let (r, f) = emu_fpu::f32_to_f64(a as u32);
            mx.flags(f);
            r
        }
        Prec::D => {
            let (r, f) = emu_fpu::f64_to_f32(a, mx.rm);
            mx.output(32, u64::from(r), f)
        }
    }
}

/// UCOMIS/COMIS: ZF, PF, CF (unordered: all three).
fn compare(p: Prec, a: u64, b: u64, signaling: bool, mx: &mut Mx) -> u64 {
    let (a, b) = (a & p.mask(), b & p.mask());
    if p.is_nan(a) || p.is_nan(b) {
        if signaling || p.is_snan(a) || p.is_snan(b) {
            mx.flags(Flags::NV);
        }
        return ZF | PF | CF;
    }
    let (a, b) = (mx.input(p.bits(), a), mx.input(p.bits(), b));
    let (lt, eq) = match p {
        Prec::S => (
            emu_fpu::f32_lt(a as u32, b as u32).0,
            emu_fpu::f32_eq(a as u32, b as u32).0,
        ),
        Prec::D => (emu_fpu::f64_lt(a, b).0, emu_fpu::f64_eq(a, b).0),
    };
    if eq {
        ZF
    } else if lt {
        CF
    } else {
        0
    }
}

/// CMPxx predicate `pred` (EQ, LT, LE, UNORD, NEQ, NLT, NLE, ORD); LT/LE/NLT/NLE signal
/// invalid on any NaN, the others only on signaling NaNs.
fn cmp_predicate(p: Prec, pred: u64, a: u64, b: u64, mx: &mut Mx) -> bool {
    let (a, b) = (a & p.mask(), b & p.mask());
    let unordered = p.is_nan(a) || p.is_nan(b);
    let signaling = matches!(pred, 1 | 2 | 5 | 6);
    if unordered && (signaling || p.is_snan(a) || p.is_snan(b)) {
        mx.flags(Flags::NV);
    }
    let (lt, eq) = if unordered {
        (false, false)
    } else {
        let (a, b) = (mx.input(p.bits(), a), mx.input(p.bits(), b));
        match p {
            Prec::S => (
                emu_fpu::f32_lt(a as u32, b as u32).0,
                emu_fpu::f32_eq(a as u32, b as u32).0,
            ),
            Prec::D => (emu_fpu::f64_lt(a, b).0, emu_fpu::f64_eq(a, b).0),
        }
    };
    match pred {
        0 => eq,
        1 => lt,
        2 => lt || eq,
        3 => unordered,
        4 => !eq,
        5 => !lt,
        6 => !(lt || eq),
        _ => !unordered,
    }
}

/// A 128-bit register as lanes of `es` bytes.
#[inline(always)]
pub(super) fn lane(v: u128, es: u32, i: u32) -> u64 {
    let bits = es * 8;
    ((v >> (i * bits)) as u64) & (u64::MAX >> (64 - bits))
}

#[inline(always)]
pub(super) fn with_lane(v: u128, es: u32, i: u32, x: u64) -> u128 {
    let bits = es * 8;
    let m = (u128::from(u64::MAX >> (64 - bits))) << (i * bits);
    (v & !m) | ((u128::from(x) << (i * bits)) & m)
}

/// Call `$f::<ES>($args)` for the lane size `$es` (1, 2, 4 or 8 bytes), so that each size gets
/// its own unrolled code (these run for every SSE lane operation).
macro_rules! by_lane_size {
    ($es:expr, $f:ident($($arg:expr),*)) => {
        match $es {
            1 => $f::<1>($($arg),*),
            2 => $f::<2>($($arg),*),
            4 => $f::<4>($($arg),*),
            _ => $f::<8>($($arg),*),
        }
    };
}

/// All lanes of `es` bytes (the first `16 / es` entries).
pub(super) fn lanes(v: u128, es: u32) -> [u64; 16] {
    by_lane_size!(es, lanes_n(v))
}

#[inline(always)]
fn lanes_n<const ES: u32>(v: u128) -> [u64; 16] {
    let mut out = [0u64; 16];
    for (i, l) in out.iter_mut().take((16 / ES) as usize).enumerate() {
        *l = lane(v, ES, i as u32);
    }
    out
}

/// The register made of lanes of `es` bytes.
pub(super) fn from_lanes(l: &[u64; 16], es: u32) -> u128 {
    by_lane_size!(es, from_lanes_n(l))
}

#[inline(always)]
fn from_lanes_n<const ES: u32>(l: &[u64; 16]) -> u128 {
    let mask = u64::MAX >> (64 - ES * 8);
    (0..16 / ES).fold(0, |r, i| {
        r | u128::from(l[i as usize] & mask) << (i * ES * 8)
    })
}

pub(super) fn sext(x: u64, es: u32) -> i64 {
    let sh = 64 - es * 8;
    ((x << sh) as i64) >> sh
}

/// Lane-wise `f(a, b)` (the hot path of glibc's string functions and of vectorized loops).
pub(super) fn map2(a: u128, b: u128, es: u32, f: impl Fn(u64, u64) -> u64) -> u128 {
    by_lane_size!(es, map2_n(a, b, &f))
}

#[inline(always)]
fn map2_n<const ES: u32>(a: u128, b: u128, f: &impl Fn(u64, u64) -> u64) -> u128 {
    let mask = u64::MAX >> (64 - ES * 8);
    (0..16 / ES).fold(0, |r, i| {
        let r_i = f(lane(a, ES, i), lane(b, ES, i)) & mask;
        r | u128::from(r_i) << (i * ES * 8)
    })
}

pub(super) fn sat_s(x: i64, es: u32) -> u64 {
    let lim = 1i64 << (es * 8 - 1);
    x.clamp(-lim, lim - 1) as u64
}

pub(super) fn sat_u(x: i64, es: u32) -> u64 {
    x.clamp(0, (1i64 << (es * 8)) - 1) as u64
}

/// Interleave the low (`high` false) or high halves of registers `a` and `b` of `w` bytes
/// (8: MMX, 16: XMM) in lanes of `es` bytes.
fn unpack(a: u128, b: u128, es: u32, high: bool, w: u32) -> u128 {
    if w == XMM_WIDTH {
        by_lane_size!(es, unpack_n(a, b, high, XMM_WIDTH))
    } else {
        by_lane_size!(es, unpack_n(a, b, high, 8))
    }
}

#[inline(always)]
fn unpack_n<const ES: u32>(a: u128, b: u128, high: bool, w: u32) -> u128 {
    let n = w / ES;
    let base = if high { n / 2 } else { 0 };
    (0..n / 2).fold(0, |r, i| {
        let r = with_lane(r, ES, 2 * i, lane(a, ES, base + i));
        with_lane(r, ES, 2 * i + 1, lane(b, ES, base + i))
    })
}

/// Pack lanes of `es` bytes of registers of `w` bytes into half-size lanes with saturation
/// (`unsigned` or signed).
pub(super) fn pack(a: u128, b: u128, es: u32, unsigned: bool, w: u32) -> u128 {
    match (es, w == XMM_WIDTH) {
        (2, true) => pack_n::<2, 1>(a, b, unsigned, XMM_WIDTH),
        (2, false) => pack_n::<2, 1>(a, b, unsigned, 8),
        (_, true) => pack_n::<4, 2>(a, b, unsigned, XMM_WIDTH),
        _ => pack_n::<4, 2>(a, b, unsigned, 8),
    }
}

#[inline(always)]
fn pack_n<const ES: u32, const H: u32>(a: u128, b: u128, unsigned: bool, w: u32) -> u128 {
    let n = w / ES;
    let narrow = |x: u64| {
        let x = sext(x, ES);
        if unsigned {
            sat_u(x, H)
        } else {
            sat_s(x, H)
        }
    };
    (0..n).fold(0, |r, i| {
        let r = with_lane(r, H, i, narrow(lane(a, ES, i)));
        with_lane(r, H, n + i, narrow(lane(b, ES, i)))
    })
}

/// Shift lanes by `count` (left, logical right or arithmetic right).
fn shift(a: u128, es: u32, count: u64, kind: u8) -> u128 {
    let bits = u64::from(es * 8);
    let mut l = lanes(a, es);
    for x in l.iter_mut().take((16 / es) as usize) {
        *x = match kind {
            0 if count < bits => *x << count,
            1 if count < bits => *x >> count,
            2 => (sext(*x, es) >> count.min(bits - 1)) as u64,
            _ => 0,
        };
    }
    from_lanes(&l, es)
}

/// Lanes of `src` chosen by 2-bit fields of `imm` (PSHUFD, and PSHUFLW/PSHUFHW on 4 word
/// lanes starting at `first`).
fn shuffle(src: u128, es: u32, first: usize, imm: u64) -> u128 {
    let l = lanes(src, es);
    let mut out = l;
    for i in 0..4 {
        out[first + i] = l[first + ((imm >> (2 * i)) & 3) as usize];
    }
    from_lanes(&out, es)
}

fn msb_mask(a: u128, es: u32) -> u64 {
    by_lane_size!(es, msb_mask_n(a))
}

/// The sign bits of the lanes of `ES` bytes, lane 0 in bit 0.
#[inline(always)]
fn msb_mask_n<const ES: u32>(a: u128) -> u64 {
    (0..16 / ES).fold(0, |m, i| m | (lane(a, ES, i) >> (ES * 8 - 1)) << i)
}

/// Apply a floating-point op to the scalar (low lane) or every lane.
fn fp_lanes(a: u128, b: u128, p: Prec, packed: bool, f: &mut impl FnMut(u64, u64) -> u64) -> u128 {
    let es = p.bits() / 8;
    let n = if packed { 16 / es } else { 1 };
    (0..n).fold(a, |r, i| {
        with_lane(r, es, i, f(lane(a, es, i), lane(b, es, i)))
    })
}

/// What the helper did: a new value for the destination register, or a returned value.
pub(super) struct Outcome {
    pub(super) d: Option<u128>,
    pub(super) ret: u64,
}

/// XMM registers are 16 bytes wide, MMX registers 8.
pub(super) const XMM_WIDTH: u32 = 16;

/// The integer operations on registers of `w` bytes ([`XMM_WIDTH`], or 8 for MMX with `a`
/// and `b` zero-extended; the low 8 bytes of the result are then the MMX result).
pub(super) fn vec_int(op: Op, a: u128, b: u128, x: u64, w: u32) -> Outcome {
    use Op::*;
    let ones = |c: bool| if c { u64::MAX } else { 0 };
    let v = match op {
        PcmpeqB => map2(a, b, 1, |x, y| ones(x == y)),
        PcmpeqW => map2(a, b, 2, |x, y| ones(x == y)),
        PcmpeqD => map2(a, b, 4, |x, y| ones(x == y)),
        PcmpgtB => map2(a, b, 1, |x, y| ones(sext(x, 1) > sext(y, 1))),
        PcmpgtW => map2(a, b, 2, |x, y| ones(sext(x, 2) > sext(y, 2))),
        PcmpgtD => map2(a, b, 4, |x, y| ones(sext(x, 4) > sext(y, 4))),
        PminUB => map2(a, b, 1, u64::min),
        PmaxUB => map2(a, b, 1, u64::max),
        PminSW => map2(a, b, 2, |x, y| if sext(x, 2) < sext(y, 2) { x } else { y }),
        PmaxSW => map2(a, b, 2, |x, y| if sext(x, 2) > sext(y, 2) { x } else { y }),
        PaddB => map2(a, b, 1, u64::wrapping_add),
        PaddW => map2(a, b, 2, u64::wrapping_add),
        PaddD => map2(a, b, 4, u64::wrapping_add),
        PaddQ => map2(a, b, 8, u64::wrapping_add),
        PsubB => map2(a, b, 1, u64::wrapping_sub),
        PsubW => map2(a, b, 2, u64::wrapping_sub),
        PsubD => map2(a, b, 4, u64::wrapping_sub),
        PsubQ => map2(a, b, 8, u64::wrapping_sub),
        PaddusB => map2(a, b, 1, |x, y| (x + y).min(0xff)),
        PaddusW => map2(a, b, 2, |x, y| (x + y).min(0xffff)),
        PsubusB | PsubusW => map2(a, b, if op == PsubusB { 1 } else { 2 }, u64::saturating_sub),
        PavgB => map2(a, b, 1, |x, y| (x + y + 1) >> 1),
        PavgW => map2(a, b, 2, |x, y| (x + y + 1) >> 1),
        PmullW => map2(a, b, 2, u64::wrapping_mul),
        PmulhW => map2(a, b, 2, |x, y| ((sext(x, 2) * sext(y, 2)) >> 16) as u64),
        PmulhuW => map2(a, b, 2, |x, y| (x * y) >> 16),
        PmuludQ => map2(a, b, 8, |x, y| (x & 0xffff_ffff) * (y & 0xffff_ffff)),
        PsadBW => {
            let half = |h: u32| -> u64 {
                (0..8)
                    .map(|i| lane(a, 1, h * 8 + i).abs_diff(lane(b, 1, h * 8 + i)))
                    .sum()
            };
            u128::from(half(0)) | u128::from(half(1)) << 64
        }
        PunpcklBW => unpack(a, b, 1, false, w),
        PunpcklWD => unpack(a, b, 2, false, w),
        PunpcklDQ => unpack(a, b, 4, false, w),
        PunpcklQDQ => unpack(a, b, 8, false, w),
        PunpckhBW => unpack(a, b, 1, true, w),
        PunpckhWD => unpack(a, b, 2, true, w),
        PunpckhDQ => unpack(a, b, 4, true, w),
        PunpckhQDQ => unpack(a, b, 8, true, w),
        PacksswB => pack(a, b, 2, false, w),
        PackuswB => pack(a, b, 2, true, w),
        PackssdW => pack(a, b, 4, false, w),
        PshufD => shuffle(b, 4, 0, x),
        PshufLW => shuffle(b, 2, 0, x),
        PshufHW => shuffle(b, 2, 4, x),
        ShufPS => (0..4).fold(0, |r, i| {
            let src = if i < 2 { a } else { b };
            with_lane(r, 4, i, lane(src, 4, (x >> (2 * i)) as u32 & 3))
        }),
        ShufPD => with_lane(
            with_lane(0, 8, 0, lane(a, 8, x as u32 & 1)),
            8,
            1,
            lane(b, 8, (x >> 1) as u32 & 1),
        ),
        PslldQ => a.checked_shl(8 * (x.min(16) as u32)).unwrap_or(0),
        PsrldQ => a.checked_shr(8 * (x.min(16) as u32)).unwrap_or(0),
        PsllW | PsllD | PsllQ | PsrlW | PsrlD | PsrlQ | PsraW | PsraD => {
            let (es, kind) = match op {
                PsllW => (2, 0),
                PsllD => (4, 0),
                PsllQ => (8, 0),
                PsrlW => (2, 1),
                PsrlD => (4, 1),
                PsrlQ => (8, 1),
                PsraW => (2, 2),
                _ => (4, 2),
            };
            shift(a, es, x, kind)
        }
        PmovmskB => {
            return Outcome {
                d: None,
                ret: msb_mask(b, 1),
            }
        }
        MovmskPS => {
            return Outcome {
                d: None,
                ret: msb_mask(b, 4),
            }
        }
        MovmskPD => {
            return Outcome {
                d: None,
                ret: msb_mask(b, 8),
            }
        }
        PextrW => {
            return Outcome {
                d: None,
                ret: lane(b, 2, x as u32 & 7),
            }
        }
        PinsrW => with_lane(a, 2, (x >> 16) as u32 & 7, x & 0xffff),
        PaddsB => map2(a, b, 1, |x, y| sat_s(sext(x, 1) + sext(y, 1), 1)),
        PaddsW => map2(a, b, 2, |x, y| sat_s(sext(x, 2) + sext(y, 2), 2)),
        PsubsB => map2(a, b, 1, |x, y| sat_s(sext(x, 1) - sext(y, 1), 1)),
        PsubsW => map2(a, b, 2, |x, y| sat_s(sext(x, 2) - sext(y, 2), 2)),
        PmaddWD => (0..4).fold(0, |r, i| {
            let p = |j: u32| sext(lane(a, 2, j), 2) * sext(lane(b, 2, j), 2);
            with_lane(r, 4, i, (p(2 * i) + p(2 * i + 1)) as u64)
        }),
        _ => a,
    };
    Outcome { d: Some(v), ret: 0 }
}

fn vec_fp(op: Op, wide: bool, a: u128, b: u128, x: u64, cpu: &mut X64Cpu) -> Outcome {
    use Op::*;
    let mut mx = Mx::new(cpu.mxcsr);
    let rm = mx.rm;
    let code = op as u8;
    let out = if let Some((p, kind, packed)) = fp_arith(op) {
        let v = fp_lanes(a, b, p, packed, &mut |x, y| arith2(p, kind, x, y, &mut mx));
        Outcome { d: Some(v), ret: 0 }
    } else if (SqrtSS as u8..=SqrtPD as u8).contains(&code) {
        let i = code - SqrtSS as u8;
        let p = if i.is_multiple_of(2) {
            Prec::S
        } else {
            Prec::D
        };
        let v = fp_lanes(a, b, p, i >= 2, &mut |_, y| sqrt(p, y, &mut mx));
        Outcome { d: Some(v), ret: 0 }
    } else {
        let trunc = RoundingMode::TowardZero;
        match op {
            CvtSI2SS | CvtSI2SD => {
                let p = if op == CvtSI2SS { Prec::S } else { Prec::D };
                let v = from_int(p, x, wide, &mut mx);
                Outcome {
                    d: Some(with_lane(a, p.bits() / 8, 0, v)),
                    ret: 0,
                }
            }
            CvttSS2SI | CvttSD2SI | CvtSS2SI | CvtSD2SI => {
                let p = if matches!(op, CvttSS2SI | CvtSS2SI) {
                    Prec::S
                } else {
                    Prec::D
                };
                let mode = if matches!(op, CvttSS2SI | CvttSD2SI) {
                    trunc
                } else {
                    rm
                };
                let v = lane(b, p.bits() / 8, 0);
                Outcome {
                    d: None,
                    ret: to_int(p, v, wide, mode, &mut mx),
                }
            }
            CvtSS2SD => Outcome {
                d: Some(with_lane(a, 8, 0, convert(Prec::S, lane(b, 4, 0), &mut mx))),
                ret: 0,
            },
            CvtSD2SS => Outcome {
                d: Some(with_lane(a, 4, 0, convert(Prec::D, lane(b, 8, 0), &mut mx))),
                ret: 0,
            },
            CvtPS2PD => {
                let v = (0..2).fold(0, |r, i| {
                    with_lane(r, 8, i, convert(Prec::S, lane(b, 4, i), &mut mx))
                });
                Outcome { d: Some(v), ret: 0 }
            }
            CvtPD2PS => {
                let v = (0..2).fold(0, |r, i| {
                    with_lane(r, 4, i, convert(Prec::D, lane(b, 8, i), &mut mx))
                });
                Outcome { d: Some(v), ret: 0 }
            }
            CvtDQ2PD => {
                let v = (0..2).fold(0, |r, i| {
                    with_lane(r, 8, i, from_int(Prec::D, lane(b, 4, i), false, &mut mx))
                });
                Outcome { d: Some(v), ret: 0 }
            }
            CvtDQ2PS => {
                let v = (0..4).fold(0, |r, i| {
                    with_lane(r, 4, i, from_int(Prec::S, lane(b, 4, i), false, &mut mx))
                });
                Outcome { d: Some(v), ret: 0 }
            }
            CvttPS2DQ => {
                let v = (0..4).fold(0, |r, i| {
                    with_lane(
                        r,
                        4,
                        i,
                        to_int(Prec::S, lane(b, 4, i), false, trunc, &mut mx),
                    )
                });
                Outcome { d: Some(v), ret: 0 }
            }
            UcomiSS | UcomiSD | ComiSS | ComiSD => {
                let p = if matches!(op, UcomiSS | ComiSS) {
                    Prec::S
                } else {
                    Prec::D
                };
                let es = p.bits() / 8;
                let signaling = matches!(op, ComiSS | ComiSD);
                Outcome {
                    d: None,
                    ret: compare(p, lane(a, es, 0), lane(b, es, 0), signaling, &mut mx),
                }
            }
            CvtPD2DQ | CvttPD2DQ => {
                let mode = if op == CvttPD2DQ { trunc } else { rm };
                let v = (0..2).fold(0, |r, i| {
                    with_lane(
                        r,
                        4,
                        i,
                        to_int(Prec::D, lane(b, 8, i), false, mode, &mut mx),
                    )
                });
                Outcome { d: Some(v), ret: 0 }
            }
            CvtPS2DQ => {
                let v = (0..4).fold(0, |r, i| {
                    with_lane(r, 4, i, to_int(Prec::S, lane(b, 4, i), false, rm, &mut mx))
                });
                Outcome { d: Some(v), ret: 0 }
            }
            CmpSS | CmpSD | CmpPS | CmpPD => {
                let p = if matches!(op, CmpSS | CmpPS) {
                    Prec::S
                } else {
                    Prec::D
                };
                let packed = matches!(op, CmpPS | CmpPD);
                let v = fp_lanes(a, b, p, packed, &mut |x1, y1| {
                    if cmp_predicate(p, x & 7, x1, y1, &mut mx) {
                        p.mask()
                    } else {
                        0
                    }
                });
                Outcome { d: Some(v), ret: 0 }
            }
            _ => Outcome { d: None, ret: 0 },
        }
    };
    cpu.mxcsr |= mx.raised();
    out
}

pub(super) fn xmm(cpu: &X64Cpu, r: u64) -> u128 {
    let [lo, hi] = cpu.xmm[(r % 17) as usize];
    u128::from(lo) | u128::from(hi) << 64
}

/// `kind` (0 add, 1 sub, 2 mul, 3 div) of `a` and `b` on the host's IEEE arithmetic when
/// that is exactly the guest's result and raises no flag but inexact (see
/// [`crate::x86_64::mxcsr::host_arith_ok`]): operands finite and not denormal, the divisor not
/// zero, and a result that is normal — or zero from an exact cancellation or a zero operand.
/// `None`: take the full path.
macro_rules! host_arith {
    ($name:ident, $f:ty, $bits:ty, $exp_shift:expr, $exp_max:expr) => {
        fn $name(kind: u8, a: $bits, b: $bits) -> Option<$bits> {
            let exp = |x: $bits| (x >> $exp_shift) & $exp_max;
            let is_zero = |x: $bits| x << 1 == 0;
            let ordinary = |x: $bits| is_zero(x) || (exp(x) != 0 && exp(x) != $exp_max);
            if !ordinary(a) || !ordinary(b) {
                return None;
            }
            let (x, y) = (<$f>::from_bits(a), <$f>::from_bits(b));
            let r = match kind {
                0 => x + y,
                1 => x - y,
                2 => x * y,
                3 if !is_zero(b) => x / y,
                _ => return None,
            };
            let r = r.to_bits();
            let zero_ok = kind < 2 || is_zero(a) || (kind == 2 && is_zero(b));
            let normal = exp(r) != 0 && exp(r) != $exp_max;
            (normal || (is_zero(r) && zero_ok)).then_some(r)
        }
    };
}

host_arith!(host_arith_f64, f64, u64, 52, 0x7ff);
host_arith!(host_arith_f32, f32, u32, 23, 0xff);

/// ADD/SUB/MUL/DIV/MIN/MAX in its four shapes: precision, `arith2` kind, packed.
fn fp_arith(o: Op) -> Option<(Prec, u8, bool)> {
    let i = (o as u8).checked_sub(Op::AddSS as u8)?;
    if o as u8 > Op::MaxPD as u8 {
        return None;
    }
    let p = if i.is_multiple_of(2) {
        Prec::S
    } else {
        Prec::D
    };
    Some((p, i / 4, i % 4 >= 2))
}

/// Every lane (the low one for scalars) of XMM `d` op XMM `s` on the host's arithmetic, when
/// MXCSR and every lane allow it ([`host_arith_f64`]); false (nothing written) otherwise.
fn host_lanes(cpu: &mut X64Cpu, p: Prec, kind: u8, packed: bool, d: usize, s: usize) -> bool {
    if !crate::x86_64::mxcsr::host_arith_ok(cpu.mxcsr) {
        return false;
    }
    let es = p.bits() / 8;
    let n = if packed { 16 / es } else { 1 };
    let (a, b) = (xmm(cpu, d as u64), xmm(cpu, s as u64));
    let mut r = a;
    for i in 0..n {
        let (x, y) = (lane(a, es, i), lane(b, es, i));
        let v = match p {
            Prec::D => host_arith_f64(kind, x, y),
            Prec::S => host_arith_f32(kind, x as u32, y as u32).map(u64::from),
        };
        let Some(v) = v else {
            return false;
        };
        r = with_lane(r, es, i, v);
    }
    cpu.xmm[d] = [r as u64, (r >> 64) as u64];
    true
}

/// The scalar forms without the 128-bit lane plumbing (the hot path of scalar FP code): the
/// low lane of XMM `d` becomes `d op s`, the rest of `d` is kept.
fn scalar(cpu: &mut X64Cpu, p: Prec, kind: u8, d: usize, s: usize) {
    let mut mx = Mx::new(cpu.mxcsr);
    let a = cpu.xmm[d][0];
    let r = arith2(p, kind, a, cpu.xmm[s][0], &mut mx);
    cpu.xmm[d][0] = (a & !p.mask()) | (r & p.mask());
    cpu.mxcsr |= mx.raised();
}

extern "C" fn helper_sse(env: *mut u8, op: u64, d: u64, s: u64, x: u64) -> u64 {
    // SAFETY: called only from translated x86_64 code, whose `env` is the live `X64Cpu` of
    // this guest thread; nothing else references it while the helper runs.
    let cpu = unsafe { &mut *env.cast::<X64Cpu>() };
    let Some(o) = Op::from_code(op as u8) else {
        return 0;
    };
    if let Some((p, kind, packed)) = fp_arith(o) {
        let (d, s) = ((d % 17) as usize, (s % 17) as usize);
        if kind < 4 && host_lanes(cpu, p, kind, packed, d, s) {
            return 0;
        }
        if !packed {
            scalar(cpu, p, kind, d, s);
            return 0;
        }
    }
    let (a, b) = (xmm(cpu, d), xmm(cpu, s));
    let out = if (o as u8) < Op::AddSS as u8 {
        vec_int(o, a, b, x, XMM_WIDTH)
    } else {
        vec_fp(o, op & WIDE != 0, a, b, x, cpu)
    };
    if let Some(v) = out.d {
        cpu.xmm[(d % 17) as usize] = [v as u64, (v >> 64) as u64];
    }
    out.ret
}

/// `x64_sse(op, d, s, x)`: see the module docs.
pub(crate) static SSE: Helper = Helper {
    name: "x64_sse",
    func: HelperFn::A4(helper_sse),
    nargs: 4,
    ret: Some(Type::I64),
    effects: HelperEffects {
        reads_state: true,
        writes_state: true,
        memory: false,
    },
};

pub(crate) static HELPERS: &[&Helper] = &[&SSE];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_codes_round_trip() {
        for op in [
            Op::PcmpeqB,
            Op::PmaddWD,
            Op::AddSS,
            Op::ComiSD,
            Op::CvtPS2DQ,
        ] {
            assert_eq!(Op::from_code(op as u8), Some(op));
        }
        assert_eq!(Op::from_code(Op::CvtPS2DQ as u8 + 1), None);
    }

    #[test]
    fn quiet_bits() {
        assert_eq!(Prec::S.quiet_bit(), 1 << 22);
        assert_eq!(Prec::D.quiet_bit(), 1 << 51);
    }
}
