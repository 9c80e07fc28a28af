//! Alignment of legacy-SSE 16-byte memory operands. Aligned operands, and the forms that may
//! be misaligned (unaligned moves, scalar and 64-bit operands, PCMPxSTRx, MMX), run natively
//! and emulated and must agree. A misaligned operand that must be aligned raises #GP, which
//! kills the native test process (SIGSEGV), so those run emulated only: they must exit with
//! `Exception(EXC_GP)` at the instruction, registers and memory untouched. The guest program
//! `testsuite/guest-x86_64/sse_align.c` compares the signal against the native run.

use emu_ir::ExitReason;

use super::harness::{assemble, check_all, emulate, random_state, End, Rng, CODE_BASE};
use crate::x86_64::EXC_GP;

/// Forms that require alignment, with an aligned and a misaligned operand (`{}`: the
/// displacement from RSI or RDI).
const ALIGNED: [&str; 24] = [
    "movdqa xmm0, [rsi+{}]",
    "movdqa [rdi+{}], xmm1",
    "movaps xmm2, [rsi+{}]",
    "movaps [rdi+{}], xmm3",
    "movapd xmm4, [rsi+{}]",
    "movapd [rdi+{}], xmm5",
    "movntdq [rdi+{}], xmm6",
    "movntps [rdi+{}], xmm7",
    "movntpd [rdi+{}], xmm8",
    "movntdqa xmm9, [rsi+{}]",
    "paddd xmm0, [rsi+{}]",
    "addps xmm1, [rsi+{}]",
    "mulpd xmm2, [rsi+{}]",
    "pxor xmm3, [rsi+{}]",
    "andps xmm4, [rsi+{}]",
    "punpcklbw xmm5, [rsi+{}]",
    "pshufd xmm6, [rsi+{}], 0x1b",
    "pshufb xmm7, [rsi+{}]",
    "ptest xmm8, [rsi+{}]",
    "pmulld xmm9, [rsi+{}]",
    "roundps xmm10, [rsi+{}], 1",
    "cvtdq2ps xmm11, [rsi+{}]",
    "cvtpd2pi mm0, [rsi+{}]\nemms",
    "pcmpeqq xmm12, [rsi+{}]",
];

fn with_disp(form: &str, disp: u32) -> String {
    form.replace("{}", &disp.to_string())
}

#[test]
fn aligned_operands_agree() {
    let srcs: Vec<String> = ALIGNED
        .iter()
        .flat_map(|f| [with_disp(f, 0), with_disp(f, 16)])
        .collect();
    let refs: Vec<&str> = srcs.iter().map(String::as_str).collect();
    check_all(&refs, 0, 10);
}

#[test]
fn misaligned_operands_raise_gp() {
    let mut words = vec![0u128; 16];
    let base = words.as_mut_ptr() as u64;
    let mut rng = Rng::new(0xa119);
    for form in ALIGNED {
        for disp in [1, 4, 8, 15] {
            let src = with_disp(form, disp);
            let Some(code) = assemble(&src) else {
                return;
            };
            let mut state = random_state(&mut rng);
            state.regs[6] = base + 64;
            state.regs[7] = base + 128;
            let before = (state.clone(), words.clone());
            let end = emulate(&code, &mut state, 64);
            assert_eq!(
                end,
                End::Exit(ExitReason::Exception(EXC_GP), CODE_BASE),
                "{src}"
            );
            assert_eq!((state, words.clone()), before, "{src}: state changed");
        }
    }
}

#[test]
fn misaligned_operands_allowed() {
    check_all(
        &[
            "movdqu xmm0, [rsi+1]",
            "movdqu [rdi+3], xmm1",
            "movups xmm2, [rsi+5]",
            "movups [rdi+7], xmm3",
            "movupd xmm4, [rsi+9]",
            "lddqu xmm5, [rsi+2]",
            "addss xmm6, [rsi+1]",
            "addsd xmm7, [rsi+3]",
            "movq xmm8, [rsi+1]",
            "movhps xmm9, [rsi+3]",
            "movsd [rdi+5], xmm10",
            "cvtps2pd xmm11, [rsi+4]",
            "pmovzxbw xmm12, [rsi+1]",
            "pcmpistri xmm13, [rsi+1], 0x0c",
            "pcmpestri xmm14, [rsi+3], 0x08",
            "cvtpi2ps xmm15, [rsi+4]",
            "pxor mm0, mm0\npaddb mm0, [rsi+1]\nmovq2dq xmm0, mm0\nemms",
            "cvtps2pi mm1, [rsi+4]\nmovq2dq xmm1, mm1\nemms",
        ],
        0,
        10,
    );
}
