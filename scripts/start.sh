#!/usr/bin/env bash
# The main job on a fresh machine: install, generate the bundled experiments, start slipwatch.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh

echo "== generating the bundled experiments (deterministic; kept when up to date)"
npm run --silent fixtures -- p4677 p4581 sim

echo "== slipwatch: server, dashboard and a replay of p4677 with the models in models/"
exec npx tsx cli/start.ts "$@"
