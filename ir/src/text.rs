//! The IR text format: `Display` for blocks and their parts, and a parser that reads it back.
//!
//! One block looks like this (one instruction per line, `;` starts a comment):
//!
//! ```text
//! block pc=0x10074 flags=0x0 size=12 insns=3 {
//!     v0:i64 = read_reg 8
//!     v1:i64 = const 0x10
//!     v2:i64 = add v0, v1
//!     write_reg 16, v2
//!     v3:i8 = icmp ltu v0, v1
//!     v4:i64 = call rv_helper(v0, v1)
//!     exit_if v3, syscall, 0x10078
//!     branch v3, 0x10080, 0x10084
//! }
//! ```
//!
//! Every defined value carries its type (`v2:i64`). The parser accepts any value numbers and
//! renumbers them densely in definition order, so printing a parsed block gives the canonical
//! text. Helpers are found by name in the [`crate::helpers`] registry. The parser checks syntax
//! and names only; type rules are the verifier's job, so ill-typed blocks can be written down
//! (for verifier tests) as long as every instruction that carries a type has a typed result.

use std::collections::HashMap;
use std::fmt;

use crate::{
    helpers, AtomicOp, BinOp, Block, CastOp, Cond, ExitReason, Inst, InstData, Terminal, Type,
    UnOp, Value,
};

/// A text-format syntax error with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {msg}")]
pub struct ParseError {
    pub line: usize,
    pub msg: String,
}

// ---------------------------------------------------------------------------------------------
// Names: one table per enum, used by both the printer and the parser.
// ---------------------------------------------------------------------------------------------

const TYPE_NAMES: &[(Type, &str)] = &[
    (Type::I8, "i8"),
    (Type::I16, "i16"),
    (Type::I32, "i32"),
    (Type::I64, "i64"),
    (Type::I128, "i128"),
    (Type::F32, "f32"),
    (Type::F64, "f64"),
    (Type::V128, "v128"),
];

const BINOP_NAMES: &[(BinOp, &str)] = &[
    (BinOp::Add, "add"),
    (BinOp::Sub, "sub"),
    (BinOp::Mul, "mul"),
    (BinOp::MulHiU, "mulhu"),
    (BinOp::MulHiS, "mulhs"),
    (BinOp::MulHiSU, "mulhsu"),
    (BinOp::DivU, "divu"),
    (BinOp::DivS, "divs"),
    (BinOp::RemU, "remu"),
    (BinOp::RemS, "rems"),
    (BinOp::And, "and"),
    (BinOp::Or, "or"),
    (BinOp::Xor, "xor"),
    (BinOp::Shl, "shl"),
    (BinOp::ShrU, "shru"),
    (BinOp::ShrS, "shrs"),
    (BinOp::RotL, "rotl"),
    (BinOp::RotR, "rotr"),
    (BinOp::FAdd, "fadd"),
    (BinOp::FSub, "fsub"),
    (BinOp::FMul, "fmul"),
    (BinOp::FDiv, "fdiv"),
];

const UNOP_NAMES: &[(UnOp, &str)] = &[
    (UnOp::Not, "not"),
    (UnOp::Neg, "neg"),
    (UnOp::Clz, "clz"),
    (UnOp::Ctz, "ctz"),
    (UnOp::Popcnt, "popcnt"),
    (UnOp::Bswap, "bswap"),
    (UnOp::FNeg, "fneg"),
    (UnOp::FAbs, "fabs"),
    (UnOp::FSqrt, "fsqrt"),
];

const CASTOP_NAMES: &[(CastOp, &str)] = &[
    (CastOp::ZExt, "zext"),
    (CastOp::SExt, "sext"),
    (CastOp::Trunc, "trunc"),
    (CastOp::Bitcast, "bitcast"),
];

const COND_NAMES: &[(Cond, &str)] = &[
    (Cond::Eq, "eq"),
    (Cond::Ne, "ne"),
    (Cond::LtS, "lts"),
    (Cond::LeS, "les"),
    (Cond::GtS, "gts"),
    (Cond::GeS, "ges"),
    (Cond::LtU, "ltu"),
    (Cond::LeU, "leu"),
    (Cond::GtU, "gtu"),
    (Cond::GeU, "geu"),
];

