//! aarch64 (A64 integer, FP, Advanced SIMD): register layout, the harness's own encodings,
//! the fault handler, and instruction generation from `emu_frontend::aarch64::decode`'s
//! table. Reserved: SP (the case record) and x28 (the scratch base); x0 is the harness's
//! scratch register (its own value is loaded last).

use emu_frontend::aarch64::decode;

use super::tablegen::{emit, field, set_field, TableGen};
use super::{ArchSpec, GenInsn, KnownBug, Mem, Reference, Sys};
use crate::layout::{Field, Kind, Layout};
use crate::program::BASE_ADDR;
use crate::rng::Rng;

const BASE: u32 = 28;
const SP: u32 = 31;
const TMP: u32 = 0;
const FPCR: u8 = 0;
const FPSR: u8 = 1;

/// The aarch64 arch.
pub struct Aarch64 {
    layout: Layout,
    gen: TableGen,
}

impl Aarch64 {
    pub fn new() -> Self {
        let mut fields = Vec::new();
        for r in 0..31u8 {
            let f = Field::new(format!("x{r}"), r, Kind::Int, 8);
            fields.push(if r as u32 == BASE {
                f.fixed(BASE_ADDR)
            } else {
                f
            });
        }
        for r in 0..32 {
            fields.push(Field::new(format!("v{r}"), r, Kind::Vec, 16));
        }
        fields.push(Field::new("nzcv", 0, Kind::Flags, 8).masked(0xf000_0000));
        fields.push(Field::new("fpcr", FPCR, Kind::FpCtl, 8));
        fields.push(Field::new("fpsr", FPSR, Kind::FpCtl, 8));
        Aarch64 {
            layout: Layout::new(fields),
            gen: TableGen::new(
                decode::all_entries(),
                decode::decode,
                EXCLUDED_ROWS,
                fixup,
                emu_disas::Arch::Aarch64,
            ),
        }
    }
}

impl Default for Aarch64 {
    fn default() -> Self {
        Self::new()
    }
}

/// Rows never generated: control flow, system instructions, exclusives and atomics.
const EXCLUDED_ROWS: &[&str] = &[
    "b/bl",
    "cbz/cbnz",
    "tbz/tbnz",
    "b.cond",
    "br/blr/ret",
    "svc",
    "brk",
    "hint",
    "barriers",
    "sys",
    "msr",
    "mrs",
    "stxr",
    "ldxr",
    "stxp/casp",
    "ldxp/caspa",
    "stlr",
    "ldar",
    "cas",
    "ldapur/stlur",
    "lse",
];

/// Scalar FP rows whose `ftype` (bits 23:22) 0b11 is half precision (FEAT_FP16, which the
/// frontend does not implement: not generated).
const FTYPE_ROWS: &[&str] = &[
    "fp-int", "fp-fixed", "fp-1src", "fcmp", "fmov-imm", "fccmp", "fp-2src", "fcsel", "fp-3src",
];

/// Redraws the 5-bit register field at `lo` while it is one of `avoid`.
fn avoid_reg(mut w: u32, lo: u32, avoid: &[u32], rng: &mut Rng) -> u32 {
    while avoid.contains(&field(w, lo, 5)) {
        w = set_field(w, lo, 5, rng.next_u32());
    }
    w
}

/// Whether the row writes SP when Rd is 31 (non-flag-setting immediate/extended forms).
fn rd31_is_sp(name: &str, w: u32) -> bool {
    match name {
        "add/sub imm" | "add/sub extended" => field(w, 29, 1) == 0,
        "logical imm" => field(w, 29, 2) != 3,
        _ => false,
    }
}

fn fixup(name: &str, mut w: u32, rng: &mut Rng) -> Option<u32> {
    let avoid: &[u32] = if rd31_is_sp(name, w) {
        &[BASE, SP]
    } else {
        &[BASE]
    };
    w = avoid_reg(w, 0, avoid, rng);
    if FTYPE_ROWS.contains(&name) && field(w, 22, 2) == 3 {
        w = set_field(w, 22, 2, rng.below(3) as u32);
    }
    Some(match name {
        "ldr (literal)" => set_field(w, 5, 19, rng.range(-64, 64) as u32),
        "ldp/stp" => fix_pair(w, rng),
        "ldr/str (unsigned offset)" => {
            let (size, v, opc) = (field(w, 30, 2), field(w, 26, 1), field(w, 22, 2));
            let scale = if v == 1 && opc >= 2 && size == 0 {
                16
            } else {
                1 << size
            };
            let imm = rng.range(0, 96 / scale) as u32;
            set_field(set_field(w, 5, 5, BASE), 10, 12, imm)
        }
        "ldr/str (imm9)" => set_field(set_field(w, 5, 5, BASE), 12, 9, rng.range(-32, 32) as u32),
        "ldr/str (register)" | "ldst_multi_post" | "ldst_single_post" => {
            set_field(set_field(w, 5, 5, BASE), 16, 5, 31)
        }
        "ldst_multi" | "ldst_single" => set_field(w, 5, 5, BASE),
        // o2 = 1 is only FMOV (half-precision immediate), FEAT_FP16.
        "simd_modimm" => set_field(w, 11, 1, 0),
        // U = 0 pairwise FP forms are half precision (FEAT_FP16); ADDP (opcode 11011) stays.
        "simd_pair_s" if field(w, 12, 5) != 0b11011 => set_field(w, 29, 1, 1),
        // U = 0 FMAXNMV/FMAXV/FMINNMV/FMINV are half precision (FEAT_FP16).
        "simd_across" if matches!(field(w, 12, 5), 0b01100 | 0b01111) => set_field(w, 29, 1, 1),
        _ => w,
    })
}

/// LDP/STP: base register, small scaled offset, Rt2 not reserved and distinct from Rt.
fn fix_pair(w: u32, rng: &mut Rng) -> u32 {
    let (opc, v) = (field(w, 30, 2), field(w, 26, 1));
    let scale: i64 = if v == 1 {
        4 << opc
    } else if opc == 2 {
        8
    } else {
        4
    };
    let reach = (64 / scale).max(1);
    let mut w = set_field(w, 5, 5, BASE);
    if opc == 1 && v == 0 && field(w, 22, 1) == 0 {
        // STGP (FEAT_MTE): make it LDPSW.
        w = set_field(w, 22, 1, 1);
    }
    w = set_field(w, 15, 7, rng.range(-reach, reach) as u32);
    w = avoid_reg(w, 10, &[BASE, field(w, 0, 5)], rng);
    avoid_reg(w, 0, &[BASE], rng)
}

const KNOWN_BUGS: &[KnownBug] = &[];

/// Generated encodings of extensions emu-user does not advertise in AT_HWCAP (see
/// linux-user/src/arch.rs), which qemu's default `max` CPU implements.
const NOT_IMPLEMENTED: &[KnownBug] = &[
    KnownBug {
        name: FP16,
        reason: "FEAT_FP16 half-precision arithmetic (no FPHP/ASIMDHP)",
    },
    KnownBug {
        name: "pacga",
        reason: "FEAT_PAuth",
    },
    KnownBug {
        name: "irg",
        reason: "FEAT_MTE",
    },
    KnownBug {
        name: "gmi",
        reason: "FEAT_MTE",
    },
    KnownBug {
        name: "subp",
        reason: "FEAT_MTE",
    },
    KnownBug {
        name: "subps",
        reason: "FEAT_MTE",
    },
    KnownBug {
        name: "frint32x",
        reason: "FEAT_FRINTTS",
    },
    KnownBug {
        name: "frint32z",
        reason: "FEAT_FRINTTS",
    },
    KnownBug {
        name: "frint64x",
        reason: "FEAT_FRINTTS",
    },
    KnownBug {
        name: "frint64z",
        reason: "FEAT_FRINTTS",
    },
    KnownBug {
        name: "fcmla",
        reason: "FEAT_FCMA",
    },
    KnownBug {
        name: "fcadd",
        reason: "FEAT_FCMA",
    },
    KnownBug {
        name: "fmlal",
        reason: "FEAT_FHM",
    },
    KnownBug {
        name: "fmlal2",
        reason: "FEAT_FHM",
    },
    KnownBug {
        name: "fmlsl",
        reason: "FEAT_FHM",
    },
    KnownBug {
        name: "fmlsl2",
        reason: "FEAT_FHM",
    },
    KnownBug {
        name: "bfmlalb",
        reason: "FEAT_BF16",
    },
    KnownBug {
        name: "bfmlalt",
        reason: "FEAT_BF16",
    },
    KnownBug {
        name: "bfdot",
        reason: "FEAT_BF16",
    },
    KnownBug {
        name: "bfmmla",
        reason: "FEAT_BF16",
    },
    KnownBug {
        name: "bfcvt",
        reason: "FEAT_BF16",
    },
    KnownBug {
        name: "bfcvtn",
        reason: "FEAT_BF16",
    },
    KnownBug {
        name: "bfcvtn2",
        reason: "FEAT_BF16",
    },
    KnownBug {
        name: "smmla",
        reason: "FEAT_I8MM",
    },
    KnownBug {
        name: "ummla",
        reason: "FEAT_I8MM",
    },
    KnownBug {
        name: "usmmla",
        reason: "FEAT_I8MM",
    },
    KnownBug {
        name: "usdot",
        reason: "FEAT_I8MM",
    },
    KnownBug {
        name: "sudot",
        reason: "FEAT_I8MM",
    },
];

