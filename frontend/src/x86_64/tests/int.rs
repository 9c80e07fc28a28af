//! Integer, control-flow and string instructions against the host CPU.

use super::harness::{check_all, emulate, random_state, Case, End, Rng};
use crate::x86_64::flags::{AF, ARITH, CF, OF, PF, SF, ZF};

const RUNS: usize = 40;

/// `op dst, src` for every operand width (including a high-byte register).
fn widths(op: &str) -> Vec<String> {
    [
        "rax, rbx",
        "ecx, edx",
        "r8w, r9w",
        "al, bl",
        "ah, ch",
        "r10b, sil",
    ]
    .iter()
    .map(|regs| format!("{op} {regs}"))
    .collect()
}

#[test]
fn alu_register_forms() {
    for op in [
        "add", "adc", "sub", "sbb", "and", "or", "xor", "cmp", "test",
    ] {
        let srcs = widths(op);
        let refs: Vec<&str> = srcs.iter().map(String::as_str).collect();
        // AND/OR/XOR/TEST leave AF undefined.
        let undefined = if matches!(op, "and" | "or" | "xor" | "test") {
            AF
        } else {
            0
        };
        check_all(&refs, undefined, RUNS);
    }
}

#[test]
fn alu_immediate_and_memory_forms() {
    check_all(
        &[
            "add rax, 0x7fffffff",
            "sub ecx, -3",
            "adc dl, 0x80",
            "sbb r9w, 1",
            "cmp rbx, -1",
            "add qword ptr [rsi], rax",
            "sub eax, dword ptr [rsi+8]",
            "adc byte ptr [rdi+3], 0x7f",
            "lock add qword ptr [rdi], rbx",
            "lock sub dword ptr [rsi], ecx",
            "cmp word ptr [rsi+2], 0x1234",
            "add rax, rbx\nadc rcx, rdx\nsbb r8, r9\nadc r10d, r11d",
        ],
        0,
        RUNS,
    );
    check_all(
        &[
            "and rax, -16",
            "or dword ptr [rsi], 0x80",
            "lock xor qword ptr [rdi], rcx",
        ],
        AF,
        RUNS,
    );
}

#[test]
fn unary_forms() {
    check_all(
        &[
            "neg rax",
            "neg bl",
            "neg r9w",
            "inc eax",
            "dec rcx",
            "inc byte ptr [rsi]",
            "dec ah",
            "lock inc qword ptr [rdi]",
            "not ecx",
            "not byte ptr [rsi+1]",
        ],
        0,
        RUNS,
    );
}

#[test]
fn conditions_in_and_across_blocks() {
    let mut srcs = Vec::new();
    for setup in [
        "cmp rax, rbx",
        "cmp r8b, r9b",
        "sub ecx, edx",
        "test rax, rbx",
        "add eax, ebx",
        "inc ecx",
        "dec r8w",
        "xor eax, ebx",
        "neg rbx",
        "shl eax, 1",
        "sbb r9, r10",
        "adc cl, dl",
    ] {
        srcs.push(format!(
            "{setup}\nseto r10b\nsetb r11b\nsete r12b\nsetbe r13b\nsets r14b\nsetp r15b\nsetl dil\nsetle sil\nsetno dl\nsetae dh\nsetne bl\nseta bh"
        ));
        srcs.push(format!(
            "{setup}\ncmovl rcx, rdx\ncmovbe r8d, r9d\ncmovg r10w, r11w\ncmovs r12, [rsp+0]"
        ));
        srcs.push(format!("{setup}\njle 1f\nmov r12, 1\n1:\njb 2f\nmov r13, 2\n2:\njo 3f\nmov r14, 3\n3:\njp 4f\nmov r15, 4\n4:"));
    }
    // IMUL defines only CF and OF.
    srcs.push("imul rax, rbx\nseto r10b\nsetb r11b\ncmovno r12, r13\njo 1f\nmov r14, 1\n1:".into());
    // setcc clobbers rsi/rdi in the first form: no memory operands there.
    for src in &srcs {
        let Some(case) = Case::new(&src.replace("cmovs r12, [rsp+0]", "cmovs r12, rbx")) else {
            return;
        };
        let undefined = if src.starts_with("test") || src.starts_with("xor") {
            AF
        } else if src.starts_with("shl") {
            AF | OF
        } else if src.starts_with("imul") {
            AF | PF | SF | ZF
        } else {
            0
        };
        case.undefined(undefined).check_random(7, RUNS, |_, _| {});
    }
}

