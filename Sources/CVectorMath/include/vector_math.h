#ifndef VIDI_VECTOR_MATH_H
#define VIDI_VECTOR_MATH_H
// Float32 transcendentals over arrays, eight lanes at a time with SLEEF's AVX2 functions (1.0 ULP) when
// the CPU has AVX2 and FMA, glibc's scalar functions otherwise. Every element is computed the same way
// wherever it sits in the array (a short tail goes through the vector function too), so splitting an
// array into chunks never changes a result. `x` and `y` may be the same array.
#include <stdint.h>

/// 1 when the eight-lane SLEEF path is in use on this CPU.
int vidi_vector_math_uses_sleef(void);

void vidi_vexp(const float *x, float *y, intptr_t n);                  // exp(x)
void vidi_vexp_shifted(const float *x, float shift, float *y, intptr_t n); // exp(x - shift)
void vidi_vtanh(const float *x, float *y, intptr_t n);                 // tanh(x)
void vidi_vsigmoid(const float *x, float *y, intptr_t n);              // 1 / (1 + exp(-x))
void vidi_vquick_gelu(const float *x, float *y, intptr_t n);           // x·σ(1.702x)
void vidi_vquick_gelu_grad(const float *x, float *y, intptr_t n);      // d/dx x·σ(1.702x)
void vidi_vgelu_erf(const float *x, float *y, intptr_t n);             // x·Φ(x) = 0.5x(1 + erf(x/√2))
void vidi_vgelu_erf_grad(const float *x, float *y, intptr_t n);        // Φ(x) + x·φ(x)
void vidi_vgelu_tanh(const float *x, float *y, intptr_t n);            // 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))
void vidi_vgelu_tanh_grad(const float *x, float *y, intptr_t n);

#endif
