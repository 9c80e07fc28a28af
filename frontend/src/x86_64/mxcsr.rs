//! The MXCSR environment of one SSE floating-point instruction ([`Mx`]): the rounding mode,
//! denormals-are-zero (DAZ) on inputs with the denormal-operand flag (DE) otherwise,
//! flush-to-zero (FTZ) of tiny results, and the exception flags raised, as MXCSR bits.

use emu_fpu::{Flags, RoundingMode};

/// MXCSR bits.
const IE: u64 = 1 << 0;
const DE: u64 = 1 << 1;
const ZE: u64 = 1 << 2;
const OE: u64 = 1 << 3;
const UE: u64 = 1 << 4;
const PE: u64 = 1 << 5;
const DAZ: u64 = 1 << 6;
const UM: u64 = 1 << 11;
const FTZ: u64 = 1 << 15;

/// MXCSR.RC (or the same encoding in bits 14:13 of `mxcsr`) as a SoftFloat rounding mode.
/// Whether an ordinary operation (finite normal operands and result) can run on the host's
/// IEEE arithmetic: round to nearest even, no DAZ/FTZ, and the inexact flag already raised —
/// the only flag such an operation can raise, so its flags need not be computed.
pub(super) fn host_arith_ok(mxcsr: u64) -> bool {
    mxcsr & (3 << 13 | DAZ | FTZ | PE) == PE
}

pub(super) fn rounding(mxcsr: u64) -> RoundingMode {
    match (mxcsr >> 13) & 3 {
        0 => RoundingMode::NearestEven,
        1 => RoundingMode::Down,
        2 => RoundingMode::Up,
        _ => RoundingMode::TowardZero,
    }
}

/// SoftFloat flags as MXCSR exception bits.
fn mxcsr_flags(f: Flags) -> u64 {
    [
        (Flags::NV, IE),
        (Flags::DZ, ZE),
        (Flags::OF, OE),
        (Flags::UF, UE),
        (Flags::NX, PE),
    ]
    .iter()
    .filter(|(bit, _)| f.contains(*bit))
    .fold(0, |m, (_, x86)| m | x86)
}

/// A value's sign, exponent and fraction fields for `bits`-bit floats.
fn fields(bits: u32, a: u64) -> (u64, u64, u64) {
    let frac_bits = if bits == 32 { 23 } else { 52 };
    let sign = a & (1 << (bits - 1));
    let exp = (a >> frac_bits) & ((1 << (bits - 1 - frac_bits)) - 1);
    (sign, exp, a & ((1 << frac_bits) - 1))
}

/// Whether `a` is a denormal `bits`-bit float.
fn is_denormal(bits: u32, a: u64) -> bool {
    let (_, exp, frac) = fields(bits, a);
    exp == 0 && frac != 0
}

/// The MXCSR controls of one instruction and the exceptions it raised so far.
pub(super) struct Mx {
    pub(super) rm: RoundingMode,
    mxcsr: u64,
    raised: u64,
}

impl Mx {
    pub(super) fn new(mxcsr: u64) -> Mx {
        Mx {
            rm: rounding(mxcsr),
            mxcsr,
            raised: 0,
        }
    }

    /// Record SoftFloat flags (or MXCSR bits, see [`Mx::raise`]).
    pub(super) fn flags(&mut self, f: Flags) {
        self.raised |= mxcsr_flags(f);
    }

    /// Record MXCSR exception bits.
    pub(super) fn raise(&mut self, bits: u64) {
        self.raised |= bits;
    }

    /// Under DAZ, a denormal `bits`-bit operand as zero (keeping the sign); no flag.
    pub(super) fn daz(&self, bits: u32, a: u64) -> u64 {
        if self.mxcsr & DAZ != 0 && is_denormal(bits, a) {
            fields(bits, a).0
        } else {
            a
        }
    }

    /// A non-NaN input operand of `bits` bits after [`Mx::daz`], raising DE for a
    /// denormal that DAZ does not flush.
    pub(super) fn input(&mut self, bits: u32, a: u64) -> u64 {
        if self.mxcsr & DAZ == 0 && is_denormal(bits, a) {
            self.raised |= DE;
        }
        self.daz(bits, a)
    }

    /// A rounded result `r` of `bits` bits with SoftFloat's flags `f`: under FTZ (with
    /// underflow masked) a tiny result becomes zero, raising UE and PE.
    pub(super) fn output(&mut self, bits: u32, r: u64, f: Flags) -> u64 {
        let tiny = is_denormal(bits, r) || f.contains(Flags::UF);
        if self.mxcsr & (FTZ | UM) == FTZ | UM && tiny {
            self.raised |= UE | PE;
            return fields(bits, r).0;
        }
        self.flags(f);
        r
    }

    /// The MXCSR exception bits raised.
    pub(super) fn raised(&self) -> u64 {
        self.raised
    }
}
