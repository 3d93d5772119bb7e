// Whether converting to RGB24 band by band, inside the decoder (libavcodec's draw_horiz_band callback,
// while the rows just decoded are still in cache), costs less than converting each whole picture after
// the decoder hands it out. One thread (draw_horiz_band is never called with frame threads), H.264 only.
// Ways, interleaved round by round as in rgb_memory_ab.c: decode only; decode + whole-picture conversion
// (Vidi's kernel, into a reused buffer); decode + band conversion (into a buffer per picture in flight,
// matched to the output frame by its buffer). Before timing, one pass checks that every output frame's
// band bytes equal its whole-picture bytes, and counts frames whose bands did not cover the picture or
// that carry decode error flags (concealment can change rows after their band was drawn).
//
//   cc -O2 -o band_convert_ab Tools/bench/band_convert_ab.c Sources/CYUVConvert/yuv_convert.c -ISources/CYUVConvert/include
//      $(pkg-config --cflags --libs libavformat libavcodec libavutil libswscale)      (one line)
//   ./band_convert_ab FILE [rounds]
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include <string.h>
#include "bench_common.h"
#include "decode_loop.h"

enum way { DECODE, WHOLE, BAND, WAYS };
static const char *names[WAYS] = {"decode", "whole", "band"};

#define SLOTS 32
typedef struct {
    const uint8_t *key;   // the picture's buf[0]->data
    uint8_t *rgb;
    int rows_done;        // rows converted from the top, in order; -1 once a band came out of order
} Slot;

typedef struct {
    VidiYUVFactors factors;
    int have_factors;
    Slot slots[SLOTS];
    int next_slot;
    size_t picture_bytes;
    long uncovered, flagged;
} BandState;

static Slot *slot_for(BandState *s, const uint8_t *key, int create) {
    for (int i = 0; i < SLOTS; i++)
        if (s->slots[i].key == key) return &s->slots[i];
    if (!create) return NULL;
    Slot *slot = NULL;   // the first free slot, so that few buffers take turns (and stay in cache)
    for (int i = 0; i < SLOTS && !slot; i++)
        if (!s->slots[i].key) slot = &s->slots[i];
    if (!slot) { slot = &s->slots[s->next_slot]; s->next_slot = (s->next_slot + 1) % SLOTS; }
    slot->key = key;
    if (!slot->rgb) slot->rgb = malloc(s->picture_bytes);
    slot->rows_done = 0;
    return slot;
}

static void draw_band(AVCodecContext *decoder, const AVFrame *src, int offset[AV_NUM_DATA_POINTERS], int y, int type,
                      int height) {
    BandState *s = decoder->opaque;
    (void)offset;
    if (type != 3 || src->format != AV_PIX_FMT_YUV420P || !src->buf[0]) return;   // field pictures: no bands kept
    if (!s->have_factors) {
        s->factors = swscale_factors(src->width, src->height, AV_PIX_FMT_YUV420P);
        s->picture_bytes = (size_t)src->width * 3 * src->height;
        s->have_factors = 1;
    }
    Slot *slot = slot_for(s, src->buf[0]->data, y == 0);
    if (!slot) return;
    if (y != slot->rows_done || (y & 1)) { slot->rows_done = -1; return; }
    if (y + height > src->height) height = src->height - y;
    size_t stride = (size_t)src->width * 3;
    vidi_yuv_to_rgb24(src->data[0] + (size_t)y * src->linesize[0], src->linesize[0],
                      src->data[1] + (size_t)(y / 2) * src->linesize[1], src->linesize[1],
                      src->data[2] + (size_t)(y / 2) * src->linesize[2], src->linesize[2], 1,
                      slot->rgb + y * stride, stride, src->width, height, &s->factors, 0);
    slot->rows_done = y + height;
}

static void set_band_callback(AVCodecContext *decoder, void *band) {
    decoder->opaque = band;
    decoder->draw_horiz_band = draw_band;
}

