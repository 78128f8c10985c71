#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Proves an installed craton-hsm is usable: installs a build tree into a temporary prefix, then
# builds and runs tests/install/consumer through find_package and through pkg-config.
#
# Usage: run.sh BUILD_DIR [EXTRA_COMPILER_FLAG...]
#   EXTRA_COMPILER_FLAGs go to both compile and link (sanitizer builds need them on both).
#   Environment: CMAKE (default cmake) and CXX (default c++) choose the tools.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [EXTRA_COMPILER_FLAG...]" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
shift
extra_flags=("$@")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cmake_bin=${CMAKE:-cmake}
cxx=${CXX:-c++}

work=$(mktemp -d "${TMPDIR:-/tmp}/craton-install-XXXXXX")
trap 'rm -rf -- "$work"' EXIT
prefix=$work/prefix

# Runs a step quietly; on failure shows its output, so ctest's log explains what went wrong.
step() {
  local name=$1
  shift
  if ! "$@" >"$work/$name.log" 2>&1; then
    echo "install_consumer: step '$name' failed: $*" >&2
    cat "$work/$name.log" >&2
    exit 1
  fi
}

expected=$'error: InvalidArgument: consumer check\nsecret: <redacted>'
check_output() {
  local how=$1 binary=$2 output
  if ! output=$("$binary" 2>&1); then
    echo "install_consumer: $how consumer exited non-zero; output:" >&2
    echo "$output" >&2
    exit 1
  fi
  if [ "$output" != "$expected" ]; then
    echo "install_consumer: $how consumer printed unexpected output" >&2
    diff <(echo "$expected") <(echo "$output") >&2 || true
    exit 1
  fi
  echo "install_consumer: $how consumer ok"
}

step install "$cmake_bin" --install "$build_dir" --prefix "$prefix"

# 1. find_package(craton_hsm) + target_link_libraries(... craton::hsm)
step cmake-configure "$cmake_bin" -S "$here/consumer" -B "$work/cmake-consumer" \
  -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  -DCMAKE_CXX_FLAGS="${extra_flags[*]}" \
  -DCMAKE_EXE_LINKER_FLAGS="${extra_flags[*]}"
# A craton_hsm installed elsewhere on the machine must not stand in for the one under test.
found_dir=$(sed -n 's/^craton_hsm_DIR:PATH=//p' "$work/cmake-consumer/CMakeCache.txt")
case "$found_dir" in
  "$prefix"/*) ;;
  *)
    echo "install_consumer: find_package used '$found_dir', not the temporary prefix" >&2
    exit 1
    ;;
esac
step cmake-build "$cmake_bin" --build "$work/cmake-consumer"
check_output "find_package" "$work/cmake-consumer/craton_consumer"

# 2. pkg-config. --static because the library is an archive: its private dependencies
# (libcrypto, toml++, -ldl, -lpthread) must be on the link line too.
pc_file=$(find "$prefix" -name craton-hsm.pc -print -quit)
if [ -z "$pc_file" ]; then
  echo "install_consumer: craton-hsm.pc was not installed under $prefix" >&2
  exit 1
fi
PKG_CONFIG_PATH="$(dirname "$pc_file")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH
# Consumers compile against our headers only: nothing a private dependency needs for its own
# headers (toml++'s -DTOML_HEADER_ONLY=0 -DTOML_SHARED_LIB=1) may reach their compile line.
pc_cflags=$(pkg-config --static --cflags craton-hsm)
# Whole flags only: the temporary directory's random name may itself contain "-D".
if [[ " $pc_cflags" == *" -D"* ]]; then
  echo "install_consumer: pkg-config --cflags craton-hsm leaks definitions: $pc_cflags" >&2
  exit 1
fi
pc_flags_text=$(pkg-config --static --cflags --libs craton-hsm)
read -r -a pc_flags <<<"$pc_flags_text"
step pkg-config-build "$cxx" -std=c++23 -Wall -Wextra -Wpedantic -Werror "${extra_flags[@]}" \
  "$here/consumer/main.cc" -o "$work/pc-consumer" "${pc_flags[@]}"
check_output "pkg-config" "$work/pc-consumer"
