//! SSE/SSE2 instructions against the host CPU.

use super::harness::{check_all, Case, Rng, State};
use crate::x86_64::flags::{AF, OF, SF};

const RUNS: usize = 40;

#[test]
fn moves() {
    check_all(
        &[
            "movd xmm0, eax",
            "movq xmm1, rbx",
            "movd ecx, xmm2",
            "movq rdx, xmm3",
            "movq xmm4, xmm5",
            "movd xmm6, [rsi]",
            "movq xmm7, [rsi+8]",
            "movq [rdi], xmm8",
            "movd [rdi+4], xmm9",
            "movdqa xmm0, xmm1",
            "movdqu xmm2, [rsi+3]",
            "movdqa xmm3, [rsi]",
            "movdqu [rdi+1], xmm4",
            "movaps [rdi], xmm5",
            "movups xmm6, [rsi+5]",
            "movapd xmm7, xmm8",
            "movsd xmm0, xmm1",
            "movsd xmm2, [rsi]",
            "movsd [rdi], xmm3",
            "movss xmm4, xmm5",
            "movss xmm6, [rsi+4]",
            "movss [rdi+8], xmm7",
            "movlpd xmm8, [rsi]",
            "movhpd xmm9, [rsi+8]",
            "movlps [rdi], xmm10",
            "movhps [rdi+8], xmm11",
            "movhlps xmm12, xmm13",
            "movlhps xmm14, xmm15",
            "movntdq [rdi], xmm0",
        ],
        0,
        RUNS,
    );
}

#[test]
fn integer_lanes() {
    check_all(
        &[
            "pxor xmm0, xmm1",
            "pxor xmm2, xmm2",
            "por xmm3, [rsi]",
            "pand xmm4, xmm5",
            "pandn xmm6, xmm7",
            "xorps xmm8, xmm9",
            "andpd xmm10, xmm11",
            "andnps xmm12, xmm13",
            "orpd xmm14, xmm15",
            "pcmpeqb xmm0, xmm1",
            "pcmpeqw xmm2, [rsi]",
            "pcmpeqd xmm3, xmm4",
            "pcmpgtb xmm5, xmm6",
            "pcmpgtw xmm7, xmm8",
            "pcmpgtd xmm9, xmm10",
            "pminub xmm0, xmm1",
            "pmaxub xmm2, xmm3",
            "pminsw xmm4, xmm5",
            "pmaxsw xmm6, xmm7",
            "paddb xmm0, xmm1",
            "paddw xmm2, xmm3",
            "paddd xmm4, xmm5",
            "paddq xmm6, xmm7",
            "psubb xmm0, xmm1",
            "psubw xmm2, xmm3",
            "psubd xmm4, [rsi]",
            "psubq xmm6, xmm7",
            "paddusb xmm0, xmm1",
            "paddusw xmm2, xmm3",
            "psubusb xmm4, xmm5",
            "psubusw xmm6, xmm7",
            "pavgb xmm0, xmm1",
            "pavgw xmm2, xmm3",
            "pmullw xmm4, xmm5",
            "pmulhw xmm6, xmm7",
            "pmulhuw xmm8, xmm9",
            "pmuludq xmm10, xmm11",
            "psadbw xmm12, xmm13",
            "punpcklbw xmm0, xmm1",
            "punpcklwd xmm2, xmm3",
            "punpckldq xmm4, xmm5",
            "punpcklqdq xmm6, xmm7",
            "punpckhbw xmm8, xmm9",
            "punpckhwd xmm10, xmm11",
            "punpckhdq xmm12, xmm13",
            "punpckhqdq xmm14, [rsi]",
            "unpcklps xmm0, xmm1",
            "unpckhpd xmm2, xmm3",
            "packsswb xmm0, xmm1",
            "packuswb xmm2, xmm3",
            "packssdw xmm4, xmm5",
            "pshufd xmm0, xmm1, 0x1b",
            "pshufd xmm2, [rsi], 0",
            "pshuflw xmm3, xmm4, 0xb1",
            "pshufhw xmm5, xmm6, 0x4e",
            "shufps xmm7, xmm8, 0x93",
            "shufpd xmm9, xmm10, 2",
            "pslldq xmm0, 3",
            "psrldq xmm1, 13",
            "psrldq xmm2, 20",
            "psllw xmm3, 3",
            "pslld xmm4, 31",
            "psllq xmm5, 40",
            "psrlw xmm6, 15",
            "psrld xmm7, 1",
            "psrlq xmm8, 63",
            "psraw xmm9, 4",
            "psrad xmm10, 33",
            "psllq xmm11, xmm12",
            "psllw xmm3, 16",
            "pslld xmm4, 32",
            "psrlq xmm5, 64",
            "psrlw xmm6, 0",
            "pslld xmm7, 7",
            "psrld xmm8, 25",
            "psllq xmm9, 1",
            "paddw xmm1, xmm1",
            "psubd xmm3, xmm3",
            "psubw xmm4, [rsi]",
            "paddb xmm5, [rsi]",
            "pshufd xmm1, xmm1, 0xe1",
            "pshufd xmm6, xmm7, 0xff",
            "punpckldq xmm8, [rsi]",
            "punpckhdq xmm9, xmm9",
            "punpcklqdq xmm10, xmm10",
            "pcmpeqb xmm0, xmm0",
            "pcmpeqd xmm3, xmm3",
            "pcmpeqw xmm4, [rsi]",
            "pcmpeqb xmm1, xmm2\npmovmskb eax, xmm1",
            "pxor xmm5, xmm5\npcmpeqb xmm5, xmm6\npmovmskb r9d, xmm5",
            "pmovmskb rdx, xmm7",
            "pmovmskb eax, xmm0",
            "pmovmskb ecx, xmm15",
            "movmskps edx, xmm1",
            "movmskpd r8d, xmm2",
            "pextrw eax, xmm3, 5",
            "pinsrw xmm4, ecx, 2",
            "pinsrw xmm5, word ptr [rsi], 7",
        ],
        0,
        RUNS,
    );
}

