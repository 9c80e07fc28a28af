//! Random differential test: many seeded random blocks (integer, float and memory operations,
//! side exits, every terminal) run through the interpreter and through compiled code from the
//! same random states; everything observable must agree.

mod common;

use common::{reg, run_compiled, run_interp, TestCpu, NREGS};
use emu_backend::standalone::CompiledBlock;
use emu_ir::{BinOp, Block, Builder, CastOp, Cond, ExitReason, Terminal, Type, UnOp, Value};

/// xorshift64* — small, seeded, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// A value biased towards edge cases.
    fn operand(&mut self) -> u128 {
        let edges = [
            0u128,
            1,
            u128::MAX,
            1 << 63,
            (1 << 63) - 1,
            0x80,
            0x8000,
            0x8000_0000,
            63,
            64,
        ];
        match self.below(4) {
            0 => self.pick(&edges),
            1 => u128::from(self.next() & 0xff),
            _ => u128::from(self.next()) | u128::from(self.next()) << 64,
        }
    }
}

const INTS: [Type; 5] = [Type::I8, Type::I16, Type::I32, Type::I64, Type::I128];
const FLOATS: [Type; 2] = [Type::F32, Type::F64];
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

/// Builds one random block, tracking the values defined so far by type.
struct Gen<'a, 'b> {
    rng: &'a mut Rng,
    b: Builder<'b>,
    pool: Vec<Value>,
}

impl Gen<'_, '_> {
    fn of_type(&mut self, ty: Type) -> Option<Value> {
        let candidates: Vec<Value> = self
            .pool
            .iter()
            .copied()
            .filter(|&v| self.b.ty(v) == ty)
            .collect();
        (!candidates.is_empty()).then(|| self.rng.pick(&candidates))
    }

    fn any(&mut self) -> Value {
        let v = self.pool.clone();
        self.rng.pick(&v)
    }

    /// A value of `ty`: an existing one or a fresh constant.
    fn value(&mut self, ty: Type) -> Value {
        match self.of_type(ty) {
            Some(v) if self.rng.below(4) != 0 => v,
            _ => {
                let imm = self.rng.operand();
                self.b.iconst(ty, imm)
            }
        }
    }

    fn add(&mut self, v: Value) {
        self.pool.push(v);
    }

    /// A random in-bounds register offset for a value of `ty` (unaligned for small types).
    fn random_reg(&mut self, ty: Type) -> u32 {
        let bytes = ty.bytes() as usize;
        let regs = NREGS - bytes.div_ceil(8);
        let skew = if bytes < 8 {
            self.rng.below(8 - bytes + 1)
        } else {
            0
        };
        reg(self.rng.below(regs + 1)) + skew as u32
    }

