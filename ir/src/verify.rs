//! The IR verifier: SSA well-formedness (every value defined once, densely numbered in order of
//! definition, before any use) and the type rules of every instruction and terminal.
//!
//! Also home of [`for_each_operand`] / [`for_each_operand_mut`], the one place that knows which
//! fields of an [`Inst`] are value operands (the passes use them too).

use crate::helpers::MAX_HELPER_ARGS;
use crate::{BinOp, Block, CastOp, Inst, InstData, Terminal, Type, UnOp, Value};

/// A verifier error: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VerifyError(pub String);

/// Call `f` on every value operand of `inst`, in textual order.
pub fn for_each_operand(inst: &Inst, mut f: impl FnMut(Value)) {
    let mut copy = |v: &Value| f(*v);
    match inst {
        Inst::Const { .. } | Inst::ReadReg { .. } | Inst::Fence => {}
        Inst::WriteReg { value, .. } => copy(value),
        Inst::Unary { arg, .. } | Inst::Cast { arg, .. } => copy(arg),
        Inst::Binary { lhs, rhs, .. } | Inst::Icmp { lhs, rhs, .. } => {
            copy(lhs);
            copy(rhs);
        }
        Inst::Select {
            cond,
            if_true,
            if_false,
        } => {
            copy(cond);
            copy(if_true);
            copy(if_false);
        }
        Inst::Load { addr, .. } => copy(addr),
        Inst::Store { addr, value } | Inst::AtomicRmw { addr, value, .. } => {
            copy(addr);
            copy(value);
        }
        Inst::AtomicCas {
            addr,
            expected,
            replacement,
            ..
        } => {
            copy(addr);
            copy(expected);
            copy(replacement);
        }
        Inst::Call { args, .. } => args.iter().for_each(copy),
        Inst::ExitIf { cond, .. } => copy(cond),
    }
}

/// Call `f` on every value operand of `inst`, allowing it to be replaced.
pub fn for_each_operand_mut(inst: &mut Inst, mut f: impl FnMut(&mut Value)) {
    match inst {
        Inst::Const { .. } | Inst::ReadReg { .. } | Inst::Fence => {}
        Inst::WriteReg { value, .. } => f(value),
        Inst::Unary { arg, .. } | Inst::Cast { arg, .. } => f(arg),
        Inst::Binary { lhs, rhs, .. } | Inst::Icmp { lhs, rhs, .. } => {
            f(lhs);
            f(rhs);
        }
        Inst::Select {
            cond,
            if_true,
            if_false,
        } => {
            f(cond);
            f(if_true);
            f(if_false);
        }
        Inst::Load { addr, .. } => f(addr),
        Inst::Store { addr, value } | Inst::AtomicRmw { addr, value, .. } => {
            f(addr);
            f(value);
        }
        Inst::AtomicCas {
            addr,
            expected,
            replacement,
            ..
        } => {
            f(addr);
            f(expected);
            f(replacement);
        }
        Inst::Call { args, .. } => args.iter_mut().for_each(f),
        Inst::ExitIf { cond, .. } => f(cond),
    }
}

/// The value operand of a terminal, if it has one.
pub fn terminal_operand(terminal: &Terminal) -> Option<Value> {
    match terminal {
        Terminal::Branch { cond, .. } => Some(*cond),
        Terminal::Indirect(v) => Some(*v),
        Terminal::Goto(_) | Terminal::Exit { .. } => None,
    }
}

/// Mutable access to the value operand of a terminal, if it has one.
pub fn terminal_operand_mut(terminal: &mut Terminal) -> Option<&mut Value> {
    match terminal {
        Terminal::Branch { cond, .. } => Some(cond),
        Terminal::Indirect(v) => Some(v),
        Terminal::Goto(_) | Terminal::Exit { .. } => None,
    }
}

/// Check `block`.
pub fn verify(block: &Block) -> Result<(), VerifyError> {
    let mut v = Verifier {
        block,
        defined: 0,
        at: String::new(),
    };
    for (i, data) in block.insts.iter().enumerate() {
        v.at = format!("inst {i} `{}`", block.display_inst(data));
        v.inst(data)?;
    }
    v.at = format!("terminal `{}`", block.terminal);
    v.terminal()?;
    if v.defined != block.value_types.len() {
        return Err(VerifyError(format!(
            "value_types has {} entries but {} values are defined",
            block.value_types.len(),
            v.defined
        )));
    }
    Ok(())
}

