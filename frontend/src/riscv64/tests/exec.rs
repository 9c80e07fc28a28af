//! Execution tests of the integer instructions: assembled snippets run through the translator
//! and the IR interpreter; expected register values are worked out from the ISA manual.

use emu_ir::ExitReason;

use super::asm::{run, run_to_ebreak, CODE_BASE};

#[test]
fn alu_and_word_forms() {
    let Some(r) = run_to_ebreak(
        "
        auipc t4, 1
        li a0, 0x7fffffff
        addiw a1, a0, 1          # wraps to 0x80000000, sign-extended
        li a2, -1
        srli a3, a2, 60          # 0xf
        srai a4, a2, 60          # -1
        sltu a5, zero, a2        # 1
        slt a6, a2, zero         # 1
        lui a7, 0x80000          # sign-extended upper immediate
        srliw t0, a2, 4          # 0x0fffffff
        sraiw t1, a7, 4          # 0xf8000000 sign-extended
        sllw t2, a2, a3          # shift by 15: 0xffff8000 sign-extended
        subw t3, zero, a0        # -0x7fffffff
        addi x0, x0, 5           # writes to x0 are dropped
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(11), 0xffff_ffff_8000_0000);
    assert_eq!(r.x(13), 0xf);
    assert_eq!(r.x(14), u64::MAX);
    assert_eq!(r.x(15), 1);
    assert_eq!(r.x(16), 1);
    assert_eq!(r.x(17), 0xffff_ffff_8000_0000);
    assert_eq!(r.x(5), 0x0fff_ffff);
    assert_eq!(r.x(6), 0xffff_ffff_f800_0000);
    assert_eq!(r.x(7), 0xffff_ffff_ffff_8000);
    assert_eq!(r.x(28), (-0x7fff_ffffi64) as u64);
    assert_eq!(r.x(29), CODE_BASE + 0x1000);
    assert_eq!(r.x(0), 0);
}

#[test]
fn multiply_and_divide_follow_the_spec_corner_cases() {
    let Some(r) = run_to_ebreak(
        "
        li a0, 7
        li a1, 0
        div a2, a0, a1           # x/0 = -1
        divu a3, a0, a1          # all ones
        rem a4, a0, a1           # x%0 = x
        li t0, 1
        slli t0, t0, 63          # INT64_MIN
        li t1, -1
        div a5, t0, t1           # MIN/-1 = MIN
        rem a6, t0, t1           # 0
        mulh a7, t1, t1          # high of 1 = 0
        mulhu s2, t1, t1         # high of (2^64-1)^2 = 2^64-2
        mulhsu s3, t1, t1        # -1 * (2^64-1) high = -1
        li s4, -7
        divw s5, s4, a0          # -1
        remw s6, s4, a0          # 0
        divuw s7, s4, a0         # 0xfffffff9/7 = 0x24924923
        mulw s8, t1, a0          # -7
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(12), u64::MAX);
    assert_eq!(r.x(13), u64::MAX);
    assert_eq!(r.x(14), 7);
    assert_eq!(r.x(15), 1 << 63);
    assert_eq!(r.x(16), 0);
    assert_eq!(r.x(17), 0);
    assert_eq!(r.x(18), u64::MAX - 1);
    assert_eq!(r.x(19), u64::MAX);
    assert_eq!(r.x(21), u64::MAX);
    assert_eq!(r.x(22), 0);
    assert_eq!(r.x(23), 0x2492_4923);
    assert_eq!(r.x(24), (-7i64) as u64);
}

#[test]
fn loops_branches_and_calls() {
    let Some(r) = run_to_ebreak(
        "
        li a0, 0
        li a1, 10
    1:  add a0, a0, a1
        addi a1, a1, -1
        bnez a1, 1b              # sum 10..1 = 55
        call 2f
        j 3f
    2:  addi a2, a0, 1           # 56
        ret
    3:  la t0, 4f
        jalr t1, 1(t0)           # bit 0 of the target is cleared
        li a3, 99                # skipped
    4:  li a4, 1
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(10), 55);
    assert_eq!(r.x(12), 56);
    assert_eq!(r.x(13), 0);
    assert_eq!(r.x(14), 1);
    assert_ne!(r.x(6), 0, "jalr links");
}

