// SPDX-License-Identifier: Apache-2.0
// The JSON report stays JSON whatever its text fields hold: the token's name, the machine's
// CPU model and problem texts come from outside, so they go through core's escaper.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bench/checks.h"

namespace craton::hsm::bench {
namespace {

using Json = nlohmann::json;

BenchReport report_with(const std::string& text) {
  BenchReport report;
  report.token = "pkcs11:" + text;
  report.software = "openssl";
  report.machine = text;
  CaseResult result;
  result.bench_case = BenchCase{"sha256-1k", RawOp::Sha256, 1024, KeyVariant::CacheHit};
  report.results.push_back(result);
  report.skipped.push_back({text, "reason: " + text});
  report.audit_trail = AuditTrailSummary{.durability = "per_batch", .problem = text};
  return report;
}

Json parsed(const std::string& text) {
  EXPECT_TRUE(text.ends_with("\n"));
  return Json::parse(text);  // throws (failing the test) on anything that is not JSON
}

TEST(ReportJson, ControlCharactersAndQuotesRoundTrip) {
  const std::string hostile = "cpu \"x\"\\ \n\t\x01\x1b[31m\x7f end";
  const std::vector<Check> checks{{"target", hostile, Verdict::Fail, hostile}};
  const Json report = parsed(render_json(report_with(hostile), checks));
  EXPECT_EQ(report.at("machine").get<std::string>(), hostile);
  EXPECT_EQ(report.at("skipped").at(0).at("case").get<std::string>(), hostile);
  EXPECT_EQ(report.at("checks").at(0).at("detail").get<std::string>(), hostile);
  EXPECT_EQ(report.at("audit_trail").at("problem").get<std::string>(), hostile);
}

TEST(ReportJson, IllFormedUtf8IsRepairedNotPassedThrough) {
  // A CPU model or token label is bytes from outside; 0xff and a cut-off sequence are not UTF-8.
  const std::string bytes = "Caf\xc3\xa9 \xff cut\xe2\x82";
  const Json report = parsed(render_json(report_with(bytes), {}));
  EXPECT_EQ(report.at("machine").get<std::string>(),
            "Caf\xc3\xa9 \xef\xbf\xbd cut\xef\xbf\xbd\xef\xbf\xbd");
}

}  // namespace
}  // namespace craton::hsm::bench
