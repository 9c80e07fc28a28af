//! Execution tests of the integer, branch and system instructions: snippets assembled with the
//! GNU aarch64 assembler (skipped when it is missing) and run through the translator and the
//! IR interpreter; expected values are worked out from the Arm ARM pseudocode. Also an
//! exhaustive check of the logical-immediate decoder against objdump.

use std::sync::Arc;

use emu_ir::{ExitReason, Translator};

use super::random_words;
use crate::aarch64::{A64Cpu, A64Translator};
use crate::test_support::{self, xorshift, Disassembled, Toolchain, CODE_BASE, MEM_SIZE};
use crate::BufferFetch;

const TOOLCHAIN: Toolchain = Toolchain {
    prefix: "aarch64-linux-gnu-",
    as_flags: &["-march=armv8.2-a+crc"],
    ld_flags: &[],
};

/// Assemble `src` linked at [`CODE_BASE`]; the `.text` bytes, or `None` without a toolchain.
fn assemble(src: &str) -> Option<Vec<u8>> {
    test_support::assemble(&TOOLCHAIN, src, Some(CODE_BASE))
}

/// Disassemble `words` with GNU objdump; `None` without a toolchain.
fn objdump(words: &[u32]) -> Option<Vec<Disassembled>> {
    let src: String = words.iter().map(|w| format!(".inst {w:#x}\n")).collect();
    let tc = Toolchain {
        as_flags: &[],
        ..TOOLCHAIN
    };
    test_support::objdump(&tc, &src, &[], words.len())
}

type Run = test_support::Run<A64Cpu>;

/// Run machine code from `CODE_BASE` until it leaves the execution loop.
fn run_code(code: Vec<u8>, setup: impl FnOnce(&mut A64Cpu)) -> Run {
    let translator = A64Translator::new(Arc::new(BufferFetch::new(CODE_BASE, code)));
    test_support::run_code(&translator, setup)
}

/// Assemble and run `src` followed by `brk #0`, checking it stopped there.
fn run_to_brk(src: &str, setup: impl FnOnce(&mut A64Cpu)) -> Option<Run> {
    let code = assemble(&format!("{src}\nbrk #0"))?;
    let end = CODE_BASE + code.len() as u64 - 4;
    let r = run_code(code, setup);
    assert_eq!(r.exit, ExitReason::Breakpoint, "code did not reach its brk");
    assert_eq!(r.cpu.header.pc, end, "stopped at another brk");
    Some(r)
}

const N: u64 = 1 << 31;
const Z: u64 = 1 << 30;
const C: u64 = 1 << 29;
const V: u64 = 1 << 28;

#[test]
fn add_sub_flags_and_sp() {
    let Some(r) = run_to_brk(
        "
        mov x0, #-1
        adds x1, x0, #1          // 0, Z C
        mrs x2, nzcv
        mov x3, #0x7fffffff
        adds w4, w3, w3          // 0xfffffffe, N V
        mrs x5, nzcv
        mov x12, #0
        subs x6, x12, #1         // -1: N, borrow -> C 0
        mrs x7, nzcv
        mov x8, sp
        add sp, sp, #0x10, lsl #12
        mov x9, sp
        add x10, sp, w3, sxtb #2 // sp + (-1 << 2)
        cmp x0, x0
        mrs x11, nzcv
        ",
        |cpu| cpu.x[31] = 0x1000,
    ) else {
        return;
    };
    assert_eq!(r.x(1), 0);
    assert_eq!(r.x(2), Z | C);
    assert_eq!(r.x(4), 0xffff_fffe);
    assert_eq!(r.x(5), N | V);
    assert_eq!(r.x(6), u64::MAX);
    assert_eq!(r.x(7), N);
    assert_eq!(r.x(8), 0x1000);
    assert_eq!(r.x(9), 0x11000);
    assert_eq!(r.x(10), 0x11000 - 4);
    assert_eq!(r.x(11), Z | C);
}

#[test]
fn bitfields_and_moves() {
    let Some(r) = run_to_brk(
        "
        movz x0, #0x8765, lsl #48
        movk x0, #0x4321
        movn w1, #0
        ubfx x2, x0, #48, #8     // 0x65
        sbfx x3, x0, #60, #4     // sign of 0x8 -> -8
        bfi x1, x0, #8, #16      // w1 was 0xffffffff: insert 0x4321 at bit 8
        sbfiz w4, w0, #28, #4    // 0x1 << 28
        asr x5, x0, #63
        extr x6, x0, x0, #16     // ror 16
        extr w7, w0, w1, #4
        lsl w8, w1, #31
        bfxil x9, x0, #0, #4
        ",
        |cpu| cpu.x[9] = 0xf0,
    ) else {
        return;
    };
    let x0: u64 = 0x8765_0000_0000_4321;
    assert_eq!(r.x(0), x0);
    assert_eq!(r.x(2), 0x65);
    assert_eq!(r.x(3), (-8i64) as u64);
    assert_eq!(r.x(1), 0xff43_21ff);
    assert_eq!(r.x(4), 0x1000_0000);
    assert_eq!(r.x(5), u64::MAX);
    assert_eq!(r.x(6), x0.rotate_right(16));
    assert_eq!(r.x(7), u64::from((0x4321u32 << 28) | (0xff43_21ffu32 >> 4)));
    assert_eq!(r.x(8), 0x8000_0000);
    assert_eq!(r.x(9), 0xf1);
}

