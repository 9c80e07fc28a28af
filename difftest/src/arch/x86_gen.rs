//! x86_64 instruction generation: every iced-x86 `Code` (one instruction form) whose
//! mnemonic is in the covered classes and whose operands this file can fill (general, MM and
//! XMM registers other than rsp/r15, immediates, `[r15 + disp8]` memory) is a candidate; a
//! case picks a mnemonic, then one of its forms, then random operands. The MMX forms of the
//! SSE integer mnemonics (`paddb mm, mm/m64`, ...) come with them.

use std::collections::BTreeMap;

use iced_x86::{
    Code, CpuidFeature, Encoder, EncodingKind, Instruction, Mnemonic, OpCodeOperandKind as K,
    OpKind, Register, RflagsBits,
};

use super::x86_64::{GPR64, RESERVED};
use super::{mnemonic, GenInsn};
use crate::rng::Rng;

/// The covered mnemonics, by class.
const CLASSES: &[(&str, &[Mnemonic])] = {
    use Mnemonic::*;
    &[
        (
            "integer ALU",
            &[
                Add, Adc, Sub, Sbb, And, Or, Xor, Cmp, Test, Neg, Not, Inc, Dec, Mov, Movzx, Movsx,
                Movsxd, Xchg, Lea, Bswap, Cbw, Cwde, Cdqe, Cwd, Cdq, Cqo, Clc, Stc, Cmc, Lahf,
                Sahf, Xadd, Cmpxchg,
            ],
        ),
        (
            "shift/rotate",
            &[Shl, Shr, Sar, Rol, Ror, Rcl, Rcr, Shld, Shrd],
        ),
        ("mul/div", &[Mul, Imul, Div, Idiv]),
        (
            "bit manipulation",
            &[
                Bt, Bts, Btr, Btc, Bsf, Bsr, Lzcnt, Tzcnt, Popcnt, Andn, Bextr, Blsi, Blsmsk, Blsr,
                Bzhi, Pdep, Pext, Rorx, Sarx, Shlx, Shrx, Mulx, Adcx, Adox, Movbe, Crc32,
            ],
        ),
        (
            "cmov/setcc",
            &[
                Cmova, Cmovae, Cmovb, Cmovbe, Cmove, Cmovg, Cmovge, Cmovl, Cmovle, Cmovne, Cmovno,
                Cmovnp, Cmovns, Cmovo, Cmovp, Cmovs, Seta, Setae, Setb, Setbe, Sete, Setg, Setge,
                Setl, Setle, Setne, Setno, Setnp, Setns, Seto, Setp, Sets,
            ],
        ),
        (
            "SSE/SSE2 integer",
            &[
                Movd, Movq, Movdqa, Movdqu, Paddb, Paddw, Paddd, Paddq, Psubb, Psubw, Psubd, Psubq,
                Paddsb, Paddsw, Paddusb, Paddusw, Psubsb, Psubsw, Psubusb, Psubusw, Pand, Pandn,
                Por, Pxor, Pcmpeqb, Pcmpeqw, Pcmpeqd, Pcmpgtb, Pcmpgtw, Pcmpgtd, Pmullw, Pmulhw,
                Pmulhuw, Pmuludq, Pmaddwd, Psllw, Pslld, Psllq, Psrlw, Psrld, Psrlq, Psraw, Psrad,
                Pslldq, Psrldq, Punpcklbw, Punpcklwd, Punpckldq, Punpcklqdq, Punpckhbw, Punpckhwd,
                Punpckhdq, Punpckhqdq, Packsswb, Packssdw, Packuswb, Pshufd, Pshuflw, Pshufhw,
                Pavgb, Pavgw, Pminub, Pmaxub, Pminsw, Pmaxsw, Psadbw, Pmovmskb, Pextrw, Pinsrw,
                Movnti, Movntdq,
            ],
        ),
        (
            "SSSE3/SSE4.1 integer",
            &[
                Pshufb, Palignr, Pabsb, Pabsw, Pabsd, Phaddw, Phaddd, Phsubw, Phsubd, Phaddsw,
                Phsubsw, Pmulhrsw, Pmaddubsw, Psignb, Psignw, Psignd, Pminsb, Pminsd, Pminuw,
                Pminud, Pmaxsb, Pmaxsd, Pmaxuw, Pmaxud, Pmulld, Pmuldq, Pcmpeqq, Packusdw, Pblendw,
                Pblendvb, Mpsadbw, Phminposuw, Ptest, Pmovzxbw, Pmovzxbd, Pmovzxbq, Pmovzxwd,
                Pmovzxwq, Pmovzxdq, Pmovsxbw, Pmovsxbd, Pmovsxbq, Pmovsxwd, Pmovsxwq, Pmovsxdq,
                Pextrb, Pextrd, Pextrq, Pinsrb, Pinsrd, Pinsrq, Movntdqa, Lddqu,
            ],
        ),
        (
            "SSE4.2 string and compare",
            &[
                Pcmpgtq,
                Pcmpestri,
                Pcmpestri64,
                Pcmpestrm,
                Pcmpestrm64,
                Pcmpistri,
                Pcmpistrm,
            ],
        ),
        (
            "SSE/SSE2 FP",
            &[
                Addss, Addsd, Addps, Addpd, Subss, Subsd, Subps, Subpd, Mulss, Mulsd, Mulps, Mulpd,
                Divss, Divsd, Divps, Divpd, Sqrtss, Sqrtsd, Sqrtps, Sqrtpd, Minss, Minsd, Minps,
                Minpd, Maxss, Maxsd, Maxps, Maxpd, Cmpss, Cmpsd, Cmpps, Cmppd, Comiss, Comisd,
                Ucomiss, Ucomisd, Cvtsi2ss, Cvtsi2sd, Cvtss2si, Cvttss2si, Cvtsd2si, Cvttsd2si,
                Cvtss2sd, Cvtsd2ss, Cvtdq2ps, Cvtps2dq, Cvttps2dq, Cvtdq2pd, Cvtpd2dq, Cvttpd2dq,
                Cvtps2pd, Cvtpd2ps, Andps, Andpd, Andnps, Andnpd, Orps, Orpd, Xorps, Xorpd, Movaps,
                Movapd, Movups, Movupd, Movss, Movsd, Shufps, Shufpd, Unpcklps, Unpcklpd, Unpckhps,
                Unpckhpd, Movhlps, Movlhps, Movmskps, Movmskpd, Movlps, Movhps, Movlpd, Movhpd,
            ],
        ),
        (
            "SSE3/SSE4.1 FP",
            &[
                Haddps, Haddpd, Hsubps, Hsubpd, Addsubps, Addsubpd, Movddup, Movshdup, Movsldup,
                Roundss, Roundsd, Roundps, Roundpd, Blendps, Blendpd, Blendvps, Blendvpd, Insertps,
                Extractps, Dpps, Dppd,
            ],
        ),
        (
            "MMX only",
            &[
                Emms, Movq2dq, Movdq2q, Pshufw, Movntq, Cvtpi2ps, Cvtps2pi, Cvttps2pi, Cvtpi2pd,
                Cvtpd2pi, Cvttpd2pi,
            ],
        ),
    ]
};

