//! The per-arch CPU glue of the run loop: creating the guest CPU state for an entry point and
//! stack, reaching its integer registers (for the syscall ABI), and creating the arch's
//! translator, and the arch state for signal frames. One small impl per guest arch.

use std::sync::Arc;

use emu_frontend::aarch64::{A64Cpu, A64Translator};
use emu_frontend::riscv64::{Rv64Cpu, Rv64Translator};
use emu_frontend::x86_64::{X64Cpu, X64Translator};
use emu_frontend::CodeFetch;
use emu_ir::{CpuHeader, Translator};

use crate::arch::GuestArch;
use crate::signal_frame::ArchCpu;
use crate::window::GuestWindow;

/// A guest CPU state the run loop can drive (movable to the thread that runs it).
pub trait GuestCpu: Send {
    fn header(&self) -> &CpuHeader;
    fn header_mut(&mut self) -> &mut CpuHeader;
    /// The integer register file, indexed as [`crate::arch::SyscallRegs`] expects.
    fn int_regs(&mut self) -> &mut [u64];
    /// Pointer to the whole state, for `Vcpu::run`.
    fn env(&mut self) -> *mut u8;
    /// The arch-specific state, for signal frames.
    fn arch_cpu(&mut self) -> ArchCpu<'_>;
    /// A copy of every register (for a new thread).
    fn boxed_clone(&self) -> Box<dyn GuestCpu>;
    fn set_stack_pointer(&mut self, sp: u64);
    /// The thread pointer `clone`'s `CLONE_SETTLS` sets.
    fn set_thread_pointer(&mut self, tls: u64);
}

/// The [`GuestCpu`] impl of a CPU state struct with a `header` and an integer register array.
macro_rules! impl_guest_cpu {
    ($cpu:ty, $regs:ident, $variant:ident, sp: $sp:expr, tls: $tls:expr) => {
        impl GuestCpu for $cpu {
            fn header(&self) -> &CpuHeader {
                &self.header
            }
            fn header_mut(&mut self) -> &mut CpuHeader {
                &mut self.header
            }
            fn int_regs(&mut self) -> &mut [u64] {
                &mut self.$regs
            }
            fn env(&mut self) -> *mut u8 {
                (self as *mut $cpu).cast()
            }
            fn arch_cpu(&mut self) -> ArchCpu<'_> {
                ArchCpu::$variant(self)
            }
            fn boxed_clone(&self) -> Box<dyn GuestCpu> {
                Box::new(self.clone())
            }
            fn set_stack_pointer(&mut self, sp: u64) {
                let set: fn(&mut $cpu, u64) = $sp;
                set(self, sp)
            }
            fn set_thread_pointer(&mut self, tls: u64) {
                let set: fn(&mut $cpu, u64) = $tls;
                set(self, tls)
            }
        }
    };
}

impl_guest_cpu!(Rv64Cpu, x, Riscv64, sp: |c, v| c.x[2] = v, tls: |c, v| c.x[4] = v);
impl_guest_cpu!(A64Cpu, x, Aarch64, sp: |c, v| c.x[31] = v, tls: |c, v| c.tpidr_el0 = v);
impl_guest_cpu!(X64Cpu, regs, X86_64, sp: |c, v| c.regs[4] = v, tls: |c, v| c.fs_base = v);

/// A CPU for `arch` about to run at `entry` with stack pointer `sp` over `window`, and the
/// translator for it (blocks of at most `max_insns` instructions when given); `None` for
/// arches without a frontend yet.
pub fn create(
    arch: GuestArch,
    entry: u64,
    sp: u64,
    window: &GuestWindow,
    fetch: Arc<dyn CodeFetch>,
    max_insns: Option<u32>,
) -> Option<(Box<dyn GuestCpu>, Arc<dyn Translator>)> {
    let limit = max_insns.unwrap_or(emu_frontend::translator::DEFAULT_MAX_INSNS);
    match arch {
        GuestArch::Riscv64 => {
            let mut cpu = Box::new(Rv64Cpu::new());
            cpu.header.pc = entry;
            cpu.header.mem_base = window.base();
            cpu.header.mem_mask = window.mask();
            cpu.x[2] = sp;
            Some((cpu, Arc::new(Rv64Translator::with_max_insns(fetch, limit))))
        }
        GuestArch::Aarch64 => {
            let mut cpu = Box::new(A64Cpu::new());
            cpu.header.pc = entry;
            cpu.header.mem_base = window.base();
            cpu.header.mem_mask = window.mask();
            cpu.x[31] = sp;
            Some((cpu, Arc::new(A64Translator::with_max_insns(fetch, limit))))
        }
        GuestArch::X86_64 => {
            let mut cpu = Box::new(X64Cpu::new());
            cpu.header.pc = entry;
            cpu.header.mem_base = window.base();
            cpu.header.mem_mask = window.mask();
            cpu.regs[4] = sp;
            Some((cpu, Arc::new(X64Translator::with_max_insns(fetch, limit))))
        }
    }
}

