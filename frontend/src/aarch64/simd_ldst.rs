//! Advanced SIMD structure loads and stores, generated as inline IR: LD1–LD4/ST1–ST4
//! (multiple structures), the single-structure lane forms, and the replicating LD1R–LD4R,
//! each with optional post-index writeback (immediate or register).
//!
//! Loads read every element first and write the registers afterwards, so a faulting load
//! leaves the vector registers unchanged. Lanes are read and written as sub-fields of the
//! CPU state's vector registers (`read_reg`/`write_reg` at a lane's byte offset).

use emu_ir::{BinOp, Type, Value};

use crate::aarch64::insn::{Ctx, Exec, Flow, Illegal, Insn};
use crate::aarch64::A64Cpu;

/// The integer type of a `bytes`-byte element.
pub fn elem_ty(bytes: u32) -> Type {
    match bytes {
        1 => Type::I8,
        2 => Type::I16,
        4 => Type::I32,
        _ => Type::I64,
    }
}

/// Byte offset in the CPU state of lane `idx` of `bytes` bytes of V register `r`.
pub fn lane_offset(r: u32, idx: u32, bytes: u32) -> u32 {
    A64Cpu::v_offset(r) + idx * bytes
}

/// `v` (an I64 holding a `bytes`-byte element, zero-extended) replicated across 64 bits.
pub fn replicate(c: &mut Ctx, v: Value, bytes: u32) -> Value {
    let pattern = match bytes {
        1 => 0x0101_0101_0101_0101,
        2 => 0x0001_0001_0001_0001,
        4 => 0x0000_0001_0000_0001,
        _ => return v,
    };
    let k = c.b.i64(pattern);
    c.b.binary(BinOp::Mul, v, k)
}

/// `base + offset` as I64.
fn addr_at(c: &mut Ctx, base: Value, offset: u32) -> Value {
    if offset == 0 {
        return base;
    }
    let k = c.b.i64(u64::from(offset));
    c.b.add(base, k)
}

/// Post-index writeback (bit 23): Rn += Rm, or the transfer size when Rm is 31.
fn writeback(c: &mut Ctx, i: Insn, base: Value, total: u32) {
    if !i.bit(23) {
        return;
    }
    let off = if i.rm() == 31 {
        c.b.i64(u64::from(total))
    } else {
        c.x(i.rm())
    };
    let new = c.b.add(base, off);
    c.set_xsp(i.rn(), new);
}

/// A pending register write of a load.
struct Put {
    offset: u32,
    value: Value,
}

fn put_all(c: &mut Ctx, puts: Vec<Put>) {
    for p in puts {
        c.b.write_reg(p.offset, p.value);
    }
}

/// Zero bits 127:64 of the registers `t .. t + count` (modulo 32).
fn zero_upper(c: &mut Ctx, t: u32, count: u32) -> Vec<Put> {
    (0..count)
        .map(|r| {
            let value = c.b.i64(0);
            Put {
                offset: A64Cpu::v_hi_offset((t + r) % 32),
                value,
            }
        })
        .collect()
}

/// LD1–LD4 / ST1–ST4 (multiple structures).
pub fn ldst_multi(c: &mut Ctx, i: Insn) -> Exec {
    let (q, load, size) = (i.bit(30), i.bit(22), i.bits(11, 10));
    let (rpt, selem) = match i.bits(15, 12) {
        0 => (1, 4),
        2 => (4, 1),
        4 => (1, 3),
        6 => (3, 1),
        7 => (1, 1),
        8 => (1, 2),
        10 => (2, 1),
        _ => return Err(Illegal),
    };
    if size == 3 && !q && selem != 1 {
        return Err(Illegal);
    }
    let t = i.rt();
    let base = c.xsp(i.rn());
    let datasize = if q { 16 } else { 8 };
    let total = rpt * selem * datasize;
    // LD1/ST1 registers are contiguous in memory whatever the element size: move halves.
    let ebytes = if selem == 1 { 8 } else { 1 << size };
    let elements = datasize / ebytes;
    let mut puts = Vec::new();
    let mut offs = 0;
    for r in 0..rpt {
        for e in 0..elements {
            for s in 0..selem {
                let reg = (t + r + s) % 32;
                let addr = addr_at(c, base, offs);
                let lane = lane_offset(reg, e, ebytes);
                if load {
                    let value = c.b.load(elem_ty(ebytes), addr);
                    puts.push(Put {
                        offset: lane,
                        value,
                    });
                } else {
                    let v = c.b.read_reg(elem_ty(ebytes), lane);
                    c.b.store(addr, v);
                }
                offs += ebytes;
            }
        }
    }
    if load {
        if !q {
            let zeros = zero_upper(c, t, rpt * selem);
            puts.extend(zeros);
        }
        put_all(c, puts);
    }
    writeback(c, i, base, total);
    Ok(Flow::Continue)
}

/// LD1–LD4 / ST1–ST4 (single structure) and LD1R–LD4R.
pub fn ldst_single(c: &mut Ctx, i: Insn) -> Exec {
    let (q, load, size, s) = (i.bit(30), i.bit(22), i.bits(11, 10), i.bits(12, 12));
    let opc = i.bits(15, 13);
    let selem = ((opc & 1) << 1 | i.bits(21, 21)) + 1;
    let qb = u32::from(q);
    let (scale, index, replicate_all) = match opc >> 1 {
        3 if load && s == 0 => (size, 0, true),
        0 => (0, qb << 3 | s << 2 | size, false),
        1 if size & 1 == 0 => (1, qb << 2 | s << 1 | size >> 1, false),
        2 if size == 0 => (2, qb << 1 | s, false),
        2 if size == 1 && s == 0 => (3, qb, false),
        _ => return Err(Illegal),
    };
    let ebytes = 1u32 << scale;
    let t = i.rt();
    let base = c.xsp(i.rn());
    let mut puts = Vec::new();
    for k in 0..selem {
        let reg = (t + k) % 32;
        let addr = addr_at(c, base, k * ebytes);
        let lane = lane_offset(reg, index, ebytes);
        if replicate_all {
            let v = c.b.load(elem_ty(ebytes), addr);
            let v = c.widen(v);
            let lo = replicate(c, v, ebytes);
            let hi = if q { lo } else { c.b.i64(0) };
            puts.push(Put {
                offset: A64Cpu::v_offset(reg),
                value: lo,
            });
            puts.push(Put {
                offset: A64Cpu::v_hi_offset(reg),
                value: hi,
            });
        } else if load {
            let value = c.b.load(elem_ty(ebytes), addr);
            puts.push(Put {
                offset: lane,
                value,
            });
        } else {
            let v = c.b.read_reg(elem_ty(ebytes), lane);
            c.b.store(addr, v);
        }
    }
    put_all(c, puts);
    writeback(c, i, base, selem * ebytes);
    Ok(Flow::Continue)
}
