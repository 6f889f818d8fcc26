#!/usr/bin/env bash
# Command-line tools the tests drive for real: curl (the CLI's `sign --curl` output is run by /bin/sh and curl), and
# clang + zlib1g-dev, which the NativeAOT smoke publish (eng/aot-smoke.sh) links with.
set -euo pipefail
missing=()
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v clang >/dev/null 2>&1 || missing+=(clang)
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing: ${missing[*]}; this is not root: install them with apt-get" >&2
    exit 1
  fi
  # One apt-get update per test run, shared with the other provisioning scripts.
  if [ ! -e .test-services/apt-updated ]; then apt-get update -qq && : > .test-services/apt-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v curl
command -v clang
