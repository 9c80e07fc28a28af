//! Arm (A64) floating-point semantics on top of SoftFloat: the FPCR controls (rounding mode
//! RMode bits 23:22, flush-to-zero FZ bit 24, default NaN DN bit 25), Arm's NaN propagation
//! (`FPProcessNaNs`/`FPProcessNaNs3` of the Arm ARM), flushing of denormal inputs (IDC) and
//! outputs (UFC), tininess detected before rounding, and the FPSR cumulative flag layout
//! (IOC bit 0, DZC 1, OFC 2, UFC 3, IXC 4, IDC 7).
//!
//! SoftFloat is built with the RISC-V specialization, whose NaN results are always the
//! canonical NaN — which happens to be Arm's default NaN. Every operation here therefore
//! handles NaN operands itself before calling SoftFloat, so SoftFloat only ever produces a NaN
//! for an invalid operation (where Arm wants the default NaN too).
//!
//! Values travel as raw bits in a `u64` (binary16 and binary32 in the low bits, the bits above
//! zero; 32-bit integers likewise). An [`FpCtx`] holds the FPCR of the operation (AHP bit 26
//! selects the alternative half-precision format for conversions) and accumulates the FPSR flags
//! it raises in `flags`. Half precision is supported for conversions; FZ does not apply to it
//! (FZ16 is not implemented, as FEAT_FP16 arithmetic is not).

use softfloat_sys as sf;

use crate::fast;
use crate::{Flags, RoundingMode};

/// FPSR cumulative exception bits.
pub const IOC: u32 = 1 << 0;
pub const DZC: u32 = 1 << 1;
pub const OFC: u32 = 1 << 2;
pub const UFC: u32 = 1 << 3;
pub const IXC: u32 = 1 << 4;
pub const IDC: u32 = 1 << 7;

/// FPCR control bits.
pub const FPCR_FZ: u64 = 1 << 24;
pub const FPCR_DN: u64 = 1 << 25;
pub const FPCR_AHP: u64 = 1 << 26;

/// A floating-point precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prec {
    H,
    S,
    D,
}

impl Prec {
    /// Width in bits.
    pub fn bits(self) -> u32 {
        match self {
            Prec::H => 16,
            Prec::S => 32,
            Prec::D => 64,
        }
    }
}

/// Two-operand operations (`a op b`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op2 {
    Add,
    Sub,
    Mul,
    Div,
    Max,
    Min,
    MaxNm,
    MinNm,
    /// FNMUL: `-(a * b)`.
    Nmul,
    /// FMULX: FMUL with `0 * inf = ±2`.
    Mulx,
    /// FABD: `|a - b|`.
    Abd,
    /// FRECPS: `2 - a * b` (fused).
    Recps,
    /// FRSQRTS: `(3 - a * b) / 2` (fused).
    Rsqrts,
}

impl Op2 {
    /// Every operation, indexed by [`Op2::code`].
    pub const ALL: [Op2; 13] = [
        Op2::Add,
        Op2::Sub,
        Op2::Mul,
        Op2::Div,
        Op2::Max,
        Op2::Min,
        Op2::MaxNm,
        Op2::MinNm,
        Op2::Nmul,
        Op2::Mulx,
        Op2::Abd,
        Op2::Recps,
        Op2::Rsqrts,
    ];

    /// A small integer naming the operation (for passing through helper arguments).
    pub fn code(self) -> u64 {
        self as u64
    }

    /// The operation a [`Op2::code`] names.
    pub fn from_code(code: u64) -> Option<Op2> {
        Self::ALL.get(code as usize).copied()
    }
}

/// Floating-point compares producing a mask (FCMEQ/FCMGE/FCMGT/FACGE/FACGT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ge,
    Gt,
    AbsGe,
    AbsGt,
}

/// A NZCV result of FCMP: unordered.
pub const NZCV_UNORDERED: u32 = 0b0011;
/// Equal.
pub const NZCV_EQUAL: u32 = 0b0110;
/// Less than.
pub const NZCV_LESS: u32 = 0b1000;
/// Greater than.
pub const NZCV_GREATER: u32 = 0b0010;

/// One IEEE format as SoftFloat implements it, with bits widened to `u64`.
trait Fmt {
    const FRAC_BITS: u32;
    const EXP_BITS: u32;
    const SIGN: u64 = 1 << (Self::FRAC_BITS + Self::EXP_BITS);
    const EXP: u64 = ((1 << Self::EXP_BITS) - 1) << Self::FRAC_BITS;
    const FRAC: u64 = (1 << Self::FRAC_BITS) - 1;
    const QUIET: u64 = 1 << (Self::FRAC_BITS - 1);
    const DEFAULT_NAN: u64 = Self::EXP | Self::QUIET;
    const BIAS: u64 = (1 << (Self::EXP_BITS - 1)) - 1;
    /// Largest finite value.
    const MAX_NORMAL: u64 = (Self::EXP - (1 << Self::FRAC_BITS)) | Self::FRAC;

    fn add(a: u64, b: u64) -> u64;
    fn sub(a: u64, b: u64) -> u64;
    fn mul(a: u64, b: u64) -> u64;
    fn div(a: u64, b: u64) -> u64;
    fn sqrt(a: u64) -> u64;
    /// Fused `a * b + c`.
    fn fma(a: u64, b: u64, c: u64) -> u64;
    /// The hardfloat fast path of `op` (binary32 and binary64; `None`: SoftFloat decides).
    fn fast(_op: fast::Op, _args: [u64; 3], _rm: RoundingMode) -> Option<(u64, Flags)> {
        None
    }
    /// `op` through the fast path or SoftFloat (in the thread's current mode).
    fn basic(op: fast::Op, [a, b, c]: [u64; 3]) -> u64 {
        match op {
            fast::Op::Add => Self::add(a, b),
            fast::Op::Sub => Self::sub(a, b),
            fast::Op::Mul => Self::mul(a, b),
            fast::Op::Div => Self::div(a, b),
            fast::Op::Sqrt => Self::sqrt(a),
            fast::Op::MulAdd => Self::fma(a, b, c),
        }
    }
    fn eq(a: u64, b: u64) -> bool;
    fn lt(a: u64, b: u64) -> bool;
    fn round_to_int(a: u64, rm: u8, exact: bool) -> u64;
    /// To an integer (`wide`: 64-bit), raw bits, saturating.
    fn to_int(a: u64, rm: u8, signed: bool, wide: bool) -> u64;
    /// From an integer (`wide`: 64-bit source).
    fn from_int(v: u64, signed: bool, wide: bool) -> u64;

