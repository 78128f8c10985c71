// SPDX-License-Identifier: Apache-2.0
// Signing and verification: every scheme and encoding round-trips, tampering and malformed
// signatures are Invalid (never errors), and wrong keys or digest lengths are refused.
#include <iterator>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "backends/software/test_util.h"
#include "keys/key_material.h"
#include "keys/openssl_ptr.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using ::testing::Optional;

struct SchemeCase {
  const char* name;
  SignScheme scheme;
  KeyAlgorithm algorithm;
  SignatureEncoding encoding;
  std::size_t signature_size;  // 0: variable (DER)
};

class SignatureRoundTripTest : public SoftwareBackendTest,
                               public ::testing::WithParamInterface<SchemeCase> {
 protected:
  const Bytes message_ = text_bytes("the quick brown fox signs the lazy dog");
};

TEST_P(SignatureRoundTripTest, SignsAndVerifies) {
  const SchemeCase& c = GetParam();
  const Key& key = generated(c.algorithm);
  const auto signature = backend().sign(key, c.scheme, message_, c.encoding);
  ASSERT_THAT(signature, IsOk());
  if (c.signature_size != 0) {
    EXPECT_EQ(signature->size(), c.signature_size);
  }
  // Both the private key and its public half verify.
  EXPECT_THAT(backend().verify(key, c.scheme, message_, *signature, c.encoding),
              Optional(VerifyOutcome::Valid));
  EXPECT_THAT(backend().verify(public_of(key), c.scheme, message_, *signature, c.encoding),
              Optional(VerifyOutcome::Valid));
  EXPECT_THAT(backend().verify(key, c.scheme, flipped(message_, 3), *signature, c.encoding),
              Optional(VerifyOutcome::Invalid));
  EXPECT_THAT(backend().verify(key, c.scheme, message_, flipped(*signature, signature->size() - 1),
                               c.encoding),
              Optional(VerifyOutcome::Invalid));
}

TEST_P(SignatureRoundTripTest, EmptyMessageIsAllowed) {
  const SchemeCase& c = GetParam();
  const Key& key = generated(c.algorithm);
  const auto signature = backend().sign(key, c.scheme, {}, c.encoding);
  ASSERT_THAT(signature, IsOk());
  EXPECT_THAT(backend().verify(key, c.scheme, {}, *signature, c.encoding),
              Optional(VerifyOutcome::Valid));
}

// The same schemes minus Ed25519, which has no digest form.
class DigestSignatureTest : public SignatureRoundTripTest {};

TEST_P(DigestSignatureTest, DigestFormsInteroperateWithMessageForms) {
  const SchemeCase& c = GetParam();
  const Key& key = generated(c.algorithm);
  const auto digest = backend().digest(scheme_hash(c.scheme), message_);
  ASSERT_THAT(digest, IsOk());
  const auto from_digest = backend().sign_digest(key, c.scheme, *digest, c.encoding);
  ASSERT_THAT(from_digest, IsOk());
  EXPECT_THAT(backend().verify(key, c.scheme, message_, *from_digest, c.encoding),
              Optional(VerifyOutcome::Valid));
  const auto from_message = backend().sign(key, c.scheme, message_, c.encoding);
  ASSERT_THAT(from_message, IsOk());
  EXPECT_THAT(backend().verify_digest(key, c.scheme, *digest, *from_message, c.encoding),
              Optional(VerifyOutcome::Valid));
  EXPECT_THAT(
      backend().verify_digest(key, c.scheme, flipped(*digest, 0), *from_message, c.encoding),
      Optional(VerifyOutcome::Invalid));
}

TEST_P(DigestSignatureTest, DigestOfTheWrongLengthIsRefused) {
  const SchemeCase& c = GetParam();
  const Key& key = generated(c.algorithm);
  const std::size_t size = digest_size(scheme_hash(c.scheme));
  for (const std::size_t wrong : {std::size_t{0}, size - 1, size + 1, std::size_t{20}}) {
    SCOPED_TRACE(wrong);
    EXPECT_THAT(backend().sign_digest(key, c.scheme, Bytes(wrong, 1), c.encoding),
                HasErrorCode(ErrorCode::DataLenRange));
    EXPECT_THAT(backend().verify_digest(key, c.scheme, Bytes(wrong, 1), Bytes(64, 1), c.encoding),
                HasErrorCode(ErrorCode::DataLenRange));
  }
}

