#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `craton-hsm demo` under Valgrind's memcheck on a throwaway SoftHSM2 token: any invalid read or
# write, any use of uninitialised memory and any definite leak (ours, OpenSSL's or SoftHSM2's)
# fails the test. Registered only in unsanitised builds (Valgrind cannot run ASan/TSan binaries);
# exits 77 (skipped) where Valgrind is not installed.
#
# Usage: demo_valgrind.sh CRATON_HSM_BINARY scripts/provision-token.sh
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 CRATON_HSM_BINARY provision-token.sh" >&2; exit 2; }
cli=$(realpath -- "$1")
provision=$(realpath -- "$2")
readonly cli provision

if ! command -v valgrind >/dev/null; then
  echo "demo_valgrind: valgrind not installed (scripts/install-deps.sh installs it): skipped"
  exit 77
fi

exports=$(bash "$provision") || { echo "demo_valgrind: provisioning failed" >&2; exit 1; }
eval "$exports"
log=$(mktemp "${TMPDIR:-/tmp}/craton-valgrind-XXXXXX")
trap 'rm -f -- "$log"; bash "$provision" --cleanup "$CRATON_TOKEN_DIR" || true' EXIT

# --errors-for-leak-kinds=definite: "still reachable" blocks are OpenSSL's and libstdc++'s
# process-lifetime tables, freed by nobody and lost by nobody. craton-hsm's own RLIMIT_CORE=0 is
# irrelevant here: Valgrind writes no core.
status=0
valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
  --num-callers=30 --log-file="$log" "$cli" demo >/dev/null 2>&1 || status=$?
cat "$log"
if [ "$status" -eq 99 ]; then
  echo "demo_valgrind: memcheck found errors (above)" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "demo_valgrind: craton-hsm demo exited $status under valgrind" >&2
  exit 1
fi
grep -q "ERROR SUMMARY: 0 errors" "$log" || { echo "demo_valgrind: no clean summary" >&2; exit 1; }
echo "demo_valgrind: demo ran clean under memcheck"
