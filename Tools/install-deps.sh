#!/usr/bin/env bash
# Installs the system packages Vidi builds and tests against, only those that are missing.
# Debian 12: FFmpeg 5.1 libraries and CLI, OpenBLAS, SLEEF (vector exp/tanh/erf), zlib (.npz), pkg-config,
# python3 with numpy (test helpers).
set -euo pipefail

packages=(libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libopenblas-dev libsleef-dev zlib1g-dev pkg-config ffmpeg python3 python3-numpy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A python3 from elsewhere (pyenv) that already has numpy is fine too.
if [ " ${missing[*]} " = " python3-numpy " ] && python3 -c 'import numpy' 2>/dev/null; then missing=(); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6.1 or later first" >&2; exit 1; }
