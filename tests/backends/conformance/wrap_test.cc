// SPDX-License-Identifier: Apache-2.0
// Conformance of AES key wrap: RFC 3394 (KW) and RFC 5649 (KWP, or MechanismUnsupported per
// Capabilities), known answers, lengths and WrappedKeyInvalid on tampering.
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

class WrapConformance : public BackendTest {};

SecretBytes secret_of(std::size_t size, std::uint8_t fill = 0x5c) {
  const Bytes bytes(size, fill);
  return SecretBytes(bytes);
}

TEST_P(WrapConformance, KwRoundTripsEveryAesKeySizeUnderEveryKekSize) {
  for (const std::size_t kek_bytes : {16U, 24U, 32U}) {
    ASSERT_OK_AND_ASSIGN(const Key kek, fresh_aes_key(kek_bytes));
    for (const std::size_t key_bytes : {16U, 24U, 32U}) {
      SCOPED_TRACE(fmt::format("{}-byte key under AES-{}", key_bytes, kek_bytes * 8));
      const SecretBytes key = secret_of(key_bytes);
      ASSERT_OK_AND_ASSIGN(const Bytes wrapped, backend().wrap_key(kek, KeyWrapScheme::AesKw, key));
      EXPECT_EQ(wrapped.size(), key_bytes + 8);
      EXPECT_THAT(backend().unwrap_key(kek, KeyWrapScheme::AesKw, wrapped),
                  HoldsBytes(Bytes(key_bytes, 0x5c)));
    }
  }
}

// RFC 3394 §4.1: 128 bits of key data wrapped with a 128-bit KEK.
TEST_P(WrapConformance, KwMatchesRfc3394) {
  ASSERT_OK_AND_ASSIGN(const Key kek, Key::aes(from_hex("000102030405060708090a0b0c0d0e0f")));
  const Bytes key = from_hex("00112233445566778899aabbccddeeff");
  const Bytes expected = from_hex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5");
  EXPECT_THAT(backend().wrap_key(kek, KeyWrapScheme::AesKw, SecretBytes(key)),
              HoldsBytes(expected));
  EXPECT_THAT(backend().unwrap_key(kek, KeyWrapScheme::AesKw, expected), HoldsBytes(key));
}

// KW takes multiples of 8 bytes, and at least 16 (SP 800-38F; one semiblock is refused).
TEST_P(WrapConformance, KwRefusesLengthsItCannotWrap) {
  ASSERT_OK_AND_ASSIGN(const Key kek, fresh_aes_key(16));
  for (const std::size_t size : {0U, 8U, 15U, 17U, 20U}) {
    EXPECT_THAT(backend().wrap_key(kek, KeyWrapScheme::AesKw, secret_of(size)), FailsAsBadLength())
        << size << " bytes";
  }
}

TEST_P(WrapConformance, KwTamperingIsWrappedKeyInvalid) {
  ASSERT_OK_AND_ASSIGN(const Key kek, fresh_aes_key(32));
  ASSERT_OK_AND_ASSIGN(const Key other_kek, fresh_aes_key(32));
  ASSERT_OK_AND_ASSIGN(const Bytes wrapped,
                       backend().wrap_key(kek, KeyWrapScheme::AesKw, secret_of(32)));
  const auto invalid = HasErrorCode(ErrorCode::WrappedKeyInvalid);
  EXPECT_THAT(backend().unwrap_key(kek, KeyWrapScheme::AesKw, flip_bit(wrapped, 0)), invalid);
  EXPECT_THAT(backend().unwrap_key(kek, KeyWrapScheme::AesKw, flip_bit(wrapped, 20)), invalid);
  EXPECT_THAT(backend().unwrap_key(kek, KeyWrapScheme::AesKw, flip_bit(wrapped, 39)), invalid);
  EXPECT_THAT(
      backend().unwrap_key(kek, KeyWrapScheme::AesKw, Bytes(wrapped.begin(), wrapped.end() - 8)),
      invalid)
      << "one semiblock dropped";
  EXPECT_THAT(backend().unwrap_key(other_kek, KeyWrapScheme::AesKw, wrapped), invalid)
      << "another KEK";
}

