//! SSE3, SSSE3, SSE4.1 and SSE4.2 instructions against the host CPU.

use super::harness::{check_all, Case, Rng, State};
use super::sse::float_state;

const RUNS: usize = 40;

/// The SSSE3 integer operations that have both XMM and MMX forms.
pub(super) const SSSE3_OPS: [&str; 15] = [
    "pshufb",
    "phaddw",
    "phaddd",
    "phaddsw",
    "phsubw",
    "phsubd",
    "phsubsw",
    "pmaddubsw",
    "pmulhrsw",
    "psignb",
    "psignw",
    "psignd",
    "pabsb",
    "pabsw",
    "pabsd",
];

#[test]
fn ssse3_integer() {
    let mut srcs: Vec<String> = Vec::new();
    for op in SSSE3_OPS {
        srcs.push(format!("{op} xmm0, xmm1"));
        srcs.push(format!("{op} xmm2, xmm2"));
        srcs.push(format!("{op} xmm3, [rsi]"));
    }
    for imm in [0, 1, 5, 8, 15, 16, 17, 24, 31, 32, 200] {
        srcs.push(format!("palignr xmm4, xmm5, {imm}"));
    }
    srcs.push("palignr xmm6, [rsi], 7".into());
    let refs: Vec<&str> = srcs.iter().map(String::as_str).collect();
    check_all(&refs, 0, RUNS);
}

#[test]
fn sse41_integer() {
    let mut srcs: Vec<String> = Vec::new();
    for op in [
        "pminsb",
        "pminsd",
        "pminuw",
        "pminud",
        "pmaxsb",
        "pmaxsd",
        "pmaxuw",
        "pmaxud",
        "pmulld",
        "pmuldq",
        "pcmpeqq",
        "pcmpgtq",
        "packusdw",
        "phminposuw",
    ] {
        srcs.push(format!("{op} xmm0, xmm1"));
        srcs.push(format!("{op} xmm9, [rsi]"));
    }
    for ext in ["sx", "zx"] {
        for widths in ["bw", "bd", "bq", "wd", "wq", "dq"] {
            srcs.push(format!("pmov{ext}{widths} xmm2, xmm3"));
            srcs.push(format!("pmov{ext}{widths} xmm4, [rsi+1]"));
        }
    }
    for imm in [0, 1, 0x55, 0xaa, 0xf0, 0xff, 0x3c] {
        srcs.push(format!("pblendw xmm0, xmm1, {imm}"));
        srcs.push(format!("blendps xmm2, xmm3, {}", imm & 15));
        srcs.push(format!("blendpd xmm4, [rsi], {}", imm & 3));
        srcs.push(format!("mpsadbw xmm5, xmm6, {}", imm & 7));
        srcs.push(format!("insertps xmm7, xmm8, {imm}"));
        srcs.push(format!("insertps xmm7, [rsi], {imm}"));
    }
    srcs.push("mpsadbw xmm5, [rsi], 6".into());
    for op in ["pblendvb", "blendvps", "blendvpd"] {
        srcs.push(format!("{op} xmm1, xmm2, xmm0"));
        srcs.push(format!("{op} xmm3, [rsi], xmm0"));
        srcs.push(format!("{op} xmm0, xmm4, xmm0"));
    }
    srcs.push("movntdqa xmm5, [rsi]".into());
    srcs.push("movddup xmm5, xmm6".into());
    srcs.push("movddup xmm7, [rsi+8]".into());
    srcs.push("movshdup xmm8, xmm9".into());
    srcs.push("movsldup xmm10, [rsi]".into());
    let refs: Vec<&str> = srcs.iter().map(String::as_str).collect();
    check_all(&refs, 0, RUNS);
}

/// PTEST on random and on crafted (subset/disjoint) operands.
#[test]
fn ptest() {
    for src in ["ptest xmm0, xmm1", "ptest xmm2, [rsi]", "ptest xmm3, xmm3"] {
        let Some(case) = Case::new(src) else {
            return;
        };
        case.check_random(0x7e57, 100, |s, rng| {
            let pick = rng.next() % 4;
            let a = s.xmm[0];
            s.xmm[1] = match pick {
                0 => [a[0] & rng.next(), a[1] & rng.next()],
                1 => [!a[0] & rng.next(), !a[1] & rng.next()],
                2 => [0, 0],
                _ => s.xmm[1],
            };
        });
    }
}

