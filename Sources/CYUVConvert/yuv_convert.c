// Planar YUV -> RGB24, bit-identical to FFmpeg 5.1's x86 unscaled converter (see yuv_convert.h).
// The AVX2 kernel does 32 pixels (16 chroma samples) per step in 16-bit lanes, even and odd pixels apart
// (each pair shares one chroma sample), and packs them to RGB24 with byte shuffles. For 4:2:0 the chroma
// terms of a step serve two luma rows.
#include "yuv_convert.h"
#include <libavutil/cpu.h>

// swscale rounds each 16.16 factor scaled by 2^13 (2^3 for the offset) to the nearest int16.
static int16_t round_to_int16(int64_t value) {
    int64_t r = (value + (1 << 15)) >> 16;
    if (r < -0x7FFF) return INT16_MIN;
    if (r > 0x7FFF) return 0x7FFF;
    return (int16_t)r;
}

VidiYUVFactors vidi_yuv_factors(const int inverse_table[4], int source_full_range, int brightness,
                                int contrast, int saturation) {
    int64_t red = inverse_table[0], blue = inverse_table[1];
    int64_t u_green = -inverse_table[2], v_green = -inverse_table[3];
    int64_t luma = 1 << 16, offset = 0;
    if (source_full_range) {         // the table is for limited chroma: rescale it to full-range codes
        red = red * 224 / 255;
        blue = blue * 224 / 255;
        u_green = u_green * 224 / 255;
        v_green = v_green * 224 / 255;
    } else {                         // limited luma: 16...235 stretched to 0...255
        luma = luma * 255 / 219;
        offset = 16 << 16;
    }
    luma = luma * contrast >> 16;
    red = red * contrast * saturation >> 32;
    blue = blue * contrast * saturation >> 32;
    u_green = u_green * contrast * saturation >> 32;
    v_green = v_green * contrast * saturation >> 32;
    offset -= 256 * (int64_t)brightness;
    VidiYUVFactors f = {
        .y_factor = round_to_int16(luma << 13), .y_offset = round_to_int16(offset << 3),
        .v_red = round_to_int16(red << 13), .u_green = round_to_int16(u_green << 13),
        .v_green = round_to_int16(v_green << 13), .u_blue = round_to_int16(blue << 13),
    };
    return f;
}

int vidi_yuv_avx2_available(void) {
    int flags = av_get_cpu_flags();
    return (flags & AV_CPU_FLAG_AVX2) && (flags & AV_CPU_FLAG_SSSE3);
}

static inline int mulhi(int a, int b) { return (a * b) >> 16; }
static inline uint8_t clamp_byte(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

// Pixels [from, to) of one row, one at a time.
static void convert_run(const uint8_t *y, const uint8_t *u, const uint8_t *v, uint8_t *out,
                        int from, int to, const VidiYUVFactors *f) {
    for (int x = from; x < to; x++) {
        int luma = mulhi(8 * y[x] - f->y_offset, f->y_factor);
        int cu = 8 * u[x >> 1] - 1024, cv = 8 * v[x >> 1] - 1024;
        out[3 * x] = clamp_byte(luma + mulhi(cv, f->v_red));
        out[3 * x + 1] = clamp_byte(luma + mulhi(cu, f->u_green) + mulhi(cv, f->v_green));
        out[3 * x + 2] = clamp_byte(luma + mulhi(cu, f->u_blue));
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2")))

typedef struct {
    __m256i y_factor, y_offset, v_red, u_green, v_green, u_blue, chroma_offset, nine_bits;
    // shuffles[chunk][channel]: picks the bytes of output chunk `chunk` (16 of a lane's 48 RGB bytes)
    // from that channel's packed bytes (a lane holds its 8 even pixels, then its 8 odd pixels)
    __m256i shuffles[3][3];
} Kernel;

typedef struct { __m256i red, green, blue; } ChromaTerms;   // 16 chroma samples' contributions, int16

static AVX2 void kernel_init(Kernel *k, const VidiYUVFactors *f) {
    k->y_factor = _mm256_set1_epi16(f->y_factor);
    k->y_offset = _mm256_set1_epi16(f->y_offset);
    k->v_red = _mm256_set1_epi16(f->v_red);
    k->u_green = _mm256_set1_epi16(f->u_green);
    k->v_green = _mm256_set1_epi16(f->v_green);
    k->u_blue = _mm256_set1_epi16(f->u_blue);
    k->chroma_offset = _mm256_set1_epi16(1024);
    k->nine_bits = _mm256_set1_epi16(0x07F8);   // a byte times 8
    for (int chunk = 0; chunk < 3; chunk++) {
        for (int channel = 0; channel < 3; channel++) {
            int8_t bytes[32];
            for (int i = 0; i < 16; i++) {
                int k3 = 16 * chunk + i, pixel = k3 / 3;
                int8_t source = (int8_t)((pixel & 1) ? 8 + pixel / 2 : pixel / 2);
                bytes[i] = bytes[i + 16] = k3 % 3 == channel ? source : (int8_t)-128;   // -128: zero
            }
            k->shuffles[chunk][channel] = _mm256_loadu_si256((const __m256i *)bytes);
        }
    }
}

static inline AVX2 ChromaTerms chroma_terms(const Kernel *k, const uint8_t *u, const uint8_t *v) {
    __m256i cu = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)u));
    __m256i cv = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)v));
    cu = _mm256_sub_epi16(_mm256_slli_epi16(cu, 3), k->chroma_offset);
    cv = _mm256_sub_epi16(_mm256_slli_epi16(cv, 3), k->chroma_offset);
    ChromaTerms t;
    t.red = _mm256_mulhi_epi16(cv, k->v_red);
    t.green = _mm256_add_epi16(_mm256_mulhi_epi16(cu, k->u_green), _mm256_mulhi_epi16(cv, k->v_green));
    t.blue = _mm256_mulhi_epi16(cu, k->u_blue);
    return t;
}

