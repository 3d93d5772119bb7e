#ifndef VIDI_CZLIB_SHIM_H
#define VIDI_CZLIB_SHIM_H
// zlib: raw deflate/inflate and CRC-32 for the zip container of .npz files.
#include <zlib.h>

// deflateInit2/inflateInit2 are function-like macros (they pass ZLIB_VERSION and the stream size),
// invisible to Swift; export them as functions.
static inline int CZlib_deflateInit2(z_streamp strm, int level, int windowBits) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
static inline int CZlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
