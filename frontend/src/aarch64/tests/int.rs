//! Execution tests of the integer, branch and system instructions: snippets assembled with the
//! GNU aarch64 assembler (skipped when it is missing) and run through the translator and the
//! IR interpreter; expected values are worked out from the Arm ARM pseudocode. Also an
//! exhaustive check of the logical-immediate decoder against objdump.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use emu_ir::interp::{interpret, BlockExit};
use emu_ir::{ExitReason, Translator};

use crate::aarch64::{A64Cpu, A64Translator};
use crate::BufferFetch;

/// Guest address the test code is placed at.
const CODE_BASE: u64 = 0x1_0000;
/// Size of the test data memory (addresses wrap modulo this).
const MEM_SIZE: usize = 0x1_0000;

/// A unique scratch path stem in the temporary directory.
fn scratch(kind: &str) -> impl Fn(&str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let stem = format!("emu-a64-{kind}-{}-{n}", std::process::id());
    move |ext| std::env::temp_dir().join(format!("{stem}.{ext}"))
}

/// Assemble `src` linked at [`CODE_BASE`]; the `.text` bytes, or `None` without a toolchain.
fn assemble(src: &str) -> Option<Vec<u8>> {
    let path = scratch("as");
    std::fs::write(path("s"), format!("{src}\n")).ok()?;
    let Ok(status) = Command::new("aarch64-linux-gnu-as")
        .args(["-march=armv8.2-a+crc", "-o"])
        .arg(path("o"))
        .arg(path("s"))
        .status()
    else {
        eprintln!("aarch64-linux-gnu-as not available: skipping");
        return None;
    };
    assert!(status.success(), "assembler rejected:\n{src}");
    let link = Command::new("aarch64-linux-gnu-ld")
        .arg(format!("-Ttext={CODE_BASE:#x}"))
        .args(["-e", "0", "-o"])
        .arg(path("elf"))
        .arg(path("o"))
        .status()
        .ok()?;
    assert!(link.success(), "linker rejected:\n{src}");
    let copy = Command::new("aarch64-linux-gnu-objcopy")
        .args(["-O", "binary", "-j", ".text"])
        .arg(path("elf"))
        .arg(path("bin"))
        .status()
        .ok()?;
    assert!(copy.success());
    let bytes = std::fs::read(path("bin")).ok()?;
    for ext in ["s", "o", "elf", "bin"] {
        let _ = std::fs::remove_file(path(ext));
    }
    Some(bytes)
}

/// One line of objdump's disassembly: the word, the mnemonic (`.inst` for words objdump does
/// not know) and the operands.
struct Disassembled {
    word: u32,
    mnemonic: String,
    operands: String,
    line: String,
}

/// Disassemble `words` with GNU objdump; `None` without a toolchain.
fn objdump(words: &[u32]) -> Option<Vec<Disassembled>> {
    let path = scratch("dis");
    let src: String = words.iter().map(|w| format!(".inst {w:#x}\n")).collect();
    std::fs::write(path("s"), src).ok()?;
    let status = Command::new("aarch64-linux-gnu-as")
        .arg("-o")
        .arg(path("o"))
        .arg(path("s"))
        .status()
        .ok()?;
    assert!(status.success());
    let out = Command::new("aarch64-linux-gnu-objdump")
        .arg("-d")
        .arg(path("o"))
        .output()
        .ok()?;
    let _ = std::fs::remove_file(path("s"));
    let _ = std::fs::remove_file(path("o"));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut result = Vec::new();
    for line in text.lines() {
        // "   0:\t92400000 \tand\tx0, x0, #0x1"
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 3 || !fields[0].trim_end().ends_with(':') {
            continue;
        }
        let Ok(word) = u32::from_str_radix(fields[1].trim(), 16) else {
            continue;
        };
        result.push(Disassembled {
            word,
            mnemonic: fields[2].trim().to_string(),
            operands: fields.get(3).map_or("", |o| o.trim()).to_string(),
            line: line.to_string(),
        });
    }
    assert_eq!(result.len(), words.len(), "objdump output not understood");
    Some(result)
}

/// A deterministic xorshift generator of 32-bit words.
fn xorshift(seed: u64) -> impl FnMut() -> u32 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as u32
    }
}

/// Random words matching the rows of `tables`, `per_row` each.
fn random_words(tables: &[&[crate::aarch64::insn::Entry]], per_row: usize, seed: u64) -> Vec<u32> {
    let mut next = xorshift(seed);
    let mut words = Vec::new();
    for e in tables.iter().flat_map(|t| t.iter()) {
        for _ in 0..per_row {
            words.push(e.bits | next() & !e.mask);
        }
    }
    words
}

/// The result of running a snippet.
struct Run {
    cpu: Box<A64Cpu>,
    exit: ExitReason,
    mem: Vec<u8>,
}

impl Run {
    fn x(&self, r: usize) -> u64 {
        self.cpu.x[r]
    }
}

/// Run machine code from `CODE_BASE` until it leaves the execution loop, checking every block
/// with the IR verifier.
fn run_code(code: Vec<u8>, setup: impl FnOnce(&mut A64Cpu)) -> Run {
    let translator = A64Translator::new(Arc::new(BufferFetch::new(CODE_BASE, code)));
    let mut mem = vec![0u8; MEM_SIZE];
    let mut cpu = Box::new(A64Cpu::new());
    cpu.header.mem_base = mem.as_mut_ptr() as u64;
    cpu.header.mem_mask = (MEM_SIZE - 1) as u64;
    setup(&mut cpu);
    let mut pc = CODE_BASE;
    for _ in 0..100_000 {
        let block = translator.translate(pc, 0);
        if let Err(e) = emu_ir::verify::verify(&block) {
            panic!("block at {pc:#x} does not verify: {e:?}\n{block:?}");
        }
        let env = (&mut *cpu as *mut A64Cpu).cast::<u8>();
        // SAFETY: `env` is a live A64Cpu whose memory window is `mem` (addresses masked to its
        // size), which outlives the call.
        let exit = unsafe { interpret(&block, env) };
        match exit {
            BlockExit::Goto(next) | BlockExit::Indirect(next) => pc = next,
            BlockExit::Exit(reason) => {
                return Run {
                    cpu,
                    exit: reason,
                    mem,
                }
            }
        }
    }
    panic!("test code did not stop");
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
    let mut next = xorshift(0x2545_f491_4f6c_dd1d);
    let mut mem = vec![0u8; MEM_SIZE];
    for word in random_words(&CLASSES, 1000, 0x9e37_79b9_7f4a_7c15) {
        let fetch = BufferFetch::new(CODE_BASE, word.to_le_bytes().to_vec());
        let translator = A64Translator::with_max_insns(Arc::new(fetch), 1);
        let block = translator.translate(CODE_BASE, 0);
        if let Err(err) = emu_ir::verify::verify(&block) {
            panic!("{word:#010x}: {err:?}");
        }
        let mut cpu = Box::new(A64Cpu::new());
        cpu.header.mem_base = mem.as_mut_ptr() as u64;
        cpu.header.mem_mask = (MEM_SIZE - 1) as u64;
        cpu.x = std::array::from_fn(|_| u64::from(next()) << 32 | u64::from(next()));
        let env = (&mut *cpu as *mut A64Cpu).cast::<u8>();
        // SAFETY: `env` is a live A64Cpu whose memory window is `mem` (addresses masked to its
        // size), which outlives the call.
        unsafe { interpret(&block, env) };
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
