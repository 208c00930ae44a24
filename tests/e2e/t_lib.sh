# End-to-end tests of libkindly.so as a program that loads it at run time sees it.

# A plug-in host dlopen()s the library, a worker thread JIT-matches rules (which gives the
# thread a JIT stack, freed by a thread-specific-data destructor in the library), the host
# dlclose()s the library, then the thread exits: glibc runs that destructor, which must
# still be mapped (it was not: SIGSEGV in __nptl_deallocate_tsd).
test_dlclose_before_a_matching_thread_exits() {
    san=$(printf '%s' "${KINDLY_MAKE_ARGS:-}" | sed -n 's/.*SANITIZE=\([^ ]\{1,\}\).*/\1/p')
    [ -z "$san" ] || skip "a sanitized library cannot be dlopen()ed by an uninstrumented host"
    b=$(printf '%s' "${KINDLY_MAKE_ARGS:-}" | sed -n 's/.*B=\([^ ]\{1,\}\).*/\1/p')
    case ${b:-build} in /*) so=$b/libkindly.so ;; *) so=$ROOT/${b:-build}/libkindly.so ;; esac
    [ -f "$so" ] || skip "no $so (make builds it)"
    command -v cc >/dev/null || skip "no C compiler"
    cat >host.c <<'C'
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "kindly.h"

static void *lib;
static pthread_barrier_t done_matching, closed;

#define SYM(name) __typeof__(name) *p_##name = (__typeof__(name) *)dlsym(lib, #name)

static void *worker(void *arg)
{
    int *rc = arg;
    SYM(kd_rules_parse);
    SYM(kd_rules_jit_compile);
    SYM(kd_rules_eval);
    SYM(kd_result_free);
    SYM(kd_rules_free);
    kd_rules *r = NULL;
    const char *text = "text CHEAP /cheap\\s+pills/i 1\n";
    kd_comment c = KD_COMMENT_INIT;
    c.text = "Cheap   pills here";
    kd_result res;
    *rc = p_kd_rules_parse(&r, "mem", text, strlen(text)) || p_kd_rules_jit_compile(r) ||
          p_kd_rules_eval(r, &c, NULL, &res) || res.nrules != 1;
    p_kd_result_free(&res);
    p_kd_rules_free(r);
    pthread_barrier_wait(&done_matching);
    pthread_barrier_wait(&closed); /* the library is gone when this thread ends */
    return NULL;
}

int main(int argc, char **argv)
{
    (void)argc;
    if (!(lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL))) {
        fprintf(stderr, "%s\n", dlerror());
        return 2;
    }
    pthread_barrier_init(&done_matching, NULL, 2);
    pthread_barrier_init(&closed, NULL, 2);
    pthread_t t;
    int rc = 1;
    pthread_create(&t, NULL, worker, &rc);
    pthread_barrier_wait(&done_matching);
    dlclose(lib);
    pthread_barrier_wait(&closed);
    pthread_join(t, NULL);
    puts(rc ? "the rule did not fire" : "ok");
    return rc;
}
C
    cc -std=gnu11 -Wall -Wextra -Werror -I"$ROOT/classifier" -o host host.c -ldl -pthread || fail "host.c does not build"
    expect_status 0 ./host "$so" || return 1
    contains "$T/out" ok
}

