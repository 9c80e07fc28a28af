//! The per-arch seam: [`ArchSpec`] is everything the generic harness needs from one guest
//! architecture (register file layout, ELF machine, the encoders of the harness's own
//! instructions, the instruction generator, the fault handler, the reference to run under).
//! The arch files implement it; nothing outside them knows an encoding.

pub mod aarch64;
pub mod riscv64;
pub mod tablegen;
pub mod x86_64;
pub mod x86_gen;

use crate::layout::{Field, Kind, Layout};
use crate::rng::Rng;

/// One generated instruction of a case.
#[derive(Clone, Debug)]
pub struct GenInsn {
    /// The encoding.
    pub bytes: Vec<u8>,
    /// The generator's name for it (decode-table row or instruction form); `--exclude` and the
    /// known-bug table match this or the capstone mnemonic.
    pub name: String,
    /// capstone's mnemonic (or `?` when capstone does not know it).
    pub mnemonic: String,
    /// Flag bits (in the arch's flags field) this instruction leaves architecturally undefined.
    pub undef_flags: u64,
    /// Flag bits it reads (a case never reads a flag an earlier instruction left undefined).
    pub flags_read: u64,
    /// Flag bits it defines (writes, sets or clears).
    pub flags_defined: u64,
}

impl GenInsn {
    /// An instruction with no undefined-flag bookkeeping (arches without undefined flags).
    pub fn plain(bytes: Vec<u8>, name: String, mnemonic: String) -> Self {
        GenInsn {
            bytes,
            name,
            mnemonic,
            undef_flags: 0,
            flags_read: 0,
            flags_defined: 0,
        }
    }
}

/// Whether `arch` accepts `insns` as a case: no read of a flag an earlier instruction left
/// undefined, and the arch's own rules.
pub fn valid_sequence(arch: &dyn ArchSpec, insns: &[GenInsn]) -> bool {
    undefined_flags_after(insns).is_some() && arch.valid_sequence(insns)
}

/// The flags left undefined after running `insns` in order, or None when one of them reads a
/// flag an earlier one left undefined (the reference is no oracle for such a sequence).
pub fn undefined_flags_after(insns: &[GenInsn]) -> Option<u64> {
    insns.iter().try_fold(0u64, |undef, i| {
        (i.flags_read & undef == 0).then_some((undef & !i.flags_defined) | i.undef_flags)
    })
}

/// A memory operand of the harness's own copy instructions.
#[derive(Clone, Copy, Debug)]
pub enum Mem {
    /// `[sp + off]`: sp points at the current case record.
    Sp(i32),
    /// `[base + off]`: the base register points into the scratch window.
    Base(i32),
}

impl Mem {
    /// (register number, offset), given the numbers of SP and the base register.
    pub fn reg_off(self, sp: u32, base: u32) -> (u32, i32) {
        match self {
            Mem::Sp(off) => (sp, off),
            Mem::Base(off) => (base, off),
        }
    }

    /// This operand `d` bytes further.
    pub fn offset(self, d: i32) -> Mem {
        match self {
            Mem::Sp(o) => Mem::Sp(o + d),
            Mem::Base(o) => Mem::Base(o + d),
        }
    }
}

/// The system calls the batch program makes.
#[derive(Clone, Copy, Debug)]
pub enum Sys {
    Write,
    ExitGroup,
    SigAltStack,
    RtSigaction,
}

impl Sys {
    /// The asm-generic number (riscv64, aarch64).
    pub fn generic_number(self) -> u64 {
        match self {
            Sys::Write => 64,
            Sys::ExitGroup => 94,
            Sys::SigAltStack => 132,
            Sys::RtSigaction => 134,
        }
    }
}