TEST_P(SignatureRoundTripTest, SignaturesOfTheWrongLengthAreInvalid) {
  const SchemeCase& c = GetParam();
  const Key& key = generated(c.algorithm);
  const auto signature = backend().sign(key, c.scheme, message_, c.encoding);
  ASSERT_THAT(signature, IsOk());
  Bytes longer = *signature;
  longer.push_back(0);
  const Bytes shorter(signature->begin(), signature->end() - 1);
  for (const Bytes& bad : {longer, shorter, Bytes{}, Bytes(1, 0)}) {
    EXPECT_THAT(backend().verify(key, c.scheme, message_, bad, c.encoding),
                Optional(VerifyOutcome::Invalid));
  }
}

const SchemeCase kPrehashSchemes[] = {
    {"RsaPkcs1Sha256", SignScheme::RsaPkcs1v15Sha256, KeyAlgorithm::Rsa2048, SignatureEncoding::Raw,
     256},
    {"RsaPkcs1Sha384", SignScheme::RsaPkcs1v15Sha384, KeyAlgorithm::Rsa2048, SignatureEncoding::Raw,
     256},
    {"RsaPkcs1Sha512", SignScheme::RsaPkcs1v15Sha512, KeyAlgorithm::Rsa2048, SignatureEncoding::Raw,
     256},
    {"RsaPssSha256", SignScheme::RsaPssSha256, KeyAlgorithm::Rsa2048, SignatureEncoding::Raw, 256},
    // RSA ignores the encoding.
    {"RsaPssSha384", SignScheme::RsaPssSha384, KeyAlgorithm::Rsa2048, SignatureEncoding::Der, 256},
    {"RsaPssSha512", SignScheme::RsaPssSha512, KeyAlgorithm::Rsa2048, SignatureEncoding::Raw, 256},
    {"EcdsaP256Raw", SignScheme::EcdsaP256Sha256, KeyAlgorithm::EcP256, SignatureEncoding::Raw, 64},
    {"EcdsaP256Der", SignScheme::EcdsaP256Sha256, KeyAlgorithm::EcP256, SignatureEncoding::Der, 0},
    {"EcdsaP384Raw", SignScheme::EcdsaP384Sha384, KeyAlgorithm::EcP384, SignatureEncoding::Raw, 96},
    {"EcdsaP384Der", SignScheme::EcdsaP384Sha384, KeyAlgorithm::EcP384, SignatureEncoding::Der, 0},
};
const SchemeCase kEd25519{"Ed25519", SignScheme::Ed25519, KeyAlgorithm::Ed25519,
                          SignatureEncoding::Raw, 64};

std::string case_name(const ::testing::TestParamInfo<SchemeCase>& info) {
  return info.param.name;
}

std::vector<SchemeCase> all_schemes() {
  std::vector<SchemeCase> all(std::begin(kPrehashSchemes), std::end(kPrehashSchemes));
  all.push_back(kEd25519);
  return all;
}

INSTANTIATE_TEST_SUITE_P(Schemes, SignatureRoundTripTest, ::testing::ValuesIn(all_schemes()),
                         case_name);
INSTANTIATE_TEST_SUITE_P(Schemes, DigestSignatureTest, ::testing::ValuesIn(kPrehashSchemes),
                         case_name);

class SignatureTest : public SoftwareBackendTest {
 protected:
  const Bytes message_ = text_bytes("message");
};

TEST_F(SignatureTest, EcdsaVerifyAcceptsOnlyTheChosenEncoding) {
  const Key& key = generated(KeyAlgorithm::EcP256);
  const auto raw = backend().sign(key, SignScheme::EcdsaP256Sha256, message_);
  const auto der =
      backend().sign(key, SignScheme::EcdsaP256Sha256, message_, SignatureEncoding::Der);
  ASSERT_THAT(raw, IsOk());
  ASSERT_THAT(der, IsOk());
  EXPECT_EQ(der->front(), 0x30);
  EXPECT_THAT(
      backend().verify(key, SignScheme::EcdsaP256Sha256, message_, *der, SignatureEncoding::Raw),
      Optional(VerifyOutcome::Invalid));
  EXPECT_THAT(
      backend().verify(key, SignScheme::EcdsaP256Sha256, message_, *raw, SignatureEncoding::Der),
      Optional(VerifyOutcome::Invalid));
}

