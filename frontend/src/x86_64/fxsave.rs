//! The 512-byte FXSAVE image of the x87 and SSE state ([`X64Cpu::fxsave`] /
//! [`X64Cpu::fxrstor`]), used by the FXSAVE/FXRSTOR instructions (through the `x64_fxsave`
//! helper) and by user mode's signal frames, with the abridged tag byte (one valid bit per
//! physical register). The last-instruction pointers are not modelled: they are stored as
//! zero and ignored when loaded. Also the guest-memory copies of image-writing helpers.

use emu_ir::helpers::HelperFn;
use emu_ir::{Helper, HelperEffects, Value};

use crate::translator::Flow;
use crate::x86_64::ctx::{Ctx, Res};
use crate::x86_64::X64Cpu;

/// Size of the image.
pub const FXSAVE_SIZE: usize = 512;
const FCW: usize = 0;
const FSW: usize = 2;
/// The abridged tag byte: bit i set when physical register i is valid.
const FTW: usize = 4;
const MXCSR: usize = 24;
const MXCSR_MASK: usize = 28;
const ST: usize = 32;
const XMM: usize = 160;

fn put(b: &mut [u8], at: usize, bytes: &[u8]) {
    b[at..at + bytes.len()].copy_from_slice(bytes);
}

fn u16_at(b: &[u8], at: usize) -> u64 {
    u64::from(u16::from_le_bytes([b[at], b[at + 1]]))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

impl X64Cpu {
    /// The FXSAVE image: control and status words (TOP included), MXCSR, ST(0)–ST(7) in
    /// stack order, XMM0–XMM15.
    pub fn fxsave(&self) -> [u8; FXSAVE_SIZE] {
        let mut b = [0u8; FXSAVE_SIZE];
        put(&mut b, FCW, &(self.fpu_cw as u16).to_le_bytes());
        let fsw = (self.fpu_sw & !0x3800) | (self.fpu_top & 7) << 11;
        put(&mut b, FSW, &(fsw as u16).to_le_bytes());
        b[FTW] = !self.fpu_empty as u8;
        put(&mut b, MXCSR, &(self.mxcsr as u32).to_le_bytes());
        put(&mut b, MXCSR_MASK, &0xffffu32.to_le_bytes());
        for i in 0..8 {
            let [mant, se] = self.st[(self.fpu_top as usize + i) & 7];
            put(&mut b, ST + 16 * i, &mant.to_le_bytes());
            put(&mut b, ST + 16 * i + 8, &(se as u16).to_le_bytes());
        }
        for (i, x) in self.xmm[..16].iter().enumerate() {
            put(&mut b, XMM + 16 * i, &x[0].to_le_bytes());
            put(&mut b, XMM + 16 * i + 8, &x[1].to_le_bytes());
        }
        b
    }

    /// Load the state from an FXSAVE image.
    pub fn fxrstor(&mut self, b: &[u8; FXSAVE_SIZE]) {
        self.fpu_cw = u16_at(b, FCW);
        let fsw = u16_at(b, FSW);
        self.fpu_sw = fsw & !0x3800;
        self.fpu_top = (fsw >> 11) & 7;
        self.fpu_empty = u64::from(!b[FTW]);
        self.mxcsr = u64_at(b, MXCSR) & 0xffff_ffff;
        for i in 0..8 {
            let at = ST + 16 * i;
            self.st[(self.fpu_top as usize + i) & 7] = [u64_at(b, at), u16_at(b, at + 8)];
        }
        for (i, x) in self.xmm[..16].iter_mut().enumerate() {
            *x = [u64_at(b, XMM + 16 * i), u64_at(b, XMM + 16 * i + 8)];
        }
    }
}

/// FXSAVE/FXRSTOR m512.
pub(crate) fn translate(c: &mut Ctx, restore: bool) -> Res {
    let addr: Value = c.ea();
    // The image must be 16-byte aligned (#GP otherwise).
    c.require_aligned(addr, 16);
    let dir = c.b.i64(u64::from(restore));
    c.b.call(&FXSAVE, &[addr, dir]);
    Ok(Flow::Continue)
}

/// Copy guest memory at `addr` into `b` (for helpers that read a memory image).
pub(crate) fn read_guest(cpu: &X64Cpu, addr: u64, b: &mut [u8]) {
    let p = cpu.header.host_addr(addr);
    // SAFETY: `p` is inside the running CPU's guest window (masked address plus base), which
    // the window reserves; a fault there is a guest fault handled by the run loop.
    unsafe { std::ptr::copy_nonoverlapping(p, b.as_mut_ptr(), b.len()) };
}

/// Copy `b` to guest memory at `addr`.
pub(crate) fn write_guest(cpu: &X64Cpu, addr: u64, b: &[u8]) {
    let p = cpu.header.host_addr(addr);
    // SAFETY: as in `read_guest`.
    unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), p, b.len()) };
}

extern "C" fn helper_fxsave(env: *mut u8, addr: u64, restore: u64) -> u64 {
    // SAFETY: called only from translated x86_64 code, whose `env` is the live `X64Cpu` of
    // this guest thread; nothing else references it while the helper runs.
    let cpu = unsafe { &mut *env.cast::<X64Cpu>() };
    if restore != 0 {
        let mut b = [0u8; FXSAVE_SIZE];
        read_guest(cpu, addr, &mut b);
        cpu.fxrstor(&b);
    } else {
        write_guest(cpu, addr, &cpu.fxsave());
    }
    0
}

/// `x64_fxsave(addr, restore)`.
static FXSAVE: Helper = Helper {
    name: "x64_fxsave",
    func: HelperFn::A2(helper_fxsave),
    nargs: 2,
    ret: None,
    effects: HelperEffects::ALL,
};

pub(crate) static HELPERS: &[&Helper] = &[&FXSAVE];
