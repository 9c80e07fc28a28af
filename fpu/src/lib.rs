//! emu-fpu: IEEE 754 binary32/binary64 arithmetic through Berkeley SoftFloat 3 (the
//! `softfloat-sys` crate built with its RISC-V specialization), with RISC-V semantics.
//!
//! Values travel as raw bits (`u32` for binary32, `u64` for binary64). Every operation takes
//! its rounding mode explicitly and returns the accrued exception flags in the RISC-V `fflags`
//! layout, so callers never touch SoftFloat's global state.
//!
//! This file owns the shared types ([`RoundingMode`], [`Flags`]) and the plumbing that runs one
//! SoftFloat call with a given rounding mode and collects its flags (`run`). The per-format
//! glue lives in `format.rs`, the generic operations in `arith.rs` (with the hardfloat fast
//! paths of `fast.rs` in front), `compare.rs` and `convert.rs`, and the public per-width names in `f32.rs` / `f64.rs` (stamped out by the
//! macro in `api.rs`). Other arches' rules sit on top: [`arm`] (FPCR, Arm NaNs) and [`x87`]
//! (80-bit extended precision with the x87's control word, NaN rules and status flags).
//!
//! # Threads
//!
//! SoftFloat keeps its rounding mode and exception flags in C globals. `softfloat-sys` 0.1.4
//! compiles them as `_Thread_local` (its build script defines `THREAD_LOCAL`), so each host
//! thread has its own copy and guest threads running on different host threads do not
//! interfere. Every operation sets the mode and clears the flags before calling SoftFloat, so no
//! state leaks from one call to the next on the same thread either.
//!
//! (Verified: `readelf -s` on the built `libsoftfloat-sys.a` lists both as `TLS` symbols.)
//!
//! # Integers
//!
//! Integer operands and results are raw bits too: 32-bit integers as `u32`, 64-bit ones as
//! `u64`, signed or not. On RV64 the caller sign-extends 32-bit FCVT results (also for
//! FCVT.WU) and picks the low 32 bits of the source register for FCVT.*.W[U].
//!
//! # NaNs
//!
//! Results that are NaN are always the RISC-V canonical NaN (`0x7fc00000` /
//! `0x7ff8000000000000`); SoftFloat's RISC-V specialization never propagates payloads.

#[macro_use]
mod api;
mod arith;
pub mod arm;
mod compare;
mod convert;
mod f32;
mod f64;
mod fast;
mod format;
pub mod x87;

pub use crate::f32::*;
pub use crate::f64::*;
pub use convert::{f32_to_f64, f64_to_f32};

use softfloat_sys as sf;

/// IEEE rounding direction. The discriminants are the RISC-V `rm`/`frm` encodings, which are
/// also SoftFloat's `softfloat_round_*` values.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoundingMode {
    /// RNE: round to nearest, ties to even.
    NearestEven = 0,
    /// RTZ: round toward zero.
    TowardZero = 1,
    /// RDN: round down (toward -inf).
    Down = 2,
    /// RUP: round up (toward +inf).
    Up = 3,
    /// RMM: round to nearest, ties away from zero (to max magnitude).
    NearestMaxMag = 4,
}

impl RoundingMode {
    /// All modes, in encoding order.
    pub const ALL: [RoundingMode; 5] = [
        RoundingMode::NearestEven,
        RoundingMode::TowardZero,
        RoundingMode::Down,
        RoundingMode::Up,
        RoundingMode::NearestMaxMag,
    ];

    /// Decodes a RISC-V rounding-mode field. Returns `None` for the reserved values 5 and 6 and
    /// for 7 (DYN, "use `frm`"), which the caller must resolve (DYN) or treat as an illegal
    /// instruction (reserved, or `frm` holding an invalid value).
    pub fn from_riscv(rm: u8) -> Option<RoundingMode> {
        Self::ALL.get(usize::from(rm)).copied()
    }

    /// The SoftFloat `softfloat_round_*` constant for this mode.
    fn softfloat_mode(self) -> u8 {
        // The enum discriminants are chosen to equal SoftFloat's constants.
        self as u8
    }
}

/// Exception flags in the RISC-V `fflags` layout (which is also SoftFloat's layout):
/// NX=1 UF=2 OF=4 DZ=8 NV=16.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags(pub u8);

impl Flags {
    /// No exception.
    pub const NONE: Flags = Flags(0);
    /// Inexact.
    pub const NX: Flags = Flags(sf::softfloat_flag_inexact);
    /// Underflow.
    pub const UF: Flags = Flags(sf::softfloat_flag_underflow);
    /// Overflow.
    pub const OF: Flags = Flags(sf::softfloat_flag_overflow);
    /// Divide by zero.
    pub const DZ: Flags = Flags(sf::softfloat_flag_infinite);
    /// Invalid operation.
    pub const NV: Flags = Flags(sf::softfloat_flag_invalid);

    /// True if every flag of `other` is set in `self`.
    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// True if no flag is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        Flags(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for Flags {
    fn bitor_assign(&mut self, rhs: Flags) {
        self.0 |= rhs.0;
    }
}

/// Runs `op` (which calls SoftFloat) with rounding mode `rm` and no pending flags, and returns
/// its result with the flags it raised.
pub(crate) fn run<T>(rm: RoundingMode, op: impl FnOnce() -> T) -> (T, Flags) {
    // SAFETY: the helpers only read/write SoftFloat's thread-local globals.
    unsafe {
        sf::softfloat_roundingMode_write_helper(rm.softfloat_mode());
        sf::softfloat_exceptionFlags_write_helper(0);
    }
    let result = op();
    // SAFETY: as above, a plain read of a thread-local global.
    let raised = unsafe { sf::softfloat_exceptionFlags_read_helper() };
    (result, Flags(raised))
}

/// SoftFloat's thread-local modes for one operation: rounding mode, tininess detection and (for
/// `extF80`) rounding precision.
pub(crate) struct Modes {
    pub rounding: u8,
    pub tininess: u8,
    pub ext_precision: Option<u8>,
}

/// Runs `op` (SoftFloat calls) under `modes` with no pending flags; returns its result and
/// SoftFloat's raised flags. The thread's tininess and precision modes are restored after.
pub(crate) fn with_modes<T>(modes: Modes, op: impl FnOnce() -> T) -> (T, u8) {
    // SAFETY: the helpers only read/write SoftFloat's thread-local globals.
    let saved = unsafe {
        let saved = (
            sf::softfloat_detectTininess_read_helper(),
            sf::extF80_roundingPrecision_read_helper(),
        );
        sf::softfloat_detectTininess_write_helper(modes.tininess);
        if let Some(p) = modes.ext_precision {
            sf::extF80_roundingPrecision_write_helper(p);
        }
        sf::softfloat_roundingMode_write_helper(modes.rounding);
        sf::softfloat_exceptionFlags_write_helper(0);
        saved
    };
    let r = op();
    // SAFETY: as above.
    let raised = unsafe {
        let raised = sf::softfloat_exceptionFlags_read_helper();
        sf::softfloat_detectTininess_write_helper(saved.0);
        sf::extF80_roundingPrecision_write_helper(saved.1);
        raised
    };
    (r, raised)
}

/// [`run`] for operations that do not round (comparisons, exact conversions).
pub(crate) fn run_exact<T>(op: impl FnOnce() -> T) -> (T, Flags) {
    run(RoundingMode::NearestEven, op)
}
