// SPDX-License-Identifier: Apache-2.0
// Conformance of RSA-OAEP: round trips per hash (or MechanismUnsupported per Capabilities),
// labels, the one EncryptedDataInvalid for every decoding failure, and the size limit.
#include <craton/hsm/backend.h>

#include <optional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/conformance/bytes.h"
#include "backends/conformance/conformance_matchers.h"
#include "backends/conformance/fixture.h"

namespace craton::hsm::conformance {
namespace {

using testing::HasErrorCode;

class OaepConformance : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    auto key = shared_key(KeyAlgorithm::Rsa2048);
    ASSERT_THAT(key, testing::IsOk());
    private_key_.emplace(*key);
    auto public_key = key->public_key();
    ASSERT_THAT(public_key, testing::IsOk());
    public_key_.emplace(*public_key);
  }
  const Key& private_key() const { return *private_key_; }
  const Key& public_key() const { return *public_key_; }

 private:
  std::optional<Key> private_key_;
  std::optional<Key> public_key_;
};

const Bytes kSecret = bytes_of("a 32-byte data encryption key!!!");
const Bytes kLabel = bytes_of("context: backup 7");

TEST_P(OaepConformance, RoundTripsWithAndWithoutLabelForEverySupportedHash) {
  for (const HashAlg hash : kHashesBeyond224) {
    SCOPED_TRACE(hash_name(hash));
    if (!caps().supports_oaep(hash)) {
      EXPECT_THAT(backend().rsa_oaep_encrypt(public_key(), hash, kSecret, Bytes{}),
                  HasErrorCode(ErrorCode::MechanismUnsupported));
      EXPECT_THAT(backend().rsa_oaep_decrypt(private_key(), hash, Bytes(256, 1), Bytes{}),
                  HasErrorCode(ErrorCode::MechanismUnsupported));
      continue;
    }
    for (const Bytes& label : {Bytes{}, kLabel}) {
      ASSERT_OK_AND_ASSIGN(const Bytes ciphertext,
                           backend().rsa_oaep_encrypt(public_key(), hash, kSecret, label));
      EXPECT_EQ(ciphertext.size(), 256U);
      EXPECT_THAT(backend().rsa_oaep_decrypt(private_key(), hash, ciphertext, label),
                  HoldsBytes(kSecret));
    }
    ASSERT_OK_AND_ASSIGN(const Bytes from_private,
                         backend().rsa_oaep_encrypt(private_key(), hash, Bytes{}, Bytes{}));
    EXPECT_THAT(backend().rsa_oaep_decrypt(private_key(), hash, from_private, Bytes{}),
                HoldsBytes(Bytes{}))
        << "the private key's public half encrypts; an empty message is allowed";
  }
}

TEST_P(OaepConformance, EncryptionIsRandomized) {
  if (caps().oaep_hashes.empty()) GTEST_SKIP() << "no OAEP hash on " << GetParam().name;
  const HashAlg hash = caps().oaep_hashes.front();
  ASSERT_OK_AND_ASSIGN(const Bytes first,
                       backend().rsa_oaep_encrypt(public_key(), hash, kSecret, Bytes{}));
  ASSERT_OK_AND_ASSIGN(const Bytes second,
                       backend().rsa_oaep_encrypt(public_key(), hash, kSecret, Bytes{}));
  EXPECT_NE(first, second);
}

// backend.h: "Any decoding failure: EncryptedDataInvalid, one error for all causes."
TEST_P(OaepConformance, EveryDecodingFailureIsTheSameEncryptedDataInvalid) {
  for (const HashAlg hash : caps().oaep_hashes) {
    SCOPED_TRACE(hash_name(hash));
    ASSERT_OK_AND_ASSIGN(const Bytes ciphertext,
                         backend().rsa_oaep_encrypt(public_key(), hash, kSecret, kLabel));
    const auto decoding_failure = HasErrorCode(ErrorCode::EncryptedDataInvalid);
    EXPECT_THAT(backend().rsa_oaep_decrypt(private_key(), hash, ciphertext, Bytes{}),
                decoding_failure)
        << "label dropped";
    EXPECT_THAT(backend().rsa_oaep_decrypt(private_key(), hash, ciphertext, flip_bit(kLabel, 0)),
                decoding_failure)
        << "label altered";
    EXPECT_THAT(backend().rsa_oaep_decrypt(private_key(), hash, flip_bit(ciphertext, 100), kLabel),
                decoding_failure)
        << "ciphertext altered";
    EXPECT_THAT(backend().rsa_oaep_decrypt(private_key(), hash, Bytes(256, 0), kLabel),
                decoding_failure)
        << "all-zero ciphertext";
    for (const HashAlg other : caps().oaep_hashes) {
      if (other == hash) continue;
      EXPECT_THAT(backend().rsa_oaep_decrypt(private_key(), other, ciphertext, kLabel),
                  decoding_failure)
          << "decrypted with " << hash_name(other);
    }
  }
}

// RFC 8017 §7.1.1: at most k - 2·hLen - 2 bytes of message.
TEST_P(OaepConformance, LongestMessageFitsAndOneMoreIsDataLenRange) {
  for (const HashAlg hash : caps().oaep_hashes) {
    SCOPED_TRACE(hash_name(hash));
    const std::size_t longest = 256 - 2 * digest_size(hash) - 2;
    const Bytes message(longest, 0x61);
    ASSERT_OK_AND_ASSIGN(const Bytes ciphertext,
                         backend().rsa_oaep_encrypt(public_key(), hash, message, Bytes{}));
    EXPECT_THAT(backend().rsa_oaep_decrypt(private_key(), hash, ciphertext, Bytes{}),
                HoldsBytes(message));
    EXPECT_THAT(backend().rsa_oaep_encrypt(public_key(), hash, Bytes(longest + 1, 0x61), Bytes{}),
                HasErrorCode(ErrorCode::DataLenRange));
  }
}

TEST_P(OaepConformance, NeedsRsaKeysAndAPrivateKeyToDecrypt) {
  ASSERT_OK_AND_ASSIGN(const Key ec, shared_key(KeyAlgorithm::EcP256));
  ASSERT_OK_AND_ASSIGN(const Key aes, fresh_aes_key(16));
  for (const HashAlg hash : caps().oaep_hashes) {
    SCOPED_TRACE(hash_name(hash));
    const auto inconsistent = HasErrorCode(ErrorCode::KeyTypeInconsistent);
    EXPECT_THAT(backend().rsa_oaep_encrypt(ec, hash, kSecret, Bytes{}), inconsistent);
    EXPECT_THAT(backend().rsa_oaep_encrypt(aes, hash, kSecret, Bytes{}), inconsistent);
    EXPECT_THAT(backend().rsa_oaep_decrypt(ec, hash, Bytes(256, 1), Bytes{}), inconsistent);
    EXPECT_THAT(backend().rsa_oaep_decrypt(public_key(), hash, Bytes(256, 1), Bytes{}),
                inconsistent)
        << "decryption needs the private key";
  }
}

CRATON_INSTANTIATE_OVER_BACKENDS(OaepConformance);

}  // namespace
}  // namespace craton::hsm::conformance