/// The generator name given to half-precision FP encodings.
const FP16: &str = "FEAT_FP16";

/// Whether capstone's text of `bytes` is a half-precision FP operation (an FP mnemonic with
/// `h` registers or lanes; the base conversions to and from half precision excepted).
fn is_fp16(bytes: &[u8]) -> bool {
    let Ok(insns) = emu_disas::disassemble(emu_disas::Arch::Aarch64, bytes, 0) else {
        return false;
    };
    let Some(i) = insns.first() else {
        return false;
    };
    let m = i.mnemonic.as_str();
    let fp = m.starts_with('f') || m == "scvtf" || m == "ucvtf";
    let base_cvt = matches!(m, "fcvt" | "fcvtl" | "fcvtl2" | "fcvtn" | "fcvtn2");
    let half = i.op_str.contains("h,")
        || i.op_str.ends_with('h')
        || i.op_str.contains(".h[")
        || i.op_str.split(", ").any(|o| o.starts_with('h'));
    fp && !base_cvt && half
}

/// `rd = value` (value < 2^32).
fn li(out: &mut Vec<u8>, rd: u32, value: u64) {
    emit(out, &[0xd280_0000 | ((value as u32) & 0xffff) << 5 | rd]);
    if value >> 16 != 0 {
        emit(
            out,
            &[0xf2a0_0000 | ((value >> 16) as u32 & 0xffff) << 5 | rd],
        );
    }
}

/// LDR/STR (64-bit) `rt, [rn, #off]`: the scaled form when it fits, else LDUR/STUR.
fn ldst64(load: bool, rt: u32, rn: u32, off: i32) -> u32 {
    if off >= 0 && off % 8 == 0 && off / 8 < 4096 {
        let op = if load { 0xf940_0000 } else { 0xf900_0000 };
        op | ((off / 8) as u32) << 10 | rn << 5 | rt
    } else {
        let op = if load { 0xf840_0000 } else { 0xf800_0000 };
        op | (off as u32 & 0x1ff) << 12 | rn << 5 | rt
    }
}

fn mem_reg(m: Mem) -> (u32, i32) {
    m.reg_off(SP, BASE)
}

/// The MSR/MRS encoding of a flags or control field (`mrs` bit 21 set).
fn sysreg(f: &Field) -> u32 {
    match (f.kind, f.reg) {
        (Kind::Flags, _) => 0xd51b_4200,
        (_, FPCR) => 0xd51b_4400,
        _ => 0xd51b_4420,
    }
}