/// What runs the batch program to produce the expected results.
#[derive(Clone, Copy, Debug)]
pub enum Reference {
    /// A qemu-user binary (looked up in PATH unless `--reference` overrides it).
    Qemu(&'static str),
    /// The host CPU itself (the program is executed directly).
    Native,
}

/// An instruction the reference executes wrongly, skipped by name with the reason.
#[derive(Clone, Copy, Debug)]
pub struct KnownBug {
    pub name: &'static str,
    pub reason: &'static str,
}

/// Everything arch-specific.
pub trait ArchSpec {
    /// `riscv64`, `aarch64`, `x86_64`.
    fn name(&self) -> &'static str;
    /// The disassembler to print cases with.
    fn disas_arch(&self) -> emu_disas::Arch;
    /// ELF `e_machine` and `e_flags`.
    fn elf_machine(&self) -> (u16, u32);
    /// The recorded registers.
    fn layout(&self) -> &Layout;
    /// The base register (points into the scratch window; written back by nothing but
    /// writeback addressing forms).
    fn base_reg(&self) -> u8;
    /// The reference.
    fn reference(&self) -> Reference;
    /// Instructions skipped because the reference gets them wrong.
    fn known_reference_bugs(&self) -> &'static [KnownBug];
    /// Instructions the generator can produce but emu-user does not implement (extensions
    /// its HWCAP/CPUID does not advertise): skipped by name, listed in the summary.
    fn not_implemented(&self) -> &'static [KnownBug] {
        &[]
    }
    /// A random input value for a flags or FP-control field (as 8 little-endian bytes).
    fn random_ctl(&self, field: &Field, rng: &mut Rng) -> u64;
    /// A random 8-byte chunk of an FP/vector register.
    fn random_fp8(&self, rng: &mut Rng) -> u64 {
        random_lane64(rng)
    }
    /// A random instruction from the covered classes.
    fn generate(&self, rng: &mut Rng) -> GenInsn;
    /// Whether the reference is an oracle for this sequence (beyond the generic rule on
    /// undefined flags): e.g. implementation-defined pairings are rejected.
    fn valid_sequence(&self, _insns: &[GenInsn]) -> bool {
        true
    }

    /// Encodes `sp = addr`.
    fn set_sp(&self, out: &mut Vec<u8>, addr: u64);
    /// Encodes `reg = value` (an integer register; `value` < 2^31).
    fn set_reg(&self, out: &mut Vec<u8>, reg: u8, value: u64);
    /// Encodes what a case does first, once SP and the base register are set (e.g. drop a
    /// reservation an earlier case left behind).
    fn case_prologue(&self, _out: &mut Vec<u8>) {}
    /// Encodes an 8-byte copy `to = from` through a scratch integer register.
    fn copy8(&self, out: &mut Vec<u8>, from: Mem, to: Mem);
    /// Encodes copying `len` bytes (a multiple of 8) from `from` to `to`; may clobber the first
    /// integer field and the first two vector fields.
    fn copy_block(&self, out: &mut Vec<u8>, from: Mem, to: Mem, len: usize) {
        for q in (0..len as i32).step_by(8) {
            self.copy8(out, from.offset(q), to.offset(q));
        }
    }
    /// Encodes loading `field` from `[sp + off]` (may clobber the first integer field).
    fn load_field(&self, out: &mut Vec<u8>, field: &Field, off: u32);
    /// Encodes storing `field` to `[sp + off]` (may clobber the first integer field).
    fn store_field(&self, out: &mut Vec<u8>, field: &Field, off: u32);
    /// Encodes a system call with constant arguments.
    fn syscall(&self, out: &mut Vec<u8>, sys: Sys, args: &[u64]);
    /// The signal handler: `(sig, info, ucontext)`; stores `sig` at `[saved sp + SIG_OFF]`
    /// and sets the saved pc to `[saved sp + RESUME_OFF]`, then returns.
    fn handler(&self) -> Vec<u8>;
    /// The `sa_restorer` code, for arches that pass one (`rt_sigreturn`).
    fn restorer(&self) -> Option<Vec<u8>>;
}

/// The arch named `name`.
pub fn by_name(name: &str) -> Option<Box<dyn ArchSpec>> {
    match name {
        "riscv64" => Some(Box::new(riscv64::Riscv64::new())),
        "aarch64" => Some(Box::new(aarch64::Aarch64::new())),
        "x86_64" => Some(Box::new(x86_64::X86_64::new())),
        _ => None,
    }
}

