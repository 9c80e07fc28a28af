//! `-d` logging in qemu-user's categories: which items exist ([`ITEMS`], `-d help`), the
//! chosen ones ([`LogOptions`]), `-dfilter` address ranges, and [`DebugLog`], the engine's log
//! hook: guest code as translated (`in_asm`, disassembled by capstone for the guest arch), the
//! IR before and after optimization (`op`, `op_opt`), the host code Cranelift made (`out_asm`),
//! and a line per executed block (`exec`) with the registers (`cpu`). Blocks outside the
//! `-dfilter` ranges are not logged. Everything goes to the `-D` file (stderr without one).
//!
//! The `exec` line is `Trace TID: [FLAGS/PC] SYMBOL` (qemu's, minus the host address). With
//! `-one-insn-per-tb` every block is one instruction, and the line goes on with
//! ` | ENCODING MNEMONIC OPERANDS`; with `cpu` as well, ` | changed: REG=VALUE ...` lists the
//! integer registers that differ from the thread's previous trace line, i.e. what the
//! *previous* instruction wrote. This format is stable: traces of two CPU models can be
//! diffed line by line.

use std::fmt::Write as _;
use std::io::Write as _;
use std::ops::RangeInclusive;
use std::sync::Arc;

use emu_backend::{EngineLog, LogWants, TbKey};

use crate::arch::GuestArch;
use crate::guest_cpu;
use crate::memory::GuestMemory;
use crate::symbols::Symbols;
use crate::syscall::Log;

/// The `-d` items: name and what it logs (`-d help`).
pub const ITEMS: &[(&str, &str)] = &[
    (
        "in_asm",
        "show target assembly code for each translated block",
    ),
    ("op", "show the IR of each translated block"),
    ("op_opt", "show the IR after optimization"),
    (
        "out_asm",
        "show generated host assembly code for each compiled block",
    ),
    (
        "exec",
        "show a trace line before each executed block (lots of logs)",
    ),
    (
        "cpu",
        "show CPU registers before entering a block (lots of logs)",
    ),
    ("int", "show signals delivered to the guest"),
    (
        "unimp",
        "log unimplemented functionality (syscalls, clone flags)",
    ),
    (
        "guest_errors",
        "log syscalls the guest made with invalid pointers (EFAULT)",
    ),
    (
        "nochain",
        "do not chain compiled blocks (implied by exec and cpu)",
    ),
    (
        "strace",
        "log every system call, its input and its result (as -strace)",
    ),
];

/// Logging choices (`-d`, `-strace`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LogOptions {
    pub strace: bool,
    pub unimp: bool,
    pub in_asm: bool,
    pub op: bool,
    pub op_opt: bool,
    pub out_asm: bool,
    pub exec: bool,
    pub cpu: bool,
    pub int: bool,
    pub guest_errors: bool,
    pub nochain: bool,
}

impl LogOptions {
    fn flag(&mut self, item: &str) -> Option<&mut bool> {
        Some(match item {
            "strace" => &mut self.strace,
            "unimp" => &mut self.unimp,
            "in_asm" => &mut self.in_asm,
            "op" => &mut self.op,
            "op_opt" => &mut self.op_opt,
            "out_asm" => &mut self.out_asm,
            "exec" => &mut self.exec,
            "cpu" => &mut self.cpu,
            "int" => &mut self.int,
            "guest_errors" => &mut self.guest_errors,
            "nochain" => &mut self.nochain,
            _ => return None,
        })
    }

    /// Turn on the comma-separated `items`; `Err` names an unknown one.
    pub fn enable(&mut self, items: &str) -> Result<(), String> {
        for item in items.split(',').filter(|i| !i.is_empty()) {
            *self
                .flag(item)
                .ok_or_else(|| format!("unknown log item '{item}' (try -d help)"))? = true;
        }
        Ok(())
    }

    /// The enabled `-d` items (not `strace`, which has its own option), comma separated.
    pub fn items(&self) -> String {
        let mut probe = *self;
        ITEMS
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| *name != "strace" && probe.flag(name).is_some_and(|f| *f))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether the engine has anything to report.
    pub fn engine_wants(&self) -> LogWants {
        LogWants {
            translate: self.in_asm || self.op || self.op_opt,
            raw_ir: self.op,
            compile: self.out_asm,
            exec: self.exec || self.cpu || self.nochain,
        }
    }
}