#[test]
fn extract_insert() {
    let mut srcs = Vec::new();
    for imm in [0, 1, 2, 3, 5, 7, 9, 15, 0x42] {
        srcs.push(format!("pextrb eax, xmm1, {imm}"));
        srcs.push(format!("pextrb rcx, xmm2, {imm}"));
        srcs.push(format!("pextrb byte ptr [rdi+3], xmm3, {imm}"));
        srcs.push(format!("pextrw word ptr [rdi+1], xmm4, {imm}"));
        srcs.push(format!("pextrd edx, xmm5, {imm}"));
        srcs.push(format!("pextrd dword ptr [rdi], xmm6, {imm}"));
        srcs.push(format!("pextrq r8, xmm7, {imm}"));
        srcs.push(format!("pextrq qword ptr [rdi+5], xmm8, {imm}"));
        srcs.push(format!("extractps ebx, xmm9, {imm}"));
        srcs.push(format!("extractps rbx, xmm9, {imm}"));
        srcs.push(format!("extractps dword ptr [rdi+2], xmm10, {imm}"));
        srcs.push(format!("pinsrb xmm11, eax, {imm}"));
        srcs.push(format!("pinsrb xmm12, byte ptr [rsi+1], {imm}"));
        srcs.push(format!("pinsrd xmm13, ecx, {imm}"));
        srcs.push(format!("pinsrd xmm14, dword ptr [rsi], {imm}"));
        srcs.push(format!("pinsrq xmm15, rdx, {imm}"));
        srcs.push(format!("pinsrq xmm0, qword ptr [rsi+3], {imm}"));
    }
    srcs.push("pextrw eax, xmm1, 3".into());
    let refs: Vec<&str> = srcs.iter().map(String::as_str).collect();
    check_all(&refs, 0, 20);
}

#[test]
fn crc32() {
    check_all(
        &[
            "crc32 eax, cl",
            "crc32 eax, ah",
            "crc32 ecx, dx",
            "crc32 edx, ebx",
            "crc32 rbx, rax",
            "crc32 rax, cl",
            "crc32 r8d, byte ptr [rsi]",
            "crc32 r9d, word ptr [rsi+1]",
            "crc32 r10d, dword ptr [rsi+2]",
            "crc32 r11, qword ptr [rsi+3]",
            "crc32 eax, eax",
        ],
        0,
        RUNS,
    );
}

/// The floating-point instructions on the special values of [`float_state`].
#[test]
fn sse3_sse41_floating_point() {
    let mut srcs = Vec::new();
    for op in ["addsub", "hadd", "hsub"] {
        for shape in ["ps", "pd"] {
            srcs.push(format!("{op}{shape} xmm0, xmm1"));
            srcs.push(format!("{op}{shape} xmm2, xmm2"));
            srcs.push(format!("{op}{shape} xmm3, [rsi]"));
        }
    }
    for imm in 0..16 {
        srcs.push(format!("roundps xmm0, xmm1, {imm}"));
        srcs.push(format!("roundpd xmm2, xmm3, {imm}"));
        srcs.push(format!("roundss xmm4, xmm5, {imm}"));
        srcs.push(format!("roundsd xmm6, xmm7, {imm}"));
    }
    srcs.push("roundss xmm8, dword ptr [rsi], 1".into());
    srcs.push("roundsd xmm9, qword ptr [rsi], 2".into());
    srcs.push("roundpd xmm10, [rsi], 3".into());
    for imm in [0xff, 0xf1, 0x31, 0xc2, 0x5a, 0xa5, 0x7f, 0x9c, 0x0f, 0xf0] {
        srcs.push(format!("dpps xmm0, xmm1, {imm}"));
        srcs.push(format!("dppd xmm2, xmm3, {}", imm & 0x33));
    }
    srcs.push("dpps xmm4, [rsi], 0xff".into());
    srcs.push("dppd xmm5, [rsi], 0x33".into());
    check_float(&srcs);
}

