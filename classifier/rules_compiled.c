/*
 * rules_compiled.c - a rule file's patterns kept compiled, so that loading it skips
 * pcre2_compile (SpamAssassin's sa-compile, for kindly's rules).
 *
 * pcre2_compile is most of what loading the shipped rules costs, and a one-comment `kindly
 * check` pays it in full. PCRE2 can serialize compiled patterns (pcre2_serialize_encode) and
 * read them back (pcre2_serialize_decode), but its own check is only a magic number, its
 * version and the code unit width: decoding data that is damaged, or from another build of
 * the library, is undefined. So the file carries a header that proves what it is before
 * anything is decoded:
 *
 *   magic "KDRULESC", format, byte order
 *   the kindly version and the PCRE2 version (pcre2_config) that wrote it
 *   length and kd_rules_hash() of the rule text it was compiled from
 *   the number of patterns, the lengths of what follows, a checksum of the whole file
 *   then per pattern: its options, length and hash (checked against the pattern the text has
 *   at that place before the decoded code stands in for it), then PCRE2's serialized bytes,
 *   then per pattern the prefilter's record of it (its required literals, prefilter.c: the
 *   analysis of a text pattern, 0.6 million instructions for the shipped rules, is the
 *   other large cost of loading them), a 4-byte length and the bytes (none: not a text rule).
 *
 * Any mismatch leaves the file unused and every pattern compiled from the text, with a note
 * (kd_rules_note) that the CLI prints with the command that refreshes it; nothing here writes
 * unless asked (kd_rules_save_compiled). The checksum detects damage, not an adversary: the
 * file is as trusted as the rule file beside it, whose patterns are run as they are.
 */
#define _GNU_SOURCE /* mkostemp */
#include "rules.h"

#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "KDRULESC"
#define FORMAT 1
#define BYTE_ORDER_MARK 0x01020304u
#define MAX_COMPILED ((size_t)256 << 20)

typedef struct header {
    char magic[8];
    uint32_t format;
    uint32_t order;
    char kindly[32];
    char pcre2[32];
    uint64_t text_len;
    uint64_t text_hash;
    uint64_t ncodes;
    uint64_t payload_len; /* everything after the header */
    uint64_t pcre2_len;   /* PCRE2's bytes, after the index */
    uint64_t checksum;    /* kd_rules_hash() of the whole file, this field zeroed */
} header;

typedef struct index_entry {
    uint32_t opts, len;
    uint64_t hash;
} index_entry;

/* A multiply-xorshift over 8-byte words: every step is a bijection of the state for a given
 * word, so a change confined to one word always changes the result; about 5 instructions per
 * 8 bytes, which keeps it cheap beside what it saves. */
uint64_t kd_rules_hash(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
    }
    w = 0;
    if (n > i)
        memcpy(&w, s + i, n - i);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 29);
}

static void versions(header *h)
{
    memset(h->kindly, 0, sizeof h->kindly);
    memset(h->pcre2, 0, sizeof h->pcre2);
    snprintf(h->kindly, sizeof h->kindly, "%s", KINDLY_VERSION);
    char v[64] = "";
    if (pcre2_config(PCRE2_CONFIG_VERSION, v) > 0 && strlen(v) < sizeof h->pcre2)
        memcpy(h->pcre2, v, strlen(v));
}

__attribute__((format(printf, 2, 3)))
static int note(kd_rules *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->note, sizeof r->note, fmt, ap);
    va_end(ap);
    return KD_OK;
}

void kd_rules_compiled_drop(kd_rules *r)
{
    for (size_t i = r->cc_next; i < r->ncc; i++)
        pcre2_code_free(r->cc[i].re);
    free(r->cc);
    free(r->cc_buf);
    r->cc = NULL;
    r->cc_buf = NULL;
    r->cc_just = NULL;
    r->ncc = r->cc_next = 0;
}

