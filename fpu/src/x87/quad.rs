//! Binary128 (SoftFloat's `float128_t`, 113-bit significand) arithmetic and the elementary
//! functions the x87 transcendental instructions are computed with before one final rounding
//! into 80 bits: 2^x − 1, ln(1 + x) and log2, arctangent, sine and cosine, each by argument
//! reduction and a series whose error stays far below the 64-bit result's half ulp.
//!
//! Every function here must run under round-to-nearest with no extended-precision mode
//! involved (the caller wraps the computation in `soft` with the default control word).

use std::sync::OnceLock;

use softfloat_sys as sf;

use super::F80;

/// A binary128 value.
#[derive(Clone, Copy, Debug)]
pub(super) struct Q(pub sf::float128_t);

/// Bitwise equality.
impl PartialEq for Q {
    fn eq(&self, other: &Q) -> bool {
        self.0.v == other.0.v
    }
}

type Op2 = unsafe extern "C" fn(sf::float128_t, sf::float128_t) -> sf::float128_t;

fn op2(f: Op2, a: Q, b: Q) -> Q {
    // SAFETY: a pure SoftFloat function on plain values.
    Q(unsafe { f(a.0, b.0) })
}

impl Q {
    pub const ZERO: Q = Q::bits(0, 0);
    pub const ONE: Q = Q::bits(0x3fff_0000_0000_0000, 0);
    pub const TWO: Q = Q::bits(0x4000_0000_0000_0000, 0);
    pub const LN2: Q = Q::bits(0x3ffe_62e4_2fef_a39e, 0xf357_93c7_6730_07e6);
    pub const LOG2E: Q = Q::bits(0x3fff_7154_7652_b82f, 0xe177_7d0f_fda0_d23a);
    pub const PI: Q = Q::bits(0x4000_921f_b544_42d1, 0x8469_898c_c517_01b8);
    pub const PI_2: Q = Q::bits(0x3fff_921f_b544_42d1, 0x8469_898c_c517_01b8);
    pub const PI_4: Q = Q::bits(0x3ffe_921f_b544_42d1, 0x8469_898c_c517_01b8);
    pub const PI3_4: Q = Q::bits(0x4000_2d97_c7f3_321d, 0x234f_2729_93d1_414a);

    /// From the high and low 64-bit halves of the encoding.
    pub const fn bits(hi: u64, lo: u64) -> Q {
        Q(sf::float128_t { v: [lo, hi] })
    }

    /// Exact: every 80-bit value is a binary128 value.
    pub fn from_f80(a: F80) -> Q {
        // SAFETY: a pure SoftFloat function on a plain value.
        Q(unsafe { sf::extF80_to_f128(a.to_sf()) })
    }

    pub fn from_i64(v: i64) -> Q {
        // SAFETY: a pure SoftFloat function on a plain value.
        Q(unsafe { sf::i64_to_f128(v) })
    }

    /// 2^n (normal range only).
    pub fn pow2(n: i32) -> Q {
        let e = (n + 16383).clamp(1, 0x7ffe) as u64;
        Q::bits(e << 48, 0)
    }

    /// The unbiased exponent of a normal value.
    pub fn exponent(self) -> i32 {
        ((self.0.v[1] >> 48) & 0x7fff) as i32 - 16383
    }

    pub fn add(self, b: Q) -> Q {
        op2(sf::f128_add, self, b)
    }

    pub fn sub(self, b: Q) -> Q {
        op2(sf::f128_sub, self, b)
    }

    pub fn mul(self, b: Q) -> Q {
        op2(sf::f128_mul, self, b)
    }

    pub fn div(self, b: Q) -> Q {
        op2(sf::f128_div, self, b)
    }

    pub fn sqrt(self) -> Q {
        // SAFETY: a pure SoftFloat function on a plain value.
        Q(unsafe { sf::f128_sqrt(self.0) })
    }

