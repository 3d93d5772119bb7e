// Where all-frames RGB spends time beyond its instructions: the decode-only loop of decode_floor.c, and the
// same loop with Vidi's YUV -> RGB24 kernel (Sources/CYUVConvert) written several ways, timed in one process
// with the ways interleaved round by round (the order rotates), so load changes hit all of them alike.
//
//   cc -O2 -o rgb_memory_ab Tools/bench/rgb_memory_ab.c Sources/CYUVConvert/yuv_convert.c -ISources/CYUVConvert/include
//      $(pkg-config --cflags --libs libavformat libavcodec libavutil libswscale)      (one line)
//   ./rgb_memory_ab FILE [rounds]
//
// Ways (one thread, every frame; each round opens, decodes and closes the file as the harness's rounds do):
//   decode        decode only (the floor)
//   plain         + kernel, plain stores, into one reused buffer (64-byte aligned); the CPU's best kernel
//   plain-avx2    the same with the AVX2 kernel (on a CPU with AVX-512, where `plain` takes that one)
//   plain+16      the same 16 bytes further (16 mod 32: half the 32-byte stores of a 96-byte step cross
//   plain+48      a cache line), and 48 bytes further (2 of 3 cross; where a Swift array of an
//                 mmap'ed block starts: page + 16 (malloc header) + 32 (array header))
//   stream        + kernel, non-temporal stores, into the same reused buffer
//   fresh         + kernel, plain stores, into a buffer malloc'ed and freed per frame (what an owned array
//                 per frame costs; glibc hands the same block back while nothing else takes it)
//   plain-read    plain, then the consumer reads every byte of the picture (a sum): what a reader right
//   stream-read   after the conversion pays for where the stores left the bytes
// Before timing, two passes check that streaming and plain stores give the same bytes on every frame
// (output 32-byte aligned, then 16 mod 32).
// Prints one JSON line per way: CPU seconds per round (min, median) and the medians over rounds of the
// paired ratios way / decode and way / plain (stream-read: / plain-read) in the same round, the statistic
// that survives load changes between rounds.
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <immintrin.h>
#include <stdio.h>
#include <string.h>
#include "bench_common.h"
#include "decode_loop.h"

enum way { DECODE, PLAIN, PLAIN_AVX2, PLAIN_16, PLAIN_48, STREAM, FRESH, PLAIN_READ, STREAM_READ, WAYS };
static const char *names[WAYS] = {"decode", "plain", "plain-avx2", "plain+16", "plain+48", "stream", "fresh", "plain-read",
                                  "stream-read"};

static volatile uint64_t sink;   // keeps the reads of the *-read ways

__attribute__((target("avx2"))) static uint64_t sum_bytes(const uint8_t *p, size_t n) {
    __m256i acc = _mm256_setzero_si256(), zero = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) acc = _mm256_add_epi64(acc, _mm256_sad_epu8(_mm256_loadu_si256((const __m256i *)(p + i)), zero));
    uint64_t lanes[4];
    _mm256_storeu_si256((__m256i *)lanes, acc);
    uint64_t s = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    for (; i < n; i++) s += p[i];
    return s;
}

