/* cflags: -march=armv8.1-a */
/* a64_atomic: the A64 exclusive, ordered and LSE atomic instructions, single-threaded:
 * load/store-exclusive success and failure (no monitor, other address, intervening store,
 * second store), exclusive pairs, exclusive retry loops in every size, load-acquire /
 * store-release (and RCpc LDAPR / LDAPUR / STLUR, assembled for ARMv8.4), CAS and CASP
 * success and failure, and every LSE read-modify-write in every size and ordering with the
 * old value returned and memory afterwards (including the neighbouring bytes). */
#include <stdint.h>
#include <stdio.h>

static uint64_t mem[4] __attribute__((aligned(16)));

static void set(uint64_t a, uint64_t b)
{
    mem[0] = a;
    mem[1] = b;
    mem[2] = 0x0f0e0d0c0b0a0908ULL;
    mem[3] = 0x1716151413121110ULL;
}

static void show_mem(void)
{
    printf(" mem=%016llx %016llx %016llx %016llx\n", (unsigned long long)mem[0],
           (unsigned long long)mem[1], (unsigned long long)mem[2], (unsigned long long)mem[3]);
}

/* ---- LSE read-modify-write: op<ordering><size> Rs, Rt, [Xn]. */
typedef uint64_t (*rmw_fn)(uint64_t *m, uint64_t v);
#define DEF_RMW(op, ord, tag, sfx, r)                                                  \
    static uint64_t f_##op##ord##_##tag(uint64_t *m, uint64_t v)                       \
    {                                                                                  \
        uint64_t old = 0x5a5a5a5a5a5a5a5aULL;                                          \
        __asm__ volatile(#op #ord sfx " %" r "2, %" r "0, [%1]"                        \
                         : "+&r"(old) : "r"(m), "r"(v) : "memory");                    \
        return old;                                                                    \
    }
#define SIZES(X, op, ord) X(op, ord, b, "b", "w") X(op, ord, h, "h", "w") X(op, ord, w, "", "w") X(op, ord, x, "", "x")
#define ORDS(X, op) SIZES(X, op, ) SIZES(X, op, a) SIZES(X, op, l) SIZES(X, op, al)
#define OPS(X) ORDS(X, ldadd) ORDS(X, ldclr) ORDS(X, ldeor) ORDS(X, ldset) ORDS(X, ldsmax) \
    ORDS(X, ldsmin) ORDS(X, ldumax) ORDS(X, ldumin) ORDS(X, swp)
OPS(DEF_RMW)

struct rmw { const char *name; rmw_fn fn; };
#define ENTRY_RMW(op, ord, tag, sfx, r) { #op #ord sfx " (" #tag ")", f_##op##ord##_##tag },
static const struct rmw rmws[] = { OPS(ENTRY_RMW) };

static const uint64_t rmw_vals[][2] = {
    /* memory, operand */
    { 0x00000000000000f0ULL, 0x0000000000000011ULL },
    { 0x8000000080008080ULL, 0x7fffffff7fff7f7fULL },
    { 0x7fffffff7fff7f7fULL, 0x8000000080008080ULL },
    { 0x0123456789abcdefULL, 0xfedcba9876543210ULL },
    { 0xffffffffffffffffULL, 0x0000000000000001ULL },
};

/* The store aliases (Rt = XZR). */
#define ST(name, sfx, r)                                                               \
    do {                                                                               \
        set(0x8899aabbccddeeffULL, 0);                                                 \
        __asm__ volatile(name " %" r "1, [%0]" : : "r"(mem), "r"(0x1122334455667788ULL) \
                         : "memory");                                                  \
        printf("%-10s", name);                                                         \
        show_mem();                                                                    \
    } while (0)

/* ---- CAS<ordering><size> Rs, Rt, [Xn]. */
#define CAS(name, r, expect, new)                                                      \
    do {                                                                               \
        set(0x8899aabbccddeeffULL, 0x0011223344556677ULL);                             \
        uint64_t s = (expect);                                                         \
        __asm__ volatile(name " %" r "0, %" r "2, [%1]" : "+r"(s) : "r"(mem), "r"((uint64_t)(new)) \
                         : "memory");                                                  \
        printf("%-8s expect %016llx: old %016llx", name, (unsigned long long)(expect), \
               (unsigned long long)s);                                                 \
        show_mem();                                                                    \
    } while (0)

