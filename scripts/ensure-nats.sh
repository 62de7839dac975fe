#!/usr/bin/env bash
# The bus-mode tests start a real nats-server with JetStream (test/bus/): install Debian's when it
# is missing, as the test command does for chromium. Sourced or run by scripts/test.sh.
if ! command -v nats-server > /dev/null; then
  echo "== installing Debian's nats-server (for the bus-mode tests)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nats-server > /dev/null
  # the package enables a system service listening on all interfaces; the tests start their own
  # on 127.0.0.1, so the service is stopped where systemd runs (containers have none)
  if command -v systemctl > /dev/null && systemctl is-active --quiet nats-server 2> /dev/null; then
    $SUDO systemctl disable --now nats-server > /dev/null 2>&1 || true
  fi
fi
