#!/usr/bin/env bash
# One command: install what is missing, build, and run the whole test suite (unit and integration,
# with real ffmpeg peers against the real server). Ends with "Tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"
scripts/setup.sh || exit 1
dotnet build LiveRelay.sln -c Release --no-restore --verbosity quiet || exit 1

results=artifacts/test-results
rm -rf "$results"
log=$(mktemp)
dotnet test LiveRelay.sln -c Release --no-build --results-directory "$results" \
  --logger "trx" --logger "console;verbosity=minimal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, Total: T, ..." line per project.
awk '/(Passed|Failed)! +- Failed:/ {
    for (i = 1; i <= NF; i++) { v = $(i + 1); gsub(/,/, "", v)
      if ($i == "Failed:") f += v; else if ($i == "Passed:") p += v; else if ($i == "Skipped:") s += v }
    projects++ }
  END { if (projects == 0) print "test.sh: no test summary found" > "/dev/stderr"
        printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
