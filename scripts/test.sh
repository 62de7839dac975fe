#!/usr/bin/env bash
# The one command that sets up a fresh machine and runs every test (README: "Run the tests").
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh

# the dashboard's end-to-end tests drive Debian's Chromium (playwright-core brings no browser)
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium > /dev/null; then
  echo "== installing Debian's chromium (for the dashboard's browser tests)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium > /dev/null
fi

# the scale-out tests run a real nats-server (JetStream)
bash scripts/ensure-nats.sh

# the Python producer's test runs it in a venv with its requirements (websockets, msgpack, numpy)
if [ ! -x .venv/bin/python ] || [ producer/python/requirements.txt -nt .venv/.requirements-installed ]; then
  echo "== Python venv for the Python producer (.venv)"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r producer/python/requirements.txt
  touch .venv/.requirements-installed
fi

echo "== typecheck"
npm run --silent typecheck

echo "== tests"
npm test