TEST_F(SignatureTest, NonStrictDerOfAValidSignatureIsInvalid) {
  const Key& key = generated(KeyAlgorithm::EcP256);
  const auto der =
      backend().sign(key, SignScheme::EcdsaP256Sha256, message_, SignatureEncoding::Der);
  ASSERT_THAT(der, IsOk());
  Bytes trailing = *der;
  trailing.push_back(0);
  // The same SEQUENCE with its length in long form: BER, not DER.
  Bytes long_form{0x30, 0x81};
  long_form.insert(long_form.end(), der->begin() + 1, der->end());
  for (const Bytes& bad : {trailing, long_form}) {
    EXPECT_THAT(
        backend().verify(key, SignScheme::EcdsaP256Sha256, message_, bad, SignatureEncoding::Der),
        Optional(VerifyOutcome::Invalid));
  }
}

TEST_F(SignatureTest, OutOfRangeEcdsaValuesAreInvalid) {
  const Key& key = generated(KeyAlgorithm::EcP256);
  for (const Bytes& raw : {Bytes(64, 0x00), Bytes(64, 0xff)}) {
    EXPECT_THAT(backend().verify(key, SignScheme::EcdsaP256Sha256, message_, raw),
                Optional(VerifyOutcome::Invalid));
  }
}

// Wycheproof ecdsa_secp256r1_sha256_p1363 tcId 169, "point at infinity during verify": OpenSSL
// fails the computation itself, which must still read as Invalid rather than an error.
TEST_F(SignatureTest, PointAtInfinityDuringVerifyIsInvalid) {
  const auto key = Key::ec_public(
      EcCurve::P256, hex("04"
                         "b533d4695dd5b8c5e07757e55e6e516f7e2c88fa0239e23f60e8ec07dd70f287"
                         "1b134ee58cc583278456863f33c3a85d881f7d4a39850143e29d4eaf009afe47"));
  ASSERT_THAT(key, IsOk());
  const Bytes message = text_bytes("123400");
  const Bytes signature =
      hex("7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8"
          "555555550000000055555555555555553ef7a8e48d07df81a693439654210c70");
  EXPECT_THAT(backend().verify(*key, SignScheme::EcdsaP256Sha256, message, signature),
              Optional(VerifyOutcome::Invalid));
  const auto digest = backend().digest(HashAlg::Sha256, message);
  ASSERT_THAT(digest, IsOk());
  EXPECT_THAT(backend().verify_digest(*key, SignScheme::EcdsaP256Sha256, *digest, signature),
              Optional(VerifyOutcome::Invalid));
}

TEST_F(SignatureTest, RsaSignatureAboveTheModulusIsInvalid) {
  const Key& key = generated(KeyAlgorithm::Rsa2048);
  EXPECT_THAT(backend().verify(key, SignScheme::RsaPkcs1v15Sha256, message_, Bytes(256, 0xff)),
              Optional(VerifyOutcome::Invalid));
  EXPECT_THAT(backend().verify(key, SignScheme::RsaPssSha256, message_, Bytes(256, 0xff)),
              Optional(VerifyOutcome::Invalid));
}

TEST_F(SignatureTest, PssAndPkcs1SignaturesDoNotCrossVerify) {
  const Key& key = generated(KeyAlgorithm::Rsa2048);
  const auto pss = backend().sign(key, SignScheme::RsaPssSha256, message_);
  ASSERT_THAT(pss, IsOk());
  EXPECT_THAT(backend().verify(key, SignScheme::RsaPkcs1v15Sha256, message_, *pss),
              Optional(VerifyOutcome::Invalid));
  // Same hash family, other hash: PSS salt length and hash are fixed by the scheme.
  EXPECT_THAT(backend().verify(key, SignScheme::RsaPssSha384, message_, *pss),
              Optional(VerifyOutcome::Invalid));
}

// An RSA-PSS-SHA-256 signature made directly with OpenSSL, with a chosen salt length.
Bytes pss_sha256_with_salt(const Key& key, ByteView message, int salt_length) {
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  Bytes signature(static_cast<std::size_t>(EVP_PKEY_get_size(key.material().evp)));
  std::size_t size = signature.size();
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.material().evp) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_length) != 1 ||
      EVP_DigestSign(ctx.get(), signature.data(), &size, message.data(), message.size()) != 1) {
    throw std::runtime_error("OpenSSL PSS signing failed");
  }
  return signature;
}

