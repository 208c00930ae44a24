/*
 * dl.h - a shared library the server loads with dlopen when it starts (libmicrohttpd,
 * jansson), so that other kindly processes do not map and relocate it.
 */
#ifndef KD_SRV_DL_H
#define KD_SRV_DL_H

#include <stddef.h>

/* The handle of the first of names[0..n) that dlopen loads (RTLD_NOW | RTLD_LOCAL: the soname
 * of the library's ABI first, then the development link), or NULL with "cannot load LIB
 * (install PKG): dlerror's message" in err. */
void *srv_dlopen(const char *const *names, size_t n, const char *lib, const char *pkg, char *err, size_t errlen);

#endif