/* ---- CASP<ordering> Rs, Rs+1, Rt, Rt+1, [Xn] (register pairs x4/x5 and x6/x7). */
#define CASP(name, r, e0, e1)                                                          \
    do {                                                                               \
        set(0x8899aabbccddeeffULL, 0x0011223344556677ULL);                             \
        uint64_t s0, s1;                                                               \
        __asm__ volatile("mov x4, %2\n\tmov x5, %3\n\tmov x6, %4\n\tmov x7, %5\n\t"    \
                         name " " r "4, " r "5, " r "6, " r "7, [%6]\n\t"              \
                         "mov %0, x4\n\tmov %1, x5"                                    \
                         : "=r"(s0), "=r"(s1)                                          \
                         : "r"((uint64_t)(e0)), "r"((uint64_t)(e1)),                   \
                           "r"(0xa1a2a3a4a5a6a7a8ULL), "r"(0xb1b2b3b4b5b6b7b8ULL), "r"(mem) \
                         : "x4", "x5", "x6", "x7", "memory");                          \
        printf("%-8s %016llx %016llx: old %016llx %016llx", name, (unsigned long long)(e0), \
               (unsigned long long)(e1), (unsigned long long)s0, (unsigned long long)s1); \
        show_mem();                                                                    \
    } while (0)

/* ---- Exclusives: load-exclusive then store-exclusive, printing the loaded value and the
 * status. `between` runs between the two (e.g. a plain store). */
#define EXCL(ld, st, r, off_ld, off_st, between)                                       \
    do {                                                                               \
        set(0x8899aabbccddeeffULL, 0x0011223344556677ULL);                             \
        uint64_t v, status;                                                            \
        __asm__ volatile(ld " %" r "0, [%2]\n\t" between "\n\t" st " %w1, %" r "4, [%3]" \
                         : "=&r"(v), "=&r"(status)                                     \
                         : "r"((char *)mem + (off_ld)), "r"((char *)mem + (off_st)),   \
                           "r"(0x0102030405060708ULL), "r"(mem + 3)                    \
                         : "x9", "memory");                                                  \
        printf("%-7s %-7s %d/%d %-24s: %016llx status %llu", ld, st, off_ld, off_st,    \
               between, (unsigned long long)v, (unsigned long long)status);            \
        show_mem();                                                                    \
    } while (0)

/* Exclusive pairs. */
#define EXCLP(ld, st, r, between)                                                      \
    do {                                                                               \
        set(0x8899aabbccddeeffULL, 0x0011223344556677ULL);                             \
        uint64_t v0, v1, status;                                                       \
        __asm__ volatile(ld " %" r "0, %" r "1, [%3]\n\t" between "\n\t"                \
                         st " %w2, %" r "4, %" r "5, [%3]"                             \
                         : "=&r"(v0), "=&r"(v1), "=&r"(status)                         \
                         : "r"(mem), "r"(0x0102030405060708ULL), "r"(0x1112131415161718ULL) \
                         : "x9", "memory");                                                  \
        printf("%-7s %-7s %-24s: %016llx %016llx status %llu", ld, st, between,         \
               (unsigned long long)v0, (unsigned long long)v1, (unsigned long long)status); \
        show_mem();                                                                    \
    } while (0)

/* A retry loop: atomic add of `add` through LDXR/STXR, as compilers emit without LSE. */
#define EXCL_LOOP(ld, st, r)                                                           \
    do {                                                                               \
        set(0x8899aabbccddeeffULL, 0x0011223344556677ULL);                             \
        uint64_t old, tmp, status;                                                     \
        __asm__ volatile("1:\t" ld " %" r "0, [%3]\n\t"                                \
                         "add %" r "1, %" r "0, %" r "4\n\t"                          \
                         st " %w2, %" r "1, [%3]\n\t"                                  \
                         "cbnz %w2, 1b"                                                \
                         : "=&r"(old), "=&r"(tmp), "=&r"(status)                       \
                         : "r"(mem), "r"(0x0101010101010101ULL)                        \
                         : "memory");                                                  \
        printf("loop %-7s %-7s: old %016llx", ld, st, (unsigned long long)old);         \
        show_mem();                                                                    \
    } while (0)

