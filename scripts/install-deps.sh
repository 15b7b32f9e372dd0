#!/usr/bin/env bash
# Installs the Debian 12 packages Cohort needs to build, run and test.
# Idempotent: only missing packages are installed. Run as root or with sudo.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev
  libsimdjson-dev librocksdb-dev libssl-dev libroaring-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl wrk nginx-light
  nodejs npm
)
# Browser tests of the web UI (make test runs web/e2e with Debian's chromium).
PKGS+=(chromium)
# Benchmark extras (PostgreSQL reference and libpq for bench/audiences, jq for bench/ingest): --all.
if [[ "${1:-}" == "--all" ]]; then
  PKGS+=(postgresql libpq-dev jq)
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# nodejs from nodesource already provides npm; do not fight it.
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}")
fi
filtered=()
for p in "${missing[@]}"; do [[ -n "$p" ]] && filtered+=("$p"); done

if ((${#filtered[@]} == 0)); then
  echo "install-deps: everything is installed"
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${filtered[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${filtered[@]}"
