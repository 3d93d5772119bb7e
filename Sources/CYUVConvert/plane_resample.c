// Antialiased 8-bit plane resize over an output window (see plane_resample.h for the arithmetic).
// The AVX2 horizontal kernel multiplies each output pixel's padded taps (4, 8, or chunks of 16) with one
// `vpmaddwd` per chunk and sums eight output pixels with a tree of `vphaddd`, two rows at a time (they share
// the starts and weights; gathers measured slower on this AMD EPYC); the vertical kernel does 16
// output columns per step, two source rows per `vpmaddwd` (their bytes interleaved). Both give the scalar
// loops' bytes: the sums are exact int32 either way.
#include "plane_resample.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double filter_at(VidiResampleFilter filter, double x) {
    if (filter == VIDI_RESAMPLE_BOX) return (x > -0.5 && x <= 0.5) ? 1 : 0;  // not symmetric at the edges
    x = fabs(x);
    if (filter == VIDI_RESAMPLE_BILINEAR) return x < 1 ? 1 - x : 0;
    const double a = -0.5;  // bicubic
    if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
    return 0;
}

static double filter_radius(VidiResampleFilter filter) {
    return filter == VIDI_RESAMPLE_BICUBIC ? 2 : filter == VIDI_RESAMPLE_BILINEAR ? 1 : 0.5;
}

// Output pixel i's first tap and tap count.
static void taps_of(int i, int input, double scale, double support, int *first, int *size) {
    double centre = scale * (i + 0.5);
    int low = (int)(centre - support + 0.5), high = (int)(centre + support + 0.5);
    if (low < 0) low = 0;
    if (high > input) high = input;
    *first = low;
    *size = high - low;
}

// Normalised weights of output pixel i into w (size entries); returns the largest.
static double weights_of(int i, int first, int size, double scale, VidiResampleFilter filter, double *w) {
    double centre = scale * (i + 0.5), inverse = scale >= 1 ? 1 / scale : 1, total = 0, largest = 0;
    for (int j = 0; j < size; j++) {
        w[j] = filter_at(filter, (j + first - centre + 0.5) * inverse);
        total += w[j];
    }
    for (int j = 0; j < size; j++) {
        if (total != 0) w[j] /= total;
        if (w[j] > largest) largest = w[j];
    }
    return largest;
}

void vidi_resample_axis_free(VidiResampleAxis *axis) {
    free(axis->start);
    free(axis->tap_first);
    free(axis->tap_count);
    free(axis->weights);
    free(axis->pairs);
    memset(axis, 0, sizeof *axis);
}

