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

/* kd_tokmap_add_once counts a comment's repeated key once, a key of the next comment again,
 * returns the distinct count, and keeps doing so across the growth of the table (grown before
 * the comment's keys are added) and across kd_tokmap_clear. */
Test(tokmap, add_once_counts_each_key_once_per_comment)
{
    kd_tokmap t = KD_TOKMAP_INIT;
    kd_tokmap_seen mk = KD_TOKMAP_SEEN_INIT;
    const uint64_t a = kd_hash64("a", 1), b = kd_hash64("b", 1);
    const uint64_t first[] = { a, b, a, a, b };
    cr_assert_eq(kd_tokmap_add_once(&t, &mk, first, 5, 1, 0), 2);
    cr_assert_eq(kd_tokmap_get(&t, a)->spam, 1);
    cr_assert_eq(kd_tokmap_get(&t, b)->spam, 1);
    const uint64_t second[] = { b, b };
    cr_assert_eq(kd_tokmap_add_once(&t, &mk, second, 2, 0, -1), 1);
    cr_assert_eq(kd_tokmap_get(&t, b)->ham, -1);
    cr_assert_eq(kd_tokmap_get(&t, a)->ham, 0);
    /* a comment of 1000 keys, each twice, grows the table from 64 slots mid-batch */
    uint64_t many[2000];
    for (uint64_t k = 0; k < 1000; k++)
        many[k] = many[1999 - k] = kd_hash64(&k, sizeof k);
    size_t cap = t.cap;
    cr_assert_eq(kd_tokmap_add_once(&t, &mk, many, 2000, 0, 1), 1000);
    cr_assert_gt(t.cap, cap);
    cr_assert_eq(t.n, 1002);
    for (uint64_t k = 0; k < 1000; k++)
        cr_assert_eq(kd_tokmap_get(&t, many[k])->ham, 1);
    cr_assert_eq(kd_tokmap_add_once(&t, &mk, many, 2000, 0, 1), 1000);
    cr_assert_eq(kd_tokmap_get(&t, many[7])->ham, 2);
    /* as kd_tokmap_upsert: key 0 is key 1 */
    const uint64_t zero[] = { 0, 1 };
    cr_assert_eq(kd_tokmap_add_once(&t, &mk, zero, 2, 3, 0), 1);
    cr_assert_eq(kd_tokmap_get(&t, 1)->spam, 3);
    kd_tokmap_clear(&t);
    cr_assert_eq(kd_tokmap_add_once(&t, &mk, first, 5, 1, 0), 2);
    cr_assert_eq(kd_tokmap_get(&t, a)->spam, 1);
    cr_assert_eq(t.n, 2);
    kd_tokmap_seen_free(&mk);
    kd_tokmap_seen_free(NULL);
    kd_tokmap_free(&t);
}

/* The compact table finds what was added, at most 3/4 full, its counts in the shared pool,
 * and kd_tokmap32_get() reads it like a kd_tokmap. */
Test(tokmap, compact_table_finds_through_the_pool)
{
    static const kd_counts pool[3] = { { 0, 1 }, { 0, 2 }, { 0, 5 } };
    kd_tokmap32 t = KD_TOKMAP32_INIT;
    cr_assert_null(kd_tokmap32_get(&t, 42)); /* empty: no slots at all */
    cr_assert_eq(kd_tokmap32_init(&t, 300), 0);
    t.pool = pool;
    for (uint64_t k = 1; k <= 300; k++)
        kd_tokmap32_add(&t, kd_hash64(&k, sizeof k), (uint32_t)(k % 3));
    cr_assert_eq(t.n, 300);
    cr_assert_eq(t.cap, 512);
    const kd_tokmap32 *ct = &t;
    for (uint64_t k = 1; k <= 300; k++) {
        const kd_counts *c = kd_tokmap32_get(ct, kd_hash64(&k, sizeof k));
        cr_assert_not_null(c);
        cr_assert_eq(c, &pool[k % 3]);
    }
    for (uint64_t k = 301; k <= 1300; k++)
        cr_assert_null(kd_tokmap32_get(&t, kd_hash64(&k, sizeof k)));
    kd_tokmap32_free(&t);
    cr_assert_eq(t.cap, 0);
    cr_assert_null(t.keys);
}

Test(tokmap, compact_table_key_zero_is_stored_as_one)
{
    static const kd_counts pool[1] = { { 0, 9 } };
    kd_tokmap32 t;
    cr_assert_eq(kd_tokmap32_init(&t, 1), 0);
    t.pool = pool;
    kd_tokmap32_add(&t, 0, 0);
    cr_assert_eq(kd_tokmap32_get(&t, 1)->ham, 9);
    cr_assert_eq(kd_tokmap32_get(&t, 0)->ham, 9);
    kd_tokmap32_free(&t);
}

/* kd_tokmap_remove takes a key out and leaves every other key findable with its counts:
 * keys of one home slot (a run that wraps round the end of the table), removed from its
 * middle, its start and its end, and random keys removed from a large table; a removed
 * key's slot gives a new key zero counts. */
Test(tokmap, remove_keeps_every_other_key_findable)
{
    kd_tokmap t = KD_TOKMAP_INIT;
    cr_assert_eq(kd_tokmap_remove(&t, 5), 0);
    cr_assert_eq(kd_tokmap_reserve(&t, 10), 0);
    size_t cap = t.cap;
    uint64_t run[8];
    for (int i = 0; i < 8; i++) { /* home slot cap - 3: the run wraps */
        run[i] = (cap - 3) + (uint64_t)(i + 1) * cap;
        kd_tokmap_upsert(&t, run[i])->spam = i + 1;
    }
    kd_tokmap_upsert(&t, 1)->ham = 99; /* home slot 1, pushed along by the run */
    cr_assert_eq(t.cap, cap);
    static const int order[8] = { 3, 0, 7, 5, 1, 2, 6, 4 };
    for (int r = 0; r < 8; r++) {
        cr_assert_eq(kd_tokmap_remove(&t, run[order[r]]), 1);
        cr_assert_eq(kd_tokmap_remove(&t, run[order[r]]), 0);
        cr_assert_null(kd_tokmap_get(&t, run[order[r]]));
        cr_assert_eq(t.n, (size_t)(8 - r));
        for (int k = r + 1; k < 8; k++)
            cr_assert_eq(kd_tokmap_get(&t, run[order[k]])->spam, order[k] + 1, "key %d after %d removed", order[k], r);
        cr_assert_eq(kd_tokmap_get(&t, 1)->ham, 99);
    }
    kd_counts *c = kd_tokmap_upsert(&t, run[0]);
    cr_assert(c->spam == 0 && c->ham == 0, "a slot emptied by a removal kept its counts");
    kd_tokmap_free(&t);

    for (uint64_t k = 1; k <= 20000; k++)
        kd_tokmap_upsert(&t, kd_hash64(&k, sizeof k))->ham = (int64_t)k;
    for (uint64_t k = 1; k <= 20000; k += 3)
        cr_assert_eq(kd_tokmap_remove(&t, kd_hash64(&k, sizeof k)), 1);
    for (uint64_t k = 1; k <= 20000; k++) {
        const kd_counts *g = kd_tokmap_get(&t, kd_hash64(&k, sizeof k));
        if (k % 3 == 1)
            cr_assert_null(g, "key %llu removed, still found", (unsigned long long)k);
        else
            cr_assert(g && g->ham == (int64_t)k, "key %llu lost", (unsigned long long)k);
    }
    cr_assert_eq(t.n, 20000 - 6667);
    kd_tokmap_free(&t);
}
