// SPDX-License-Identifier: Apache-2.0
// decode_ec_point_attribute: both encodings of CKA_EC_POINT, for every first byte of X, and
// refusal of everything that is neither.
#include "backends/pkcs11/ec_point_attribute.h"

#include <openssl/ec.h>
#include <openssl/rand.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "keys/key_build.h"
#include "support/matchers.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using Octets = std::vector<std::uint8_t>;

// A point of `curve` whose X starts with `prefix`: X = prefix ‖ zeros ‖ counter, counted up
// until X is on the curve (half of all X are). Compressed when asked, else uncompressed.
Octets point_with_x_prefix(EcCurve curve, const Octets& prefix, bool compressed = false) {
  const keys::CurveInfo& info = keys::curve_info(curve);
  ossl::EcGroupPtr group(EC_GROUP_new_by_curve_name(info.nid));
  ossl::EcPointPtr point(EC_POINT_new(group.get()));
  ossl::BnCtxPtr ctx(BN_CTX_new());
  Octets x(info.field_bytes, 0);
  std::copy(prefix.begin(), prefix.end(), x.begin());
  for (std::uint32_t counter = 1; counter != 0; ++counter) {
    for (std::size_t i = 0; i < 4; ++i) x[x.size() - 1 - i] = (counter >> (8 * i)) & 0xff;
    ossl::BignumPtr bn(BN_bin2bn(x.data(), static_cast<int>(x.size()), nullptr));
    if (EC_POINT_set_compressed_coordinates(group.get(), point.get(), bn.get(), 0, ctx.get()) ==
        1) {
      const auto form = compressed ? POINT_CONVERSION_COMPRESSED : POINT_CONVERSION_UNCOMPRESSED;
      Octets out(EC_POINT_point2oct(group.get(), point.get(), form, nullptr, 0, ctx.get()));
      EC_POINT_point2oct(group.get(), point.get(), form, out.data(), out.size(), ctx.get());
      return out;
    }
  }
  ADD_FAILURE() << "no point found";
  return {};
}

// The spec's encoding, written out by hand (short form: every value here is under 128 bytes).
Octets der(const Octets& content) {
  Octets out(2 + content.size());
  out[0] = 0x04;
  out[1] = static_cast<std::uint8_t>(content.size());
  std::copy(content.begin(), content.end(), out.begin() + 2);
  return out;
}

KeyKind ec_kind(bool is_private) {
  return is_private ? KeyKind::EcPrivate : KeyKind::EcPublic;
}

class EcPointAttributeTest : public ::testing::TestWithParam<EcCurve> {};

TEST_P(EcPointAttributeTest, EveryFirstByteOfXDecodesInBothEncodings) {
  const EcCurve curve = GetParam();
  for (unsigned first = 0; first <= 0xff; ++first) {
    const Octets point = point_with_x_prefix(curve, {static_cast<std::uint8_t>(first)});
    ASSERT_EQ(point[1], first);
    const std::string what = fmt::format("X starts with {:#04x}", first);
    for (const bool is_private : {false, true}) {
      const auto bare = decode_ec_point_attribute(point, ec_kind(is_private), curve);
      ASSERT_THAT(bare, IsOk()) << "bare, " << what;
      EXPECT_EQ(*bare, point) << "bare, " << what;
      const auto wrapped = decode_ec_point_attribute(der(point), ec_kind(is_private), curve);
      ASSERT_THAT(wrapped, IsOk()) << "DER, " << what;
      EXPECT_EQ(*wrapped, point) << "DER, " << what;
    }
  }
}

// A bare point whose X starts 0x81 followed by the remaining length reads as a long-form DER
// length too: 04 81 3e … is a 65-byte "OCTET STRING" of 62 bytes for P-256.
TEST_P(EcPointAttributeTest, ABarePointThatLooksLikeLongFormDerDecodes) {
  const EcCurve curve = GetParam();
  const std::size_t size = 2 * keys::curve_info(curve).field_bytes + 1;
  const Octets point = point_with_x_prefix(curve, {0x81, static_cast<std::uint8_t>(size - 3)});
  ASSERT_EQ(point.size(), size);
  EXPECT_EQ(decode_ec_point_attribute(point, KeyKind::EcPublic, curve).value(), point);
  EXPECT_EQ(decode_ec_point_attribute(der(point), KeyKind::EcPublic, curve).value(), point);
}

