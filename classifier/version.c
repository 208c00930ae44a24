/*
 * version.c - the version of the library a program runs with.
 */
#include "kindly.h"

const char *kd_version(void)
{
    return KINDLY_VERSION;
}