#[test]
fn moves_and_extensions() {
    check_all(
        &[
            "mov rax, rbx",
            "mov ecx, edx",
            "mov r8w, r9w",
            "mov al, bh",
            "mov ah, cl",
            "mov rax, 0x123456789abcdef0",
            "mov ecx, -1",
            "mov rdx, -2",
            "mov rax, [rsi]",
            "mov ecx, [rsi+4]",
            "mov bh, [rdi-1]",
            "mov [rdi+8], r10",
            "mov word ptr [rsi], cx",
            "mov byte ptr [rsi+3], 0x81",
            "mov qword ptr [rdi], -5",
            "movzx eax, bl",
            "movzx ecx, dh",
            "movzx edx, word ptr [rsi]",
            "movsx rax, bl",
            "movsx ecx, r9w",
            "movsxd rdx, eax",
            "movsx r10, byte ptr [rsi+7]",
            "lea rax, [rbx+rcx*4+0x12]",
            "lea eax, [rbx+rcx*8-5]",
            "lea r8, [r9+r10]",
            "lea rcx, [rip+0x10]\nsub rcx, rcx",
            "xchg rax, rbx",
            "xchg ecx, edx",
            "xchg al, bh",
            "xchg [rsi], r8",
            "xchg [rdi], cx",
            "bswap eax",
            "bswap rbx",
            "cbw",
            "cwde",
            "cdqe",
            "cwd",
            "cdq",
            "cqo",
            "movnti [rsi], rax",
            "nop",
            "nop dword ptr [rax+rax+0]",
            "pause",
            "endbr64",
        ],
        0,
        RUNS,
    );
}

#[test]
fn atomics_and_exchanges() {
    check_all(
        &[
            "xadd rax, rbx",
            "xadd [rsi], ecx",
            "lock xadd [rdi], r8w",
            "cmpxchg rcx, rdx",
            "cmpxchg ecx, edx",
            "cmpxchg [rsi], r9",
            "mov rax, [rsi]\nlock cmpxchg [rsi], r9",
            "mov eax, [rdi]\ncmpxchg [rdi], r10d",
            "mov al, [rdi]\ncmpxchg [rdi], bl",
        ],
        0,
        RUNS,
    );
}

#[test]
fn shifts_and_rotates() {
    // Counts above 1 leave OF undefined, and shifts leave AF undefined.
    check_all(
        &[
            "shl rax, 1",
            "shr ecx, 1",
            "sar dx, 1",
            "shl bl, 1",
            "sar r9, 1",
        ],
        AF,
        RUNS,
    );
    check_all(
        &[
            "shl rax, 5",
            "shr ecx, 31",
            "sar dx, 9",
            "shl bl, 3",
            "sar r9, 63",
            "shr byte ptr [rsi], 2",
            "and ecx, 63\nshl rax, cl",
            "and ecx, 31\nshr edx, cl",
            "and ecx, 7\nsar bl, cl",
            "and ecx, 15\nshl r8w, cl",
            "and ecx, 63\nsar qword ptr [rsi], cl",
            "xor ecx, ecx\nshl rax, cl",
            "shld rax, rbx, 7",
            "shrd eax, ebx, 3",
            "and ecx, 63\nshld rdx, r8, cl",
            "and ecx, 31\nshrd r9d, r10d, cl",
        ],
        AF | OF,
        RUNS,
    );
    check_all(
        &["rol rax, 1", "ror ecx, 1", "rol bl, 1", "ror r9w, 1"],
        0,
        RUNS,
    );
    // Double shifts by one define OF (a sign change); AF stays undefined.
    check_all(
        &[
            "shld rax, rbx, 1",
            "shrd ecx, edx, 1",
            "mov ecx, 1\nshrd r8, r9, cl",
        ],
        AF,
        RUNS,
    );
    check_all(
        &[
            "rol rax, 13",
            "ror ecx, 7",
            "rol bl, 3",
            "and ecx, 63\nrol rdx, cl",
            "and ecx, 31\nror r8d, cl",
            "and ecx, 7\nrol r9b, cl",
            "xor ecx, ecx\nror rax, cl",
        ],
        OF,
        RUNS,
    );
}

