//! The engine end to end: a multi-block loop under every tier setting (same final state,
//! chaining observed in the statistics), invalidation, exit requests, background compilation
//! and code-memory flushes.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::{reg, TestCpu};
use emu_backend::{Engine, EngineConfig, EngineStats};
use emu_ir::{Block, Builder, Cond, ExitReason, Terminal, Translator, Type};

/// A translator serving blocks from a table (pc -> block builder); unknown pcs fetch-fault.
struct TableTranslator {
    blocks: Mutex<HashMap<u64, Block>>,
    translations: AtomicU64,
}

impl TableTranslator {
    fn new(blocks: Vec<Block>) -> Arc<TableTranslator> {
        Arc::new(TableTranslator {
            blocks: Mutex::new(blocks.into_iter().map(|b| (b.pc, b)).collect()),
            translations: AtomicU64::new(0),
        })
    }

    fn replace(&self, block: Block) {
        self.blocks.lock().unwrap().insert(block.pc, block);
    }
}

impl Translator for TableTranslator {
    fn translate(&self, pc: u64, flags: u32) -> Block {
        self.translations.fetch_add(1, Ordering::Relaxed);
        match self.blocks.lock().unwrap().get(&pc) {
            Some(b) => b.clone(),
            None => {
                let mut b = Block::new(pc, flags);
                b.terminal = Terminal::Exit {
                    reason: ExitReason::FetchFault,
                    pc,
                };
                b
            }
        }
    }

    unsafe fn flags(&self, _env: *const u8) -> u32 {
        0
    }
}

/// Build a 4-byte block at `pc`.
fn block(pc: u64, f: impl FnOnce(&mut Builder) -> Terminal) -> Block {
    let mut b = Block::new(pc, 0);
    b.guest_size = 4;
    b.insn_count = 1;
    let mut bd = Builder::new(&mut b);
    let t = f(&mut bd);
    bd.set_terminal(t);
    b
}

/// r1 += r0; r0 -= 1 (at 0x100), loop while r0 != 0 (0x200), then r2 = r1 * 3 and an indirect
/// jump to r5 = 0x400 (0x300) to a block that exits with Syscall (0x400).
fn loop_program() -> Vec<Block> {
    vec![
        block(0x100, |b| {
            let r0 = b.read_reg(Type::I64, reg(0));
            let r1 = b.read_reg(Type::I64, reg(1));
            let s = b.add(r1, r0);
            b.write_reg(reg(1), s);
            let one = b.i64(1);
            let d = b.sub(r0, one);
            b.write_reg(reg(0), d);
            Terminal::Goto(0x200)
        }),
        block(0x200, |b| {
            let r0 = b.read_reg(Type::I64, reg(0));
            let z = b.i64(0);
            let c = b.icmp(Cond::Ne, r0, z);
            Terminal::Branch {
                cond: c,
                taken: 0x100,
                not_taken: 0x300,
            }
        }),
        block(0x300, |b| {
            let r1 = b.read_reg(Type::I64, reg(1));
            let three = b.i64(3);
            let m = b.binary(emu_ir::BinOp::Mul, r1, three);
            b.write_reg(reg(2), m);
            // Not a constant, so that the optimizer cannot turn it into a direct jump.
            let target = b.read_reg(Type::I64, reg(5));
            Terminal::Indirect(target)
        }),
        block(0x400, |_| Terminal::Exit {
            reason: ExitReason::Syscall,
            pc: 0x404,
        }),
    ]
}

fn config(threshold: u32) -> EngineConfig {
    EngineConfig {
        tier1_threshold: threshold,
        background_compile: false,
        optimize: true,
        code_size: 1 << 20,
        ..EngineConfig::default()
    }
}

/// Run the loop program from pc 0x100 with r0 = n; returns the exit and final registers.
fn run_loop(vcpu: &mut emu_backend::Vcpu, n: u64) -> (ExitReason, u64, [u64; 3]) {
    let mut cpu = TestCpu::new();
    cpu.header.pc = 0x100;
    cpu.regs[0] = n;
    cpu.regs[5] = 0x400;
    // SAFETY: the program only touches registers 0-2 of the TestCpu.
    let exit = unsafe { vcpu.run(cpu.env()) };
    (exit, cpu.header.pc, [cpu.regs[0], cpu.regs[1], cpu.regs[2]])
}

/// The expected result, computed in Rust.
fn expected(n: u64) -> (ExitReason, u64, [u64; 3]) {
    let sum: u64 = (1..=n).sum();
    (ExitReason::Syscall, 0x404, [0, sum, sum * 3])
}

