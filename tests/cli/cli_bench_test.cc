// SPDX-License-Identifier: Apache-2.0
// `craton-hsm bench` as an operator meets it: the suite's rounds by default, a case the token
// cannot run skipped with its reason (a token refusing key import, through the fault shim),
// and a case name that selects nothing refused as a usage error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "support/fault_shim.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// The JSON report is standard output's line starting with {"token"; progress goes to stderr,
// which the runner merges in.
Json report_of(const CommandResult& result) {
  const std::size_t start = result.output.find("{\"token\"");
  if (start == std::string::npos) return Json();
  const std::size_t end = result.output.find('\n', start);
  return Json::parse(std::string_view(result.output).substr(start, end - start), nullptr, false);
}

std::vector<std::string> case_names(const Json& results) {
  std::vector<std::string> names;
  for (const Json& r : results) names.push_back(r.at("case").get<std::string>());
  return names;
}

TEST(CliBench, DefaultsToTheSuitesTenRoundsOfPointTwoSeconds) {
  // One cheap case on one thread without the software backend: 10 x 0.2 s for raw and backend.
  const CommandResult result =
      run_on_token("bench --cases random --threads 1 --no-software --json");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const Json report = report_of(result);
  ASSERT_TRUE(report.is_object()) << result.output;
  EXPECT_EQ(report.at("rounds").get<int>(), 10);
  EXPECT_DOUBLE_EQ(report.at("duration_seconds").get<double>(), 0.2);
  EXPECT_THAT(run_cli("bench --help").output, HasSubstr("default: 10"));
}

TEST(CliBench, ACaseTheTokenCannotRunIsSkippedWithTheReason) {
  // A token that refuses every key import (C_CreateObject: CKR_ATTRIBUTE_TYPE_INVALID): the
  // keyed cases cannot run, the keyless ones still measure.
  const TempDir dir;
  const std::string config = shim_config(dir);
  const CommandResult result =
      run_cli(fmt::format("bench --config '{}' --cases sha256,ecdsa-p256-sign,aes256-gcm-1k,random "
                          "--threads 1 --rounds 1 --duration 0.01 --no-miss --json",
                          config),
              fmt::format("{} CRATON_FAULT_FAIL=C_CreateObject=0x12", pin_env()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const Json report = report_of(result);
  ASSERT_TRUE(report.is_object()) << result.output;
  EXPECT_THAT(case_names(report.at("results")),
              ::testing::UnorderedElementsAre("sha256-1k", "random-32"));
  std::vector<std::string> skipped;
  for (const Json& s : report.at("skipped")) {
    skipped.push_back(s.at("case").get<std::string>());
    EXPECT_THAT(s.at("reason").get<std::string>(), HasSubstr("C_CreateObject"));
    EXPECT_THAT(s.at("reason").get<std::string>(), HasSubstr("CKR_ATTRIBUTE_TYPE_INVALID"));
  }
  EXPECT_THAT(skipped, ::testing::UnorderedElementsAre("ecdsa-p256-sign", "aes256-gcm-1k"));
  EXPECT_EQ(report.at("objects_before"), report.at("objects_after"));

  // The table says so too.
  const CommandResult table = run_cli(
      fmt::format("bench --config '{}' --cases ecdsa-p256-sign,random --threads 1 --rounds 1 "
                  "--duration 0.01 --no-miss",
                  config),
      fmt::format("{} CRATON_FAULT_FAIL=C_CreateObject=0x12", pin_env()));
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, HasSubstr("skipped ecdsa-p256-sign: AttributeInvalid: C_CreateObject"));
  EXPECT_THAT(table.output, HasSubstr("random-32"));

  // When no selected case could run, the report still says why, and the exit code says so.
  const CommandResult none =
      run_cli(fmt::format("bench --config '{}' --cases ecdsa-p256-sign --threads 1,2 --rounds 1 "
                          "--duration 0.01 --no-miss",
                          config),
              fmt::format("{} CRATON_FAULT_FAIL=C_CreateObject=0x12", pin_env()));
  EXPECT_EQ(none.exit_code, 3) << none.output;
  EXPECT_THAT(none.output, HasSubstr("skipped ecdsa-p256-sign: AttributeInvalid"));
  EXPECT_THAT(none.output, HasSubstr("MechanismUnsupported: none of the selected cases"));
}

TEST(CliBench, ACaseNameThatSelectsNothingIsAUsageError) {
  const CommandResult result =
      run_on_token("bench --cases ecdsa,nosuch --threads 1 --rounds 1 --duration 0.01");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("nosuch"));
  EXPECT_THAT(result.output, HasSubstr("ecdsa-p256-sign"));     // the names it could have been
  EXPECT_THAT(result.output, Not(HasSubstr("Token backend")));  // nothing was measured
}

}  // namespace
}  // namespace craton::hsm::testing
