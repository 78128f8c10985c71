// SPDX-License-Identifier: Apache-2.0
// The token benchmark suite: every case through the raw PKCS#11 baseline, the passthrough
// backend (without and with an audit trail) and the software backend in one run, as Google
// Benchmark entries, then the ratio table and the PASS/FAIL targets (exit 1 on a FAIL with
// --check).
#include <craton/hsm/config.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "bench/bench_session.h"
#include "bench/checks.h"
#include "suite_flags.h"

namespace {

using namespace craton::hsm;
using namespace craton::hsm::bench;

// Publishes a measured point as Google Benchmark counters (its own table and --benchmark_out).
void set_counters(benchmark::State& state, const CaseResult& r) {
  const auto put = [&](const char* name, double value) { state.counters[name] = value; };
  if (r.raw) put("raw_ops", r.raw->ops_per_second);
  if (r.backend) {
    put("backend_ops", r.backend->ops_per_second);
    put("be_p50_us", r.backend->p50_us);
    put("be_p99_us", r.backend->p99_us);
  }
  if (const auto q = ratio(r)) put("ratio", *q);
  if (r.software) put("software_ops", r.software->ops_per_second);
  if (r.backend_audited) put("audited_ops", r.backend_audited->ops_per_second);
  if (const auto q = audit_ratio(r)) put("audit_ratio", *q);
}

int run(const SuiteFlags& flags) {
  const char* config_path = std::getenv("CRATON_HSM_CONFIG");
  if (config_path == nullptr) {
    fmt::print(stderr, "craton_bench_suite: CRATON_HSM_CONFIG is not set\n{}", kSuiteUsage);
    return 2;
  }
  auto config = load_config(config_path);
  if (!config) {
    fmt::print(stderr, "craton_bench_suite: {}\n", config.error());
    return 2;
  }
  auto session = BenchSession::open(std::move(*config), flags.options);
  if (!session) {
    fmt::print(stderr, "craton_bench_suite: {}\n", session.error());
    return 1;
  }
  BenchSession& engine = **session;
  std::vector<CaseResult> results;
  bool failed = false;
  for (const BenchCase& c : engine.cases()) {
    for (const unsigned threads : engine.options().threads) {
      const std::string name =
          fmt::format("{}/{}/threads:{}", c.name, variant_name(c.variant), threads);
      benchmark::RegisterBenchmark(
          name.c_str(),
          [&, c, threads](benchmark::State& state) {
            for (auto _ : state) {
              const auto start = std::chrono::steady_clock::now();
              auto measured = engine.measure(c, threads);
              state.SetIterationTime(
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
              if (!measured) {
                failed = true;
                state.SkipWithError(measured.error().to_string().c_str());
                break;
              }
              set_counters(state, *measured);
              results.push_back(std::move(*measured));
            }
          })
          ->Iterations(1)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  auto report = engine.finish(std::move(results));
  if (!report) {
    fmt::print(stderr, "craton_bench_suite: {}\n", report.error());
    return 1;
  }
  const std::vector<Check> checks = evaluate_targets(*report);
  fmt::print("\n{}\n{}", render_table(*report), render_checks(checks));
  if (flags.json_path) {
    std::ofstream(*flags.json_path) << render_json(*report, checks);
    fmt::print("JSON report: {}\n", *flags.json_path);
  }
  std::fflush(stdout);
  if (failed) return 1;
  if (flags.check && any_failed(checks)) {
    fmt::print("--check: at least one target FAILed\n");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto flags = take_suite_flags(argc, argv);
  if (!flags) {
    fmt::print(stderr, "craton_bench_suite: {}\n{}", flags.error(), kSuiteUsage);
    return 2;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  return run(*flags);
}
