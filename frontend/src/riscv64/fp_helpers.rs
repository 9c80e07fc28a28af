//! The out-of-line helpers behind the F and D extensions: each unboxes its single-precision
//! operands (an improperly NaN-boxed register reads as the canonical NaN), calls emu-fpu with
//! the rounding mode the IR passes (already resolved from `frm` and checked valid), ORs the
//! raised exception flags into [`Rv64Cpu::fflags`], and NaN-boxes single-precision results.

use emu_fpu::{Flags, RoundingMode};
use emu_ir::helpers::HelperFn;
use emu_ir::{Helper, HelperEffects, Type};

use super::Rv64Cpu;

/// Helpers that accrue fflags.
const FLAGS_EFFECTS: HelperEffects = HelperEffects {
    reads_state: true,
    writes_state: true,
    memory: false,
};

/// The canonical single-precision NaN.
const CANONICAL_NAN_S: u32 = 0x7fc0_0000;

/// The single-precision value in a register (canonical NaN if not properly NaN-boxed).
pub fn unbox_s(v: u64) -> u32 {
    if v >> 32 == 0xffff_ffff {
        v as u32
    } else {
        CANONICAL_NAN_S
    }
}

/// NaN-box a single-precision value.
pub fn box_s(v: u32) -> u64 {
    0xffff_ffff_0000_0000 | u64::from(v)
}

/// The rounding mode the IR passed (0..=4; the IR has rejected anything else).
fn mode(rm: u64) -> RoundingMode {
    RoundingMode::from_riscv(rm as u8).unwrap_or(RoundingMode::NearestEven)
}

/// OR `flags` into the guest's fflags.
fn accrue(env: *mut u8, flags: Flags) {
    if flags.is_empty() {
        return;
    }
    // SAFETY: helpers are only called by translated riscv64 code, whose `env` points to a live
    // `Rv64Cpu` owned by the calling guest thread.
    unsafe {
        (*env.cast::<Rv64Cpu>()).fflags |= u64::from(flags.0);
    }
}

type Op2S = fn(u32, u32, RoundingMode) -> (u32, Flags);
type Op2D = fn(u64, u64, RoundingMode) -> (u64, Flags);

fn arith2_s(env: *mut u8, a: u64, b: u64, rm: u64, op: Op2S) -> u64 {
    let (r, f) = op(unbox_s(a), unbox_s(b), mode(rm));
    accrue(env, f);
    box_s(r)
}

fn arith2_d(env: *mut u8, a: u64, b: u64, rm: u64, op: Op2D) -> u64 {
    let (r, f) = op(a, b, mode(rm));
    accrue(env, f);
    r
}

fn sqrt_s(env: *mut u8, a: u64, rm: u64) -> u64 {
    let (r, f) = emu_fpu::f32_sqrt(unbox_s(a), mode(rm));
    accrue(env, f);
    box_s(r)
}

fn sqrt_d(env: *mut u8, a: u64, rm: u64) -> u64 {
    let (r, f) = emu_fpu::f64_sqrt(a, mode(rm));
    accrue(env, f);
    r
}

fn fma_s(env: *mut u8, a: u64, b: u64, c: u64, rm: u64) -> u64 {
    let (r, f) = emu_fpu::f32_mul_add(unbox_s(a), unbox_s(b), unbox_s(c), mode(rm));
    accrue(env, f);
    box_s(r)
}

fn fma_d(env: *mut u8, a: u64, b: u64, c: u64, rm: u64) -> u64 {
    let (r, f) = emu_fpu::f64_mul_add(a, b, c, mode(rm));
    accrue(env, f);
    r
}

fn min_max_s(env: *mut u8, a: u64, b: u64, op: fn(u32, u32) -> (u32, Flags)) -> u64 {
    let (r, f) = op(unbox_s(a), unbox_s(b));
    accrue(env, f);
    box_s(r)
}

