// SPDX-License-Identifier: Apache-2.0
// The report as an aligned text table, raw baseline and ratio beside each backend figure.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "bench/report.h"

namespace craton::hsm::bench {
namespace {

std::string rate(const std::optional<Measurement>& m) {
  return m ? fmt::format("{:.0f}", m->ops_per_second) : "-";
}

std::string fixed(const std::optional<double>& value, int digits, std::string_view suffix = "") {
  return value ? fmt::format("{:.{}f}{}", *value, digits, suffix) : "-";
}

std::string latency(const std::optional<Measurement>& m) {
  return m ? fmt::format("{:.1f}/{:.1f}", m->p50_us, m->p99_us) : "-";
}

std::string allocs(const std::optional<Measurement>& m) {
  return m && m->allocs_per_op ? fmt::format("{:.1f}", *m->allocs_per_op) : "n/a";
}

// Pads every column to its widest cell; numbers (all but the first column) align right.
std::string align(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i == 0) {
        out += fmt::format("{:<{}}", row[i], widths[i]);
      } else {
        out += fmt::format("  {:>{}}", row[i], widths[i]);
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace

std::string render_table(const BenchReport& report) {
  const bool audited = report.audit_trail.has_value();
  std::vector<std::vector<std::string>> rows{
      {"CASE", "THR", "RAW op/s", "BACKEND op/s", "RATIO", "SOFTWARE op/s", "SCALE raw", "SCALE be",
       "RAW p50/p99 us", "BE p50/p99 us", "ALLOC raw", "ALLOC be", "C_/op raw", "C_/op be"}};
  if (audited) {
    rows.front().insert(rows.front().begin() + 5,
                        {"AUDITED op/s", "AUDIT on/off", "AUDIT +CPU us/op"});
  }
  std::vector<std::vector<std::string>> limits{{"CONCURRENCY", "THR", "RAW op/s", "RAW best<=n",
                                                "UNLIMITED/raw", "ADAPTIVE op/s", "ADAPTIVE/best",
                                                "LIMIT", "RAW p99 us", "ADAPTIVE p99 us"}};
  std::vector<std::vector<std::string>> imports{
      {"IMPORT ON MISS", "THR", "us/import", "us/op over 100 uses"}};
  for (const CaseResult& r : report.results) {
    const Scaling s = scaling(report, r);
    rows.push_back({r.bench_case.label(), fmt::format("{}", r.threads), rate(r.raw),
                    rate(r.backend), fixed(ratio(r), 3), rate(r.software), fixed(s.raw, 2, "x"),
                    fixed(s.backend, 2, "x"), latency(r.raw), latency(r.backend), allocs(r.raw),
                    allocs(r.backend), r.raw ? fmt::format("{:.2f}", r.raw->calls_per_op) : "-",
                    r.backend ? fmt::format("{:.2f}", r.backend->calls_per_op) : "-"});
    if (audited) {
      rows.back().insert(
          rows.back().begin() + 5,
          {rate(r.backend_audited), fixed(audit_ratio(r), 3), fixed(audit_cpu_us(r), 2)});
    }
    if (r.backend_adaptive) {
      const Measurement* best = best_raw_up_to(report, r);
      limits.push_back(
          {r.bench_case.label(), fmt::format("{}", r.threads), rate(r.raw),
           best ? fmt::format("{:.0f}", best->ops_per_second) : "-", fixed(ratio(r), 3),
           rate(r.backend_adaptive),
           best ? fmt::format("{:.3f}", r.backend_adaptive->ops_per_second / best->ops_per_second)
                : "-",
           fmt::format("{}", r.adaptive_limit), r.raw ? fmt::format("{:.1f}", r.raw->p99_us) : "-",
           fmt::format("{:.1f}", r.backend_adaptive->p99_us)});
    }
    if (r.bench_case.is_miss()) {
      const auto cost = import_cost_us(report, r);
      imports.push_back({r.bench_case.label(), fmt::format("{}", r.threads), fixed(cost, 1),
                         cost ? fmt::format("{:.2f}", *cost / 100) : "-"});
    }
  }
  std::string out = fmt::format(
      "Token backend: {}   software: {}\nMachine: {}\nPool size {}, best of {} round(s) of "
      "{:.2f} s per subject; RATIO = backend/raw throughput; SCALE = N threads / 1 thread\n\n",
      report.token, report.software, report.machine, report.pool_size, report.rounds,
      report.duration_seconds);
  out += align(rows);
  if (limits.size() > 1) {
    out +=
        "\nUNLIMITED = the measured backend (its configured concurrency); ADAPTIVE = a backend "
        "with concurrency = \"adaptive\"; best<=n = raw's best at any thread count up to n\n";
    out += align(limits);
  }
  for (const auto& [name, c] : report.concurrency) {
    out += fmt::format(
        "Concurrency {}: {} (limit {} at the end, {} waits, {} timeouts, {} combined)\n", name,
        c.setting, c.limit, c.queued, c.timeouts, c.combined);
  }
  if (imports.size() > 1) {
    out += '\n';
    out += align(imports);
  }
  for (const SkippedCase& skipped : report.skipped) {
    out += fmt::format("skipped {}: {}\n", skipped.name, skipped.reason);
  }
  out += fmt::format("\nToken objects visible: {} before, {} after the run\n",
                     report.objects_before, report.objects_after);
  if (const auto& trail = report.audit_trail) {
    out += fmt::format(
        "Audit trail (throwaway, durability {}): {} records for {} audited operations, {}\n",
        trail->durability, trail->records, trail->operations,
        trail->intact ? "chain intact" : "BROKEN: " + trail->problem);
  }
  return out;
}

}  // namespace craton::hsm::bench