    fn step(&mut self) {
        let int = self.rng.pick(&INTS);
        match self.rng.below(14) {
            0 => {
                let off = self.random_reg(int);
                let v = self.b.read_reg(int, off);
                self.add(v)
            }
            1..=4 => {
                let op = self.rng.pick(BinOp::INT);
                let (x, y) = (self.value(int), self.value(int));
                let y = if matches!(
                    op,
                    BinOp::Shl | BinOp::ShrU | BinOp::ShrS | BinOp::RotL | BinOp::RotR
                ) {
                    let t = self.rng.pick(&INTS);
                    self.value(t)
                } else {
                    y
                };
                let v = self.b.binary(op, x, y);
                self.add(v)
            }
            5 => {
                let op = self.rng.pick(&[
                    UnOp::Not,
                    UnOp::Neg,
                    UnOp::Clz,
                    UnOp::Ctz,
                    UnOp::Popcnt,
                    UnOp::Bswap,
                ]);
                let int = if op == UnOp::Bswap && int == Type::I8 {
                    Type::I16
                } else {
                    int
                };
                let x = self.value(int);
                let v = self.b.unary(op, x);
                self.add(v)
            }
            6 => {
                let x = self.any();
                let from = self.b.ty(x);
                if !from.is_int() {
                    let v = self.b.bitcast(Type::int(from.bits()).unwrap(), x);
                    return self.add(v);
                }
                let to = self.rng.pick(&INTS);
                let v = match from.bits().cmp(&to.bits()) {
                    std::cmp::Ordering::Less => {
                        let op = self.rng.pick(&[CastOp::ZExt, CastOp::SExt]);
                        self.b.cast(op, to, x)
                    }
                    std::cmp::Ordering::Greater => self.b.trunc(to, x),
                    std::cmp::Ordering::Equal if from.bits() <= 64 && from.bits() >= 32 => {
                        let f = if from.bits() == 32 {
                            Type::F32
                        } else {
                            Type::F64
                        };
                        self.b.bitcast(f, x)
                    }
                    std::cmp::Ordering::Equal => return,
                };
                self.add(v)
            }
            7 => {
                let cond = self.rng.pick(&CONDS);
                let (x, y) = (self.value(int), self.value(int));
                let v = self.b.icmp(cond, x, y);
                self.add(v)
            }
            8 => {
                let c = self.int_any();
                let t = self.any();
                let ty = self.b.ty(t);
                let f = self.value(ty);
                let v = self.b.select(c, t, f);
                self.add(v)
            }
            9 => {
                let addr = self.value(Type::I64);
                let ty = self.rng.pick(&[
                    Type::I8,
                    Type::I16,
                    Type::I32,
                    Type::I64,
                    Type::I128,
                    Type::F32,
                    Type::F64,
                ]);
                let v = self.b.load(ty, addr);
                self.add(v)
            }
            10 => {
                let addr = self.value(Type::I64);
                let v = self.any();
                self.b.store(addr, v)
            }
            11 => {
                let v = self.any();
                let off = self.random_reg(self.b.ty(v));
                self.b.write_reg(off, v)
            }
            12 => {
                let ty = self.rng.pick(&FLOATS);
                let Some(x) = self.of_type(ty) else { return };
                let y = self.value(ty);
                let v = match self.rng.below(7) {
                    0 => self.b.binary(BinOp::FAdd, x, y),
                    1 => self.b.binary(BinOp::FSub, x, y),
                    2 => self.b.binary(BinOp::FMul, x, y),
                    3 => self.b.binary(BinOp::FDiv, x, y),
                    4 => self.b.unary(UnOp::FNeg, x),
                    5 => self.b.unary(UnOp::FAbs, x),
                    _ => self.b.unary(UnOp::FSqrt, x),
                };
                self.add(v)
            }
            _ => {
                if self.rng.below(3) == 0 {
                    let c = self.any();
                    let c = if self.b.ty(c).is_int() {
                        c
                    } else {
                        self.b.bitcast(Type::int(self.b.ty(c).bits()).unwrap(), c)
                    };
                    self.b
                        .exit_if(c, ExitReason::Exception(self.rng.below(100) as u32), 0x9000);
                }
            }
        }
    }

    fn int_any(&mut self) -> Value {
        let v = self.any();
        let ty = self.b.ty(v);
        if ty.is_int() {
            v
        } else {
            self.b.bitcast(Type::int(ty.bits()).unwrap(), v)
        }
    }

    fn terminal(&mut self) -> Terminal {
        match self.rng.below(4) {
            0 => Terminal::Goto(0x5000),
            1 => Terminal::Branch {
                cond: self.int_any(),
                taken: 0x6000,
                not_taken: 0x7000,
            },
            2 => Terminal::Indirect(self.value(Type::I64)),
            _ => Terminal::Exit {
                reason: ExitReason::Syscall,
                pc: 0x8000,
            },
        }
    }
}

fn random_block(rng: &mut Rng) -> Block {
    let mut block = Block::new(0x4000, 0);
    let len = 3 + rng.below(40);
    let mut g = Gen {
        rng,
        b: Builder::new(&mut block),
        pool: Vec::new(),
    };
    for i in 0..4 {
        let v = g.b.read_reg(Type::I64, reg(i));
        g.add(v);
    }
    for _ in 0..len {
        g.step();
    }
    let t = g.terminal();
    g.b.set_terminal(t);
    block
}

fn random_state(seed: u64) -> impl Fn(&mut TestCpu) {
    move |cpu: &mut TestCpu| {
        let mut rng = Rng(seed | 1);
        for r in cpu.regs.iter_mut() {
            *r = rng.operand() as u64;
        }
        for w in cpu.mem.iter_mut() {
            *w = rng.next();
        }
    }
}

#[test]
fn random_blocks_agree() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for n in 0..1500 {
        let block = random_block(&mut rng);
        let code =
            CompiledBlock::new(&block).unwrap_or_else(|e| panic!("block {n}: {e}\n{block:#?}"));
        for s in 0..4 {
            let init = random_state(rng.next());
            let i = run_interp(&block, &init);
            let c = run_compiled(&code, &init);
            assert_eq!(
                i, c,
                "block {n} state {s}: interpreter (left) vs compiled (right)\n{block:#?}"
            );
        }
    }
}
