// SPDX-License-Identifier: Apache-2.0
// Key factories: what they accept, what they refuse, and that keys never print their bytes.
#include <craton/hsm/keys.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "keys/key_material.h"
#include "support/matchers.h"

namespace craton::hsm {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::uint8_t> bytes(std::size_t n, std::uint8_t fill) {
  return std::vector<std::uint8_t>(n, fill);
}

// PKCS#8 DER of a fresh RSA key with public exponent `e`.
std::vector<std::uint8_t> rsa_pkcs8(unsigned bits, unsigned e) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY_keygen_init(ctx);
  EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, static_cast<int>(bits));
  BIGNUM* exponent = BN_new();
  BN_set_word(exponent, e);
  EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, exponent);
  EVP_PKEY* pkey = nullptr;
  EVP_PKEY_keygen(ctx, &pkey);
  PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(pkey);
  unsigned char* der = nullptr;
  const int length = i2d_PKCS8_PRIV_KEY_INFO(info, &der);
  std::vector<std::uint8_t> out(der, der + length);
  OPENSSL_free(der);
  PKCS8_PRIV_KEY_INFO_free(info);
  EVP_PKEY_free(pkey);
  BN_free(exponent);
  EVP_PKEY_CTX_free(ctx);
  return out;
}

TEST(KeyTest, AesKeysHaveStandardLengths) {
  for (const std::size_t n : {16, 24, 32}) {
    auto key = Key::aes(bytes(n, 0x11));
    ASSERT_THAT(key, IsOk());
    EXPECT_EQ(key->kind(), KeyKind::Aes);
    EXPECT_EQ(key->bits(), n * 8);
  }
  for (const std::size_t n : {0, 15, 17, 33, 64}) {
    EXPECT_THAT(Key::aes(bytes(n, 0x11)), HasErrorCode(ErrorCode::KeySizeRange)) << n;
  }
}

TEST(KeyTest, RsaPrivateKeysAreValidatedAndSplitIntoCrtParts) {
  auto key = Key::rsa_private_pkcs8(rsa_pkcs8(2048, 65537));
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->kind(), KeyKind::RsaPrivate);
  EXPECT_EQ(key->bits(), 2048u);
  ASSERT_TRUE(key->material().rsa_private.has_value());
  EXPECT_EQ(key->material().rsa_private->prime1.size(), 128u);
  auto pub = key->public_key();
  ASSERT_THAT(pub, IsOk());
  EXPECT_EQ(pub->kind(), KeyKind::RsaPublic);
  auto spki = pub->public_spki_der();
  ASSERT_THAT(spki, IsOk());
  EXPECT_THAT(Key::rsa_public_spki(*spki), IsOk());
}

TEST(KeyTest, RsaKeysWithSmallExponentsAreRefused) {
  EXPECT_THAT(Key::rsa_private_pkcs8(rsa_pkcs8(2048, 3)), HasErrorCode(ErrorCode::InvalidArgument));
}

TEST(KeyTest, MalformedDerIsRefused) {
  auto der = rsa_pkcs8(2048, 65537);
  der.push_back(0x00);  // trailing garbage
  EXPECT_THAT(Key::rsa_private_pkcs8(der), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(Key::rsa_private_pkcs8(bytes(100, 0x30)), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(Key::rsa_public_spki({}), HasErrorCode(ErrorCode::InvalidArgument));
}

TEST(KeyTest, EcScalarsMustBeInRange) {
  EXPECT_THAT(Key::ec_private(EcCurve::P256, bytes(32, 0x00)),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(Key::ec_private(EcCurve::P256, bytes(32, 0xff)),
              HasErrorCode(ErrorCode::InvalidArgument))
      << "0xff..ff is above the P-256 order";
  EXPECT_THAT(Key::ec_private(EcCurve::P256, bytes(33, 0x01)),
              HasErrorCode(ErrorCode::InvalidArgument));
  auto key = Key::ec_private(EcCurve::P384, bytes(48, 0x01));
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->bits(), 384u);
  EXPECT_EQ(key->material().public_point.size(), 97u);
  EXPECT_EQ(key->material().secret.size(), 48u);
}

TEST(KeyTest, EcPublicPointsMustLieOnTheCurve) {
  auto key = Key::ec_private(EcCurve::P256, bytes(32, 0x07));
  ASSERT_THAT(key, IsOk());
  std::vector<std::uint8_t> point = key->material().public_point;
  EXPECT_THAT(Key::ec_public(EcCurve::P256, point), IsOk());
  point.back() ^= 1;
  EXPECT_THAT(Key::ec_public(EcCurve::P256, point), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(Key::ec_public(EcCurve::P256, std::vector<std::uint8_t>{0x00}),
              HasErrorCode(ErrorCode::InvalidArgument))
      << "the point at infinity";
  EXPECT_THAT(Key::ec_public(EcCurve::P384, key->material().public_point),
              HasErrorCode(ErrorCode::InvalidArgument))
      << "a P-256 point is not a P-384 point";
}

TEST(KeyTest, CompressedEcPointsAreAcceptedAndExpanded) {
  auto key = Key::ec_private(EcCurve::P256, bytes(32, 0x09));
  ASSERT_THAT(key, IsOk());
  const auto& full = key->material().public_point;
  std::vector<std::uint8_t> compressed(full.begin(), full.begin() + 33);
  compressed[0] = (full.back() & 1) != 0 ? 0x03 : 0x02;
  auto pub = Key::ec_public(EcCurve::P256, compressed);
  ASSERT_THAT(pub, IsOk());
  EXPECT_EQ(pub->material().public_point, full);
}

TEST(KeyTest, Ed25519KeysDeriveTheirPublicHalf) {
  // RFC 8032 §7.1 test 1.
  const std::vector<std::uint8_t> seed = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60,
                                          0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
                                          0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19,
                                          0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
  auto key = Key::ed25519_private(seed);
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->material().public_point.front(), 0xd7);
  EXPECT_EQ(key->material().public_point.back(), 0x1a);
  EXPECT_THAT(Key::ed25519_private(bytes(31, 1)), HasErrorCode(ErrorCode::KeySizeRange));
}

TEST(KeyTest, PrintingAKeyShowsItsKindNotItsBytes) {
  auto key = Key::aes(bytes(32, 0xab));
  ASSERT_THAT(key, IsOk());
  const std::string text = fmt::format("{}", *key);
  EXPECT_EQ(text, "AES-256 key");
  EXPECT_THAT(text, Not(HasSubstr("abab")));
  std::ostringstream stream;
  stream << *key;
  EXPECT_EQ(stream.str(), text);
}

TEST(KeyTest, CopiesShareOneImmutableMaterial) {
  auto key = Key::hmac(bytes(32, 0x42));
  ASSERT_THAT(key, IsOk());
  const Key copy = *key;
  EXPECT_EQ(&copy.material(), &key->material());
  auto secret = copy.export_secret();
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(secret->size(), 32u);
}

}  // namespace
}  // namespace craton::hsm