int vidi_resample_axis_init(VidiResampleAxis *axis, int input, int output, int first, int count,
                            VidiResampleFilter filter) {
    memset(axis, 0, sizeof *axis);
    if (input < 1 || output < 1 || input > 65536 || output > 65536 || first < 0 || count < 1 || first > output - count)
        return -1;
    if (filter != VIDI_RESAMPLE_BILINEAR && filter != VIDI_RESAMPLE_BICUBIC && filter != VIDI_RESAMPLE_BOX) return -1;
    axis->input = input, axis->output = output, axis->first = first, axis->count = count;
    axis->identity = input == output;
    if (axis->identity) {
        axis->source_first = first, axis->source_end = first + count;
        return 0;
    }
    double scale = (double)input / output;
    double support = filter_radius(filter) * (scale >= 1 ? scale : 1);
    // The precision comes from the largest weight of the whole resize, not only the window's. A pixel has
    // at most (int)(2 * support) + 1 taps (its bounds are 2 * support apart before rounding).
    double *w = malloc(sizeof(double) * (size_t)((int)(2 * support) + 2));
    if (!w) return -2;
    int window_widest = 0;
    double largest = 0;
    for (int i = 0; i < output; i++) {
        int low, size;
        taps_of(i, input, scale, support, &low, &size);
        if (i >= first && i < first + count && size > window_widest) window_widest = size;
        double m = weights_of(i, low, size, scale, filter, w);
        if (m > largest) largest = m;
    }
    int precision = 0;
    for (; precision < 22; precision++) {
        if ((int)(0.5 + largest * (double)(1 << (precision + 1))) >= (1 << 15)) break;
    }
    int taps = window_widest <= 4 ? 4 : window_widest <= 8 ? 8 : (window_widest + 15) / 16 * 16;
    axis->precision = precision, axis->taps = taps;
    int pair_count = taps / 2 + 1;
    axis->start = malloc(sizeof(int32_t) * (size_t)count);
    axis->tap_first = malloc(sizeof(int32_t) * (size_t)count);
    axis->tap_count = malloc(sizeof(int32_t) * (size_t)count);
    axis->weights = calloc((size_t)count * (size_t)taps, sizeof(int16_t));
    axis->pairs = calloc((size_t)count * (size_t)pair_count, sizeof(int32_t));
    if (!axis->start || !axis->tap_first || !axis->tap_count || !axis->weights || !axis->pairs) {
        free(w);
        vidi_resample_axis_free(axis);
        return -2;
    }
    axis->source_first = input, axis->source_end = 0;
    for (int k = 0; k < count; k++) {
        int i = first + k, low, size;
        taps_of(i, input, scale, support, &low, &size);
        weights_of(i, low, size, scale, filter, w);
        int start = low;
        if (input >= taps && start > input - taps) start = input - taps;
        axis->start[k] = start, axis->tap_first[k] = low, axis->tap_count[k] = size;
        int16_t *row = axis->weights + (size_t)k * (size_t)taps + (low - start);
        for (int j = 0; j < size; j++) {
            double v = w[j] * (double)(1 << precision);
            row[j] = (int16_t)(v < 0 ? (int)(v - 0.5) : (int)(v + 0.5));
        }
        int32_t *pair = axis->pairs + (size_t)k * (size_t)pair_count;
        for (int j = 0; j < size; j += 2) {
            uint32_t high = j + 1 < size ? (uint16_t)row[j + 1] : 0;
            pair[j / 2] = (int32_t)((uint32_t)(uint16_t)row[j] | (high << 16));
        }
        if (low < axis->source_first) axis->source_first = low;
        if (low + size > axis->source_end) axis->source_end = low + size;
    }
    free(w);
    return 0;
}

intptr_t vidi_resample_scratch_size(const VidiResampleAxis *x, const VidiResampleAxis *y) {
    if (x->identity || y->identity) return 0;
    return (intptr_t)(y->source_end - y->source_first) * x->count;
}

