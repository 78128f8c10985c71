// SPDX-License-Identifier: Apache-2.0
// Administrative events through the AuditRelay: under fail-closed one the trail refuses is held
// and fails every operation until it is written; under fail-open a lost one is counted and
// recorded as lost. Never dropped without a trace.
#include "audit/audit_test_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audited/audit_relay.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;

AuditEvent admin_event(std::string detail) {
  AuditEvent event;
  event.operation = AuditOperation::PoolRebuild;
  event.detail = std::move(detail);
  return event;
}

AuditEvent start_event() {
  AuditEvent event;
  event.operation = AuditOperation::BackendStart;
  return event;
}

std::size_t count_containing(const std::vector<std::string>& lines, std::string_view text) {
  std::size_t n = 0;
  for (const auto& line : lines) n += line.find(text) != std::string::npos ? 1 : 0;
  return n;
}

TEST(AuditRelayFailClosed, RefusedEventIsHeldAndFailsOperationsUntilWritten) {
  AuditDir dir;
  auto state = std::make_shared<MemorySinkState>();
  std::shared_ptr<AuditLog> log = dir.open(dir.config(), memory_sink(state));
  audited::AuditRelay relay;
  relay.attach(log, start_event());
  ASSERT_THAT(relay.drain(), IsOk());

  state->failing = true;
  ASSERT_THAT(log->record(sample_event("trips the writer")), IsOk());
  ASSERT_TRUE(eventually([&] { return !log->ready().has_value(); }));
  relay.record(admin_event("session 3 rebuilt while the disk was full"));
  EXPECT_THAT(relay.drain(), HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(relay.drain().error().message(), HasSubstr("1 administrative audit events"));

  state->failing = false;
  ASSERT_TRUE(eventually([&] { return relay.drain().has_value(); }));
  ASSERT_THAT(log->flush(), IsOk());
  const auto lines = state->snapshot();
  EXPECT_EQ(count_containing(lines, "session 3 rebuilt while the disk was full"), 1u);
  relay.detach();
}

TEST(AuditRelayFailClosed, EventsBeforeAttachFollowTheStartEvent) {
  AuditDir dir;
  auto state = std::make_shared<MemorySinkState>();
  std::shared_ptr<AuditLog> log = dir.open(dir.config(), memory_sink(state));
  audited::AuditRelay relay;
  relay.record(admin_event("first login"));
  relay.attach(log, start_event());
  ASSERT_THAT(relay.drain(), IsOk());
  ASSERT_THAT(log->flush(), IsOk());
  const auto lines = state->snapshot();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[1], HasSubstr(R"("op":"backend_start")"));
  EXPECT_THAT(lines[2], HasSubstr("first login"));
  relay.detach();
}

TEST(AuditRelayFailOpen, LostEventsAreCountedAndRecordedAsLost) {
  AuditDir dir;
  auto state = std::make_shared<MemorySinkState>();
  auto config = dir.config();
  config.on_failure = AuditFailurePolicy::FailOpen;
  config.queue_capacity = 2;
  std::shared_ptr<AuditLog> log = dir.open(config, memory_sink(state));
  audited::AuditRelay relay;
  relay.attach(log, start_event());
  ASSERT_THAT(log->flush(), IsOk());
  state->failing = true;
  ASSERT_THAT(log->record(sample_event("in flight")), IsOk());
  ASSERT_TRUE(eventually([&] { return state->failed_appends >= 2; }));
  for (int i = 0; i < 5; ++i) relay.record(admin_event("rebuild " + std::to_string(i)));
  EXPECT_THAT(relay.drain(), IsOk()) << "fail-open: never held";
  state->failing = false;
  ASSERT_TRUE(eventually([&] { return log->flush().has_value(); }));
  const auto lines = state->snapshot();
  // Two fit the queue; the other three are counted and the trail says so.
  EXPECT_EQ(count_containing(lines, R"("detail":"rebuild )"), 2u);
  EXPECT_THAT(lines.back(), HasSubstr("lost 3 records"));
  relay.detach();
}

}  // namespace
}  // namespace craton::hsm::testing
