// SPDX-License-Identifier: Apache-2.0
// Pkcs11Backend::set_user_pin: after the token refuses the PIN, every operation fails at once
// with the typed error and no further C_Login, until the application supplies a new PIN; a
// wrong new PIN is tried once and latches again. On the spare token, through the fault shim.
#include <craton/hsm/pkcs11_backend.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "backends/pkcs11/passthrough_backend.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"
#include "support/softhsm_token.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::fault_shim_config;
using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::kSpareTokenLabel;
using ::craton::hsm::testing::kUserPin;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kWrongPin = "6071-wrong-pin";

std::unique_ptr<Pkcs11PassthroughBackend> make_backend(bool with_pin = true) {
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.token_label = std::string(kSpareTokenLabel);
  config.pool_size = 3;
  if (!with_pin) config.user_pin.reset();
  auto backend = Pkcs11PassthroughBackend::create(std::move(config));
  EXPECT_THAT(backend, IsOk());
  return backend ? std::move(*backend) : nullptr;
}

// Every session of the token dies, and the login with the last one (v2.40 §5.6).
void close_all_sessions(const Pkcs11PassthroughBackend& backend) {
  ASSERT_EQ(
      backend.module().invoke<Fn::CloseAllSessions>(static_cast<CK_SLOT_ID>(backend.pool().slot())),
      CKR_OK);
}

// Runs a mix of operations on 4 threads; counts the ones that failed with `code`.
int operations_failing_with(CryptoBackend& backend, ErrorCode code) {
  std::atomic<int> typed{0};
  std::vector<std::jthread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        const std::vector<std::uint8_t> data(32, 0x11);
        auto random = backend.random(16);
        auto digest = backend.digest(HashAlg::Sha256, data);
        auto stream = backend.digest_stream(HashAlg::Sha256);
        for (const HsmError* error :
             {random ? nullptr : &random.error(), digest ? nullptr : &digest.error(),
              stream ? nullptr : &stream.error()}) {
          if (error != nullptr && error->code() == code) ++typed;
        }
      }
    });
  }
  threads.clear();
  return typed.load();
}

TEST(UserPinTest, ARefusedPinLatchesUntilTheApplicationSuppliesANewOne) {
  FaultShim shim;
  auto backend = make_backend();
  ASSERT_NE(backend, nullptr);
  Pkcs11Backend& api = *backend;
  const Module& module = backend->module();

  shim.fail("C_Login", CKR_PIN_INCORRECT, 1000);  // the token refuses the PIN, every time
  close_all_sessions(*backend);
  const auto logins = module.call_count(Fn::Login);
  EXPECT_EQ(operations_failing_with(api, ErrorCode::PinIncorrect), 60);
  EXPECT_EQ(module.call_count(Fn::Login), logins + 1) << "the refused PIN was tried again";

  // A wrong new PIN is tried once, and latches again.
  EXPECT_THAT(api.set_user_pin(SecretString(kWrongPin)), HasErrorCode(ErrorCode::PinIncorrect));
  EXPECT_EQ(module.call_count(Fn::Login), logins + 2);
  auto refused = api.random(16);
  ASSERT_THAT(refused, HasErrorCode(ErrorCode::PinIncorrect));
  EXPECT_THAT(refused.error().to_string(), HasSubstr("set_user_pin"));
  EXPECT_THAT(refused.error().to_string(), Not(HasSubstr(kWrongPin)));
  EXPECT_EQ(operations_failing_with(api, ErrorCode::PinIncorrect), 60);
  EXPECT_EQ(module.call_count(Fn::Login), logins + 2);

  // The token accepts the PIN again: one login, and everything works.
  shim.fail("C_Login", CKR_OK, 0);
  ASSERT_THAT(api.set_user_pin(SecretString(kUserPin)), IsOk());
  EXPECT_EQ(module.call_count(Fn::Login), logins + 3);
  EXPECT_EQ(operations_failing_with(api, ErrorCode::PinIncorrect), 0);
  for (int i = 0; i < 5; ++i) EXPECT_THAT(api.random(16), IsOk());
  EXPECT_EQ(module.call_count(Fn::Login), logins + 3);
}

TEST(UserPinTest, ANewPinGivenWhileLoggedInWaitsForTheNextLogin) {
  FaultShim shim;
  auto backend = make_backend();
  ASSERT_NE(backend, nullptr);
  const auto logins = backend->module().call_count(Fn::Login);
  // Logged in already: nothing to try the PIN on, and no reason to log in again.
  ASSERT_THAT(backend->set_user_pin(SecretString(kUserPin)), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::Login), logins);
  close_all_sessions(*backend);
  EXPECT_THAT(backend->random(16), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::Login), logins + 1);
}

TEST(UserPinTest, RefusesAnEmptyPinAndABackendThatNeverLogsIn) {
  FaultShim shim;
  auto backend = make_backend();
  ASSERT_NE(backend, nullptr);
  EXPECT_THAT(backend->set_user_pin(SecretString()), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(backend->random(16), IsOk()) << "the PIN in use is kept";
  auto without_pin = make_backend(/*with_pin=*/false);
  ASSERT_NE(without_pin, nullptr);
  EXPECT_THAT(without_pin->set_user_pin(SecretString(kUserPin)),
              HasErrorCode(ErrorCode::InvalidArgument));
}

}  // namespace
}  // namespace craton::hsm::pkcs11
