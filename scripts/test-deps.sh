#!/usr/bin/env bash
# Installs what ferry's tests need, where it is missing, on a fresh Debian
# machine with Go: xz-utils, Node.js and the npm clients the end-to-end tests drive,
# ClamAV's clamd and sigtool, which inspect/clamd/clamdtest starts offline
# with its own configuration and test signatures (never freshclam),
# PostgreSQL and Versity's S3 gateway (versitygw), which the PostgreSQL and
# S3 tests start as throwaway servers of their own.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" -ne 0 ]; then sudo "$@"; else "$@"; fi; }
# sbin is often missing from a user's PATH; clamdtest looks there too.
have() { command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ]; }

# initdb and pg_ctl live in /usr/lib/postgresql/<major>/bin on Debian.
have_pg() { command -v initdb >/dev/null || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
VERSITYGW_VERSION=v1.8.0

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    sudo_if_needed apt-get update -qq
    apt_updated=1
  fi
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# xz-utils' xz writes the BCJ- and delta-filtered .xz files that
# inspect/archive's tests walk (Go has no encoder for those filters).
if ! command -v xz >/dev/null; then
  echo "test-deps: installing xz-utils (apt)"
  apt_install xz-utils
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "test-deps: installing nodejs and npm (apt)"
  apt_install nodejs npm
fi

# apt_install_no_services installs packages while no service may start: the
# tests start their own servers, and a package's own service (say
# clamav-freshclam, which would download signatures) must not run. A
# policy-rc.d that refuses every start keeps them down while apt runs.
apt_install_no_services() {
  local policy=/usr/sbin/policy-rc.d own_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# test-deps.sh: no service starts while it installs\nexit 101\n' |
      sudo_if_needed tee "$policy" >/dev/null
    sudo_if_needed chmod 755 "$policy"
    own_policy=1
    trap 'sudo_if_needed rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt_install --no-install-recommends "$@"
  if [ -n "$own_policy" ]; then
    sudo_if_needed rm -f "$policy"
    trap - EXIT
  fi
}

if ! have clamd || ! have sigtool; then
  echo "test-deps: installing clamav-daemon and clamav (apt), leaving their services off"
  apt_install_no_services clamav-daemon clamav
  if [ -d /run/systemd/system ]; then # and not at the next boot either
    sudo_if_needed systemctl disable --now clamav-daemon.socket clamav-daemon.service \
      clamav-freshclam.service >/dev/null 2>&1 || true
  fi
fi

# PostgreSQL 15 for meta/postgres: the tests make a throwaway cluster with
# initdb and pg_ctl (meta/postgres/pgtest); the package's own cluster and
# service are not needed.
if ! have_pg; then
  echo "test-deps: installing postgresql (apt), leaving its service off"
  apt_install_no_services postgresql
fi

# Versity's S3 gateway, a real S3 server in Go, for blob/s3
# (blob/s3/s3test starts it on a free port over a temporary folder).
if ! command -v versitygw >/dev/null && [ ! -x "$(go env GOPATH)/bin/versitygw" ]; then
  echo "test-deps: go install versitygw@$VERSITYGW_VERSION"
  go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
fi

if [ ! -d internal/e2e/js/node_modules/tus-js-client ]; then
  echo "test-deps: npm ci in internal/e2e/js (tus-js-client)"
  (cd internal/e2e/js && npm ci --no-audit --no-fund --loglevel=error)
fi
