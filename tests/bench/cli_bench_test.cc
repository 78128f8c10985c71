// SPDX-License-Identifier: Apache-2.0
// `craton-hsm bench` on the throwaway token, very briefly: it leaves the token's objects as it
// found them and its JSON report parses with every field a consumer reads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bench/raw/raw_token.h"
#include "cli/cli_runner.h"

namespace craton::hsm::testing {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;

// Every object this test process can see on the token (token objects of any process).
std::uint64_t token_objects() {
  Pkcs11PassthroughConfig config;
  config.library_path = std::string(kModulePath);
  config.token_label = std::string(kTokenLabel);
  config.user_pin = SecretString(kUserPin);
  auto token = bench::raw::RawToken::open(config);
  EXPECT_TRUE(token.has_value()) << token.error();
  if (!token) return 0;
  auto count = (*token)->count_objects();
  EXPECT_TRUE(count.has_value()) << count.error();
  return count.value_or(0);
}

std::string bench_args(std::string_view extra) {
  return fmt::format("bench {} --token-label {} --duration 0.02 --threads 1 {}", module_args(),
                     kTokenLabel, extra);
}

TEST(CliBenchTest, LeavesTheObjectCountUnchangedAndReportsJson) {
  const std::uint64_t before = token_objects();
  // A cache-miss case imports and evicts hundreds of keys: the strictest case for leftovers.
  const CommandResult result =
      run_cli(bench_args("--cases sha256,aes256-gcm-1k,ecdsa-p256-verify --json"),
              fmt::format("CRATON_HSM_PIN={}", kUserPin));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(token_objects(), before);

  // The runner merges stderr (the progress lines) into the output; the JSON is stdout's one line.
  const std::size_t start = result.output.find("{\"token\"");
  ASSERT_NE(start, std::string::npos) << result.output;
  const std::size_t end = result.output.find('\n', start);
  const Json report =
      Json::parse(std::string_view(result.output).substr(start, end - start), nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << result.output;
  EXPECT_THAT(report.at("token").get<std::string>(), HasSubstr("pkcs11:"));
  EXPECT_EQ(report.at("objects_before").get<std::int64_t>(),
            report.at("objects_after").get<std::int64_t>());
  const Json::array_t& results = report.at("results").get_ref<const Json::array_t&>();
  ASSERT_EQ(results.size(), 4u);  // sha256-1k, aes256-gcm-1k hit and miss, ecdsa-p256-verify
  bool saw_miss = false;
  for (const Json& r : results) {
    SCOPED_TRACE(r.at("case").get<std::string>());
    EXPECT_EQ(r.at("threads").get<std::int64_t>(), 1);
    for (const char* subject : {"raw", "backend"}) {
      const Json& m = r.at(subject);
      EXPECT_GT(m.at("ops_per_second").get<double>(), 0);
      EXPECT_GT(m.at("p99_us").get<double>(), 0);
      EXPECT_GE(m.at("p99_us").get<double>(), m.at("p50_us").get<double>());
      EXPECT_GT(m.at("cpu_us_per_op").get<double>(), 0);
#ifdef CRATON_ALLOCATIONS_UNCOUNTED
      EXPECT_TRUE(m.at("allocs_per_op").is_null());  // the sanitizer owns malloc: not counted
#else
      EXPECT_GE(m.at("allocs_per_op").get<double>(), 0);  // the CLI counts allocations
#endif
    }
    EXPECT_GT(r.at("ratio").get<double>(), 0);
    EXPECT_TRUE(r.at("backend_audited").is_null());  // no --audit
    EXPECT_DOUBLE_EQ(r.at("scaling").at("backend").get<double>(), 1.0);
    if (r.at("variant").get<std::string>() == "miss") {
      saw_miss = true;
      EXPECT_TRUE(r.at("software").is_null());
      EXPECT_GT(r.at("backend").at("key_lookup_calls").get<std::int64_t>(), 0);
    } else {
      EXPECT_EQ(r.at("backend").at("key_lookup_calls").get<std::int64_t>(), 0);
      EXPECT_GT(r.at("software").at("ops_per_second").get<double>(), 0);
    }
  }
  EXPECT_TRUE(saw_miss);
  EXPECT_FALSE(report.at("checks").get_ref<const Json::array_t&>().empty());
  EXPECT_TRUE(report.at("audit_trail").is_null());
}

TEST(CliBenchTest, AuditMeasuresAThrowawayTrailAndRemovesIt) {
  const TempDir tmp;  // the trail's directory goes under TMPDIR and must be gone afterwards
  const CommandResult result =
      run_cli(bench_args("--cases sha256 --no-software --no-miss --audit --json"),
              fmt::format("CRATON_HSM_PIN={} TMPDIR='{}'", kUserPin, tmp.path().string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));

  const std::size_t start = result.output.find("{\"token\"");
  ASSERT_NE(start, std::string::npos) << result.output;
  const Json parsed = Json::parse(
      std::string_view(result.output).substr(start, result.output.find('\n', start) - start),
      nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << result.output;
  const Json& r = parsed.at("results").get_ref<const Json::array_t&>().at(0);
  EXPECT_GT(r.at("backend_audited").at("ops_per_second").get<double>(), 0);
  EXPECT_GT(r.at("audit_ratio").get<double>(), 0);
  // Audited CPU minus unaudited CPU per operation: a number, of either sign on a noisy machine.
  EXPECT_TRUE(r.at("audit_cpu_us_per_op").is_number());
  const Json& trail = parsed.at("audit_trail");
  EXPECT_TRUE(trail.at("intact").get<bool>());
  EXPECT_GE(trail.at("records").get<std::int64_t>(), trail.at("operations").get<std::int64_t>());
  EXPECT_GT(trail.at("operations").get<std::int64_t>(), 0);
}

TEST(CliBenchTest, PrintsTheTableWithTheRawBaseline) {
  const CommandResult result = run_cli(bench_args("--cases random --no-software"),
                                       fmt::format("CRATON_HSM_PIN={}", kUserPin));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("RAW op/s"));
  EXPECT_THAT(result.output, HasSubstr("RATIO"));
  EXPECT_THAT(result.output, HasSubstr("random-32"));
  EXPECT_THAT(result.output, HasSubstr("object count unchanged"));
}

TEST(CliBenchTest, ProgressIsPlainLinesWhenNotATerminal) {
  const CommandResult result = run_cli(bench_args("--cases sha256 --no-software --no-miss"),
                                       fmt::format("CRATON_HSM_PIN={}", kUserPin));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("bench: 1/1 sha256-1k x1\n"));
  EXPECT_THAT(result.output, ::testing::Not(HasSubstr("\r")));
}

}  // namespace
}  // namespace craton::hsm::testing
