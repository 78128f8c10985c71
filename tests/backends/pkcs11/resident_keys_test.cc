// SPDX-License-Identifier: Apache-2.0
// Token-resident keys on SoftHSM2: generation with exactly the asked-for attributes, lookup
// and its ambiguity rule, listing, export, destruction, and the refusals around them.
#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/software_backend.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "backends/pkcs11/resident_test_util.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::testing::HasSubstr;

const std::vector<std::uint8_t> kMessage(256, 0x42);

std::optional<ResidentKeyInfo> listed(Pkcs11Backend& backend, const std::string& label,
                                      ObjectClass object_class) {
  auto keys = backend.list_keys();
  EXPECT_THAT(keys, IsOk());
  if (!keys) return std::nullopt;
  for (const ResidentKeyInfo& info : *keys) {
    if (info.label == label && info.object_class == object_class) return info;
  }
  return std::nullopt;
}

class ResidentKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto backend = make_pkcs11_backend(testing::softhsm_config());
    ASSERT_THAT(backend, IsOk());
    backend_ = std::move(*backend);
  }
  void TearDown() override {
    for (const ResidentKeySpec& spec : created_) (void)backend_->destroy_key(by_id(spec.id));
  }
  Key generate(const ResidentKeySpec& spec) {
    auto key = backend_->generate_resident_key(spec);
    EXPECT_THAT(key, IsOk()) << spec.label;
    created_.push_back(spec);
    return key ? *key : Key::aes(std::vector<std::uint8_t>(16)).value();
  }

  std::unique_ptr<Pkcs11Backend> backend_;
  std::vector<ResidentKeySpec> created_;
};

struct AlgorithmCase {
  KeyAlgorithm algorithm;
  KeyKind kind;
  std::size_t bits;
};

class ResidentKeygenTest : public ResidentKeysTest,
                           public ::testing::WithParamInterface<AlgorithmCase> {};

TEST_P(ResidentKeygenTest, GeneratesPersistentSensitiveUnextractableKeys) {
  const AlgorithmCase& c = GetParam();
  const ResidentKeySpec spec =
      unique_spec(c.algorithm, fmt::format("keygen-{}", key_algorithm_name(c.algorithm)));
  const Key key = generate(spec);
  EXPECT_TRUE(key.is_resident());
  EXPECT_EQ(key.kind(), c.kind);
  EXPECT_EQ(key.bits(), c.bits);
  EXPECT_EQ(key.origin(), KeyOrigin::GeneratedOnToken);
  EXPECT_THAT(key.export_secret(), HasErrorCode(ErrorCode::KeyNotExtractable));
  EXPECT_THAT(key.describe(), HasSubstr("pkcs11:"));

  const bool secret = c.kind == KeyKind::Aes || c.kind == KeyKind::Hmac;
  const auto info =
      listed(*backend_, spec.label, secret ? ObjectClass::SecretKey : ObjectClass::PrivateKey);
  ASSERT_TRUE(info.has_value()) << "not listed: " << spec.label;
  EXPECT_TRUE(info->local);
  EXPECT_TRUE(info->sensitive);
  EXPECT_FALSE(info->extractable);
  EXPECT_EQ(info->id, spec.id);
  EXPECT_EQ(info->bits, c.bits);
  KeyUsages expected = KeyUsages::defaults_for(c.algorithm);
  if (!secret) expected.verify = false;  // CKA_VERIFY lives on the public half
  EXPECT_EQ(info->usages, expected);
  EXPECT_THAT(info->uri, HasSubstr("token=ci-token"));
  EXPECT_THAT(info->uri, HasSubstr("object=" + spec.label));
  if (!secret) {
    EXPECT_TRUE(listed(*backend_, spec.label, ObjectClass::PublicKey).has_value())
        << "the public half shares label and id";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, ResidentKeygenTest,
    ::testing::Values(AlgorithmCase{KeyAlgorithm::Aes128, KeyKind::Aes, 128},
                      AlgorithmCase{KeyAlgorithm::Aes192, KeyKind::Aes, 192},
                      AlgorithmCase{KeyAlgorithm::Aes256, KeyKind::Aes, 256},
                      AlgorithmCase{KeyAlgorithm::Rsa2048, KeyKind::RsaPrivate, 2048},
                      AlgorithmCase{KeyAlgorithm::Rsa3072, KeyKind::RsaPrivate, 3072},
                      AlgorithmCase{KeyAlgorithm::Rsa4096, KeyKind::RsaPrivate, 4096},
                      AlgorithmCase{KeyAlgorithm::EcP256, KeyKind::EcPrivate, 256},
                      AlgorithmCase{KeyAlgorithm::EcP384, KeyKind::EcPrivate, 384},
                      AlgorithmCase{KeyAlgorithm::Ed25519, KeyKind::Ed25519Private, 256},
                      AlgorithmCase{KeyAlgorithm::Hmac256, KeyKind::Hmac, 256},
                      AlgorithmCase{KeyAlgorithm::Hmac512, KeyKind::Hmac, 512}),
    [](const auto& info) {
      std::string name(key_algorithm_name(info.param.algorithm));
      std::replace_if(
          name.begin(), name.end(), [](char ch) { return !std::isalnum(ch); }, '_');
      return name;
    });

TEST_F(ResidentKeysTest, RefusesADuplicateLabelOrId) {
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, "duplicate");
  generate(spec);
  ResidentKeySpec same_label = unique_spec(KeyAlgorithm::Aes256, "duplicate");
  EXPECT_THAT(backend_->generate_resident_key(same_label),
              HasErrorCode(ErrorCode::KeyAlreadyExists));
  ResidentKeySpec same_id = unique_spec(KeyAlgorithm::EcP256, "duplicate-id");
  same_id.id = spec.id;
  EXPECT_THAT(backend_->generate_resident_key(same_id), HasErrorCode(ErrorCode::KeyAlreadyExists));
  EXPECT_THAT(backend_->find_key(by_label("resident-duplicate-id")),
              HasErrorCode(ErrorCode::KeyNotFound))
      << "nothing was created by the refused calls";
}

