//! Translation throughput, in guest instructions per second: a 512-instruction straight-line
//! riscv64 region split into blocks by the translator (frontend + IR optimizer), and the same
//! optimized blocks compiled by Cranelift (tier 1).

mod common;

use std::time::Duration;

use common::{straight_line, Code, CODE_BASE};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use emu_backend::lower::{host_isa, Lowerer};
use emu_ir::{Block, Translator};

const INSNS: usize = 512;

/// Translate and optimize every block of the region, as the engine does for a new block.
fn translate_region(t: &dyn Translator) -> Vec<Block> {
    let end = CODE_BASE + 4 * INSNS as u64;
    let mut pc = CODE_BASE;
    let mut blocks = Vec::new();
    while pc < end {
        let mut block = t.translate(pc, 0);
        assert!(block.guest_size > 0, "translation stopped at {pc:#x}");
        pc += u64::from(block.guest_size);
        emu_ir::passes::optimize(&mut block);
        blocks.push(block);
    }
    blocks
}

fn bench_translate(c: &mut Criterion) {
    let translator = Code::new().at(0, &straight_line(INSNS)).translator();
    let mut group = c.benchmark_group("translate");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(INSNS as u64));
    group.bench_function("frontend+optimize", |b| {
        b.iter(|| translate_region(translator.as_ref()))
    });
    let blocks = translate_region(translator.as_ref());
    let mut lowerer = Lowerer::new(host_isa().expect("host isa"));
    group.bench_function("cranelift", |b| {
        b.iter(|| {
            blocks
                .iter()
                .map(|block| {
                    lowerer
                        .compile_block(block, [0, 0])
                        .expect("compiles")
                        .len()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_translate);
criterion_main!(benches);
