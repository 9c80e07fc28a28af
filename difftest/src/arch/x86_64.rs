//! x86_64: register layout, the harness's own encodings (through iced-x86's encoder), and
//! the fault handler; instruction generation lives in [`super::x86_gen`]. Reserved: rsp (the
//! case record) and r15 (the scratch base); rax is the harness's scratch register (its own
//! value is loaded last). The reference is the host CPU. The MMX registers are recorded as
//! 8-byte vector fields; storing one ends with EMMS, so the x87 state is back to empty when
//! a case ends.

use iced_x86::{Code, Encoder, IcedError, Instruction, MemoryOperand, Register};

use super::x86_gen::X86Gen;
use super::{ArchSpec, GenInsn, KnownBug, Mem, Reference, Sys};
use crate::layout::{Field, Kind, Layout};
use crate::program::BASE_ADDR;
use crate::rng::Rng;

/// The 64-bit general registers by number.
pub const GPR64: [Register; 16] = [
    Register::RAX,
    Register::RCX,
    Register::RDX,
    Register::RBX,
    Register::RSP,
    Register::RBP,
    Register::RSI,
    Register::RDI,
    Register::R8,
    Register::R9,
    Register::R10,
    Register::R11,
    Register::R12,
    Register::R13,
    Register::R14,
    Register::R15,
];
/// Register numbers the generated instructions never name (rsp, r15).
pub const RESERVED: [usize; 2] = [4, 15];
const BASE: u8 = 15;

/// Size of an MMX register field (XMM fields are 16 bytes).
const MM_SIZE: usize = 8;

/// RFLAGS bits compared: CF PF AF ZF SF OF.
pub const ARITH_FLAGS: u64 = 0x8d5;

/// The x86_64 arch.
pub struct X86_64 {
    layout: Layout,
    gen: X86Gen,
}

impl X86_64 {
    pub fn new() -> Self {
        const NAMES: [&str; 16] = [
            "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11",
            "r12", "r13", "r14", "r15",
        ];
        let mut fields = Vec::new();
        for (r, name) in NAMES.iter().enumerate().filter(|(r, _)| *r != 4) {
            let f = Field::new(*name, r as u8, Kind::Int, 8);
            fields.push(if r as u8 == BASE {
                f.fixed(BASE_ADDR)
            } else {
                f
            });
        }
        for r in 0..16 {
            fields.push(Field::new(format!("xmm{r}"), r, Kind::Vec, 16));
        }
        for r in 0..8 {
            fields.push(Field::new(format!("mm{r}"), r, Kind::Vec, MM_SIZE));
        }
        fields.push(Field::new("rflags", 0, Kind::Flags, 8).masked(ARITH_FLAGS));
        fields.push(Field::new("mxcsr", 0, Kind::FpCtl, 8).masked(0xffff));
        X86_64 {
            layout: Layout::new(fields),
            gen: X86Gen::new(),
        }
    }
}

impl Default for X86_64 {
    fn default() -> Self {
        Self::new()
    }
}

const KNOWN_BUGS: &[KnownBug] = &[];

/// Encodes one harness instruction (an encoding failure is a bug in this file).
fn enc(out: &mut Vec<u8>, instr: Result<Instruction, IcedError>) {
    let instr = instr.expect("harness instruction is well-formed");
    let mut e = Encoder::new(64);
    e.encode(&instr, 0).expect("harness instruction encodes");
    out.extend(e.take_buffer());
}

fn m(base: Register, off: i32) -> MemoryOperand {
    MemoryOperand::with_base_displ(base, off as i64)
}

fn mem(x: Mem) -> MemoryOperand {
    match x {
        Mem::Sp(off) => m(Register::RSP, off),
        Mem::Base(off) => m(Register::R15, off),
    }
}

/// `mov r32, imm32` (zero-extends; value < 2^32).
fn li(out: &mut Vec<u8>, reg: Register, value: u64) {
    let r32 = reg.full_register32();
    enc(
        out,
        Instruction::with2(Code::Mov_r32_imm32, r32, value as u32),
    );
}

/// `lea rsp, [rsp + off]` (moves rsp without touching the flags).
fn move_sp(out: &mut Vec<u8>, off: i32) {
    enc(
        out,
        Instruction::with2(Code::Lea_r64_m, Register::RSP, m(Register::RSP, off)),
    );
}

fn xmm(r: u8) -> Register {
    Register::XMM0 + u32::from(r)
}

fn mm(r: u8) -> Register {
    Register::MM0 + u32::from(r)
}

