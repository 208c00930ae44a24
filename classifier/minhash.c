/*
 * minhash.c - one-permutation MinHash with densification (Li, Owen and Zhang 2012;
 * Shrivastava 2017), b-bit signatures (Li and Koenig 2010) and LSH band keys; the reasoning
 * and the parameters are in minhash.h.
 *
 * The cost is one hash per shingle. A shingle is four code points: the first three packed
 * into 63 bits (21 bits each), the fourth added through a multiplication by an odd constant,
 * then the splitmix64 finaliser, so no bytes are re-read and no per-shingle call is made.
 * (Version 1 hashed each shingle's bytes and then evaluated 64 multiply-shift functions on
 * it: 25.6k instructions for an 80-character comment, now 4.9k, densification included.)
 */
#include "minhash.h"

#include <pthread.h>
#include <string.h>

#include "normalize.h"

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

#define SEED 0x4b4e445932000000ULL /* "KNDY2": part of the file format */
#define CP_MASK ((1ULL << 63) - 1)
#define BIN_SHIFT 58               /* 64 - log2(KD_MH_K) */

_Static_assert(KD_MH_K == 64, "bins are chosen by the top 6 bits of a hash and tracked in a 64-bit mask");

static inline void add(kd_minhash *m, uint64_t *filled, uint64_t prev3, uint32_t cp)
{
    uint64_t h = mix64((prev3 ^ SEED) + (uint64_t)cp * 0x9e3779b97f4a7c15ULL);
    unsigned bin = (unsigned)(h >> BIN_SHIFT);
    uint32_t v = (uint32_t)h;
    if (v < m->v[bin])
        m->v[bin] = v;
    *filled |= 1ULL << bin;
    m->nshingles++;
}

/* The code point at s[*pos], 21 bits (invalid UTF-8 as 0x1fffff); advances *pos. */
static inline uint32_t next_cp(const char *s, size_t n, size_t *pos)
{
    unsigned char c = (unsigned char)s[*pos];
    if (c < 0x80) {
        ++*pos;
        return c;
    }
    int32_t cp;
    *pos += kd_utf8_decode(s + *pos, n - *pos, &cp);
    return (uint32_t)cp & 0x1fffff;
}

/* The probe sequence of an empty bin i: a 64-bit LCG seeded by i, whose top 6 bits name a
 * bin. The seeds do not depend on the text: they are computed once. */
static uint64_t probe_seed[KD_MH_K];
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

static void probe_init(void)
{
    for (unsigned i = 0; i < KD_MH_K; i++)
        probe_seed[i] = mix64(SEED + i);
}

/* An empty bin takes the value of the first filled bin along its own probe sequence. */
static void densify(kd_minhash *m, uint64_t filled)
{
    pthread_once(&probe_once, probe_init);
    uint32_t src[KD_MH_K];
    memcpy(src, m->v, sizeof src);
    for (uint64_t empty = ~filled; empty; empty &= empty - 1) { /* the empty bins, in order */
        unsigned i = (unsigned)__builtin_ctzll(empty);
        uint64_t x = probe_seed[i];
        unsigned j = 0;
        int t;
        for (t = 0; t < 512; t++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            j = (unsigned)(x >> BIN_SHIFT);
            if (filled >> j & 1)
                break;
        }
        if (t == 512) /* not reached in practice: a text with one filled bin takes ~64 probes */
            j = (unsigned)__builtin_ctzll(filled);
        m->v[i] = src[j];
    }
}

void kd_minhash_compute(const char *s, size_t n, kd_minhash *out)
{
    for (int i = 0; i < KD_MH_K; i++)
        out->v[i] = UINT32_MAX;
    out->nshingles = 0;
    if (n == 0)
        return;
    uint64_t prev = 0, filled = 0; /* prev: the last three code points, 21 bits each */
    size_t pos = 0, cps = 0;
    /* the first KD_MH_SHINGLE - 1 code points only start the first shingle */
    for (; pos < n && cps < KD_MH_SHINGLE - 1; cps++)
        prev = ((prev << 21) | next_cp(s, n, &pos)) & CP_MASK;
    if (pos == n) {
        add(out, &filled, prev, 0x200000u | (uint32_t)cps); /* the whole text is one shingle */
    } else {
        while (pos < n) { /* each further code point ends a shingle */
            uint32_t cp = next_cp(s, n, &pos);
            add(out, &filled, prev, cp);
            prev = ((prev << 21) | cp) & CP_MASK;
        }
    }
    densify(out, filled);
}

void kd_minhash_sig(const kd_minhash *m, uint8_t sig[KD_MH_SIGBYTES])
{
    _Static_assert(KD_MH_BITS == 4, "two minima per byte, the even one in the low half");
    for (int i = 0; i < KD_MH_SIGBYTES; i++)
        sig[i] = (uint8_t)((m->v[2 * i] & 0xf) | (m->v[2 * i + 1] & 0xf) << 4);
}

double kd_minhash_sig_similarity(const uint8_t a[KD_MH_SIGBYTES], const uint8_t b[KD_MH_SIGBYTES])
{
    unsigned same = 0;
    for (int i = 0; i < KD_MH_SIGBYTES; i++) {
        uint8_t x = a[i] ^ b[i];
        same += !(x & 0x0f) + !(x & 0xf0);
    }
    const double c = 1.0 / (1 << KD_MH_BITS); /* chance agreement of unrelated minima */
    double j = ((double)same / KD_MH_K - c) / (1.0 - c);
    return j < 0 ? 0 : j > 1 ? 1 : j;
}

int64_t kd_minhash_band(const kd_minhash *m, unsigned i)
{
    const uint32_t *v = m->v + i * KD_MH_ROWS;
    _Static_assert(KD_MH_ROWS == 4, "a band is hashed as two 64-bit words");
    uint64_t h = mix64(((uint64_t)v[0] << 32 | v[1]) + mix64(((uint64_t)v[2] << 32 | v[3]) ^ SEED));
    return ((int64_t)i << 32) | (int64_t)(h >> 32);
}