/// Parse `-dfilter`: comma-separated `START..END` (inclusive), `START+LEN` or `END-LEN`, in
/// hex (`0x`) or decimal, as qemu.
pub fn parse_dfilter(spec: &str) -> Result<Vec<RangeInclusive<u64>>, String> {
    let number = |s: &str| {
        let s = s.trim();
        match s.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => s.parse(),
        }
        .map_err(|_| format!("bad -dfilter address '{s}'"))
    };
    spec.split(',')
        .map(|r| {
            if let Some((a, b)) = r.split_once("..") {
                Ok(number(a)?..=number(b)?)
            } else if let Some((a, len)) = r.split_once('+') {
                let (a, len) = (number(a)?, number(len)?);
                Ok(a..=a.saturating_add(len.max(1) - 1))
            } else if let Some((a, len)) = r.split_once('-') {
                let (a, len) = (number(a)?, number(len)?);
                Ok(a.saturating_sub(len.max(1) - 1)..=a)
            } else {
                Err(format!(
                    "bad -dfilter range '{r}' (START..END, START+LEN or END-LEN)"
                ))
            }
        })
        .collect()
}

/// The engine's `-d` hook for one guest process.
pub struct DebugLog {
    options: LogOptions,
    filter: Vec<RangeInclusive<u64>>,
    out: Log,
    arch: GuestArch,
    mem: Arc<GuestMemory>,
    symbols: Arc<Symbols>,
    /// Blocks are single instructions (`-one-insn-per-tb`).
    one_insn: bool,
}

/// Where a [`DebugLog`] writes and what it knows about the guest.
pub struct LogTarget {
    pub out: Log,
    pub arch: GuestArch,
    pub mem: Arc<GuestMemory>,
    pub symbols: Arc<Symbols>,
    pub one_insn: bool,
}

