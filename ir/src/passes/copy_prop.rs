//! Copy propagation: find instructions whose result equals an earlier value and replace their
//! uses by that value.
//!
//! Two kinds of equality are found:
//! - patterns: `select c, x, x`, bitcast to the same type, bitcast round trips
//!   (`bitcast(bitcast x)` back to `x`'s type), `trunc(zext/sext x)` back to `x`'s type,
//!   `not(not x)`, `neg(neg x)`;
//! - local value numbering: a pure instruction identical to an earlier one (same operation and
//!   operands; commutative operands in either order) is the same value. Register reads and loads
//!   are not numbered here (the state or memory may change in between; register reads are
//!   [`super::forward_registers`]'s job).

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

use super::{is_pure, Edit};
use crate::{BinOp, Block, CastOp, Cond, Inst, Type, UnOp, Value};

/// The identity of a pure computation, for value numbering.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Const(Type, u128),
    Unary(UnOp, Value),
    Binary(BinOp, Value, Value),
    Cast(CastOp, Type, Value),
    Icmp(Cond, Value, Value),
    Select(Value, Value, Value),
    Call(&'static str, Vec<Value>),
}

/// Replace uses of values that equal earlier values; see the module docs.
pub fn copy_propagate(block: &mut Block) {
    let mut edit = Edit::new(block);
    // Defining instruction of each value, to look through operands.
    let mut def: Vec<Option<usize>> = vec![None; block.value_types.len()];
    let mut numbered: HashMap<Key, Value, FxBuildHasher> = HashMap::default();
    for i in 0..block.insts.len() {
        edit.rewrite_operands(&mut block.insts[i].inst);
        let Some(r) = block.insts[i].result else {
            continue;
        };
        let inst = &block.insts[i].inst;
        if let Some(v) = copy_of(block, &def, inst, r) {
            edit.replace(i, r, v);
            continue;
        }
        if let Some(key) = key_of(inst) {
            if let Some(&earlier) = numbered.get(&key) {
                edit.replace(i, r, earlier);
                continue;
            }
            numbered.insert(key, r);
        }
        if let Some(d) = def.get_mut(r.index()) {
            *d = Some(i);
        }
    }
    edit.finish(block);
}

/// The earlier value `inst` (defining `r`) is a copy of, by pattern.
fn copy_of(block: &Block, def: &[Option<usize>], inst: &Inst, r: Value) -> Option<Value> {
    let ty = |v: Value| block.value_types.get(v.index()).copied();
    let def_of = |v: Value| -> Option<&Inst> {
        let i = def.get(v.index()).copied().flatten()?;
        block.insts.get(i).map(|d| &d.inst)
    };
    match *inst {
        Inst::Select {
            if_true, if_false, ..
        } if if_true == if_false => Some(if_true),
        Inst::Cast {
            op: CastOp::Bitcast,
            ty: to,
            arg,
        } => {
            if ty(arg) == Some(to) {
                return Some(arg);
            }
            match def_of(arg)? {
                Inst::Cast {
                    op: CastOp::Bitcast,
                    arg: inner,
                    ..
                } if ty(*inner) == Some(to) => Some(*inner),
                _ => None,
            }
        }
        Inst::Cast {
            op: CastOp::Trunc,
            ty: to,
            arg,
        } => match def_of(arg)? {
            Inst::Cast {
                op: CastOp::ZExt | CastOp::SExt,
                arg: inner,
                ..
            } if ty(*inner) == Some(to) => Some(*inner),
            _ => None,
        },
        Inst::Unary {
            op: op @ (UnOp::Not | UnOp::Neg),
            arg,
        } => match def_of(arg)? {
            Inst::Unary {
                op: inner_op,
                arg: inner,
            } if *inner_op == op && ty(*inner) == ty(r) => Some(*inner),
            _ => None,
        },
        _ => None,
    }
}

fn is_commutative(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add
            | BinOp::Mul
            | BinOp::MulHiU
            | BinOp::MulHiS
            | BinOp::And
            | BinOp::Or
            | BinOp::Xor
    )
}

/// Operands in a canonical order.
fn ordered(a: Value, b: Value) -> (Value, Value) {
    (a.min(b), a.max(b))
}