#[test]
fn divide_multiply_and_one_source() {
    let Some(r) = run_to_brk(
        "
        mov x0, #7
        udiv x1, x0, xzr         // 0
        mov x2, #0x8000000000000000
        mov x3, #-1
        sdiv x4, x2, x3          // MIN
        sdiv w5, w3, w0          // -1/7 = 0
        umulh x6, x3, x3         // 2^64 - 2
        smulh x7, x2, x3         // high of 2^63 = 0
        smsubl x8, w3, w0, x0    // 7 - (-1 * 7) = 14
        cls x9, x0               // 60
        clz w10, wzr             // 32
        rbit w11, w0             // 0xe0000000
        rev16 x12, x2
        rev32 x13, x0
        crc32cx w14, w3, x3
        ",
        |_| {},
    ) else {
        return;
    };
    assert_eq!(r.x(1), 0);
    assert_eq!(r.x(4), 1 << 63);
    assert_eq!(r.x(5), 0);
    assert_eq!(r.x(6), u64::MAX - 1);
    assert_eq!(r.x(7), 0);
    assert_eq!(r.x(8), 14);
    assert_eq!(r.x(9), 60);
    assert_eq!(r.x(10), 32);
    assert_eq!(r.x(11), 0xe000_0000);
    assert_eq!(r.x(12), 0x0080_0000_0000_0000);
    assert_eq!(r.x(13), 0x0700_0000);
    let mut crc = u32::MAX;
    for _ in 0..8 {
        crc = crate::aarch64::dp_reg::crc32_update(crc, 0xff, 1, 0x1EDC_6F41u32.reverse_bits());
    }
    assert_eq!(r.x(14), u64::from(crc));
}

#[test]
fn branches_and_conditions() {
    let Some(r) = run_to_brk(
        "
        mov x0, #0
        mov x1, #-1
        tbz x1, #63, 1f
        add x0, x0, #1           // taken path
    1:  tbnz x1, #0, 2f
        add x0, x0, #100
    2:  cbz w0, 3f
        add x0, x0, #2
    3:  cmp x0, #3
        b.eq 4f
        add x0, x0, #1000
    4:  bl 5f
        b 6f
    5:  mov x2, x30
        ret
    6:  adr x3, 7f
        blr x3
        b 8f
    7:  mov x4, x30
        br x30
    8:  ccmp x0, #3, #0, ne     // ne false (Z set by cmp): flags = 0
        cset x5, eq
        csinc x6, x1, x0, al
        mrs x7, nzcv
        ",
        |_| {},
    ) else {
        return;
    };
    assert_eq!(r.x(0), 3);
    assert_eq!(r.x(2), CODE_BASE + 4 * 12);
    assert_eq!(r.x(4), r.x(3) - 4);
    assert_eq!(r.x(5), 0);
    assert_eq!(r.x(6), u64::MAX);
    assert_eq!(r.x(7), 0);
}

#[test]
fn system_registers_barriers_and_svc() {
    let Some(code) = assemble(
        "
        mov x0, #0xf0000000
        msr nzcv, x0
        mrs x1, nzcv
        mov x0, #0x00c00000
        msr fpcr, x0
        mrs x2, fpcr
        msr tpidr_el0, x0
        mrs x3, tpidr_el0
        mrs x4, dczid_el0
        mov x5, #0x1234
        dc zva, x5
        nop
        yield
        dmb ish
        isb
        clrex
        svc #0
        ",
    ) else {
        return;
    };
    let len = code.len() as u64;
    let r = run_code(code, |cpu| {
        cpu.excl_size = 8;
    });
    assert_eq!(r.exit, ExitReason::Syscall);
    assert_eq!(r.cpu.header.pc, CODE_BASE + len);
    assert_eq!(r.x(1), 0xf000_0000);
    assert_eq!(r.x(2), 0x00c0_0000);
    assert_eq!(r.x(3), 0x00c0_0000);
    assert_eq!(r.x(4), 4);
    assert_eq!(r.cpu.excl_size, 0);
}

