//! The guest register files as gdb sees them: for each guest arch, the `gdbstub` [`Arch`]
//! (its target description XML and `g`-packet layout) and the conversion between our CPU state
//! and its register struct ([`GdbArch`]). aarch64 and x86_64 use `gdbstub_arch`'s descriptions
//! (core, FP/SIMD; x86 core, x87, SSE); riscv64 has its own ([`Riscv64Fpu`]) because
//! `gdbstub_arch`'s has no FP registers.

use gdbstub::arch::{Arch, Registers};
use gdbstub_arch::aarch64::reg::AArch64CoreRegs;
use gdbstub_arch::x86::reg::X86_64CoreRegs;

use emu_frontend::aarch64::A64Cpu;
use emu_frontend::riscv64::Rv64Cpu;
use emu_frontend::x86_64::X64Cpu;

use crate::signal_frame::ArchCpu;

/// A guest arch gdb can debug: its registers read from and written to our CPU state.
pub trait GdbArch: Arch<Usize = u64, Registers: Send> + 'static {
    /// The registers of `cpu` (`None` when it is another arch's CPU).
    fn read(cpu: ArchCpu<'_>) -> Option<Self::Registers>;
    /// Set the registers of `cpu` (nothing when it is another arch's CPU).
    fn write(cpu: ArchCpu<'_>, regs: &Self::Registers);
}

fn u128_of(lanes: [u64; 2]) -> u128 {
    u128::from(lanes[0]) | u128::from(lanes[1]) << 64
}

fn lanes_of(v: u128) -> [u64; 2] {
    [v as u64, (v >> 64) as u64]
}

impl GdbArch for gdbstub_arch::aarch64::AArch64 {
    fn read(cpu: ArchCpu<'_>) -> Option<AArch64CoreRegs> {
        let ArchCpu::Aarch64(c) = cpu else {
            return None;
        };
        let nzcv = [c.flag_n, c.flag_z, c.flag_c, c.flag_v];
        let cpsr = nzcv
            .iter()
            .enumerate()
            .fold(0u32, |p, (k, f)| p | (*f as u32 & 1) << (31 - k));
        let mut x = [0u64; 31];
        x.copy_from_slice(&c.x[..31]);
        Some(AArch64CoreRegs {
            x,
            sp: c.x[31],
            pc: c.header.pc,
            cpsr,
            v: c.v.map(u128_of),
            // gdbstub_arch 0.3 sends its `fpcr` field where the target description puts
            // `fpsr` and the other way round, so each goes in the other's field.
            fpcr: c.fpsr as u32,
            fpsr: c.fpcr as u32,
        })
    }

    fn write(cpu: ArchCpu<'_>, r: &AArch64CoreRegs) {
        let ArchCpu::Aarch64(c) = cpu else {
            return;
        };
        write_aarch64(c, r);
    }
}

fn write_aarch64(c: &mut A64Cpu, r: &AArch64CoreRegs) {
    c.x[..31].copy_from_slice(&r.x);
    c.x[31] = r.sp;
    c.header.pc = r.pc;
    let bit = |k: u32| u64::from(r.cpsr >> (31 - k) & 1);
    (c.flag_n, c.flag_z, c.flag_c, c.flag_v) = (bit(0), bit(1), bit(2), bit(3));
    c.v = r.v.map(lanes_of);
    // Swapped, as in `read`.
    c.fpcr = u64::from(r.fpsr);
    c.fpsr = u64::from(r.fpcr);
}

/// gdb's x86-64 register order (rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8..r15) as indices
/// into our encoding-order register file.
const X86_GDB_ORDER: [usize; 16] = [0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15];

/// Linux's user code and stack segment selectors on x86-64.
const USER_CS: u32 = 0x33;
const USER_SS: u32 = 0x2b;

/// FXSAVE image offsets (Intel SDM vol. 1, table 10-2, 64-bit format).
mod fx {
    pub const FCW: usize = 0;
    pub const FSW: usize = 2;
    pub const FTW: usize = 4;
    pub const FOP: usize = 6;
    pub const FIP: usize = 8;
    pub const FDP: usize = 16;
    pub const ST: usize = 32;
    pub const XMM: usize = 160;
}

fn le16(b: &[u8], at: usize) -> u32 {
    u32::from(u16::from_le_bytes([b[at], b[at + 1]]))
}

fn le64(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// The full x87 tag word from FXSAVE's abridged one (a valid register is reported as valid,
/// 00; empty as 11), as gdb's `ftag` expects.
fn full_tag_word(abridged: u8) -> u32 {
    (0..8)
        .filter(|i| abridged >> i & 1 == 0)
        .fold(0, |t, i| t | 3 << (2 * i))
}

fn abridged_tag(full: u32) -> u8 {
    (0..8)
        .filter(|i| full >> (2 * i) & 3 != 3)
        .fold(0, |t, i| t | 1 << i)
}

impl GdbArch for gdbstub_arch::x86::X86_64_SSE {
    fn read(cpu: ArchCpu<'_>) -> Option<X86_64CoreRegs> {
        let ArchCpu::X86_64(c) = cpu else {
            return None;
        };
        let img = c.fxsave();
        let mut st = [[0u8; 10]; 8];
        for (i, r) in st.iter_mut().enumerate() {
            r.copy_from_slice(&img[fx::ST + 16 * i..fx::ST + 16 * i + 10]);
        }
        let mut r = X86_64CoreRegs {
            regs: X86_GDB_ORDER.map(|i| c.regs[i]),
            eflags: c.eflags() as u32,
            rip: c.header.pc,
            st,
            xmm: std::array::from_fn(|i| u128_of(c.xmm[i])),
            mxcsr: c.mxcsr as u32,
            ..X86_64CoreRegs::default()
        };
        (r.segments.cs, r.segments.ss) = (USER_CS, USER_SS);
        r.fpu.fctrl = le16(&img, fx::FCW);
        r.fpu.fstat = le16(&img, fx::FSW);
        r.fpu.ftag = full_tag_word(img[fx::FTW]);
        r.fpu.fop = le16(&img, fx::FOP);
        r.fpu.fioff = le64(&img, fx::FIP) as u32;
        r.fpu.fooff = le64(&img, fx::FDP) as u32;
        Some(r)
    }

    fn write(cpu: ArchCpu<'_>, r: &X86_64CoreRegs) {
        let ArchCpu::X86_64(c) = cpu else {
            return;
        };
        write_x86_64(c, r);
    }
}

fn write_x86_64(c: &mut X64Cpu, r: &X86_64CoreRegs) {
    for (gdb, &ours) in X86_GDB_ORDER.iter().enumerate() {
        c.regs[ours] = r.regs[gdb];
    }
    c.set_eflags(u64::from(r.eflags));
    c.header.pc = r.rip;
    let mut img = c.fxsave();
    img[fx::FCW..fx::FCW + 2].copy_from_slice(&(r.fpu.fctrl as u16).to_le_bytes());
    img[fx::FSW..fx::FSW + 2].copy_from_slice(&(r.fpu.fstat as u16).to_le_bytes());
    img[fx::FTW] = abridged_tag(r.fpu.ftag);
    img[fx::FOP..fx::FOP + 2].copy_from_slice(&(r.fpu.fop as u16).to_le_bytes());
    for (i, st) in r.st.iter().enumerate() {
        img[fx::ST + 16 * i..fx::ST + 16 * i + 10].copy_from_slice(st);
    }
    for (i, x) in r.xmm.iter().enumerate() {
        img[fx::XMM + 16 * i..fx::XMM + 16 * i + 16].copy_from_slice(&x.to_le_bytes());
    }
    c.fxrstor(&img);
    c.mxcsr = u64::from(r.mxcsr);
}

/// riscv64 with the F and D extensions: gdb's `org.gnu.gdb.riscv.cpu` and
/// `org.gnu.gdb.riscv.fpu` features, numbered contiguously (x0..x31, pc, f0..f31, fflags,
/// frm, fcsr), all in the `g` packet.
pub enum Riscv64Fpu {}

/// The registers of [`Riscv64Fpu`], in `g`-packet order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Riscv64Regs {
    pub x: [u64; 32],
    pub pc: u64,
    pub f: [u64; 32],
    pub fflags: u32,
    pub frm: u32,
    pub fcsr: u32,
}

impl Riscv64Regs {
    fn words64(&self) -> impl Iterator<Item = u64> + '_ {
        self.x
            .iter()
            .chain(std::iter::once(&self.pc))
            .chain(self.f.iter())
            .copied()
    }
}

