//! Operand access shared by every x86_64 instruction class: the translation context
//! ([`Ctx`]), general-register reads and writes with x86's partial-register rules (32-bit
//! writes zero-extend, 8/16-bit writes merge, AH–BH are bits 15:8), effective addresses
//! (base + index·scale + displacement, RIP-relative, FS/GS bases), operands as locations
//! ([`Loc`]), and the stack.

use emu_ir::{Builder, Type, Value};
use iced_x86::{Instruction, OpKind, Register};

use crate::translator::{Flow, Illegal};
use crate::x86_64::X64Cpu;

/// What a translation routine returns.
pub(crate) type Res = Result<Flow, Illegal>;

/// The instruction being translated and where its IR goes.
pub(crate) struct Ctx<'a, 'b> {
    pub b: &'a mut Builder<'b>,
    /// Address of the instruction.
    pub pc: u64,
    /// Address of the next instruction.
    pub next: u64,
    pub i: &'a Instruction,
}

/// Where an operand lives.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Loc {
    Reg(Register),
    /// Guest address (I64).
    Mem(Value),
    Imm(u64),
}

/// The integer type of `bytes` bytes (1, 2, 4 or 8; anything else is 8).
pub(crate) fn ity(bytes: usize) -> Type {
    match bytes {
        1 => Type::I8,
        2 => Type::I16,
        4 => Type::I32,
        _ => Type::I64,
    }
}

/// Whether `r` is one of the legacy high-byte registers AH, CH, DH, BH.
fn is_high_byte(r: Register) -> bool {
    matches!(r, Register::AH | Register::CH | Register::DH | Register::BH)
}

/// State offset and width of a general register (any size).
fn gpr_slot(r: Register) -> Option<(u32, Type)> {
    if !r.is_gpr() {
        return None;
    }
    if is_high_byte(r) {
        let n = (r.number() - 4) as u32;
        return Some((X64Cpu::reg_offset(n) + 1, Type::I8));
    }
    let n = r.full_register().number() as u32;
    Some((X64Cpu::reg_offset(n), ity(r.size())))
}

impl Ctx<'_, '_> {
    /// Read a general register at its own width.
    pub fn read_gpr(&mut self, r: Register) -> Result<Value, Illegal> {
        let (off, ty) = gpr_slot(r).ok_or(Illegal)?;
        Ok(self.b.read_reg(ty, off))
    }

    /// Write a general register with x86's rules (32-bit writes clear bits 63:32).
    pub fn write_gpr(&mut self, r: Register, v: Value) -> Result<(), Illegal> {
        let (off, ty) = gpr_slot(r).ok_or(Illegal)?;
        let v = self.fit(v, ty);
        if ty == Type::I32 {
            let wide = self.b.zext(Type::I64, v);
            self.b.write_reg(off, wide);
        } else {
            self.b.write_reg(off, v);
        }
        Ok(())
    }

    /// Read the full 64-bit register number `n`.
    pub fn reg64(&mut self, n: u32) -> Value {
        self.b.read_reg(Type::I64, X64Cpu::reg_offset(n))
    }

    /// Write the full 64-bit register number `n`.
    pub fn set_reg64(&mut self, n: u32, v: Value) {
        self.b.write_reg(X64Cpu::reg_offset(n), v);
    }

    /// Read the low `ty` part of register number `n`.
    pub fn reg_n(&mut self, n: u32, ty: Type) -> Value {
        self.b.read_reg(ty, X64Cpu::reg_offset(n))
    }

    /// Write the low `ty` part of register number `n` (zero-extending 32-bit values).
    pub fn set_reg_n(&mut self, n: u32, v: Value) {
        let v = if self.b.ty(v) == Type::I32 {
            self.b.zext(Type::I64, v)
        } else {
            v
        };
        self.b.write_reg(X64Cpu::reg_offset(n), v);
    }

    /// `v` converted to `ty` (truncated or zero-extended).
    pub fn fit(&mut self, v: Value, ty: Type) -> Value {
        let have = self.b.ty(v);
        if have == ty {
            v
        } else if have.bits() > ty.bits() {
            self.b.trunc(ty, v)
        } else {
            self.b.zext(ty, v)
        }
    }

    /// `v` sign-converted to `ty`.
    pub fn sfit(&mut self, v: Value, ty: Type) -> Value {
        let have = self.b.ty(v);
        if have == ty {
            v
        } else if have.bits() > ty.bits() {
            self.b.trunc(ty, v)
        } else {
            self.b.sext(ty, v)
        }
    }

    pub fn iconst(&mut self, ty: Type, v: u64) -> Value {
        self.b.iconst(ty, u128::from(v))
    }

    /// The effective address of the memory operand (segment base included).
    pub fn ea(&mut self) -> Value {
        let a = self.ea_no_segment();
        let base = match self.i.memory_segment() {
            Register::FS => Some(X64Cpu::FS_BASE_OFFSET),
            Register::GS => Some(X64Cpu::GS_BASE_OFFSET),
            _ => None,
        };
        match base {
            Some(off) => {
                let seg = self.b.read_reg(Type::I64, off);
                self.b.add(a, seg)
            }
            None => a,
        }
    }