/// Verifier state: how many values are defined so far (values are dense, so `v < defined` means
/// "defined earlier") and a description of the current location for messages.
struct Verifier<'a> {
    block: &'a Block,
    defined: usize,
    at: String,
}

type VResult = Result<(), VerifyError>;

impl Verifier<'_> {
    fn fail<T>(&self, msg: impl std::fmt::Display) -> Result<T, VerifyError> {
        Err(VerifyError(format!("{}: {msg}", self.at)))
    }

    fn check(&self, ok: bool, msg: impl std::fmt::Display) -> VResult {
        if ok {
            Ok(())
        } else {
            self.fail(msg)
        }
    }

    /// The type of a used value, which must be defined earlier.
    fn ty(&self, v: Value) -> Result<Type, VerifyError> {
        if v.index() >= self.defined {
            return self.fail(format!("{v} is used before it is defined"));
        }
        match self.block.value_types.get(v.index()) {
            Some(ty) => Ok(*ty),
            None => self.fail(format!("{v} has no entry in value_types")),
        }
    }

    fn int(&self, v: Value, role: &str) -> Result<Type, VerifyError> {
        let ty = self.ty(v)?;
        self.check(
            ty.is_int(),
            format!("{role} {v} must be an integer, is {ty}"),
        )?;
        Ok(ty)
    }

    fn exactly(&self, v: Value, want: Type, role: &str) -> VResult {
        let ty = self.ty(v)?;
        self.check(ty == want, format!("{role} {v} must be {want}, is {ty}"))
    }

    fn addr(&self, v: Value) -> VResult {
        self.exactly(v, Type::I64, "address")
    }

    fn inst(&mut self, data: &InstData) -> VResult {
        let result_ty = self.result_type(data)?;
        let mut first_err = Ok(());
        for_each_operand(&data.inst, |op| {
            if first_err.is_ok() {
                first_err = self.ty(op).map(|_| ());
            }
        });
        first_err?;
        self.types(&data.inst, result_ty)?;
        if data.result.is_some() {
            self.defined += 1;
        }
        Ok(())
    }

    /// Check the result's presence and numbering; returns its type.
    fn result_type(&self, data: &InstData) -> Result<Option<Type>, VerifyError> {
        let wants_result = match &data.inst {
            Inst::WriteReg { .. } | Inst::Store { .. } | Inst::Fence | Inst::ExitIf { .. } => false,
            Inst::Call { helper, .. } => helper.ret.is_some(),
            _ => true,
        };
        match (data.result, wants_result) {
            (None, false) => Ok(None),
            (Some(r), true) => {
                if r.index() != self.defined {
                    return self.fail(format!(
                        "result {r} out of order: values must be numbered densely, expected v{}",
                        self.defined
                    ));
                }
                match self.block.value_types.get(r.index()) {
                    Some(ty) => Ok(Some(*ty)),
                    None => self.fail(format!("{r} has no entry in value_types")),
                }
            }
            (None, true) => self.fail("instruction needs a result"),
            (Some(_), false) => self.fail("instruction has no result"),
        }
    }

    /// The type rules of one instruction whose operands are all defined.
    fn types(&self, inst: &Inst, result: Option<Type>) -> VResult {
        let result_is = |want: Type| -> VResult {
            match result {
                Some(ty) if ty != want => self.fail(format!("result must be {want}, is {ty}")),
                _ => Ok(()),
            }
        };
        match inst {
            Inst::Const { ty, imm } => {
                self.check(
                    *imm <= ty.mask(),
                    format!("constant {imm:#x} does not fit {ty}"),
                )?;
                result_is(*ty)
            }
            Inst::ReadReg { ty, .. } => result_is(*ty),
            Inst::WriteReg { value, .. } => self.ty(*value).map(|_| ()),
            Inst::Unary { op, arg } => {
                let ty = self.ty(*arg)?;
                self.unary(*op, ty)?;
                result_is(ty)
            }
            Inst::Binary { op, lhs, rhs } => {
                let ty = self.ty(*lhs)?;
                self.binary(*op, ty, self.ty(*rhs)?)?;
                result_is(ty)
            }
            Inst::Cast { op, ty, arg } => {
                self.cast(*op, self.ty(*arg)?, *ty)?;
                result_is(*ty)
            }
            Inst::Icmp { lhs, rhs, .. } => {
                let ty = self.int(*lhs, "operand")?;
                self.exactly(*rhs, ty, "right operand")?;
                result_is(Type::I8)
            }
            Inst::Select {
                cond,
                if_true,
                if_false,
            } => {
                self.int(*cond, "condition")?;
                let ty = self.ty(*if_true)?;
                self.exactly(*if_false, ty, "false arm")?;
                result_is(ty)
            }
            Inst::Load { ty, addr } => {
                self.addr(*addr)?;
                result_is(*ty)
            }
            Inst::Store { addr, value } => {
                self.addr(*addr)?;
                self.ty(*value).map(|_| ())
            }
            Inst::AtomicRmw {
                ty, addr, value, ..
            } => {
                self.atomic_type(*ty)?;
                self.addr(*addr)?;
                self.exactly(*value, *ty, "operand")?;
                result_is(*ty)
            }
            Inst::AtomicCas {
                ty,
                addr,
                expected,
                replacement,
            } => {
                self.atomic_type(*ty)?;
                self.addr(*addr)?;
                self.exactly(*expected, *ty, "expected value")?;
                self.exactly(*replacement, *ty, "replacement")?;
                result_is(*ty)
            }
            Inst::Fence => Ok(()),
            Inst::Call { helper, args } => {
                self.check(
                    args.len() == helper.nargs
                        && helper.nargs == helper.func.arity()
                        && args.len() <= MAX_HELPER_ARGS,
                    format!(
                        "helper {} takes {} arguments (function arity {}), given {}",
                        helper.name,
                        helper.nargs,
                        helper.func.arity(),
                        args.len()
                    ),
                )?;
                for a in args {
                    let ty = self.ty(*a)?;
                    self.check(
                        ty.bits() <= 64,
                        format!("helper argument {a} is {ty}; arguments are at most 64 bits"),
                    )?;
                }
                match (helper.ret, result) {
                    (Some(want), Some(_)) => result_is(want),
                    _ => Ok(()),
                }
            }
            Inst::ExitIf { cond, .. } => self.int(*cond, "condition").map(|_| ()),
        }
    }

    fn unary(&self, op: UnOp, ty: Type) -> VResult {
        let ok = match op {
            UnOp::Not | UnOp::Neg | UnOp::Clz | UnOp::Ctz | UnOp::Popcnt => ty.is_int(),
            UnOp::Bswap => ty.is_int() && ty != Type::I8,
            UnOp::FNeg | UnOp::FAbs | UnOp::FSqrt => ty.is_float(),
        };
        self.check(ok, format!("{op} does not apply to {ty}"))
    }

    fn binary(&self, op: BinOp, lhs: Type, rhs: Type) -> VResult {
        let is_float_op = matches!(op, BinOp::FAdd | BinOp::FSub | BinOp::FMul | BinOp::FDiv);
        let is_shift = matches!(
            op,
            BinOp::Shl | BinOp::ShrU | BinOp::ShrS | BinOp::RotL | BinOp::RotR
        );
        if is_float_op {
            self.check(
                lhs.is_float(),
                format!("{op} needs float operands, not {lhs}"),
            )?;
        } else {
            self.check(
                lhs.is_int(),
                format!("{op} needs integer operands, not {lhs}"),
            )?;
        }
        if is_shift {
            self.check(
                rhs.is_int(),
                format!("shift amount must be an integer, is {rhs}"),
            )
        } else {
            self.check(lhs == rhs, format!("operand types differ ({lhs}, {rhs})"))
        }
    }

    fn cast(&self, op: CastOp, from: Type, to: Type) -> VResult {
        let ok = match op {
            CastOp::ZExt | CastOp::SExt => from.is_int() && to.is_int() && to.bits() > from.bits(),
            CastOp::Trunc => from.is_int() && to.is_int() && to.bits() < from.bits(),
            CastOp::Bitcast => from.bits() == to.bits(),
        };
        self.check(ok, format!("cannot {op} from {from} to {to}"))
    }

    fn atomic_type(&self, ty: Type) -> VResult {
        self.check(
            ty.is_int() && ty.bits() <= 64,
            format!("atomics work on i8..i64, not {ty}"),
        )
    }

    fn terminal(&self) -> VResult {
        match &self.block.terminal {
            Terminal::Goto(_) | Terminal::Exit { .. } => Ok(()),
            Terminal::Branch { cond, .. } => self.int(*cond, "condition").map(|_| ()),
            Terminal::Indirect(target) => self.exactly(*target, Type::I64, "target"),
        }
    }
}
