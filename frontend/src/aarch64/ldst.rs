//! Loads and stores of general-purpose and SIMD&FP registers: single registers with an
//! unsigned scaled 12-bit offset, a signed unscaled 9-bit offset (`LDUR`, unprivileged
//! `LDTR`, which behave as normal accesses at EL0), pre- and post-index writeback, a register
//! offset (shifted, `UXTW`/`SXTW`/`SXTX` extended), PC-relative literals, and register pairs
//! (`LDP`/`STP`/`LDPSW`/`LDNP`/`STNP`, signed offset or writeback). Every `PRFM`/`PRFUM` form
//! is a no-op.
//!
//! Semantics follow QEMU where the architecture leaves a choice (CONSTRAINED UNPREDICTABLE
//! cases): all memory accesses of an instruction come first, then the loaded registers are
//! written (for a general-purpose pair, `Rt2` before `Rt`; for a SIMD&FP pair, `Rt` before
//! `Rt2`), and the base writeback comes last, so a load whose `Rt` is the written-back base
//! leaves the updated address there. Nothing is written to a register before the last access
//! of the instruction, so a faulting access leaves the registers untouched.
//!
//! Scalar SIMD&FP loads write the whole V register (bits above the access are zeroed).

use emu_ir::{Type, Value};

use super::insn::{insn, Ctx, Entry, Exec, Flow, Illegal, Insn};

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("ldr (literal)", "xx011x00 xxxxxxxxxxxxxxxxxxx xxxxx", literal),
    insn!("ldp/stp", "xx101x0x xxxxxxxx xxxxxxxx xxxxxxxx", pair),
    insn!("ldr/str (unsigned offset)", "xx111x01 xxxxxxxxxxxxxxxxxxxxxxxx", unsigned_offset),
    insn!("ldr/str (imm9)", "xx111x00 xx0xxxxxxxxxxxxxxxxxxxxx", imm9),
    insn!("ldr/str (register)", "xx111x00 xx1xxxxxxxxx10xxxxxxxxxx", register_offset),
];

/// What a single-register access does with the register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Store,
    /// Load, zero-extended to the register.
    Load,
    /// Load, sign-extended to 64 bits (`to32`: to 32 bits, then zero-extended).
    LoadSigned {
        to32: bool,
    },
    /// `PRFM`: no architectural effect.
    Prefetch,
}

/// One register's access: its register file, size and kind.
#[derive(Clone, Copy, Debug)]
pub(super) struct Access {
    /// A SIMD&FP register (B/H/S/D/Q) instead of a general-purpose one.
    pub vector: bool,
    /// log2 of the access size in bytes (0–3; 4 is a Q register).
    pub log2: u32,
    pub kind: Kind,
}

impl Access {
    fn bytes(self) -> u64 {
        1 << self.log2
    }
}

/// The access of the single-register forms from `size` (bits 31:30), `V` (bit 26) and `opc`
/// (bits 23:22); `None` when unallocated.
pub(super) fn single_access(i: Insn) -> Option<Access> {
    let (size, vector, opc) = (i.bits(31, 30), i.bit(26), i.bits(23, 22));
    if vector {
        let log2 = size | (opc & 2) << 1;
        let kind = if opc & 1 == 0 {
            Kind::Store
        } else {
            Kind::Load
        };
        return (log2 <= 4).then_some(Access { vector, log2, kind });
    }
    let kind = match (opc, size) {
        (0, _) => Kind::Store,
        (1, _) => Kind::Load,
        (2, 3) => Kind::Prefetch,
        (2, _) => Kind::LoadSigned { to32: false },
        (_, 0 | 1) => Kind::LoadSigned { to32: true },
        _ => return None,
    };
    Some(Access {
        vector,
        log2: size,
        kind,
    })
}

/// The access of each register of a pair from `opc` (bits 31:30), `V` and `L` (bit 22);
/// `None` when unallocated (including the MTE-only `STGP`).
fn pair_access(i: Insn) -> Option<Access> {
    let (opc, vector, load) = (i.bits(31, 30), i.bit(26), i.bit(22));
    let (log2, signed) = match (vector, opc) {
        (_, 3) => return None,
        (true, _) => (2 + opc, false),
        (false, _) => (2 + (opc >> 1), opc & 1 != 0),
    };
    let kind = match (load, signed) {
        (false, true) => return None,
        (false, false) => Kind::Store,
        (true, false) => Kind::Load,
        (true, true) => Kind::LoadSigned { to32: false },
    };
    Some(Access { vector, log2, kind })
}

