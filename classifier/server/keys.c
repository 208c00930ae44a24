/*
 * keys.c - the key file of `serve --keys` and the checks against it.
 *
 * The keys are held sorted and looked up with bsearch: a server may be given thousands
 * (one per client site), and every request to either API is checked.
 */
#include "keys.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct srv_keys {
    size_t n;
    char **key; /* sorted, for bsearch */
};

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int srv_keys_load(srv_keys **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    int rc = -1;
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    srv_keys *k = calloc(1, sizeof *k);
    FILE *f = fopen(path, "r");
    if (!k || !f) {
        if (k)
            snprintf(err, errlen, "%s: cannot be read: %s", path, strerror(errno));
        else
            snprintf(err, errlen, "out of memory");
        goto done;
    }
    ssize_t got;
    unsigned long no = 0;
    for (int first = 1; (got = getline(&line, &cap, f)) >= 0; first = 0) {
        char *s = line, *e = line + got;
        no++;
        if (first && got >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) /* a byte order mark (Notepad) */
            s += 3;
        /* Notepad's "Unicode" (UTF-16): every key would be refused, every client locked out */
        const unsigned char *u = (const unsigned char *)line;
        int utf16_bom = first && got >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF));
        if (utf16_bom || memchr(s, '\0', (size_t)(e - s))) {
            snprintf(err, errlen, "%s: the file is UTF-16 (or holds NUL bytes): save it as UTF-8, or convert it: "
                                  "iconv -f UTF-16 -t UTF-8 %s", path, path);
            goto done;
        }
        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (s == e || *s == '#')
            continue;
        /* a key has no white space: what follows one is a comment ("KEY  # the blog"), or a
         * mistake worth naming rather than a key nobody can send */
        char *end = s;
        while (end < e && !isspace((unsigned char)*end))
            end++;
        if (end < e) {
            char *rest = end;
            while (rest < e && isspace((unsigned char)*rest))
                rest++;
            if (*rest != '#') {
                snprintf(err, errlen, "%s:%lu: a key has no spaces (one key a line; '# ...' after a key is a comment)",
                         path, no);
                goto done;
            }
            e = end;
        }
        if (e - s > SRV_KEY_MAX) { /* the request side reads keys into buffers of that size */
            snprintf(err, errlen, "%s:%lu: a key longer than %d bytes, which no request could send whole",
                     path, no, SRV_KEY_MAX);
            goto done;
        }
        if (k->n == alloc) {
            size_t na = alloc ? alloc * 2 : 8;
            char **nk = realloc(k->key, na * sizeof *nk);
            if (!nk)
                goto oom;
            k->key = nk;
            alloc = na;
        }
        if (!(k->key[k->n] = strndup(s, (size_t)(e - s))))
            goto oom;
        k->n++;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: cannot be read: %s", path, strerror(errno)); /* (a directory: EISDIR) */
        goto done;
    }
    if (!k->n) {
        snprintf(err, errlen, "%s: no key in the file (one key a line; blank lines and lines starting with '#' "
                              "do not count)", path);
        goto done;
    }
    qsort(k->key, k->n, sizeof *k->key, cmpstr);
    *out = k;
    k = NULL;
    rc = 0;
    goto done;
oom:
    snprintf(err, errlen, "out of memory");
done:
    if (f)
        fclose(f);
    free(line);
    srv_keys_free(k);
    return rc;
}

size_t srv_keys_count(const srv_keys *k)
{
    return k ? k->n : 0;
}

void srv_keys_free(srv_keys *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->n; i++)
        free(k->key[i]);
    free(k->key);
    free(k);
}

int srv_key_ok(const srv_keys *keys, const char *key)
{
    if (!key || !*key)
        return 0;
    if (!keys)
        return 1;
    return keys->n && bsearch(&key, keys->key, keys->n, sizeof *keys->key, cmpstr) != NULL;
}

int srv_key_ok_nocase(const srv_keys *keys, const char *key)
{
    if (srv_key_ok(keys, key))
        return 1;
    for (size_t i = 0; keys && key && *key && i < keys->n; i++)
        if (!strcasecmp(keys->key[i], key))
            return 1;
    return 0;
}

const char *srv_bearer_key(const char *authorization, char *buf, size_t n)
{
    const char *s = authorization;
    if (!s || strncasecmp(s, "Bearer", 6) || (s[6] != ' ' && s[6] != '\t'))
        return NULL;
    for (s += 6; *s == ' ' || *s == '\t'; s++)
        ;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (!len || len >= n)
        return NULL;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}
