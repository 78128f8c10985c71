// SPDX-License-Identifier: Apache-2.0
// Derived figures of a benchmark report: ratios, scaling, import cost.
#include "bench/report.h"

namespace craton::hsm::bench {
namespace {

std::optional<double> divide(const std::optional<Measurement>& a,
                             const std::optional<Measurement>& b) {
  if (!a || !b || b->ops_per_second <= 0) return std::nullopt;
  return a->ops_per_second / b->ops_per_second;
}

const CaseResult* find(const BenchReport& report, const std::string& name, KeyVariant variant,
                       unsigned threads) {
  for (const CaseResult& r : report.results) {
    if (r.bench_case.name == name && r.bench_case.variant == variant && r.threads == threads) {
      return &r;
    }
  }
  return nullptr;
}

}  // namespace

std::optional<double> ratio(const CaseResult& result) {
  return divide(result.backend, result.raw);
}

std::optional<double> audit_ratio(const CaseResult& result) {
  return divide(result.backend_audited, result.backend);
}

std::optional<double> audit_cpu_us(const CaseResult& result) {
  if (!result.backend_audited || !result.backend) return std::nullopt;
  return result.backend_audited->cpu_us_per_op - result.backend->cpu_us_per_op;
}

const Measurement* best_raw_up_to(const BenchReport& report, const CaseResult& result) {
  const Measurement* best = nullptr;
  for (const CaseResult& r : report.results) {
    if (r.bench_case.name != result.bench_case.name ||
        r.bench_case.variant != result.bench_case.variant || r.threads > result.threads || !r.raw) {
      continue;
    }
    if (best == nullptr || r.raw->ops_per_second > best->ops_per_second) best = &*r.raw;
  }
  return best;
}

const CaseResult* single_thread(const BenchReport& report, const CaseResult& result) {
  return find(report, result.bench_case.name, result.bench_case.variant, 1);
}

Scaling scaling(const BenchReport& report, const CaseResult& result) {
  const CaseResult* one = single_thread(report, result);
  if (one == nullptr) return {};
  return {divide(result.raw, one->raw), divide(result.backend, one->backend)};
}

std::optional<double> import_cost_us(const BenchReport& report, const CaseResult& miss) {
  const CaseResult* hit = find(report, miss.bench_case.name, KeyVariant::CacheHit, miss.threads);
  if (hit == nullptr || !hit->backend || !miss.backend) return std::nullopt;
  // Per-operation time of the whole run (threads share the token): threads / throughput.
  const double threads = miss.threads;
  return 1e6 * threads / miss.backend->ops_per_second -
         1e6 * threads / hit->backend->ops_per_second;
}

}  // namespace craton::hsm::bench
