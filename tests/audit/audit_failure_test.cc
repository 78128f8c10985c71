// SPDX-License-Identifier: Apache-2.0
// Failure policies: fail-closed refuses and recovers without losing accepted records;
// fail-open never refuses and records what it lost. Real file failures via RLIMIT_FSIZE.
#include "audit_test_util.h"

#include "audit/record_fields.h"

#include <csignal>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;

// Checks the in-memory trail as the verifier would see it on disk.
AuditVerifyReport verify_lines(const AuditDir& dir, const std::vector<std::string>& lines) {
  const auto copy = dir / "copy.jsonl";
  write_lines(copy, lines);
  return dir.verify({copy});
}

std::size_t count_containing(const std::vector<std::string>& lines, std::string_view text) {
  std::size_t n = 0;
  for (const auto& line : lines) n += line.find(text) != std::string::npos ? 1 : 0;
  return n;
}

TEST(AuditFailClosed, FailedSinkRefusesThenRecoversWithoutLoss) {
  AuditDir dir;
  auto state = std::make_shared<MemorySinkState>();
  auto log = dir.open(dir.config(), memory_sink(state));
  ASSERT_THAT(log->record(sample_event("before")), IsOk());
  ASSERT_THAT(log->flush(), IsOk());

  state->failing = true;
  // Accepted: the writer has not failed yet. It stays queued while the sink is down.
  ASSERT_THAT(log->record(sample_event("queued-during-outage")), IsOk());
  ASSERT_TRUE(eventually([&] { return !log->ready().has_value(); }));
  EXPECT_THAT(log->ready(), HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(log->ready().error().message(), HasSubstr("disk on fire"));
  const auto refused = log->record(sample_event("refused"));
  EXPECT_THAT(refused, HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(log->flush(), HasErrorCode(ErrorCode::AuditUnavailable));
  // The writer keeps retrying (every 100 ms) rather than giving up.
  EXPECT_TRUE(eventually([&] { return state->failed_appends >= 3; }));

  state->failing = false;
  ASSERT_TRUE(eventually([&] { return log->ready().has_value(); }));
  ASSERT_THAT(log->record(sample_event("after")), IsOk());
  ASSERT_THAT(log->flush(), IsOk());
  const auto lines = state->snapshot();
  ASSERT_EQ(lines.size(), 4u);  // genesis, before, queued-during-outage, after
  EXPECT_THAT(lines[2], HasSubstr("queued-during-outage"));
  EXPECT_EQ(count_containing(lines, "\"refused\""), 0u);
  const auto report = verify_lines(dir, lines);
  EXPECT_TRUE(report.intact) << report.problem;
}

TEST(AuditFailClosed, FullQueueWaitsMaxWaitThenRefuses) {
  AuditDir dir;
  auto state = std::make_shared<MemorySinkState>();
  auto config = dir.config();
  config.queue_capacity = 4;
  config.max_wait = std::chrono::milliseconds(50);
  auto log = dir.open(config, memory_sink(state));
  state->blocked = true;  // the writer hangs in append(), as on a stalled disk
  int accepted = 0;
  Result<void> last;
  for (int i = 0; i < 20 && (last = log->record(sample_event(fmt::format("q{}", i)))); ++i) {
    ++accepted;
  }
  ASSERT_THAT(last, HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(last.error().message(), HasSubstr("queue full"));
  // At most one batch in the stalled writer plus a full queue.
  EXPECT_LE(accepted, 8);
  state->blocked = false;
  ASSERT_THAT(log->flush(), IsOk());
  const auto lines = state->snapshot();
  EXPECT_EQ(lines.size(), static_cast<std::size_t>(accepted) + 1);
  EXPECT_TRUE(verify_lines(dir, lines).intact);
}

TEST(AuditFailOpen, OpeningStatesThePolicyInTheTrail) {
  AuditDir dir;
  auto config = dir.config();
  config.on_failure = AuditFailurePolicy::FailOpen;
  { auto log = dir.open(config); }
  const auto lines = read_lines(dir.trail());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[1], HasSubstr("\"op\":\"audit_fail_open\""));
  EXPECT_THAT(lines[1], HasSubstr("on_failure = fail_open"));
}

TEST(AuditFailOpen, NeverRefusesAndRecordsWhatItLost) {
  AuditDir dir;
  auto state = std::make_shared<MemorySinkState>();
  auto config = dir.config();
  config.on_failure = AuditFailurePolicy::FailOpen;
  config.queue_capacity = 8;
  auto log = dir.open(config, memory_sink(state));

  state->failing = true;
  ASSERT_THAT(log->record(sample_event("in-flight")), IsOk());
  // Two failed attempts: the writer holds "in-flight" and has marked itself failed.
  ASSERT_TRUE(eventually([&] { return state->failed_appends >= 2; }));
  EXPECT_THAT(log->ready(), IsOk());  // fail-open: operations go on
  for (int i = 0; i < 20; ++i) {
    EXPECT_THAT(log->record(sample_event(fmt::format("x{}", i))), IsOk());
  }
  state->failing = false;
  ASSERT_TRUE(eventually([&] { return log->flush().has_value(); }));
  const auto lines = state->snapshot();
  // genesis, policy notice, in-flight, 8 queued, one loss notice for the other 12.
  ASSERT_EQ(lines.size(), 12u);
  EXPECT_THAT(lines.back(), HasSubstr("\"op\":\"audit_fail_open\""));
  EXPECT_THAT(lines.back(), HasSubstr("lost 12 records"));
  EXPECT_EQ(count_containing(lines, "\"detail\":\"x"), 8u);
  const auto report = verify_lines(dir, lines);
  EXPECT_TRUE(report.intact) << report.problem;
}

// The real file path: the child process gets a file size limit (SIGXFSZ ignored, so write()
// fails with EFBIG), sees the trail refuse, lifts the limit and sees it recover. Exit codes
// name the step that went wrong; the parent then checks the file.
int run_fsize_child(const AuditDir& dir, int& accepted) {
  std::signal(SIGXFSZ, SIG_IGN);
  auto config = dir.config();
  config.durability = AuditDurability::PerRecord;
  auto opened = dir.try_open(config);
  if (!opened) return 10;
  auto& log = **opened;
  const auto size = std::filesystem::file_size(dir.trail());
  rlimit limit{};
  if (::getrlimit(RLIMIT_FSIZE, &limit) != 0) return 11;
  const rlimit original = limit;
  limit.rlim_cur = size + 1000;  // room for two records, not three
  if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 12;
  bool refused = false;
  for (int i = 0; i < 10 && !refused; ++i) {
    // per_record: record() returns once the record is on disk, so the failure shows here. The
    // refused record stays queued (fail-closed loses nothing accepted) and lands on recovery.
    auto recorded = log.record(sample_event(fmt::format("limited{}", i)));
    ++accepted;
    if (!recorded) {
      if (recorded.error().message().find("File too large") == std::string::npos) return 14;
      refused = true;
    }
  }
  if (!refused) return 15;
  if (log.ready() || log.record(sample_event("refused"))) return 16;
  if (::setrlimit(RLIMIT_FSIZE, &original) != 0) return 17;
  if (!eventually([&] { return log.ready().has_value(); })) return 18;
  if (!log.record(sample_event("recovered"))) return 19;
  ++accepted;
  if (!log.flush()) return 20;
  return 0;
}

TEST(AuditFailClosed, RealFileOverItsSizeLimitRefusesThenRecovers) {
  AuditDir dir;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int accepted = 0;
    const int code = run_fsize_child(dir, accepted);
    ::_exit(code == 0 ? 100 + accepted : code);  // success codes carry the count
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  const int code = WEXITSTATUS(status);
  ASSERT_GT(code, 100) << "child failed at step " << code;
  const auto accepted = static_cast<std::size_t>(code - 100);

  const auto lines = read_lines(dir.trail());
  EXPECT_EQ(lines.size(), accepted + 1);  // genesis + every accepted record, none partial
  EXPECT_EQ(count_containing(lines, "\"refused\""), 0u);
  EXPECT_THAT(lines.back(), HasSubstr("\"detail\":\"recovered\""));
  const auto report = dir.verify();
  EXPECT_TRUE(report.intact) << report.problem << " at line " << report.line;
}

}  // namespace
}  // namespace craton::hsm::testing
