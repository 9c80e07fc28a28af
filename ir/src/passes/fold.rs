//! Constant folding and algebraic simplification.
//!
//! Integer operations whose operands are all constants are evaluated with the IR's exact
//! semantics (wrap-around at the type's width, I128 included; RISC-V's total division; shift
//! amounts modulo the width). Float arithmetic is never folded: the host's rounding is not
//! necessarily the guest's. Bitcasts are folded (they only move bits). Simple identities
//! (`x + 0`, `x * 1`, `x & 0`, `x - x`, shift by 0, ...) become copies or constants, a constant
//! `select` picks its arm, a constant `exit_if` disappears or ends the block, and a constant
//! branch or indirect jump becomes a `goto`.

use super::Edit;
use crate::{BinOp, Block, CastOp, Cond, Inst, Terminal, Type, UnOp, Value};

/// What an instruction simplifies to.
enum Fold {
    /// Nothing to do.
    Keep,
    /// The result is this constant.
    Const(u128),
    /// The result equals this earlier value.
    Copy(Value),
    /// A side exit that is never taken: remove it.
    Drop,
    /// A side exit that is always taken: the block ends here.
    ExitNow,
}

/// Fold constants in `block`; see the module docs.
pub fn fold_constants(block: &mut Block) {
    let mut edit = Edit::new(block);
    let mut known: Vec<Option<u128>> = vec![None; block.value_types.len()];
    let mut i = 0;
    while i < block.insts.len() {
        edit.rewrite_operands(&mut block.insts[i].inst);
        let data = &block.insts[i];
        let result_ty = data
            .result
            .and_then(|r| block.value_types.get(r.index()).copied());
        let fold = match result_ty {
            Some(ty) => fold_value(block, &known, &data.inst, ty),
            None => fold_effect(&known, &data.inst),
        };
        let result = data.result;
        match (fold, result, result_ty) {
            (Fold::Const(imm), Some(r), Some(ty)) => {
                let imm = imm & ty.mask();
                block.insts[i].inst = Inst::Const { ty, imm };
                set_known(&mut known, r, imm);
            }
            (Fold::Copy(v), Some(r), _) => edit.replace(i, r, v),
            (Fold::Drop, ..) => edit.drop_inst(i),
            (Fold::ExitNow, ..) => {
                if let Inst::ExitIf { reason, pc, .. } = block.insts[i].inst {
                    block.terminal = Terminal::Exit { reason, pc };
                }
                (i..block.insts.len()).for_each(|j| edit.drop_inst(j));
                break;
            }
            _ => {}
        }
        i += 1;
    }
    fold_terminal(block, &edit, &known);
    edit.finish(block);
}

fn set_known(known: &mut [Option<u128>], v: Value, imm: u128) {
    if let Some(k) = known.get_mut(v.index()) {
        *k = Some(imm);
    }
}

fn constant(known: &[Option<u128>], v: Value) -> Option<u128> {
    known.get(v.index()).copied().flatten()
}

/// Simplify an instruction that defines a value of type `ty`.
fn fold_value(block: &Block, known: &[Option<u128>], inst: &Inst, ty: Type) -> Fold {
    let k = |v: Value| constant(known, v);
    let ty_of = |v: Value| block.value_types.get(v.index()).copied();
    match *inst {
        Inst::Const { imm, .. } => Fold::Const(imm),
        Inst::Unary { op, arg } if ty.is_int() => {
            k(arg).map_or(Fold::Keep, |a| Fold::Const(eval_unary(op, ty, a)))
        }
        Inst::Binary { op, lhs, rhs } if ty.is_int() => match (k(lhs), k(rhs)) {
            (Some(a), Some(b)) => Fold::Const(eval_binary(op, ty, a, b)),
            (a, b) => simplify_binary(op, ty, lhs, rhs, a, b),
        },
        Inst::Cast { op, ty: to, arg } => match (k(arg), ty_of(arg)) {
            (Some(a), Some(from)) => eval_cast(op, from, to, a).map_or(Fold::Keep, Fold::Const),
            _ => Fold::Keep,
        },
        Inst::Icmp { cond, lhs, rhs } => match (k(lhs), k(rhs), ty_of(lhs)) {
            (Some(a), Some(b), Some(t)) => Fold::Const(eval_icmp(cond, t, a, b).into()),
            _ if lhs == rhs => Fold::Const(eval_icmp(cond, Type::I8, 0, 0).into()),
            _ => Fold::Keep,
        },
        Inst::Select {
            cond,
            if_true,
            if_false,
        } => match k(cond) {
            Some(0) => Fold::Copy(if_false),
            Some(_) => Fold::Copy(if_true),
            None => Fold::Keep,
        },
        _ => Fold::Keep,
    }
}

