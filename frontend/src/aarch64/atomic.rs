//! Exclusive, ordered and atomic memory accesses: the load/store exclusives (`LDXR`/`LDAXR`/
//! `STXR`/`STLXR` of B/H/W/X, `LDXP`/`LDAXP`/`STXP`/`STLXP` of W and X pairs), load-acquire /
//! store-release (`LDAR`/`STLR`, `LDLAR`/`STLLR`, RCpc `LDAPR` and `LDAPUR*`/`STLUR*`), and the
//! ARMv8.1 LSE atomics (`CAS*`, `CASP*`, `SWP*`, `LDADD`/`LDCLR`/`LDEOR`/`LDSET`/`LDSMAX`/
//! `LDSMIN`/`LDUMAX`/`LDUMIN` in every size and ordering, the `ST*` aliases being `Rt` = XZR).
//!
//! Exclusives follow QEMU: a load-exclusive records the address, size and loaded value(s) in
//! the `A64Cpu` monitor fields; a store-exclusive succeeds (status 0) only when the monitor is
//! armed for the same address and size and a compare-and-swap of the recorded value for the
//! new one succeeds; otherwise its status is 1 and memory is unchanged. The monitor is
//! cleared either way (`excl_size` 0 means "not armed"; `CLREX` clears it the same way). The
//! swap is straight-line IR: without a matching monitor the CAS replacement is the expected
//! value itself, so memory never changes.
//!
//! 128-bit accesses (`STXP`/`CASP` of X pairs) have no IR atomic, so they call helpers doing
//! a host 128-bit compare-and-swap: `cmpxchg16b` on x86-64 hosts for 16-byte aligned
//! addresses, and elsewhere a global lock. The lock makes those operations atomic with
//! respect to each other only, not to plain guest stores racing on the same bytes.
//!
//! Ordering: the IR atomics are sequentially consistent host atomics, so the LSE operations
//! and store-exclusives need no fences. A store-release is a sequentially consistent swap
//! (release, and ordered before a later load-acquire as ARMv8 requires). A load-acquire is a
//! plain load followed by a fence, except on x86 hosts, whose loads already have acquire
//! order (TSO).

use emu_ir::{AtomicOp, BinOp, Cond, Helper, HelperEffects, Type, Value};

use super::insn::{insn, Ctx, Entry, Exec, Flow, Illegal, Insn};
use super::ldst::{self, Access, Kind};
use super::A64Cpu;
use crate::atomic128::{self, cas128};

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("stxr", "xx001000 000xxxxx xxxxxxxx xxxxxxxx", stxr),
    insn!("ldxr", "xx001000 010xxxxx xxxxxxxx xxxxxxxx", ldxr),
    insn!("stxp/casp", "xx001000 001xxxxx xxxxxxxx xxxxxxxx", stxp_or_casp),
    insn!("ldxp/caspa", "xx001000 011xxxxx xxxxxxxx xxxxxxxx", ldxp_or_casp),
    insn!("stlr", "xx001000 100xxxxx xxxxxxxx xxxxxxxx", stlr),
    insn!("ldar", "xx001000 110xxxxx xxxxxxxx xxxxxxxx", ldar),
    insn!("cas", "xx001000 1x1xxxxx x11111xx xxxxxxxx", cas),
    insn!("ldapur/stlur", "xx011001 xx0xxxxx xxxx00xx xxxxxxxx", rcpc_unscaled),
    insn!("lse", "xx111000 xx1xxxxx xxxx00xx xxxxxxxx", lse),
];

/// This class's helpers (the 128-bit compare-and-swaps).
pub const HELPERS: &[&Helper] = &[&STXP128, &CASP128];

/// Whether host loads already have acquire order and stores release order (TSO hosts).
const HOST_IS_TSO: bool = cfg!(any(target_arch = "x86_64", target_arch = "x86"));

/// log2 of the access size in bytes (bits 31:30).
fn log2_size(i: Insn) -> u32 {
    i.bits(31, 30)
}

/// A zero-extending general-purpose access of `log2` bytes.
fn gp(log2: u32, kind: Kind) -> Access {
    Access {
        vector: false,
        log2,
        kind,
    }
}

/// Make the preceding load an acquire.
fn acquire(c: &mut Ctx) {
    if !HOST_IS_TSO {
        c.b.fence();
    }
}

/// Make the following store a release.
fn release(c: &mut Ctx) {
    if !HOST_IS_TSO {
        c.b.fence();
    }
}

/// Register `r` truncated to `ty` (XZR for 31).
fn x_as(c: &mut Ctx, r: u32, ty: Type) -> Value {
    let x = c.x(r);
    if ty == Type::I64 {
        x
    } else {
        c.b.trunc(ty, x)
    }
}