fn check_float(srcs: &[String]) {
    for (i, src) in srcs.iter().enumerate() {
        let Some(case) = Case::new(src) else {
            return;
        };
        case.check_random(0x5e3 + i as u64, 150, float_state);
    }
}

/// [`float_state`] with more denormal and tiny values (in single and double lanes).
fn tiny_state(s: &mut State, rng: &mut Rng) {
    float_state(s, rng);
    for x in s.xmm.iter_mut() {
        for half in x.iter_mut() {
            let r = rng.next();
            *half = match r % 4 {
                0 => r >> 2 & 0x800f_ffff_ffff_ffff | (r >> 60) << 52,
                1 => (r & 0x80ff_ffff_80ff_ffff) | (r >> 61) << 55 | (r >> 58 & 7) << 23,
                _ => *half,
            };
        }
    }
}

/// Results and the MXCSR exception flags under every rounding mode, with and without DAZ
/// and FTZ: the snippet loads MXCSR from memory, runs the instruction, reads MXCSR back
/// (into EAX) and restores the default.
#[test]
fn mxcsr_rounding_and_flags() {
    let ops = [
        "addsubps xmm0, xmm1",
        "addsubpd xmm0, xmm1",
        "haddpd xmm2, xmm3",
        "hsubps xmm4, xmm5",
        "roundps xmm6, xmm7, 4",
        "roundsd xmm8, xmm9, 0xc",
        "roundpd xmm10, xmm11, 1",
        "roundss xmm12, xmm13, 10",
        "dpps xmm14, xmm15, 0xff",
        "dppd xmm0, xmm1, 0x31",
        "addss xmm0, xmm1",
        "subpd xmm2, xmm3",
        "mulps xmm4, xmm5",
        "mulsd xmm4, xmm5",
        "divps xmm6, xmm7",
        "divsd xmm6, xmm7",
        "sqrtps xmm8, xmm9",
        "minpd xmm10, xmm11",
        "maxss xmm12, xmm13",
        "cvtsd2ss xmm14, xmm15",
        "cvtpd2ps xmm0, xmm1",
        "cvtps2pd xmm2, xmm3",
        "cvttsd2si ecx, xmm4",
        "cvtss2si rcx, xmm5",
        "ucomiss xmm6, xmm7",
        "comisd xmm8, xmm9",
        "cmpltps xmm10, xmm11",
        "cmpeqsd xmm12, xmm13",
    ];
    for (i, mode) in [0u32, 0x40, 0x8000, 0x8040].into_iter().enumerate() {
        for rc in 0..4u32 {
            let mxcsr = 0x1f80 | rc << 13 | mode;
            for (k, op) in ops.iter().enumerate() {
                let src = format!(
                    "mov dword ptr [rdi+120], {mxcsr}\nldmxcsr [rdi+120]\n{op}\nstmxcsr [rdi+120]\nmov eax, [rdi+120]\nmov dword ptr [rdi+124], 0x1f80\nldmxcsr [rdi+124]"
                );
                let Some(case) = Case::new(&src) else {
                    return;
                };
                let seed = (i * 4 + rc as usize) * 64 + k;
                case.check_random(seed as u64, 60, tiny_state);
            }
        }
    }
}

/// A random string state for PCMPxSTRx: elements from a small alphabet with NULs, lengths
/// in RAX/RDX around the element count (negative and huge ones too).
fn string_state(s: &mut State, rng: &mut Rng) {
    const ALPHABET: [u8; 8] = [0, b'a', b'b', b'c', 0x80, 0xff, b'a', b'b'];
    for x in s.xmm.iter_mut().take(4) {
        let mut bytes = [0u8; 16];
        let nul_free = rng.next().is_multiple_of(3);
        for b in bytes.iter_mut() {
            *b = ALPHABET[rng.next() as usize % ALPHABET.len()];
            if nul_free && *b == 0 {
                *b = b'c';
            }
        }
        let v = u128::from_le_bytes(bytes);
        *x = [v as u64, (v >> 64) as u64];
    }
    if rng.next().is_multiple_of(4) {
        // A "range" operand: ordered pairs.
        s.xmm[1] = [0x7a61_3930_5a41_0101, 0x8000_7fff_ff80_0201];
    }
    for r in [0, 2] {
        s.regs[r] = match rng.next() % 5 {
            0 => rng.next(),
            1 => (rng.next() % 41).wrapping_sub(20) as u32 as u64 | rng.next() << 32,
            _ => (rng.next() % 41).wrapping_sub(20),
        };
    }
}

