#!/usr/bin/env bash
# Command-line tools the tests drive for real: curl (the CLI's `sign --curl` output is run by /bin/sh and curl).
set -euo pipefail
if ! command -v curl >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "curl is missing and this is not root: install curl" >&2
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
fi
command -v curl
