//! Execution tests of the F and D extensions: results and fflags worked out from IEEE 754 and
//! the RISC-V spec (canonical NaN, NaN-boxing, saturating conversions).

use emu_ir::ExitReason;

use super::asm::{run, run_to_ebreak, CODE_BASE};

const BOX: u64 = 0xffff_ffff_0000_0000;
const NX: u64 = 1;
const DZ: u64 = 8;
const NV: u64 = 16;

#[test]
fn double_arithmetic_and_flags() {
    let Some(r) = run_to_ebreak(
        "
        li t0, 0x3ff8000000000000   # 1.5
        fmv.d.x fa0, t0
        li t0, 0x4002000000000000   # 2.25
        fmv.d.x fa1, t0
        fadd.d fa2, fa0, fa1        # 3.75
        fmv.x.d a0, fa2
        csrr a1, fflags             # exact: 0
        fcvt.d.w fa3, zero
        fdiv.d fa4, fa0, fa3        # +inf, DZ
        fmv.x.d a2, fa4
        csrr a3, fflags
        csrw fflags, zero
        li t1, 3
        fcvt.d.l fa5, t1
        fdiv.d fa6, fa0, fa5        # 0.5, exact
        fmv.d.x fa7, zero
        fsqrt.d ft0, fa5            # sqrt(3): inexact
        csrr a4, fflags
        fmadd.d ft1, fa0, fa1, fa0  # 1.5*2.25+1.5 = 4.875
        fmv.x.d a5, ft1
        fnmadd.d ft2, fa0, fa1, fa0 # -4.875
        fmv.x.d a6, ft2
        fmsub.d ft3, fa0, fa1, fa0  # 1.875
        fmv.x.d a7, ft3
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(10), 0x400e_0000_0000_0000);
    assert_eq!(r.x(11), 0);
    assert_eq!(r.x(12), 0x7ff0_0000_0000_0000);
    assert_eq!(r.x(13), DZ);
    assert_eq!(r.x(14), NX);
    assert_eq!(r.x(15), 0x4013_8000_0000_0000);
    assert_eq!(r.x(16), 0xc013_8000_0000_0000);
    assert_eq!(r.x(17), 0x3ffe_0000_0000_0000);
}

#[test]
fn conversions_saturate_and_set_invalid() {
    let Some(r) = run_to_ebreak(
        "
        li t0, 0x7ff8000000000000   # NaN
        fmv.d.x fa0, t0
        fcvt.w.d a0, fa0            # NaN -> 0x7fffffff, NV
        li t1, 0xbff0000000000000   # -1.0
        fmv.d.x fa1, t1
        fcvt.wu.d a1, fa1           # -1 -> 0, NV
        fcvt.l.d a2, fa1            # -1
        li t2, 0x4004000000000000   # 2.5
        fmv.d.x fa2, t2
        fcvt.w.d a3, fa2, rne       # 2
        fcvt.w.d a4, fa2, rmm       # 3
        fcvt.w.d a5, fa2, rup       # 3
        csrr a6, fflags             # NV | NX
        li t3, -1
        fcvt.s.wu fa3, t3           # 4294967295 -> 2^32 as single, NaN-boxed
        fmv.x.d a7, fa3
        fcvt.wu.s s2, fa3           # 2^32 saturates to 0xffffffff, sign-extended
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(10), 0x7fff_ffff);
    assert_eq!(r.x(11), 0);
    assert_eq!(r.x(12), u64::MAX);
    assert_eq!(r.x(13), 2);
    assert_eq!(r.x(14), 3);
    assert_eq!(r.x(15), 3);
    assert_eq!(r.x(16), NV | NX);
    assert_eq!(r.x(17), BOX | 0x4f80_0000);
    assert_eq!(r.x(18), u64::MAX);
}

