#!/usr/bin/env bash
# Headless Chromium for the sample dashboard's browser test (Microsoft.Playwright drives Debian's chromium through
# ExecutablePath; Playwright never downloads a browser). Installs the `chromium` package with apt when it is missing
# and this is root, checks that it starts headless, and exports KEYPAIRAUTH_TEST_CHROMIUM to .test-services/env.
# Once that variable is exported the browser test FAILS (never skips) when the browser cannot be driven.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .test-services

chromium="$(command -v chromium || true)"
if [ -z "$chromium" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is missing and this is not root: install Debian's chromium package (the browser test is skipped)" >&2
    exit 0
  fi
  # Refresh the package lists only when they don't know chromium yet (a fresh machine); wait for another
  # provisioning script's apt run instead of failing on the lock.
  if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core >/dev/null
  chromium="$(command -v chromium)"
fi

# A bounded smoke check: the browser must start headless and print a page, or the tests would fail later with a
# vaguer message.
if ! timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --dump-dom 'data:text/html,<p>ok</p>' 2>/dev/null | grep -q '<p>ok</p>'; then
  echo "chromium at $chromium did not start headless" >&2
  exit 1
fi

echo "KEYPAIRAUTH_TEST_CHROMIUM=$chromium" >> .test-services/env
echo "chromium: $chromium ($("$chromium" --version 2>/dev/null || echo 'version unknown'))"