    /// `2^e` for a small `e` (normal range only).
    fn pow2(e: i32) -> u64 {
        ((Self::BIAS as i64 + i64::from(e)) as u64) << Self::FRAC_BITS
    }
    fn is_nan(a: u64) -> bool {
        a & Self::EXP == Self::EXP && a & Self::FRAC != 0
    }
    fn is_snan(a: u64) -> bool {
        Self::is_nan(a) && a & Self::QUIET == 0
    }
    fn is_qnan(a: u64) -> bool {
        Self::is_nan(a) && a & Self::QUIET != 0
    }
    fn is_inf(a: u64) -> bool {
        a & !Self::SIGN == Self::EXP
    }
    fn is_zero(a: u64) -> bool {
        a & !Self::SIGN == 0
    }
    fn is_denormal(a: u64) -> bool {
        a & Self::EXP == 0 && a & Self::FRAC != 0
    }
    fn neg(a: u64) -> u64 {
        a ^ Self::SIGN
    }
    fn abs(a: u64) -> u64 {
        a & !Self::SIGN
    }
    fn sign(a: u64) -> u64 {
        a & Self::SIGN
    }
}

/// binary16.
struct H;
/// binary32.
struct S;
/// binary64.
struct D;

macro_rules! impl_fmt {
    ($fmt:ident, $t:ident, $bits:ty, $(host: $host:ty,)? exp: $e:expr, frac: $f:expr,
     [$add:ident, $sub:ident, $mul:ident, $div:ident, $sqrt:ident, $fma:ident, $eq:ident,
      $lt:ident, $rint:ident],
     to: [$ti32:ident, $tu32:ident, $ti64:ident, $tu64:ident],
     from: [$fi32:ident, $fu32:ident, $fi64:ident, $fu64:ident]) => {
        impl Fmt for $fmt {
            const FRAC_BITS: u32 = $f;
            const EXP_BITS: u32 = $e;

            $(
                fn fast(op: fast::Op, args: [u64; 3], rm: RoundingMode) -> Option<(u64, Flags)> {
                    fast::apply::<$host>(op, args, rm)
                }
            )?

            fn add(a: u64, b: u64) -> u64 {
                // SAFETY: SoftFloat arithmetic only touches its thread-local mode and flags.
                u64::from(unsafe { sf::$add(sf::$t { v: a as $bits }, sf::$t { v: b as $bits }).v })
            }
            fn sub(a: u64, b: u64) -> u64 {
                // SAFETY: as above.
                u64::from(unsafe { sf::$sub(sf::$t { v: a as $bits }, sf::$t { v: b as $bits }).v })
            }
            fn mul(a: u64, b: u64) -> u64 {
                // SAFETY: as above.
                u64::from(unsafe { sf::$mul(sf::$t { v: a as $bits }, sf::$t { v: b as $bits }).v })
            }
            fn div(a: u64, b: u64) -> u64 {
                // SAFETY: as above.
                u64::from(unsafe { sf::$div(sf::$t { v: a as $bits }, sf::$t { v: b as $bits }).v })
            }
            fn sqrt(a: u64) -> u64 {
                // SAFETY: as above.
                u64::from(unsafe { sf::$sqrt(sf::$t { v: a as $bits }).v })
            }
            fn fma(a: u64, b: u64, c: u64) -> u64 {
                let (a, b, c) = (
                    sf::$t { v: a as $bits },
                    sf::$t { v: b as $bits },
                    sf::$t { v: c as $bits },
                );
                // SAFETY: as above.
                u64::from(unsafe { sf::$fma(a, b, c).v })
            }
            fn eq(a: u64, b: u64) -> bool {
                // SAFETY: as above.
                unsafe { sf::$eq(sf::$t { v: a as $bits }, sf::$t { v: b as $bits }) }
            }
            fn lt(a: u64, b: u64) -> bool {
                // SAFETY: as above.
                unsafe { sf::$lt(sf::$t { v: a as $bits }, sf::$t { v: b as $bits }) }
            }
            fn round_to_int(a: u64, rm: u8, exact: bool) -> u64 {
                // SAFETY: as above.
                u64::from(unsafe { sf::$rint(sf::$t { v: a as $bits }, rm, exact).v })
            }
            fn to_int(a: u64, rm: u8, signed: bool, wide: bool) -> u64 {
                let a = sf::$t { v: a as $bits };
                // SAFETY: as above. The RISC-V specialization saturates out-of-range values the
                // way Arm does; NaNs never get here.
                unsafe {
                    match (signed, wide) {
                        (true, false) => u64::from(sf::$ti32(a, rm, true) as i32 as u32),
                        (false, false) => u64::from(sf::$tu32(a, rm, true) as u32),
                        (true, true) => sf::$ti64(a, rm, true) as u64,
                        (false, true) => sf::$tu64(a, rm, true) as u64,
                    }
                }
            }
            fn from_int(v: u64, signed: bool, wide: bool) -> u64 {
                // SAFETY: as above.
                u64::from(unsafe {
                    match (signed, wide) {
                        (true, false) => sf::$fi32(v as u32 as i32).v,
                        (false, false) => sf::$fu32(v as u32).v,
                        (true, true) => sf::$fi64(v as i64).v,
                        (false, true) => sf::$fu64(v).v,
                    }
                })
            }
        }
    };
}

impl_fmt!(H, float16_t, u16, exp: 5, frac: 10,
    [f16_add, f16_sub, f16_mul, f16_div, f16_sqrt, f16_mulAdd, f16_eq, f16_lt_quiet,
     f16_roundToInt],
    to: [f16_to_i32, f16_to_ui32, f16_to_i64, f16_to_ui64],
    from: [i32_to_f16, ui32_to_f16, i64_to_f16, ui64_to_f16]);
