//! The run-time side of the Advanced SIMD integer data-processing instructions: decoding an
//! instruction word into a [`Job`] (a lane-engine [`Plan`] or a permute routine), and
//! executing it on the CPU state.
//!
//! The translator decodes a word once with [`job`] (an unallocated encoding gives `None`, so
//! the translator raises SIGILL) and interns the result ([`intern`]); the `a64_simd` helper
//! runs the interned job by index ([`exec`]).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use super::lanes::{run as op, L};
use crate::aarch64::insn::Insn;
use crate::aarch64::A64Cpu;

/// Instruction groups, passed to the helper so it needs no second pattern match.
pub const G_3SAME: u64 = 0;
pub const G_3SAME_S: u64 = 1;
pub const G_3DIFF: u64 = 2;
pub const G_3DIFF_S: u64 = 3;
pub const G_2MISC: u64 = 4;
pub const G_2MISC_S: u64 = 5;
pub const G_ACROSS: u64 = 6;
pub const G_SHIFT: u64 = 7;
pub const G_SHIFT_S: u64 = 8;
pub const G_ELEM: u64 = 9;
pub const G_ELEM_S: u64 = 10;
pub const G_PAIR_S: u64 = 11;
pub const G_PERM: u64 = 12;
pub const G_EXT: u64 = 13;
pub const G_TBL: u64 = 14;
pub const G_3EXTRA: u64 = 15;
pub const G_3EXTRA_S: u64 = 16;

/// Where the `a` and `b` operands of result lane `i` come from (every `Vx[k]` is a lane of
/// the source element size).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    /// `a = Vn[a_off + i]`, `b` per [`BSrc`].
    Lanes,
    /// Pairwise over the concatenation `Vm:Vn`: `a = cat[2i]`, `b = cat[2i + 1]`.
    Pairs,
    /// Pairwise within `Vn`: `a = Vn[2i]`, `b = Vn[2i + 1]`.
    PairsN,
    /// Reduction of the `n` lanes of `Vn` into one result lane.
    Across(usize),
}

/// Where `b` comes from for [`Src::Lanes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BSrc {
    /// `Vm[b_off + i]`.
    Reg,
    /// `Vm[index]` for every lane.
    Elem(usize),
    /// A constant (shift amounts).
    Imm(i128),
}

/// An engine instance: [`run_plan`] specialised for one lane operation.
pub type F = fn(&mut A64Cpu, &Plan);

/// A lane-engine instruction.
#[derive(Clone, Copy)]
pub struct Plan {
    /// The engine instance of the lane operation.
    pub f: F,
    /// The U bit: sources are zero-extended (else sign-extended), saturation is unsigned.
    pub u: bool,
    /// Result element bits.
    pub e: u32,
    /// Source element bits (of `b`, and of `a` unless `a_wide`).
    pub ein: u32,
    /// `a` is at the result size (the wide forms).
    pub a_wide: bool,
    /// Result lanes.
    pub lanes: usize,
    /// The result goes to bits 127:64 and bits 63:0 are kept (narrowing "2" forms).
    pub upper: bool,
    /// First source lane of `a` and of `b` (the upper-half "2" forms of long operations).
    pub a_off: usize,
    pub b_off: usize,
    pub src: Src,
    pub b: BSrc,
    pub rd: u32,
    pub rn: u32,
    pub rm: u32,
}

/// A decoded instruction.
#[derive(Clone, Copy)]
pub enum Job {
    /// An elementwise operation run by the lane engine.
    Lanes(Plan),
    /// A routine of its own (permutes, table lookups, dot products), given the word.
    Run(fn(&mut A64Cpu, Insn)),
}

