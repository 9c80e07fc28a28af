//! Execution costs through `Vcpu::run`, in each tier: dispatch (a one-instruction block that
//! exits back to the caller, so every iteration is a full trip through the execution loop),
//! chained jumps (a two-block loop whose direct jumps are linked in compiled code), and guest
//! memory access (a load/add/store loop over the guest window).

mod common;

use std::time::Duration;

use common::{engine, rv, tier_name, Code, Machine, CODE_BASE};
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};

/// Loop iterations per run of the chained-jump and memory programs.
const ITERS: u64 = 4096;

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

/// Runs the program of `code` from [`CODE_BASE`] under both tiers, `setup` preparing the CPU
/// before every run.
fn bench_program(
    c: &mut Criterion,
    name: &str,
    code: fn() -> Code,
    per_run: u64,
    setup: fn(&mut Machine),
) {
    let mut group = c.benchmark_group(name);
    configure(&mut group);
    group.throughput(Throughput::Elements(per_run));
    for compiled in [false, true] {
        let (_engine, mut vcpu) = engine(code().translator(), compiled);
        let mut m = Machine::new();
        group.bench_function(tier_name(compiled), |b| {
            b.iter(|| {
                setup(&mut m);
                m.run(&mut vcpu, CODE_BASE);
            })
        });
    }
    group.finish();
}

/// `addi x5, x5, 1; ecall`: one block, one exit per run.
fn dispatch_code() -> Code {
    Code::new().at(0, &[rv::addi(5, 5, 1), rv::ECALL])
}

/// A: `addi x5, x5, -1; jal B` (at +0x100: B: `bne x5, x0, A; ecall`): two chained jumps per
/// iteration.
fn chain_code() -> Code {
    Code::new()
        .at(0, &[rv::addi(5, 5, -1), rv::jal(0, 0x100 - 4)])
        .at(0x100, &[rv::bne(5, 0, -0x100), rv::ECALL])
}

/// `loop: ld x6, 0(x7); add x6, x6, x5; sd x6, 0(x7); addi x7, x7, 8; addi x5, x5, -1;
/// bne x5, x0, loop; ecall`.
fn memory_code() -> Code {
    Code::new().at(
        0,
        &[
            rv::ld(6, 7, 0),
            rv::add(6, 6, 5),
            rv::sd(6, 7, 0),
            rv::addi(7, 7, 8),
            rv::addi(5, 5, -1),
            rv::bne(5, 0, -20),
            rv::ECALL,
        ],
    )
}

fn loop_setup(m: &mut Machine) {
    m.cpu.x[5] = ITERS;
    m.cpu.x[7] = 0x100;
}

fn bench_execute(c: &mut Criterion) {
    bench_program(c, "dispatch", dispatch_code, 1, |_| {});
    bench_program(c, "chained-jump", chain_code, 2 * ITERS, loop_setup);
    bench_program(c, "memory-loop", memory_code, ITERS, loop_setup);
}

/// The programs compute what they should (checked once, before anything is timed), so the
/// encodings and the engine agree with a hand computation in both tiers.
fn check_programs() {
    for compiled in [false, true] {
        let (_engine, mut vcpu) = engine(chain_code().translator(), compiled);
        let mut m = Machine::new();
        loop_setup(&mut m);
        m.run(&mut vcpu, CODE_BASE);
        assert_eq!(m.cpu.x[5], 0);
        let (_engine, mut vcpu) = engine(memory_code().translator(), compiled);
        let mut m = Machine::new();
        loop_setup(&mut m);
        m.run(&mut vcpu, CODE_BASE);
        assert_eq!(m.cpu.x[7], 0x100 + 8 * ITERS);
        // Iteration k stores x5 = ITERS - k at 0x100 + 8k.
        for k in [0, 1, ITERS - 1] {
            assert_eq!(m.load(0x100 + 8 * k), ITERS - k);
        }
    }
}

fn benches(c: &mut Criterion) {
    check_programs();
    bench_execute(c);
}

criterion_group!(execute, benches);
criterion_main!(execute);
