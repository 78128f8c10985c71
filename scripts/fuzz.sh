#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer harnesses (the `fuzz` preset: clang++-16, ASan + UBSan) and runs them
# from their seed corpora in fuzz/corpus/; fails on any crash, leak, timeout, out-of-memory or
# broken property. See docs/fuzzing.md.
#
#   bash scripts/fuzz.sh --ci                      what CI runs: every harness for 10 s
#   bash scripts/fuzz.sh --seconds N [HARNESS...]  longer runs (default: every harness)
#   bash scripts/fuzz.sh --list                    the harness names
# Options: --jobs J (harnesses run at once, default 2), --no-build (reuse build/fuzz).
#
# CI runs start from the committed seeds only and throw away what they find. Other runs keep
# the corpus they grow in build/fuzz/corpus/<harness>/, so the next run starts where this one
# stopped. A failing input is saved as build/fuzz/artifacts/<harness>-crash-<sha1> (or leak-,
# timeout-, oom-) and the script prints how to replay it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
exec </dev/null

# The CI budget (docs/fuzzing.md has the measurements): 9 harnesses x 15 s, two at a time.
ci_seconds=10
seconds=
jobs=2
build=true
ci=false
harnesses=()
all_harnesses=(config uri keys ecdsa_der audit_verify audit_resume audit_record cli_pem
  vendor_outputs)

usage() { sed -n '6,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --ci) ci=true; seconds=$ci_seconds ;;
    --seconds) [ $# -ge 2 ] || usage; seconds=$2; shift ;;
    --jobs) [ $# -ge 2 ] || usage; jobs=$2; shift ;;
    --no-build) build=false ;;
    --list) printf '%s\n' "${all_harnesses[@]}"; exit 0 ;;
    -h | --help) usage ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; usage ;;
    *) harnesses+=("$1") ;;
  esac
  shift
done
[ -n "$seconds" ] || usage
[[ "$seconds" =~ ^[1-9][0-9]*$ && "$jobs" =~ ^[1-9][0-9]*$ ]] || usage
[ ${#harnesses[@]} -gt 0 ] || harnesses=("${all_harnesses[@]}")
for harness in "${harnesses[@]}"; do
  [[ " ${all_harnesses[*]} " == *" $harness "* ]] || {
    echo "fuzz.sh: no harness '$harness' (see --list)" >&2
    exit 2
  }
done

started=$(date +%s)
build_dir=build/fuzz
if $build; then
  if ! command -v clang++-16 >/dev/null; then
    echo "fuzz.sh: clang++-16 not found; run scripts/install-deps.sh" >&2
    exit 1
  fi
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz
fi
built=$(date +%s)

# Scratch space: the harnesses' trail files (fsync is free on tmpfs) and CI's corpus copies.
scratch_parent=/dev/shm
[ -d "$scratch_parent" ] && [ -w "$scratch_parent" ] || scratch_parent=${TMPDIR:-/tmp}
scratch=$(mktemp -d "$scratch_parent/craton-fuzz-XXXXXX")
trap 'rm -rf -- "$scratch"' EXIT

symbolizer=$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer || true)
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
[ -z "$symbolizer" ] || export ASAN_SYMBOLIZER_PATH="$symbolizer"
mkdir -p "$build_dir/artifacts"

# One harness for $seconds; its log and a result line go to the scratch directory.
run_one() {
  local harness=$1 corpus dict=() options=()
  if $ci; then
    corpus="$scratch/corpus-$harness"
  else
    corpus="$build_dir/corpus/$harness"
  fi
  mkdir -p "$corpus" "$scratch/tmp-$harness"
  [ ! -f "fuzz/dict/$harness.dict" ] || dict=("-dict=fuzz/dict/$harness.dict")
  [[ "$harness" != audit_* ]] || dict=("-dict=fuzz/dict/audit.dict")
  # The resume path reads up to 64 KiB from the end of a trail: let inputs grow past that.
  [ "$harness" != audit_resume ] || options=(-max_len=70000)
  local status=0
  TMPDIR="$scratch/tmp-$harness" "$build_dir/fuzz/fuzz_$harness" "$corpus" "fuzz/corpus/$harness" \
    "${dict[@]}" "${options[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build_dir/artifacts/$harness-" \
    >"$scratch/$harness.log" 2>&1 || status=$?
  local execs rate
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$scratch/$harness.log")
  rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$scratch/$harness.log")
  echo "$harness $status ${execs:-?} ${rate:-?}" >"$scratch/$harness.result"
}

echo "fuzz.sh: ${#harnesses[@]} harness(es), $seconds s each, $jobs at a time"
running=0
for harness in "${harnesses[@]}"; do
  run_one "$harness" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

failed=()
printf '%-14s %-8s %14s %10s\n' harness result executions exec/s
for harness in "${harnesses[@]}"; do
  read -r _ status execs rate <"$scratch/$harness.result"
  verdict=ok
  if [ "$status" -ne 0 ]; then
    verdict=FAILED
    failed+=("$harness")
  fi
  printf '%-14s %-8s %14s %10s\n' "$harness" "$verdict" "$execs" "$rate"
done
for harness in "${failed[@]}"; do
  echo "fuzz.sh: --- fuzz_$harness failed; the end of its log:" >&2
  grep -vE '^(#[0-9]+|INFO:|	NEW_FUNC)' "$scratch/$harness.log" | tail -n 60 >&2
  echo "fuzz.sh: replay with: $build_dir/fuzz/fuzz_$harness $build_dir/artifacts/$harness-<file>" >&2
done
finished=$(date +%s)
echo "fuzz.sh: build $((built - started)) s, fuzzing $((finished - built)) s, total $((finished - started)) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: all ${#harnesses[@]} harness(es) clean"