impl_fmt!(S, float32_t, u32, host: f32, exp: 8, frac: 23,
    [f32_add, f32_sub, f32_mul, f32_div, f32_sqrt, f32_mulAdd, f32_eq, f32_lt_quiet,
     f32_roundToInt],
    to: [f32_to_i32, f32_to_ui32, f32_to_i64, f32_to_ui64],
    from: [i32_to_f32, ui32_to_f32, i64_to_f32, ui64_to_f32]);
impl_fmt!(D, float64_t, u64, host: f64, exp: 11, frac: 52,
    [f64_add, f64_sub, f64_mul, f64_div, f64_sqrt, f64_mulAdd, f64_eq, f64_lt_quiet,
     f64_roundToInt],
    to: [f64_to_i32, f64_to_ui32, f64_to_i64, f64_to_ui64],
    from: [i32_to_f64, ui32_to_f64, i64_to_f64, ui64_to_f64]);

/// Runs `op` with a generic format alias `F` bound to the format of `p`.
macro_rules! by_prec {
    ($p:expr, $f:ident => $e:expr) => {
        match $p {
            Prec::H => {
                type $f = H;
                $e
            }
            Prec::S => {
                type $f = S;
                $e
            }
            Prec::D => {
                type $f = D;
                $e
            }
        }
    };
}

/// FPSR bits for SoftFloat's flags.
fn arm_flags(sf_flags: u8) -> u32 {
    [
        (sf::softfloat_flag_invalid, IOC),
        (sf::softfloat_flag_infinite, DZC),
        (sf::softfloat_flag_overflow, OFC),
        (sf::softfloat_flag_underflow, UFC),
        (sf::softfloat_flag_inexact, IXC),
    ]
    .iter()
    .filter(|(s, _)| sf_flags & s != 0)
    .fold(0, |acc, (_, a)| acc | a)
}

/// Runs `op` (SoftFloat calls) with rounding mode `rm`, tininess detected before rounding (as
/// Arm does) and no pending flags; returns its result and SoftFloat's raised flags. The
/// thread's tininess mode is restored afterwards (the RISC-V guest detects it after rounding).
fn soft<T>(rm: u8, op: impl FnOnce() -> T) -> (T, u8) {
    let modes = crate::Modes {
        rounding: rm,
        tininess: sf::softfloat_tininess_beforeRounding,
        ext_precision: None,
    };
    crate::with_modes(modes, op)
}

/// The SoftFloat rounding-mode constant of a [`RoundingMode`].
fn sf_mode(rm: RoundingMode) -> u8 {
    rm as u8
}

/// The rounding mode of an FPCR RMode field value (0 RN, 1 RP, 2 RM, 3 RZ).
pub fn rmode_from_fpcr_bits(rmode: u64) -> RoundingMode {
    match rmode & 3 {
        0 => RoundingMode::NearestEven,
        1 => RoundingMode::Up,
        2 => RoundingMode::Down,
        _ => RoundingMode::TowardZero,
    }
}

/// The floating-point context of one instruction: its FPCR and the FPSR flags raised so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FpCtx {
    pub fpcr: u64,
    /// Cumulative FPSR exception bits raised (IOC..IXC, IDC).
    pub flags: u32,
}

impl FpCtx {
    /// A context for `fpcr` with no flags raised.
    pub fn new(fpcr: u64) -> Self {
        FpCtx { fpcr, flags: 0 }
    }

    /// The FPCR rounding mode.
    pub fn rmode(&self) -> RoundingMode {
        rmode_from_fpcr_bits(self.fpcr >> 22)
    }

    fn fz(&self) -> bool {
        self.fpcr & FPCR_FZ != 0
    }

    fn dn(&self) -> bool {
        self.fpcr & FPCR_DN != 0
    }

    /// FZ applies to single and double precision only (half precision has FZ16).
    fn flushes<F: Fmt>(&self) -> bool {
        self.fz() && F::EXP_BITS > 5
    }

    /// FPUnpack's flushing of a denormal input (IDC).
    fn flush_in<F: Fmt>(&mut self, a: u64) -> u64 {
        if self.flushes::<F>() && F::is_denormal(a) {
            self.flags |= IDC;
            F::sign(a)
        } else {
            a
        }
    }

    /// The NaN result for a (quieted) NaN operand.
    fn nan_result<F: Fmt>(&self, q: u64) -> u64 {
        if self.dn() {
            F::DEFAULT_NAN
        } else {
            q | F::QUIET
        }
    }

    /// FPProcessNaNs / FPProcessNaNs3: the first signaling NaN (IOC), else the first quiet NaN.
    fn process_nans<F: Fmt>(&mut self, ops: &[u64]) -> Option<u64> {
        if let Some(&s) = ops.iter().find(|&&x| F::is_snan(x)) {
            self.flags |= IOC;
            return Some(self.nan_result::<F>(s));
        }
        ops.iter()
            .find(|&&x| F::is_nan(x))
            .map(|&q| self.nan_result::<F>(q))
    }

    /// Accrues SoftFloat's flags for a result, flushing a tiny result to zero under FZ (UFC
    /// only, as FPRound does).
    fn finish<F: Fmt>(&mut self, r: u64, sf_flags: u8) -> u64 {
        if self.flushes::<F>()
            && (F::is_denormal(r) || sf_flags & sf::softfloat_flag_underflow != 0)
        {
            self.flags |= UFC;
            return F::sign(r);
        }
        self.flags |= arm_flags(sf_flags);
        r
    }

    /// A rounded SoftFloat computation in the FPCR rounding mode.
    fn rounded<F: Fmt>(&mut self, op: impl FnOnce() -> u64) -> u64 {
        let (r, fl) = soft(sf_mode(self.rmode()), op);
        self.finish::<F>(r, fl)
    }

    /// A basic operation (NaNs already handled, inputs flushed): the hardfloat fast path
    /// when it applies, else SoftFloat in the FPCR rounding mode.
    fn basic<F: Fmt>(&mut self, op: fast::Op, args: [u64; 3]) -> u64 {
        match F::fast(op, args, self.rmode()) {
            Some((r, fl)) => self.finish::<F>(r, fl.0),
            None => self.rounded::<F>(|| F::basic(op, args)),
        }
    }

