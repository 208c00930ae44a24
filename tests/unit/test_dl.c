/* test_dl.c - classifier/server/dl.c: srv_dlopen loads the first of a library's names that
 * loads, and names the library and its Debian package when none does. */
#include "helpers.h"
#include <dlfcn.h>
#include "server/dl.h"

Test(dl, the_first_name_that_loads_is_loaded)
{
    static const char *const names[] = { "libkindly-no-such-library.so.9", "libc.so.6" };
    char err[256] = "untouched";
    void *h = srv_dlopen(names, 2, "libc", "libc6", err, sizeof err);
    cr_assert_not_null(h, "%s", err);
    cr_assert_not_null(dlsym(h, "strlen"));
    cr_assert_str_eq(err, "untouched", "no message when a name loads");
}

Test(dl, none_loading_names_the_library_and_its_package)
{
    static const char *const names[] = { "libkindly-no-such-library.so.9", "libkindly-no-such-library.so" };
    char err[256] = "";
    cr_assert_null(srv_dlopen(names, 2, "libnosuch", "libnosuch9", err, sizeof err));
    cr_assert(!strncmp(err, "cannot load libnosuch (install libnosuch9): ", 44), "%s", err);
    cr_assert_not_null(strstr(err, "libkindly-no-such-library.so"), "dlerror's message names the last name tried: %s", err);
}
