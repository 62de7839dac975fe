#!/usr/bin/env bash
# The one command that sets up a fresh machine and runs every test (README: "Run the tests").
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

echo "== typecheck"
npm run --silent typecheck

echo "== tests"
npm test
