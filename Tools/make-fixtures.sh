#!/usr/bin/env bash
# Regenerates Fixtures/media with the ffmpeg CLI. Deterministic settings (single-threaded x264) so a
# rerun gives the same streams; tests compare against ffprobe/ffmpeg on the committed files, so exact
# byte equality across FFmpeg versions is not required.
set -euo pipefail
cd "$(dirname "$0")/.."
out=Fixtures/media
mkdir -p "$out"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }

# Moving synthetic content with texture, so encoders produce real motion vectors.
src="testsrc2=size=320x240:rate=25"
x264det="-threads 1 -x264-params threads=1:sliced-threads=0"

# H.264, B-frames, open GOPs (keyframes are not IDR-aligned with display order), 3 GOPs.
ff -f lavfi -i "$src:duration=3" -c:v libx264 -preset medium -pix_fmt yuv420p -bf 3 $x264det \
   -x264-params "threads=1:open-gop=1:keyint=25:min-keyint=25:scenecut=0:bframes=3" \
   -movflags +faststart "$out/h264-bframes-opengop.mp4"

# H.264, closed GOP, no B-frames (I+P only), keyframe every 12.
ff -f lavfi -i "$src:duration=2" -c:v libx264 -preset fast -pix_fmt yuv420p -bf 0 -g 12 -keyint_min 12 \
   -sc_threshold 0 $x264det "$out/h264-closedgop.mp4"

# MPEG-4 Part 2, GOP 12, I+P only (the CMD paper's re-encoding).
ff -f lavfi -i "$src:duration=2" -c:v mpeg4 -q:v 4 -g 12 -bf 0 "$out/mpeg4-part2.mp4"

# HEVC.
ff -f lavfi -i "$src:duration=1" -c:v libx265 -preset fast -pix_fmt yuv420p \
   -x265-params "log-level=error:pools=1:frame-threads=1:keyint=12" "$out/hevc.mp4"

# VP9 in WebM.
ff -f lavfi -i "$src:duration=1" -c:v libvpx-vp9 -b:v 200k -g 12 -threads 1 -deadline good -cpu-used 4 "$out/vp9.webm"

# MJPEG in AVI (every frame a keyframe).
ff -f lavfi -i "$src:duration=1" -c:v mjpeg -q:v 5 -pix_fmt yuvj420p "$out/mjpeg.avi"

# Variable frame rate: frames 0-19 every 40 ms, then every 80 ms.
ff -f lavfi -i "$src:duration=2" -vf "setpts='if(lt(N,20),N*0.04,0.8+(N-20)*0.08)/TB'" -fps_mode vfr \
   -c:v libx264 -preset fast -pix_fmt yuv420p -bf 0 -g 10 $x264det -video_track_timescale 1000 "$out/vfr.mp4"

# Frames that share a timestamp (VFR Matroska, 1 ms time base): 180 frames encoded at 25 fps, then
# remuxed with the setts bitstream filter so frame 10k+9 takes frame 10k+8's pts and keyframes 60 and 120
# also take their predecessor's: pairs of equal pts, and triples (58, 59, 60) across a GOP boundary.
# I+P only, so display order is decode order. H.264 and an MPEG-4 Part 2 variant.
dupts="setts=ts='PTS-40*eq(mod(N\\,10)\\,9)-80*eq(mod(N\\,60)\\,0)*gt(N\\,0)'"
tmp=$(mktemp --suffix=.mkv)
ff -f lavfi -i "testsrc2=size=128x96:rate=25:duration=7.2" -c:v libx264 -preset fast -crf 36 -pix_fmt yuv420p \
   -bf 0 -g 60 -keyint_min 60 -sc_threshold 0 $x264det "$tmp"