    pub fn neg(self) -> Q {
        Q::bits(self.0.v[1] ^ 1 << 63, self.0.v[0])
    }

    pub fn abs(self) -> Q {
        Q::bits(self.0.v[1] & !(1 << 63), self.0.v[0])
    }

    /// The exponent of a positive normal power of two.
    pub fn power_of_two(self) -> Option<i64> {
        let normal = (1..0x7fff).contains(&(self.0.v[1] >> 48));
        let bare = self.0.v[1] & 0xffff_ffff_ffff == 0 && self.0.v[0] == 0;
        (normal && bare).then(|| i64::from(self.exponent()))
    }

    pub fn lt(self, b: Q) -> bool {
        // SAFETY: a pure SoftFloat function on plain values.
        unsafe { sf::f128_lt_quiet(self.0, b.0) }
    }

    /// Rounded to the nearest integer (ties to even).
    pub fn round_int(self) -> Q {
        // SAFETY: a pure SoftFloat function on a plain value.
        Q(unsafe { sf::f128_roundToInt(self.0, sf::softfloat_round_near_even, false) })
    }

    pub fn to_i64(self) -> i64 {
        // SAFETY: a pure SoftFloat function on a plain value.
        unsafe { sf::f128_to_i64(self.0, sf::softfloat_round_near_even, false) }
    }
}

/// Horner evaluation of `c[0] + c[1] x + c[2] x² + …`.
fn horner(c: &[Q], x: Q) -> Q {
    c.iter().rev().fold(Q::ZERO, |acc, &k| acc.mul(x).add(k))
}

/// 1/n! for n = 0..=34.
fn inverse_factorials() -> &'static [Q; 35] {
    static T: OnceLock<[Q; 35]> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = [Q::ONE; 35];
        for n in 1..35 {
            t[n] = t[n - 1].div(Q::from_i64(n as i64));
        }
        t
    })
}

/// 1/(2k+1) for k = 0..=31.
fn inverse_odds() -> &'static [Q; 32] {
    static T: OnceLock<[Q; 32]> = OnceLock::new();
    T.get_or_init(|| std::array::from_fn(|k| Q::ONE.div(Q::from_i64(2 * k as i64 + 1))))
}

/// e^t − 1 for |t| ≤ 1 (Taylor series, relative error a few binary128 ulps).
pub(super) fn expm1(t: Q) -> Q {
    let f = inverse_factorials();
    horner(&f[1..], t).mul(t)
}

/// 2^x − 1 for |x| < 1.
pub(super) fn exp2m1(x: Q) -> Q {
    expm1(x.mul(Q::LN2))
}

/// 2·atanh(s) = ln((1 + s)/(1 − s)) for |s| ≤ 0.18.
fn atanh2(s: Q) -> Q {
    let s2 = s.mul(s);
    horner(&inverse_odds()[..26], s2).mul(s).mul(Q::TWO)
}

/// ln(1 + x) for x > −1 given as binary128; `s = x / (2 + x)` keeps full relative accuracy
/// near 0. Falls back to [`log2`] when the series would converge slowly.
pub(super) fn ln1p(x: Q) -> Q {
    let s = x.div(Q::TWO.add(x));
    if s.abs().lt(Q::bits(0x3ffc_7000_0000_0000, 0)) {
        return atanh2(s);
    }
    log2(Q::ONE.add(x)).mul(Q::LN2)
}

/// log2(x) for a positive finite x.
pub(super) fn log2(x: Q) -> Q {
    let mut e = x.exponent();
    let mut m = Q::bits((x.0.v[1] & 0xffff_ffff_ffff) | 0x3fff << 48, x.0.v[0]);
    if e == -16383 {
        // A binary128 denormal: normalize through a multiplication by 2^200.
        let n = x.mul(Q::pow2(200));
        e = n.exponent() - 200;
        m = Q::bits((n.0.v[1] & 0xffff_ffff_ffff) | 0x3fff << 48, n.0.v[0]);
    }
    // m in [1, 2) → [√½, √2).
    if Q::bits(0x3fff_6a09_e667_f3bc, 0xc908_b2fb_1366_ea95).lt(m) {
        m = m.mul(Q::bits(0x3ffe << 48, 0));
        e += 1;
    }
    let s = m.sub(Q::ONE).div(m.add(Q::ONE));
    Q::from_i64(i64::from(e)).add(atanh2(s).mul(Q::LOG2E))
}

