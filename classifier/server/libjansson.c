/*
 * libjansson.c - jansson's functions, looked up with dlopen and dlsym at first use
 * (libjansson.h says why). The pointers have the types of <jansson.h>, so a call through
 * them is checked like a direct call. Until the library is loaded, or when it cannot be,
 * each function answers as jansson does for no value: NULL, 0 (a body not parsed is the
 * server's failure, a 500, as when jansson runs out of memory).
 */
#include "libjansson.h"

#include "dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct {
    __typeof__(json_loadb) *loadb;
    __typeof__(json_delete) *delete_;
    __typeof__(json_dumps) *dumps;
    __typeof__(json_vpack_ex) *vpack_ex; /* json_pack is variadic: it is json_vpack_ex(NULL, 0, ...) */
    __typeof__(json_object_get) *object_get;
    __typeof__(json_object_iter) *object_iter;
    __typeof__(json_object_iter_next) *object_iter_next;
    __typeof__(json_object_iter_key) *object_iter_key;
    __typeof__(json_object_iter_value) *object_iter_value;
    __typeof__(json_object_key_to_iter) *object_key_to_iter;
    __typeof__(json_string_value) *string_value;
    __typeof__(json_integer_value) *integer_value;
    __typeof__(json_real_value) *real_value;
    __typeof__(json_array_size) *array_size;
    __typeof__(json_array_get) *array_get;
} api;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_err[256];

static void load_once(void)
{
    /* the soname of jansson's ABI (4, stable since 2011), then the development link */
    static const char *const names[] = { "libjansson.so.4", "libjansson.so" };
    void *h = srv_dlopen(names, sizeof names / sizeof *names, "libjansson", "libjansson4", load_err, sizeof load_err);
    if (!h)
        return;
    static const char *const fn[] = { "json_loadb", "json_delete", "json_dumps", "json_vpack_ex", "json_object_get",
                                      "json_object_iter", "json_object_iter_next", "json_object_iter_key",
                                      "json_object_iter_value", "json_object_key_to_iter", "json_string_value",
                                      "json_integer_value", "json_real_value", "json_array_size", "json_array_get" };
    void *sym[sizeof fn / sizeof *fn];
    _Static_assert(sizeof sym == sizeof api, "one name per pointer, in the order of api");
    for (size_t i = 0; i < sizeof fn / sizeof *fn; i++)
        if (!(sym[i] = dlsym(h, fn[i]))) {
            snprintf(load_err, sizeof load_err, "libjansson has no %s", fn[i]);
            return; /* h stays loaded: harmless, and dlclose is not worth a path of its own */
        }
    memcpy(&api, sym, sizeof api); /* POSIX: a data pointer from dlsym is a function; published
                                    * before pthread_once returns to any caller */
}

static int loaded(void)
{
    pthread_once(&once, load_once);
    return api.array_get != NULL;
}

int srv_jansson_load(char *err, size_t errlen)
{
    if (loaded())
        return 0;
    snprintf(err, errlen, "%s", load_err);
    return -1;
}

json_t *json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error)
{
    if (loaded())
        return api.loadb(buffer, buflen, flags, error);
    if (error)
        memset(error, 0, sizeof *error);
    return NULL;
}

void json_delete(json_t *json)
{
    if (loaded())
        api.delete_(json);
}

char *json_dumps(const json_t *json, size_t flags) { return loaded() ? api.dumps(json, flags) : NULL; }

json_t *json_pack(const char *fmt, ...)
{
    if (!loaded())
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    json_t *v = api.vpack_ex(NULL, 0, fmt, ap);
    va_end(ap);
    return v;
}

json_t *json_object_get(const json_t *object, const char *key)
{
    return loaded() ? api.object_get(object, key) : NULL;
}

void *json_object_iter(json_t *object) { return loaded() ? api.object_iter(object) : NULL; }
void *json_object_iter_next(json_t *object, void *iter) { return loaded() ? api.object_iter_next(object, iter) : NULL; }
const char *json_object_iter_key(void *iter) { return loaded() ? api.object_iter_key(iter) : NULL; }
json_t *json_object_iter_value(void *iter) { return loaded() ? api.object_iter_value(iter) : NULL; }
void *json_object_key_to_iter(const char *key) { return loaded() ? api.object_key_to_iter(key) : NULL; }
const char *json_string_value(const json_t *string) { return loaded() ? api.string_value(string) : NULL; }
json_int_t json_integer_value(const json_t *integer) { return loaded() ? api.integer_value(integer) : 0; }
double json_real_value(const json_t *real) { return loaded() ? api.real_value(real) : 0; }
size_t json_array_size(const json_t *array) { return loaded() ? api.array_size(array) : 0; }
json_t *json_array_get(const json_t *array, size_t index) { return loaded() ? api.array_get(array, index) : NULL; }
