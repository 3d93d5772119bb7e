#ifndef VIDI_YUV_NORMALISE_H
#define VIDI_YUV_NORMALISE_H
// The model-input conversion loop: 4:4:4 8-bit YUV (the resized planes) -> normalised float RGB planes,
// through VidiMedia's lookup tables (ModelInputConverter.ChannelLookup), so the floats are the tables'
// values bit for bit whichever path runs.
#include <stdint.h>

/// Pixel (row, column) of the output reads plane offset start + row * row_step + column * column_step of
/// `y`, `u` and `v` (one stride for the three planes) and writes out[row * width + column] (red),
/// + green and + blue. terms: 5 x 256 Int32 (Y', Vr, Ug, Vg, Ub with the rounding term and each channel's
/// table start folded in); the R, G and B indices are (Y' + Vr) >> 16, (Y' + Ug + Vg) >> 16 and
/// (Y' + Ub) >> 16 into `normalised`. Rows with column_step 1 take AVX2 gathers where the CPU has them
/// (`vidi_yuv_avx2_available`), eight pixels at a time; everything else one pixel at a time.
void vidi_yuv444_to_normalised(const uint8_t *y, const uint8_t *u, const uint8_t *v, intptr_t start,
                               intptr_t row_step, intptr_t column_step, int width, int height,
                               const int32_t *terms, const float *normalised, float *out, intptr_t green,
                               intptr_t blue);

#endif
