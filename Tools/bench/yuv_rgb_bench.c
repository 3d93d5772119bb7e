// yuv420p -> packed RGB24 conversion alone, on decoded frames of one file: libswscale set up as the ffmpeg
// CLI sets it up for `-pix_fmt rgb24` (what Vidi used until its own kernel, SSSE3 on x86), Vidi's AVX2
// kernel (Sources/CYUVConvert, swscale's arithmetic) and libyuv's I420ToRAW (RAW is libyuv's name for
// R,G,B byte order; BT.601 limited range, as the test files are). libyuv is loaded with dlopen (Debian's
// libyuv0; no headers needed). Prints CPU ms per frame for each (best of `repeats` passes over the frames,
// the three alternating) and how far the kernel's and libyuv's bytes are from swscale's on every frame
// (Vidi promises the ffmpeg CLI's bytes exactly).
//   cc -O2 -o yuv_rgb_bench Tools/bench/yuv_rgb_bench.c Sources/CYUVConvert/yuv_convert.c -ISources/CYUVConvert/include
//      $(pkg-config --cflags --libs libavformat libavcodec libavutil libswscale) -ldl      (one line)
//   ./yuv_rgb_bench FILE [frames] [repeats]
#include <dlfcn.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include "bench_common.h"

typedef int (*i420_to_raw_fn)(const uint8_t *, int, const uint8_t *, int, const uint8_t *, int, uint8_t *, int, int, int);

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: yuv_rgb_bench FILE [frames] [repeats]\n"); return 2; }
    int wanted = argc > 2 ? atoi(argv[2]) : 30, repeats = argc > 3 ? atoi(argv[3]) : 5;
    void *yuv = dlopen("libyuv.so.0", RTLD_NOW);
    i420_to_raw_fn to_raw = yuv ? (i420_to_raw_fn)dlsym(yuv, "I420ToRAW") : NULL;
    if (!to_raw) fprintf(stderr, "libyuv not found (%s): swscale only\n", dlerror());

    AVFormatContext *input = NULL;
    if (avformat_open_input(&input, argv[1], NULL, NULL) < 0 || avformat_find_stream_info(input, NULL) < 0) return 1;
    int stream = av_find_best_stream(input, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    const AVCodec *codec = avcodec_find_decoder(input->streams[stream]->codecpar->codec_id);
    AVCodecContext *decoder = avcodec_alloc_context3(codec);
    avcodec_parameters_to_context(decoder, input->streams[stream]->codecpar);
    decoder->thread_count = 1;
    if (avcodec_open2(decoder, codec, NULL) < 0) return 1;

    AVFrame **frames = calloc(wanted, sizeof(AVFrame *));
    int count = 0;
    AVPacket *packet = av_packet_alloc();
    while (count < wanted && av_read_frame(input, packet) >= 0) {
        if (packet->stream_index == stream && avcodec_send_packet(decoder, packet) >= 0) {
            AVFrame *frame = av_frame_alloc();
            while (count < wanted && avcodec_receive_frame(decoder, frame) >= 0) {
                frames[count++] = frame;
                frame = av_frame_alloc();
            }
            av_frame_free(&frame);
        }
        av_packet_unref(packet);
    }
    if (count == 0 || frames[0]->format != AV_PIX_FMT_YUV420P) { fprintf(stderr, "need yuv420p frames\n"); return 1; }
    int w = frames[0]->width, h = frames[0]->height, stride = w * 3;
    uint8_t *a = av_malloc((size_t)stride * h + 64), *b = av_malloc((size_t)stride * h + 64);
    uint8_t *k = av_malloc((size_t)stride * h + 64);
    struct SwsContext *sws = sws_getContext(w, h, AV_PIX_FMT_YUV420P, w, h, AV_PIX_FMT_RGB24, SWS_BICUBIC, NULL, NULL, NULL);
    VidiYUVFactors factors = swscale_factors(w, h, AV_PIX_FMT_YUV420P);
    if (!vidi_yuv_avx2_available()) fprintf(stderr, "no AVX2: the kernel column is its one-pixel fallback\n");

    double best_sws = 1e30, best_yuv = 1e30, best_kernel = 1e30, best_512 = 1e30;
    for (int r = 0; r < repeats; r++) {
        double t = cpu_now();
        for (int i = 0; i < count; i++) {
            uint8_t *planes[4] = {a, NULL, NULL, NULL};
            int strides[4] = {stride, 0, 0, 0};
            sws_scale(sws, (const uint8_t *const *)frames[i]->data, frames[i]->linesize, 0, h, planes, strides);
        }
        t = cpu_now() - t;
        if (t < best_sws) best_sws = t;
        for (int kernel = VIDI_YUV_KERNEL_AVX2; kernel <= VIDI_YUV_KERNEL_AVX512; kernel++) {
            t = cpu_now();
            for (int i = 0; i < count; i++)
                vidi_yuv_to_rgb24_using(kernel, frames[i]->data[0], frames[i]->linesize[0], frames[i]->data[1],
                                        frames[i]->linesize[1], frames[i]->data[2], frames[i]->linesize[2], 1, k, stride,
                                        w, h, &factors, 0);
            t = cpu_now() - t;
            double *best = kernel == VIDI_YUV_KERNEL_AVX2 ? &best_kernel : &best_512;
            if (t < *best) *best = t;
        }
        if (to_raw) {
            t = cpu_now();
            for (int i = 0; i < count; i++)
                to_raw(frames[i]->data[0], frames[i]->linesize[0], frames[i]->data[1], frames[i]->linesize[1],
                       frames[i]->data[2], frames[i]->linesize[2], b, stride, w, h);
            t = cpu_now() - t;
            if (t < best_yuv) best_yuv = t;
        }
    }
    long kernel_differing = 0, kernel512_differing = 0;
    for (int i = 0; i < count; i++) {
        uint8_t *planes[4] = {a, NULL, NULL, NULL};
        int strides[4] = {stride, 0, 0, 0};
        sws_scale(sws, (const uint8_t *const *)frames[i]->data, frames[i]->linesize, 0, h, planes, strides);
        for (int kernel = VIDI_YUV_KERNEL_AVX2; kernel <= VIDI_YUV_KERNEL_AVX512; kernel++) {
            vidi_yuv_to_rgb24_using(kernel, frames[i]->data[0], frames[i]->linesize[0], frames[i]->data[1],
                                    frames[i]->linesize[1], frames[i]->data[2], frames[i]->linesize[2], 1, k, stride,
                                    w, h, &factors, 0);
            long *differing = kernel == VIDI_YUV_KERNEL_AVX2 ? &kernel_differing : &kernel512_differing;
            for (long j = 0; j < (long)stride * h; j++) *differing += a[j] != k[j];
        }
    }
    int worst = 0;
    long differing = 0;
    if (to_raw) {
        uint8_t *planes[4] = {a, NULL, NULL, NULL};
        int strides[4] = {stride, 0, 0, 0};
        sws_scale(sws, (const uint8_t *const *)frames[0]->data, frames[0]->linesize, 0, h, planes, strides);
        to_raw(frames[0]->data[0], frames[0]->linesize[0], frames[0]->data[1], frames[0]->linesize[1],
               frames[0]->data[2], frames[0]->linesize[2], b, stride, w, h);
        for (long i = 0; i < (long)stride * h; i++) {
            int d = abs(a[i] - b[i]);
            if (d > worst) worst = d;
            if (d) differing++;
        }
    }
    printf("{\"width\": %d, \"height\": %d, \"frames\": %d, \"swscale_ms\": %.4f, \"kernel_ms\": %.4f, "
           "\"swscale_over_kernel\": %.2f, \"kernel_differing_bytes\": %ld, \"avx512_ms\": %.4f, "
           "\"avx2_over_avx512\": %.2f, \"avx512_differing_bytes\": %ld, \"libyuv_ms\": %.4f, "
           "\"libyuv_max_diff\": %d, \"libyuv_differing_fraction\": %.4f}\n",
           w, h, count, best_sws / count * 1e3, best_kernel / count * 1e3, best_sws / best_kernel, kernel_differing,
           best_512 / count * 1e3, best_kernel / best_512, kernel512_differing,
           to_raw ? best_yuv / count * 1e3 : -1.0, worst, (double)differing / ((double)stride * h));
    return 0;
}
