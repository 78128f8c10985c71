// SPDX-License-Identifier: Apache-2.0
// `craton-hsm demo` on the throwaway token: every step runs, none fails, no PIN in the output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "cli_runner.h"
#include "support/fault_shim.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CliDemoTest, RunsEveryStepOnTheTokenAndCrossChecksIt) {
  const CommandResult result =
      run_cli(fmt::format("demo {} --token-label {}", module_args(), kTokenLabel),
              "CRATON_HSM_PIN=9731-demo-pin");
  // The demo logs in with the PIN from the environment: a wrong one must fail...
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_THAT(result.output, HasSubstr("PinIncorrect"));
  EXPECT_THAT(result.output, Not(HasSubstr("9731-demo-pin")));

  // ...and the right one runs all steps.
  const CommandResult ok =
      run_cli(fmt::format("demo {} --token-label {}", module_args(), kTokenLabel),
              fmt::format("CRATON_HSM_PIN={}", kUserPin));
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  for (const char* expected : {"ECDSA-P256-SHA256", "AES-GCM", "AES-KW", "ECDH P-256",
                               "HMAC-SHA256", "SHA-512", "C_GenerateRandom", "Ed25519"}) {
    EXPECT_THAT(ok.output, HasSubstr(expected));
  }
  EXPECT_THAT(ok.output, HasSubstr(", 0 failed"));
  EXPECT_THAT(ok.output, Not(HasSubstr("FAILED")));
  // The audit trail is on by default: a temporary one, verified at the end and deleted.
  const std::smatch audit = [&ok] {
    std::smatch match;
    std::regex_search(
        ok.output, match,
        std::regex("audit trail: ([0-9]+) records, chain intact \\((.*)\\), deleted"));
    return match;
  }();
  ASSERT_FALSE(audit.empty()) << ok.output;
  EXPECT_GT(std::stoi(audit[1].str()), 20);  // one record per step, plus start, login, stop
  EXPECT_FALSE(std::filesystem::exists(audit[2].str())) << "the temporary trail is removed";
}

TEST(CliDemoTest, AMechanismTheTokenDoesNotListIsUnsupportedNotFailed) {
  // The fault shim leaves CKM_AES_GCM (0x1087) out of the mechanism list but would still
  // perform it: the GCM step must be refused from the capability table, never run or FAILED.
  const TempDir dir;
  const std::string config = shim_config(dir);
  const CommandResult result =
      run_cli(fmt::format("demo --config '{}'", config),
              fmt::format("{} CRATON_FAULT=hide_mechanism=0x1087", pin_env()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr(", 0 failed"));
  const std::size_t row = result.output.find("AES-GCM");
  ASSERT_NE(row, std::string::npos) << result.output;
  const std::string line = result.output.substr(row, result.output.find('\n', row) - row);
  EXPECT_THAT(line, HasSubstr("unsupported by this token"));
}

TEST(CliDemoTest, NeedsATokenSelector) {
  const CommandResult result =
      run_cli(fmt::format("demo {}", module_args()), fmt::format("CRATON_HSM_PIN={}", kUserPin));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("ConfigInvalid"));
}

}  // namespace
}  // namespace craton::hsm::testing