/// The CPUID features emu-user advertises (frontend/src/x86_64/cpuid.rs): forms needing any
/// other (AVX, 3DNow!, ...) are not generated.
const ADVERTISED: &[CpuidFeature] = &[
    CpuidFeature::INTEL8086,
    CpuidFeature::INTEL186,
    CpuidFeature::INTEL286,
    CpuidFeature::INTEL386,
    CpuidFeature::INTEL486,
    CpuidFeature::X64,
    CpuidFeature::CMOV,
    CpuidFeature::MMX,
    CpuidFeature::SSE,
    CpuidFeature::SSE2,
    CpuidFeature::SSE3,
    CpuidFeature::SSSE3,
    CpuidFeature::SSE4_1,
    CpuidFeature::SSE4_2,
    CpuidFeature::MOVBE,
    CpuidFeature::LZCNT,
    CpuidFeature::POPCNT,
    CpuidFeature::BMI1,
    CpuidFeature::BMI2,
    CpuidFeature::ADX,
];

/// Forms whose result is architecturally undefined for common operands (so the host CPU is
/// no oracle): BSWAP of a 16-bit register; 16-bit SHLD/SHRD with counts above 16.
const UNDEFINED_RESULT: &[Code] = &[
    Code::Bswap_r16,
    Code::Shld_rm16_r16_imm8,
    Code::Shld_rm16_r16_CL,
    Code::Shrd_rm16_r16_imm8,
    Code::Shrd_rm16_r16_CL,
];

