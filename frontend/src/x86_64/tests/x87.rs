//! x87 stack management, tags, stack faults, FSCALE/FXTRACT/FPREM, packed BCD and the
//! environment images against the host CPU. Every snippet starts and ends with FNINIT so
//! native runs leave the x87 clean; results go to memory and AX. The saved FIP (the code
//! address, which differs between the native and the emulated copy) is zeroed.

use super::harness::check_all;

const RUNS: usize = 40;

/// Wrap `body` in FNINIT … FNINIT.
fn clean(body: &str) -> String {
    format!("fninit\n{body}\nfninit")
}

fn check(bodies: &[&str]) {
    let srcs: Vec<String> = bodies.iter().map(|b| clean(b)).collect();
    let refs: Vec<&str> = srcs.iter().map(String::as_str).collect();
    check_all(&refs, 0, RUNS);
}

#[test]
fn x87_exact_operations() {
    check(&[
        "fld tbyte ptr [rsi]\nfld tbyte ptr [rsi+16]\nfscale\nfnstsw ax\nfstp tbyte ptr [rdi]\nfstp tbyte ptr [rdi+10]",
        "fild word ptr [rsi]\nfld tbyte ptr [rsi+16]\nfscale\nfnstsw ax\nfstp tbyte ptr [rdi]",
        "fld tbyte ptr [rsi]\nfxtract\nfnstsw ax\nfstp tbyte ptr [rdi]\nfstp tbyte ptr [rdi+10]",
        "fld tbyte ptr [rsi]\nfld tbyte ptr [rsi+16]\nfprem\nfnstsw ax\nfstp tbyte ptr [rdi]",
        "fld tbyte ptr [rsi]\nfld tbyte ptr [rsi+16]\nfprem1\nfnstsw ax\nfstp tbyte ptr [rdi]",
        "fild qword ptr [rsi]\nfild dword ptr [rsi+8]\nfprem1\nfnstsw ax\nfstp tbyte ptr [rdi]",
        "fild qword ptr [rsi]\nfbstp tbyte ptr [rdi]\nfnstsw ax",
        "fld tbyte ptr [rsi]\nfbstp tbyte ptr [rdi]\nfnstsw ax",
        "fild dword ptr [rsi]\nfbstp tbyte ptr [rdi+16]\nfbld tbyte ptr [rdi+16]\nfstp tbyte ptr [rdi]",
    ]);
}

#[test]
fn x87_tags_and_stack_faults() {
    check(&[
        "fld1\nffree st(0)\nfxam\nfnstsw ax",
        "fld tbyte ptr [rsi]\nfld1\nffreep st(0)\nfxam\nfnstsw ax\nfstp tbyte ptr [rdi]",
        "fld1\nfld1\nfld1\nfld1\nfld1\nfld1\nfld1\nfld1\nfld tbyte ptr [rsi]\nfnstsw ax\nfstp tbyte ptr [rdi]",
        "fadd st, st(1)\nfnstsw ax\nfstp tbyte ptr [rdi]",
        "fld1\nfadd st, st(1)\nfnstsw ax\nfstp tbyte ptr [rdi]",
        "fst qword ptr [rdi]\nfist dword ptr [rdi+8]\nfnstsw ax",
        "fld1\nfincstp\nfnstsw ax\nfdecstp\nfstp tbyte ptr [rdi]",
        "fld tbyte ptr [rsi]\nfldz\nfld1\nfnstenv [rdi]\nmov dword ptr [rdi+12], 0",
        // Eight registers, so no stale contents get saved.
        "fld tbyte ptr [rsi]\nfld1\nfldz\nfldpi\nfldl2e\nfldln2\nfldlg2\nfld tbyte ptr [rsi+16]\nfnsave [rdi]\nmov dword ptr [rdi+12], 0\nfnstsw ax\nfrstor [rdi]\nfxam\nfstp tbyte ptr [rsi]\nfstp tbyte ptr [rsi+16]",
        "fld1\nfnstenv [rdi]\nmov dword ptr [rdi+12], 0\nffree st(0)\nfldenv [rdi]\nfxam\nfnstsw ax\nfstp tbyte ptr [rdi+32]",
        "fld1\nfld1\nfld1\nfld1\nfld1\nfld1\nfld1\nfld tbyte ptr [rsi]\nfxtract\nfnstsw ax\nfstp tbyte ptr [rdi]",
    ]);
}

#[test]
fn x87_conditional_moves() {
    let mut srcs = Vec::new();
    for cc in ["b", "nb", "e", "ne", "be", "nbe", "u", "nu"] {
        srcs.push(format!(
            "fld tbyte ptr [rsi]\nfld tbyte ptr [rsi+16]\ncmp rax, rbx\nfcmov{cc} st, st(1)\nfstp tbyte ptr [rdi]"
        ));
        srcs.push(format!(
            "fld tbyte ptr [rsi]\nfld tbyte ptr [rsi+16]\nfucomi st, st(1)\nfcmov{cc} st, st(1)\nfstp tbyte ptr [rdi]"
        ));
    }
    let refs: Vec<&str> = srcs.iter().map(String::as_str).collect();
    check(&refs);
}