ff -i "$tmp" -c copy -bsf:v "$dupts" "$out/h264-dup-pts.mkv"
ff -f lavfi -i "testsrc2=size=128x96:rate=25:duration=7.2" -c:v mpeg4 -q:v 31 -g 60 -bf 0 "$tmp"
ff -i "$tmp" -c copy -bsf:v "$dupts" "$out/mpeg4-dup-pts.mkv"
# With B-frames (100 frames, 2 B-frames, GOP 50): the frame shown 10k+9th takes the pts of the one
# before it (pts only: Matroska stores no dts), so tied frames decode in the opposite order to display.
ff -f lavfi -i "testsrc2=size=128x96:rate=25:duration=4" -c:v libx264 -preset fast -crf 36 -pix_fmt yuv420p \
   -bf 2 -g 50 -keyint_min 50 -sc_threshold 0 $x264det "$tmp"
ff -i "$tmp" -c copy -bsf:v "setts=pts='PTS-40*eq(mod(round(PTS/40)\\,10)\\,9)'" "$out/h264-bframes-dup-pts.mkv"
rm -f "$tmp"

# Rotation tag of 90 degrees (display matrix side data), landscape pixels stored.
# FFmpeg 5.1 writes the display matrix from the "rotate" tag only when stream-copying.
tmp=$(mktemp --suffix=.mp4)
ff -f lavfi -i "$src:duration=1" -c:v libx264 -preset fast -pix_fmt yuv420p -g 12 $x264det "$tmp"
ff -i "$tmp" -c copy -metadata:s:v:0 rotate=90 "$out/rotated-90.mp4"
rm -f "$tmp"

# Odd dimensions: 321 x 241 (4:4:4 so the encoder accepts odd sizes).
ff -f lavfi -i "$src:duration=1" -vf scale=321:241 -c:v libx264 -preset fast -pix_fmt yuv444p -g 12 \
   $x264det "$out/odd-321x241.mp4"

# 10-bit 4:2:0.
ff -f lavfi -i "$src:duration=1" -c:v libx264 -preset fast -pix_fmt yuv420p10le -g 12 $x264det "$out/h264-10bit.mp4"

# Audio stream first (stream 0 is AAC, stream 1 is the video).
ff -f lavfi -i "sine=frequency=440:duration=1" -f lavfi -i "$src:duration=1" -map 0:a -map 1:v \
   -c:a aac -b:a 64k -c:v libx264 -preset fast -pix_fmt yuv420p -g 12 $x264det "$out/audio-first.mp4"

# Colour: tagged BT.709 HD (limited range) and BT.601 SD (smpte170m, limited range) colour bars with a
# moving test pattern in one corner, 3 frames each; full-range MJPEG is mjpeg.avi (yuvj420p, bt470bg).
ff -f lavfi -i "smptehdbars=size=1280x720:rate=25:duration=0.12" -f lavfi -i "testsrc2=size=320x180:rate=25" \
   -filter_complex "[0][1]overlay=shortest=1,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p" \
   -c:v libx264 -preset fast -crf 30 -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv \
   $x264det "$out/h264-bt709-hd.mp4"
ff -f lavfi -i "smptebars=size=640x480:rate=25:duration=0.12" -f lavfi -i "testsrc2=size=160x120:rate=25" \
   -filter_complex "[0][1]overlay=shortest=1,scale=out_color_matrix=bt601:out_range=tv,format=yuv420p" \
   -c:v libx264 -preset fast -crf 30 -colorspace smpte170m -color_primaries smpte170m -color_trc smpte170m \
   -color_range tv $x264det "$out/h264-bt601-sd.mp4"

# Bad inputs.
: > "$out/bad-empty.mp4"
size=$(stat -c %s "$out/h264-bframes-opengop.mp4")
head -c $((size / 2)) "$out/h264-bframes-opengop.mp4" > "$out/bad-truncated.mp4"
python3 -c "import random,sys; r=random.Random(7); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(20000)))" \
   > "$out/bad-random.mp4"
ff -f lavfi -i "sine=frequency=440:duration=1" -c:a aac -b:a 64k "$out/bad-audio-only.m4a"
echo "not a video" > "$out/bad-text.txt"

du -sh "$out"