    fn arith<F: Fmt>(&mut self, a: u64, b: u64, op: fast::Op) -> u64 {
        let (a, b) = (self.flush_in::<F>(a), self.flush_in::<F>(b));
        if let Some(n) = self.process_nans::<F>(&[a, b]) {
            return n;
        }
        self.basic::<F>(op, [a, b, 0])
    }

    /// FPMulAdd: `addend + a * b` with one rounding.
    fn fma<F: Fmt>(&mut self, addend: u64, a: u64, b: u64) -> u64 {
        let c = self.flush_in::<F>(addend);
        let (a, b) = (self.flush_in::<F>(a), self.flush_in::<F>(b));
        let inf_zero = (F::is_inf(a) && F::is_zero(b)) || (F::is_zero(a) && F::is_inf(b));
        if F::is_qnan(c) && inf_zero {
            self.flags |= IOC;
            return F::DEFAULT_NAN;
        }
        if let Some(n) = self.process_nans::<F>(&[c, a, b]) {
            return n;
        }
        self.basic::<F>(fast::Op::MulAdd, [a, b, c])
    }

    fn min_max<F: Fmt>(&mut self, a: u64, b: u64, max: bool, number: bool) -> u64 {
        let (mut a, mut b) = (self.flush_in::<F>(a), self.flush_in::<F>(b));
        if number {
            // FMAXNM/FMINNM: a lone quiet NaN loses to any number.
            let loser = if max { F::EXP | F::SIGN } else { F::EXP };
            if F::is_qnan(a) && !F::is_nan(b) {
                a = loser;
            } else if F::is_qnan(b) && !F::is_nan(a) {
                b = loser;
            }
        }
        if let Some(n) = self.process_nans::<F>(&[a, b]) {
            return n;
        }
        if F::is_zero(a) && F::is_zero(b) {
            return if max { a & b } else { a | b };
        }
        let (a_lt_b, _) = soft(0, || F::lt(a, b));
        if a_lt_b == max {
            b
        } else {
            a
        }
    }

    fn mulx<F: Fmt>(&mut self, a: u64, b: u64) -> u64 {
        let (a, b) = (self.flush_in::<F>(a), self.flush_in::<F>(b));
        if (F::is_inf(a) && F::is_zero(b)) || (F::is_zero(a) && F::is_inf(b)) {
            return F::pow2(1) | ((a ^ b) & F::SIGN);
        }
        self.arith::<F>(a, b, fast::Op::Mul)
    }

    /// FRECPS (`2 - a * b`) / FRSQRTS (`(3 - a * b) / 2`), fused, with `0 * inf` giving 2 / 1.5.
    fn step<F: Fmt>(&mut self, a: u64, b: u64, rsqrt: bool) -> u64 {
        let a = F::neg(self.flush_in::<F>(a));
        let b = self.flush_in::<F>(b);
        if (F::is_inf(a) && F::is_zero(b)) || (F::is_zero(a) && F::is_inf(b)) {
            return if rsqrt {
                F::pow2(0) | F::QUIET
            } else {
                F::pow2(1)
            };
        }
        if let Some(n) = self.process_nans::<F>(&[a, b]) {
            return n;
        }
        if rsqrt {
            // (3 - a*b) / 2 with one rounding: halve an operand whose halving is exact (a
            // normal one above the smallest binade, an infinity or a zero) and add 1.5. When
            // neither is, the product is tiny and rounding (3 - a*b) before halving is exact.
            let exact_half = |x: u64| x & F::EXP > 1 << F::FRAC_BITS || F::is_zero(x);
            let half = |x: u64| soft(0, || F::mul(x, F::pow2(-1))).0;
            let one_half = F::pow2(0) | F::QUIET;
            if exact_half(a) {
                let a = half(a);
                self.rounded::<F>(|| F::fma(a, b, one_half))
            } else if exact_half(b) {
                let b = half(b);
                self.rounded::<F>(|| F::fma(a, b, one_half))
            } else {
                let three = F::pow2(1) | F::QUIET;
                let r = self.rounded::<F>(|| F::fma(a, b, three));
                self.rounded::<F>(|| F::mul(r, F::pow2(-1)))
            }
        } else {
            self.rounded::<F>(|| F::fma(a, b, F::pow2(1)))
        }
    }

    fn op2_g<F: Fmt>(&mut self, op: Op2, a: u64, b: u64) -> u64 {
        match op {
            Op2::Add => self.arith::<F>(a, b, fast::Op::Add),
            Op2::Sub => self.arith::<F>(a, b, fast::Op::Sub),
            Op2::Mul => self.arith::<F>(a, b, fast::Op::Mul),
            Op2::Div => self.arith::<F>(a, b, fast::Op::Div),
            Op2::Max => self.min_max::<F>(a, b, true, false),
            Op2::Min => self.min_max::<F>(a, b, false, false),
            Op2::MaxNm => self.min_max::<F>(a, b, true, true),
            Op2::MinNm => self.min_max::<F>(a, b, false, true),
            Op2::Nmul => F::neg(self.arith::<F>(a, b, fast::Op::Mul)),
            Op2::Mulx => self.mulx::<F>(a, b),
            Op2::Abd => F::abs(self.arith::<F>(a, b, fast::Op::Sub)),
            Op2::Recps => self.step::<F>(a, b, false),
            Op2::Rsqrts => self.step::<F>(a, b, true),
        }
    }

    /// A two-operand operation `a op b`.
    pub fn op2(&mut self, op: Op2, p: Prec, a: u64, b: u64) -> u64 {
        by_prec!(p, F => self.op2_g::<F>(op, a, b))
    }

    /// FMADD and its family (negate the operands first with [`neg`]): `addend + a * b`.
    pub fn mul_add(&mut self, p: Prec, addend: u64, a: u64, b: u64) -> u64 {
        by_prec!(p, F => self.fma::<F>(addend, a, b))
    }