/// Float bit patterns worth testing, as (f64 bits, f32 bits) pairs.
const FP_EDGES: &[(u64, u32)] = &[
    (0, 0),
    (0x8000_0000_0000_0000, 0x8000_0000),
    (0x3ff0_0000_0000_0000, 0x3f80_0000),
    (0xbff0_0000_0000_0000, 0xbf80_0000),
    (0x7ff0_0000_0000_0000, 0x7f80_0000),
    (0xfff0_0000_0000_0000, 0xff80_0000),
    (0x7ff8_0000_0000_0000, 0x7fc0_0000),
    (0x7ff4_0000_0000_0000, 0x7fa0_0000),
    (0x0000_0000_0000_0001, 0x0000_0001),
    (0x000f_ffff_ffff_ffff, 0x007f_ffff),
    (0x7fef_ffff_ffff_ffff, 0x7f7f_ffff),
    (0x41e0_0000_0000_0000, 0x4f00_0000),
    (0xc3e0_0000_0000_0000, 0xdf00_0000),
    (0x4004_0000_0000_0000, 0x4020_0000),
    (0x3fe0_0000_0000_0000, 0x3f00_0000),
    (0x4330_0000_0000_0000, 0x4b00_0000),
];

/// A random 32-bit float pattern (edge values, exact small integers, halves, or random bits).
pub fn random_f32(rng: &mut Rng) -> u32 {
    match rng.below(4) {
        0 => rng.pick(FP_EDGES).1,
        1 => (rng.range(-40, 40) as f32 / if rng.one_in(2) { 1.0 } else { 2.0 }).to_bits(),
        _ => rng.next_u32(),
    }
}

/// A random 64-bit float pattern.
pub fn random_f64(rng: &mut Rng) -> u64 {
    match rng.below(4) {
        0 => rng.pick(FP_EDGES).0,
        1 => (rng.range(-40, 40) as f64 / if rng.one_in(2) { 1.0 } else { 2.0 }).to_bits(),
        _ => rng.next_u64(),
    }
}

/// 8 bytes of FP/vector register content: a double, two singles, or integer-ish lanes.
pub fn random_lane64(rng: &mut Rng) -> u64 {
    match rng.below(4) {
        0 => random_f64(rng),
        1 => random_f32(rng) as u64 | (random_f32(rng) as u64) << 32,
        2 => rng.interesting_u64(),
        _ => rng.next_u64(),
    }
}

/// A random input state block for `arch` (registers, then the scratch window).
pub fn random_state(arch: &dyn ArchSpec, rng: &mut Rng) -> Vec<u8> {
    let layout = arch.layout();
    let mut state = vec![0u8; layout.state_size()];
    for (i, field) in layout.fields.iter().enumerate() {
        let bytes = layout.get_mut(&mut state, i);
        match (field.fixed, field.kind) {
            (Some(v), _) => bytes.copy_from_slice(&v.to_le_bytes()),
            (None, Kind::Int) => bytes.copy_from_slice(&rng.interesting_u64().to_le_bytes()),
            (None, Kind::Vec) => {
                for chunk in bytes.chunks_mut(8) {
                    chunk.copy_from_slice(&arch.random_fp8(rng).to_le_bytes());
                }
            }
            (None, Kind::Flags | Kind::FpCtl) => {
                bytes.copy_from_slice(&arch.random_ctl(field, rng).to_le_bytes())
            }
        }
    }
    for chunk in layout.scratch_mut(&mut state).chunks_mut(8) {
        chunk.copy_from_slice(&random_lane64(rng).to_le_bytes());
    }
    state
}

/// capstone's mnemonic for one instruction's bytes (`?` if it does not decode).
pub fn mnemonic(arch: emu_disas::Arch, bytes: &[u8]) -> String {
    match emu_disas::disassemble(arch, bytes, 0) {
        Ok(insns) if insns.len() == 1 && insns[0].mnemonic != ".byte" => insns[0].mnemonic.clone(),
        _ => "?".to_string(),
    }
}