TEST_F(SignatureTest, PssSaltLengthIsFixedNotAutoDetected) {
  const Key& key = generated(KeyAlgorithm::Rsa2048);
  EXPECT_THAT(backend().verify(key, SignScheme::RsaPssSha256, message_,
                               pss_sha256_with_salt(key, message_, 32)),
              Optional(VerifyOutcome::Valid));
  // Well-formed PSS, but not with the scheme's salt length.
  for (const int salt : {0, 20, 33}) {
    SCOPED_TRACE(salt);
    EXPECT_THAT(backend().verify(key, SignScheme::RsaPssSha256, message_,
                                 pss_sha256_with_salt(key, message_, salt)),
                Optional(VerifyOutcome::Invalid));
  }
}

TEST_F(SignatureTest, Ed25519HasNoDigestForm) {
  const Key& key = generated(KeyAlgorithm::Ed25519);
  EXPECT_THAT(backend().sign_digest(key, SignScheme::Ed25519, Bytes(32, 1)),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(backend().verify_digest(key, SignScheme::Ed25519, Bytes(32, 1), Bytes(64, 1)),
              HasErrorCode(ErrorCode::InvalidArgument));
}

TEST_F(SignatureTest, Ed25519MatchesRfc8032Test1) {
  const auto key =
      Key::ed25519_private(hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  ASSERT_THAT(key, IsOk());
  const Bytes expected =
      hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
          "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_THAT(backend().sign(*key, SignScheme::Ed25519, {}), Optional(expected));
}

TEST_F(SignatureTest, WrongKeyKindIsInconsistent) {
  const Key& rsa = generated(KeyAlgorithm::Rsa2048);
  const Key& p256 = generated(KeyAlgorithm::EcP256);
  const Key& p384 = generated(KeyAlgorithm::EcP384);
  const Key& ed25519 = generated(KeyAlgorithm::Ed25519);
  const auto aes = Key::aes(Bytes(32, 1));
  ASSERT_THAT(aes, IsOk());
  const std::pair<const Key*, SignScheme> mismatches[] = {
      {&p256, SignScheme::RsaPkcs1v15Sha256}, {&ed25519, SignScheme::RsaPssSha256},
      {&rsa, SignScheme::EcdsaP256Sha256},    {&p384, SignScheme::EcdsaP256Sha256},
      {&p256, SignScheme::EcdsaP384Sha384},   {&rsa, SignScheme::Ed25519},
      {&p256, SignScheme::Ed25519},           {&*aes, SignScheme::RsaPkcs1v15Sha256},
  };
  for (const auto& [key, scheme] : mismatches) {
    SCOPED_TRACE(scheme_name(scheme));
    EXPECT_THAT(backend().sign(*key, scheme, message_),
                HasErrorCode(ErrorCode::KeyTypeInconsistent));
    EXPECT_THAT(backend().verify(*key, scheme, message_, Bytes(64, 1)),
                HasErrorCode(ErrorCode::KeyTypeInconsistent));
  }
  // Public keys verify but never sign.
  for (const auto& [key, scheme] :
       {std::pair{&rsa, SignScheme::RsaPssSha256}, std::pair{&p256, SignScheme::EcdsaP256Sha256},
        std::pair{&ed25519, SignScheme::Ed25519}}) {
    SCOPED_TRACE(scheme_name(scheme));
    EXPECT_THAT(backend().sign(public_of(*key), scheme, message_),
                HasErrorCode(ErrorCode::KeyTypeInconsistent));
  }
}

TEST_F(SignatureTest, MessagesOverTheLimitAreRefused) {
  const auto small = make_software_backend({.max_message_bytes = 4});
  const Key& key = generated(KeyAlgorithm::EcP256);
  EXPECT_THAT(small->sign(key, SignScheme::EcdsaP256Sha256, Bytes(5, 0)),
              HasErrorCode(ErrorCode::DataLenRange));
  EXPECT_THAT(small->verify(key, SignScheme::EcdsaP256Sha256, Bytes(5, 0), Bytes(64, 1)),
              HasErrorCode(ErrorCode::DataLenRange));
}

}  // namespace
}  // namespace craton::hsm::testing
