#!/usr/bin/env bash
# One command: install what is missing, build, and start LiveRelay with configs/liverelay.json.
# Extra arguments go to the server, e.g. ./run.sh --LiveRelay:Rtmp:Port=1936 --urls http://0.0.0.0:8081
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
dotnet build src/LiveRelay.Server -c Release --no-restore --verbosity quiet
exec dotnet src/LiveRelay.Server/bin/Release/net10.0/LiveRelay.Server.dll --config configs/liverelay.json "$@"
