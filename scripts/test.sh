#!/usr/bin/env bash
# The one command that sets up a fresh machine and runs every test (README: "Run the tests").
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh

echo "== typecheck"
npm run --silent typecheck

echo "== tests"
npm test
