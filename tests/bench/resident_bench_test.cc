// SPDX-License-Identifier: Apache-2.0
// The engine's resident-key and audit subjects on the throwaway token, very briefly: token
// objects are created and all destroyed again, and the audited backend's trail is intact.
#include <gtest/gtest.h>

#include "bench/bench_session.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

Pkcs11PassthroughConfig token_config() {
  Pkcs11PassthroughConfig config;
  config.library_path = std::string(kModulePath);
  config.token_label = std::string(kTokenLabel);
  config.user_pin = SecretString(kUserPin);
  return config;
}

TEST(ResidentBenchTest, DestroysItsTokenObjectsAndKeepsAnIntactTrail) {
  bench::BenchOptions options;
  options.case_filters = {"ecdsa-p256-sign"};
  options.threads = {1};
  options.duration = std::chrono::milliseconds(20);
  options.rounds = 1;
  options.with_misses = false;
  options.with_software = false;
  options.with_resident = true;
  options.audit = AuditDurability::PerBatch;
  auto session = bench::BenchSession::open(token_config(), options);
  ASSERT_TRUE(session.has_value()) << session.error();
  ASSERT_EQ((*session)->cases().size(), 2u);  // hit and resident
  std::vector<bench::CaseResult> results;
  for (const bench::BenchCase& c : (*session)->cases()) {
    auto result = (*session)->measure(c, 1);
    ASSERT_TRUE(result.has_value()) << result.error();
    EXPECT_GT(result->raw->ops, 0u);
    EXPECT_GT(result->backend_audited->ops, 0u);
    EXPECT_EQ(result->backend->key_lookup_calls, 0u);  // resident: resolved in the warm-up
    results.push_back(std::move(*result));
  }
  EXPECT_EQ(results.back().bench_case.variant, bench::KeyVariant::Resident);
  auto report = (*session)->finish(std::move(results));
  ASSERT_TRUE(report.has_value()) << report.error();
  EXPECT_EQ(report->objects_after, report->objects_before);
  ASSERT_TRUE(report->audit_trail.has_value());
  EXPECT_TRUE(report->audit_trail->intact) << report->audit_trail->problem;
  EXPECT_GE(report->audit_trail->records, report->audit_trail->operations);
}

}  // namespace
}  // namespace craton::hsm::testing
