#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs clang-tidy (the checks in .clang-tidy) over the files changed since the baseline commit in
# .ci/tidy-baseline, or over every file with --all; prints each finding and fails if there is any.
#
#   bash scripts/tidy.sh           files changed since the baseline (what CI runs)
#   bash scripts/tidy.sh --all     every translation unit of the build (25 to 35 CPU minutes)
#   bash scripts/tidy.sh FILE...   just these files
#
# "Changed" is the difference between the baseline commit and the work tree (on a clean clone:
# HEAD), plus untracked files, so the same commit always checks the same files:
#   - a changed .cc that the build compiles is checked;
#   - a changed header is checked through one translation unit that includes it: the .cc of the
#     same name next to it, else the first in path order that includes it, directly or through
#     other headers (any includer reports the header's findings);
#   - a changed .clang-tidy re-judges every translation unit below it.
# A header change can also raise findings in the unchanged files that include it; only --all
# sees those. Move the baseline forward (to a commit where --all passes) whenever the changed set
# makes this slow: `git rev-parse HEAD > .ci/tidy-baseline` after a clean `--all`.
# Without git, or with the baseline commit missing from the clone (a shallow one), every file is
# checked, which is correct but slow.
set -euo pipefail
export LC_ALL=C  # one sort order everywhere: the same files in the same order

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
exec </dev/null

# CLANG_TIDY may name a newer clang-tidy; 16 is the oldest that parses the code.
clang_tidy=${CLANG_TIDY:-clang-tidy-16}
jobs=2
build_dir=build/tidy
baseline_file=.ci/tidy-baseline

if ! command -v "$clang_tidy" >/dev/null; then
  echo "tidy.sh: $clang_tidy not found; run scripts/install-deps.sh" >&2
  exit 1
fi
# The compile database says how each file is built: the tidy preset's, which is ci-release's
# with one entry per source file (CI's unity sources and precompiled headers would hide them).
# Configuring (a few seconds) keeps it in step with the CMake files, so a new source is never
# missing from it.
if ! configure_log=$(cmake --preset tidy 2>&1); then
  printf '%s\n' "$configure_log" >&2
  echo "tidy.sh: cmake --preset tidy failed" >&2
  exit 1
fi

# Every translation unit the build compiles, relative to the root, once each.
mapfile -t units < <(sed -nE 's/^[[:space:]]*"file": "(.*)",?$/\1/p' \
  "$build_dir/compile_commands.json" | sed "s|^$root/||" | sort -u)
declare -A is_unit=()
for unit in "${units[@]}"; do is_unit[$unit]=1; done

