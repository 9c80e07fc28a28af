//! riscv64 (RV64IMAFD + Zicsr/Zifencei + Zba/Zbb/Zbs): register layout, the harness's own
//! encodings, the fault handler, and instruction generation from
//! `emu_frontend::riscv64::decode`'s table. Reserved: sp (x2, the case record) and x31 (the
//! scratch base); x5 is the harness's scratch register (its own value is loaded last).

use emu_frontend::riscv64::decode;

use super::tablegen::{emit, field, set_field, TableGen};
use super::{random_f32, random_lane64, ArchSpec, GenInsn, KnownBug, Mem, Reference, Sys};
use crate::layout::{Field, Kind, Layout};
use crate::program::BASE_ADDR;
use crate::rng::Rng;

const SP: u32 = 2;
const BASE: u32 = 31;
const TMP: u32 = 5;
const TMP2: u32 = 6;

/// The riscv64 arch.
pub struct Riscv64 {
    layout: Layout,
    gen: TableGen,
}

impl Riscv64 {
    pub fn new() -> Self {
        let mut fields = Vec::new();
        for r in (1..31).filter(|&r| r != SP) {
            fields.push(Field::new(format!("x{r}"), r as u8, Kind::Int, 8));
        }
        fields.push(Field::new("x31", BASE as u8, Kind::Int, 8).fixed(BASE_ADDR));
        for r in 0..32 {
            fields.push(Field::new(format!("f{r}"), r, Kind::Vec, 8));
        }
        fields.push(Field::new("fcsr", 0, Kind::FpCtl, 8).masked(0xff));
        Riscv64 {
            layout: Layout::new(fields),
            gen: TableGen::new(
                decode::all_entries(),
                decode::decode,
                EXCLUDED_ROWS,
                fixup,
                emu_disas::Arch::Riscv64,
            ),
        }
    }
}

impl Default for Riscv64 {
    fn default() -> Self {
        Self::new()
    }
}

/// Rows never generated: control flow and the environment calls.
const EXCLUDED_ROWS: &[&str] = &[
    "jal", "jalr", "beq", "bne", "blt", "bge", "bltu", "bgeu", "ecall", "ebreak",
];

/// Access size of a load/store row, if it is one.
fn mem_size(name: &str) -> Option<(u32, bool)> {
    let (size, store) = match name {
        "lb" | "lbu" => (1, false),
        "lh" | "lhu" => (2, false),
        "lw" | "lwu" | "flw" => (4, false),
        "ld" | "fld" => (8, false),
        "sb" => (1, true),
        "sh" => (2, true),
        "sw" | "fsw" => (4, true),
        "sd" | "fsd" => (8, true),
        _ => return None,
    };
    Some((size, store))
}

/// A scratch-window offset for a `size`-byte access (mostly naturally aligned).
pub fn scratch_offset(rng: &mut Rng, size: u32, max_reach: i64) -> i64 {
    let off = rng.range(-max_reach, max_reach - size as i64);
    if rng.one_in(4) {
        off
    } else {
        off & !(size as i64 - 1)
    }
}

fn fixup(name: &str, mut w: u32, rng: &mut Rng) -> Option<u32> {
    while matches!(field(w, 7, 5), SP | BASE) {
        w = set_field(w, 7, 5, rng.next_u32());
    }
    if let Some((size, store)) = mem_size(name) {
        let off = scratch_offset(rng, size, 128) as u32;
        w = set_field(w, 15, 5, BASE);
        if store {
            w = set_field(set_field(w, 7, 5, off), 25, 7, off >> 5);
        } else {
            w = set_field(w, 20, 12, off);
        }
    } else if name.starts_with("amo") || name.starts_with("lr.") || name.starts_with("sc.") {
        w = set_field(w, 15, 5, BASE);
    } else if name.starts_with("csr") {
        // fflags, frm, fcsr only (the counters are not deterministic).
        w = set_field(w, 20, 12, rng.range(1, 3) as u32);
    } else if name.starts_with('f') && has_rm(name) {
        w = set_field(w, 12, 3, *rng.pick(&[0, 1, 2, 3, 4, 7, 7, 7]));
    }
    Some(w)
}