/// atan(z) for 0 ≤ z ≤ 1: three argument halvings (atan z = 2 atan(z / (1 + √(1 + z²))))
/// bring z under tan(π/32), then the odd series.
pub(super) fn atan(z: Q) -> Q {
    let mut z = z;
    for _ in 0..3 {
        z = z.div(Q::ONE.add(Q::ONE.add(z.mul(z)).sqrt()));
    }
    let z2 = z.mul(z);
    let odd: Vec<Q> = inverse_odds()[..20]
        .iter()
        .enumerate()
        .map(|(k, &c)| if k % 2 == 1 { c.neg() } else { c })
        .collect();
    horner(&odd, z2).mul(z).mul(Q::pow2(3))
}

/// sin(r) and cos(r) for |r| ≤ π/4 (a little more is fine).
pub(super) fn sin_cos(r: Q) -> (Q, Q) {
    let f = inverse_factorials();
    let r2 = r.mul(r);
    let alternate = |start: usize| -> Vec<Q> {
        (start..35)
            .step_by(2)
            .enumerate()
            .map(|(k, n)| if k % 2 == 1 { f[n].neg() } else { f[n] })
            .collect()
    };
    let sin = horner(&alternate(1), r2).mul(r);
    let cos = horner(&alternate(0), r2);
    (sin, cos)
}

/// Argument reduction of FSIN/FCOS/FSINCOS/FPTAN as the x87 does it: modulo the 66-bit
/// approximation of π/2 the hardware uses (`0xC90FDAA22168C234C / 2^67`), exactly. Returns
/// the reduced argument (|r| ≤ π/4) and the quadrant (k mod 4) for |x| < 2^63.
pub(super) fn reduce(x: F80) -> (Q, u32) {
    const P: u128 = 0xC_90FD_AA22_168C_234C;
    let q = Q::from_f80(x);
    let e = i32::from(x.sign_exp & 0x7fff) - 16383;
    if e < -1 {
        return (q, 0);
    }
    // |x| · 2^67 = m · 2^(e + 4), 3 ≤ e + 4 ≤ 66: exact modulo 2^128 (the remainder is small).
    // P / 2^67 as binary128 (exact): the estimate of k is off by at most one.
    let k_est = q
        .abs()
        .div(Q::bits(0x3fff_921f_b544_42d1, 0x8469_8000_0000_0000));
    let mut k = k_est.round_int().to_i64() as u128;
    let scaled = (u128::from(x.signif)).wrapping_shl((e + 4) as u32);
    let mut r = scaled.wrapping_sub(k.wrapping_mul(P)) as i128;
    let half = (P / 2) as i128;
    while r > half {
        r -= P as i128;
        k += 1;
    }
    while r < -half {
        r += P as i128;
        k -= 1;
    }
    let mag = r.unsigned_abs();
    let hi = Q::from_i64((mag >> 64) as i64).mul(Q::pow2(64));
    let lo = Q::from_i64((mag & 0xffff_ffff) as i64);
    let mid = Q::from_i64(((mag >> 32) & 0xffff_ffff) as i64).mul(Q::pow2(32));
    let mut rq = hi.add(mid).add(lo).mul(Q::pow2(-67));
    let mut quadrant = (k & 3) as u32;
    if r < 0 {
        rq = rq.neg();
    }
    if x.sign_exp & 0x8000 != 0 {
        rq = rq.neg();
        quadrant = (4 - quadrant) & 3;
    }
    (rq, quadrant)
}