static inline uint8_t clamp_shifted(int32_t sum, int precision) {
    int32_t v = sum >> precision;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

// Window pixels [from, to) of one row.
static void horizontal_scalar(const uint8_t *row, const VidiResampleAxis *x, uint8_t *out, int from, int to) {
    for (int k = from; k < to; k++) {
        const int16_t *w = x->weights + (size_t)k * (size_t)x->taps + (x->tap_first[k] - x->start[k]);
        const uint8_t *s = row + x->tap_first[k];
        int32_t sum = 1 << (x->precision - 1);
        for (int j = 0; j < x->tap_count[k]; j++) sum += s[j] * w[j];
        out[k] = clamp_shifted(sum, x->precision);
    }
}

// Window columns [from, to); source row r is at base + (r - base_row) * stride.
static void vertical_scalar(const uint8_t *base, intptr_t stride, int base_row, const VidiResampleAxis *y,
                            int from, int to, uint8_t *output, intptr_t output_stride) {
    for (int k = 0; k < y->count; k++) {
        const int16_t *w = y->weights + (size_t)k * (size_t)y->taps + (y->tap_first[k] - y->start[k]);
        const uint8_t *s = base + (intptr_t)(y->tap_first[k] - base_row) * stride;
        uint8_t *out = output + (intptr_t)k * output_stride;
        for (int c = from; c < to; c++) {
            int32_t sum = 1 << (y->precision - 1);
            for (int j = 0; j < y->tap_count[k]; j++) sum += s[(intptr_t)j * stride + c] * w[j];
            out[c] = clamp_shifted(sum, y->precision);
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2")))

// Eight int32 sums (in order) -> rounded, shifted, clamped bytes.
AVX2 static inline void store_eight(__m256i sum, __m128i shift, uint8_t *out) {
    sum = _mm256_sra_epi32(sum, shift);
    __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
    _mm_storel_epi64((__m128i *)out, _mm_packus_epi16(words, words));
}

#define INLINE __attribute__((always_inline)) inline

static inline int32_t load4(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

// Eight 4-tap pixels of `rows` rows from k (upscales and mild downscales, 4:2:0 chroma of 360p -> 112):
// four pixels' 4 source bytes per 128-bit register.
AVX2 static INLINE void eight_taps4(const uint8_t *row0, const uint8_t *row1, int rows, const int32_t *start,
                                    const int16_t *weights, int k, __m256i round, __m128i shift, uint8_t *out0,
                                    uint8_t *out1) {
    const __m256i w0 = _mm256_loadu_si256((const __m256i *)(weights + (size_t)k * 4));
    const __m256i w1 = _mm256_loadu_si256((const __m256i *)(weights + (size_t)k * 4 + 16));
    // hadd leaves pixels 0, 1, 4, 5 in the low lane and 2, 3, 6, 7 in the high one.
    const __m256i order = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
    for (int n = 0; n < rows; n++) {
        const uint8_t *row = n ? row1 : row0;
        __m128i a = _mm_setr_epi32(load4(row + start[k]), load4(row + start[k + 1]), load4(row + start[k + 2]),
                                   load4(row + start[k + 3]));
        __m128i b = _mm_setr_epi32(load4(row + start[k + 4]), load4(row + start[k + 5]), load4(row + start[k + 6]),
                                   load4(row + start[k + 7]));
        __m256i sums = _mm256_hadd_epi32(_mm256_madd_epi16(_mm256_cvtepu8_epi16(a), w0),
                                         _mm256_madd_epi16(_mm256_cvtepu8_epi16(b), w1));
        store_eight(_mm256_add_epi32(_mm256_permutevar8x32_epi32(sums, order), round), shift, (n ? out1 : out0) + k);
    }
}

// Rounds, shifts and stores eight 8-tap pixels of `rows` rows (1 or 2, a constant once inlined) from k: per
// pixel pair, one register holds the two pixels' 8 source bytes (k + 2q low lane, k + 2q + 1 high); the rows
// share the starts and weights.
AVX2 static INLINE void eight_taps8(const uint8_t *row0, const uint8_t *row1, int rows, const int32_t *start,
                                    const int16_t *weights, int k, __m256i round, __m128i shift, uint8_t *out0,
                                    uint8_t *out1) {
    __m256i r[2][4];
    for (int q = 0; q < 4; q++) {
        intptr_t a = start[k + 2 * q], b = start[k + 2 * q + 1];
        __m256i w = _mm256_loadu_si256((const __m256i *)(weights + (size_t)(k + 2 * q) * 8));
        for (int n = 0; n < rows; n++) {
            const uint8_t *row = n ? row1 : row0;
            __m128i pair = _mm_castpd_si128(_mm_loadh_pd(_mm_castsi128_pd(_mm_loadl_epi64((const __m128i *)(row + a))),
                                                         (const double *)(row + b)));
            r[n][q] = _mm256_madd_epi16(_mm256_cvtepu8_epi16(pair), w);
        }
    }
    // Low lane: pixels 0, 2, 4, 6; high lane: 1, 3, 5, 7.
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (int n = 0; n < rows; n++) {
        __m256i sums = _mm256_hadd_epi32(_mm256_hadd_epi32(r[n][0], r[n][1]), _mm256_hadd_epi32(r[n][2], r[n][3]));
        store_eight(_mm256_add_epi32(_mm256_permutevar8x32_epi32(sums, order), round), shift, (n ? out1 : out0) + k);
    }
}

// The same with taps a multiple of 16, one 16-byte run per pixel and chunk.
AVX2 static INLINE void eight_taps16(const uint8_t *row0, const uint8_t *row1, int rows, const int32_t *start,
                                     const int16_t *weights, int taps, int k, __m256i round, __m128i shift,
                                     uint8_t *out0, uint8_t *out1) {
    for (int n = 0; n < rows; n++) {
        __m256i r[8];
        for (int q = 0; q < 8; q++) {
            const uint8_t *s = (n ? row1 : row0) + start[k + q];
            const int16_t *w = weights + (size_t)(k + q) * (size_t)taps;
            __m256i acc = _mm256_setzero_si256();
            for (int c = 0; c < taps; c += 16) {
                __m256i v = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(s + c)));
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(v, _mm256_loadu_si256((const __m256i *)(w + c))));
            }
            r[q] = acc;
        }
        __m256i g0 = _mm256_hadd_epi32(_mm256_hadd_epi32(r[0], r[1]), _mm256_hadd_epi32(r[2], r[3]));
        __m256i g1 = _mm256_hadd_epi32(_mm256_hadd_epi32(r[4], r[5]), _mm256_hadd_epi32(r[6], r[7]));
        __m256i sums = _mm256_add_epi32(_mm256_permute2x128_si256(g0, g1, 0x20), _mm256_permute2x128_si256(g0, g1, 0x31));
        store_eight(_mm256_add_epi32(sums, round), shift, (n ? out1 : out0) + k);
    }
}

// A row, or two (rows = 2, a constant once inlined). Locals instead of the axis's fields: the stores through
// `out` could alias them as far as the compiler knows.
AVX2 static INLINE void horizontal_rows_avx2(const uint8_t *row0, const uint8_t *row1, int rows, const VidiResampleAxis *x,
                                             uint8_t *out0, uint8_t *out1) {
    const int32_t *start = x->start;
    const int16_t *weights = x->weights;
    const int count = x->count, taps = x->taps;
    const __m256i round = _mm256_set1_epi32(1 << (x->precision - 1));
    const __m128i shift = _mm_cvtsi32_si128(x->precision);
    if (taps == 4) {
        for (int k = 0;; k += 8) {
            if (k + 8 > count) k = count - 8;
            eight_taps4(row0, row1, rows, start, weights, k, round, shift, out0, out1);
            if (k + 8 == count) break;
        }
    } else if (taps == 8) {
        for (int k = 0;; k += 8) {
            if (k + 8 > count) k = count - 8;  // the last step overlaps the one before
            eight_taps8(row0, row1, rows, start, weights, k, round, shift, out0, out1);
            if (k + 8 == count) break;
        }
    } else {
        for (int k = 0;; k += 8) {
            if (k + 8 > count) k = count - 8;
            // Constant tap counts for the common widths, so the runs unroll.
            if (taps == 16)
                eight_taps16(row0, row1, rows, start, weights, 16, k, round, shift, out0, out1);
            else if (taps == 32)
                eight_taps16(row0, row1, rows, start, weights, 32, k, round, shift, out0, out1);
            else
                eight_taps16(row0, row1, rows, start, weights, taps, k, round, shift, out0, out1);
            if (k + 8 == count) break;
        }
    }
}

AVX2 static void horizontal_avx2(const uint8_t *const row[2], int rows, const VidiResampleAxis *x, uint8_t *const out[2]) {
    if (x->count < 8 || x->input < x->taps) {
        for (int n = 0; n < rows; n++) horizontal_scalar(row[n], x, out[n], 0, x->count);
    } else if (rows == 2) {
        horizontal_rows_avx2(row[0], row[1], 2, x, out[0], out[1]);
    } else {
        horizontal_rows_avx2(row[0], row[0], 1, x, out[0], out[0]);
    }
}

AVX2 static void vertical_avx2(const uint8_t *base, intptr_t stride, int base_row, const VidiResampleAxis *y,
                               int width, uint8_t *output, intptr_t output_stride) {
    if (width < 16) {
        vertical_scalar(base, stride, base_row, y, 0, width, output, output_stride);
        return;
    }
    const __m256i round = _mm256_set1_epi32(1 << (y->precision - 1));
    const __m128i shift = _mm_cvtsi32_si128(y->precision), zero = _mm_setzero_si128();
    // Locals: the stores could alias the axis's fields as far as the compiler knows.
    const int pair_count = y->taps / 2 + 1, count = y->count;
    const int32_t *all_pairs = y->pairs, *tap_first = y->tap_first, *tap_count = y->tap_count;
    for (int k = 0; k < count; k++) {
        const int32_t *pairs = all_pairs + (size_t)k * (size_t)pair_count;
        const uint8_t *rows = base + (intptr_t)(tap_first[k] - base_row) * stride;
        const int n = tap_count[k];
        uint8_t *out = output + (intptr_t)k * output_stride;
        for (int c = 0;; c += 16) {
            if (c + 16 > width) c = width - 16;
            __m256i low = round, high = round;
            int j = 0;
            for (; j + 1 < n; j += 2) {
                __m128i a = _mm_loadu_si128((const __m128i *)(rows + (intptr_t)j * stride + c));
                __m128i b = _mm_loadu_si128((const __m128i *)(rows + (intptr_t)(j + 1) * stride + c));
                __m256i pair = _mm256_set1_epi32(pairs[j / 2]);
                low = _mm256_add_epi32(low, _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm_unpacklo_epi8(a, b)), pair));
                high = _mm256_add_epi32(high, _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm_unpackhi_epi8(a, b)), pair));
            }
            if (j < n) {  // an odd last tap pairs with zeros
                __m128i a = _mm_loadu_si128((const __m128i *)(rows + (intptr_t)j * stride + c));
                __m256i pair = _mm256_set1_epi32(pairs[j / 2]);
                low = _mm256_add_epi32(low, _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm_unpacklo_epi8(a, zero)), pair));
                high = _mm256_add_epi32(high, _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm_unpackhi_epi8(a, zero)), pair));
            }
            low = _mm256_sra_epi32(low, shift);
            high = _mm256_sra_epi32(high, shift);
            __m256i words = _mm256_permute4x64_epi64(_mm256_packs_epi32(low, high), 0xD8);
            _mm_storeu_si128((__m128i *)(out + c),
                             _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1)));
            if (c + 16 == width) break;
        }
    }
}
#endif

