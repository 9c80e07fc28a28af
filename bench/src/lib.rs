//! emu-bench: the end-to-end comparison of `emu-user` with `qemu-ARCH` (and, for x86_64
//! guests, native runs) on the workloads in `bench/workloads/`. `workloads` builds them,
//! `measure` times runs and records their peak RSS, `report` makes the markdown table and the
//! JSON, `svg` the bar chart. The `emu-bench` binary ties them together; the criterion
//! micro-benchmarks of the engine are in `bench/benches/`.

pub mod measure;
pub mod report;
pub mod svg;
pub mod workloads;
