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
/// translator for it; `None` for arches without a frontend yet.
pub fn create(
    arch: GuestArch,
    entry: u64,
    sp: u64,
    window: &GuestWindow,
    fetch: Arc<dyn CodeFetch>,
) -> Option<(Box<dyn GuestCpu>, Arc<dyn Translator>)> {
    match arch {
        GuestArch::Riscv64 => {
            let mut cpu = Box::new(Rv64Cpu::new());
            cpu.header.pc = entry;
            cpu.header.mem_base = window.base();
            cpu.header.mem_mask = window.mask();
            cpu.x[2] = sp;
            Some((cpu, Arc::new(Rv64Translator::new(fetch))))
        }
        GuestArch::Aarch64 => {
            let mut cpu = Box::new(A64Cpu::new());
            cpu.header.pc = entry;
            cpu.header.mem_base = window.base();
            cpu.header.mem_mask = window.mask();
            cpu.x[31] = sp;
            Some((cpu, Arc::new(A64Translator::new(fetch))))
        }
        GuestArch::X86_64 => {
            let mut cpu = Box::new(X64Cpu::new());
            cpu.header.pc = entry;
            cpu.header.mem_base = window.base();
            cpu.header.mem_mask = window.mask();
            cpu.regs[4] = sp;
            Some((cpu, Arc::new(X64Translator::new(fetch))))
        }
    }
}
