/* rv64_alu: the RV64IM register-register ALU instructions, and (when built with Zba/Zbb/Zbs, as
 * the rv64_alu_zbb variant) the bit-manipulation ones, through inline asm over a table of
 * edge-case operands: one line per (instruction, first operand), so a failure names the exact
 * instruction and operands. Immediate forms and 32-bit (W) forms with shift amounts of 32 and
 * more are included; then sign/zero-extending loads and unaligned accesses. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t vals[] = {
    0, 1, 2, 31, 32, 63, 64, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
    0x8000000000000000ULL, 0xffffffffffffffffULL, 0xfffffffffffffffeULL, 0x123456789abcdef0ULL,
};
#define NV (sizeof vals / sizeof vals[0])

/* op_LABEL(a, b) runs one instruction: register-register (RRN), register-immediate (RI), or
 * one source register (R1). RR(name) is RRN with the label as the mnemonic. */
#define RRN(label, insn) \
    static uint64_t op_##label(uint64_t a, uint64_t b) { uint64_t r; __asm__(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
#define RR(name) RRN(name, #name)
#define RI(label, insn, imm) \
    static uint64_t op_##label(uint64_t a, uint64_t b) { uint64_t r; (void)b; __asm__(insn " %0, %1, " #imm : "=r"(r) : "r"(a)); return r; }
#define R1(label, insn) \
    static uint64_t op_##label(uint64_t a, uint64_t b) { uint64_t r; (void)b; __asm__(insn " %0, %1" : "=r"(r) : "r"(a)); return r; }

RR(add) RR(sub) RR(sll) RR(srl) RR(sra) RR(slt) RR(sltu) RR(xor) RR(or) RR(and)
RR(addw) RR(subw) RR(sllw) RR(srlw) RR(sraw)
RR(mul) RR(mulh) RR(mulhu) RR(mulhsu) RR(mulw)
RR(div) RR(divu) RR(rem) RR(remu) RR(divw) RR(divuw) RR(remw) RR(remuw)
RI(addi_m1, "addi", -1) RI(addi_max, "addi", 2047) RI(addi_min, "addi", -2048)
RI(slti, "slti", -5) RI(sltiu, "sltiu", -5) RI(xori, "xori", -1) RI(ori, "ori", 0x555) RI(andi, "andi", -16)
RI(slli63, "slli", 63) RI(srli1, "srli", 1) RI(srai33, "srai", 33)
RI(addiw, "addiw", -2048) RI(slliw31, "slliw", 31) RI(srliw0, "srliw", 0) RI(sraiw17, "sraiw", 17)

#if defined(__riscv_zba) && defined(__riscv_zbb) && defined(__riscv_zbs)
#define HAVE_BITMANIP 1
RR(sh1add) RR(sh2add) RR(sh3add) RRN(add_uw, "add.uw") RRN(sh1add_uw, "sh1add.uw")
RRN(sh2add_uw, "sh2add.uw") RRN(sh3add_uw, "sh3add.uw")
RR(andn) RR(orn) RR(xnor) RR(max) RR(maxu) RR(min) RR(minu) RR(rol) RR(ror) RR(rolw) RR(rorw)
RR(bclr) RR(bext) RR(binv) RR(bset)
RI(slli_uw5, "slli.uw", 5) R1(clz, "clz") R1(ctz, "ctz") R1(cpop, "cpop") R1(clzw, "clzw")
R1(ctzw, "ctzw") R1(cpopw, "cpopw") R1(sext_b, "sext.b") R1(sext_h, "sext.h") R1(zext_h, "zext.h")
R1(orc_b, "orc.b") R1(rev8, "rev8") RI(rori13, "rori", 13) RI(roriw7, "roriw", 7) RI(bclri63, "bclri", 63)
RI(bexti31, "bexti", 31) RI(binvi0, "binvi", 0) RI(bseti40, "bseti", 40)
#else
#define HAVE_BITMANIP 0
#endif

