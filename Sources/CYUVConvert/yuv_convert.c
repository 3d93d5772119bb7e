// Planar YUV -> RGB24, bit-identical to FFmpeg 5.1's x86 unscaled converter (see yuv_convert.h).
// Two kernels: AVX-512 (below the AVX2 one) where the CPU has it, else AVX2. The AVX2 kernel does 32
// pixels (16 chroma samples) per step in 16-bit lanes, even and odd pixels apart
// (each pair shares one chroma sample, so the chroma terms are computed at chroma resolution and never
// duplicated), and packs them to RGB24 with one byte shuffle per channel and byte blends. For 4:2:0 the
// chroma terms of a step serve two luma rows. About 39 instructions per 32 pixels and row (clang -O2,
// 640x360 4:2:0; callgrind on Tools/bench/yuv_rgb_bench.c), against 58 for the first version.
#include "yuv_convert.h"
#include <libavutil/cpu.h>
#include <pthread.h>

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

// Per 32-pixel step and row: one load, luma even/odd split and times 8 in one multiply-add each, 2 luma
// multiplies, 6 adds and 3 saturating packs to bytes, then RGB24 in 3 shuffles (each channel's bytes to
// where they go within a 16-byte chunk), 6 blends (which channel a chunk's byte takes) and 3 lane merges.
typedef struct {
    __m256i y_factor, y_offset, v_red, u_green, v_green, u_blue;
    __m256i even_times8, odd_times8;   // multiply-add weights: 8 * byte 2i, 8 * byte 2i + 1, as int16
    // place[channel]: moves a lane's packed bytes (its 8 even pixels, then its 8 odd pixels) of one
    // channel to their positions within a 16-byte chunk of the lane's 48 RGB bytes. One shuffle serves all
    // three chunks: byte p of chunk k holds channel (16k + p) % 3 = (k + p) % 3, so for a given channel
    // each position p belongs to exactly one chunk.
    __m256i place[3];
    __m256i third[3];                  // third[j]: bytes p with p % 3 == j (blend masks)
} Kernel;

// What stays in registers through a row: the blend masks (an instruction takes its mask only from a
// register), the luma factors and the chroma sign flip. Every other constant is read from memory as an
// instruction operand (see convert_rows_avx2).
typedef struct {
    __m256i third[3], y_offset, y_factor;
    __m128i sign_bit;
} Held;

typedef struct { __m256i red, green, blue; } ChromaTerms;   // 16 chroma samples' contributions, int16

static AVX2 void kernel_init(Kernel *k, const VidiYUVFactors *f) {
    k->y_factor = _mm256_set1_epi16(f->y_factor);
    k->y_offset = _mm256_set1_epi16(f->y_offset);
    k->v_red = _mm256_set1_epi16(f->v_red);
    k->u_green = _mm256_set1_epi16(f->u_green);
    k->v_green = _mm256_set1_epi16(f->v_green);
    k->u_blue = _mm256_set1_epi16(f->u_blue);
    k->even_times8 = _mm256_set1_epi16(8);
    k->odd_times8 = _mm256_set1_epi16(8 << 8);
    for (int channel = 0; channel < 3; channel++) {
        int8_t place[32], third[32];
        for (int p = 0; p < 16; p++) {
            int chunk = ((channel - p) % 3 + 3) % 3, pixel = (16 * chunk + p) / 3;
            place[p] = place[p + 16] = (int8_t)((pixel & 1) ? 8 + pixel / 2 : pixel / 2);
            third[p] = third[p + 16] = p % 3 == channel ? -1 : 0;
        }
        k->place[channel] = _mm256_loadu_si256((const __m256i *)place);
        k->third[channel] = _mm256_loadu_si256((const __m256i *)third);
    }
}