/// The integer type of a `log2`-byte access (at most 8 bytes).
pub(super) fn int_type(log2: u32) -> Type {
    match log2 {
        0 => Type::I8,
        1 => Type::I16,
        2 => Type::I32,
        _ => Type::I64,
    }
}

/// `base + offset` (I64).
pub(super) fn add_offset(c: &mut Ctx, base: Value, offset: i64) -> Value {
    if offset == 0 {
        return base;
    }
    let off = c.b.i64(offset as u64);
    c.b.add(base, off)
}

/// A loaded register value, written to its register once every access is done.
pub(super) enum Loaded {
    Gp(Value),
    /// Bits 63:0 and, for Q, 127:64 (`None`: zero).
    Fp(Value, Option<Value>),
}

/// Load the access at `addr` (not for stores or prefetches).
pub(super) fn load(c: &mut Ctx, a: Access, addr: Value) -> Loaded {
    if a.vector && a.log2 == 4 {
        let lo = c.b.load(Type::I64, addr);
        let hi_addr = add_offset(c, addr, 8);
        let hi = c.b.load(Type::I64, hi_addr);
        return Loaded::Fp(lo, Some(hi));
    }
    let ty = int_type(a.log2);
    let v = c.b.load(ty, addr);
    if a.vector {
        let wide = c.widen(v);
        return Loaded::Fp(wide, None);
    }
    let v = match a.kind {
        Kind::LoadSigned { to32: true } if ty != Type::I32 => c.b.sext(Type::I32, v),
        Kind::LoadSigned { to32: false } if ty != Type::I64 => c.b.sext(Type::I64, v),
        _ => v,
    };
    Loaded::Gp(c.widen(v))
}

/// Write a loaded value to register `rt` (XZR discards it).
pub(super) fn commit(c: &mut Ctx, rt: u32, loaded: Loaded) {
    match loaded {
        Loaded::Gp(v) => c.set_x(rt, v),
        Loaded::Fp(lo, hi) => c.set_vreg128(rt, lo, hi),
    }
}

/// Store register `rt` of the access at `addr`.
pub(super) fn store(c: &mut Ctx, a: Access, rt: u32, addr: Value) {
    if a.vector && a.log2 == 4 {
        let lo = c.vreg(Type::I64, rt);
        let hi = c.vreg_hi(rt);
        c.b.store(addr, lo);
        let hi_addr = add_offset(c, addr, 8);
        c.b.store(hi_addr, hi);
        return;
    }
    let ty = int_type(a.log2);
    let v = if a.vector {
        c.vreg(ty, rt)
    } else {
        let x = c.x(rt);
        if ty == Type::I64 {
            x
        } else {
            c.b.trunc(ty, x)
        }
    };
    c.b.store(addr, v);
}

/// How the address is formed from the base register (bits 24:23 of pairs, 11:10 of `imm9`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Index {
    /// Base plus offset, no writeback.
    Offset,
    /// Access at the base, then write base plus offset back.
    Post,
    /// Access at base plus offset and write that back.
    Pre,
}

/// The access address and the writeback value (if any) for base register `rn` (SP as 31).
fn indexed(c: &mut Ctx, rn: u32, offset: i64, index: Index) -> (Value, Option<Value>) {
    let base = c.xsp(rn);
    let moved = add_offset(c, base, offset);
    match index {
        Index::Offset => (moved, None),
        Index::Post => (base, Some(moved)),
        Index::Pre => (moved, Some(moved)),
    }
}

/// One single-register access at `addr`, then the writeback.
fn single(c: &mut Ctx, a: Access, rt: u32, addr: Value, wb: Option<(u32, Value)>) -> Exec {
    match a.kind {
        Kind::Prefetch => {}
        Kind::Store => store(c, a, rt, addr),
        Kind::Load | Kind::LoadSigned { .. } => {
            let v = load(c, a, addr);
            commit(c, rt, v);
        }
    }
    if let Some((rn, v)) = wb {
        c.set_xsp(rn, v);
    }
    Ok(Flow::Continue)
}

/// `LDR`/`STR`/`PRFM` with an unsigned 12-bit offset scaled by the access size.
fn unsigned_offset(c: &mut Ctx, i: Insn) -> Exec {
    let a = single_access(i).ok_or(Illegal)?;
    let offset = i64::from(i.bits(21, 10)) << a.log2;
    let (addr, _) = indexed(c, i.rn(), offset, Index::Offset);
    single(c, a, i.rt(), addr, None)
}

