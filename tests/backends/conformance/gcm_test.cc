// SPDX-License-Identifier: Apache-2.0
// Conformance of AES-GCM: iv ‖ ciphertext ‖ tag framing, fresh IVs, and AuthenticationFailed for
// every kind of tampering, identically on every backend.
#include <craton/hsm/backend.h>

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/conformance/bytes.h"
#include "backends/conformance/conformance_matchers.h"
#include "backends/conformance/fixture.h"

namespace craton::hsm::conformance {
namespace {

using testing::HasErrorCode;

class GcmConformance : public BackendTest {};

const Bytes kAad = bytes_of("header: v1");

TEST_P(GcmConformance, RoundTripsEveryKeySizeWithAndWithoutAad) {
  for (const std::size_t key_bytes : {16U, 24U, 32U}) {
    ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(key_bytes));
    EXPECT_EQ(key.bits(), key_bytes * 8);
    for (const Bytes& aad : {Bytes{}, kAad}) {
      for (const std::size_t size : {0U, 1U, 16U, 33U, 1000U}) {
        SCOPED_TRACE(fmt::format("AES-{} aad {} bytes, plaintext {} bytes", key_bytes * 8,
                                 aad.size(), size));
        const Bytes plaintext(size, 0xa5);
        ASSERT_OK_AND_ASSIGN(const Bytes sealed, backend().aes_gcm_encrypt(key, plaintext, aad));
        EXPECT_EQ(sealed.size(), kGcmIvSize + size + kGcmTagSize);
        EXPECT_THAT(backend().aes_gcm_decrypt(key, sealed, aad), HoldsBytes(plaintext));
      }
    }
  }
}

TEST_P(GcmConformance, EmptyPlaintextIsStillAuthenticated) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(32));
  ASSERT_OK_AND_ASSIGN(const Bytes sealed, backend().aes_gcm_encrypt(key, Bytes{}, kAad));
  ASSERT_EQ(sealed.size(), kGcmIvSize + kGcmTagSize);
  EXPECT_THAT(backend().aes_gcm_decrypt(key, sealed, kAad), HoldsBytes(Bytes{}));
  EXPECT_THAT(backend().aes_gcm_decrypt(key, sealed, Bytes{}),
              HasErrorCode(ErrorCode::AuthenticationFailed));
  EXPECT_THAT(backend().aes_gcm_decrypt(key, flip_bit(sealed, sealed.size() - 1), kAad),
              HasErrorCode(ErrorCode::AuthenticationFailed));
}

// backend.h: "Any tampering: AuthenticationFailed, no plaintext." Truncation is tampering too,
// including below the size of iv ‖ tag.
TEST_P(GcmConformance, EveryTamperingIsAuthenticationFailed) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(16));
  const Bytes plaintext = bytes_of("attack at dawn, bring snacks");
  ASSERT_OK_AND_ASSIGN(const Bytes sealed, backend().aes_gcm_encrypt(key, plaintext, kAad));
  const std::size_t tag_start = sealed.size() - kGcmTagSize;
  const std::vector<std::pair<std::string, Bytes>> tampered = {
      {"iv byte 0", flip_bit(sealed, 0)},
      {"iv byte 11", flip_bit(sealed, kGcmIvSize - 1)},
      {"first ciphertext byte", flip_bit(sealed, kGcmIvSize)},
      {"last ciphertext byte", flip_bit(sealed, tag_start - 1)},
      {"first tag byte", flip_bit(sealed, tag_start)},
      {"last tag byte", flip_bit(sealed, sealed.size() - 1)},
      {"truncated by one byte", Bytes(sealed.begin(), sealed.end() - 1)},
      {"ciphertext dropped", Bytes(sealed.begin(), sealed.begin() + kGcmIvSize + kGcmTagSize)},
      {"byte appended", concat(sealed, Bytes{0x00})},
      {"shorter than iv and tag", Bytes(sealed.begin(), sealed.begin() + 27)},
      {"iv only", Bytes(sealed.begin(), sealed.begin() + kGcmIvSize)},
      {"empty", Bytes{}},
  };
  for (const auto& [what, bytes] : tampered) {
    EXPECT_THAT(backend().aes_gcm_decrypt(key, bytes, kAad),
                HasErrorCode(ErrorCode::AuthenticationFailed))
        << what;
  }
  EXPECT_THAT(backend().aes_gcm_decrypt(key, sealed, Bytes{}),
              HasErrorCode(ErrorCode::AuthenticationFailed))
      << "aad dropped";
  EXPECT_THAT(backend().aes_gcm_decrypt(key, sealed, flip_bit(kAad, 0)),
              HasErrorCode(ErrorCode::AuthenticationFailed))
      << "aad altered";
  EXPECT_THAT(backend().aes_gcm_decrypt(key, sealed, concat(kAad, Bytes{0x00})),
              HasErrorCode(ErrorCode::AuthenticationFailed))
      << "aad extended";
  ASSERT_OK_AND_ASSIGN(const Key other_key, fresh_aes_key(16));
  EXPECT_THAT(backend().aes_gcm_decrypt(other_key, sealed, kAad),
              HasErrorCode(ErrorCode::AuthenticationFailed))
      << "another key";
}

