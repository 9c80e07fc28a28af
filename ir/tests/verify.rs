//! Verifier tests: each rule rejects a block that breaks it, and valid blocks pass.

mod common;

use common::{random_blocks, register_test_helpers, GenOptions};
use emu_ir::text::parse_block;
use emu_ir::verify::verify;
use emu_ir::{Block, Inst, InstData, Terminal, Type, Value};

fn block(body: &str, terminal: &str) -> Block {
    register_test_helpers();
    let text = format!("block pc=0x0 flags=0x0 size=4 insns=1 {{\n{body}\n{terminal}\n}}");
    parse_block(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// (instructions, terminal, substring of the expected error)
const BAD: &[(&str, &str, &str)] = &[
    // Binary operand types.
    (
        "v0:i64 = const 1\n v1:i32 = const 1\n v2:i64 = add v0, v1",
        "goto 0",
        "operand types differ",
    ),
    (
        "v0:f64 = const 1\n v1:f64 = add v0, v0",
        "goto 0",
        "needs integer operands",
    ),
    (
        "v0:i64 = const 1\n v1:i64 = fadd v0, v0",
        "goto 0",
        "needs float operands",
    ),
    (
        "v0:f32 = const 1\n v1:f64 = const 1\n v2:f32 = fmul v0, v1",
        "goto 0",
        "operand types differ",
    ),
    (
        "v0:i64 = const 1\n v1:f32 = const 1\n v2:i64 = shl v0, v1",
        "goto 0",
        "shift amount",
    ),
    (
        "v0:v128 = const 1\n v1:v128 = xor v0, v0",
        "goto 0",
        "needs integer operands",
    ),
    (
        "v0:i64 = const 1\n v1:i32 = add v0, v0",
        "goto 0",
        "result must be i64",
    ),
    // Unary.
    (
        "v0:f64 = const 1\n v1:f64 = clz v0",
        "goto 0",
        "clz does not apply to f64",
    ),
    (
        "v0:i8 = const 1\n v1:i8 = bswap v0",
        "goto 0",
        "bswap does not apply to i8",
    ),
    (
        "v0:i32 = const 1\n v1:i32 = fsqrt v0",
        "goto 0",
        "fsqrt does not apply to i32",
    ),
    (
        "v0:i32 = const 1\n v1:i64 = not v0",
        "goto 0",
        "result must be i32",
    ),
    // Casts.
    (
        "v0:i64 = const 1\n v1:i32 = zext v0",
        "goto 0",
        "cannot zext from i64 to i32",
    ),
    (
        "v0:i64 = const 1\n v1:i64 = sext v0",
        "goto 0",
        "cannot sext from i64 to i64",
    ),
    (
        "v0:i32 = const 1\n v1:i64 = trunc v0",
        "goto 0",
        "cannot trunc",
    ),
    (
        "v0:f32 = const 1\n v1:i64 = zext v0",
        "goto 0",
        "cannot zext",
    ),
    (
        "v0:i32 = const 1\n v1:f64 = bitcast v0",
        "goto 0",
        "cannot bitcast from i32 to f64",
    ),
    // Icmp and select.
    (
        "v0:i64 = const 1\n v1:i32 = const 1\n v2:i8 = icmp eq v0, v1",
        "goto 0",
        "right operand",
    ),
    (
        "v0:f64 = const 1\n v1:i8 = icmp eq v0, v0",
        "goto 0",
        "must be an integer",
    ),
    (
        "v0:i64 = const 1\n v1:i64 = icmp eq v0, v0",
        "goto 0",
        "result must be i8",
    ),
    (
        "v0:f64 = const 1\n v1:f64 = select v0, v0, v0",
        "goto 0",
        "condition v0 must be an integer",
    ),
    (
        "v0:i8 = const 1\n v1:i64 = const 1\n v2:i64 = select v0, v1, v0",
        "goto 0",
        "false arm",
    ),
    // Memory.
    (
        "v0:i32 = const 1\n v1:i64 = load v0",
        "goto 0",
        "address v0 must be i64",
    ),
    ("v0:i32 = const 1\n store v0, v0", "goto 0", "address"),
    (
        "v0:i64 = const 1\n v1:i32 = const 1\n v2:i64 = atomic_rmw add v0, v1",
        "goto 0",
        "operand v1 must be i64",
    ),
    (
        "v0:i64 = const 1\n v1:i128 = const 1\n v2:i128 = atomic_rmw xchg v0, v1",
        "goto 0",
        "atomics work on",
    ),
    (
        "v0:i64 = const 1\n v1:i32 = const 1\n v2:i64 = atomic_cas v0, v0, v1",
        "goto 0",
        "replacement",
    ),
    (
        "v0:i32 = const 1\n v1:i32 = atomic_cas v0, v0, v0",
        "goto 0",
        "address",
    ),
    // Calls.
    (
        "v0:i64 = const 1\n v1:i64 = call test_pure2(v0)",
        "goto 0",
        "takes 2 arguments",
    ),
    (
        "v0:i128 = const 1\n v1:i64 = call test_reads1(v0)",
        "goto 0",
        "at most 64 bits",
    ),
    (
        "v0:i64 = const 1\n v1:i32 = call test_pure2(v0, v0)",
        "goto 0",
        "result must be i64",
    ),
    (
        "v0:i64 = const 1\n call test_pure2(v0, v0)",
        "goto 0",
        "needs a result",
    ),
    (
        "v0:i64 = const 1\n v1:i64 = call test_effect1(v0)",
        "goto 0",
        "has no result",
    ),
    (
        "v0:i64 = const 1\n call test_bad_arity(v0, v0)",
        "goto 0",
        "function arity 1",
    ),
    // Effects with results, side exits, terminals.
    (
        "v0:i64 = const 1\n v1:i64 = store v0, v0",
        "goto 0",
        "has no result",
    ),
    (
        "v0:f32 = const 1\n exit_if v0, syscall, 0x0",
        "goto 0",
        "condition",
    ),
    (
        "v0:f64 = const 1",
        "branch v0, 0x1, 0x2",
        "terminal `branch v0, 0x1, 0x2`: condition",
    ),
    ("v0:i32 = const 1", "indirect v0", "target v0 must be i64"),
];

#[test]
fn each_rule_rejects_a_bad_block() {
    for &(body, term, msg) in BAD {
        let b = block(body, term);
        match verify(&b) {
            Ok(()) => panic!("accepted:\n{b}"),
            Err(e) => assert!(e.0.contains(msg), "`{e}` lacks `{msg}` for\n{b}"),
        }
    }
}

/// The same blocks with the bad instruction fixed are accepted, so the rejections above are
/// not caused by something else.
#[test]
fn close_variants_are_accepted() {
    for (body, term) in [
        (
            "v0:i64 = const 1\n v1:i32 = const 1\n v2:i64 = shl v0, v1",
            "goto 0",
        ),
        ("v0:i16 = const 1\n v1:i16 = bswap v0", "goto 0"),
        ("v0:i32 = const 1\n v1:f32 = bitcast v0", "goto 0"),
        (
            "v0:i32 = const 1\n v1:i64 = sext v0\n v2:i8 = trunc v1",
            "goto 0",
        ),
        (
            "v0:i64 = const 1\n v1:i64 = call test_pure2(v0, v0)\n call test_effect1(v1)",
            "indirect v1",
        ),
        ("v0:i16 = const 1", "branch v0, 0x1, 0x2"),
        (
            "v0:i64 = const 1\n v1:f64 = load v0\n store v0, v1",
            "exit exception(3), 0x0",
        ),
    ] {
        let b = block(body, term);
        verify(&b).unwrap_or_else(|e| panic!("{e}\n{b}"));
    }
}

#[test]
fn random_valid_blocks_are_accepted() {
    for b in random_blocks(11, 1000, GenOptions::default()) {
        verify(&b).unwrap_or_else(|e| panic!("{e}\n{b}"));
    }
}

/// A change that breaks a valid block.
type Mutation = fn(&mut Block);

/// Structural rules the text format cannot express (the parser always builds them right).
#[test]
fn structural_rules() {
    let good = block("v0:i64 = const 1\n v1:i64 = add v0, v0", "indirect v1");
    verify(&good).unwrap();
    let cases: Vec<(Mutation, &str)> = vec![
        (
            (|b: &mut Block| b.value_types.push(Type::I8)),
            "value_types has 3 entries",
        ),
        (
            (|b: &mut Block| b.value_types.truncate(1)),
            "no entry in value_types",
        ),
        (
            (|b: &mut Block| b.insts[1].result = Some(Value(5))),
            "out of order",
        ),
        ((|b: &mut Block| b.insts.swap(0, 1)), "out of order"),
        (
            (|b: &mut Block| {
                b.insts[1].inst = Inst::Binary {
                    op: emu_ir::BinOp::Add,
                    lhs: Value(1),
                    rhs: Value(0),
                }
            }),
            "v1 is used before it is defined",
        ),
        (
            (|b: &mut Block| b.terminal = Terminal::Indirect(Value(9))),
            "v9 is used before",
        ),
        (
            (|b: &mut Block| {
                b.insts[0].inst = Inst::Const {
                    ty: Type::I8,
                    imm: 1,
                }
            }),
            "result must be i8",
        ),
        (
            (|b: &mut Block| {
                b.insts[0].inst = Inst::Const {
                    ty: Type::I64,
                    imm: 1 << 64,
                }
            }),
            "does not fit",
        ),
        ((|b: &mut Block| b.insts[0].result = None), "needs a result"),
        (
            (|b: &mut Block| {
                b.insts.push(InstData {
                    result: None,
                    inst: Inst::ReadReg {
                        ty: Type::I64,
                        offset: 0,
                    },
                })
            }),
            "needs a result",
        ),
    ];
    for (mutate, msg) in cases {
        let mut b = good.clone();
        mutate(&mut b);
        match verify(&b) {
            Ok(()) => panic!("accepted {b:?}"),
            Err(e) => assert!(e.0.contains(msg), "`{e}` lacks `{msg}`"),
        }
    }
}