# kindly.h's thread-safety contract, as an embedding server uses it (named "server" so that
# `make tsan` runs it under ThreadSanitizer, whose reports fail that target): one kd_rules,
# interpreted and then JIT-compiled, shared by four threads that each classify through a
# handle of their own (two preloaded, two on demand, all remembering), while a fifth gives
# feedback and replaces posts (rebuilding the process's shared posts cache).
test_threads_of_an_embedding_server_share_one_rule_set_and_the_posts_cache() {
    san=$(printf '%s' "${KINDLY_MAKE_ARGS:-}" | sed -n 's/.*SANITIZE=\([^ ]\{1,\}\).*/\1/p')
    b=$(printf '%s' "${KINDLY_MAKE_ARGS:-}" | sed -n 's/.*B=\([^ ]\{1,\}\).*/\1/p')
    [ -n "$b" ] || { d=$(dirname "$KINDLY"); [ "$d" = "$ROOT" ] && b=build || b=$d; }
    case $b in /*) lib=$b/libkindly.a ;; *) lib=$ROOT/$b/libkindly.a ;; esac
    [ -f "$lib" ] || skip "no $lib"
    command -v cc >/dev/null && command -v pkg-config >/dev/null || skip "no C compiler or pkg-config"
    nm "$lib" 2>/dev/null | grep -q __tsan_init && san=thread
    cat >threads.c <<'C'
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "kindly.h"

static const char *path;
static kd_rules *rules;
static int failed;
static const char *texts[] = { "Cheap pills, order now http://bit.ly/x", "Thank you, my tomatoes grew well",
                               "great post!", "Buy viagra cheap at www.pills.example", "\xff\xfe not UTF-8 \xc3" };

static void check(int rc, kd_model *m, const char *what)
{
    if (rc) {
        fprintf(stderr, "%s: %s\n", what, kd_model_error(m));
        __atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
    }
}

static void *classify(void *arg)
{
    long t = (long)arg;
    kd_model *m = NULL;
    check(kd_model_open(&m, path, KD_OPEN_WRITE | (t % 2 ? KD_OPEN_PRELOAD : 0)), m, "open");
    kd_options o = KD_OPTIONS_INIT;
    o.rules = rules;
    o.remember = 1;
    for (int i = 0; i < 40; i++) {
        char id[32];
        snprintf(id, sizeof id, "t%ld-%d", t, i);
        kd_comment c = KD_COMMENT_INIT;
        c.id = id;
        c.text = texts[i % 5];
        c.post_id = i % 2 ? "p1" : "p2";
        kd_result r;
        check(kd_classify(m, &c, &o, &r), m, "classify");
        free(kd_result_json(&c, &r));
        kd_result_free(&r);
        check(kd_model_refresh(m, NULL), m, "refresh");
    }
    kd_model_close(m);
    return NULL;
}

static void *feedback(void *arg)
{
    (void)arg;
    kd_model *m = NULL;
    check(kd_model_open(&m, path, KD_OPEN_WRITE), m, "open");
    for (int i = 0; i < 10; i++) {
        char id[32], text[64];
        snprintf(id, sizeof id, "f%d", i);
        kd_comment c = KD_COMMENT_INIT;
        c.id = id;
        c.post_id = "p1";
        c.text = i % 2 ? "my tomato garden thanks you" : "casino bonus cheap";
        check(kd_feedback(m, &c, i % 2 ? KD_HAM : KD_SPAM, 0, NULL), m, "feedback");
        snprintf(text, sizeof text, "Growing tomatoes, part %d", i);
        check(kd_post_put(m, "p1", "Tomatoes", text), m, "post_put");
    }
    kd_model_close(m);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    path = argv[1];
    if (kd_rules_load(&rules, argv[2])) {
        fprintf(stderr, "%s\n", kd_rules_error(rules));
        return 1;
    }
    for (int round = 0; round < 2; round++) {
        if (round && kd_rules_jit_compile(rules))
            return 1;
        pthread_t th[5];
        for (long i = 0; i < 4; i++)
            pthread_create(&th[i], NULL, classify, (void *)(i + 4 * round));
        pthread_create(&th[4], NULL, feedback, NULL);
        for (int i = 0; i < 5; i++)
            pthread_join(th[i], NULL);
    }
    kd_rules_free(rules);
    kd_model *m = NULL;
    kd_history_stats hs = { 0 };
    if (kd_model_open(&m, path, KD_OPEN_READONLY) || kd_history_stats_get(m, &hs))
        failed = 1;
    kd_model_close(m);
    printf("%s %llu\n", failed ? "failed" : "ok", (unsigned long long)hs.comments);
    return failed;
}
C
    # shellcheck disable=SC2046
    cc -std=gnu11 -Wall -Wextra -Werror -g ${san:+-fsanitize=$san} -I"$ROOT/classifier" -o threads threads.c "$lib" \
        $(pkg-config --libs libpcre2-8 sqlite3 libutf8proc) -lcsv -lm -lpthread || fail "threads.c does not build"
    "$KINDLY" train -q -m m.db "$ROOT/tests/e2e/data/train.csv"
    printf 'post_id,title,text\np1,Tomatoes,Growing tomatoes\np2,Sleep,How to sleep better\n' >posts.csv
    "$KINDLY" posts -q -m m.db posts.csv
    expect_status 0 ./threads m.db "$ROOT/models/default.rules" || return 1
    # every comment classified is recorded (2 rounds x 4 threads x 40), and each feedback
    # comment once (the second round gives the same ids and texts the same labels)
    contains "$T/out" "ok 330"
}

# Every function kindly.h declares is exported by libkindly.so (built with
# -fvisibility=hidden, it exports what the header declares and nothing else), and every
# function it exports is declared there: an embedder links the same interface the CLI uses.
test_libkindly_so_exports_what_kindly_h_declares() {
    b=$(printf '%s' "${KINDLY_MAKE_ARGS:-}" | sed -n 's/.*B=\([^ ]\{1,\}\).*/\1/p')
    case ${b:-build} in /*) so=$b/libkindly.so ;; *) so=$ROOT/${b:-build}/libkindly.so ;; esac
    [ -f "$so" ] || skip "no $so (make builds it)"
    command -v nm >/dev/null || skip "no nm"
    sed -n 's/^[a-z].*[ *]\(kd_[a-z0-9_]*\)(.*/\1/p' "$ROOT/classifier/kindly.h" | sort -u >declared
    nm -D --defined-only "$so" | awk '$2 == "T" && $3 ~ /^kd_/ { print $3 }' | sort -u >exported
    [ "$(wc -l <declared)" -gt 60 ] || fail "only $(wc -l <declared) declarations read from kindly.h"
    missing=$(comm -23 declared exported) extra=$(comm -13 declared exported)
    [ -z "$missing" ] || fail "declared in kindly.h, not exported: $missing"
    [ -z "$extra" ] || fail "exported, not declared in kindly.h: $extra"
    for f in kd_posts_count_retired kd_model_has_own_ham kd_feedback_took_bare; do
        grep -qx "$f" exported || fail "$f is not exported"
    done
}

