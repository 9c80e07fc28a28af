//! emu-ir: the intermediate representation every guest frontend produces and every backend
//! consumes.
//!
//! A [`Block`] is one translation block: straight-line code in SSA form (each [`Value`] is
//! defined exactly once, by the instruction that carries it as `result`, before any use) ending in
//! one [`Terminal`]. Guest registers live in the CPU state struct and are reached with
//! [`Inst::ReadReg`] / [`Inst::WriteReg`] at byte offsets from the start of that struct, whose
//! first field is always a [`CpuHeader`].
//!
//! Modules:
//! - [`builder`]: the API frontends use to emit instructions;
//! - [`helpers`]: out-of-line helper functions callable from IR and their registry;
//! - [`text`]: the text format (print with `Display`, parse back with [`text::parse_block`]);
//! - [`verify`]: the verifier;
//! - [`passes`]: optimization passes;
//! - [`interp`]: the IR interpreter (tier 0).

pub mod builder;
pub mod helpers;
pub mod interp;
pub mod passes;
pub mod text;
pub mod verify;

use std::sync::atomic::AtomicU32;

pub use builder::Builder;
pub use helpers::{Helper, HelperEffects};

/// The type of an IR value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    I8,
    I16,
    I32,
    I64,
    I128,
    F32,
    F64,
    /// 128-bit vector; no operations on it yet beyond register moves.
    V128,
}

impl Type {
    /// Size in bytes.
    pub fn bytes(self) -> u32 {
        match self {
            Type::I8 => 1,
            Type::I16 => 2,
            Type::I32 | Type::F32 => 4,
            Type::I64 | Type::F64 => 8,
            Type::I128 | Type::V128 => 16,
        }
    }

    /// Size in bits.
    pub fn bits(self) -> u32 {
        self.bytes() * 8
    }

    pub fn is_int(self) -> bool {
        matches!(
            self,
            Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::I128
        )
    }

    pub fn is_float(self) -> bool {
        matches!(self, Type::F32 | Type::F64)
    }

    /// The integer type of `bits` bits, if there is one.
    pub fn int(bits: u32) -> Option<Type> {
        match bits {
            8 => Some(Type::I8),
            16 => Some(Type::I16),
            32 => Some(Type::I32),
            64 => Some(Type::I64),
            128 => Some(Type::I128),
            _ => None,
        }
    }

    /// All-ones mask of this type's width (for integer and float types, as raw bits).
    pub fn mask(self) -> u128 {
        if self.bits() >= 128 {
            u128::MAX
        } else {
            (1u128 << self.bits()) - 1
        }
    }
}

/// An SSA value, numbered densely from 0 within a block. Printed as `v3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(pub u32);

impl Value {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Two-operand operations. Integer ops require both operands and the result to have the same
/// type, except shifts and rotates, whose amount may be any integer type and is taken modulo the
/// width of the shifted type.
///
/// Division is total, with RISC-V's results: `x / 0` is all ones (`DivU`) or -1 (`DivS`),
/// `x % 0` is `x`, `MIN / -1` is `MIN` and `MIN % -1` is 0. Frontends of other arches adjust
/// with `Select` or a guarded exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    /// High half of the unsigned product.
    MulHiU,
    /// High half of the signed product.
    MulHiS,
    /// High half of signed(lhs) * unsigned(rhs).
    MulHiSU,
    DivU,
    DivS,
    RemU,
    RemS,
    And,
    Or,
    Xor,
    Shl,
    ShrU,
    ShrS,
    RotL,
    RotR,
    /// Float ops (F32/F64 operands), host IEEE semantics with round-to-nearest-even and no
    /// exception flags. Frontends use them only where that is provably the guest's result.
    FAdd,
    FSub,
    FMul,
    FDiv,
}

impl BinOp {
    /// Every integer operation (tests and passes iterate over them).
    pub const INT: &'static [BinOp] = &[
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::MulHiU,
        BinOp::MulHiS,
        BinOp::MulHiSU,
        BinOp::DivU,
        BinOp::DivS,
        BinOp::RemU,
        BinOp::RemS,
        BinOp::And,
        BinOp::Or,
        BinOp::Xor,
        BinOp::Shl,
        BinOp::ShrU,
        BinOp::ShrS,
        BinOp::RotL,
        BinOp::RotR,
    ];
    /// Every float operation.
    pub const FLOAT: &'static [BinOp] = &[BinOp::FAdd, BinOp::FSub, BinOp::FMul, BinOp::FDiv];
}

/// One-operand operations; the result has the operand's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Not,
    Neg,
    /// Count leading zeros (width for zero).
    Clz,
    /// Count trailing zeros (width for zero).
    Ctz,
    Popcnt,
    /// Byte swap (I16, I32, I64, I128).
    Bswap,
    FNeg,
    FAbs,
    FSqrt,
}

