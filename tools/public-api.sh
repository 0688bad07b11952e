#!/usr/bin/env bash
# Regenerates the public-API baseline (PublicAPI.Unshipped.txt) of every library under src/ from the code as it is:
# each Unshipped file is reset to "#nullable enable" and refilled by the PublicApiAnalyzers code fix for RS0016
# ("symbol is not part of the declared public API"), run by `dotnet format analyzers` one project at a time (over a
# whole solution it fixes only the first project), libraries before the libraries that reference them.
# Entries in PublicAPI.Shipped.txt (released API) are kept and not added again.
# Run after merging branches that change public API, then review `git diff -- 'src/*/PublicAPI.*.txt'`.
# Usage: bash tools/public-api.sh [src/NAME ...]   (default: every library; about 2 minutes per project)
set -uo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then dirs=("$@"); else dirs=(src/*/); fi
libs=()
for dir in "${dirs[@]}"; do
  dir=${dir%/}; csproj="$dir/$(basename "$dir").csproj"
  [ -f "$csproj" ] || { echo "no project: $csproj" >&2; exit 2; }
  grep -q '<OutputType>Exe</OutputType>' "$csproj" && continue   # the tool has no API baseline
  libs+=("$dir")
done
# Dependency order: a project after the src projects it references (their baseline must be complete first).
depth() {
  local csproj="$1/$(basename "$1").csproj" d=0 ref r
  for ref in $(grep -o 'Include="\.\./[^"]*\.csproj"' "$csproj" | sed -E 's|Include="\.\./([^/]*)/.*|\1|'); do
    r=$(depth "src/$ref"); [ "$r" -ge "$d" ] && d=$((r + 1))
  done
  echo "$d"
}
mapfile -t libs < <(for dir in "${libs[@]}"; do echo "$(depth "$dir") $dir"; done | sort -n | cut -d' ' -f2)
failed=0
for dir in "${libs[@]}"; do
  csproj="$dir/$(basename "$dir").csproj"
  [ -f "$dir/PublicAPI.Shipped.txt" ] || printf '#nullable enable\n' > "$dir/PublicAPI.Shipped.txt"
  printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
  echo "$dir: dotnet format analyzers --diagnostics RS0016 ..." >&2
  if ! dotnet format analyzers "$csproj" --diagnostics RS0016 --severity warn >&2; then
    echo "$dir: dotnet format failed" >&2; failed=1; continue
  fi
  f="$dir/PublicAPI.Unshipped.txt"   # stable order, the #nullable header first
  { echo '#nullable enable'; grep -v '^#nullable enable$' "$f" | grep -v '^$' | LC_ALL=C sort -u; } > "$f.tmp" && mv "$f.tmp" "$f"
  echo "$f: $(($(wc -l < "$f") - 1)) entries" >&2
done
# dotnet format leaves generated files (*.g.cs) alone; the analyzer does not. One build of these libraries with
# warnings allowed lists what is still missing as "RS0016: Symbol 'NAME' is not part of the declared public API",
# NAME in the file's own format: add those lines to the project's Unshipped file.
tmp=$(mktemp -d)
projects=$(for dir in "${libs[@]}"; do printf '"%s/%s.csproj",' "$dir" "$(basename "$dir")"; done)
printf '{"solution":{"path":"%s","projects":[%s]}}\n' "$PWD/MLNet.Embeddings.sln" "${projects%,}" > "$tmp/libraries.slnf"
echo "build pass: dotnet build (libraries) -c Release --no-incremental -p:TreatWarningsAsErrors=false ..." >&2
dotnet build "$tmp/libraries.slnf" -c Release --no-incremental --nologo -p:TreatWarningsAsErrors=false > "$tmp/build.log" 2>&1
for dir in "${libs[@]}"; do
  f="$dir/PublicAPI.Unshipped.txt"
  grep -F "$PWD/$dir/$(basename "$dir").csproj]" "$tmp/build.log" \
    | grep -E "(warning|error) RS0016: Symbol '" \
    | sed -E "s/.*RS0016: Symbol '(.*)' is not part of the declared public API.*/\1/" > "$tmp/missing.txt" || true
  if [ -s "$tmp/missing.txt" ]; then
    { echo '#nullable enable'; cat "$f" "$tmp/missing.txt" | grep -v '^#nullable enable$' | grep -v '^$' | LC_ALL=C sort -u; } > "$f.tmp" && mv "$f.tmp" "$f"
    echo "$f: $(sort -u "$tmp/missing.txt" | wc -l) more from the build (generated code)" >&2
  fi
done
rm -rf "$tmp"
[ "$failed" -eq 0 ] || { echo "some projects failed; see above" >&2; exit 1; }
echo "now build: dotnet build MLNet.Embeddings.sln -c Release (RS0016/RS0017 would fail it)" >&2