/* Load-acquire / store-release. */
#define LDA(name, r, off)                                                              \
    do {                                                                               \
        set(0x8899aabbccddeeffULL, 0x0011223344556677ULL);                             \
        uint64_t v = 0x5a5a5a5a5a5a5a5aULL;                                            \
        __asm__ volatile(".arch armv8.4-a\n\t" name " %" r "0, [%1]" : "+r"(v) : "r"((char *)mem + (off)) \
                         : "memory");                                                  \
        printf("%-8s %d: %016llx", name, off, (unsigned long long)v);                   \
        show_mem();                                                                    \
    } while (0)
#define STL(name, r, off)                                                              \
    do {                                                                               \
        set(0x8899aabbccddeeffULL, 0x0011223344556677ULL);                             \
        __asm__ volatile(".arch armv8.4-a\n\t" name " %" r "0, [%1]" : : "r"(0xf1e2d3c4b5a69788ULL), \
                         "r"((char *)mem + (off)) : "memory");                        \
        printf("%-8s %d:", name, off);                                                 \
        show_mem();                                                                    \
    } while (0)
#define RCPC_IMM(name, r, imm)                                                         \
    do {                                                                               \
        set(0x8899aabbccddeeffULL, 0x0011223344556677ULL);                             \
        uint64_t v = 0x5a5a5a5a5a5a5a5aULL;                                            \
        __asm__ volatile(".arch armv8.4-a\n\t" name " %" r "0, [%1, #" #imm "]"         \
                         : "+r"(v) : "r"((char *)mem + 8) : "memory");                 \
        printf("%-9s #%d: %016llx", name, imm, (unsigned long long)v);                  \
        show_mem();                                                                    \
    } while (0)

