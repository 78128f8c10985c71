#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the reliability soak (tests/reliability/reliability_soak_test.cc) for longer than ctest's
# 10 s: 2 x cores threads of mixed operations through the fault shim while it restarts the HSM,
# drops the login and injects seeded random failures; prints the figures and fails on any wrong
# result, IV repeat, untyped error, leak, or a PIN or key byte left in memory afterwards.
# See docs/reliability.md ("The soak").
#
#   bash scripts/soak.sh                  120 s in build/release (built first)
#   bash scripts/soak.sh --seconds 600    longer
#   bash scripts/soak.sh --preset debug   another build (debug, asan, tsan, ...)
# Option: --no-build (reuse the build as it is).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
exec </dev/null

seconds=120
preset=release
build=true
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --preset) preset=$2; shift 2 ;;
    --no-build) build=false; shift ;;
    *) echo "soak.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 ]] || { echo "soak.sh: --seconds N (N >= 1)" >&2; exit 2; }

if $build; then
  [[ -d "build/$preset" ]] || cmake --preset "$preset"
  cmake --build "build/$preset" -j"$(nproc)" --target reliability_soak_test
fi
CRATON_SOAK_SECONDS=$seconds exec "build/$preset/tests/reliability/reliability_soak_test"
