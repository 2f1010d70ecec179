#!/usr/bin/env bash
# Publishes a media file in real time, looping. H.264/AAC are copied; other codecs are transcoded.
# Usage: publish-file.sh FILE [PATH=live/file]
set -euo pipefail
HOST=${HOST:-127.0.0.1}; RTMP_PORT=${RTMP_PORT:-1935}
file=${1:?usage: publish-file.sh FILE [PATH]}; path=${2:-live/file}
vcodec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$file" || true)
acodec=$(ffprobe -v error -select_streams a:0 -show_entries stream=codec_name -of csv=p=0 "$file" || true)
v=(-c:v copy); a=(-c:a copy)
[ "$vcodec" = h264 ] || v=(-c:v libx264 -preset veryfast -g 50 -pix_fmt yuv420p)
[ "$acodec" = aac ] || a=(-c:a aac -b:a 128k)
exec ffmpeg -hide_banner -re -stream_loop -1 -i "$file" "${v[@]}" "${a[@]}" -f flv "rtmp://$HOST:$RTMP_PORT/$path${KEY:+?key=$KEY}"
