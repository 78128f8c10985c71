#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Creates a throwaway SoftHSM2 token (and a craton.toml for it) and prints the exports to use it.
#
# Usage:
#   exports="$(scripts/provision-token.sh)" && eval "$exports"
#       creates a fresh directory holding softhsm2.conf, tokens/ and craton.toml, initialises the
#       token "ci-token" (SO PIN 12345678, user PIN 1234) and prints `export` lines for
#       SOFTHSM2_CONF, CRATON_HSM_PIN, CRATON_HSM_CONFIG and CRATON_TOKEN_DIR.
#   scripts/provision-token.sh --cleanup DIR
#       removes DIR, but only if this script created it (it holds our marker file).
#
# Only the export lines go to stdout, so that eval sees nothing else; progress goes to stderr.
# The PINs are fixed test values: never point this at a real token.
set -euo pipefail

readonly kLabel=ci-token
readonly kSoPin=12345678
readonly kUserPin=1234
readonly kModule=/usr/lib/softhsm/libsofthsm2.so
readonly kMarker=.craton-throwaway-token
readonly kMarkerText="created by craton-hsm scripts/provision-token.sh"

die() {
  echo "provision-token: $*" >&2
  exit 1
}

cleanup() {
  local dir=${1:-}
  [ -n "$dir" ] || die "--cleanup needs a directory"
  [ -d "$dir" ] || die "refusing to clean up '$dir': not a directory"
  dir=$(cd "$dir" && pwd -P)
  [ "$dir" != / ] || die "refusing to clean up /"
  # The marker is the proof that this is a scratch directory of ours and not, say, $HOME.
  if [ ! -f "$dir/$kMarker" ] || [ "$(cat "$dir/$kMarker")" != "$kMarkerText" ]; then
    die "refusing to clean up '$dir': it has no $kMarker marker, so this script did not create it"
  fi
  [ -O "$dir" ] || die "refusing to clean up '$dir': owned by another user"
  rm -rf -- "$dir"
  echo "provision-token: removed $dir" >&2
}

provision() {
  command -v softhsm2-util >/dev/null || die "softhsm2-util not found (run scripts/install-deps.sh)"
  [ -f "$kModule" ] || die "$kModule not found (run scripts/install-deps.sh)"

  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/craton-token-XXXXXX")
  # Until the token exists, any failure removes the half-built directory.
  trap 'rm -rf -- "$dir"' EXIT
  printf '%s\n' "$kMarkerText" >"$dir/$kMarker"
  mkdir "$dir/tokens"

  cat >"$dir/softhsm2.conf" <<CONF
directories.tokendir = $dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF

  # The PIN itself stays out of the file: the library reads it from the variable named here.
  cat >"$dir/craton.toml" <<TOML
library_path = "$kModule"
token_label = "$kLabel"
pin_env = "CRATON_HSM_PIN"
TOML

  # softhsm2-util reports on stdout; keep stdout for the export lines alone.
  SOFTHSM2_CONF="$dir/softhsm2.conf" softhsm2-util --init-token --free --label "$kLabel" \
    --so-pin "$kSoPin" --pin "$kUserPin" >&2 ||
    die "softhsm2-util --init-token failed"
  trap - EXIT

  printf 'export SOFTHSM2_CONF=%q\n' "$dir/softhsm2.conf"
  printf 'export CRATON_HSM_PIN=%q\n' "$kUserPin"
  printf 'export CRATON_HSM_CONFIG=%q\n' "$dir/craton.toml"
  printf 'export CRATON_TOKEN_DIR=%q\n' "$dir"
  echo "provision-token: token '$kLabel' ready in $dir" >&2
}

case "${1:-}" in
  "") provision ;;
  --cleanup) cleanup "${2:-}" ;;
  -h | --help) awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0" ;;
  *) die "unknown argument '$1' (try --help)" ;;
esac
