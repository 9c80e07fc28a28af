//! Shared test support: test helpers registered by name, and a random generator of valid
//! blocks covering every instruction form.
#![allow(dead_code)]

use emu_ir::helpers::{self, Helper, HelperEffects, HelperFn};
use emu_ir::{AtomicOp, BinOp, Block, Builder, Cond, ExitReason, Terminal, Type, UnOp, Value};

extern "C" fn ret_first1(_env: *mut u8, a: u64) -> u64 {
    a
}
extern "C" fn add2(_env: *mut u8, a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}
extern "C" fn zero0(_env: *mut u8) -> u64 {
    0
}

/// Byte offset in the CPU state of the register the state-touching test helpers use (inside
/// the register area [`GenOptions::reg_base`] gives the differential tests).
pub const HELPER_REG: usize = 64;

/// Reads state: the helper register xor `a`.
extern "C" fn reads_state1(env: *mut u8, a: u64) -> u64 {
    // SAFETY: these helpers only run in differential tests, whose env holds at least
    // HELPER_REG + 8 bytes.
    unsafe { (env.add(HELPER_REG) as *const u64).read_unaligned() ^ a }
}
/// Writes state: the helper register becomes `a`.
extern "C" fn writes_state1(env: *mut u8, a: u64) -> u64 {
    // SAFETY: as for `reads_state1`.
    unsafe { (env.add(HELPER_REG) as *mut u64).write_unaligned(a) };
    0
}
/// Reads and writes state: the helper register is rotated and xored with `a`.
extern "C" fn rw_state1(env: *mut u8, a: u64) -> u64 {
    // SAFETY: as for `reads_state1`.
    unsafe {
        let p = env.add(HELPER_REG) as *mut u64;
        p.write_unaligned(p.read_unaligned().rotate_left(7) ^ a);
    }
    0
}

const READS: HelperEffects = HelperEffects {
    reads_state: true,
    writes_state: false,
    memory: false,
};
const WRITES: HelperEffects = HelperEffects {
    reads_state: false,
    writes_state: true,
    memory: false,
};

pub static TEST_PURE1: Helper = Helper {
    name: "test_pure1",
    func: HelperFn::A1(ret_first1),
    nargs: 1,
    ret: Some(Type::I32),
    effects: HelperEffects::PURE,
};
pub static TEST_PURE2: Helper = Helper {
    name: "test_pure2",
    func: HelperFn::A2(add2),
    nargs: 2,
    ret: Some(Type::I64),
    effects: HelperEffects::PURE,
};
pub static TEST_READS1: Helper = Helper {
    name: "test_reads1",
    func: HelperFn::A1(reads_state1),
    nargs: 1,
    ret: Some(Type::I64),
    effects: READS,
};
pub static TEST_WRITES1: Helper = Helper {
    name: "test_writes1",
    func: HelperFn::A1(writes_state1),
    nargs: 1,
    ret: None,
    effects: WRITES,
};
pub static TEST_EFFECT1: Helper = Helper {
    name: "test_effect1",
    func: HelperFn::A1(rw_state1),
    nargs: 1,
    ret: None,
    effects: HelperEffects::ALL,
};
pub static TEST_EFFECT0: Helper = Helper {
    name: "test_effect0",
    func: HelperFn::A0(zero0),
    nargs: 0,
    ret: Some(Type::I64),
    effects: HelperEffects::ALL,
};
/// Deliberately inconsistent: declares 2 arguments but its function takes 1.
pub static TEST_BAD_ARITY: Helper = Helper {
    name: "test_bad_arity",
    func: HelperFn::A1(ret_first1),
    nargs: 2,
    ret: None,
    effects: HelperEffects::PURE,
};

pub static ALL_HELPERS: &[&Helper] = &[
    &TEST_PURE1,
    &TEST_PURE2,
    &TEST_READS1,
    &TEST_WRITES1,
    &TEST_EFFECT1,
    &TEST_EFFECT0,
    &TEST_BAD_ARITY,
];

/// Register the test helpers (idempotent).
pub fn register_test_helpers() {
    helpers::register_all(ALL_HELPERS);
}

/// xorshift64*: a small deterministic generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