/// Simplify an instruction without a result (only constant side exits change).
fn fold_effect(known: &[Option<u128>], inst: &Inst) -> Fold {
    match *inst {
        Inst::ExitIf { cond, .. } => match constant(known, cond) {
            Some(0) => Fold::Drop,
            Some(_) => Fold::ExitNow,
            None => Fold::Keep,
        },
        _ => Fold::Keep,
    }
}

fn fold_terminal(block: &mut Block, edit: &Edit, known: &[Option<u128>]) {
    let new = match block.terminal {
        Terminal::Branch {
            cond,
            taken,
            not_taken,
        } => match constant(known, edit.resolve(cond)) {
            Some(0) => Terminal::Goto(not_taken),
            Some(_) => Terminal::Goto(taken),
            None => return,
        },
        Terminal::Indirect(target) => match constant(known, edit.resolve(target)) {
            Some(pc) => Terminal::Goto(pc as u64),
            None => return,
        },
        Terminal::Goto(_) | Terminal::Exit { .. } => return,
    };
    block.terminal = new;
}

/// Identities with at most one constant operand (`a`, `b` are the known constants, if any).
fn simplify_binary(
    op: BinOp,
    ty: Type,
    lhs: Value,
    rhs: Value,
    a: Option<u128>,
    b: Option<u128>,
) -> Fold {
    let mask = ty.mask();
    let zero = Some(0);
    let one = Some(1);
    let all = Some(mask);
    let same = lhs == rhs;
    let amount_is_zero = b.is_some_and(|s| s % u128::from(ty.bits()) == 0);
    match op {
        BinOp::Add | BinOp::Or | BinOp::Xor if b == zero => Fold::Copy(lhs),
        BinOp::Add | BinOp::Or | BinOp::Xor if a == zero => Fold::Copy(rhs),
        BinOp::Sub if b == zero => Fold::Copy(lhs),
        BinOp::Sub | BinOp::Xor if same => Fold::Const(0),
        BinOp::Mul if b == one => Fold::Copy(lhs),
        BinOp::Mul if a == one => Fold::Copy(rhs),
        BinOp::Mul | BinOp::MulHiU | BinOp::MulHiS | BinOp::MulHiSU | BinOp::And
            if a == zero || b == zero =>
        {
            Fold::Const(0)
        }
        BinOp::DivU | BinOp::DivS if b == one => Fold::Copy(lhs),
        BinOp::RemU | BinOp::RemS if b == one => Fold::Const(0),
        BinOp::And if b == all => Fold::Copy(lhs),
        BinOp::And if a == all => Fold::Copy(rhs),
        BinOp::And | BinOp::Or if same => Fold::Copy(lhs),
        BinOp::Or if a == all || b == all => Fold::Const(mask),
        BinOp::Shl | BinOp::ShrU | BinOp::ShrS | BinOp::RotL | BinOp::RotR if amount_is_zero => {
            Fold::Copy(lhs)
        }
        BinOp::Shl | BinOp::ShrU | BinOp::ShrS | BinOp::RotL | BinOp::RotR if a == zero => {
            Fold::Const(0)
        }
        BinOp::ShrS | BinOp::RotL | BinOp::RotR if a == all => Fold::Const(mask),
        _ => Fold::Keep,
    }
}