#[test]
fn loads_extend_and_stores_truncate() {
    let Some(r) = run_to_ebreak(
        "
        li s0, 0x8000
        li t0, 0x1234567890abcdef
        sd t0, 0(s0)
        lb a0, 0(s0)             # 0xef -> sign-extended
        lbu a1, 0(s0)
        lh a2, 6(s0)             # 0x1234
        lw a3, 0(s0)             # 0x90abcdef sign-extended
        lwu a4, 0(s0)
        ld a5, 0(s0)
        sb t0, 16(s0)
        sh t0, 24(s0)
        sw t0, 32(s0)
        c.lw s1, 0(s0)
        c.sd s1, 40(s0)
        ld a7, 40(s0)
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(10), 0xffff_ffff_ffff_ffef);
    assert_eq!(r.x(11), 0xef);
    assert_eq!(r.x(12), 0x1234);
    assert_eq!(r.x(13), 0xffff_ffff_90ab_cdef);
    assert_eq!(r.x(14), 0x90ab_cdef);
    assert_eq!(r.x(15), 0x1234_5678_90ab_cdef);
    assert_eq!(&r.mem[0x8010..0x8012], &[0xef, 0]);
    assert_eq!(&r.mem[0x8018..0x801b], &[0xef, 0xcd, 0]);
    assert_eq!(&r.mem[0x8020..0x8025], &[0xef, 0xcd, 0xab, 0x90, 0]);
    assert_eq!(r.x(9), 0xffff_ffff_90ab_cdef);
    assert_eq!(r.x(17), 0xffff_ffff_90ab_cdef);
}

#[test]
fn compressed_stack_and_immediates() {
    let Some(r) = run_to_ebreak(
        "
        li sp, 0x9000
        c.addi16sp sp, -64
        c.li a0, -5
        c.sdsp a0, 8(sp)
        c.ldsp a1, 8(sp)
        c.addi4spn a2, sp, 8
        c.lui a3, 0xfffff        # -4096
        c.addiw a0, 1            # -4
        c.srai a0, 1             # -2
        c.mv a4, a0
        c.add a4, a4             # -4
        c.slli a4, 4             # -64
        c.andi a4, -32
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(2), 0x9000 - 64);
    assert_eq!(r.x(11), (-5i64) as u64);
    assert_eq!(r.x(12), 0x9000 - 64 + 8);
    assert_eq!(r.x(13), (-4096i64) as u64);
    assert_eq!(r.x(10), (-2i64) as u64);
    assert_eq!(r.x(14), (-64i64) as u64);
}

#[test]
fn bit_manipulation() {
    let Some(r) = run_to_ebreak(
        "
        li t0, 0x0100ff0000000001
        orc.b a0, t0             # 0xff00ff00000000ff
        rev8 a1, t0              # 0x010000000000ff0001 reversed
        li t1, 1
        clz a2, t1               # 63
        ctz a3, t0               # 0
        cpop a4, t0              # 10
        clzw a5, zero            # 32
        ctzw a6, t0              # low word 1: 0
        li s1, 0x0080000000000000
        ctzw s1, s1              # low word 0: 32 whatever the upper word holds
        li t2, 3
        sh2add a7, t2, t1        # 13
        li t3, -1
        add.uw s2, t3, t1        # 0x100000000
        slli.uw s3, t3, 4        # 0xffffffff0
        rori s4, t1, 1           # 1 << 63
        roriw s5, t1, 1          # 0xffffffff80000000
        rolw s6, t3, t2          # -1
        bset s7, zero, t2        # 8
        bclri s8, t3, 63
        bexti s9, t0, 56         # 1
        binv s10, t1, zero       # 0
        sext.b s11, t0           # 1
        li t4, 0x80
        sext.b t5, t4            # -128
        zext.h t6, t3            # 0xffff
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(10), 0xff00_ff00_0000_00ff);
    assert_eq!(r.x(11), 0x0100_0000_00ff_0001);
    assert_eq!(r.x(12), 63);
    assert_eq!(r.x(13), 0);
    assert_eq!(r.x(14), 10);
    assert_eq!(r.x(15), 32);
    assert_eq!(r.x(16), 0);
    assert_eq!(r.x(17), 13);
    assert_eq!(r.x(18), 0x1_0000_0000);
    assert_eq!(r.x(19), 0xf_ffff_fff0);
    assert_eq!(r.x(20), 1 << 63);
    assert_eq!(r.x(21), 0xffff_ffff_8000_0000);
    assert_eq!(r.x(22), u64::MAX);
    assert_eq!(r.x(23), 8);
    assert_eq!(r.x(24), u64::MAX >> 1);
    assert_eq!(r.x(25), 1);
    assert_eq!(r.x(26), 0);
    assert_eq!(r.x(27), 1);
    assert_eq!(r.x(30), (-128i64) as u64);
    assert_eq!(r.x(9), 32);
    assert_eq!(r.x(31), 0xffff);
}