fn min_max_d(env: *mut u8, a: u64, b: u64, op: fn(u64, u64) -> (u64, Flags)) -> u64 {
    let (r, f) = op(a, b);
    accrue(env, f);
    r
}

fn compare_s(env: *mut u8, a: u64, b: u64, op: fn(u32, u32) -> (bool, Flags)) -> u64 {
    let (r, f) = op(unbox_s(a), unbox_s(b));
    accrue(env, f);
    u64::from(r)
}

fn compare_d(env: *mut u8, a: u64, b: u64, op: fn(u64, u64) -> (bool, Flags)) -> u64 {
    let (r, f) = op(a, b);
    accrue(env, f);
    u64::from(r)
}

/// Float to a 32-bit integer, sign-extended to 64 bits (as fcvt.w[u] write rd).
fn to_int32(env: *mut u8, result: (u32, Flags)) -> u64 {
    accrue(env, result.1);
    result.0 as i32 as i64 as u64
}

fn to_int64(env: *mut u8, result: (u64, Flags)) -> u64 {
    accrue(env, result.1);
    result.0
}

fn boxed_result(env: *mut u8, result: (u32, Flags)) -> u64 {
    accrue(env, result.1);
    box_s(result.0)
}

fn double_result(env: *mut u8, result: (u64, Flags)) -> u64 {
    accrue(env, result.1);
    result.0
}

/// Defines a `static` helper returning I64 whose function body is `$body`.
macro_rules! helper {
    ($stat:ident, $name:literal, $arity:ident, $effects:expr, |$env:ident $(, $arg:ident)*| $body:expr) => {
        pub static $stat: Helper = Helper {
            name: $name,
            func: HelperFn::$arity({
                extern "C" fn func($env: *mut u8 $(, $arg: u64)*) -> u64 {
                    $body
                }
                func
            }),
            nargs: [$(stringify!($arg)),*].len(),
            ret: Some(Type::I64),
            effects: $effects,
        };
    };
}

