// SPDX-License-Identifier: Apache-2.0
// The performance targets of the passthrough backend against the raw baseline, evaluated on a
// report: each one PASS, FAIL or INFO (reported, not judged).
#pragma once

#include <string>
#include <vector>

#include "bench/report.h"

namespace craton::hsm::bench {

enum class Verdict : std::uint8_t { Pass, Fail, Info };

struct Check {
  std::string target;   // "throughput >= 0.98 x raw (1 thread)"
  std::string subject;  // "ecdsa-p256-sign x1"
  Verdict verdict = Verdict::Info;
  std::string detail;  // the figures the verdict rests on
};

// Cache-hit cases: backend >= 0.98 x raw at 1 thread and >= 0.95 x raw at 2; backend scaling
// 1->2 threads >= 0.95 x raw's; no C_CreateObject/C_FindObjectsInit while timed; at most one
// allocation per operation beyond the output buffer (backend allocs - raw allocs <= 2). Miss
// cases: the import cost (INFO). Resident cases: as cache hits. With the audited backend:
// audit on >= 0.95 x off per case, and the trail intact with at least one record per audited
// operation. A throughput or audit ratio below its floor is INFO rather than FAIL when the
// subject's best round reaches the floor against the baseline's slowest round (noise).
// With the adaptive backend (BenchOptions::adaptive), per case and thread count n: adaptive
// >= 0.95 x the best raw throughput at any thread count <= n; adaptive p99 <= raw p99 at n
// (INFO within 10 %); and, when the measured backend has no concurrency limit, backend >= 0.97
// x raw beyond two threads.
[[nodiscard]] std::vector<Check> evaluate_targets(const BenchReport& report);

[[nodiscard]] bool any_failed(const std::vector<Check>& checks);
[[nodiscard]] std::string_view verdict_name(Verdict verdict) noexcept;
// One line per check: "PASS  throughput >= 0.98 x raw (1 thread)  ecdsa-p256-sign x1  0.99".
[[nodiscard]] std::string render_checks(const std::vector<Check>& checks);
// The report as JSON, with the checks under "checks".
[[nodiscard]] std::string render_json(const BenchReport& report, const std::vector<Check>& checks);

}  // namespace craton::hsm::bench
