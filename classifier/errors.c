/*
 * errors.c - names of kindly's error codes.
 */
#include "kindly.h"

const char *kd_strerror(int code)
{
    switch (code) {
    case KD_OK: return "success";
    case KD_ENOMEM: return "out of memory";
    case KD_EIO: return "input/output error";
    case KD_EPARSE: return "malformed input";
    case KD_ENOTFOUND: return "not found";
    case KD_EINVAL: return "invalid argument";
    case KD_ESCHEMA: return "not a kindly model of a supported version";
    case KD_EBUSY: return "model is locked by another writer";
    case KD_EEXIST: return "already there";
    default: return "error";
    }
}
