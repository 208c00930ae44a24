/*
 * keys.c - the key file of `serve --keys` and the checks against it.
 *
 * A server may be given thousands of keys (one per client site), and every request to
 * either API is checked, so a key is found by binary search; but the search must not tell
 * an attacker how much of a guess was right, as strcmp's early exit does (timing attacks
 * on secrets compared byte by byte). So the search is over a keyed hash of each key: a
 * 64-bit hash seeded with 16 random bytes drawn at load, whose order says nothing about
 * the keys' bytes to someone who does not know the seed; a hash that matches is then
 * confirmed by comparing every byte of the two keys padded to SRV_KEY_MAX + 1 bytes, in
 * time that depends on neither. Keys read from a host name (case-insensitive) have their
 * own hashes, of the lower-cased keys.
 */
#include "keys.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "tokmap.h"

#define PAD (SRV_KEY_MAX + 1)

typedef struct entry {
    uint64_t h;  /* the keyed hash */
    size_t i;    /* the key's index */
} entry;

struct srv_keys {
    size_t n;
    char **key;             /* as read, in file order */
    char *padded, *lower;   /* n keys of PAD bytes each, NUL-padded; lower: ASCII lower-cased */
    entry *exact, *nocase;  /* sorted by h */
    unsigned char seed[16];
};

static int cmp_entry(const void *a, const void *b)
{
    uint64_t x = ((const entry *)a)->h, y = ((const entry *)b)->h;
    return (x > y) - (x < y);
}

/* The key (at most SRV_KEY_MAX bytes) NUL-padded to PAD bytes, lower-cased if asked. */
static void pad(const char *key, size_t len, int lower, char out[PAD])
{
    memset(out, 0, PAD);
    for (size_t i = 0; i < len; i++)
        out[i] = lower ? (char)tolower((unsigned char)key[i]) : key[i];
}

static uint64_t keyed_hash(const srv_keys *k, const char p[PAD])
{
    char b[sizeof k->seed + PAD];
    memcpy(b, k->seed, sizeof k->seed);
    memcpy(b + sizeof k->seed, p, PAD);
    return kd_hash64(b, sizeof b);
}

/* Whether a and b (PAD bytes each) are equal, in time that depends on neither. */
static int equal_padded(const char *a, const char *b)
{
    unsigned char d = 0;
    for (size_t i = 0; i < PAD; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

/* Build the padded copies and the hash tables of the n keys read. */
static int index_keys(srv_keys *k)
{
    if (getrandom(k->seed, sizeof k->seed, 0) != (ssize_t)sizeof k->seed)
        return -1;
    k->padded = malloc(k->n * PAD);
    k->lower = malloc(k->n * PAD);
    k->exact = malloc(k->n * sizeof *k->exact);
    k->nocase = malloc(k->n * sizeof *k->nocase);
    if (!k->padded || !k->lower || !k->exact || !k->nocase)
        return -1;
    for (size_t i = 0; i < k->n; i++) {
        size_t len = strlen(k->key[i]);
        pad(k->key[i], len, 0, k->padded + i * PAD);
        pad(k->key[i], len, 1, k->lower + i * PAD);
        k->exact[i] = (entry){ keyed_hash(k, k->padded + i * PAD), i };
        k->nocase[i] = (entry){ keyed_hash(k, k->lower + i * PAD), i };
    }
    qsort(k->exact, k->n, sizeof *k->exact, cmp_entry);
    qsort(k->nocase, k->n, sizeof *k->nocase, cmp_entry);
    return 0;
}

/* Whether key is one of the keys (lower: compared ASCII case-insensitively). */
static int lookup(const srv_keys *k, const char *key, int lower)
{
    size_t len = strlen(key);
    if (len > SRV_KEY_MAX)
        return 0;
    char p[PAD];
    pad(key, len, lower, p);
    const entry *t = lower ? k->nocase : k->exact;
    const char *keys = lower ? k->lower : k->padded;
    uint64_t h = keyed_hash(k, p);
    size_t lo = 0, hi = k->n;
    while (lo < hi) { /* the first entry with a hash >= h */
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].h < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    int found = 0;
    for (; lo < k->n && t[lo].h == h; lo++) /* all keys of that hash (a collision: 2^-64) */
        found |= equal_padded(p, keys + t[lo].i * PAD);
    return found;
}

int srv_keys_load(srv_keys **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    int rc = -1;
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    srv_keys *k = calloc(1, sizeof *k);
    FILE *f = fopen(path, "re"); /* close-on-exec, as the library opens its files */
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
    if (index_keys(k)) {
        snprintf(err, errlen, "out of memory or no random seed: %s", strerror(errno));
        goto done;
    }
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
    free(k->padded);
    free(k->lower);
    free(k->exact);
    free(k->nocase);
    free(k);
}

int srv_key_ok(const srv_keys *keys, const char *key)
{
    if (!key || !*key)
        return 0;
    if (!keys)
        return 1;
    return lookup(keys, key, 0);
}

int srv_key_ok_nocase(const srv_keys *keys, const char *key)
{
    if (!key || !*key)
        return 0;
    if (!keys)
        return 1;
    return lookup(keys, key, 1);
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
    if (!len || !n)
        return NULL;
    if (len >= n)
        len = 0; /* sent, but no key: "" (keys.h) */
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}