/// Decode an instruction of group `g` (one of the `G_*` constants).
pub fn job(g: u64, i: Insn) -> Option<Job> {
    let run = |f: fn(&mut A64Cpu, Insn)| Some(Job::Run(f));
    match g {
        G_3SAME => three_same(i, false),
        G_3SAME_S => three_same(i, true),
        G_3DIFF => three_diff(i, false),
        G_3DIFF_S => three_diff(i, true),
        G_2MISC => two_misc(i, false),
        G_2MISC_S => two_misc(i, true),
        G_ACROSS => across(i),
        G_SHIFT => shift_imm(i, false),
        G_SHIFT_S => shift_imm(i, true),
        G_ELEM => by_elem(i, false),
        G_ELEM_S => by_elem(i, true),
        // ADDP (scalar); the other scalar pairwise operations are FP.
        G_PAIR_S => (i.bits(23, 22) == 3 && !i.bit(29) && i.bits(16, 12) == 0b11011).then(|| {
            let mut p = base(i, op::add, 64, 64, 1);
            p.src = Src::PairsN;
            Job::Lanes(p)
        }),
        G_PERM => {
            (i.bits(13, 12) != 0 && (i.bits(23, 22) != 3 || q(i))).then_some(Job::Run(permute))
        }
        G_EXT => (q(i) || !i.bit(14)).then_some(Job::Run(ext)),
        G_TBL => run(tbl),
        G_3EXTRA => three_extra(i, false),
        G_3EXTRA_S => three_extra(i, true),
        _ => None,
    }
}

/// Interned jobs live in lazily allocated chunks of slots, so the helper finds one with two
/// atomic loads and no lock; only interning takes the `INDEX` lock.
const CHUNK: usize = 4096;
const CHUNKS: usize = 1024;

type Slot = OnceLock<(Job, Insn)>;

static SLOTS: [OnceLock<Box<[Slot]>>; CHUNKS] = [const { OnceLock::new() }; CHUNKS];

/// The interning index of each `(group, word)` decoded so far.
fn index() -> &'static Mutex<HashMap<(u64, u32), u64>> {
    static INDEX: OnceLock<Mutex<HashMap<(u64, u32), u64>>> = OnceLock::new();
    INDEX.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The slot of interning index `k`, allocating its chunk when `alloc`.
fn slot(k: u64, alloc: bool) -> Option<&'static Slot> {
    let k = usize::try_from(k).ok()?;
    let chunk = SLOTS.get(k / CHUNK)?;
    let chunk = if alloc {
        chunk.get_or_init(|| (0..CHUNK).map(|_| OnceLock::new()).collect())
    } else {
        chunk.get()?
    };
    chunk.get(k % CHUNK)
}

/// Decode an instruction of group `g` and intern it: its index for [`exec`], or `None` for
/// an unallocated encoding.
pub fn intern(g: u64, i: Insn) -> Option<u64> {
    let job = job(g, i)?;
    let mut map = index().lock().unwrap_or_else(|e| e.into_inner());
    let next = map.len() as u64;
    let k = *map.entry((g, i.0)).or_insert(next);
    if let Some(s) = slot(k, true) {
        let _ = s.set((job, i));
    }
    Some(k)
}

/// Execute the instruction interned as `index` (group `g`, word `i`; decoded again when the
/// index does not name that word, as for IR parsed from text).
pub fn exec(cpu: &mut A64Cpu, index: u64, g: u64, i: Insn) {
    let found = slot(index, false)
        .and_then(OnceLock::get)
        .filter(|(_, w)| *w == i);
    match found {
        Some((job, _)) => run_job(cpu, job, i),
        None => {
            if let Some(job) = job(g, i) {
                run_job(cpu, &job, i);
            }
        }
    }
}

fn run_job(cpu: &mut A64Cpu, job: &Job, i: Insn) {
    match job {
        Job::Lanes(p) => (p.f)(cpu, p),
        Job::Run(f) => f(cpu, i),
    }
}

fn q(i: Insn) -> bool {
    i.bit(30)
}

/// Lanes of `bits` in the Q-selected vector size.
fn vlanes(i: Insn, bits: u32) -> usize {
    (if q(i) { 128 } else { 64 }) / bits as usize
}