fn engine_for(threshold: u32) -> (Arc<Engine>, emu_backend::Vcpu) {
    let engine = Engine::new(TableTranslator::new(loop_program()), config(threshold)).unwrap();
    let vcpu = engine.vcpu();
    (engine, vcpu)
}

#[test]
fn loop_compiled_from_the_start_chains() {
    let (engine, mut vcpu) = engine_for(0);
    assert_eq!(run_loop(&mut vcpu, 100), expected(100));
    let s = engine.stats();
    assert_eq!(s.interpreted_runs, 0);
    assert_eq!(s.blocks_compiled, 4);
    // 0x100 -> 0x200, 0x200 -> 0x100 and 0x200 -> 0x300 (0x300 -> 0x400 is indirect).
    assert_eq!(s.links, 3, "{s:?}");
    // Without chaining the dispatcher would enter native code 202 times.
    assert!(s.native_entries < 10, "{s:?}");
    // Second run: everything is linked (the indirect jump through the jump cache): one entry.
    assert_eq!(run_loop(&mut vcpu, 50), expected(50));
    let s2 = engine.stats();
    assert_eq!(s2.native_entries - s.native_entries, 1, "{s2:?}");
    assert_eq!(s2.blocks_translated, 4);
}

#[test]
fn loop_switches_tiers_mid_run() {
    let (engine, mut vcpu) = engine_for(3);
    assert_eq!(run_loop(&mut vcpu, 100), expected(100));
    let s = engine.stats();
    // 0x100 and 0x200 run three times interpreted each, then natively; 0x300 and 0x400 once.
    assert_eq!(s.interpreted_runs, 3 + 3 + 1 + 1, "{s:?}");
    assert_eq!(s.blocks_compiled, 2, "{s:?}");
    assert!(s.links >= 2, "{s:?}");
}

#[test]
fn loop_interpreted_only() {
    let (engine, mut vcpu) = engine_for(u32::MAX);
    assert_eq!(run_loop(&mut vcpu, 100), expected(100));
    let s = engine.stats();
    assert_eq!(
        (
            s.interpreted_runs,
            s.blocks_compiled,
            s.native_entries,
            s.links
        ),
        (202, 0, 0, 0),
        "{s:?}"
    );
}