# kindly.h is included by programs built with their own warnings: it compiles cleanly as
# C99, C11 and C++11 with every warning an embedder is likely to turn on, its Doxygen
# comments included (clang -Wdocumentation: a @param naming no parameter of the function it
# documents, "\u" read as a command, "@param title, text" warned and, with -Werror, failed
# the embedder's build).
test_the_public_header_compiles_cleanly_under_strict_warnings() {
    printf '#include "kindly.h"\nint main(void) { kd_options o = KD_OPTIONS_INIT; kd_comment c = KD_COMMENT_INIT; (void)o; (void)c; return 0; }\n' >h.c
    cp h.c h.cpp
    if command -v gcc >/dev/null; then
        for std in c99 c11; do
            gcc -std=$std -pedantic -Wall -Wextra -Werror -I"$ROOT/classifier" -c h.c -o h.o || fail "gcc -std=$std"
        done
    fi
    if command -v g++ >/dev/null; then
        g++ -std=c++11 -pedantic -Wall -Wextra -Werror -I"$ROOT/classifier" -c h.cpp -o h.o || fail "g++"
    fi
    command -v clang >/dev/null || skip "no clang (for -Wdocumentation)"
    clang -std=c99 -pedantic -Wall -Wextra -Wdocumentation -Wdocumentation-unknown-command -Werror \
        -I"$ROOT/classifier" -c h.c -o h.o || fail "clang -Wdocumentation"
}

# The files the library opens itself are close-on-exec (README): an embedding server that
# forks and execs (a mailer, a hook) while another thread saves compiled rules must not hand
# the child the temporary file kd_rules_save_compiled() writes (mkstemp's descriptor was
# inheritable; the rule file and the compiled file it reads were not).
test_the_compiled_rules_are_written_close_on_exec() {
    command -v strace >/dev/null || skip "no strace"
    printf 'text CHEAP /cheap/i 1.0\n' >r.rules
    strace -f -e trace=openat -o trace "$KINDLY" rules --compile r.rules >out 2>err \
        || skip "strace cannot trace here: $(head -1 err)"
    grep -q 'r\.rules\.compiled\.' trace || fail "no temporary compiled file opened: $(grep rules trace)"
    grep 'r\.rules\.compiled\.' trace | grep -q O_CLOEXEC \
        || fail "the temporary compiled file is inheritable: $(grep 'r\.rules\.compiled\.' trace)"
}