int main(void)
{
    for (size_t k = 0; k < sizeof rmws / sizeof rmws[0]; k++) {
        for (size_t i = 0; i < sizeof rmw_vals / sizeof rmw_vals[0]; i++) {
            set(rmw_vals[i][0], 0x0706050403020100ULL);
            uint64_t old = rmws[k].fn(mem, rmw_vals[i][1]);
            printf("%-14s %016llx: old %016llx", rmws[k].name,
                   (unsigned long long)rmw_vals[i][1], (unsigned long long)old);
            show_mem();
        }
    }
    ST("stadd", "", "x"); ST("staddlb", "b", "w"); ST("stclrh", "h", "w"); ST("steorl", "", "w");
    ST("stset", "", "x"); ST("stsmaxb", "b", "w"); ST("stsminlh", "h", "w");
    ST("stumax", "", "w"); ST("stuminl", "", "x");

    CAS("cas", "x", 0x8899aabbccddeeffULL, 0x1234567890abcdefULL);
    CAS("casa", "x", 0x8899aabbccddeefeULL, 0x1234567890abcdefULL);
    CAS("casl", "w", 0xffffffffccddeeffULL, 0x1234567890abcdefULL);
    CAS("casal", "w", 0xccddeefeULL, 0x1234567890abcdefULL);
    CAS("cash", "w", 0x1234eeffULL, 0x1234567890abcdefULL);
    CAS("casah", "w", 0xeefeULL, 0x1234567890abcdefULL);
    CAS("caslh", "w", 0xeeffULL, 0x1234567890abcdefULL);
    CAS("casalh", "w", 0x1ULL, 0x1234567890abcdefULL);
    CAS("casb", "w", 0xffULL, 0x1234567890abcdefULL);
    CAS("casab", "w", 0x1ffULL, 0x1234567890abcdefULL);
    CAS("caslb", "w", 0xfeULL, 0x1234567890abcdefULL);
    CAS("casalb", "w", 0xffULL, 0x1234567890abcdefULL);
    CAS("casal", "x", 0x8899aabbccddeeffULL, 0);

    CASP("casp", "x", 0x8899aabbccddeeffULL, 0x0011223344556677ULL);
    CASP("caspa", "x", 0x8899aabbccddeeffULL, 0x0011223344556676ULL);
    CASP("caspl", "x", 0x8899aabbccddeefeULL, 0x0011223344556677ULL);
    CASP("caspal", "x", 0x8899aabbccddeeffULL, 0x0011223344556677ULL);
    CASP("casp", "w", 0x12345678ccddeeffULL, 0x9abcdef08899aabbULL);
    CASP("caspa", "w", 0xccddeeffULL, 0x8899aabaULL);
    CASP("caspl", "w", 0xccddeefeULL, 0x8899aabbULL);
    CASP("caspal", "w", 0xccddeeffULL, 0x8899aabbULL);

    EXCL("ldxr", "stxr", "x", 0, 0, "");
    EXCL("ldaxr", "stlxr", "x", 8, 8, "");
    EXCL("ldxr", "stxr", "w", 4, 4, "");
    EXCL("ldaxr", "stlxr", "w", 8, 8, "");
    EXCL("ldxrh", "stxrh", "w", 2, 2, "");
    EXCL("ldaxrh", "stlxrh", "w", 6, 6, "");
    EXCL("ldxrb", "stxrb", "w", 1, 1, "");
    EXCL("ldaxrb", "stlxrb", "w", 15, 15, "");
    EXCL("ldxr", "stxr", "x", 0, 8, "");
    EXCL("ldxr", "stxr", "w", 8, 12, "");
    EXCL("ldxr", "stxr", "x", 0, 0, "str xzr, [%2]");
    EXCL("ldxr", "stxr", "x", 0, 0, "stxr w9, xzr, [%2]");
    EXCL("ldxrb", "stxrb", "w", 3, 3, "ldxrb w9, [%5]");
    EXCL("ldxr", "stxr", "x", 0, 0, "clrex");
    EXCL("ldxr", "stlxr", "w", 0, 0, "ldr x9, [%2]");

    EXCLP("ldxp", "stxp", "x", "");
    EXCLP("ldaxp", "stlxp", "x", "");
    EXCLP("ldxp", "stxp", "w", "");
    EXCLP("ldaxp", "stlxp", "w", "");
    EXCLP("ldxp", "stxp", "x", "str xzr, [%3, #8]");
    EXCLP("ldxp", "stxp", "w", "str wzr, [%3, #4]");
    EXCLP("ldxp", "stxp", "x", "stxp w9, xzr, xzr, [%3]");

    EXCL_LOOP("ldxrb", "stxrb", "w");
    EXCL_LOOP("ldaxrh", "stlxrh", "w");
    EXCL_LOOP("ldxr", "stlxr", "w");
    EXCL_LOOP("ldaxr", "stxr", "x");

    LDA("ldar", "x", 0); LDA("ldar", "w", 4); LDA("ldarh", "w", 2); LDA("ldarb", "w", 7);
    LDA("ldlar", "x", 8); LDA("ldlar", "w", 0); LDA("ldlarh", "w", 6); LDA("ldlarb", "w", 1);
    LDA("ldapr", "x", 8); LDA("ldapr", "w", 12); LDA("ldaprh", "w", 14); LDA("ldaprb", "w", 15);
    STL("stlr", "x", 8); STL("stlr", "w", 4); STL("stlrh", "w", 2); STL("stlrb", "w", 7);
    STL("stllr", "x", 0); STL("stllr", "w", 12); STL("stllrh", "w", 6); STL("stllrb", "w", 9);

    RCPC_IMM("ldapur", "x", -8); RCPC_IMM("ldapur", "w", 4); RCPC_IMM("ldapurh", "w", -2);
    RCPC_IMM("ldapurb", "w", 7); RCPC_IMM("ldapursb", "x", -5); RCPC_IMM("ldapursb", "w", -5);
    RCPC_IMM("ldapursh", "x", -2); RCPC_IMM("ldapursh", "w", -2); RCPC_IMM("ldapursw", "x", -4);
    RCPC_IMM("stlur", "x", 8); RCPC_IMM("stlur", "w", -4); RCPC_IMM("stlurh", "w", -8);
    RCPC_IMM("stlurb", "w", 23);
    return 0;
}