/// A plan with the common fields set: `a = Vn[i]`, `b = Vm[i]`.
fn base(i: Insn, f: F, e: u32, ein: u32, lanes: usize) -> Plan {
    Plan {
        f,
        u: i.bit(29),
        e,
        ein,
        a_wide: false,
        lanes,
        upper: false,
        a_off: 0,
        b_off: 0,
        src: Src::Lanes,
        b: BSrc::Reg,
        rd: i.rd(),
        rn: i.rn(),
        rm: i.rm(),
    }
}

/// Allowed element sizes as a bit mask over `size` (bit 3: 64-bit elements).
const ALL: u8 = 0b1111;
const NO64: u8 = 0b0111;
const B8: u8 = 0b0001;
const HS: u8 = 0b0110;
const D64: u8 = 0b1000;
const NONE: u8 = 0;

/// A same-size plan over `size`, checking the allowed sizes (vector: 64-bit elements need
/// Q=1) and choosing the lane count (scalar: one).
fn same_plan(i: Insn, f: F, sizes: (u8, u8), scalar: bool, src: Src) -> Option<Plan> {
    let size = i.bits(23, 22);
    let allowed = if scalar { sizes.1 } else { sizes.0 };
    if allowed >> size & 1 == 0 || (!scalar && size == 3 && !q(i)) {
        return None;
    }
    let e = 8 << size;
    let lanes = if scalar { 1 } else { vlanes(i, e) };
    let mut p = base(i, f, e, e, lanes);
    p.src = src;
    Some(p)
}

fn three_same(i: Insn, scalar: bool) -> Option<Job> {
    let (opc, u) = (i.bits(15, 11), i.bit(29));
    if opc == 3 {
        // Logical: size selects the operation; elements are whole halves.
        if scalar {
            return None;
        }
        let table: [F; 8] = [
            op::and,
            op::bic,
            op::orr,
            op::orn,
            op::eor,
            op::bsl,
            op::bit,
            op::bif,
        ];
        let f = table[(usize::from(u) << 2) | i.bits(23, 22) as usize];
        return Some(Job::Lanes(base(i, f, 64, 64, vlanes(i, 64))));
    }
    let pick = |f0: F, f1: F| if u { f1 } else { f0 };
    let (f, sizes, src): (F, (u8, u8), Src) = match opc {
        0 => (op::hadd, (NO64, NONE), Src::Lanes),
        1 => (op::qadd, (ALL, ALL), Src::Lanes),
        2 => (op::rhadd, (NO64, NONE), Src::Lanes),
        4 => (op::hsub, (NO64, NONE), Src::Lanes),
        5 => (op::qsub, (ALL, ALL), Src::Lanes),
        6 => (op::cmgt, (ALL, D64), Src::Lanes),
        7 => (op::cmge, (ALL, D64), Src::Lanes),
        8 => (op::shl_reg, (ALL, D64), Src::Lanes),
        9 => (op::qshl_reg, (ALL, ALL), Src::Lanes),
        10 => (op::rshl_reg, (ALL, D64), Src::Lanes),
        11 => (op::qrshl_reg, (ALL, ALL), Src::Lanes),
        12 => (op::max, (NO64, NONE), Src::Lanes),
        13 => (op::min, (NO64, NONE), Src::Lanes),
        14 => (op::abd, (NO64, NONE), Src::Lanes),
        15 => (op::aba, (NO64, NONE), Src::Lanes),
        16 => (pick(op::add, op::sub), (ALL, D64), Src::Lanes),
        17 => (pick(op::cmtst, op::cmeq), (ALL, D64), Src::Lanes),
        18 => (pick(op::mla, op::mls), (NO64, NONE), Src::Lanes),
        19 if u => (op::pmul, (B8, NONE), Src::Lanes),
        19 => (op::mul, (NO64, NONE), Src::Lanes),
        20 => (op::max, (NO64, NONE), Src::Pairs),
        21 => (op::min, (NO64, NONE), Src::Pairs),
        22 => (pick(op::sqdmulh, op::sqrdmulh), (HS, HS), Src::Lanes),
        23 if !u => (op::add, (ALL, NONE), Src::Pairs),
        _ => return None,
    };
    same_plan(i, f, sizes, scalar, src).map(Job::Lanes)
}

