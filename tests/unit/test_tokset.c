/* test_tokset.c - distinct tokens of a comment, first occurrences in text order. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tokset.h"

Test(tokset, keeps_first_occurrences_in_order)
{
    kd_tokens t = KD_TOKENS_INIT;
    const char *words[] = { "free", "pills", "free", "now", "pills", "free" };
    for (size_t i = 0; i < 6; i++)
        cr_assert_eq(kd_tokens_push(&t, words[i], strlen(words[i])), 0);
    kd_tokset s = KD_TOKSET_INIT;
    cr_assert_eq(kd_tokset_build(&s, &t), 0);
    cr_assert_eq(s.n, 3);
    cr_assert_eq(s.idx[0], 0);
    cr_assert_eq(s.idx[1], 1);
    cr_assert_eq(s.idx[2], 3);
    kd_tokset_free(&s);
    kd_tokens_free(&t);
}

Test(tokset, long_texts_and_reuse)
{
    kd_tokens t = KD_TOKENS_INIT;
    kd_tokset s = KD_TOKSET_INIT;
    char w[16];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(w, sizeof w, "w%d", i % 1234);
        kd_tokens_push(&t, w, (size_t)n);
    }
    cr_assert_eq(kd_tokset_build(&s, &t), 0);
    cr_assert_eq(s.n, 1234);
    kd_tokens_clear(&t);
    kd_tokens_push(&t, "a", 1);
    cr_assert_eq(kd_tokset_build(&s, &t), 0);
    cr_assert_eq(s.n, 1);
    kd_tokens_clear(&t);
    cr_assert_eq(kd_tokset_build(&s, &t), 0);
    cr_assert_eq(s.n, 0);
    kd_tokset_free(&s);
    kd_tokset_free(NULL);
    kd_tokens_free(&t);
}
