#!/bin/sh
# Pretext fixtures with known motion (ffmpeg CLI, FFmpeg 5.1): a static blurred-noise texture seen through a
# 160x128 window that moves 2 px right and 1 px down per frame, so the content moves by (-2, -1) px per
# frame: every motion vector's dst - src is (-2, -1) away from the edges. 90 frames at 25 fps, GOP 12, no
# B-frames, in MPEG-4 Part 2 (CMD's re-encoding) and H.264 (one reference frame, so every vector spans one frame). Rerun from the repository root.
set -eu
out=Fixtures/media
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ffmpeg -v error -y -f lavfi -i "nullsrc=s=480x320,geq=lum='random(1)*255':cb='128+40*sin(X/9)':cr='128+40*cos(Y/7)',boxblur=2" -frames:v 1 "$tmp/texture.png"
# The texture itself is also the MoSI fixture image.
cp "$tmp/texture.png" Fixtures/images/texture.png
pan="crop=160:128:x='20+2*n':y='20+n',format=yuv420p"
ffmpeg -v error -y -loop 1 -i "$tmp/texture.png" -vf "$pan" -frames:v 90 -r 25 -c:v mpeg4 -g 12 -bf 0 -q:v 2 "$out/pan-mpeg4.mp4"
ffmpeg -v error -y -loop 1 -i "$tmp/texture.png" -vf "$pan" -frames:v 90 -r 25 -c:v libx264 -g 12 -bf 0 -refs 1 -crf 18 "$out/pan-h264.mp4"