TEST_F(ResidentKeysTest, RefusesBadSpecsBeforeTouchingTheToken) {
  ResidentKeySpec no_label = unique_spec(KeyAlgorithm::Aes128, "x");
  no_label.label.clear();
  EXPECT_THAT(backend_->generate_resident_key(no_label), HasErrorCode(ErrorCode::InvalidArgument));
  ResidentKeySpec no_id = unique_spec(KeyAlgorithm::Aes128, "no-id");
  no_id.id.clear();
  EXPECT_THAT(backend_->generate_resident_key(no_id), HasErrorCode(ErrorCode::InvalidArgument));
  ResidentKeySpec signing_aes = unique_spec(KeyAlgorithm::Aes128, "signing-aes");
  signing_aes.usages = KeyUsages::parse("sign").value();
  EXPECT_THAT(backend_->generate_resident_key(signing_aes),
              HasErrorCode(ErrorCode::InvalidArgument));
  ResidentKeySpec decrypting_ed = unique_spec(KeyAlgorithm::Ed25519, "decrypting-ed");
  decrypting_ed.usages = KeyUsages::parse("decrypt").value();
  EXPECT_THAT(backend_->generate_resident_key(decrypting_ed),
              HasErrorCode(ErrorCode::InvalidArgument));
}

TEST_F(ResidentKeysTest, UsageIsLimitedToWhatWasAsked) {
  ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, "encrypt-only");
  spec.usages = KeyUsages::parse("encrypt").value();
  const Key key = generate(spec);
  auto sealed = backend_->aes_gcm_encrypt(key, kMessage, {});
  ASSERT_THAT(sealed, IsOk());
  EXPECT_THAT(backend_->aes_gcm_decrypt(key, *sealed, {}),
              HasErrorCode(ErrorCode::KeyFunctionNotPermitted));

  ResidentKeySpec sign_only = unique_spec(KeyAlgorithm::EcP256, "sign-only");
  const Key signer = generate(sign_only);  // defaults: sign (+ verify on the public half)
  ASSERT_THAT(backend_->sign(signer, SignScheme::EcdsaP256Sha256, kMessage), IsOk());
  const Key peer = backend_->generate_key(KeyAlgorithm::EcP256)->public_key().value();
  EXPECT_THAT(backend_->ecdh(signer, peer), HasErrorCode(ErrorCode::KeyFunctionNotPermitted));
}

