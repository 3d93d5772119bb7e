// Helpers the C benches share (rgb_memory_ab.c, band_convert_ab.c, yuv_rgb_bench.c): the process CPU clock,
// medians, and the YUV -> RGB24 factors swscale derives for a picture without colour tags.
#include <libswscale/swscale.h>
#include <stdlib.h>
#include <time.h>
#include "yuv_convert.h"

static inline double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static inline int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// Sorts `v` in place.
static inline double median(double *v, int n) {
    qsort(v, n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The kernel's factors from swscale's own colour set-up for `format` -> RGB24 (BT.601 limited range, as the
// bench inputs are; the same set-up the ffmpeg CLI gets).
static inline VidiYUVFactors swscale_factors(int width, int height, enum AVPixelFormat format) {
    struct SwsContext *sws = sws_getContext(width, height, format, width, height, AV_PIX_FMT_RGB24, SWS_BICUBIC,
                                            NULL, NULL, NULL);
    int *inverse, *table, full, target_full, brightness, contrast, saturation;
    sws_getColorspaceDetails(sws, &inverse, &full, &table, &target_full, &brightness, &contrast, &saturation);
    VidiYUVFactors f = vidi_yuv_factors(inverse, full, brightness, contrast, saturation);
    sws_freeContext(sws);
    return f;
}
