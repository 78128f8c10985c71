// SPDX-License-Identifier: Apache-2.0
// Records before effects: an intent is on disk before record_intent returns, its outcome names
// it, a verifier lists intents left without an outcome, and per_record durability holds a
// record's caller until the record is on disk.
#include "audit_test_util.h"

#include "audit/record_fields.h"
#include "audit/record_format.h"
#include "audit/tail_anchor.h"

#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

AuditEvent destroy_event(std::string_view uri) {
  AuditEvent event;
  event.operation = AuditOperation::KeyDestroy;
  event.key.resident = std::make_shared<const std::string>(uri);
  return event;
}

std::uint64_t seq_of(const std::string& line) {
  const auto fields = audit::parse_record_fields(line);
  return fields && fields->seq ? *fields->seq : 0;
}

TEST(AuditWriteAhead, IntentIsSyncedBeforeRecordIntentReturnsEvenUnderDurabilityNone) {
  AuditDir dir;
  auto state = std::make_shared<MemorySinkState>();
  auto config = dir.config();
  config.durability = AuditDurability::None;  // plain records are never synced by themselves
  auto log = dir.open(config, memory_sink(state));
  const int syncs_before = state->syncs;
  const auto intent = log->record_intent(destroy_event("pkcs11:object=k1"));
  ASSERT_THAT(intent, IsOk());
  EXPECT_GT(state->syncs, syncs_before);
  const auto lines = state->snapshot();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[1], HasSubstr(R"("op":"key_destroy","key":"pkcs11:object=k1")"));
  EXPECT_THAT(lines[1], HasSubstr(R"("outcome":"intent")"));
}

TEST(AuditWriteAhead, OutcomeNamesItsIntentAndClosesIt) {
  AuditDir dir;
  {
    auto log = dir.open(dir.config());
    const auto intent = log->record_intent(destroy_event("pkcs11:object=k2"));
    ASSERT_THAT(intent, IsOk());
    ASSERT_THAT(log->record(sample_event("in between")), IsOk());
    AuditEvent outcome = destroy_event("pkcs11:object=k2");
    outcome.intent = *intent;
    ASSERT_THAT(log->record(std::move(outcome)), IsOk());
  }
  const auto lines = read_lines(dir.trail());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[1], HasSubstr(R"("outcome":"intent")"));
  EXPECT_THAT(lines[3], HasSubstr(fmt::format(R"("outcome":"ok","intent":{})", seq_of(lines[1]))));
  EXPECT_THAT(lines[2], Not(HasSubstr(R"("intent")")));
  const auto report = dir.verify();
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_TRUE(report.open_intents.empty());
}

// What a kill -9 between the token call and the outcome record leaves behind.
TEST(AuditWriteAhead, VerifyListsAnIntentWithoutOutcome) {
  AuditDir dir;
  {
    auto log = dir.open(dir.config());
    ASSERT_THAT(log->record_intent(destroy_event("pkcs11:object=gone%3F")), IsOk());
    ASSERT_THAT(log->record(sample_event("later")), IsOk());
  }
  const auto report = dir.verify();
  EXPECT_TRUE(report.intact) << report.problem;  // the chain itself is sound
  ASSERT_EQ(report.open_intents.size(), 1u);
  const AuditOpenIntent& open = report.open_intents[0];
  EXPECT_EQ(open.file_index, 0u);
  EXPECT_EQ(open.line, 2u);
  EXPECT_EQ(open.seq, 2u);
  EXPECT_EQ(open.operation, "key_destroy");
  EXPECT_EQ(open.key, "pkcs11:object=gone%3F");
}