static inline AVX2 ChromaTerms chroma_terms(const Kernel *k, const Held *h, const uint8_t *u, const uint8_t *v) {
    // 8 * C - 1024 = 8 * (C - 128): flipping the top bit makes C - 128 a signed byte
    __m256i cu = _mm256_cvtepi8_epi16(_mm_xor_si128(_mm_loadu_si128((const __m128i *)u), h->sign_bit));
    __m256i cv = _mm256_cvtepi8_epi16(_mm_xor_si128(_mm_loadu_si128((const __m128i *)v), h->sign_bit));
    cu = _mm256_slli_epi16(cu, 3);
    cv = _mm256_slli_epi16(cv, 3);
    ChromaTerms t;
    t.red = _mm256_mulhi_epi16(cv, k->v_red);
    t.green = _mm256_add_epi16(_mm256_mulhi_epi16(cu, k->u_green), _mm256_mulhi_epi16(cv, k->v_green));
    t.blue = _mm256_mulhi_epi16(cu, k->u_blue);
    return t;
}

// How a step writes its 96 bytes: plain stores, or non-temporal ones (straight to memory, past the caches)
// when out is 32-byte aligned, or 16 mod 32.
enum { STORE_PLAIN, STORE_STREAM_32, STORE_STREAM_16 };

// 32 pixels from y, with the chroma terms of their 16 samples, to 96 bytes at out.
static inline __attribute__((always_inline)) AVX2 void
convert_block(const Kernel *k, const Held *h, const uint8_t *y, ChromaTerms t, uint8_t *out, int stores) {
    __m256i luma = _mm256_loadu_si256((const __m256i *)y);
    __m256i even = _mm256_maddubs_epi16(luma, k->even_times8);   // 8 * Y, at most 2040: no saturation
    __m256i odd = _mm256_maddubs_epi16(luma, k->odd_times8);
    even = _mm256_mulhi_epi16(_mm256_sub_epi16(even, h->y_offset), h->y_factor);
    odd = _mm256_mulhi_epi16(_mm256_sub_epi16(odd, h->y_offset), h->y_factor);
    __m256i r = _mm256_packus_epi16(_mm256_add_epi16(even, t.red), _mm256_add_epi16(odd, t.red));
    __m256i g = _mm256_packus_epi16(_mm256_add_epi16(even, t.green), _mm256_add_epi16(odd, t.green));
    __m256i b = _mm256_packus_epi16(_mm256_add_epi16(even, t.blue), _mm256_add_epi16(odd, t.blue));
    r = _mm256_shuffle_epi8(r, k->place[0]);
    g = _mm256_shuffle_epi8(g, k->place[1]);
    b = _mm256_shuffle_epi8(b, k->place[2]);
    // chunk c takes green where (c + p) % 3 == 1 and blue where it is 2
    __m256i c0 = _mm256_blendv_epi8(_mm256_blendv_epi8(r, g, h->third[1]), b, h->third[2]);
    __m256i c1 = _mm256_blendv_epi8(_mm256_blendv_epi8(r, g, h->third[0]), b, h->third[1]);
    __m256i c2 = _mm256_blendv_epi8(_mm256_blendv_epi8(r, g, h->third[2]), b, h->third[0]);
    // chunk c's low lane is bytes 16c...16c+15 of the 96, its high lane bytes 48+16c...
    if (stores == STORE_STREAM_16) {   // out is 16 mod 32: 16 + 32 + 32 + 16 bytes, each store aligned
        _mm_stream_si128((__m128i *)out, _mm256_castsi256_si128(c0));
        _mm256_stream_si256((__m256i *)(out + 16), _mm256_permute2x128_si256(c1, c2, 0x20));
        _mm256_stream_si256((__m256i *)(out + 48), _mm256_permute2x128_si256(c0, c1, 0x31));
        _mm_stream_si128((__m128i *)(out + 80), _mm256_extracti128_si256(c2, 1));
        return;
    }
    __m256i s0 = _mm256_permute2x128_si256(c0, c1, 0x20), s1 = _mm256_permute2x128_si256(c2, c0, 0x30);
    __m256i s2 = _mm256_permute2x128_si256(c1, c2, 0x31);
    if (stores == STORE_STREAM_32) {
        _mm256_stream_si256((__m256i *)out, s0);
        _mm256_stream_si256((__m256i *)(out + 32), s1);
        _mm256_stream_si256((__m256i *)(out + 64), s2);
    } else {
        _mm256_storeu_si256((__m256i *)out, s0);
        _mm256_storeu_si256((__m256i *)(out + 32), s1);
        _mm256_storeu_si256((__m256i *)(out + 64), s2);
    }
}

