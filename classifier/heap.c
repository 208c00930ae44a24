/*
 * heap.c - the process heap on transparent huge pages (heap.h).
 *
 * Every page a process touches for the first time is a page fault: the kernel finds a page,
 * zeroes it and maps it. On the virtual machines kindly is measured on, such a fault costs
 * 10 to 25 us, and a one-comment `kindly check` took about 60 of them for its heap (SQLite's
 * page cache, the rules, the comment's tokens), `kindly score` of sms.csv about 1,600. With
 * transparent huge pages the kernel maps 2 MiB in one fault. Linux gives them to anonymous
 * memory marked MADV_HUGEPAGE (transparent_hugepage/enabled = "madvise", Debian's default)
 * in whole 2 MiB-aligned ranges whose page table is still empty.
 *
 * glibc's malloc takes its main heap from the program break (sbrk), starting where the
 * kernel put the break, at no particular alignment, and asks for 132 KiB more at a time.
 * So, before malloc's first call:
 *   1. the break is moved to one page below a 2 MiB boundary: the address space skipped is
 *      never touched and costs nothing;
 *   2. M_TOP_PAD makes malloc's first sbrk take KD_HEAP_HUGE_SPAN at once;
 *   3. a malloc(1) takes it: malloc's own bookkeeping lands in the page below the boundary,
 *      so that the span above it is still untouched;
 *   4. M_TOP_PAD goes back to glibc's default, so that the heap grows past the span (and
 *      each thread's arena) by what it needs, as before, and M_TRIM_THRESHOLD above the
 *      span keeps malloc from giving the span back while the heap is within it;
 *   5. madvise(MADV_HUGEPAGE) marks the span.
 * (glibc's tunable glibc.malloc.hugetlb=1 does much the same, but only from the environment
 * the process starts with.) The kernel may still give 4 KiB pages (THP disabled, memory too
 * fragmented): malloc works the same either way.
 */
#include "heap.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#include <sys/mman.h>
#endif

#define HUGE_PAGE ((uintptr_t)2 << 20)

static int huge;  /* kd_heap_huge_pages() returned KD_HEAP_HUGE: set once, before threads */

int kd_heap_is_huge(void) { return huge; }

kd_heap_result kd_heap_huge_pages(void)
{
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
    /* arena: what malloc has taken by sbrk so far; 0 before its first call (mallinfo2 is
     * glibc 2.33's; mallinfo, before it, says the same in an int) */
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33)
    if (mallinfo2().arena != 0)
#else
    if (mallinfo().arena != 0)
#endif
        return KD_HEAP_LATE;
    long pagesize = sysconf(_SC_PAGESIZE);
    void *brk0 = sbrk(0);
    if (pagesize <= 0 || brk0 == (void *)-1)
        return KD_HEAP_NO_BRK;
    uintptr_t page = (uintptr_t)pagesize, cur = (uintptr_t)brk0;
    uintptr_t span = (cur + page + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);  /* above the page below it */
    if (sbrk((intptr_t)(span - page - cur)) == (void *)-1 || !mallopt(M_TOP_PAD, (int)KD_HEAP_HUGE_SPAN))
        return KD_HEAP_NO_BRK;
    void *volatile first = malloc(1);  /* volatile: a malloc freed at once is otherwise elided */
    free(first);
    if ((uintptr_t)sbrk(0) < span + KD_HEAP_HUGE_SPAN) {
        /* the span did not fit under a data limit (ulimit -d): malloc's first call took a
         * little memory by mmap; back to glibc's default pad, or every later malloc would
         * ask for the span again, and fail */
        mallopt(M_TOP_PAD, 128 * 1024);
        return KD_HEAP_NO_BRK;
    }
    /* the span taken, glibc's default pad again: left at the span, it made every later sbrk
     * past the span ask for 64 MiB more (under a data limit with less room, malloc failed
     * where the memory it needed fitted) and gave each thread's arena its whole 64 MiB at
     * once; the span is kept by trimming only a free top larger than it */
    mallopt(M_TRIM_THRESHOLD, (int)(KD_HEAP_HUGE_SPAN + HUGE_PAGE));
    mallopt(M_TOP_PAD, 128 * 1024);
    if (madvise((void *)span, KD_HEAP_HUGE_SPAN, MADV_HUGEPAGE))
        return KD_HEAP_NO_MADVISE;
    huge = 1;
    return KD_HEAP_HUGE;
#else
    return KD_HEAP_NO_MADVISE;
#endif
}
