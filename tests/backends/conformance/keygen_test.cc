// SPDX-License-Identifier: Apache-2.0
// Conformance of generate_key for every KeyAlgorithm value, and the rule that printing a
// Key (fmt, ostream, describe) never shows its secret bytes.
#include <craton/hsm/backend.h>

#include <cctype>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/conformance/bytes.h"
#include "backends/conformance/conformance_matchers.h"
#include "backends/conformance/fixture.h"

namespace craton::hsm::conformance {
namespace {

using testing::HasErrorCode;
using ::testing::HasSubstr;
using ::testing::Not;

class KeygenConformance : public BackendTest {};

struct Expected {
  KeyKind kind{};
  KeyKind public_kind{};
  std::size_t bits = 0;  // 0: not checked (Ed25519's "size" is a matter of convention)
  std::optional<EcCurve> curve;
};

Expected expected_for(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::Aes128:
      return {KeyKind::Aes, KeyKind::Aes, 128, std::nullopt};
    case KeyAlgorithm::Aes192:
      return {KeyKind::Aes, KeyKind::Aes, 192, std::nullopt};
    case KeyAlgorithm::Aes256:
      return {KeyKind::Aes, KeyKind::Aes, 256, std::nullopt};
    case KeyAlgorithm::Rsa2048:
      return {KeyKind::RsaPrivate, KeyKind::RsaPublic, 2048, std::nullopt};
    case KeyAlgorithm::Rsa3072:
      return {KeyKind::RsaPrivate, KeyKind::RsaPublic, 3072, std::nullopt};
    case KeyAlgorithm::Rsa4096:
      return {KeyKind::RsaPrivate, KeyKind::RsaPublic, 4096, std::nullopt};
    case KeyAlgorithm::EcP256:
      return {KeyKind::EcPrivate, KeyKind::EcPublic, 256, EcCurve::P256};
    case KeyAlgorithm::EcP384:
      return {KeyKind::EcPrivate, KeyKind::EcPublic, 384, EcCurve::P384};
    case KeyAlgorithm::Ed25519:
      return {KeyKind::Ed25519Private, KeyKind::Ed25519Public, 0, std::nullopt};
    case KeyAlgorithm::Hmac256:
      return {KeyKind::Hmac, KeyKind::Hmac, 256, std::nullopt};
    case KeyAlgorithm::Hmac512:
      return {KeyKind::Hmac, KeyKind::Hmac, 512, std::nullopt};
  }
  return {};
}

TEST_P(KeygenConformance, EveryAlgorithmGivesAKeyOfTheRightKindSizeAndCurve) {
  for (const KeyAlgorithm algorithm : kAllKeyAlgorithms) {
    SCOPED_TRACE(key_algorithm_name(algorithm));
    if (algorithm == KeyAlgorithm::Ed25519 && !caps().ed25519_supported) {
      EXPECT_THAT(backend().generate_key(algorithm), HasErrorCode(ErrorCode::MechanismUnsupported));
      continue;
    }
    const Expected expected = expected_for(algorithm);
    ASSERT_OK_AND_ASSIGN(const Key key, shared_key(algorithm));
    EXPECT_EQ(key.kind(), expected.kind);
    if (expected.bits != 0) {
      EXPECT_EQ(key.bits(), expected.bits);
    }
    EXPECT_EQ(key.curve(), expected.curve);
    EXPECT_TRUE(key.is_private());
    EXPECT_THAT(key.export_secret(), testing::IsOk());
    if (expected.kind == KeyKind::Aes) {
      EXPECT_THAT(key.public_key(), HasErrorCode(ErrorCode::InvalidArgument));
      continue;
    }
    ASSERT_OK_AND_ASSIGN(const Key public_key, key.public_key());
    EXPECT_EQ(public_key.kind(), expected.public_kind);
    EXPECT_FALSE(public_key.is_private());
    EXPECT_THAT(public_key.public_spki_der(), testing::IsOk());
    EXPECT_THAT(public_key.export_secret(), HasErrorCode(ErrorCode::InvalidArgument));
  }
}

// Generic-secret keys of the hash's size: fresh, exportable, with no public half, and usable
// for the HMAC they are meant for (a tag made with the key verifies).
TEST_P(KeygenConformance, HmacKeysHaveTheHashSizeAndMakeVerifiableTags) {
  for (const auto& [algorithm, hash] : {std::pair{KeyAlgorithm::Hmac256, HashAlg::Sha256},
                                        std::pair{KeyAlgorithm::Hmac512, HashAlg::Sha512}}) {
    SCOPED_TRACE(key_algorithm_name(algorithm));
    const Expected expected = expected_for(algorithm);
    ASSERT_OK_AND_ASSIGN(const Key key, backend().generate_key(algorithm));
    EXPECT_EQ(key.kind(), expected.kind);
    EXPECT_EQ(key.bits(), expected.bits);
    EXPECT_THAT(key.public_key(), HasErrorCode(ErrorCode::InvalidArgument));
    ASSERT_OK_AND_ASSIGN(const Key other, backend().generate_key(algorithm));
    ASSERT_OK_AND_ASSIGN(const SecretBytes first, key.export_secret());
    ASSERT_OK_AND_ASSIGN(const SecretBytes second, other.export_secret());
    EXPECT_FALSE(first.equals(second));
    const Bytes message = bytes_of("audit record");
    ASSERT_OK_AND_ASSIGN(const Bytes tag, backend().hmac(key, hash, message));
    EXPECT_THAT(backend().hmac_verify(key, hash, message, tag), Verifies());
  }
}

TEST_P(KeygenConformance, EveryGenerationIsFresh) {
  for (const KeyAlgorithm algorithm : {KeyAlgorithm::Aes256, KeyAlgorithm::EcP256}) {
    SCOPED_TRACE(key_algorithm_name(algorithm));
    ASSERT_OK_AND_ASSIGN(const Key first, backend().generate_key(algorithm));
    ASSERT_OK_AND_ASSIGN(const Key second, backend().generate_key(algorithm));
    ASSERT_OK_AND_ASSIGN(const SecretBytes first_secret, first.export_secret());
    ASSERT_OK_AND_ASSIGN(const SecretBytes second_secret, second.export_secret());
    EXPECT_FALSE(first_secret.equals(second_secret));
  }
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// Everything a Key prints must avoid its secret: as lower- or uppercase hex, or raw, in any
// 8-byte window.
void expect_prints_no_secret(const Key& key) {
  SCOPED_TRACE(key.describe());
  auto secret = key.export_secret();
  ASSERT_THAT(secret, testing::IsOk());
  std::ostringstream streamed;
  streamed << key;
  const std::string printed[] = {fmt::format("{}", key), fmt::format("{:>40}", key), streamed.str(),
                                 key.describe()};
  const ByteView bytes = secret->expose();
  const std::size_t window = std::min<std::size_t>(8, bytes.size());
  for (const std::string& text : printed) {
    EXPECT_FALSE(text.empty());
    for (std::size_t at = 0; at + window <= bytes.size(); at += window) {
      const ByteView piece = bytes.subspan(at, window);
      const std::string hex = to_hex(piece);
      ASSERT_THAT(text, Not(HasSubstr(hex)));
      ASSERT_THAT(text, Not(HasSubstr(upper(hex))));
      ASSERT_THAT(text, Not(HasSubstr(std::string(piece.begin(), piece.end()))));
    }
  }
}

TEST_P(KeygenConformance, PrintingAKeyNeverShowsItsBytes) {
  const Bytes aes_bytes =
      from_hex("00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210");
  ASSERT_OK_AND_ASSIGN(const Key imported_aes, Key::aes(aes_bytes));
  EXPECT_THAT(fmt::format("{}", imported_aes), HasSubstr("AES-256"));
  expect_prints_no_secret(imported_aes);
  ASSERT_OK_AND_ASSIGN(const Key hmac, Key::hmac(bytes_of("hmac key material, not for logs")));
  expect_prints_no_secret(hmac);
  for (const KeyAlgorithm algorithm :
       {KeyAlgorithm::Aes128, KeyAlgorithm::EcP256, KeyAlgorithm::Rsa2048, KeyAlgorithm::Ed25519}) {
    if (algorithm == KeyAlgorithm::Ed25519 && !caps().ed25519_supported) continue;
    ASSERT_OK_AND_ASSIGN(const Key key, shared_key(algorithm));
    expect_prints_no_secret(key);
  }
  ASSERT_OK_AND_ASSIGN(const SecretBytes secret, imported_aes.export_secret());
  EXPECT_EQ(fmt::format("{}", secret), "<redacted>");
}

CRATON_INSTANTIATE_OVER_BACKENDS(KeygenConformance);

}  // namespace
}  // namespace craton::hsm::conformance
