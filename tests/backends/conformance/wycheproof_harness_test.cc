// SPDX-License-Identifier: Apache-2.0
// The harness itself: backends that lie in one operation must fail it, and so must missing
// files, changed schemas and undecided acceptable cases. A harness that cannot fail proves nothing.
#include <craton/hsm/software_backend.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "backends/conformance/wycheproof_harness.h"

namespace craton::hsm::conformance::wycheproof {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// Forwards every operation to the software backend; subclasses override the one they break.
class ForwardingBackend : public CryptoBackend {
 public:
  std::string_view name() const noexcept override { return "forwarding"; }
  Result<Bytes> sign(const Key& k, SignScheme s, ByteView m, SignatureEncoding e) override {
    return inner_->sign(k, s, m, e);
  }
  Result<Bytes> sign_digest(const Key& k, SignScheme s, ByteView d, SignatureEncoding e) override {
    return inner_->sign_digest(k, s, d, e);
  }
  Result<VerifyOutcome> verify(const Key& k, SignScheme s, ByteView m, ByteView sig,
                               SignatureEncoding e) override {
    return inner_->verify(k, s, m, sig, e);
  }
  Result<VerifyOutcome> verify_digest(const Key& k, SignScheme s, ByteView d, ByteView sig,
                                      SignatureEncoding e) override {
    return inner_->verify_digest(k, s, d, sig, e);
  }
  Result<std::size_t> aes_gcm_encrypt_into(const Key& k, ByteView p, ByteView aad,
                                           std::span<std::uint8_t> out) override {
    return inner_->aes_gcm_encrypt_into(k, p, aad, out);
  }
  Result<std::size_t> aes_gcm_decrypt_into(const Key& k, ByteView sealed, ByteView aad,
                                           std::span<std::uint8_t> out) override {
    return inner_->aes_gcm_decrypt_into(k, sealed, aad, out);
  }
  Result<Bytes> aes_cbc_encrypt(const Key& k, ByteView iv, ByteView p) override {
    return inner_->aes_cbc_encrypt(k, iv, p);
  }
  Result<SecretBytes> aes_cbc_decrypt(const Key& k, ByteView iv, ByteView c) override {
    return inner_->aes_cbc_decrypt(k, iv, c);
  }
  Result<Bytes> aes_ctr(const Key& k, ByteView iv, ByteView d) override {
    return inner_->aes_ctr(k, iv, d);
  }
  Result<Bytes> rsa_oaep_encrypt(const Key& k, HashAlg h, ByteView p, ByteView l) override {
    return inner_->rsa_oaep_encrypt(k, h, p, l);
  }
  Result<SecretBytes> rsa_oaep_decrypt(const Key& k, HashAlg h, ByteView c, ByteView l) override {
    return inner_->rsa_oaep_decrypt(k, h, c, l);
  }
  Result<Bytes> wrap_key(const Key& k, KeyWrapScheme s, const SecretBytes& key) override {
    return inner_->wrap_key(k, s, key);
  }
  Result<SecretBytes> unwrap_key(const Key& k, KeyWrapScheme s, ByteView w) override {
    return inner_->unwrap_key(k, s, w);
  }
  Result<SecretBytes> ecdh(const Key& k, const Key& peer) override { return inner_->ecdh(k, peer); }
  Result<Bytes> hmac(const Key& k, HashAlg h, ByteView m) override { return inner_->hmac(k, h, m); }
  Result<VerifyOutcome> hmac_verify(const Key& k, HashAlg h, ByteView m, ByteView t) override {
    return inner_->hmac_verify(k, h, m, t);
  }
  Result<Bytes> digest(HashAlg h, ByteView d) override { return inner_->digest(h, d); }
  Result<std::unique_ptr<DigestStream>> digest_stream(HashAlg h) override {
    return inner_->digest_stream(h);
  }
  Result<Bytes> random(std::size_t n) override { return inner_->random(n); }
  Result<Key> generate_key(KeyAlgorithm a) override { return inner_->generate_key(a); }