/// Whether the row's funct3 is a rounding-mode field.
fn has_rm(name: &str) -> bool {
    [
        "fadd", "fsub", "fmul", "fdiv", "fsqrt", "fcvt", "fmadd", "fmsub", "fnmadd", "fnmsub",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

const KNOWN_BUGS: &[KnownBug] = &[KnownBug {
    name: "ctzw",
    reason: "qemu 7.2 counts trailing zeros over 64 bits when the low word is 0 (ctzw of \
             0x8000000000000000 gives 63, the Bitmanip spec says 32); see \
             testsuite/oracle-fixes/riscv64/rv64_alu_zbb.fix",
}];

fn i_type(op: u32, rd: u32, f3: u32, rs1: u32, imm: i32) -> u32 {
    ((imm as u32 & 0xfff) << 20) | rs1 << 15 | f3 << 12 | rd << 7 | op
}

fn s_type(op: u32, f3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 0x1f) << 7 | op
}

fn b_type(f3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    (imm >> 12 & 1) << 31
        | (imm >> 5 & 0x3f) << 25
        | rs2 << 20
        | rs1 << 15
        | f3 << 12
        | (imm >> 1 & 0xf) << 8
        | (imm >> 11 & 1) << 7
        | 0x63
}

/// `rd = value` (value < 2^31).
fn li(out: &mut Vec<u8>, rd: u32, value: u64) {
    let v = value as i64;
    if (-2048..2048).contains(&v) {
        emit(out, &[i_type(0x13, rd, 0, 0, v as i32)]);
        return;
    }
    let hi = ((v + 0x800) >> 12) as u32 & 0xfffff;
    let lo = (v - (((v + 0x800) >> 12) << 12)) as i32;
    emit(
        out,
        &[hi << 12 | rd << 7 | 0x37, i_type(0x1b, rd, 0, rd, lo)],
    );
}

fn mem_reg(m: Mem) -> (u32, i32) {
    m.reg_off(SP, BASE)
}

impl ArchSpec for Riscv64 {
    fn name(&self) -> &'static str {
        "riscv64"
    }
    fn disas_arch(&self) -> emu_disas::Arch {
        emu_disas::Arch::Riscv64
    }
    fn elf_machine(&self) -> (u16, u32) {
        (243, 0x5) // EM_RISCV, RVC | double-float ABI
    }
    fn layout(&self) -> &Layout {
        &self.layout
    }
    fn base_reg(&self) -> u8 {
        BASE as u8
    }
    fn reference(&self) -> Reference {
        Reference::Qemu("qemu-riscv64")
    }
    fn known_reference_bugs(&self) -> &'static [KnownBug] {
        KNOWN_BUGS
    }
    fn random_ctl(&self, _field: &Field, rng: &mut Rng) -> u64 {
        rng.below(5) << 5
    }
    fn random_fp8(&self, rng: &mut Rng) -> u64 {
        if rng.one_in(2) {
            0xffff_ffff_0000_0000 | random_f32(rng) as u64
        } else {
            random_lane64(rng)
        }
    }
    fn generate(&self, rng: &mut Rng) -> GenInsn {
        self.gen.generate(rng)
    }

    /// An SC whose size differs from the most recent LR's may succeed or fail
    /// (implementation-defined: qemu fails it, emu-user lets it succeed).
    fn valid_sequence(&self, insns: &[GenInsn]) -> bool {
        let mut lr_size = None;
        for i in insns {
            if let Some(size) = i.name.strip_prefix("lr.") {
                lr_size = Some(size);
            } else if let Some(size) = i.name.strip_prefix("sc.") {
                if lr_size.is_some_and(|l| l != size) {
                    return false;
                }
            }
        }
        true
    }

    fn set_sp(&self, out: &mut Vec<u8>, addr: u64) {
        li(out, SP, addr);
    }
    fn set_reg(&self, out: &mut Vec<u8>, reg: u8, value: u64) {
        li(out, reg as u32, value);
    }
    fn copy8(&self, out: &mut Vec<u8>, from: Mem, to: Mem) {
        let (fr, fo) = mem_reg(from);
        let (tr, to) = mem_reg(to);
        emit(
            out,
            &[i_type(0x03, TMP, 3, fr, fo), s_type(0x23, 3, tr, TMP, to)],
        );
    }
    fn case_prologue(&self, out: &mut Vec<u8>) {
        // sc.d x0, x0, (base): drops any reservation an earlier case's LR left.
        emit(out, &[0x1800_302f | BASE << 15]);
    }
    fn copy_block(&self, out: &mut Vec<u8>, from: Mem, to: Mem, len: usize) {
        // A loop (small blocks keep tier-1 compile time down): t0 = src, t1 = dst,
        // t2 = src end, t3 = the qword; all loaded after the copy in, stored before the
        // copy out.
        let (fr, fo) = mem_reg(from);
        let (tr, to) = mem_reg(to);
        let (src, dst, end, val) = (TMP, TMP2, 7, 28);
        emit(
            out,
            &[
                i_type(0x13, src, 0, fr, fo),
                i_type(0x13, dst, 0, tr, to),
                i_type(0x13, end, 0, src, len as i32),
                i_type(0x03, val, 3, src, 0),
                s_type(0x23, 3, dst, val, 0),
                i_type(0x13, src, 0, src, 8),
                i_type(0x13, dst, 0, dst, 8),
                b_type(1, src, end, -16),
            ],
        );
    }
    fn load_field(&self, out: &mut Vec<u8>, f: &Field, off: u32) {
        let off = off as i32;
        let r = f.reg as u32;
        match f.kind {
            Kind::Int => emit(out, &[i_type(0x03, r, 3, SP, off)]),
            Kind::Vec => emit(out, &[i_type(0x07, r, 3, SP, off)]),
            // ld t0; csrrw x0, fcsr, t0
            Kind::FpCtl | Kind::Flags => emit(
                out,
                &[i_type(0x03, TMP, 3, SP, off), i_type(0x73, 0, 1, TMP, 3)],
            ),
        }
    }
    fn store_field(&self, out: &mut Vec<u8>, f: &Field, off: u32) {
        let off = off as i32;
        let r = f.reg as u32;
        match f.kind {
            Kind::Int => emit(out, &[s_type(0x23, 3, SP, r, off)]),
            Kind::Vec => emit(out, &[s_type(0x27, 3, SP, r, off)]),
            // csrrs t0, fcsr, x0; sd t0
            Kind::FpCtl | Kind::Flags => emit(
                out,
                &[i_type(0x73, TMP, 2, 0, 3), s_type(0x23, 3, SP, TMP, off)],
            ),
        }
    }
    fn syscall(&self, out: &mut Vec<u8>, sys: Sys, args: &[u64]) {
        li(out, 17, sys.generic_number());
        for (i, &a) in args.iter().enumerate() {
            li(out, 10 + i as u32, a);
        }
        emit(out, &[0x73]);
    }
    fn handler(&self) -> Vec<u8> {
        // uc_mcontext at 176: pc, then x1.., so sp (x2) at 192.
        let mut out = Vec::new();
        emit(
            &mut out,
            &[
                i_type(0x03, TMP, 3, 12, 192),  // ld t0, sp_saved
                s_type(0x23, 3, TMP, 10, 0),    // sd a0, SIG_OFF(t0)
                i_type(0x03, TMP2, 3, TMP, 8),  // ld t1, RESUME_OFF(t0)
                s_type(0x23, 3, 12, TMP2, 176), // sd t1, pc_saved
                i_type(0x67, 0, 0, 1, 0),       // ret
            ],
        );
        out
    }
    fn restorer(&self) -> Option<Vec<u8>> {
        None
    }
}