#[test]
fn dc_zva_zeroes_the_aligned_block() {
    let Some(r) = run_to_brk(
        "
        mov x1, #-1
        mov x5, #0x1200
        stp x1, x1, [x5, #-16]   // just before the block
        stp x1, x1, [x5, #0x30]  // inside it
        stp x1, x1, [x5, #0x40]  // just after it
        add x6, x5, #0x34
        dc zva, x6
        ",
        |_| {},
    ) else {
        return;
    };
    assert!(r.mem[0x11f0..0x1200].iter().all(|&b| b == 0xff));
    assert!(r.mem[0x1200..0x1240].iter().all(|&b| b == 0));
    assert!(r.mem[0x1240..0x1250].iter().all(|&b| b == 0xff));
}

#[test]
fn undefined_encodings_are_illegal() {
    // UDF #0, HVC #0, MSR DAIFSet, MRS MIDR_EL1, 32-bit MOVZ with hw=2, EXTR with N != sf.
    for word in [
        0x0000_0000u32,
        0xd400_0002,
        0xd503_43df,
        0xd538_0000,
        0x52c0_0000,
        0x13c0_0000,
    ] {
        let r = run_code(word.to_le_bytes().to_vec(), |_| {});
        assert_eq!(r.exit, ExitReason::IllegalInsn, "{word:#010x}");
        assert_eq!(r.cpu.header.pc, CODE_BASE);
    }
}

/// Every `AND X0, X0, #imm` encoding (N:immr:imms) decoded against objdump's disassembly.
#[test]
fn logical_immediates_match_objdump() {
    let words: Vec<u32> = (0..1u32 << 13).map(|f| 0x9200_0000 | f << 10).collect();
    let Some(listing) = objdump(&words) else {
        return;
    };
    for d in listing {
        let expected = Some(&d.operands)
            .filter(|_| d.mnemonic == "and")
            .and_then(|ops| ops.rsplit('#').next())
            .and_then(|imm| u64::from_str_radix(imm.trim().trim_start_matches("0x"), 16).ok());
        let w = d.word;
        let got =
            crate::aarch64::dp_imm::decode_bit_masks(w >> 22 & 1, w >> 10 & 63, w >> 16 & 63, 64);
        assert_eq!(got, expected, "{w:#010x}: {}", d.line);
    }
}

/// Random words matching each row of these classes translate to verified IR and run.
#[test]
fn random_words_of_every_row_translate_and_run() {
    let mut state = 0x2545_f491_4f6c_dd1d;
    let mut mem = vec![0u8; MEM_SIZE];
    for word in random_words(&CLASSES, 1000, 0x9e37_79b9_7f4a_7c15) {
        let fetch = BufferFetch::new(CODE_BASE, word.to_le_bytes().to_vec());
        let translator = A64Translator::with_max_insns(Arc::new(fetch), 1);
        let mut cpu = Box::new(A64Cpu::new());
        test_support::attach(&mut *cpu, &mut mem);
        cpu.x = std::array::from_fn(|_| xorshift(&mut state));
        // SAFETY: the CPU's memory window is `mem` (addresses masked to its size), which
        // outlives the call.
        unsafe { test_support::run_block(&translator, &mut *cpu, CODE_BASE) };
    }
}

/// The instruction classes these tests cover.
const CLASSES: [&[crate::aarch64::insn::Entry]; 4] = [
    crate::aarch64::dp_imm::TABLE,
    crate::aarch64::dp_reg::TABLE,
    crate::aarch64::branch::TABLE,
    crate::aarch64::system::TABLE,
];

/// Mnemonics of extensions these classes leave undefined (not advertised in `AT_HWCAP`, and
/// absent from QEMU 7.2): CSSC, MTE, FlagM and pointer authentication.
const NOT_IMPLEMENTED: &[&str] = &[
    "abs", "cnt", "ctz", "smax", "smin", "umax", "umin", "addg", "subg", "irg", "gmi", "subp",
    "subps", "cmpp", "rmif", "setf8", "setf16", "pacga",
];

/// Random words of every data-processing and branch row are undefined exactly when objdump
/// says so (apart from [`NOT_IMPLEMENTED`] and the `pac*`/`aut*`/`xpac*` families).
#[test]
fn allocation_matches_objdump() {
    let words = random_words(&CLASSES[..3], 300, 0x0123_4567_89ab_cdef);
    let Some(listing) = objdump(&words) else {
        return;
    };
    let mut checked = 0;
    for d in listing {
        let m = d.mnemonic.as_str();
        if NOT_IMPLEMENTED.contains(&m) || ["pac", "aut", "xpac"].iter().any(|p| m.starts_with(p)) {
            continue;
        }
        let undefined = m.starts_with(".inst") || d.line.contains("undefined");
        let fetch = BufferFetch::new(CODE_BASE, d.word.to_le_bytes().to_vec());
        let block = A64Translator::with_max_insns(Arc::new(fetch), 1).translate(CODE_BASE, 0);
        let illegal = block.terminal
            == emu_ir::Terminal::Exit {
                reason: ExitReason::IllegalInsn,
                pc: CODE_BASE,
            };
        assert_eq!(illegal, undefined, "{:#010x}: {}", d.word, d.line);
        checked += 1;
    }
    assert!(checked > words.len() / 2);
}
