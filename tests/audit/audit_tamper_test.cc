// SPDX-License-Identifier: Apache-2.0
// Tampering with a finished trail: each kind of change is detected and located by line.
#include "audit_test_util.h"

#include "audit/tail_anchor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// 21 lines: the genesis record (line 1, seq 1) and 20 events (line k holds seq k).
class AuditTamper : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = dir_.open(dir_.config());
    for (int i = 0; i < 20; ++i)
      ASSERT_THAT(log->record(sample_event("e" + std::to_string(i))), IsOk());
    ASSERT_THAT(log->flush(), IsOk());
    log.reset();
    lines_ = read_lines(dir_.trail());
    ASSERT_EQ(lines_.size(), 21u);
    ASSERT_TRUE(dir_.verify().intact);
  }

  void expect_broken_at(std::uint64_t line, std::string_view problem_start) {
    const auto report = dir_.verify();
    EXPECT_FALSE(report.intact);
    EXPECT_EQ(report.file_index, 0u);
    EXPECT_EQ(report.line, line) << report.problem;
    EXPECT_THAT(report.problem, StartsWith(std::string(problem_start)));
  }

  // Changes one byte inside the "in" count of record `line` (1-based): still valid JSON.
  void flip_byte(std::size_t line) {
    auto& text = lines_[line - 1];
    const auto at = text.find("\"in\":32");
    ASSERT_NE(at, std::string::npos);
    text[at + 5] = '4';
    write_lines(dir_.trail(), lines_);
  }

  AuditDir dir_;
  std::vector<std::string> lines_;
};

// The record's own MAC (the "mac" field) covers its content, so a change is reported at the
// changed line itself, not one line later.
TEST_F(AuditTamper, FlippedByteIsReportedAtItsOwnLine) {
  flip_byte(8);
  expect_broken_at(8, "record MAC mismatch");
}

TEST_F(AuditTamper, FlippedByteInTheLastRecordIsReported) {
  flip_byte(21);
  expect_broken_at(21, "record MAC mismatch");
}

TEST_F(AuditTamper, FlippedByteInTheGenesisIsReported) {
  auto& genesis = lines_[0];
  genesis[genesis.find("audit-token")] = 'A';
  write_lines(dir_.trail(), lines_);
  expect_broken_at(1, "record MAC mismatch");
}

TEST_F(AuditTamper, ReplacedMacFieldIsReported) {
  auto& text = lines_[4];
  text[text.size() - 3] = text[text.size() - 3] == '0' ? '1' : '0';
  write_lines(dir_.trail(), lines_);
  expect_broken_at(5, "record MAC mismatch");
}

// Deleting line k leaves record k+1 at line k: its sequence number is one too high.
TEST_F(AuditTamper, DeletedRecordIsReportedWhereItWas) {
  lines_.erase(lines_.begin() + 7);  // line 8
  write_lines(dir_.trail(), lines_);
  expect_broken_at(8, "sequence gap: expected 8, found 9");
}

TEST_F(AuditTamper, SwappedRecordsAreReportedAtTheFirst) {
  std::swap(lines_[9], lines_[10]);  // lines 10 and 11
  write_lines(dir_.trail(), lines_);
  expect_broken_at(10, "sequence gap: expected 10, found 11");
}

TEST_F(AuditTamper, DuplicatedRecordIsReportedAtTheCopy) {
  // A genuine record replayed: its own MAC holds, its sequence number does not fit (and
  // renumbering it would break its MAC).
  lines_.insert(lines_.begin() + 5, lines_[2]);
  write_lines(dir_.trail(), lines_);
  expect_broken_at(6, "sequence gap: expected 6, found 3");
}

TEST_F(AuditTamper, ForgedRecordWithoutTheKeyIsReported) {
  std::string forged = lines_[5];
  forged.replace(forged.find("\"e4\""), 4, "\"xx\"");
  lines_[5] = forged;
  write_lines(dir_.trail(), lines_);
  expect_broken_at(6, "record MAC mismatch");
}

TEST_F(AuditTamper, LineCutInTheMiddleIsReportedAsTruncated) {
  std::string text = read_file(dir_.trail());
  text.resize(text.size() - 40);  // inside the last record, which loses its newline
  write_file(dir_.trail(), text);
  expect_broken_at(21, "truncated: last line is incomplete");
}

TEST_F(AuditTamper, RemovedTrailingRecordsAreReportedThroughTheAnchor) {
  lines_.resize(18);
  write_lines(dir_.trail(), lines_);
  // Line 19 is where the first missing record should be.
  expect_broken_at(19, "truncated: anchor says seq 21, file ends at 18");
}

// The documented limit: with the anchor removed too, removing trailing records is invisible.
TEST_F(AuditTamper, RemovedTrailingRecordsWithoutAnchorGoUnnoticed) {
  lines_.resize(18);
  write_lines(dir_.trail(), lines_);
  std::filesystem::remove(audit::anchor_path(dir_.trail()));
  const auto report = dir_.verify();
  EXPECT_TRUE(report.intact);
  EXPECT_EQ(report.records, 18u);
}

TEST_F(AuditTamper, AlteredAnchorIsReported) {
  const auto anchor = audit::anchor_path(dir_.trail());
  std::string text = read_file(anchor);
  text.replace(text.find("\"seq\":21"), 8, "\"seq\":18");
  write_file(anchor, text);
  const auto report = dir_.verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.line, 0u);  // not a line of the trail: the anchor itself
  EXPECT_THAT(report.problem, HasSubstr("MAC does not verify"));
}

TEST_F(AuditTamper, ReopeningATruncatedTrailIsRefused) {
  lines_.resize(18);
  write_lines(dir_.trail(), lines_);
  auto log = dir_.try_open(dir_.config());
  ASSERT_THAT(log, HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(log.error().message(), HasSubstr("truncated: anchor says seq 21, file ends at 18"));
}

TEST_F(AuditTamper, ReopeningAfterAPartialLineIsRefused) {
  std::string text = read_file(dir_.trail());
  text.resize(text.size() - 40);
  write_file(dir_.trail(), text);
  auto log = dir_.try_open(dir_.config());
  ASSERT_THAT(log, HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(log.error().message(), HasSubstr("incomplete record"));
  EXPECT_EQ(read_file(dir_.trail()), text);  // refused without touching the file
}

TEST_F(AuditTamper, GenesisRemovedIsReported) {
  lines_.erase(lines_.begin());
  write_lines(dir_.trail(), lines_);
  expect_broken_at(1, "file does not begin with a genesis record");
}

TEST_F(AuditTamper, GarbageLineIsReported) {
  lines_[3] = "not json";
  write_lines(dir_.trail(), lines_);
  expect_broken_at(4, "unparseable record");
}

}  // namespace
}  // namespace craton::hsm::testing