int kd_rules_compiled_open(kd_rules *r, const char *cpath)
{
    const char *rules = r->path;
    int rc = KD_OK;
    unsigned char *buf = NULL;
    pcre2_code **codes = NULL;
    FILE *f = fopen(cpath, "rbe");
    if (!f) {
        if (errno != ENOENT)
            note(r, "cannot read %s (%s): compiled %s from its text", cpath, strerror(errno), rules);
        return KD_OK;
    }
    if (!(r->cc_path = strdup(cpath))) {
        rc = KD_ENOMEM;
        goto done;
    }
    struct stat st;
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > MAX_COMPILED) {
        note(r, "%s is not a compiled rule file: compiled %s from its text", cpath, rules);
        goto done;
    }
    size_t size = (size_t)st.st_size;
    if (size < sizeof(header)) {
        note(r, "%s is truncated (%zu bytes): compiled %s from its text", cpath, size, rules);
        goto done;
    }
    if (!(buf = malloc(size))) {
        rc = KD_ENOMEM;
        goto done;
    }
    if (fread(buf, 1, size, f) != size) {
        note(r, "cannot read %s: compiled %s from its text", cpath, rules);
        goto done;
    }
    header h, want;
    memcpy(&h, buf, sizeof h);
    versions(&want);
    if (memcmp(h.magic, MAGIC, 8) || h.format != FORMAT || h.order != BYTE_ORDER_MARK) {
        note(r, "%s is not a compiled rule file of this kindly: compiled %s from its text", cpath, rules);
        goto done;
    }
    /* the checksum first: the versions named in a note are then the writer's own */
    memset(buf + offsetof(header, checksum), 0, sizeof h.checksum);
    if (h.payload_len != size - sizeof h || h.ncodes > h.payload_len / (sizeof(index_entry) + 4)
        || h.pcre2_len > h.payload_len - h.ncodes * (sizeof(index_entry) + 4) || kd_rules_hash(buf, size) != h.checksum) {
        note(r, "%s is truncated or damaged: compiled %s from its text", cpath, rules);
        goto done;
    }
    if (memcmp(h.kindly, want.kindly, sizeof h.kindly) || memcmp(h.pcre2, want.pcre2, sizeof h.pcre2)) {
        note(r, "%s was written by kindly %.*s with PCRE2 %.*s, this is kindly %s with PCRE2 %s: compiled %s "
                "from its text", cpath, (int)strnlen(h.kindly, sizeof h.kindly), h.kindly,
             (int)strnlen(h.pcre2, sizeof h.pcre2), h.pcre2, want.kindly, want.pcre2, rules);
        goto done;
    }
    if (h.text_len != r->text_len || h.text_hash != r->text_hash) {
        note(r, "%s was compiled from another text of %s (changed since): compiled %s from its text", cpath,
             rules, rules);
        goto done;
    }
    size_t n = (size_t)h.ncodes, at = sizeof h + n * sizeof(index_entry), pre = at + (size_t)h.pcre2_len;
    if (n) {
        const uint8_t *bytes = buf + at;
        if (!(codes = calloc(n, sizeof *codes)) || !(r->cc = calloc(n, sizeof *r->cc))) {
            rc = KD_ENOMEM;
            goto done;
        }
        /* at least PCRE2's own header must be there before it reads its counts */
        int32_t k = h.pcre2_len >= 16 ? pcre2_serialize_get_number_of_codes(bytes) : -1;
        if (k < 0 || (size_t)k != n) {
            note(r, "%s is truncated or damaged: compiled %s from its text", cpath, rules);
            goto done;
        }
        k = pcre2_serialize_decode(codes, (int32_t)n, bytes, NULL);
        if (k == PCRE2_ERROR_NOMEMORY) {
            rc = KD_ENOMEM;
            goto done;
        }
        if (k < 0 || (size_t)k != n) {
            note(r, "%s is truncated or damaged: compiled %s from its text", cpath, rules);
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            index_entry e;
            memcpy(&e, buf + sizeof h + i * sizeof e, sizeof e);
            r->cc[i] = (kd_rules_code){ codes[i], e.opts, e.len, e.hash, NULL, 0 };
        }
        r->ncc = n;
        /* the prefilter's records, each a length and its bytes, to the end of the file */
        for (size_t i = 0; i < n; i++) {
            uint32_t len;
            if (size - pre < 4 || (memcpy(&len, buf + pre, 4), size - pre - 4 < len)) {
                note(r, "%s is truncated or damaged: compiled %s from its text", cpath, rules);
                kd_rules_compiled_drop(r);
                goto done;
            }
            r->cc[i].pre = len ? buf + pre + 4 : NULL;
            r->cc[i].prelen = len;
            pre += 4 + len;
        }
        if (pre != size) {
            note(r, "%s is truncated or damaged: compiled %s from its text", cpath, rules);
            kd_rules_compiled_drop(r);
            goto done;
        }
        r->cc_buf = buf; /* the records point into it */
        buf = NULL;
    }
    r->compiled = 1; /* until a pattern of the text is not the next one here */
