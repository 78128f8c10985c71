// SPDX-License-Identifier: Apache-2.0
// Software key generation happens only when allowed and only when the token lacks the
// mechanism; everything else fails as the token said (seed: "Fail-closed software fallback").
#include <gtest/gtest.h>

#include "backends/pkcs11/passthrough_backend.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::fault_shim_config;
using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

std::unique_ptr<Pkcs11PassthroughBackend> make_backend(bool allow_fallback) {
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.pool_size = 1;
  config.allow_software_keygen_fallback = allow_fallback;
  auto backend = Pkcs11PassthroughBackend::create(std::move(config));
  EXPECT_THAT(backend, IsOk());
  return backend ? std::move(*backend) : nullptr;
}

TEST(KeygenFallbackTest, OffByDefaultAMissingMechanismIsAnError) {
  FaultShim shim;
  shim.set("hide_mechanism", CKM_EC_KEY_PAIR_GEN);
  auto backend = make_backend(false);
  ASSERT_NE(backend, nullptr);
  EXPECT_THAT(backend->generate_key(KeyAlgorithm::EcP256),
              HasErrorCode(ErrorCode::MechanismUnsupported));
}

TEST(KeygenFallbackTest, WhenAllowedAMissingMechanismGeneratesInSoftwareAndSaysSo) {
  FaultShim shim;
  shim.set("hide_mechanism", CKM_EC_KEY_PAIR_GEN);
  auto backend = make_backend(true);
  ASSERT_NE(backend, nullptr);
  auto key = backend->generate_key(KeyAlgorithm::EcP256);
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->origin(), KeyOrigin::GeneratedInSoftware);
  EXPECT_EQ(key->kind(), KeyKind::EcPrivate);
  EXPECT_NE(key->describe().find("software"), std::string::npos);
  // The key works on the token.
  const std::vector<std::uint8_t> message{1, 2, 3};
  auto signature =
      backend->sign(*key, SignScheme::EcdsaP256Sha256, message, SignatureEncoding::Raw);
  ASSERT_THAT(signature, IsOk());
  EXPECT_EQ(
      backend
          ->verify(*key, SignScheme::EcdsaP256Sha256, message, *signature, SignatureEncoding::Raw)
          .value(),
      VerifyOutcome::Valid);
}

TEST(KeygenFallbackTest, TokenKeysAreMarkedAsSuch) {
  FaultShim shim;
  auto backend = make_backend(true);
  ASSERT_NE(backend, nullptr);
  auto key = backend->generate_key(KeyAlgorithm::Aes256);
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->origin(), KeyOrigin::GeneratedOnToken);
}

TEST(KeygenFallbackTest, OtherFailuresSurfaceUnchangedEvenWhenAllowed) {
  FaultShim shim;
  auto backend = make_backend(true);
  ASSERT_NE(backend, nullptr);
  shim.fail("C_GenerateKeyPair", CKR_TEMPLATE_INCONSISTENT, 1);
  EXPECT_THAT(backend->generate_key(KeyAlgorithm::EcP384),
              HasErrorCode(ErrorCode::TemplateInvalid));
  shim.fail("C_GenerateKey", CKR_DEVICE_MEMORY, 1);
  EXPECT_THAT(backend->generate_key(KeyAlgorithm::Aes128), HasErrorCode(ErrorCode::DeviceMemory));
}

TEST(KeygenFallbackTest, ATokenThatRejectsTheMechanismAtRunTimeAlsoFallsBack) {
  FaultShim shim;
  auto backend = make_backend(true);
  ASSERT_NE(backend, nullptr);
  shim.fail("C_GenerateKeyPair", CKR_MECHANISM_INVALID, 1);
  auto key = backend->generate_key(KeyAlgorithm::Ed25519);
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->origin(), KeyOrigin::GeneratedInSoftware);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
