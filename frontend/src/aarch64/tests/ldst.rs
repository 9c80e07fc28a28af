//! Execution tests of the load/store and atomic classes: snippets assembled with the GNU
//! toolchain, translated and run through the IR interpreter on registers and memory set up
//! directly (no other instruction class needed); expected values follow the Arm ARM.

use std::sync::Arc;

use emu_ir::{ExitReason, Translator};

use crate::aarch64::{A64Cpu, A64Translator};
use crate::test_support::{self, Toolchain};
use crate::BufferFetch;

/// Guest memory size (addresses wrap modulo this) and where the code is placed (also copied
/// into memory, for literal loads).
const MEM_SIZE: usize = 0x1_0000;
const CODE_BASE: u64 = 0x8000;
/// Base address the snippets get in `x1`, and the memory pattern around it.
const DATA: u64 = 0x1000;

fn pattern(i: usize) -> u8 {
    (i as u8).wrapping_mul(0x3b).wrapping_add(0x81)
}

/// Assemble A64 source into raw code bytes (not linked); `None` without a toolchain.
fn assemble(src: &str) -> Option<Vec<u8>> {
    let tc = Toolchain {
        prefix: "aarch64-linux-gnu-",
        as_flags: &[],
        ld_flags: &[],
    };
    test_support::assemble(&tc, &format!(".arch armv8.4-a\n{src}"), None)
}

type Run = test_support::Run<A64Cpu>;

impl Run {
    fn u64_at(&self, addr: u64) -> u64 {
        let a = addr as usize;
        u64::from_le_bytes(self.mem[a..a + 8].try_into().unwrap())
    }
    /// Memory byte at `addr` changed from the pattern.
    fn changed(&self, addr: u64) -> bool {
        self.mem[addr as usize] != pattern(addr as usize)
    }
}

/// Little-endian u64 of the initial pattern at `addr`.
fn pat64(addr: u64) -> u64 {
    (0..8)
        .rev()
        .fold(0, |acc, k| acc << 8 | u64::from(pattern(addr as usize + k)))
}

/// Run `src` from `start` bytes into the code (literal data may come first) with `x1 = DATA`,
/// `x17`…`x30` = `DATA + 8 * (r - 17)` and the memory pattern, `setup` applied last, until
/// the code ends (or an exit).
fn run_from(src: &str, start: u64, setup: impl FnOnce(&mut A64Cpu, &mut [u8])) -> Option<Run> {
    let code = assemble(src)?;
    let end = CODE_BASE + code.len() as u64;
    let mut mem: Vec<u8> = (0..MEM_SIZE).map(pattern).collect();
    mem[CODE_BASE as usize..end as usize].copy_from_slice(&code);
    let translator = A64Translator::new(Arc::new(BufferFetch::new(CODE_BASE, code)));
    let mut cpu = Box::new(A64Cpu::new());
    test_support::attach(&mut *cpu, &mut mem);
    cpu.x[1] = DATA;
    for r in 17..31 {
        cpu.x[r] = DATA + 8 * (r as u64 - 17);
    }
    setup(&mut cpu, &mut mem);
    // SAFETY: the CPU's memory window is `mem` (addresses masked to its size), which outlives
    // the call. Running off the end of the code is a fetch fault at `end`.
    let exit = unsafe { test_support::run_blocks(&translator, &mut *cpu, CODE_BASE + start, 1000) };
    Some(Run { cpu, exit, mem })
}

fn run_ok(src: &str, setup: impl FnOnce(&mut A64Cpu, &mut [u8])) -> Option<Run> {
    run_ok_from(src, 0, setup)
}

fn run_ok_from(src: &str, start: u64, setup: impl FnOnce(&mut A64Cpu, &mut [u8])) -> Option<Run> {
    let r = run_from(src, start, setup)?;
    assert_eq!(
        r.exit,
        ExitReason::FetchFault,
        "code stopped early at {:#x}",
        r.cpu.header.pc
    );
    Some(r)
}

