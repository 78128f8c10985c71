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

}  // namespace
}  // namespace craton::hsm::pkcs11