const ATOMICOP_NAMES: &[(AtomicOp, &str)] = &[
    (AtomicOp::Add, "add"),
    (AtomicOp::And, "and"),
    (AtomicOp::Or, "or"),
    (AtomicOp::Xor, "xor"),
    (AtomicOp::Xchg, "xchg"),
    (AtomicOp::SMin, "smin"),
    (AtomicOp::SMax, "smax"),
    (AtomicOp::UMin, "umin"),
    (AtomicOp::UMax, "umax"),
];

/// Exit reasons without a payload; `exception(N)` is handled separately.
const EXIT_NAMES: &[(ExitReason, &str)] = &[
    (ExitReason::Syscall, "syscall"),
    (ExitReason::IllegalInsn, "illegal_insn"),
    (ExitReason::Breakpoint, "breakpoint"),
    (ExitReason::FetchFault, "fetch_fault"),
    (ExitReason::Halt, "halt"),
];

fn name_of<T: PartialEq + Copy>(table: &[(T, &'static str)], item: T) -> &'static str {
    table
        .iter()
        .find(|(t, _)| *t == item)
        .map_or("?", |(_, n)| n)
}

fn lookup_name<T: Copy>(table: &[(T, &'static str)], name: &str) -> Option<T> {
    table.iter().find(|(_, n)| *n == name).map(|(t, _)| *t)
}

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

macro_rules! display_by_table {
    ($ty:ty, $table:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(name_of($table, *self))
            }
        }
    };
}

display_by_table!(Type, TYPE_NAMES);
display_by_table!(BinOp, BINOP_NAMES);
display_by_table!(UnOp, UNOP_NAMES);
display_by_table!(CastOp, CASTOP_NAMES);
display_by_table!(Cond, COND_NAMES);
display_by_table!(AtomicOp, ATOMICOP_NAMES);

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

impl fmt::Display for ExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitReason::Exception(n) => write!(f, "exception({n})"),
            other => f.write_str(name_of(EXIT_NAMES, *other)),
        }
    }
}

/// The instruction without its result, e.g. `add v1, v2` or `const 0x10` (the type of a typed
/// instruction is printed with its result by [`Block`]'s `Display`).
impl fmt::Display for Inst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Inst::Const { imm, .. } => write!(f, "const {imm:#x}"),
            Inst::ReadReg { offset, .. } => write!(f, "read_reg {offset}"),
            Inst::WriteReg { offset, value } => write!(f, "write_reg {offset}, {value}"),
            Inst::Unary { op, arg } => write!(f, "{op} {arg}"),
            Inst::Binary { op, lhs, rhs } => write!(f, "{op} {lhs}, {rhs}"),
            Inst::Cast { op, arg, .. } => write!(f, "{op} {arg}"),
            Inst::Icmp { cond, lhs, rhs } => write!(f, "icmp {cond} {lhs}, {rhs}"),
            Inst::Select {
                cond,
                if_true,
                if_false,
            } => write!(f, "select {cond}, {if_true}, {if_false}"),
            Inst::Load { addr, .. } => write!(f, "load {addr}"),
            Inst::Store { addr, value } => write!(f, "store {addr}, {value}"),
            Inst::AtomicRmw {
                op, addr, value, ..
            } => write!(f, "atomic_rmw {op} {addr}, {value}"),
            Inst::AtomicCas {
                addr,
                expected,
                replacement,
                ..
            } => write!(f, "atomic_cas {addr}, {expected}, {replacement}"),
            Inst::Fence => f.write_str("fence"),
            Inst::Call { helper, args } => {
                write!(f, "call {}(", helper.name)?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            Inst::ExitIf { cond, reason, pc } => write!(f, "exit_if {cond}, {reason}, {pc:#x}"),
        }
    }
}

/// Short form without the result type, e.g. `v3 = add v1, v2` (for messages; [`Block`] prints
/// the typed form).
impl fmt::Display for InstData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(r) = self.result {
            write!(f, "{r} = ")?;
        }
        write!(f, "{}", self.inst)
    }
}

