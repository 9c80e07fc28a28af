//! The builder frontends use to append instructions to a [`Block`]: one method per instruction
//! form, each returning the defined [`Value`].

use crate::{
    AtomicOp, BinOp, Block, CastOp, Cond, ExitReason, Helper, Inst, InstData, Terminal, Type, UnOp,
    Value,
};

/// Appends instructions to a block.
pub struct Builder<'a> {
    pub block: &'a mut Block,
}

impl<'a> Builder<'a> {
    pub fn new(block: &'a mut Block) -> Self {
        Builder { block }
    }

    /// Type of an existing value.
    pub fn ty(&self, v: Value) -> Type {
        self.block.ty(v)
    }

    fn push_value(&mut self, ty: Type, inst: Inst) -> Value {
        let v = Value(self.block.value_types.len() as u32);
        self.block.value_types.push(ty);
        self.block.insts.push(InstData {
            result: Some(v),
            inst,
        });
        v
    }

    fn push_effect(&mut self, inst: Inst) {
        self.block.insts.push(InstData { result: None, inst });
    }

    pub fn iconst(&mut self, ty: Type, imm: u128) -> Value {
        self.push_value(
            ty,
            Inst::Const {
                ty,
                imm: imm & ty.mask(),
            },
        )
    }

    pub fn i64(&mut self, imm: u64) -> Value {
        self.iconst(Type::I64, imm.into())
    }

    pub fn i32(&mut self, imm: u32) -> Value {
        self.iconst(Type::I32, imm.into())
    }

    pub fn read_reg(&mut self, ty: Type, offset: u32) -> Value {
        self.push_value(ty, Inst::ReadReg { ty, offset })
    }

    pub fn write_reg(&mut self, offset: u32, value: Value) {
        self.push_effect(Inst::WriteReg { offset, value })
    }

    pub fn unary(&mut self, op: UnOp, arg: Value) -> Value {
        let ty = self.ty(arg);
        self.push_value(ty, Inst::Unary { op, arg })
    }

    pub fn binary(&mut self, op: BinOp, lhs: Value, rhs: Value) -> Value {
        let ty = self.ty(lhs);
        self.push_value(ty, Inst::Binary { op, lhs, rhs })
    }

    pub fn add(&mut self, a: Value, b: Value) -> Value {
        self.binary(BinOp::Add, a, b)
    }

    pub fn sub(&mut self, a: Value, b: Value) -> Value {
        self.binary(BinOp::Sub, a, b)
    }

    pub fn and(&mut self, a: Value, b: Value) -> Value {
        self.binary(BinOp::And, a, b)
    }

    pub fn or(&mut self, a: Value, b: Value) -> Value {
        self.binary(BinOp::Or, a, b)
    }

    pub fn xor(&mut self, a: Value, b: Value) -> Value {
        self.binary(BinOp::Xor, a, b)
    }

    pub fn cast(&mut self, op: CastOp, ty: Type, arg: Value) -> Value {
        self.push_value(ty, Inst::Cast { op, ty, arg })
    }

    pub fn zext(&mut self, ty: Type, arg: Value) -> Value {
        self.cast(CastOp::ZExt, ty, arg)
    }

    pub fn sext(&mut self, ty: Type, arg: Value) -> Value {
        self.cast(CastOp::SExt, ty, arg)
    }

    pub fn trunc(&mut self, ty: Type, arg: Value) -> Value {
        self.cast(CastOp::Trunc, ty, arg)
    }

    pub fn bitcast(&mut self, ty: Type, arg: Value) -> Value {
        self.cast(CastOp::Bitcast, ty, arg)
    }

    pub fn icmp(&mut self, cond: Cond, lhs: Value, rhs: Value) -> Value {
        self.push_value(Type::I8, Inst::Icmp { cond, lhs, rhs })
    }

    pub fn select(&mut self, cond: Value, if_true: Value, if_false: Value) -> Value {
        let ty = self.ty(if_true);
        self.push_value(
            ty,
            Inst::Select {
                cond,
                if_true,
                if_false,
            },
        )
    }

    pub fn load(&mut self, ty: Type, addr: Value) -> Value {
        self.push_value(ty, Inst::Load { ty, addr })
    }

    pub fn store(&mut self, addr: Value, value: Value) {
        self.push_effect(Inst::Store { addr, value })
    }

    pub fn atomic_rmw(&mut self, op: AtomicOp, ty: Type, addr: Value, value: Value) -> Value {
        self.push_value(
            ty,
            Inst::AtomicRmw {
                op,
                ty,
                addr,
                value,
            },
        )
    }

    pub fn atomic_cas(
        &mut self,
        ty: Type,
        addr: Value,
        expected: Value,
        replacement: Value,
    ) -> Value {
        self.push_value(
            ty,
            Inst::AtomicCas {
                ty,
                addr,
                expected,
                replacement,
            },
        )
    }

    pub fn fence(&mut self) {
        self.push_effect(Inst::Fence)
    }

    /// Call a helper; returns its result value when `helper.ret` is some.
    pub fn call(&mut self, helper: &'static Helper, args: &[Value]) -> Option<Value> {
        let inst = Inst::Call {
            helper,
            args: args.to_vec(),
        };
        match helper.ret {
            Some(ty) => Some(self.push_value(ty, inst)),
            None => {
                self.push_effect(inst);
                None
            }
        }
    }

    pub fn exit_if(&mut self, cond: Value, reason: ExitReason, pc: u64) {
        self.push_effect(Inst::ExitIf { cond, reason, pc })
    }

    pub fn set_terminal(&mut self, terminal: Terminal) {
        self.block.terminal = terminal;
    }
}