    fn sqrt_g<F: Fmt>(&mut self, a: u64) -> u64 {
        let a = self.flush_in::<F>(a);
        if let Some(n) = self.process_nans::<F>(&[a]) {
            return n;
        }
        self.basic::<F>(fast::Op::Sqrt, [a, 0, 0])
    }

    /// FSQRT.
    pub fn sqrt(&mut self, p: Prec, a: u64) -> u64 {
        by_prec!(p, F => self.sqrt_g::<F>(a))
    }

    fn compare_g<F: Fmt>(&mut self, a: u64, b: u64, signaling: bool) -> u32 {
        let (a, b) = (self.flush_in::<F>(a), self.flush_in::<F>(b));
        if F::is_nan(a) || F::is_nan(b) {
            if signaling || F::is_snan(a) || F::is_snan(b) {
                self.flags |= IOC;
            }
            return NZCV_UNORDERED;
        }
        let ((eq, lt), _) = soft(0, || (F::eq(a, b), F::lt(a, b)));
        if eq {
            NZCV_EQUAL
        } else if lt {
            NZCV_LESS
        } else {
            NZCV_GREATER
        }
    }

    /// FCMP (`signaling` false) / FCMPE: the NZCV flags (bits 3:0 = N Z C V).
    pub fn compare(&mut self, p: Prec, a: u64, b: u64, signaling: bool) -> u32 {
        by_prec!(p, F => self.compare_g::<F>(a, b, signaling))
    }

    fn cmp_mask_g<F: Fmt>(&mut self, op: Cmp, a: u64, b: u64) -> bool {
        let (a, b) = (self.flush_in::<F>(a), self.flush_in::<F>(b));
        let quiet = op == Cmp::Eq;
        if F::is_nan(a) || F::is_nan(b) {
            if !quiet || F::is_snan(a) || F::is_snan(b) {
                self.flags |= IOC;
            }
            return false;
        }
        let (a, b) = match op {
            Cmp::AbsGe | Cmp::AbsGt => (F::abs(a), F::abs(b)),
            _ => (a, b),
        };
        let ((eq, lt), _) = soft(0, || (F::eq(a, b), F::lt(a, b)));
        match op {
            Cmp::Eq => eq,
            Cmp::Ge | Cmp::AbsGe => !lt,
            Cmp::Gt | Cmp::AbsGt => !lt && !eq,
        }
    }

    /// FCMEQ/FCMGE/FCMGT/FACGE/FACGT: whether `a op b` holds (NaN: false).
    pub fn cmp_mask(&mut self, op: Cmp, p: Prec, a: u64, b: u64) -> bool {
        by_prec!(p, F => self.cmp_mask_g::<F>(op, a, b))
    }

    fn round_int_g<F: Fmt>(&mut self, a: u64, rm: RoundingMode, exact: bool) -> u64 {
        let a = self.flush_in::<F>(a);
        if let Some(n) = self.process_nans::<F>(&[a]) {
            return n;
        }
        let (r, fl) = soft(sf_mode(rm), || F::round_to_int(a, sf_mode(rm), exact));
        self.flags |= arm_flags(fl);
        r
    }

    /// FRINT*: round to an integral value in `rm` (`exact`: FRINTX, raising IXC).
    pub fn round_int(&mut self, p: Prec, a: u64, rm: RoundingMode, exact: bool) -> u64 {
        by_prec!(p, F => self.round_int_g::<F>(a, rm, exact))
    }

    fn float_to_int_g<F: Fmt>(
        &mut self,
        a: u64,
        rm: RoundingMode,
        signed: bool,
        wide: bool,
        fbits: u32,
    ) -> u64 {
        let a = self.flush_in::<F>(a);
        if F::is_nan(a) {
            self.flags |= IOC;
            return 0;
        }
        // Scaling by a power of two is exact (an overflow to infinity saturates anyway).
        let scaled = match fbits {
            0 => a,
            _ => soft(0, || F::mul(a, F::pow2(fbits as i32))).0,
        };
        let (r, fl) = soft(sf_mode(rm), || F::to_int(scaled, sf_mode(rm), signed, wide));
        self.flags |= arm_flags(fl);
        r
    }

    /// FCVT[NAPMZ][SU]: to a 32-bit (`wide` false; raw bits) or 64-bit integer, with `fbits`
    /// fraction bits; saturating, NaN gives 0 (IOC).
    pub fn float_to_int(
        &mut self,
        p: Prec,
        a: u64,
        rm: RoundingMode,
        signed: bool,
        wide: bool,
        fbits: u32,
    ) -> u64 {
        by_prec!(p, F => self.float_to_int_g::<F>(a, rm, signed, wide, fbits))
    }

    fn int_to_float_g<F: Fmt>(&mut self, v: u64, signed: bool, wide: bool, fbits: u32) -> u64 {
        let (r, fl) = soft(sf_mode(self.rmode()), || F::from_int(v, signed, wide));
        self.flags |= arm_flags(fl);
        if fbits == 0 || F::is_zero(r) {
            return r;
        }
        soft(0, || F::mul(r, F::pow2(-(fbits as i32)))).0
    }

    /// SCVTF/UCVTF from a 32-bit (`wide` false) or 64-bit integer with `fbits` fraction bits.
    pub fn int_to_float(&mut self, p: Prec, v: u64, signed: bool, wide: bool, fbits: u32) -> u64 {
        by_prec!(p, F => self.int_to_float_g::<F>(v, signed, wide, fbits))
    }

    /// FCVT between precisions, rounding with the FPCR mode.
    pub fn convert(&mut self, from: Prec, to: Prec, a: u64) -> u64 {
        self.convert_rm(from, to, a, sf_mode(self.rmode()))
    }

    /// FCVTXN: binary64 to binary32 rounding to odd.
    pub fn convert_odd(&mut self, a: u64) -> u64 {
        self.convert_rm(Prec::D, Prec::S, a, sf::softfloat_round_odd)
    }

