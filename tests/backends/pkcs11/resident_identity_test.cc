// SPDX-License-Identifier: Apache-2.0
// A resident Key names exactly one token object: keys sharing an id (or a label) are never
// confused, and a Key whose object was destroyed and replaced never acts as the replacement.
#include <craton/hsm/software_backend.h>

#include <gtest/gtest.h>

#include "backends/pkcs11/resident_test_util.h"
#include "support/fault_shim.h"
#include "support/matchers.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

const std::vector<std::uint8_t> kMessage(48, 0x5a);

CryptoBackend& as_crypto(Pkcs11PassthroughBackend& backend) {
  return backend;
}

// CKR_SESSION_HANDLE_INVALID (PKCS#11 v2.40 table 11).
constexpr unsigned long kSessionHandleInvalid = 0xB3;

TEST(ResidentIdentityTest, KeysSharingAnIdWithDifferentLabelsAreNeverConfused) {
  // Another tool made two AES keys with one CKA_ID (SoftHSM2 has no CKA_UNIQUE_ID).
  const std::vector<std::uint8_t> shared_id{0x49, 0x44, 0x01};
  raw_generate_aes("identity-shared-a", shared_id);
  raw_generate_aes("identity-shared-b", shared_id);

  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  auto first = backend->find_key(by_label("identity-shared-a"));
  auto second = backend->find_key(by_label("identity-shared-b"));
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  auto sealed = as_crypto(*backend).aes_gcm_encrypt(*first, kMessage, {});
  ASSERT_THAT(sealed, IsOk());

  // A second backend resolves each label afresh: only the first key opens what "first" sealed.
  auto fresh = make_resident_backend();
  ASSERT_NE(fresh, nullptr);
  auto first_again = fresh->find_key(by_label("identity-shared-a"));
  auto second_again = fresh->find_key(by_label("identity-shared-b"));
  ASSERT_THAT(first_again, IsOk());
  ASSERT_THAT(second_again, IsOk());
  EXPECT_THAT(as_crypto(*fresh).aes_gcm_decrypt(*first_again, *sealed, {}), IsOk())
      << "sealed with the key labelled identity-shared-b instead";
  EXPECT_THAT(as_crypto(*fresh).aes_gcm_decrypt(*second_again, *sealed, {}),
              HasErrorCode(ErrorCode::AuthenticationFailed));
  // And within the first backend, each Key keeps its own object.
  EXPECT_THAT(as_crypto(*backend).aes_gcm_decrypt(*second, *sealed, {}),
              HasErrorCode(ErrorCode::AuthenticationFailed));
  EXPECT_EQ(raw_destroy_label("identity-shared-a"), 1u);
  EXPECT_EQ(raw_destroy_label("identity-shared-b"), 1u);
}

TEST(ResidentIdentityTest, PairsSharingAnIdKeepTheirOwnPublicHalves) {
  const std::vector<std::uint8_t> shared_id{0x49, 0x44, 0x02};
  raw_generate_ec_pair("identity-pair-a", shared_id, /*public_destroyable=*/true);
  raw_generate_ec_pair("identity-pair-b", shared_id, /*public_destroyable=*/true);
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  auto first = backend->find_key(by_label("identity-pair-a"));
  auto second = backend->find_key(by_label("identity-pair-b"));
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  EXPECT_NE(first->public_spki_der().value(), second->public_spki_der().value());
  auto software = make_software_backend();
  for (const Key* key : {&*first, &*second}) {
    auto signature = as_crypto(*backend).sign(*key, SignScheme::EcdsaP256Sha256, kMessage);
    ASSERT_THAT(signature, IsOk());
    EXPECT_EQ(software->verify(key->public_key().value(), SignScheme::EcdsaP256Sha256, kMessage,
                               *signature),
              VerifyOutcome::Valid);
  }
  // Destroying one pair leaves the other whole.
  ASSERT_THAT(backend->destroy_key(by_label("identity-pair-a")), IsOk());
  EXPECT_EQ(raw_count_label("identity-pair-a"), 0u);
  EXPECT_EQ(raw_count_label("identity-pair-b"), 2u);
  EXPECT_THAT(as_crypto(*backend).sign(*second, SignScheme::EcdsaP256Sha256, kMessage), IsOk());
  ASSERT_THAT(backend->destroy_key(by_label("identity-pair-b")), IsOk());
}

