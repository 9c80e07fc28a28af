//! Interpreter versus compiled code: hand-built blocks covering every instruction and terminal,
//! each run through `emu_ir::interp` and through Cranelift code from identical state; plus a few
//! results checked against plain Rust (the oracle).

mod common;

use common::{check_agree, reg, TestCpu};
use emu_backend::standalone::CompiledBlock;
use emu_ir::helpers::HelperFn;
use emu_ir::{
    AtomicOp, BinOp, Block, Builder, CastOp, Cond, ExitReason, Helper, HelperEffects, Terminal,
    Type, UnOp,
};

const INT_TYPES: [Type; 5] = [Type::I8, Type::I16, Type::I32, Type::I64, Type::I128];
const CONDS: [Cond; 10] = [
    Cond::Eq,
    Cond::Ne,
    Cond::LtS,
    Cond::LeS,
    Cond::GtS,
    Cond::GeS,
    Cond::LtU,
    Cond::LeU,
    Cond::GtU,
    Cond::GeU,
];

/// Interesting integer operands (any width; reads keep the low bits).
const EDGES: [u128; 24] = [
    0,
    1,
    2,
    7,
    31,
    33,
    63,
    64,
    65,
    127,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    0xffff_ffff_ffff_ffff,
    1 << 127,
    0x1234_5678_9abc_def0_fedc_ba98_7654_3210,
];

fn f32s() -> Vec<u128> {
    [
        0.0f32,
        -0.0,
        1.5,
        -2.25,
        1e30,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        3.0e-39,
        -7.0,
    ]
    .iter()
    .map(|f| u128::from(f.to_bits()))
    .collect()
}

fn f64s() -> Vec<u128> {
    [
        0.0f64,
        -0.0,
        1.5,
        -2.25,
        1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        5e-320,
        -7.0,
    ]
    .iter()
    .map(|f| u128::from(f.to_bits()))
    .collect()
}

/// Put `a` in registers 0-1 and `b` in registers 2-3 (little-endian 128-bit each).
fn set_operands(cpu: &mut TestCpu, a: u128, b: u128) {
    cpu.regs[0] = a as u64;
    cpu.regs[1] = (a >> 64) as u64;
    cpu.regs[2] = b as u64;
    cpu.regs[3] = (b >> 64) as u64;
}

/// A block `r4 = f(read(r0: ta), read(r2: tb))` ending in `Exit(Halt)`.
fn two_operand_block(
    ta: Type,
    tb: Type,
    f: impl FnOnce(&mut Builder, emu_ir::Value, emu_ir::Value) -> emu_ir::Value,
) -> Block {
    let mut block = Block::new(0x1000, 0);
    let mut b = Builder::new(&mut block);
    let x = b.read_reg(ta, reg(0));
    let y = b.read_reg(tb, reg(2));
    let r = f(&mut b, x, y);
    b.write_reg(reg(4), r);
    b.set_terminal(Terminal::Exit {
        reason: ExitReason::Halt,
        pc: 0x1004,
    });
    block
}

/// Run `block` on every pair of operands; both ways must agree.
fn agree_on_pairs(block: &Block, values: &[u128]) {
    let code = CompiledBlock::new(block).unwrap_or_else(|e| panic!("{e}\n{block:#?}"));
    for &a in values {
        for &b in values {
            let init = |cpu: &mut TestCpu| set_operands(cpu, a, b);
            let i = common::run_interp(block, &init);
            let c = common::run_compiled(&code, &init);
            assert_eq!(i, c, "a={a:#x} b={b:#x}\n{block:#?}");
        }
    }
}

#[test]
fn integer_binary_ops_agree() {
    for ty in INT_TYPES {
        for &op in BinOp::INT {
            let block = two_operand_block(ty, ty, |b, x, y| b.binary(op, x, y));
            agree_on_pairs(&block, &EDGES);
        }
    }
}

#[test]
fn shift_amounts_of_other_types_agree() {
    let shifts = [
        BinOp::Shl,
        BinOp::ShrU,
        BinOp::ShrS,
        BinOp::RotL,
        BinOp::RotR,
    ];
    for ty in INT_TYPES {
        for amount_ty in INT_TYPES {
            for op in shifts {
                let block = two_operand_block(ty, amount_ty, |b, x, y| b.binary(op, x, y));
                agree_on_pairs(&block, &EDGES);
            }
        }
    }
}

