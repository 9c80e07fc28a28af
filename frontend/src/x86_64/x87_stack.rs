//! The x87 register stack behind the `x64_x87` helper: the eight registers of [`X64Cpu`]
//! addressed relative to TOP, their empty/valid tags, and the stack faults the hardware
//! reports with exceptions masked: pushing onto a non-empty register (overflow: IE, SF and
//! C1) or reading an empty one (underflow: IE, SF, C1 clear) stores the real indefinite.
//! Every helper operation (`op` codes below, issued by `x87.rs`) runs here; the arithmetic is
//! emu-fpu's through `x87_arith.rs`.

use emu_ir::helpers::HelperFn;
use emu_ir::{Helper, HelperEffects, Type};

use crate::x86_64::x87_arith::{self as arith, examine, from_int, widen, F80, INDEFINITE};
use crate::x86_64::X64Cpu;

/// Helper operations (the low byte of the code; higher bits are operation arguments).
pub(crate) mod op {
    pub const PUSH: u64 = 0;
    pub const POP: u64 = 1;
    /// The significand of ST(i) (raising underflow when empty).
    pub const GET_LO: u64 = 2;
    /// The sign and exponent of ST(i) (silently: GET_LO reported the fault).
    pub const GET_HI: u64 = 3;
    pub const COPY_TO: u64 = 4;
    pub const XCH: u64 = 5;
    pub const CHS: u64 = 6;
    pub const ABS: u64 = 7;
    /// `COMPARE | signaling << 8`: ZF/PF/CF (returned).
    pub const COMPARE: u64 = 8;
    pub const PUSH_F32: u64 = 9;
    pub const PUSH_F64: u64 = 10;
    pub const PUSH_INT: u64 = 11;
    pub const EXAMINE: u64 = 12;
    /// `ARITH | kind << 8 | reverse << 10 | dst_sti << 11 | pop << 12 | src << 13`.
    pub const ARITH: u64 = 13;
    pub const SQRT: u64 = 14;
    pub const RNDINT: u64 = 15;
    /// `STORE_FLOAT | bits << 8`: the rounded value's bits.
    pub const STORE_FLOAT: u64 = 16;
    /// `STORE_INT | bits << 8 | truncate << 15`: the integer.
    pub const STORE_INT: u64 = 17;
    /// `COMPARE_SW | signaling << 8 | src << 13`: C3/C2/C0 in the status word.
    pub const COMPARE_SW: u64 = 18;
    /// FLD ST(i).
    pub const PUSH_ST: u64 = 19;
    /// `UNARY | kind << 8`: ST(0) = f(ST(0)[, ST(1)]) for the `UN_*` kinds.
    pub const UNARY: u64 = 20;
    /// `BINARY_POP | kind << 8`: ST(1) = f(ST(0), ST(1)), then pop (`BIN_*` kinds).
    pub const BINARY_POP: u64 = 21;
    /// `PUSHING | kind << 8`: ST(0) = a(ST(0)), then push b(ST(0)) (`PUSHING_*` kinds).
    pub const PUSHING: u64 = 22;
    /// `FREE | pop << 8`: tag ST(i) empty (FFREE, FFREEP).
    pub const FREE: u64 = 23;
    /// `STEP | up << 8`: FINCSTP (up) / FDECSTP.
    pub const STEP: u64 = 24;
    /// FCMOVcc ST(0), ST(i) with the condition in `lo`.
    pub const FCMOV: u64 = 25;
    /// FBLD: push the packed BCD integer `lo` (digits) / `hi` (sign byte and top digits).
    pub const PUSH_BCD: u64 = 26;
    /// `STORE_BCD | hi << 8`: the low eight bytes of ST(0) as packed BCD (with the flags),
    /// or (`hi`) the top two bytes.
    pub const STORE_BCD: u64 = 27;

    /// Where the second operand of ARITH/COMPARE_SW comes from (`<< 13`): ST(i), or the
    /// `lo` argument as binary32, binary64 or a sign-extended integer.
    pub const SRC_ST: u64 = 0;
    pub const SRC_F32: u64 = 1;
    pub const SRC_F64: u64 = 2;
    pub const SRC_INT: u64 = 3;
    pub const SIGNALING: u64 = 1 << 8;

    pub const UN_F2XM1: u64 = 0;
    pub const UN_SIN: u64 = 1;
    pub const UN_COS: u64 = 2;
    pub const UN_SCALE: u64 = 3;
    pub const UN_PREM: u64 = 4;
    pub const UN_PREM1: u64 = 5;
    pub const BIN_YL2X: u64 = 0;
    pub const BIN_YL2XP1: u64 = 1;
    pub const BIN_PATAN: u64 = 2;
    pub const PUSHING_TAN: u64 = 0;
    pub const PUSHING_SINCOS: u64 = 1;
    pub const PUSHING_XTRACT: u64 = 2;
}