// One 32-pixel step of `rows` (1 or 2, a constant after inlining) luma rows sharing a chroma row.
static inline __attribute__((always_inline)) AVX2 void
convert_step(const Kernel *k, const Held *h, int rows, const uint8_t *y0, const uint8_t *y1, const uint8_t *u,
             const uint8_t *v, uint8_t *out0, uint8_t *out1, int x, int stores) {
    ChromaTerms t = chroma_terms(k, h, u + x / 2, v + x / 2);
    convert_block(k, h, y0 + x, t, out0 + 3 * x, stores);
    if (rows == 2) convert_block(k, h, y1 + x, t, out1 + 3 * x, stores);
}

// `rows` (1 or 2) luma rows sharing a chroma row, two steps per loop turn. A width that is not a
// multiple of 32 ends with one more step overlapping the previous one, starting on an even pixel so
// pairs keep their chroma sample, and at most one pixel (odd widths) done by the scalar path. `stores`
// applies to the whole steps (their outputs sit at multiples of 96 bytes from the row start); the
// overlapping step is not aligned and uses plain stores (it rewrites bytes a streaming store wrote just
// before, which the same thread always sees in program order).
// Registers: `Held` and the chroma terms stay in them; without the empty asm the compiler would hoist all
// the constants into the 16 YMM registers and spill, which costs more instructions than it saves.
static inline __attribute__((always_inline)) AVX2 void
convert_rows_avx2(const Kernel *kernel, const VidiYUVFactors *f, int rows, const uint8_t *y0, const uint8_t *y1,
                  const uint8_t *u, const uint8_t *v, uint8_t *out0, uint8_t *out1, int width, int stores) {
    const Held held = {{kernel->third[0], kernel->third[1], kernel->third[2]}, kernel->y_offset, kernel->y_factor,
                       _mm_set1_epi8((char)0x80)};
    int x = 0;
    for (; x + 64 <= width; x += 64) {
        const Kernel *k = kernel;
        __asm__("" : "+r"(k));   // the compiler no longer knows k: it reads the constants at each use
        convert_step(k, &held, rows, y0, y1, u, v, out0, out1, x, stores);
        convert_step(k, &held, rows, y0, y1, u, v, out0, out1, x + 32, stores);
    }
    if (x + 32 <= width) {
        convert_step(kernel, &held, rows, y0, y1, u, v, out0, out1, x, stores);
        x += 32;
    }
    if (x == width) return;
    if (width >= 32) {
        x = (width - 32) & ~1;
        convert_step(kernel, &held, rows, y0, y1, u, v, out0, out1, x, STORE_PLAIN);
        x += 32;
    }
    convert_run(y0, u, v, out0, x, width, f);
    if (rows == 2) convert_run(y1, u, v, out1, x, width, f);
}

// The picture with one store kind (a constant after inlining, so each kind gets its own loop).
static inline __attribute__((always_inline)) AVX2 void
convert_picture(const Kernel *k, const VidiYUVFactors *f, const uint8_t *y, intptr_t y_stride, const uint8_t *u,
                intptr_t u_stride, const uint8_t *v, intptr_t v_stride, int chroma_row_shift, uint8_t *rgb,
                intptr_t rgb_stride, int width, int height, int stores) {
    int row = 0;
    if (chroma_row_shift) {   // 4:2:0: two luma rows on one chroma row
        for (; row + 1 < height; row += 2) {
            convert_rows_avx2(k, f, 2, y, y + y_stride, u, v, rgb, rgb + rgb_stride, width, stores);
            y += 2 * y_stride;
            u += u_stride;
            v += v_stride;
            rgb += 2 * rgb_stride;
        }
    }
    for (; row < height; row++) {   // 4:2:2, or the last row of an odd height
        convert_rows_avx2(k, f, 1, y, NULL, u, v, rgb, NULL, width, stores);
        y += y_stride;
        u += u_stride;
        v += v_stride;
        rgb += rgb_stride;
    }
}

