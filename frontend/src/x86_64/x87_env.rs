//! The x87 environment: FNINIT, and the memory images of FNSTENV/FLDENV (the 28-byte
//! protected-mode environment: control, status and tag words, then the last data
//! instruction's pointer and opcode and its operand's address, as `x87.rs` records them) and
//! FNSAVE/FRSTOR (the environment followed by ST(0)–ST(7), 108 bytes; FNSAVE then
//! reinitializes the FPU). The full tag word is derived from the register contents (valid,
//! zero, special, empty) and loaded back as empty/valid. Through the `x64_x87_env` helper.

use emu_ir::helpers::HelperFn;
use emu_ir::{Helper, HelperEffects};
use iced_x86::Mnemonic as M;

use crate::translator::{Flow, Illegal};
use crate::x86_64::ctx::{Ctx, Res};
use crate::x86_64::fxsave::{read_guest, write_guest};
use crate::x86_64::{X64Cpu, FPU_ALL_EMPTY, FPU_CW_DEFAULT};

/// Helper operations.
const STENV: u64 = 0;
const LDENV: u64 = 1;
const SAVE: u64 = 2;
const RSTOR: u64 = 3;
const INIT: u64 = 4;

const ENV_SIZE: usize = 28;
const SAVE_SIZE: usize = ENV_SIZE + 80;

/// Translate `c.i` if it is one of the environment instructions.
pub(crate) fn translate(c: &mut Ctx) -> Option<Res> {
    let (op, size) = match c.i.mnemonic() {
        M::Fninit | M::Finit => (INIT, 0),
        M::Fnstenv | M::Fstenv => (STENV, ENV_SIZE),
        M::Fldenv => (LDENV, ENV_SIZE),
        M::Fnsave | M::Fsave => (SAVE, SAVE_SIZE),
        M::Frstor => (RSTOR, SAVE_SIZE),
        _ => return None,
    };
    // Only the 32-bit-operand layout (no 16-bit 14/94-byte forms).
    if size != 0 && c.i.memory_size().size() != size {
        return Some(Err(Illegal));
    }
    let addr = if size == 0 { c.b.i64(0) } else { c.ea() };
    let op = c.b.i64(op);
    c.b.call(&ENV, &[addr, op]);
    Some(Ok(Flow::Continue))
}

/// The two-bit tag of a valid register's contents: 0 valid, 1 zero, 2 special (NaN,
/// infinity, denormal, unsupported).
fn tag_of(v: [u64; 2]) -> u16 {
    let exp = v[1] & 0x7fff;
    match (exp, v[0]) {
        (0, 0) => 1,
        (0, _) | (0x7fff, _) => 2,
        (_, m) if m >> 63 == 0 => 2,
        _ => 0,
    }
}

impl X64Cpu {
    /// The full tag word (two bits per physical register, 3 = empty).
    fn tag_word(&self) -> u16 {
        (0..8).fold(0, |w, p| {
            let t = if self.fpu_empty >> p & 1 != 0 {
                3
            } else {
                tag_of(self.st[p])
            };
            w | t << (2 * p)
        })
    }

    /// The status word with TOP in bits 13:11.
    fn status_word(&self) -> u16 {
        ((self.fpu_sw & !0x3800) | (self.fpu_top & 7) << 11) as u16
    }

    /// The x87 state after FNINIT (also what a signal handler starts with).
    pub fn x87_init(&mut self) {
        self.fpu_cw = FPU_CW_DEFAULT;
        self.fpu_sw = 0;
        self.fpu_top = 0;
        self.fpu_empty = FPU_ALL_EMPTY;
        self.fpu_fip = 0;
        self.fpu_fop = 0;
        self.fpu_fdp = 0;
    }

    /// The 28-byte environment image: the control, status and tag words (reserved upper
    /// halves all ones), FIP, FCS and FOP, FDP, FDS (0, upper half all ones).
    fn env_image(&self) -> [u8; ENV_SIZE] {
        let ones = 0xffff_0000;
        let words = [
            u32::from(self.fpu_cw as u16) | ones,
            u32::from(self.status_word()) | ones,
            u32::from(self.tag_word()) | ones,
            self.fpu_fip as u32,
            self.fpu_fop as u32,
            self.fpu_fdp as u32,
            ones,
        ];
        let mut b = [0u8; ENV_SIZE];
        for (k, w) in words.into_iter().enumerate() {
            b[4 * k..4 * k + 4].copy_from_slice(&w.to_le_bytes());
        }
        b
    }

    fn load_env(&mut self, b: &[u8]) {
        let word = |k: usize| u64::from(u16::from_le_bytes([b[4 * k], b[4 * k + 1]]));
        let dword = |k: usize| {
            u64::from(u32::from_le_bytes([
                b[4 * k],
                b[4 * k + 1],
                b[4 * k + 2],
                b[4 * k + 3],
            ]))
        };
        self.fpu_fip = dword(3);
        self.fpu_fop = dword(4);
        self.fpu_fdp = dword(5);
        self.fpu_cw = word(0);
        let sw = word(1);
        self.fpu_sw = sw & !0x3800;
        self.fpu_top = (sw >> 11) & 7;
        let tags = word(2);
        self.fpu_empty = (0..8).fold(0, |e, p| e | u64::from(tags >> (2 * p) & 3 == 3) << p);
    }
}

extern "C" fn helper_env(env: *mut u8, addr: u64, op: u64) -> u64 {
    // SAFETY: called only from translated x86_64 code, whose `env` is the live `X64Cpu` of
    // this guest thread; nothing else references it while the helper runs.
    let cpu = unsafe { &mut *env.cast::<X64Cpu>() };
    match op {
        STENV => {
            write_guest(cpu, addr, &cpu.env_image());
            // FNSTENV masks every exception after storing.
            cpu.fpu_cw |= 0x3f;
        }
        LDENV => {
            let mut b = [0u8; ENV_SIZE];
            read_guest(cpu, addr, &mut b);
            cpu.load_env(&b);
        }
        SAVE => {
            let mut b = [0u8; SAVE_SIZE];
            b[..ENV_SIZE].copy_from_slice(&cpu.env_image());
            for i in 0..8 {
                let [m, se] = cpu.st[(cpu.fpu_top as usize + i) & 7];
                let at = ENV_SIZE + 10 * i;
                b[at..at + 8].copy_from_slice(&m.to_le_bytes());
                b[at + 8..at + 10].copy_from_slice(&(se as u16).to_le_bytes());
            }
            write_guest(cpu, addr, &b);
            cpu.x87_init();
        }
        RSTOR => {
            let mut b = [0u8; SAVE_SIZE];
            read_guest(cpu, addr, &mut b);
            cpu.load_env(&b);
            for i in 0..8 {
                let at = ENV_SIZE + 10 * i;
                let mut m = [0u8; 8];
                m.copy_from_slice(&b[at..at + 8]);
                let se = u16::from_le_bytes([b[at + 8], b[at + 9]]);
                cpu.st[(cpu.fpu_top as usize + i) & 7] = [u64::from_le_bytes(m), u64::from(se)];
            }
        }
        _ => cpu.x87_init(),
    }
    0
}

/// `x64_x87_env(addr, op)`.
static ENV: Helper = Helper {
    name: "x64_x87_env",
    func: HelperFn::A2(helper_env),
    nargs: 2,
    ret: None,
    effects: HelperEffects::ALL,
};

pub(crate) static HELPERS: &[&Helper] = &[&ENV];
