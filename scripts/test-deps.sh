#!/usr/bin/env bash
# Installs what ferry's tests need, where it is missing, on a fresh Debian
# machine with Go: Node.js and the npm clients the end-to-end tests drive,
# and ClamAV's clamd and sigtool, which inspect/clamd/clamdtest starts
# offline with its own configuration and test signatures (never freshclam).
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" -ne 0 ]; then sudo "$@"; else "$@"; fi; }
# sbin is often missing from a user's PATH; clamdtest looks there too.
have() { command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ]; }

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    sudo_if_needed apt-get update -qq
    apt_updated=1
  fi
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "test-deps: installing nodejs and npm (apt)"
  apt_install nodejs npm
fi

if ! have clamd || ! have sigtool; then
  echo "test-deps: installing clamav-daemon and clamav (apt), leaving their services off"
  # The tests start clamd themselves. The packages' own services are not
  # needed and must not run: clamav-freshclam would download signatures.
  # A policy-rc.d that refuses every start keeps them down while apt runs.
  policy=/usr/sbin/policy-rc.d
  own_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# test-deps.sh: no service starts while it installs ClamAV\nexit 101\n' |
      sudo_if_needed tee "$policy" >/dev/null
    sudo_if_needed chmod 755 "$policy"
    own_policy=1
    trap 'sudo_if_needed rm -f "$policy"' EXIT
  fi
  apt_install --no-install-recommends clamav-daemon clamav
  if [ -n "$own_policy" ]; then
    sudo_if_needed rm -f "$policy"
    trap - EXIT
  fi
  if [ -d /run/systemd/system ]; then # and not at the next boot either
    sudo_if_needed systemctl disable --now clamav-daemon.socket clamav-daemon.service \
      clamav-freshclam.service >/dev/null 2>&1 || true
  fi
fi

if [ ! -d internal/e2e/js/node_modules/tus-js-client ]; then
  echo "test-deps: npm ci in internal/e2e/js (tus-js-client)"
  (cd internal/e2e/js && npm ci --no-audit --no-fund --loglevel=error)
fi