#[test]
fn float_binary_ops_agree() {
    for (ty, values) in [(Type::F32, f32s()), (Type::F64, f64s())] {
        for &op in BinOp::FLOAT {
            let block = two_operand_block(ty, ty, |b, x, y| b.binary(op, x, y));
            agree_on_pairs(&block, &values);
        }
    }
}

#[test]
fn unary_ops_agree() {
    let int_ops = [
        UnOp::Not,
        UnOp::Neg,
        UnOp::Clz,
        UnOp::Ctz,
        UnOp::Popcnt,
        UnOp::Bswap,
    ];
    for ty in INT_TYPES {
        for op in int_ops {
            let block = two_operand_block(ty, ty, |b, x, _| b.unary(op, x));
            agree_on_pairs(&block, &EDGES);
        }
    }
    for (ty, values) in [(Type::F32, f32s()), (Type::F64, f64s())] {
        for op in [UnOp::FNeg, UnOp::FAbs, UnOp::FSqrt] {
            let block = two_operand_block(ty, ty, |b, x, _| b.unary(op, x));
            agree_on_pairs(&block, &values);
        }
    }
}

#[test]
fn casts_agree() {
    for from in INT_TYPES {
        for to in INT_TYPES {
            let op = match from.bits().cmp(&to.bits()) {
                std::cmp::Ordering::Less => [CastOp::ZExt, CastOp::SExt],
                std::cmp::Ordering::Greater => [CastOp::Trunc, CastOp::Trunc],
                std::cmp::Ordering::Equal => [CastOp::Bitcast, CastOp::Bitcast],
            };
            for op in op {
                let block = two_operand_block(from, from, |b, x, _| b.cast(op, to, x));
                agree_on_pairs(&block, &EDGES);
            }
        }
    }
    let bitcasts = [
        (Type::I32, Type::F32),
        (Type::F32, Type::I32),
        (Type::I64, Type::F64),
        (Type::F64, Type::I64),
        (Type::I128, Type::V128),
        (Type::V128, Type::I128),
    ];
    for (from, to) in bitcasts {
        let block = two_operand_block(from, from, |b, x, _| b.bitcast(to, x));
        agree_on_pairs(&block, &EDGES);
    }
}

#[test]
fn compares_and_selects_agree() {
    for ty in INT_TYPES {
        for cond in CONDS {
            let block = two_operand_block(ty, ty, |b, x, y| b.icmp(cond, x, y));
            agree_on_pairs(&block, &EDGES);
        }
        // select(x, y, ~y) with a condition of every width.
        let block = two_operand_block(ty, Type::I64, |b, x, y| {
            let n = b.unary(UnOp::Not, y);
            b.select(x, y, n)
        });
        agree_on_pairs(&block, &EDGES);
    }
    let block = two_operand_block(Type::I8, Type::F64, |b, c, y| {
        let z = b.iconst(Type::F64, 2.5f64.to_bits().into());
        b.select(c, y, z)
    });
    agree_on_pairs(&block, &EDGES);
}

/// Addresses for memory tests: unaligned, near the top of the window, and with bits above the
/// window mask (which must be ignored).
const ADDRS: [u128; 6] = [0, 1, 3, 0x7f5, 0xff9, 0x1234_0000_0010];

#[test]
fn loads_and_stores_agree() {
    let types = [
        Type::I8,
        Type::I16,
        Type::I32,
        Type::I64,
        Type::I128,
        Type::F32,
        Type::F64,
        Type::V128,
    ];
    let fill = |cpu: &mut TestCpu| {
        for (i, byte) in cpu.mem_bytes().iter_mut().enumerate() {
            *byte = (i as u8).wrapping_mul(37).wrapping_add(11);
        }
    };
    for ty in types {
        // Load from r0's address, store r2's value (of the same type) at r0 + 5.
        let block = two_operand_block(Type::I64, ty, |b, addr, v| {
            let five = b.i64(5);
            let a2 = b.add(addr, five);
            b.store(a2, v);
            b.load(ty, addr)
        });
        let code = CompiledBlock::new(&block).unwrap();
        for &addr in &ADDRS {
            for &v in &EDGES {
                let init = |cpu: &mut TestCpu| {
                    fill(cpu);
                    set_operands(cpu, addr, v);
                };
                assert_eq!(
                    common::run_interp(&block, &init),
                    common::run_compiled(&code, &init),
                    "{ty:?} addr={addr:#x} v={v:#x}"
                );
            }
        }
    }
}