/// The shape of a three-different or long/narrow operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `2e = e op e`.
    Long,
    /// `2e = 2e op e`.
    Wide,
    /// `e = 2e op 2e`.
    Narrow,
}

/// A plan whose source element size is `ein` (from `size`) in a long/wide/narrow shape.
fn shaped(i: Insn, f: F, ein: u32, shape: Shape, scalar: bool) -> Plan {
    let part = q(i) && !scalar;
    match shape {
        Shape::Long | Shape::Wide => {
            let lanes = if scalar { 1 } else { (64 / ein) as usize };
            let mut p = base(i, f, 2 * ein, ein, lanes);
            p.a_wide = shape == Shape::Wide;
            p.b_off = if part { lanes } else { 0 };
            p.a_off = if p.a_wide { 0 } else { p.b_off };
            p
        }
        Shape::Narrow => {
            let e = ein / 2;
            let lanes = if scalar { 1 } else { (64 / e) as usize };
            let mut p = base(i, f, e, ein, lanes);
            p.upper = part;
            p
        }
    }
}

fn three_diff(i: Insn, scalar: bool) -> Option<Job> {
    let (opc, u, size) = (i.bits(15, 12), i.bit(29), i.bits(23, 22));
    if size == 3 && !(opc == 14 && !u && !scalar) {
        return None;
    }
    let ein = 8 << size;
    let sat = |f: F| (!u && size != 0).then_some((f, Shape::Long));
    let (f, shape): (F, Shape) = match opc {
        9 => sat(op::sqdmlal)?,
        11 => sat(op::sqdmlsl)?,
        13 => sat(op::sqdmull)?,
        _ if scalar => return None,
        0 => (op::add, Shape::Long),
        1 => (op::add, Shape::Wide),
        2 => (op::sub, Shape::Long),
        3 => (op::sub, Shape::Wide),
        4 => (if u { op::raddhn } else { op::addhn }, Shape::Narrow),
        5 => (op::aba, Shape::Long),
        6 => (if u { op::rsubhn } else { op::subhn }, Shape::Narrow),
        7 => (op::abd, Shape::Long),
        8 => (op::mla, Shape::Long),
        10 => (op::mls, Shape::Long),
        12 => (op::mul, Shape::Long),
        // PMULL (8-bit) and PMULL (64-bit, 64x64 -> 128).
        14 if !u && (size == 0 || size == 3) => (op::pmul, Shape::Long),
        _ => return None,
    };
    let ein = if shape == Shape::Narrow { 2 * ein } else { ein };
    Some(Job::Lanes(shaped(i, f, ein, shape, scalar)))
}

