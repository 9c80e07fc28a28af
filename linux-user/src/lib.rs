//! emu-linux-user: runs Linux programs of another ISA on this host. Owns the guest address
//! window, the ELF loader, the initial stack, system calls, guest fault handling and the
//! `emu-user` binary's run loop.
//!
//! Modules, bottom up:
//! - [`window`]: the reserved host region guest memory lives in (`mem_base`/`mem_mask`);
//! - [`pages`]: the lock-free per-page flag table (guest permissions, code-page marks);
//! - [`memory`]: the guest address space: mappings, `mmap`/`brk` placement, checked copies;
//! - [`codefetch`]: `CodeFetch` for the translator, write-protecting code pages;
//! - [`fault`]: the SIGSEGV/SIGBUS handler (self-modifying code, guest faults);
//! - [`signals`]: guest signal delivery (host signals in, handlers run, default actions);
//! - [`signal_frame`]: each arch's `rt_sigframe` for handlers and `rt_sigreturn`;
//! - [`fault_pc`]: which guest instruction of a block made a memory fault;
//! - [`arch`]: per-guest-arch tables (ELF machine, hwcap, syscall registers, open flags);
//! - [`elf`] and [`stack`]: loading a program (and its ELF interpreter) and building its
//!   initial stack;
//! - [`sysroot`]: the `-L` prefix lookup of absolute guest paths;
//! - [`syscall`]: the process state and the syscall table;
//! - [`procfs`]: the guest's own `/proc/self/maps` and `/proc/cpuinfo`;
//! - [`threads`]: guest threads on host threads (`clone`, thread exit, futexes);
//! - [`symbols`] and [`debuglog`]: `-d` logging (guest and host code, IR, execution traces);
//! - [`guest_cpu`] and [`runner`]: the CPU glue and the run loop;
//! - [`gdb`]: the gdb stub (`-g PORT`);
//! - [`binfmt`]: `--binfmt-conf`'s binfmt_misc registration lines;
//! - [`fuzzing`]: the loader path as a `cargo fuzz` entry point.

pub mod arch;
pub mod binfmt;
pub mod codefetch;
pub mod debuglog;
pub mod elf;
pub mod errno;
pub mod fault;
pub mod fault_pc;
pub mod fuzzing;
pub mod gdb;
pub mod guest_cpu;
pub mod memory;
pub mod pages;
pub mod procfs;
pub mod runner;
pub mod signal_frame;
pub mod signals;
pub mod stack;
pub mod symbols;
pub mod syscall;
pub mod sysroot;
#[cfg(test)]
mod testutil;
pub mod threads;
pub mod window;
