/*
 * cp1252.h - the 32 characters Windows-1252 puts at bytes 0x80..0x9F (internal).
 *
 * Two readers need them: html.c for &#128;..&#159; (HTML5 reads those references as
 * Windows-1252) and server/form.c for blog_charset windows-1252 / ISO-8859-1 (WHATWG makes
 * every Latin-1 label an alias of Windows-1252). A header-only function keeps one table for
 * both without making the form decoder, which the form fuzzer builds on its own, link html.c.
 */
#ifndef KD_CP1252_H
#define KD_CP1252_H

#include <stdint.h>

/* The code point of byte b (0x80..0x9F) in Windows-1252, or 0 for the five bytes it leaves
 * undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D). */
static inline uint32_t kd_cp1252_c1(unsigned b)
{
    static const uint16_t c1[32] = {
        0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
        0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
    };
    return b >= 0x80 && b <= 0x9F ? c1[b - 0x80] : 0;
}

#endif
