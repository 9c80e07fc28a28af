//! SSE4.2's string compares PCMPESTRI, PCMPESTRM, PCMPISTRI and PCMPISTRM: the helper
//! `x64_pcmpstr(ctl, d, s)`. `ctl` is the imm8 (element format, aggregation, polarity,
//! output selection) plus [`EXPLICIT`] (lengths in EAX/EDX, RAX/RDX with [`LEN64`]) and
//! [`MASK`] (the mask goes to XMM0; otherwise the index goes to ECX). `d` is the first source
//! XMM (the "needle" or character set), `s` the second (16: the scratch slot holding a memory
//! operand). The result is the new arithmetic flags: CF (any result bit), ZF (the second
//! operand ends within 16 bytes), SF (the first one does), OF (result bit 0), AF = PF = 0.

use emu_ir::helpers::HelperFn;
use emu_ir::{Helper, HelperEffects, Type};

use crate::x86_64::flags::{CF, OF, SF, ZF};
use crate::x86_64::sse_helpers::{lanes, sext, xmm};
use crate::x86_64::{X64Cpu, RAX, RCX, RDX};

/// `ctl` bit: explicit lengths (PCMPESTRx).
pub(crate) const EXPLICIT: u64 = 1 << 8;
/// `ctl` bit: mask output (PCMPxSTRM).
pub(crate) const MASK: u64 = 1 << 9;
/// `ctl` bit: 64-bit explicit lengths (REX.W).
pub(crate) const LEN64: u64 = 1 << 10;

/// One operand as elements (bytes or words, signed per `imm[1]`) and its element count.
fn elements(v: u128, imm: u64) -> ([i64; 16], usize) {
    let es = if imm & 1 != 0 { 2 } else { 1 };
    let l = lanes(v, es);
    let signed = imm & 2 != 0;
    let e = l.map(|x| if signed { sext(x, es) } else { x as i64 });
    (e, (16 / es) as usize)
}

/// The length of a NUL-terminated operand (at most `n`).
fn implicit_len(e: &[i64], n: usize) -> usize {
    e[..n].iter().position(|&x| x == 0).unwrap_or(n)
}

/// An explicit length: the absolute value of the register, saturated to `n`.
fn explicit_len(r: u64, len64: bool, n: usize) -> usize {
    let abs = if len64 {
        (r as i64).unsigned_abs()
    } else {
        u64::from((r as i32).unsigned_abs())
    };
    abs.min(n as u64) as usize
}

/// IntRes1: the aggregation `imm[3:2]` of `a` (length `la`) against `b` (length `lb`), bit
/// `j` for element `j` of `b`.
fn aggregate(imm: u64, a: &[i64], la: usize, b: &[i64], lb: usize, n: usize) -> u32 {
    let bit = |j: usize, c: bool| u32::from(c) << j;
    (0..n)
        .map(|j| match (imm >> 2) & 3 {
            // Equal any: `b[j]` is one of `a`'s elements.
            0 => bit(j, j < lb && a[..la].contains(&b[j])),
            // Ranges: `b[j]` lies in one of `a`'s (low, high) pairs.
            1 => bit(
                j,
                j < lb
                    && a[..la]
                        .chunks_exact(2)
                        .any(|r| r[0] <= b[j] && b[j] <= r[1]),
            ),
            // Equal each: invalid elements of both match, of one do not.
            2 => bit(
                j,
                if j < la && j < lb {
                    a[j] == b[j]
                } else {
                    j >= la && j >= lb
                },
            ),
            // Equal ordered: `a` occurs at `b[j]` (it may run past the end of `b`'s data only
            // where `a` has ended too).
            _ => bit(
                j,
                (0..n - j).all(|k| k >= la || (j + k < lb && a[k] == b[j + k])),
            ),
        })
        .fold(0, |r, x| r | x)
}

/// IntRes2: IntRes1 after the polarity `imm[5:4]` (negated, or negated where `b` is valid).
fn polarity(imm: u64, r: u32, lb: usize, n: usize) -> u32 {
    let all = (1u32 << n) - 1;
    match (imm >> 4) & 3 {
        1 => !r & all,
        3 => r ^ ((1u32 << lb) - 1),
        _ => r,
    }
}

/// The mask result: the bits zero-extended, or (`imm[6]`) each expanded to an element.
fn mask_result(imm: u64, r: u32, n: usize) -> u128 {
    if imm & 0x40 == 0 {
        return u128::from(r);
    }
    let es = 16 / n;
    let ones = u128::MAX >> (128 - 8 * es);
    (0..n).fold(0, |m, i| {
        if r >> i & 1 != 0 {
            m | ones << (8 * es * i)
        } else {
            m
        }
    })
}

/// The index result: the lowest (or, with `imm[6]`, highest) set bit, `n` when none.
fn index_result(imm: u64, r: u32, n: usize) -> u64 {
    if r == 0 {
        n as u64
    } else if imm & 0x40 != 0 {
        u64::from(31 - r.leading_zeros())
    } else {
        u64::from(r.trailing_zeros())
    }
}

extern "C" fn helper_pcmpstr(env: *mut u8, ctl: u64, d: u64, s: u64) -> u64 {
    // SAFETY: called only from translated x86_64 code, whose `env` is the live `X64Cpu` of
    // this guest thread; nothing else references it while the helper runs.
    let cpu = unsafe { &mut *env.cast::<X64Cpu>() };
    let imm = ctl & 0xff;
    let (a, n) = elements(xmm(cpu, d), imm);
    let (b, _) = elements(xmm(cpu, s), imm);
    let (la, lb) = if ctl & EXPLICIT != 0 {
        let len64 = ctl & LEN64 != 0;
        (
            explicit_len(cpu.regs[RAX as usize], len64, n),
            explicit_len(cpu.regs[RDX as usize], len64, n),
        )
    } else {
        (implicit_len(&a, n), implicit_len(&b, n))
    };
    let r = polarity(imm, aggregate(imm, &a, la, &b, lb, n), lb, n);
    if ctl & MASK != 0 {
        let m = mask_result(imm, r, n);
        cpu.xmm[0] = [m as u64, (m >> 64) as u64];
    } else {
        cpu.regs[RCX as usize] = index_result(imm, r, n);
    }
    let f = |c: bool, flag: u64| if c { flag } else { 0 };
    f(r != 0, CF) | f(lb < n, ZF) | f(la < n, SF) | f(r & 1 != 0, OF)
}

/// `x64_pcmpstr(ctl, d, s)`: see the module docs.
pub(crate) static PCMPSTR: Helper = Helper {
    name: "x64_pcmpstr",
    func: HelperFn::A3(helper_pcmpstr),
    nargs: 3,
    ret: Some(Type::I64),
    effects: HelperEffects {
        reads_state: true,
        writes_state: true,
        memory: false,
    },
};

pub(crate) static HELPERS: &[&Helper] = &[&PCMPSTR];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(explicit_len(u64::MAX, false, 16), 1);
        assert_eq!(explicit_len(0x8000_0000, false, 16), 16);
        assert_eq!(explicit_len(0x1_0000_0003, false, 8), 3);
        assert_eq!(explicit_len(0x1_0000_0003, true, 8), 8);
        assert_eq!(implicit_len(&[5, 0, 3], 3), 1);
    }
}
