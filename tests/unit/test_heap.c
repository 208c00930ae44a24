/* test_heap.c - classifier/heap.c: the process heap on transparent huge pages.
 *
 * kd_heap_huge_pages() works only before a process's first malloc, which a Criterion test
 * is long past. So the cases run this test program again (/proc/self/exe) with
 * KD_TEST_HEAP_CHILD set: the constructor below calls it first, before Criterion's main,
 * allocates, reads its own /proc/self/smaps and prints what it found on one line, then
 * exits without running any test. */
#define _GNU_SOURCE
#include "helpers.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heap.h"

/* The smaps entry (VmFlags) of the mapping holding address a: whether it has "hg"
 * (MADV_HUGEPAGE), and the mapping's start. */
static int smaps_of(uintptr_t a, uintptr_t *start, int *hg)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    int in = 0, found = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            in = lo <= a && a < hi;
            if (in)
                *start = lo;
        } else if (in && !strncmp(line, "VmFlags:", 8)) {
            *hg = strstr(line, " hg") != NULL;
            found = 0;
        }
    }
    fclose(f);
    return found;
}

/* The process's VmData in bytes (what RLIMIT_DATA limits), 0 when unreadable; read without
 * stdio, whose buffers are malloc'ed. */
static unsigned long vm_data(void)
{
    char status[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, status, sizeof status - 1);
    if (fd >= 0)
        close(fd);
    const char *vm = n > 0 ? (status[n] = 0, strstr(status, "VmData:")) : NULL;
    return vm ? strtoul(vm + 7, NULL, 10) << 10 : 0;
}

/* RLIMIT_DATA set to the process's data and more bytes more: 0, or -1 */
static int data_limit(unsigned long more)
{
    unsigned long now = vm_data();
    struct rlimit r = {now + more, now + more};
    return now && !setrlimit(RLIMIT_DATA, &r) ? 0 : -1;
}

static void *a_thread_mallocs(void *arg)
{
    void *volatile p = malloc(1);
    free(p);
    return arg;
}

__attribute__((constructor(101))) static void child(void)
{
    const char *mode = getenv("KD_TEST_HEAP_CHILD");
    if (!mode)
        return;
    /* a data limit the huge span cannot fit under: 16 MiB more */
    if (!strcmp(mode, "limit") && data_limit(16ul << 20))
        _exit(2);
    kd_heap_result rc = kd_heap_huge_pages();
    kd_heap_result again = kd_heap_huge_pages();
    if (!strcmp(mode, "past")) { /* the span taken, then 16 MiB of room: 8 MiB past the span */
        if (data_limit(16ul << 20))
            _exit(2);
        size_t n = (KD_HEAP_HUGE_SPAN + (8 << 20)) / (64 << 10), got = 0;
        char **p = malloc(n * sizeof *p);
        while (p && got < n && (p[got] = malloc(64 << 10)))
            memset(p[got++], 1, 64 << 10);
        printf("rc=%d past=%d\n", (int)rc, (int)(p && got == n));
        fflush(stdout);
        _exit(0);
    }
    if (!strcmp(mode, "thread")) { /* a thread's malloc: its arena, not the main heap's span */
        unsigned long before = vm_data();
        pthread_attr_t a;
        pthread_t t;
        if (pthread_attr_init(&a) || pthread_attr_setstacksize(&a, 256 << 10) ||
            pthread_create(&t, &a, a_thread_mallocs, NULL) || pthread_join(t, NULL))
            _exit(2);
        unsigned long grew = vm_data() - before;
        printf("rc=%d arena_under_16_MiB=%d\n", (int)rc, (int)(grew < (16ul << 20)));
        fflush(stdout);
        _exit(0);
    }
    /* 4 MiB in 64 KiB pieces, each written: from the heap, not mmap'ed one by one */
    char *p[64];
    for (int i = 0; i < 64; i++)
        if (!(p[i] = malloc(64 << 10)))
            _exit(3);
        else
            memset(p[i], i, 64 << 10);
    uintptr_t start = 0;
    int hg = 0;
    if (smaps_of((uintptr_t)p[63], &start, &hg))
        _exit(4);
    printf("rc=%d again=%d huge=%d hg=%d aligned=%d\n", (int)rc, (int)again, kd_heap_is_huge(), hg,
           (int)(start % (2u << 20) == 0));
    for (int i = 0; i < 64; i++)
        free(p[i]);
    fflush(stdout);
    _exit(0);
}