#[test]
fn background_compilation_takes_over() {
    let mut cfg = config(2);
    cfg.background_compile = true;
    let engine = Engine::new(TableTranslator::new(loop_program()), cfg).unwrap();
    let mut vcpu = engine.vcpu();
    assert_eq!(run_loop(&mut vcpu, 1000), expected(1000));
    // Wait (bounded) for the compile thread, then run again on native code.
    for _ in 0..500 {
        if engine.stats().blocks_compiled >= 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(engine.stats().blocks_compiled >= 2, "{:?}", engine.stats());
    let before = engine.stats();
    assert_eq!(run_loop(&mut vcpu, 1000), expected(1000));
    assert!(engine.stats().native_entries > before.native_entries);
}

/// A block at `pc` that writes `value` to r3 and continues to `next` (or exits).
fn marker(pc: u64, value: u64, next: Option<u64>) -> Block {
    block(pc, |b| {
        let v = b.i64(value);
        b.write_reg(reg(3), v);
        match next {
            Some(n) => Terminal::Goto(n),
            None => Terminal::Exit {
                reason: ExitReason::Syscall,
                pc: pc + 4,
            },
        }
    })
}

fn run_marker(vcpu: &mut emu_backend::Vcpu) -> u64 {
    let mut cpu = TestCpu::new();
    cpu.header.pc = 0x100;
    // SAFETY: the program only writes register 3.
    let exit = unsafe { vcpu.run(cpu.env()) };
    assert_eq!(exit, ExitReason::Syscall);
    cpu.regs[3]
}

#[test]
fn invalidation_replaces_linked_blocks() {
    for threshold in [0, u32::MAX] {
        let t = TableTranslator::new(vec![marker(0x100, 1, Some(0x200)), marker(0x200, 2, None)]);
        let engine = Engine::new(t.clone(), config(threshold)).unwrap();
        let mut vcpu = engine.vcpu();
        assert_eq!(run_marker(&mut vcpu), 2);
        assert_eq!(run_marker(&mut vcpu), 2);
        if threshold == 0 {
            assert_eq!(engine.stats().links, 1);
        }
        // New code at 0x200: before invalidation the old translation still runs.
        t.replace(marker(0x200, 22, None));
        assert_eq!(run_marker(&mut vcpu), 2);
        engine.invalidate(0x202, 1);
        assert_eq!(run_marker(&mut vcpu), 22);
        assert_eq!(run_marker(&mut vcpu), 22);
        // And the block that linked to it (0x100) itself.
        t.replace(marker(0x100, 11, None));
        engine.invalidate(0x0, 0x101);
        assert_eq!(run_marker(&mut vcpu), 11);
        let s: EngineStats = engine.stats();
        assert_eq!(s.blocks_invalidated, 2);
        assert_eq!(s.blocks_translated, 4);
    }
}

#[test]
fn exit_request_interrupts_a_chained_infinite_loop() {
    // 0x100: r0 += 1; goto 0x100.
    let spin = block(0x100, |b| {
        let r0 = b.read_reg(Type::I64, reg(0));
        let one = b.i64(1);
        let s = b.add(r0, one);
        b.write_reg(reg(0), s);
        Terminal::Goto(0x100)
    });
    let engine = Engine::new(TableTranslator::new(vec![spin]), config(0)).unwrap();
    let mut vcpu = engine.vcpu();
    let mut cpu = TestCpu::new();
    cpu.header.pc = 0x100;
    let request = &cpu.header.exit_request as *const std::sync::atomic::AtomicU32 as usize;
    let counter = &mut cpu.regs[0] as *mut u64 as usize;
    let stopper = std::thread::spawn(move || {
        // SAFETY: the CPU outlives this thread (joined below); the counter is only read here,
        // atomically (the generated code's plain 64-bit stores are single-copy atomic).
        let (flag, counter) = unsafe {
            (
                &*(request as *const std::sync::atomic::AtomicU32),
                AtomicU64::from_ptr(counter as *mut u64),
            )
        };
        // Wait until the loop is well under way (chained, not returning), then stop it.
        while counter.load(Ordering::Relaxed) < 100_000 {
            std::thread::yield_now();
        }
        flag.store(1, Ordering::Release);
    });
    // SAFETY: the program only touches register 0.
    let exit = unsafe { vcpu.run(cpu.env()) };
    stopper.join().unwrap();
    assert_eq!(exit, ExitReason::Halt);
    assert_eq!(cpu.header.pc, 0x100);
    assert!(cpu.regs[0] >= 100_000);
    // The first entry returns through the not-yet-linked exit; the second never returns.
    assert_eq!(engine.stats().native_entries, 2);
}

/// `n` blocks: block i (at 0x1000 + 4i) adds i to r1 and goes to block i+1; the last exits.
fn chain_program(n: u64) -> Vec<Block> {
    (0..n)
        .map(|i| {
            block(0x1000 + 4 * i, |b| {
                let r1 = b.read_reg(Type::I64, reg(1));
                let v = b.i64(i);
                let s = b.add(r1, v);
                b.write_reg(reg(1), s);
                if i + 1 < n {
                    Terminal::Goto(0x1000 + 4 * (i + 1))
                } else {
                    Terminal::Exit {
                        reason: ExitReason::Syscall,
                        pc: 0,
                    }
                }
            })
        })
        .collect()
}

/// Run the chain program once; returns (exit, r1).
fn run_chain(vcpu: &mut emu_backend::Vcpu) -> (ExitReason, u64) {
    let mut cpu = TestCpu::new();
    cpu.header.pc = 0x1000;
    // SAFETY: the program only touches register 1.
    let exit = unsafe { vcpu.run(cpu.env()) };
    (exit, cpu.regs[1])
}

#[test]
fn full_code_memory_is_flushed_and_refilled() {
    let n = 300u64;
    let mut cfg = config(0);
    cfg.code_size = 16 << 10;
    let engine = Engine::new(TableTranslator::new(chain_program(n)), cfg).unwrap();
    let mut vcpu = engine.vcpu();
    for _ in 0..3 {
        assert_eq!(
            run_chain(&mut vcpu),
            (ExitReason::Syscall, (0..n).sum::<u64>())
        );
    }
    let s = engine.stats();
    assert!(s.flushes >= 1, "{s:?}");
    assert_eq!(s.blocks_translated, n);
}

#[test]
fn threads_share_the_engine_under_invalidation_and_flushes() {
    let n = 300u64;
    let mut cfg = config(2);
    cfg.background_compile = true;
    cfg.code_size = 4 << 10;
    let engine = Engine::new(TableTranslator::new(chain_program(n)), cfg).unwrap();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let mut vcpu = engine.vcpu();
            std::thread::spawn(move || {
                for _ in 0..200 {
                    assert_eq!(
                        run_chain(&mut vcpu),
                        (ExitReason::Syscall, (0..n).sum::<u64>())
                    );
                }
            })
        })
        .collect();
    let invalidator = {
        let engine = engine.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !done.load(Ordering::Relaxed) || i < 100 {
                engine.invalidate(0x1000 + (i * 52) % (4 * n), 8);
                i += 1;
                std::thread::yield_now();
            }
        })
    };
    for w in workers {
        w.join().unwrap();
    }
    done.store(true, Ordering::Relaxed);
    invalidator.join().unwrap();
    let s = engine.stats();
    // Correctness is what the workers checked; how much got compiled and flushed depends on
    // timing (typically: hundreds of compiles, several flushes).
    assert!(s.blocks_invalidated > 0, "{s:?}");
}

