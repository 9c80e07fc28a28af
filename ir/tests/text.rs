//! Text format tests: printing, parsing, the print/parse round trip on many random blocks,
//! error line numbers, and robustness against garbage input.

mod common;

use common::{random_blocks, register_test_helpers, GenOptions, Rng};
use emu_ir::text::{parse_block, parse_blocks};
use emu_ir::{BinOp, Block, Builder, Cond, ExitReason, Inst, InstData, Terminal, Type, Value};

const EXAMPLE: &str = "\
block pc=0x10074 flags=0x0 size=12 insns=3 {
    v0:i64 = read_reg 8
    v1:i64 = const 0x10
    v2:i64 = add v0, v1
    write_reg 16, v2
    v3:i32 = load v2
    v4:i64 = sext v3
    store v2, v4
    v5:i8 = icmp ltu v0, v1
    v6:i64 = select v5, v0, v1
    v7:i64 = call test_pure2(v0, v1)
    call test_effect1(v0)
    v8:i64 = atomic_rmw add v2, v0
    v9:i64 = atomic_cas v2, v0, v1
    fence
    exit_if v5, syscall, 0x10078
    branch v5, 0x10080, 0x10084
}
";

#[test]
fn example_prints_back_identically() {
    register_test_helpers();
    let b = parse_block(EXAMPLE).unwrap();
    assert_eq!(b.to_string(), EXAMPLE);
    assert_eq!(b.pc, 0x10074);
    assert_eq!(b.guest_size, 12);
    assert_eq!(b.insn_count, 3);
    assert_eq!(b.value_types.len(), 10);
    emu_ir::verify::verify(&b).unwrap();
}

/// The parser builds exactly the block the builder would (an oracle independent of the
/// printer).
#[test]
fn parse_matches_builder() {
    register_test_helpers();
    let mut want = Block::new(0x400, 7);
    want.guest_size = 8;
    want.insn_count = 2;
    let mut b = Builder::new(&mut want);
    let x = b.read_reg(Type::I32, 40);
    let c = b.iconst(Type::I32, 0xffff_fffb);
    let s = b.binary(BinOp::Shl, x, c);
    let cmp = b.icmp(Cond::GeS, s, x);
    b.exit_if(cmp, ExitReason::Exception(12), 0x404);
    let ptr = b.i64(0x1000);
    b.set_terminal(Terminal::Indirect(ptr));
    let got = parse_block(
        "; leading comment\n\
         block pc=0x400 flags=7 size=8 insns=2 {   ; header comment\n\
         \n\
             v10:i32 = read_reg 40\n\
             v3:i32 = const -5        ; negative constants wrap to the type\n\
             v7:i32 = shl v10, v3\n\
             v1:i8 = icmp ges v7, v10\n\
             exit_if v1, exception(12), 0x404\n\
             v0:i64 = const 4096\n\
             indirect v0\n\
         }\n",
    )
    .unwrap();
    assert_eq!(got, want);
}

#[test]
fn values_are_renumbered_densely() {
    register_test_helpers();
    let b = parse_block(
        "block pc=0x0 flags=0x0 size=0 insns=0 {\n v9:i64 = const 1\n v4:i64 = add v9, v9\n goto 0x0\n}",
    )
    .unwrap();
    assert_eq!(b.insts[0].result, Some(Value(0)));
    assert_eq!(
        b.insts[1],
        InstData {
            result: Some(Value(1)),
            inst: Inst::Binary {
                op: BinOp::Add,
                lhs: Value(0),
                rhs: Value(0)
            }
        }
    );
}

#[test]
fn round_trip_random_blocks() {
    for (i, b) in random_blocks(1, 2000, GenOptions::default())
        .iter()
        .enumerate()
    {
        emu_ir::verify::verify(b)
            .unwrap_or_else(|e| panic!("generated block {i} invalid: {e}\n{b}"));
        let text = b.to_string();
        let parsed = parse_block(&text).unwrap_or_else(|e| panic!("block {i}: {e}\n{text}"));
        assert_eq!(&parsed, b, "block {i}:\n{text}");
    }
}

#[test]
fn parse_blocks_reads_many() {
    let blocks = random_blocks(2, 50, GenOptions::default());
    let text: String = blocks
        .iter()
        .map(|b| format!("{b}\n; between blocks\n"))
        .collect();
    assert_eq!(parse_blocks(&text).unwrap(), blocks);
    assert_eq!(parse_blocks("").unwrap(), Vec::<Block>::new());
    assert!(
        parse_block(&text).is_err(),
        "parse_block wants exactly one block"
    );
}

