// SPDX-License-Identifier: Apache-2.0
// The report and its checks as JSON (RFC 8259), for scripts and dashboards.
#include <fmt/format.h>

#include "bench/checks.h"
#include "core/json_escape.h"

namespace craton::hsm::bench {
namespace {

std::string number(const std::optional<double>& value) {
  return value ? fmt::format("{:.6g}", *value) : "null";
}

std::string measurement(const std::optional<Measurement>& m) {
  if (!m) return "null";
  return fmt::format(
      R"({{"ops_per_second":{},"p50_us":{},"p99_us":{},"allocs_per_op":{},"calls_per_op":{},)"
      R"("key_lookup_calls":{},"ops":{},"slowest_round_ops_per_second":{},"cpu_us_per_op":{}}})",
      number(m->ops_per_second), number(m->p50_us), number(m->p99_us), number(m->allocs_per_op),
      number(m->calls_per_op), m->key_lookup_calls, m->ops, number(m->slowest_round_ops),
      number(m->cpu_us_per_op));
}

std::string best_raw(const BenchReport& report, const CaseResult& r) {
  const Measurement* best = best_raw_up_to(report, r);
  return best == nullptr ? "null" : number(best->ops_per_second);
}

// The measured backend's limited classes: {"symmetric":{"setting":"adaptive","limit":1,...}}.
std::string concurrency(const BenchReport& report) {
  std::string out = "{";
  for (const auto& [name, c] : report.concurrency) {
    out += fmt::format(
        R"({}{}:{{"setting":{},"limit":{},"queued":{},"timeouts":{},"combined":{},)"
        R"("limit_increases":{},"limit_decreases":{},"wait_p50_us":{},"wait_p99_us":{}}})",
        out.size() == 1 ? "" : ",", json_quote(name), json_quote(c.setting), c.limit, c.queued,
        c.timeouts, c.combined, c.limit_increases, c.limit_decreases, number(c.wait_p50_us),
        number(c.wait_p99_us));
  }
  return out + "}";
}

// {"sqlite": {...}, ...}: the case measured with each durable budget store.
std::string budget_measurements(const CaseResult& r) {
  std::string out = "{";
  for (const auto& [store, m] : r.backend_budget) {
    out += fmt::format("{}{}:{}", out.size() == 1 ? "" : ",", json_quote(store), measurement(m));
  }
  return out + "}";
}

std::string budget_reservations(const CaseResult& r) {
  std::string out = "{";
  for (const auto& [store, count] : r.budget_reservations) {
    out += fmt::format("{}{}:{}", out.size() == 1 ? "" : ",", json_quote(store), count);
  }
  return out + "}";
}

}  // namespace

std::string render_json(const BenchReport& report, const std::vector<Check>& checks) {
  std::string out =
      fmt::format(R"({{"token":{},"software":{},"machine":{},"pool_size":{},"rounds":{},)"
                  R"("duration_seconds":{},"objects_before":{},"objects_after":{},"results":[)",
                  json_quote(report.token), json_quote(report.software), json_quote(report.machine),
                  report.pool_size, report.rounds, number(report.duration_seconds),
                  report.objects_before, report.objects_after);
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    const CaseResult& r = report.results[i];
    const Scaling s = scaling(report, r);
    out += fmt::format(
        R"({}{{"case":{},"variant":{},"size":{},"threads":{},"raw":{},"backend":{},)"
        R"("software":{},"backend_audited":{},"ratio":{},"scaling":{{"raw":{},"backend":{}}},)"
        R"("audit_ratio":{},"audit_cpu_us_per_op":{},"import_cost_us":{},)"
        R"("backend_adaptive":{},"adaptive_limit":{},"raw_best_up_to_threads":{},)"
        R"("backend_budget":{},"budget_reservations":{}}})",
        i == 0 ? "" : ",", json_quote(r.bench_case.name),
        json_quote(variant_name(r.bench_case.variant)), r.bench_case.size, r.threads,
        measurement(r.raw), measurement(r.backend), measurement(r.software),
        measurement(r.backend_audited), number(ratio(r)), number(s.raw), number(s.backend),
        number(audit_ratio(r)), number(audit_cpu_us(r)),
        number(r.bench_case.is_miss() ? import_cost_us(report, r) : std::nullopt),
        measurement(r.backend_adaptive), r.adaptive_limit, best_raw(report, r),
        budget_measurements(r), budget_reservations(r));
  }
  out += R"(],"concurrency":)" + concurrency(report);
  out += R"(,"audit_trail":)";
  if (const auto& trail = report.audit_trail) {
    out +=
        fmt::format(R"({{"durability":{},"operations":{},"records":{},"intact":{},"problem":{}}})",
                    json_quote(trail->durability), trail->operations, trail->records, trail->intact,
                    json_quote(trail->problem));
  } else {
    out += "null";
  }
  out += R"(,"skipped":[)";
  for (std::size_t i = 0; i < report.skipped.size(); ++i) {
    out += fmt::format(R"({}{{"case":{},"reason":{}}})", i == 0 ? "" : ",",
                       json_quote(report.skipped[i].name), json_quote(report.skipped[i].reason));
  }
  out += R"(],"checks":[)";
  for (std::size_t i = 0; i < checks.size(); ++i) {
    out +=
        fmt::format(R"({}{{"target":{},"subject":{},"verdict":{},"detail":{}}})", i == 0 ? "" : ",",
                    json_quote(checks[i].target), json_quote(checks[i].subject),
                    json_quote(verdict_name(checks[i].verdict)), json_quote(checks[i].detail));
  }
  return out + "]}\n";
}

}  // namespace craton::hsm::bench
