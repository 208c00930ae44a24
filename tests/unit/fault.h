/* fault.h - the countdown shared by the fault-injection tests (test_oom.c: allocations,
 * test_ioerr.c: disk operations): the n-th operation counted from arming fails, once. */
#ifndef KD_TEST_FAULT_H
#define KD_TEST_FAULT_H

static long fault_at = -1; /* the operation (counted from 0) that fails; -1: none */
static long fault_counted; /* operations made since the count was armed */
static long fault_injected; /* failures injected */

/* Arm the count: operation n will fail (n < 0: none will). */
static inline void fault_arm(long n)
{
    fault_at = n;
    fault_counted = fault_injected = 0;
}

/* 1 when this operation is the one to fail. */
static inline int fault_now(void)
{
    if (fault_at < 0)
        return 0;
    if (fault_counted++ == fault_at) {
        fault_injected++;
        return 1;
    }
    return 0;
}

#endif
