// SPDX-License-Identifier: Apache-2.0
// Conformance of AES-CBC (PKCS#7 padding) and AES-CTR (full 128-bit counter): known answers
// from NIST SP 800-38A, lengths, IV checks and padding failures, identically on every backend.
#include <craton/hsm/backend.h>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/conformance/bytes.h"
#include "backends/conformance/conformance_matchers.h"
#include "backends/conformance/fixture.h"

namespace craton::hsm::conformance {
namespace {

using testing::HasErrorCode;

class CbcConformance : public BackendTest {};
class CtrConformance : public BackendTest {};

// NIST SP 800-38A, appendix F: the AES-128 key and the four-block plaintext of every example.
const Bytes kSp800Key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
const Bytes kSp800Plaintext = from_hex(
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
const Bytes kIv = from_hex("000102030405060708090a0b0c0d0e0f");

TEST_P(CbcConformance, RoundTripsEveryLengthIncludingEmptyAndBlockMultiples) {
  for (const std::size_t key_bytes : {16U, 24U, 32U}) {
    ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(key_bytes));
    for (const std::size_t size : {0U, 1U, 15U, 16U, 17U, 32U, 100U}) {
      SCOPED_TRACE(fmt::format("AES-{}, {} bytes", key_bytes * 8, size));
      const Bytes plaintext(size, 0x3c);
      ASSERT_OK_AND_ASSIGN(const Bytes ciphertext, backend().aes_cbc_encrypt(key, kIv, plaintext));
      EXPECT_EQ(ciphertext.size(), (size / kAesBlockSize + 1) * kAesBlockSize)
          << "PKCS#7 always adds padding, a whole block for block multiples";
      EXPECT_THAT(backend().aes_cbc_decrypt(key, kIv, ciphertext), HoldsBytes(plaintext));
    }
  }
}

// SP 800-38A F.2.1 (CBC-AES128.Encrypt); PKCS#7 then appends one block of 0x10 bytes.
TEST_P(CbcConformance, MatchesSp800_38aF21FollowedByAPaddingBlock) {
  ASSERT_OK_AND_ASSIGN(const Key key, Key::aes(kSp800Key));
  const Bytes expected = from_hex(
      "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
      "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"
      "8cb82807230e1321d3fae00d18cc2012");
  EXPECT_THAT(backend().aes_cbc_encrypt(key, kIv, kSp800Plaintext), HoldsBytes(expected));
  EXPECT_THAT(backend().aes_cbc_decrypt(key, kIv, expected), HoldsBytes(kSp800Plaintext));
}

TEST_P(CbcConformance, IvOfTheWrongLengthIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(16));
  for (const std::size_t size : {0U, 12U, 15U, 17U, 32U}) {
    const Bytes iv(size, 0x01);
    EXPECT_THAT(backend().aes_cbc_encrypt(key, iv, kSp800Plaintext),
                HasErrorCode(ErrorCode::InvalidArgument))
        << size << "-byte IV";
    EXPECT_THAT(backend().aes_cbc_decrypt(key, iv, Bytes(32, 0)),
                HasErrorCode(ErrorCode::InvalidArgument))
        << size << "-byte IV";
  }
}

// The tampering is chosen so the padding is certainly wrong (a random last block would have
// valid padding about once in 256 runs).
TEST_P(CbcConformance, BrokenPaddingIsEncryptedDataInvalid) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(32));
  // 16 bytes of plaintext: the second block decrypts to sixteen 0x10 bytes.
  ASSERT_OK_AND_ASSIGN(const Bytes one_block, backend().aes_cbc_encrypt(key, kIv, Bytes(16, 7)));
  Bytes pad_17 = one_block;
  pad_17[15] ^= 0x10 ^ 0x11;  // the last padding byte now claims 17 bytes
  EXPECT_THAT(backend().aes_cbc_decrypt(key, kIv, pad_17),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
  Bytes pad_zero = one_block;
  pad_zero[15] ^= 0x10;  // the last padding byte is now 0x00
  EXPECT_THAT(backend().aes_cbc_decrypt(key, kIv, pad_zero),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
  Bytes inconsistent = one_block;
  inconsistent[3] ^= 0x01;  // the last byte says 16 but byte 3 of the padding is 0x11
  EXPECT_THAT(backend().aes_cbc_decrypt(key, kIv, inconsistent),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
  // 32 zero bytes, last block removed: the plaintext now ends in 0x00, never valid padding.
  ASSERT_OK_AND_ASSIGN(const Bytes two_blocks, backend().aes_cbc_encrypt(key, kIv, Bytes(32, 0)));
  EXPECT_THAT(backend().aes_cbc_decrypt(key, kIv, Bytes(two_blocks.begin(), two_blocks.end() - 16)),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
}

TEST_P(CbcConformance, CiphertextNotAPositiveMultipleOfTheBlockIsEncryptedDataInvalid) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(16));
  for (const std::size_t size : {0U, 1U, 15U, 17U, 31U}) {
    EXPECT_THAT(backend().aes_cbc_decrypt(key, kIv, Bytes(size, 0x42)),
                HasErrorCode(ErrorCode::EncryptedDataInvalid))
        << size << " bytes";
  }
}

TEST_P(CbcConformance, OnlyAesKeysEncrypt) {
  ASSERT_OK_AND_ASSIGN(const Key hmac, Key::hmac(Bytes(32, 0x0b)));
  EXPECT_THAT(backend().aes_cbc_encrypt(hmac, kIv, kSp800Plaintext),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_THAT(backend().aes_cbc_decrypt(hmac, kIv, Bytes(32, 0)),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_THAT(backend().aes_ctr(hmac, kIv, kSp800Plaintext),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
}

// SP 800-38A F.5.1 (CTR-AES128.Encrypt) and F.5.2 (Decrypt): the same operation.
TEST_P(CtrConformance, MatchesSp800_38aF51) {
  ASSERT_OK_AND_ASSIGN(const Key key, Key::aes(kSp800Key));
  const Bytes counter = from_hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  const Bytes expected = from_hex(
      "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
      "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
  EXPECT_THAT(backend().aes_ctr(key, counter, kSp800Plaintext), HoldsBytes(expected));
  EXPECT_THAT(backend().aes_ctr(key, counter, expected), HoldsBytes(kSp800Plaintext));
}

TEST_P(CtrConformance, RoundTripsOddLengthsWithoutPadding) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(24));
  // One keystream: every length is a prefix of the longest (a 1-byte ciphertext may equal its
  // plaintext: the key is random, and its first keystream byte is zero 1 time in 256).
  ASSERT_OK_AND_ASSIGN(const Bytes longest, backend().aes_ctr(key, kIv, Bytes(1000, 0x77)));
  EXPECT_NE(longest, Bytes(1000, 0x77));
  for (const std::size_t size : {1U, 15U, 33U, 1000U}) {
    const Bytes plaintext(size, 0x77);
    ASSERT_OK_AND_ASSIGN(const Bytes ciphertext, backend().aes_ctr(key, kIv, plaintext));
    EXPECT_EQ(ciphertext,
              Bytes(longest.begin(), longest.begin() + static_cast<std::ptrdiff_t>(size)));
    EXPECT_THAT(backend().aes_ctr(key, kIv, ciphertext), HoldsBytes(plaintext)) << size;
  }
}

// The counter is the whole 128-bit block: the carry crosses the 64-bit halves and wraps at 2^128.
TEST_P(CtrConformance, CounterCarriesAcrossAll128Bits) {
  ASSERT_OK_AND_ASSIGN(const Key key, Key::aes(kSp800Key));
  const Bytes zeros(16, 0);
  const std::pair<const char*, const char*> carries[] = {
      {"0000000000000000ffffffffffffffff", "00000000000000010000000000000000"},
      {"ffffffffffffffffffffffffffffffff", "00000000000000000000000000000000"},
  };
  for (const auto& [before, after] : carries) {
    SCOPED_TRACE(before);
    ASSERT_OK_AND_ASSIGN(const Bytes two_blocks,
                         backend().aes_ctr(key, from_hex(before), Bytes(32, 0)));
    ASSERT_OK_AND_ASSIGN(const Bytes next_block, backend().aes_ctr(key, from_hex(after), zeros));
    EXPECT_EQ(Bytes(two_blocks.begin() + 16, two_blocks.end()), next_block);
  }
}

TEST_P(CtrConformance, CounterBlockOfTheWrongLengthIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(16));
  for (const std::size_t size : {0U, 8U, 12U, 15U, 17U}) {
    EXPECT_THAT(backend().aes_ctr(key, Bytes(size, 0), kSp800Plaintext),
                HasErrorCode(ErrorCode::InvalidArgument))
        << size << "-byte counter block";
  }
}

CRATON_INSTANTIATE_OVER_BACKENDS(CbcConformance);
CRATON_INSTANTIATE_OVER_BACKENDS(CtrConformance);

}  // namespace
}  // namespace craton::hsm::conformance