/// Registers `lo` and `hi`'s W views joined into one I64 (`lo` in bits 31:0); register 31
/// (also beyond X30) is WZR.
fn w_pair(c: &mut Ctx, lo: u32, hi: u32) -> Value {
    let lo = x_as(c, lo, Type::I32);
    let lo = c.b.zext(Type::I64, lo);
    let hi = c.x(hi.min(31));
    let sh = c.b.i64(32);
    let hi = c.b.binary(BinOp::Shl, hi, sh);
    c.b.or(lo, hi)
}

/// Write the two W halves of I64 `v` to registers `r` (low) and `r2` (high).
fn set_w_pair(c: &mut Ctx, r: u32, r2: u32, v: Value) {
    let lo = c.b.trunc(Type::I32, v);
    let sh = c.b.i64(32);
    let hi = c.b.binary(BinOp::ShrU, v, sh);
    c.set_reg(r, lo);
    c.set_x(r2, hi);
}

/// Arm the exclusive monitor for `bytes` at `addr` with the loaded value(s).
fn arm_monitor(c: &mut Ctx, addr: Value, bytes: u64, value: Value, hi: Option<Value>) {
    c.b.write_reg(A64Cpu::EXCL_ADDR_OFFSET, addr);
    c.b.write_reg(A64Cpu::EXCL_VALUE_OFFSET, value);
    if let Some(hi) = hi {
        c.b.write_reg(A64Cpu::EXCL_VALUE_HI_OFFSET, hi);
    }
    let size = c.b.i64(bytes);
    c.b.write_reg(A64Cpu::EXCL_SIZE_OFFSET, size);
}

/// `LDXR`/`LDAXR` (`o0`, bit 15: acquire).
fn ldxr(c: &mut Ctx, i: Insn) -> Exec {
    let ty = ldst::int_type(log2_size(i));
    let addr = c.xsp(i.rn());
    let loaded = c.b.load(ty, addr);
    let v = c.widen(loaded);
    arm_monitor(c, addr, ty.bytes().into(), v, None);
    c.set_x(i.rt(), v);
    if i.bit(15) {
        acquire(c);
    }
    Ok(Flow::Continue)
}

/// Store-exclusive of `ty` (at most 64 bits): CAS `new` for the recorded value when the
/// monitor is armed for `addr` and `ty`'s size; writes the status to `Ws` and clears the
/// monitor.
fn store_exclusive(c: &mut Ctx, i: Insn, ty: Type, addr: Value, new: Value) {
    let excl_addr = c.b.read_reg(Type::I64, A64Cpu::EXCL_ADDR_OFFSET);
    let excl_size = c.b.read_reg(Type::I64, A64Cpu::EXCL_SIZE_OFFSET);
    let recorded = c.b.read_reg(ty, A64Cpu::EXCL_VALUE_OFFSET);
    let size = c.b.i64(u64::from(ty.bytes()));
    let same_addr = c.b.icmp(Cond::Eq, excl_addr, addr);
    let same_size = c.b.icmp(Cond::Eq, excl_size, size);
    let armed = c.b.and(same_addr, same_size);
    let replacement = c.b.select(armed, new, recorded);
    let old = c.b.atomic_cas(ty, addr, recorded, replacement);
    let swapped = c.b.icmp(Cond::Eq, old, recorded);
    let success = c.b.and(armed, swapped);
    let one = c.b.iconst(Type::I8, 1);
    let failure = c.b.xor(success, one);
    let status = c.b.zext(Type::I64, failure);
    clear_monitor(c);
    c.set_x(i.rm(), status);
}

/// Disarm the exclusive monitor.
fn clear_monitor(c: &mut Ctx) {
    let zero = c.b.i64(0);
    c.b.write_reg(A64Cpu::EXCL_SIZE_OFFSET, zero);
}

/// `STXR`/`STLXR`: the CAS is sequentially consistent, so the release needs no fence.
fn stxr(c: &mut Ctx, i: Insn) -> Exec {
    let ty = ldst::int_type(log2_size(i));
    let addr = c.xsp(i.rn());
    let new = x_as(c, i.rt(), ty);
    store_exclusive(c, i, ty, addr, new);
    Ok(Flow::Continue)
}

/// Bits 31:30 of the pair forms: `1x` are the exclusive pairs, `0x` the `CASP` forms.
fn stxp_or_casp(c: &mut Ctx, i: Insn) -> Exec {
    match (i.bit(31), i.bit(30)) {
        (true, false) => {
            let addr = c.xsp(i.rn());
            let new = w_pair(c, i.rt(), i.rt2());
            store_exclusive(c, i, Type::I64, addr, new);
            Ok(Flow::Continue)
        }
        (true, true) => stxp_x(c, i),
        (false, _) => casp(c, i),
    }
}