    fn convert_rm(&mut self, from: Prec, to: Prec, a: u64, rm: u8) -> u64 {
        let a = match from {
            Prec::H => a & 0xffff,
            Prec::S => self.flush_in::<S>(a & 0xffff_ffff),
            Prec::D => self.flush_in::<D>(a),
        };
        let (src_frac, src_sign, src_nan, src_snan) =
            by_prec!(from, F => (F::FRAC_BITS, F::SIGN, F::is_nan(a), F::is_snan(a)));
        if from == to {
            return a;
        }
        if self.fpcr & FPCR_AHP != 0 {
            if from == Prec::H && a & 0x7c00 == 0x7c00 {
                // Alternative half precision: the top exponent holds normal numbers.
                return by_prec!(to, F => ((a >> 15) << (F::EXP_BITS + F::FRAC_BITS))
                    | ((F::BIAS + 16) << F::FRAC_BITS)
                    | ((a & 0x3ff) << (F::FRAC_BITS - 10)));
            }
            if to == Prec::H {
                return self.narrow_ahp(from, a, rm);
            }
        }
        if src_nan {
            if src_snan {
                self.flags |= IOC;
            }
            return by_prec!(to, F => {
                if self.dn() {
                    F::DEFAULT_NAN
                } else {
                    let payload = a & ((1 << src_frac) - 1);
                    let payload = if F::FRAC_BITS > src_frac {
                        payload << (F::FRAC_BITS - src_frac)
                    } else {
                        payload >> (src_frac - F::FRAC_BITS)
                    };
                    let sign = if a & src_sign != 0 { F::SIGN } else { 0 };
                    sign | F::EXP | F::QUIET | payload
                }
            });
        }
        let (r, fl) = soft(rm, || convert_raw(from, to, a));
        match to {
            Prec::H => {
                self.flags |= arm_flags(fl);
                r
            }
            Prec::S => self.finish::<S>(r, fl),
            Prec::D => self.finish::<D>(r, fl),
        }
    }

    /// Narrowing to alternative half precision (FPCR.AHP): no infinities or NaNs (IOC, giving
    /// zero or the largest magnitude), and overflow saturates with IOC.
    fn narrow_ahp(&mut self, from: Prec, a: u64, rm: u8) -> u64 {
        let (nan, inf, zero, negative, big) = by_prec!(from, F => (
            F::is_nan(a),
            F::is_inf(a),
            F::is_zero(a),
            F::sign(a) != 0,
            (a & F::EXP) >> F::FRAC_BITS >= F::BIAS + 15,
        ));
        let sign = if negative { 0x8000 } else { 0 };
        if nan || inf {
            self.flags |= IOC;
            return if nan { sign } else { sign | 0x7fff };
        }
        if zero {
            return sign;
        }
        if !big {
            let (r, fl) = soft(rm, || convert_raw(from, Prec::H, a));
            self.flags |= arm_flags(fl);
            return r;
        }
        // |a| >= 2^15: round a / 2 (exact) as IEEE binary16 and add one to the exponent.
        let half = by_prec!(from, F => soft(0, || F::mul(a, F::pow2(-1))).0);
        let (r, fl) = soft(rm, || convert_raw(from, Prec::H, half));
        if r & 0x7c00 == 0x7c00 || fl & sf::softfloat_flag_overflow != 0 {
            self.flags |= IOC;
            return sign | 0x7fff;
        }
        self.flags |= arm_flags(fl);
        r + (1 << 10)
    }

    /// FJCVTZS: binary64 to a 32-bit integer the JavaScript way (toward zero, modulo 2^32);
    /// returns the integer and whether the conversion was exact and in range (the Z flag).
    pub fn js_convert(&mut self, a: u64) -> (u32, bool) {
        let negative = a >> 63 != 0;
        let exp = ((a & D::EXP) >> D::FRAC_BITS) as i64;
        let frac = a & D::FRAC;
        if exp == 0 {
            // -0 is inexact for JavaScript.
            let mut inexact = negative;
            if frac != 0 {
                if self.fz() {
                    self.flags |= IDC;
                } else {
                    self.flags |= IXC;
                    inexact = true;
                }
            }
            return (0, !inexact);
        }
        if exp == 0x7ff {
            self.flags |= IOC;
            return (0, false);
        }
        let true_exp = exp - D::BIAS as i64;
        let shift = true_exp - 52;
        let mant = frac | 1 << 52;
        let (mut v, mut inexact) = match shift {
            s if s >= 64 => (0, true),
            s if s >= 0 => (mant << s, true),
            s if s > -64 => (mant >> -s, mant << (64 + s) != 0),
            _ => (0, true),
        };
        let limit = if negative { 0x8000_0000 } else { 0x7fff_ffff };
        if true_exp > 31 || v > limit {
            self.flags |= IOC;
            inexact = true;
        } else if inexact {
            self.flags |= IXC;
        }
        if negative {
            v = v.wrapping_neg();
        }
        (v as u32, !inexact)
    }

    fn recpe_g<F: Fmt>(&mut self, a: u64) -> u64 {
        let a = self.flush_in::<F>(a);
        let sign = F::sign(a);
        if let Some(n) = self.process_nans::<F>(&[a]) {
            return n;
        }
        if F::is_inf(a) {
            return sign;
        }
        if F::is_zero(a) {
            self.flags |= DZC;
            return sign | F::EXP;
        }
        if F::abs(a) < 1 << (F::FRAC_BITS - 2) {
            // |a| < 2^(emin - 2): the reciprocal overflows.
            self.flags |= OFC | IXC;
            return sign
                | if self.rounds_to_inf(sign != 0) {
                    F::EXP
                } else {
                    F::MAX_NORMAL
                };
        }
        let exp = ((a & F::EXP) >> F::FRAC_BITS) as i64;
        let exp_off = 2 * F::BIAS as i64 - 1;
        if exp >= exp_off && self.flushes::<F>() {
            self.flags |= UFC;
            return sign;
        }
        let frac = (a & F::FRAC) << (52 - F::FRAC_BITS);
        let (exp, frac) = recip_estimate_parts(exp, exp_off, frac);
        sign | (((exp as u64) << F::FRAC_BITS) & F::EXP) | (frac >> (52 - F::FRAC_BITS))
    }

