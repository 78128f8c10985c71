#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the token benchmark suite with one command: builds the release preset's suite, provisions
# a throwaway SoftHSM2 token (scripts/provision-token.sh), runs every case through the raw
# PKCS#11 baseline, the passthrough backend (audit trail off and on) and the software backend,
# with session-object and resident (token-object) keys, prints the ratio table
# and the targets, and removes the token again.
#
# Usage: scripts/bench.sh [suite flags]
#   --check            exit 1 when a target FAILs (not part of CI: timings are machine-bound)
#   --json=FILE        also write the report as JSON
#   --cases=a,b --threads=1,2 --duration-ms=200 --rounds=10 --sizes=64,1024 --no-software
#   --no-miss --no-audit --no-resident
#                      plus any Google Benchmark flag (--benchmark_filter=ecdsa, ...)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
exec </dev/null

cmake --preset release >/dev/null
cmake --build build/release -j2 --target craton_bench_suite craton-hsm

exports=$(scripts/provision-token.sh)
eval "$exports"
trap 'scripts/provision-token.sh --cleanup "$CRATON_TOKEN_DIR"' EXIT

build/release/bench/craton_bench_suite "$@"