/// `STXP`/`STLXP` of X registers through the 128-bit helper.
fn stxp_x(c: &mut Ctx, i: Insn) -> Exec {
    let addr = c.xsp(i.rn());
    let lo = c.x(i.rt());
    let hi = c.x(i.rt2());
    let status = c.b.call(&STXP128, &[addr, lo, hi]).ok_or(Illegal)?;
    c.set_x(i.rm(), status);
    Ok(Flow::Continue)
}

/// `LDXP`/`LDAXP` (bits 31:30 `1x`) or `CASPA`/`CASPAL` (`0x`).
fn ldxp_or_casp(c: &mut Ctx, i: Insn) -> Exec {
    if !i.bit(31) {
        return casp(c, i);
    }
    let addr = c.xsp(i.rn());
    let (rt, rt2) = (i.rt(), i.rt2());
    if i.bit(30) {
        let lo = c.b.load(Type::I64, addr);
        let hi_addr = ldst::add_offset(c, addr, 8);
        let hi = c.b.load(Type::I64, hi_addr);
        arm_monitor(c, addr, 16, lo, Some(hi));
        c.set_x(rt, lo);
        c.set_x(rt2, hi);
    } else {
        let v = c.b.load(Type::I64, addr);
        arm_monitor(c, addr, 8, v, None);
        set_w_pair(c, rt, rt2, v);
    }
    if i.bit(15) {
        acquire(c);
    }
    Ok(Flow::Continue)
}

/// `CASP`/`CASPA`/`CASPL`/`CASPAL` of W pairs (bit 30 clear) or X pairs: `Rs`, `Rt` even
/// and `Rt2` (bits 14:10) 11111, else unallocated.
fn casp(c: &mut Ctx, i: Insn) -> Exec {
    let (rs, rt) = (i.rm(), i.rt());
    if i.rt2() != 31 || (rs | rt) & 1 != 0 {
        return Err(Illegal);
    }
    let addr = c.xsp(i.rn());
    if i.bit(30) {
        let (rs, rt) = (c.b.i64(rs.into()), c.b.i64(rt.into()));
        c.b.call(&CASP128, &[addr, rs, rt]);
    } else {
        let expected = w_pair(c, rs, rs + 1);
        let new = w_pair(c, rt, rt + 1);
        let old = c.b.atomic_cas(Type::I64, addr, expected, new);
        set_w_pair(c, rs, rs + 1, old);
    }
    Ok(Flow::Continue)
}

/// `STLR`/`STLLR`: a sequentially consistent swap whose old value is dropped.
fn stlr(c: &mut Ctx, i: Insn) -> Exec {
    let ty = ldst::int_type(log2_size(i));
    let addr = c.xsp(i.rn());
    let v = x_as(c, i.rt(), ty);
    c.b.atomic_rmw(AtomicOp::Xchg, ty, addr, v);
    Ok(Flow::Continue)
}

/// `LDAR`/`LDLAR`.
fn ldar(c: &mut Ctx, i: Insn) -> Exec {
    let addr = c.xsp(i.rn());
    load_acquire(c, gp(log2_size(i), Kind::Load), i.rt(), addr)
}

/// A load followed by acquire ordering.
fn load_acquire(c: &mut Ctx, a: Access, rt: u32, addr: Value) -> Exec {
    let v = ldst::load(c, a, addr);
    ldst::commit(c, rt, v);
    acquire(c);
    Ok(Flow::Continue)
}

/// `CAS`/`CASA`/`CASL`/`CASAL` of B/H/W/X: the old value goes to `Rs`.
fn cas(c: &mut Ctx, i: Insn) -> Exec {
    let ty = ldst::int_type(log2_size(i));
    let addr = c.xsp(i.rn());
    let expected = x_as(c, i.rm(), ty);
    let new = x_as(c, i.rt(), ty);
    let old = c.b.atomic_cas(ty, addr, expected, new);
    c.set_reg(i.rm(), old);
    Ok(Flow::Continue)
}

/// The read-modify-write of each `LD<op>` (`opc`, bits 14:12, with `o3` = 0); `LDCLR`
/// (index 1) is an AND with the complemented operand.
const LSE_OPS: [AtomicOp; 8] = [
    AtomicOp::Add,
    AtomicOp::And,
    AtomicOp::Xor,
    AtomicOp::Or,
    AtomicOp::SMax,
    AtomicOp::SMin,
    AtomicOp::UMax,
    AtomicOp::UMin,
];