/// The encodable forms of the covered mnemonics.
pub struct X86Gen {
    forms: BTreeMap<Mnemonic, Vec<Code>>,
}

impl Default for X86Gen {
    fn default() -> Self {
        Self::new()
    }
}

impl X86Gen {
    pub fn new() -> Self {
        let mut forms: BTreeMap<Mnemonic, Vec<Code>> = BTreeMap::new();
        for code in Code::values() {
            let op = code.op_code();
            let covered = CLASSES.iter().any(|(_, ms)| ms.contains(&op.mnemonic()));
            let encoding_ok = matches!(op.encoding(), EncodingKind::Legacy | EncodingKind::VEX);
            let cpuid_ok = code.cpuid_features().iter().all(|f| ADVERTISED.contains(f));
            if covered
                && encoding_ok
                && cpuid_ok
                && !UNDEFINED_RESULT.contains(&code)
                && op.is_instruction()
                && op.mode64()
                && op.op_kinds().iter().all(|&k| supported(k))
            {
                forms.entry(op.mnemonic()).or_default().push(code);
            }
        }
        X86Gen { forms }
    }

    /// A random encodable instruction.
    pub fn generate(&self, rng: &mut Rng) -> GenInsn {
        let mnemonics: Vec<&Mnemonic> = self.forms.keys().collect();
        loop {
            let m = **rng.pick(&mnemonics);
            let code = *rng.pick(&self.forms[&m]);
            let Some(instr) = build(code, rng) else {
                continue;
            };
            let mut enc = Encoder::new(64);
            if enc.encode(&instr, 0).is_err() {
                continue;
            }
            let bytes = enc.take_buffer();
            let mut undef = hw_flags(instr.rflags_undefined());
            if shift_by_count(code) {
                // OF is defined only for a count of 1.
                undef |= OF;
            }
            let defined = if count_may_be_0(code, &instr) {
                0
            } else {
                hw_flags(instr.rflags_written() | instr.rflags_set() | instr.rflags_cleared())
                    & !undef
            };
            return GenInsn {
                mnemonic: mnemonic(emu_disas::Arch::X86_64, &bytes),
                bytes,
                name: format!("{code:?}"),
                undef_flags: undef,
                flags_read: hw_flags(instr.rflags_read()),
                flags_defined: defined,
            };
        }
    }
}

const OF: u64 = 0x800;

/// Whether `code` is a shift or rotate by an immediate or CL (not the by-1 forms).
fn shift_by_count(code: Code) -> bool {
    use Mnemonic::*;
    let op = code.op_code();
    matches!(
        op.mnemonic(),
        Shl | Shr | Sar | Rol | Ror | Rcl | Rcr | Shld | Shrd
    ) && !op.op_kinds().contains(&K::imm8_const_1)
}

/// Shifts and rotates whose masked count may be 0 (CL, or an immediate that masks to 0):
/// a count of 0 leaves every flag as it was, so they define none (a flag an earlier
/// instruction left undefined stays undefined).
fn count_may_be_0(code: Code, instr: &Instruction) -> bool {
    if !shift_by_count(code) {
        return false;
    }
    let mask = if code.op_code().operand_size() == 64 {
        0x3f
    } else {
        0x1f
    };
    let last = instr.op_count() - 1;
    match instr.op_kind(last) {
        OpKind::Immediate8 => u32::from(instr.immediate8()) & mask == 0,
        _ => true,
    }
}

