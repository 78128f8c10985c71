// SPDX-License-Identifier: Apache-2.0
// The trail's writer lock: a second writer waits up to lock_timeout for the first to close,
// then continues the chain; a holder that stays longer gets a typed error that names the
// setting; and a waiter whose file was moved away meanwhile writes at the path, not into it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "audit_test_util.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using ::testing::HasSubstr;

AuditConfig with_lock_timeout(const AuditDir& dir, milliseconds timeout) {
  AuditConfig config = dir.config();
  config.lock_timeout = timeout;
  return config;
}

std::size_t lines_with(const std::filesystem::path& file, std::string_view text) {
  std::size_t count = 0;
  for (const std::string& line : read_lines(file)) count += line.find(text) != std::string::npos;
  return count;
}

TEST(AuditLock, TheDefaultWaitsAFewSeconds) {
  EXPECT_GE(AuditConfig{}.lock_timeout, std::chrono::seconds(2));
  EXPECT_LE(AuditConfig{}.lock_timeout, std::chrono::seconds(10));
}

TEST(AuditLock, ASecondWriterWaitsForTheFirstAndContinuesTheChain) {
  AuditDir dir;
  auto first = dir.open(dir.config());
  ASSERT_TRUE(first->record(sample_event("first writer")).has_value());
  std::thread closer([&first] {
    std::this_thread::sleep_for(milliseconds(300));
    first.reset();  // writes its last records and releases the lock
  });
  const auto start = steady_clock::now();
  auto second = dir.try_open(with_lock_timeout(dir, milliseconds(10'000)));
  const auto waited = steady_clock::now() - start;
  closer.join();
  ASSERT_TRUE(second.has_value()) << second.error();
  EXPECT_GE(waited, milliseconds(250));
  ASSERT_TRUE((*second)->record(sample_event("second writer")).has_value());
  second->reset();

  const AuditVerifyReport report = dir.verify();
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(lines_with(dir.trail(), "first writer"), 1u);
  EXPECT_EQ(lines_with(dir.trail(), "second writer"), 1u);
}

TEST(AuditLock, AHolderLongerThanTheTimeoutIsAuditUnavailableNamingTheSetting) {
  AuditDir dir;
  auto first = dir.open(dir.config());
  const auto start = steady_clock::now();
  const auto second = dir.try_open(with_lock_timeout(dir, milliseconds(200)));
  const auto waited = steady_clock::now() - start;
  ASSERT_THAT(second, HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(second.error().message(), HasSubstr("already in use by another audit writer"));
  EXPECT_THAT(second.error().message(), HasSubstr("lock_timeout_ms"));
  EXPECT_GE(waited, milliseconds(200));
  EXPECT_LT(waited, milliseconds(3000));
  // The holder is untouched.
  EXPECT_TRUE(first->record(sample_event("still writing")).has_value());
  EXPECT_TRUE(first->flush().has_value());
}

TEST(AuditLock, ZeroTimeoutRefusesAtOnce) {
  AuditDir dir;
  auto first = dir.open(dir.config());
  const auto start = steady_clock::now();
  EXPECT_THAT(dir.try_open(with_lock_timeout(dir, milliseconds(0))),
              HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_LT(steady_clock::now() - start, milliseconds(150));
}

// The waiter opened the file the path named; while it waited that file was moved away. Once the
// holder lets go, the lock it gets is on the moved file: appending there would fork the chain
// into a file nobody reads as the trail.
TEST(AuditLock, AWaiterWritesAtThePathWhenTheFileWasMovedWhileItWaited) {
  AuditDir dir;
  auto first = dir.open(dir.config());
  Result<std::unique_ptr<AuditLog>> second = fail(ErrorCode::Internal, "not opened");
  std::thread waiter([&] { second = dir.try_open(with_lock_timeout(dir, milliseconds(10'000))); });
  std::this_thread::sleep_for(milliseconds(300));  // the waiter has opened and is polling
  const auto moved = dir / "moved.jsonl";
  std::filesystem::rename(dir.trail(), moved);
  first.reset();
  waiter.join();
  ASSERT_TRUE(second.has_value()) << second.error();
  ASSERT_TRUE((*second)->record(sample_event("after the move")).has_value());
  ASSERT_TRUE((*second)->flush().has_value());
  EXPECT_EQ(lines_with(moved, "after the move"), 0u) << "written into the moved file";
  EXPECT_EQ(lines_with(dir.trail(), "after the move"), 1u);
}

}  // namespace
}  // namespace craton::hsm::testing