/// The LSE atomic memory operations (`A`/`R` orderings are implied by the host atomics), and
/// `LDAPR` (`o3:opc` = 1100 with `A` = 1, `R` = 0, `Rs` = 11111).
fn lse(c: &mut Ctx, i: Insn) -> Exec {
    let ty = ldst::int_type(log2_size(i));
    let (o3, opc) = (i.bit(15), i.bits(14, 12));
    let op = match (o3, opc) {
        (false, _) => LSE_OPS[opc as usize],
        (true, 0) => AtomicOp::Xchg,
        (true, 4) if i.bit(23) && !i.bit(22) && i.rm() == 31 => {
            let addr = c.xsp(i.rn());
            return load_acquire(c, gp(log2_size(i), Kind::Load), i.rt(), addr);
        }
        _ => return Err(Illegal),
    };
    let addr = c.xsp(i.rn());
    let operand = x_as(c, i.rm(), ty);
    let operand = if (o3, opc) == (false, 1) {
        c.b.unary(emu_ir::UnOp::Not, operand)
    } else {
        operand
    };
    let old = c.b.atomic_rmw(op, ty, addr, operand);
    c.set_reg(i.rt(), old);
    Ok(Flow::Continue)
}

/// `STLUR*` / `LDAPUR*` (RCpc, unscaled signed offset): like `STUR`/`LDUR*` (the
/// prefetch-shaped `opc` = 10 with size 11 is unallocated) with release / acquire order.
fn rcpc_unscaled(c: &mut Ctx, i: Insn) -> Exec {
    let a = ldst::single_access(i)
        .filter(|a| a.kind != Kind::Prefetch)
        .ok_or(Illegal)?;
    let a = Access { vector: false, ..a };
    let base = c.xsp(i.rn());
    let addr = ldst::add_offset(c, base, i.sbits(20, 12));
    if a.kind == Kind::Store {
        release(c);
        ldst::store(c, a, i.rt(), addr);
        return Ok(Flow::Continue);
    }
    load_acquire(c, a, i.rt(), addr)
}

/// `STXP`/`STLXP` of X registers: `(addr, Xt, Xt2) -> status`.
static STXP128: Helper = Helper {
    name: "a64_stxp128",
    func: emu_ir::helpers::HelperFn::A3(stxp128),
    nargs: 3,
    ret: Some(Type::I64),
    effects: HelperEffects::ALL,
};

/// `CASP*` of X registers: `(addr, Rs, Rt)` register numbers.
static CASP128: Helper = Helper {
    name: "a64_casp128",
    func: emu_ir::helpers::HelperFn::A3(casp128),
    nargs: 3,
    ret: None,
    effects: HelperEffects::ALL,
};

/// The CPU state a helper runs on.
///
/// # Safety
/// `env` must be the live `A64Cpu` of the calling thread, not otherwise borrowed.
unsafe fn cpu<'a>(env: *mut u8) -> &'a mut A64Cpu {
    // SAFETY: forwarded from this function's contract.
    unsafe { &mut *(env as *mut A64Cpu) }
}

extern "C" fn stxp128(env: *mut u8, addr: u64, lo: u64, hi: u64) -> u64 {
    // SAFETY: helpers run on the calling thread's CPU state (helper contract).
    let cpu = unsafe { cpu(env) };
    let armed = cpu.excl_size == 16 && cpu.excl_addr == addr;
    cpu.excl_size = 0;
    if !armed {
        return 1;
    }
    let expected = atomic128::join(cpu.excl_value, cpu.excl_value_hi);
    let p = cpu.header.host_addr(addr);
    // SAFETY: `p` is inside the guest window; a bad guest address faults there and becomes a
    // guest signal.
    let old = unsafe { cas128(p, expected, atomic128::join(lo, hi)) };
    u64::from(old != expected)
}

extern "C" fn casp128(env: *mut u8, addr: u64, rs: u64, rt: u64) -> u64 {
    // SAFETY: helpers run on the calling thread's CPU state (helper contract).
    let cpu = unsafe { cpu(env) };
    let reg = |cpu: &A64Cpu, r: u64| match r {
        0..=30 => cpu.x[r as usize],
        _ => 0,
    };
    let expected = atomic128::join(reg(cpu, rs), reg(cpu, rs + 1));
    let new = atomic128::join(reg(cpu, rt), reg(cpu, rt + 1));
    let p = cpu.header.host_addr(addr);
    // SAFETY: as in `stxp128`.
    let old = unsafe { cas128(p, expected, new) };
    for (r, v) in [(rs, old as u64), (rs + 1, (old >> 64) as u64)] {
        if r < 31 {
            cpu.x[r as usize] = v;
        }
    }
    0
}