/// Bytes of the `g` packet: 65 64-bit registers and three 32-bit CSRs.
const RV_G_LEN: usize = 65 * 8 + 3 * 4;

impl Registers for Riscv64Regs {
    type ProgramCounter = u64;

    fn pc(&self) -> u64 {
        self.pc
    }

    fn gdb_serialize(&self, mut write_byte: impl FnMut(Option<u8>)) {
        let csrs = [self.fflags, self.frm, self.fcsr];
        self.words64()
            .flat_map(u64::to_le_bytes)
            .chain(csrs.iter().flat_map(|c| c.to_le_bytes()))
            .for_each(|b| write_byte(Some(b)));
    }

    fn gdb_deserialize(&mut self, bytes: &[u8]) -> Result<(), ()> {
        if bytes.len() != RV_G_LEN {
            return Err(());
        }
        let (words, csrs) = bytes.split_at(65 * 8);
        let mut w = words.chunks_exact(8).map(|c| le64(c, 0));
        for r in self.x.iter_mut().chain(std::iter::once(&mut self.pc)) {
            *r = w.next().ok_or(())?;
        }
        for r in self.f.iter_mut() {
            *r = w.next().ok_or(())?;
        }
        let mut c = csrs
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        self.fflags = c.next().ok_or(())?;
        self.frm = c.next().ok_or(())?;
        self.fcsr = c.next().ok_or(())?;
        Ok(())
    }
}

