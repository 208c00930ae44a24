/* test_keys.c - classifier/server/keys.c: the key file of `serve --keys` (comments, white
 * space, a file without keys refused) and bearer tokens. */
#include "helpers.h"
#include "server/keys.h"

static char dir[256];
static void setup(void) { th_tmpdir(dir, sizeof dir); }
static void teardown(void) { th_rmrf(dir); }
TestSuite(keys, .init = setup, .fini = teardown);

Test(keys, one_a_line_trimmed_comments_and_blank_lines_skipped)
{
    char kf[300], err[300];
    th_write(dir, "keys", "# comment\n  k1  \n\n\tk2\r\n", kf, sizeof kf);
    srv_keys *k = NULL;
    cr_assert_eq(srv_keys_load(&k, kf, err, sizeof err), 0, "%s", err);
    cr_assert_eq(srv_keys_count(k), 2);
    cr_assert(srv_key_ok(k, "k1"));
    cr_assert(srv_key_ok(k, "k2"));
    cr_assert_not(srv_key_ok(k, "k3"));
    cr_assert_not(srv_key_ok(k, ""));
    cr_assert_not(srv_key_ok(k, NULL));
    srv_keys_free(k);
    srv_keys_free(NULL);
    cr_assert(srv_key_ok(NULL, "anything"), "without --keys any key is accepted");
}

/* A key file saved by Notepad starts with a byte order mark: it is not part of the first
 * key, and a file of only a mark has no key. */
Test(keys, a_byte_order_mark_is_not_part_of_the_first_key)
{
    char kf[300], err[300];
    th_write(dir, "keys", "\xEF\xBB\xBFsecret1\r\nsecret2\r\n", kf, sizeof kf);
    srv_keys *k = NULL;
    cr_assert_eq(srv_keys_load(&k, kf, err, sizeof err), 0, "%s", err);
    cr_assert_eq(srv_keys_count(k), 2);
    cr_assert(srv_key_ok(k, "secret1"));
    cr_assert(srv_key_ok(k, "secret2"));
    srv_keys_free(k);
    th_write(dir, "keys", "\xEF\xBB\xBF\n", kf, sizeof kf);
    k = (srv_keys *)1;
    cr_assert_eq(srv_keys_load(&k, kf, err, sizeof err), -1, "a mark alone is no key");
    cr_assert_null(k);
    /* only at the start of the file: a mark inside is kept (a key is taken as written) */
    th_write(dir, "keys", "a\n\xEF\xBB\xBF" "b\n", kf, sizeof kf);
    cr_assert_eq(srv_keys_load(&k, kf, err, sizeof err), 0, "%s", err);
    cr_assert_not(srv_key_ok(k, "b"));
    srv_keys_free(k);
}

/* A comment after a key is not part of it; a key with a space in it, or a UTF-16 file
 * (Notepad's "Unicode"), is refused with the reason instead of locking every client out. */
Test(keys, trailing_comments_spaces_and_utf16)
{
    char kf[300], err[300];
    th_write(dir, "keys", "k1   # the blog\nk2\t#\n", kf, sizeof kf);
    srv_keys *k = NULL;
    cr_assert_eq(srv_keys_load(&k, kf, err, sizeof err), 0, "%s", err);
    cr_assert_eq(srv_keys_count(k), 2);
    cr_assert(srv_key_ok(k, "k1"));
    cr_assert(srv_key_ok(k, "k2"));
    srv_keys_free(k);
    th_write(dir, "keys", "k1\nmy key\n", kf, sizeof kf);
    k = (srv_keys *)1;
    cr_assert_eq(srv_keys_load(&k, kf, err, sizeof err), -1);
    cr_assert_null(k);
    cr_assert(strstr(err, ":2: a key has no spaces"), "%s", err);
    FILE *f = fopen(kf, "wb");
    cr_assert_not_null(f);
    fwrite("\xFF\xFEk\0e\0y\0\r\0\n\0", 1, 12, f);
    fclose(f);
    cr_assert_eq(srv_keys_load(&k, kf, err, sizeof err), -1);
    cr_assert(strstr(err, "UTF-16") && strstr(err, "iconv"), "%s", err);
    cr_assert_eq(srv_keys_load(&k, "/nonexistent/keys", err, sizeof err), -1);
    cr_assert(strstr(err, "No such file"), "the reason is given: %s", err);
    cr_assert_eq(srv_keys_load(&k, dir, err, sizeof err), -1);
    cr_assert(strstr(err, "Is a directory"), "the reason is given: %s", err);
}

/* A server started with a key file that holds no key would turn every request away: it is
 * refused at start, with the file's name. */
Test(keys, a_file_without_keys_or_unreadable_is_refused_with_its_name)
{
    static const char *const empty[] = { "", "\n\n", "# only a comment\n   \n" };
    char kf[300], err[300];
    for (size_t i = 0; i < sizeof empty / sizeof *empty; i++) {
        th_write(dir, "keys", empty[i], kf, sizeof kf);
        srv_keys *k = (srv_keys *)1;
        cr_assert_eq(srv_keys_load(&k, kf, err, sizeof err), -1, "'%s' was accepted", empty[i]);
        cr_assert_null(k);
        cr_assert(strstr(err, kf) && strstr(err, "no key"), "%s", err);
    }
    srv_keys *k = NULL;
    cr_assert_eq(srv_keys_load(&k, "/nonexistent/keys", err, sizeof err), -1);
    cr_assert(strstr(err, "/nonexistent/keys"), "%s", err);
}