#[test]
fn atomics_agree() {
    let ops = [
        AtomicOp::Add,
        AtomicOp::And,
        AtomicOp::Or,
        AtomicOp::Xor,
        AtomicOp::Xchg,
        AtomicOp::SMin,
        AtomicOp::SMax,
        AtomicOp::UMin,
        AtomicOp::UMax,
    ];
    for ty in [Type::I8, Type::I16, Type::I32, Type::I64] {
        let addr = 0x40u128;
        for op in ops {
            // old = rmw(mem[0x40], r2); r4 = old; memory keeps the new value.
            let block = two_operand_block(Type::I64, ty, |b, _, v| {
                let a = b.i64(addr as u64);
                b.atomic_rmw(op, ty, a, v)
            });
            let code = CompiledBlock::new(&block).unwrap();
            for &old in &EDGES {
                for &v in &EDGES {
                    let init = |cpu: &mut TestCpu| {
                        set_operands(cpu, 0, v);
                        cpu.mem[8] = old as u64;
                    };
                    assert_eq!(
                        common::run_interp(&block, &init),
                        common::run_compiled(&code, &init),
                        "{op:?} {ty:?} old={old:#x} v={v:#x}"
                    );
                }
            }
        }
        // cas(mem[0x40], expected = r0, replacement = r2), fenced.
        let block = two_operand_block(ty, ty, |b, e, r| {
            let a = b.i64(addr as u64);
            b.fence();
            b.atomic_cas(ty, a, e, r)
        });
        let code = CompiledBlock::new(&block).unwrap();
        for &old in &EDGES[..8] {
            for &e in &EDGES[..8] {
                let init = |cpu: &mut TestCpu| {
                    set_operands(cpu, e, 0x5a5a_5a5a_5a5a_5a5a);
                    cpu.mem[8] = old as u64;
                };
                assert_eq!(
                    common::run_interp(&block, &init),
                    common::run_compiled(&code, &init),
                    "cas {ty:?} old={old:#x} e={e:#x}"
                );
            }
        }
    }
}

fn cpu_of(env: *mut u8) -> &'static mut TestCpu {
    // SAFETY: helpers are only called by blocks run on a TestCpu.
    unsafe { &mut *(env as *mut TestCpu) }
}

extern "C" fn h_mix(env: *mut u8, a: u64, b: u64) -> u64 {
    let cpu = cpu_of(env);
    cpu.regs[7] = cpu.regs[7].wrapping_add(1);
    a.wrapping_mul(31) ^ b.rotate_left(7) ^ cpu.regs[6]
}

extern "C" fn h_six(_env: *mut u8, a: u64, b: u64, c: u64, d: u64, e: u64, f: u64) -> u64 {
    a ^ b.wrapping_mul(3)
        ^ c.wrapping_mul(5)
        ^ d.wrapping_mul(7)
        ^ e.wrapping_mul(11)
        ^ f.wrapping_mul(13)
}

extern "C" fn h_to_f64(_env: *mut u8, a: u64) -> u64 {
    (a as i64 as f64).to_bits() | 0xffff_0000_0000_0000_0000u128 as u64
}

extern "C" fn h_effect(env: *mut u8) -> u64 {
    cpu_of(env).regs[8] = 0x55;
    0xdead_beef
}

static MIX: Helper = Helper {
    name: "test_mix",
    func: HelperFn::A2(h_mix),
    nargs: 2,
    ret: Some(Type::I64),
    effects: HelperEffects::ALL,
};
static SIX: Helper = Helper {
    name: "test_six",
    func: HelperFn::A6(h_six),
    nargs: 6,
    ret: Some(Type::I16),
    effects: HelperEffects::PURE,
};
static TO_F64: Helper = Helper {
    name: "test_to_f64",
    func: HelperFn::A1(h_to_f64),
    nargs: 1,
    ret: Some(Type::F64),
    effects: HelperEffects::PURE,
};
static EFFECT: Helper = Helper {
    name: "test_effect",
    func: HelperFn::A0(h_effect),
    nargs: 0,
    ret: None,
    effects: HelperEffects::ALL,
};

