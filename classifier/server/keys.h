/*
 * keys.h - the keys a server accepts (serve --keys FILE), shared by its two APIs (internal
 * to the server): Akismet clients send a key in the form or in the host name (akismet.c),
 * JSON API clients as a bearer token (api.c).
 */
#ifndef KD_SRV_KEYS_H
#define KD_SRV_KEYS_H

/* The longest key (bytes): requests' keys are read into buffers of SRV_KEY_MAX + 1, and a
 * longer key in the file, which no request could match, is refused at load. */
#define SRV_KEY_MAX 255

#include <stddef.h>

typedef struct srv_keys srv_keys;

/*
 * Read a key file: one key per line; blank lines and lines starting with '#' are ignored,
 * surrounding white space is trimmed. A file without any key is refused: a server started
 * with it would turn every request away.
 * @return 0, or -1 with err filled in, naming the file (unreadable, no key, out of memory).
 */
int srv_keys_load(srv_keys **out, const char *path, char *err, size_t errlen);
/* Number of keys. */
size_t srv_keys_count(const srv_keys *k);
void srv_keys_free(srv_keys *k);
/* Whether key is accepted: with keys == NULL (no --keys), every non-empty key is. */
int srv_key_ok(const srv_keys *keys, const char *key);
/* The same, ASCII case ignored: for a key read from a host name, which DNS and proxies (nginx's
 * $host) may lowercase. */
int srv_key_ok_nocase(const srv_keys *keys, const char *key);

/*
 * The key of an Authorization header of the Bearer scheme (RFC 6750: "Bearer KEY", the
 * scheme in any case). Copied into buf; returns buf, or NULL when the header is absent, of
 * another scheme or empty. A token too long for buf was sent all the same: buf is returned
 * empty, a key that srv_key_ok accepts never (not cut to fit: "KEY" + anything is not KEY),
 * so that the client is told its key is not valid, not that it sent none.
 */
const char *srv_bearer_key(const char *authorization, char *buf, size_t n);

#endif
