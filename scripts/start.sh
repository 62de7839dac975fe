#!/usr/bin/env bash
# The main job on a fresh machine: install, generate the bundled experiments, start slipwatch.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh

for a in "$@"; do
  case "$a" in -h|--help) exec npx tsx cli/start.ts --help ;; esac
done

echo "== generating the bundled experiments (deterministic; kept when up to date)"
npm run --silent fixtures -- p4677 p4581 sim irregular

echo "== slipwatch: server, dashboard and a replay of p4677 with the models in trained-models/"
exec npx tsx cli/start.ts "$@"
