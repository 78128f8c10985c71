// SPDX-License-Identifier: Apache-2.0
// The chain over one file, across restarts and across rotated files.
#include "audit_test_util.h"

#include "audit/record_fields.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::uint64_t seq_of(const std::string& line) {
  const auto fields = audit::parse_record_fields(line);
  EXPECT_TRUE(fields.has_value()) << line;
  return fields && fields->seq ? *fields->seq : 0;
}

std::string op_of(const std::string& line) {
  const auto fields = audit::parse_record_fields(line);
  return fields ? std::string(fields->op) : "";
}

void record_n(AuditLog& log, int n, const std::string& tag = "r") {
  for (int i = 0; i < n; ++i) {
    ASSERT_THAT(log.record(sample_event(tag + std::to_string(i))), IsOk());
  }
}

TEST(AuditChain, HundredRecordsVerifyWithGapFreeSequence) {
  AuditDir dir;
  {
    auto log = dir.open(dir.config());
    record_n(*log, 100);
    ASSERT_THAT(log->flush(), IsOk());
  }
  const auto lines = read_lines(dir.trail());
  ASSERT_EQ(lines.size(), 101u);
  EXPECT_EQ(op_of(lines[0]), "genesis");
  EXPECT_THAT(lines[0], HasSubstr("\"prev_file\":\"\""));
  for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(seq_of(lines[i]), i + 1);
  const auto report = dir.verify();
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.records, 101u);
}

TEST(AuditChain, EachRecordsPrevIsThePreviousRecordsMac) {
  AuditDir dir;
  {
    auto log = dir.open(dir.config());
    record_n(*log, 3);
  }
  const auto lines = read_lines(dir.trail());
  ASSERT_EQ(lines.size(), 4u);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto fields = audit::parse_record_fields(lines[i]);
    ASSERT_TRUE(fields && fields->prev);
    EXPECT_EQ(*fields->prev, audit::sealed_mac(lines[i - 1]));
  }
}

TEST(AuditChain, DestructorDrainsTheQueueWithoutFlush) {
  AuditDir dir;
  { record_n(*dir.open(dir.config()), 500); }
  EXPECT_EQ(read_lines(dir.trail()).size(), 501u);
}

TEST(AuditChain, RestartContinuesSequenceAndChain) {
  AuditDir dir;
  {
    auto log = dir.open(dir.config());
    record_n(*log, 10, "first");
  }
  {
    auto log = dir.open(dir.config());
    record_n(*log, 10, "second");
  }
  const auto lines = read_lines(dir.trail());
  ASSERT_EQ(lines.size(), 22u);  // genesis, 10, restart, 10
  EXPECT_EQ(op_of(lines[11]), "restart");
  EXPECT_EQ(seq_of(lines[11]), 12u);
  EXPECT_EQ(seq_of(lines[21]), 22u);
  EXPECT_THAT(lines[12], HasSubstr("\"detail\":\"second0\""));
  const auto report = dir.verify();
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.records, 22u);
}

TEST(AuditChain, RestartWithAnotherKeyIsRefused) {
  AuditDir dir;
  { record_n(*dir.open(dir.config()), 2); }
  write_key_file(dir / "other-key", 48);
  auto log = AuditLog::open(dir.config(), key_file_mac(dir / "other-key"), sample_origin());
  ASSERT_THAT(log, HasErrorCode(ErrorCode::AuditUnavailable));
  // The anchor is checked first; either it or the last record names the key as the cause.
  EXPECT_THAT(log.error().message(), HasSubstr("another key"));
}

class AuditRotation : public ::testing::Test {
 protected:
  // Small files: each flush ends a batch, so rotation happens every few records.
  void write_rotated_trail(int records) {
    auto config = dir_.config();
    config.rotate_bytes = 2000;
    auto log = dir_.open(config);
    for (int i = 0; i < records; ++i) {
      ASSERT_THAT(log->record(sample_event("rot" + std::to_string(i))), IsOk());
      ASSERT_THAT(log->flush(), IsOk());
    }
  }
  AuditDir dir_;
};

TEST_F(AuditRotation, RotatedFilesVerifyAsOneChain) {
  write_rotated_trail(40);
  const auto files = trail_files(dir_.trail());
  ASSERT_GE(files.size(), 3u);
  // Rotated names carry the first sequence number of the file, zero-padded to 20 digits.
  EXPECT_EQ(files[0].filename().string(), "audit.jsonl.00000000000000000001");
  std::uint64_t records = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto lines = read_lines(files[i]);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(op_of(lines[0]), "genesis") << files[i];
    if (i > 0) {
      const auto previous = read_lines(files[i - 1]);
      EXPECT_THAT(lines[0], HasSubstr("\"prev_file\":\"" +
                                      std::string(audit::sealed_mac(previous.back())) + "\""));
      EXPECT_EQ(seq_of(lines[0]), seq_of(previous.back()) + 1);
    }
    records += lines.size();
  }
  const auto report = dir_.verify(files);
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.records, records);
  EXPECT_EQ(records, 40u + files.size());  // every event plus one genesis per file
}

TEST_F(AuditRotation, MissingMiddleFileIsReportedAtTheNextGenesis) {
  write_rotated_trail(40);
  auto files = trail_files(dir_.trail());
  ASSERT_GE(files.size(), 3u);
  files.erase(files.begin() + 1);
  const auto report = dir_.verify(files);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.file_index, 1u);
  EXPECT_EQ(report.line, 1u);
  EXPECT_THAT(report.problem, StartsWith("rotation link broken"));
}

TEST_F(AuditRotation, SwappedFilesAreReported) {
  write_rotated_trail(40);
  auto files = trail_files(dir_.trail());
  ASSERT_GE(files.size(), 3u);
  std::swap(files[0], files[1]);
  const auto report = dir_.verify(files);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.file_index, 1u);
  EXPECT_EQ(report.line, 1u);
}

TEST_F(AuditRotation, RestartAfterRotationKeepsTheChain) {
  write_rotated_trail(20);
  {
    auto log = dir_.open(dir_.config());
    record_n(*log, 5, "after");
  }
  const auto report = dir_.verify();
  EXPECT_TRUE(report.intact) << report.problem;
}

TEST_F(AuditRotation, RemovedLiveFileRestartsFromTheAnchorAndShowsTheGap) {
  write_rotated_trail(20);
  const auto before = trail_files(dir_.trail());
  const auto live_lines = read_lines(dir_.trail());
  ASSERT_FALSE(live_lines.empty());
  std::filesystem::remove(dir_.trail());
  { record_n(*dir_.open(dir_.config()), 3, "new"); }
  // The new file's genesis continues from the anchor: seq and prev_file name the removed file.
  const auto lines = read_lines(dir_.trail());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(seq_of(lines[0]), seq_of(live_lines.back()) + 1);
  const auto report = dir_.verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.file_index, before.size() - 1);
  EXPECT_EQ(report.line, 1u);
  EXPECT_THAT(report.problem, StartsWith("rotation link broken"));
}

}  // namespace
}  // namespace craton::hsm::testing