thread_local! {
    /// The integer registers at this thread's previous trace line.
    static LAST_REGS: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl DebugLog {
    pub fn new(options: LogOptions, filter: Vec<RangeInclusive<u64>>, t: LogTarget) -> DebugLog {
        DebugLog {
            options,
            filter,
            out: t.out,
            arch: t.arch,
            mem: t.mem,
            symbols: t.symbols,
            one_insn: t.one_insn,
        }
    }

    fn shown(&self, pc: u64) -> bool {
        self.filter.is_empty() || self.filter.iter().any(|r| r.contains(&pc))
    }

    fn write(&self, text: &str) {
        let mut out = self.out.clone();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    fn disas_arch(&self) -> emu_disas::Arch {
        match self.arch {
            GuestArch::Riscv64 => emu_disas::Arch::Riscv64,
            GuestArch::Aarch64 => emu_disas::Arch::Aarch64,
            GuestArch::X86_64 => emu_disas::Arch::X86_64,
        }
    }

    /// The guest bytes `[pc, pc + len)`, if mapped.
    fn guest_bytes(&self, pc: u64, len: u64) -> Option<Vec<u8>> {
        if !self.mem.accessible(pc, len, crate::pages::MAPPED) {
            return None;
        }
        let mut v = vec![0u8; len as usize];
        // SAFETY: the range is mapped guest memory inside the window (checked above); a
        // concurrent unmap could only make the copy fault into the guest-fault handler.
        unsafe {
            std::ptr::copy_nonoverlapping(self.mem.window.host_ptr(pc), v.as_mut_ptr(), v.len())
        };
        Some(v)
    }

    /// `0x004005c0:  d503201f  nop` lines (qemu's `in_asm` shape) for guest code at `pc`.
    fn guest_listing(&self, pc: u64, len: u64) -> String {
        let Some(code) = self.guest_bytes(pc, len) else {
            return format!("0x{pc:08x}:  (code not readable)\n");
        };
        match emu_disas::disassemble(self.disas_arch(), &code, pc) {
            Ok(insns) => insns
                .iter()
                .map(|i| format!("{}\n", self.guest_line(i)))
                .collect(),
            Err(e) => format!("{e}\n"),
        }
    }

    /// The ` | ENCODING MNEMONIC OPERANDS` part of a one-instruction block's trace line.
    fn single_insn(&self, pc: u64) -> String {
        // The longest instruction (x86: 15 bytes) that is readable.
        let code = [16, 8, 4, 2, 1]
            .into_iter()
            .find_map(|n| self.guest_bytes(pc, n));
        let insn = code.and_then(|c| emu_disas::disassemble(self.disas_arch(), &c, pc).ok());
        match insn.as_ref().and_then(|v| v.first()) {
            Some(i) => format!(" | {} {} {}", self.encoding(&i.bytes), i.mnemonic, i.op_str)
                .trim_end()
                .to_string(),
            None => " | (code not readable)".to_string(),
        }
    }

    /// ` | changed: x1=... x2=...` for the registers that differ from this thread's last line.
    ///
    /// # Safety
    /// `env` points at a live CPU state of this process's arch.
    unsafe fn changed_registers(&self, env: *const u8) -> String {
        // SAFETY: by contract.
        let regs = unsafe { guest_cpu::int_regs_of(self.arch, env) };
        LAST_REGS.with(|last| {
            let mut last = last.borrow_mut();
            let mut s = String::new();
            if last.len() == regs.len() {
                for (i, (old, new)) in last.iter().zip(&regs).enumerate() {
                    if old != new {
                        let _ = write!(s, " {}={new:016x}", guest_cpu::int_reg_name(self.arch, i));
                    }
                }
            }
            *last = regs;
            if s.is_empty() {
                String::new()
            } else {
                format!(" | changed:{s}")
            }
        })
    }
}

impl DebugLog {
    /// An instruction encoding as qemu prints it: riscv64/aarch64 parcels as little-endian
    /// numbers, x86 bytes in memory order.
    fn encoding(&self, bytes: &[u8]) -> String {
        let le = |n: usize| {
            bytes
                .iter()
                .take(n)
                .rev()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        match (self.arch, bytes.len()) {
            (GuestArch::X86_64, _) => bytes.iter().map(|b| format!("{b:02x}")).collect(),
            (_, n @ (2 | 4)) => le(n),
            _ => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }

    fn guest_line(&self, i: &emu_disas::Insn) -> String {
        let enc = self.encoding(&i.bytes);
        format!("0x{:08x}:  {enc}  {:<8} {}", i.addr, i.mnemonic, i.op_str)
            .trim_end()
            .to_string()
    }
}

impl EngineLog for DebugLog {
    fn wants(&self) -> LogWants {
        self.options.engine_wants()
    }

    fn translated(&self, key: TbKey, raw: Option<&emu_ir::Block>, block: &emu_ir::Block) {
        if !self.shown(key.pc) {
            return;
        }
        let mut text = String::new();
        if self.options.in_asm {
            let _ = writeln!(
                text,
                "----------------\nIN: {}",
                self.symbols.name_at(key.pc)
            );
            text += &self.guest_listing(key.pc, u64::from(block.guest_size));
            text.push('\n');
        }
        if let Some(raw) = raw.filter(|_| self.options.op) {
            let _ = writeln!(text, "OP:\n{raw}");
        }
        if self.options.op_opt {
            let _ = writeln!(text, "OP after optimization:\n{block}");
        }
        self.write(&text);
    }

    fn compiled(&self, key: TbKey, addr: usize, code: &[u8]) {
        if !self.shown(key.pc) {
            return;
        }
        let host = if cfg!(target_arch = "x86_64") {
            emu_disas::listing(emu_disas::Arch::X86_64, code, addr as u64)
        } else {
            format!("({} bytes of host code)\n", code.len())
        };
        self.write(&format!(
            "OUT: [size={}] for 0x{:08x}\n{host}\n",
            code.len(),
            key.pc
        ));
    }

    unsafe fn executing(&self, key: TbKey, env: *const u8) {
        if !self.shown(key.pc) {
            return;
        }
        let mut line = String::new();
        if self.options.exec {
            // SAFETY: gettid cannot fail.
            let tid = unsafe { libc::gettid() };
            let sym = self.symbols.name_at(key.pc);
            let _ = write!(
                line,
                "Trace {tid}: [{:08x}/{:016x}] {sym}",
                key.flags, key.pc
            );
            if self.options.exec && self.one_insn {
                line += &self.single_insn(key.pc);
                if self.options.cpu {
                    // SAFETY: the engine passes the CPU state of this process's arch.
                    line += &unsafe { self.changed_registers(env) };
                }
            }
            line.push('\n');
        }
        if self.options.cpu && !(self.options.exec && self.one_insn) {
            // SAFETY: the engine passes the CPU state of this process's arch.
            line += &unsafe { guest_cpu::register_dump(self.arch, env) };
        }
        self.write(&line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_parse_and_print_back() {
        let mut o = LogOptions::default();
        o.enable("in_asm,exec,unimp").unwrap();
        assert!(o.in_asm && o.exec && o.unimp && !o.cpu);
        assert_eq!(o.items(), "in_asm,exec,unimp");
        assert!(o.enable("in_asm,bogus").unwrap_err().contains("bogus"));
        assert_eq!(ITEMS.len(), 11);
        for (name, _) in ITEMS {
            assert!(LogOptions::default().flag(name).is_some(), "{name}");
        }
    }

    #[test]
    fn dfilter_ranges() {
        assert_eq!(
            parse_dfilter("0x1000..0x1fff,0x4000+0x100,100-10").unwrap(),
            vec![0x1000..=0x1fff, 0x4000..=0x40ff, 91..=100]
        );
        assert!(parse_dfilter("0x1000").is_err());
        assert!(parse_dfilter("zz..1").is_err());
    }
}
