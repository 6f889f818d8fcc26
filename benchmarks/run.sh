#!/usr/bin/env bash
# The one command for the KeyPairAuth benchmarks (see docs/benchmarks.md).
#
#   benchmarks/run.sh                 every suite, one BenchmarkDotNet class at a time, then the E2E runner;
#                                     GitHub-markdown reports are copied to benchmarks/results/
#   benchmarks/run.sh --quick         smoke run, under two minutes: headline benchmarks in-process with 3 short
#                                     iterations, and a short E2E; reports go to artifacts/benchmarks-quick/ only
#   benchmarks/run.sh [--quick] SUITE...
#                                     SUITE: verify sign digest sf replay alternatives handler e2e replay-memory alloc-profile ratios
#                                     store (EF Core store on PostgreSQL: cold lookup p50/p99, cache-hit ratio), store-verify
#                                     (BenchmarkDotNet: cache-hit verification, in-memory vs EF Core store); both start a
#                                     throwaway PostgreSQL (.ci/services/postgres.sh) unless KEYPAIRAUTH_TEST_POSTGRES is set
#                                     redis (needs redis-server on the PATH, or KEYPAIRAUTH_TEST_REDIS; not in the default set)
#
# The machine has 2 cores: stop other heavy work first; ratios inside one report are what count.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

quick=0
suites=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) suites+=("$arg") ;;
  esac
done

project=benchmarks/KeyPairAuth.Benchmarks/KeyPairAuth.Benchmarks.csproj
dotnet build "$project" -c Release -nologo -v quiet
dll=benchmarks/KeyPairAuth.Benchmarks/bin/Release/net10.0/KeyPairAuth.Benchmarks.dll

declare -A classes=(
  [verify]=VerifyBenchmarks
  [sign]=SignBenchmarks
  [digest]=ContentDigestBenchmarks
  [sf]=StructuredFieldBenchmarks
  [replay]=ReplayCacheBenchmarks
  [alternatives]=AlternativesBenchmarks
  [handler]=HandlerBenchmarks
  [store-verify]=StoreBenchmarks
)

if [ "$quick" -eq 1 ]; then
  out=artifacts/benchmarks-quick
  if [ ${#suites[@]} -eq 0 ]; then suites=(headline ratios alloc-profile e2e); fi
else
  out=benchmarks/results
  if [ ${#suites[@]} -eq 0 ]; then suites=(verify sign digest sf replay alternatives handler ratios alloc-profile replay-memory store e2e); fi
fi

# The store suites need PostgreSQL: start a throwaway server (stopped on exit) unless one is configured.
for suite in "${suites[@]}"; do
  if [[ "$suite" == store* ]] && [ -z "${KEYPAIRAUTH_TEST_POSTGRES:-}" ]; then
    mkdir -p .test-services
    : > .test-services/env
    : > .test-services/stop
    trap 'bash .test-services/stop >/dev/null 2>&1 || true' EXIT
    bash .ci/services/postgres.sh
    set -a; . .test-services/env; set +a
    break
  fi
done
mkdir -p "$out"
raw="artifacts/benchmarkdotnet"
start=$SECONDS

for suite in "${suites[@]}"; do
  echo "==> $suite"
  case "$suite" in
    e2e)
      extra=(); [ "$quick" -eq 1 ] && extra=(--quick)
      dotnet "$dll" e2e "${extra[@]}" --out "$out/e2e.md" ;;
    redis)
      if [ -z "${KEYPAIRAUTH_TEST_REDIS:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
        echo "redis: install redis-server (apt-get install redis-server) or set KEYPAIRAUTH_TEST_REDIS" >&2; exit 2
      fi
      extra=(); [ "$quick" -eq 1 ] && extra=(--quick)
      dotnet "$dll" redis "${extra[@]}" --out "$out/redis.md" ;;
    replay-memory)
      extra=(); [ "$quick" -eq 1 ] && extra=(--quick)
      dotnet "$dll" replay-memory "${extra[@]}" --out "$out/replay-memory.md" ;;
    alloc-profile)
      dotnet "$dll" alloc-profile --out "$out/alloc-profile.md" ;;
    store)
      extra=(); [ "$quick" -eq 1 ] && extra=(--quick)
      dotnet "$dll" store "${extra[@]}" --out "$out/store.md" ;;
    ratios)
      extra=(--diagnose); [ "$quick" -eq 1 ] && extra=(--quick)
      dotnet "$dll" ratios "${extra[@]}" --out "$out/ratios.md" ;;
    headline)
      # Quick mode: only the rows the targets are judged on.
      dotnet "$dll" --quick --artifacts "$raw" --filter \
        '*VerifyBenchmarks.RawVerify' '*VerifyBenchmarks.Get' '*VerifyBenchmarks.Floor1MiB' '*VerifyBenchmarks.Post1MiB' \
        '*SignBenchmarks.RawSign' '*SignBenchmarks.SignerGet' '*SignBenchmarks.HandlerGet' \
        '*ContentDigestBenchmarks.RawSha256' '*ContentDigestBenchmarks.Verifier' '*AlternativesBenchmarks.*'
      cp "$raw"/results/*-report-github.md "$out/" 2>/dev/null || true ;;
    *)
      class="${classes[$suite]:-}"
      if [ -z "$class" ]; then echo "unknown suite: $suite" >&2; exit 2; fi
      args=(--artifacts "$raw" --filter "*.${class}.*")
      [ "$quick" -eq 1 ] && args=(--quick "${args[@]}")
      rm -f "$raw"/results/*"$class"*-report-github.md
      dotnet "$dll" "${args[@]}"
      cp "$raw"/results/*"$class"*-report-github.md "$out/$class.md" ;;
  esac
done
echo "==> done in $((SECONDS - start)) s; reports in $out/"