TEST(ResidentIdentityTest, AKeyWhoseObjectWasReplacedByAnotherToolIsNotUsed) {
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, "identity-replaced");
  auto key = backend->generate_resident_key(spec);
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}), IsOk());

  // Destroyed and re-created under the same label and id behind the backend's back.
  ASSERT_EQ(raw_destroy_label(spec.label), 1u);
  raw_generate_aes(spec.label, spec.id);
  EXPECT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}),
              HasErrorCode(ErrorCode::KeyChanged));
  // A Key found now names the new object and works.
  auto replacement = backend->find_key(by_label(spec.label));
  ASSERT_THAT(replacement, IsOk());
  EXPECT_THAT(as_crypto(*backend).aes_gcm_encrypt(*replacement, kMessage, {}), IsOk());
  EXPECT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}),
              HasErrorCode(ErrorCode::KeyChanged))
      << "the old Key stays refused";
  EXPECT_EQ(raw_destroy_label(spec.label), 1u);
}

TEST(ResidentIdentityTest, AKeyPairReplacedThroughTheBackendIsNotUsed) {
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "identity-pair");
  auto key = backend->generate_resident_key(spec);
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(as_crypto(*backend).sign(*key, SignScheme::EcdsaP256Sha256, kMessage), IsOk());

  ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
  auto replacement = backend->generate_resident_key(spec);
  ASSERT_THAT(replacement, IsOk());
  // Signing "with the old key" would produce signatures its public key does not verify.
  EXPECT_THAT(as_crypto(*backend).sign(*key, SignScheme::EcdsaP256Sha256, kMessage),
              HasErrorCode(ErrorCode::KeyChanged));
  auto signature = as_crypto(*backend).sign(*replacement, SignScheme::EcdsaP256Sha256, kMessage);
  ASSERT_THAT(signature, IsOk());
  auto software = make_software_backend();
  auto verified = software->verify(replacement->public_key().value(), SignScheme::EcdsaP256Sha256,
                                   kMessage, *signature);
  ASSERT_THAT(verified, IsOk());
  EXPECT_EQ(*verified, VerifyOutcome::Valid);
  ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
}

TEST(ResidentIdentityTest, ReResolutionAfterARebuildProvesTheObjectIsTheSame) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes128, "identity-rebuild");
  auto key = backend->generate_resident_key(spec);
  ASSERT_THAT(key, IsOk());

  // Someone adds a second object with the same label and id: the label alone is ambiguous
  // now, but after the session dies the Key still proves which object is its own.
  raw_generate_aes(spec.label, spec.id);
  shim.fail("C_EncryptInit", kSessionHandleInvalid, 1);
  auto sealed = as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {});
  ASSERT_THAT(sealed, IsOk());
  EXPECT_THAT(as_crypto(*backend).aes_gcm_decrypt(*key, *sealed, {}), IsOk());

  // Its own object replaced, a rebuild later the Key is refused rather than moved over.
  ASSERT_THAT(backend->destroy_key(by_id(spec.id)), HasErrorCode(ErrorCode::KeyAmbiguous));
  ASSERT_EQ(raw_destroy_label(spec.label), 2u);
  raw_generate_aes(spec.label, spec.id);
  shim.fail("C_EncryptInit", kSessionHandleInvalid, 1);
  EXPECT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}),
              HasErrorCode(ErrorCode::KeyChanged));
  EXPECT_EQ(raw_destroy_label(spec.label), 1u);
}

