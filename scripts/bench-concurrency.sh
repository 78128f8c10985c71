#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The concurrency study of docs/concurrency.md: the benchmark suite with --adaptive at 1, 2, 4,
# 8 and 16 application threads on a throwaway SoftHSM2 token (scripts/bench.sh), for one case
# per operation class, then the plot of throughput against threads.
#
#   scripts/bench-concurrency.sh [OUT_DIR] [suite flags...]
#
# Writes OUT_DIR/concurrency.json, OUT_DIR/concurrency.txt and OUT_DIR/concurrency.png (default
# OUT_DIR: build/bench-concurrency). Installs python3-matplotlib for the plot when missing.
# About 4 minutes on 2 cores; run it on an otherwise idle machine.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
exec </dev/null

out=${1:-build/bench-concurrency}
shift || true
mkdir -p "$out"

bash scripts/bench.sh --adaptive --threads=1,2,4,8,16 --sizes=1024 --no-miss --no-audit \
  --no-software --rounds=5 \
  --cases=aes256-gcm,hmac-sha256,ecdsa-p256-sign,rsa2048-pkcs1-sign \
  --json="$root/$out/concurrency.json" "$@" | tee "$out/concurrency.txt"

# Debian's matplotlib belongs to Debian's interpreter, whatever else is first on PATH.
if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-matplotlib >/dev/null
fi
/usr/bin/python3 scripts/plot-concurrency.py "$out/concurrency.json" "$out/concurrency.png"