// One or two rows.
static void horizontal(const uint8_t *const row[2], int rows, const VidiResampleAxis *x, uint8_t *const out[2], int simd) {
#if defined(__x86_64__)
    if (simd) {
        horizontal_avx2(row, rows, x, out);
        return;
    }
#endif
    (void)simd;
    for (int n = 0; n < rows; n++) horizontal_scalar(row[n], x, out[n], 0, x->count);
}

static void vertical(const uint8_t *base, intptr_t stride, int base_row, const VidiResampleAxis *y, int width,
                     uint8_t *output, intptr_t output_stride, int simd) {
#if defined(__x86_64__)
    if (simd) {
        vertical_avx2(base, stride, base_row, y, width, output, output_stride);
        return;
    }
#endif
    (void)simd;
    vertical_scalar(base, stride, base_row, y, 0, width, output, output_stride);
}

void vidi_resample_plane(const uint8_t *source, intptr_t source_stride, const VidiResampleAxis *x,
                         const VidiResampleAxis *y, uint8_t *output, intptr_t output_stride,
                         uint8_t *scratch, int simd) {
    if (x->identity && y->identity) {
        for (int k = 0; k < y->count; k++)
            memcpy(output + (intptr_t)k * output_stride, source + (intptr_t)(y->first + k) * source_stride + x->first,
                   (size_t)x->count);
    } else if (y->identity) {  // horizontal only, straight into the output
        for (int k = 0; k < y->count; k += 2) {
            int next = k + 1 < y->count ? k + 1 : k;  // one row left: the pair's second is unused
            const uint8_t *rows[2] = {source + (intptr_t)(y->first + k) * source_stride,
                                      source + (intptr_t)(y->first + next) * source_stride};
            uint8_t *outs[2] = {output + (intptr_t)k * output_stride, output + (intptr_t)next * output_stride};
            horizontal(rows, k + 1 < y->count ? 2 : 1, x, outs, simd);
        }
    } else if (x->identity) {  // vertical only, from the source's window columns
        vertical(source + x->first + (intptr_t)y->source_first * source_stride, source_stride, y->source_first, y,
                 x->count, output, output_stride, simd);
    } else {
        for (int r = y->source_first; r < y->source_end; r += 2) {
            int next = r + 1 < y->source_end ? r + 1 : r;
            const uint8_t *rows[2] = {source + (intptr_t)r * source_stride, source + (intptr_t)next * source_stride};
            uint8_t *outs[2] = {scratch + (intptr_t)(r - y->source_first) * x->count,
                                scratch + (intptr_t)(next - y->source_first) * x->count};
            horizontal(rows, r + 1 < y->source_end ? 2 : 1, x, outs, simd);
        }
        vertical(scratch, x->count, y->source_first, y, x->count, output, output_stride, simd);
    }
}