impl fmt::Display for Terminal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Terminal::Goto(pc) => write!(f, "goto {pc:#x}"),
            Terminal::Branch {
                cond,
                taken,
                not_taken,
            } => write!(f, "branch {cond}, {taken:#x}, {not_taken:#x}"),
            Terminal::Indirect(v) => write!(f, "indirect {v}"),
            Terminal::Exit { reason, pc } => write!(f, "exit {reason}, {pc:#x}"),
        }
    }
}

impl Block {
    /// One instruction as the block prints it: `v2:i64 = add v0, v1`. Unknown value types (in a
    /// malformed block) print as `?`.
    pub fn display_inst<'a>(&'a self, data: &'a InstData) -> impl fmt::Display + 'a {
        struct Typed<'a>(&'a Block, &'a InstData);
        impl fmt::Display for Typed<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                if let Some(r) = self.1.result {
                    match self.0.value_types.get(r.index()) {
                        Some(ty) => write!(f, "{r}:{ty} = ")?,
                        None => write!(f, "{r}:? = ")?,
                    }
                }
                write!(f, "{}", self.1.inst)
            }
        }
        Typed(self, data)
    }
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "block pc={:#x} flags={:#x} size={} insns={} {{",
            self.pc, self.flags, self.guest_size, self.insn_count
        )?;
        for data in &self.insts {
            writeln!(f, "    {}", self.display_inst(data))?;
        }
        writeln!(f, "    {}", self.terminal)?;
        writeln!(f, "}}")
    }
}

// ---------------------------------------------------------------------------------------------
// Lexing
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    /// A number: magnitude and sign.
    Num {
        neg: bool,
        mag: u128,
    },
    Punct(char),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) => write!(f, "`{s}`"),
            Tok::Num { neg, mag } => write!(f, "`{}{mag}`", if *neg { "-" } else { "" }),
            Tok::Punct(c) => write!(f, "`{c}`"),
        }
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

fn parse_number(text: &str) -> Option<u128> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        u128::from_str_radix(hex, 16).ok()
    } else {
        digits.parse().ok()
    }
}

/// Split one line (comment already removed) into tokens.
fn tokenize(line: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = line.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
        } else if is_ident_start(c) {
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            toks.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let neg = c == '-';
            if neg {
                i += 1;
            }
            let digits_start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let text: String = chars[digits_start..i].iter().collect();
            let mag = parse_number(&text).ok_or_else(|| format!("bad number `{text}`"))?;
            toks.push(Tok::Num { neg, mag });
        } else if "=:,(){}".contains(c) {
            toks.push(Tok::Punct(c));
            i += 1;
        } else {
            return Err(format!("unexpected character `{c}`"));
        }
    }
    Ok(toks)
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// The tokens of one source line and a cursor over them.
struct Line {
    no: usize,
    toks: Vec<Tok>,
    pos: usize,
}

type PResult<T> = Result<T, ParseError>;