/// Every imm8 mode (bit 7 is ignored) of the four instructions, register and memory forms.
#[test]
fn pcmpstr_all_modes() {
    for imm in 0..128u32 {
        for (k, insn) in ["pcmpestri", "pcmpestrm", "pcmpistri", "pcmpistrm"]
            .iter()
            .enumerate()
        {
            let src = if (imm + k as u32).is_multiple_of(3) {
                format!("{insn} xmm1, [rsi], {imm}")
            } else {
                format!("{insn} xmm1, xmm2, {imm}")
            };
            let Some(case) = Case::new(&src) else {
                return;
            };
            case.check_random(u64::from(imm) << 4 | k as u64, 24, string_state);
        }
    }
}

/// The 64-bit-length forms and the first operand aliasing XMM0.
#[test]
fn pcmpstr_forms() {
    for src in [
        "rex.w pcmpestri xmm1, xmm2, 0x0c",
        "rex.w pcmpestrm xmm1, xmm2, 0x44",
        "pcmpestrm xmm0, xmm1, 0x18",
        "pcmpistrm xmm0, xmm0, 0x3a",
        "pcmpistri xmm3, xmm0, 0x12\nmov eax, ecx",
    ] {
        let Some(case) = Case::new(src) else {
            return;
        };
        case.check_random(0x5742, 100, string_state);
    }
}

/// Memory operands narrower than 16 bytes read only their bytes: the operand ends right
/// before an inaccessible page (an over-read would fault the test).
#[test]
fn narrow_loads_stop_at_the_operand() {
    let page = 4096;
    // SAFETY: a fresh anonymous mapping; no existing memory is affected.
    let map = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            2 * page,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(map, libc::MAP_FAILED);
    // SAFETY: the second page of the mapping made above.
    let guard = unsafe { libc::mprotect(map.cast::<u8>().add(page).cast(), page, libc::PROT_NONE) };
    assert_eq!(guard, 0);
    // SAFETY: the first page of the mapping is readable and writable and not aliased.
    let mem = unsafe { std::slice::from_raw_parts_mut(map.cast::<u8>(), page) };
    let init: Vec<u8> = (0..page).map(|i| (i * 7 + 3) as u8).collect();
    let mut rng = Rng::new(0x9a9e);
    for (src, bytes) in [
        ("pmovsxbw xmm0, qword ptr [rsi]", 8),
        ("pmovzxbd xmm1, dword ptr [rsi]", 4),
        ("pmovsxbq xmm2, word ptr [rsi]", 2),
        ("pmovzxwd xmm3, qword ptr [rsi]", 8),
        ("pmovsxwq xmm4, dword ptr [rsi]", 4),
        ("pmovzxdq xmm5, qword ptr [rsi]", 8),
        ("movddup xmm6, qword ptr [rsi]", 8),
        ("roundss xmm7, dword ptr [rsi], 1", 4),
        ("roundsd xmm8, qword ptr [rsi], 2", 8),
        ("insertps xmm9, dword ptr [rsi], 0x1c", 4),
        ("pinsrb xmm10, byte ptr [rsi], 3", 1),
        ("crc32 eax, word ptr [rsi]", 2),
    ] {
        let Some(case) = Case::new(src) else {
            break;
        };
        let mut s = super::harness::random_state(&mut rng);
        s.regs[6] = map as u64 + (page - bytes) as u64;
        s.regs[7] = map as u64;
        case.check(&s, mem, &init);
    }
    // SAFETY: unmapping the mapping made above; `mem` is not used any more.
    unsafe { libc::munmap(map, 2 * page) };
}