#[test]
fn singles_are_nan_boxed() {
    let Some(r) = run_to_ebreak(
        "
        li t0, 0x3f800000           # 1.0f
        fmv.w.x fa0, t0
        fmv.x.d a0, fa0             # boxed
        fadd.s fa1, fa0, fa0        # 2.0f boxed
        fmv.x.d a1, fa1
        li t1, 0x3ff0000000000000   # a double: not a boxed single
        fmv.d.x fa2, t1
        fadd.s fa3, fa2, fa0        # reads canonical NaN
        fmv.x.d a2, fa3
        fsgnjn.s fa4, fa0, fa0      # -1.0f
        fmv.x.d a3, fa4
        fsgnj.s fa5, fa2, fa0       # unboxed rs1 -> canonical NaN magnitude
        fmv.x.d a4, fa5
        fmv.x.w a5, fa4             # sign-extended 0xbf800000
        fclass.s a6, fa4            # negative normal: bit 1
        fclass.s a7, fa2            # quiet NaN: bit 9
        li s0, 0x8000
        fsw fa4, 0(s0)
        flw fa6, 0(s0)
        fmv.x.d s2, fa6
        fcvt.d.s fa7, fa4           # -1.0
        fmv.x.d s3, fa7
        feq.s s4, fa0, fa0
        flt.s s5, fa4, fa0
        feq.s s6, fa2, fa0          # quiet NaN: 0, no flag
        csrr s7, fflags
        flt.s s8, fa2, fa0          # NV
        csrr s9, fflags
        fmin.s fa1, fa2, fa0        # NaN and 1.0 -> 1.0
        fmv.x.d s10, fa1
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(10), BOX | 0x3f80_0000);
    assert_eq!(r.x(11), BOX | 0x4000_0000);
    assert_eq!(r.x(12), BOX | 0x7fc0_0000);
    assert_eq!(r.x(13), BOX | 0xbf80_0000);
    assert_eq!(r.x(14), BOX | 0x7fc0_0000);
    assert_eq!(r.x(15), 0xffff_ffff_bf80_0000);
    assert_eq!(r.x(16), 1 << 1);
    assert_eq!(r.x(17), 1 << 9);
    assert_eq!(r.x(18), BOX | 0xbf80_0000);
    assert_eq!(r.x(19), 0xbff0_0000_0000_0000);
    assert_eq!(r.x(20), 1);
    assert_eq!(r.x(21), 1);
    assert_eq!(r.x(22), 0);
    assert_eq!(r.x(23), 0);
    assert_eq!(r.x(24), 0);
    assert_eq!(r.x(25), NV);
    assert_eq!(r.x(26), BOX | 0x3f80_0000);
}

#[test]
fn dynamic_rounding_mode_is_used_and_checked() {
    let Some(r) = run_to_ebreak(
        "
        li t0, 0x4004000000000000   # 2.5
        fmv.d.x fa0, t0
        fsrmi 3                     # round up
        fcvt.w.d a0, fa0            # dyn -> 3
        fsrmi 1                     # toward zero
        fcvt.w.d a1, fa0            # 2
        li t1, 1
        li t2, 3
        fcvt.d.l fa1, t1
        fcvt.d.l fa2, t2
        fdiv.d fa3, fa1, fa2        # 1/3 toward zero
        fmv.x.d a2, fa3
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(10), 3);
    assert_eq!(r.x(11), 2);
    assert_eq!(r.x(12), 0x3fd5_5555_5555_5555);

    // frm holding a reserved value makes a dynamic-rm instruction illegal at run time.
    let Some(r) = run(
        ".option norvc\nfsrmi 5\nfadd.d fa0, fa1, fa2\nebreak",
        |_| {},
    ) else {
        return;
    };
    assert_eq!(r.exit, ExitReason::IllegalInsn);
    assert_eq!(r.cpu.header.pc, CODE_BASE + 4);
    // A static reserved rm (5) is illegal.
    let Some(r) = run(".option norvc\nnop\n.4byte 0x00c5d553\nebreak", |_| {}) else {
        return;
    };
    assert_eq!(r.exit, ExitReason::IllegalInsn);
    assert_eq!(r.cpu.header.pc, CODE_BASE + 4);
}

#[test]
fn float_loads_and_stores_through_rvc() {
    let Some(r) = run_to_ebreak(
        "
        li sp, 0x9000
        li t0, 0x400921fb54442d18   # pi
        sd t0, 16(sp)
        c.fldsp fa0, 16(sp)
        c.fsdsp fa0, 24(sp)
        ld a0, 24(sp)
        mv s0, sp
        c.fld fa1, 16(s0)
        c.fsd fa1, 32(s0)
        ld a1, 32(s0)
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(10), 0x4009_21fb_5444_2d18);
    assert_eq!(r.x(11), 0x4009_21fb_5444_2d18);
}
