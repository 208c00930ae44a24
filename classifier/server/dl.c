/*
 * dl.c - loading a shared library by the first of its names (dl.h).
 */
#include "dl.h"

#include <dlfcn.h>
#include <stdio.h>

void *srv_dlopen(const char *const *names, size_t n, const char *lib, const char *pkg, char *err, size_t errlen)
{
    void *h = NULL;
    for (size_t i = 0; !h && i < n; i++)
        h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(err, errlen, "cannot load %s (install %s): %s", lib, pkg, e ? e : "?");
    }
    return h;
}