#[test]
fn general_purpose_addressing_modes() {
    let Some(r) = run_ok(
        "
        ldr x2, [x1, #8]
        ldrsb x3, [x1, #2]          // 0x77: positive
        ldrsh w4, [x1, #2]          // 0xb277 sign-extended to 32 bits only
        ldur w5, [x1, #-3]
        ldr x6, [x1, #16]!
        ldrsw x7, [x1], #-8         // loads at DATA+16, x1 ends at DATA+8
        ldr x8, [x9, w10, sxtw #3]  // w10 = -2
        ldrb w11, [x9, x12]
        str x13, [x9, #-8]!
        strh w13, [x9, #2]
        ldtrsh x14, [x9, #10]
        prfm pldl1keep, [x9, #8]
        prfum pldl3strm, [x9, #-1]
        ldr xzr, [x9]
        ",
        |cpu, _| {
            cpu.x[9] = DATA + 0x100;
            cpu.x[10] = 0xffff_fffe;
            cpu.x[12] = 5;
            cpu.x[13] = 0x0102_0304_0506_0708;
        },
    ) else {
        return;
    };
    let sext = |v: u64, bits: u32| ((v << (64 - bits)) as i64 >> (64 - bits)) as u64;
    assert_eq!(r.x(2), pat64(DATA + 8));
    assert_eq!(r.x(3), sext(pat64(DATA + 2) & 0xff, 8));
    assert_eq!(r.x(4), sext(pat64(DATA + 2) & 0xffff, 16) & 0xffff_ffff);
    assert_eq!(r.x(5), pat64(DATA - 3) & 0xffff_ffff);
    assert_eq!(r.x(6), pat64(DATA + 16));
    assert_eq!(r.x(7), sext(pat64(DATA + 16) & 0xffff_ffff, 32));
    assert_eq!(r.x(1), DATA + 8);
    assert_eq!(r.x(8), pat64(DATA + 0x100 - 16));
    assert_eq!(r.x(11), pat64(DATA + 0x105) & 0xff);
    assert_eq!(r.x(9), DATA + 0xf8);
    assert_eq!(
        r.u64_at(DATA + 0xf8),
        0x0102_0304_0506_0708 & !0xffff_0000 | 0x0708_0000
    );
    assert_eq!(r.x(14), sext(pat64(DATA + 0x102) & 0xffff, 16));
    assert!(!r.changed(DATA + 0xf7) && !r.changed(DATA + 0x100));
}

#[test]
fn pairs_and_literals() {
    let Some(r) = run_ok_from(
        "
    lit: .quad 0x80000001fedcba98
        ldp x2, x3, [x1, #-16]
        ldpsw x4, x5, [x1, #8]!
        ldp w6, w7, [x1], #-8
        stp x8, x9, [x10, #-32]!
        stnp w8, w9, [x10, #64]
        ldr x11, lit
        ldrsw x12, lit
        ldr w13, lit
        ",
        8,
        |cpu, _| {
            cpu.x[8] = 0x1111_2222_3333_4444;
            cpu.x[9] = 0x5555_6666_7777_8888;
            cpu.x[10] = DATA + 0x200;
        },
    ) else {
        return;
    };
    let sext32 = |v: u64| v as u32 as i32 as i64 as u64;
    assert_eq!(r.x(2), pat64(DATA - 16));
    assert_eq!(r.x(3), pat64(DATA - 8));
    assert_eq!(r.x(4), sext32(pat64(DATA + 8)));
    assert_eq!(r.x(5), sext32(pat64(DATA + 12)));
    assert_eq!(r.x(6), pat64(DATA + 8) & 0xffff_ffff);
    assert_eq!(r.x(7), pat64(DATA + 12) & 0xffff_ffff);
    assert_eq!(r.x(1), DATA);
    assert_eq!(r.x(10), DATA + 0x1e0);
    assert_eq!(r.u64_at(DATA + 0x1e0), 0x1111_2222_3333_4444);
    assert_eq!(r.u64_at(DATA + 0x1e8), 0x5555_6666_7777_8888);
    assert_eq!(r.u64_at(DATA + 0x220), 0x7777_8888_3333_4444);
    assert_eq!(r.x(11), 0x8000_0001_fedc_ba98);
    assert_eq!(r.x(12), 0xffff_ffff_fedc_ba98);
    assert_eq!(r.x(13), 0xfedc_ba98);
}

#[test]
fn simd_fp_registers() {
    let Some(r) = run_ok_from(
        "
    lit: .word 0x3f800000
        ldr q0, [x1, #16]
        ldr b1, [x1, #1]
        ldr h2, [x1], #2
        ldp d3, d4, [x17]
        ldr q5, [x1, x2, lsl #4]
        ldr s6, lit
        str q0, [x3]
        stp q0, q1, [x3, #32]!
        stur d0, [x3, #-3]
        ",
        4,
        |cpu, _| {
            cpu.v = [[u64::MAX; 2]; 32];
            cpu.x[2] = 1;
            cpu.x[3] = DATA + 0x300;
        },
    ) else {
        return;
    };
    let q = |a: u64| [pat64(a), pat64(a + 8)];
    assert_eq!(r.cpu.v[0], q(DATA + 16));
    assert_eq!(r.cpu.v[1], [pat64(DATA + 1) & 0xff, 0]);
    assert_eq!(r.cpu.v[2], [pat64(DATA) & 0xffff, 0]);
    assert_eq!(r.cpu.v[3], [pat64(DATA), 0]);
    assert_eq!(r.cpu.v[4], [pat64(DATA + 8), 0]);
    assert_eq!(r.cpu.v[5], q(DATA + 2 + 16));
    assert_eq!(r.cpu.v[6], [0x3f80_0000, 0]);
    assert_eq!(r.x(3), DATA + 0x320);
    assert_eq!(
        [r.u64_at(DATA + 0x300), r.u64_at(DATA + 0x308)],
        q(DATA + 16)
    );
    assert_eq!(r.u64_at(DATA + 0x330), pat64(DATA + 1) & 0xff);
    assert_eq!(r.u64_at(DATA + 0x338), 0);
    assert_eq!(r.u64_at(DATA + 0x31d), pat64(DATA + 16));
}

#[test]
fn writeback_into_the_transfer_register_keeps_the_address() {
    let Some(r) = run_ok(
        "
        ldr x1, [x1, #8]!
        ldp x3, x4, [x3], #16
        ",
        |cpu, _| cpu.x[3] = DATA + 0x40,
    ) else {
        return;
    };
    assert_eq!(r.x(1), DATA + 8);
    assert_eq!(r.x(3), DATA + 0x50);
    assert_eq!(r.x(4), pat64(DATA + 0x48));
}

#[test]
fn exclusives() {
    let Some(r) = run_ok(
        "
        ldxr x2, [x17]
        stxr w3, x4, [x17]          // success
        stxr w5, x4, [x17]          // monitor cleared: fails
        ldaxrh w6, [x19]
        stlxrh w7, w4, [x20]        // other address: fails
        ldxp w8, w9, [x21]
        stxp w10, w4, w11, [x21]
        ldxp x12, x13, [x25]
        stlxp w14, x4, x11, [x25]
        ldxr w15, [x29]
        stxrb w16, w4, [x29]        // other size: fails
        ",
        |cpu, _| {
            cpu.x[4] = 0x0102_0304_0506_0708;
            cpu.x[11] = 0x1112_1314_1516_1718;
        },
    ) else {
        return;
    };
    assert_eq!(r.x(2), pat64(DATA));
    assert_eq!(
        (r.x(3), r.x(5), r.x(7), r.x(10), r.x(14), r.x(16)),
        (0, 1, 1, 0, 0, 1)
    );
    assert_eq!(r.u64_at(DATA), 0x0102_0304_0506_0708);
    assert_eq!(r.x(6), pat64(DATA + 16) & 0xffff);
    assert!(!r.changed(DATA + 24));
    assert_eq!(r.x(8), pat64(DATA + 32) & 0xffff_ffff);
    assert_eq!(r.x(9), pat64(DATA + 36) & 0xffff_ffff);
    assert_eq!(r.u64_at(DATA + 32), 0x1516_1718_0506_0708);
    assert_eq!((r.x(12), r.x(13)), (pat64(DATA + 64), pat64(DATA + 72)));
    assert_eq!(r.u64_at(DATA + 64), 0x0102_0304_0506_0708);
    assert_eq!(r.u64_at(DATA + 72), 0x1112_1314_1516_1718);
    assert_eq!(r.x(15), pat64(DATA + 96) & 0xffff_ffff);
    assert!(!r.changed(DATA + 96));
    assert_eq!(r.cpu.excl_size, 0);
}

#[test]
fn compare_and_swap() {
    let Some(r) = run_ok(
        "
        cas x2, x3, [x17]           // x2 = memory: swaps
        casb w4, w3, [x18]          // mismatch: old value to w4
        casp x6, x7, x8, x9, [x19]
        caspal w10, w11, w8, w9, [x21]
        casp x12, x13, x8, x9, [x23]   // mismatch
        ",
        |cpu, mem| {
            cpu.x[2] = pat64(DATA);
            cpu.x[3] = 0xaaaa_bbbb_cccc_dddd;
            cpu.x[4] = 0x1234;
            cpu.x[6] = pat64(DATA + 16);
            cpu.x[7] = pat64(DATA + 24);
            cpu.x[8] = 0x0102_0304_0506_0708;
            cpu.x[9] = 0x1112_1314_1516_1718;
            cpu.x[10] = pat64(DATA + 32) & 0xffff_ffff | 0xdead_0000_0000_0000;
            cpu.x[11] = pat64(DATA + 36) & 0xffff_ffff;
            cpu.x[12] = 1;
            cpu.x[13] = 2;
            mem[0] = 0;
        },
    ) else {
        return;
    };
    assert_eq!(r.x(2), pat64(DATA));
    assert_eq!(r.u64_at(DATA), 0xaaaa_bbbb_cccc_dddd);
    assert_eq!(r.x(4), pat64(DATA + 8) & 0xff);
    assert!(!r.changed(DATA + 8));
    assert_eq!((r.x(6), r.x(7)), (pat64(DATA + 16), pat64(DATA + 24)));
    assert_eq!(r.u64_at(DATA + 16), 0x0102_0304_0506_0708);
    assert_eq!(r.u64_at(DATA + 24), 0x1112_1314_1516_1718);
    assert_eq!(r.x(10), pat64(DATA + 32) & 0xffff_ffff);
    assert_eq!(r.u64_at(DATA + 32), 0x1516_1718_0506_0708);
    assert_eq!((r.x(12), r.x(13)), (pat64(DATA + 48), pat64(DATA + 56)));
    assert!(!r.changed(DATA + 48));
}

#[test]
fn lse_read_modify_write() {
    let Some(r) = run_ok(
        "
        ldadd x2, x3, [x17]
        ldclralh w4, w5, [x18]
        ldeorl w2, w6, [x19]
        ldset x4, x7, [x20]
        ldsmaxb w8, w9, [x21]       // signed compare at 8 bits
        ldsminh w8, w10, [x22]
        ldumax w8, w11, [x23]
        lduminal x8, x12, [x24]
        swpa x2, x13, [x25]
        stadd x2, [x26]
        ldaprb w14, [x27]
        stlur w2, [x1, #-4]
        ldapursh x15, [x1, #-2]
        ldar w16, [x28]
        stlrb w2, [x29]
        ",
        |cpu, _| {
            cpu.x[2] = 0x0000_0001_0000_0001;
            cpu.x[4] = 0x00f0;
            cpu.x[8] = 0x40;
        },
    ) else {
        return;
    };
    let m = |a: u64| pat64(DATA + a);
    assert_eq!(r.x(3), m(0));
    assert_eq!(r.u64_at(DATA), m(0).wrapping_add(0x1_0000_0001));
    assert_eq!(r.x(5), m(8) & 0xffff);
    assert_eq!(r.u64_at(DATA + 8), m(8) & !0xf0);
    assert_eq!(r.x(6), m(16) & 0xffff_ffff);
    assert_eq!(r.u64_at(DATA + 16), m(16) ^ 1);
    assert_eq!(r.x(7), m(24));
    assert_eq!(r.u64_at(DATA + 24), m(24) | 0xf0);
    let (b32, h40) = (m(32) as u8, m(40) as u16);
    assert_eq!(r.x(9), u64::from(b32));
    let max = (b32 as i8).max(0x40);
    assert_eq!(r.u64_at(DATA + 32), m(32) & !0xff | u64::from(max as u8));
    assert_eq!(r.x(10), u64::from(h40));
    let min = (h40 as i16).min(0x40);
    assert_eq!(r.u64_at(DATA + 40), m(40) & !0xffff | u64::from(min as u16));
    assert_eq!(r.x(11), m(48) & 0xffff_ffff);
    assert_eq!(
        r.u64_at(DATA + 48),
        m(48) & !0xffff_ffff | (m(48) & 0xffff_ffff).max(0x40)
    );
    assert_eq!(r.x(12), m(56));
    assert_eq!(r.u64_at(DATA + 56), m(56).min(0x40));
    assert_eq!(r.x(13), m(64));
    assert_eq!(r.u64_at(DATA + 64), 0x1_0000_0001);
    assert_eq!(r.u64_at(DATA + 72), m(72).wrapping_add(0x1_0000_0001));
    assert_eq!(r.x(14), m(80) & 0xff);
    assert_eq!(r.u64_at(DATA - 8), pat64(DATA - 8) & 0xffff_ffff | 1 << 32);
    assert_eq!(r.x(15), 0);
    assert_eq!(r.x(16), m(88) & 0xffff_ffff);
    assert_eq!(r.u64_at(DATA + 96), m(96) & !0xff | 1);
}

#[test]
fn unallocated_encodings_are_illegal() {
    for word in [
        0xb8c0_0422u32, // LDRSW with opc = 11 (post-index)
        0xf880_0422,    // PRFM shape with post-index
        0x6900_0422,    // STGP (LDPSW shape with L = 0; no MTE)
        0x6840_0422,    // LDNP with opc = 01 (no LDNPSW)
        0xe900_0422,    // pair opc = 11
        0x7ce0_6822,    // SIMD register offset with size:opc > 4
        0x3c40_0822,    // SIMD unprivileged form
        0xf860_8822,    // register offset with option<1> = 0
        0x4820_7822,    // CASP with Rt2 != 11111
        0x4820_7c23,    // CASP with an odd Rt
        0x88a0_7822,    // CAS with Rt2 != 11111
        0xf820_d022,    // LSE o3:opc = 1101
        0xdc00_0002,    // LDR (literal) SIMD opc = 11
    ] {
        let code = word.to_le_bytes().to_vec();
        let translator = A64Translator::new(Arc::new(BufferFetch::new(CODE_BASE, code)));
        let block = translator.translate(CODE_BASE, 0);
        assert_eq!(
            block.terminal,
            emu_ir::Terminal::Exit {
                reason: ExitReason::IllegalInsn,
                pc: CODE_BASE
            },
            "{word:#010x} should be unallocated"
        );
    }
}

#[test]
fn random_words_of_every_row_translate_to_verified_ir() {
    let tables = [crate::aarch64::ldst::TABLE, crate::aarch64::atomic::TABLE];
    for word in super::random_words(&tables, 500, 0x9e37_79b9_7f4a_7c15) {
        let code = word.to_le_bytes().to_vec();
        let translator =
            A64Translator::with_max_insns(Arc::new(BufferFetch::new(CODE_BASE, code)), 1);
        let block = translator.translate(CODE_BASE, 0);
        if let Err(err) = emu_ir::verify::verify(&block) {
            panic!("{word:#010x}: {err:?}");
        }
    }
}
