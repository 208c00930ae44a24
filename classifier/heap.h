/*
 * heap.h - the process heap on transparent huge pages (heap.c). Not part of kindly.h: the
 * heap belongs to the program (the CLI calls this first thing), not to a library its host
 * links.
 */
#ifndef KD_HEAP_H
#define KD_HEAP_H

/* What kd_heap_huge_pages() did. */
typedef enum {
    KD_HEAP_HUGE = 0,    /* the heap's first KD_HEAP_HUGE_SPAN bytes may be 2 MiB pages */
    KD_HEAP_LATE,        /* malloc had already taken memory: nothing changed */
    KD_HEAP_NO_BRK,      /* the program break could not move (a limit, or no brk heap) */
    KD_HEAP_NO_MADVISE   /* the kernel refused MADV_HUGEPAGE (no THP in this kernel) */
} kd_heap_result;

/* Address space the heap reserves and marks for huge pages (virtual: a page counts in the
 * process's memory only once touched, 2 MiB at a time where the kernel gives huge pages). */
#define KD_HEAP_HUGE_SPAN ((unsigned long)64 << 20)

/* Before the process's first malloc (glibc's malloc; KD_HEAP_LATE after it): moves the
 * program break to one page below a 2 MiB boundary, makes malloc's first sbrk take
 * KD_HEAP_HUGE_SPAN (later ones, and threads' arenas, take what glibc takes), and asks the
 * kernel (madvise MADV_HUGEPAGE) to back that span with huge pages when
 * /sys/kernel/mm/transparent_hugepage/enabled allows it ("always" or "madvise"). Memory is
 * then taken from the kernel 2 MiB at a time instead of 4 KiB, in one page fault instead of
 * 512. Memory freed stays with the process up to that span (malloc trims its heap above
 * it). Whatever it returns, malloc works as before. */
kd_heap_result kd_heap_huge_pages(void);

/* Whether kd_heap_huge_pages() returned KD_HEAP_HUGE in this process. */
int kd_heap_is_huge(void);

#endif
