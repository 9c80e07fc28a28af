/* a64_branch_sys: A64 branches and EL0 system instructions through inline asm. Branches:
 * B.cond over all 16 conditions and NZCV values, CBZ/CBNZ (X and W), TBZ/TBNZ on bits 0, 31,
 * 32 and 63, BL/RET, BLR (also BLR X30, whose target is read before X30 is written), BR and
 * RET Xn. System: MRS/MSR NZCV, FPCR and FPSR round trips (trap-enable bits read as zero),
 * TPIDR_EL0 round trip, TPIDRRO_EL0, DC ZVA zeroing exactly one aligned block of the DCZID_EL0
 * size, CNTFRQ_EL0 non-zero and CNTVCT_EL0 monotonic (printed as "ok" only; CNTPCT_EL0
 * is not readable at EL0 under Linux, which leaves CNTKCTL_EL1.EL0PCTEN clear), the
 * cache-maintenance no-ops, hints and barriers. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t u64;

static const u64 vals[] = {0, 1, 0x80000000, 0x100000000ULL, 0x8000000000000000ULL,
                           0xffffffffffffffffULL, 0x7ffffffe00000001ULL};
#define NV (sizeof vals / sizeof vals[0])

/* 1 when `insn` (a branch to label 1) is taken, else 0; NZCV preset to `nzcv`. */
#define TAKEN(insn, a_, nzcv_) ({ \
        u64 _a = (a_), _n = (nzcv_), _r; \
        __asm__ volatile("msr nzcv, %[n]\n\tmov %[r], #1\n\t" insn "\n\tmov %[r], #0\n1:" \
                         : [r] "=&r"(_r) : [a] "r"(_a), [n] "r"(_n) : "cc"); \
        _r; \
    })

#define BCOND(c) do { \
        printf("b.%-2s", c); \
        for (u64 n = 0; n < 16; n++) \
            printf(" %lu", (unsigned long)TAKEN("b." c " 1f", 0, n << 28)); \
        printf("\n"); \
    } while (0)

#define REG_BRANCH(insn) do { \
        printf("%-24s", insn); \
        for (unsigned i = 0; i < NV; i++) \
            printf(" %lu", (unsigned long)TAKEN(insn, vals[i], 0)); \
        printf("\n"); \
    } while (0)

static void conditional_branches(void)
{
    BCOND("eq"); BCOND("ne"); BCOND("cs"); BCOND("cc"); BCOND("mi"); BCOND("pl");
    BCOND("vs"); BCOND("vc"); BCOND("hi"); BCOND("ls"); BCOND("ge"); BCOND("lt");
    BCOND("gt"); BCOND("le"); BCOND("al"); BCOND("nv");
    REG_BRANCH("cbz %[a], 1f");
    REG_BRANCH("cbnz %[a], 1f");
    REG_BRANCH("cbz %w[a], 1f");
    REG_BRANCH("cbnz %w[a], 1f");
    REG_BRANCH("tbz %[a], #0, 1f");
    REG_BRANCH("tbnz %[a], #0, 1f");
    REG_BRANCH("tbz %w[a], #31, 1f");
    REG_BRANCH("tbnz %[a], #32, 1f");
    REG_BRANCH("tbz %[a], #63, 1f");
    REG_BRANCH("tbnz %[a], #63, 1f");
}

static void calls(void)
{
    u64 link, back, target, hops;
    /* BL puts the address of the next instruction in X30; RET returns there. */
    __asm__ volatile("bl 1f\n2:\tb 3f\n1:\tmov %0, x30\n\tadr %1, 2b\n\tret\n3:"
                     : "=&r"(link), "=&r"(back) : : "x30");
    printf("bl link == next insn: %d\n", link == back);
    /* BLR X30: jumps to the old X30 and then links. */
    __asm__ volatile("adr x30, 1f\n\tblr x30\n2:\tb 3f\n1:\tmov %0, x30\n\tadr %1, 2b\n\tret\n3:"
                     : "=&r"(link), "=&r"(back) : : "x30");
    printf("blr x30 link == next insn: %d\n", link == back);
    /* BR and RET Xn through another register, counting hops. */
    __asm__ volatile("mov %2, #0\n\tadr %1, 1f\n\tbr %1\n\tmov %2, #100\n"
                     "1:\tadd %2, %2, #1\n\tadr %1, 2f\n\tret %1\n\tmov %2, #200\n"
                     "2:\tadd %2, %2, #1\n\tadr %0, 3f\n\tblr %0\n\tb 4f\n"
                     "3:\tadd %2, %2, #1\n\tret\n4:"
                     : "=&r"(target), "=&r"(back), "=&r"(hops) : : "x30");
    printf("br/ret xn/blr hops %lu\n", (unsigned long)hops);
}

static u64 mrs_nzcv_after_msr(u64 v)
{
    u64 r;
    __asm__ volatile("msr nzcv, %1\n\tmrs %0, nzcv" : "=r"(r) : "r"(v) : "cc");
    return r;
}