TEST(AuditWriteAhead, RefusedIntentIsClosedAsNotRunOnceTheTrailRecovers) {
  AuditDir dir;
  auto state = std::make_shared<MemorySinkState>();
  auto log = dir.open(dir.config(), memory_sink(state));
  state->failing = true;
  const auto intent = log->record_intent(destroy_event("pkcs11:object=k3"));
  ASSERT_THAT(intent, HasErrorCode(ErrorCode::AuditUnavailable));
  state->failing = false;
  ASSERT_TRUE(eventually([&] { return log->flush().has_value(); }));
  const auto lines = state->snapshot();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[1], HasSubstr(R"("outcome":"intent")"));
  EXPECT_THAT(lines[2], HasSubstr(R"("outcome":"error","code":"AuditUnavailable","intent":2)"));
  EXPECT_THAT(lines[2], HasSubstr("not run"));
  const auto copy = dir / "copy.jsonl";
  write_lines(copy, lines);
  const auto report = dir.verify({copy});
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_TRUE(report.open_intents.empty());
}

// Only the writer or a key holder can write such a record; the verifier still says so.
TEST(AuditWriteAhead, OutcomeNamingNoOpenIntentIsReported) {
  AuditDir dir;
  {
    auto log = dir.open(dir.config());
    ASSERT_THAT(log->record(sample_event("a")), IsOk());
    ASSERT_THAT(log->record(sample_event("b")), IsOk());
  }
  auto lines = read_lines(dir.trail());
  ASSERT_EQ(lines.size(), 3u);
  // Re-seal the last record with an "intent" that names record 2, which is no intent.
  std::string last = lines[2].substr(0, lines[2].size() - audit::kMacSuffixLength);
  last.insert(last.find(R"(,"us":)"), R"(,"intent":2)");
  auto mac = key_file_mac(dir.key());
  ASSERT_THAT(audit::seal(last, *mac), IsOk());
  lines[2] = last;
  write_lines(dir.trail(), lines);
  std::filesystem::remove(audit::anchor_path(dir.trail()));
  const auto report = dir.verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.line, 3u);
  EXPECT_THAT(report.problem, HasSubstr("no open intent has that seq"));
}

TEST(AuditDurability, PerRecordReturnsOnlyOnceTheRecordIsOnDisk) {
  AuditDir dir;
  auto state = std::make_shared<MemorySinkState>();
  auto config = dir.config();
  config.durability = AuditDurability::PerRecord;
  auto log = dir.open(config, memory_sink(state));
  state->blocked = true;  // a stalled disk: nothing reaches it
  auto recorded = std::async(std::launch::async, [&] { return log->record(sample_event("p")); });
  EXPECT_EQ(recorded.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout)
      << "per_record released the caller before its record was written";
  const int syncs_before = state->syncs;
  state->blocked = false;
  EXPECT_THAT(recorded.get(), IsOk());
  EXPECT_GT(state->syncs, syncs_before);
  EXPECT_THAT(state->snapshot().back(), HasSubstr(R"("detail":"p")"));
}

TEST(AuditDurability, PerRecordFailsTheCallerWhenItsRecordCannotBeWritten) {
  AuditDir dir;
  auto state = std::make_shared<MemorySinkState>();
  auto config = dir.config();
  config.durability = AuditDurability::PerRecord;
  auto log = dir.open(config, memory_sink(state));
  state->failing = true;
  EXPECT_THAT(log->record(sample_event("refused")), HasErrorCode(ErrorCode::AuditUnavailable));
  state->failing = false;
}

// The default keeps the hot path: record() queues and returns, the disk is not waited for.
TEST(AuditDurability, PerBatchRecordDoesNotWaitForTheDisk) {
  AuditDir dir;
  auto state = std::make_shared<MemorySinkState>();
  auto log = dir.open(dir.config(), memory_sink(state));
  state->blocked = true;
  auto recorded = std::async(std::launch::async, [&] { return log->record(sample_event("q")); });
  EXPECT_EQ(recorded.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  state->blocked = false;
  EXPECT_THAT(recorded.get(), IsOk());
  EXPECT_THAT(log->flush(), IsOk());
}

}  // namespace
}  // namespace craton::hsm::testing
