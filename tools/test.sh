#!/usr/bin/env bash
# Runs every test project of the solution and ends with the plain line "N passed, N failed"; before it, the skipped
# tests grouped by their reason (e.g. the ONNX Runtime library or Chromium is missing) and "N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trx=$(mktemp -d)
dotnet test MLNet.Embeddings.sln -c Release --nologo --logger trx --results-directory "$trx" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# Each test assembly prints: "Passed!  - Failed:     0, Passed:    12, Skipped:     1, Total: ..." (or "Failed!" / "Skipped!").
summary='(Passed|Failed|Skipped)! +- Failed: '
read -r passed failed skipped < <(grep -E "$summary" "$log" | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
assemblies=$(grep -cE "$summary" "$log")
rm -f "$log"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $rc (build error or crashed test host; $assemblies test assemblies reported)" >&2
  failed=$((failed + 1))
fi
# The reasons: dotnet test's console shows skipped tests without them; the trx files carry them.
python3 - "$trx" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
by_reason = {}
for f in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    for r in ET.parse(f).getroot().iterfind(".//t:UnitTestResult[@outcome='NotExecuted']", ns):
        msg = r.find("t:Output/t:ErrorInfo/t:Message", ns)
        by_reason.setdefault((msg.text or "").strip() if msg is not None else "(no reason given)", []).append(r.get("testName"))
for reason, tests in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
    names = sorted(t.split("(")[0].rsplit(".", 2)[-2] + "." + t.split("(")[0].rsplit(".", 1)[-1] for t in tests)
    shown = ", ".join(sorted(set(names))[:4]) + (" …" if len(set(names)) > 4 else "")
    print(f"skipped {len(tests)}: {reason} [{shown}]")
PY
rm -rf "$trx"
echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
