/* smc: self-modifying code. Writes machine code of the guest arch into an RWX mapping, calls it,
 * rewrites it (after the old version has run often enough to be compiled by a JIT), flushes with
 * __builtin___clear_cache (fence.i on RISC-V, dc cvau/ic ivau on AArch64, nothing on x86, whose
 * instruction fetch sees stores by itself), and calls again; then the W^X style (write, mprotect to
 * RX, call, mprotect back to RW, rewrite) on a second mapping. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef long (*fn0)(void);
typedef long (*fn1)(long);

#if defined(__riscv)
/* I-type and R-type encoders for the few instructions used here. */
static uint32_t addi(int rd, int rs1, int imm) { return ((uint32_t)imm & 0xfff) << 20 | (uint32_t)rs1 << 15 | (uint32_t)rd << 7 | 0x13; }
static uint32_t add(int rd, int rs1, int rs2) { return (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | (uint32_t)rd << 7 | 0x33; }
static uint32_t ret_insn(void) { return 0x00008067; } /* jalr x0, 0(ra) */

enum { A0 = 10, A1 = 11, ZERO = 0 };

/* rd = imm (small, non-negative) */
static uint32_t li(int rd, int imm) { return addi(rd, ZERO, imm); }
#elif defined(__aarch64__)
/* ADD/SUB (immediate), ADD (shifted register), MOVZ and RET, 64-bit forms. */
static uint32_t addi(int rd, int rn, int imm)
{
    uint32_t op = imm < 0 ? 0xd1000000u : 0x91000000u; /* sub : add */
    uint32_t uimm = (uint32_t)(imm < 0 ? -imm : imm) & 0xfff;
    return op | uimm << 10 | (uint32_t)rn << 5 | (uint32_t)rd;
}
static uint32_t add(int rd, int rn, int rm) { return 0x8b000000u | (uint32_t)rm << 16 | (uint32_t)rn << 5 | (uint32_t)rd; }
static uint32_t ret_insn(void) { return 0xd65f03c0u; } /* ret x30 */

enum { A0 = 0, A1 = 1 };

/* rd = imm (small, non-negative): movz */
static uint32_t li(int rd, int imm) { return 0xd2800000u | ((uint32_t)imm & 0xffff) << 5 | (uint32_t)rd; }
#elif defined(__x86_64__)
/* Four-byte x86 encodings in the same roles: A0 is the argument (rdi) and result (rax), A1 is
 * rsi; "ret" zero-extends ax into rax before returning, so `li` may set only al and ah. */
enum { A0 = 0, A1 = 6 };

/* mov al, lo; mov ah, hi */
static uint32_t li(int rd, int imm)
{
    (void)rd;
    return 0xb0u | ((uint32_t)imm & 0xff) << 8 | 0xb4u << 16 | ((uint32_t)imm >> 8 & 0xff) << 24;
}
/* lea rsi, [rdi + rdi] */
static uint32_t add(int rd, int rs1, int rs2)
{
    (void)rd, (void)rs1, (void)rs2;
    return 0x3f348d48u;
}
/* lea rax, [rsi + imm8] */
static uint32_t addi(int rd, int rs1, int imm)
{
    (void)rd, (void)rs1;
    return 0x00468d48u | ((uint32_t)imm & 0xff) << 24;
}
/* movzx eax, ax; ret */
static uint32_t ret_insn(void) { return 0xc3c0b70fu; }
#endif

static void emit(uint32_t *code, const uint32_t *words, size_t n)
{
    memcpy(code, words, n * sizeof *words);
    __builtin___clear_cache((char *)code, (char *)(code + n));
}

static void emit_const(uint32_t *code, int value)
{
    uint32_t words[] = { li(A0, value), ret_insn() };
    emit(code, words, 2);
}

int main(void)
{
    uint32_t *code = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        puts("mmap RWX failed");
        return 1;
    }
    printf("li a0,42 encodes as %08x, li a0,7 as %08x\n", li(A0, 42), li(A0, 7));
    emit_const(code, 42);
    fn0 f = (fn0)(uintptr_t)code;
    printf("first call: %ld\n", f());
    emit_const(code, 7);
    printf("after rewrite: %ld\n", f());

    /* Make the code hot, then change it: a translation cached or compiled for the old bytes
     * must not survive the rewrite. */
    long sum = 0;
    for (int round = 0; round < 5; round++) {
        emit_const(code, round * 100 + 1);
        for (int i = 0; i < 1000; i++)
            sum += f();
        printf("round %d: call gives %ld, sum %ld\n", round, f(), sum);
    }

    /* A function with a body: a0 = a0 + a0 + k, with k patched in place (one word changed). */
    uint32_t body[] = { add(A1, A0, A0), addi(A0, A1, 5), ret_insn() };
    uint32_t *g_code = code + 512; /* second page of the mapping */
    emit(g_code, body, 3);
    fn1 g = (fn1)(uintptr_t)g_code;
    printf("g(10) = %ld\n", g(10));
    for (int k = -3; k <= 3; k += 3) {
        uint32_t patched = addi(A0, A1, k);
        emit(g_code + 1, &patched, 1);
        long acc = 0;
        for (long i = 0; i < 200; i++)
            acc += g(i);
        printf("patched k=%d: g(10) = %ld, acc = %ld\n", k, g(10), acc);
    }
    munmap(code, 8192);

    /* W^X: write while RW, run while RX. */
    uint32_t *wx = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (wx == MAP_FAILED) {
        puts("mmap RW failed");
        return 1;
    }
    for (int v = 1; v <= 3; v++) {
        if (v > 1 && mprotect(wx, 4096, PROT_READ | PROT_WRITE) != 0) {
            puts("mprotect RW failed");
            return 1;
        }
        emit_const(wx, v * 11);
        if (mprotect(wx, 4096, PROT_READ | PROT_EXEC) != 0) {
            puts("mprotect RX failed");
            return 1;
        }
        fn0 h = (fn0)(uintptr_t)wx;
        long r = 0;
        for (int i = 0; i < 100; i++)
            r += h();
        printf("W^X version %d: %ld (x100 = %ld)\n", v, h(), r);
    }
    munmap(wx, 4096);
    return 0;
}
