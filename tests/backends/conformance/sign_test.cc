// SPDX-License-Identifier: Apache-2.0
// Conformance of sign / sign_digest / verify / verify_digest: every scheme and encoding, the
// Invalid-not-error rule, digest lengths and key kinds, identically on every backend.
#include <craton/hsm/backend.h>

#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/conformance/bytes.h"
#include "backends/conformance/conformance_matchers.h"
#include "backends/conformance/fixture.h"

namespace craton::hsm::conformance {
namespace {

using testing::HasErrorCode;

class SignConformance : public BackendTest {};

const Bytes kMessage = bytes_of("the quick brown fox jumps over the lazy dog");

std::string trace(SignScheme scheme, SignatureEncoding encoding) {
  return fmt::format("{} {}", scheme_name(scheme),
                     encoding == SignatureEncoding::Der ? "DER" : "raw");
}

// The exact length of a signature, or 0 when it varies (DER).
std::size_t signature_size(SignScheme scheme, SignatureEncoding encoding, const Key& key) {
  if (is_rsa(scheme)) return key.bits() / 8;
  if (scheme == SignScheme::Ed25519) return 64;
  if (encoding == SignatureEncoding::Der) return 0;
  return scheme == SignScheme::EcdsaP256Sha256 ? 64 : 96;
}

TEST_P(SignConformance, EverySchemeAndEncodingRoundTripsWithGeneratedKeys) {
  for (const SignScheme scheme : kAllSignSchemes) {
    if (unsupported_here(scheme, caps())) {
      EXPECT_THAT(backend().generate_key(KeyAlgorithm::Ed25519),
                  HasErrorCode(ErrorCode::MechanismUnsupported));
      continue;
    }
    ASSERT_OK_AND_ASSIGN(const Key key, shared_key(key_algorithm_for(scheme)));
    ASSERT_OK_AND_ASSIGN(const Key public_key, key.public_key());
    for (const SignatureEncoding encoding : encodings_for(scheme)) {
      SCOPED_TRACE(trace(scheme, encoding));
      for (const Bytes& message : {kMessage, Bytes{}}) {
        ASSERT_OK_AND_ASSIGN(const Bytes signature, backend().sign(key, scheme, message, encoding));
        if (const std::size_t size = signature_size(scheme, encoding, key); size != 0) {
          EXPECT_EQ(signature.size(), size);
        } else {
          ASSERT_FALSE(signature.empty());
          EXPECT_EQ(signature[0], 0x30) << "a DER ECDSA signature is a SEQUENCE";
        }
        EXPECT_THAT(backend().verify(key, scheme, message, signature, encoding), Verifies());
        EXPECT_THAT(backend().verify(public_key, scheme, message, signature, encoding), Verifies());
      }
    }
  }
}

// PKCS#1 v1.5 and Ed25519 are deterministic by definition; PSS draws a fresh salt. (ECDSA may
// be either: RFC 6979 nonces are allowed.)
TEST_P(SignConformance, PkcsOneAndEd25519AreDeterministicAndPssIsSalted) {
  for (const SignScheme scheme : kAllSignSchemes) {
    if (unsupported_here(scheme, caps()) || is_ecdsa(scheme)) continue;
    SCOPED_TRACE(scheme_name(scheme));
    ASSERT_OK_AND_ASSIGN(const Key key, shared_key(key_algorithm_for(scheme)));
    ASSERT_OK_AND_ASSIGN(const Bytes first, backend().sign(key, scheme, kMessage));
    ASSERT_OK_AND_ASSIGN(const Bytes second, backend().sign(key, scheme, kMessage));
    const bool deterministic =
        scheme == SignScheme::Ed25519 || scheme == SignScheme::RsaPkcs1v15Sha256 ||
        scheme == SignScheme::RsaPkcs1v15Sha384 || scheme == SignScheme::RsaPkcs1v15Sha512;
    EXPECT_EQ(first == second, deterministic);
  }
}

TEST_P(SignConformance, EcdsaEncodingsAreNotInterchangeable) {
  for (const SignScheme scheme : {SignScheme::EcdsaP256Sha256, SignScheme::EcdsaP384Sha384}) {
    SCOPED_TRACE(scheme_name(scheme));
    ASSERT_OK_AND_ASSIGN(const Key key, shared_key(key_algorithm_for(scheme)));
    ASSERT_OK_AND_ASSIGN(const Bytes raw,
                         backend().sign(key, scheme, kMessage, SignatureEncoding::Raw));
    ASSERT_OK_AND_ASSIGN(const Bytes der,
                         backend().sign(key, scheme, kMessage, SignatureEncoding::Der));
    EXPECT_THAT(backend().verify(key, scheme, kMessage, raw, SignatureEncoding::Der), IsInvalid());
    EXPECT_THAT(backend().verify(key, scheme, kMessage, der, SignatureEncoding::Raw), IsInvalid());
  }
}

TEST_P(SignConformance, SignDigestVerifiesAsTheMessageAndBackAgain) {
  for (const SignScheme scheme : kAllSignSchemes) {
    if (!scheme_has_prehash(scheme)) continue;
    ASSERT_OK_AND_ASSIGN(const Key key, shared_key(key_algorithm_for(scheme)));
    ASSERT_OK_AND_ASSIGN(const Bytes digest, backend().digest(scheme_hash(scheme), kMessage));
    for (const SignatureEncoding encoding : encodings_for(scheme)) {
      SCOPED_TRACE(trace(scheme, encoding));
      ASSERT_OK_AND_ASSIGN(const Bytes over_digest,
                           backend().sign_digest(key, scheme, digest, encoding));
      EXPECT_THAT(backend().verify(key, scheme, kMessage, over_digest, encoding), Verifies());
      ASSERT_OK_AND_ASSIGN(const Bytes over_message,
                           backend().sign(key, scheme, kMessage, encoding));
      EXPECT_THAT(backend().verify_digest(key, scheme, digest, over_message, encoding), Verifies());
      EXPECT_THAT(backend().verify_digest(key, scheme, flip_bit(digest, 0), over_message, encoding),
                  IsInvalid());
    }
  }
}

TEST_P(SignConformance, DigestOfTheWrongLengthIsDataLenRange) {
  for (const SignScheme scheme : kAllSignSchemes) {
    if (!scheme_has_prehash(scheme)) continue;
    SCOPED_TRACE(scheme_name(scheme));
    ASSERT_OK_AND_ASSIGN(const Key key, shared_key(key_algorithm_for(scheme)));
    ASSERT_OK_AND_ASSIGN(const Bytes signature, backend().sign(key, scheme, kMessage));
    const std::size_t right = digest_size(scheme_hash(scheme));
    for (const std::size_t wrong : {std::size_t{0}, right - 1, right + 1, std::size_t{20}}) {
      const Bytes digest(wrong, 0x5a);
      EXPECT_THAT(backend().sign_digest(key, scheme, digest), HasErrorCode(ErrorCode::DataLenRange))
          << wrong << " bytes";
      EXPECT_THAT(backend().verify_digest(key, scheme, digest, signature),
                  HasErrorCode(ErrorCode::DataLenRange))
          << wrong << " bytes";
    }
  }
}

TEST_P(SignConformance, AlteredMessageOrSignatureIsInvalidNotAnError) {
  for (const SignScheme scheme : kAllSignSchemes) {
    if (unsupported_here(scheme, caps())) continue;
    ASSERT_OK_AND_ASSIGN(const Key key, shared_key(key_algorithm_for(scheme)));
    for (const SignatureEncoding encoding : encodings_for(scheme)) {
      SCOPED_TRACE(trace(scheme, encoding));
      ASSERT_OK_AND_ASSIGN(const Bytes signature, backend().sign(key, scheme, kMessage, encoding));
      const Bytes truncated(signature.begin(), signature.end() - 1);
      const Bytes extended = concat(signature, Bytes{0x00});
      EXPECT_THAT(backend().verify(key, scheme, flip_bit(kMessage, 3), signature, encoding),
                  IsInvalid());
      EXPECT_THAT(backend().verify(key, scheme, kMessage, flip_bit(signature, signature.size() / 2),
                                   encoding),
                  IsInvalid());
      EXPECT_THAT(backend().verify(key, scheme, kMessage, flip_bit(signature, signature.size() - 1),
                                   encoding),
                  IsInvalid());
      EXPECT_THAT(backend().verify(key, scheme, kMessage, truncated, encoding), IsInvalid());
      EXPECT_THAT(backend().verify(key, scheme, kMessage, extended, encoding), IsInvalid());
      EXPECT_THAT(backend().verify(key, scheme, kMessage, Bytes{}, encoding), IsInvalid());
    }
  }
}

TEST_P(SignConformance, SignatureUnderAnotherKeyOfTheSameKindIsInvalid) {
  ASSERT_OK_AND_ASSIGN(const Key signer, backend().generate_key(KeyAlgorithm::EcP256));
  ASSERT_OK_AND_ASSIGN(const Key other, shared_key(KeyAlgorithm::EcP256));
  ASSERT_OK_AND_ASSIGN(const Bytes signature,
                       backend().sign(signer, SignScheme::EcdsaP256Sha256, kMessage));
  EXPECT_THAT(backend().verify(other, SignScheme::EcdsaP256Sha256, kMessage, signature),
              IsInvalid());
}

TEST_P(SignConformance, KeyOfTheWrongKindIsKeyTypeInconsistent) {
  ASSERT_OK_AND_ASSIGN(const Key aes, backend().generate_key(KeyAlgorithm::Aes256));
  ASSERT_OK_AND_ASSIGN(const Key rsa, shared_key(KeyAlgorithm::Rsa2048));
  ASSERT_OK_AND_ASSIGN(const Key p256, shared_key(KeyAlgorithm::EcP256));
  ASSERT_OK_AND_ASSIGN(const Key p384, shared_key(KeyAlgorithm::EcP384));
  ASSERT_OK_AND_ASSIGN(const Key p256_public, p256.public_key());
  ASSERT_OK_AND_ASSIGN(const Key rsa_public, rsa.public_key());
  const Bytes signature(64, 0x01);
  const auto inconsistent = HasErrorCode(ErrorCode::KeyTypeInconsistent);

  EXPECT_THAT(backend().sign(aes, SignScheme::EcdsaP256Sha256, kMessage), inconsistent);
  EXPECT_THAT(backend().sign(aes, SignScheme::RsaPssSha256, kMessage), inconsistent);
  EXPECT_THAT(backend().sign(rsa, SignScheme::EcdsaP256Sha256, kMessage), inconsistent);
  EXPECT_THAT(backend().sign(p256, SignScheme::RsaPkcs1v15Sha256, kMessage), inconsistent);
  EXPECT_THAT(backend().sign(p384, SignScheme::EcdsaP256Sha256, kMessage), inconsistent)
      << "an EC key on another curve";
  EXPECT_THAT(backend().sign(p256, SignScheme::EcdsaP384Sha384, kMessage), inconsistent);
  EXPECT_THAT(backend().sign(p256, SignScheme::Ed25519, kMessage), inconsistent);
  EXPECT_THAT(backend().sign(p256_public, SignScheme::EcdsaP256Sha256, kMessage), inconsistent)
      << "signing needs the private key";
  EXPECT_THAT(backend().sign(rsa_public, SignScheme::RsaPssSha256, kMessage), inconsistent);
  EXPECT_THAT(backend().sign_digest(aes, SignScheme::EcdsaP256Sha256, Bytes(32, 1)), inconsistent);
  EXPECT_THAT(backend().verify(aes, SignScheme::EcdsaP256Sha256, kMessage, signature),
              inconsistent);
  EXPECT_THAT(backend().verify(rsa, SignScheme::EcdsaP256Sha256, kMessage, signature),
              inconsistent);
  EXPECT_THAT(backend().verify(p384, SignScheme::EcdsaP256Sha256, kMessage, signature),
              inconsistent);
  EXPECT_THAT(backend().verify_digest(p256, SignScheme::RsaPssSha256, Bytes(32, 1), signature),
              inconsistent);
  if (caps().ed25519_supported) {
    ASSERT_OK_AND_ASSIGN(const Key ed, shared_key(KeyAlgorithm::Ed25519));
    EXPECT_THAT(backend().sign(ed, SignScheme::EcdsaP256Sha256, kMessage), inconsistent);
    EXPECT_THAT(backend().verify(ed, SignScheme::RsaPkcs1v15Sha256, kMessage, signature),
                inconsistent);
  }
}

TEST_P(SignConformance, Ed25519HasNoDigestToSign) {
  if (!caps().ed25519_supported) GTEST_SKIP() << "no Ed25519 on " << GetParam().name;
  ASSERT_OK_AND_ASSIGN(const Key key, shared_key(KeyAlgorithm::Ed25519));
  ASSERT_OK_AND_ASSIGN(const Bytes signature, backend().sign(key, SignScheme::Ed25519, kMessage));
  EXPECT_THAT(backend().sign_digest(key, SignScheme::Ed25519, Bytes(64, 0x11)),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(backend().verify_digest(key, SignScheme::Ed25519, Bytes(64, 0x11), signature),
              HasErrorCode(ErrorCode::InvalidArgument));
}

TEST_P(SignConformance, UnsupportedEd25519IsMechanismUnsupported) {
  if (caps().ed25519_supported) GTEST_SKIP() << GetParam().name << " supports Ed25519";
  ASSERT_OK_AND_ASSIGN(const Key key, Key::ed25519_private(Bytes(32, 0x42)));
  EXPECT_THAT(backend().sign(key, SignScheme::Ed25519, kMessage),
              HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_THAT(backend().verify(key, SignScheme::Ed25519, kMessage, Bytes(64, 0)),
              HasErrorCode(ErrorCode::MechanismUnsupported));
}

// Every RSA scheme runs on RSA-2048 above; the larger sizes get one generate+sign case each.
TEST_P(SignConformance, Rsa3072And4096GenerateSignAndVerify) {
  const std::pair<KeyAlgorithm, SignScheme> cases[] = {
      {KeyAlgorithm::Rsa3072, SignScheme::RsaPssSha384},
      {KeyAlgorithm::Rsa4096, SignScheme::RsaPkcs1v15Sha512},
  };
  for (const auto& [algorithm, scheme] : cases) {
    SCOPED_TRACE(key_algorithm_name(algorithm));
    ASSERT_OK_AND_ASSIGN(const Key key, shared_key(algorithm));
    ASSERT_OK_AND_ASSIGN(const Bytes signature, backend().sign(key, scheme, kMessage));
    EXPECT_EQ(signature.size(), key.bits() / 8);
    EXPECT_THAT(backend().verify(key, scheme, kMessage, signature), Verifies());
    EXPECT_THAT(backend().verify(key, scheme, bytes_of("other"), signature), IsInvalid());
  }
}

TEST_P(SignConformance, ImportedKeysSignLikeGeneratedOnes) {
  ASSERT_OK_AND_ASSIGN(const Key generated, shared_key(KeyAlgorithm::EcP384));
  ASSERT_OK_AND_ASSIGN(const SecretBytes scalar, generated.export_secret());
  ASSERT_OK_AND_ASSIGN(const Key imported, Key::ec_private(EcCurve::P384, scalar.expose()));
  ASSERT_OK_AND_ASSIGN(const Bytes signature,
                       backend().sign(imported, SignScheme::EcdsaP384Sha384, kMessage));
  EXPECT_THAT(backend().verify(generated, SignScheme::EcdsaP384Sha384, kMessage, signature),
              Verifies());
}

CRATON_INSTANTIATE_OVER_BACKENDS(SignConformance);

}  // namespace

}  // namespace craton::hsm::conformance
