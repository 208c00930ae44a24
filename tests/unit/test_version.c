/* test_version.c - classifier/version.c: the version the library reports. */
#include "helpers.h"

#include "kindly.h"

Test(version, the_library_reports_the_headers_version)
{
    const char *v = kd_version();
    cr_assert_not_null(v);
    cr_assert_str_eq(v, KINDLY_VERSION);
    unsigned major, minor, patch;
    char rest;
    cr_assert_eq(sscanf(v, "%u.%u.%u%c", &major, &minor, &patch, &rest), 3, "not MAJOR.MINOR.PATCH: %s", v);
}
