#!/usr/bin/env bash
# Publishes a generated 1280x720 25 fps H.264 + 1 kHz AAC test pattern over RTMP.
# Usage: [KEY=publish-key] publish-test-pattern.sh [PATH=live/test] [SECONDS=forever]
set -euo pipefail
HOST=${HOST:-127.0.0.1}; RTMP_PORT=${RTMP_PORT:-1935}
path=${1:-live/test}; duration=()
[ -n "${2:-}" ] && duration=(-t "$2")
exec ffmpeg -hide_banner -re \
  -f lavfi -i "testsrc2=size=1280x720:rate=25" -f lavfi -i "sine=frequency=1000:sample_rate=48000" "${duration[@]}" \
  -c:v libx264 -preset veryfast -tune zerolatency -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0 -b:v 2500k \
  -c:a aac -b:a 128k -ac 2 \
  -f flv "rtmp://$HOST:$RTMP_PORT/$path${KEY:+?key=$KEY}"
