// 4:4:4 YUV -> normalised float RGB planes through VidiMedia's tables (see yuv_normalise.h). The vector path
// gathers from the same tables with the same integer sums, so its floats equal the scalar path's.
#include "yuv_normalise.h"
#include "yuv_convert.h"

// Pixels [from, to) of one output row, one at a time; p: the row's plane offset.
static void normalise_run(const uint8_t *y, const uint8_t *u, const uint8_t *v, intptr_t p, intptr_t column_step,
                          int from, int to, const int32_t *t, const float *n, float *out, intptr_t green,
                          intptr_t blue) {
    p += from * column_step;
    for (int x = from; x < to; x++, p += column_step) {
        int32_t luma = t[y[p]], uu = u[p], vv = v[p];
        out[x] = n[(luma + t[256 + vv]) >> 16];
        out[x + green] = n[(luma + t[512 + uu] + t[768 + vv]) >> 16];
        out[x + blue] = n[(luma + t[1024 + uu]) >> 16];
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2")))

// Pixels [0, width rounded down to 8) of one row with column step 1; returns how many.
static AVX2 int normalise_row_avx2(const uint8_t *y, const uint8_t *u, const uint8_t *v, int width,
                                   const int32_t *t, const float *n, float *out, intptr_t green, intptr_t blue) {
    const int *ti = (const int *)t;
    int x = 0;
    for (; x + 8 <= width; x += 8) {
        __m256i yy = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(y + x)));
        __m256i uu = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(u + x)));
        __m256i vv = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(v + x)));
        __m256i luma = _mm256_i32gather_epi32(ti, yy, 4);
        __m256i r = _mm256_add_epi32(luma, _mm256_i32gather_epi32(ti + 256, vv, 4));
        __m256i g = _mm256_add_epi32(_mm256_add_epi32(luma, _mm256_i32gather_epi32(ti + 512, uu, 4)),
                                     _mm256_i32gather_epi32(ti + 768, vv, 4));
        __m256i b = _mm256_add_epi32(luma, _mm256_i32gather_epi32(ti + 1024, uu, 4));
        _mm256_storeu_ps(out + x, _mm256_i32gather_ps(n, _mm256_srai_epi32(r, 16), 4));
        _mm256_storeu_ps(out + x + green, _mm256_i32gather_ps(n, _mm256_srai_epi32(g, 16), 4));
        _mm256_storeu_ps(out + x + blue, _mm256_i32gather_ps(n, _mm256_srai_epi32(b, 16), 4));
    }
    return x;
}
#endif

void vidi_yuv444_to_normalised(const uint8_t *y, const uint8_t *u, const uint8_t *v, intptr_t start,
                               intptr_t row_step, intptr_t column_step, int width, int height,
                               const int32_t *terms, const float *normalised, float *out, intptr_t green,
                               intptr_t blue) {
    if (width <= 0 || height <= 0) return;
#if defined(__x86_64__)
    int vector = column_step == 1 && vidi_yuv_avx2_available();
#endif
    for (int row = 0; row < height; row++) {
        intptr_t p = start + row * row_step;
        float *o = out + (intptr_t)row * width;
        int done = 0;
#if defined(__x86_64__)
        if (vector) done = normalise_row_avx2(y + p, u + p, v + p, width, terms, normalised, o, green, blue);
#endif
        normalise_run(y, u, v, p, column_step, done, width, terms, normalised, o, green, blue);
    }
}