    /// The offset part of the memory operand (what LEA computes).
    pub fn ea_no_segment(&mut self) -> Value {
        let i = self.i;
        if i.is_ip_rel_memory_operand() {
            return self.b.i64(i.ip_rel_memory_address());
        }
        let base = i.memory_base();
        let index = i.memory_index();
        let addr32 = base.is_gpr32() || index.is_gpr32();
        let mut a = self.b.i64(i.memory_displacement64());
        if base != Register::None {
            let v = self.reg64(base.full_register().number() as u32);
            a = self.b.add(a, v);
        }
        if index != Register::None {
            // XLATB's operand is [RBX + AL]: AL is the one byte-sized index.
            let v = if index.is_gpr8() {
                let al = self.reg_n(super::RAX, Type::I8);
                self.b.zext(Type::I64, al)
            } else {
                self.reg64(index.full_register().number() as u32)
            };
            let scale = i.memory_index_scale();
            let v = if scale > 1 {
                let s = self.b.i64(u64::from(scale.trailing_zeros()));
                self.b.binary(emu_ir::BinOp::Shl, v, s)
            } else {
                v
            };
            a = self.b.add(a, v);
        }
        if addr32 {
            let t = self.b.trunc(Type::I32, a);
            a = self.b.zext(Type::I64, t);
        }
        a
    }

    /// Operand `n` as a location (memory operands get their address computed now).
    pub fn loc(&mut self, n: u32) -> Result<Loc, Illegal> {
        Ok(match self.i.op_kind(n) {
            OpKind::Register => Loc::Reg(self.i.op_register(n)),
            OpKind::Memory => Loc::Mem(self.ea()),
            OpKind::Immediate8
            | OpKind::Immediate8_2nd
            | OpKind::Immediate16
            | OpKind::Immediate32
            | OpKind::Immediate64
            | OpKind::Immediate8to16
            | OpKind::Immediate8to32
            | OpKind::Immediate8to64
            | OpKind::Immediate32to64 => Loc::Imm(self.i.immediate(n)),
            _ => return Err(Illegal),
        })
    }

    /// The width of operand `n` in bytes (registers and memory; 0 for immediates).
    pub fn op_size(&self, n: u32) -> usize {
        match self.i.op_kind(n) {
            OpKind::Register => self.i.op_register(n).size(),
            OpKind::Memory => self.i.memory_size().size(),
            _ => 0,
        }
    }

    /// The integer type of operand `n` (registers and memory).
    pub fn op_ty(&self, n: u32) -> Type {
        ity(self.op_size(n))
    }

    /// Read a location as `ty` (immediates are truncated to `ty`).
    pub fn read_loc(&mut self, loc: Loc, ty: Type) -> Result<Value, Illegal> {
        match loc {
            Loc::Reg(r) => {
                let v = self.read_gpr(r)?;
                Ok(self.fit(v, ty))
            }
            Loc::Mem(a) => Ok(self.b.load(ty, a)),
            Loc::Imm(v) => Ok(self.iconst(ty, v)),
        }
    }

    /// Write a location (immediates are illegal destinations).
    pub fn write_loc(&mut self, loc: Loc, v: Value) -> Result<(), Illegal> {
        match loc {
            Loc::Reg(r) => self.write_gpr(r, v),
            Loc::Mem(a) => {
                self.b.store(a, v);
                Ok(())
            }
            Loc::Imm(_) => Err(Illegal),
        }
    }

    /// Read operand `n` as `ty`.
    pub fn read_op(&mut self, n: u32, ty: Type) -> Result<Value, Illegal> {
        let l = self.loc(n)?;
        self.read_loc(l, ty)
    }

    /// Write operand `n`.
    pub fn write_op(&mut self, n: u32, v: Value) -> Result<(), Illegal> {
        let l = self.loc(n)?;
        self.write_loc(l, v)
    }

    /// #GP at this instruction unless `addr` (I64) is a multiple of `align` (a power of two).
    pub fn require_aligned(&mut self, addr: Value, align: u64) {
        let mask = self.b.i64(align - 1);
        let low = self.b.and(addr, mask);
        let zero = self.b.i64(0);
        let misaligned = self.b.icmp(emu_ir::Cond::Ne, low, zero);
        let reason = emu_ir::ExitReason::Exception(super::EXC_GP);
        self.b.exit_if(misaligned, reason, self.pc);
    }

    /// Push a 64-bit value.
    pub fn push(&mut self, v: Value) {
        let sp = self.reg64(super::RSP);
        let eight = self.b.i64(8);
        let sp = self.b.sub(sp, eight);
        self.b.store(sp, v);
        self.set_reg64(super::RSP, sp);
    }

    /// Pop a 64-bit value.
    pub fn pop(&mut self) -> Value {
        let sp = self.reg64(super::RSP);
        let v = self.b.load(Type::I64, sp);
        let eight = self.b.i64(8);
        let sp = self.b.add(sp, eight);
        self.set_reg64(super::RSP, sp);
        v
    }
}