# The translation unit through which a changed header is checked (see the top of the file):
# a breadth-first walk up the include graph. Includes are matched by path suffix, which covers
# every include root the build uses.
include_lines=()
unit_for_header() {
  local header=$1 frontier next found file spelled
  local -A seen=(["$1"]=1)
  if [ -n "${is_unit[${header%.*}.cc]:-}" ]; then
    echo "${header%.*}.cc"
    return
  fi
  frontier=("$header")
  while [ ${#frontier[@]} -gt 0 ]; do
    next=()
    found=
    for header in "${frontier[@]}"; do
      while IFS=: read -r file spelled; do
        [[ "/$header" == */"$spelled" ]] || continue
        [ -z "${seen[$file]:-}" ] || continue
        seen[$file]=1
        if [ -z "${is_unit[$file]:-}" ]; then
          next+=("$file")
        elif [ -z "$found" ] || [[ "$file" < "$found" ]]; then
          found=$file
        fi
      done < <(printf '%s\n' "${include_lines[@]}" | grep -F -e "${header##*/}\"" -e "${header##*/}>" |
        sed -nE 's/^([^:]+):[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^">]+)[">].*/\1:\2/p')
    done
    if [ -n "$found" ]; then
      echo "$found"
      return
    fi
    frontier=("${next[@]}")
  done
}

# Maps changed (or named) files to the translation units that check them.
declare -A chosen=()
choose() {
  local file unit
  for file in "$@"; do
    [ -f "$file" ] || continue
    case "$file" in
      .clang-tidy | */.clang-tidy)
        for unit in "${units[@]}"; do
          [[ "$unit" != "${file%.clang-tidy}"* ]] || chosen[$unit]=1
        done ;;
      *.cc)
        [ -z "${is_unit[$file]:-}" ] || chosen[$file]=1 ;;
      *.h)
        if [ ${#include_lines[@]} -eq 0 ]; then
          mapfile -t include_lines < <(git grep -I -E \
            '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' -- '*.h' '*.cc')
        fi
        unit=$(unit_for_header "$file")
        [ -z "$unit" ] || chosen[$unit]=1 ;;
    esac
  done
}

all=false
if [ $# -gt 0 ] && [ "$1" = --all ]; then
  all=true
  choose .clang-tidy
elif [ $# -gt 0 ]; then
  choose "$@"
else
  baseline=$(tr -d '[:space:]' <"$baseline_file" 2>/dev/null || true)
  if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
    ! git cat-file -e "$baseline^{commit}" 2>/dev/null; then
    echo "tidy.sh: no git history with baseline $baseline here; checking every file" >&2
    choose .clang-tidy
  else
    # --no-renames: a rename is the old path gone and the new one added, whatever the config.
    mapfile -t changed < <({
      git diff --no-renames --name-only "$baseline" --
      git ls-files --others --exclude-standard
    } | sort -u)
    choose "${changed[@]}"
    echo "tidy.sh: ${#changed[@]} file(s) changed since ${baseline:0:12}"
  fi
fi
selection=()
[ ${#chosen[@]} -eq 0 ] || mapfile -t selection < <(printf '%s\n' "${!chosen[@]}" | sort)
echo "tidy.sh: checking ${#selection[@]} of ${#units[@]} translation unit(s), $jobs at a time"
$all || [ ${#selection[@]} -eq ${#units[@]} ] || printf '  %s\n' "${selection[@]}"
[ ${#selection[@]} -gt 0 ] || exit 0

out_dir=$(mktemp -d "${TMPDIR:-/tmp}/craton-tidy-XXXXXX")
trap 'rm -rf -- "$out_dir"' EXIT

# clang-tidy 16 needs -std=c++2b (it does not know c++23), and libstdc++ 12 declares
# std::expected only when __cpp_concepts says 202002, which clang 16 does not yet claim
# (undefined first: a redefinition is a warning, and the build's -Werror makes it an error).
# -fbracket-depth: clang stops at 256 nested expressions, GCC has no such limit, and the
# generated mechanism-name table deduces a std::array from 300-odd initialisers.
check_one() {
  local file=$1 out
  out="$out_dir/$(printf '%s' "$file" | tr / _)"
  if "$clang_tidy" -p "$build_dir" --quiet \
    --extra-arg=-std=c++2b --extra-arg=-U__cpp_concepts --extra-arg=-D__cpp_concepts=202002L \
    --extra-arg=-fbracket-depth=1024 \
    "$file" >"$out.log" 2>"$out.err"; then
    return 0
  fi
  touch "$out.failed"
  # Printed as soon as the file is done, one file at a time.
  {
    flock 9
    echo "tidy.sh: --- $file"
    cat "$out.log"
    grep -vE '^[0-9]+ (warning|error)s? (and [0-9]+ (warning|error)s? )?generated\.$' \
      "$out.err" || true
  } 9>"$out_dir/print.lock"
}
export -f check_one
export clang_tidy build_dir out_dir

printf '%s\0' "${selection[@]}" | xargs -0 -n 1 -P "$jobs" bash -c 'check_one "$1"' _

failed=$(find "$out_dir" -name '*.failed' | wc -l)
if [ "$failed" -gt 0 ]; then
  findings=$(cat "$out_dir"/*.log | grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error): ' |
    sort -u | wc -l)
  echo "tidy.sh: $findings finding(s); $failed of ${#selection[@]} file(s) failed" >&2
  exit 1
fi
echo "tidy.sh: ok (${#selection[@]} file(s))"
