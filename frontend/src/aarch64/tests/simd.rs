//! Execution tests of the Advanced SIMD integer class against vectors recorded on
//! qemu-aarch64: each line of `simd_vectors.txt` is `word set hi lo x0 qc asm`: the
//! instruction `word` run with operand set `set` (V0 = D, V1 = A, V2 = B, V3 = IDX,
//! V20..V23 = A, B, IDX, !A; X1 = X; X0 = 0; FPSR = 0) leaves V0 = hi:lo, X0 = x0 and
//! FPSR.QC = qc. The instruction is translated alone and run through the IR interpreter.
//!
//! `EMU_A64_SIMD_VECTORS=path` checks a further vector file of the same format.

use std::sync::Arc;

use emu_ir::interp::{interpret, BlockExit};
use emu_ir::Translator;

use crate::aarch64::{A64Cpu, A64Translator};
use crate::BufferFetch;

const A: [[u64; 2]; 4] = [
    [0x80007fff0001ffff, 0x0123456789abcdef],
    [0x7f80ff0180000000, 0xffffffff80000001],
    [0xdeadbeefcafebabe, 0x0f1e2d3c4b5a6978],
    [0x8080808080808080, 0x7f7f7f7f7f7f7f7f],
];
const B: [[u64; 2]; 4] = [
    [0x0102030405060708, 0xf9fafbfcfdfeff00],
    [0x7fff80007fffffff, 0x8000000000000000],
    [0x40c03f0120e0c1ff, 0xfedcba9876543210],
    [0x8080808080808080, 0x0000000000000041],
];
const D: [[u64; 2]; 4] = [
    [0x1111111111111111, 0x2222222222222222],
    [0x7fffffff7fffffff, 0x8000000080000000],
    [0xffffffffffffffff, 0x0000000000000000],
    [0x00ff00ff00ff00ff, 0x5555aaaa5555aaaa],
];
const IDX: [[u64; 2]; 4] = [
    [0x0706050403020100, 0x0f0e0d0c0b0a0908],
    [0x3f30201f100f0001, 0xff40413e2f2e1f1e],
    [0x0010203040506070, 0x01112131415161ff],
    [0x3c3d3e3f2c2d2e2f, 0x8090a0b0c0d0e0f0],
];
const X: [u64; 4] = [
    0x0123456789abcdef,
    0xffffffff80000000,
    0x7f,
    0xfedcba9876543210,
];

const CODE_BASE: u64 = 0x1000;

/// Run `word` alone on operand set `k`; returns (V0, X0, FPSR), or why it did not run.
fn run_one(word: u32, k: usize) -> Result<([u64; 2], u64, u64), String> {
    let fetch = BufferFetch::new(CODE_BASE, word.to_le_bytes().to_vec());
    let translator = A64Translator::with_max_insns(Arc::new(fetch), 1);
    let mut cpu = Box::new(A64Cpu::new());
    cpu.v[0] = D[k];
    cpu.v[1] = A[k];
    cpu.v[2] = B[k];
    cpu.v[3] = IDX[k];
    cpu.v[20] = A[k];
    cpu.v[21] = B[k];
    cpu.v[22] = IDX[k];
    cpu.v[23] = [!A[k][0], !A[k][1]];
    cpu.x[1] = X[k];
    let block = translator.translate(CODE_BASE, 0);
    if let Err(e) = emu_ir::verify::verify(&block) {
        panic!("{word:08x}: block does not verify: {e:?}");
    }
    let env = (&mut *cpu as *mut A64Cpu).cast::<u8>();
    // SAFETY: `env` points at a live, exclusively owned `A64Cpu`; the block touches no
    // guest memory (register-only instructions).
    let exit = unsafe { interpret(&block, env) };
    if !matches!(exit, BlockExit::Goto(pc) if pc == CODE_BASE + 4) {
        let row = crate::aarch64::decode::decode(word);
        return Err(format!("exit {exit:?} (decoded as {row:?})"));
    }
    Ok((cpu.v[0], cpu.x[0], cpu.fpsr))
}

/// Check every line of a vector file; returns the mismatches.
fn check(vectors: &str) -> Vec<String> {
    let mut bad = Vec::new();
    for line in vectors.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.splitn(7, ' ').collect();
        let hex = |i: usize| u64::from_str_radix(f[i], 16).expect("bad vector line");
        let (word, k) = (hex(0) as u32, hex(1) as usize);
        let want = ([hex(3), hex(2)], hex(4), hex(5));
        let (v, x, fpsr) = match run_one(word, k) {
            Ok(r) => r,
            Err(e) => {
                bad.push(format!("{line}: {e}"));
                continue;
            }
        };
        let got = (v, x, fpsr >> 27 & 1);
        if got != want {
            bad.push(format!(
                "{}: got {:016x}{:016x} x0={:x} qc={} want {:016x}{:016x} x0={:x} qc={}",
                line, got.0[1], got.0[0], got.1, got.2, want.0[1], want.0[0], want.1, want.2
            ));
        }
    }
    bad
}

#[test]
fn simd_integer_matches_qemu_vectors() {
    let mut bad = check(include_str!("simd_vectors.txt"));
    if let Ok(path) = std::env::var("EMU_A64_SIMD_VECTORS") {
        let text = std::fs::read_to_string(&path).expect("EMU_A64_SIMD_VECTORS unreadable");
        bad.extend(check(&text));
    }
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
