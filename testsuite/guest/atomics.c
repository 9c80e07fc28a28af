/* atomics: __atomic_* and __sync_* builtins on 8/16/32/64-bit objects, single-threaded, so the
 * compiler emits AMO instructions and LR/SC loops (sub-word ones with masking) on riscv64, and
 * exclusive-access loops or outline-atomics calls on aarch64; plus hand-written loops per arch. */
#include <stdint.h>
#include <stdio.h>

static volatile uint64_t sink;
static uint64_t opaque(uint64_t v) { sink = v; return sink; }

#define SHOW(fmt, ...) printf(fmt "\n", __VA_ARGS__)

static void test_width64(void)
{
    static int64_t v = 100;
    int64_t old;
    old = __atomic_fetch_add(&v, (int64_t)opaque(5), __ATOMIC_SEQ_CST);
    SHOW("add64 old=%lld new=%lld", (long long)old, (long long)v);
    old = __atomic_fetch_sub(&v, (int64_t)opaque(200), __ATOMIC_ACQ_REL);
    SHOW("sub64 old=%lld new=%lld", (long long)old, (long long)v);
    old = __atomic_fetch_and(&v, (int64_t)opaque(0xff0), __ATOMIC_RELAXED);
    SHOW("and64 old=%lld new=%lld", (long long)old, (long long)v);
    old = __atomic_fetch_or(&v, (int64_t)opaque(0x10000000000LL), __ATOMIC_RELEASE);
    SHOW("or64 old=%lld new=%lld", (long long)old, (long long)v);
    old = __atomic_fetch_xor(&v, (int64_t)opaque(-1), __ATOMIC_ACQUIRE);
    SHOW("xor64 old=%lld new=%lld", (long long)old, (long long)v);
    old = __atomic_exchange_n(&v, (int64_t)opaque(-7), __ATOMIC_SEQ_CST);
    SHOW("xchg64 old=%lld new=%lld", (long long)old, (long long)v);
    int64_t expected = -7;
    int ok = __atomic_compare_exchange_n(&v, &expected, 77, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    SHOW("cas64 hit ok=%d v=%lld expected=%lld", ok, (long long)v, (long long)expected);
    expected = 1;
    ok = __atomic_compare_exchange_n(&v, &expected, 88, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    SHOW("cas64 miss ok=%d v=%lld expected=%lld", ok, (long long)v, (long long)expected);
    ok = __atomic_compare_exchange_n(&v, &expected, 99, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
    while (!ok) /* a weak CAS may fail spuriously; retry until it succeeds */
        ok = __atomic_compare_exchange_n(&v, &expected, 99, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
    SHOW("cas64 weak v=%lld", (long long)v);
#if defined(__riscv)
    /* AMO min/max through the instructions directly. */
    int64_t mn = 50, r;
    __asm__ volatile("amomin.d %0, %2, %1" : "=r"(r), "+A"(mn) : "r"((int64_t)opaque(-3)));
    SHOW("amomin.d old=%lld new=%lld", (long long)r, (long long)mn);
    uint64_t umx = 50, ur;
    __asm__ volatile("amomaxu.d %0, %2, %1" : "=r"(ur), "+A"(umx) : "r"(opaque(-3ULL)));
    SHOW("amomaxu.d old=%llu new=%llu", (unsigned long long)ur, (unsigned long long)umx);
    int32_t w = -10, wr;
    __asm__ volatile("amomax.w %0, %2, %1" : "=r"(wr), "+A"(w) : "r"((int32_t)opaque(7)));
    SHOW("amomax.w old=%d new=%d", wr, w);
    uint32_t uw = 0x80000000u, uwr;
    __asm__ volatile("amominu.w %0, %2, %1" : "=r"(uwr), "+A"(uw) : "r"((uint32_t)opaque(5)));
    SHOW("amominu.w old=%u new=%u", uwr, uw);
    int32_t sw = 0x7fffffff, swr;
    __asm__ volatile("amoadd.w %0, %2, %1" : "=r"(swr), "+A"(sw) : "r"((int32_t)opaque(1)));
    SHOW("amoadd.w wrap old=%d new=%d", swr, sw);
#elif defined(__x86_64__)
    /* LOCK XADD, implicitly locked XCHG, LOCK BTS/BTR and LOCK NEG through the instructions. */
    int64_t xv = 50, xr = opaque(-3);
    __asm__ volatile("lock xaddq %0, %1" : "+r"(xr), "+m"(xv) : : "cc");
    SHOW("lock xadd old=%lld new=%lld", (long long)xr, (long long)xv);
    int32_t wv = 0x7fffffff, wr = (int32_t)opaque(9);
    __asm__ volatile("xchgl %0, %1" : "+r"(wr), "+m"(wv));
    SHOW("xchg old=%d new=%d", wr, wv);
    uint64_t bits = 0x10;
    uint8_t was1, was2;
    __asm__ volatile("lock btsq $40, %0\n\tsetc %1\n\tlock btrq $4, %0\n\tsetc %2"
                     : "+m"(bits), "=r"(was1), "=r"(was2) : : "cc");
    SHOW("lock bts/btr: %llx %d %d", (unsigned long long)bits, was1, was2);
    int16_t nv = (int16_t)opaque(1234);
    __asm__ volatile("lock negw %0" : "+m"(nv) : : "cc");
    SHOW("lock neg: %d", nv);
#endif
}

static void test_small_widths(void)
{
    static uint8_t b[4] = { 1, 2, 0xfe, 4 };
    static uint16_t h[4] = { 1000, 0xfffe, 3, 4 };
    uint8_t ob = __atomic_fetch_add(&b[2], 5, __ATOMIC_SEQ_CST);
    SHOW("add8 old=%u new=%u neighbours=%u,%u", ob, b[2], b[1], b[3]);
    ob = __atomic_exchange_n(&b[1], 0xaa, __ATOMIC_SEQ_CST);
    SHOW("xchg8 old=%u bytes=%u,%u,%u,%u", ob, b[0], b[1], b[2], b[3]);
    uint16_t oh = __atomic_fetch_add(&h[1], 3, __ATOMIC_SEQ_CST);
    SHOW("add16 old=%u new=%u neighbours=%u,%u", oh, h[1], h[0], h[2]);
    uint16_t eh = 3;
    int ok = __atomic_compare_exchange_n(&h[2], &eh, 0x8001, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    SHOW("cas16 ok=%d h=%u,%u,%u,%u", ok, h[0], h[1], h[2], h[3]);
    SHOW("nand8 old=%u new=%u", __atomic_fetch_nand(&b[0], 0x0f, __ATOMIC_SEQ_CST), b[0]);
}

static void test_sync(void)
{
    static int32_t c32 = 0;
    static int64_t c64 = 0;
    for (int i = 0; i < 1000; i++) {
        __sync_fetch_and_add(&c32, i);
        __sync_add_and_fetch(&c64, (int64_t)i * i);
        __sync_fetch_and_xor(&c32, i << 3);
    }
    SHOW("sync sums c32=%d c64=%lld", c32, (long long)c64);
    int32_t prev = __sync_val_compare_and_swap(&c32, c32, 12345);
    SHOW("sync val cas prev!=0:%d now=%d", prev != 0, c32);
    SHOW("sync bool cas=%d now=%d", __sync_bool_compare_and_swap(&c32, 1, 2), c32);
    SHOW("lock_test_and_set old=%d", __sync_lock_test_and_set(&c32, 1));
    __sync_lock_release(&c32);
    __sync_synchronize();
    SHOW("after release=%d", c32);
    SHOW("sub_and_fetch=%lld or_and_fetch=%lld", (long long)__sync_sub_and_fetch(&c64, 1),
         (long long)__sync_or_and_fetch(&c64, 0x100000000LL));
}

static void test_lr_sc(void)
{
#if defined(__riscv)
    /* Hand-written LR/SC loops on a doubleword and a word. */
    static uint64_t word = 41;
    uint64_t tmp, fail;
    __asm__ volatile("1: lr.d %0, (%2)\n"
                     "   addi %0, %0, 1\n"
                     "   sc.d %1, %0, (%2)\n"
                     "   bnez %1, 1b\n"
                     : "=&r"(tmp), "=&r"(fail)
                     : "r"(&word)
                     : "memory");
    SHOW("lr/sc increment: %llu", (unsigned long long)word);
    static uint32_t w32 = 0xfffffff0u;
    int64_t loaded;
    __asm__ volatile("1: lr.w %0, (%2)\n"
                     "   addiw %1, %0, 32\n"
                     "   sc.w %1, %1, (%2)\n"
                     "   bnez %1, 1b\n"
                     : "=&r"(loaded), "=&r"(fail)
                     : "r"(&w32)
                     : "memory");
    SHOW("lr.w sign-extends: %lld, stored %u", (long long)loaded, w32);
#elif defined(__aarch64__)
    /* Hand-written exclusive load/store loops on a doubleword, a word and a pair. */
    static uint64_t word = 41;
    uint64_t tmp;
    uint32_t fail;
    __asm__ volatile("1: ldxr %0, [%2]\n"
                     "   add %0, %0, #1\n"
                     "   stxr %w1, %0, [%2]\n"
                     "   cbnz %w1, 1b\n"
                     : "=&r"(tmp), "=&r"(fail)
                     : "r"(&word)
                     : "memory");
    SHOW("ldxr/stxr increment: %llu", (unsigned long long)word);
    static uint32_t w32 = 0xfffffff0u;
    uint64_t loaded = ~0ULL;
    __asm__ volatile("1: ldaxr %w0, [%2]\n"
                     "   add %w0, %w0, #32\n"
                     "   stlxr %w1, %w0, [%2]\n"
                     "   cbnz %w1, 1b\n"
                     : "+&r"(loaded), "=&r"(fail)
                     : "r"(&w32)
                     : "memory");
    SHOW("ldaxr w zero-extends: %llx, stored %u", (unsigned long long)loaded, w32);
    static __attribute__((aligned(16))) uint64_t pair[2] = { 5, 0x8000000000000000ULL };
    uint64_t lo, hi;
    __asm__ volatile("1: ldxp %0, %1, [%3]\n"
                     "   add %0, %0, #2\n"
                     "   lsr %1, %1, #4\n"
                     "   stxp %w2, %0, %1, [%3]\n"
                     "   cbnz %w2, 1b\n"
                     : "=&r"(lo), "=&r"(hi), "=&r"(fail)
                     : "r"(pair)
                     : "memory");
    SHOW("ldxp/stxp pair: %llu %llx", (unsigned long long)pair[0], (unsigned long long)pair[1]);
#elif defined(__x86_64__)
    /* Hand-written LOCK CMPXCHG loops on a quadword and a doubleword, and CMPXCHG16B on a pair. */
    static uint64_t word = 41;
    uint64_t old, tmp;
    __asm__ volatile("   movq (%2), %0\n"
                     "1: leaq 1(%0), %1\n"
                     "   lock cmpxchgq %1, (%2)\n"
                     "   jne 1b\n"
                     : "=&a"(old), "=&r"(tmp)
                     : "r"(&word)
                     : "memory", "cc");
    SHOW("lock cmpxchg increment: %llu", (unsigned long long)word);
    static uint32_t w32 = 0xfffffff0u;
    uint64_t loaded = ~0ULL;
    uint32_t t32;
    __asm__ volatile("   movl (%2), %k0\n"
                     "1: leal 32(%q0), %1\n"
                     "   lock cmpxchgl %1, (%2)\n"
                     "   jne 1b\n"
                     : "+&a"(loaded), "=&r"(t32)
                     : "r"(&w32)
                     : "memory", "cc");
    SHOW("cmpxchg32 zero-extends: %llx, stored %u", (unsigned long long)loaded, w32);
    static union { uint64_t half[2]; __int128 whole; } slot = { { 5, 0x8000000000000000ULL } };
    uint64_t lo = 0, hi = 0;
    uint8_t ok;
    /* A first CMPXCHG16B with a wrong guess loads the pair; the second stores the update. */
    for (int i = 0; i < 2; i++) {
        uint64_t nlo = lo + 2, nhi = hi >> 4;
        __asm__ volatile("lock cmpxchg16b %2\n\tsete %3"
                         : "+a"(lo), "+d"(hi), "+m"(slot.whole), "=q"(ok)
                         : "b"(nlo), "c"(nhi)
                         : "cc");
        SHOW("cmpxchg16b #%d ok=%d rdx:rax=%llx:%llu", i, ok, (unsigned long long)hi, (unsigned long long)lo);
    }
    SHOW("cmpxchg16b pair: %llu %llx", (unsigned long long)slot.half[0], (unsigned long long)slot.half[1]);
#endif
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    SHOW("atomic loads/stores: %llu", (unsigned long long)__atomic_load_n(&word, __ATOMIC_ACQUIRE));
    __atomic_store_n(&word, 7, __ATOMIC_RELEASE);
    SHOW("after store: %llu lock-free(8)=%d", (unsigned long long)word, __atomic_always_lock_free(8, 0));
}

int main(void)
{
    test_width64();
    test_small_widths();
    test_sync();
    test_lr_sc();
    return 0;
}