 protected:
  std::unique_ptr<CryptoBackend> inner_ = make_software_backend();
};

class AcceptsEverySignature : public ForwardingBackend {
 public:
  Result<VerifyOutcome> verify(const Key&, SignScheme, ByteView, ByteView,
                               SignatureEncoding) override {
    return VerifyOutcome::Valid;
  }
};

// Releases "plaintext" (nothing) when the tag does not match.
class IgnoresGcmTags : public ForwardingBackend {
 public:
  Result<std::size_t> aes_gcm_decrypt_into(const Key& k, ByteView sealed, ByteView aad,
                                           std::span<std::uint8_t> out) override {
    auto opened = inner_->aes_gcm_decrypt_into(k, sealed, aad, out);
    if (!opened) return std::size_t{0};
    return opened;
  }
};

class WrongCbcErrorCode : public ForwardingBackend {
 public:
  Result<SecretBytes> aes_cbc_decrypt(const Key& k, ByteView iv, ByteView c) override {
    auto opened = inner_->aes_cbc_decrypt(k, iv, c);
    if (!opened) return fail(ErrorCode::DataInvalid, "bad padding");
    return opened;
  }
};

VectorFile file_named(std::string_view name) {
  for (VectorFile& file : all_vector_files()) {
    if (file.file == name) return std::move(file);
  }
  ADD_FAILURE() << "no runner for " << name;
  return {};
}

TEST(WycheproofHarness, FailsAVerifierThatAcceptsEverySignature) {
  AcceptsEverySignature backend;
  const FileTally tally = run_vector_file(file_named("ed25519_test.json"), backend, {});
  EXPECT_EQ(tally.valid_ok, 88U);
  EXPECT_EQ(tally.invalid_rejected, 0U);
  EXPECT_EQ(tally.failed_cases, 63U);
  EXPECT_THAT(tally.failures, Contains(HasSubstr("invalid case accepted")));
}

TEST(WycheproofHarness, FailsDecryptionThatReleasesOutputDespiteABadTag) {
  IgnoresGcmTags backend;
  const FileTally tally = run_vector_file(file_named("aes_gcm_test.json"), backend, {});
  EXPECT_EQ(tally.invalid_rejected, 0U);
  EXPECT_EQ(tally.failed_cases, 81U) << "every invalid case with a 96-bit IV";
}

TEST(WycheproofHarness, FailsAnErrorCodeTheContractDoesNotAllow) {
  WrongCbcErrorCode backend;
  const FileTally tally = run_vector_file(file_named("aes_cbc_pkcs5_test.json"), backend, {});
  EXPECT_EQ(tally.failed_cases, 144U);
  EXPECT_THAT(tally.failures, Contains(HasSubstr("allows only EncryptedDataInvalid")));
}

TEST(WycheproofHarness, FailsMissingFilesAndChangedSchemas) {
  ForwardingBackend backend;
  VectorFile missing = file_named("ed25519_test.json");
  missing.file = "no_such_vectors.json";
  EXPECT_THAT(run_vector_file(missing, backend, {}).failures, Contains(HasSubstr("cannot open")));
  VectorFile renamed = file_named("ed25519_test.json");
  renamed.schema = "eddsa_verify_schema_v2.json";
  EXPECT_THAT(run_vector_file(renamed, backend, {}).failures,
              Contains(HasSubstr("the runner was written for")));
}

TEST(WycheproofHarness, FailsAcceptableCasesWithoutARecordedChoice) {
  ForwardingBackend backend;
  VectorFile undecided = file_named("rsa_signature_2048_sha256_test.json");
  undecided.acceptable.clear();
  const FileTally tally = run_vector_file(undecided, backend, {});
  EXPECT_THAT(tally.failures, Contains(HasSubstr("no recorded choice")));
  undecided.acceptable.push_back({4242, AcceptableChoice::Expect::Reject, "stale"});
  EXPECT_THAT(run_vector_file(undecided, backend, {}).failures,
              Contains(HasSubstr("not an acceptable case")));
}

// The member readers runners use: a vector of the wrong shape is a harness error, never a
// silently truncated or defaulted value.
TEST(WycheproofHarness, MemberReadersRefuseTheWrongShape) {
  const Json group = Json::parse(R"({"ivSize": 96, "tagSize": 96.5, "keySize": "128",)"
                                 R"( "key": "00ff", "iv": "0g", "odd": "abc"})");
  EXPECT_EQ(int_member(group, "ivSize"), 96);
  EXPECT_THROW((void)int_member(group, "tagSize"), std::invalid_argument);
  EXPECT_THROW((void)int_member(group, "keySize"), std::invalid_argument);
  EXPECT_THROW((void)int_member(group, "missing"), std::exception);
  EXPECT_EQ(hex_member(group, "key"), (Bytes{0x00, 0xff}));
  EXPECT_THROW((void)hex_member(group, "iv"), std::invalid_argument);
  EXPECT_THROW((void)hex_member(group, "odd"), std::invalid_argument);
  EXPECT_THROW((void)hex_member(group, "ivSize"), std::exception);
  const auto parse = [](std::string_view text) { return Json::parse(text); };
  EXPECT_THROW(parse("{\"a\": \"\xff\"}"), Json::parse_error) << "ill-formed UTF-8";
  EXPECT_THROW(parse(R"({"a": 1,})"), Json::parse_error);
}

TEST(WycheproofHarness, CountsEveryDeclaredTest) {
  ForwardingBackend backend;
  const FileTally tally = run_vector_file(file_named("aes_gcm_test.json"), backend, {});
  EXPECT_EQ(tally.number_of_tests, 316U);
  EXPECT_EQ(tally.judged_total() + tally.skipped_total(), 316U);
  EXPECT_EQ(tally.skipped_total(), 119U) << "groups with IVs other than 96 bits";
}

}  // namespace
}  // namespace craton::hsm::conformance::wycheproof
