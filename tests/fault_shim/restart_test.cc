// SPDX-License-Identifier: Apache-2.0
// The HSM restarting, vanishing for a while, and running out of sessions.
#include <atomic>
#include <chrono>
#include <thread>

#include "shim_fixture.h"

namespace craton::hsm::testing {
namespace {

using pkcs11::Fn;
using std::chrono::milliseconds;

class RestartTest : public ShimTest {
 protected:
  CK_STATE state(CK_SESSION_HANDLE session) const {
    CK_SESSION_INFO info{};
    EXPECT_EQ(call<Fn::GetSessionInfo>(session, &info), CKR_OK);
    return info.state;
  }
  CK_RV encrypt_init(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key) const {
    CK_MECHANISM mechanism{CKM_AES_ECB, nullptr, 0};
    return call<Fn::EncryptInit>(session, &mechanism, key);
  }
};

TEST_F(RestartTest, OldSessionsAreInvalidAndTheLoginIsGone) {
  const CK_SESSION_HANDLE old_session = open();
  ASSERT_EQ(state(old_session), CKS_RW_USER_FUNCTIONS);
  shim_.restart();
  EXPECT_EQ(random(old_session), CKR_SESSION_HANDLE_INVALID);
  EXPECT_EQ(call<Fn::CloseSession>(old_session), CKR_SESSION_HANDLE_INVALID);
  const CK_SESSION_HANDLE fresh = open(false);
  EXPECT_EQ(state(fresh), CKS_RW_PUBLIC_SESSION) << "the restart logged everyone out";
  EXPECT_EQ(fresh >> 32, (old_session >> 32) + 1) << "handles carry the restart epoch";
  EXPECT_EQ(shim_.stats().restarts, 1u);
}

TEST_F(RestartTest, ALostLoginKeepsTheSessionsAndTheirHandles) {
  const CK_SESSION_HANDLE session = open();
  ASSERT_EQ(state(session), CKS_RW_USER_FUNCTIONS);
  shim_.log_out();
  EXPECT_EQ(state(session), CKS_RW_PUBLIC_SESSION) << "the login is gone";
  EXPECT_EQ(random(session), CKR_OK) << "the session is not";
  EXPECT_EQ(shim_.stats().restarts, 0u);
  EXPECT_EQ(shim_.stats().live_sessions, 1u);
}

TEST_F(RestartTest, OldKeyHandlesAreStaleAndTokenObjectsAreFoundAgain) {
  const CK_SESSION_HANDLE session = open();
  const CK_OBJECT_HANDLE token_key = aes_key(session, true, label("token"));
  const CK_OBJECT_HANDLE session_key = aes_key(session, false, label("session"));
  ASSERT_EQ(encrypt_init(session, token_key), CKR_OK);
  shim_.restart();

  const CK_SESSION_HANDLE fresh = open();
  EXPECT_EQ(encrypt_init(fresh, token_key), CKR_KEY_HANDLE_INVALID);
  CK_ULONG size = 0;
  EXPECT_EQ(call<Fn::GetObjectSize>(fresh, token_key, &size), CKR_OBJECT_HANDLE_INVALID);
  EXPECT_EQ(call<Fn::DestroyObject>(fresh, session_key), CKR_OBJECT_HANDLE_INVALID);

  const auto found = find(fresh, label("token"));
  ASSERT_EQ(found.size(), 1u) << "token objects survive a restart";
  EXPECT_NE(found[0], token_key);
  EXPECT_EQ(find(fresh, label("token")), found) << "one object, one handle";
  EXPECT_TRUE(find(fresh, label("session")).empty()) << "session objects die with the HSM";
  EXPECT_EQ(encrypt_init(fresh, found[0]), CKR_OK);
  EXPECT_EQ(call<Fn::DestroyObject>(fresh, found[0]), CKR_OK);
}

TEST_F(RestartTest, WrapAndUnwrapKeysAreCheckedAsWell) {
  const CK_SESSION_HANDLE session = open();
  const CK_OBJECT_HANDLE key = aes_key(session, false, label("key"));
  shim_.restart();
  const CK_SESSION_HANDLE fresh = open();
  const CK_OBJECT_HANDLE live = aes_key(fresh, false, label("live"));
  CK_MECHANISM wrap{CKM_AES_KEY_WRAP, nullptr, 0};
  CK_BYTE wrapped[64];
  CK_ULONG wrapped_len = sizeof wrapped;
  EXPECT_EQ(call<Fn::WrapKey>(fresh, &wrap, key, live, wrapped, &wrapped_len),
            CKR_WRAPPING_KEY_HANDLE_INVALID);
  EXPECT_EQ(call<Fn::WrapKey>(fresh, &wrap, live, key, wrapped, &wrapped_len),
            CKR_KEY_HANDLE_INVALID);
  ASSERT_EQ(call<Fn::WrapKey>(fresh, &wrap, live, live, wrapped, &wrapped_len), CKR_OK);
  CK_OBJECT_HANDLE unwrapped = CK_INVALID_HANDLE;
  CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
  CK_KEY_TYPE aes = CKK_AES;
  CK_ATTRIBUTE attributes[] = {{CKA_CLASS, &secret, sizeof secret},
                               {CKA_KEY_TYPE, &aes, sizeof aes}};
  EXPECT_EQ(call<Fn::UnwrapKey>(fresh, &wrap, key, wrapped, wrapped_len, attributes, CK_ULONG{2},
                                &unwrapped),
            CKR_UNWRAPPING_KEY_HANDLE_INVALID);
  ASSERT_EQ(call<Fn::UnwrapKey>(fresh, &wrap, live, wrapped, wrapped_len, attributes, CK_ULONG{2},
                                &unwrapped),
            CKR_OK);
  EXPECT_EQ(encrypt_init(fresh, unwrapped), CKR_OK) << "unwrapped keys get usable handles";
}

TEST_F(RestartTest, ARestartAtTheNthCallHitsThatCall) {
  const CK_SESSION_HANDLE session = open(false);
  shim_.add("C_GenerateRandom:restart:nth=2");
  EXPECT_EQ(random(session), CKR_OK);
  EXPECT_EQ(random(session), CKR_SESSION_HANDLE_INVALID);
  EXPECT_EQ(shim_.stats().restarts, 1u);
}

TEST_F(RestartTest, PeriodicRestartsComeDue) {
  shim_.add("restart_every_ms=30");
  const CK_SESSION_HANDLE session = open(false);
  std::this_thread::sleep_for(milliseconds(60));
  EXPECT_EQ(random(session), CKR_SESSION_HANDLE_INVALID);
  EXPECT_EQ(shim_.stats().restarts, 1u);
  shim_.reset();
  const CK_SESSION_HANDLE fresh = open(false);
  std::this_thread::sleep_for(milliseconds(60));
  EXPECT_EQ(random(fresh), CKR_OK) << "reset stops the periodic restarts";
}

TEST_F(RestartTest, RestartsUnderConcurrentCallsAnswerOnlyOkOrInvalidSession) {
  std::atomic<bool> stop{false};
  std::atomic<int> unexpected{0};
  std::vector<std::jthread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&] {
      CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
      while (!stop) {
        if (session == CK_INVALID_HANDLE && try_open(session) != CKR_OK) ++unexpected;
        const CK_RV rv = random(session);
        if (rv == CKR_SESSION_HANDLE_INVALID)
          session = CK_INVALID_HANDLE;
        else if (rv != CKR_OK)
          ++unexpected;
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(milliseconds(5));
    shim_.restart();
  }
  stop = true;
  workers.clear();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(shim_.stats().restarts, 20u);
}

TEST_F(RestartTest, PeriodicRestartsAndRandomFaultsUnderLoadLeaveNoSession) {
  shim_.add("seed=3;restart_every_ms=20;*:CKR_DEVICE_ERROR:p=0.05");
  std::atomic<bool> stop{false};
  std::atomic<int> unexpected{0};
  std::vector<std::jthread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&] {
      CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
      while (!stop) {
        if (session == CK_INVALID_HANDLE) {
          const CK_RV opened = try_open(session);
          if (opened != CKR_OK && opened != CKR_DEVICE_ERROR) ++unexpected;
          if (opened != CKR_OK) session = CK_INVALID_HANDLE;
          continue;
        }
        const CK_RV rv = random(session);
        if (rv == CKR_SESSION_HANDLE_INVALID)
          session = CK_INVALID_HANDLE;
        else if (rv != CKR_OK && rv != CKR_DEVICE_ERROR)
          ++unexpected;
      }
      // A close may draw an injected failure too: the session then lives on, so try again.
      while (session != CK_INVALID_HANDLE && call<Fn::CloseSession>(session) == CKR_DEVICE_ERROR) {
      }
    });
  }
  std::this_thread::sleep_for(milliseconds(300));
  stop = true;
  workers.clear();
  const CratonFaultStats stats = shim_.stats();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_GE(stats.restarts, 5u);
  EXPECT_GT(stats.faults_injected, 0u);
  EXPECT_EQ(stats.live_sessions, 0u) << "closed or restarted away, none leaked";
}

