#!/usr/bin/env bash
# Browser tests: builds the example site and checks it in headless Chromium.
#   tests/browser/run.sh [OSX_REPORT_BINARY]
# Needs Chromium (CHROMIUM=path, else `chromium` on PATH) and Node 18+ with npm.
# SHOTS=dir keeps screenshots of every page kind.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${1:-$repo/target/release/osx-report}"
chromium="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$chromium" ]; then
  echo "browser tests: no chromium found (set CHROMIUM)" >&2
  exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" build "$repo/site-example/example.sqlite.db" --out "$work/site" --quiet
cd "$here"
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
SITE="$work/site" CHROMIUM="$chromium" node site.test.mjs
