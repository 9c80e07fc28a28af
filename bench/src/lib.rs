//! emu-bench: the end-to-end comparison of `emu-user` with `qemu-riscv64` on riscv64 workloads
//! (`bench/workloads/*.c`). `workloads` builds them, `measure` times runs, `report` prints the
//! markdown table and writes `results.json`. The `emu-bench` binary ties them together.

pub mod measure;
pub mod report;
pub mod workloads;
