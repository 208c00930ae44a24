/* test_minhash.c - MinHash fingerprints: identical texts agree everywhere, the estimate
 * follows the true resemblance, unrelated texts share no band. */
#include <criterion/criterion.h>
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

Test(minhash, band_keys_are_31_bit_and_carry_the_band)
{
    kd_minhash m;
    kd_minhash_compute("hello world", 11, &m);
    for (unsigned i = 0; i < KD_MH_BANDS; i++) {
        int64_t k = kd_minhash_band(&m, i);
        cr_assert(k >= 0 && k < ((int64_t)1 << 31));
        cr_assert_eq(k >> 27, i);
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