/// The signed 9-bit immediate forms: `LDUR`/`STUR`/`PRFUM` (bits 11:10 = 00), post-index
/// (01), unprivileged `LDTR`/`STTR` (10, general-purpose only), pre-index (11).
fn imm9(c: &mut Ctx, i: Insn) -> Exec {
    let a = single_access(i).ok_or(Illegal)?;
    let op = i.bits(11, 10);
    let index = match op {
        1 => Index::Post,
        3 => Index::Pre,
        _ => Index::Offset,
    };
    let prefetch_with_index = a.kind == Kind::Prefetch && op != 0;
    if prefetch_with_index || (a.vector && op == 2) {
        return Err(Illegal);
    }
    let (addr, wb) = indexed(c, i.rn(), i.sbits(20, 12), index);
    single(c, a, i.rt(), addr, wb.map(|v| (i.rn(), v)))
}

/// `LDR`/`STR`/`PRFM` (register): base plus `Rm` extended by `option` (bits 15:13) and
/// shifted left by the access size when `S` (bit 12).
fn register_offset(c: &mut Ctx, i: Insn) -> Exec {
    let a = single_access(i).ok_or(Illegal)?;
    let option = i.bits(15, 13);
    if option & 2 == 0 {
        return Err(Illegal);
    }
    let rm = i.rm();
    let index = match option {
        2 => {
            let w = c.w(rm);
            c.b.zext(Type::I64, w)
        }
        6 => {
            let w = c.w(rm);
            c.b.sext(Type::I64, w)
        }
        _ => c.x(rm),
    };
    let shift = if i.bit(12) { a.log2 } else { 0 };
    let index = if shift == 0 {
        index
    } else {
        let sh = c.b.i64(u64::from(shift));
        c.b.binary(emu_ir::BinOp::Shl, index, sh)
    };
    let base = c.xsp(i.rn());
    let addr = c.b.add(base, index);
    single(c, a, i.rt(), addr, None)
}

/// `LDR` (literal) of W/X/S/D/Q, `LDRSW` (literal), `PRFM` (literal).
fn literal(c: &mut Ctx, i: Insn) -> Exec {
    let (opc, vector) = (i.bits(31, 30), i.bit(26));
    let (log2, kind) = match (vector, opc) {
        (false, 3) => (3, Kind::Prefetch),
        (true, 3) => return Err(Illegal),
        (true, _) => (2 + opc, Kind::Load),
        (false, 2) => (2, Kind::LoadSigned { to32: false }),
        (false, _) => (2 + opc, Kind::Load),
    };
    let a = Access { vector, log2, kind };
    let addr = c.pc_rel(i.sbits(23, 5) << 2);
    let addr = c.b.i64(addr);
    single(c, a, i.rt(), addr, None)
}

/// `LDP`/`STP`/`LDPSW`/`LDNP`/`STNP` of general-purpose or S/D/Q registers: signed 7-bit
/// offset scaled by the register size; bits 24:23 select no-allocate (00, plain offset),
/// post-index (01), offset (10) or pre-index (11).
fn pair(c: &mut Ctx, i: Insn) -> Exec {
    let a = pair_access(i).ok_or(Illegal)?;
    let op = i.bits(24, 23);
    if op == 0 && matches!(a.kind, Kind::LoadSigned { .. }) {
        // There is no LDNPSW.
        return Err(Illegal);
    }
    let index = match op {
        1 => Index::Post,
        3 => Index::Pre,
        _ => Index::Offset,
    };
    let (rt, rt2, rn) = (i.rt(), i.rt2(), i.rn());
    let (addr, wb) = indexed(c, rn, i.sbits(21, 15) << a.log2, index);
    let addr2 = add_offset(c, addr, a.bytes() as i64);
    if a.kind == Kind::Store {
        store(c, a, rt, addr);
        store(c, a, rt2, addr2);
    } else {
        let first = load(c, a, addr);
        let second = load(c, a, addr2);
        if a.vector {
            commit(c, rt, first);
            commit(c, rt2, second);
        } else {
            commit(c, rt2, second);
            commit(c, rt, first);
        }
    }
    if let Some(v) = wb {
        c.set_xsp(rn, v);
    }
    Ok(Flow::Continue)
}