// On tokens without CKA_CHECK_VALUE the token computes one with the key; a key it cannot
// compute one for cannot be proven after its handle goes stale, and is refused then.
TEST(ResidentIdentityTest, WithoutACheckValueTheTokenComputesOneOrTheKeyIsRefusedWhenStale) {
  FaultShim shim;
  shim.set("hide_check_value", 1);
  auto backend = make_resident_backend(/*through_fault_shim=*/true);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec aes_spec = unique_spec(KeyAlgorithm::Aes256, "identity-computed");
  auto aes = backend->generate_resident_key(aes_spec);
  ASSERT_THAT(aes, IsOk());
  ASSERT_FALSE(aes->material().resident->check_value.empty());
  EXPECT_EQ(aes->material().resident->check_value.front(), 'E') << "AES-ECB of a zero block";
  ResidentKeySpec mac_spec = unique_spec(KeyAlgorithm::Hmac256, "identity-computed-mac");
  auto mac = backend->generate_resident_key(mac_spec);
  ASSERT_THAT(mac, IsOk());
  ASSERT_FALSE(mac->material().resident->check_value.empty());
  EXPECT_EQ(mac->material().resident->check_value.front(), 'M') << "HMAC of a fixed string";
  ResidentKeySpec wrap_spec = unique_spec(KeyAlgorithm::Aes256, "identity-unprovable");
  wrap_spec.usages = KeyUsages::parse("wrap,unwrap").value();
  auto wrapping = backend->generate_resident_key(wrap_spec);
  ASSERT_THAT(wrapping, IsOk());
  EXPECT_TRUE(wrapping->material().resident->check_value.empty());
  const SecretBytes payload(std::vector<std::uint8_t>(32, 0x11));
  ASSERT_THAT(as_crypto(*backend).wrap_key(*wrapping, KeyWrapScheme::AesKw, payload), IsOk());

  // A computed check value proves identity like the token's own: the replacement is refused.
  ASSERT_EQ(raw_destroy_label(aes_spec.label), 1u);
  raw_generate_aes(aes_spec.label, aes_spec.id);
  shim.fail("C_EncryptInit", kSessionHandleInvalid, 1);
  EXPECT_THAT(as_crypto(*backend).aes_gcm_encrypt(*aes, kMessage, {}),
              HasErrorCode(ErrorCode::KeyChanged));
  // The unchanged HMAC key is proven again after the rebuild and keeps working.
  EXPECT_THAT(as_crypto(*backend).hmac(*mac, HashAlg::Sha256, kMessage), IsOk());
  // The wrap-only key has nothing to prove itself with once its handle is stale.
  EXPECT_THAT(as_crypto(*backend).wrap_key(*wrapping, KeyWrapScheme::AesKw, payload),
              HasErrorCode(ErrorCode::KeyChanged));
  auto found_again = backend->find_key(by_label(wrap_spec.label));
  ASSERT_THAT(found_again, IsOk());
  EXPECT_THAT(as_crypto(*backend).wrap_key(*found_again, KeyWrapScheme::AesKw, payload), IsOk());
  EXPECT_EQ(raw_destroy_label(aes_spec.label), 1u);
  EXPECT_THAT(backend->destroy_key(by_label(mac_spec.label)), IsOk());
  EXPECT_THAT(backend->destroy_key(by_label(wrap_spec.label)), IsOk());
}

// Tokens may hand a destroyed object's handle to the next object: after any backend of the
// process destroys a key, every backend proves its handles again before using them.
TEST(ResidentIdentityTest, ADestroyInAnotherBackendStopsEveryBackendTrustingOldHandles) {
  auto first = make_resident_backend();
  auto second = make_resident_backend();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, "identity-other-backend");
  auto key = first->generate_resident_key(spec);
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(as_crypto(*first).aes_gcm_encrypt(*key, kMessage, {}), IsOk());
  ASSERT_THAT(second->destroy_key(by_label(spec.label)), IsOk());
  ASSERT_THAT(second->generate_resident_key(spec), IsOk());
  const auto inits = first->module().call_count(Fn::EncryptInit);
  EXPECT_THAT(as_crypto(*first).aes_gcm_encrypt(*key, kMessage, {}),
              HasErrorCode(ErrorCode::KeyChanged));
  // One C_EncryptInit: the check value of the object that now has the label (which proves it
  // is another key); none with the old handle.
  EXPECT_EQ(first->module().call_count(Fn::EncryptInit), inits + 1)
      << "the old handle is never handed to the token again";
  ASSERT_THAT(second->destroy_key(by_label(spec.label)), IsOk());
}

TEST(ResidentIdentityTest, ANamesakeOfAnUnusedCurveIsPassedOverWhenProvingTheKey) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "identity-namesake-curve");
  auto key = backend->generate_resident_key(spec);
  ASSERT_THAT(key, IsOk());
  // Another tool adds a P-521 pair under the same label and id; the session dies.
  raw_generate_ec_pair(spec.label, spec.id, /*public_destroyable=*/true, kP521Oid);
  shim.fail("C_SignInit", kSessionHandleInvalid, 1);
  EXPECT_THAT(as_crypto(*backend).sign(*key, SignScheme::EcdsaP256Sha256, kMessage), IsOk());
  EXPECT_EQ(raw_destroy_label(spec.label), 4u);
}