/// Conversions between types; the result type is carried by the instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CastOp {
    /// Zero-extend to a wider integer type.
    ZExt,
    /// Sign-extend to a wider integer type.
    SExt,
    /// Keep the low bits in a narrower integer type.
    Trunc,
    /// Reinterpret bits between types of the same size (e.g. I64 <-> F64).
    Bitcast,
}

/// Integer comparison conditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    Eq,
    Ne,
    LtS,
    LeS,
    GtS,
    GeS,
    LtU,
    LeU,
    GtU,
    GeU,
}

impl Cond {
    /// The condition that holds exactly when `self` does not.
    pub fn invert(self) -> Cond {
        match self {
            Cond::Eq => Cond::Ne,
            Cond::Ne => Cond::Eq,
            Cond::LtS => Cond::GeS,
            Cond::GeS => Cond::LtS,
            Cond::LeS => Cond::GtS,
            Cond::GtS => Cond::LeS,
            Cond::LtU => Cond::GeU,
            Cond::GeU => Cond::LtU,
            Cond::LeU => Cond::GtU,
            Cond::GtU => Cond::LeU,
        }
    }
}

/// Atomic read-modify-write operations; they return the old memory value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AtomicOp {
    Add,
    And,
    Or,
    Xor,
    Xchg,
    SMin,
    SMax,
    UMin,
    UMax,
}

/// Why generated code or the interpreter stopped and handed control back to the caller of the
/// execution loop. `pc` in the CPU header says where the guest continues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExitReason {
    /// A system call instruction; `pc` already points past it.
    Syscall,
    /// An undefined or unimplemented instruction at `pc` (guest SIGILL).
    IllegalInsn,
    /// A breakpoint instruction at `pc` (guest SIGTRAP).
    Breakpoint,
    /// Instruction fetch from an unmapped or non-executable address `pc` (guest SIGSEGV).
    FetchFault,
    /// Stop request (`exit_request` was set, or the guest halted); resume at `pc`.
    Halt,
    /// An arch-specific exception with a number of the frontend's choosing.
    Exception(u32),
}

impl ExitReason {
    /// Encoding as the non-zero `u64` generated code returns (0 means "continue at pc").
    pub fn encode(self) -> u64 {
        match self {
            ExitReason::Syscall => 1,
            ExitReason::IllegalInsn => 2,
            ExitReason::Breakpoint => 3,
            ExitReason::FetchFault => 4,
            ExitReason::Halt => 5,
            ExitReason::Exception(n) => 0x1_0000_0000 | u64::from(n),
        }
    }

    /// Inverse of [`ExitReason::encode`]; `None` for 0 and unknown codes.
    pub fn decode(code: u64) -> Option<ExitReason> {
        Some(match code {
            1 => ExitReason::Syscall,
            2 => ExitReason::IllegalInsn,
            3 => ExitReason::Breakpoint,
            4 => ExitReason::FetchFault,
            5 => ExitReason::Halt,
            c if c >> 32 == 1 => ExitReason::Exception(c as u32),
            _ => return None,
        })
    }
}

/// One IR instruction. Instructions that produce a value have exactly one result.
#[derive(Clone, Debug, PartialEq)]
pub enum Inst {
    /// An integer or float constant; the low `ty.bits()` bits of `imm` are the value's bits.
    Const {
        ty: Type,
        imm: u128,
    },
    /// Read a guest register: `ty.bytes()` bytes at byte `offset` of the CPU state.
    ReadReg {
        ty: Type,
        offset: u32,
    },
    /// Write a guest register (size from the value's type).
    WriteReg {
        offset: u32,
        value: Value,
    },
    Unary {
        op: UnOp,
        arg: Value,
    },
    Binary {
        op: BinOp,
        lhs: Value,
        rhs: Value,
    },
    Cast {
        op: CastOp,
        ty: Type,
        arg: Value,
    },
    /// Integer compare; the result is I8, 0 or 1.
    Icmp {
        cond: Cond,
        lhs: Value,
        rhs: Value,
    },
    /// `cond != 0 ? if_true : if_false` (both evaluated; no side effects).
    Select {
        cond: Value,
        if_true: Value,
        if_false: Value,
    },
    /// Load `ty.bytes()` little-endian bytes from guest virtual address `addr` (I64).
    Load {
        ty: Type,
        addr: Value,
    },
    /// Store the value (size from its type) at guest virtual address `addr` (I64).
    Store {
        addr: Value,
        value: Value,
    },
    /// Atomic read-modify-write of `ty` at `addr`; result is the old value.
    AtomicRmw {
        op: AtomicOp,
        ty: Type,
        addr: Value,
        value: Value,
    },
    /// Atomic compare-and-swap of `ty` at `addr`; result is the old value.
    AtomicCas {
        ty: Type,
        addr: Value,
        expected: Value,
        replacement: Value,
    },
    /// Full memory fence.
    Fence,
    /// Call an out-of-line helper: `helper.func(env, args...)`; all arguments are passed as u64
    /// (integers zero-extended, floats as their bits). The result (if `helper.ret` is some) is
    /// the low bits of the returned u64.
    Call {
        helper: &'static Helper,
        args: Vec<Value>,
    },
    /// Side exit: if `cond != 0`, write back state, set the guest pc to `pc` and leave the
    /// block with `reason`.
    ExitIf {
        cond: Value,
        reason: ExitReason,
        pc: u64,
    },
}