fn two_misc(i: Insn, scalar: bool) -> Option<Job> {
    let (opc, u, size) = (i.bits(16, 12), i.bit(29), i.bits(23, 22));
    let pick = |f0: F, f1: F| if u { f1 } else { f0 };
    let e = 8 << size;
    let narrow = |f: F| (size != 3).then(|| shaped(i, f, 2 * e, Shape::Narrow, scalar));
    let plan = match opc {
        3 => same_plan(
            i,
            pick(op::suqadd, op::usqadd),
            (ALL, ALL),
            scalar,
            Src::Lanes,
        ),
        7 => same_plan(
            i,
            pick(op::sqabs, op::sqneg),
            (ALL, ALL),
            scalar,
            Src::Lanes,
        ),
        8 => same_plan(
            i,
            pick(op::cmgt0, op::cmge0),
            (ALL, D64),
            scalar,
            Src::Lanes,
        ),
        9 => same_plan(
            i,
            pick(op::cmeq0, op::cmle0),
            (ALL, D64),
            scalar,
            Src::Lanes,
        ),
        10 if !u => same_plan(i, op::cmlt0, (ALL, D64), scalar, Src::Lanes),
        11 => same_plan(i, pick(op::abs, op::neg), (ALL, D64), scalar, Src::Lanes),
        18 if u => narrow(op::sqxtun),
        18 if !scalar => narrow(op::xtn),
        20 => narrow(op::qxtn),
        _ if scalar => None,
        0 if (8 << size) < (64 >> u8::from(u)) => return Some(Job::Run(rev)),
        1 if !u && size == 0 => return Some(Job::Run(rev)),
        2 | 6 if size != 3 => {
            let f = if opc == 2 { op::add } else { op::addp_acc };
            let mut p = base(i, f, 2 * e, e, vlanes(i, 2 * e));
            p.src = Src::PairsN;
            Some(p)
        }
        4 => same_plan(i, pick(op::cls, op::clz), (NO64, NONE), false, Src::Lanes),
        5 if size == 0 => same_plan(i, pick(op::cnt, op::not), (B8, NONE), false, Src::Lanes),
        5 if u && size == 1 => Some(base(i, op::rbit, 8, 8, vlanes(i, 8))),
        19 if u && size != 3 => {
            let mut p = shaped(i, op::shl, e, Shape::Long, false);
            p.b = BSrc::Imm(i128::from(e));
            Some(p)
        }
        28 if size == 2 => same_plan(
            i,
            pick(op::urecpe, op::ursqrte),
            (HS, NONE),
            false,
            Src::Lanes,
        ),
        _ => None,
    };
    plan.map(Job::Lanes)
}

fn across(i: Insn) -> Option<Job> {
    let (opc, u, size) = (i.bits(16, 12), i.bit(29), i.bits(23, 22));
    if size == 3 || (size == 2 && !q(i)) {
        return None;
    }
    let ein = 8 << size;
    let (f, e): (F, u32) = match opc {
        3 => (op::add, 2 * ein),
        10 => (op::max, ein),
        26 => (op::min, ein),
        27 if !u => (op::add, ein),
        _ => return None,
    };
    let mut p = base(i, f, e, ein, 1);
    p.src = Src::Across(vlanes(i, ein));
    Some(Job::Lanes(p))
}

/// The three-same (extra) group: SQRDMLAH/SQRDMLSH (FEAT_RDM), SDOT/UDOT (FEAT_DotProd).
fn three_extra(i: Insn, scalar: bool) -> Option<Job> {
    let (opc, u, size) = (i.bits(14, 11), i.bit(29), i.bits(23, 22));
    match opc {
        0 | 1 if u => {
            let f = if opc == 0 { op::sqrdmlah } else { op::sqrdmlsh };
            same_plan(i, f, (HS, HS), scalar, Src::Lanes).map(Job::Lanes)
        }
        2 if size == 2 && !scalar => Some(Job::Run(dot)),
        _ => None,
    }
}

/// SDOT/UDOT (vector, and by element when bit 24 is set): each 32-bit lane accumulates the
/// four products of its bytes.
fn dot(cpu: &mut A64Cpu, i: Insn) {
    let by_elem = i.bit(24);
    let (n, d) = (vget(cpu, i.rn()), vget(cpu, i.rd()));
    let m = if by_elem {
        let idx = (i.bits(11, 11) << 1 | i.bits(21, 21)) as usize;
        let lanes = lane(vget(cpu, i.bits(20, 16)), idx, 32);
        lanes * 0x0000_0001_0000_0001_0000_0001_0000_0001
    } else {
        vget(cpu, i.rm())
    };
    let byte = |x: u128, k: usize| {
        let b = lane(x, k, 8) as i64;
        if i.bit(29) {
            b
        } else {
            i64::from(b as u8 as i8)
        }
    };
    let mut out = 0u128;
    for k in 0..vlanes(i, 32) {
        let sum = (0..4).fold(lane(d, k, 32) as i64, |acc, j| {
            acc.wrapping_add(byte(n, 4 * k + j) * byte(m, 4 * k + j))
        });
        out |= u128::from(sum as u32) << (32 * k);
    }
    vset(cpu, i.rd(), out);
}

