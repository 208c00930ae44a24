/*
 * minhash.c - MinHash fingerprints (Broder 1997), b-bit signatures (Li and Koenig 2010) and
 * LSH band keys; the reasoning and the parameters are in minhash.h.
 *
 * Each shingle is hashed once with kd_hash64; the KD_MH_K hash functions are then
 * multiply-shift functions h_i(x) = (a_i * x + b_i) >> 32 with odd 64-bit a_i (Dietzfelbinger
 * et al.), which is 2-independent enough for MinHash on a well-mixed input and costs one
 * multiply-add per shingle and function: the inner loop vectorises.
 */
#include "minhash.h"

#include <string.h>

#include "normalize.h"
#include "tokmap.h"

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The hash functions' coefficients, derived from a fixed seed (part of the file format). */
static void coefficients(uint64_t a[KD_MH_K], uint64_t b[KD_MH_K])
{
    uint64_t s = 0x4b4e4459u; /* "KNDY" */
    for (int i = 0; i < KD_MH_K; i++) {
        a[i] = splitmix(&s) | 1;
        b[i] = splitmix(&s);
    }
}

__attribute__((optimize("O3"), target_clones("avx2", "default")))
static void add_shingle(kd_minhash *m, const uint64_t *a, const uint64_t *b, uint64_t x)
{
    for (int i = 0; i < KD_MH_K; i++) {
        uint32_t h = (uint32_t)((a[i] * x + b[i]) >> 32);
        m->v[i] = h < m->v[i] ? h : m->v[i];
    }
    m->nshingles++;
}

void kd_minhash_compute(const char *s, size_t n, kd_minhash *out)
{
    uint64_t a[KD_MH_K], b[KD_MH_K];
    coefficients(a, b);
    for (int i = 0; i < KD_MH_K; i++)
        out->v[i] = UINT32_MAX;
    out->nshingles = 0;
    if (n == 0)
        return;
    /* start[j % (KD_MH_SHINGLE + 1)] = byte offset of the j-th code point */
    size_t start[KD_MH_SHINGLE + 1];
    size_t pos = 0, cps = 0;
    while (pos < n) {
        int32_t cp;
        start[cps % (KD_MH_SHINGLE + 1)] = pos;
        pos += kd_utf8_decode(s + pos, n - pos, &cp);
        cps++;
        if (cps >= KD_MH_SHINGLE) {
            size_t from = start[(cps - KD_MH_SHINGLE) % (KD_MH_SHINGLE + 1)];
            add_shingle(out, a, b, kd_hash64(s + from, pos - from));
        }
    }
    if (cps < KD_MH_SHINGLE)
        add_shingle(out, a, b, kd_hash64(s, n));
}

void kd_minhash_sig(const kd_minhash *m, uint8_t sig[KD_MH_SIGBYTES])
{
    memset(sig, 0, KD_MH_SIGBYTES);
    for (int i = 0; i < KD_MH_K; i++)
        sig[i / 2] |= (uint8_t)((m->v[i] & 0xf) << (4 * (i & 1)));
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
    uint64_t h = kd_hash64(m->v + i * KD_MH_ROWS, KD_MH_ROWS * sizeof m->v[0]);
    return ((int64_t)i << 27) | (int64_t)(h & ((1u << 27) - 1));
}