TEST_P(GcmConformance, AadGivenOnlyAtDecryptionFails) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(24));
  ASSERT_OK_AND_ASSIGN(const Bytes sealed, backend().aes_gcm_encrypt(key, kAad, Bytes{}));
  EXPECT_THAT(backend().aes_gcm_decrypt(key, sealed, kAad),
              HasErrorCode(ErrorCode::AuthenticationFailed));
}

TEST_P(GcmConformance, EveryEncryptionDrawsAFreshIv) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(32));
  const Bytes plaintext = bytes_of("same plaintext twice");
  ASSERT_OK_AND_ASSIGN(const Bytes first, backend().aes_gcm_encrypt(key, plaintext, kAad));
  ASSERT_OK_AND_ASSIGN(const Bytes second, backend().aes_gcm_encrypt(key, plaintext, kAad));
  EXPECT_NE(first, second);
  EXPECT_NE(Bytes(first.begin(), first.begin() + kGcmIvSize),
            Bytes(second.begin(), second.begin() + kGcmIvSize));
}

TEST_P(GcmConformance, ImportedKeyDecryptsWhatTheGeneratedOneSealed) {
  ASSERT_OK_AND_ASSIGN(const Key generated, fresh_aes_key(32));
  ASSERT_OK_AND_ASSIGN(const SecretBytes bytes, generated.export_secret());
  ASSERT_OK_AND_ASSIGN(const Key imported, Key::aes(bytes.expose()));
  const Bytes plaintext = bytes_of("portable");
  ASSERT_OK_AND_ASSIGN(const Bytes sealed, backend().aes_gcm_encrypt(generated, plaintext, kAad));
  EXPECT_THAT(backend().aes_gcm_decrypt(imported, sealed, kAad), HoldsBytes(plaintext));
}

TEST_P(GcmConformance, OnlyAesKeysEncrypt) {
  ASSERT_OK_AND_ASSIGN(const Key hmac, Key::hmac(Bytes(32, 0x0b)));
  ASSERT_OK_AND_ASSIGN(const Key ec, shared_key(KeyAlgorithm::EcP256));
  for (const Key& key : {hmac, ec}) {
    SCOPED_TRACE(key.describe());
    EXPECT_THAT(backend().aes_gcm_encrypt(key, kAad, Bytes{}),
                HasErrorCode(ErrorCode::KeyTypeInconsistent));
    EXPECT_THAT(backend().aes_gcm_decrypt(key, Bytes(40, 0), Bytes{}),
                HasErrorCode(ErrorCode::KeyTypeInconsistent));
  }
}

CRATON_INSTANTIATE_OVER_BACKENDS(GcmConformance);

}  // namespace
}  // namespace craton::hsm::conformance