/// iced's flag bits as RFLAGS bits.
fn hw_flags(bits: u32) -> u64 {
    const MAP: [(u32, u64); 6] = [
        (RflagsBits::CF, 0x1),
        (RflagsBits::PF, 0x4),
        (RflagsBits::AF, 0x10),
        (RflagsBits::ZF, 0x40),
        (RflagsBits::SF, 0x80),
        (RflagsBits::OF, 0x800),
    ];
    MAP.iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, h)| h)
        .sum()
}

fn supported(k: K) -> bool {
    reg_class(k).is_some()
        || or_mem_class(k).is_some()
        || imm_kind(k).is_some()
        || matches!(k, K::mem | K::al | K::cl | K::ax | K::eax | K::rax)
}

/// What register an operand names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RegClass {
    /// A general register of 1, 2, 4 or 8 bytes.
    Gpr(u32),
    /// MM0–MM7.
    Mm,
    /// XMM0–XMM15.
    Xmm,
}

/// The register class of a register-only operand kind.
fn reg_class(k: K) -> Option<RegClass> {
    Some(match k {
        K::r8_reg | K::r8_opcode => RegClass::Gpr(1),
        K::r16_reg | K::r16_rm | K::r16_opcode | K::r16_reg_mem => RegClass::Gpr(2),
        K::r32_reg | K::r32_rm | K::r32_opcode | K::r32_vvvv | K::r32_reg_mem => RegClass::Gpr(4),
        K::r64_reg | K::r64_rm | K::r64_opcode | K::r64_vvvv | K::r64_reg_mem => RegClass::Gpr(8),
        K::mm_reg | K::mm_rm => RegClass::Mm,
        K::xmm_reg | K::xmm_rm | K::xmm_vvvv => RegClass::Xmm,
        _ => return None,
    })
}

/// The register class of the register half of a `*_or_mem` kind.
fn or_mem_class(k: K) -> Option<RegClass> {
    Some(match k {
        K::r8_or_mem => RegClass::Gpr(1),
        K::r16_or_mem => RegClass::Gpr(2),
        K::r32_or_mem => RegClass::Gpr(4),
        K::r64_or_mem => RegClass::Gpr(8),
        K::mm_or_mem => RegClass::Mm,
        K::xmm_or_mem => RegClass::Xmm,
        _ => return None,
    })
}

fn imm_kind(k: K) -> Option<OpKind> {
    Some(match k {
        K::imm8 | K::imm8_const_1 => OpKind::Immediate8,
        K::imm8sex16 => OpKind::Immediate8to16,
        K::imm8sex32 => OpKind::Immediate8to32,
        K::imm8sex64 => OpKind::Immediate8to64,
        K::imm16 => OpKind::Immediate16,
        K::imm32 => OpKind::Immediate32,
        K::imm32sex64 => OpKind::Immediate32to64,
        K::imm64 => OpKind::Immediate64,
        _ => return None,
    })
}

/// A random register of class `class` that is not reserved.
fn random_reg(class: RegClass, rng: &mut Rng) -> Register {
    let width = match class {
        RegClass::Mm => return Register::MM0 + rng.below(8) as u32,
        RegClass::Xmm => return Register::XMM0 + rng.below(16) as u32,
        RegClass::Gpr(w) => w,
    };
    let n = loop {
        let n = rng.below(16) as usize;
        if !RESERVED.contains(&n) {
            break n;
        }
    };
    let r64 = GPR64[n];
    match width {
        8 => r64,
        4 => Register::EAX + (r64 as u32 - Register::RAX as u32),
        2 => Register::AX + (r64 as u32 - Register::RAX as u32),
        _ if n < 4 && rng.one_in(3) => Register::AH + n as u32,
        _ if n < 4 => Register::AL + n as u32,
        _ => Register::SPL + (n as u32 - 4),
    }
}

