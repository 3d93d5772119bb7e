#ifndef VIDI_COPENBLAS_SHIM_H
#define VIDI_COPENBLAS_SHIM_H
// Debian's pkg-config for openblas points at the openblas-pthread include directory.
#include <cblas.h>
#endif