#[test]
fn multiply_and_divide() {
    let mul_undefined = AF | PF | SF | ZF;
    check_all(
        &[
            "mul rbx",
            "mul ecx",
            "mul r8w",
            "mul bl",
            "imul rbx",
            "imul ecx",
            "imul r8w",
            "imul bl",
            "imul rax, rbx",
            "imul ecx, edx",
            "imul r8w, r9w",
            "imul rax, rbx, -7",
            "imul ecx, [rsi], 1000",
            "mul qword ptr [rsi]",
        ],
        mul_undefined,
        RUNS,
    );
    check_all(
        &[
            "or rbx, 1\nxor edx, edx\ndiv rbx",
            "or ebx, 1\nxor edx, edx\ndiv ebx",
            "or bx, 1\nxor edx, edx\ndiv bx",
            "or bl, 1\nmovzx eax, al\ndiv bl",
            "and ebx, 0xffff\nor ebx, 2\ncqo\nidiv rbx",
            "and ebx, 0xffff\nor ebx, 2\ncdq\nidiv ebx",
            "and ebx, 0x7fff\nor ebx, 2\ncwd\nidiv bx",
            "and ebx, 0x7f\nor ebx, 2\ncbw\nidiv bl",
            "and ebx, 0x7f\nor ebx, 2\nneg bl\ncbw\nidiv bl",
        ],
        ARITH,
        RUNS,
    );
}

#[test]
fn divide_errors_raise_the_exception() {
    let Some(code) = super::harness::assemble("xor ebx, ebx\ndiv rbx") else {
        return;
    };
    let mut s = random_state(&mut Rng::new(3));
    let before = s.regs;
    let end = emulate(&code, &mut s, 64);
    assert_eq!(end, End::Exit(emu_ir::ExitReason::Exception(0), 0x40_0002));
    assert_eq!(s.regs[0], before[0], "rax must be unchanged");
    let Some(code) = super::harness::assemble("mov rdx, 1\nmov rbx, 1\ndiv rbx") else {
        return;
    };
    let end = emulate(&code, &mut s, 64);
    assert!(
        matches!(end, End::Exit(emu_ir::ExitReason::Exception(0), _)),
        "quotient overflow"
    );
}

#[test]
fn bit_instructions() {
    check_all(
        &[
            "bt rax, rbx",
            "bt ecx, 5",
            "bts edx, ecx",
            "btr r8, 63",
            "btc r9w, r10w",
            "and eax, 127\nbts [rsi], eax",
            "and rbx, 127\nbtr [rsi], rbx",
            "bt dword ptr [rsi], 9",
            "and ecx, 63\nlock btc [rdi], rcx",
        ],
        OF | SF | AF | PF,
        RUNS,
    );
    check_all(
        &[
            "bsf rax, rbx",
            "bsr ecx, edx",
            "bsf r8w, r9w",
            "bsr rax, [rsi]",
        ],
        CF | OF | SF | AF | PF,
        RUNS,
    );
    check_all(
        &[
            "tzcnt rax, rbx",
            "lzcnt ecx, edx",
            "tzcnt r8w, r9w",
            "lzcnt rax, [rsi]",
        ],
        OF | SF | AF | PF,
        RUNS,
    );
    check_all(
        &["popcnt rax, rbx", "popcnt ecx, edx", "popcnt r8w, [rsi]"],
        0,
        RUNS,
    );
}

#[test]
fn flag_instructions() {
    check_all(
        &[
            "clc",
            "stc",
            "cmc",
            "add rax, rbx\ncmc",
            "lahf",
            "sahf",
            "std\ncld",
            "cmp rax, rbx\nlahf\nadd ecx, edx\nsahf\nsetb r8b",
        ],
        0,
        RUNS,
    );
}

#[test]
fn string_instructions() {
    check_all(
        &[
            "movsb",
            "movsw",
            "movsd",
            "movsq",
            "stosb",
            "stosq",
            "lodsb",
            "lodsd",
            "lodsq",
            "cmpsb",
            "cmpsq",
            "scasb",
            "scasw",
            "std\nmovsq\nstosd\ncld",
            "and ecx, 31\nrep movsb",
            "and ecx, 7\nrep movsq",
            "and ecx, 15\nrep stosq",
            "and ecx, 31\nrep stosb",
            "and ecx, 63\nrepe cmpsb",
            "and ecx, 63\nrepne scasb",
            "and ecx, 15\nrepe cmpsd",
            "and ecx, 7\nrepne scasq",
            "and ecx, 15\nstd\nrep movsb\ncld",
            "xor ecx, ecx\nrepe cmpsb",
            "mov al, [rdi+5]\nmov ecx, 40\nrepne scasb",
            "mov ecx, 20\nrep movsb\nsub rsi, 20\nsub rdi, 20\nmov ecx, 20\nrepe cmpsb",
        ],
        0,
        RUNS,
    );
}

