// Vectorised float32 transcendentals on SLEEF (Debian's libsleef 3.5.1). Each function is written once as
// an eight-lane expression; `LOOP` runs it over the array (the tail padded into one more vector) in an
// AVX2+FMA-targeted loop, or runs the scalar glibc expression when the CPU lacks AVX2/FMA.
#include "vector_math.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#include <sleef.h>

// sleef.h declares its 256-bit functions only when the whole file is built for AVX; these are called
// from AVX2-targeted functions only, after the CPU check below.
#define AVX2 __attribute__((target("avx2,fma")))
#ifndef __AVX__
AVX2 __m256 Sleef_expf8_u10avx2(__m256);
AVX2 __m256 Sleef_tanhf8_u10avx2(__m256);
AVX2 __m256 Sleef_erff8_u10avx2(__m256);
#endif

static int detect_avx2_fma(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!(fma && osxsave && avx)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0;                       // the OS saves the YMM registers
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 5) & 1;                               // AVX2
}

static int sleef_state = -1;                           // -1 unknown; a benign race: every thread finds the same

int vidi_vector_math_uses_sleef(void) {
    int s = __atomic_load_n(&sleef_state, __ATOMIC_RELAXED);
    if (s < 0) {
        s = detect_avx2_fma();
        __atomic_store_n(&sleef_state, s, __ATOMIC_RELAXED);
    }
    return s;
}

#define SET1 _mm256_set1_ps

// σ(v) without overflow: e = exp(-|v|); v ≥ 0 → 1/(1+e), v < 0 → e/(1+e).
static inline AVX2 __m256 sigmoid8(__m256 v) {
    __m256 negAbs = _mm256_or_ps(v, SET1(-0.0f));
    __m256 e = Sleef_expf8_u10avx2(negAbs);
    __m256 r = _mm256_div_ps(SET1(1.0f), _mm256_add_ps(SET1(1.0f), e));
    __m256 negative = _mm256_cmp_ps(v, SET1(0.0f), _CMP_LT_OQ);
    return _mm256_blendv_ps(r, _mm256_mul_ps(e, r), negative);
}

#define VECTOR_LOOP(name, EXPR8)                                                   \
    static AVX2 void name##_avx2(const float *x, float *y, intptr_t n, float p) {  \
        (void)p;                                                                   \
        intptr_t i = 0;                                                            \
        for (; i + 8 <= n; i += 8) {                                               \
            __m256 v = _mm256_loadu_ps(x + i);                                     \
            _mm256_storeu_ps(y + i, (EXPR8));                                      \
        }                                                                          \
        if (i < n) {                                                               \
            float in[8] = {0}, out[8];                                             \
            memcpy(in, x + i, (size_t)(n - i) * sizeof(float));                    \
            __m256 v = _mm256_loadu_ps(in);                                        \
            _mm256_storeu_ps(out, (EXPR8));                                        \
            memcpy(y + i, out, (size_t)(n - i) * sizeof(float));                   \
        }                                                                          \
    }
#define DISPATCH(name) if (vidi_vector_math_uses_sleef()) { name##_avx2(x, y, n, p); return; }
#else
int vidi_vector_math_uses_sleef(void) { return 0; }
#define VECTOR_LOOP(name, EXPR8)
#define DISPATCH(name)
#endif

// One public function: the vector loop when available, else the scalar expression per element.
#define FUNCTION(name, PARAMS, P, EXPR8, EXPR1)                                    \
    VECTOR_LOOP(name, EXPR8)                                                       \
    void name PARAMS {                                                             \
        float p = (P); (void)p;                                                    \
        DISPATCH(name)                                                             \
        for (intptr_t i = 0; i < n; i++) { float s = x[i]; y[i] = (EXPR1); }       \
    }

static inline float sigmoid1(float s) {
    if (s >= 0) return 1.0f / (1.0f + expf(-s));
    float e = expf(s);
    return e / (1.0f + e);
}

#define QG 1.702f
#define SQRT_HALF 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f
#define TANH_K 0.79788456080286536f
#define TANH_C 0.044715f

FUNCTION(vidi_vexp, (const float *x, float *y, intptr_t n), 0,
         Sleef_expf8_u10avx2(v), expf(s))
