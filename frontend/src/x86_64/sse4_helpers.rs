//! The out-of-line helper `x64_sse4(code, d, s, x)` for the SSE3, SSSE3 and SSE4.1 lane
//! operations (and SSE4.2's PCMPGTQ), and the pure `x64_crc32` helper (CRC-32C).
//!
//! `code` is an [`Op4`] in bits 7:0, a lane width in bytes in bits 15:8 and a second
//! parameter in bits 23:16 (see [`code`]), so one generic function serves every lane width;
//! `d` is the destination (and first source) XMM, `s` the second source (16: the scratch slot
//! holding a memory operand), `x` the immediate. Floating point goes through the shared x86
//! rules of `sse_helpers.rs` (MXCSR rounding and flags, NaN propagation). The result is the
//! flags for PTEST and 0 otherwise.

use emu_fpu::arm::{FpCtx, IOC, IXC};
use emu_ir::helpers::HelperFn;
use emu_ir::{Helper, HelperEffects, Type};

use crate::x86_64::flags::{CF, ZF};
use crate::x86_64::mxcsr::{rounding, Mx};
use crate::x86_64::sse_helpers::{
    arith2, from_lanes, lane, lanes, map2, pack, sat_s, sext, with_lane, xmm, Prec, XMM_WIDTH,
};
use crate::x86_64::X64Cpu;

/// Operations; the lane width `es` (bytes) and a second parameter `p` come with the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Op4 {
    /// SSE3 (floating point, `es` 4 or 8): ADDSUBPx, HADDPx, HSUBPx.
    AddSub,
    HAdd,
    HSub,
    /// MOVDDUP, MOVSHDUP, MOVSLDUP: lanes of `es` bytes, the even (`p` 0) or odd ones doubled.
    Dup,
    /// SSSE3.
    PshufB,
    PhAdd,
    PhSub,
    PhAddS,
    PhSubS,
    PmaddUBSW,
    PmulhRSW,
    Psign,
    Pabs,
    PalignR,
    /// SSE4.1 blends: by the sign of XMM0's lanes, or by immediate bits.
    BlendV,
    Blend,
    /// PTEST: ZF and CF.
    Ptest,
    /// PMOVSX/PMOVZX from `es`-byte lanes to `p`-byte lanes.
    PmovSX,
    PmovZX,
    PminS,
    PminU,
    PmaxS,
    PmaxU,
    PmulLD,
    PmulDQ,
    PcmpEq,
    PcmpGt,
    PackusDW,
    /// ROUNDPx (`p` 0) / ROUNDSx (`p` 1).
    Round,
    /// DPPS/DPPD.
    Dp,
    InsertPS,
    MpsadBW,
    PhminposUW,
}

impl Op4 {
    pub(crate) fn from_code(code: u8) -> Option<Op4> {
        if code > Op4::PhminposUW as u8 {
            return None;
        }
        // SAFETY: `Op4` is `repr(u8)` with contiguous discriminants from 0 to `PhminposUW`
        // (no explicit values), and `code` is in that range.
        Some(unsafe { std::mem::transmute::<u8, Op4>(code) })
    }
}

/// The helper code of `op` on lanes of `es` bytes with parameter `p`.
pub(crate) fn code(op: Op4, es: u32, p: u32) -> u64 {
    op as u64 | u64::from(es) << 8 | u64::from(p) << 16
}

/// Pairs of adjacent lanes of registers of `w` bytes combined: `f(a0, a1), f(a2, a3), …,
/// f(b0, b1), …`.
fn horizontal(a: u128, b: u128, es: u32, w: u32, mut f: impl FnMut(u64, u64) -> u64) -> u128 {
    let half = (w / 2 / es) as usize;
    let (la, lb) = (lanes(a, es), lanes(b, es));
    let mut out = [0u64; 16];
    for i in 0..half {
        out[i] = f(la[2 * i], la[2 * i + 1]);
        out[half + i] = f(lb[2 * i], lb[2 * i + 1]);
    }
    from_lanes(&out, es)
}

/// Lane `i` of `b` where bit `i` of `mask` is set, else of `a`.
fn blend(a: u128, b: u128, es: u32, mask: u64) -> u128 {
    (0..16 / es).fold(a, |r, i| {
        if mask >> i & 1 != 0 {
            with_lane(r, es, i, lane(b, es, i))
        } else {
            r
        }
    })
}

/// The sign bits of the lanes of `v` as a mask.
fn sign_mask(v: u128, es: u32) -> u64 {
    (0..16 / es).fold(0, |m, i| m | (lane(v, es, i) >> (es * 8 - 1)) << i)
}