/// Doubles and floats worth testing: signed zeros, infinities, NaNs, denormals, and values.
fn float_bits(rng: &mut Rng) -> u64 {
    const D: [u64; 12] = [
        0,
        0x8000_0000_0000_0000,
        0x7ff0_0000_0000_0000,
        0xfff0_0000_0000_0000,
        0x7ff8_0000_0000_0001,
        0x7ff0_0000_0000_0001,
        0x0000_0000_0000_0001,
        0x3ff0_0000_0000_0000,
        0x4340_0000_0000_0000,
        0xc3e0_0000_0000_0000,
        0x43e0_0000_0000_0000,
        0x3fe0_0000_0000_0000,
    ];
    const S: [u32; 8] = [
        0,
        0x8000_0000,
        0x7f80_0000,
        0x7fc0_0001,
        0x7f80_0001,
        0x3f80_0000,
        0x4f00_0000,
        0xcf00_0000,
    ];
    let r = rng.next();
    let hi = rng.next() & 0xffff_ffff_0000_0000;
    match r % 6 {
        0 => D[(r >> 8) as usize % D.len()],
        1 => hi | u64::from(S[(r >> 8) as usize % S.len()]),
        2 => (rng.next() >> 2) | 0x3000_0000_0000_0000,
        3 => hi | u64::from(rng.next() as u32 >> 2 | 0x3000_0000),
        _ => rng.next(),
    }
}

pub(super) fn float_state(s: &mut State, rng: &mut Rng) {
    for x in s.xmm.iter_mut() {
        *x = [float_bits(rng), float_bits(rng)];
    }
    for r in [0, 1, 2, 3] {
        if rng.next().is_multiple_of(2) {
            s.regs[r] = float_bits(rng);
        }
    }
}

fn check_float(srcs: &[&str], undefined: u64) {
    for (i, src) in srcs.iter().enumerate() {
        let Some(case) = Case::new(src) else {
            return;
        };
        case.undefined(undefined)
            .check_random(0x99 + i as u64, 200, float_state);
    }
}

