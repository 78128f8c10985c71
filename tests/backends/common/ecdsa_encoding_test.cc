// SPDX-License-Identifier: Apache-2.0
// ECDSA r‖s <-> DER conversion: minimal output, and strict DER as the only accepted input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/common/ecdsa_encoding.h"
#include "backends/common/test_bytes.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using common::ecdsa_der_to_raw;
using common::ecdsa_raw_to_der;

constexpr std::size_t kP256 = 32;
constexpr std::size_t kP384 = 48;

// r = 1 and s = 0x80 followed by zeros: one integer needs trimming, the other a sign byte.
Bytes trim_and_sign_raw() {
  Bytes raw(2 * kP256, 0);
  raw[kP256 - 1] = 0x01;
  raw[kP256] = 0x80;
  return raw;
}

Bytes trim_and_sign_der() {
  Bytes der = hex("3026 020101 022100 80");
  der.resize(der.size() + kP256 - 1, 0);
  return der;
}

TEST(EcdsaEncodingTest, RawToDerIsMinimal) {
  const auto der = ecdsa_raw_to_der(trim_and_sign_raw(), kP256);
  ASSERT_THAT(der, IsOk());
  EXPECT_EQ(*der, trim_and_sign_der());
}

TEST(EcdsaEncodingTest, DerToRawPadsToTheField) {
  const auto raw = ecdsa_der_to_raw(trim_and_sign_der(), kP256);
  ASSERT_THAT(raw, IsOk());
  EXPECT_EQ(*raw, trim_and_sign_raw());
}

TEST(EcdsaEncodingTest, ZeroIntegersEncodeAsSingleZeroBytes) {
  const auto der = ecdsa_raw_to_der(Bytes(2 * kP256, 0), kP256);
  ASSERT_THAT(der, IsOk());
  EXPECT_EQ(*der, hex("3006 020100 020100"));
}

TEST(EcdsaEncodingTest, RoundTripsFullWidthP384Values) {
  Bytes raw(2 * kP384);
  for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<std::uint8_t>(0xff - i);
  const auto der = ecdsa_raw_to_der(raw, kP384);
  ASSERT_THAT(der, IsOk());
  // Both integers have the top bit set: 2 × (2 + 1 + 48) content bytes, short-form length.
  EXPECT_EQ(der->size(), 2 + 2 * (3 + kP384));
  const auto back = ecdsa_der_to_raw(*der, kP384);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, raw);
}

TEST(EcdsaEncodingTest, RawOfTheWrongLengthIsRefused) {
  EXPECT_THAT(ecdsa_raw_to_der(Bytes(2 * kP256 - 1, 1), kP256),
              HasErrorCode(ErrorCode::DataLenRange));
  EXPECT_THAT(ecdsa_raw_to_der(Bytes(2 * kP256 + 1, 1), kP256),
              HasErrorCode(ErrorCode::DataLenRange));
  EXPECT_THAT(ecdsa_raw_to_der(Bytes(2 * kP384, 1), kP256), HasErrorCode(ErrorCode::DataLenRange));
  EXPECT_THAT(ecdsa_raw_to_der({}, kP256), HasErrorCode(ErrorCode::DataLenRange));
}

TEST(EcdsaEncodingTest, AcceptsASmallStrictSignature) {
  const auto raw = ecdsa_der_to_raw(hex("3006 020101 020102"), kP256);
  ASSERT_THAT(raw, IsOk());
  Bytes expected(2 * kP256, 0);
  expected[kP256 - 1] = 1;
  expected[2 * kP256 - 1] = 2;
  EXPECT_EQ(*raw, expected);
}

struct Malformed {
  const char* name;
  const char* der;
};

class EcdsaStrictDerTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(EcdsaStrictDerTest, IsRefused) {
  EXPECT_THAT(ecdsa_der_to_raw(hex(GetParam().der), kP256), HasErrorCode(ErrorCode::DataInvalid));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EcdsaStrictDerTest,
    ::testing::Values(
        Malformed{"Empty", ""}, Malformed{"NonMinimalR", "3007 02020001 020101"},
        Malformed{"NonMinimalS", "3007 020101 0202007f"},
        Malformed{"NegativeR", "3006 020180 020101"}, Malformed{"NegativeS", "3006 020101 0201ff"},
        Malformed{"TrailingByte", "3006 020101 020101 00"},
        Malformed{"TrailingElement", "3008 020101 020101 0500"},
        Malformed{"LongFormLength", "308106 020101 020101"},
        Malformed{"LongFormIntegerLength", "3007 02810101 020101"},
        Malformed{"IndefiniteLength", "3080 020101 020101 0000"},
        Malformed{"Truncated", "3006 020101 0201"},
        Malformed{"LengthTooLong", "3007 020101 020101"},
        Malformed{"SetNotSequence", "3106 020101 020101"},
        Malformed{"OctetStringNotInteger", "3006 040101 020101"},
        Malformed{"OneInteger", "3003 020101"},
        Malformed{"ThreeIntegers", "3009 020101 020101 020101"},
        Malformed{"EmptyInteger", "3005 0200 020101"},
        // 33 significant bytes cannot be a P-256 value.
        Malformed{"WiderThanField",
                  "3026 0221 01 0000000000000000000000000000000000000000000000000000000000000000 "
                  "020101"}),
    [](const ::testing::TestParamInfo<Malformed>& info) { return info.param.name; });

}  // namespace
}  // namespace craton::hsm::testing