use op::*;

/// Status-word bits.
const SW_IE: u64 = 0x1;
const SW_SF: u64 = 0x40;
const SW_C1: u64 = 0x200;
const SW_C2: u64 = 0x400;
/// C3, C2, C0.
const SW_CC: u64 = 0x4500;

/// The register stack of one helper call, with the status bits it raises.
struct Stack<'a> {
    cpu: &'a mut X64Cpu,
    sw: u64,
}

impl Stack<'_> {
    fn phys(&self, i: u64) -> usize {
        (self.cpu.fpu_top as usize + i as usize) & 7
    }

    fn is_empty(&self, i: u64) -> bool {
        self.cpu.fpu_empty >> self.phys(i) & 1 != 0
    }

    fn underflow(&mut self) {
        self.sw |= SW_IE | SW_SF;
    }

    /// ST(i), or the indefinite with an underflow when it is empty.
    fn get(&mut self, i: u64) -> F80 {
        if self.is_empty(i) {
            self.underflow();
            return INDEFINITE;
        }
        self.cpu.st[self.phys(i)]
    }

    /// ST(i) and ST(j) if both are valid; otherwise an underflow.
    fn get2(&mut self, i: u64, j: u64) -> Option<(F80, F80)> {
        if self.is_empty(i) || self.is_empty(j) {
            self.underflow();
            return None;
        }
        Some((self.cpu.st[self.phys(i)], self.cpu.st[self.phys(j)]))
    }

    fn set(&mut self, i: u64, v: F80) {
        let p = self.phys(i);
        self.cpu.st[p] = [v[0], v[1] & 0xffff];
        self.cpu.fpu_empty &= !(1 << p);
    }

    fn push(&mut self, v: F80) {
        let t = (self.cpu.fpu_top + 7) & 7;
        let v = if self.cpu.fpu_empty >> t & 1 == 0 {
            self.sw |= SW_IE | SW_SF | SW_C1;
            INDEFINITE
        } else {
            v
        };
        self.cpu.fpu_top = t;
        self.set(0, v);
    }

    fn free(&mut self, i: u64) {
        self.cpu.fpu_empty |= 1 << self.phys(i);
    }

    fn pop(&mut self) {
        self.free(0);
        self.cpu.fpu_top = (self.cpu.fpu_top + 1) & 7;
    }

    /// Replace the condition codes C3, C2, C0 (and C1 if `c1`) by those in `bits`.
    fn set_cc(&mut self, bits: u64, c1: bool) {
        let mask = SW_CC | if c1 { SW_C1 } else { 0 };
        self.cpu.fpu_sw &= !mask;
        self.sw = (self.sw & !mask) | bits & mask;
    }
}

/// DE for a denormal binary32 (`single`) or binary64 memory operand, IE for a signaling NaN
/// (the flags of loading it).
fn memory_exceptions(single: bool, bits: u64) -> u64 {
    let flags = if single {
        emu_fpu::x87::from_f32(bits as u32).1
    } else {
        emu_fpu::x87::from_f64(bits).1
    };
    u64::from(flags)
}

/// [`memory_exceptions`] of a float memory source of ARITH/COMPARE_SW whose other operand
/// is `other` (no DE when that is a NaN).
fn source_exceptions(code: u64, lo: u64, other: F80) -> u64 {
    let e = match (code >> 13) & 3 {
        SRC_F32 => memory_exceptions(true, lo),
        SRC_F64 => memory_exceptions(false, lo),
        _ => 0,
    };
    if arith::is_nan(other) || arith::is_unsupported(other) {
        e & !arith::SW_DE
    } else {
        e
    }
}

/// A memory source of ARITH/COMPARE_SW as an 80-bit value.
fn memory_source(code: u64, lo: u64) -> F80 {
    match (code >> 13) & 3 {
        SRC_F32 => widen(lo & 0xffff_ffff, 8, 23),
        SRC_F64 => widen(lo, 11, 52),
        _ => from_int(lo as i64),
    }
}

/// The second operand of ARITH/COMPARE_SW (`None` after an underflow).
fn second(s: &mut Stack, code: u64, i: u64, lo: u64) -> Option<(F80, F80)> {
    if (code >> 13) & 3 == SRC_ST {
        return s.get2(0, i);
    }
    if s.is_empty(0) {
        s.underflow();
        return None;
    }
    let a = s.cpu.st[s.phys(0)];
    s.sw |= source_exceptions(code, lo, a);
    Some((a, memory_source(code, lo)))
}

