#!/usr/bin/env bash
# Installs what tests/browser/run needs: Debian's chromium (Playwright's own browser download
# cannot be used here) and the pinned playwright-core from package-lock.json. Safe to run again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
  echo "browser: installing Debian's chromium"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -o DPkg::Lock::Timeout=600 chromium >/dev/null
fi

echo "browser: installing playwright-core"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