done:
    if (!r->ncc) { /* nothing decoded (a failed pcre2_serialize_decode frees its own) */
        free(r->cc);
        r->cc = NULL;
        r->ncc = 0;
    }
    free(codes);
    free(buf);
    fclose(f);
    return rc;
}

pcre2_code *kd_rules_compiled_take(kd_rules *r, const char *pat, size_t n, uint32_t opts, unsigned line)
{
    kd_rules_code *c = r->cc_next < r->ncc ? &r->cc[r->cc_next] : NULL;
    r->cc_just = NULL;
    if (!c || c->opts != opts || c->len != n || c->hash != kd_rules_hash(pat, n)) {
        note(r, "%s does not hold the pattern of %s line %u: compiled %s from its text", r->cc_path, r->path,
             line, r->path);
        kd_rules_compiled_drop(r);
        r->compiled = 0;
        return NULL;
    }
    r->cc_next++;
    r->cc_just = c;
    return c->re;
}

void kd_rules_compiled_done(kd_rules *r)
{
    if (r->compiled && r->cc_next != r->ncc) { /* the text has fewer patterns: what was taken matched */
        note(r, "%s holds more patterns than %s has: compiled %s from its text", r->cc_path, r->path, r->path);
        r->compiled = 0;
    }
    kd_rules_compiled_drop(r);
}

/* The patterns of the rule file itself (not of its word lists), in the order parsing
 * compiles them: every rule with a pattern, in file order. */
static int rule_file_pattern(const kd_rule *x) { return x->re && !x->list; }

