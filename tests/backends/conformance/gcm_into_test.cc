// SPDX-License-Identifier: Apache-2.0
// Conformance of aes_gcm_encrypt_into / aes_gcm_decrypt_into: the convenience API's framing,
// exact lengths, buffers too small or overlapping refused before any work, bytes past the
// result untouched, and no plaintext left in the buffer after a failed decryption.
#include <craton/hsm/backend.h>

#include <algorithm>
#include <cstdint>
#include <span>
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

class GcmIntoConformance : public BackendTest {};

constexpr std::uint8_t kFill = 0xAA;
constexpr std::size_t kOverhead = kGcmIvSize + kGcmTagSize;
const Bytes kAad = bytes_of("header: v1");

bool all_equal(std::span<const std::uint8_t> bytes, std::uint8_t value) {
  return std::all_of(bytes.begin(), bytes.end(), [&](std::uint8_t b) { return b == value; });
}

Bytes first(std::span<const std::uint8_t> bytes, std::size_t count) {
  return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(count));
}

// Each API opens what the other sealed: one format.
TEST_P(GcmIntoConformance, RoundTripsWithTheConvenienceApi) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(32));
  for (const std::size_t size : {0U, 1U, 16U, 33U, 1000U}) {
    SCOPED_TRACE(fmt::format("plaintext {} bytes", size));
    const Bytes plaintext(size, 0x5c);
    Bytes sealed(size + kOverhead);
    ASSERT_OK_AND_ASSIGN(const std::size_t written,
                         backend().aes_gcm_encrypt_into(key, plaintext, kAad, sealed));
    EXPECT_EQ(written, sealed.size());
    EXPECT_THAT(backend().aes_gcm_decrypt(key, sealed, kAad), HoldsBytes(plaintext));

    ASSERT_OK_AND_ASSIGN(const Bytes convenient, backend().aes_gcm_encrypt(key, plaintext, kAad));
    Bytes opened(size, kFill);
    ASSERT_OK_AND_ASSIGN(const std::size_t length,
                         backend().aes_gcm_decrypt_into(key, convenient, kAad, opened));
    EXPECT_EQ(length, size);
    EXPECT_EQ(opened, plaintext);
  }
}

TEST_P(GcmIntoConformance, ExactSizeBuffersAreEnough) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(16));
  const Bytes plaintext = bytes_of("exactly enough room");
  Bytes sealed(plaintext.size() + kOverhead, kFill);
  EXPECT_THAT(backend().aes_gcm_encrypt_into(key, plaintext, kAad, sealed), Wrote(sealed.size()));
  Bytes opened(plaintext.size(), kFill);
  EXPECT_THAT(backend().aes_gcm_decrypt_into(key, sealed, kAad, opened), Wrote(plaintext.size()));
  EXPECT_EQ(opened, plaintext);
}

// backend.h: BufferTooSmall before any token call, and nothing written.
TEST_P(GcmIntoConformance, TooSmallBuffersAreRefused) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(16));
  const Bytes plaintext = bytes_of("one byte too many");
  for (const std::size_t size : {std::size_t{0}, plaintext.size() + kOverhead - 1}) {
    SCOPED_TRACE(fmt::format("encryption into {} bytes", size));
    Bytes sealed(size, kFill);
    EXPECT_THAT(backend().aes_gcm_encrypt_into(key, plaintext, kAad, sealed),
                HasErrorCode(ErrorCode::BufferTooSmall));
    EXPECT_TRUE(all_equal(sealed, kFill)) << "written: " << to_hex(sealed);
  }
  ASSERT_OK_AND_ASSIGN(const Bytes sealed, backend().aes_gcm_encrypt(key, plaintext, kAad));
  Bytes opened(plaintext.size() - 1, kFill);
  EXPECT_THAT(backend().aes_gcm_decrypt_into(key, sealed, kAad, opened),
              HasErrorCode(ErrorCode::BufferTooSmall));
  EXPECT_TRUE(all_equal(opened, 0)) << "a failed decryption zeroes its buffer";
}

TEST_P(GcmIntoConformance, LargerBuffersGetTheExactLengthAndKeepTheirTail) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(24));
  const Bytes plaintext = bytes_of("room to spare");
  constexpr std::size_t kSpare = 40;
  Bytes sealed(plaintext.size() + kOverhead + kSpare, kFill);
  ASSERT_OK_AND_ASSIGN(const std::size_t written,
                       backend().aes_gcm_encrypt_into(key, plaintext, kAad, sealed));
  EXPECT_EQ(written, plaintext.size() + kOverhead);
  EXPECT_TRUE(all_equal(std::span(sealed).subspan(written), kFill)) << to_hex(sealed);
  const Bytes message = first(sealed, written);
  EXPECT_THAT(backend().aes_gcm_decrypt(key, message, kAad), HoldsBytes(plaintext));

  Bytes opened(plaintext.size() + kSpare, kFill);
  ASSERT_OK_AND_ASSIGN(const std::size_t length,
                       backend().aes_gcm_decrypt_into(key, message, kAad, opened));
  EXPECT_EQ(length, plaintext.size());
  EXPECT_EQ(first(opened, length), plaintext);
  EXPECT_TRUE(all_equal(std::span(opened).subspan(length), kFill)) << to_hex(opened);
}

