// SPDX-License-Identifier: Apache-2.0
// The shim as any PKCS#11 consumer loads it: pkcs11-tool (OpenSC) with faults from the
// environment and a config file, its stats file, and a malformed spec refusing the load.
#include <fmt/format.h>

#include <string_view>

#include "shim_fixture.h"
#include "support/text.h"

namespace craton::hsm::testing {
namespace {

#ifdef CRATON_ASAN_RUNTIME
constexpr std::string_view kSanitizerEnvironment =
    "LD_PRELOAD='" CRATON_ASAN_RUNTIME "' ASAN_OPTIONS=detect_leaks=0";
#else
constexpr std::string_view kSanitizerEnvironment;
#endif

class Pkcs11ToolTest : public ::testing::Test {
 protected:
  // pkcs11-tool on the test token through the shim, with `environment` ("NAME=value ...").
  CommandResult tool(const std::string& environment, const std::string& arguments) const {
    return run_command(fmt::format("env {} {} pkcs11-tool --module '{}' --token-label '{}' {} 2>&1",
                                   kSanitizerEnvironment, environment, kFaultShimPath, kTokenLabel,
                                   arguments));
  }
  TempDir dir_;
};

TEST_F(Pkcs11ToolTest, AnEnvironmentFaultShowsAndTheStatsFileCountsTheCalls) {
  const auto stats = dir_.path() / "stats";
  const auto result = tool(fmt::format("CRATON_FAULT_STATS='{}' "
                                       "CRATON_FAULT='C_OpenSession:CKR_SESSION_COUNT:nth=1'",
                                       stats.string()),
                           "--list-objects");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.output, ::testing::HasSubstr("CKR_SESSION_COUNT")) << result.output;
  const std::string text = read_file(stats);
  EXPECT_THAT(text, ::testing::HasSubstr("\ncalls C_OpenSession 1\n")) << text;
  EXPECT_THAT(text, ::testing::HasSubstr("\nfaults_injected 1\n")) << text;
}

TEST_F(Pkcs11ToolTest, AConfigFileFaultShowsAndNoSessionLeaks) {
  const auto spec = dir_.write("faults", "# the token refuses the PIN\nC_Login:CKR_PIN_LOCKED\n");
  auto result = tool(fmt::format("CRATON_FAULT_CONFIG='{}'", spec.string()),
                     fmt::format("--login --pin {} --list-objects", kUserPin));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.output, ::testing::HasSubstr("CKR_PIN_LOCKED")) << result.output;
  EXPECT_THAT(result.output, ::testing::Not(::testing::HasSubstr(std::string(kUserPin) + "\n")));

  const auto stats = dir_.path() / "clean";
  result = tool(fmt::format("CRATON_FAULT_STATS='{}'", stats.string()), "--list-objects");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  const std::string text = read_file(stats);
  EXPECT_THAT(text, ::testing::HasSubstr("\nlive_sessions 0\n")) << text;
  EXPECT_THAT(text, ::testing::HasSubstr("\nfaults_injected 0\n")) << text;
}

TEST_F(Pkcs11ToolTest, AMalformedSpecRefusesToLoadAndSaysWhichItem) {
  for (const std::string variable : {"CRATON_FAULT", "CRATON_FAULT_FAIL"}) {
    const auto result = tool(variable + "='C_Sgn=0x30'", "--list-slots");
    EXPECT_NE(result.exit_code, 0) << variable;
    EXPECT_THAT(result.output,
                ::testing::HasSubstr("craton fault shim: bad fault spec item 'C_Sgn=0x30'"))
        << result.output;
  }
  const auto missing = tool("CRATON_FAULT_CONFIG=/nonexistent/faults", "--list-slots");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.output, ::testing::HasSubstr("/nonexistent/faults"));
}

}  // namespace
}  // namespace craton::hsm::testing