impl Line {
    fn err<T>(&self, msg: impl Into<String>) -> PResult<T> {
        Err(ParseError {
            line: self.no,
            msg: msg.into(),
        })
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next_tok(&mut self, what: &str) -> PResult<Tok> {
        match self.toks.get(self.pos) {
            Some(t) => {
                self.pos += 1;
                Ok(t.clone())
            }
            None => self.err(format!("expected {what}, found end of line")),
        }
    }

    fn ident(&mut self, what: &str) -> PResult<String> {
        match self.next_tok(what)? {
            Tok::Ident(s) => Ok(s),
            t => self.err(format!("expected {what}, found {t}")),
        }
    }

    fn punct(&mut self, c: char) -> PResult<()> {
        match self.next_tok(&format!("`{c}`"))? {
            Tok::Punct(p) if p == c => Ok(()),
            t => self.err(format!("expected `{c}`, found {t}")),
        }
    }

    fn eat_punct(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// A non-negative number no larger than `max`.
    fn number(&mut self, what: &str, max: u128) -> PResult<u128> {
        match self.next_tok(what)? {
            Tok::Num { neg: false, mag } if mag <= max => Ok(mag),
            Tok::Num { .. } => self.err(format!("{what} out of range")),
            t => self.err(format!("expected {what}, found {t}")),
        }
    }

    fn u64(&mut self, what: &str) -> PResult<u64> {
        self.number(what, u64::MAX.into()).map(|n| n as u64)
    }

    fn u32(&mut self, what: &str) -> PResult<u32> {
        self.number(what, u32::MAX.into()).map(|n| n as u32)
    }

    fn comma(&mut self) -> PResult<()> {
        self.punct(',')
    }

    fn end(&self) -> PResult<()> {
        match self.peek() {
            None => Ok(()),
            Some(t) => self.err(format!("unexpected {t} at end of line")),
        }
    }

    fn named<T: Copy>(&mut self, table: &[(T, &'static str)], what: &str) -> PResult<T> {
        let name = self.ident(what)?;
        match lookup_name(table, &name) {
            Some(t) => Ok(t),
            None => self.err(format!("unknown {what} `{name}`")),
        }
    }

    /// `key=number` in a block header.
    fn key_number(&mut self, key: &str, max: u128) -> PResult<u128> {
        let found = self.ident(key)?;
        if found != key {
            return self.err(format!("expected `{key}=`, found `{found}`"));
        }
        self.punct('=')?;
        self.number(key, max)
    }
}

/// The number in a value name such as `v12`.
fn value_number(name: &str) -> Option<u32> {
    let digits = name.strip_prefix('v')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Parser state for one block: the value renumbering and the block under construction.
struct BlockParser {
    block: Block,
    /// Text value number -> dense value.
    names: HashMap<u32, Value>,
}

impl BlockParser {
    /// A use of a value.
    fn use_value(&self, line: &mut Line) -> PResult<Value> {
        let name = line.ident("a value")?;
        let Some(n) = value_number(&name) else {
            return line.err(format!("expected a value, found `{name}`"));
        };
        match self.names.get(&n) {
            Some(v) => Ok(*v),
            None => line.err(format!("use of undefined value `{name}`")),
        }
    }

    /// `vA, vB, ...` (exactly `n` values separated by commas).
    fn use_values<const N: usize>(&self, line: &mut Line) -> PResult<[Value; N]> {
        let mut out = [Value(0); N];
        for (i, slot) in out.iter_mut().enumerate() {
            if i > 0 {
                line.comma()?;
            }
            *slot = self.use_value(line)?;
        }
        Ok(out)
    }

    /// Define the result `vN:ty` and return its dense value.
    fn define(&mut self, line: &Line, n: u32, ty: Type) -> PResult<Value> {
        if self.names.contains_key(&n) {
            return line.err(format!("value `v{n}` defined twice"));
        }
        let v = Value(self.block.value_types.len() as u32);
        self.block.value_types.push(ty);
        self.names.insert(n, v);
        Ok(v)
    }

    /// One instruction line (after the optional `vN:ty =` prefix has been read as `result`).
    fn inst(&self, line: &mut Line, op: &str, result_ty: Option<Type>) -> PResult<Inst> {
        let typed = |line: &Line| -> PResult<Type> {
            match result_ty {
                Some(ty) => Ok(ty),
                None => line.err(format!(
                    "`{op}` needs a typed result (`vN:type = {op} ...`)"
                )),
            }
        };
        let inst = match op {
            "const" => {
                let ty = typed(line)?;
                let imm = match line.next_tok("a constant")? {
                    Tok::Num { neg: false, mag } if mag <= ty.mask() => mag,
                    Tok::Num { neg: true, mag } if mag <= ty.mask() / 2 + 1 => {
                        mag.wrapping_neg() & ty.mask()
                    }
                    Tok::Num { .. } => return line.err(format!("constant does not fit in {ty}")),
                    t => return line.err(format!("expected a constant, found {t}")),
                };
                Inst::Const { ty, imm }
            }
            "read_reg" => Inst::ReadReg {
                ty: typed(line)?,
                offset: line.u32("a register offset")?,
            },
            "write_reg" => {
                let offset = line.u32("a register offset")?;
                line.comma()?;
                Inst::WriteReg {
                    offset,
                    value: self.use_value(line)?,
                }
            }
            "icmp" => {
                let cond = line.named(COND_NAMES, "condition")?;
                let [lhs, rhs] = self.use_values(line)?;
                Inst::Icmp { cond, lhs, rhs }
            }
            "select" => {
                let [cond, if_true, if_false] = self.use_values(line)?;
                Inst::Select {
                    cond,
                    if_true,
                    if_false,
                }
            }
            "load" => Inst::Load {
                ty: typed(line)?,
                addr: self.use_value(line)?,
            },
            "store" => {
                let [addr, value] = self.use_values(line)?;
                Inst::Store { addr, value }
            }
            "atomic_rmw" => {
                let ty = typed(line)?;
                let op = line.named(ATOMICOP_NAMES, "atomic operation")?;
                let [addr, value] = self.use_values(line)?;
                Inst::AtomicRmw {
                    op,
                    ty,
                    addr,
                    value,
                }
            }
            "atomic_cas" => {
                let ty = typed(line)?;
                let [addr, expected, replacement] = self.use_values(line)?;
                Inst::AtomicCas {
                    ty,
                    addr,
                    expected,
                    replacement,
                }
            }
            "fence" => Inst::Fence,
            "call" => self.call(line)?,
            "exit_if" => {
                let cond = self.use_value(line)?;
                line.comma()?;
                let reason = parse_exit_reason(line)?;
                line.comma()?;
                Inst::ExitIf {
                    cond,
                    reason,
                    pc: line.u64("a pc")?,
                }
            }
            _ => {
                if let Some(op) = lookup_name(BINOP_NAMES, op) {
                    let [lhs, rhs] = self.use_values(line)?;
                    Inst::Binary { op, lhs, rhs }
                } else if let Some(op) = lookup_name(UNOP_NAMES, op) {
                    Inst::Unary {
                        op,
                        arg: self.use_value(line)?,
                    }
                } else if let Some(cast) = lookup_name(CASTOP_NAMES, op) {
                    Inst::Cast {
                        op: cast,
                        ty: typed(line)?,
                        arg: self.use_value(line)?,
                    }
                } else {
                    return line.err(format!("unknown instruction `{op}`"));
                }
            }
        };
        line.end()?;
        Ok(inst)
    }

    /// `call name(vA, vB)` after the `call` keyword.
    fn call(&self, line: &mut Line) -> PResult<Inst> {
        let name = line.ident("a helper name")?;
        let Some(helper) = helpers::lookup(&name) else {
            return line.err(format!("unknown helper `{name}`"));
        };
        line.punct('(')?;
        let mut args = Vec::new();
        if !line.eat_punct(')') {
            loop {
                args.push(self.use_value(line)?);
                if line.eat_punct(')') {
                    break;
                }
                line.comma()?;
            }
        }
        Ok(Inst::Call { helper, args })
    }

    /// A terminal line, if `op` names a terminal.
    fn terminal(&self, line: &mut Line, op: &str) -> PResult<Option<Terminal>> {
        let term = match op {
            "goto" => Terminal::Goto(line.u64("a pc")?),
            "branch" => {
                let cond = self.use_value(line)?;
                line.comma()?;
                let taken = line.u64("a pc")?;
                line.comma()?;
                let not_taken = line.u64("a pc")?;
                Terminal::Branch {
                    cond,
                    taken,
                    not_taken,
                }
            }
            "indirect" => Terminal::Indirect(self.use_value(line)?),
            "exit" => {
                let reason = parse_exit_reason(line)?;
                line.comma()?;
                Terminal::Exit {
                    reason,
                    pc: line.u64("a pc")?,
                }
            }
            _ => return Ok(None),
        };
        line.end()?;
        Ok(Some(term))
    }

    /// One line inside the block body: an instruction (pushed) or the terminal (returned).
    fn statement(&mut self, line: &mut Line) -> PResult<Option<Terminal>> {
        let first = line.ident("an instruction")?;
        let mut result = None;
        let op = match value_number(&first) {
            Some(n) if line.peek() == Some(&Tok::Punct(':')) => {
                line.punct(':')?;
                let ty = line.named(TYPE_NAMES, "type")?;
                line.punct('=')?;
                result = Some((n, ty));
                line.ident("an instruction")?
            }
            _ => first,
        };
        if result.is_none() {
            if let Some(term) = self.terminal(line, &op)? {
                return Ok(Some(term));
            }
        }
        let inst = self.inst(line, &op, result.map(|(_, ty)| ty))?;
        let result = match result {
            Some((n, ty)) => Some(self.define(line, n, ty)?),
            None => None,
        };
        self.block.insts.push(InstData { result, inst });
        Ok(None)
    }
}

fn parse_exit_reason(line: &mut Line) -> PResult<ExitReason> {
    let name = line.ident("an exit reason")?;
    if name == "exception" {
        line.punct('(')?;
        let n = line.u32("an exception number")?;
        line.punct(')')?;
        return Ok(ExitReason::Exception(n));
    }
    match lookup_name(EXIT_NAMES, &name) {
        Some(r) => Ok(r),
        None => line.err(format!("unknown exit reason `{name}`")),
    }
}

/// Tokenize every non-empty line (comments removed).
fn lex_lines(text: &str) -> PResult<Vec<Line>> {
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let code = raw.split(';').next().unwrap_or("");
        let toks = tokenize(code).map_err(|msg| ParseError { line: i + 1, msg })?;
        if !toks.is_empty() {
            lines.push(Line {
                no: i + 1,
                toks,
                pos: 0,
            });
        }
    }
    Ok(lines)
}

/// `block pc=.. flags=.. size=.. insns=.. {`
fn parse_header(line: &mut Line) -> PResult<Block> {
    let kw = line.ident("`block`")?;
    if kw != "block" {
        return line.err(format!("expected `block`, found `{kw}`"));
    }
    let pc = line.key_number("pc", u64::MAX.into())? as u64;
    let flags = line.key_number("flags", u32::MAX.into())? as u32;
    let size = line.key_number("size", u32::MAX.into())? as u32;
    let insns = line.key_number("insns", u32::MAX.into())? as u32;
    line.punct('{')?;
    line.end()?;
    let mut block = Block::new(pc, flags);
    block.guest_size = size;
    block.insn_count = insns;
    Ok(block)
}

/// Parse one block starting at `lines[0]`; returns it and the number of lines consumed.
fn parse_one(lines: &mut [Line]) -> PResult<(Block, usize)> {
    let Some((header, body)) = lines.split_first_mut() else {
        return Err(ParseError {
            line: 0,
            msg: "expected a block".into(),
        });
    };
    let mut p = BlockParser {
        block: parse_header(header)?,
        names: HashMap::new(),
    };
    let mut terminal = None;
    for (i, line) in body.iter_mut().enumerate() {
        if line.toks == [Tok::Punct('}')] {
            return match terminal {
                Some(t) => {
                    p.block.terminal = t;
                    Ok((p.block, i + 2))
                }
                None => line.err("block has no terminal (goto/branch/indirect/exit)"),
            };
        }
        if terminal.is_some() {
            return line.err("instruction after the terminal");
        }
        terminal = p.statement(line)?;
    }
    header.err("block is not closed with `}`")
}

/// Parse every block in `text` (at least zero).
pub fn parse_blocks(text: &str) -> Result<Vec<Block>, ParseError> {
    let mut lines = lex_lines(text)?;
    let mut blocks = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let (block, used) = parse_one(&mut lines[at..])?;
        blocks.push(block);
        at += used;
    }
    Ok(blocks)
}

/// Parse exactly one block.
pub fn parse_block(text: &str) -> Result<Block, ParseError> {
    let mut blocks = parse_blocks(text)?;
    match blocks.len() {
        1 => Ok(blocks.remove(0)),
        n => Err(ParseError {
            line: 1,
            msg: format!("expected exactly one block, found {n}"),
        }),
    }
}