/// The ordering of ST(0) and an operand as ZF/PF/CF (unordered after an underflow).
fn compare(s: &mut Stack, code: u64, i: u64, lo: u64) -> u64 {
    use crate::x86_64::flags::{CF, PF, ZF};
    match second(s, code, i, lo) {
        Some((a, b)) => arith::compare(a, b, code & SIGNALING != 0, &mut s.sw),
        None => ZF | PF | CF,
    }
}

fn arith_op(s: &mut Stack, code: u64, i: u64, lo: u64) {
    let dst_sti = code & 1 << 11 != 0;
    let d = if dst_sti { i } else { 0 };
    let r = second(s, code, i, lo).map(|(st0, other)| {
        // `op st(i), st(0)` computes ST(i) op ST(0).
        let (a, b) = if dst_sti { (other, st0) } else { (st0, other) };
        let (x, y) = if code & 1 << 10 != 0 { (b, a) } else { (a, b) };
        let (r, f) = arith::arith((code >> 8) & 3, x, y, s.cpu.fpu_cw);
        s.sw |= f;
        r
    });
    s.set(d, r.unwrap_or(INDEFINITE));
    if code & 1 << 12 != 0 {
        s.pop();
    }
}

/// F2XM1, FSIN, FCOS, FSCALE, FPREM, FPREM1.
fn unary(s: &mut Stack, kind: u64) {
    let cw = s.cpu.fpu_cw;
    let two = matches!(kind, UN_SCALE | UN_PREM | UN_PREM1);
    let ops = if two {
        s.get2(0, 1)
    } else if s.is_empty(0) {
        s.underflow();
        None
    } else {
        Some((s.get(0), [0, 0]))
    };
    let Some((a, b)) = ops else {
        s.set(0, INDEFINITE);
        return;
    };
    let (r, f) = match kind {
        UN_F2XM1 => arith::f2xm1(a, cw),
        UN_SIN | UN_COS => {
            // Only C2 (out of range) and C1 change; C0 and C3 keep their values.
            let (r, f) = arith::trig(kind == UN_COS, a, cw);
            s.cpu.fpu_sw &= !SW_C2;
            (r, f)
        }
        UN_SCALE => arith::scale(a, b, cw),
        _ => {
            let (r, f) = arith::prem(a, b, kind == UN_PREM1);
            s.set_cc(f, true);
            (r, f)
        }
    };
    s.sw |= f;
    s.set(0, r);
}

/// FYL2X, FYL2XP1, FPATAN: ST(1) = f(ST(0), ST(1)), pop.
fn binary_pop(s: &mut Stack, kind: u64) {
    let cw = s.cpu.fpu_cw;
    let r = s.get2(0, 1).map(|(x, y)| {
        let (r, f) = match kind {
            BIN_YL2X => arith::fyl2x(x, y, cw),
            BIN_YL2XP1 => arith::fyl2xp1(x, y, cw),
            _ => arith::fpatan(x, y, cw),
        };
        s.sw |= f;
        r
    });
    s.set(1, r.unwrap_or(INDEFINITE));
    s.pop();
}

/// FPTAN, FSINCOS, FXTRACT: ST(0) = a, push b (unless out of range: C2, nothing changes).
fn pushing(s: &mut Stack, kind: u64) {
    let cw = s.cpu.fpu_cw;
    if s.is_empty(0) || !s.is_empty(7) {
        // Underflow, or overflow (reported by the push): both results are the indefinite.
        if s.is_empty(0) {
            s.underflow();
        }
        s.set(0, INDEFINITE);
        s.push(INDEFINITE);
        return;
    }
    let x = s.get(0);
    let out = match kind {
        PUSHING_TAN => arith::fptan(x, cw),
        PUSHING_SINCOS => arith::fsincos(x, cw),
        _ => Some(arith::fxtract(x)),
    };
    // C2 reports an out-of-range FPTAN/FSINCOS operand; C0 and C3 (and C2 for FXTRACT)
    // keep their values.
    if kind != PUSHING_XTRACT {
        s.cpu.fpu_sw &= !SW_C2;
    }
    match out {
        None => s.sw |= SW_C2,
        Some((a, b, f)) => {
            s.sw |= f;
            s.set(0, a);
            s.push(b);
        }
    }
}

extern "C" fn helper_x87(env: *mut u8, code: u64, i: u64, lo: u64, hi: u64) -> u64 {
    // SAFETY: called only from translated x86_64 code, whose `env` is the live `X64Cpu` of
    // this guest thread; nothing else references it while the helper runs.
    let cpu = unsafe { &mut *env.cast::<X64Cpu>() };
    // The second halves of 80-bit results and the pop after a store leave the status word
    // (C1 in particular) to the call before.
    let second_half =
        matches!(code & 0xff, GET_HI | POP) || code & 0xff == STORE_BCD && code >> 8 & 1 != 0;
    if !second_half {
        // C1 reports the rounding of the last operation (or the sign, for FXAM).
        cpu.fpu_sw &= !SW_C1;
    }
    let mut s = Stack { cpu, sw: 0 };
    let ret = run(&mut s, code, i, lo, hi);
    if !second_half {
        s.cpu.fpu_sw |= s.sw;
    }
    ret
}

