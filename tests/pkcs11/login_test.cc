// SPDX-License-Identifier: Apache-2.0
// Login failures on a throwaway token: typed, leak-free, never printing the PIN, and never
// retried into a lockout.
#include <regex>
#include <sstream>

#include "pkcs11/pool/session_pool.h"
#include "pool_fixture.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::kSpareTokenLabel;
using ::craton::hsm::testing::softhsm_module;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kWrongPin = "7319-wrong-pin";

TEST(LoginTest, AWrongPinIsPinIncorrectAndLeavesNoSessionOpen) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  const auto opens_before = module->call_count(Fn::OpenSession);
  const auto closes_before = module->call_count(Fn::CloseSession);
  const auto logins_before = module->call_count(Fn::Login);
  EventLog events;
  auto pool = make_pool(module, {.size = 3, .pin = kWrongPin, .token = kSpareTokenLabel}, &events);
  EXPECT_THAT(pool, HasErrorCode(ErrorCode::PinIncorrect));
  EXPECT_EQ(module->call_count(Fn::Login), logins_before + 1) << "a wrong PIN is never retried";
  EXPECT_EQ(module->call_count(Fn::OpenSession) - opens_before,
            module->call_count(Fn::CloseSession) - closes_before);
  EXPECT_EQ(events.count(PoolEventKind::LoginFailed), 1u);

  // The error says what happened and nothing of the PIN.
  const std::string text = pool.error().to_string();
  EXPECT_THAT(text, HasSubstr("C_Login"));
  EXPECT_THAT(text, HasSubstr("CKR_PIN_INCORRECT"));
  EXPECT_THAT(text, Not(HasSubstr(kWrongPin)));
}

TEST(LoginTest, TheSuiteDoesNotLockItsOwnToken) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  ASSERT_THAT(make_pool(module, {.size = 1, .pin = kWrongPin, .token = kSpareTokenLabel}),
              HasErrorCode(ErrorCode::PinIncorrect));
  // A correct login afterwards works and resets the token's failure counter.
  auto pool = make_pool(module, {.size = 1, .token = kSpareTokenLabel});
  ASSERT_THAT(pool, IsOk());
  auto token = describe_token(*module, (*pool)->slot());
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(token->flags & CKF_USER_PIN_LOCKED, 0u);
}

TEST(LoginTest, APoolPrintsWithoutItsPin) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  auto pool = make_pool(module, {.size = 2});
  ASSERT_THAT(pool, IsOk());
  const std::string formatted = fmt::format("{}", **pool);
  std::ostringstream streamed;
  streamed << **pool;
  // The suite's PIN is all digits, so a slot id or a counter may contain it by chance: those
  // numeric fields are masked before looking for the PIN anywhere in the text.
  const std::regex counters(
      "(slot|size|opened|closed|rebuilt|logins|waits|timeouts|retries)=[0-9]+");
  for (const std::string& text : {formatted, streamed.str()}) {
    EXPECT_THAT(text, HasSubstr("user_pin=<redacted>"));
    EXPECT_THAT(text, HasSubstr("size=2"));
    EXPECT_THAT(std::regex_replace(text, counters, "$1=N"),
                Not(HasSubstr(std::string(testing::kUserPin))));
  }
}

}  // namespace
}  // namespace craton::hsm::pkcs11