/// An instruction with the value it defines (if any).
#[derive(Clone, Debug, PartialEq)]
pub struct InstData {
    pub result: Option<Value>,
    pub inst: Inst,
}

/// How a block ends.
#[derive(Clone, Debug, PartialEq)]
pub enum Terminal {
    /// Continue at a known guest pc (chainable).
    Goto(u64),
    /// Two-way branch on `cond != 0` to known guest pcs (both chainable).
    Branch {
        cond: Value,
        taken: u64,
        not_taken: u64,
    },
    /// Continue at a computed guest pc (I64): look up and jump.
    Indirect(Value),
    /// Leave the execution loop with `reason`; the guest pc is set to `pc`.
    Exit { reason: ExitReason, pc: u64 },
}

/// One translation block.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// Guest pc of the first instruction.
    pub pc: u64,
    /// Translation flags (mode bits) the block was translated under.
    pub flags: u32,
    /// Bytes of guest code covered, starting at `pc`.
    pub guest_size: u32,
    /// Number of guest instructions.
    pub insn_count: u32,
    /// Type of each value, indexed by `Value::index()`.
    pub value_types: Vec<Type>,
    pub insts: Vec<InstData>,
    pub terminal: Terminal,
}

impl Block {
    /// An empty block starting at `pc`, ending in `Goto(pc)` until a terminal is set.
    pub fn new(pc: u64, flags: u32) -> Block {
        Block {
            pc,
            flags,
            guest_size: 0,
            insn_count: 0,
            value_types: Vec::new(),
            insts: Vec::new(),
            terminal: Terminal::Goto(pc),
        }
    }

    /// The type of `v`.
    pub fn ty(&self, v: Value) -> Type {
        self.value_types[v.index()]
    }
}

/// The common first field of every guest CPU state struct. Generated code, the interpreter and
/// helpers find the guest pc, the guest memory window and the stop request here.
#[repr(C)]
#[derive(Debug, Default)]
pub struct CpuHeader {
    /// Guest program counter (valid at block boundaries and exits).
    pub pc: u64,
    /// Host address of guest address 0 (user mode: the reserved guest window).
    pub mem_base: u64,
    /// Guest addresses are masked with this before adding `mem_base`.
    pub mem_mask: u64,
    /// Non-zero asks the running code to return to the execution loop at the next block start.
    pub exit_request: AtomicU32,
    pub _reserved: u32,
}

/// Byte offsets of the header fields, for generated code.
pub mod header_offsets {
    pub const PC: i32 = 0;
    pub const MEM_BASE: i32 = 8;
    pub const MEM_MASK: i32 = 16;
    pub const EXIT_REQUEST: i32 = 24;
}

/// A copy for another CPU (a new guest thread): same pc and memory window, no stop request.
impl Clone for CpuHeader {
    fn clone(&self) -> CpuHeader {
        CpuHeader {
            pc: self.pc,
            mem_base: self.mem_base,
            mem_mask: self.mem_mask,
            exit_request: AtomicU32::new(0),
            _reserved: 0,
        }
    }
}

impl CpuHeader {
    /// Host pointer for guest address `addr` (no access check: the window's protection is the
    /// check).
    pub fn host_addr(&self, addr: u64) -> *mut u8 {
        (self.mem_base.wrapping_add(addr & self.mem_mask)) as *mut u8
    }
}

/// A translation flag the execution engine (not the guest arch) sets: translate blocks of one
/// guest instruction (a debugger single-steps or has breakpoints). Arch flags never use it.
pub const TB_FLAG_ONE_INSN: u32 = 1 << 31;

/// Supplies blocks to an execution engine. Implemented per guest arch by emu-frontend, consumed
/// by emu-backend; it lives here because both depend on this crate and not on each other.
pub trait Translator: Send + Sync {
    /// Translate the guest block at `pc` under `flags` (with [`TB_FLAG_ONE_INSN`]: of one
    /// instruction). Never fails: code that cannot be fetched
    /// or decoded becomes an `Exit` terminal (`FetchFault` / `IllegalInsn`) at that pc.
    fn translate(&self, pc: u64, flags: u32) -> Block;
    /// The translation flags for the CPU state's current mode (0 where there are none).
    ///
    /// # Safety
    /// `env` must point to this translator's CPU state struct.
    unsafe fn flags(&self, env: *const u8) -> u32;
}