/// One helper operation; returns the helper's result.
fn run(s: &mut Stack, code: u64, i: u64, lo: u64, hi: u64) -> u64 {
    let cw = s.cpu.fpu_cw;
    match code & 0xff {
        PUSH => s.push([lo, hi]),
        PUSH_F32 | PUSH_F64 => {
            let single = code & 0xff == PUSH_F32;
            let v = memory_source(if single { SRC_F32 } else { SRC_F64 } << 13, lo);
            s.sw |= memory_exceptions(single, lo);
            s.push(v);
        }
        PUSH_INT => s.push(from_int(lo as i64)),
        PUSH_ST => {
            let v = s.get(i);
            s.push(v);
        }
        PUSH_BCD => s.push(arith::from_bcd(lo, hi)),
        POP => s.pop(),
        GET_LO => return s.get(i)[0],
        GET_HI if s.is_empty(i) => return INDEFINITE[1],
        GET_HI => return s.cpu.st[s.phys(i)][1],
        COPY_TO => {
            let v = s.get(0);
            s.set(i, v);
        }
        XCH => {
            let (a, b) = (s.get(0), s.get(i));
            s.set(0, b);
            s.set(i, a);
        }
        CHS | ABS => {
            let mut v = s.get(0);
            v[1] = if code & 0xff == CHS {
                v[1] ^ 0x8000
            } else {
                v[1] & 0x7fff
            };
            s.set(0, v);
        }
        COMPARE => return compare(s, code & !(3 << 13), i, lo),
        COMPARE_SW => {
            let f = compare(s, code, i, lo);
            // ZF, PF, CF → C3 (bit 14), C2 (bit 10), C0 (bit 8).
            s.set_cc((f & 0x40) << 8 | (f & 0x4) << 8 | (f & 1) << 8, false);
        }
        EXAMINE => {
            let v = s.cpu.st[s.phys(0)];
            let class = if s.is_empty(0) {
                0x4100 | (v[1] >> 15 & 1) << 9
            } else {
                examine(v)
            };
            s.set_cc(class, true);
        }
        ARITH => arith_op(s, code, i, lo),
        SQRT | RNDINT => {
            let r = if s.is_empty(0) {
                s.underflow();
                INDEFINITE
            } else {
                let a = s.get(0);
                let (r, f) = if code & 0xff == SQRT {
                    arith::sqrt(a, cw)
                } else {
                    arith::round_int(a, cw)
                };
                s.sw |= f;
                r
            };
            s.set(0, r);
        }
        STORE_FLOAT => {
            let bits = ((code >> 8) & 0x7f) as u32;
            let a = s.get(0);
            let (v, f) = arith::to_float(a, bits, cw);
            s.sw |= f;
            return v;
        }
        STORE_INT => {
            let truncate = code & 1 << 15 != 0;
            let bits = ((code >> 8) & 0x7f) as u32;
            let a = s.get(0);
            let (v, f) = arith::to_int(a, bits, truncate, cw);
            s.sw |= f;
            return v;
        }
        STORE_BCD => {
            let a = s.get(0);
            let (lo, hi, f) = arith::to_bcd(a, cw);
            if code >> 8 & 1 != 0 {
                return hi;
            }
            s.sw |= f;
            return lo;
        }
        UNARY => unary(s, (code >> 8) & 0xff),
        BINARY_POP => binary_pop(s, (code >> 8) & 0xff),
        PUSHING => pushing(s, (code >> 8) & 0xff),
        FREE => {
            s.free(i);
            if code >> 8 & 1 != 0 {
                s.pop();
            }
        }
        STEP => {
            let d = if code >> 8 & 1 != 0 { 1 } else { 7 };
            s.cpu.fpu_top = (s.cpu.fpu_top + d) & 7;
        }
        FCMOV if lo != 0 => {
            let v = s.get(i);
            s.set(0, v);
        }
        _ => {}
    }
    0
}

static X87: Helper = Helper {
    name: "x64_x87",
    func: HelperFn::A4(helper_x87),
    nargs: 4,
    ret: Some(Type::I64),
    effects: HelperEffects {
        reads_state: true,
        writes_state: true,
        memory: false,
    },
};

/// The helper, for `x87.rs`'s calls.
pub(crate) fn helper() -> &'static Helper {
    &X87
}

pub(crate) static HELPERS: &[&Helper] = &[&X87];