// The AVX-512 kernel (F, BW and VBMI): 64 pixels (32 chroma samples) per step with the same arithmetic,
// packed to RGB24 by two two-table byte permutes per 64-byte output chunk (red and green, then blue)
// instead of AVX2's shuffles, blends and lane merges: 71 instructions per loop turn (64 pixels of two rows,
// clang -O2), 36 per 64 pixels and row against 78 for two AVX2 steps. All constants stay in the 32 ZMM
// registers. Plain stores only. Timed alone it is only 1.1-1.2x the AVX2 kernel on 30 decoded frames
// (Tools/bench/yuv_rgb_bench.c): the conversion is bound by its memory traffic more than its instructions.
#define AVX512 __attribute__((target("avx2,avx512f,avx512bw,avx512vbmi")))

typedef struct {
    __m512i y_factor, y_offset, v_red, u_green, v_green, u_blue, even_times8, odd_times8;
    // red_green[c] picks chunk c's red and green bytes from (r, g); with_blue[c] keeps those and adds blue
    __m512i red_green[3], with_blue[3];
    __m256i sign_bit;
} Kernel512;

typedef struct { __m512i red, green, blue; } ChromaTerms512;

// The permutes' byte indices, the same for every picture: made once, since a caller converting a picture
// in many small bands would otherwise pay their making (a few thousand instructions) for each band.
static uint8_t permute_indices[2][3][64];   // [0]: red_green, [1]: with_blue, per chunk
static pthread_once_t permute_indices_once = PTHREAD_ONCE_INIT;

static void make_permute_indices(void) {
    for (int chunk = 0; chunk < 3; chunk++) {
        for (int q = 0; q < 64; q++) {
            int n = 64 * chunk + q, pixel = n / 3, channel = n % 3;
            // After the saturating packs, 128-bit lane L of a channel holds pixels 16L, 16L + 2, ..., 16L + 14,
            // then 16L + 1, ..., 16L + 15.
            int within = pixel % 16, packed = 16 * (pixel / 16) + (within % 2 ? 8 + within / 2 : within / 2);
            permute_indices[0][chunk][q] = (uint8_t)(channel == 1 ? 64 + packed : packed);   // blue's: replaced next
            permute_indices[1][chunk][q] = (uint8_t)(channel == 2 ? 64 + packed : q);
        }
    }
}

static AVX512 void kernel512_init(Kernel512 *k, const VidiYUVFactors *f) {
    k->y_factor = _mm512_set1_epi16(f->y_factor);
    k->y_offset = _mm512_set1_epi16(f->y_offset);
    k->v_red = _mm512_set1_epi16(f->v_red);
    k->u_green = _mm512_set1_epi16(f->u_green);
    k->v_green = _mm512_set1_epi16(f->v_green);
    k->u_blue = _mm512_set1_epi16(f->u_blue);
    k->even_times8 = _mm512_set1_epi16(8);
    k->odd_times8 = _mm512_set1_epi16(8 << 8);
    k->sign_bit = _mm256_set1_epi8((char)0x80);
    pthread_once(&permute_indices_once, make_permute_indices);
    for (int chunk = 0; chunk < 3; chunk++) {
        k->red_green[chunk] = _mm512_loadu_si512(permute_indices[0][chunk]);
        k->with_blue[chunk] = _mm512_loadu_si512(permute_indices[1][chunk]);
    }
}

static inline __attribute__((always_inline)) AVX512 ChromaTerms512
chroma_terms512(const Kernel512 *k, const uint8_t *u, const uint8_t *v) {
    __m512i cu = _mm512_cvtepi8_epi16(_mm256_xor_si256(_mm256_loadu_si256((const __m256i *)u), k->sign_bit));
    __m512i cv = _mm512_cvtepi8_epi16(_mm256_xor_si256(_mm256_loadu_si256((const __m256i *)v), k->sign_bit));
    cu = _mm512_slli_epi16(cu, 3);
    cv = _mm512_slli_epi16(cv, 3);
    ChromaTerms512 t;
    t.red = _mm512_mulhi_epi16(cv, k->v_red);
    t.green = _mm512_add_epi16(_mm512_mulhi_epi16(cu, k->u_green), _mm512_mulhi_epi16(cv, k->v_green));
    t.blue = _mm512_mulhi_epi16(cu, k->u_blue);
    return t;
}

