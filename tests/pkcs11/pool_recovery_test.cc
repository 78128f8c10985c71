// SPDX-License-Identifier: Apache-2.0
// Recovery: sessions closed underneath the pool are rebuilt (and re-logged in once) before
// they are used again, and operations carry on.
#include <atomic>
#include <thread>

#include "pkcs11/pool/session_pool.h"
#include "pool_fixture.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::softhsm_module;

TEST(PoolRecoveryTest, EveryOperationWorksAfterAllSessionsAreClosedUnderneath) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  EventLog events;
  auto pool = make_pool(module, {.size = 4}, &events);
  ASSERT_THAT(pool, IsOk());
  const auto logins_before = module->call_count(Fn::Login);

  // Kills every session and, with the last one, the login (PKCS#11 v2.40 §5.6).
  ASSERT_EQ(module->invoke<Fn::CloseAllSessions>(static_cast<CK_SLOT_ID>((*pool)->slot())), CKR_OK);
  for (int i = 0; i < 40; ++i) {
    EXPECT_THAT((*pool)->run(touch_private_object), IsOk()) << "operation " << i;
  }
  const PoolCounters counters = (*pool)->counters();
  EXPECT_GE(counters.sessions_rebuilt, 1u);
  EXPECT_GE(counters.retries, 1u);
  EXPECT_EQ(counters.rebuild_failures, 0u);
  EXPECT_EQ(module->call_count(Fn::Login), logins_before + 1)
      << "one re-login, not one per session";
  EXPECT_EQ(events.count(PoolEventKind::SessionRebuilt), counters.sessions_rebuilt);
}

TEST(PoolRecoveryTest, ConcurrentRecoveryLogsInOnce) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  auto pool = make_pool(module, {.size = 4});
  ASSERT_THAT(pool, IsOk());
  const auto logins_before = module->call_count(Fn::Login);
  ASSERT_EQ(module->invoke<Fn::CloseAllSessions>(static_cast<CK_SLOT_ID>((*pool)->slot())), CKR_OK);

  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 25; ++i) {
          if (!(*pool)->run(touch_private_object)) ++failures;
        }
      });
    }
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(module->call_count(Fn::Login), logins_before + 1);
  EXPECT_GE((*pool)->counters().sessions_rebuilt, 1u);
  EXPECT_LE((*pool)->counters().sessions_rebuilt, 4u);
}

TEST(PoolRecoveryTest, AMarkedSessionIsRebuiltBeforeItIsHandedOutAgain) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  auto pool = make_pool(module, {.size = 1});
  ASSERT_THAT(pool, IsOk());
  CK_SESSION_HANDLE old_handle = CK_INVALID_HANDLE;
  {
    auto lease = (*pool)->acquire();
    ASSERT_THAT(lease, IsOk());
    old_handle = lease->session().handle();
    lease->note_failure(HsmError(ErrorCode::DeviceError, "simulated"));
  }
  auto lease = (*pool)->acquire();
  ASSERT_THAT(lease, IsOk());
  EXPECT_NE(lease->session().handle(), old_handle);
  EXPECT_EQ((*pool)->counters().sessions_rebuilt, 1u);
  CK_SESSION_INFO info{};
  EXPECT_EQ(module->invoke<Fn::GetSessionInfo>(old_handle, &info), CKR_SESSION_HANDLE_INVALID)
      << "the distrusted session was closed, not leaked";
  EXPECT_THAT(touch_private_object(*lease), IsOk());
}

TEST(PoolRecoveryTest, ErrorsThatAreNotAboutTheSessionAreNotRetried) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  auto pool = make_pool(module, {.size = 1});
  ASSERT_THAT(pool, IsOk());
  int calls = 0;
  auto result = (*pool)->run([&](Lease& lease) -> Result<void> {
    ++calls;
    CK_MECHANISM bogus{CKM_VENDOR_DEFINED + 0x777, nullptr, 0};
    return lease.call<Fn::DigestInit>(&bogus);
  });
  EXPECT_THAT(result, ::craton::hsm::testing::HasErrorCode(ErrorCode::MechanismInvalid));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ((*pool)->counters().retries, 0u);
  EXPECT_EQ((*pool)->counters().sessions_rebuilt, 0u);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
