#!/usr/bin/env bash
# Publishes tests/aot/KeyPairAuth.AotSmoke with PublishAot=true (linux-x64) and runs the native binary: it starts a
# server, verifies a request signed by the client package and refuses a tampered one. Needs clang and zlib1g-dev
# (apt-get install clang zlib1g-dev) besides the .NET 10 SDK; the ILCompiler packages restore from NuGet.
set -euo pipefail
cd "$(dirname "$0")/.."
out="artifacts/aot-smoke"
start=$(date +%s)
dotnet publish tests/aot/KeyPairAuth.AotSmoke/KeyPairAuth.AotSmoke.csproj -c Release -r linux-x64 -o "$out" > artifacts/aot-publish.log 2>&1 \
  || { grep -E "error|warning" artifacts/aot-publish.log | sort -u | head -n 40; echo "AOT publish failed" >&2; exit 1; }
if grep -qE "warning (IL[0-9]+)" artifacts/aot-publish.log; then
  grep -E "warning IL[0-9]+" artifacts/aot-publish.log | sort -u >&2
  echo "AOT publish produced trim/AOT warnings" >&2
  exit 1
fi
echo "published in $(( $(date +%s) - start )) s"
"$out/KeyPairAuth.AotSmoke"
