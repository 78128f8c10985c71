// SPDX-License-Identifier: Apache-2.0
// render_prometheus against the text exposition format 0.0.4, line by line: every sample
// belongs to a family announced by one HELP and one TYPE line before it, names carry the
// craton_hsm_ prefix and the metric-name charset, label values are escaped, values parse.
#include <craton/hsm/stats.h>

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace craton::hsm {
namespace {

BackendStats sample_stats() {
  BackendStats stats;
  stats.pool_size = 4;
  stats.sessions_open = 4;
  stats.sessions_opened = 5;
  stats.sessions_closed = 1;
  stats.retries = 2;
  stats.breaker = BreakerStatus::HalfOpen;
  stats.gcm_max_messages_per_key = 100;
  stats.gcm_budget_used["0123456789abcdef"] = 0.25;
  stats.gcm_budget_used["pkcs11:object=a\"b\\c\nd"] = 0.5;  // hostile: needs every escape
  stats.gcm_budget_exhausted.emplace_back("0123456789abcdef");
  stats.budget_store = "sqlite:/var/lib/craton/budgets.db";
  stats.budget_reservations = 7;
  OperationStats sign;
  sign.count = 10;
  sign.errors = 3;
  sign.p50_us = 120;
  sign.p90_us = 250;
  sign.p99_us = 900;
  sign.max_us = 1200;
  sign.errors_by_code["DeviceRemoved"] = 2;
  sign.errors_by_code["PinIncorrect"] = 1;
  stats.operations["sign"] = sign;
  return stats;
}

// A label value per the format: any characters but \, " and line feed, which appear escaped.
const std::regex kSample(
    R"re(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*")(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*")*\})? (\S+)$)re");
const std::regex kHelp(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
const std::regex kType(
    R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");

TEST(RenderPrometheus, FollowsTheTextFormatLineByLine) {
  const std::string text = render_prometheus(sample_stats());
  ASSERT_FALSE(text.empty());
  ASSERT_EQ(text.back(), '\n');
  std::istringstream lines(text);
  std::set<std::string> helped;
  std::map<std::string, std::string> types;
  std::string current;  // the family whose samples may follow
  std::set<std::string> finished;
  int samples = 0;
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, kHelp)) {
      const std::string name = m[1];
      EXPECT_TRUE(name.starts_with("craton_hsm_")) << line;
      EXPECT_TRUE(helped.insert(name).second) << "second HELP: " << line;
      if (!current.empty()) finished.insert(current);
      current = name;
      continue;
    }
    if (std::regex_match(line, m, kType)) {
      EXPECT_EQ(m[1], current) << "TYPE without its HELP: " << line;
      EXPECT_TRUE(types.emplace(m[1], m[2]).second) << "second TYPE: " << line;
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, m, kSample)) << "not a sample line: " << line;
    const std::string name = m[1];
    EXPECT_EQ(name, current) << "sample outside its family: " << line;
    EXPECT_FALSE(finished.contains(name)) << "family split: " << line;
    EXPECT_TRUE(types.contains(name)) << line;
    if (types[name] == "counter") {
      EXPECT_TRUE(name.ends_with("_total")) << line;
    }
    const std::string value = m[5];
    std::size_t used = 0;
    (void)std::stod(value, &used);
    EXPECT_EQ(used, value.size()) << line;
    ++samples;
  }
  EXPECT_GT(samples, 20);
  EXPECT_NE(text.find("craton_hsm_breaker_state{state=\"half_open\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("craton_hsm_breaker_state{state=\"closed\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("craton_hsm_operations_total{operation=\"sign\"} 10\n"), std::string::npos);
  EXPECT_NE(
      text.find("craton_hsm_operation_errors_total{operation=\"sign\",code=\"DeviceRemoved\"} 2\n"),
      std::string::npos);
  EXPECT_NE(text.find(R"(key="pkcs11:object=a\"b\\c\nd"} 0.5)"), std::string::npos) << text;
  EXPECT_NE(text.find("craton_hsm_gcm_budget_exhausted{key=\"0123456789abcdef\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("craton_hsm_budget_store_info{store=\"sqlite:/var/lib/craton/budgets.db\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("craton_hsm_budget_reservations_total 7\n"), std::string::npos) << text;
  EXPECT_NE(
      text.find(
          "craton_hsm_operation_latency_seconds{operation=\"sign\",quantile=\"0.99\"} 0.0009\n"),
      std::string::npos)
      << text;
}

TEST(RenderPrometheus, AnEmptySnapshotStillDescribesThePool) {
  const std::string text = render_prometheus(BackendStats{});
  EXPECT_NE(text.find("craton_hsm_sessions_open 0\n"), std::string::npos);
  EXPECT_NE(text.find("craton_hsm_budget_store_info{store=\"memory\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.find("craton_hsm_gcm_budget_exhausted"), std::string::npos);
  EXPECT_EQ(text.find("craton_hsm_operations_total"),
            std::string::npos);  // no operation, no family
}

}  // namespace
}  // namespace craton::hsm
