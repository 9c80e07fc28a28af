//! Tests of the riscv64 frontend. Oracles: the GNU assembler (`riscv64-linux-gnu-as`, which
//! encodes instructions independently of this decoder) and values derived by hand from the
//! RISC-V specification. Tests that need the assembler skip (with a message) when it is not
//! installed.

mod asm;
mod decode;
mod exec;
mod exec_fp;
mod glibc;
mod qemu_diff;
mod run_static;