/// The integer registers of the CPU state at `env` (x0..x31; aarch64's x[31] is SP).
///
/// # Safety
/// `env` must point at a live CPU state of `arch`.
pub unsafe fn int_regs_of(arch: GuestArch, env: *const u8) -> Vec<u64> {
    // SAFETY: by contract `env` is this arch's CPU struct.
    unsafe {
        match arch {
            GuestArch::Riscv64 => (*env.cast::<Rv64Cpu>()).x.to_vec(),
            GuestArch::Aarch64 => (*env.cast::<A64Cpu>()).x.to_vec(),
            GuestArch::X86_64 => (*env.cast::<X64Cpu>()).regs.to_vec(),
        }
    }
}

/// x86-64's general registers in encoding order.
const X86_64_REGS: [&str; 16] = [
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
    "r14", "r15",
];

/// The name of integer register `i` in traces (`x5`, aarch64's `sp` for 31).
pub fn int_reg_name(arch: GuestArch, i: usize) -> String {
    match (arch, i) {
        (GuestArch::Aarch64, 31) => "sp".to_string(),
        (GuestArch::X86_64, _) => X86_64_REGS.get(i).copied().unwrap_or("?").to_string(),
        _ => format!("x{i}"),
    }
}

/// The `-d cpu` register dump of the CPU state at `env`, in qemu's layout.
///
/// # Safety
/// `env` must point at a live CPU state of `arch`.
pub unsafe fn register_dump(arch: GuestArch, env: *const u8) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    match arch {
        GuestArch::Aarch64 => {
            // SAFETY: by contract.
            let c = unsafe { &*env.cast::<A64Cpu>() };
            let mut items = vec![format!(" PC={:016x}", c.header.pc)];
            items.extend((0..31).map(|i| format!("X{i:02}={:016x}", c.x[i])));
            items.push(format!(" SP={:016x}", c.x[31]));
            for line in items.chunks(3) {
                let _ = writeln!(s, "{}", line.join(" "));
            }
            let nzcv = [
                (c.flag_n, 'N'),
                (c.flag_z, 'Z'),
                (c.flag_c, 'C'),
                (c.flag_v, 'V'),
            ];
            let pstate = nzcv
                .iter()
                .enumerate()
                .fold(0u32, |p, (k, (f, _))| p | (*f as u32 & 1) << (31 - k));
            let letters: String = nzcv
                .iter()
                .map(|(f, l)| if *f & 1 != 0 { *l } else { '-' })
                .collect();
            let _ = writeln!(s, "PSTATE={pstate:08x} {letters} EL0t");
        }
        GuestArch::Riscv64 => {
            // SAFETY: by contract.
            let c = unsafe { &*env.cast::<Rv64Cpu>() };
            const ABI: [&str; 32] = [
                "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2",
                "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9",
                "s10", "s11", "t3", "t4", "t5", "t6",
            ];
            let _ = writeln!(s, " {:<8} {:016x}", "pc", c.header.pc);
            let regs: Vec<String> = (0..32)
                .map(|i| format!(" {:<8} {:016x}", format!("x{i}/{}", ABI[i]), c.x[i]))
                .collect();
            for line in regs.chunks(4) {
                let _ = writeln!(s, "{}", line.concat());
            }
        }
        GuestArch::X86_64 => {
            // SAFETY: by contract.
            let c = unsafe { &*env.cast::<X64Cpu>() };
            let regs: Vec<String> = (0..16)
                .map(|i| format!("{}={:016x}", X86_64_REGS[i].to_uppercase(), c.regs[i]))
                .collect();
            for line in regs.chunks(4) {
                let _ = writeln!(s, "{}", line.join(" "));
            }
            let _ = writeln!(s, "RIP={:016x} RFL={:08x}", c.header.pc, c.eflags());
        }
    }
    s
}