#[test]
fn illegal_and_trapping_instructions() {
    // INT3 is a trap: it reports the instruction after it (`inc eax` is 2 bytes, INT3 1).
    let cases: [(&str, emu_ir::ExitReason, u64); 3] = [
        ("ud2", emu_ir::ExitReason::IllegalInsn, 0x40_0002),
        ("int3", emu_ir::ExitReason::Breakpoint, 0x40_0003),
        (
            "hlt",
            emu_ir::ExitReason::Exception(crate::x86_64::EXC_GP),
            0x40_0002,
        ),
    ];
    for (src, reason, pc) in cases {
        let Some(code) = super::harness::assemble(&format!("inc eax\n{src}")) else {
            return;
        };
        let mut s = random_state(&mut Rng::new(5));
        let rax = s.regs[0];
        assert_eq!(emulate(&code, &mut s, 64), End::Exit(reason, pc), "{src}");
        assert_eq!(s.regs[0], rax.wrapping_add(1) & 0xffff_ffff, "{src}");
    }
}

/// Stack instructions on a stack inside the test buffer (RSP is saved in R15 and restored, so
/// the native run keeps its own stack; return addresses differ between the two runs and are
/// wiped from memory after use).
#[test]
fn stack_instructions() {
    let on_buffer_stack =
        |body: &str| format!("mov r15, rsp\nlea rsp, [rdi+64]\n{body}\nmov rsp, r15\nmov r15d, 0");
    let srcs = [
        "push rax\npush 0x12\npush -3\npush qword ptr [rsi]\npop rbx\npop rcx\npop rdx\npop r8",
        "push rax\npop qword ptr [rsi+8]\npush rsp\npop r9\nsub r9, rsp",
        "call 1f\njmp 2f\n1: ret\n2: mov qword ptr [rsp-8], 0",
        "lea rbx, [rip+1f]\ncall rbx\njmp 2f\n1: ret 16\n2: mov qword ptr [rsp-24], 0\nmov ebx, 0",
        "lea rbx, [rip+1f]\nmov [rsi], rbx\ncall qword ptr [rsi]\njmp 2f\n1: ret\n2: mov qword ptr [rsp-8], 0\nmov qword ptr [rsi], 0\nmov ebx, 0",
        "mov r14, rbp\nlea rbp, [rdi+32]\nmov [rbp], rax\nleave\nmov rbx, rsp\nsub rbx, rdi\nmov rbp, r14",
        "pushfq\npop rax\nand eax, 0xcd5\npush rcx\npopfq\npushfq\npop rbx\nand ebx, 0xcd5",
    ];
    for (i, body) in srcs.iter().enumerate() {
        let Some(case) = Case::new(&on_buffer_stack(body)) else {
            return;
        };
        // POPFQ of a random RCX: keep TF (bit 8) and other system bits out of it.
        case.check_random(0x77 + i as u64, RUNS, |s, _| s.regs[1] &= 0xcd5);
    }
}

/// BMI1/BMI2 (flag-setting forms leave AF and PF undefined; BEXTR also SF).
#[test]
fn bmi1_and_bmi2() {
    check_all(
        &[
            "andn rax, rbx, rcx",
            "andn r8d, r9d, dword ptr [rsi]",
            "blsi rax, rbx",
            "blsmsk ecx, edx",
            "blsr r10, qword ptr [rsi+8]",
            "bzhi rax, rbx, rcx",
            "bzhi r9d, dword ptr [rsi], r10d",
        ],
        AF | PF,
        RUNS,
    );
    check_all(
        &["bextr rax, rbx, rcx", "bextr r8d, r9d, r10d"],
        AF | PF | SF,
        RUNS,
    );
    let no_flags = [
        "mulx rax, rbx, rcx",
        "mulx r8d, r9d, dword ptr [rsi]",
        "mulx rax, rax, rcx",
        "pdep rax, rbx, rcx",
        "pext r8d, r9d, r10d",
        "pext rax, rbx, qword ptr [rsi]",
        "rorx rax, rbx, 13",
        "rorx ecx, dword ptr [rsi], 31",
        "sarx rax, rbx, rcx",
        "shlx r8d, r9d, r10d",
        "shrx rax, qword ptr [rsi], rcx",
    ];
    check_all(&no_flags, 0, RUNS);
}

