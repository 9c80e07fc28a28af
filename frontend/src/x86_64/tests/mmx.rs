//! MMX against the host CPU. The harness's state has no MM registers, so each snippet loads
//! the ones it reads from XMM registers (MOVDQ2Q), stores its result back (MOVQ2DQ) and ends
//! with EMMS, leaving the native x87 state clean. The aliasing of the MM registers with the
//! x87 registers is observed with FNSTENV/FNSAVE after a prelude that gives all eight x87
//! registers known contents (+0), so the native run's stale registers do not show.

use super::harness::{check_all, Case, Rng, State};
use super::sse::float_state;

const RUNS: usize = 40;

/// `body` with MM0–MM3 loaded from XMM0–XMM3, then MM0 and MM1 stored to XMM0 and XMM1.
fn wrapped(body: &str) -> String {
    let load: String = (0..4).map(|i| format!("movdq2q mm{i}, xmm{i}\n")).collect();
    format!("{load}{body}\nmovq2dq xmm0, mm0\nmovq2dq xmm1, mm1\nemms")
}

fn check(bodies: &[String], n: usize) {
    let srcs: Vec<String> = bodies.iter().map(|b| wrapped(b)).collect();
    let refs: Vec<&str> = srcs.iter().map(String::as_str).collect();
    check_all(&refs, 0, n);
}

/// `OP mm0, mm1` and `OP mm1, [rsi]` (with `tail` appended: an immediate operand).
fn reg_and_mem(ops: &[&str], tail: &str) -> Vec<String> {
    ops.iter()
        .flat_map(|op| {
            [
                format!("{op} mm0, mm1{tail}"),
                format!("{op} mm1, [rsi+8]{tail}"),
                format!("{op} mm0, mm0{tail}"),
            ]
        })
        .collect()
}

#[test]
fn mmx_moves() {
    let bodies = [
        "movd mm0, eax",
        "movq mm1, rbx",
        "movd ecx, mm2",
        "movq rdx, mm3",
        "movq mm0, mm2",
        "movd mm1, [rsi+4]",
        "movq mm0, [rsi+3]",
        "movq [rdi+1], mm2",
        "movd [rdi+4], mm3",
        "movntq [rdi+8], mm1",
        "movq2dq xmm5, mm3",
        "movdq2q mm1, xmm9",
        "movd mm0, eax\nmovd r8d, mm0",
    ];
    check(&bodies.map(String::from), RUNS);
}

#[test]
fn mmx_integer_lanes() {
    let ops = [
        "paddb",
        "paddw",
        "paddd",
        "paddq",
        "psubb",
        "psubw",
        "psubd",
        "psubq",
        "paddsb",
        "paddsw",
        "psubsb",
        "psubsw",
        "paddusb",
        "paddusw",
        "psubusb",
        "psubusw",
        "pcmpeqb",
        "pcmpeqw",
        "pcmpeqd",
        "pcmpgtb",
        "pcmpgtw",
        "pcmpgtd",
        "pmullw",
        "pmulhw",
        "pmulhuw",
        "pmuludq",
        "pmaddwd",
        "pand",
        "pandn",
        "por",
        "pxor",
        "punpcklbw",
        "punpcklwd",
        "punpckldq",
        "punpckhbw",
        "punpckhwd",
        "punpckhdq",
        "packsswb",
        "packssdw",
        "packuswb",
        "pavgb",
        "pavgw",
        "pminub",
        "pmaxub",
        "pminsw",
        "pmaxsw",
        "psadbw",
    ];
    check(&reg_and_mem(&ops, ""), RUNS);
}

#[test]
fn mmx_ssse3() {
    let mut bodies = reg_and_mem(&super::sse4::SSSE3_OPS, "");
    for imm in [0, 1, 3, 7, 8, 9, 15, 16, 200] {
        bodies.extend(reg_and_mem(&["palignr"], &format!(", {imm}")));
    }
    check(&bodies, RUNS);
}

#[test]
fn mmx_shifts() {
    let ops = [
        "psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad",
    ];
    let mut bodies = Vec::new();
    for op in ops {
        for imm in [0, 1, 7, 15, 16, 31, 32, 63, 64, 255] {
            bodies.push(format!("{op} mm0, {imm}"));
        }
        bodies.push(format!("{op} mm0, mm1"));
        bodies.push(format!("mov [rsi], rcx\n{op} mm1, [rsi]"));
    }
    let srcs: Vec<String> = bodies.iter().map(|b| wrapped(b)).collect();
    for (i, src) in srcs.iter().enumerate() {
        let Some(case) = Case::new(src) else {
            return;
        };
        // Counts are mostly in range: below 80, in XMM1's low half and RCX.
        case.check_random(0x3300 + i as u64, RUNS, |s: &mut State, rng: &mut Rng| {
            s.xmm[1][0] = rng.next() % 80;
            s.regs[1] = rng.next() % 80;
        });
    }
}