static u64 fpcr_round_trip(u64 v)
{
    u64 old, r;
    __asm__ volatile("mrs %0, fpcr\n\tmsr fpcr, %2\n\tmrs %1, fpcr\n\tmsr fpcr, %0"
                     : "=&r"(old), "=&r"(r) : "r"(v));
    return r;
}

static u64 fpsr_round_trip(u64 v)
{
    u64 old, r;
    __asm__ volatile("mrs %0, fpsr\n\tmsr fpsr, %2\n\tmrs %1, fpsr\n\tmsr fpsr, %0"
                     : "=&r"(old), "=&r"(r) : "r"(v));
    return r;
}

static void system_registers(void)
{
    static const u64 nzcv[] = {0, 0xf0000000, 0x90000000, 0x6fffffff, 0xffffffffffffffffULL};
    for (unsigned i = 0; i < sizeof nzcv / sizeof nzcv[0]; i++)
        printf("nzcv %016lx -> %08lx\n", (unsigned long)nzcv[i],
               (unsigned long)mrs_nzcv_after_msr(nzcv[i]));
    static const u64 fpcr[] = {0, 0x00400000, 0x00800000, 0x00c00000, 0x01000000, 0x02000000,
                               0x04000000, 0x07c00000, 0x00009f00};
    for (unsigned i = 0; i < sizeof fpcr / sizeof fpcr[0]; i++)
        printf("fpcr %08lx -> %08lx\n", (unsigned long)fpcr[i],
               (unsigned long)fpcr_round_trip(fpcr[i]));
    static const u64 fpsr[] = {0, 0x1, 0x9f, 0x08000000, 0x0800009f};
    for (unsigned i = 0; i < sizeof fpsr / sizeof fpsr[0]; i++)
        printf("fpsr %08lx -> %08lx\n", (unsigned long)fpsr[i],
               (unsigned long)fpsr_round_trip(fpsr[i]));

    u64 old, r;
    /* The thread pointer is live (TLS): restore it in the same asm statement. */
    __asm__ volatile("mrs %0, tpidr_el0\n\tmsr tpidr_el0, %2\n\tmrs %1, tpidr_el0\n\t"
                     "msr tpidr_el0, %0"
                     : "=&r"(old), "=&r"(r) : "r"(0x123456789abcdef0ULL));
    printf("tpidr_el0 round trip %016lx\n", (unsigned long)r);
    __asm__ volatile("mrs %0, tpidrro_el0" : "=r"(r));
    printf("tpidrro_el0 %lx\n", (unsigned long)r);

    u64 freq, t0, t1;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
    printf("cntfrq_el0 nonzero: %s\n", freq != 0 ? "ok" : "FAIL");
    __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(t0));
    volatile u64 sink = 0;
    for (int i = 0; i < 100000; i++)
        sink += i;
    __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(t1));
    printf("cntvct_el0 monotonic: %s\n", t1 >= t0 ? "ok" : "FAIL");
}

/* DC ZVA zeroes one aligned block of the size DCZID_EL0 gives (64 bytes here, 512 bytes under
 * qemu's "max" CPU), so only sizes relative to it are printed. */
static void dc_zva(void)
{
    static unsigned char buf[3 * 2048] __attribute__((aligned(2048)));
    u64 dczid;
    __asm__ volatile("mrs %0, dczid_el0" : "=r"(dczid));
    unsigned bs = 4u << (dczid & 15);
    printf("dczid_el0 DZP %lu, block size <= 2048: %d\n", (unsigned long)(dczid >> 4 & 1),
           bs <= 2048);
    if (bs > 2048)
        return;
    memset(buf, 0xaa, sizeof buf);
    __asm__ volatile("dc zva, %0" : : "r"(buf + bs + 13) : "memory");
    unsigned zero = 0, other = 0;
    for (unsigned i = 0; i < 3 * bs; i++) {
        if (i >= bs && i < 2 * bs)
            zero += buf[i] == 0;
        else
            other += buf[i] == 0xaa;
    }
    printf("dc zva zeroed the whole block: %d, kept the rest: %d\n", zero == bs, other == 2 * bs);
}

static void no_ops(void)
{
    static unsigned char line[64];
    __asm__ volatile("nop\n\tyield\n\tsev\n\tsevl\n\twfe\n\tesb\n\thint #34\n\thint #25\n\t"
                     "hint #29\n\thint #127\n\tclrex\n\tdmb ish\n\tdmb ishld\n\tdsb sy\n\t"
                     "isb\n\tdc cvau, %0\n\tdc civac, %0\n\tdc cvac, %0\n\tic ivau, %0\n\t"
                     "dsb ish\n\tisb"
                     : : "r"(line) : "memory");
    printf("hints, barriers, cache maintenance: ok\n");
}

int main(void)
{
    conditional_branches();
    calls();
    system_registers();
    dc_zva();
    no_ops();
    return 0;
}
