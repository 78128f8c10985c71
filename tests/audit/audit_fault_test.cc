// SPDX-License-Identifier: Apache-2.0
// The trail file under real write failures from tests/support/write_fault: a write torn
// half-way whose undo fails too is never glued onto (for ENOSPC, EIO and EFBIG), and a failed
// fsync stops the writer for good instead of being retried into a false success.
#include "audit_test_util.h"

#include <cstring>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"
#include "write_fault_control.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;

// Disarms the injector however the test ends.
struct Armed {
  Armed(const std::filesystem::path& file, int error, unsigned calls, bool partial,
        unsigned long after = 0) {
    craton_write_fault_arm(file.c_str(), error, after, calls, partial ? 1 : 0);
  }
  ~Armed() { craton_write_fault_disarm(); }
  Armed(const Armed&) = delete;
  Armed& operator=(const Armed&) = delete;
};

std::string errno_name(const ::testing::TestParamInfo<int>& info) {
  switch (info.param) {
    case ENOSPC:
      return "ENOSPC";
    case EIO:
      return "EIO";
    case EFBIG:
      return "EFBIG";
    default:
      return "errno" + std::to_string(info.param);
  }
}

class AuditWriteFailure : public ::testing::TestWithParam<int> {};

// The write stops half-way and removing the fragment fails too: the fragment must be gone
// before anything else is appended, or the next record would be glued onto it.
TEST_P(AuditWriteFailure, TornWriteWhoseUndoFailsIsNeverGluedOnto) {
  const int error = GetParam();
  AuditDir dir;
  auto log = dir.open(dir.config());
  ASSERT_THAT(log->record(sample_event("before")), IsOk());
  ASSERT_THAT(log->flush(), IsOk());
  {
    const Armed armed(dir.trail(), error, kWriteFaultWrite | kWriteFaultTruncate, true);
    ASSERT_THAT(log->record(sample_event("during")), IsOk());  // queued: the writer is fine yet
    const auto flushed = log->flush();
    ASSERT_THAT(flushed, HasErrorCode(ErrorCode::AuditUnavailable));
    EXPECT_THAT(flushed.error().message(), HasSubstr(std::strerror(error)));
    EXPECT_THAT(log->record(sample_event("refused")), HasErrorCode(ErrorCode::AuditUnavailable));
    EXPECT_GE(craton_write_fault_failures(), 2u);
  }
  // The disk is back: the fragment goes first, then the held record, then new ones.
  ASSERT_TRUE(eventually([&] { return log->ready().has_value(); }));
  ASSERT_THAT(log->record(sample_event("after")), IsOk());
  ASSERT_THAT(log->flush(), IsOk());
  log.reset();
  const auto lines = read_lines(dir.trail());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[2], HasSubstr(R"("detail":"during")"));
  EXPECT_THAT(lines[3], HasSubstr(R"("detail":"after")"));
  const auto report = dir.verify();
  EXPECT_TRUE(report.intact) << report.problem << " at line " << report.line;
}

// A process that dies while the fragment is still there leaves a torn tail: the next one cuts
// it off and continues the chain.
TEST_P(AuditWriteFailure, FragmentLeftByADyingWriterIsCutOffByTheNext) {
  const int error = GetParam();
  AuditDir dir;
  {
    auto log = dir.open(dir.config());
    ASSERT_THAT(log->flush(), IsOk());
    const Armed armed(dir.trail(), error, kWriteFaultWrite | kWriteFaultTruncate, true);
    ASSERT_THAT(log->record(sample_event("lost with the process")), IsOk());
    ASSERT_THAT(log->flush(), HasErrorCode(ErrorCode::AuditUnavailable));
    log.reset();  // gives up after its shutdown grace, the fragment still in the file
  }
  ASSERT_FALSE(read_file(dir.trail()).ends_with('\n')) << "the injector tore no write";
  {
    auto log = dir.open(dir.config());
    ASSERT_NE(log, nullptr);
  }
  const auto lines = read_lines(dir.trail());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[1], HasSubstr("cut off"));
  const auto report = dir.verify();
  EXPECT_TRUE(report.intact) << report.problem << " at line " << report.line;
}

INSTANTIATE_TEST_SUITE_P(Errnos, AuditWriteFailure, ::testing::Values(ENOSPC, EIO, EFBIG),
                         errno_name);

// After a failed fsync the kernel may have dropped the dirty pages and report the next fsync
// as a success; the writer must not take that for recovery.
TEST(AuditSyncFailure, FailedFsyncStopsTheWriterForGood) {
  AuditDir dir;
  auto log = dir.open(dir.config());
  ASSERT_THAT(log->flush(), IsOk());
  {
    const Armed armed(dir.trail(), EIO, kWriteFaultSync, false);
    ASSERT_THAT(log->record(sample_event("unsynced")), IsOk());
    const auto flushed = log->flush();
    ASSERT_THAT(flushed, HasErrorCode(ErrorCode::AuditUnavailable));
    EXPECT_THAT(flushed.error().message(), HasSubstr("Input/output error"));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // three retry intervals
  EXPECT_THAT(log->ready(), HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(log->record(sample_event("refused")), HasErrorCode(ErrorCode::AuditUnavailable));
  log.reset();
  // Reopening checks the file's tail and continues from what is really there.
  {
    auto reopened = dir.open(dir.config());
    ASSERT_NE(reopened, nullptr);
    ASSERT_THAT(reopened->record(sample_event("after reopen")), IsOk());
  }
  const auto report = dir.verify();
  EXPECT_TRUE(report.intact) << report.problem << " at line " << report.line;
  EXPECT_EQ(read_file(dir.trail()).find("refused"), std::string::npos);
}

}  // namespace
}  // namespace craton::hsm::testing
