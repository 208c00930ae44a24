/* test_minhash.c - MinHash fingerprints: identical texts agree everywhere, the estimate
 * follows the true resemblance, unrelated texts share no band, short texts are densified. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "minhash.h"

static double sim(const char *a, const char *b)
{
    kd_minhash x, y;
    uint8_t sa[KD_MH_SIGBYTES], sb[KD_MH_SIGBYTES];
    kd_minhash_compute(a, strlen(a), &x);
    kd_minhash_compute(b, strlen(b), &y);
    kd_minhash_sig(&x, sa);
    kd_minhash_sig(&y, sb);
    return kd_minhash_sig_similarity(sa, sb);
}

static int shared_bands(const char *a, const char *b)
{
    kd_minhash x, y;
    kd_minhash_compute(a, strlen(a), &x);
    kd_minhash_compute(b, strlen(b), &y);
    int n = 0;
    for (unsigned i = 0; i < KD_MH_BANDS; i++)
        n += kd_minhash_band(&x, i) == kd_minhash_band(&y, i);
    return n;
}

Test(minhash, identical_texts_are_similarity_one_and_share_every_band)
{
    const char *t = "thank you for this tutorial it is simple to understand and practice";
    cr_assert_float_eq(sim(t, t), 1.0, 1e-9);
    cr_assert_eq(shared_bands(t, t), KD_MH_BANDS);
}

Test(minhash, a_typo_stays_similar_an_unrelated_text_does_not)
{
    const char *a = "thank you for this tutorial it is simple to understand and practice";
    const char *b = "thank you for this tutoral it is simple to understand and practice";
    const char *c = "my therapist said something similar about self compassion last week";
    cr_assert_gt(sim(a, b), 0.6);
    cr_assert_lt(sim(a, c), 0.3);
    cr_assert_gt(shared_bands(a, b), 0);
    cr_assert_eq(shared_bands(a, c), 0);
}

Test(minhash, band_keys_carry_the_band_above_a_32_bit_hash)
{
    kd_minhash m;
    kd_minhash_compute("hello world", 11, &m);
    for (unsigned i = 0; i < KD_MH_BANDS; i++) {
        int64_t k = kd_minhash_band(&m, i);
        cr_assert(k >= 0);
        cr_assert_eq(k >> 32, i);
    }
}

/* One-permutation hashing leaves bins empty on a short text; densification fills every one
 * from a filled bin, the same way for the same text. */
Test(minhash, short_texts_fill_every_bin_deterministically)
{
    kd_minhash a, b;
    const char *t = "great post";
    kd_minhash_compute(t, strlen(t), &a);
    kd_minhash_compute(t, strlen(t), &b);
    cr_assert_eq(a.nshingles, 7);
    for (int i = 0; i < KD_MH_K; i++)
        cr_assert_neq(a.v[i], UINT32_MAX, "bin %d left empty", i);
    cr_assert_eq(memcmp(a.v, b.v, sizeof a.v), 0);
    /* at most 7 distinct values: each is one of the shingles' */
    unsigned distinct = 0;
    for (int i = 0; i < KD_MH_K; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = a.v[j] == a.v[i];
        distinct += !seen;
    }
    cr_assert_leq(distinct, 7);
}

/* The estimate follows the true resemblance on average: texts of 100 shingles sharing 60
 * (J = 60/140 = 0.43) and 90 (J = 0.82), over many random texts. */
static void random_text(char *s, size_t n, uint64_t *state)
{
    for (size_t i = 0; i < n; i++) {
        *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
        s[i] = (char)('a' + (*state >> 33) % 26);
    }
    s[n] = 0;
}

Test(minhash, the_estimate_is_unbiased)
{
    const struct { size_t shared; double j; } cases[] = { { 60, 60.0 / 140 }, { 90, 90.0 / 110 } };
    for (size_t c = 0; c < 2; c++) {
        uint64_t state = 42;
        double sum = 0;
        const int runs = 400;
        for (int r = 0; r < runs; r++) {
            /* a = common + own_a, b = common + own_b; 4-shingles of random letters are
             * distinct, and a join costs 3 shingles on each side: lengths chosen to give
             * exactly `shared` common shingles out of 100 on each side */
            char common[128], own_a[128], own_b[128], a[260], b[260];
            size_t nc = cases[c].shared + 3, no = 100 - cases[c].shared;
            random_text(common, nc, &state);
            random_text(own_a, no, &state);
            random_text(own_b, no, &state);
            snprintf(a, sizeof a, "%s%s", common, own_a);
            snprintf(b, sizeof b, "%s%s", common, own_b);
            sum += sim(a, b);
        }
        cr_assert_float_eq(sum / runs, cases[c].j, 0.04, "J %.2f: mean estimate %.3f", cases[c].j, sum / runs);
    }
}

Test(minhash, short_and_empty_texts)
{
    kd_minhash m;
    kd_minhash_compute("", 0, &m);
    cr_assert_eq(m.nshingles, 0);
    kd_minhash_compute("ok", 2, &m);
    cr_assert_eq(m.nshingles, 1);
    /* multi-byte code points are shingled by code point: 5 code points -> 2 shingles */
    kd_minhash_compute("\xc3\xa9t\xc3\xa9s!", 7, &m);
    cr_assert_eq(m.nshingles, 2);
}

/* Signatures and band keys are stored in the history (the model file format): they must
 * never change with the code that computes them. Values from KD_MH_VERSION 2 as shipped. */
Test(minhash, fingerprints_are_part_of_the_file_format)
{
    static const struct {
        const char *text, *sig;
        int64_t band0, band5, band11;
    } cases[] = {
        { "great post", "5a2552bbaa22c2a52c2aaccabbabbab2bbc25baa255b5bbc2c55bca252ac5252",
          0xa989b11eLL, 0x54e5f0e04LL, 0xb6c80feedLL },
        { "buy cheap watches at my site now, best prices",
          "12dc1504036e9635f2763ecd607d27626623078d7cb80847260e8d4ef34720e6",
          0x4bc1b766LL, 0x5d384d27eLL, 0xb1471fd8fLL },
        { "ab", "1111111111111111111111111111111111111111111111111111111111111111",
          0x68d4d34bLL, 0x568d4d34bLL, 0xb68d4d34bLL },
        { "", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
          0x64dd659eLL, 0x564dd659eLL, 0xb64dd659eLL },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        kd_minhash m;
        uint8_t sig[KD_MH_SIGBYTES];
        char hex[2 * KD_MH_SIGBYTES + 1];
        kd_minhash_compute(cases[c].text, strlen(cases[c].text), &m);
        kd_minhash_sig(&m, sig);
        for (int i = 0; i < KD_MH_SIGBYTES; i++)
            snprintf(hex + 2 * i, 3, "%02x", sig[i]);
        cr_assert_str_eq(hex, cases[c].sig, "signature of \"%s\"", cases[c].text);
        cr_assert_eq(kd_minhash_band(&m, 0), cases[c].band0, "band 0 of \"%s\"", cases[c].text);
        cr_assert_eq(kd_minhash_band(&m, 5), cases[c].band5, "band 5 of \"%s\"", cases[c].text);
        cr_assert_eq(kd_minhash_band(&m, 11), cases[c].band11, "band 11 of \"%s\"", cases[c].text);
    }
}
