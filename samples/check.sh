#!/usr/bin/env bash
# Reads 5 s of a stream over RTMP, HTTP-FLV and HLS and prints codecs, size and packet counts.
# Usage: [TOKEN=play-token] check.sh [PATH=live/test]
set -euo pipefail
HOST=${HOST:-127.0.0.1}; RTMP_PORT=${RTMP_PORT:-1935}; HTTP_PORT=${HTTP_PORT:-8080}
path=${1:-live/test}; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
q=${TOKEN:+?token=$TOKEN}
for url in "rtmp://$HOST:$RTMP_PORT/$path$q" "http://$HOST:$HTTP_PORT/$path.flv$q" "http://$HOST:$HTTP_PORT/$path/index.m3u8$q"; do
  out="$tmp/out.ts"
  if ffmpeg -hide_banner -loglevel error -y -i "$url" -t 5 -c copy "$out"; then
    echo "$url"
    ffprobe -v error -count_packets -show_entries stream=codec_name,width,height,sample_rate,channels,nb_read_packets -of compact=p=0 "$out" | sed 's/^/  /'
  else
    echo "$url: FAILED"
  fi
done