// One round; check: compare each frame's band bytes with a whole-picture conversion.
static int run(const char *path, enum way way, uint8_t *reused, BandState *band, int check, long *differing) {
    Decoding d;
    if (open_decoding(path, way == BAND ? set_band_callback : NULL, band, &d)) return 1;
    AVFrame *frame = d.frame;
    VidiYUVFactors factors = {0};
    int have_factors = 0, ret;
    while ((ret = next_decoded(&d)) == 0) {
        if (frame->format != AV_PIX_FMT_YUV420P) return 1;
        if (!have_factors) { factors = swscale_factors(frame->width, frame->height, AV_PIX_FMT_YUV420P); have_factors = 1; }
        size_t stride = (size_t)frame->width * 3;
        if (way == WHOLE || check) {
            vidi_yuv_to_rgb24(frame->data[0], frame->linesize[0], frame->data[1], frame->linesize[1], frame->data[2],
                              frame->linesize[2], 1, reused, stride, frame->width, frame->height, &factors, 0);
        }
        if (way == BAND) {
            Slot *slot = frame->buf[0] ? slot_for(band, frame->buf[0]->data, 0) : NULL;
            int usable = slot && slot->rows_done == frame->height && frame->data[0] == frame->buf[0]->data;
            if (frame->decode_error_flags || (frame->flags & AV_FRAME_FLAG_CORRUPT)) { band->flagged++; usable = 0; }
            if (!usable) {
                band->uncovered++;
                uint8_t *out = slot && slot->rgb ? slot->rgb : reused;
                vidi_yuv_to_rgb24(frame->data[0], frame->linesize[0], frame->data[1], frame->linesize[1],
                                  frame->data[2], frame->linesize[2], 1, out, stride, frame->width, frame->height,
                                  &factors, 0);
            } else if (check) {
                for (size_t i = 0; i < stride * frame->height; i++) *differing += slot->rgb[i] != reused[i];
            }
            if (slot) slot->key = NULL;   // handed out: the buffer may carry another picture next
        }
        av_frame_unref(frame);
    }
    if (ret != AVERROR_EOF) return 1;
    close_decoding(&d);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: band_convert_ab FILE [rounds]\n"); return 2; }
    int rounds = argc > 2 ? atoi(argv[2]) : 10;
    if (rounds < 1) rounds = 1;
    av_log_set_level(AV_LOG_ERROR);
    size_t capacity = (size_t)8192 * 4352 * 3;
    uint8_t *reused = aligned_alloc(64, capacity);
    if (!reused) return 1;
    memset(reused, 0, capacity);
    static BandState band;
    long differing = 0;
    if (run(argv[1], BAND, reused, &band, 1, &differing)) { fprintf(stderr, "cannot decode %s\n", argv[1]); return 1; }
    printf("{\"file\": \"%s\", \"rounds\": %d, \"band_vs_whole_differing_bytes\": %ld, \"frames_without_full_bands\": %ld, "
           "\"frames_with_error_flags\": %ld}\n", argv[1], rounds, differing, band.uncovered, band.flagged);
    double *times = calloc((size_t)rounds * WAYS, sizeof *times);
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < WAYS; i++) {
            enum way way = (enum way)((i + r) % WAYS);
            double start = cpu_now();
            if (run(argv[1], way, reused, &band, 0, &differing)) return 1;
            times[r * WAYS + way] = cpu_now() - start;
        }
    }
    for (int w = 0; w < WAYS; w++) {
        double own[rounds], to_decode[rounds], to_whole[rounds], best = 1e30;
        for (int r = 0; r < rounds; r++) {
            own[r] = times[r * WAYS + w];
            to_decode[r] = times[r * WAYS + w] / times[r * WAYS + DECODE];
            to_whole[r] = times[r * WAYS + w] / times[r * WAYS + WHOLE];
            if (own[r] < best) best = own[r];
        }
        printf("{\"way\": \"%s\", \"cpu_min\": %.4f, \"cpu_median\": %.4f, \"median_ratio_to_decode\": %.4f, "
               "\"median_ratio_to_whole\": %.4f}\n", names[w], best, median(own, rounds), median(to_decode, rounds),
               median(to_whole, rounds));
    }
    return 0;
}
