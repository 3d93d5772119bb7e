// The speed floor for Vidi's decoder: a minimal single-threaded libavcodec decode loop over the same
// FFmpeg libraries, with nothing Vidi-specific in it.
//
//   decode_floor FILE [plain|mvs|rgb|keyframes] [repeats] [threads]
//
// threads (default 1): the decoder's thread_count with FFmpeg's default thread types (frame + slice),
// as Vidi and torchcodec set them up: the floor for a multi-threaded decode, per CPU-second.
//
// plain: decode every frame; mvs: + flags2=+export_mvs and read every vector of the side data;
// rgb: + sws_scale to packed rgb24; keyframes: skip_frame=NONKEY (I-frames only), + sws_scale to rgb24.
// Prints one JSON line: {"frames": N, "seconds": S, "fps": F, "cpu_seconds": C}, the fastest of `repeats`
// runs by wall time and by process CPU time (each minimum taken separately).
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/motion_vector.h>
#include <libswscale/swscale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "decode_loop.h"

enum mode { PLAIN, MVS, RGB, KEYFRAMES };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int fail(const char *what, int code) {
    char text[256];
    av_strerror(code, text, sizeof text);
    fprintf(stderr, "decode_floor: %s: %s\n", what, text);
    return 1;
}

// Sink for values read from side data and pixels so the compiler cannot drop the reads.
static volatile int64_t checksum;

static int run(const char *path, enum mode mode, int threads, long *frames_out) {
    AVFormatContext *format = NULL;
    int ret = avformat_open_input(&format, path, NULL, NULL);
    if (ret < 0) return fail("open", ret);
    if ((ret = avformat_find_stream_info(format, NULL)) < 0) return fail("stream info", ret);
    const AVCodec *codec = NULL;
    int stream = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (stream < 0) return fail("video stream", stream);
    AVCodecContext *decoder = avcodec_alloc_context3(codec);
    avcodec_parameters_to_context(decoder, format->streams[stream]->codecpar);
    decoder->thread_count = threads;
    AVDictionary *options = NULL;
    if (mode == MVS) av_dict_set(&options, "flags2", "+export_mvs", 0);
    if (mode == KEYFRAMES) decoder->skip_frame = AVDISCARD_NONKEY;
    if ((ret = avcodec_open2(decoder, codec, &options)) < 0) return fail("open decoder", ret);
    av_dict_free(&options);

    AVPacket *packet = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    struct SwsContext *sws = NULL;
    uint8_t *rgb[4] = {NULL};
    int rgb_stride[4] = {0};
    long frames = 0;
    int draining = 0;
    while ((ret = next_frame(format, decoder, stream, packet, frame, &draining)) == 0) {
        frames++;
        if (mode == MVS) {
            AVFrameSideData *side = av_frame_get_side_data(frame, AV_FRAME_DATA_MOTION_VECTORS);
            if (side) {
                const AVMotionVector *mv = (const AVMotionVector *)side->data;
                size_t count = side->size / sizeof(*mv);
                int64_t sum = 0;
                for (size_t i = 0; i < count; i++) sum += mv[i].motion_x + mv[i].dst_y;
                checksum += sum;
            }
        } else if (mode == RGB || mode == KEYFRAMES) {
            if (!sws) {
                sws = sws_getContext(frame->width, frame->height, frame->format, frame->width, frame->height,
                                     AV_PIX_FMT_RGB24, SWS_BILINEAR, NULL, NULL, NULL);
                av_image_alloc(rgb, rgb_stride, frame->width, frame->height, AV_PIX_FMT_RGB24, 1);
            }
            sws_scale(sws, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height, rgb,
                      rgb_stride);
            checksum += rgb[0][0];
        }
        av_frame_unref(frame);
    }
    if (ret != AVERROR_EOF) return fail("decode", ret);
    *frames_out = frames;
    sws_freeContext(sws);
    av_freep(&rgb[0]);
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&decoder);
    avformat_close_input(&format);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: decode_floor FILE [plain|mvs|rgb|keyframes] [repeats] [threads]\n");
        return 2;
    }
    av_log_set_level(AV_LOG_ERROR);
    const char *name = argc > 2 ? argv[2] : "plain";
    enum mode mode = !strcmp(name, "mvs") ? MVS : !strcmp(name, "rgb") ? RGB
                   : !strcmp(name, "keyframes") ? KEYFRAMES : PLAIN;
    int repeats = argc > 3 ? atoi(argv[3]) : 1;
    int threads = argc > 4 ? atoi(argv[4]) : 1;
    if (threads < 1) threads = 1;
    double best = 1e30, best_cpu = 1e30;
    long frames = 0;
    for (int r = 0; r < (repeats > 0 ? repeats : 1); r++) {
        double start = now(), cpu_start = cpu_now();
        if (run(argv[1], mode, threads, &frames)) return 1;
        double seconds = now() - start, cpu = cpu_now() - cpu_start;
        if (seconds < best) best = seconds;
        if (cpu < best_cpu) best_cpu = cpu;
    }
    printf("{\"frames\": %ld, \"seconds\": %.6f, \"fps\": %.1f, \"cpu_seconds\": %.6f}\n", frames, best,
           frames / best, best_cpu);
    return 0;
}