TEST(ResidentIdentityTest, ADestroyedKeyWithoutReplacementIsNotFound) {
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Hmac256, "identity-gone");
  auto key = backend->generate_resident_key(spec);
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(as_crypto(*backend).hmac(*key, HashAlg::Sha256, kMessage), IsOk());
  ASSERT_EQ(raw_destroy_label(spec.label), 1u);
  EXPECT_THAT(as_crypto(*backend).hmac(*key, HashAlg::Sha256, kMessage),
              HasErrorCode(ErrorCode::KeyNotFound));
}

// The signature `key` makes on the token, checked in software against `key`'s own public half.
VerifyOutcome signs_as_itself(Pkcs11PassthroughBackend& backend, const Key& key) {
  auto signature = as_crypto(backend).sign(key, SignScheme::EcdsaP256Sha256, kMessage);
  EXPECT_THAT(signature, IsOk());
  if (!signature) return VerifyOutcome::Invalid;
  auto verified = make_software_backend()->verify(
      key.public_key().value(), SignScheme::EcdsaP256Sha256, kMessage, *signature);
  EXPECT_THAT(verified, IsOk());
  return verified ? *verified : VerifyOutcome::Invalid;
}

TEST(ResidentIdentityTest, APrivateKeyReplacedBesideItsPublicHalfIsNotUsed) {
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "identity-private-swapped");
  auto key = backend->generate_resident_key(spec);
  ASSERT_THAT(key, IsOk());
  ASSERT_EQ(signs_as_itself(*backend, *key), VerifyOutcome::Valid);

  // Another tool replaces only the private object; the public object (which SoftHSM2 private
  // EC keys rely on for their point) stays.
  ASSERT_EQ(raw_destroy_label_of_class(spec.label, CKO_PRIVATE_KEY), 1u);
  raw_generate_ec_private_only(spec.label, spec.id);
  auto signature = as_crypto(*backend).sign(*key, SignScheme::EcdsaP256Sha256, kMessage);
  if (signature) {
    auto verified = make_software_backend()->verify(
        key->public_key().value(), SignScheme::EcdsaP256Sha256, kMessage, *signature);
    ASSERT_THAT(verified, IsOk());
    EXPECT_EQ(*verified, VerifyOutcome::Valid)
        << "the Key signed with the replacement private key, which its public half rejects";
  }
  EXPECT_THAT(signature, HasErrorCode(ErrorCode::KeyChanged));
  EXPECT_EQ(raw_destroy_label(spec.label), 2u);
}

TEST(ResidentIdentityTest, ALonePrivateKeyNeverBorrowsAnotherPairsPublicHalf) {
  // A private key kept without its public object, and another pair under the same id.
  const std::vector<std::uint8_t> shared_id{0x49, 0x44, 0x02};
  raw_generate_ec_private_only("identity-lone-a", shared_id);
  raw_generate_ec_pair("identity-lone-b", shared_id, /*public_destroyable=*/true);
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);

  auto lone = backend->find_key(by_label("identity-lone-a"));
  auto other = backend->export_public_key(by_label("identity-lone-b"));
  ASSERT_THAT(other, IsOk());
  if (lone) {
    EXPECT_NE(lone->public_spki_der().value(), *other)
        << "identity-lone-a was given identity-lone-b's public key";
    EXPECT_EQ(signs_as_itself(*backend, *lone), VerifyOutcome::Valid);
  }
  auto exported = backend->export_public_key(by_label("identity-lone-a"));
  if (exported) {
    EXPECT_NE(*exported, *other) << "export-pub gave the other pair's public key";
  }
  EXPECT_EQ(raw_destroy_label("identity-lone-a"), 1u);
  EXPECT_EQ(raw_destroy_label("identity-lone-b"), 2u);
}

