//! Shared test support: a deterministic random generator, interesting operands (specials,
//! boundaries, random bits, operands of similar magnitude) and a [`Width`] trait that lets one
//! generic test body cover both binary32 and binary64, pairing each emu-fpu function with the
//! host's own operation.

#![allow(dead_code)] // each test file uses a different subset

use emu_fpu::{Flags, RoundingMode};
use std::fmt::{Debug, LowerHex};
use std::ops::{Add, Div, Mul, Sub};

/// xorshift64*: small, deterministic, good enough for operand generation.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (n > 0), up to negligible bias.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

pub type BinOp<B> = fn(B, B, RoundingMode) -> (B, Flags);
pub type UnOp<B> = fn(B, RoundingMode) -> (B, Flags);
pub type TernOp<B> = fn(B, B, B, RoundingMode) -> (B, Flags);

/// One IEEE format as seen by the tests: the host type `Self` and emu-fpu's functions on its
/// bit pattern `Bits`.
pub trait Width:
    Copy
    + PartialEq
    + Debug
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
{
    type Bits: Copy + Eq + Debug + LowerHex + Into<u64>;
    const NAME: &'static str;
    const EXP_BITS: u32;
    const FRAC_BITS: u32;
    const CANONICAL_NAN: Self::Bits;

    const ADD: BinOp<Self::Bits>;
    const SUB: BinOp<Self::Bits>;
    const MUL: BinOp<Self::Bits>;
    const DIV: BinOp<Self::Bits>;
    const SQRT: UnOp<Self::Bits>;
    const MUL_ADD: TernOp<Self::Bits>;

    fn to_bits(self) -> Self::Bits;
    fn from_bits(bits: Self::Bits) -> Self;
    /// Truncating conversion from a 64-bit pattern.
    fn bits_from_u64(bits: u64) -> Self::Bits;
    fn host_sqrt(self) -> Self;
    fn host_mul_add(self, b: Self, c: Self) -> Self;

    fn is_nan_bits(bits: Self::Bits) -> bool {
        let b: u64 = bits.into();
        let exp = ((1u64 << Self::EXP_BITS) - 1) << Self::FRAC_BITS;
        b & exp == exp && b & ((1u64 << Self::FRAC_BITS) - 1) != 0
    }

    /// Bit patterns worth testing: zeros, infinities, quiet/signaling NaNs with and without
    /// payloads, subnormal and normal boundaries, one, and values next to them.
    fn specials() -> Vec<Self::Bits> {
        let f = Self::FRAC_BITS;
        let exp_all = ((1u64 << Self::EXP_BITS) - 1) << f;
        let bias = (1u64 << (Self::EXP_BITS - 1)) - 1;
        let one = bias << f;
        let frac_all = (1u64 << f) - 1;
        let quiet = 1u64 << (f - 1);
        let magnitudes = [
            0,
            1, // smallest subnormal
            2,
            frac_all, // largest subnormal
            1 << f,   // smallest normal
            (1 << f) + 1,
            one - 1, // just below 1
            one,     // 1
            one + 1,
            one + (1 << f),                 // 2
            one | quiet,                    // 1.5
            (bias + 1) << f | 1 << (f - 2), // 2.5
            exp_all - (1 << f),             // 2^emax
            exp_all - 1,                    // largest finite
            exp_all,                        // infinity
            exp_all | quiet,                // canonical quiet NaN
            exp_all | quiet | 0x1234,       // quiet NaN with payload
            exp_all | 1,                    // signaling NaN
            exp_all | 0x1234,               // signaling NaN with payload
        ];
        let sign = 1u64 << (Self::EXP_BITS + f);
        magnitudes
            .iter()
            .flat_map(|&m| [m, m | sign])
            .map(Self::bits_from_u64)
            .collect()
    }

    /// A random operand: a special, random bits, or a value with exponent near 1.0 (so that
    /// additions cancel and round in interesting ways).
    fn random(rng: &mut Rng) -> Self::Bits {
        let f = Self::FRAC_BITS;
        let total = Self::EXP_BITS + f + 1;
        match rng.below(8) {
            0 => {
                let specials = Self::specials();
                specials[rng.below(specials.len() as u64) as usize]
            }
            1..=3 => Self::bits_from_u64(rng.next_u64() >> (64 - total)),
            _ => {
                let bias = (1u64 << (Self::EXP_BITS - 1)) - 1;
                let exp = bias - 8 + rng.below(16);
                let sign = rng.below(2) << (total - 1);
                let frac = rng.next_u64() >> (64 - f);
                // Short significands make exact results and ties frequent.
                let frac = if rng.below(2) == 0 {
                    frac & !((1 << (f / 2)) - 1)
                } else {
                    frac
                };
                Self::bits_from_u64(sign | exp << f | frac)
            }
        }
    }
}

impl Width for f32 {
    type Bits = u32;
    const NAME: &'static str = "f32";
    const EXP_BITS: u32 = 8;
    const FRAC_BITS: u32 = 23;
    const CANONICAL_NAN: u32 = 0x7fc0_0000;
    const ADD: BinOp<u32> = emu_fpu::f32_add;
    const SUB: BinOp<u32> = emu_fpu::f32_sub;
    const MUL: BinOp<u32> = emu_fpu::f32_mul;
    const DIV: BinOp<u32> = emu_fpu::f32_div;
    const SQRT: UnOp<u32> = emu_fpu::f32_sqrt;
    const MUL_ADD: TernOp<u32> = emu_fpu::f32_mul_add;

    fn to_bits(self) -> u32 {
        f32::to_bits(self)
    }
    fn from_bits(bits: u32) -> f32 {
        f32::from_bits(bits)
    }
    fn bits_from_u64(bits: u64) -> u32 {
        bits as u32
    }
    fn host_sqrt(self) -> f32 {
        self.sqrt()
    }
    fn host_mul_add(self, b: f32, c: f32) -> f32 {
        self.mul_add(b, c)
    }
}

impl Width for f64 {
    type Bits = u64;
    const NAME: &'static str = "f64";
    const EXP_BITS: u32 = 11;
    const FRAC_BITS: u32 = 52;
    const CANONICAL_NAN: u64 = 0x7ff8_0000_0000_0000;
    const ADD: BinOp<u64> = emu_fpu::f64_add;
    const SUB: BinOp<u64> = emu_fpu::f64_sub;
    const MUL: BinOp<u64> = emu_fpu::f64_mul;
    const DIV: BinOp<u64> = emu_fpu::f64_div;
    const SQRT: UnOp<u64> = emu_fpu::f64_sqrt;
    const MUL_ADD: TernOp<u64> = emu_fpu::f64_mul_add;

    fn to_bits(self) -> u64 {
        f64::to_bits(self)
    }
    fn from_bits(bits: u64) -> f64 {
        f64::from_bits(bits)
    }
    fn bits_from_u64(bits: u64) -> u64 {
        bits
    }
    fn host_sqrt(self) -> f64 {
        self.sqrt()
    }
    fn host_mul_add(self, b: f64, c: f64) -> f64 {
        self.mul_add(b, c)
    }
}
