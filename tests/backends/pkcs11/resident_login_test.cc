// SPDX-License-Identifier: Apache-2.0
// Persistent private and secret keys are made only under a user login: without a PIN the
// backend refuses generate_resident_key and import_resident_key with LoginRequired (nothing
// reaches the token), unless the configuration opts in to unprotected keys.
#include <craton/hsm/pkcs11_backend.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/pkcs11/resident_test_util.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::testing::HasSubstr;

std::unique_ptr<Pkcs11Backend> backend_without_pin(bool allow_keys_without_login = false) {
  Pkcs11PassthroughConfig config = testing::softhsm_config();
  config.user_pin.reset();
  config.allow_keys_without_login = allow_keys_without_login;
  auto backend = make_pkcs11_backend(std::move(config));
  EXPECT_THAT(backend, IsOk());
  return backend ? std::move(*backend) : nullptr;
}

TEST(ResidentLogin, GenerateWithoutLoginIsRefusedAndCreatesNothing) {
  const auto backend = backend_without_pin();
  ASSERT_NE(backend, nullptr);
  for (const KeyAlgorithm algorithm :
       {KeyAlgorithm::Aes256, KeyAlgorithm::EcP256, KeyAlgorithm::Hmac256}) {
    const ResidentKeySpec spec =
        unique_spec(algorithm, fmt::format("login-gen-{}", key_algorithm_name(algorithm)));
    const auto key = backend->generate_resident_key(spec);
    EXPECT_THAT(key, HasErrorCode(ErrorCode::LoginRequired)) << spec.label;
    if (!key) {
      EXPECT_THAT(key.error().message(), HasSubstr("allow_keys_without_login"));
      EXPECT_EQ(key.error().action(), ErrorAction::Stop) << "no retry can log in without a PIN";
    }
    EXPECT_EQ(raw_count_label(spec.label), 0u) << spec.label;
  }
}

TEST(ResidentLogin, ImportWithoutLoginIsRefusedAndCreatesNothing) {
  const auto backend = backend_without_pin();
  ASSERT_NE(backend, nullptr);
  const auto material = Key::aes(std::vector<std::uint8_t>(32, 0x5a));
  ASSERT_THAT(material, IsOk());
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, "login-import");
  EXPECT_THAT(backend->import_resident_key(*material, spec),
              HasErrorCode(ErrorCode::LoginRequired));
  EXPECT_EQ(raw_count_label(spec.label), 0u);
  // The refusal is about persistent objects only: the material key still works on the token
  // as a session object that dies with the session and only this process can see.
  EXPECT_THAT(backend->aes_gcm_encrypt(*material, std::vector<std::uint8_t>(16, 1), {}), IsOk());
}

TEST(ResidentLogin, TheRefusalRepeatsWithoutTouchingTheToken) {
  const auto backend = backend_without_pin();
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes128, "login-repeat");
  EXPECT_THAT(backend->generate_resident_key(spec), HasErrorCode(ErrorCode::LoginRequired));
  EXPECT_THAT(backend->generate_resident_key(spec), HasErrorCode(ErrorCode::LoginRequired));
  EXPECT_EQ(raw_count_label(spec.label), 0u);
}

TEST(ResidentLogin, WithAPinKeysAreMadeAsBefore) {
  auto backend = make_pkcs11_backend(testing::softhsm_config());
  ASSERT_THAT(backend, IsOk());
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes128, "login-with-pin");
  EXPECT_THAT((*backend)->generate_resident_key(spec), IsOk());
  EXPECT_THAT((*backend)->destroy_key(by_id(spec.id)), IsOk());
}

// The explicit opt-in: the key is made, and it is public (CKA_PRIVATE false), which is what
// the operator accepted: another session without a login finds it.
TEST(ResidentLogin, OptInMakesUnprotectedKeys) {
  const auto backend = backend_without_pin(/*allow_keys_without_login=*/true);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes128, "login-opt-in");
  ASSERT_THAT(backend->generate_resident_key(spec), IsOk());
  const auto other = backend_without_pin();
  ASSERT_NE(other, nullptr);
  EXPECT_THAT(other->find_key(by_id(spec.id)), IsOk()) << "visible without a login";
  EXPECT_THAT(backend->destroy_key(by_id(spec.id)), IsOk());
  EXPECT_EQ(raw_count_label(spec.label), 0u);
}

TEST(ResidentLogin, ConfigFieldParsesAndDefaultsToFalse) {
  EXPECT_FALSE(Pkcs11PassthroughConfig{}.allow_keys_without_login);
  auto config = parse_config(
      "library_path = \"/usr/lib/softhsm/libsofthsm2.so\"\ntoken_label = \"t\"\n"
      "allow_keys_without_login = true\n",
      "test");
  ASSERT_THAT(config, IsOk());
  EXPECT_TRUE(config->allow_keys_without_login);
  EXPECT_THAT(to_string(*config), HasSubstr("allow_keys_without_login=true"));
  EXPECT_TRUE(config->clone().allow_keys_without_login);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
