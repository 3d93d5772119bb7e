// The decode loop the C benches time (decode_floor.c, rgb_memory_ab.c): every packet of `stream` into the
// decoder, then a flush at the end of the file.
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