#[test]
fn min_max_andn() {
    let Some(r) = run_to_ebreak(
        "
        li t0, -1
        li t1, 5
        max a0, t0, t1
        maxu a1, t0, t1
        min a2, t0, t1
        minu a3, t0, t1
        andn a4, t1, t0          # 0
        orn a5, zero, t1         # ~5
        xnor a6, t1, t1          # -1
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(10), 5);
    assert_eq!(r.x(11), u64::MAX);
    assert_eq!(r.x(12), u64::MAX);
    assert_eq!(r.x(13), 5);
    assert_eq!(r.x(14), 0);
    assert_eq!(r.x(15), !5);
    assert_eq!(r.x(16), u64::MAX);
}

#[test]
fn atomics_and_lr_sc() {
    let Some(r) = run_to_ebreak(
        "
        li s0, 0x8000
        li t0, 0xfffffff0
        sw t0, 0(s0)
        li t1, 1
        amoadd.w a0, t1, (s0)    # old 0xfffffff0 sign-extended; mem 0xfffffff1
        lw a1, 0(s0)
        lr.w a2, (s0)
        li t2, 42
        sc.w a3, t2, (s0)        # succeeds: 0
        lw a4, 0(s0)
        sc.w a5, t2, (s0)        # no reservation: 1
        li t3, 7
        sd t3, 8(s0)
        addi s1, s0, 8
        lr.d a6, (s1)
        sd t1, 8(s0)             # another store, same address: CAS sees a new value
        sc.d a7, t2, (s1)        # fails: 1
        amoswap.d s2, t2, (s1)   # old 1
        amomin.d s3, t0, (s1)    # old 42, min(42, 0xfffffff0) = 42 (signed)
        amomaxu.w s4, t0, (s0)   # old 42
        lw s5, 0(s0)
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(10), 0xffff_ffff_ffff_fff0);
    assert_eq!(r.x(11), 0xffff_ffff_ffff_fff1);
    assert_eq!(r.x(12), 0xffff_ffff_ffff_fff1);
    assert_eq!(r.x(13), 0);
    assert_eq!(r.x(14), 42);
    assert_eq!(r.x(15), 1);
    assert_eq!(r.x(16), 7);
    assert_eq!(r.x(17), 1);
    assert_eq!(r.x(18), 1);
    assert_eq!(r.x(19), 42);
    assert_eq!(r.x(20), 42);
    assert_eq!(r.x(21), 0xffff_ffff_ffff_fff0);
}

#[test]
fn csr_access() {
    let Some(r) = run_to_ebreak(
        "
        li t0, 0xff
        csrw fcsr, t0            # frm = 7, fflags = 0x1f
        csrr a0, frm
        csrr a1, fflags
        csrrci a2, fflags, 1     # old 0x1f
        csrrs a3, fflags, zero   # reads 0x1e, no write
        csrrwi a4, frm, 2        # old 7
        csrr a5, fcsr            # 2 << 5 | 0x1e
        csrrc a6, fcsr, t0       # clears all
        csrr a7, fcsr
        rdtime s2
        rdtime s3
        rdcycle s4
        rdinstret s5
        ",
    ) else {
        return;
    };
    assert_eq!(r.x(10), 7);
    assert_eq!(r.x(11), 0x1f);
    assert_eq!(r.x(12), 0x1f);
    assert_eq!(r.x(13), 0x1e);
    assert_eq!(r.x(14), 7);
    assert_eq!(r.x(15), 0x5e);
    assert_eq!(r.x(16), 0x5e);
    assert_eq!(r.x(17), 0);
    assert!(r.x(19) >= r.x(18), "time is monotonic");
}

#[test]
fn traps_exit_with_the_right_reason_and_pc() {
    let cases: &[(&str, ExitReason, u64)] = &[
        ("nop\necall", ExitReason::Syscall, 8),
        ("nop\nebreak", ExitReason::Breakpoint, 4),
        ("nop\n.2byte 0x9002", ExitReason::Breakpoint, 4),
        ("nop\ncsrw cycle, a0", ExitReason::IllegalInsn, 4),
        ("nop\ncsrr a0, mstatus", ExitReason::IllegalInsn, 4),
        ("nop\n.2byte 0", ExitReason::IllegalInsn, 4),
        ("nop\n.4byte 0x02001013\nunimp", ExitReason::IllegalInsn, 8),
    ];
    for &(src, reason, offset) in cases {
        let Some(r) = run(&format!(".option norvc\n{src}"), |_| {}) else {
            return;
        };
        assert_eq!(r.exit, reason, "{src}");
        assert_eq!(r.cpu.header.pc, CODE_BASE + offset, "{src}");
    }
}

#[test]
fn fence_i_ends_the_block_and_execution_goes_on() {
    let Some(r) = run_to_ebreak("li a0, 1\nfence.i\nfence\nli a1, 2") else {
        return;
    };
    assert_eq!((r.x(10), r.x(11)), (1, 2));
}
