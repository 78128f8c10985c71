// SPDX-License-Identifier: Apache-2.0
// generate_key: every algorithm yields a usable key of the right kind and size.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/software/test_util.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using ::testing::Optional;

struct KeygenCase {
  const char* name;
  KeyAlgorithm algorithm;
  KeyKind kind;
  std::size_t bits;
};

class KeygenTest : public SoftwareBackendTest, public ::testing::WithParamInterface<KeygenCase> {
 protected:
  // Exercises the key once with an operation that needs its secret half.
  static void expect_usable(const Key& key) {
    const Bytes message = text_bytes("fresh key");
    switch (key.kind()) {
      case KeyKind::Aes: {
        const auto sealed = backend().aes_gcm_encrypt(key, message, {});
        ASSERT_THAT(sealed, IsOk());
        const auto opened = backend().aes_gcm_decrypt(key, *sealed, {});
        ASSERT_THAT(opened, IsOk());
        EXPECT_EQ(bytes_of(*opened), message);
        return;
      }
      case KeyKind::RsaPrivate:
        return expect_signs(key, SignScheme::RsaPssSha256, message);
      case KeyKind::EcPrivate:
        return expect_signs(key,
                            key.curve() == EcCurve::P256 ? SignScheme::EcdsaP256Sha256
                                                         : SignScheme::EcdsaP384Sha384,
                            message);
      case KeyKind::Ed25519Private:
        return expect_signs(key, SignScheme::Ed25519, message);
      default:
        FAIL() << "unexpected kind " << key_kind_name(key.kind());
    }
  }

  static void expect_signs(const Key& key, SignScheme scheme, const Bytes& message) {
    const auto signature = backend().sign(key, scheme, message);
    ASSERT_THAT(signature, IsOk());
    EXPECT_THAT(backend().verify(public_of(key), scheme, message, *signature),
                Optional(VerifyOutcome::Valid));
  }
};

TEST_P(KeygenTest, GeneratesAUsableKey) {
  const KeygenCase& c = GetParam();
  // The shared cache covers the common sizes; a fresh key here checks generation itself.
  const auto key = backend().generate_key(c.algorithm);
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->kind(), c.kind);
  EXPECT_EQ(key->bits(), c.bits);
  expect_usable(*key);
}

// RSA is left out of this one: slow, and RSA_check_key on import already covers its output.
class KeygenFreshnessTest : public KeygenTest {};

TEST_P(KeygenFreshnessTest, TwoKeysDiffer) {
  const KeygenCase& c = GetParam();
  const auto a = backend().generate_key(c.algorithm);
  const auto b = backend().generate_key(c.algorithm);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  const auto secret_a = a->export_secret();
  const auto secret_b = b->export_secret();
  ASSERT_THAT(secret_a, IsOk());
  ASSERT_THAT(secret_b, IsOk());
  EXPECT_FALSE(secret_a->equals(*secret_b));
}

const KeygenCase kAes128{"Aes128", KeyAlgorithm::Aes128, KeyKind::Aes, 128};
const KeygenCase kAes192{"Aes192", KeyAlgorithm::Aes192, KeyKind::Aes, 192};
const KeygenCase kAes256{"Aes256", KeyAlgorithm::Aes256, KeyKind::Aes, 256};
const KeygenCase kRsa2048{"Rsa2048", KeyAlgorithm::Rsa2048, KeyKind::RsaPrivate, 2048};
const KeygenCase kRsa3072{"Rsa3072", KeyAlgorithm::Rsa3072, KeyKind::RsaPrivate, 3072};
const KeygenCase kRsa4096{"Rsa4096", KeyAlgorithm::Rsa4096, KeyKind::RsaPrivate, 4096};
const KeygenCase kEcP256{"EcP256", KeyAlgorithm::EcP256, KeyKind::EcPrivate, 256};
const KeygenCase kEcP384{"EcP384", KeyAlgorithm::EcP384, KeyKind::EcPrivate, 384};
const KeygenCase kEd25519{"Ed25519", KeyAlgorithm::Ed25519, KeyKind::Ed25519Private, 256};

std::string case_name(const ::testing::TestParamInfo<KeygenCase>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Algorithms, KeygenTest,
                         ::testing::Values(kAes128, kAes192, kAes256, kRsa2048, kRsa3072, kRsa4096,
                                           kEcP256, kEcP384, kEd25519),
                         case_name);
INSTANTIATE_TEST_SUITE_P(Algorithms, KeygenFreshnessTest,
                         ::testing::Values(kAes128, kAes192, kAes256, kEcP256, kEcP384, kEd25519),
                         case_name);

}  // namespace
}  // namespace craton::hsm::testing
