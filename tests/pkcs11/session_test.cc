// SPDX-License-Identifier: Apache-2.0
// Session: opened RW + serial, closed exactly once, movable, tolerant of handles the module
// already dropped.
#include "pkcs11/session/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"
#include "support/softhsm_module.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::slot_of;
using ::craton::hsm::testing::softhsm_module;

CK_RV session_state(const Module& module, CK_SESSION_HANDLE handle, CK_SESSION_INFO* info) {
  return module.invoke<Fn::GetSessionInfo>(handle, info);
}

TEST(SessionTest, OpensAReadWriteSerialSessionAndClosesItOnDestruction) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  const std::uint64_t slot = slot_of(*module);
  const auto closes_before = module->call_count(Fn::CloseSession);
  CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
  {
    auto session = Session::open(module, slot);
    ASSERT_THAT(session, IsOk());
    handle = session->handle();
    CK_SESSION_INFO info{};
    ASSERT_EQ(session_state(*module, handle, &info), CKR_OK);
    EXPECT_EQ(info.slotID, slot);
    EXPECT_NE(info.flags & CKF_RW_SESSION, 0u);
    EXPECT_NE(info.flags & CKF_SERIAL_SESSION, 0u);
  }
  CK_SESSION_INFO info{};
  EXPECT_EQ(session_state(*module, handle, &info), CKR_SESSION_HANDLE_INVALID);
  EXPECT_EQ(module->call_count(Fn::CloseSession), closes_before + 1);
}

TEST(SessionTest, MovingTransfersOwnershipWithoutClosing) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  auto opened = Session::open(module, slot_of(*module));
  ASSERT_THAT(opened, IsOk());
  const auto closes_before = module->call_count(Fn::CloseSession);
  Session moved = std::move(*opened);
  EXPECT_FALSE(opened->is_open());  // NOLINT(bugprone-use-after-move): checking the moved-from
  EXPECT_TRUE(moved.is_open());
  EXPECT_EQ(module->call_count(Fn::CloseSession), closes_before);
  CK_SESSION_INFO info{};
  EXPECT_EQ(session_state(*module, moved.handle(), &info), CKR_OK);
}

TEST(SessionTest, MoveAssignmentClosesTheOldSessionFirst) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  auto first = Session::open(module, slot_of(*module));
  auto second = Session::open(module, slot_of(*module));
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  const CK_SESSION_HANDLE old_handle = first->handle();
  *first = std::move(*second);
  CK_SESSION_INFO info{};
  EXPECT_EQ(session_state(*module, old_handle, &info), CKR_SESSION_HANDLE_INVALID);
  EXPECT_EQ(session_state(*module, first->handle(), &info), CKR_OK);
}

TEST(SessionTest, CloseIsIdempotentAndAcceptsAlreadyDroppedHandles) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  const std::uint64_t slot = slot_of(*module);
  auto session = Session::open(module, slot);
  ASSERT_THAT(session, IsOk());
  ASSERT_EQ(module->invoke<Fn::CloseAllSessions>(static_cast<CK_SLOT_ID>(slot)), CKR_OK);
  EXPECT_THAT(session->close(), IsOk()) << "a handle the module dropped is closed already";
  EXPECT_FALSE(session->is_open());
  EXPECT_THAT(session->close(), IsOk());
}

TEST(SessionTest, HoldsTheModuleAlive) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  auto session = Session::open(module, slot_of(*module));
  ASSERT_THAT(session, IsOk());
  const Module* raw = module.get();
  module.reset();
  EXPECT_EQ(&session->module(), raw);
  CK_SESSION_INFO info{};
  EXPECT_EQ(session->invoke<Fn::GetSessionInfo>(&info), CKR_OK);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
