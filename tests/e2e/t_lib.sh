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