/// The value-numbering key of a pure instruction (None for anything else).
fn key_of(inst: &Inst) -> Option<Key> {
    if !is_pure(inst) {
        return None;
    }
    Some(match *inst {
        Inst::Const { ty, imm } => Key::Const(ty, imm),
        Inst::Unary { op, arg } => Key::Unary(op, arg),
        Inst::Binary { op, lhs, rhs } if is_commutative(op) => {
            let (a, b) = ordered(lhs, rhs);
            Key::Binary(op, a, b)
        }
        Inst::Binary { op, lhs, rhs } => Key::Binary(op, lhs, rhs),
        Inst::Cast { op, ty, arg } => Key::Cast(op, ty, arg),
        Inst::Icmp {
            cond: cond @ (Cond::Eq | Cond::Ne),
            lhs,
            rhs,
        } => {
            let (a, b) = ordered(lhs, rhs);
            Key::Icmp(cond, a, b)
        }
        Inst::Icmp { cond, lhs, rhs } => Key::Icmp(cond, lhs, rhs),
        Inst::Select {
            cond,
            if_true,
            if_false,
        } => Key::Select(cond, if_true, if_false),
        Inst::Call { helper, ref args } => Key::Call(helper.name, args.clone()),
        // Register reads are pure but not numbered (see the module docs).
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{blk, check_pass};
    use super::copy_propagate;

    #[test]
    fn select_with_same_arms() {
        check_pass(
            copy_propagate,
            &blk(
                "v0:i64 = read_reg 8\n v1:i8 = read_reg 16\n v2:i64 = select v1, v0, v0\n write_reg 24, v2",
                "goto 0x0",
            ),
            &blk("v0:i64 = read_reg 8\n v1:i8 = read_reg 16\n write_reg 24, v0", "goto 0x0"),
        );
    }

    #[test]
    fn cast_round_trips() {
        check_pass(
            copy_propagate,
            &blk(
                "v0:i64 = read_reg 8\n v1:f64 = bitcast v0\n v2:i64 = bitcast v1\n\
                 v3:i32 = read_reg 16\n v4:i64 = sext v3\n v5:i32 = trunc v4\n\
                 v6:i32 = not v5\n v7:i32 = not v6\n v8:i16 = trunc v4\n\
                 store v2, v7\n store v2, v8",
                "goto 0x0",
            ),
            &blk(
                "v0:i64 = read_reg 8\n v1:f64 = bitcast v0\n v3:i32 = read_reg 16\n\
                 v4:i64 = sext v3\n v6:i32 = not v3\n v8:i16 = trunc v4\n\
                 store v0, v3\n store v0, v8",
                "goto 0x0",
            ),
        );
    }

    #[test]
    fn value_numbering_merges_identical_pure_insts() {
        check_pass(
            copy_propagate,
            &blk(
                "v0:i64 = read_reg 8\n v1:i64 = read_reg 16\n v2:i64 = add v0, v1\n\
                 v3:i64 = add v1, v0\n v4:i64 = sub v0, v1\n v5:i64 = sub v1, v0\n\
                 v6:i64 = call unit_pure2(v2, v3)\n v7:i64 = call unit_pure2(v2, v2)\n\
                 v8:i64 = call unit_reads1(v0)\n v9:i64 = call unit_reads1(v0)\n\
                 v10:i32 = load v0\n v11:i32 = load v0\n\
                 store v4, v5\n store v6, v7\n store v8, v9\n store v0, v10\n store v0, v11",
                "goto 0x0",
            ),
            &blk(
                "v0:i64 = read_reg 8\n v1:i64 = read_reg 16\n v2:i64 = add v0, v1\n\
                 v4:i64 = sub v0, v1\n v5:i64 = sub v1, v0\n v6:i64 = call unit_pure2(v2, v2)\n\
                 v8:i64 = call unit_reads1(v0)\n v9:i64 = call unit_reads1(v0)\n\
                 v10:i32 = load v0\n v11:i32 = load v0\n\
                 store v4, v5\n store v6, v6\n store v8, v9\n store v0, v10\n store v0, v11",
                "goto 0x0",
            ),
        );
    }
}
