#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Everything CI checks: dependencies, clang-format on tracked sources, the layer rules of
# docs/architecture.md, clang-tidy on the files changed since .ci/tidy-baseline, then every
# target built and ctest run under the ci-release and asan presets, the concurrency tests under
# the tsan preset, warnings as errors in all three, and the fuzz harnesses briefly
# (scripts/fuzz.sh --ci). Each phase is timed; the table at the end is the CI budget's ledger
# (30 minutes on 2 cores for the whole run: docs/sanitizers.md).
# Non-interactive: safe with no terminal, no stdin, as root.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# Nothing below may wait for input; with stdin at EOF a stray prompt fails instead of hanging.
exec </dev/null

# ci-release is the release build (-O3, what users and packagers build) with -Werror, so an
# optimiser-only warning cannot land; the suite runs there unsanitised. asan is the Debug build
# (-O0, assertions on) under ASan + UBSan. The debug preset is left to developers' incremental
# builds: these two cover what it would check, and a third full build would push CI past its
# budget of 30 minutes on 2 cores.
# tsan is the Debug build at -O1 under ThreadSanitizer, and builds and runs only the tests
# labelled "concurrency" (tests/CMakeLists.txt): TSan over the whole suite would not fit.
presets=(ci-release asan tsan)

# --- Phase timings ------------------------------------------------------------------------
# Every phase prints when it starts and how long it took; the table is printed on any exit,
# a failed one included, so a run that ran out of budget still says where the time went.
run_start=$(date +%s)
phase_names=()
phase_seconds=()
phase_name=
phase_started=0
stamp() { date -u +%H:%M:%S; }
phase() {
  phase_end
  phase_name=$1
  phase_started=$(date +%s)
  echo "test.sh: [$(stamp)] --- $phase_name"
}
phase_end() {
  [ -n "$phase_name" ] || return 0
  local took=$(($(date +%s) - phase_started))
  phase_names+=("$phase_name")
  phase_seconds+=("$took")
  echo "test.sh: [$(stamp)] $phase_name took ${took}s"
  phase_name=
}
print_timings() {
  phase_end
  echo "test.sh: phase timings (s):"
  local i
  for i in "${!phase_names[@]}"; do
    printf 'test.sh:   %6d  %s\n' "${phase_seconds[$i]}" "${phase_names[$i]}"
  done
  printf 'test.sh:   %6d  total\n' "$(($(date +%s) - run_start))"
}

trap print_timings EXIT

phase install-deps
bash scripts/install-deps.sh

# --- Compiler cache -----------------------------------------------------------------------
# ccache (installed above) under every build of this run: CMake takes the launcher from the
# environment when it creates a build directory. Paths are hashed relative to the checkout, so
# a fresh clone elsewhere hits what an earlier run compiled. A cold cache costs a few seconds;
# the CI budget (docs/sanitizers.md) is judged on a cold one.
if command -v ccache >/dev/null; then
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
  # The tests' precompiled header (standard and third-party headers only, no __TIME__ of ours):
  # without this ccache passes every test source through uncached.
  export CCACHE_SLOPPINESS=pch_defines,time_macros
fi

# --- Formatting ---------------------------------------------------------------------------
phase format
# git knows which files are ours; a tarball (or a clone git refuses to read as another user)
# falls back to find, skipping build trees.
sources=()
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -d '' sources < <(git -C "$root" ls-files -z -- '*.h' '*.cc')
else
  mapfile -d '' sources < <(find . \( -path ./build -o -path ./out -o -path ./.git \) -prune \
    -o -type f \( -name '*.h' -o -name '*.cc' \) -print0 | sort -z)
fi
# A file listed by git but deleted in the work tree is not ours to judge.
present=()
for file in "${sources[@]}"; do
  [ -f "$file" ] && present+=("$file")
