#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the README's "CLI cookbook" sh blocks in order on a throwaway SoftHSM2 token, so the
# README and the CLI cannot drift apart.
#
# Usage: cookbook_test.sh CRATON_HSM_BINARY README.md scripts/provision-token.sh
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 CRATON_HSM_BINARY README.md provision-token.sh" >&2; exit 2; }
# Absolute paths: the test changes directory before it runs (and cleans up) anything.
cli=$(realpath -- "$1")
readme=$(realpath -- "$2")
provision=$(realpath -- "$3")
readonly cli readme provision

die() {
  echo "cookbook_test: $*" >&2
  exit 1
}

# Every line inside ```sh fences between "## CLI cookbook" and the next "## " heading.
script=$(awk '
  /^## / { in_section = ($0 == "## CLI cookbook"); next }
  in_section && /^```sh$/ { in_block = 1; next }
  in_section && in_block && /^```$/ { in_block = 0; next }
  in_section && in_block { print }
' "$readme")
[ -n "$script" ] || die "no sh blocks under '## CLI cookbook' in $readme"
# A broken extraction must not pass by running nothing: every command has to be there.
for command in keygen import list export-pub export-cert sign verify encrypt decrypt wrap unwrap random digest \
  "audit verify" "destroy"; do
  grep -q "^craton-hsm $command " <<<"$script" || grep -q "^craton-hsm $command\$" <<<"$script" ||
    die "the cookbook never runs 'craton-hsm $command'"
done

[ -x "$cli" ] || die "$cli is not an executable"
exports=$(bash "$provision") || die "provisioning the throwaway token failed"
eval "$exports"
work=$(mktemp -d "${TMPDIR:-/tmp}/craton-cookbook-XXXXXX")
trap 'cd / && rm -rf -- "$work"; bash "$provision" --cleanup "$CRATON_TOKEN_DIR" || true' EXIT
# The cookbook sets up its own configuration and PIN, exactly as a reader would.
unset CRATON_HSM_CONFIG CRATON_HSM_PIN
PATH="$(dirname "$cli"):$PATH"
export PATH
cd "$work"
printf '%s\n' "$script" >cookbook.sh
# -x shows each line as it runs, so a failure points at the README line.
bash -x -euo pipefail cookbook.sh
echo "cookbook_test: all $(grep -c . cookbook.sh) lines ran"
