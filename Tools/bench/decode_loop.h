// The decode loop the C benches time (decode_floor.c, rgb_memory_ab.c, band_convert_ab.c): every packet
// of `stream` into the decoder, then a flush at the end of the file.
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

// The next decoded frame into `frame` (the caller unrefs it): 0, or AVERROR_EOF once the decoder is drained,
// or another negative code on an error. `*draining` starts at 0.
static int next_frame(AVFormatContext *format, AVCodecContext *decoder, int stream, AVPacket *packet, AVFrame *frame,
                      int *draining) {
    while (1) {
        int ret = avcodec_receive_frame(decoder, frame);
        if (ret != AVERROR(EAGAIN)) return ret;
        if (*draining) return AVERROR_EOF;   // a flushed decoder that still asks for input: nothing more comes
        if (av_read_frame(format, packet) < 0) {
            *draining = 1;
            avcodec_send_packet(decoder, NULL);
        } else {
            if (packet->stream_index == stream) avcodec_send_packet(decoder, packet);
            av_packet_unref(packet);
        }
    }
}

// A file's best video stream opened for one-thread decoding, with the packet and frame the loop uses
// (rgb_memory_ab.c, band_convert_ab.c).
typedef struct {
    AVFormatContext *format;
    AVCodecContext *decoder;
    AVPacket *packet;
    AVFrame *frame;
    int stream, draining;
} Decoding;

// Opens `path`; `configure` (may be NULL) sets the decoder context up before it opens. 0, or 1 on failure.
static inline int open_decoding(const char *path, void (*configure)(AVCodecContext *, void *), void *opaque,
                                Decoding *d) {
    *d = (Decoding){0};
    if (avformat_open_input(&d->format, path, NULL, NULL) < 0 || avformat_find_stream_info(d->format, NULL) < 0) return 1;
    const AVCodec *codec = NULL;
    d->stream = av_find_best_stream(d->format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (d->stream < 0) return 1;
    d->decoder = avcodec_alloc_context3(codec);
    avcodec_parameters_to_context(d->decoder, d->format->streams[d->stream]->codecpar);
    d->decoder->thread_count = 1;
    if (configure) configure(d->decoder, opaque);
    if (avcodec_open2(d->decoder, codec, NULL) < 0) return 1;
    d->packet = av_packet_alloc();
    d->frame = av_frame_alloc();
    return 0;
}

// The next frame into d->frame: as next_frame.
static inline int next_decoded(Decoding *d) {
    return next_frame(d->format, d->decoder, d->stream, d->packet, d->frame, &d->draining);
}

static inline void close_decoding(Decoding *d) {
    av_frame_free(&d->frame);
    av_packet_free(&d->packet);
    avcodec_free_context(&d->decoder);
    avformat_close_input(&d->format);
}
