#!/usr/bin/env bash
# Installs what LiveRelay needs on Debian 12 and restores packages. Idempotent: it installs only
# what is missing, so it is cheap to run before every build.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the server and the test suite use:
#   ffmpeg             real peer for tests; supervised transcoder/thumbnailer at run time
#   libsrt1.5-openssl  libsrt.so.1.5, which the SRT binding loads
#   srt-tools          srt-live-transmit, a real SRT peer for tests
#   postgresql         PostgreSQL 15 binaries: the newsroom store tests start a throwaway server with them
#                      (the package's own cluster service is not used)
#   gstreamer (gir1.2-gst-rtsp-server-1.0, python3-gi, plugins base/good/ugly/bad/libav)
#                      an RTSP server that is not ours (gst-rtsp-server, x264 + AAC) for the RTSP pull tests
#   socat, openssl     a TLS terminator that is not ours in front of test peers (rtsps:// and rtmps:// pulls and relays)
#   chromium           the browser the control-page tests drive with Playwright (never a downloaded one)
#   nodejs, npm        the control page's libraries come from npm; the hub tests run the SignalR client under node
#                      (skipped when a node and npm are on PATH already)
APT_PACKAGES=(ffmpeg libsrt1.5-openssl srt-tools postgresql chromium ca-certificates curl
  gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad gstreamer1.0-libav socat openssl)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  APT_PACKAGES+=(nodejs npm)
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root (or sudo) to run: $*" >&2; exit 1; fi
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The .NET 10 SDK is not in Debian's archive; Microsoft's Debian 12 repository has it.
if ! command -v dotnet >/dev/null || ! dotnet --list-sdks | grep -q '^10\.'; then
  echo "setup: installing the .NET 10 SDK from Microsoft's Debian 12 repository"
  tmp=$(mktemp -d)
  curl -fsSL -o "$tmp/ms.deb" https://packages.microsoft.com/config/debian/12/packages-microsoft-prod.deb
  as_root dpkg -i "$tmp/ms.deb"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dotnet-sdk-10.0
  rm -rf "$tmp"
fi

# The control page's browser libraries and the hub tests' SignalR client (versions pinned in package-lock.json).
if [ ! -d src/LiveRelay.Server/node_modules/@microsoft/signalr ] || [ src/LiveRelay.Server/package-lock.json -nt src/LiveRelay.Server/node_modules/.package-lock.json ]; then
  echo "setup: npm ci (control page libraries)"
  (cd src/LiveRelay.Server && npm ci --no-audit --no-fund --loglevel=error)
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet restore LiveRelay.sln --verbosity quiet
