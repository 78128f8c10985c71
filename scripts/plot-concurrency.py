#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Plots throughput against application threads from a benchmark-suite JSON report made with
--adaptive: per case, raw PKCS#11, the measured backend (unlimited) and the adaptive backend.

    scripts/plot-concurrency.py REPORT.json OUT.png

Needs python3-matplotlib (scripts/bench-concurrency.sh installs it when missing).
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")  # no display
import matplotlib.pyplot as plt  # noqa: E402


def series(results, case, subject):
    points = sorted(
        (r["threads"], r[subject]["ops_per_second"])
        for r in results
        if f'{r["case"]}/{r["variant"]}/{r["size"]}' == case and r.get(subject)
    )
    return [p[0] for p in points], [p[1] for p in points]


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as source:
        report = json.load(source)
    results = [r for r in report["results"] if r.get("backend_adaptive")]
    if not results:
        sys.exit(f"{argv[1]}: no result has backend_adaptive (run the suite with --adaptive)")
    cases = sorted({f'{r["case"]}/{r["variant"]}/{r["size"]}' for r in results})
    columns = min(4, len(cases))
    rows = -(-len(cases) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(5 * columns, 4 * rows), squeeze=False)
    for axis in axes.flat[len(cases):]:
        axis.set_visible(False)
    for axis, case in zip(axes.flat, cases):
        for subject, label, style in (
            ("raw", "raw PKCS#11", "o-"),
            ("backend", "backend, unlimited", "s--"),
            ("backend_adaptive", "backend, adaptive", "^-"),
        ):
            threads, rates = series(results, case, subject)
            axis.plot(threads, rates, style, label=label)
        name, variant, _ = case.split("/")
        axis.set_title(name if variant == "hit" else f"{name} [{variant}]")
        axis.set_xscale("log", base=2)
        axis.set_xticks(sorted({r["threads"] for r in results}))
        axis.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
        axis.set_xlabel("application threads")
        axis.set_ylabel("operations / s")
        axis.set_ylim(bottom=0)
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize="small")
    figure.suptitle(f'{report["token"]} on {report["machine"]}', fontsize="small")
    figure.tight_layout()
    figure.savefig(argv[2], dpi=100)
    print(f"wrote {argv[2]}")


if __name__ == "__main__":
    main(sys.argv)