/// Element bits selected by `immh` (its highest set bit), or `None` for `immh == 0`.
fn immh_esize(immh: u32) -> Option<u32> {
    (immh != 0).then(|| 8 << (31 - immh.leading_zeros()))
}

fn shift_imm(i: Insn, scalar: bool) -> Option<Job> {
    let (opc, u) = (i.bits(15, 11), i.bit(29));
    let e = immh_esize(i.bits(22, 19))?;
    let imm = i.bits(22, 16);
    let (right, left) = (2 * e - imm, imm - e);
    if (16..=19).contains(&opc) {
        // Narrowing: `e` is the result size.
        if e == 64 || (scalar && opc < 18 && !u) {
            return None;
        }
        let f: F = match (opc, u) {
            (16, false) => op::shr,
            (17, false) => op::rshr,
            (16, true) => op::qshrun,
            (17, true) => op::qrshrun,
            (18, _) => op::qshrn,
            _ => op::qrshrn,
        };
        let mut p = shaped(i, f, 2 * e, Shape::Narrow, scalar);
        p.b = BSrc::Imm(i128::from(right));
        return Some(Job::Lanes(p));
    }
    if opc == 20 {
        if e == 64 || scalar {
            return None;
        }
        let mut p = shaped(i, op::shl, e, Shape::Long, false);
        p.b = BSrc::Imm(i128::from(left));
        return Some(Job::Lanes(p));
    }
    let (f, amount, any_size): (F, u32, bool) = match (opc, u) {
        (0, _) => (op::shr, right, false),
        (2, _) => (op::sra, right, false),
        (4, _) => (op::rshr, right, false),
        (6, _) => (op::rsra, right, false),
        (8, true) => (op::sri, right, false),
        (10, false) => (op::shl, left, false),
        (10, true) => (op::sli, left, false),
        (12, true) => (op::sqshlu, left, true),
        (14, _) => (op::qshl, left, true),
        _ => return None,
    };
    if (scalar && e != 64 && !any_size) || (!scalar && e == 64 && !q(i)) {
        return None;
    }
    let lanes = if scalar { 1 } else { vlanes(i, e) };
    let mut p = base(i, f, e, e, lanes);
    p.b = BSrc::Imm(i128::from(amount));
    Some(Job::Lanes(p))
}

fn by_elem(i: Insn, scalar: bool) -> Option<Job> {
    let (opc, u, size) = (i.bits(15, 12), i.bit(29), i.bits(23, 22));
    let (h, l, m) = (i.bits(11, 11), i.bits(21, 21), i.bits(20, 20));
    let (index, rm) = match size {
        1 => ((h << 2 | l << 1 | m) as usize, i.bits(19, 16)),
        2 => ((h << 1 | l) as usize, i.bits(20, 16)),
        _ => return None,
    };
    let ein = 8 << size;
    let (f, long): (F, bool) = match (opc, u) {
        (3, false) => (op::sqdmlal, true),
        (7, false) => (op::sqdmlsl, true),
        (11, false) => (op::sqdmull, true),
        (12, false) => (op::sqdmulh, false),
        (13, false) => (op::sqrdmulh, false),
        (13, true) => (op::sqrdmlah, false),
        (15, true) => (op::sqrdmlsh, false),
        _ if scalar => return None,
        (14, _) if size == 2 => return Some(Job::Run(dot)),
        (8, false) => (op::mul, false),
        (0, true) => (op::mla, false),
        (4, true) => (op::mls, false),
        (2, _) => (op::mla, true),
        (6, _) => (op::mls, true),
        (10, _) => (op::mul, true),
        _ => return None,
    };
    let mut p = if long {
        shaped(i, f, ein, Shape::Long, scalar)
    } else {
        let lanes = if scalar { 1 } else { vlanes(i, ein) };
        base(i, f, ein, ein, lanes)
    };
    p.rm = rm;
    p.b = BSrc::Elem(index);
    Some(Job::Lanes(p))
}