/// `x`'s low `bits` bits, sign-extended to i128.
fn sext(x: u128, bits: u32) -> i128 {
    let shift = 128 - bits;
    ((x << shift) as i128) >> shift
}

/// High `bits` bits of the unsigned `2*bits`-bit product.
fn mul_hi_u(a: u128, b: u128, bits: u32) -> u128 {
    if bits <= 64 {
        (a * b) >> bits
    } else {
        const LO: u128 = u64::MAX as u128;
        let (a1, a0) = (a >> 64, a & LO);
        let (b1, b0) = (b >> 64, b & LO);
        let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
        let mid = (p00 >> 64) + (p01 & LO) + (p10 & LO);
        p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64)
    }
}

/// Evaluate an integer binary operation on `ty`-wide operands (`a`, `b` already masked; `b` is
/// the shift amount for shifts, of any integer type).
pub(crate) fn eval_binary(op: BinOp, ty: Type, a: u128, b: u128) -> u128 {
    let bits = ty.bits();
    let mask = ty.mask();
    let a = a & mask;
    // Shift amounts keep their own width; every other operand has the result's type.
    let is_shift = matches!(
        op,
        BinOp::Shl | BinOp::ShrU | BinOp::ShrS | BinOp::RotL | BinOp::RotR
    );
    let b = if is_shift { b } else { b & mask };
    let min = 1u128 << (bits - 1);
    let neg = |x: u128| x & min != 0;
    let (sa, sb) = (sext(a, bits), sext(b, bits));
    let shift = (b % u128::from(bits)) as u32;
    let r = match op {
        BinOp::Add => a.wrapping_add(b),
        BinOp::Sub => a.wrapping_sub(b),
        BinOp::Mul => a.wrapping_mul(b),
        BinOp::MulHiU => mul_hi_u(a, b, bits),
        // Signed high halves from the unsigned one: subtract the other operand for each
        // negative operand (mod 2^bits).
        BinOp::MulHiS => mul_hi_u(a, b, bits)
            .wrapping_sub(if neg(a) { b } else { 0 })
            .wrapping_sub(if neg(b) { a } else { 0 }),
        BinOp::MulHiSU => mul_hi_u(a, b, bits).wrapping_sub(if neg(a) { b } else { 0 }),
        BinOp::DivU if b == 0 => mask,
        BinOp::DivU => a / b,
        BinOp::DivS if b == 0 => mask,
        BinOp::DivS if a == min && b == mask => min,
        BinOp::DivS => (sa / sb) as u128,
        BinOp::RemU if b == 0 => a,
        BinOp::RemU => a % b,
        BinOp::RemS if b == 0 => a,
        BinOp::RemS if a == min && b == mask => 0,
        BinOp::RemS => (sa % sb) as u128,
        BinOp::And => a & b,
        BinOp::Or => a | b,
        BinOp::Xor => a ^ b,
        BinOp::Shl => a << shift,
        BinOp::ShrU => a >> shift,
        BinOp::ShrS => (sa >> shift) as u128,
        BinOp::RotL if shift == 0 => a,
        BinOp::RotL => (a << shift) | (a >> (bits - shift)),
        BinOp::RotR if shift == 0 => a,
        BinOp::RotR => (a >> shift) | (a << (bits - shift)),
        // Not reached: float ops are filtered out by the caller. Keep the value unchanged
        // rather than guess.
        BinOp::FAdd | BinOp::FSub | BinOp::FMul | BinOp::FDiv => a,
    };
    r & mask
}

/// Evaluate an integer unary operation.
pub(crate) fn eval_unary(op: UnOp, ty: Type, a: u128) -> u128 {
    let bits = ty.bits();
    let a = a & ty.mask();
    let r = match op {
        UnOp::Not => !a,
        UnOp::Neg => a.wrapping_neg(),
        UnOp::Clz if a == 0 => bits.into(),
        UnOp::Clz => (a.leading_zeros() - (128 - bits)).into(),
        UnOp::Ctz if a == 0 => bits.into(),
        UnOp::Ctz => a.trailing_zeros().into(),
        UnOp::Popcnt => a.count_ones().into(),
        UnOp::Bswap => a.swap_bytes() >> (128 - bits),
        UnOp::FNeg | UnOp::FAbs | UnOp::FSqrt => a,
    };
    r & ty.mask()
}

