// SPDX-License-Identifier: Apache-2.0
// AES key wrap against the RFC 3394 §4 and RFC 5649 §6 vectors, plus length and integrity rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/software/test_util.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

struct WrapVector {
  const char* name;
  KeyWrapScheme scheme;
  const char* kek;
  const char* key;
  const char* wrapped;
};

class KeyWrapVectorTest : public SoftwareBackendTest,
                          public ::testing::WithParamInterface<WrapVector> {};

TEST_P(KeyWrapVectorTest, WrapsAndUnwrapsTheRfcVector) {
  const WrapVector& v = GetParam();
  const auto kek = Key::aes(hex(v.kek));
  ASSERT_THAT(kek, IsOk());
  const SecretBytes key(hex(v.key));
  const auto wrapped = backend().wrap_key(*kek, v.scheme, key);
  ASSERT_THAT(wrapped, IsOk());
  EXPECT_EQ(*wrapped, hex(v.wrapped));
  const auto unwrapped = backend().unwrap_key(*kek, v.scheme, hex(v.wrapped));
  ASSERT_THAT(unwrapped, IsOk());
  EXPECT_TRUE(unwrapped->equals(key));
}

constexpr const char* kKek128 = "000102030405060708090A0B0C0D0E0F";
constexpr const char* kKek192 = "000102030405060708090A0B0C0D0E0F1011121314151617";
constexpr const char* kKek256 = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
constexpr const char* kRfc5649Kek = "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8";

INSTANTIATE_TEST_SUITE_P(
    Rfc, KeyWrapVectorTest,
    ::testing::Values(
        WrapVector{"Rfc3394_4_1", KeyWrapScheme::AesKw, kKek128, "00112233445566778899AABBCCDDEEFF",
                   "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"},
        WrapVector{"Rfc3394_4_2", KeyWrapScheme::AesKw, kKek192, "00112233445566778899AABBCCDDEEFF",
                   "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D"},
        WrapVector{"Rfc3394_4_3", KeyWrapScheme::AesKw, kKek256, "00112233445566778899AABBCCDDEEFF",
                   "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7"},
        WrapVector{"Rfc3394_4_6", KeyWrapScheme::AesKw, kKek256,
                   "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
                   "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43B"
                   "FB988B9B7A02DD21"},
        WrapVector{"Rfc5649_6_20Bytes", KeyWrapScheme::AesKwp, kRfc5649Kek,
                   "c37b7e6492584340bed12207808941155068f738",
                   "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"},
        WrapVector{"Rfc5649_6_7Bytes", KeyWrapScheme::AesKwp, kRfc5649Kek, "466f7250617369",
                   "afbeb0f07dfbf5419200f2ccb50bb24f"}),
    [](const ::testing::TestParamInfo<WrapVector>& info) { return info.param.name; });

class KeyWrapTest : public SoftwareBackendTest {
 protected:
  const Key kek_ = *Key::aes(hex(kKek128));
};

TEST_F(KeyWrapTest, KwRefusesLengthsThatAreNotTwoOrMoreSemiblocks) {
  // 8 bytes is RFC 5649's single-semiblock case, which plain KW does not offer here.
  for (const std::size_t size : {1, 7, 8, 15, 17, 23}) {
    SCOPED_TRACE(size);
    EXPECT_THAT(backend().wrap_key(kek_, KeyWrapScheme::AesKw, SecretBytes(Bytes(size, 1))),
                HasErrorCode(ErrorCode::InvalidArgument));
  }
  EXPECT_THAT(backend().wrap_key(kek_, KeyWrapScheme::AesKwp, SecretBytes()),
              HasErrorCode(ErrorCode::InvalidArgument));
}

TEST_F(KeyWrapTest, KwpRoundTripsEveryLengthAroundASemiblock) {
  for (std::size_t size = 1; size <= 33; ++size) {
    SCOPED_TRACE(size);
    const SecretBytes key(Bytes(size, static_cast<std::uint8_t>(size)));
    const auto wrapped = backend().wrap_key(kek_, KeyWrapScheme::AesKwp, key);
    ASSERT_THAT(wrapped, IsOk());
    EXPECT_EQ(wrapped->size(), (size + 7) / 8 * 8 + 8);
    const auto unwrapped = backend().unwrap_key(kek_, KeyWrapScheme::AesKwp, *wrapped);
    ASSERT_THAT(unwrapped, IsOk());
    EXPECT_TRUE(unwrapped->equals(key));
  }
}

TEST_F(KeyWrapTest, TamperingIsWrappedKeyInvalid) {
  for (const KeyWrapScheme scheme : {KeyWrapScheme::AesKw, KeyWrapScheme::AesKwp}) {
    const auto wrapped = backend().wrap_key(kek_, scheme, SecretBytes(Bytes(24, 0x42)));
    ASSERT_THAT(wrapped, IsOk());
    for (std::size_t index = 0; index < wrapped->size(); index += 7) {
      SCOPED_TRACE(index);
      EXPECT_THAT(backend().unwrap_key(kek_, scheme, flipped(*wrapped, index)),
                  HasErrorCode(ErrorCode::WrappedKeyInvalid));
    }
    const auto other_kek = Key::aes(hex(kKek256));
    ASSERT_THAT(other_kek, IsOk());
    EXPECT_THAT(backend().unwrap_key(*other_kek, scheme, *wrapped),
                HasErrorCode(ErrorCode::WrappedKeyInvalid));
  }
}

TEST_F(KeyWrapTest, KwAndKwpDoNotAcceptEachOther) {
  const auto kw = backend().wrap_key(kek_, KeyWrapScheme::AesKw, SecretBytes(Bytes(16, 7)));
  ASSERT_THAT(kw, IsOk());
  EXPECT_THAT(backend().unwrap_key(kek_, KeyWrapScheme::AesKwp, *kw),
              HasErrorCode(ErrorCode::WrappedKeyInvalid));
  const auto kwp = backend().wrap_key(kek_, KeyWrapScheme::AesKwp, SecretBytes(Bytes(16, 7)));
  ASSERT_THAT(kwp, IsOk());
  EXPECT_THAT(backend().unwrap_key(kek_, KeyWrapScheme::AesKw, *kwp),
              HasErrorCode(ErrorCode::WrappedKeyInvalid));
}

TEST_F(KeyWrapTest, ImpossibleWrappedLengthsAreWrappedKeyInvalid) {
  for (const std::size_t size : {0, 8, 16, 23, 25}) {
    SCOPED_TRACE(size);
    EXPECT_THAT(backend().unwrap_key(kek_, KeyWrapScheme::AesKw, Bytes(size, 0)),
                HasErrorCode(ErrorCode::WrappedKeyInvalid));
  }
  for (const std::size_t size : {0, 8, 15, 17}) {
    SCOPED_TRACE(size);
    EXPECT_THAT(backend().unwrap_key(kek_, KeyWrapScheme::AesKwp, Bytes(size, 0)),
                HasErrorCode(ErrorCode::WrappedKeyInvalid));
  }
}

TEST_F(KeyWrapTest, KekMustBeAnAesKey) {
  const auto hmac = Key::hmac(hex("00112233445566778899aabbccddeeff"));
  ASSERT_THAT(hmac, IsOk());
  EXPECT_THAT(backend().wrap_key(*hmac, KeyWrapScheme::AesKw, SecretBytes(Bytes(16, 1))),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_THAT(backend().unwrap_key(*hmac, KeyWrapScheme::AesKwp, Bytes(16, 0)),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
}

}  // namespace
}  // namespace craton::hsm::testing
