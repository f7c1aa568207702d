#!/usr/bin/env bash
# Installs what ferry's tests need, where it is missing, on a fresh Debian
# machine with Go and Node.js: the npm clients the end-to-end tests drive.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "test-deps: installing nodejs and npm (apt)"
  sudo_if_needed() { if [ "$(id -u)" -ne 0 ]; then sudo "$@"; else "$@"; fi; }
  sudo_if_needed apt-get update -qq
  sudo_if_needed apt-get install -y -qq nodejs npm
fi

if [ ! -d internal/e2e/js/node_modules/tus-js-client ]; then
  echo "test-deps: npm ci in internal/e2e/js (tus-js-client)"
  (cd internal/e2e/js && npm ci --no-audit --no-fund --loglevel=error)
fi