/// Not a check: prints how fast the chained loop runs (`cargo test -- --ignored --nocapture`).
#[test]
#[ignore]
fn loop_speed() {
    for threshold in [0, u32::MAX] {
        let (engine, mut vcpu) = engine_for(threshold);
        let n = if threshold == 0 {
            50_000_000
        } else {
            2_000_000
        };
        let t = std::time::Instant::now();
        assert_eq!(run_loop(&mut vcpu, n), expected(n));
        let dt = t.elapsed();
        println!(
            "threshold {threshold}: {:.2} ns per loop iteration (2 blocks) {:?}",
            dt.as_nanos() as f64 / n as f64,
            engine.stats()
        );
    }
}

#[test]
fn unfetchable_code_is_retranslated_once_mapped() {
    for threshold in [0, u32::MAX] {
        let t = TableTranslator::new(vec![]);
        let engine = Engine::new(t.clone(), config(threshold)).unwrap();
        let mut vcpu = engine.vcpu();
        let mut cpu = TestCpu::new();
        cpu.header.pc = 0x100;
        // SAFETY: the blocks only write register 3.
        assert_eq!(unsafe { vcpu.run(cpu.env()) }, ExitReason::FetchFault);
        assert_eq!(cpu.header.pc, 0x100);
        // The guest maps code there: no invalidation needed for a fetch fault.
        t.replace(marker(0x100, 5, None));
        assert_eq!(run_marker(&mut vcpu), 5);
        assert_eq!(engine.stats().blocks_compiled, u64::from(threshold == 0));
    }
}

/// Records what the engine reports to its `-d` log.
#[derive(Default)]
struct RecordingLog {
    translated: Mutex<Vec<(u64, bool)>>,
    compiled: Mutex<Vec<u64>>,
    executed: Mutex<Vec<u64>>,
}

impl emu_backend::EngineLog for RecordingLog {
    fn wants(&self) -> emu_backend::LogWants {
        emu_backend::LogWants {
            translate: true,
            raw_ir: true,
            compile: true,
            exec: true,
        }
    }
    fn translated(&self, key: emu_backend::TbKey, raw: Option<&Block>, block: &Block) {
        assert_eq!(block.pc, key.pc);
        self.translated
            .lock()
            .unwrap()
            .push((key.pc, raw.is_some()));
    }
    fn compiled(&self, key: emu_backend::TbKey, _addr: usize, code: &[u8]) {
        assert!(!code.is_empty());
        self.compiled.lock().unwrap().push(key.pc);
    }
    unsafe fn executing(&self, key: emu_backend::TbKey, _env: *const u8) {
        self.executed.lock().unwrap().push(key.pc);
    }
}

/// With exec logging every block execution is reported, in order, even compiled ones (no
/// chaining); every translation and compilation is reported once.
#[test]
fn log_hooks_see_every_block() {
    for threshold in [0, u32::MAX] {
        let log = Arc::new(RecordingLog::default());
        let mut cfg = config(threshold);
        cfg.log = Some(emu_backend::LogHook(log.clone()));
        let engine = Engine::new(TableTranslator::new(loop_program()), cfg).unwrap();
        let mut vcpu = engine.vcpu();
        let n = 5;
        assert_eq!(run_loop(&mut vcpu, n), expected(n));
        let mut want: Vec<u64> = (0..n).flat_map(|_| [0x100, 0x200]).collect();
        want.extend([0x300, 0x400]);
        assert_eq!(*log.executed.lock().unwrap(), want, "threshold {threshold}");
        let translated = log.translated.lock().unwrap().clone();
        assert_eq!(
            translated,
            vec![(0x100, true), (0x200, true), (0x300, true), (0x400, true)]
        );
        let compiled = log.compiled.lock().unwrap().len();
        assert_eq!(compiled, if threshold == 0 { 4 } else { 0 });
    }
}