#[test]
fn helper_calls_agree() {
    // Arguments of several types (zero-extended, floats as bits, I128 truncated), results of
    // several types, a helper reading and writing state.
    let block = two_operand_block(Type::I64, Type::I64, |b, x, y| {
        b.write_reg(reg(6), y);
        let m = b.call(&MIX, &[x, y]).unwrap();
        let x8 = b.trunc(Type::I8, x);
        let x32 = b.trunc(Type::I32, x);
        let f = b.bitcast(Type::F64, y);
        let f32v = b.iconst(Type::F32, 1.5f32.to_bits().into());
        let wide = b.zext(Type::I128, y);
        let s = b.call(&SIX, &[x8, x32, f, f32v, wide, m]).unwrap();
        let g = b.call(&TO_F64, &[x]).unwrap();
        b.call(&EFFECT, &[]);
        let g = b.bitcast(Type::I64, g);
        let s = b.zext(Type::I64, s);
        let r = b.xor(s, g);
        b.write_reg(reg(9), m);
        r
    });
    agree_on_pairs(&block, &EDGES);
}

/// A block whose terminal is `term(builder, r0, r2)`, after writing r0 + r2 to r4.
fn terminal_block(
    term: impl FnOnce(&mut Builder, emu_ir::Value, emu_ir::Value) -> Terminal,
) -> Block {
    let mut block = Block::new(0x2000, 0);
    let mut b = Builder::new(&mut block);
    let x = b.read_reg(Type::I64, reg(0));
    let y = b.read_reg(Type::I64, reg(2));
    let s = b.add(x, y);
    b.write_reg(reg(4), s);
    let t = term(&mut b, x, y);
    b.set_terminal(t);
    block
}

#[test]
fn terminals_and_side_exits_agree() {
    let blocks = [
        terminal_block(|_, _, _| Terminal::Goto(0x3000)),
        terminal_block(|b, x, _| {
            let c = b.icmp(Cond::LtU, x, x);
            let _ = c;
            let c = b.trunc(Type::I8, x);
            Terminal::Branch {
                cond: c,
                taken: 0x4000,
                not_taken: 0x5000,
            }
        }),
        terminal_block(|_, _, y| Terminal::Indirect(y)),
        terminal_block(|_, _, _| Terminal::Exit {
            reason: ExitReason::Exception(77),
            pc: 0x2004,
        }),
        terminal_block(|b, x, _| {
            // Side exit when x == 7 (after the r4 write, before the r5 write).
            let seven = b.i64(7);
            let c = b.icmp(Cond::Eq, x, seven);
            b.exit_if(c, ExitReason::Syscall, 0x2008);
            b.write_reg(reg(5), seven);
            Terminal::Exit {
                reason: ExitReason::Breakpoint,
                pc: 0x200c,
            }
        }),
    ];
    for block in &blocks {
        agree_on_pairs(block, &EDGES);
    }
    // The side exit really is taken for x == 7 and not otherwise (checked by value).
    let side = &blocks[4];
    let (e, s) = check_agree(side, &|cpu| set_operands(cpu, 7, 1));
    assert_eq!(
        (e, s.pc, s.regs[5]),
        (ExitReason::Syscall.encode(), 0x2008, 0)
    );
    let (e, s) = check_agree(side, &|cpu| set_operands(cpu, 8, 1));
    assert_eq!(
        (e, s.pc, s.regs[5]),
        (ExitReason::Breakpoint.encode(), 0x200c, 7)
    );
    let (e, s) = check_agree(&blocks[2], &|cpu| set_operands(cpu, 1, 0xabcd));
    assert_eq!((e, s.pc, s.regs[4]), (0, 0xabcd, 0xabce));
}

#[test]
fn exit_request_stops_before_the_block() {
    let block = terminal_block(|_, _, _| Terminal::Goto(0x3000));
    let init = |cpu: &mut TestCpu| {
        set_operands(cpu, 1, 2);
        cpu.header
            .exit_request
            .store(1, std::sync::atomic::Ordering::Relaxed);
    };
    let code = CompiledBlock::new(&block).unwrap();
    let (e, s) = common::run_compiled(&code, &init);
    assert_eq!((e, s.pc, s.regs[4]), (ExitReason::Halt.encode(), 0x2000, 0));
}