    fn rounds_to_inf(&self, negative: bool) -> bool {
        match self.rmode() {
            RoundingMode::Up => !negative,
            RoundingMode::Down => negative,
            RoundingMode::TowardZero => false,
            _ => true,
        }
    }

    fn rsqrte_g<F: Fmt>(&mut self, a: u64) -> u64 {
        let a = self.flush_in::<F>(a);
        let sign = F::sign(a);
        if let Some(n) = self.process_nans::<F>(&[a]) {
            return n;
        }
        if F::is_zero(a) {
            self.flags |= DZC;
            return sign | F::EXP;
        }
        if sign != 0 {
            self.flags |= IOC;
            return F::DEFAULT_NAN;
        }
        if F::is_inf(a) {
            return 0;
        }
        let mut exp = ((a & F::EXP) >> F::FRAC_BITS) as i64;
        let mut frac = (a & F::FRAC) << (52 - F::FRAC_BITS);
        if exp == 0 {
            while frac & (1 << 51) == 0 {
                frac <<= 1;
                exp -= 1;
            }
            frac = (frac & ((1 << 51) - 1)) << 1;
        }
        let scaled = if exp & 1 != 0 {
            0x80 | ((frac >> 45) & 0x7f)
        } else {
            0x100 | ((frac >> 44) & 0xff)
        };
        let estimate = rsqrt_estimate(scaled as i64) as u64;
        let exp_off = 3 * F::BIAS as i64 - 1;
        let rexp = ((exp_off - exp) / 2) as u64;
        ((rexp << F::FRAC_BITS) & F::EXP) | ((estimate & 0xff) << (F::FRAC_BITS - 8))
    }

    fn recpx_g<F: Fmt>(&mut self, a: u64) -> u64 {
        if let Some(n) = self.process_nans::<F>(&[a]) {
            return n;
        }
        let a = self.flush_in::<F>(a);
        let exp = (a & F::EXP) >> F::FRAC_BITS;
        let max_exp = F::EXP >> F::FRAC_BITS;
        let rexp = if exp == 0 {
            max_exp - 1
        } else {
            !exp & max_exp
        };
        F::sign(a) | (rexp << F::FRAC_BITS)
    }

    /// FRECPE: the reciprocal estimate of the Arm ARM.
    pub fn recpe(&mut self, p: Prec, a: u64) -> u64 {
        by_prec!(p, F => self.recpe_g::<F>(a))
    }

    /// FRSQRTE: the reciprocal square root estimate of the Arm ARM.
    pub fn rsqrte(&mut self, p: Prec, a: u64) -> u64 {
        by_prec!(p, F => self.rsqrte_g::<F>(a))
    }

    /// FRECPX: the reciprocal exponent.
    pub fn recpx(&mut self, p: Prec, a: u64) -> u64 {
        by_prec!(p, F => self.recpx_g::<F>(a))
    }
}

/// FNEG (no exception, NaNs included).
pub fn neg(p: Prec, a: u64) -> u64 {
    a ^ (1 << (p.bits() - 1))
}

/// FABS.
pub fn abs(p: Prec, a: u64) -> u64 {
    a & !(1 << (p.bits() - 1))
}

/// A non-NaN format conversion through SoftFloat (rounding mode already set).
fn convert_raw(from: Prec, to: Prec, a: u64) -> u64 {
    let h = sf::float16_t { v: a as u16 };
    let s = sf::float32_t { v: a as u32 };
    let d = sf::float64_t { v: a };
    // SAFETY: SoftFloat conversions only touch its thread-local mode and flags.
    unsafe {
        match (from, to) {
            (Prec::H, Prec::S) => u64::from(sf::f16_to_f32(h).v),
            (Prec::H, Prec::D) => sf::f16_to_f64(h).v,
            (Prec::S, Prec::H) => u64::from(sf::f32_to_f16(s).v),
            (Prec::S, Prec::D) => sf::f32_to_f64(s).v,
            (Prec::D, Prec::H) => u64::from(sf::f64_to_f16(d).v),
            (Prec::D, Prec::S) => u64::from(sf::f64_to_f32(d).v),
            _ => a,
        }
    }
}

/// RecipEstimate of the Arm ARM on a 9-bit input in `256..512`.
fn recip_estimate(input: i64) -> i64 {
    let a = input * 2 + 1;
    let b = (1 << 19) / a;
    (b + 1) >> 1
}

/// The exponent and 52-bit fraction of a reciprocal estimate (`exp` the biased input exponent,
/// `frac` the input fraction at binary point 52).
fn recip_estimate_parts(mut exp: i64, exp_off: i64, mut frac: u64) -> (i64, u64) {
    if exp == 0 {
        if frac & (1 << 51) == 0 {
            exp = -1;
            frac <<= 2;
        } else {
            frac <<= 1;
        }
    }
    let scaled = 0x100 | ((frac >> 44) & 0xff);
    let estimate = recip_estimate(scaled as i64) as u64;
    let mut rexp = exp_off - exp;
    let mut rfrac = (estimate & 0xff) << 44;
    if rexp == 0 {
        rfrac = (rfrac >> 1) | (1 << 51);
    } else if rexp == -1 {
        rfrac = (rfrac >> 2) | (1 << 50);
        rexp = 0;
    }
    (rexp, rfrac & ((1 << 52) - 1))
}

