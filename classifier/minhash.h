/*
 * minhash.h - near-duplicate fingerprints of short texts (internal): one-permutation MinHash
 * over character shingles, a compact b-bit signature, and LSH band keys.
 *
 * Broder's MinHash ("On the resemblance and containment of documents", 1997): for a random
 * hash function h, P[min h(A) = min h(B)] = |A n B| / |A u B|, the Jaccard resemblance of the
 * two shingle sets. KD_MH_K minima estimate it. They come from one hash per shingle, not K
 * (one-permutation hashing, Li, Owen and Zhang, NIPS 2012): the top bits of a shingle's hash
 * choose one of KD_MH_K bins, the low 32 bits are its value, and each bin keeps its minimum.
 * A short comment leaves bins empty; each empty bin takes the value of a bin chosen by a
 * probe sequence that depends only on the bin's number, so that two texts with the same
 * shingles fill it the same way ("optimal densification", Shrivastava, ICML 2017: the
 * estimate stays unbiased with a variance close to K independent permutations). Only the
 * low KD_MH_BITS bits of each minimum are stored (Li and Koenig, "b-Bit Minwise Hashing",
 * 2010): two stored values agree with probability J + (1 - J) / 2^b, which is inverted to
 * estimate J from 32 bytes.
 *
 * Candidates are found without comparing against every earlier comment by LSH banding
 * (Indyk and Motwani 1998; Leskovec, Rajaraman, Ullman, "Mining of Massive Datasets", ch. 3):
 * the first KD_MH_BANDS * KD_MH_ROWS minima are cut into bands of KD_MH_ROWS; two texts
 * become candidates when any band is identical, which happens with probability
 * 1 - (1 - J^r)^b. With b = 12, r = 4: J = 0.5 -> 0.54, 0.6 -> 0.81, 0.7 -> 0.97,
 * 0.8 -> 0.999, while an unrelated comment (J ~ 0.1) collides with probability ~1e-3.
 * Parameters were chosen on tools/dupbench.py (docs/BENCHMARKS-dup.md); changing any of
 * them changes the stored fingerprints, so they are part of the model file format
 * (KD_MH_VERSION; store.c's migration 3 -> 4 dropped the history of the K-permutation scheme).
 *
 * Shingles are KD_MH_SHINGLE consecutive code points of the normalised text (dedup.c),
 * spaces included, so that word order counts a little and a typo costs at most 4 shingles.
 */
#ifndef KD_MINHASH_H
#define KD_MINHASH_H

#include <stddef.h>
#include <stdint.h>

#define KD_MH_VERSION 2   /* 1: 64 multiply-shift permutations; 2: one permutation, densified */
#define KD_MH_K 64        /* minima (bins) per text */
#define KD_MH_BITS 4      /* bits of each minimum kept in the stored signature */
#define KD_MH_SIGBYTES (KD_MH_K * KD_MH_BITS / 8)
#define KD_MH_BANDS 12    /* LSH bands */
#define KD_MH_ROWS 4      /* minima per band */
#define KD_MH_SHINGLE 4   /* code points per shingle */

typedef struct kd_minhash {
    uint32_t v[KD_MH_K];  /* the minima */
    uint32_t nshingles;   /* distinct shingles are not counted; this is the number hashed */
} kd_minhash;

/* Fingerprint s[0..n) (already normalised, valid UTF-8). A text shorter than one shingle is
 * one shingle; an empty text gives all minima UINT32_MAX and nshingles 0. */
void kd_minhash_compute(const char *s, size_t n, kd_minhash *out);

/* The stored signature: the low KD_MH_BITS bits of each minimum, packed. */
void kd_minhash_sig(const kd_minhash *m, uint8_t sig[KD_MH_SIGBYTES]);

/* Estimated Jaccard resemblance (0..1) of two texts from their stored signatures. */
double kd_minhash_sig_similarity(const uint8_t a[KD_MH_SIGBYTES], const uint8_t b[KD_MH_SIGBYTES]);

/* LSH key of band i (0 <= i < KD_MH_BANDS): the band number in bits 32-35 above a 32-bit
 * hash of the band's minima, so that all bands share one index without meeting. */
int64_t kd_minhash_band(const kd_minhash *m, unsigned i);

#endif