/// The low lanes of `b` (`from` bytes) widened to `to` bytes.
fn extend(b: u128, from: u32, to: u32, signed: bool) -> u128 {
    (0..16 / to).fold(0, |r, i| {
        let v = lane(b, from, i);
        let v = if signed { sext(v, from) as u64 } else { v };
        with_lane(r, to, i, v)
    })
}

/// PSHUFB on registers of `w` bytes: bytes of `a` selected by the bytes of `b` (bit 7 set:
/// zero).
fn pshufb(a: u128, b: u128, w: u32) -> u128 {
    let (a, b) = (a.to_le_bytes(), b.to_le_bytes());
    let index = (w - 1) as u8;
    u128::from_le_bytes(b.map(|k| {
        if k & 0x80 != 0 {
            0
        } else {
            a[usize::from(k & index)]
        }
    }))
}

/// PALIGNR on registers of `w` bytes: the concatenation `a:b` shifted right by `x` bytes.
fn palignr(a: u128, b: u128, x: u64, w: u32) -> u128 {
    let sh = 8 * x.min(32) as u32;
    if w < XMM_WIDTH {
        // Both halves fit one u128.
        return (a << (8 * w) | b).checked_shr(sh).unwrap_or(0);
    }
    let lo = b.checked_shr(sh).unwrap_or(0);
    let hi = if sh >= 128 {
        a.checked_shr(sh - 128).unwrap_or(0)
    } else {
        a.checked_shl(128 - sh).unwrap_or(0)
    };
    lo | hi
}

/// MPSADBW: sums of absolute differences of 4-byte blocks.
fn mpsadbw(a: u128, b: u128, imm: u64) -> u128 {
    let (da, sb) = (4 * (imm as u32 >> 2 & 1), 4 * (imm as u32 & 3));
    (0..8).fold(0, |r, i| {
        let sad: u64 = (0..4)
            .map(|j| lane(a, 1, da + i + j).abs_diff(lane(b, 1, sb + j)))
            .sum();
        with_lane(r, 2, i, sad)
    })
}

/// PHMINPOSUW: the smallest word of `b` and its (first) index.
fn phminposuw(b: u128) -> u128 {
    let (idx, min) = (0..8u64)
        .map(|i| (i, lane(b, 2, i as u32)))
        .min_by_key(|&(i, v)| (v, i))
        .unwrap_or((0, 0));
    u128::from(min | idx << 16)
}

/// INSERTPS: lane `imm[7:6]` of `b` into lane `imm[5:4]` of `a`, then lanes in `imm[3:0]`
/// zeroed.
fn insertps(a: u128, b: u128, imm: u64) -> u128 {
    let v = lane(b, 4, (imm >> 6) as u32 & 3);
    let r = with_lane(a, 4, (imm >> 4) as u32 & 3, v);
    (0..4).fold(r, |r, i| {
        if imm >> i & 1 != 0 {
            with_lane(r, 4, i, 0)
        } else {
            r
        }
    })
}

