// SPDX-License-Identifier: Apache-2.0
// The pool against a module that misbehaves on purpose (the fault shim over SoftHSM2):
// session limits, missing C_GetSessionInfo, device errors, failed rebuilds, locked PINs.
#include <atomic>
#include <thread>

#include "pkcs11/pool/session_pool.h"
#include "pool_fixture.h"
#include "support/fault_shim.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

Result<void> draw_random(Lease& lease) {
  CK_BYTE random[16];
  return lease.call<Fn::GenerateRandom>(random, CK_ULONG{sizeof random});
}

class PoolFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto module = Module::acquire(FaultShim::module_options());
    ASSERT_THAT(module, IsOk());
    module_ = *module;
  }
  FaultShim shim_;
  std::shared_ptr<const Module> module_;
};

TEST_F(PoolFaultTest, ClampsToTheTokensSessionLimitAndSaysSo) {
  shim_.set("max_rw_sessions", 3);
  EventLog events;
  auto pool = make_pool(module_, {.size = 8}, &events);
  ASSERT_THAT(pool, IsOk());
  EXPECT_EQ((*pool)->size(), 3u);
  EXPECT_EQ(events.count(PoolEventKind::SizeClamped), 1u);
  EXPECT_EQ((*pool)->counters().sessions_opened, 3u);
}

TEST_F(PoolFaultTest, ADeviceErrorRebuildsTheSessionAndTheOperationSucceeds) {
  auto pool = make_pool(module_, {.size = 2});
  ASSERT_THAT(pool, IsOk());
  shim_.fail("C_GenerateRandom", CKR_DEVICE_ERROR, 1);
  EXPECT_THAT((*pool)->run(draw_random), IsOk());
  EXPECT_EQ((*pool)->counters().retries, 1u);
  EXPECT_EQ((*pool)->counters().sessions_rebuilt, 1u);
}

TEST_F(PoolFaultTest, ARemovedDeviceRebuildsTheSession) {
  auto pool = make_pool(module_, {.size = 2});
  ASSERT_THAT(pool, IsOk());
  for (const CK_RV rv : {CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, CKR_SESSION_CLOSED}) {
    shim_.fail("C_GenerateRandom", rv, 1);
    EXPECT_THAT((*pool)->run(draw_random), IsOk()) << rv_name(rv);
  }
  EXPECT_EQ((*pool)->counters().sessions_rebuilt, 3u);
}

TEST_F(PoolFaultTest, AFailedRebuildIsReportedAndNoDeadSessionIsHandedOut) {
  EventLog events;
  auto pool = make_pool(module_, {.size = 1}, &events);
  ASSERT_THAT(pool, IsOk());
  shim_.fail("C_GenerateRandom", CKR_DEVICE_ERROR, 1);
  // Each failed rebuild re-initialises the module and tries once more: two opens per rebuild.
  shim_.fail("C_OpenSession", CKR_TOKEN_NOT_PRESENT, 4);

  // The operation fails, the retry's rebuild fails: a typed error, not a dead session.
  EXPECT_THAT((*pool)->run(draw_random), HasErrorCode(ErrorCode::TokenNotPresent));
  EXPECT_THAT((*pool)->acquire(), HasErrorCode(ErrorCode::TokenNotPresent));
  EXPECT_EQ(events.count(PoolEventKind::SessionRebuildFailed), 2u);
  EXPECT_EQ((*pool)->counters().rebuild_failures, 2u);
  EXPECT_EQ((*pool)->counters().module_reinits, 2u);
  // The token is back: the next acquire rebuilds and works.
  EXPECT_THAT((*pool)->run(draw_random), IsOk());
  EXPECT_EQ((*pool)->counters().sessions_rebuilt, 1u);
}

TEST_F(PoolFaultTest, LogsInWhenTheModuleCannotReportSessionState) {
  shim_.set("session_info_unsupported", 1);
  auto pool = make_pool(module_, {.size = 3});
  ASSERT_THAT(pool, IsOk());
  ASSERT_EQ(module_->invoke<Fn::CloseAllSessions>(static_cast<CK_SLOT_ID>((*pool)->slot())),
            CKR_OK);
  for (int i = 0; i < 10; ++i) EXPECT_THAT((*pool)->run(touch_private_object), IsOk());
}

TEST_F(PoolFaultTest, ALockedPinIsReportedOnceAndNeverRetried) {
  shim_.fail("C_Login", CKR_PIN_LOCKED, 1);
  const auto logins_before = module_->call_count(Fn::Login);
  auto pool = make_pool(module_, {.size = 2});
  EXPECT_THAT(pool, HasErrorCode(ErrorCode::PinLocked));
  EXPECT_EQ(module_->call_count(Fn::Login), logins_before + 1);
}

TEST(ModuleFaultTest, AModuleThatCannotLockGetsOneCallAtATime) {
  FaultShim shim;
  shim.set("cant_lock", 1);
  auto module = Module::acquire(FaultShim::module_options());
  ASSERT_THAT(module, IsOk());
  EXPECT_TRUE((*module)->serializes_calls());
  EXPECT_EQ((*module)->call_count(Fn::Initialize), 2u) << "locking first, then without";
  auto pool = make_pool(*module, {.size = 4});
  ASSERT_THAT(pool, IsOk());
  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 200; ++i) {
          if (!(*pool)->run(draw_random)) ++failures;
        }
      });
    }
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(shim.max_concurrency(), 1u);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