/// The 128-bit value of V register `r`.
fn vget(cpu: &A64Cpu, r: u32) -> u128 {
    let v = cpu.v[r as usize % 32];
    u128::from(v[0]) | u128::from(v[1]) << 64
}

fn vset(cpu: &mut A64Cpu, r: u32, x: u128) {
    cpu.v[r as usize % 32] = [x as u64, (x >> 64) as u64];
}

/// Lane `idx` of `bits` bits (zero-extended; lanes beyond 128 bits read as zero).
fn lane(x: u128, idx: usize, bits: u32) -> u128 {
    let sh = idx * bits as usize;
    if sh >= 128 {
        return 0;
    }
    (x >> sh) & ones(bits)
}

fn ones(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

fn set_qc(cpu: &mut A64Cpu) {
    cpu.fpsr |= 1 << 27;
}

/// Lane `k` of `bits` bits of `x`, sign-extended unless `unsigned` (lanes past the
/// register read garbage from it; callers stay within it).
#[inline(always)]
fn get(x: u128, k: usize, bits: u32, unsigned: bool) -> i128 {
    if bits >= 128 {
        return x as i128;
    }
    let pos = k * bits as usize;
    let half = if pos & 64 == 0 {
        x as u64
    } else {
        (x >> 64) as u64
    };
    let sh = 64 - bits;
    let w = half >> (pos & 63) << sh;
    if unsigned {
        i128::from(w >> sh)
    } else {
        i128::from((w as i64) >> sh)
    }
}

/// Run a lane-engine plan with lane operation `f`.
#[inline(always)]
pub fn run_plan(cpu: &mut A64Cpu, p: &Plan, f: impl Fn(&mut L, i128, i128, i128) -> i128) {
    let (n, m, d) = (vget(cpu, p.rn), vget(cpu, p.rm), vget(cpu, p.rd));
    let mut l = L {
        e: p.e,
        ein: p.ein,
        u: p.u,
        qc: false,
    };
    let (u, ein) = (p.u, p.ein);
    let abits = if p.a_wide { p.e } else { ein };
    let mask = ones(p.e);
    let mut out = 0u128;
    let mut put = |k: usize, r: i128| out |= (r as u128 & mask) << (k * p.e as usize);
    match p.src {
        Src::Across(count) => {
            let first = get(n, 0, ein, u);
            let acc = (1..count).fold(first, |acc, k| f(&mut l, 0, acc, get(n, k, ein, u)));
            put(0, acc);
        }
        Src::Pairs => {
            let cat = |j: usize| {
                if j < p.lanes {
                    get(n, j, ein, u)
                } else {
                    get(m, j - p.lanes, ein, u)
                }
            };
            for k in 0..p.lanes {
                let r = f(&mut l, get(d, k, p.e, u), cat(2 * k), cat(2 * k + 1));
                put(k, r);
            }
        }
        Src::PairsN => {
            for k in 0..p.lanes {
                let (a, b) = (get(n, 2 * k, ein, u), get(n, 2 * k + 1, ein, u));
                let r = f(&mut l, get(d, k, p.e, u), a, b);
                put(k, r);
            }
        }
        Src::Lanes => {
            let fixed_b = match p.b {
                BSrc::Reg => None,
                BSrc::Elem(j) => Some(get(m, j, ein, u)),
                BSrc::Imm(v) => Some(v),
            };
            for k in 0..p.lanes {
                let a = get(n, p.a_off + k, abits, u);
                let b = fixed_b.unwrap_or_else(|| get(m, p.b_off + k, ein, u));
                let r = f(&mut l, get(d, k, p.e, u), a, b);
                put(k, r);
            }
        }
    }
    let result = if p.upper {
        (d & ones(64)) | out << 64
    } else {
        out
    };
    vset(cpu, p.rd, result);
    if l.qc {
        set_qc(cpu);
    }
}

/// Write a byte vector as the result of a Q-sized operation (upper half zeroed when Q=0).
fn set_bytes(cpu: &mut A64Cpu, r: u32, bytes: [u8; 16], full: bool) {
    let x = u128::from_le_bytes(bytes);
    vset(cpu, r, if full { x } else { x & ones(64) });
}

/// REV16/REV32/REV64: reverse the elements inside each container.
fn rev(cpu: &mut A64Cpu, i: Insn) {
    let container = match (i.bits(16, 12), i.bit(29)) {
        (0, false) => 64,
        (0, true) => 32,
        _ => 16,
    };
    let e = 8usize << i.bits(23, 22);
    let n = vget(cpu, i.rn());
    let per = container / e;
    let mut out = 0u128;
    for k in 0..128 / e {
        out |= lane(n, k ^ (per - 1), e as u32) << (k * e);
    }
    vset(cpu, i.rd(), if q(i) { out } else { out & ones(64) });
}

/// UZP1/UZP2, TRN1/TRN2, ZIP1/ZIP2.
fn permute(cpu: &mut A64Cpu, i: Insn) {
    let e = 8u32 << i.bits(23, 22);
    let count = vlanes(i, e);
    let (n, m) = (vget(cpu, i.rn()), vget(cpu, i.rm()));
    let opc = i.bits(14, 12);
    let hi = usize::from(opc >= 4);
    let mut out = 0u128;
    for k in 0..count {
        let (pair, odd) = (k / 2, k % 2);
        let v = match opc & 3 {
            1 => {
                // UZP: even (or odd) lanes of Vn:Vm.
                let j = 2 * k + hi;
                if j < count {
                    lane(n, j, e)
                } else {
                    lane(m, j - count, e)
                }
            }
            2 => {
                // TRN
                let src = if odd == 0 { n } else { m };
                lane(src, 2 * pair + hi, e)
            }
            _ => {
                // ZIP
                let src = if odd == 0 { n } else { m };
                lane(src, hi * count / 2 + pair, e)
            }
        };
        out |= v << (k * e as usize);
    }
    vset(cpu, i.rd(), out);
}

/// EXT: bytes `imm4..` of `Vm:Vn`.
fn ext(cpu: &mut A64Cpu, i: Insn) {
    let len = if q(i) { 16 } else { 8 };
    let pos = i.bits(14, 11) as usize;
    let (n, m) = (
        vget(cpu, i.rn()).to_le_bytes(),
        vget(cpu, i.rm()).to_le_bytes(),
    );
    let mut out = [0u8; 16];
    for (k, b) in out.iter_mut().take(len).enumerate() {
        let j = pos + k;
        *b = if j < len { n[j] } else { m[j - len] };
    }
    set_bytes(cpu, i.rd(), out, true);
}

/// TBL/TBX with one to four table registers.
fn tbl(cpu: &mut A64Cpu, i: Insn) {
    let regs = i.bits(14, 13) as usize + 1;
    let tbx = i.bit(12);
    let mut table = [0u8; 64];
    for r in 0..regs {
        let bytes = vget(cpu, i.rn() + r as u32).to_le_bytes();
        table[16 * r..16 * r + 16].copy_from_slice(&bytes);
    }
    let idx = vget(cpu, i.rm()).to_le_bytes();
    let mut out = vget(cpu, i.rd()).to_le_bytes();
    for (o, &x) in out.iter_mut().zip(idx.iter()) {
        let x = usize::from(x);
        if x < 16 * regs {
            *o = table[x];
        } else if !tbx {
            *o = 0;
        }
    }
    set_bytes(cpu, i.rd(), out, q(i));
}
