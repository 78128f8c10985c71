// SPDX-License-Identifier: Apache-2.0
// `craton-hsm status`: health and counters as text, JSON and Prometheus on the real token, and
// through the fault shim (CRATON_FAULT_FAIL) a down token (exit 3) and a degraded one (exit 0
// with a note).
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

TEST(CliStatus, ReadyTokenPrintsHealthAndCountersAndExitsZero) {
  const CommandResult result = run_on_token("status");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("health: ready\n"));
  EXPECT_THAT(result.output, HasSubstr("breaker: closed"));
  EXPECT_THAT(result.output, HasSubstr("pool: logins 1"));
  EXPECT_THAT(result.output, Not(HasSubstr(kUserPin)));
}

TEST(CliStatus, JsonHasHealthAndStats) {
  const CommandResult result = run_cli(fmt::format("{} status --json", token_args()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const Json report = Json::parse(result.output);
  EXPECT_EQ(report.at("health").at("state"), "ready");
  EXPECT_EQ(report.at("health").at("reason"), "");
  const Json& stats = report.at("stats");
  EXPECT_EQ(stats.at("breaker"), "closed");
  EXPECT_GE(stats.at("sessions_open").get<int>(), 1);
  EXPECT_EQ(stats.at("logins"), 0);  // no PIN given: no login
  EXPECT_TRUE(stats.at("operations").is_object());
  EXPECT_TRUE(stats.at("gcm_budget_used").is_object());
}

TEST(CliStatus, PrometheusPrintsTheTextFormat) {
  const CommandResult result = run_cli(fmt::format("{} status --prometheus", token_args()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("# TYPE craton_hsm_sessions_open gauge\n"));
  EXPECT_THAT(result.output, HasSubstr("craton_hsm_breaker_state{state=\"closed\"} 1\n"));
}

TEST(CliStatus, ConfiguredConcurrencyLimitsAreReportedPerClass) {
  const TempDir dir;
  const std::string config =
      dir.write("limits.toml", fmt::format("library_path = \"{}\"\ntoken_label = \"{}\"\n"
                                           "[concurrency]\ndefault = \"adaptive\"\nrsa = 3\n",
                                           kModulePath, kTokenLabel))
          .string();
  const CommandResult json = run_cli(fmt::format("status --config '{}' --json", config));
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const Json report = Json::parse(json.output);
  const Json& concurrency = report.at("stats").at("concurrency");
  EXPECT_EQ(concurrency.at("symmetric").at("setting"), "adaptive");
  EXPECT_EQ(concurrency.at("symmetric").at("limit"), 1);  // an adaptive limit starts at one
  EXPECT_EQ(concurrency.at("rsa").at("setting"), "3");
  EXPECT_EQ(concurrency.at("rsa").at("limit"), 3);
  EXPECT_EQ(concurrency.at("rsa").at("waiting"), 0);
  EXPECT_EQ(concurrency.at("rsa").at("combined"), 0);
  const CommandResult text = run_cli(fmt::format("status --config '{}'", config));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_THAT(text.output, HasSubstr("concurrency rsa: 3 (limit 3, in flight 0, waiting 0;"));
  const CommandResult prometheus =
      run_cli(fmt::format("status --config '{}' --prometheus", config));
  ASSERT_EQ(prometheus.exit_code, 0) << prometheus.output;
  EXPECT_THAT(prometheus.output, HasSubstr("craton_hsm_concurrency_limit{class=\"rsa\"} 3\n"));
  EXPECT_THAT(prometheus.output,
              HasSubstr("# TYPE craton_hsm_concurrency_timeouts_total counter\n"));
  EXPECT_THAT(prometheus.output,
              HasSubstr("craton_hsm_concurrency_combined_total{class=\"rsa\"} 0\n"));
}

TEST(CliStatus, JsonAndPrometheusExcludeEachOther) {
  const CommandResult result = run_cli(fmt::format("{} status --json --prometheus", token_args()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
}

TEST(CliStatus, ATokenThatStopsAnsweringIsDownWithExitThree) {
  const TempDir dir;
  const CommandResult result =
      run_cli(fmt::format("status --config '{}' --json", shim_config(dir)),
              "CRATON_FAULT_FAIL=C_GetSessionInfo=0x32");  // CKR_DEVICE_REMOVED, every call
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_THAT(result.output, HasSubstr("\"state\":\"down\""));
  EXPECT_THAT(result.output, HasSubstr("DeviceRemoved"));
  EXPECT_THAT(result.output, HasSubstr("DeviceUnavailable"));  // the error line
}

TEST(CliStatus, ATokenThatRecoversIsDegradedWithExitZeroAndANote) {
  const TempDir dir;
  const CommandResult result =
      run_cli(fmt::format("status --config '{}'", shim_config(dir)),
              "CRATON_FAULT_FAIL=C_GetSessionInfo=0x32:1");  // once: the session is rebuilt
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("health: degraded"));
  EXPECT_THAT(result.output, HasSubstr("craton-hsm: note: degraded:"));
  EXPECT_THAT(result.output, HasSubstr("rebuilt 1"));
}

}  // namespace
}  // namespace craton::hsm::testing
