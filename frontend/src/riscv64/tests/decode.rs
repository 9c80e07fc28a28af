//! Decoder tests: the assembler encodes each instruction and the decode table must name it;
//! RVC expansions must equal the assembler's 32-bit encoding of the equivalent instruction;
//! reserved RVC encodings (from the spec's tables) must be rejected; the translator loop must
//! end blocks at the instruction limit, page boundaries and fetch faults.

use std::sync::Arc;

use emu_ir::{ExitReason, Terminal, Translator};

use super::asm::{assemble, objdump_all_rvc, objdump_words, words};
use crate::riscv64::compressed::expand;
use crate::riscv64::decode::{all_entries, decode};
use crate::riscv64::{Rv64Arch, Rv64Translator};
use crate::translator::GuestArch;
use crate::BufferFetch;

/// One instruction per line; the first token (less any `.aq`/`.rl`/`.aqrl` ordering suffix)
/// is the mnemonic the decoder must report.
const ALL_FORMS: &str = "
lui a0, 0xfffff
auipc t1, 0x12345
addi a0, a1, -2048
slti a0, a1, 5
sltiu a0, a1, -1
xori a0, a1, 0x7ff
ori a0, a1, 1
andi a0, a1, 3
slli a0, a1, 63
srli a0, a1, 33
srai a0, a1, 1
add a0, a1, a2
sub a0, a1, a2
sll a0, a1, a2
slt a0, a1, a2
sltu a0, a1, a2
xor a0, a1, a2
srl a0, a1, a2
sra a0, a1, a2
or a0, a1, a2
and a0, a1, a2
addiw a0, a1, -1
slliw a0, a1, 31
srliw a0, a1, 31
sraiw a0, a1, 31
addw a0, a1, a2
subw a0, a1, a2
sllw a0, a1, a2
srlw a0, a1, a2
sraw a0, a1, a2
mul a0, a1, a2
mulh a0, a1, a2
mulhsu a0, a1, a2
mulhu a0, a1, a2
div a0, a1, a2
divu a0, a1, a2
rem a0, a1, a2
remu a0, a1, a2
mulw a0, a1, a2
divw a0, a1, a2
divuw a0, a1, a2
remw a0, a1, a2
remuw a0, a1, a2
sh1add a0, a1, a2
sh2add a0, a1, a2
sh3add a0, a1, a2
add.uw a0, a1, a2
sh1add.uw a0, a1, a2
sh2add.uw a0, a1, a2
sh3add.uw a0, a1, a2
slli.uw a0, a1, 40
andn a0, a1, a2
orn a0, a1, a2
xnor a0, a1, a2
clz a0, a1
ctz a0, a1
cpop a0, a1
clzw a0, a1
ctzw a0, a1
cpopw a0, a1
max a0, a1, a2
maxu a0, a1, a2
min a0, a1, a2
minu a0, a1, a2
sext.b a0, a1
sext.h a0, a1
zext.h a0, a1
rol a0, a1, a2
ror a0, a1, a2
rolw a0, a1, a2
rorw a0, a1, a2
rori a0, a1, 63
roriw a0, a1, 31
orc.b a0, a1
rev8 a0, a1
bclr a0, a1, a2
bext a0, a1, a2
binv a0, a1, a2
bset a0, a1, a2
bclri a0, a1, 63
bexti a0, a1, 0
binvi a0, a1, 32
bseti a0, a1, 5
lb a0, -1(a1)
lh a0, 2(a1)
lw a0, 4(a1)
ld a0, 8(a1)
lbu a0, 0(a1)
lhu a0, 0(a1)
lwu a0, 0(a1)
sb a0, -2048(a1)
sh a0, 2047(a1)
sw a0, 0(a1)
sd a0, 0(a1)
jal ra, .
jalr ra, 16(a0)
beq a0, a1, .
bne a0, a1, .
blt a0, a1, .
bge a0, a1, .
bltu a0, a1, .
bgeu a0, a1, .
ecall
ebreak
fence rw, rw
fence.i
csrrw a0, fcsr, a1
csrrs a0, fflags, zero
csrrc a0, frm, a1
csrrwi a0, fcsr, 5
csrrsi a0, fflags, 1
csrrci a0, frm, 31
lr.w a0, (a1)
lr.d.aq a0, (a1)
sc.w a0, a2, (a1)
sc.d.rl a0, a2, (a1)
amoswap.w a0, a2, (a1)
amoadd.w a0, a2, (a1)
amoxor.w a0, a2, (a1)
amoand.w a0, a2, (a1)
amoor.w a0, a2, (a1)
amomin.w a0, a2, (a1)
amomax.w a0, a2, (a1)
amominu.w a0, a2, (a1)
amomaxu.w.aqrl a0, a2, (a1)
amoswap.d a0, a2, (a1)
amoadd.d a0, a2, (a1)
amoxor.d a0, a2, (a1)
amoand.d a0, a2, (a1)
amoor.d a0, a2, (a1)
amomin.d a0, a2, (a1)
amomax.d a0, a2, (a1)
amominu.d a0, a2, (a1)
amomaxu.d a0, a2, (a1)
flw fa0, 4(a1)
fld fa0, 8(a1)
fsw fa0, 4(a1)
fsd fa0, 8(a1)
fmadd.s fa0, fa1, fa2, fa3
fmsub.s fa0, fa1, fa2, fa3, rtz
fnmsub.s fa0, fa1, fa2, fa3
fnmadd.s fa0, fa1, fa2, fa3
fmadd.d fa0, fa1, fa2, fa3
fmsub.d fa0, fa1, fa2, fa3
fnmsub.d fa0, fa1, fa2, fa3, rmm
fnmadd.d fa0, fa1, fa2, fa3
fadd.s fa0, fa1, fa2
fsub.s fa0, fa1, fa2, rdn
fmul.s fa0, fa1, fa2
fdiv.s fa0, fa1, fa2
fadd.d fa0, fa1, fa2, rup
fsub.d fa0, fa1, fa2
fmul.d fa0, fa1, fa2
fdiv.d fa0, fa1, fa2
fsqrt.s fa0, fa1
fsqrt.d fa0, fa1
fsgnj.s fa0, fa1, fa2
fsgnjn.s fa0, fa1, fa2
fsgnjx.s fa0, fa1, fa2
fsgnj.d fa0, fa1, fa2
fsgnjn.d fa0, fa1, fa2
fsgnjx.d fa0, fa1, fa2
fmin.s fa0, fa1, fa2
fmax.s fa0, fa1, fa2
fmin.d fa0, fa1, fa2
fmax.d fa0, fa1, fa2
fcvt.s.d fa0, fa1
fcvt.d.s fa0, fa1
feq.s a0, fa1, fa2
flt.s a0, fa1, fa2
fle.s a0, fa1, fa2
feq.d a0, fa1, fa2
flt.d a0, fa1, fa2
fle.d a0, fa1, fa2
fclass.s a0, fa1
fclass.d a0, fa1
fcvt.w.s a0, fa1, rtz
fcvt.wu.s a0, fa1
fcvt.l.s a0, fa1
fcvt.lu.s a0, fa1
fcvt.w.d a0, fa1
fcvt.wu.d a0, fa1
fcvt.l.d a0, fa1
fcvt.lu.d a0, fa1
fcvt.s.w fa0, a1
fcvt.s.wu fa0, a1
fcvt.s.l fa0, a1
fcvt.s.lu fa0, a1
fcvt.d.w fa0, a1
fcvt.d.wu fa0, a1
fcvt.d.l fa0, a1
fcvt.d.lu fa0, a1
fmv.x.w a0, fa1
fmv.x.d a0, fa1
fmv.w.x fa0, a1
fmv.d.x fa0, a1
";