impl ArchSpec for X86_64 {
    fn name(&self) -> &'static str {
        "x86_64"
    }
    fn disas_arch(&self) -> emu_disas::Arch {
        emu_disas::Arch::X86_64
    }
    fn elf_machine(&self) -> (u16, u32) {
        (62, 0) // EM_X86_64
    }
    fn layout(&self) -> &Layout {
        &self.layout
    }
    fn base_reg(&self) -> u8 {
        BASE
    }
    fn reference(&self) -> Reference {
        Reference::Native
    }
    fn known_reference_bugs(&self) -> &'static [KnownBug] {
        KNOWN_BUGS
    }
    fn random_ctl(&self, f: &Field, rng: &mut Rng) -> u64 {
        match f.kind {
            Kind::Flags => 0x202 | (rng.next_u64() & ARITH_FLAGS),
            // MXCSR: exceptions masked, a random rounding mode, FTZ (bit 15) and DAZ (bit 6).
            _ => 0x1f80 | rng.below(4) << 13 | rng.below(2) << 15 | rng.below(2) << 6,
        }
    }
    fn generate(&self, rng: &mut Rng) -> GenInsn {
        self.gen.generate(rng)
    }

    fn set_sp(&self, out: &mut Vec<u8>, addr: u64) {
        li(out, Register::RSP, addr);
    }
    fn set_reg(&self, out: &mut Vec<u8>, reg: u8, value: u64) {
        li(out, GPR64[reg as usize], value);
    }
    fn copy8(&self, out: &mut Vec<u8>, from: Mem, to: Mem) {
        enc(
            out,
            Instruction::with2(Code::Mov_r64_rm64, Register::RAX, mem(from)),
        );
        enc(
            out,
            Instruction::with2(Code::Mov_rm64_r64, mem(to), Register::RAX),
        );
    }
    fn copy_block(&self, out: &mut Vec<u8>, from: Mem, to: Mem, len: usize) {
        // rep movsb through rsi/rdi/rcx (all loaded after the copy in, stored before the
        // copy out).
        enc(
            out,
            Instruction::with2(Code::Lea_r64_m, Register::RSI, mem(from)),
        );
        enc(
            out,
            Instruction::with2(Code::Lea_r64_m, Register::RDI, mem(to)),
        );
        li(out, Register::RCX, len as u64);
        enc(
            out,
            Instruction::with_movsb(64, Register::None, iced_x86::RepPrefixKind::Repe),
        );
    }
    fn load_field(&self, out: &mut Vec<u8>, f: &Field, off: u32) {
        let at = m(Register::RSP, off as i32);
        match f.kind {
            Kind::Int => enc(
                out,
                Instruction::with2(Code::Mov_r64_rm64, GPR64[f.reg as usize], at),
            ),
            Kind::Vec if f.size == MM_SIZE => {
                enc(out, Instruction::with2(Code::Movq_mm_mmm64, mm(f.reg), at))
            }
            Kind::Vec => enc(
                out,
                Instruction::with2(Code::Movdqu_xmm_xmmm128, xmm(f.reg), at),
            ),
            Kind::Flags => {
                move_sp(out, off as i32);
                enc(out, Ok(Instruction::with(Code::Popfq)));
                move_sp(out, -(off as i32) - 8);
            }
            Kind::FpCtl => enc(out, Instruction::with1(Code::Ldmxcsr_m32, at)),
        }
    }
    fn store_field(&self, out: &mut Vec<u8>, f: &Field, off: u32) {
        let at = m(Register::RSP, off as i32);
        match f.kind {
            Kind::Int => enc(
                out,
                Instruction::with2(Code::Mov_rm64_r64, at, GPR64[f.reg as usize]),
            ),
            Kind::Vec if f.size == MM_SIZE => {
                enc(out, Instruction::with2(Code::Movq_mmm64_mm, at, mm(f.reg)));
                enc(out, Ok(Instruction::with(Code::Emms)));
            }
            Kind::Vec => enc(
                out,
                Instruction::with2(Code::Movdqu_xmmm128_xmm, at, xmm(f.reg)),
            ),
            Kind::Flags => {
                move_sp(out, off as i32 + 8);
                enc(out, Ok(Instruction::with(Code::Pushfq)));
                move_sp(out, -(off as i32));
            }
            Kind::FpCtl => enc(out, Instruction::with1(Code::Stmxcsr_m32, at)),
        }
    }
    fn syscall(&self, out: &mut Vec<u8>, sys: Sys, args: &[u64]) {
        const ARGS: [Register; 4] = [Register::RDI, Register::RSI, Register::RDX, Register::R10];
        let nr = match sys {
            Sys::Write => 1,
            Sys::ExitGroup => 231,
            Sys::SigAltStack => 131,
            Sys::RtSigaction => 13,
        };
        li(out, Register::RAX, nr);
        for (r, &a) in ARGS.iter().zip(args) {
            li(out, *r, a);
        }
        enc(out, Ok(Instruction::with(Code::Syscall)));
    }
    fn handler(&self) -> Vec<u8> {
        // ucontext: uc_mcontext at 40; rsp is gregs[15] (160), rip gregs[16] (168).
        let mut out = Vec::new();
        let (rax, rcx, rdx) = (Register::RAX, Register::RCX, Register::RDX);
        enc(
            &mut out,
            Instruction::with2(Code::Mov_r64_rm64, rax, m(rdx, 160)),
        );
        enc(
            &mut out,
            Instruction::with2(Code::Mov_rm64_r64, m(rax, 0), Register::RDI),
        );
        enc(
            &mut out,
            Instruction::with2(Code::Mov_r64_rm64, rcx, m(rax, 8)),
        );
        enc(
            &mut out,
            Instruction::with2(Code::Mov_rm64_r64, m(rdx, 168), rcx),
        );
        enc(&mut out, Ok(Instruction::with(Code::Retnq)));
        out
    }
    fn restorer(&self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        li(&mut out, Register::RAX, 15);
        enc(&mut out, Ok(Instruction::with(Code::Syscall)));
        Some(out)
    }
}