struct op { const char *name; uint64_t (*fn)(uint64_t, uint64_t); int unary; };
#define E(n) { #n, op_##n, 0 }
#define U(n) { #n, op_##n, 1 }
static const struct op ops[] = {
    E(add), E(sub), E(sll), E(srl), E(sra), E(slt), E(sltu), E(xor), E(or), E(and),
    E(addw), E(subw), E(sllw), E(srlw), E(sraw),
    E(mul), E(mulh), E(mulhu), E(mulhsu), E(mulw),
    E(div), E(divu), E(rem), E(remu), E(divw), E(divuw), E(remw), E(remuw),
    U(addi_m1), U(addi_max), U(addi_min), U(slti), U(sltiu), U(xori), U(ori), U(andi),
    U(slli63), U(srli1), U(srai33), U(addiw), U(slliw31), U(srliw0), U(sraiw17),
#if HAVE_BITMANIP
    E(sh1add), E(sh2add), E(sh3add), E(add_uw), E(sh1add_uw), E(sh2add_uw), E(sh3add_uw),
    E(andn), E(orn), E(xnor), E(max), E(maxu), E(min), E(minu), E(rol), E(ror), E(rolw), E(rorw),
    E(bclr), E(bext), E(binv), E(bset),
    U(slli_uw5), U(clz), U(ctz), U(cpop), U(clzw), U(ctzw), U(cpopw), U(sext_b), U(sext_h), U(zext_h),
    U(orc_b), U(rev8), U(rori13), U(roriw7), U(bclri63), U(bexti31), U(binvi0), U(bseti40),
#endif
};

int main(void)
{
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        if (ops[k].unary) {
            printf("%s:", ops[k].name);
            for (size_t i = 0; i < NV; i++)
                printf(" %llx", (unsigned long long)ops[k].fn(vals[i], 0));
            putchar('\n');
            continue;
        }
        for (size_t i = 0; i < NV; i++) {
            printf("%s %llx:", ops[k].name, (unsigned long long)vals[i]);
            for (size_t j = 0; j < NV; j++)
                printf(" %llx", (unsigned long long)ops[k].fn(vals[i], vals[j]));
            putchar('\n');
        }
    }
    /* lui/auipc-free constants and sign extension of loads. */
    static const uint8_t bytes[8] = { 0x80, 0x7f, 0xff, 0x01, 0x00, 0x80, 0xff, 0xff };
    const volatile uint8_t *p = bytes;
    int64_t lb, lh, lw;
    uint64_t lbu, lhu, lwu;
    __asm__ volatile("lb %0, 0(%1)" : "=r"(lb) : "r"(p));
    __asm__ volatile("lh %0, 4(%1)" : "=r"(lh) : "r"(p));
    __asm__ volatile("lw %0, 4(%1)" : "=r"(lw) : "r"(p));
    __asm__ volatile("lbu %0, 0(%1)" : "=r"(lbu) : "r"(p));
    __asm__ volatile("lhu %0, 4(%1)" : "=r"(lhu) : "r"(p));
    __asm__ volatile("lwu %0, 4(%1)" : "=r"(lwu) : "r"(p));
    printf("loads: lb=%lld lh=%lld lw=%lld lbu=%llu lhu=%llu lwu=%llu\n", (long long)lb, (long long)lh,
           (long long)lw, (unsigned long long)lbu, (unsigned long long)lhu, (unsigned long long)lwu);
    /* Unaligned accesses (allowed in Linux user space). */
    static uint8_t buf[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    uint64_t u64;
    __asm__ volatile("ld %0, 3(%1)" : "=r"(u64) : "r"(buf));
    uint64_t val = 0x1122334455667788ULL;
    __asm__ volatile("sd %0, 5(%1)" : : "r"(val), "r"(buf) : "memory");
    printf("unaligned: ld=%016llx after sd:", (unsigned long long)u64);
    for (int i = 0; i < 16; i++)
        printf(" %02x", buf[i]);
    putchar('\n');
    return 0;
}