TEST_P(WrapConformance, KwpRoundTripsAnyLengthOrIsMechanismUnsupported) {
  ASSERT_OK_AND_ASSIGN(const Key kek, fresh_aes_key(24));
  for (const std::size_t size : {1U, 7U, 8U, 9U, 20U, 32U, 65U}) {
    SCOPED_TRACE(fmt::format("{} bytes", size));
    auto wrapped = backend().wrap_key(kek, KeyWrapScheme::AesKwp, secret_of(size, 0x17));
    if (!caps().kwp_supported && !(caps().kwp_block_multiples && size % 8 == 0)) {
      EXPECT_THAT(wrapped, HasErrorCode(ErrorCode::MechanismUnsupported));
      continue;
    }
    ASSERT_THAT(wrapped, testing::IsOk());
    EXPECT_EQ(wrapped->size(), (size + 7) / 8 * 8 + 8);
    EXPECT_THAT(backend().unwrap_key(kek, KeyWrapScheme::AesKwp, *wrapped),
                HoldsBytes(Bytes(size, 0x17)));
  }
  if (!caps().kwp_supported && !caps().kwp_block_multiples) {
    EXPECT_THAT(backend().unwrap_key(kek, KeyWrapScheme::AesKwp, Bytes(32, 0)),
                HasErrorCode(ErrorCode::MechanismUnsupported));
  }
}

// RFC 5649 §6: a 20-octet and a 7-octet key under the same 192-bit KEK. Where RFC 5649 is
// offered for block multiples only, neither wraps, and both unwrap.
TEST_P(WrapConformance, KwpMatchesRfc5649) {
  if (!caps().kwp_supported && !caps().kwp_block_multiples) {
    GTEST_SKIP() << "no RFC 5649 on " << GetParam().name;
  }
  ASSERT_OK_AND_ASSIGN(const Key kek,
                       Key::aes(from_hex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8")));
  const std::pair<const char*, const char*> vectors[] = {
      {"c37b7e6492584340bed12207808941155068f738",
       "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"},
      {"466f7250617369", "afbeb0f07dfbf5419200f2ccb50bb24f"},
  };
  for (const auto& [key_hex, wrapped_hex] : vectors) {
    const Bytes key = from_hex(key_hex);
    const Bytes wrapped = from_hex(wrapped_hex);
    if (caps().kwp_supported) {
      EXPECT_THAT(backend().wrap_key(kek, KeyWrapScheme::AesKwp, SecretBytes(key)),
                  HoldsBytes(wrapped));
    } else {
      EXPECT_THAT(backend().wrap_key(kek, KeyWrapScheme::AesKwp, SecretBytes(key)),
                  HasErrorCode(ErrorCode::MechanismUnsupported));
    }
    EXPECT_THAT(backend().unwrap_key(kek, KeyWrapScheme::AesKwp, wrapped), HoldsBytes(key));
  }
}

TEST_P(WrapConformance, KwpTamperingIsWrappedKeyInvalid) {
  if (!caps().kwp_supported) GTEST_SKIP() << "no RFC 5649 on " << GetParam().name;
  ASSERT_OK_AND_ASSIGN(const Key kek, fresh_aes_key(16));
  ASSERT_OK_AND_ASSIGN(const Bytes wrapped,
                       backend().wrap_key(kek, KeyWrapScheme::AesKwp, secret_of(20)));
  const auto invalid = HasErrorCode(ErrorCode::WrappedKeyInvalid);
  EXPECT_THAT(backend().unwrap_key(kek, KeyWrapScheme::AesKwp, flip_bit(wrapped, 0)), invalid);
  EXPECT_THAT(backend().unwrap_key(kek, KeyWrapScheme::AesKwp, flip_bit(wrapped, 31)), invalid);
  EXPECT_THAT(backend().unwrap_key(kek, KeyWrapScheme::AesKw, wrapped), invalid)
      << "a KWP blob is not a KW blob";
  EXPECT_THAT(backend().wrap_key(kek, KeyWrapScheme::AesKwp, SecretBytes{}), FailsAsBadLength())
      << "nothing to wrap";
}

TEST_P(WrapConformance, KekMustBeAnAesKey) {
  ASSERT_OK_AND_ASSIGN(const Key hmac, Key::hmac(Bytes(32, 0x0b)));
  EXPECT_THAT(backend().wrap_key(hmac, KeyWrapScheme::AesKw, secret_of(16)),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_THAT(backend().unwrap_key(hmac, KeyWrapScheme::AesKw, Bytes(24, 0)),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
}

CRATON_INSTANTIATE_OVER_BACKENDS(WrapConformance);

}  // namespace
}  // namespace craton::hsm::conformance
