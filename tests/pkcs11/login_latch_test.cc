// SPDX-License-Identifier: Apache-2.0
// A PIN the token refuses is tried once: the pool latches, fails every operation fast with the
// typed error, and logs in again only with a PIN the application supplies (set_user_pin).
// Runs on the spare token, whose PIN it changes and always restores.
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
using ::craton::hsm::testing::kSpareTokenLabel;
using ::craton::hsm::testing::kUserPin;
using ::craton::hsm::testing::softhsm_module;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kNewPin = "5820-new-pin";

// Kills every session of the token and with the last one the login (v2.40 §5.6).
void close_all_sessions(const Module& module, std::uint64_t slot) {
  ASSERT_EQ(module.invoke<Fn::CloseAllSessions>(static_cast<CK_SLOT_ID>(slot)), CKR_OK);
}

// Runs `operations` operations on each of `threads` threads; returns how many failed with
// `expected` (every other outcome is a test failure).
int run_expecting(SessionPool& pool, int threads, int operations, ErrorCode expected) {
  std::atomic<int> typed{0};
  std::vector<std::jthread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < operations; ++i) {
        auto result = pool.run(touch_private_object);
        EXPECT_THAT(result, HasErrorCode(expected));
        if (!result && result.error().code() == expected) ++typed;
      }
    });
  }
  workers.clear();
  return typed.load();
}

// The same, expecting every operation to succeed; returns how many did.
int run_expecting_success(SessionPool& pool, int threads, int operations) {
  std::atomic<int> succeeded{0};
  std::vector<std::jthread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < operations; ++i) {
        auto result = pool.run(touch_private_object);
        EXPECT_THAT(result, IsOk());
        if (result) ++succeeded;
      }
    });
  }
  workers.clear();
  return succeeded.load();
}

TEST(LoginLatchTest, AChangedPinIsTriedOnceAcrossThreadsAndOperations) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  auto pool = make_pool(module, {.size = 4, .token = kSpareTokenLabel});
  ASSERT_THAT(pool, IsOk());
  const std::uint64_t slot = (*pool)->slot();
  PinChange pin(module, slot);
  ASSERT_THAT(pin.to(kNewPin), IsOk());  // someone changed the PIN on the token
  close_all_sessions(*module, slot);     // and the sessions died

  const auto logins_before = module->call_count(Fn::Login);
  EXPECT_EQ(run_expecting(**pool, 8, 10, ErrorCode::PinIncorrect), 80);
  EXPECT_EQ(module->call_count(Fn::Login), logins_before + 1) << "the old PIN was retried";

  // The error says why and how to recover, and nothing of the PIN.
  auto failed = (*pool)->acquire();
  ASSERT_THAT(failed, HasErrorCode(ErrorCode::PinIncorrect));
  const std::string text = failed.error().to_string();
  EXPECT_THAT(text, HasSubstr("CKR_PIN_INCORRECT"));
  EXPECT_THAT(text, HasSubstr("set_user_pin"));
  EXPECT_THAT(text, Not(HasSubstr(kUserPin)));
  EXPECT_EQ(module->call_count(Fn::Login), logins_before + 1);

  // The application learns the new PIN: one login, and every thread carries on.
  ASSERT_THAT((*pool)->set_user_pin(SecretString(kNewPin)), IsOk());
  EXPECT_EQ(module->call_count(Fn::Login), logins_before + 2);
  EXPECT_EQ(run_expecting_success(**pool, 8, 10), 80);
  EXPECT_EQ(module->call_count(Fn::Login), logins_before + 2);

  // A wrong PIN handed to set_user_pin is tried once, then latched like the first.
  close_all_sessions(*module, slot);
  EXPECT_THAT((*pool)->set_user_pin(SecretString(kUserPin)), HasErrorCode(ErrorCode::PinIncorrect));
  EXPECT_EQ(module->call_count(Fn::Login), logins_before + 3);
  EXPECT_EQ(run_expecting(**pool, 4, 5, ErrorCode::PinIncorrect), 20);
  EXPECT_EQ(module->call_count(Fn::Login), logins_before + 3);
  ASSERT_THAT((*pool)->set_user_pin(SecretString(kNewPin)), IsOk());
  EXPECT_EQ(run_expecting_success(**pool, 4, 5), 20);
  EXPECT_EQ(module->call_count(Fn::Login), logins_before + 4);
}

TEST(LoginLatchTest, SetUserPinRefusesAnEmptyPinAndAPoolWithoutOne) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  auto pool = make_pool(module, {.size = 1, .token = kSpareTokenLabel});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT((*pool)->set_user_pin(SecretString()), HasErrorCode(ErrorCode::InvalidArgument));
  auto without_pin = make_pool(module, {.size = 1, .pin = std::nullopt});
  ASSERT_THAT(without_pin, IsOk());
  EXPECT_THAT((*without_pin)->set_user_pin(SecretString(kUserPin)),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_FALSE((*without_pin)->logs_in()) << "a PIN given later does not make it log in";
}

TEST(LoginLatchTest, EveryAnswerThatRefusesThePinLatches) {
  const std::pair<CK_RV, ErrorCode> refusals[] = {
      {CKR_PIN_INCORRECT, ErrorCode::PinIncorrect}, {CKR_PIN_LOCKED, ErrorCode::PinLocked},
      {CKR_PIN_EXPIRED, ErrorCode::PinExpired},     {CKR_PIN_INVALID, ErrorCode::PinInvalid},
      {CKR_PIN_LEN_RANGE, ErrorCode::PinInvalid},
  };
  for (const auto& [rv, code] : refusals) {
    SCOPED_TRACE(rv_name(rv));
    FaultShim shim;
    auto module = Module::acquire(FaultShim::module_options());
    ASSERT_THAT(module, IsOk());
    EventLog events;
    auto pool = make_pool(*module, {.size = 2, .token = kSpareTokenLabel}, &events);
    ASSERT_THAT(pool, IsOk());
    shim.fail("C_Login", rv, 1000);  // the token keeps refusing whatever is tried
    close_all_sessions(**module, (*pool)->slot());

    const auto logins_before = (*module)->call_count(Fn::Login);
    EXPECT_EQ(run_expecting(**pool, 4, 5, code), 20);
    EXPECT_EQ((*module)->call_count(Fn::Login), logins_before + 1);
    EXPECT_EQ(events.count(PoolEventKind::LoginFailed), 1u);

    shim.fail("C_Login", CKR_OK, 0);  // the token takes the PIN again
    ASSERT_THAT((*pool)->set_user_pin(SecretString(kUserPin)), IsOk());
    EXPECT_EQ(run_expecting_success(**pool, 4, 5), 20);
    EXPECT_EQ((*module)->call_count(Fn::Login), logins_before + 2);
  }
}

}  // namespace
}  // namespace craton::hsm::pkcs11