helper!(FADD_S, "rv64_fadd_s", A3, FLAGS_EFFECTS, |e, a, b, rm| {
    arith2_s(e, a, b, rm, emu_fpu::f32_add)
});
helper!(FSUB_S, "rv64_fsub_s", A3, FLAGS_EFFECTS, |e, a, b, rm| {
    arith2_s(e, a, b, rm, emu_fpu::f32_sub)
});
helper!(FMUL_S, "rv64_fmul_s", A3, FLAGS_EFFECTS, |e, a, b, rm| {
    arith2_s(e, a, b, rm, emu_fpu::f32_mul)
});
helper!(FDIV_S, "rv64_fdiv_s", A3, FLAGS_EFFECTS, |e, a, b, rm| {
    arith2_s(e, a, b, rm, emu_fpu::f32_div)
});
helper!(FADD_D, "rv64_fadd_d", A3, FLAGS_EFFECTS, |e, a, b, rm| {
    arith2_d(e, a, b, rm, emu_fpu::f64_add)
});
helper!(FSUB_D, "rv64_fsub_d", A3, FLAGS_EFFECTS, |e, a, b, rm| {
    arith2_d(e, a, b, rm, emu_fpu::f64_sub)
});
helper!(FMUL_D, "rv64_fmul_d", A3, FLAGS_EFFECTS, |e, a, b, rm| {
    arith2_d(e, a, b, rm, emu_fpu::f64_mul)
});
helper!(FDIV_D, "rv64_fdiv_d", A3, FLAGS_EFFECTS, |e, a, b, rm| {
    arith2_d(e, a, b, rm, emu_fpu::f64_div)
});
helper!(FSQRT_S, "rv64_fsqrt_s", A2, FLAGS_EFFECTS, |e, a, rm| {
    sqrt_s(e, a, rm)
});
helper!(FSQRT_D, "rv64_fsqrt_d", A2, FLAGS_EFFECTS, |e, a, rm| {
    sqrt_d(e, a, rm)
});
helper!(FMA_S, "rv64_fma_s", A4, FLAGS_EFFECTS, |e, a, b, c, rm| {
    fma_s(e, a, b, c, rm)
});
helper!(FMA_D, "rv64_fma_d", A4, FLAGS_EFFECTS, |e, a, b, c, rm| {
    fma_d(e, a, b, c, rm)
});
helper!(FMIN_S, "rv64_fmin_s", A2, FLAGS_EFFECTS, |e, a, b| {
    min_max_s(e, a, b, emu_fpu::f32_min)
});
helper!(FMAX_S, "rv64_fmax_s", A2, FLAGS_EFFECTS, |e, a, b| {
    min_max_s(e, a, b, emu_fpu::f32_max)
});
helper!(FMIN_D, "rv64_fmin_d", A2, FLAGS_EFFECTS, |e, a, b| {
    min_max_d(e, a, b, emu_fpu::f64_min)
});
helper!(FMAX_D, "rv64_fmax_d", A2, FLAGS_EFFECTS, |e, a, b| {
    min_max_d(e, a, b, emu_fpu::f64_max)
});
helper!(FEQ_S, "rv64_feq_s", A2, FLAGS_EFFECTS, |e, a, b| compare_s(
    e,
    a,
    b,
    emu_fpu::f32_eq
));
helper!(FLT_S, "rv64_flt_s", A2, FLAGS_EFFECTS, |e, a, b| compare_s(
    e,
    a,
    b,
    emu_fpu::f32_lt
));
helper!(FLE_S, "rv64_fle_s", A2, FLAGS_EFFECTS, |e, a, b| compare_s(
    e,
    a,
    b,
    emu_fpu::f32_le
));
helper!(FEQ_D, "rv64_feq_d", A2, FLAGS_EFFECTS, |e, a, b| compare_d(
    e,
    a,
    b,
    emu_fpu::f64_eq
));
helper!(FLT_D, "rv64_flt_d", A2, FLAGS_EFFECTS, |e, a, b| compare_d(
    e,
    a,
    b,
    emu_fpu::f64_lt
));
helper!(FLE_D, "rv64_fle_d", A2, FLAGS_EFFECTS, |e, a, b| compare_d(
    e,
    a,
    b,
    emu_fpu::f64_le
));
helper!(
    FCLASS_S,
    "rv64_fclass_s",
    A1,
    HelperEffects::PURE,
    |_e, a| u64::from(emu_fpu::f32_classify(unbox_s(a)))
);
helper!(
    FCLASS_D,
    "rv64_fclass_d",
    A1,
    HelperEffects::PURE,
    |_e, a| u64::from(emu_fpu::f64_classify(a))
);
helper!(FCVT_W_S, "rv64_fcvt_w_s", A2, FLAGS_EFFECTS, |e, a, rm| {
    to_int32(e, emu_fpu::f32_to_i32(unbox_s(a), mode(rm)))
});
helper!(
    FCVT_WU_S,
    "rv64_fcvt_wu_s",
    A2,
    FLAGS_EFFECTS,
    |e, a, rm| to_int32(e, emu_fpu::f32_to_u32(unbox_s(a), mode(rm)))
);
helper!(FCVT_L_S, "rv64_fcvt_l_s", A2, FLAGS_EFFECTS, |e, a, rm| {
    to_int64(e, emu_fpu::f32_to_i64(unbox_s(a), mode(rm)))
});
helper!(
    FCVT_LU_S,
    "rv64_fcvt_lu_s",
    A2,
    FLAGS_EFFECTS,
    |e, a, rm| to_int64(e, emu_fpu::f32_to_u64(unbox_s(a), mode(rm)))
);
helper!(FCVT_W_D, "rv64_fcvt_w_d", A2, FLAGS_EFFECTS, |e, a, rm| {
    to_int32(e, emu_fpu::f64_to_i32(a, mode(rm)))
});
helper!(
    FCVT_WU_D,
    "rv64_fcvt_wu_d",
    A2,
    FLAGS_EFFECTS,
    |e, a, rm| to_int32(e, emu_fpu::f64_to_u32(a, mode(rm)))
);
helper!(FCVT_L_D, "rv64_fcvt_l_d", A2, FLAGS_EFFECTS, |e, a, rm| {
    to_int64(e, emu_fpu::f64_to_i64(a, mode(rm)))
});
helper!(
    FCVT_LU_D,
    "rv64_fcvt_lu_d",
    A2,
    FLAGS_EFFECTS,
    |e, a, rm| to_int64(e, emu_fpu::f64_to_u64(a, mode(rm)))
);
helper!(FCVT_S_W, "rv64_fcvt_s_w", A2, FLAGS_EFFECTS, |e, a, rm| {
    boxed_result(e, emu_fpu::i32_to_f32(a as u32, mode(rm)))
});
helper!(
    FCVT_S_WU,
    "rv64_fcvt_s_wu",
    A2,
    FLAGS_EFFECTS,
    |e, a, rm| boxed_result(e, emu_fpu::u32_to_f32(a as u32, mode(rm)))
);
helper!(FCVT_S_L, "rv64_fcvt_s_l", A2, FLAGS_EFFECTS, |e, a, rm| {
    boxed_result(e, emu_fpu::i64_to_f32(a, mode(rm)))
});
helper!(
    FCVT_S_LU,
    "rv64_fcvt_s_lu",
    A2,
    FLAGS_EFFECTS,
    |e, a, rm| boxed_result(e, emu_fpu::u64_to_f32(a, mode(rm)))
);
helper!(FCVT_D_W, "rv64_fcvt_d_w", A2, FLAGS_EFFECTS, |e, a, rm| {
    double_result(e, emu_fpu::i32_to_f64(a as u32, mode(rm)))
});
helper!(
    FCVT_D_WU,
    "rv64_fcvt_d_wu",
    A2,
    FLAGS_EFFECTS,
    |e, a, rm| double_result(e, emu_fpu::u32_to_f64(a as u32, mode(rm)))
);
helper!(FCVT_D_L, "rv64_fcvt_d_l", A2, FLAGS_EFFECTS, |e, a, rm| {
    double_result(e, emu_fpu::i64_to_f64(a, mode(rm)))
});
helper!(
    FCVT_D_LU,
    "rv64_fcvt_d_lu",
    A2,
    FLAGS_EFFECTS,
    |e, a, rm| double_result(e, emu_fpu::u64_to_f64(a, mode(rm)))
);
helper!(FCVT_S_D, "rv64_fcvt_s_d", A2, FLAGS_EFFECTS, |e, a, rm| {
    boxed_result(e, emu_fpu::f64_to_f32(a, mode(rm)))
});
helper!(FCVT_D_S, "rv64_fcvt_d_s", A1, FLAGS_EFFECTS, |e, a| {
    double_result(e, emu_fpu::f32_to_f64(unbox_s(a)))
});

/// Every helper of this module, for registration.
pub const ALL: &[&Helper] = &[
    &FADD_S, &FSUB_S, &FMUL_S, &FDIV_S, &FADD_D, &FSUB_D, &FMUL_D, &FDIV_D, &FSQRT_S, &FSQRT_D,
    &FMA_S, &FMA_D, &FMIN_S, &FMAX_S, &FMIN_D, &FMAX_D, &FEQ_S, &FLT_S, &FLE_S, &FEQ_D, &FLT_D,
    &FLE_D, &FCLASS_S, &FCLASS_D, &FCVT_W_S, &FCVT_WU_S, &FCVT_L_S, &FCVT_LU_S, &FCVT_W_D,
    &FCVT_WU_D, &FCVT_L_D, &FCVT_LU_D, &FCVT_S_W, &FCVT_S_WU, &FCVT_S_L, &FCVT_S_LU, &FCVT_D_W,
    &FCVT_D_WU, &FCVT_D_L, &FCVT_D_LU, &FCVT_S_D, &FCVT_D_S,
];
