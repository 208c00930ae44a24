/* test_public.c - what the CLI needed beyond kindly.h and an embedder building the same
 * feature (a WordPress plug-in, a moderation queue) needs too, through kindly.h alone: the
 * retired posts counted apart, whether a prune drops words of the site's own comments, and
 * whether the comment an undo took back has an id. The CLI called these as internal
 * functions, which libkindly.so did not export. Nothing but kindly.h is included here. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kindly.h"

static kd_comment comment(const char *id, const char *text, const char *post)
{
    kd_comment c = KD_COMMENT_INIT;
    c.id = id;
    c.text = text;
    c.post_id = post;
    return c;
}

static kd_model *open_memory(void)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, ":memory:", KD_OPEN_CREATE), 0, "%s", kd_model_error(m));
    return m;
}

/* A plug-in retires a post deleted from the blog with kd_post_put(m, id, "", ""): its status
 * page counts the posts held apart from the retired ones. */
Test(public, retired_posts_are_counted_apart)
{
    kd_model *m = open_memory();
    uint64_t all = 9, retired = 9;
    cr_assert_eq(kd_posts_count_retired(m, &retired), 0, "%s", kd_model_error(m));
    cr_assert_eq(retired, 0, "no posts table yet: none");
    /* (test_posts.c has the cases of what is retired) */
    cr_assert_eq(kd_post_put(m, "1", "Sleep", "Better sleep in a week"), 0);
    cr_assert_eq(kd_post_put(m, "2", "", ""), 0);
    cr_assert(!kd_posts_count(m, &all) && !kd_posts_count_retired(m, &retired));
    cr_expect(all == 2 && retired == 1, "%llu posts, %llu retired", (unsigned long long)all,
              (unsigned long long)retired);

    /* the contract for NULL, as kd_posts_count's */
    cr_expect_eq(kd_posts_count_retired(m, NULL), KD_EINVAL);
    cr_expect(strstr(kd_model_error(m), "kd_posts_count_retired: out is NULL"), "%s", kd_model_error(m));
    retired = 9;
    cr_expect_eq(kd_posts_count_retired(NULL, &retired), KD_EINVAL);
    cr_expect_eq(retired, 0);
    kd_model_close(m);
}

/* A plug-in that offers a prune warns, as `kindly train --prune` does, when the model has
 * learnt the site's own ham, whose rare words the prune drops; foreign ham alone is not
 * the site's. */
Test(public, a_model_says_whether_it_has_learnt_own_ham)
{
    kd_model *m = open_memory();
    cr_expect_eq(kd_model_has_own_ham(m), 0, "nothing learnt");
    kd_comment spam = comment(NULL, "cheap pills at pills.example", NULL),
               foreign = comment(NULL, "a comment of another site", "9");
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &spam, KD_SPAM, 1), 0);
    cr_assert_eq(kd_train_add_ex(m, &foreign, KD_HAM, 1, KD_TRAIN_FOREIGN), 0);
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    cr_expect_eq(kd_model_has_own_ham(m), 0, "spam and foreign ham only");

    kd_comment own = comment(NULL, "thanks, the breathing exercise helped me sleep", "1");
    cr_assert_eq(kd_feedback(m, &own, KD_HAM, 0, NULL), 0, "%s", kd_model_error(m));
    cr_expect_eq(kd_model_has_own_ham(m), 1, "its own commit read");
    cr_assert_eq(kd_feedback(m, &own, KD_HAM, 1, NULL), 0, "%s", kd_model_error(m));
    cr_expect_eq(kd_model_has_own_ham(m), 0, "unlearnt");

    cr_expect_eq(kd_model_has_own_ham(NULL), 0);
    kd_model *failed = NULL;
    cr_assert_eq(kd_model_open(&failed, "/nonexistent/x.db", 0), KD_EIO);
    cr_expect_eq(kd_model_has_own_ham(failed), 0, "a handle whose open failed");
    kd_model_close(failed);
    kd_model_close(m);
}

/* A moderation queue undoes a report under an id the history has no label under (a
 * mistyped one): the learning of the same text under another comment is taken back, and
 * kd_feedback_took() names it. Its name is "history:N" for one recorded without an id, and
 * an id may read so too: kd_feedback_took_bare() tells them apart. */
Test(public, the_comment_an_undo_took_back_says_whether_it_has_an_id)
{
    kd_model *m = open_memory();
    int changed = 0;
    kd_comment bare = comment(NULL, "Buy cheap pills now at pills.example", NULL), typo = comment("404", bare.text, NULL);
    cr_assert_eq(kd_feedback(m, &bare, KD_SPAM, 0, &changed), 0, "%s", kd_model_error(m));
    cr_assert_eq(changed, 1);
    cr_assert_eq(kd_feedback(m, &typo, KD_SPAM, 1, &changed), 0, "%s", kd_model_error(m));
    cr_assert_eq(changed, 1, "the text's learning taken back");
    cr_assert_not_null(kd_feedback_took(m));
    cr_expect_eq(strncmp(kd_feedback_took(m), "history:", 8), 0, "%s", kd_feedback_took(m));
    cr_expect_eq(kd_feedback_took_bare(m), 1, "recorded without an id: its record's name");

    /* an id that reads like a record's name is an id */
    kd_comment odd = comment("history:1", "Visit casino.example for free spins today", NULL),
               typo2 = comment("405", odd.text, NULL);
    cr_assert_eq(kd_feedback(m, &odd, KD_SPAM, 0, &changed), 0, "%s", kd_model_error(m));
    cr_expect_eq(kd_feedback_took_bare(m), 0, "a learning takes nothing back");
    cr_assert_eq(kd_feedback(m, &typo2, KD_SPAM, 1, &changed), 0, "%s", kd_model_error(m));
    cr_assert_eq(changed, 1);
    cr_expect_str_eq(kd_feedback_took(m), "history:1");
    cr_expect_eq(kd_feedback_took_bare(m), 0, "the comment's own id");

    cr_expect_eq(kd_feedback_took_bare(NULL), 0);
    kd_model_close(m);
}