#[test]
fn floating_point() {
    let mut srcs = Vec::new();
    for op in ["add", "sub", "mul", "div", "min", "max", "sqrt"] {
        for shape in ["sd", "ss", "pd", "ps"] {
            srcs.push(format!("{op}{shape} xmm0, xmm1"));
        }
        srcs.push(format!("{op}sd xmm2, [rsi]"));
    }
    srcs.extend(
        [
            "cvtsi2sd xmm0, rax",
            "cvtsi2sd xmm1, ecx",
            "cvtsi2ss xmm2, rdx",
            "cvtsi2ss xmm3, ebx",
            "cvttsd2si rax, xmm0",
            "cvttsd2si ecx, xmm1",
            "cvtsd2si rdx, xmm2",
            "cvttss2si rbx, xmm3",
            "cvttss2si eax, xmm4",
            "cvtss2si rcx, xmm5",
            "cvtss2sd xmm0, xmm1",
            "cvtsd2ss xmm2, xmm3",
            "cvtdq2pd xmm4, xmm5",
            "cvtdq2ps xmm6, xmm7",
            "cvttps2dq xmm8, xmm9",
            "cvtps2pd xmm10, xmm11",
            "cvtpd2ps xmm12, xmm13",
            "cvtsi2sd xmm4, qword ptr [rsi]",
        ]
        .map(String::from),
    );
    let refs: Vec<&str> = srcs.iter().map(String::as_str).collect();
    check_float(&refs, 0);
    // (U)COMIS clear OF, SF and AF.
    check_float(
        &[
            "ucomisd xmm0, xmm1",
            "comisd xmm2, xmm3",
            "ucomiss xmm4, xmm5",
            "comiss xmm6, [rsi]",
            "ucomisd xmm0, xmm1\nja 1f\nmov eax, 1\n1:\njp 2f\nmov ecx, 2\n2:",
        ],
        0,
    );
    let _ = (AF, OF, SF);
}

/// Scalar and packed arithmetic with the inexact flag already raised (the host-arithmetic
/// fast path),
/// with MXCSR read back after it. MXCSR is set first: a native thread's sticky flags carry
/// over from earlier snippets.
#[test]
fn arithmetic_with_inexact_raised() {
    let mut srcs = Vec::new();
    for op in ["add", "sub", "mul", "div"] {
        for (shape, src) in [
            ("sd", "xmm1"),
            ("ss", "xmm3"),
            ("sd", "qword ptr [rsi]"),
            ("pd", "xmm4"),
            ("ps", "xmm5"),
        ] {
            srcs.push(format!(
                "mov dword ptr [rdi], 0x1fa0\nldmxcsr [rdi]\n\
                 {op}{shape} xmm2, {src}\nstmxcsr [rdi+4]\nmov eax, [rdi+4]"
            ));
        }
    }
    let srcs: Vec<&str> = srcs.iter().map(String::as_str).collect();
    check_all(&srcs, 0, RUNS);
}

#[test]
fn mxcsr_round_trip() {
    check_all(
        &[
            "stmxcsr [rdi]\nmov eax, [rdi]",
            "stmxcsr [rdi]\nldmxcsr [rdi]",
        ],
        0,
        4,
    );
}