#[test]
fn every_int_type_and_extreme_constants() {
    register_test_helpers();
    let b = parse_block(
        "block pc=0xffffffffffffffff flags=0xffffffff size=4294967295 insns=0 {\n\
         v0:i128 = const 0xffffffffffffffffffffffffffffffff\n\
         v1:i128 = const -170141183460469231731687303715884105728\n\
         v2:i8 = const -128\n v3:v128 = const 0x1\n v4:f32 = const 0x7fc00000\n\
         exit halt, 0x0\n}",
    )
    .unwrap();
    let imms: Vec<u128> = b
        .insts
        .iter()
        .map(|d| match d.inst {
            Inst::Const { imm, .. } => imm,
            _ => panic!(),
        })
        .collect();
    assert_eq!(imms, [u128::MAX, 1 << 127, 0x80, 1, 0x7fc0_0000]);
    assert_eq!(parse_block(&b.to_string()).unwrap(), b);
}

/// (input, line of the error, substring of the message)
const BAD: &[(&str, usize, &str)] = &[
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n goto 0x0\n",
        1,
        "not closed",
    ),
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n}\n",
        2,
        "no terminal",
    ),
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n goto 0x0\n fence\n}",
        3,
        "after the terminal",
    ),
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n v0:i64 = add v1, v1\n goto 0\n}",
        2,
        "undefined value `v1`",
    ),
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n v0:i64 = const 1\n v0:i64 = const 2\n goto 0\n}",
        3,
        "defined twice",
    ),
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n v0:i8 = const 256\n goto 0\n}",
        2,
        "does not fit",
    ),
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n v0:i8 = const -129\n goto 0\n}",
        2,
        "does not fit",
    ),
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n const 1\n goto 0\n}",
        2,
        "typed result",
    ),
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n v0:i64 = frobnicate\n goto 0\n}",
        2,
        "unknown instruction",
    ),
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n v0:i64 = call no_such_helper()\n goto 0\n}",
        2,
        "unknown helper",
    ),
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n v0:i7 = const 1\n goto 0\n}",
        2,
        "unknown type",
    ),
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n exit sycall, 0x0\n}",
        2,
        "unknown exit reason",
    ),
    (
        "block pc=0x10000000000000000 flags=0 size=0 insns=0 {\n goto 0\n}",
        1,
        "out of range",
    ),
    ("block pc=0x0 flags=0 size=0 {\n goto 0\n}", 1, "insns"),
    (
        "\n\nblock pc=0x0 flags=0 size=0 insns=0 {\n goto 0 0\n}",
        4,
        "unexpected",
    ),
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n v0:i64 = const 1 $\n goto 0\n}",
        2,
        "unexpected character",
    ),
    (
        "block pc=0x0 flags=0 size=0 insns=0 {\n v0:i64 = const 0xzz\n goto 0\n}",
        2,
        "bad number",
    ),
    ("blorp", 1, "expected `block`"),
];

#[test]
fn errors_name_the_line() {
    register_test_helpers();
    for &(text, line, msg) in BAD {
        match parse_blocks(text) {
            Ok(b) => panic!("accepted {text:?}: {b:?}"),
            Err(e) => {
                assert_eq!(e.line, line, "{text:?}: {e}");
                assert!(e.msg.contains(msg), "{text:?}: `{e}` lacks `{msg}`");
            }
        }
    }
}

/// Garbage never panics: random bytes, and valid text with random edits (truncation, deleted
/// or duplicated characters, swapped tokens).
#[test]
fn garbage_input_does_not_panic() {
    let mut rng = Rng::new(99);
    for _ in 0..3000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _ = parse_blocks(&String::from_utf8_lossy(&bytes));
    }
    let alphabet: Vec<char> = "v0123456789:=,(){};x- \nabcdefghijklmnopqrstuvwxyz_"
        .chars()
        .collect();
    for b in random_blocks(3, 300, GenOptions::default()) {
        let mut text: Vec<char> = b.to_string().chars().collect();
        for _ in 0..1 + rng.below(4) {
            if text.is_empty() {
                break;
            }
            let at = rng.below(text.len());
            match rng.below(4) {
                0 => text.truncate(at),
                1 => {
                    text.remove(at);
                }
                2 => text.insert(at, rng.pick(&alphabet)),
                _ => {
                    let c = text[at];
                    text.insert(at, c);
                }
            }
        }
        let s: String = text.into_iter().collect();
        if let Ok(blocks) = parse_blocks(&s) {
            // Whatever parses must print and parse back to itself.
            for b in blocks {
                assert_eq!(parse_block(&b.to_string()).unwrap(), b);
            }
        }
    }
}

#[test]
#[ignore = "prints a sample; run with --ignored --nocapture"]
fn show_sample() {
    for b in random_blocks(5, 3, GenOptions::default()) {
        println!("{b}");
    }
}