typedef struct seen {
    int n;
    kd_history_entry e[4];
    char post[4][16];
} seen;

static int collect(void *ud, const kd_history_entry *e)
{
    seen *s = ud;
    if (s->n == 4)
        return 7;
    s->e[s->n] = *e;
    snprintf(s->post[s->n], sizeof s->post[0], "%s", e->post_id ? e->post_id : "(null)");
    s->n++;
    return 0;
}

/* A plug-in's "is comment 1170 remembered?" page: what the history holds under an id, its
 * post, time and the label feedback gave it; an id it does not hold is KD_ENOTFOUND. */
Test(public, a_comment_is_looked_up_in_the_history_by_its_id)
{
    kd_model *m = open_memory();
    kd_comment spam = comment("1170", "cheap pills at pills.example buy now", "12"),
               seen_only = comment("1171", "a kind word on the post", NULL);
    spam.date = "2024-05-01T13:45:00Z";
    int changed = 0;
    cr_assert_eq(kd_feedback(m, &spam, KD_SPAM, 0, &changed), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_history_record(m, &seen_only), 0, "%s", kd_model_error(m));

    seen s = { 0 };
    uint64_t found = 9;
    cr_assert_eq(kd_history_find(m, "1170", collect, &s, &found), 0, "%s", kd_model_error(m));
    cr_expect(found == 1 && s.n == 1, "%llu found", (unsigned long long)found);
    cr_expect_eq(s.e[0].label, KD_SPAM);
    cr_expect_eq(s.e[0].time, 1714571100);
    cr_expect_str_eq(s.post[0], "12");
    cr_expect_gt(s.e[0].seq, 0);

    memset(&s, 0, sizeof s);
    cr_assert_eq(kd_history_find(m, "1171", collect, &s, NULL), 0, "%s", kd_model_error(m));
    cr_expect(s.n == 1 && s.e[0].label == KD_UNLABELLED, "recorded, never given feedback");
    cr_expect_str_eq(s.post[0], "(null)");

    /* the label taken back by an undo */
    cr_assert_eq(kd_feedback(m, &spam, KD_SPAM, 1, &changed), 0, "%s", kd_model_error(m));
    memset(&s, 0, sizeof s);
    cr_assert_eq(kd_history_find(m, "1170", collect, &s, NULL), 0);
    cr_expect_eq(s.e[0].label, KD_HISTORY_TAKEN_BACK);

    /* a comment recorded without an id, by the name duplicate_of gives it; only such a one */
    kd_comment bare = comment(NULL, "no id given to this one", "7");
    cr_assert_eq(kd_history_record(m, &bare), 0, "%s", kd_model_error(m));
    char name[32];
    snprintf(name, sizeof name, "history:%lld", (long long)s.e[0].seq + 2);
    memset(&s, 0, sizeof s);
    cr_assert_eq(kd_history_find(m, name, collect, &s, NULL), 0, "%s: %s", name, kd_model_error(m));
    cr_expect_str_eq(s.post[0], "7");
    snprintf(name, sizeof name, "history:%lld", (long long)s.e[0].seq - 2); /* 1170's record */
    cr_expect_eq(kd_history_find(m, name, collect, &s, NULL), KD_ENOTFOUND, "%s has an id", name);

    /* an id not held: KD_ENOTFOUND, fn not called, the message names the id */
    memset(&s, 0, sizeof s);
    found = 9;
    cr_expect_eq(kd_history_find(m, "9999", collect, &s, &found), KD_ENOTFOUND);
    cr_expect(s.n == 0 && found == 0);
    cr_expect(strstr(kd_model_error(m), "'9999' is in the history") != NULL, "%s", kd_model_error(m));

    /* fn's nonzero value stops the walk and is returned */
    s.n = 4;
    cr_expect_eq(kd_history_find(m, "1170", collect, &s, &found), 7);
    cr_expect_eq(found, 1);

    /* the contract for NULL */
    cr_expect_eq(kd_history_find(m, NULL, collect, &s, &found), KD_EINVAL);
    cr_expect(strstr(kd_model_error(m), "kd_history_find: id is NULL"), "%s", kd_model_error(m));
    cr_expect_eq(found, 0);
    cr_expect_eq(kd_history_find(m, "1170", NULL, NULL, NULL), KD_EINVAL);
    found = 9;
    cr_expect_eq(kd_history_find(NULL, "1170", collect, &s, &found), KD_EINVAL);
    cr_expect_eq(found, 0);
    kd_model_close(m);
}