pub const INT_TYPES: &[Type] = &[Type::I8, Type::I16, Type::I32, Type::I64, Type::I128];
pub const ALL_TYPES: &[Type] = &[
    Type::I8,
    Type::I16,
    Type::I32,
    Type::I64,
    Type::I128,
    Type::F32,
    Type::F64,
    Type::V128,
];
pub const INT_UNOPS: &[UnOp] = &[
    UnOp::Not,
    UnOp::Neg,
    UnOp::Clz,
    UnOp::Ctz,
    UnOp::Popcnt,
    UnOp::Bswap,
];
pub const FLOAT_UNOPS: &[UnOp] = &[UnOp::FNeg, UnOp::FAbs, UnOp::FSqrt];
pub const CONDS: &[Cond] = &[
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
pub const ATOMIC_OPS: &[AtomicOp] = &[
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
pub const REASONS: &[ExitReason] = &[
    ExitReason::Syscall,
    ExitReason::IllegalInsn,
    ExitReason::Breakpoint,
    ExitReason::FetchFault,
    ExitReason::Halt,
    ExitReason::Exception(0),
    ExitReason::Exception(0xffff_ffff),
];

/// Options for [`random_block`].
#[derive(Clone, Copy)]
pub struct GenOptions {
    /// Emit float/vector values and float ops.
    pub floats: bool,
    /// Emit memory operations (loads, stores, atomics).
    pub memory: bool,
    /// Emit helper calls.
    pub calls: bool,
    /// Register offsets used are `[reg_base, reg_base + reg_bytes)`.
    pub reg_base: u32,
    pub reg_bytes: u32,
    /// Constants are drawn mostly from small values (so folding triggers often).
    pub small_constants: bool,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            floats: true,
            memory: true,
            calls: true,
            reg_base: 0,
            reg_bytes: 64,
            small_constants: false,
        }
    }
}

/// Random valid blocks, built with the [`Builder`].
pub struct Gen<'r> {
    pub rng: &'r mut Rng,
    pub opts: GenOptions,
}