/// Compiled result of `op` on (a, b) of type `ty`.
fn compiled_binary(op: BinOp, ty: Type, a: u128, b: u128) -> u128 {
    let block = two_operand_block(ty, ty, |bd, x, y| bd.binary(op, x, y));
    let code = CompiledBlock::new(&block).unwrap();
    let (_, s) = common::run_compiled(&code, &|cpu| set_operands(cpu, a, b));
    (u128::from(s.regs[5]) << 64 | u128::from(s.regs[4])) & ty.mask()
}

#[test]
fn compiled_results_match_rust() {
    let (a, b) = (
        0x0123_4567_89ab_cdef_0011_2233_4455_6677u128,
        0xfedc_ba98_7654_3210_8899_aabb_ccdd_eeffu128,
    );
    assert_eq!(
        compiled_binary(BinOp::Mul, Type::I128, a, b),
        a.wrapping_mul(b)
    );
    assert_eq!(
        compiled_binary(BinOp::RotL, Type::I64, 0x8000_0000_0000_0001, 68),
        0x18
    );
    assert_eq!(
        compiled_binary(BinOp::RotR, Type::I32, 0x1234_5678, 8),
        0x7812_3456
    );
    assert_eq!(compiled_binary(BinOp::RotL, Type::I128, 1 << 127, 1), 1);
    let big = u128::MAX / 3;
    assert_eq!(compiled_binary(BinOp::DivU, Type::I128, a, 7), a / 7);
    assert_eq!(
        compiled_binary(BinOp::RemS, Type::I128, b, 1000),
        (b as i128 % 1000) as u128
    );
    assert_eq!(
        compiled_binary(BinOp::DivS, Type::I128, 1 << 127, u128::MAX),
        1 << 127
    );
    assert_eq!(compiled_binary(BinOp::DivU, Type::I128, big, 0), u128::MAX);
    assert_eq!(compiled_binary(BinOp::MulHiU, Type::I128, u128::MAX, 2), 1);
    let min = i64::MIN as u64 as u128;
    let m1 = u64::MAX as u128;
    assert_eq!(compiled_binary(BinOp::DivS, Type::I64, min, m1), min);
    assert_eq!(compiled_binary(BinOp::RemS, Type::I64, min, m1), 0);
    assert_eq!(compiled_binary(BinOp::DivU, Type::I64, 42, 0), m1);
    assert_eq!(compiled_binary(BinOp::DivS, Type::I32, 42, 0), 0xffff_ffff);
    assert_eq!(compiled_binary(BinOp::RemU, Type::I16, 42, 0), 42);
    assert_eq!(compiled_binary(BinOp::DivS, Type::I8, 0x80, 0xff), 0x80);
    assert_eq!(
        compiled_binary(BinOp::DivS, Type::I64, (-7i64) as u64 as u128, 2),
        (-3i64) as u64 as u128
    );
    assert_eq!(
        compiled_binary(BinOp::MulHiSU, Type::I64, m1, 3),
        ((i128::from(u64::MAX as i64) * 3) >> 64) as u64 as u128
    );
    assert_eq!(
        compiled_binary(BinOp::MulHiU, Type::I64, m1, m1),
        (u128::from(u64::MAX) * u128::from(u64::MAX)) >> 64
    );
    assert_eq!(compiled_binary(BinOp::ShrS, Type::I16, 0x8000, 17), 0xc000);
    let clz = two_operand_block(Type::I64, Type::I64, |b, x, _| b.unary(UnOp::Clz, x));
    let (_, s) = common::run_compiled(&CompiledBlock::new(&clz).unwrap(), &|cpu| {
        set_operands(cpu, 0, 0)
    });
    assert_eq!(s.regs[4], 64);
    let ctz = two_operand_block(Type::I32, Type::I64, |b, x, _| b.unary(UnOp::Ctz, x));
    let (_, s) = common::run_compiled(&CompiledBlock::new(&ctz).unwrap(), &|cpu| {
        set_operands(cpu, 0, 0)
    });
    assert_eq!(s.regs[4] & 0xffff_ffff, 32);
}
