// SPDX-License-Identifier: Apache-2.0
// The target verdicts on hand-made reports: PASS, FAIL, and INFO for a miss inside the rounds'
// spread.
#include "bench/checks.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace craton::hsm::bench {
namespace {

Measurement rounds(double best, double slowest) {
  Measurement m;
  m.ops_per_second = best;
  m.slowest_round_ops = slowest;
  m.ops = 1000;
  return m;
}

CaseResult hit(Measurement raw, Measurement backend, std::optional<Measurement> audited = {}) {
  CaseResult r;
  r.bench_case = BenchCase{"sha256-1k", RawOp::Sha256, 1024, KeyVariant::CacheHit};
  r.threads = 1;
  r.raw = raw;
  r.backend = backend;
  r.backend_audited = audited;
  return r;
}

const Check& find(const std::vector<Check>& checks, std::string_view target_prefix) {
  const auto found = std::find_if(checks.begin(), checks.end(), [&](const Check& c) {
    return c.target.starts_with(target_prefix);
  });
  EXPECT_NE(found, checks.end()) << target_prefix;
  return *found;
}

std::vector<Check> judge(CaseResult r) {
  BenchReport report;
  report.results.push_back(std::move(r));
  return evaluate_targets(report);
}

TEST(BenchChecks, ThroughputAtTheFloorPasses) {
  const auto checks = judge(hit(rounds(1000, 1000), rounds(980, 970)));
  EXPECT_EQ(find(checks, "throughput").verdict, Verdict::Pass);
}

TEST(BenchChecks, ThroughputMissedEvenAgainstTheSlowestRawRoundFails) {
  const auto checks = judge(hit(rounds(1000, 990), rounds(900, 900)));
  EXPECT_EQ(find(checks, "throughput").verdict, Verdict::Fail);
  EXPECT_EQ(find(checks, "throughput").detail, "0.900");
}

TEST(BenchChecks, ThroughputMissWithinTheRoundsSpreadIsInfo) {
  // Best rounds give 0.95, but raw's own rounds ranged down to 900: 950 / 900 = 1.06.
  const Check check = find(judge(hit(rounds(1000, 900), rounds(950, 800))), "throughput");
  EXPECT_EQ(check.verdict, Verdict::Info);
  EXPECT_NE(check.detail.find("within the rounds' spread: 1.056"), std::string::npos)
      << check.detail;
}

TEST(BenchChecks, AuditRatioUsesTheUnauditedBackendAsBaseline) {
  const auto pass = judge(hit(rounds(1000, 1000), rounds(1000, 1000), rounds(960, 960)));
  EXPECT_EQ(find(pass, "audit on").verdict, Verdict::Pass);
  const auto fail = judge(hit(rounds(1000, 1000), rounds(1000, 990), rounds(600, 600)));
  EXPECT_EQ(find(fail, "audit on").verdict, Verdict::Fail);
  const auto info = judge(hit(rounds(1000, 1000), rounds(1000, 700), rounds(900, 850)));
  EXPECT_EQ(find(info, "audit on").verdict, Verdict::Info);
}

TEST(BenchChecks, ADurableBudgetIsJudgedAgainstTheInMemoryBudgetBesideItsReservations) {
  CaseResult r = hit(rounds(1000, 1000), rounds(1000, 1000));
  r.backend_budget["sqlite"] = rounds(975, 975);
  r.budget_reservations["sqlite"] = 13;
  r.backend_budget["postgresql"] = rounds(900, 900);
  const auto checks = judge(r);
  const Check& sqlite = find(checks, "sqlite budget >= 0.97 x memory budget");
  EXPECT_EQ(sqlite.verdict, Verdict::Pass);
  EXPECT_EQ(sqlite.detail, "0.975; 13 reservations");
  EXPECT_EQ(find(checks, "postgresql budget").verdict, Verdict::Fail);
  // Only at 1 and 2 threads, as the other throughput floors.
  r.threads = 4;
  const auto wide = judge(r);
  EXPECT_TRUE(std::none_of(wide.begin(), wide.end(), [](const Check& c) {
    return c.target.find("budget") != std::string::npos;
  }));
}

TEST(BenchChecks, AKeyLookupWhileTimedFails) {
  Measurement backend = rounds(1000, 1000);
  backend.key_lookup_calls = 1;
  const auto checks = judge(hit(rounds(1000, 1000), backend));
  EXPECT_EQ(find(checks, "no C_CreateObject").verdict, Verdict::Fail);
  EXPECT_TRUE(any_failed(checks));
}

}  // namespace
}  // namespace craton::hsm::bench