FUNCTION(vidi_vexp_shifted, (const float *x, float shift, float *y, intptr_t n), shift,
         Sleef_expf8_u10avx2(_mm256_sub_ps(v, SET1(p))), expf(s - p))
FUNCTION(vidi_vtanh, (const float *x, float *y, intptr_t n), 0,
         Sleef_tanhf8_u10avx2(v), tanhf(s))
FUNCTION(vidi_vsigmoid, (const float *x, float *y, intptr_t n), 0,
         sigmoid8(v), sigmoid1(s))
FUNCTION(vidi_vquick_gelu, (const float *x, float *y, intptr_t n), 0,
         _mm256_mul_ps(v, sigmoid8(_mm256_mul_ps(v, SET1(QG)))), s * sigmoid1(s * QG))
// σ(ax) + ax·σ(ax)(1 − σ(ax)), a = 1.702
FUNCTION(vidi_vquick_gelu_grad, (const float *x, float *y, intptr_t n), 0,
         ({ __m256 a = _mm256_mul_ps(v, SET1(QG)), g = sigmoid8(a);
            _mm256_add_ps(g, _mm256_mul_ps(_mm256_mul_ps(a, g), _mm256_sub_ps(SET1(1.0f), g))); }),
         ({ float a = s * QG, g = sigmoid1(a); g + a * g * (1.0f - g); }))
FUNCTION(vidi_vgelu_erf, (const float *x, float *y, intptr_t n), 0,
         _mm256_mul_ps(_mm256_mul_ps(SET1(0.5f), v),
                       _mm256_add_ps(SET1(1.0f), Sleef_erff8_u10avx2(_mm256_mul_ps(v, SET1(SQRT_HALF))))),
         0.5f * s * (1.0f + erff(s * SQRT_HALF)))
FUNCTION(vidi_vgelu_erf_grad, (const float *x, float *y, intptr_t n), 0,
         _mm256_add_ps(_mm256_mul_ps(SET1(0.5f), _mm256_add_ps(SET1(1.0f), Sleef_erff8_u10avx2(_mm256_mul_ps(v, SET1(SQRT_HALF))))),
                       _mm256_mul_ps(_mm256_mul_ps(v, SET1(INV_SQRT_2PI)),
                                     Sleef_expf8_u10avx2(_mm256_mul_ps(SET1(-0.5f), _mm256_mul_ps(v, v))))),
         0.5f * (1.0f + erff(s * SQRT_HALF)) + s * INV_SQRT_2PI * expf(-0.5f * s * s))
FUNCTION(vidi_vgelu_tanh, (const float *x, float *y, intptr_t n), 0,
         ({ __m256 inner = _mm256_mul_ps(SET1(TANH_K), _mm256_add_ps(v, _mm256_mul_ps(SET1(TANH_C), _mm256_mul_ps(v, _mm256_mul_ps(v, v)))));
            _mm256_mul_ps(_mm256_mul_ps(SET1(0.5f), v), _mm256_add_ps(SET1(1.0f), Sleef_tanhf8_u10avx2(inner))); }),
         0.5f * s * (1.0f + tanhf(TANH_K * (s + TANH_C * s * s * s))))
FUNCTION(vidi_vgelu_tanh_grad, (const float *x, float *y, intptr_t n), 0,
         ({ __m256 v2 = _mm256_mul_ps(v, v);
            __m256 inner = _mm256_mul_ps(SET1(TANH_K), _mm256_add_ps(v, _mm256_mul_ps(SET1(TANH_C), _mm256_mul_ps(v, v2))));
            __m256 t = Sleef_tanhf8_u10avx2(inner);
            __m256 left = _mm256_mul_ps(SET1(0.5f), _mm256_add_ps(SET1(1.0f), t));
            __m256 right = _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(SET1(0.5f), v), _mm256_sub_ps(SET1(1.0f), _mm256_mul_ps(t, t))),
                                         _mm256_mul_ps(SET1(TANH_K), _mm256_add_ps(SET1(1.0f), _mm256_mul_ps(SET1(3.0f * TANH_C), v2))));
            _mm256_add_ps(left, right); }),
         ({ float inner = TANH_K * (s + TANH_C * s * s * s), t = tanhf(inner);
            0.5f * (1.0f + t) + 0.5f * s * (1.0f - t * t) * TANH_K * (1.0f + 3.0f * TANH_C * s * s); }))
