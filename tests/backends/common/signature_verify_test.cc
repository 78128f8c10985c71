// SPDX-License-Identifier: Apache-2.0
// Host-side signature verification: a signature is Valid or Invalid, and one whose form alone is
// wrong is Invalid without being an error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/common/algorithms.h"
#include "backends/common/key_checks.h"
#include "backends/common/openssl_keygen.h"
#include "backends/common/signature_scheme.h"
#include "backends/common/signature_verify.h"
#include "backends/common/test_bytes.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using common::Signed;
using common::verify_signature;
using ::testing::Optional;

// RFC 8032 §7.1, TEST 1: the empty message.
constexpr const char* kRfc8032Public =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr const char* kRfc8032Signature =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

EVP_PKEY* pkey_of(const Key& key) {
  auto pkey = common::evp_key(key);
  if (!pkey) throw std::runtime_error(pkey.error().to_string());
  return *pkey;
}

TEST(SignatureVerifyTest, Ed25519MatchesRfc8032Test1) {
  const auto key = Key::ed25519_public(hex(kRfc8032Public));
  ASSERT_THAT(key, IsOk());
  EXPECT_THAT(verify_signature(pkey_of(*key), SignScheme::Ed25519, nullptr, Signed::Message, {},
                               hex(kRfc8032Signature), SignatureEncoding::Raw),
              Optional(VerifyOutcome::Valid));
}

TEST(SignatureVerifyTest, AChangedSignatureOrMessageIsInvalid) {
  const auto key = Key::ed25519_public(hex(kRfc8032Public));
  ASSERT_THAT(key, IsOk());
  EXPECT_THAT(verify_signature(pkey_of(*key), SignScheme::Ed25519, nullptr, Signed::Message, {},
                               flipped(hex(kRfc8032Signature), 5), SignatureEncoding::Raw),
              Optional(VerifyOutcome::Invalid));
  EXPECT_THAT(verify_signature(pkey_of(*key), SignScheme::Ed25519, nullptr, Signed::Message,
                               text_bytes("x"), hex(kRfc8032Signature), SignatureEncoding::Raw),
              Optional(VerifyOutcome::Invalid));
}

TEST(SignatureVerifyTest, SignaturesOfTheWrongFormAreInvalidNotErrors) {
  const auto ed25519 = Key::ed25519_public(hex(kRfc8032Public));
  ASSERT_THAT(ed25519, IsOk());
  Bytes short_signature = hex(kRfc8032Signature);
  short_signature.pop_back();
  EXPECT_THAT(verify_signature(pkey_of(*ed25519), SignScheme::Ed25519, nullptr, Signed::Message, {},
                               short_signature, SignatureEncoding::Raw),
              Optional(VerifyOutcome::Invalid));

  auto p256 = common::openssl_generate_key(KeyAlgorithm::EcP256);
  ASSERT_THAT(p256, IsOk());
  const common::Algorithms algorithms;
  const auto md = common::scheme_digest(algorithms, SignScheme::EcdsaP256Sha256);
  ASSERT_THAT(md, IsOk());
  const Bytes digest(32, 0x5a);
  // Raw r‖s of the wrong width, DER that is not strict, and raw bytes offered as DER.
  for (const auto& [signature, encoding] :
       {std::pair{Bytes(63, 1), SignatureEncoding::Raw},
        std::pair{hex("3007 02020001 020101"), SignatureEncoding::Der},
        std::pair{Bytes(64, 1), SignatureEncoding::Der}}) {
    EXPECT_THAT(verify_signature(pkey_of(*p256), SignScheme::EcdsaP256Sha256, *md, Signed::Digest,
                                 digest, signature, encoding),
                Optional(VerifyOutcome::Invalid));
  }
}

}  // namespace
}  // namespace craton::hsm::testing
