// SPDX-License-Identifier: Apache-2.0
// Many recording threads: one gap-free, verifiable chain that keeps each thread's order.
#include "audit_test_util.h"

#include "audit/record_fields.h"

#include <map>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

TEST(AuditThreads, EightThreadsTimesFiveThousandRecords) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5000;
  AuditDir dir;
  auto config = dir.config();
  config.max_wait = std::chrono::seconds(30);  // sanitizer builds write slowly; never drop
  {
    auto log = dir.open(config);
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          if (!log->record(sample_event(fmt::format("t{}:{}", t, i)))) ++refused;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(refused, 0);
    ASSERT_THAT(log->flush(), IsOk());
  }
  const auto lines = read_lines(dir.trail());
  ASSERT_EQ(lines.size(), 1u + kThreads * kPerThread);
  std::map<int, int> next_of_thread;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto fields = audit::parse_record_fields(lines[i]);
    ASSERT_TRUE(fields && fields->seq);
    ASSERT_EQ(*fields->seq, i + 1);
    if (i == 0) continue;
    const auto at = lines[i].find("\"detail\":\"t");
    ASSERT_NE(at, std::string::npos);
    int t = 0;
    int n = 0;
    ASSERT_EQ(std::sscanf(lines[i].c_str() + at, "\"detail\":\"t%d:%d\"", &t, &n), 2);
    EXPECT_EQ(n, next_of_thread[t]++) << "thread " << t << " out of order at line " << i + 1;
  }
  const auto report = dir.verify();
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.records, lines.size());
}

}  // namespace
}  // namespace craton::hsm::testing