TEST_F(RestartTest, AVanishedDeviceAnswersRemovedThenComesBackRestarted) {
  const CK_SESSION_HANDLE session = open();
  shim_.vanish(150);
  EXPECT_EQ(random(session), CKR_DEVICE_REMOVED);
  CK_SESSION_HANDLE during = CK_INVALID_HANDLE;
  EXPECT_EQ(try_open(during), CKR_TOKEN_NOT_PRESENT);
  CK_TOKEN_INFO info{};
  EXPECT_EQ(call<Fn::GetTokenInfo>(slot_, &info), CKR_TOKEN_NOT_PRESENT);
  CK_ULONG slots = 0;
  EXPECT_EQ(call<Fn::GetSlotList>(CK_FALSE, nullptr, &slots), CKR_OK) << "the library is there";

  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(random(session), CKR_SESSION_HANDLE_INVALID);
  const CK_SESSION_HANDLE fresh = open();
  EXPECT_EQ(random(fresh), CKR_OK);
  EXPECT_EQ(call<Fn::GetTokenInfo>(slot_, &info), CKR_OK);
}

TEST_F(RestartTest, SessionsBeyondTheLimitAreRefused) {
  shim_.add("max_sessions=2");
  const CK_SESSION_HANDLE first = open(false);
  open(false);
  CK_SESSION_HANDLE third = CK_INVALID_HANDLE;
  EXPECT_EQ(try_open(third), CKR_SESSION_COUNT);
  ASSERT_EQ(call<Fn::CloseSession>(first), CKR_OK);
  EXPECT_EQ(try_open(third), CKR_OK);
}

}  // namespace
}  // namespace craton::hsm::testing