// One round of `way` (check: also convert with the other store kind and count differing bytes).
static int run(const char *path, enum way way, uint8_t *reused, uint8_t *other, long *differing, long *frames_out) {
    Decoding d;
    if (open_decoding(path, NULL, NULL, &d)) return 1;
    AVFrame *frame = d.frame;
    VidiYUVFactors factors;
    int have_factors = 0, ret;
    long frames = 0;
    while ((ret = next_decoded(&d)) == 0) {
        frames++;
        if (way != DECODE) {
            if (frame->format != AV_PIX_FMT_YUV420P) return 1;
            if (!have_factors) {   // BT.601 limited, as the bench inputs
                factors = swscale_factors(frame->width, frame->height, AV_PIX_FMT_YUV420P);
                have_factors = 1;
            }
            size_t stride = (size_t)frame->width * 3, size = stride * frame->height;
            uint8_t *out = way == FRESH ? malloc(size) : way == PLAIN_16 ? reused + 16 : way == PLAIN_48 ? reused + 48 : reused;
            int streaming = way == STREAM || way == STREAM_READ;
            VidiYUVKernel kernel = way == PLAIN_AVX2 ? VIDI_YUV_KERNEL_AVX2 : vidi_yuv_best_kernel();
            vidi_yuv_to_rgb24_using(kernel, frame->data[0], frame->linesize[0], frame->data[1], frame->linesize[1],
                                    frame->data[2], frame->linesize[2], 1, out, stride, frame->width, frame->height,
                                    &factors, streaming);
            if (way == PLAIN_READ || way == STREAM_READ) sink += sum_bytes(out, size);
            if (other) {
                vidi_yuv_to_rgb24(frame->data[0], frame->linesize[0], frame->data[1], frame->linesize[1],
                                  frame->data[2], frame->linesize[2], 1, other, stride, frame->width, frame->height,
                                  &factors, !streaming);
                for (size_t i = 0; i < size; i++) *differing += out[i] != other[i];
            }
            if (way == FRESH) free(out);
        }
        av_frame_unref(frame);
    }
    if (ret != AVERROR_EOF) return 1;
    *frames_out = frames;
    close_decoding(&d);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: rgb_memory_ab FILE [rounds]\n"); return 2; }
    int rounds = argc > 2 ? atoi(argv[2]) : 10;
    if (rounds < 1) rounds = 1;
    av_log_set_level(AV_LOG_ERROR);
    size_t capacity = (size_t)8192 * 4352 * 3;   // up to 8K: the bench inputs are far smaller
    uint8_t *reused = aligned_alloc(64, capacity), *other = aligned_alloc(64, capacity);
    if (!reused || !other) return 1;
    memset(reused, 0, capacity);   // fault the pages in once, outside the timing
    memset(other, 0, capacity);
    long frames = 0, differing = 0;
    // The check writes at a 32-byte aligned address and at 16 mod 32 (both streaming forms of the kernel).
    for (int offset = 0; offset <= 16; offset += 16) {
        if (run(argv[1], STREAM, reused + offset, other, &differing, &frames)) {
            fprintf(stderr, "cannot decode %s\n", argv[1]);
            return 1;
        }
    }
    if (run(argv[1], DECODE, reused, NULL, &differing, &frames)) return 1;   // warm-up, as the harness's first round
    double *times = calloc((size_t)rounds * WAYS, sizeof *times);
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < WAYS; i++) {
            enum way way = (enum way)((i + r) % WAYS);
            double start = cpu_now();
            if (run(argv[1], way, reused, NULL, &differing, &frames)) return 1;
            times[r * WAYS + way] = cpu_now() - start;
        }
    }
    printf("{\"file\": \"%s\", \"frames\": %ld, \"rounds\": %d, \"stream_vs_plain_differing_bytes\": %ld}\n", argv[1], frames,
           rounds, differing);
    for (int w = 0; w < WAYS; w++) {
        double own[rounds], ratio[rounds], to_plain[rounds], best = 1e30;
        for (int r = 0; r < rounds; r++) {
            own[r] = times[r * WAYS + w];
            ratio[r] = times[r * WAYS + w] / times[r * WAYS + DECODE];
            to_plain[r] = times[r * WAYS + w] / times[r * WAYS + (w == STREAM_READ ? PLAIN_READ : PLAIN)];
            if (own[r] < best) best = own[r];
        }
        printf("{\"way\": \"%s\", \"cpu_min\": %.4f, \"cpu_median\": %.4f, \"median_ratio_to_decode\": %.4f, "
               "\"median_ratio_to_plain\": %.4f}\n", names[w], best, median(own, rounds), median(ratio, rounds),
               median(to_plain, rounds));
    }
    return 0;
}
