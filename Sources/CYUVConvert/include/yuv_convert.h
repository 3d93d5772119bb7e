#ifndef VIDI_YUV_CONVERT_H
#define VIDI_YUV_CONVERT_H
// 8-bit planar YUV (chroma halved horizontally: 4:2:0 or 4:2:2) -> packed RGB24 with the fixed-point
// arithmetic of FFmpeg 5.1's x86 unscaled converter (the one swscale picks for these formats when the
// output keeps the source size and SWS_ACCURATE_RND is off), so the bytes equal swscale's. Worked out from
// FFmpeg's documented table set-up and checked against libswscale on every (Y, U, V) code; no FFmpeg code.
//
// Per pixel, with mulhi(a, b) = (a * b) >> 16 (a signed 16 x 16 multiply keeping the high half):
//   luma   = mulhi(8 * Y - y_offset, y_factor)
//   R = clamp(luma + mulhi(8 * V - 1024, v_red))
//   G = clamp(luma + mulhi(8 * U - 1024, u_green) + mulhi(8 * V - 1024, v_green))
//   B = clamp(luma + mulhi(8 * U - 1024, u_blue)),   clamp to 0...255;
// pixel x takes chroma sample x / 2 of chroma row (y >> chroma_row_shift), with no interpolation.
#include <stdint.h>

typedef struct {
    int16_t y_factor, y_offset;
    int16_t v_red, u_green, v_green, u_blue;
} VidiYUVFactors;

/// The factors swscale derives for one colour set-up, from what `sws_getColorspaceDetails` reports:
/// the inverse table (`sws_getCoefficients`: crv, cbu, cgu, cgv in 16.16), the source range (1 = full),
/// brightness, contrast and saturation (16.16).
VidiYUVFactors vidi_yuv_factors(const int inverse_table[4], int source_full_range, int brightness,
                                int contrast, int saturation);

/// 1 when this CPU has AVX2 with the OS saving YMM state, and SSSE3 (the swscale converter this one
/// reproduces), as libavutil's CPU detection reports them (run once there, cached).
int vidi_yuv_avx2_available(void);

/// The conversion's implementations: one pixel at a time, AVX2 (32 pixels a step), AVX-512 F/BW/VBMI
/// (64 pixels a step). All give the same bytes.
typedef enum { VIDI_YUV_KERNEL_SCALAR = 0, VIDI_YUV_KERNEL_AVX2 = 1, VIDI_YUV_KERNEL_AVX512 = 2 } VidiYUVKernel;

/// The fastest kernel this CPU runs (by libavutil's CPU detection, plus CPUID for VBMI; found once).
VidiYUVKernel vidi_yuv_best_kernel(void);

/// Converts a `width` x `height` picture. chroma_row_shift: 1 for 4:2:0, 0 for 4:2:2. Chroma rows are
/// (width + 1) / 2 samples. Writes exactly width * 3 bytes per output row (nothing past a row's end) and
/// reads nothing past a row's width. Uses `vidi_yuv_best_kernel()`: AVX-512 for pictures at least 64 wide
/// with plain stores, else AVX2 when `vidi_yuv_avx2_available()`, else the same arithmetic one pixel at a
/// time (slower than swscale: callers keep swscale then).
/// streaming_stores = 1: the AVX2 kernel writes with non-temporal stores (to memory, past the caches, so a
/// large picture neither evicts the decoder's reference frames nor reads each output line before writing
/// it) when `rgb` is 16-byte aligned and `rgb_stride` a multiple of 32, and fences before returning; the
/// bytes are the same either way. For pictures nobody reads right away; 0 keeps plain stores. Streaming
/// takes the AVX2 kernel.
void vidi_yuv_to_rgb24(const uint8_t *y, intptr_t y_stride, const uint8_t *u, intptr_t u_stride,
                       const uint8_t *v, intptr_t v_stride, int chroma_row_shift,
                       uint8_t *rgb, intptr_t rgb_stride, int width, int height,
                       const VidiYUVFactors *factors, int streaming_stores);

/// `vidi_yuv_to_rgb24` with a given kernel (one the CPU lacks is lowered to `vidi_yuv_best_kernel()`): for
/// tests and benchmarks that compare the kernels.
void vidi_yuv_to_rgb24_using(VidiYUVKernel kernel, const uint8_t *y, intptr_t y_stride, const uint8_t *u,
                             intptr_t u_stride, const uint8_t *v, intptr_t v_stride, int chroma_row_shift,
                             uint8_t *rgb, intptr_t rgb_stride, int width, int height,
                             const VidiYUVFactors *factors, int streaming_stores);

#endif