static inline __attribute__((always_inline)) AVX512 void
convert_block512(const Kernel512 *k, const uint8_t *y, ChromaTerms512 t, uint8_t *out) {
    __m512i luma = _mm512_loadu_si512(y);
    __m512i even = _mm512_maddubs_epi16(luma, k->even_times8);
    __m512i odd = _mm512_maddubs_epi16(luma, k->odd_times8);
    even = _mm512_mulhi_epi16(_mm512_sub_epi16(even, k->y_offset), k->y_factor);
    odd = _mm512_mulhi_epi16(_mm512_sub_epi16(odd, k->y_offset), k->y_factor);
    __m512i r = _mm512_packus_epi16(_mm512_add_epi16(even, t.red), _mm512_add_epi16(odd, t.red));
    __m512i g = _mm512_packus_epi16(_mm512_add_epi16(even, t.green), _mm512_add_epi16(odd, t.green));
    __m512i b = _mm512_packus_epi16(_mm512_add_epi16(even, t.blue), _mm512_add_epi16(odd, t.blue));
    for (int c = 0; c < 3; c++) {
        __m512i chunk = _mm512_permutex2var_epi8(r, k->red_green[c], g);
        _mm512_storeu_si512(out + 64 * c, _mm512_permutex2var_epi8(chunk, k->with_blue[c], b));
    }
}

static inline __attribute__((always_inline)) AVX512 void
convert_step512(const Kernel512 *k, int rows, const uint8_t *y0, const uint8_t *y1, const uint8_t *u, const uint8_t *v,
                uint8_t *out0, uint8_t *out1, int x) {
    ChromaTerms512 t = chroma_terms512(k, u + x / 2, v + x / 2);
    convert_block512(k, y0 + x, t, out0 + 3 * x);
    if (rows == 2) convert_block512(k, y1 + x, t, out1 + 3 * x);
}

// As convert_rows_avx2, in 64-pixel steps; width >= 64, so the overlapping last step always fits.
static inline __attribute__((always_inline)) AVX512 void
convert_rows_avx512(const Kernel512 *k, const VidiYUVFactors *f, int rows, const uint8_t *y0, const uint8_t *y1,
                    const uint8_t *u, const uint8_t *v, uint8_t *out0, uint8_t *out1, int width) {
    int x = 0;
    for (; x + 64 <= width; x += 64) convert_step512(k, rows, y0, y1, u, v, out0, out1, x);
    if (x == width) return;
    x = (width - 64) & ~1;
    convert_step512(k, rows, y0, y1, u, v, out0, out1, x);
    x += 64;
    convert_run(y0, u, v, out0, x, width, f);
    if (rows == 2) convert_run(y1, u, v, out1, x, width, f);
}

static AVX512 void convert_avx512(const uint8_t *y, intptr_t y_stride, const uint8_t *u, intptr_t u_stride,
                                  const uint8_t *v, intptr_t v_stride, int chroma_row_shift,
                                  uint8_t *rgb, intptr_t rgb_stride, int width, int height, const VidiYUVFactors *f) {
    Kernel512 k;
    kernel512_init(&k, f);
    int row = 0;
    if (chroma_row_shift) {
        for (; row + 1 < height; row += 2) {
            convert_rows_avx512(&k, f, 2, y, y + y_stride, u, v, rgb, rgb + rgb_stride, width);
            y += 2 * y_stride;
            u += u_stride;
            v += v_stride;
            rgb += 2 * rgb_stride;
        }
    }
    for (; row < height; row++) {
        convert_rows_avx512(&k, f, 1, y, NULL, u, v, rgb, NULL, width);
        y += y_stride;
        u += u_stride;
        v += v_stride;
        rgb += rgb_stride;
    }
}