/* The key file is opened close-on-exec, as the library's files are (read through a FIFO, so
 * that the descriptor can be looked at while srv_keys_load holds it). */
Test(keys, the_key_file_is_opened_close_on_exec, .timeout = 20)
{
    th_fifo kf;
    th_fifo_start(&kf, dir, "keys", "k1\n");
    srv_keys *k = NULL;
    char err[300];
    cr_assert_eq(srv_keys_load(&k, kf.path, err, sizeof err), 0, "%s", err);
    th_fifo_join(&kf);
    srv_keys_free(k);
    cr_assert(kf.found, "the key file's descriptor was not seen");
    cr_assert(kf.cloexec, "the key file is open without FD_CLOEXEC");
}

Test(keys, bearer_tokens)
{
    char buf[16];
    cr_assert_str_eq(srv_bearer_key("Bearer k1", buf, sizeof buf), "k1");
    cr_assert_str_eq(srv_bearer_key("bearer \t k1 \r", buf, sizeof buf), "k1", "the scheme in any case");
    cr_assert_null(srv_bearer_key(NULL, buf, sizeof buf));
    cr_assert_null(srv_bearer_key("Basic azE6", buf, sizeof buf));
    cr_assert_null(srv_bearer_key("Bearerk1", buf, sizeof buf));
    cr_assert_null(srv_bearer_key("Bearer ", buf, sizeof buf));
    /* too long for buf: sent, but no key (not cut to fit) */
    cr_assert_str_eq(srv_bearer_key("Bearer 0123456789abcdef", buf, sizeof buf), "", "too long for buf");
    cr_assert_eq(srv_key_ok(NULL, srv_bearer_key("Bearer 0123456789abcdef", buf, sizeof buf)), 0);
}

/* A key longer than a request's key buffer loaded, and no request could ever match it (the
 * 401 then said "needs a key" though one was sent). Refused at load; 255 bytes still fit. */
Test(keys, a_key_no_request_could_send_is_refused)
{
    char body[600], kf[300], err[400];
    memset(body, 'k', SRV_KEY_MAX);
    strcpy(body + SRV_KEY_MAX, "\n");
    th_write(dir, "keys", body, kf, sizeof kf);
    srv_keys *k = NULL;
    cr_assert_eq(srv_keys_load(&k, kf, err, sizeof err), 0, "%s", err);
    body[SRV_KEY_MAX] = '\0';
    cr_assert(srv_key_ok(k, body));
    srv_keys_free(k);
    memset(body, 'k', 300);
    strcpy(body + 300, "\n");
    th_write(dir, "keys", body, kf, sizeof kf);
    k = NULL;
    cr_assert_eq(srv_keys_load(&k, kf, err, sizeof err), -1);
    cr_assert(strstr(err, ":1: a key longer than 255 bytes"), "%s", err);
}

/* Keys are found through keyed hashes and confirmed byte for byte over the padded length:
 * every one of many keys is found, case-insensitively only where asked; prefixes,
 * extensions and near misses are not; a key of SRV_KEY_MAX bytes is, one longer is not. */
Test(keys, many_keys_exact_and_case_insensitive_no_prefix_or_extension)
{
    char kf[300], err[300];
    static char text[1000 * 24 + SRV_KEY_MAX + 2];
    size_t k = 0;
    for (int i = 0; i < 1000; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, "Key%04dabcdef\n", i);
    memset(text + k, 'z', SRV_KEY_MAX);
    text[k + SRV_KEY_MAX] = '\n';
    th_write(dir, "keys", text, kf, sizeof kf);
    srv_keys *keys = NULL;
    cr_assert_eq(srv_keys_load(&keys, kf, err, sizeof err), 0, "%s", err);
    cr_assert_eq(srv_keys_count(keys), 1001);
    char key[SRV_KEY_MAX + 2];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "Key%04dabcdef", i);
        cr_assert(srv_key_ok(keys, key), "%s", key);
        cr_assert(srv_key_ok_nocase(keys, key), "%s", key);
        snprintf(key, sizeof key, "key%04dABCDEF", i);
        cr_assert_not(srv_key_ok(keys, key), "%s", key);
        cr_assert(srv_key_ok_nocase(keys, key), "%s", key);
    }
    cr_assert_not(srv_key_ok(keys, "Key0001abcde"));
    cr_assert_not(srv_key_ok(keys, "Key0001abcdefg"));
    cr_assert_not(srv_key_ok(keys, "Key0001abcdeg"));
    cr_assert_not(srv_key_ok_nocase(keys, "key0001abcde"));
    cr_assert_not(srv_key_ok_nocase(keys, "Key1000abcdef"));
    memset(key, 'z', SRV_KEY_MAX);
    key[SRV_KEY_MAX] = '\0';
    cr_assert(srv_key_ok(keys, key));
    cr_assert(srv_key_ok_nocase(keys, key));
    key[SRV_KEY_MAX] = 'z';
    key[SRV_KEY_MAX + 1] = '\0';
    cr_assert_not(srv_key_ok(keys, key));
    cr_assert_not(srv_key_ok_nocase(keys, key));
    cr_assert_not(srv_key_ok_nocase(keys, ""));
    cr_assert_not(srv_key_ok_nocase(keys, NULL));
    cr_assert(srv_key_ok_nocase(NULL, "any"));
    srv_keys_free(keys);
}