impl ArchSpec for Aarch64 {
    fn name(&self) -> &'static str {
        "aarch64"
    }
    fn disas_arch(&self) -> emu_disas::Arch {
        emu_disas::Arch::Aarch64
    }
    fn elf_machine(&self) -> (u16, u32) {
        (183, 0) // EM_AARCH64
    }
    fn layout(&self) -> &Layout {
        &self.layout
    }
    fn base_reg(&self) -> u8 {
        BASE as u8
    }
    fn reference(&self) -> Reference {
        Reference::Qemu("qemu-aarch64")
    }
    fn known_reference_bugs(&self) -> &'static [KnownBug] {
        KNOWN_BUGS
    }
    fn random_ctl(&self, f: &Field, rng: &mut Rng) -> u64 {
        match (f.kind, f.reg) {
            (Kind::Flags, _) => rng.below(16) << 28,
            (_, FPCR) => {
                let fz = u64::from(rng.one_in(8)) << 24;
                let dn = u64::from(rng.one_in(8)) << 25;
                rng.below(4) << 22 | fz | dn
            }
            _ => 0,
        }
    }
    fn not_implemented(&self) -> &'static [KnownBug] {
        NOT_IMPLEMENTED
    }
    fn generate(&self, rng: &mut Rng) -> GenInsn {
        let mut g = self.gen.generate(rng);
        if is_fp16(&g.bytes) {
            g.name = FP16.to_string();
        }
        g
    }

    fn set_sp(&self, out: &mut Vec<u8>, addr: u64) {
        li(out, TMP, addr);
        emit(out, &[0x9100_0000 | TMP << 5 | SP]); // mov sp, x0
    }
    fn set_reg(&self, out: &mut Vec<u8>, reg: u8, value: u64) {
        li(out, reg as u32, value);
    }
    fn copy8(&self, out: &mut Vec<u8>, from: Mem, to: Mem) {
        let (fr, fo) = mem_reg(from);
        let (tr, to) = mem_reg(to);
        emit(
            out,
            &[ldst64(true, TMP, fr, fo), ldst64(false, TMP, tr, to)],
        );
    }
    fn copy_block(&self, out: &mut Vec<u8>, from: Mem, to: Mem, len: usize) {
        // x0 = the sp-side address; then LDP/STP of q0, q1 (32 bytes a pair).
        let ((Mem::Sp(rec), Mem::Base(win)) | (Mem::Base(win), Mem::Sp(rec))) = (from, to) else {
            return (0..len as i32)
                .step_by(8)
                .for_each(|q| self.copy8(out, from.offset(q), to.offset(q)));
        };
        emit(out, &[0x9100_0000 | (rec as u32) << 10 | SP << 5 | TMP]); // add x0, sp, #rec
        let pair = |load: bool, rn: u32, off: i32| {
            let op = if load { 0xad40_0000 } else { 0xad00_0000 };
            op | ((off / 16) as u32 & 0x7f) << 15 | 1 << 10 | rn << 5
        };
        let (src, dst) = match from {
            Mem::Sp(_) => ((TMP, 0), (BASE, win)),
            Mem::Base(_) => ((BASE, win), (TMP, 0)),
        };
        for q in (0..len as i32).step_by(32) {
            emit(
                out,
                &[pair(true, src.0, src.1 + q), pair(false, dst.0, dst.1 + q)],
            );
        }
    }
    fn load_field(&self, out: &mut Vec<u8>, f: &Field, off: u32) {
        let r = f.reg as u32;
        match f.kind {
            Kind::Int => emit(out, &[ldst64(true, r, SP, off as i32)]),
            Kind::Vec => emit(out, &[0x3dc0_0000 | (off / 16) << 10 | SP << 5 | r]),
            Kind::Flags | Kind::FpCtl => {
                emit(out, &[ldst64(true, TMP, SP, off as i32), sysreg(f) | TMP])
            }
        }
    }
    fn store_field(&self, out: &mut Vec<u8>, f: &Field, off: u32) {
        let r = f.reg as u32;
        match f.kind {
            Kind::Int => emit(out, &[ldst64(false, r, SP, off as i32)]),
            Kind::Vec => emit(out, &[0x3d80_0000 | (off / 16) << 10 | SP << 5 | r]),
            Kind::Flags | Kind::FpCtl => emit(
                out,
                &[
                    sysreg(f) | 1 << 21 | TMP,
                    ldst64(false, TMP, SP, off as i32),
                ],
            ),
        }
    }
    fn syscall(&self, out: &mut Vec<u8>, sys: Sys, args: &[u64]) {
        li(out, 8, sys.generic_number());
        for (i, &a) in args.iter().enumerate() {
            li(out, i as u32, a);
        }
        emit(out, &[0xd400_0001]);
    }
    fn handler(&self) -> Vec<u8> {
        // uc_mcontext at 176: fault_address, regs[31], sp (432), pc (440).
        let mut out = Vec::new();
        emit(
            &mut out,
            &[
                ldst64(true, 9, 2, 432),
                ldst64(false, 0, 9, 0),
                ldst64(true, 10, 9, 8),
                ldst64(false, 10, 2, 440),
                0xd65f_03c0,
            ],
        );
        out
    }
    fn restorer(&self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        emit(&mut out, &[0xd280_0000 | 139 << 5 | 8, 0xd400_0001]);
        Some(out)
    }
}