static AVX2 void convert_avx2(const uint8_t *y, intptr_t y_stride, const uint8_t *u, intptr_t u_stride,
                              const uint8_t *v, intptr_t v_stride, int chroma_row_shift,
                              uint8_t *rgb, intptr_t rgb_stride, int width, int height, const VidiYUVFactors *f,
                              int streaming) {
    Kernel k;
    kernel_init(&k, f);
    // Streaming needs every row to start at the same alignment: the stride a multiple of 32 bytes.
    uintptr_t start = (uintptr_t)rgb;
    int stores = !streaming || rgb_stride % 32 ? STORE_PLAIN
               : start % 32 == 0 ? STORE_STREAM_32 : start % 16 == 0 ? STORE_STREAM_16 : STORE_PLAIN;
    if (stores == STORE_STREAM_32) {
        convert_picture(&k, f, y, y_stride, u, u_stride, v, v_stride, chroma_row_shift, rgb, rgb_stride, width, height,
                        STORE_STREAM_32);
    } else if (stores == STORE_STREAM_16) {
        convert_picture(&k, f, y, y_stride, u, u_stride, v, v_stride, chroma_row_shift, rgb, rgb_stride, width, height,
                        STORE_STREAM_16);
    } else {
        convert_picture(&k, f, y, y_stride, u, u_stride, v, v_stride, chroma_row_shift, rgb, rgb_stride, width, height,
                        STORE_PLAIN);
    }
    // Non-temporal stores are weakly ordered: make them visible before the picture is handed over.
    if (stores != STORE_PLAIN) _mm_sfence();
}
#endif

// The CPU's best kernel, found once: `vidi_yuv_to_rgb24` runs per frame.
static VidiYUVKernel best_kernel = VIDI_YUV_KERNEL_SCALAR;
static pthread_once_t best_kernel_once = PTHREAD_ONCE_INIT;

static void find_best_kernel(void) {
#if defined(__x86_64__)
    if (!vidi_yuv_avx2_available()) return;
    // AV_CPU_FLAG_AVX512: F, CD, BW, DQ and VL with the OS saving ZMM state; VBMI is asked of the CPU itself.
    best_kernel = (av_get_cpu_flags() & AV_CPU_FLAG_AVX512) && __builtin_cpu_supports("avx512vbmi")
                ? VIDI_YUV_KERNEL_AVX512 : VIDI_YUV_KERNEL_AVX2;
#endif
}

VidiYUVKernel vidi_yuv_best_kernel(void) {
    pthread_once(&best_kernel_once, find_best_kernel);
    return best_kernel;
}

void vidi_yuv_to_rgb24_using(VidiYUVKernel kernel, const uint8_t *y, intptr_t y_stride, const uint8_t *u,
                             intptr_t u_stride, const uint8_t *v, intptr_t v_stride, int chroma_row_shift,
                             uint8_t *rgb, intptr_t rgb_stride, int width, int height,
                             const VidiYUVFactors *factors, int streaming_stores) {
    if (width <= 0 || height <= 0) return;
    if (kernel > vidi_yuv_best_kernel()) kernel = vidi_yuv_best_kernel();
#if defined(__x86_64__)
    if (kernel == VIDI_YUV_KERNEL_AVX512 && width >= 64 && !streaming_stores) {
        convert_avx512(y, y_stride, u, u_stride, v, v_stride, chroma_row_shift, rgb, rgb_stride, width, height, factors);
        return;
    }
    if (kernel >= VIDI_YUV_KERNEL_AVX2) {
        convert_avx2(y, y_stride, u, u_stride, v, v_stride, chroma_row_shift, rgb, rgb_stride, width, height, factors,
                     streaming_stores);
        return;
    }
#endif
    for (int row = 0; row < height; row++) {
        int c = row >> chroma_row_shift;
        convert_run(y + row * y_stride, u + c * u_stride, v + c * v_stride, rgb + row * rgb_stride, 0, width, factors);
    }
}

void vidi_yuv_to_rgb24(const uint8_t *y, intptr_t y_stride, const uint8_t *u, intptr_t u_stride,
                       const uint8_t *v, intptr_t v_stride, int chroma_row_shift,
                       uint8_t *rgb, intptr_t rgb_stride, int width, int height,
                       const VidiYUVFactors *factors, int streaming_stores) {
    vidi_yuv_to_rgb24_using(vidi_yuv_best_kernel(), y, y_stride, u, u_stride, v, v_stride, chroma_row_shift, rgb,
                            rgb_stride, width, height, factors, streaming_stores);
}