/// RecipSqrtEstimate of the Arm ARM on a 9-bit input in `128..512`.
fn rsqrt_estimate(a: i64) -> i64 {
    let a = if a < 256 {
        a * 2 + 1
    } else {
        (((a >> 1) << 1) + 1) * 2
    };
    let mut b = 512;
    while a * (b + 1) * (b + 1) < (1 << 28) {
        b += 1;
    }
    (b + 1) / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    const SNAN_S: u64 = 0x7f80_0001;
    const QNAN_S: u64 = 0x7fc0_0002;
    const ONE_S: u64 = 0x3f80_0000;
    const DENORM_S: u64 = 0x0000_0001;

    #[test]
    fn nan_propagation_prefers_first_signaling() {
        let mut c = FpCtx::new(0);
        assert_eq!(c.op2(Op2::Add, Prec::S, QNAN_S, SNAN_S), 0x7fc0_0001);
        assert_eq!(c.flags, IOC);
        let mut c = FpCtx::new(0);
        assert_eq!(
            c.op2(Op2::Add, Prec::S, ONE_S, QNAN_S | 1 << 31),
            0xffc0_0002
        );
        assert_eq!(c.flags, 0);
    }

    #[test]
    fn default_nan_mode() {
        let mut c = FpCtx::new(FPCR_DN);
        assert_eq!(c.op2(Op2::Mul, Prec::S, QNAN_S, ONE_S), 0x7fc0_0000);
        let mut c = FpCtx::new(0);
        assert_eq!(
            c.op2(Op2::Mul, Prec::D, 0, 0x7ff0_0000_0000_0000),
            0x7ff8_0000_0000_0000
        );
        assert_eq!(c.flags, IOC);
    }

    #[test]
    fn fused_mul_add_nan_order_and_inf_zero() {
        let mut c = FpCtx::new(0);
        // Addend first among quiet NaNs.
        assert_eq!(c.mul_add(Prec::S, QNAN_S, 0x7fc0_0005, ONE_S), QNAN_S);
        // A quiet-NaN addend with 0 * inf gives the default NaN and IOC.
        let mut c = FpCtx::new(0);
        assert_eq!(c.mul_add(Prec::S, QNAN_S, 0, 0x7f80_0000), 0x7fc0_0000);
        assert_eq!(c.flags, IOC);
    }

    #[test]
    fn flush_to_zero() {
        let mut c = FpCtx::new(FPCR_FZ);
        assert_eq!(c.op2(Op2::Add, Prec::S, DENORM_S, 0), 0);
        assert_eq!(c.flags, IDC);
        // 2^-126 * 0.5 is tiny: flushed with UFC and no IXC.
        let mut c = FpCtx::new(FPCR_FZ);
        assert_eq!(c.op2(Op2::Mul, Prec::S, 0x0080_0000, 0x3f00_0000), 0);
        assert_eq!(c.flags, UFC);
    }

    #[test]
    fn saturating_conversions() {
        let mut c = FpCtx::new(0);
        let rz = RoundingMode::TowardZero;
        assert_eq!(c.float_to_int(Prec::S, QNAN_S, rz, true, false, 0), 0);
        assert_eq!(c.flags, IOC);
        let mut c = FpCtx::new(0);
        assert_eq!(
            c.float_to_int(Prec::D, 0x41f0_0000_0000_0000, rz, true, false, 0),
            0x7fff_ffff
        );
        assert_eq!(c.flags, IOC);
        let mut c = FpCtx::new(0);
        assert_eq!(c.float_to_int(Prec::S, 0xbf00_0000, rz, false, true, 0), 0);
        assert_eq!(c.flags, IXC);
        let mut c = FpCtx::new(0);
        assert_eq!(c.float_to_int(Prec::S, 0x3fc0_0000, rz, true, false, 1), 3);
    }

    #[test]
    fn compare_and_min_max() {
        let mut c = FpCtx::new(0);
        assert_eq!(c.compare(Prec::S, ONE_S, QNAN_S, false), NZCV_UNORDERED);
        assert_eq!(c.flags, 0);
        assert_eq!(c.compare(Prec::S, ONE_S, QNAN_S, true), NZCV_UNORDERED);
        assert_eq!(c.flags, IOC);
        assert_eq!(c.compare(Prec::S, 0x8000_0000, 0, false), NZCV_EQUAL);
        assert_eq!(c.op2(Op2::Max, Prec::S, 0x8000_0000, 0), 0);
        assert_eq!(c.op2(Op2::Min, Prec::S, 0x8000_0000, 0), 0x8000_0000);
        assert_eq!(c.op2(Op2::MaxNm, Prec::S, QNAN_S, ONE_S), ONE_S);
        assert_eq!(c.op2(Op2::Max, Prec::S, QNAN_S, ONE_S), QNAN_S);
    }

    #[test]
    fn estimates() {
        let mut c = FpCtx::new(0);
        // FRECPE(2.0) = 0.4990234375; FRSQRTE(4.0) = 0.4990234375.
        assert_eq!(c.recpe(Prec::S, 0x4000_0000), 0x3eff_8000);
        assert_eq!(c.rsqrte(Prec::S, 0x4080_0000), 0x3eff_8000);
        // FRSQRTS(inf, 0) = 1.5 without exception.
        assert_eq!(c.op2(Op2::Rsqrts, Prec::S, 0x7f80_0000, 0), 0x3fc0_0000);
        assert_eq!(c.flags, 0);
    }

    #[test]
    fn precision_conversions() {
        // A signaling NaN narrows to a quiet NaN keeping the top of its payload.
        let mut c = FpCtx::new(0);
        assert_eq!(
            c.convert(Prec::D, Prec::S, 0xfff4_0000_2000_0000),
            0xffe0_0001
        );
        assert_eq!(c.flags, IOC);
        // Alternative half precision: the top exponent is a number, infinity saturates (IOC).
        let mut c = FpCtx::new(FPCR_AHP);
        assert_eq!(c.convert(Prec::H, Prec::S, 0x7c00), 0x4780_0000);
        assert_eq!(c.convert(Prec::S, Prec::H, 0x4780_0000), 0x7c00);
        assert_eq!(c.flags, 0);
        assert_eq!(c.convert(Prec::S, Prec::H, 0xff80_0000), 0xffff);
        assert_eq!(c.flags, IOC);
    }

    #[test]
    fn javascript_conversion() {
        let mut c = FpCtx::new(0);
        // -2.5 truncates to -2, inexact; 2^32 + 3 wraps to 3 with IOC; -0 is not exact.
        assert_eq!(c.js_convert(0xc004_0000_0000_0000), (0xffff_fffe, false));
        assert_eq!(c.flags, IXC);
        let mut c = FpCtx::new(0);
        assert_eq!(c.js_convert(0x41f0_0000_0030_0000), (3, false));
        assert_eq!(c.flags, IOC);
        assert_eq!(c.js_convert(1 << 63), (0, false));
        assert_eq!(c.js_convert(0x4014_0000_0000_0000), (5, true));
    }
}