fn mnemonic(line: &str) -> &str {
    let first = line.split_whitespace().next().unwrap_or("");
    for suffix in [".aqrl", ".aq", ".rl"] {
        if let Some(base) = first.strip_suffix(suffix) {
            return base;
        }
    }
    first
}

#[test]
fn every_instruction_form_decodes_to_its_mnemonic() {
    let lines: Vec<&str> = ALL_FORMS.lines().filter(|l| !l.trim().is_empty()).collect();
    let Some(bytes) = assemble(&lines.join("\n"), false) else {
        return;
    };
    let words = words(&bytes);
    assert_eq!(words.len(), lines.len());
    let mut failures = Vec::new();
    for (line, word) in lines.iter().zip(words) {
        let got = decode(word).map(|e| e.name);
        if got != Some(mnemonic(line)) {
            failures.push(format!("{line}: {word:08x} decoded as {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn decode_patterns_do_not_overlap() {
    let entries: Vec<_> = all_entries().collect();
    for (n, a) in entries.iter().enumerate() {
        for b in &entries[n + 1..] {
            let common = a.mask & b.mask;
            assert!(
                (a.bits ^ b.bits) & common != 0,
                "{a:?} and {b:?} match the same words"
            );
        }
    }
}

#[test]
fn known_encodings_from_the_spec() {
    // Words from the ISA manual's examples / opcode map, independent of any tool.
    let cases: &[(u32, Option<&str>)] = &[
        (0x0000_0013, Some("addi")), // nop
        (0x0000_0073, Some("ecall")),
        (0x0010_0073, Some("ebreak")),
        (0x0000_100f, Some("fence.i")),
        (0x0ff0_000f, Some("fence")), // fence iorw, iorw
        (0x3020_0073, None),          // mret: not in user mode
        (0x1050_0073, None),          // wfi
        (0xffff_ffff, None),
        (0x8330_000f, Some("fence")), // fence.tso
    ];
    for &(word, want) in cases {
        assert_eq!(decode(word).map(|e| e.name), want, "{word:08x}");
    }
    // 0x02001013 = slli x0, x0, 32 (RV64 allows a 6-bit shamt).
    assert_eq!(decode(0x0200_1013).map(|e| e.name), Some("slli"));
    // slliw with shamt[5] set is reserved.
    assert_eq!(decode(0x0200_101b).map(|e| e.name), None);
    // fadd.h / fadd.q (fmt 10, 11) are not supported.
    assert_eq!(decode(0x0400_0053).map(|e| e.name), None);
    assert_eq!(decode(0x0600_0053).map(|e| e.name), None);
}

/// (compressed form, the 32-bit instruction the spec says it expands to).
const RVC_PAIRS: &[(&str, &str)] = &[
    ("c.addi4spn a0, sp, 16", "addi a0, sp, 16"),
    ("c.addi4spn s1, sp, 1020", "addi s1, sp, 1020"),
    ("c.addi4spn a5, sp, 4", "addi a5, sp, 4"),
    ("c.fld fa0, 8(a1)", "fld fa0, 8(a1)"),
    ("c.fld fs1, 248(a5)", "fld fs1, 248(a5)"),
    ("c.lw a0, 124(a1)", "lw a0, 124(a1)"),
    ("c.lw a2, 4(s0)", "lw a2, 4(s0)"),
    ("c.lw a3, 64(s1)", "lw a3, 64(s1)"),
    ("c.ld a0, 248(a1)", "ld a0, 248(a1)"),
    ("c.ld s0, 8(a4)", "ld s0, 8(a4)"),
    ("c.fsd fa0, 16(a1)", "fsd fa0, 16(a1)"),
    ("c.fsd fs0, 240(s1)", "fsd fs0, 240(s1)"),
    ("c.sw a0, 64(a1)", "sw a0, 64(a1)"),
    ("c.sw a5, 124(s0)", "sw a5, 124(s0)"),
    ("c.sd s1, 200(a5)", "sd s1, 200(a5)"),
    ("c.sd a2, 8(a3)", "sd a2, 8(a3)"),
    ("c.nop", "addi zero, zero, 0"),
    ("c.addi a0, -32", "addi a0, a0, -32"),
    ("c.addi t6, 31", "addi t6, t6, 31"),
    ("c.addiw a0, -1", "addiw a0, a0, -1"),
    ("c.addiw s11, 31", "addiw s11, s11, 31"),
    ("c.addiw a1, 0", "addiw a1, a1, 0"),
    ("c.li a5, -32", "addi a5, zero, -32"),
    ("c.li ra, 17", "addi ra, zero, 17"),
    ("c.addi16sp sp, -512", "addi sp, sp, -512"),
    ("c.addi16sp sp, 496", "addi sp, sp, 496"),
    ("c.addi16sp sp, 16", "addi sp, sp, 16"),
    ("c.addi16sp sp, -16", "addi sp, sp, -16"),
    ("c.addi16sp sp, 80", "addi sp, sp, 80"),
    ("c.addi16sp sp, 288", "addi sp, sp, 288"),
    ("c.lui a0, 1", "lui a0, 1"),
    ("c.lui t0, 0xfffff", "lui t0, 0xfffff"),
    ("c.lui s2, 0xfffe0", "lui s2, 0xfffe0"),
    ("c.lui a0, 31", "lui a0, 31"),
    ("c.srli a0, 63", "srli a0, a0, 63"),
    ("c.srli s1, 1", "srli s1, s1, 1"),
    ("c.srai a5, 32", "srai a5, a5, 32"),
    ("c.srai s0, 7", "srai s0, s0, 7"),
    ("c.andi a0, -1", "andi a0, a0, -1"),
    ("c.andi s0, 31", "andi s0, s0, 31"),
    ("c.andi a4, -32", "andi a4, a4, -32"),
    ("c.sub a0, a1", "sub a0, a0, a1"),
    ("c.xor s0, a5", "xor s0, s0, a5"),
    ("c.or a2, a3", "or a2, a2, a3"),
    ("c.and s1, a4", "and s1, s1, a4"),
    ("c.subw a0, a1", "subw a0, a0, a1"),
    ("c.addw a5, s0", "addw a5, a5, s0"),
    ("c.j . - 2048", "jal zero, . - 2048"),
    ("c.j . + 2046", "jal zero, . + 2046"),
    ("c.j . + 0x2a", "jal zero, . + 0x2a"),
    ("c.j . + 0x554", "jal zero, . + 0x554"),
    ("c.beqz a0, . - 256", "beq a0, zero, . - 256"),
    ("c.bnez s1, . + 254", "bne s1, zero, . + 254"),
    ("c.beqz a5, . + 0x56", "beq a5, zero, . + 0x56"),
    ("c.bnez a2, . - 0xaa", "bne a2, zero, . - 0xaa"),
    ("c.slli a0, 63", "slli a0, a0, 63"),
    ("c.slli t6, 1", "slli t6, t6, 1"),
    ("c.fldsp fa0, 504(sp)", "fld fa0, 504(sp)"),
    ("c.fldsp ft0, 8(sp)", "fld ft0, 8(sp)"),
    ("c.lwsp a0, 252(sp)", "lw a0, 252(sp)"),
    ("c.lwsp t6, 4(sp)", "lw t6, 4(sp)"),
    ("c.lwsp ra, 128(sp)", "lw ra, 128(sp)"),
    ("c.ldsp a0, 504(sp)", "ld a0, 504(sp)"),
    ("c.ldsp ra, 8(sp)", "ld ra, 8(sp)"),
    ("c.ldsp s0, 64(sp)", "ld s0, 64(sp)"),
    ("c.jr ra", "jalr zero, 0(ra)"),
    ("c.jr a0", "jalr zero, 0(a0)"),
    ("c.mv a0, a1", "add a0, zero, a1"),
    ("c.mv t6, s11", "add t6, zero, s11"),
    ("c.ebreak", "ebreak"),
    ("c.jalr a0", "jalr ra, 0(a0)"),
    ("c.jalr t2", "jalr ra, 0(t2)"),
    ("c.add a0, a1", "add a0, a0, a1"),
    ("c.add sp, t0", "add sp, sp, t0"),
    ("c.fsdsp fa0, 504(sp)", "fsd fa0, 504(sp)"),
    ("c.fsdsp fs11, 8(sp)", "fsd fs11, 8(sp)"),
    ("c.swsp a0, 252(sp)", "sw a0, 252(sp)"),
    ("c.swsp ra, 64(sp)", "sw ra, 64(sp)"),
    ("c.sdsp ra, 504(sp)", "sd ra, 504(sp)"),
    ("c.sdsp s1, 72(sp)", "sd s1, 72(sp)"),
];

#[test]
fn rvc_expands_to_the_assemblers_32_bit_encoding() {
    let short: Vec<&str> = RVC_PAIRS.iter().map(|p| p.0).collect();
    let long: Vec<&str> = RVC_PAIRS.iter().map(|p| p.1).collect();
    let (Some(c), Some(w)) = (
        assemble(&short.join("\n"), true),
        assemble(&long.join("\n"), false),
    ) else {
        return;
    };
    assert_eq!(
        c.len(),
        2 * RVC_PAIRS.len(),
        "every compressed form is 2 bytes"
    );
    let full = words(&w);
    let mut failures = Vec::new();
    for (n, (pair, want)) in RVC_PAIRS.iter().zip(full).enumerate() {
        let half = u16::from_le_bytes([c[2 * n], c[2 * n + 1]]);
        let got = expand(half);
        if got != Some(want) {
            failures.push(format!(
                "{}: {half:04x} -> {got:08x?}, want {want:08x}",
                pair.0
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn reserved_rvc_encodings_are_illegal() {
    // Per the RVC opcode tables (RV64): each is reserved.
    let reserved: &[(u16, &str)] = &[
        (0x0000, "all-zero halfword (c.addi4spn nzuimm=0)"),
        (0x0004, "c.addi4spn a1, sp, 0"),
        (0x8000, "quadrant 0 funct3=100"),
        (0x2001, "c.addiw x0"),
        (0x2005, "c.addiw x0, 1"),
        (0x6101, "c.addi16sp nzimm=0"),
        (0x6501, "c.lui a0, 0"),
        (0x9c41, "c.subw-class funct2=10"),
        (0x9c61, "c.subw-class funct2=11"),
        (0x4002, "c.lwsp x0"),
        (0x6002, "c.ldsp x0"),
        (0x8002, "c.jr x0"),
    ];
    for &(h, what) in reserved {
        assert_eq!(expand(h), None, "{h:04x} ({what})");
    }
}

#[test]
fn every_rvc_halfword_expands_to_a_decodable_instruction_or_none() {
    // No panic on any input, and every expansion is something the decoder knows.
    for h in 0..=u16::MAX {
        if h & 3 == 3 {
            continue;
        }
        if let Some(w) = expand(h) {
            assert!(
                decode(w).is_some(),
                "{h:04x} expands to undecodable {w:08x}"
            );
        }
    }
}

/// The base instruction each RVC mnemonic (as objdump prints it) expands to.
fn rvc_base(mnemonic: &str) -> Option<&'static str> {
    Some(match mnemonic {
        "c.addi4spn" | "c.nop" | "c.addi" | "c.li" | "c.addi16sp" => "addi",
        "c.fld" | "c.fldsp" => "fld",
        "c.lw" | "c.lwsp" => "lw",
        "c.ld" | "c.ldsp" => "ld",
        "c.fsd" | "c.fsdsp" => "fsd",
        "c.sw" | "c.swsp" => "sw",
        "c.sd" | "c.sdsp" => "sd",
        "c.addiw" => "addiw",
        "c.lui" => "lui",
        "c.srli" | "c.srli64" => "srli",
        "c.srai" | "c.srai64" => "srai",
        "c.slli" | "c.slli64" => "slli",
        "c.andi" => "andi",
        "c.sub" => "sub",
        "c.xor" => "xor",
        "c.or" => "or",
        "c.and" => "and",
        "c.subw" => "subw",
        "c.addw" => "addw",
        "c.j" => "jal",
        "c.beqz" => "beq",
        "c.bnez" => "bne",
        "c.jr" | "c.jalr" => "jalr",
        "c.mv" | "c.add" => "add",
        "c.ebreak" => "ebreak",
        _ => return None,
    })
}

#[test]
fn every_rvc_halfword_agrees_with_objdump() {
    let Some(listing) = objdump_all_rvc() else {
        return;
    };
    let mut failures = Vec::new();
    for (h, mnemonic) in listing {
        let ours = expand(h).and_then(decode).map(|e| e.name);
        let theirs = match mnemonic.as_str() {
            // Reserved by the spec, though objdump prints them: c.unimp is the all-zero
            // halfword, and c.addi16sp with a zero immediate is reserved.
            "c.unimp" => None,
            "c.addi16sp" if h & 0x107c == 0 => None,
            ".2byte" => None,
            m => Some(rvc_base(m).unwrap_or(m)),
        };
        if ours != theirs {
            failures.push(format!("{h:04x}: objdump {mnemonic}, we {ours:?}"));
        }
    }
    let shown: Vec<_> = failures.iter().take(20).collect();
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{shown:#?}",
        failures.len()
    );
}

/// Random 32-bit words (fixed seed) over the major opcodes this frontend implements.
fn random_words(count: usize) -> Vec<u32> {
    const OPCODES: [u32; 19] = [
        0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x27, 0x2f, 0x33, 0x37, 0x3b, 0x43, 0x47, 0x4b,
        0x4f, 0x53, 0x63, 0x73,
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..count)
        .map(|n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let w = (state >> 16) as u32;
            // Half the words get a random funct7 from the small set the extensions use, so the
            // rarer encodings are hit often.
            let w = if n % 2 == 0 {
                w & 0x03ff_ffff | ((w >> 7) & 0x3) << 30
            } else {
                w
            };
            (w & !0x7f) | OPCODES[n % OPCODES.len()]
        })
        .collect()
}

/// Whether a Zicsr instruction is one user mode may execute: a user-level CSR, and no write
/// to a read-only counter (csrrw always writes; csrrs/csrrc and the immediate forms write when
/// the rs1/uimm field is non-zero).
fn user_csr_access(word: u32, mnemonic: &str) -> bool {
    let csr = word >> 20;
    let writes = mnemonic.starts_with("csrrw") || (word >> 15) & 31 != 0;
    match csr {
        0x001..=0x003 => true,
        0xc00..=0xc02 => !writes,
        _ => false,
    }
}

/// Whether the spec (and this frontend) rejects `word`, which objdump still prints as
/// `mnemonic`: privileged instructions, CSR accesses user mode cannot make, reserved rounding
/// modes.
fn rejected_on_purpose(word: u32, mnemonic: &str) -> bool {
    let rm = (word >> 12) & 7;
    let opcode = word & 0x7f;
    let funct5 = word >> 27;
    // FP instructions whose funct3 is a rounding mode (not sgnj/minmax/compare/class/move).
    let has_rm = matches!(opcode, 0x43 | 0x47 | 0x4b | 0x4f)
        || (opcode == 0x53 && !matches!(funct5, 0x04 | 0x05 | 0x14 | 0x1c | 0x1e));
    let privileged = matches!(
        mnemonic,
        "mret" | "sret" | "wfi" | "sfence.vma" | "uret" | "dret"
    );
    let bad_csr = mnemonic.starts_with("csrr") && !user_csr_access(word, mnemonic);
    privileged || bad_csr || (has_rm && matches!(rm, 5 | 6))
}

/// Whether the 32-bit `word` translates to something other than an illegal-instruction exit.
fn translates(word: u32) -> bool {
    let mut block = emu_ir::Block::new(0x1000, 0);
    let mut builder = emu_ir::Builder::new(&mut block);
    Rv64Arch.translate_insn(0x1000, &word.to_le_bytes(), &mut builder);
    !matches!(
        block.terminal,
        Terminal::Exit {
            reason: ExitReason::IllegalInsn,
            ..
        }
    )
}

#[test]
fn random_32_bit_words_agree_with_objdump() {
    let words = random_words(100_000);
    let Some(listing) = objdump_words(&words, 4) else {
        return;
    };
    let mut failures = Vec::new();
    for (word, printed) in listing {
        let ours = decode(word).filter(|_| translates(word)).map(|e| e.name);
        let theirs = match mnemonic(&printed) {
            // The base ISA says implementations ignore the unused fence/fence.i fields, which
            // objdump refuses to decode when they are non-zero.
            ".4byte" if matches!(ours, Some("fence" | "fence.i")) => ours,
            // fcvt.d.s never rounds; objdump knows it only with rm = RNE, the spec (and QEMU)
            // accept any valid rounding mode.
            ".4byte" if ours == Some("fcvt.d.s") => ours,
            ".4byte" => None,
            "fence.tso" | "pause" => Some("fence"),
            m if ours.is_none() && rejected_on_purpose(word, m) => None,
            m => Some(m),
        };
        if ours != theirs {
            failures.push(format!("{word:08x}: objdump {printed}, we {ours:?}"));
        }
    }
    let shown: Vec<_> = failures.iter().take(30).collect();
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{shown:#?}",
        failures.len()
    );
}

/// 32-bit `addi x0, x0, 0` (nop) repeated.
fn nops(n: usize) -> Vec<u8> {
    std::iter::repeat_n([0x13u8, 0, 0, 0], n)
        .flatten()
        .collect()
}

fn translator(base: u64, code: Vec<u8>) -> Rv64Translator {
    Rv64Translator::new(Arc::new(BufferFetch::new(base, code)))
}

#[test]
fn blocks_stop_at_the_instruction_limit() {
    let t = translator(0x1000, nops(100));
    let b = t.translate(0x1000, 0);
    assert_eq!(b.insn_count, 64);
    assert_eq!(b.guest_size, 256);
    assert_eq!(b.terminal, Terminal::Goto(0x1100));
}

#[test]
fn blocks_stop_at_a_page_boundary() {
    let t = translator(0x1ff8, nops(8));
    let b = t.translate(0x1ff8, 0);
    assert_eq!(b.insn_count, 2);
    assert_eq!(b.terminal, Terminal::Goto(0x2000));
}

#[test]
fn an_instruction_may_straddle_the_page_end() {
    // c.nop at 0x1ffc, then a 4-byte nop at 0x1ffe crossing into the next page.
    let mut code = vec![0x13, 0, 0, 0, 0x01, 0x00];
    code.extend(nops(2));
    let t = translator(0x1ff8, code);
    let b = t.translate(0x1ff8, 0);
    assert_eq!(b.insn_count, 3);
    assert_eq!(b.guest_size, 10);
    assert_eq!(b.terminal, Terminal::Goto(0x2002));
}

#[test]
fn fetch_faults_end_blocks() {
    // Two nops then half of a 32-bit instruction: the block ends before it.
    let mut code = nops(2);
    code.extend([0x13, 0x00]);
    let t = translator(0x1000, code);
    let b = t.translate(0x1000, 0);
    assert_eq!(b.insn_count, 2);
    assert_eq!(b.terminal, Terminal::Goto(0x1008));
    // Translating at the truncated instruction itself faults.
    let b = t.translate(0x1008, 0);
    assert_eq!(b.insn_count, 0);
    assert!(b.insts.is_empty());
    let want = Terminal::Exit {
        reason: ExitReason::FetchFault,
        pc: 0x1008,
    };
    assert_eq!(b.terminal, want);
    // An unmapped pc faults too.
    let b = t.translate(0x9000, 0);
    assert!(matches!(
        b.terminal,
        Terminal::Exit {
            reason: ExitReason::FetchFault,
            pc: 0x9000
        }
    ));
}

#[test]
fn illegal_instructions_end_the_block_without_effects() {
    // nop; csrrw x0, cycle, a0 (write to a read-only CSR); nop
    let mut code = nops(1);
    code.extend(0xc005_1073u32.to_le_bytes());
    code.extend(nops(1));
    let t = translator(0x1000, code);
    let b = t.translate(0x1000, 0);
    assert_eq!(b.insn_count, 2);
    let nop_alone = translator(0x1000, nops(1)).translate(0x1000, 0);
    assert_eq!(
        b.insts, nop_alone.insts,
        "nothing of the illegal instruction is emitted"
    );
    let want = Terminal::Exit {
        reason: ExitReason::IllegalInsn,
        pc: 0x1004,
    };
    assert_eq!(b.terminal, want);
}