#[test]
fn adx_movbe_xlat() {
    check_all(
        &[
            "adcx rax, rbx",
            "adox rcx, rdx",
            "adcx r8d, dword ptr [rsi]",
            "adox r9, qword ptr [rsi+8]",
            "adcx rax, rbx\nadox rcx, rdx\nadcx r8, r9\nadox r10, r11",
            "movbe rax, qword ptr [rsi]",
            "movbe ecx, dword ptr [rsi+3]",
            "movbe dx, word ptr [rsi+1]",
            "movbe qword ptr [rdi], rbx",
            "movbe word ptr [rdi+5], r9w",
            "lea rbx, [rsi]\nand eax, 0x7f\nxlatb",
        ],
        0,
        RUNS,
    );
}

/// RCL/RCR: OF is defined for a count of 1 only.
#[test]
fn rotate_through_carry() {
    let mut count_one = Vec::new();
    let mut other = Vec::new();
    for op in ["rcl", "rcr"] {
        for dst in [
            "rax",
            "ebx",
            "cx",
            "dl",
            "byte ptr [rsi]",
            "qword ptr [rdi+8]",
        ] {
            count_one.push(format!("{op} {dst}, 1"));
            for count in ["cl", "5", "31", "63", "17", "8", "0"] {
                other.push(format!("{op} {dst}, {count}"));
            }
        }
    }
    let refs: Vec<&str> = count_one.iter().map(String::as_str).collect();
    check_all(&refs, 0, RUNS);
    let refs: Vec<&str> = other.iter().map(String::as_str).collect();
    check_all(&refs, OF, RUNS);
}

#[test]
fn locked_and_wide_compare_exchange() {
    check_all(
        &[
            "lock neg qword ptr [rsi]",
            "lock neg byte ptr [rsi+1]",
            "lock adc dword ptr [rdi], eax",
            "lock sbb word ptr [rdi+2], 0x1234",
            "lock adc qword ptr [rsi+8], -5",
            "cmpxchg8b qword ptr [rsi]",
            "lock cmpxchg8b qword ptr [rdi+4]",
            "lock cmpxchg16b xmmword ptr [rsi]",
            "mov rax, [rsi]\nmov rdx, [rsi+8]\nlock cmpxchg16b xmmword ptr [rsi]",
            "mov eax, [rdi]\nmov edx, [rdi+4]\ncmpxchg8b qword ptr [rdi]",
        ],
        0,
        RUNS,
    );
}

#[test]
fn loops() {
    let case = |src: &str| Case::new(src);
    for src in [
        "mov r8, 0\n2:\nadd r8, rcx\nloop 2b",
        "mov r8, 0\n2:\ninc r8\ncmp r8, 7\nloopne 2b",
        "mov r8, 0\n2:\ninc r8\ncmp r8, r8\nloope 2b",
    ] {
        let Some(c) = case(src) else { return };
        c.check_random(11, RUNS, |s, rng| s.regs[1] = rng.next() % 20 + 1);
    }
}

/// Found by emu-difftest: CMPXCHG with the accumulator as destination, 32-bit rotates by 0,
/// 32-bit BSF/BSR of zero (the destination register is kept whole, as AMD defines).
#[test]
fn difftest_findings() {
    check_all(
        &[
            "cmpxchg rax, rsi",
            "cmpxchg eax, esi",
            "cmpxchg ax, di",
            "cmpxchg al, bpl",
            "rol ebx, 0",
            "ror ecx, 0",
            "rcl edx, 0",
        ],
        0,
        RUNS,
    );
    for src in [
        "bsf r14d, r9d",
        "bsr r14d, r9d",
        "bsf rax, rbx",
        "bsr cx, dx",
    ] {
        let Some(case) = Case::new(src) else { return };
        // Half the runs with a zero source. Flags other than ZF are undefined.
        let case = case.undefined(CF | OF | SF | AF | PF);
        case.check_random(17, RUNS, |s, rng| {
            if rng.next() % 2 == 0 {
                s.regs[9] = 0;
                s.regs[3] = 0;
                s.regs[2] = 0;
            }
        });
    }
}