/// Evaluate a cast of the constant `a` from `from` to `to` (None if the cast is malformed).
pub(crate) fn eval_cast(op: CastOp, from: Type, to: Type, a: u128) -> Option<u128> {
    match op {
        CastOp::ZExt | CastOp::Trunc | CastOp::Bitcast => Some(a & to.mask()),
        CastOp::SExt if from.is_int() => Some(sext(a, from.bits()) as u128 & to.mask()),
        CastOp::SExt => None,
    }
}

/// Evaluate an integer comparison on `ty`-wide operands.
pub(crate) fn eval_icmp(cond: Cond, ty: Type, a: u128, b: u128) -> bool {
    let (sa, sb) = (sext(a, ty.bits()), sext(b, ty.bits()));
    match cond {
        Cond::Eq => a == b,
        Cond::Ne => a != b,
        Cond::LtS => sa < sb,
        Cond::LeS => sa <= sb,
        Cond::GtS => sa > sb,
        Cond::GeS => sa >= sb,
        Cond::LtU => a < b,
        Cond::LeU => a <= b,
        Cond::GtU => a > b,
        Cond::GeU => a >= b,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{blk, check_pass};
    use super::*;

    const I64: Type = Type::I64;

    /// Oracle: the host's own u64/i64 arithmetic with the RISC-V division rules spelled out.
    fn host64(op: BinOp, a: u64, b: u64) -> u64 {
        let (sa, sb) = (a as i64, b as i64);
        match op {
            BinOp::Add => a.wrapping_add(b),
            BinOp::Sub => a.wrapping_sub(b),
            BinOp::Mul => a.wrapping_mul(b),
            BinOp::MulHiU => ((u128::from(a) * u128::from(b)) >> 64) as u64,
            BinOp::MulHiS => ((i128::from(sa) * i128::from(sb)) >> 64) as u64,
            BinOp::MulHiSU => ((i128::from(sa) * i128::from(b)) >> 64) as u64,
            BinOp::DivU => a.checked_div(b).unwrap_or(u64::MAX),
            BinOp::DivS if b == 0 => u64::MAX,
            BinOp::DivS => sa.wrapping_div(sb) as u64,
            BinOp::RemU => a.checked_rem(b).unwrap_or(a),
            BinOp::RemS if b == 0 => a,
            BinOp::RemS => sa.wrapping_rem(sb) as u64,
            BinOp::And => a & b,
            BinOp::Or => a | b,
            BinOp::Xor => a ^ b,
            BinOp::Shl => a << (b % 64),
            BinOp::ShrU => a >> (b % 64),
            BinOp::ShrS => (sa >> (b % 64)) as u64,
            BinOp::RotL => a.rotate_left((b % 64) as u32),
            BinOp::RotR => a.rotate_right((b % 64) as u32),
            _ => unreachable!(),
        }
    }

    const SAMPLES: &[u64] = &[
        0,
        1,
        2,
        3,
        7,
        63,
        64,
        65,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_ffff,
        0x7fff_ffff_ffff_ffff,
        0x8000_0000_0000_0000,
        0xffff_ffff_ffff_ffff,
        0xffff_ffff_ffff_fffe,
        0x1234_5678_9abc_def0,
    ];

    #[test]
    fn binary_i64_matches_host() {
        for &op in BinOp::INT {
            for &a in SAMPLES {
                for &b in SAMPLES {
                    let got = eval_binary(op, I64, a.into(), b.into());
                    assert_eq!(got, host64(op, a, b).into(), "{op:?} {a:#x} {b:#x}");
                }
            }
        }
    }

    /// I32 results must equal the host's i32/u32 arithmetic (checked via the 64-bit oracle on
    /// extended operands where that is exact).
    #[test]
    fn binary_i32_matches_host() {
        for &a in SAMPLES {
            for &b in SAMPLES {
                let (a, b) = (a as u32, b as u32);
                let (sa, sb) = (a as i32, b as i32);
                let e = |op| eval_binary(op, Type::I32, a.into(), b.into()) as u32;
                assert_eq!(e(BinOp::Add), a.wrapping_add(b));
                assert_eq!(e(BinOp::Mul), a.wrapping_mul(b));
                assert_eq!(
                    e(BinOp::MulHiS),
                    ((i64::from(sa) * i64::from(sb)) >> 32) as u32
                );
                assert_eq!(
                    e(BinOp::MulHiSU),
                    ((i64::from(sa) * i64::from(b)) >> 32) as u32
                );
                assert_eq!(
                    e(BinOp::MulHiU),
                    ((u64::from(a) * u64::from(b)) >> 32) as u32
                );
                let divs = if b == 0 {
                    u32::MAX
                } else {
                    sa.wrapping_div(sb) as u32
                };
                assert_eq!(e(BinOp::DivS), divs);
                let rems = if b == 0 {
                    a
                } else {
                    sa.wrapping_rem(sb) as u32
                };
                assert_eq!(e(BinOp::RemS), rems);
                assert_eq!(e(BinOp::ShrS), (sa >> (b % 32)) as u32);
                assert_eq!(e(BinOp::RotR), a.rotate_right(b % 32));
            }
        }
    }

    #[test]
    fn binary_i128_matches_host() {
        let samples: Vec<u128> = SAMPLES
            .iter()
            .flat_map(|&x| [u128::from(x), u128::from(x) << 64 | 0x55, !u128::from(x)])
            .collect();
        for &a in &samples {
            for &b in &samples {
                let (sa, sb) = (a as i128, b as i128);
                let e = |op| eval_binary(op, Type::I128, a, b);
                assert_eq!(e(BinOp::Mul), a.wrapping_mul(b));
                assert_eq!(e(BinOp::DivU), a.checked_div(b).unwrap_or(u128::MAX));
                let divs = if b == 0 {
                    u128::MAX
                } else {
                    sa.wrapping_div(sb) as u128
                };
                assert_eq!(e(BinOp::DivS), divs);
                assert_eq!(e(BinOp::Shl), a << (b % 128));
                assert_eq!(e(BinOp::RotL), a.rotate_left((b % 128) as u32));
                // High half checked against the low half identity:
                // (a*b) = hi*2^128 + lo, so for b=2^k the high half is a >> (128-k).
                if b.is_power_of_two() && b > 1 {
                    let k = b.trailing_zeros();
                    assert_eq!(e(BinOp::MulHiU), a >> (128 - k), "{a:#x} {b:#x}");
                }
            }
        }
        // Signed high half: -1 * -1 = 1 (hi 0); -1 * 1 = -1 (hi all ones); MIN * MIN = 2^254.
        let m = u128::MAX;
        let min = 1u128 << 127;
        assert_eq!(eval_binary(BinOp::MulHiS, Type::I128, m, m), 0);
        assert_eq!(eval_binary(BinOp::MulHiS, Type::I128, m, 1), m);
        assert_eq!(eval_binary(BinOp::MulHiS, Type::I128, min, min), 1 << 126);
        assert_eq!(eval_binary(BinOp::MulHiU, Type::I128, m, m), m - 1);
        assert_eq!(eval_binary(BinOp::MulHiSU, Type::I128, m, m), m);
    }

    #[test]
    fn unary_and_casts() {
        assert_eq!(eval_unary(UnOp::Clz, Type::I32, 1), 31);
        assert_eq!(eval_unary(UnOp::Clz, Type::I8, 0), 8);
        assert_eq!(eval_unary(UnOp::Ctz, Type::I16, 0), 16);
        assert_eq!(eval_unary(UnOp::Ctz, Type::I64, 0x100), 8);
        assert_eq!(eval_unary(UnOp::Popcnt, Type::I64, 0xff00ff), 16);
        assert_eq!(eval_unary(UnOp::Bswap, Type::I32, 0x11223344), 0x44332211);
        assert_eq!(
            eval_unary(UnOp::Bswap, Type::I64, 0x0102030405060708),
            0x0807060504030201
        );
        assert_eq!(eval_unary(UnOp::Neg, Type::I8, 1), 0xff);
        assert_eq!(eval_unary(UnOp::Not, Type::I16, 0), 0xffff);
        assert_eq!(
            eval_cast(CastOp::SExt, Type::I8, Type::I64, 0x80),
            Some(0xffff_ffff_ffff_ff80)
        );
        assert_eq!(
            eval_cast(CastOp::ZExt, Type::I8, Type::I64, 0x80),
            Some(0x80)
        );
        assert_eq!(
            eval_cast(CastOp::Trunc, Type::I64, Type::I16, 0x12345),
            Some(0x2345)
        );
        assert!(eval_icmp(Cond::LtS, Type::I8, 0xff, 0));
        assert!(!eval_icmp(Cond::LtU, Type::I8, 0xff, 0));
    }

    #[test]
    fn folds_chain_to_constant() {
        check_pass(
            fold_constants,
            &blk(
                "v0:i32 = const 7\n v1:i32 = const -8\n v2:i32 = mul v0, v1\n\
                 v3:i64 = sext v2\n write_reg 8, v3",
                "goto 0x1004",
            ),
            &blk(
                "v0:i32 = const 7\n v1:i32 = const 0xfffffff8\n v2:i32 = const 0xffffffc8\n\
                 v3:i64 = const 0xffffffffffffffc8\n write_reg 8, v3",
                "goto 0x1004",
            ),
        );
    }

    #[test]
    fn identities_become_copies() {
        check_pass(
            fold_constants,
            &blk(
                "v0:i64 = read_reg 8\n v1:i64 = const 0\n v2:i64 = add v0, v1\n\
                 v3:i64 = shl v2, v1\n v4:i64 = sub v3, v3\n v5:i64 = or v3, v4\n write_reg 16, v5",
                "indirect v3",
            ),
            &blk(
                "v0:i64 = read_reg 8\n v1:i64 = const 0\n v2:i64 = const 0\n write_reg 16, v0",
                "indirect v0",
            ),
        );
    }

    #[test]
    fn floats_are_not_folded_but_bitcasts_are() {
        let body = "v0:f64 = const 0x3ff0000000000000\n v1:f64 = fadd v0, v0\n write_reg 8, v1";
        check_pass(
            fold_constants,
            &blk(body, "goto 0x0"),
            &blk(body, "goto 0x0"),
        );
        check_pass(
            fold_constants,
            &blk("v0:f64 = const 0x3ff0000000000000\n v1:i64 = bitcast v0\n write_reg 8, v1", "goto 0x0"),
            &blk(
                "v0:f64 = const 0x3ff0000000000000\n v1:i64 = const 0x3ff0000000000000\n write_reg 8, v1",
                "goto 0x0",
            ),
        );
    }

    #[test]
    fn constant_control_flow() {
        check_pass(
            fold_constants,
            &blk(
                "v0:i8 = const 0\n v1:i8 = const 1\n exit_if v0, syscall, 0x1000\n\
                 v2:i64 = read_reg 8",
                "branch v1, 0x2000, 0x3000",
            ),
            &blk(
                "v0:i8 = const 0\n v1:i8 = const 1\n v2:i64 = read_reg 8",
                "goto 0x2000",
            ),
        );
        check_pass(
            fold_constants,
            &blk(
                "v0:i8 = const 1\n exit_if v0, breakpoint, 0x1000\n v1:i64 = read_reg 8\n store v1, v1",
                "indirect v1",
            ),
            &blk("v0:i8 = const 1", "exit breakpoint, 0x1000"),
        );
    }
}
