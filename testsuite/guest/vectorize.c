/* Loops that GCC's -O3 -ftree-vectorize turns into SIMD code (NEON on aarch64, RVV or plain
 * scalar code elsewhere): integer arithmetic of every width, saturating clamps, min/max,
 * reductions, byte searches, widening multiplies, interleaved (struct-array) accesses and
 * conversions. Portable C without intrinsics; prints checksums. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N 1003

static uint8_t u8a[N], u8b[N], u8r[N];
static int8_t s8a[N], s8b[N], s8r[N];
static uint16_t u16a[N], u16b[N], u16r[N];
static int16_t s16a[N], s16b[N], s16r[N];
static uint32_t u32a[N], u32b[N], u32r[N];
static int32_t s32a[N], s32b[N], s32r[N];
static uint64_t u64a[N], u64b[N], u64r[N];
static int64_t s64a[N], s64r[N];
static float fa[N], fr[N];
static double da[N];

struct rgb {
    uint8_t r, g, b;
};
struct pt4 {
    int16_t x, y, z, w;
};
struct pair32 {
    int32_t a, b;
};
static struct rgb pix[N];
static struct pt4 pts[N];
static struct pair32 prs[N];

static uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *c = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 1099511628211ull;
    }
    return h;
}

#define SHOW(name, arr) printf("%-24s %016llx\n", name, (unsigned long long)hash_bytes(arr, sizeof(arr)))
#define SHOWV(name, v) printf("%-24s %016llx\n", name, (unsigned long long)(v))

static void init(void)
{
    for (int i = 0; i < N; i++) {
        uint64_t r = rnd();
        u8a[i] = (uint8_t)r;
        u8b[i] = (uint8_t)(r >> 8);
        s8a[i] = (int8_t)(r >> 16);
        s8b[i] = (int8_t)(r >> 24);
        u16a[i] = (uint16_t)(r >> 32);
        u16b[i] = (uint16_t)(r >> 48);
        s16a[i] = (int16_t)(r >> 20);
        s16b[i] = (int16_t)(r >> 36);
        r = rnd();
        u32a[i] = (uint32_t)r;
        u32b[i] = (uint32_t)(r >> 32);
        s32a[i] = (int32_t)(r >> 16);
        s32b[i] = (int32_t)(r >> 8) >> (i & 15);
        u64a[i] = rnd();
        u64b[i] = rnd() >> (i & 31);
        s64a[i] = (int64_t)rnd() >> (i & 7);
        fa[i] = (float)(int32_t)(r >> 40) / 7.0f;
        da[i] = (double)(int64_t)rnd() / 3.0e9;
        pix[i].r = (uint8_t)(i * 3);
        pix[i].g = (uint8_t)(i * 5 + 1);
        pix[i].b = (uint8_t)(rnd());
        pts[i].x = (int16_t)i;
        pts[i].y = (int16_t)(-i * 3);
        pts[i].z = (int16_t)rnd();
        pts[i].w = (int16_t)(rnd() >> 3);
        prs[i].a = (int32_t)rnd();
        prs[i].b = (int32_t)(rnd() >> 40);
    }
    u8a[N - 7] = 0;
}

static void arith(void)
{
    for (int i = 0; i < N; i++)
        u8r[i] = (uint8_t)(u8a[i] + u8b[i] * 3);
    SHOW("u8 add/mul", u8r);
    for (int i = 0; i < N; i++)
        s8r[i] = (int8_t)(s8a[i] - s8b[i]);
    SHOW("s8 sub", s8r);
    for (int i = 0; i < N; i++)
        u16r[i] = (uint16_t)(u16a[i] * u16b[i] + (u16a[i] >> 3));
    SHOW("u16 mla/shr", u16r);
    for (int i = 0; i < N; i++)
        s16r[i] = (int16_t)((s16a[i] >> 2) ^ (s16b[i] << 1));
    SHOW("s16 sra/shl/eor", s16r);
    for (int i = 0; i < N; i++)
        u32r[i] = (u32a[i] & 0xff00ff00u) | (~u32b[i] & 0x00ff00ffu);
    SHOW("u32 and/bic/orr", u32r);
    for (int i = 0; i < N; i++)
        s32r[i] = s32a[i] * s32b[i] - s32a[i];
    SHOW("s32 mul/sub", s32r);
    for (int i = 0; i < N; i++)
        u64r[i] = u64a[i] + (u64b[i] << 7) - (u64a[i] >> 11);
    SHOW("u64 add/shift", u64r);
    for (int i = 0; i < N; i++)
        s64r[i] = s64a[i] < 0 ? -s64a[i] : s64a[i];
    SHOW("s64 abs", s64r);
    for (int i = 0; i < N; i++)
        s32r[i] = s32a[i] / 8;
    SHOW("s32 div8", s32r);
    for (int i = 0; i < N; i++)
        u8r[i] = (uint8_t)((u8a[i] + u8b[i] + 1) >> 1);
    SHOW("u8 rhadd", u8r);
    for (int i = 0; i < N; i++)
        s16r[i] = (int16_t)(s16a[i] == s16b[i] ? 1 : (s16a[i] > s16b[i] ? -1 : 7));
    SHOW("s16 cmp select", s16r);
}

static void clamps(void)
{
    for (int i = 0; i < N; i++) {
        int v = u8a[i] + u8b[i];
        u8r[i] = (uint8_t)(v > 255 ? 255 : v);
    }
    SHOW("u8 sat add", u8r);
    for (int i = 0; i < N; i++) {
        int v = s8a[i] - s8b[i];
        s8r[i] = (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
    }
    SHOW("s8 sat sub", s8r);
    for (int i = 0; i < N; i++) {
        int32_t v = s32a[i] >> 10;
        s16r[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
    }
    SHOW("s32->s16 clamp", s16r);
    for (int i = 0; i < N; i++) {
        int v = s16a[i] >> 4;
        u8r[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
    SHOW("s16->u8 clamp", u8r);
    for (int i = 0; i < N; i++)
        u16r[i] = u16a[i] > u16b[i] ? u16a[i] - u16b[i] : 0;
    SHOW("u16 sat sub", u16r);
}

static void minmax(void)
{
    for (int i = 0; i < N; i++)
        u8r[i] = u8a[i] < u8b[i] ? u8a[i] : u8b[i];
    SHOW("u8 min", u8r);
    for (int i = 0; i < N; i++)
        s8r[i] = s8a[i] > s8b[i] ? s8a[i] : s8b[i];
    SHOW("s8 max", s8r);
    for (int i = 0; i < N; i++)
        s16r[i] = s16a[i] > s16b[i] ? s16a[i] : s16b[i];
    SHOW("s16 max", s16r);
    for (int i = 0; i < N; i++)
        u32r[i] = u32a[i] < u32b[i] ? u32a[i] : u32b[i];
    SHOW("u32 min", u32r);
    for (int i = 0; i < N; i++)
        s64r[i] = s64a[i] > 12345 ? s64a[i] : 12345;
    SHOW("s64 max const", s64r);
    for (int i = 0; i < N; i++) {
        int d = u8a[i] - u8b[i];
        u8r[i] = (uint8_t)(d < 0 ? -d : d);
    }
    SHOW("u8 absdiff", u8r);
}

static void reductions(void)
{
    uint32_t s8 = 0;
    for (int i = 0; i < N; i++)
        s8 += u8a[i];
    SHOWV("sum u8", s8);
    int32_t s16 = 0;
    for (int i = 0; i < N; i++)
        s16 += s16a[i];
    SHOWV("sum s16", (uint32_t)s16);
    uint64_t s64 = 0;
    for (int i = 0; i < N; i++)
        s64 += u32a[i];
    SHOWV("sum u32->u64", s64);
    int64_t dot = 0;
    for (int i = 0; i < N; i++)
        dot += (int32_t)s16a[i] * s16b[i];
    SHOWV("dot s16", (uint64_t)dot);
    uint8_t mx = 0;
    for (int i = 0; i < N; i++)
        mx = u8a[i] > mx ? u8a[i] : mx;
    SHOWV("max u8", mx);
    int32_t mn = 0x7fffffff;
    for (int i = 0; i < N; i++)
        mn = s32a[i] < mn ? s32a[i] : mn;
    SHOWV("min s32", (uint32_t)mn);
    uint32_t sad = 0;
    for (int i = 0; i < N; i++) {
        int d = u8a[i] - u8b[i];
        sad += (uint32_t)(d < 0 ? -d : d);
    }
    SHOWV("sad u8", sad);
    uint64_t x = 0;
    for (int i = 0; i < N; i++)
        x ^= u64a[i];
    SHOWV("xor u64", x);
    uint32_t cnt = 0;
    for (int i = 0; i < N; i++)
        cnt += u8a[i] > 100;
    SHOWV("count >100", cnt);
}

static void searches(void)
{
    static char text[4096];
    for (int i = 0; i < (int)sizeof(text) - 1; i++)
        text[i] = (char)('a' + (rnd() % 26));
    text[sizeof(text) - 1] = 0;
    text[3001] = 'Z';
    text[3800] = 0;
    SHOWV("strlen", strlen(text));
    SHOWV("strchr Z", (uint64_t)(strchr(text, 'Z') - text));
    SHOWV("memchr Z", (uint64_t)((char *)memchr(text, 'Z', 3800) - text));
    SHOWV("strrchr q", (uint64_t)(strrchr(text, 'q') - text));
    char copy[4096];
    strcpy(copy, text);
    SHOWV("strcmp same", (uint64_t)(strcmp(copy, text) == 0));
    copy[2000] ^= 1;
    SHOWV("memcmp diff", (uint64_t)(memcmp(copy, text, 3800) > 0));
    int first = -1;
    for (int i = 0; i < N; i++) {
        if (u8a[i] == 0) {
            first = i;
            break;
        }
    }
    SHOWV("first zero", (uint64_t)first);
    uint32_t hits = 0;
    for (int i = 0; i < 3800; i++)
        hits += text[i] == 'e';
    SHOWV("count e", hits);
}

static void widening(void)
{
    for (int i = 0; i < N; i++)
        s32r[i] = (int32_t)s16a[i] * s16b[i];
    SHOW("s16*s16->s32", s32r);
    for (int i = 0; i < N; i++)
        u16r[i] = (uint16_t)(u8a[i] * u8b[i]);
    SHOW("u8*u8->u16", u16r);
    for (int i = 0; i < N; i++)
        u64r[i] = (uint64_t)u32a[i] * u32b[i];
    SHOW("u32*u32->u64", u64r);
    for (int i = 0; i < N; i++)
        s64r[i] = (int64_t)s32a[i] * s32b[i] + s64a[i];
    SHOW("s32*s32+s64", s64r);
    for (int i = 0; i < N; i++)
        s16r[i] = (int16_t)(((int32_t)s16a[i] * s16b[i]) >> 15);
    SHOW("q15 mul", s16r);
    for (int i = 0; i < N; i++)
        u16r[i] = (uint16_t)(u8a[i] + u8b[i]);
    SHOW("u8+u8->u16", u16r);
    for (int i = 0; i < N; i++)
        s32r[i] = s16a[i] - (int32_t)s8a[i];
    SHOW("s16-s8->s32", s32r);
}

static void shuffles(void)
{
    for (int i = 0; i < N; i++) {
        uint8_t t = pix[i].r;
        pix[i].r = pix[i].b;
        pix[i].b = t;
        pix[i].g = (uint8_t)(pix[i].g + 1);
    }
    SHOW("rgb swap", pix);
    for (int i = 0; i < N; i++)
        u8r[i] = (uint8_t)((pix[i].r * 77 + pix[i].g * 150 + pix[i].b * 29) >> 8);
    SHOW("rgb->gray", u8r);
    for (int i = 0; i < N; i++) {
        pts[i].x = (int16_t)(pts[i].x + pts[i].w);
        pts[i].y = (int16_t)(pts[i].y - pts[i].z);
        pts[i].z = (int16_t)(pts[i].z * 3);
    }
    SHOW("pt4 update", pts);
    int64_t acc = 0;
    for (int i = 0; i < N; i++)
        acc += (int64_t)prs[i].a * prs[i].b;
    SHOWV("pair dot", (uint64_t)acc);
    for (int i = 0; i < N; i++) {
        int32_t t = prs[i].a;
        prs[i].a = prs[i].b;
        prs[i].b = t ^ 0x5555;
    }
    SHOW("pair swap", prs);
    for (int i = 0; i < N; i++)
        u8r[i] = u8a[N - 1 - i];
    SHOW("reverse u8", u8r);
    for (int i = 0; i < N; i++)
        u32r[i] = (u32a[i] >> 24) | ((u32a[i] >> 8) & 0xff00) | ((u32a[i] << 8) & 0xff0000) |
                  (u32a[i] << 24);
    SHOW("bswap32", u32r);
    for (int i = 0; i < N / 2; i++) {
        u16r[2 * i] = u16a[i];
        u16r[2 * i + 1] = u16b[i];
    }
    SHOW("interleave u16", u16r);
}

static void conversions(void)
{
    for (int i = 0; i < N; i++)
        s32r[i] = s8a[i];
    SHOW("s8->s32", s32r);
    for (int i = 0; i < N; i++)
        u64r[i] = u16a[i];
    SHOW("u16->u64", u64r);
    for (int i = 0; i < N; i++)
        u8r[i] = (uint8_t)u32a[i];
    SHOW("u32->u8", u8r);
    for (int i = 0; i < N; i++)
        s16r[i] = (int16_t)s64a[i];
    SHOW("s64->s16", s16r);
    for (int i = 0; i < N; i++)
        fr[i] = (float)s32a[i] * 0.5f + fa[i];
    SHOW("s32->f32", fr);
    for (int i = 0; i < N; i++)
        s32r[i] = (int32_t)(fa[i] * 3.0f);
    SHOW("f32->s32", s32r);
    for (int i = 0; i < N; i++)
        s64r[i] = (int64_t)da[i];
    SHOW("f64->s64", s64r);
    for (int i = 0; i < N; i++)
        fr[i] = (float)u16a[i];
    SHOW("u16->f32", fr);
}

int main(void)
{
    init();
    arith();
    clamps();
    minmax();
    reductions();
    searches();
    widening();
    shuffles();
    conversions();
    return 0;
}