/// Bit-test forms with a register bit offset address memory far from the operand: always
/// use the register form for them.
fn register_only(m: Mnemonic) -> bool {
    matches!(
        m,
        Mnemonic::Bt | Mnemonic::Bts | Mnemonic::Btr | Mnemonic::Btc
    )
}

/// `code` with random operands (None: not buildable this time).
fn build(code: Code, rng: &mut Rng) -> Option<Instruction> {
    let op = code.op_code();
    let mut instr = Instruction::default();
    instr.set_code(code);
    let msize = op.memory_size().size().max(1) as i64;
    for (i, &k) in op.op_kinds().iter().enumerate() {
        let i = i as u32;
        if let Some(w) = reg_class(k) {
            instr.set_op_kind(i, OpKind::Register);
            instr.set_op_register(i, random_reg(w, rng));
        } else if let Some(kind) = imm_kind(k) {
            instr.set_op_kind(i, kind);
            let v = if k == K::imm8_const_1 {
                1
            } else {
                random_imm(kind, rng)
            };
            instr.try_set_immediate_i64(i, v).ok()?;
        } else if let Some(w) =
            or_mem_class(k).filter(|_| register_only(op.mnemonic()) || rng.one_in(2))
        {
            instr.set_op_kind(i, OpKind::Register);
            instr.set_op_register(i, random_reg(w, rng));
        } else if or_mem_class(k).is_some() || k == K::mem {
            set_mem(&mut instr, i, msize, rng);
        } else {
            let r = match k {
                K::al => Register::AL,
                K::cl => Register::CL,
                K::ax => Register::AX,
                K::eax => Register::EAX,
                _ => Register::RAX,
            };
            instr.set_op_kind(i, OpKind::Register);
            instr.set_op_register(i, r);
        }
    }
    Some(instr)
}

fn random_imm(kind: OpKind, rng: &mut Rng) -> i64 {
    let v = rng.interesting_u64() as i64;
    match kind {
        OpKind::Immediate8 => v as u8 as i64,
        OpKind::Immediate8to16 | OpKind::Immediate8to32 | OpKind::Immediate8to64 => v as i8 as i64,
        OpKind::Immediate16 => v as u16 as i64,
        OpKind::Immediate32 => v as u32 as i64,
        OpKind::Immediate32to64 => v as i32 as i64,
        _ => v,
    }
}

/// `[r15 + disp8]` inside the scratch window, mostly aligned to the access size; a quarter
/// of the smaller accesses and a sixteenth of the 16-byte ones are misaligned (most legacy
/// SSE forms then fault with #GP, which is compared as SIGSEGV; MOVDQU, LDDQU, PCMPxSTRx,
/// ... do not).
fn set_mem(instr: &mut Instruction, i: u32, size: i64, rng: &mut Rng) {
    let size = size.min(16);
    let mut disp = rng.range(-128, 127 - size);
    let misaligned = if size == 16 {
        rng.one_in(16)
    } else {
        rng.one_in(4)
    };
    if !misaligned {
        disp &= !(size - 1);
    }
    instr.set_op_kind(i, OpKind::Memory);
    instr.set_memory_base(Register::R15);
    instr.set_memory_index(Register::None);
    instr.set_memory_displacement64(disp as u64);
    instr.set_memory_displ_size(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every covered mnemonic has at least one generated form (a typo, a feature missing
    /// from [`ADVERTISED`] or an unsupported operand kind would silently drop it).
    #[test]
    fn every_covered_mnemonic_is_generated() {
        let gen = X86Gen::new();
        let missing: Vec<_> = CLASSES
            .iter()
            .flat_map(|(_, ms)| ms.iter())
            .filter(|m| !gen.forms.contains_key(m))
            .collect();
        assert!(missing.is_empty(), "no form generated for {missing:?}");
    }
}