int kd_rules_save_compiled(kd_rules *r, const char *path)
{
    if (!r || !path || r->failed || !r->from_text)
        return KD_EINVAL;
    int rc = KD_OK, fd = -1, made = 0;
    const pcre2_code **codes = NULL;
    index_entry *idx = NULL;
    uint8_t *bytes = NULL;
    PCRE2_SIZE nbytes = 0;
    char *tmp = NULL;
    FILE *f = NULL;
    kd_buf pre = KD_BUF_INIT;
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += rule_file_pattern(&r->rule[i]);
    if (!(codes = calloc(n ? n : 1, sizeof *codes)) || !(idx = calloc(n ? n : 1, sizeof *idx))) {
        rc = KD_ENOMEM;
        goto done;
    }
    for (size_t i = 0, k = 0; i < r->n; i++) {
        const kd_rule *x = &r->rule[i];
        if (!rule_file_pattern(x))
            continue;
        codes[k] = x->re;
        idx[k++] = (index_entry){ x->opts | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, (uint32_t)x->srclen,
                                  kd_rules_hash(x->src, x->srclen) };
    }
    for (size_t i = 0; i < r->n; i++) { /* the prefilter's records, each after its length */
        const kd_rule *x = &r->rule[i];
        if (!rule_file_pattern(x))
            continue;
        size_t at = pre.len;
        kd_buf_add(&pre, "\0\0\0\0", 4);
        if (x->kind == KD_RULE_MATCH && x->field == KD_F_TEXT && kd_prefilter_save(r->pre, (unsigned)i, &pre))
            break;
        uint32_t len = (uint32_t)(pre.len - at - 4);
        if (!pre.oom)
            memcpy(pre.s + at, &len, 4);
    }
    if (pre.oom) {
        rc = KD_ENOMEM;
        goto done;
    }
    if (n) {
        int32_t e = pcre2_serialize_encode(codes, (int32_t)n, &bytes, &nbytes, NULL);
        if (e == PCRE2_ERROR_NOMEMORY) {
            rc = KD_ENOMEM;
            goto done;
        }
        if (e < 0) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(e, msg, sizeof msg);
            snprintf(r->err, sizeof r->err, "%s: cannot serialize the patterns: %s", path, (const char *)msg);
            rc = KD_EIO;
            goto done;
        }
    }
    size_t payload = n * sizeof *idx + nbytes + pre.len;
    header h;
    uint8_t *all = malloc(sizeof h + payload);
    if (!all) {
        rc = KD_ENOMEM;
        goto done;
    }
    memcpy(all + sizeof h, idx, n * sizeof *idx);
    if (nbytes)
        memcpy(all + sizeof h + n * sizeof *idx, bytes, nbytes);
    if (pre.len)
        memcpy(all + sizeof h + n * sizeof *idx + nbytes, pre.s, pre.len);
    memset(&h, 0, sizeof h);
    memcpy(h.magic, MAGIC, 8);
    h.format = FORMAT;
    h.order = BYTE_ORDER_MARK;
    versions(&h);
    h.text_len = r->text_len;
    h.text_hash = r->text_hash;
    h.ncodes = n;
    h.payload_len = payload;
    h.pcre2_len = nbytes;
    h.checksum = 0;
    memcpy(all, &h, sizeof h);
    h.checksum = kd_rules_hash(all, sizeof h + payload);
    memcpy(all, &h, sizeof h);
    size_t tlen = strlen(path) + 32;
    if (!(tmp = malloc(tlen))) {
        free(all);
        rc = KD_ENOMEM;
        goto done;
    }
    /* named here, not by mkostemp(): its file is 0600, and the umask that a model's 0644 is
     * created under (SQLite's open) cannot be read without changing it, for every thread of
     * the host. PATH.PID-N, the first N no other writer has made (a thread of this process,
     * or one killed before it renamed its file); close-on-exec, as the files it reads: a host
     * may fork and exec */
    for (unsigned i = 0; fd < 0 && i < 100; i++) {
        snprintf(tmp, tlen, "%s.%ld-%u", path, (long)getpid(), i);
        if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0 && errno != EEXIST)
            break;
    }
    made = fd >= 0;
    if (!made || !(f = fdopen(fd, "wb"))) {
        snprintf(r->err, sizeof r->err, "%s: cannot write: %s", path, strerror(errno));
        free(all);
        rc = KD_EIO;
        goto done;
    }
    fd = -1; /* f owns it */
    int bad = fwrite(all, sizeof h + payload, 1, f) != 1;
    int e = errno;
    free(all);
    if (fclose(f) && !bad) {
        bad = 1;
        e = errno;
    }
    f = NULL;
    if (bad || rename(tmp, path)) {
        snprintf(r->err, sizeof r->err, "%s: cannot write: %s", path, strerror(bad ? e : errno));
        rc = KD_EIO;
        goto done;
    }
    free(tmp);
    tmp = NULL;
done:
    kd_rules_err_end(r);
    if (fd >= 0)
        close(fd);
    if (tmp && made)
        unlink(tmp);
    free(tmp);
    pcre2_serialize_free(bytes);
    kd_buf_free(&pre);
    free(codes);
    free(idx);
    return rc;
}

int kd_rules_compiled(const kd_rules *r) { return r && r->compiled && !r->failed; }

const char *kd_rules_note(const kd_rules *r) { return r ? r->note : ""; }
