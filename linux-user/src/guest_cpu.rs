//! The per-arch CPU glue of the run loop: creating the guest CPU state for an entry point and
//! stack, reaching its integer registers (for the syscall ABI), and creating the arch's
//! translator, and the arch state for signal frames. One small impl per guest arch.

use std::sync::Arc;

use emu_frontend::aarch64::{A64Cpu, A64Translator};
use emu_frontend::riscv64::{Rv64Cpu, Rv64Translator};
use emu_frontend::CodeFetch;
use emu_ir::{CpuHeader, Translator};

use crate::arch::GuestArch;
use crate::signal_frame::ArchCpu;
use crate::window::GuestWindow;

/// A guest CPU state the run loop can drive.
pub trait GuestCpu {
    fn header(&self) -> &CpuHeader;
    fn header_mut(&mut self) -> &mut CpuHeader;
    /// The integer register file, indexed as [`crate::arch::SyscallRegs`] expects.
    fn int_regs(&mut self) -> &mut [u64];
    /// Pointer to the whole state, for `Vcpu::run`.
    fn env(&mut self) -> *mut u8;
    /// The arch-specific state, for signal frames.
    fn arch_cpu(&mut self) -> ArchCpu<'_>;
}

/// The [`GuestCpu`] impl of a CPU state struct with a `header` and an integer register array.
macro_rules! impl_guest_cpu {
    ($cpu:ty, $regs:ident, $variant:ident) => {
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
        }
    };
}

impl_guest_cpu!(Rv64Cpu, x, Riscv64);
impl_guest_cpu!(A64Cpu, x, Aarch64);

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
        GuestArch::X86_64 => None,
    }
}
