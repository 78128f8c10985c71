// SPDX-License-Identifier: Apache-2.0
// `craton-hsm bench` on the throwaway token, very briefly: it leaves the token's objects as it
// found them and its JSON report parses with every field a consumer reads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/conformance/json.h"
#include "cli/cli_runner.h"
#include "pkcs11/raw/raw_token.h"

namespace craton::hsm::testing {
namespace {

namespace json = conformance::json;
using ::testing::HasSubstr;

// Every object this test process can see on the token (token objects of any process).
std::uint64_t token_objects() {
  Pkcs11PassthroughConfig config;
  config.library_path = std::string(kModulePath);
  config.token_label = std::string(kTokenLabel);
  config.user_pin = SecretString(kUserPin);
  auto token = pkcs11::raw::RawToken::open(config);
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
  auto parsed = json::parse(std::string_view(result.output).substr(start, end - start));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message << "\n" << result.output;
  const json::Value& report = *parsed;
  EXPECT_THAT(report.at("token").as_string(), HasSubstr("pkcs11:"));
  EXPECT_EQ(report.at("objects_before").as_int(), report.at("objects_after").as_int());
  const json::Array& results = report.at("results").as_array();
  ASSERT_EQ(results.size(), 4u);  // sha256-1k, aes256-gcm-1k hit and miss, ecdsa-p256-verify
  bool saw_miss = false;
  for (const json::Value& r : results) {
    SCOPED_TRACE(r.at("case").as_string());
    EXPECT_EQ(r.at("threads").as_int(), 1);
    for (const char* subject : {"raw", "backend"}) {
      const json::Value& m = r.at(subject);
      EXPECT_GT(m.at("ops_per_second").as_double(), 0);
      EXPECT_GT(m.at("p99_us").as_double(), 0);
      EXPECT_GE(m.at("p99_us").as_double(), m.at("p50_us").as_double());
      EXPECT_GT(m.at("cpu_us_per_op").as_double(), 0);
#ifdef CRATON_ALLOCATIONS_UNCOUNTED
      EXPECT_TRUE(m.at("allocs_per_op").is_null());  // the sanitizer owns malloc: not counted
#else
      EXPECT_GE(m.at("allocs_per_op").as_double(), 0);  // the CLI counts allocations
#endif
    }
    EXPECT_GT(r.at("ratio").as_double(), 0);
    EXPECT_TRUE(r.at("backend_audited").is_null());  // no --audit
    EXPECT_DOUBLE_EQ(r.at("scaling").at("backend").as_double(), 1.0);
    if (r.at("variant").as_string() == "miss") {
      saw_miss = true;
      EXPECT_TRUE(r.at("software").is_null());
      EXPECT_GT(r.at("backend").at("key_lookup_calls").as_int(), 0);
    } else {
      EXPECT_EQ(r.at("backend").at("key_lookup_calls").as_int(), 0);
      EXPECT_GT(r.at("software").at("ops_per_second").as_double(), 0);
    }
  }
  EXPECT_TRUE(saw_miss);
  EXPECT_FALSE(report.at("checks").as_array().empty());
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
  auto parsed = json::parse(
      std::string_view(result.output).substr(start, result.output.find('\n', start) - start));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message << "\n" << result.output;
  const json::Value& r = parsed->at("results").as_array().at(0);
  EXPECT_GT(r.at("backend_audited").at("ops_per_second").as_double(), 0);
  EXPECT_GT(r.at("audit_ratio").as_double(), 0);
  // Audited CPU minus unaudited CPU per operation: a number, of either sign on a noisy machine.
  EXPECT_EQ(r.at("audit_cpu_us_per_op").type(), json::Value::Type::Number);
  const json::Value& trail = parsed->at("audit_trail");
  EXPECT_TRUE(trail.at("intact").as_bool());
  EXPECT_GE(trail.at("records").as_int(), trail.at("operations").as_int());
  EXPECT_GT(trail.at("operations").as_int(), 0);
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
