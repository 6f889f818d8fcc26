#!/usr/bin/env bash
# Mutation testing of the security-critical core with Stryker.NET (the dotnet-stryker local tool in
# .config/dotnet-tools.json), killed by tests/KeyPairAuth.Tests. Not part of ./test.sh: a full run takes
# many minutes. Prints a per-file score table at the end (also written to artifacts/mutation/summary.md).
#
# Usage: eng/mutation.sh [-c N] [--file GLOB]... [--since[=ref]] [--all-tests] [--summary] [-- extra stryker args]
#   -c N          parallel test runners (default 1; the machine is shared)
#   --file GLOB   mutate only files matching GLOB (repeatable), instead of the list below
#   --since[=ref] only mutants in files changed since ref (default main)
#   --all-tests   also run the SLOW_TESTS below against every mutant they cover (hours instead of tens of minutes)
#   --summary     only print the table of the last run's report
set -euo pipefail
cd "$(dirname "$0")/.."

# The files under test, as Stryker globs relative to src/KeyPairAuth. Edit here. The verifier is the orchestration
# (HttpMessageVerifier*.cs), the candidate both field readers produce, and the policy checks; VerificationFailures.cs
# is a catalogue of constant results (its mutants are strings) and is left out.
FILES=(
  "Signatures/HttpMessageVerifier*.cs"
  "Signatures/SignatureCandidate.cs"
  "Signatures/VerificationPolicy.cs"
  "Signatures/SignatureProfile.cs"
  "Signatures/SignatureBase*.cs"
  "Signatures/FastSignatureFields.cs"
  "Digests/ContentDigestVerifier.cs"
  "Replay/InMemoryReplayCache.cs"
  "Replay/InMemoryReplayCache.*.cs"
  "Keys/KeyId.cs"
  "Keys/Internal/SecretString.cs"
  "Keys/Internal/KeyEncoding.cs"
  "Issuance/KeyScopes.cs"
)

# Tests left out of the mutation run by default: the seeded fuzz and differential tests (thousands of iterations
# each), the replay cache's memory and many-thread tests. Each takes seconds and covers nearly every mutant of its
# file, so with them a run takes hours (an infinite-loop mutant costs a timeout scaled to their run time). They are
# not the tests that pin a rule; leaving them out can only lower the score, so the scores are lower bounds.
# --all-tests puts them back.
SLOW_TESTS=(
  "VerifierFuzzTests"
  "StructuredFieldFuzzTests"
  "TryRead_RandomAndMutatedValues"
  "Verify_MutatedSignedRequests_FastAndGenericPathsGiveTheSameResult"
  "Read_MutatedFields_BothReadersGiveTheSameCandidateAndSignatureBase"
  "InMemoryReplayCacheMemoryTests"
  "FromManyThreadsAtOnce"
  "EverySingleCharacterEdit"
)

concurrency=1
all_tests=0
since=""
summary_only=0
custom=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    -c|--concurrency) concurrency="$2"; shift 2 ;;
    --file) custom+=("$2"); shift 2 ;;
    --since) since="main"; shift ;;
    --since=*) since="${1#--since=}"; shift ;;
    --all-tests) all_tests=1; shift ;;
    --summary) summary_only=1; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [ ${#custom[@]} -gt 0 ]; then FILES=("${custom[@]}"); fi

out="$(pwd)/artifacts/mutation"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ "$summary_only" -eq 0 ]; then
  dotnet tool restore > /dev/null
  args=(--skip-version-check --config-file "$(pwd)/eng/stryker-config.json" --concurrency "$concurrency" --output "$out")
  for f in "${FILES[@]}"; do args+=(--mutate "**/$f"); done
  if [ -n "$since" ]; then args+=(--since:"$since"); fi
  if [ "$all_tests" -eq 0 ]; then
    filter=""
    for t in "${SLOW_TESTS[@]}"; do filter+="${filter:+&}FullyQualifiedName!~$t"; done
    args+=(--test-case-filter "$filter")
  fi
  rm -rf "$out"
  # Stryker resolves the project under test from the test project's references.
  (cd tests/KeyPairAuth.Tests && dotnet tool run dotnet-stryker "${args[@]}" "${extra[@]}")
fi

report="$(find "$out" -name 'mutation-report.json' -print -quit 2>/dev/null || true)"
if [ -z "$report" ]; then echo "no mutation-report.json under $out" >&2; exit 1; fi
python3 - "$report" "$out/summary.md" <<'PY'
import json, sys, os
report, summary_path = sys.argv[1], sys.argv[2]
data = json.load(open(report, encoding="utf-8"))
rows, tot = [], dict(k=0, s=0, n=0, t=0, c=0)
for path, f in sorted(data["files"].items()):
    st = [m["status"] for m in f["mutants"]]
    k, t = st.count("Killed"), st.count("Timeout")
    s, n = st.count("Survived"), st.count("NoCoverage")
    c = st.count("CompileError")
    valid = k + t + s + n
    if valid == 0:
        continue
    name = path.split("src/KeyPairAuth/", 1)[-1]
    rows.append((name, k + t, s, n, valid, 100.0 * (k + t) / valid, 100.0 * (k + t) / max(1, k + t + s)))
    for key, v in (("k", k + t), ("s", s), ("n", n), ("c", c)):
        tot[key] += v
valid = tot["k"] + tot["s"] + tot["n"]
lines = ["| File | Killed | Survived | No coverage | Score | Covered score |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
for name, k, s, n, v, score, cov in rows:
    lines.append(f"| {name} | {k} | {s} | {n} | {score:.1f} % | {cov:.1f} % |")
lines.append(f"| **Total** | {tot['k']} | {tot['s']} | {tot['n']} | **{100.0 * tot['k'] / max(1, valid):.1f} %** | {100.0 * tot['k'] / max(1, tot['k'] + tot['s']):.1f} % |")
text = "\n".join(lines) + "\n"
open(summary_path, "w", encoding="utf-8").write(text)
print(text)
surv = []
for path, f in sorted(data["files"].items()):
    for m in f["mutants"]:
        if m["status"] in ("Survived", "NoCoverage"):
            loc = m["location"]["start"]
            surv.append(f'{path.split("src/KeyPairAuth/", 1)[-1]}:{loc["line"]}:{loc["column"]} {m["status"]} {m["mutatorName"]}: {m.get("replacement", "")[:80]!r}')
open(os.path.join(os.path.dirname(summary_path), "survivors.txt"), "w", encoding="utf-8").write("\n".join(surv) + "\n")
print(f"{len(surv)} surviving mutants listed in {os.path.join(os.path.dirname(summary_path), 'survivors.txt')}")
PY
