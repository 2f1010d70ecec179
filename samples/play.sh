#!/usr/bin/env bash
# Plays a stream with ffplay. Usage: [TOKEN=play-token] play.sh [PATH=live/test] [rtmp|flv|hls]
set -euo pipefail
HOST=${HOST:-127.0.0.1}; RTMP_PORT=${RTMP_PORT:-1935}; HTTP_PORT=${HTTP_PORT:-8080}
path=${1:-live/test}
case "${2:-rtmp}" in
  rtmp) url="rtmp://$HOST:$RTMP_PORT/$path${TOKEN:+?token=$TOKEN}" ;;
  flv)  url="http://$HOST:$HTTP_PORT/$path.flv${TOKEN:+?token=$TOKEN}" ;;
  hls)  url="http://$HOST:$HTTP_PORT/$path/index.m3u8${TOKEN:+?token=$TOKEN}" ;;
  *) echo "protocol must be rtmp, flv or hls" >&2; exit 2 ;;
esac
exec ffplay -hide_banner -fflags nobuffer -flags low_delay "$url"