// backend.h: no in-place mode; an overlap is InvalidArgument before anything else, and the
// buffer (which is the caller's input too) is left as it was. Adjacent ranges do not overlap.
TEST_P(GcmIntoConformance, OverlappingBuffersAreInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(16));
  constexpr std::size_t kText = 32;
  Bytes arena(2 * (kText + kOverhead) + kAad.size(), kFill);
  std::copy(kAad.begin(), kAad.end(), arena.end() - static_cast<std::ptrdiff_t>(kAad.size()));
  const std::span<std::uint8_t> all(arena);
  const ByteView plaintext = all.first(kText);
  const ByteView aad = all.last(kAad.size());
  const Bytes before = arena;
  for (const std::size_t offset : {std::size_t{0}, kText - 1}) {
    SCOPED_TRACE(fmt::format("output at plaintext byte {}", offset));
    EXPECT_THAT(
        backend().aes_gcm_encrypt_into(key, plaintext, aad, all.subspan(offset, kText + kOverhead)),
        HasErrorCode(ErrorCode::InvalidArgument));
  }
  const std::span<std::uint8_t> into_aad =
      all.last(kAad.size() + kText + kOverhead).first(kText + kOverhead + 1);
  EXPECT_THAT(backend().aes_gcm_encrypt_into(key, plaintext, aad, into_aad),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_EQ(arena, before);
  // Right after the plaintext: touching, not overlapping.
  const std::span<std::uint8_t> sealed = all.subspan(kText, kText + kOverhead);
  EXPECT_THAT(backend().aes_gcm_encrypt_into(key, plaintext, aad, sealed), Wrote(sealed.size()));

  const Bytes sealed_copy(sealed.begin(), sealed.end());
  const Bytes with_sealed = arena;
  EXPECT_THAT(backend().aes_gcm_decrypt_into(key, sealed, aad, sealed.subspan(kGcmIvSize)),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(backend().aes_gcm_decrypt_into(key, sealed, aad, all.subspan(1, kText)),
              HasErrorCode(ErrorCode::InvalidArgument))
      << "output overlapping the sealed message's first byte";
  EXPECT_THAT(backend().aes_gcm_decrypt_into(key, sealed_copy, aad, into_aad),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_EQ(arena, with_sealed) << "a refused overlap wipes nothing";
  // Right before the sealed message: touching, not overlapping.
  EXPECT_THAT(backend().aes_gcm_decrypt_into(key, sealed, aad, all.first(kText)), Wrote(kText));
}

// backend.h: on a failed decryption the whole buffer is zeroed, no unauthenticated plaintext.
TEST_P(GcmIntoConformance, FailedDecryptionLeavesOnlyZeros) {
  ASSERT_OK_AND_ASSIGN(const Key key, fresh_aes_key(32));
  const Bytes plaintext(300, 0x42);
  ASSERT_OK_AND_ASSIGN(const Bytes sealed, backend().aes_gcm_encrypt(key, plaintext, kAad));
  const std::vector<std::pair<std::string, Bytes>> forged = {
      {"ciphertext bit", flip_bit(sealed, kGcmIvSize + 5)},
      {"tag bit", flip_bit(sealed, sealed.size() - 1)},
      {"shorter than iv and tag", first(sealed, kOverhead - 1)},
  };
  // Exactly the plaintext's size, and with room for the tag (where a token may decrypt
  // straight into the caller's buffer).
  for (const std::size_t size : {plaintext.size(), plaintext.size() + kGcmTagSize}) {
    for (const auto& [what, message] : forged) {
      SCOPED_TRACE(fmt::format("{}, buffer of {} bytes", what, size));
      Bytes opened(size, kFill);
      EXPECT_THAT(backend().aes_gcm_decrypt_into(key, message, kAad, opened),
                  HasErrorCode(ErrorCode::AuthenticationFailed));
      EXPECT_TRUE(all_equal(opened, 0)) << to_hex(opened);
    }
    Bytes opened(size, kFill);
    EXPECT_THAT(backend().aes_gcm_decrypt_into(key, sealed, Bytes{}, opened),
                HasErrorCode(ErrorCode::AuthenticationFailed))
        << "aad dropped";
    EXPECT_TRUE(all_equal(opened, 0)) << to_hex(opened);
  }
  ASSERT_OK_AND_ASSIGN(const Key hmac, Key::hmac(Bytes(32, 0x0b)));
  Bytes opened(plaintext.size(), kFill);
  EXPECT_THAT(backend().aes_gcm_decrypt_into(hmac, sealed, kAad, opened),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_TRUE(all_equal(opened, 0)) << "every failure, not only a bad tag";
}

CRATON_INSTANTIATE_OVER_BACKENDS(GcmIntoConformance);

}  // namespace
}  // namespace craton::hsm::conformance