TEST_F(ResidentKeysTest, FindsByLabelByIdOrBothAndThePublicHalfByType) {
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "findable");
  const Key generated = generate(spec);
  KeyRef both = by_label(spec.label);
  both.id = spec.id;
  for (const KeyRef& ref : {by_label(spec.label), by_id(spec.id), both}) {
    auto found = backend_->find_key(ref);
    ASSERT_THAT(found, IsOk()) << ref;
    EXPECT_EQ(found->kind(), KeyKind::EcPrivate);
    EXPECT_EQ(found->public_spki_der().value(), generated.public_spki_der().value());
  }
  KeyRef public_half = by_id(spec.id);
  public_half.object_class = ObjectClass::PublicKey;
  auto found_public = backend_->find_key(public_half);
  ASSERT_THAT(found_public, IsOk());
  EXPECT_EQ(found_public->kind(), KeyKind::EcPublic);
  EXPECT_FALSE(found_public->is_private());

  // Signed with the resident private key, verified with the resident public key, on the token
  // and in software.
  auto signature = backend_->sign(*backend_->find_key(by_label(spec.label)),
                                  SignScheme::EcdsaP256Sha256, kMessage);
  ASSERT_THAT(signature, IsOk());
  EXPECT_EQ(backend_->verify(*found_public, SignScheme::EcdsaP256Sha256, kMessage, *signature),
            VerifyOutcome::Valid);
  EXPECT_EQ(make_software_backend()->verify(*found_public, SignScheme::EcdsaP256Sha256, kMessage,
                                            *signature),
            VerifyOutcome::Valid);
  EXPECT_THAT(backend_->find_key(by_label("resident-no-such-key")),
              HasErrorCode(ErrorCode::KeyNotFound));
  EXPECT_THAT(backend_->find_key(KeyRef{}), HasErrorCode(ErrorCode::InvalidArgument));
}

TEST_F(ResidentKeysTest, ExportsThePublicHalfAsSpki) {
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Rsa2048, "exported");
  const Key key = generate(spec);
  auto spki = backend_->export_public_key(by_label(spec.label));
  ASSERT_THAT(spki, IsOk());
  auto public_key = Key::rsa_public_spki(*spki);
  ASSERT_THAT(public_key, IsOk());
  auto signature = backend_->sign(key, SignScheme::RsaPssSha256, kMessage);
  ASSERT_THAT(signature, IsOk());
  EXPECT_EQ(
      make_software_backend()->verify(*public_key, SignScheme::RsaPssSha256, kMessage, *signature),
      VerifyOutcome::Valid);
  const ResidentKeySpec aes = unique_spec(KeyAlgorithm::Aes128, "no-public-half");
  generate(aes);
  EXPECT_THAT(backend_->export_public_key(by_label(aes.label)),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
}

TEST_F(ResidentKeysTest, DestroyRemovesBothHalvesAndOldReferencesFailCleanly) {
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "doomed");
  const Key key = generate(spec);
  ASSERT_THAT(backend_->destroy_key(by_label(spec.label)), IsOk());
  EXPECT_FALSE(listed(*backend_, spec.label, ObjectClass::PrivateKey).has_value());
  EXPECT_FALSE(listed(*backend_, spec.label, ObjectClass::PublicKey).has_value());
  EXPECT_THAT(backend_->sign(key, SignScheme::EcdsaP256Sha256, kMessage),
              HasErrorCode(ErrorCode::KeyNotFound));
  EXPECT_THAT(backend_->destroy_key(by_label(spec.label)), HasErrorCode(ErrorCode::KeyNotFound));
}

TEST_F(ResidentKeysTest, ImportedMaterialSignsOnTheTokenAndNeverComesBack) {
  const Key material = make_software_backend()->generate_key(KeyAlgorithm::EcP384).value();
  ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP384, "imported");
  auto stored = backend_->import_resident_key(material, spec);
  ASSERT_THAT(stored, IsOk());
  created_.push_back(spec);
  EXPECT_EQ(stored->origin(), KeyOrigin::Imported);
  const auto info = listed(*backend_, spec.label, ObjectClass::PrivateKey);
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->local);
  EXPECT_FALSE(info->extractable);
  auto signature = backend_->sign(*stored, SignScheme::EcdsaP384Sha384, kMessage);
  ASSERT_THAT(signature, IsOk());
  EXPECT_EQ(
      make_software_backend()->verify(material, SignScheme::EcdsaP384Sha384, kMessage, *signature),
      VerifyOutcome::Valid);
  EXPECT_THAT(make_software_backend()->sign(*stored, SignScheme::EcdsaP384Sha384, kMessage),
              HasErrorCode(ErrorCode::InvalidArgument))
      << "software cannot use a key whose bytes stay on the token";
}

}  // namespace
}  // namespace craton::hsm::pkcs11