done
# Batches on both cores first (one clang-format per file cost ~15 s of process start-ups);
# only when a batch fails is each file checked alone, to name the unformatted ones.
unformatted=()
if [ ${#present[@]} -gt 0 ] && ! printf '%s\0' "${present[@]}" |
  xargs -0 -n 64 -P 2 clang-format --dry-run --Werror >/dev/null 2>&1; then
  for file in "${present[@]}"; do
    if ! clang-format --dry-run --Werror "$file" >/dev/null 2>&1; then
      unformatted+=("$file")
    fi
  done
fi
if [ ${#unformatted[@]} -gt 0 ]; then
  echo "test.sh: ${#unformatted[@]} file(s) not formatted per .clang-format:" >&2
  printf '  %s\n' "${unformatted[@]}" >&2
  echo "test.sh: fix with: clang-format -i ${unformatted[*]}" >&2
  exit 1
fi
echo "test.sh: formatting ok (${#sources[@]} files)"

# --- Layers -------------------------------------------------------------------------------
# An include that runs against docs/architecture.md fails here, before anything is built.
phase layers
python3 scripts/check-layers.py

# --- clang-tidy ---------------------------------------------------------------------------
# The checks of .clang-tidy on what changed since the baseline commit (scripts/tidy.sh says what
# counts as changed), read from the compile database of the tidy preset (configure only, one
# entry per source file). Every finding fails CI. The whole tree (--all) would not fit the
# budget; moving the baseline forward after a clean --all keeps this step short.
phase clang-tidy
bash scripts/tidy.sh

# --- Build and test each preset -----------------------------------------------------------
# A preset whose build fails stops the run (the next one would fail the same way); a preset
# whose tests fail is recorded and the next preset still runs, so one CI log shows both.
total_passed=0
total_failed=0
total_skipped=0
failed_presets=()
log_dir=$(mktemp -d "${TMPDIR:-/tmp}/craton-test-XXXXXX")
trap 'print_timings; rm -rf -- "$log_dir"' EXIT

for preset in "${presets[@]}"; do
  echo "test.sh: === preset $preset ==="
  # The build presets say what each builds: ci-release everything (benchmarks included, so
  # they compile), asan everything but the benchmarks, tsan the concurrency tests alone.
  phase "$preset build"
  if ! cmake --preset "$preset" || ! cmake --build --preset "$preset"; then
    echo "test.sh: preset $preset failed to configure or build" >&2
    echo "summary: $total_passed passed, $((total_failed + 1)) failed, $total_skipped skipped"
    exit 1
  fi
  phase "$preset ctest"
  log="$log_dir/$preset.log"
  # --no-tests=error: a preset that finds no tests is a broken build, not a green one. The tsan
  # test preset filters on the label itself; -L says so here too.
  label_filter=()
  [ "$preset" != tsan ] || label_filter=(-L concurrency)
  if ! ctest --preset "$preset" "${label_filter[@]}" --no-tests=error 2>&1 | tee "$log"; then
    failed_presets+=("$preset")
  fi
  # ctest's own summary: "97% tests passed, 1 tests failed out of 33"; skipped count as passed.
  read -r failed total < <(sed -nE \
    's/^[0-9]+% tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1 \2/p' "$log" |
    tail -n 1) || true
  skipped=$(grep -cE '^[[:space:]]+[0-9]+ - .* \((Skipped|Disabled)\)$' "$log" || true)
  if [ -z "${total:-}" ]; then
    # No summary line means ctest itself failed (e.g. no tests found).
    failed=1 total=1 skipped=0
    [[ " ${failed_presets[*]} " == *" $preset "* ]] || failed_presets+=("$preset")
  fi
  total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
  total_passed=$((total_passed + total - failed - skipped))
  unset failed total skipped
done

# --- Fuzzing ------------------------------------------------------------------------------
# Each harness for a short bounded time (scripts/fuzz.sh says how long); any crash fails CI.
# After the presets, so one log shows the tests' results whatever the fuzzers find.
if [ -f scripts/fuzz.sh ]; then
  phase fuzz
  if ! bash scripts/fuzz.sh --ci; then
    failed_presets+=(fuzz)
    total_failed=$((total_failed + 1))
  fi
fi
phase_end

if [ ${#failed_presets[@]} -eq 0 ]; then
  echo "test.sh: all presets passed: ${presets[*]}"
else
  echo "test.sh: FAILED presets: ${failed_presets[*]}" >&2
fi
echo "summary: $total_passed passed, $total_failed failed, $total_skipped skipped"
[ ${#failed_presets[@]} -eq 0 ]