/// x87 data movement and compares, observed through memory and flags (the stack is left
/// empty again, so native runs do not leak x87 state).
#[test]
fn x87_moves_and_compares() {
    check_all(
        &[
            "fld tbyte ptr [rsi]\nfstp tbyte ptr [rdi]",
            "fld qword ptr [rsi]\nfstp tbyte ptr [rdi]",
            "fld dword ptr [rsi]\nfstp tbyte ptr [rdi]",
            "fild word ptr [rsi]\nfild dword ptr [rsi+4]\nfild qword ptr [rsi+8]\nfstp tbyte ptr [rdi]\nfstp tbyte ptr [rdi+10]\nfstp tbyte ptr [rdi+20]",
            "fld1\nfldz\nfxch st(1)\nfstp tbyte ptr [rdi]\nfstp tbyte ptr [rdi+10]",
            "fld tbyte ptr [rsi]\nfld st(0)\nfabs\nfchs\nfstp tbyte ptr [rdi]\nfstp tbyte ptr [rdi+10]",
            "fld tbyte ptr [rsi]\nfld tbyte ptr [rsi+16]\nfucomi st, st(1)\nfstp st(0)\nfstp st(0)",
            "fld tbyte ptr [rsi]\nfld tbyte ptr [rsi+16]\nfcomip st, st(1)\nfstp st(0)",
            "fld tbyte ptr [rsi]\nfucomi st, st(0)\nfstp st(0)",
            "fld qword ptr [rsi]\nfld st(0)\nfabs\nfld tbyte ptr [rsi+16]\nfxch st(1)\nfucomip st, st(1)\nfstp st(0)\nfstp tbyte ptr [rdi]",
            "fld tbyte ptr [rsi]\nfxam\nfnstsw ax\nand eax, 0x4700\nfstp st(0)",
            "fld qword ptr [rsi]\nfxam\nfnstsw ax\nand eax, 0x4700\nfstp st(0)",
        ],
        0,
        RUNS,
    );
}

/// x87 arithmetic, stores and compares on doubles from RAX/RBX (spilled to memory) and on raw
/// 80-bit patterns; results and the status word (after FNCLEX) go to memory and AX.
#[test]
fn x87_arithmetic() {
    let two = "fnclex\nmov [rdi+64], rax\nmov [rdi+72], rbx\nfld qword ptr [rdi+64]\nfld qword ptr [rdi+72]\n";
    let done = "\nfnstsw ax\nfstp tbyte ptr [rdi]\nfstp tbyte ptr [rdi+10]";
    let mut srcs = Vec::new();
    for op in ["fadd", "fsub", "fsubr", "fmul", "fdiv", "fdivr"] {
        srcs.push(format!("{two}{op} st, st(1){done}"));
        srcs.push(format!("{two}{op} st(1), st{done}"));
        srcs.push(format!(
            "{two}{op}p st(1), st\nfnstsw ax\nfstp tbyte ptr [rdi]"
        ));
        srcs.push(format!("{two}{op} qword ptr [rdi+64]{done}"));
        srcs.push(format!("{two}{op} dword ptr [rdi+72]{done}"));
        let int_op = op.replacen('f', "fi", 1);
        srcs.push(format!("{two}{int_op} dword ptr [rdi+64]{done}"));
        srcs.push(format!("{two}{int_op} word ptr [rdi+72]{done}"));
        srcs.push(format!("fnclex\nfld tbyte ptr [rsi]\nfld tbyte ptr [rsi+16]\n{op}p st(1), st\nfnstsw ax\nfstp tbyte ptr [rdi]"));
    }
    for one in ["fsqrt", "frndint", "fchs", "fabs"] {
        srcs.push(format!("{two}{one}{done}"));
    }
    for store in [
        "fst qword ptr [rdi+32]",
        "fst dword ptr [rdi+32]",
        "fist dword ptr [rdi+32]",
        "fist word ptr [rdi+32]",
        "fistp qword ptr [rdi+32]\nfld1",
        "fisttp dword ptr [rdi+32]\nfld1",
        "fisttp qword ptr [rdi+32]\nfldz",
    ] {
        srcs.push(format!("{two}{store}{done}"));
    }
    for cmp in [
        "fcom st(1)",
        "fucom st(1)",
        "fcom qword ptr [rdi+64]",
        "ficom dword ptr [rdi+64]",
        "ftst",
        "fcomp st(1)\nfld1",
        "fucompp\nfld1\nfld1",
    ] {
        srcs.push(format!("{two}{cmp}{done}"));
    }
    srcs.push("fldpi\nfldln2\nfstp tbyte ptr [rdi]\nfstp tbyte ptr [rdi+10]\nfldl2e\nfldlg2\nfldl2t\nfstp tbyte ptr [rdi+20]\nfstp tbyte ptr [rdi+30]\nfstp tbyte ptr [rdi+40]".into());
    for (i, src) in srcs.iter().enumerate() {
        let Some(case) = Case::new(src) else {
            return;
        };
        case.check_random(0x87 + i as u64, 100, float_state);
    }
}
