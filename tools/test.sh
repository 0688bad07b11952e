#!/usr/bin/env bash
# Runs every test project of the solution and ends with the plain line "N passed, N failed" (skips on the line before).
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
dotnet test MLNet.Embeddings.sln -c Release --nologo 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# Each test assembly prints: "Passed!  - Failed:     0, Passed:    12, Skipped:     1, Total: ..." (or "Failed!  - ...").
read -r passed failed skipped < <(grep -E '(Passed|Failed)! +- Failed: ' "$log" | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
assemblies=$(grep -cE '(Passed|Failed)! +- Failed: ' "$log")
rm -f "$log"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $rc (build error or crashed test host; $assemblies test assemblies reported)" >&2
  failed=$((failed + 1))
fi
echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