TEST(ResidentIdentityTest, KeyPairsSharingAnIdAreEachFoundByTheirLabel) {
  const std::vector<std::uint8_t> shared_id{0x49, 0x44, 0x03};
  raw_generate_ec_pair("identity-pairs-a", shared_id, /*public_destroyable=*/true);
  raw_generate_ec_pair("identity-pairs-b", shared_id, /*public_destroyable=*/true);
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  auto first = backend->find_key(by_label("identity-pairs-a"));
  auto second = backend->find_key(by_label("identity-pairs-b"));
  ASSERT_THAT(first, IsOk()) << "the label names exactly one pair";
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(signs_as_itself(*backend, *first), VerifyOutcome::Valid);
  EXPECT_EQ(signs_as_itself(*backend, *second), VerifyOutcome::Valid);
  EXPECT_EQ(raw_destroy_label("identity-pairs-a"), 2u);
  EXPECT_EQ(raw_destroy_label("identity-pairs-b"), 2u);
}

TEST(ResidentIdentityTest, AReplacementWithTheSameThreeByteCheckValueIsNotUsed) {
  // Two AES-128 keys whose CKA_CHECK_VALUE (the first 3 bytes of AES-ECB(key, 0^128)) agree:
  // found in about 4,000 tries (a birthday search); a replacement for one given key takes
  // about 2^24 tries, seconds on a laptop, for anyone who may create objects on the token.
  const std::vector<std::uint8_t> original{0xf8, 0x8c, 0xdb, 0xc7, 0xb7, 0x2a, 0xe9, 0xf4,
                                           0xf5, 0xac, 0x19, 0x93, 0x2b, 0x62, 0xe6, 0xf1};
  const std::vector<std::uint8_t> impostor{0xf0, 0x59, 0x5a, 0x56, 0xbf, 0x03, 0x82, 0x74,
                                           0x96, 0x85, 0x17, 0xf6, 0x03, 0xce, 0x74, 0x92};
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes128, "identity-kcv-collision");
  auto key = backend->import_resident_key(Key::aes(original).value(), spec);
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}), IsOk());

  ASSERT_EQ(raw_destroy_label(spec.label), 1u);
  raw_create_aes(spec.label, spec.id, impostor);
  auto sealed = as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {});
  if (sealed) {
    EXPECT_THAT(make_software_backend()->aes_gcm_decrypt(Key::aes(original).value(), *sealed, {}),
                IsOk())
        << "sealed under the impostor key, which its maker knows";
  }
  EXPECT_THAT(sealed, HasErrorCode(ErrorCode::KeyChanged));
  EXPECT_EQ(raw_destroy_label(spec.label), 1u);
}

// Re-resolution proves a pair by a signature of the key itself: every signing kind passes.
TEST(ResidentIdentityTest, EverySigningPairIsProvenAgainAfterItsHandleWentStale) {
  const std::pair<KeyAlgorithm, SignScheme> kinds[] = {
      {KeyAlgorithm::EcP256, SignScheme::EcdsaP256Sha256},
      {KeyAlgorithm::EcP384, SignScheme::EcdsaP384Sha384},
      {KeyAlgorithm::Ed25519, SignScheme::Ed25519},
      {KeyAlgorithm::Rsa2048, SignScheme::RsaPssSha256},
  };
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  for (const auto& [algorithm, scheme] : kinds) {
    SCOPED_TRACE(scheme_name(scheme));
    const ResidentKeySpec spec = unique_spec(algorithm, "identity-proven-again");
    auto key = backend->generate_resident_key(spec);
    ASSERT_THAT(key, IsOk());
    ASSERT_THAT(as_crypto(*backend).sign(*key, scheme, kMessage), IsOk());
    // Destroying any key through the backend makes every resident handle be proven again.
    const ResidentKeySpec other = unique_spec(KeyAlgorithm::Aes128, "identity-proven-other");
    ASSERT_THAT(backend->generate_resident_key(other), IsOk());
    ASSERT_THAT(backend->destroy_key(by_label(other.label)), IsOk());
    const auto signs = backend->module().call_count(Fn::Sign);
    EXPECT_THAT(as_crypto(*backend).sign(*key, scheme, kMessage), IsOk());
    // EC and Ed25519 private objects carry no public value on SoftHSM2: the key signs the
    // proof itself. An RSA private object carries its modulus, which proves it.
    EXPECT_EQ(backend->module().call_count(Fn::Sign),
              signs + (algorithm == KeyAlgorithm::Rsa2048 ? 1 : 2));
    ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
  }
}

}  // namespace
}  // namespace craton::hsm::pkcs11
