#!/usr/bin/env bash
# VidiMedia vs PyAV/decord on the same synthetic inputs (release build). Prints both tables.
# Usage: Tools/bench/media-library-bench.sh [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-1}
dir=${BENCH_DIR:-/tmp/vidi-bench}
mkdir -p "$dir"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
[ -f "$dir/360p.mp4" ] || ff -f lavfi -i testsrc2=size=640x360:rate=30:duration=20 -c:v libx264 -preset medium \
    -bf 3 -g 60 -pix_fmt yuv420p "$dir/360p.mp4"
[ -f "$dir/1080p.mp4" ] || ff -f lavfi -i testsrc2=size=1920x1080:rate=30:duration=5 -c:v libx264 -preset fast \
    -bf 3 -g 60 -pix_fmt yuv420p "$dir/1080p.mp4"
[ -f "$dir/mpeg4-320x240.mp4" ] || ff -f lavfi -i testsrc2=size=320x240:rate=30:duration=30 -c:v mpeg4 -q:v 4 \
    -g 12 -bf 0 "$dir/mpeg4-320x240.mp4"
swift build -c release --package-path Tools/bench/MediaBench >/dev/null
bench=$(swift build -c release --package-path Tools/bench/MediaBench --show-bin-path)/MediaBench
python=${PYTHON:-$(Tools/reference-venv.sh)}
for f in "$dir/360p.mp4" "$dir/1080p.mp4" "$dir/mpeg4-320x240.mp4"; do
    "$bench" "$f" "$threads"
    "$python" Tools/bench/media_library_peers.py "$f" "$threads" || true
    echo
done
