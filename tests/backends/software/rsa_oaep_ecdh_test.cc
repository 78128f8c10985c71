// SPDX-License-Identifier: Apache-2.0
// RSA-OAEP (labels, hashes, one error for every decryption failure) and ECDH agreement.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/software/test_util.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

class RsaOaepTest : public SoftwareBackendTest {
 protected:
  const Key& key_ = generated(KeyAlgorithm::Rsa2048);
  const Bytes plaintext_ = text_bytes("a 32-byte data key, more or less");
  const Bytes label_ = text_bytes("context: tenant 7");
};

TEST_F(RsaOaepTest, RoundTripsWithEveryHashAndLabel) {
  for (const HashAlg hash : {HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512}) {
    for (const Bytes& label : {Bytes{}, label_}) {
      SCOPED_TRACE(hash_name(hash));
      // Encrypting with the public half, as a sender would.
      const auto ciphertext = backend().rsa_oaep_encrypt(public_of(key_), hash, plaintext_, label);
      ASSERT_THAT(ciphertext, IsOk());
      EXPECT_EQ(ciphertext->size(), 256u);
      const auto decrypted = backend().rsa_oaep_decrypt(key_, hash, *ciphertext, label);
      ASSERT_THAT(decrypted, IsOk());
      EXPECT_EQ(bytes_of(*decrypted), plaintext_);
    }
  }
}

TEST_F(RsaOaepTest, EveryDecryptionFailureIsTheSameError) {
  const auto ciphertext = backend().rsa_oaep_encrypt(key_, HashAlg::Sha256, plaintext_, label_);
  ASSERT_THAT(ciphertext, IsOk());
  const auto decrypt = [&](HashAlg hash, ByteView ct, ByteView label) {
    return backend().rsa_oaep_decrypt(key_, hash, ct, label);
  };
  EXPECT_THAT(decrypt(HashAlg::Sha256, *ciphertext, flipped(label_, 0)),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
  EXPECT_THAT(decrypt(HashAlg::Sha256, *ciphertext, {}),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
  EXPECT_THAT(decrypt(HashAlg::Sha384, *ciphertext, label_),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
  EXPECT_THAT(decrypt(HashAlg::Sha256, flipped(*ciphertext, 100), label_),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
  const Bytes shorter(ciphertext->begin(), ciphertext->end() - 1);
  EXPECT_THAT(decrypt(HashAlg::Sha256, shorter, label_),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
  EXPECT_THAT(decrypt(HashAlg::Sha256, Bytes(256, 0xff), label_),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
  EXPECT_THAT(decrypt(HashAlg::Sha256, {}, label_), HasErrorCode(ErrorCode::EncryptedDataInvalid));
}

TEST_F(RsaOaepTest, PlaintextLimitIsModulusMinusTwoHashesMinusTwo) {
  // RFC 8017 §7.1.1: 256 - 2×32 - 2 = 190 bytes with SHA-256, 126 with SHA-512.
  EXPECT_THAT(backend().rsa_oaep_encrypt(key_, HashAlg::Sha256, Bytes(190, 1), {}), IsOk());
  EXPECT_THAT(backend().rsa_oaep_encrypt(key_, HashAlg::Sha256, Bytes(191, 1), {}),
              HasErrorCode(ErrorCode::DataLenRange));
  EXPECT_THAT(backend().rsa_oaep_encrypt(key_, HashAlg::Sha512, Bytes(126, 1), {}), IsOk());
  EXPECT_THAT(backend().rsa_oaep_encrypt(key_, HashAlg::Sha512, Bytes(127, 1), {}),
              HasErrorCode(ErrorCode::DataLenRange));
  EXPECT_THAT(backend().rsa_oaep_encrypt(key_, HashAlg::Sha256, {}, {}), IsOk());
}

TEST_F(RsaOaepTest, Sha224IsUnsupported) {
  EXPECT_THAT(backend().rsa_oaep_encrypt(key_, HashAlg::Sha224, plaintext_, {}),
              HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_THAT(backend().rsa_oaep_decrypt(key_, HashAlg::Sha224, Bytes(256, 1), {}),
              HasErrorCode(ErrorCode::MechanismUnsupported));
}

TEST_F(RsaOaepTest, KeyKindsAreChecked) {
  EXPECT_THAT(backend().rsa_oaep_decrypt(public_of(key_), HashAlg::Sha256, Bytes(256, 1), {}),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
  const Key& ec = generated(KeyAlgorithm::EcP256);
  EXPECT_THAT(backend().rsa_oaep_encrypt(ec, HashAlg::Sha256, plaintext_, {}),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_THAT(backend().rsa_oaep_decrypt(ec, HashAlg::Sha256, Bytes(256, 1), {}),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
}

class EcdhTest : public SoftwareBackendTest {};

TEST_F(EcdhTest, BothSidesDeriveTheSameFieldSizedSecret) {
  for (const auto& [algorithm, field] : {std::pair{KeyAlgorithm::EcP256, std::size_t{32}},
                                         std::pair{KeyAlgorithm::EcP384, std::size_t{48}}}) {
    const auto alice = backend().generate_key(algorithm);
    ASSERT_THAT(alice, IsOk());
    const Key& bob = generated(algorithm);
    const auto ab = backend().ecdh(*alice, public_of(bob));
    const auto ba = backend().ecdh(bob, public_of(*alice));
    ASSERT_THAT(ab, IsOk());
    ASSERT_THAT(ba, IsOk());
    EXPECT_EQ(ab->size(), field);
    EXPECT_TRUE(ab->equals(*ba));
  }
}

TEST_F(EcdhTest, MatchesRfc5903Section8_1) {
  // RFC 5903 §8.1 (P-256): i × (r·G) has x-coordinate g^ir.
  const auto initiator = Key::ec_private(
      EcCurve::P256, hex("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433"));
  const auto responder_public = Key::ec_public(
      EcCurve::P256, hex("04"
                         "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
                         "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB"));
  ASSERT_THAT(initiator, IsOk());
  ASSERT_THAT(responder_public, IsOk());
  const auto secret = backend().ecdh(*initiator, *responder_public);
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(bytes_of(*secret),
            hex("D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE"));
}

TEST_F(EcdhTest, KeysMustBeEcPrivateAndEcPublicOnOneCurve) {
  const Key& p256 = generated(KeyAlgorithm::EcP256);
  const Key& p384 = generated(KeyAlgorithm::EcP384);
  EXPECT_THAT(backend().ecdh(p256, public_of(p384)), HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_THAT(backend().ecdh(public_of(p256), public_of(p256)),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_THAT(backend().ecdh(p256, generated(KeyAlgorithm::Ed25519)),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_THAT(backend().ecdh(generated(KeyAlgorithm::Rsa2048), public_of(p256)),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
}

}  // namespace
}  // namespace craton::hsm::testing