/// The integer operations on the sources `[a, b, xmm0]` (XMM0: BLENDVx's mask), registers of
/// `w` bytes (`XMM_WIDTH`, or 8 for MMX with `a` and `b` zero-extended).
pub(super) fn int_op(op: Op4, es: u32, p: u32, src: [u128; 3], x: u64, w: u32) -> u128 {
    let [a, b, xmm0] = src;
    use Op4::*;
    let ones = |c: bool| if c { u64::MAX } else { 0 };
    let pick = |lt: bool| move |x: u64, y: u64| if lt { x } else { y };
    match op {
        Dup => (0..16 / es).fold(0, |r, i| with_lane(r, es, i, lane(b, es, i & !1 | p))),
        PshufB => pshufb(a, b, w),
        PhAdd => horizontal(a, b, es, w, u64::wrapping_add),
        PhSub => horizontal(a, b, es, w, u64::wrapping_sub),
        PhAddS => horizontal(a, b, es, w, |x, y| sat_s(sext(x, es) + sext(y, es), es)),
        PhSubS => horizontal(a, b, es, w, |x, y| sat_s(sext(x, es) - sext(y, es), es)),
        PmaddUBSW => (0..8).fold(0, |r, i| {
            let prod = |j: u32| lane(a, 1, j) as i64 * sext(lane(b, 1, j), 1);
            with_lane(r, 2, i, sat_s(prod(2 * i) + prod(2 * i + 1), 2))
        }),
        PmulhRSW => map2(a, b, 2, |x, y| {
            ((((sext(x, 2) * sext(y, 2)) >> 14) + 1) >> 1) as u64
        }),
        Psign => map2(a, b, es, |x, y| match sext(y, es).signum() {
            -1 => x.wrapping_neg(),
            0 => 0,
            _ => x,
        }),
        Pabs => map2(b, b, es, |x, _| sext(x, es).unsigned_abs()),
        PalignR => palignr(a, b, x, w),
        BlendV => blend(a, b, es, sign_mask(xmm0, es)),
        Blend => blend(a, b, es, x),
        PmovSX | PmovZX => extend(b, es, p, op == PmovSX),
        PminS => map2(a, b, es, |x, y| pick(sext(x, es) < sext(y, es))(x, y)),
        PmaxS => map2(a, b, es, |x, y| pick(sext(x, es) > sext(y, es))(x, y)),
        PminU => map2(a, b, es, u64::min),
        PmaxU => map2(a, b, es, u64::max),
        PmulLD => map2(a, b, 4, u64::wrapping_mul),
        PmulDQ => map2(a, b, 8, |x, y| (sext(x, 4) * sext(y, 4)) as u64),
        PcmpEq => map2(a, b, es, |x, y| ones(x == y)),
        PcmpGt => map2(a, b, es, |x, y| ones(sext(x, es) > sext(y, es))),
        PackusDW => pack(a, b, 4, true, w),
        InsertPS => insertps(a, b, x),
        MpsadBW => mpsadbw(a, b, x),
        PhminposUW => phminposuw(b),
        AddSub | HAdd | HSub | Round | Dp | Ptest => a,
    }
}

/// The floating-point operations, accruing exception flags into MXCSR.
fn fp_op(op: Op4, es: u32, p: u32, a: u128, b: u128, x: u64, cpu: &mut X64Cpu) -> u128 {
    let prec = if es == 4 { Prec::S } else { Prec::D };
    let mut mx = Mx::new(cpu.mxcsr);
    let v = match op {
        Op4::AddSub => (0..16 / es).fold(a, |r, i| {
            let kind = if i % 2 == 0 { 1 } else { 0 };
            with_lane(
                r,
                es,
                i,
                arith2(prec, kind, lane(a, es, i), lane(b, es, i), &mut mx),
            )
        }),
        Op4::HAdd => horizontal(a, b, es, XMM_WIDTH, |x, y| arith2(prec, 0, x, y, &mut mx)),
        Op4::HSub => horizontal(a, b, es, XMM_WIDTH, |x, y| arith2(prec, 1, x, y, &mut mx)),
        Op4::Dp => dot(a, b, es, x, &mut |kind, x, y| {
            arith2(prec, kind, x, y, &mut mx)
        }),
        _ => round(a, b, es, p != 0, x, &mut mx, cpu.mxcsr),
    };
    cpu.mxcsr |= mx.raised();
    v
}

/// DPPS/DPPD: the products selected by `imm[7:4]` (others +0.0), summed pairwise (lanes
/// 0+1, 2+3, then the two sums), written to the lanes selected by `imm[3:0]`.
fn dot(a: u128, b: u128, es: u32, imm: u64, ar: &mut impl FnMut(u8, u64, u64) -> u64) -> u128 {
    let n = 16 / es;
    let prod: Vec<u64> = (0..n)
        .map(|i| {
            if imm >> (4 + i) & 1 != 0 {
                ar(2, lane(a, es, i), lane(b, es, i))
            } else {
                0
            }
        })
        .collect();
    let mut sum = ar(0, prod[0], prod[1]);
    if n == 4 {
        let high = ar(0, prod[2], prod[3]);
        sum = ar(0, sum, high);
    }
    (0..n).fold(0, |r, i| {
        if imm >> i & 1 != 0 {
            with_lane(r, es, i, sum)
        } else {
            r
        }
    })
}