TEST_P(EcPointAttributeTest, CompressedPointsDecodeInBothEncodings) {
  const EcCurve curve = GetParam();
  for (const unsigned first : {0x00U, 0x20U, 0x21U, 0x3fU, 0x81U, 0xffU}) {
    const Octets point =
        point_with_x_prefix(curve, {static_cast<std::uint8_t>(first)}, /*compressed=*/true);
    EXPECT_EQ(decode_ec_point_attribute(point, KeyKind::EcPublic, curve).value(), point);
    EXPECT_EQ(decode_ec_point_attribute(der(point), KeyKind::EcPublic, curve).value(), point);
  }
}

TEST_P(EcPointAttributeTest, RefusesWhatIsNeitherEncodingOfAPoint) {
  const EcCurve curve = GetParam();
  const EcCurve other = curve == EcCurve::P256 ? EcCurve::P384 : EcCurve::P256;
  const Octets point = point_with_x_prefix(curve, {0x3f});
  Octets off_curve = point;
  off_curve.back() ^= 0x01;
  Octets trailing = der(point);
  trailing.push_back(0x00);
  Octets truncated = der(point);
  truncated.pop_back();
  Octets wrong_tag = der(point);
  wrong_tag[0] = 0x03;  // BIT STRING
  const std::vector<Octets> refused{
      {},
      {0x04},
      {0x00},           // the point at infinity
      der({0x00}),      // the point at infinity, wrapped
      off_curve,        // Y flipped: not on the curve
      der(off_curve),   //
      der(der(point)),  // wrapped twice
      trailing,         // DER with a byte after it
      truncated,        // DER one byte short
      wrong_tag,        // not an OCTET STRING
      point_with_x_prefix(other, {0x3f}),
      der(point_with_x_prefix(other, {0x3f})),
  };
  for (std::size_t i = 0; i < refused.size(); ++i) {
    EXPECT_THAT(decode_ec_point_attribute(refused[i], KeyKind::EcPublic, curve),
                HasErrorCode(ErrorCode::Pkcs11Failure))
        << "case " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Curves, EcPointAttributeTest,
                         ::testing::Values(EcCurve::P256, EcCurve::P384),
                         [](const ::testing::TestParamInfo<EcCurve>& info) {
                           return info.param == EcCurve::P256 ? std::string("P256")
                                                              : std::string("P384");
                         });

TEST(EcPointAttributeEd25519Test, EveryFirstByteDecodesInBothEncodings) {
  for (unsigned first = 0; first <= 0xff; ++first) {
    Octets key(32);
    ASSERT_EQ(RAND_bytes(key.data(), static_cast<int>(key.size())), 1);
    key[0] = static_cast<std::uint8_t>(first);
    for (const KeyKind kind : {KeyKind::Ed25519Public, KeyKind::Ed25519Private}) {
      EXPECT_EQ(decode_ec_point_attribute(key, kind, std::nullopt).value(), key) << first;
      EXPECT_EQ(decode_ec_point_attribute(der(key), kind, std::nullopt).value(), key) << first;
    }
  }
}

TEST(EcPointAttributeEd25519Test, RefusesOtherLengths) {
  const Octets short_key(31, 0x42);
  const Octets long_key(33, 0x42);
  for (const Octets& value : {short_key, long_key, der(short_key), der(long_key), Octets{}}) {
    EXPECT_THAT(decode_ec_point_attribute(value, KeyKind::Ed25519Public, std::nullopt),
                HasErrorCode(ErrorCode::Pkcs11Failure));
  }
}

TEST(EcPointAttributeKindTest, KindsWithoutAnEcPointAreRefused) {
  const Octets point = point_with_x_prefix(EcCurve::P256, {0x01});
  EXPECT_THAT(decode_ec_point_attribute(point, KeyKind::Aes, std::nullopt),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(decode_ec_point_attribute(point, KeyKind::RsaPublic, std::nullopt),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(decode_ec_point_attribute(point, KeyKind::EcPublic, std::nullopt),
              HasErrorCode(ErrorCode::InvalidArgument));
}

}  // namespace
}  // namespace craton::hsm::pkcs11