impl Arch for Riscv64Fpu {
    type Usize = u64;
    type Registers = Riscv64Regs;
    type BreakpointKind = usize;
    type RegId = gdbstub_arch::riscv::reg::id::RiscvRegId<u64>;

    fn target_description_xml() -> Option<&'static str> {
        Some(include_str!("riscv64.xml"))
    }
}

impl GdbArch for Riscv64Fpu {
    fn read(cpu: ArchCpu<'_>) -> Option<Riscv64Regs> {
        let ArchCpu::Riscv64(c) = cpu else {
            return None;
        };
        let fcsr = fcsr_of(c);
        Some(Riscv64Regs {
            x: c.x,
            pc: c.header.pc,
            f: c.f,
            fflags: fcsr & 0x1f,
            frm: fcsr >> 5,
            fcsr,
        })
    }

    fn write(cpu: ArchCpu<'_>, r: &Riscv64Regs) {
        let ArchCpu::Riscv64(c) = cpu else {
            return;
        };
        write_riscv64(c, r);
    }
}

fn write_riscv64(c: &mut Rv64Cpu, r: &Riscv64Regs) {
    c.x = r.x;
    c.x[0] = 0;
    c.header.pc = r.pc;
    c.f = r.f;
    // gdb writes all three; fcsr is the one a user edits as a whole, the others as parts.
    let old = fcsr_of(c);
    let fcsr = if r.fcsr != old {
        r.fcsr
    } else {
        r.frm << 5 | r.fflags
    };
    c.fflags = u64::from(fcsr & 0x1f);
    c.frm = u64::from(fcsr >> 5 & 7);
}

/// `fcsr` as the guest reads it: `frm` in bits 7:5, the accrued flags in 4:0.
fn fcsr_of(c: &Rv64Cpu) -> u32 {
    (c.frm as u32 & 7) << 5 | c.fflags as u32 & 0x1f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x87_tag_words_round_trip() {
        for abridged in [0u8, 0xff, 0x81, 0x3c] {
            assert_eq!(abridged_tag(full_tag_word(abridged)), abridged);
        }
        // Intel SDM: all registers empty is tag word 0xffff, abridged 0x00.
        assert_eq!(full_tag_word(0), 0xffff);
    }

    #[test]
    fn riscv_g_packet_layout() {
        let mut r = Riscv64Regs::default();
        r.x[1] = 0x1122;
        r.pc = 0x1000;
        r.f[31] = 0x4000_0000_0000_0000;
        r.fcsr = 0xe1;
        let mut bytes = Vec::new();
        r.gdb_serialize(|b| bytes.push(b.unwrap()));
        assert_eq!(bytes.len(), RV_G_LEN);
        assert_eq!(bytes[8..10], [0x22, 0x11]);
        assert_eq!(bytes[32 * 8..32 * 8 + 2], [0x00, 0x10]);
        let mut back = Riscv64Regs::default();
        back.gdb_deserialize(&bytes).unwrap();
        assert_eq!(back, r);
    }
}
