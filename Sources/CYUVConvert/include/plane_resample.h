#ifndef VIDI_PLANE_RESAMPLE_H
#define VIDI_PLANE_RESAMPLE_H
// Antialiased resize of one 8-bit plane, computing only an output window, with the arithmetic of
// torchvision's `resize(antialias=True)` on uint8 (PyTorch's separable uint8 kernels, PIL's scheme):
// horizontal pass first, then vertical, each rounded and clamped to a byte; skipped on an axis whose size
// does not change. Per axis, output pixel i has its centre at c = scale * (i + 0.5), scale = input / output;
// its taps are source pixels [max(int(c - support + 0.5), 0), min(int(c + support + 0.5), input)), with
// weights filter((j - c + 0.5) * min(1, 1 / scale)) normalised to sum 1; support = (filter radius) *
// max(scale, 1) (the filter widens on a downscale). Weights become int16 with `precision` fractional bits,
// the largest that keeps round(max weight * 2^(precision + 1)) below 2^15 (at most 22); each sum starts at
// 2^(precision - 1) and is shifted right by `precision` (floor), then clamped to 0...255.
// Facts from PyTorch's UpSampleKernel / UpSampleKernelAVXAntialias and PIL's Resample documentation; checked
// against torchvision 0.29 (Tools/make_resample_fixtures.py). No code from either.
#include <stdint.h>

typedef enum {
    VIDI_RESAMPLE_BILINEAR = 0,  // triangle, radius 1 (torchvision BILINEAR, antialias)
    VIDI_RESAMPLE_BICUBIC = 1,   // Keys cubic with a = -0.5, radius 2 (torchvision / PIL BICUBIC, antialias)
    VIDI_RESAMPLE_BOX = 2,       // box, radius 0.5: 1 on (-0.5, 0.5] (PIL BOX; PIL's own int32 weights may differ by 1)
} VidiResampleFilter;

/// One axis of a resize, restricted to output pixels [first, first + count).
typedef struct {
    int input, output, first, count;
    /// 1 when input == output: the pass copies (torchvision skips it).
    int identity;
    /// Weights per output pixel, padded with zeros: 4, 8, or a multiple of 16 (the SIMD kernels' widths).
    int taps;
    int precision;
    /// Per window pixel: the first source pixel its `taps` weights apply to (moved left near the end so
    /// that start + taps <= input whenever input >= taps), and its non-zero taps [tap_first, +tap_count).
    int32_t *start, *tap_first, *tap_count;
    int16_t *weights;  // count * taps
    /// The non-zero taps again as int32 pairs (w[2p] in the low 16 bits, w[2p + 1], or 0, in the high),
    /// taps / 2 + 1 per window pixel: the vertical kernel's multipliers.
    int32_t *pairs;
    /// The source pixels the window reads: [source_first, source_end).
    int source_first, source_end;
} VidiResampleAxis;

/// Fills `axis` for an `input` -> `output` resize and window [first, first + count). Returns 0, -1 on bad
/// sizes or window (sizes must be 1...65536), -2 when out of memory. Free with `vidi_resample_axis_free`.
int vidi_resample_axis_init(VidiResampleAxis *axis, int input, int output, int first, int count,
                            VidiResampleFilter filter);
void vidi_resample_axis_free(VidiResampleAxis *axis);

/// Bytes of scratch `vidi_resample_plane` needs for these axes.
intptr_t vidi_resample_scratch_size(const VidiResampleAxis *x, const VidiResampleAxis *y);

/// Resizes a plane of x->input x y->input bytes into the x->count x y->count window at `output`. Reads only
/// the source rows and columns the window needs. simd = 1 uses the AVX2 kernels (the caller checks
/// `vidi_yuv_avx2_available()`); the bytes are the same with 0.
void vidi_resample_plane(const uint8_t *source, intptr_t source_stride, const VidiResampleAxis *x,
                         const VidiResampleAxis *y, uint8_t *output, intptr_t output_stride,
                         uint8_t *scratch, int simd);

#endif
