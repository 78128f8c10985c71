#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs, from Debian's packages only, whatever the build and tests need that is missing.
# Idempotent: packages already present are left alone; nothing prompts.
set -euo pipefail

packages=(
  g++ cmake make pkg-config git
  libssl-dev openssl
  libp11-kit-dev
  libfmt-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  libtomlplusplus-dev
  libcli11-dev
  nlohmann-json3-dev
  softhsm2
  opensc
  libnss3-tools                # the conformance suite's NSS softokn token (certutil)
  opencryptoki                 # the conformance suite's openCryptoki swtok (pkcsslotd, pkcsconf)
  clang-format clang-tidy-16
  clang-16 libclang-rt-16-dev  # the fuzz preset: libFuzzer harnesses (scripts/fuzz.sh)
  valgrind                     # the demo under Valgrind (issue 13)
  libsqlite3-dev libpq-dev     # the durable GCM budget stores (src/budget)
  postgresql-15                # the budget tests' throwaway server (tests/support/postgres_server.h)
  ccache                       # compiler cache: a CI run reuses the objects of earlier runs
  zlib1g
  python3 bsdutils
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
# Debian's postgresql-common creates and starts a "main" cluster on installation; the tests
# start their own throwaway server and must not depend on (or collide with) a system one.
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
  "${sudo_cmd[@]}" mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" |
    "${sudo_cmd[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
"${sudo_cmd[@]}" apt-get update -qq
# Keep configuration files already on disk (the createcluster.conf above) without asking.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
