#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# From a fresh clone to a working CLI: dependencies, release build, a throwaway SoftHSM2 token,
# then `craton-hsm info` and `craton-hsm demo` against it. The token is removed again however
# the script ends.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release --target craton-hsm

# An assignment keeps the script's exit status (eval of an empty string would hide a failure).
exports=$(bash scripts/provision-token.sh)
eval "$exports"
trap 'bash "$root/scripts/provision-token.sh" --cleanup "$CRATON_TOKEN_DIR"' EXIT

build/release/src/cli/craton-hsm info --config "$CRATON_HSM_CONFIG"
echo
build/release/src/cli/craton-hsm demo --config "$CRATON_HSM_CONFIG"
