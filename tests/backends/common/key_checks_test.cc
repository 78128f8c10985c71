// SPDX-License-Identifier: Apache-2.0
// The key checks both backends make before any cryptography: the kinds an operation takes (in
// one wording for both), the keys a signature scheme takes, and the OpenSSL key behind a Key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/common/key_checks.h"
#include "backends/common/openssl_keygen.h"
#include "backends/common/signature_scheme.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using common::check_scheme_key;
using common::KeyUse;
using common::require_kind;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::NotNull;
using ::testing::Optional;

Key generated(KeyAlgorithm algorithm) {
  auto key = common::openssl_generate_key(algorithm);
  if (!key) throw std::runtime_error(key.error().to_string());
  return std::move(key).value();
}

TEST(KeyChecksTest, RequireKindAcceptsAnyAllowedKind) {
  const Key rsa = generated(KeyAlgorithm::Rsa2048);
  EXPECT_THAT(require_kind(rsa, {KeyKind::RsaPublic, KeyKind::RsaPrivate}, "RSA-OAEP"), IsOk());
  EXPECT_THAT(
      require_kind(*rsa.public_key(), {KeyKind::RsaPublic, KeyKind::RsaPrivate}, "RSA-OAEP"),
      IsOk());
}

TEST(KeyChecksTest, RequireKindNamesTheOperationEveryAllowedKindAndTheKeyGiven) {
  const Key hmac = generated(KeyAlgorithm::Hmac256);
  const auto refused = require_kind(hmac, {KeyKind::RsaPublic, KeyKind::RsaPrivate}, "RSA-OAEP");
  ASSERT_THAT(refused, HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_THAT(refused.error().message(),
              AllOf(HasSubstr("RSA-OAEP needs a key of kind RSA public or RSA private"),
                    HasSubstr(hmac.describe())));
}

TEST(KeyChecksTest, MaterialKeysAreInMemoryAndAsymmetricOnesHaveAnOpenSslKey) {
  const Key ec = generated(KeyAlgorithm::EcP256);
  EXPECT_THAT(common::require_in_memory(ec), IsOk());
  EXPECT_THAT(common::evp_key(ec), Optional(NotNull()));
  EXPECT_THAT(common::evp_key(*ec.public_key()), Optional(NotNull()));
}

TEST(KeyChecksTest, ASecretKeyHasNoOpenSslKey) {
  EXPECT_THAT(common::evp_key(generated(KeyAlgorithm::Aes128)), HasErrorCode(ErrorCode::Internal));
}

TEST(KeyChecksTest, SigningTakesThePrivateKindAndVerifyingEitherKind) {
  const Key p256 = generated(KeyAlgorithm::EcP256);
  const Key ed25519 = generated(KeyAlgorithm::Ed25519);
  EXPECT_THAT(check_scheme_key(p256, SignScheme::EcdsaP256Sha256, KeyUse::Sign), IsOk());
  EXPECT_THAT(check_scheme_key(*p256.public_key(), SignScheme::EcdsaP256Sha256, KeyUse::Verify),
              IsOk());
  EXPECT_THAT(check_scheme_key(*p256.public_key(), SignScheme::EcdsaP256Sha256, KeyUse::Sign),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_THAT(check_scheme_key(ed25519, SignScheme::Ed25519, KeyUse::Verify), IsOk());
  EXPECT_THAT(check_scheme_key(*ed25519.public_key(), SignScheme::Ed25519, KeyUse::Sign),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
}

TEST(KeyChecksTest, EcdsaTakesOnlyTheSchemesCurveAndOtherFamiliesNoEcKey) {
  const Key p256 = generated(KeyAlgorithm::EcP256);
  for (const KeyUse use : {KeyUse::Sign, KeyUse::Verify}) {
    EXPECT_THAT(check_scheme_key(p256, SignScheme::EcdsaP384Sha384, use),
                HasErrorCode(ErrorCode::KeyTypeInconsistent));
    EXPECT_THAT(check_scheme_key(p256, SignScheme::RsaPssSha256, use),
                HasErrorCode(ErrorCode::KeyTypeInconsistent));
    EXPECT_THAT(check_scheme_key(p256, SignScheme::Ed25519, use),
                HasErrorCode(ErrorCode::KeyTypeInconsistent));
  }
}

}  // namespace
}  // namespace craton::hsm::testing
