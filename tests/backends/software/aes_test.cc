// SPDX-License-Identifier: Apache-2.0
// AES-GCM, AES-CBC and AES-CTR: known answers, round trips, tampering and input checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/software/test_util.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

// NIST SP 800-38A F.2.1 / F.5.1 and the GCM specification's test case 3 use these.
const Bytes kSp80038aKey = hex("2b7e151628aed2a6abf7158809cf4f3c");
const Bytes kGcmKey = hex("feffe9928665731c6d6a8f9467308308");

Key aes_key(ByteView bytes) {
  auto key = Key::aes(bytes);
  if (!key) throw std::runtime_error(key.error().to_string());
  return std::move(key).value();
}

Key hmac_key() {
  auto key = Key::hmac(hex("0102030405060708090a0b0c0d0e0f10"));
  if (!key) throw std::runtime_error(key.error().to_string());
  return std::move(key).value();
}

class AesGcmTest : public SoftwareBackendTest {
 protected:
  const Key key_ = aes_key(kGcmKey);
  const Bytes plaintext_ = text_bytes("attack at dawn, bring the good biscuits");
  const Bytes aad_ = text_bytes("header v1");
};

TEST_F(AesGcmTest, DecryptsTheSpecificationsTestCase3) {
  const Bytes sealed =
      hex("cafebabefacedbaddecaf888"
          "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
          "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
          "4d5c2af327cd64a62cf35abd2ba6fab4");
  const auto plaintext = backend().aes_gcm_decrypt(key_, sealed, {});
  ASSERT_THAT(plaintext, IsOk());
  EXPECT_EQ(bytes_of(*plaintext),
            hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"));
}

TEST_F(AesGcmTest, RoundTripsWithTheDocumentedLayout) {
  const auto sealed = backend().aes_gcm_encrypt(key_, plaintext_, aad_);
  ASSERT_THAT(sealed, IsOk());
  EXPECT_EQ(sealed->size(), kGcmIvSize + plaintext_.size() + kGcmTagSize);
  const auto opened = backend().aes_gcm_decrypt(key_, *sealed, aad_);
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(bytes_of(*opened), plaintext_);
}

TEST_F(AesGcmTest, EveryMessageGetsAFreshIv) {
  const auto first = backend().aes_gcm_encrypt(key_, plaintext_, aad_);
  const auto second = backend().aes_gcm_encrypt(key_, plaintext_, aad_);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  EXPECT_NE(Bytes(first->begin(), first->begin() + kGcmIvSize),
            Bytes(second->begin(), second->begin() + kGcmIvSize));
}

TEST_F(AesGcmTest, EmptyPlaintextAndAadAreAllowed) {
  const auto sealed = backend().aes_gcm_encrypt(key_, {}, {});
  ASSERT_THAT(sealed, IsOk());
  EXPECT_EQ(sealed->size(), kGcmIvSize + kGcmTagSize);
  const auto opened = backend().aes_gcm_decrypt(key_, *sealed, {});
  ASSERT_THAT(opened, IsOk());
  EXPECT_TRUE(opened->empty());
}

TEST_F(AesGcmTest, AnyTamperingFailsAuthentication) {
  const auto sealed = backend().aes_gcm_encrypt(key_, plaintext_, aad_);
  ASSERT_THAT(sealed, IsOk());
  const std::size_t ciphertext_at = kGcmIvSize;
  const std::size_t tag_at = sealed->size() - kGcmTagSize;
  for (const std::size_t index :
       {std::size_t{0}, kGcmIvSize - 1, ciphertext_at, tag_at - 1, tag_at, sealed->size() - 1}) {
    SCOPED_TRACE(index);
    EXPECT_THAT(backend().aes_gcm_decrypt(key_, flipped(*sealed, index), aad_),
                HasErrorCode(ErrorCode::AuthenticationFailed));
  }
  EXPECT_THAT(backend().aes_gcm_decrypt(key_, *sealed, flipped(aad_, 0)),
              HasErrorCode(ErrorCode::AuthenticationFailed));
  EXPECT_THAT(backend().aes_gcm_decrypt(key_, *sealed, {}),
              HasErrorCode(ErrorCode::AuthenticationFailed));
  const Bytes truncated(sealed->begin(), sealed->end() - 1);
  EXPECT_THAT(backend().aes_gcm_decrypt(key_, truncated, aad_),
              HasErrorCode(ErrorCode::AuthenticationFailed));
}

TEST_F(AesGcmTest, InputShorterThanIvAndTagFailsAuthentication) {
  EXPECT_THAT(backend().aes_gcm_decrypt(key_, Bytes(kGcmIvSize + kGcmTagSize - 1, 0), {}),
              HasErrorCode(ErrorCode::AuthenticationFailed));
  EXPECT_THAT(backend().aes_gcm_decrypt(key_, {}, {}),
              HasErrorCode(ErrorCode::AuthenticationFailed));
  EXPECT_THAT(backend().aes_gcm_decrypt(key_, Bytes(kGcmIvSize + kGcmTagSize, 0), {}),
              HasErrorCode(ErrorCode::AuthenticationFailed));
}

TEST_F(AesGcmTest, WrongKeyFailsAuthentication) {
  const auto sealed = backend().aes_gcm_encrypt(key_, plaintext_, aad_);
  ASSERT_THAT(sealed, IsOk());
  EXPECT_THAT(backend().aes_gcm_decrypt(aes_key(kSp80038aKey), *sealed, aad_),
              HasErrorCode(ErrorCode::AuthenticationFailed));
}

TEST_F(AesGcmTest, NonAesKeyIsInconsistent) {
  EXPECT_THAT(backend().aes_gcm_encrypt(hmac_key(), plaintext_, {}),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_THAT(backend().aes_gcm_decrypt(hmac_key(), Bytes(64, 0), {}),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
}

TEST_F(AesGcmTest, MessagesOverTheLimitAreRefused) {
  const auto small = make_software_backend({.max_message_bytes = 16});
  EXPECT_THAT(small->aes_gcm_encrypt(key_, Bytes(16, 0), {}), IsOk());
  EXPECT_THAT(small->aes_gcm_encrypt(key_, Bytes(17, 0), {}),
              HasErrorCode(ErrorCode::DataLenRange));
  EXPECT_THAT(small->aes_gcm_encrypt(key_, {}, Bytes(17, 0)),
              HasErrorCode(ErrorCode::DataLenRange));
}

class AesCbcTest : public SoftwareBackendTest {
 protected:
  const Key key_ = aes_key(kSp80038aKey);
  const Bytes iv_ = hex("000102030405060708090a0b0c0d0e0f");
};

TEST_F(AesCbcTest, FirstBlockMatchesSp80038a) {
  const auto ciphertext =
      backend().aes_cbc_encrypt(key_, iv_, hex("6bc1bee22e409f96e93d7e117393172a"));
  ASSERT_THAT(ciphertext, IsOk());
  // An aligned input gains a whole block of padding.
  ASSERT_EQ(ciphertext->size(), 2 * kAesBlockSize);
  EXPECT_EQ(Bytes(ciphertext->begin(), ciphertext->begin() + kAesBlockSize),
            hex("7649abac8119b246cee98e9b12e9197d"));
}

TEST_F(AesCbcTest, RoundTripsEveryLengthAroundABlock) {
  for (const std::size_t size : {0, 1, 15, 16, 17, 31, 32, 100}) {
    SCOPED_TRACE(size);
    Bytes plaintext(size);
    for (std::size_t i = 0; i < size; ++i) plaintext[i] = static_cast<std::uint8_t>(i * 7);
    const auto ciphertext = backend().aes_cbc_encrypt(key_, iv_, plaintext);
    ASSERT_THAT(ciphertext, IsOk());
    EXPECT_EQ(ciphertext->size(), (size / kAesBlockSize + 1) * kAesBlockSize);
    const auto decrypted = backend().aes_cbc_decrypt(key_, iv_, *ciphertext);
    ASSERT_THAT(decrypted, IsOk());
    EXPECT_EQ(bytes_of(*decrypted), plaintext);
  }
}

TEST_F(AesCbcTest, BadPaddingIsEncryptedDataInvalid) {
  // An empty plaintext encrypts to one block of sixteen 0x10 bytes; changing the IV changes
  // the decrypted padding byte to 0x11 (too large) or 0x00 (never valid).
  const auto ciphertext = backend().aes_cbc_encrypt(key_, iv_, {});
  ASSERT_THAT(ciphertext, IsOk());
  Bytes iv = iv_;
  iv.back() ^= 0x01;
  EXPECT_THAT(backend().aes_cbc_decrypt(key_, iv, *ciphertext),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
  iv = iv_;
  iv.back() ^= 0x10;
  EXPECT_THAT(backend().aes_cbc_decrypt(key_, iv, *ciphertext),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
  // Padding bytes that disagree with each other: 0x10 at the end, 0x11 before it.
  iv = iv_;
  iv[kAesBlockSize - 2] ^= 0x01;
  EXPECT_THAT(backend().aes_cbc_decrypt(key_, iv, *ciphertext),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
}

TEST_F(AesCbcTest, CiphertextLengthMustBeAPositiveMultipleOfTheBlock) {
  for (const std::size_t size : {0, 1, 15, 17, 33}) {
    SCOPED_TRACE(size);
    EXPECT_THAT(backend().aes_cbc_decrypt(key_, iv_, Bytes(size, 0)),
                HasErrorCode(ErrorCode::EncryptedDataInvalid));
  }
}

TEST_F(AesCbcTest, IvMustBeOneBlock) {
  for (const std::size_t size : {0, 12, 15, 17}) {
    SCOPED_TRACE(size);
    EXPECT_THAT(backend().aes_cbc_encrypt(key_, Bytes(size, 0), Bytes(5, 0)),
                HasErrorCode(ErrorCode::InvalidArgument));
    EXPECT_THAT(backend().aes_cbc_decrypt(key_, Bytes(size, 0), Bytes(16, 0)),
                HasErrorCode(ErrorCode::InvalidArgument));
  }
}

TEST_F(AesCbcTest, NonAesKeyIsInconsistent) {
  EXPECT_THAT(backend().aes_cbc_encrypt(hmac_key(), iv_, Bytes(5, 0)),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
}

class AesCtrTest : public SoftwareBackendTest {
 protected:
  const Key key_ = aes_key(kSp80038aKey);

  Bytes keystream(std::string_view iv, std::size_t size) {
    auto out = backend().aes_ctr(key_, hex(iv), Bytes(size, 0));
    if (!out) throw std::runtime_error(out.error().to_string());
    return std::move(out).value();
  }
};

TEST_F(AesCtrTest, MatchesSp80038a) {
  const Bytes plaintext = hex("6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51");
  const Bytes counter = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  const auto ciphertext = backend().aes_ctr(key_, counter, plaintext);
  ASSERT_THAT(ciphertext, IsOk());
  EXPECT_EQ(*ciphertext, hex("874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff"));
  const auto decrypted = backend().aes_ctr(key_, counter, *ciphertext);
  ASSERT_THAT(decrypted, IsOk());
  EXPECT_EQ(*decrypted, plaintext);
}

TEST_F(AesCtrTest, CounterCarriesThroughAll128Bits) {
  // Past the low 64 bits: ...00 ffffffffffffffff is followed by ...01 0000000000000000.
  const Bytes carried = keystream("0000000000000000 ffffffffffffffff", 32);
  const Bytes next = keystream("0000000000000001 0000000000000000", 16);
  EXPECT_EQ(Bytes(carried.begin() + 16, carried.end()), next);
  // And the whole block wraps to zero.
  const Bytes wrapped = keystream("ffffffffffffffff ffffffffffffffff", 32);
  const Bytes zero = keystream("0000000000000000 0000000000000000", 16);
  EXPECT_EQ(Bytes(wrapped.begin() + 16, wrapped.end()), zero);
}

TEST_F(AesCtrTest, PartialBlocksAndEmptyInputWork) {
  EXPECT_EQ(keystream("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", 5).size(), 5u);
  EXPECT_TRUE(keystream("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", 0).empty());
}

TEST_F(AesCtrTest, IvMustBeOneBlock) {
  EXPECT_THAT(backend().aes_ctr(key_, Bytes(12, 0), Bytes(5, 0)),
              HasErrorCode(ErrorCode::InvalidArgument));
}

}  // namespace
}  // namespace craton::hsm::testing