/* Runs this program as a child in mode; its line in out. */
static void run_child(const char *mode, char *out, size_t outlen)
{
#if defined(__SANITIZE_ADDRESS__)
    cr_skip_test("AddressSanitizer's malloc is not glibc's");
#endif
    int fd[2];
    cr_assert_eq(pipe(fd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        setenv("KD_TEST_HEAP_CHILD", mode, 1);
        execl("/proc/self/exe", "test_heap", (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    ssize_t n = read(fd[0], out, outlen - 1);
    close(fd[0]);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child failed: status 0x%x", status);
    cr_assert_gt(n, 0);
    out[n] = 0;
    /* a kernel without transparent huge pages (CONFIG_TRANSPARENT_HUGEPAGE off) refuses the
     * madvise: kindly works as without the call, and these cases have nothing to see */
    int rc;
    if (sscanf(out, "rc=%d", &rc) == 1 && rc == KD_HEAP_NO_MADVISE)
        cr_skip_test("this kernel refuses MADV_HUGEPAGE (no transparent huge pages)");
}

/* Runs the child in mode and expects its line to be the printf of want and what follows */
__attribute__((format(printf, 2, 3))) static void expect_child(const char *mode, const char *want, ...)
{
    char out[256], line[128];
    run_child(mode, out, sizeof out);
    va_list ap;
    va_start(ap, want);
    vsnprintf(line, sizeof line, want, ap);
    va_end(ap);
    cr_assert_str_eq(out, line);
}

Test(heap, before_the_first_malloc_the_heap_is_marked_for_huge_pages_from_a_2_MiB_boundary)
{
    /* the second call is late: malloc has its heap */
    expect_child("first", "rc=%d again=%d huge=1 hg=1 aligned=1\n", KD_HEAP_HUGE, KD_HEAP_LATE);
}

Test(heap, a_data_limit_the_span_does_not_fit_leaves_malloc_as_it_was)
{
    char out[256];
    run_child("limit", out, sizeof out); /* the child's 4 MiB were allocated all the same */
    char want[128];
    snprintf(want, sizeof want, "rc=%d again=%d huge=0 hg=0 aligned=", KD_HEAP_NO_BRK, KD_HEAP_NO_BRK);
    cr_assert(!strncmp(out, want, strlen(want)), "%s", out);
}

/* Once the span is taken, the heap grows past it as glibc grows it, by what it needs: with
 * KD_HEAP_HUGE_SPAN more asked for each time, a data limit with less room than that made every
 * malloc past the span fail (a 5 MB comment's check under ulimit -d 100000: out of memory) */
Test(heap, past_the_span_the_heap_grows_by_what_it_needs)
{
    expect_child("past", "rc=%d past=1\n", KD_HEAP_HUGE);
}

/* A thread's arena is glibc's as before: with the span's pad in force each took its whole
 * 64 MiB at its first malloc (8 serve threads: VmData 235 -> 658 MiB, and under ulimit -d
 * 300000 requests failed that had passed) */
Test(heap, a_threads_arena_is_not_given_the_span)
{
    expect_child("thread", "rc=%d arena_under_16_MiB=1\n", KD_HEAP_HUGE);
}

Test(heap, after_malloc_was_used_nothing_changes)
{
#if defined(__SANITIZE_ADDRESS__)
    cr_skip_test("AddressSanitizer's malloc is not glibc's: mallinfo2() knows nothing of it");
#endif
    void *brk0 = sbrk(0);
    cr_assert_eq(kd_heap_huge_pages(), KD_HEAP_LATE);
    cr_assert_eq(sbrk(0), brk0);
    cr_assert_eq(kd_heap_is_huge(), 0);
}