static inline AVX2 __m256i interleave_chunk(const Kernel *k, int chunk, __m256i r, __m256i g, __m256i b) {
    __m256i rg = _mm256_or_si256(_mm256_shuffle_epi8(r, k->shuffles[chunk][0]),
                                 _mm256_shuffle_epi8(g, k->shuffles[chunk][1]));
    return _mm256_or_si256(rg, _mm256_shuffle_epi8(b, k->shuffles[chunk][2]));
}

// 32 pixels from y, with the chroma terms of their 16 samples, to 96 bytes at out.
static inline AVX2 void convert_block(const Kernel *k, const uint8_t *y, ChromaTerms t, uint8_t *out) {
    __m256i luma = _mm256_loadu_si256((const __m256i *)y);
    __m256i even = _mm256_and_si256(_mm256_slli_epi16(luma, 3), k->nine_bits);
    __m256i odd = _mm256_and_si256(_mm256_srli_epi16(luma, 5), k->nine_bits);
    even = _mm256_mulhi_epi16(_mm256_sub_epi16(even, k->y_offset), k->y_factor);
    odd = _mm256_mulhi_epi16(_mm256_sub_epi16(odd, k->y_offset), k->y_factor);
    __m256i r = _mm256_packus_epi16(_mm256_add_epi16(even, t.red), _mm256_add_epi16(odd, t.red));
    __m256i g = _mm256_packus_epi16(_mm256_add_epi16(even, t.green), _mm256_add_epi16(odd, t.green));
    __m256i b = _mm256_packus_epi16(_mm256_add_epi16(even, t.blue), _mm256_add_epi16(odd, t.blue));
    // chunk c's low lane is bytes 16c...16c+15 of the 96, its high lane bytes 48+16c...
    __m256i c0 = interleave_chunk(k, 0, r, g, b);
    __m256i c1 = interleave_chunk(k, 1, r, g, b);
    __m256i c2 = interleave_chunk(k, 2, r, g, b);
    _mm256_storeu_si256((__m256i *)out, _mm256_permute2x128_si256(c0, c1, 0x20));
    _mm256_storeu_si256((__m256i *)(out + 32), _mm256_permute2x128_si256(c2, c0, 0x30));
    _mm256_storeu_si256((__m256i *)(out + 64), _mm256_permute2x128_si256(c1, c2, 0x31));
}

// One or two luma rows (y1 / out1 NULL for one) sharing a chroma row. A width that is not a multiple of
// 32 ends with one more block overlapping the previous one, starting on an even pixel so pairs keep their
// chroma sample, and at most one pixel (odd widths) done by the scalar path.
static AVX2 void convert_rows_avx2(const Kernel *k, const VidiYUVFactors *f, const uint8_t *y0, const uint8_t *y1,
                                   const uint8_t *u, const uint8_t *v, uint8_t *out0, uint8_t *out1, int width) {
    int x = 0;
    for (; x + 32 <= width; x += 32) {
        ChromaTerms t = chroma_terms(k, u + x / 2, v + x / 2);
        convert_block(k, y0 + x, t, out0 + 3 * x);
        if (y1) convert_block(k, y1 + x, t, out1 + 3 * x);
    }
    if (x < width && width >= 32) {
        x = (width - 32) & ~1;
        ChromaTerms t = chroma_terms(k, u + x / 2, v + x / 2);
        convert_block(k, y0 + x, t, out0 + 3 * x);
        if (y1) convert_block(k, y1 + x, t, out1 + 3 * x);
        x += 32;
    }
    convert_run(y0, u, v, out0, x, width, f);
    if (y1) convert_run(y1, u, v, out1, x, width, f);
}

static AVX2 void convert_avx2(const uint8_t *y, intptr_t y_stride, const uint8_t *u, intptr_t u_stride,
                              const uint8_t *v, intptr_t v_stride, int chroma_row_shift,
                              uint8_t *rgb, intptr_t rgb_stride, int width, int height, const VidiYUVFactors *f) {
    Kernel k;
    kernel_init(&k, f);
    int step = chroma_row_shift ? 2 : 1;
    for (int row = 0; row < height; row += step) {
        const uint8_t *cu = u + (row >> chroma_row_shift) * u_stride, *cv = v + (row >> chroma_row_shift) * v_stride;
        int pair = step == 2 && row + 1 < height;
        convert_rows_avx2(&k, f, y + row * y_stride, pair ? y + (row + 1) * y_stride : NULL, cu, cv,
                          rgb + row * rgb_stride, pair ? rgb + (row + 1) * rgb_stride : NULL, width);
    }
}
#endif

void vidi_yuv_to_rgb24(const uint8_t *y, intptr_t y_stride, const uint8_t *u, intptr_t u_stride,
                       const uint8_t *v, intptr_t v_stride, int chroma_row_shift,
                       uint8_t *rgb, intptr_t rgb_stride, int width, int height,
                       const VidiYUVFactors *factors) {
    if (width <= 0 || height <= 0) return;
#if defined(__x86_64__)
    if (vidi_yuv_avx2_available()) {
        convert_avx2(y, y_stride, u, u_stride, v, v_stride, chroma_row_shift, rgb, rgb_stride, width, height, factors);
        return;
    }
#endif
    for (int row = 0; row < height; row++) {
        int c = row >> chroma_row_shift;
        convert_run(y + row * y_stride, u + c * u_stride, v + c * v_stride, rgb + row * rgb_stride, 0, width, factors);
    }
}
