#!/usr/bin/env bash
# Install the npm dependencies when they are missing or older than the lock file (sourced by the
# README's two commands).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund  # .npmrc skips onnxruntime-node's CUDA download
fi
