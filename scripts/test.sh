#!/usr/bin/env bash
# Installs what the tests need, then runs every check CI runs: formatting, clippy, the unit
# and integration tests (the real server on 127.0.0.1, real SQLite files, a throwaway
# PostgreSQL 15 cluster that the tests start and stop themselves, xmllint), and the
# interoperability suite (real SOAP and REST clients against the real server) and the browser
# test of the Access page (headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

# xmllint, PostgreSQL 15 and every third-party client of the interop suite (Debian, PyPI, npm;
# pinned), and Debian's chromium with playwright-core for the Access page's browser test.
tests/interop/install.sh
tests/browser/install.sh
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    rustup component add "$component"
  fi
done

cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --locked 2>&1 | tee "$log"
# One closing line for the whole run, summed over the test binaries.
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "all tests: %d passed, %d failed\n", passed, failed }' "$log"
tests/interop/run
tests/browser/run
