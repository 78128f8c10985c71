// SPDX-License-Identifier: Apache-2.0
// What a benchmark run measured, the figures derived from it (ratio to raw, thread scaling),
// and its two renderings: an aligned text table and JSON.
#pragma once

#include <craton/hsm/stats.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/cases.h"

namespace craton::hsm::bench {

// One subject (raw, backend or software) on one case at one thread count: the best of the
// rounds by throughput, with that round's latencies.
struct Measurement {
  double ops_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  std::optional<double> allocs_per_op;  // nullopt: the binary does not count allocations
  double calls_per_op = 0;              // C_ calls through the module per operation
  std::uint64_t key_lookup_calls = 0;   // C_CreateObject + C_FindObjectsInit while timed
  std::uint64_t ops = 0;
  double slowest_round_ops = 0;  // the slowest round's throughput: how noisy the rounds were
  double cpu_us_per_op = 0;      // process CPU time per operation, all threads (best round)
};

struct CaseResult {
  BenchCase bench_case;
  unsigned threads = 1;
  std::optional<Measurement> raw;
  std::optional<Measurement> backend;
  std::optional<Measurement> software;
  // The same backend opened with an audit trail (BenchOptions::audit); not for miss cases.
  std::optional<Measurement> backend_audited;
  // A backend with concurrency = "adaptive" (BenchOptions::adaptive), and the limit its class
  // stood at when the rounds ended.
  std::optional<Measurement> backend_adaptive;
  std::uint32_t adaptive_limit = 0;
  // The same backend with its GCM budget in a durable store, by store ("sqlite",
  // "postgresql"), and the reservations that store saw while the case ran
  // (BenchOptions::budget_*; aes256-gcm-1k hits only).
  std::map<std::string, Measurement> backend_budget;
  std::map<std::string, std::uint64_t> budget_reservations;
};

// The throwaway trail the audited backend wrote, checked after it closed.
struct AuditTrailSummary {
  std::string durability;        // "per_batch"
  std::uint64_t operations = 0;  // audited operations run (every round, warm-up included)
  std::uint64_t records = 0;     // records in the trail (operations plus start/stop/login...)
  bool intact = false;
  std::string problem;  // when not intact
};

struct SkippedCase {
  std::string name;
  std::string reason;
};

struct BenchReport {
  std::string token;     // the backend's name ("pkcs11:SoftHSM")
  std::string software;  // the software backend's name
  std::string machine;   // CPU model, cores, kernel
  std::uint32_t pool_size = 0;
  unsigned rounds = 0;
  double duration_seconds = 0;  // per subject per round
  std::vector<CaseResult> results;
  std::vector<SkippedCase> skipped;
  std::uint64_t objects_before = 0;  // every object the process could see, before the run
  std::uint64_t objects_after = 0;   // ... and after everything it created was destroyed
  std::optional<AuditTrailSummary> audit_trail;  // when the audited backend was measured
  // The measured backend's concurrency limits at the end, by class (only limited classes):
  // what its configuration's `concurrency` settled on.
  std::map<std::string, ConcurrencyStats> concurrency;
};

// backend / raw throughput; nullopt when either is missing.
[[nodiscard]] std::optional<double> ratio(const CaseResult& result);
// audited / unaudited backend throughput; nullopt when the audited backend was not measured.
[[nodiscard]] std::optional<double> audit_ratio(const CaseResult& result);
// What the trail adds to an operation's process CPU time (caller and writer thread), in µs;
// nullopt when the audited backend was not measured.
[[nodiscard]] std::optional<double> audit_cpu_us(const CaseResult& result);
// The best raw throughput of the same case at any thread count up to result.threads: what a
// caller with that many threads could have had from the token by using fewer of them.
// nullptr when the run has no raw figure for the case.
[[nodiscard]] const Measurement* best_raw_up_to(const BenchReport& report,
                                                const CaseResult& result);
// The same case measured with one thread, if the run has it.
[[nodiscard]] const CaseResult* single_thread(const BenchReport& report, const CaseResult& result);
// Throughput at result.threads / throughput at one thread, for raw and for the backend.
struct Scaling {
  std::optional<double> raw;
  std::optional<double> backend;
};
[[nodiscard]] Scaling scaling(const BenchReport& report, const CaseResult& result);
// For miss cases: what an import adds to one operation (miss latency minus hit latency at the
// same thread count, from throughput), in microseconds; nullopt without the hit case.
[[nodiscard]] std::optional<double> import_cost_us(const BenchReport& report,
                                                   const CaseResult& miss);

[[nodiscard]] std::string render_table(const BenchReport& report);

}  // namespace craton::hsm::bench