impl Gen<'_> {
    fn constant_bits(&mut self, ty: Type) -> u128 {
        let raw = if self.opts.small_constants && self.rng.chance(70) {
            u128::from(
                self.rng
                    .pick(&[0u64, 1, 2, 3, 8, 63, 64, u64::MAX, 0x8000_0000]),
            )
        } else {
            u128::from(self.rng.next()) << 64 | u128::from(self.rng.next())
        };
        raw & ty.mask()
    }

    fn value_of(&mut self, b: &mut Builder, ty: Type) -> Value {
        let existing: Vec<Value> = (0..b.block.value_types.len() as u32)
            .map(Value)
            .filter(|v| b.block.ty(*v) == ty)
            .collect();
        if !existing.is_empty() && self.rng.chance(80) {
            return self.rng.pick(&existing);
        }
        if self.rng.chance(50) {
            let offset = self.reg_offset(ty);
            b.read_reg(ty, offset)
        } else {
            let imm = self.constant_bits(ty);
            b.iconst(ty, imm)
        }
    }

    fn reg_offset(&mut self, ty: Type) -> u32 {
        let slots = (self.opts.reg_bytes / ty.bytes()).max(1);
        // Mostly aligned, sometimes misaligned by 4 to exercise partial overlaps.
        let base = self.rng.below(slots as usize) as u32 * ty.bytes();
        let off = if ty.bytes() >= 8
            && self.rng.chance(10)
            && base + 4 + ty.bytes() <= self.opts.reg_bytes
        {
            base + 4
        } else {
            base
        };
        self.opts.reg_base + off
    }

    fn int_type(&mut self) -> Type {
        self.rng.pick(INT_TYPES)
    }

    fn any_type(&mut self) -> Type {
        if self.opts.floats {
            self.rng.pick(ALL_TYPES)
        } else {
            self.int_type()
        }
    }

    fn helper_arg_type(&mut self) -> Type {
        if self.opts.floats {
            self.rng.pick(&[
                Type::I8,
                Type::I16,
                Type::I32,
                Type::I64,
                Type::F32,
                Type::F64,
            ])
        } else {
            self.rng.pick(&[Type::I8, Type::I16, Type::I32, Type::I64])
        }
    }

    fn float_type(&mut self) -> Type {
        self.rng.pick(&[Type::F32, Type::F64])
    }

    /// Emit one random instruction.
    pub fn inst(&mut self, b: &mut Builder) {
        match self.rng.below(17) {
            0 => {
                let ty = self.any_type();
                let imm = self.constant_bits(ty);
                b.iconst(ty, imm);
            }
            1 => {
                let ty = self.any_type();
                let off = self.reg_offset(ty);
                b.read_reg(ty, off);
            }
            2 => {
                let ty = self.any_type();
                let v = self.value_of(b, ty);
                let off = self.reg_offset(ty);
                b.write_reg(off, v);
            }
            3 => {
                let ty = self.int_type();
                let mut op = self.rng.pick(INT_UNOPS);
                if ty == Type::I8 && op == UnOp::Bswap {
                    op = UnOp::Popcnt;
                }
                let a = self.value_of(b, ty);
                b.unary(op, a);
            }
            4 | 5 => {
                let ty = self.int_type();
                let op = self.rng.pick(BinOp::INT);
                let lhs = self.value_of(b, ty);
                let is_shift = matches!(
                    op,
                    BinOp::Shl | BinOp::ShrU | BinOp::ShrS | BinOp::RotL | BinOp::RotR
                );
                let rty = if is_shift { self.int_type() } else { ty };
                let rhs = self.value_of(b, rty);
                b.binary(op, lhs, rhs);
            }
            6 if self.opts.floats => {
                let ty = self.float_type();
                let (l, r) = (self.value_of(b, ty), self.value_of(b, ty));
                let op = self.rng.pick(BinOp::FLOAT);
                b.binary(op, l, r);
                let op = self.rng.pick(FLOAT_UNOPS);
                b.unary(op, l);
            }
            7 => self.cast(b),
            8 => {
                let ty = self.int_type();
                let (l, r) = (self.value_of(b, ty), self.value_of(b, ty));
                b.icmp(self.rng.pick(CONDS), l, r);
            }
            9 => {
                let cty = self.int_type();
                let c = self.value_of(b, cty);
                let ty = self.any_type();
                let (t, f) = (self.value_of(b, ty), self.value_of(b, ty));
                b.select(c, t, f);
            }
            10 if self.opts.memory => {
                let ty = self.any_type();
                let a = self.value_of(b, Type::I64);
                b.load(ty, a);
            }
            11 if self.opts.memory => {
                let ty = self.any_type();
                let a = self.value_of(b, Type::I64);
                let v = self.value_of(b, ty);
                b.store(a, v);
            }
            12 if self.opts.memory => {
                let ty = self.rng.pick(&[Type::I8, Type::I16, Type::I32, Type::I64]);
                let a = self.value_of(b, Type::I64);
                let v = self.value_of(b, ty);
                if self.rng.chance(50) {
                    b.atomic_rmw(self.rng.pick(ATOMIC_OPS), ty, a, v);
                } else {
                    let r = self.value_of(b, ty);
                    b.atomic_cas(ty, a, v, r);
                }
                if self.rng.chance(30) {
                    b.fence();
                }
            }
            13 if self.opts.calls => {
                let h = self.rng.pick(&ALL_HELPERS[..ALL_HELPERS.len() - 1]);
                let args: Vec<Value> = (0..h.nargs)
                    .map(|_| {
                        let ty = self.helper_arg_type();
                        self.value_of(b, ty)
                    })
                    .collect();
                b.call(h, &args);
            }
            14 => {
                let cty = self.int_type();
                let c = self.value_of(b, cty);
                let pc = self.rng.next();
                b.exit_if(c, self.rng.pick(REASONS), pc);
            }
            _ => {
                // Arithmetic is the most common case.
                let ty = self.int_type();
                let (l, r) = (self.value_of(b, ty), self.value_of(b, ty));
                b.add(l, r);
            }
        }
    }

    fn cast(&mut self, b: &mut Builder) {
        let from = self.any_type();
        let a = self.value_of(b, from);
        let wider: Vec<Type> = INT_TYPES
            .iter()
            .copied()
            .filter(|t| t.bits() > from.bits())
            .collect();
        let narrower: Vec<Type> = INT_TYPES
            .iter()
            .copied()
            .filter(|t| t.bits() < from.bits())
            .collect();
        let same: Vec<Type> = ALL_TYPES
            .iter()
            .copied()
            .filter(|t| t.bits() == from.bits() && (self.opts.floats || t.is_int()))
            .collect();
        match self.rng.below(4) {
            0 if from.is_int() && !wider.is_empty() => {
                b.zext(self.rng.pick(&wider), a);
            }
            1 if from.is_int() && !wider.is_empty() => {
                b.sext(self.rng.pick(&wider), a);
            }
            2 if from.is_int() && !narrower.is_empty() => {
                b.trunc(self.rng.pick(&narrower), a);
            }
            _ => {
                b.bitcast(self.rng.pick(&same), a);
            }
        }
    }

    fn terminal(&mut self, b: &mut Builder) {
        let t = match self.rng.below(4) {
            0 => Terminal::Goto(self.rng.next()),
            1 => {
                let cty = self.int_type();
                Terminal::Branch {
                    cond: self.value_of(b, cty),
                    taken: self.rng.next(),
                    not_taken: self.rng.next(),
                }
            }
            2 => Terminal::Indirect(self.value_of(b, Type::I64)),
            _ => Terminal::Exit {
                reason: self.rng.pick(REASONS),
                pc: self.rng.next(),
            },
        };
        b.set_terminal(t);
    }

    /// A random valid block of about `len` instructions.
    pub fn block(&mut self, len: usize) -> Block {
        let mut block = Block::new(self.rng.next(), self.rng.next() as u32);
        block.guest_size = self.rng.below(4096) as u32;
        block.insn_count = self.rng.below(64) as u32;
        let mut b = Builder::new(&mut block);
        for _ in 0..len {
            self.inst(&mut b);
        }
        self.terminal(&mut b);
        block
    }
}

/// `count` random blocks from `seed`.
pub fn random_blocks(seed: u64, count: usize, opts: GenOptions) -> Vec<Block> {
    register_test_helpers();
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|i| {
            let len = 1 + i % 40;
            Gen {
                rng: &mut rng,
                opts,
            }
            .block(len)
        })
        .collect()
}
