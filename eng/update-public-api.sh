#!/usr/bin/env bash
# Adds every symbol the PublicApiAnalyzers report as undeclared (RS0016) to the project's
# PublicAPI.Unshipped.txt, and drops declared symbols that no longer exist (RS0017).
# Usage: eng/update-public-api.sh [project.csproj ...]   (default: every project under src/)
set -euo pipefail
cd "$(dirname "$0")/.."
projects=("$@")
if [ ${#projects[@]} -eq 0 ]; then mapfile -t projects < <(ls src/*/*.csproj); fi
for proj in "${projects[@]}"; do
  dir="$(dirname "$proj")"
  log="$(mktemp)"
  dotnet build "$proj" --no-incremental -p:TreatWarningsAsErrors=false > "$log" 2>&1 || true
  python3 - "$log" "$dir" <<'PY'
import re, sys, os
log, d = sys.argv[1], sys.argv[2]
text = open(log, encoding="utf-8", errors="replace").read()
proj_dir = os.path.abspath(d)
add, remove = set(), set()
for m in re.finditer(r"^(\S+?)\(\d+,\d+\): (?:warning|error) (RS001[67]): Symbol '(.+?)' (?:is not part of|is part of)", text, re.M):
    path, code, sym = m.groups()
    if not os.path.abspath(path).startswith(proj_dir + os.sep):
        continue
    (add if code == "RS0016" else remove).add(sym)
unshipped = os.path.join(d, "PublicAPI.Unshipped.txt")
lines = open(unshipped, encoding="utf-8").read().splitlines()
body = [l for l in lines if l and not l.startswith("#") and l not in remove]
body = sorted(set(body) | add, key=lambda s: s.lower())
open(unshipped, "w", encoding="utf-8").write("#nullable enable\n" + "".join(l + "\n" for l in body))
print(f"{d}: +{len(add)} -{len(remove)}")
PY
  rm -f "$log"
done