/// ROUNDPx/ROUNDSx: the lanes of `b` (only the low one, merged into `a`, when `scalar`)
/// rounded to integers; `imm[1:0]` is the rounding mode unless `imm[2]` selects MXCSR.RC,
/// `imm[3]` suppresses the precision exception.
fn round(a: u128, b: u128, es: u32, scalar: bool, imm: u64, mx: &mut Mx, mxcsr: u64) -> u128 {
    let rm = rounding(if imm & 4 != 0 { mxcsr } else { (imm & 3) << 13 });
    let prec = if es == 4 {
        emu_fpu::arm::Prec::S
    } else {
        emu_fpu::arm::Prec::D
    };
    // Arm's FRINT with no flushing and no default NaN has x86's NaN rules for one operand.
    let mut ctx = FpCtx::new(0);
    let n = if scalar { 1 } else { 16 / es };
    let base = if scalar { a } else { b };
    let v = (0..n).fold(base, |r, i| {
        let v = lane(b, es, i);
        // ROUND has no denormal-operand exception, but DAZ applies.
        let v = mx.daz(es * 8, v);
        with_lane(r, es, i, ctx.round_int(prec, v, rm, imm & 8 == 0))
    });
    for (arm, x86) in [(IOC, 1), (IXC, 1 << 5)] {
        if ctx.flags & arm != 0 {
            mx.raise(x86);
        }
    }
    v
}

/// PTEST: ZF when `a & b` is zero, CF when `!a & b` is zero (the other flags clear).
fn ptest(a: u128, b: u128) -> u64 {
    let f = |c: bool, flag: u64| if c { flag } else { 0 };
    f(a & b == 0, ZF) | f(!a & b == 0, CF)
}

extern "C" fn helper_sse4(env: *mut u8, code: u64, d: u64, s: u64, x: u64) -> u64 {
    // SAFETY: called only from translated x86_64 code, whose `env` is the live `X64Cpu` of
    // this guest thread; nothing else references it while the helper runs.
    let cpu = unsafe { &mut *env.cast::<X64Cpu>() };
    let Some(op) = Op4::from_code(code as u8) else {
        return 0;
    };
    let (es, p) = ((code >> 8) as u32 & 0xff, (code >> 16) as u32 & 0xff);
    if !matches!(es, 1 | 2 | 4 | 8) {
        return 0;
    }
    let (a, b) = (xmm(cpu, d), xmm(cpu, s));
    let v = match op {
        Op4::Ptest => return ptest(a, b),
        Op4::AddSub | Op4::HAdd | Op4::HSub | Op4::Round | Op4::Dp => {
            fp_op(op, es, p, a, b, x, cpu)
        }
        _ => int_op(op, es, p, [a, b, xmm(cpu, 0)], x, XMM_WIDTH),
    };
    cpu.xmm[(d % 17) as usize] = [v as u64, (v >> 64) as u64];
    0
}

/// `x64_sse4(code, d, s, x)`: see the module docs.
pub(crate) static SSE4: Helper = Helper {
    name: "x64_sse4",
    func: HelperFn::A4(helper_sse4),
    nargs: 4,
    ret: Some(Type::I64),
    effects: HelperEffects {
        reads_state: true,
        writes_state: true,
        memory: false,
    },
};

/// The CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) table, one byte at a time.
const CRC32C: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                c >> 1 ^ 0x82f6_3b78
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// CRC32: `crc` updated with the low `bytes` bytes of `v`, least significant first.
pub(crate) fn crc32c(crc: u32, v: u64, bytes: u32) -> u32 {
    v.to_le_bytes()[..bytes.min(8) as usize]
        .iter()
        .fold(crc, |c, &byte| c >> 8 ^ CRC32C[usize::from(c as u8 ^ byte)])
}

extern "C" fn helper_crc32(_env: *mut u8, crc: u64, v: u64, bytes: u64) -> u64 {
    u64::from(crc32c(crc as u32, v, bytes as u32))
}

/// `x64_crc32(crc, v, bytes)`: the CRC32 instruction.
pub(crate) static CRC32: Helper = Helper {
    name: "x64_crc32",
    func: HelperFn::A3(helper_crc32),
    nargs: 3,
    ret: Some(Type::I64),
    effects: HelperEffects {
        reads_state: false,
        writes_state: false,
        memory: false,
    },
};

pub(crate) static HELPERS: &[&Helper] = &[&SSE4, &CRC32];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_codes_round_trip() {
        for op in [Op4::AddSub, Op4::Ptest, Op4::PhminposUW] {
            assert_eq!(Op4::from_code(op as u8), Some(op));
        }
        assert_eq!(Op4::from_code(Op4::PhminposUW as u8 + 1), None);
    }

    #[test]
    fn crc32c_check_value() {
        // The CRC-32C check value of "123456789" (RFC 3720), with the usual pre/post inversion.
        let crc = b"123456789"
            .iter()
            .fold(!0u32, |c, &b| crc32c(c, u64::from(b), 1));
        assert_eq!(!crc, 0xe306_9283);
    }
}
