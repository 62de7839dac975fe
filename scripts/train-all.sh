#!/usr/bin/env bash
# Reproduce every trained model, the learning curve and docs/results.md from scratch, and copy the
# two serving models into trained-models/ (shipped). Takes ~2 hours on a 2-core machine with the wasm
# backend (much less with tfjs-node). Each step keeps its output, so a rerun skips finished steps
# unless FORCE=1.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
M=data/models
run() { # run NAME ARGS...: train a model unless it exists
  local name=$1; shift
  if [ "${FORCE:-0}" = 1 ] || [ ! -f "$M/$name/manifest.json" ]; then
    echo "== training $name"
    npm run --silent train -- --out "$M/$name" "$@"
  else
    echo "== $name exists (FORCE=1 to retrain)"
  fi
}
npm run --silent fixtures -- p4677 p4581 sim > /dev/null
for target in friction ttf; do
  run "pretrain-$target" --strategy pretrain --target "$target" --epochs 30 --patience 6
  run "lab-only-$target" --strategy lab-only --target "$target" --epochs 60 --patience 10
  run "cross-train-$target" --strategy cross-train --target "$target" --from "$M/pretrain-$target" --epochs 30 --patience 10
  run "fine-tune-$target" --strategy fine-tune --target "$target" --from "$M/pretrain-$target" --epochs 60 --patience 10
done
run limited-pre-friction --strategy limited-pre --from "$M/pretrain-friction" --epochs 400
run limited-post-friction --strategy limited-post --from "$M/pretrain-friction" --epochs 400
echo "== learning curve"
npm run --silent learning-curve -- --pretrained "$M/pretrain-friction"
echo "== seed 003: autoencoders on unlabelled AE, then their learning curves"
npm run --silent ae-pretrain -- --epochs 12 --step-s 1.5
npm run --silent ae-learning-curve
echo "== the alerting model (generated variants, then the fit)"
bash scripts/alerting-variants.sh
npm run --silent fit-alerts
echo "== evaluation"
npm run --silent evaluate
echo "== shipping the serving models"
for target in friction ttf; do
  rm -rf "trained-models/$target"
  mkdir -p "trained-models/$target"
  cp "$M/cross-train-$target"/{model.json,weights.bin,manifest.json} "trained-models/$target/"
done
echo "done: docs/results.md, trained-models/friction, trained-models/ttf, trained-models/alerting"
