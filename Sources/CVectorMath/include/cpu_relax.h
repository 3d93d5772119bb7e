#ifndef VIDI_CPU_RELAX_H
#define VIDI_CPU_RELAX_H
// One polling step of a spin-wait: tells the core it is spinning, so a sibling hardware thread gets the
// execution units and the loop leaves the memory pipeline alone (x86 PAUSE, Arm YIELD).
static inline void vidi_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
#endif