#[test]
fn mmx_general_register_lanes() {
    let mut bodies = Vec::new();
    for imm in [0, 1, 2, 3, 5, 0x1b, 0xe4, 0xff] {
        bodies.push(format!("pshufw mm0, mm1, {imm}"));
        bodies.push(format!("pshufw mm1, [rsi], {imm}"));
        bodies.push(format!("pinsrw mm0, eax, {imm}"));
        bodies.push(format!("pinsrw mm1, word ptr [rsi+2], {imm}"));
        bodies.push(format!("pextrw ecx, mm2, {imm}"));
        bodies.push(format!("pextrw r9, mm3, {imm}"));
    }
    bodies.push("pmovmskb eax, mm2".into());
    bodies.push("pmovmskb r10, mm3".into());
    bodies.push("maskmovq mm2, mm3".into());
    bodies.push("movq mm0, [rsi]\nmaskmovq mm0, mm0".into());
    check(&bodies, RUNS);
    check_all(&["maskmovdqu xmm2, xmm3", "maskmovdqu xmm4, xmm4"], 0, RUNS);
}

/// MMX/XMM conversions, with MXCSR set to the default and a random rounding mode from RAX,
/// then stored (flags included) to memory and restored.
#[test]
fn mmx_conversions() {
    let bodies = [
        "cvtpi2ps xmm4, mm1",
        "cvtpi2ps xmm5, [rsi]",
        "cvtpi2pd xmm4, mm2",
        "cvtpi2pd xmm5, [rsi+8]",
        "cvtps2pi mm0, xmm6",
        "cvtps2pi mm1, [rsi]",
        "cvttps2pi mm0, xmm7",
        "cvttps2pi mm1, [rsi+8]",
        "cvtpd2pi mm0, xmm8",
        "cvtpd2pi mm1, [rsi]",
        "cvttpd2pi mm0, xmm9",
        "cvttpd2pi mm1, [rsi+16]",
    ];
    for (i, body) in bodies.iter().enumerate() {
        let src = wrapped(&format!(
            "and eax, 0x6000\nor eax, 0x1f80\nmov [rdi+64], eax\nldmxcsr [rdi+64]\n{body}\n\
             stmxcsr [rdi+68]\nmov dword ptr [rdi+64], 0x1f80\nldmxcsr [rdi+64]"
        ));
        let Some(case) = Case::new(&src) else {
            return;
        };
        case.check_random(0x4400 + i as u64, 200, float_state);
    }
}

/// Gives all eight x87 registers the contents +0 and leaves the x87 initialized.
fn known_x87() -> String {
    format!("fninit\n{}fninit\n", "fldz\n".repeat(8))
}

/// MOVQ MMi, R for each of the eight registers (from eight general registers).
fn fill_all_mm() -> String {
    ["rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11"]
        .iter()
        .enumerate()
        .map(|(i, r)| format!("movq mm{i}, {r}\n"))
        .collect()
}

/// The aliasing rules: MMi is physical register i's significand; MMX writes set the exponent
/// word to 0xffff; any MMX instruction sets TOP to 0 and all tags valid; EMMS empties them.
/// FNSTENV/FNSAVE store the environment (the FIP at offset 12 zeroed: the code addresses
/// differ) and the registers.
#[test]
fn mmx_aliases_x87_registers() {
    let env = "fnstenv [rdi]\nmov dword ptr [rdi+12], 0\nfldenv [rdi]";
    let save = "fnsave [rdi]\nmov dword ptr [rdi+12], 0";
    let fill = fill_all_mm();
    let bodies = [
        format!("movq mm0, rax\n{env}"),
        format!("fld1\nfld1\nfld1\nmovd mm2, eax\n{env}"),
        format!("fld1\nfld tbyte ptr [rsi]\nmovd ecx, mm5\n{env}"),
        format!("fld1\nmovq rax, mm7\nmovq rbx, mm0\n{env}"),
        "fld tbyte ptr [rsi]\nfld tbyte ptr [rsi+16]\nmovq rax, mm7\nmovq rbx, mm6".to_string(),
        format!("movq mm3, rbx\nemms\n{env}"),
        format!("fld1\nemms\n{env}"),
        format!("movq mm0, rax\n{save}"),
        format!("{fill}{save}"),
        format!("{fill}emms\n{save}"),
        format!("fld1\nfld1\n{fill}paddb mm1, mm2\npshufb mm3, mm4\n{save}"),
        "movq mm1, rax\nfld1\nfnstsw ax\nfstp tbyte ptr [rdi]".to_string(),
        "movq mm1, rax\nemms\nfld1\nfld tbyte ptr [rsi]\nfaddp\nfstp tbyte ptr [rdi]".to_string(),
        format!("{fill}emms\nfld tbyte ptr [rsi]\nfstp tbyte ptr [rdi]\n{save}"),
        format!("fld1\nfld1\ncvtpi2ps xmm0, [rsi]\n{env}"),
        format!("fld1\nfld1\ncvtpi2pd xmm0, [rsi]\n{env}"),
        format!("fld1\nfld1\ncvtpi2ps xmm0, mm3\n{env}"),
        format!("fld1\nfld1\ncvtps2pi mm3, xmm1\n{env}"),
        format!("fld1\nfld1\nmovq2dq xmm0, mm3\n{env}"),
        format!("fld1\nfld1\nmovdq2q mm4, xmm0\n{save}"),
        format!("fld1\nmovq [rdi+100], mm1\n{env}"),
    ];
    let srcs: Vec<String> = bodies
        .iter()
        .map(|b| format!("{}{b}\nfninit", known_x87()))
        .collect();
    let refs: Vec<&str> = srcs.iter().map(String::as_str).collect();
    check_all(&refs, 0, 10);
}
