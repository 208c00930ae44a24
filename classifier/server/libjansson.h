/*
 * libjansson.h - jansson (Debian's libjansson4), loaded with dlopen when first used rather
 * than linked, as libmicrohttpd is (server.c): only the server parses and writes JSON with it,
 * and loading it cost every other kindly process (a one-comment `kindly check`) an object to
 * map and relocate: 9 system calls, 5 page faults and 31,000 instructions.
 *
 * Include this instead of <jansson.h>. The functions the server calls are renamed to
 * libjansson.c's, which call jansson's through pointers looked up once; jansson.h's inline
 * functions and macros (json_decref, json_object_foreach) then call them by the same names.
 * A function added to the server's use must be added here and in libjansson.c (else the
 * link fails: the binary does not link libjansson).
 */
#ifndef KD_SRV_LIBJANSSON_H
#define KD_SRV_LIBJANSSON_H

#include <stddef.h>

#define json_loadb srv_json_loadb
#define json_delete srv_json_delete
#define json_dumps srv_json_dumps
#define json_pack srv_json_pack
#define json_object_get srv_json_object_get
#define json_object_iter srv_json_object_iter
#define json_object_iter_next srv_json_object_iter_next
#define json_object_iter_key srv_json_object_iter_key
#define json_object_iter_value srv_json_object_iter_value
#define json_object_key_to_iter srv_json_object_key_to_iter
#define json_string_value srv_json_string_value
#define json_integer_value srv_json_integer_value
#define json_real_value srv_json_real_value
#define json_array_size srv_json_array_size
#define json_array_get srv_json_array_get
#include <jansson.h>

/* Load libjansson (once; every function above loads it too, and fails as jansson's would,
 * NULL or 0, when it cannot be loaded). 0, or -1 with what is missing in err: srv_start
 * calls it, so that a server without jansson says so at start, not with every request. */
int srv_jansson_load(char *err, size_t errlen);

#endif
