#!/usr/bin/env bash
# Install the npm dependencies when they are missing or older than the lock file (sourced by the
# README's two commands).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing npm dependencies (npm ci)"
  # onnxruntime-node: the CPU runtime ships in the package; skip its CUDA download (see .npmrc)
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi
