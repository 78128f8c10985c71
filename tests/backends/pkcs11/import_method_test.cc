// SPDX-License-Identifier: Apache-2.0
// import_method (docs/import-by-unwrap.md): secret and private keys reaching SoftHSM2 by
// C_UnwrapKey under a token-generated transport key, auto mode's one-way switch per key class,
// and the failure paths, through the fault shim's refuse_secret_key_create and
// refuse_private_key_create modes (tokens that take no clear key values).
#include <craton/hsm/software_backend.h>

#include <atomic>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/pkcs11/import_policy.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "pkcs11/loader/rv_map.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::fault_shim_config;
using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::testing::HasSubstr;

const std::vector<std::uint8_t> kMessage{'i', 'm', 'p', 'o', 'r', 't'};

// Auto mode's rule, on the CK_RV itself: three answers mean "no clear key values here".
TEST(ImportPolicy, OnlyTheThreeClearImportRefusalsSwitchAndOnlyInAutoMode) {
  for (const CK_RV rv :
       {CKR_TEMPLATE_INCONSISTENT, CKR_ATTRIBUTE_VALUE_INVALID, CKR_ACTION_PROHIBITED}) {
    ImportPolicy policy(ImportMethod::Auto, false);
    EXPECT_EQ(
        policy.switch_after_refusal(ImportClass::Private, error_from_rv(rv, Fn::CreateObject)),
        ImportPolicy::Refusal::SwitchedNow);
    EXPECT_TRUE(policy.by_unwrap(ImportClass::Private));
    EXPECT_FALSE(policy.by_unwrap(ImportClass::Secret)) << "one class at a time";
    EXPECT_EQ(
        policy.switch_after_refusal(ImportClass::Private, error_from_rv(rv, Fn::CreateObject)),
        ImportPolicy::Refusal::SwitchedEarlier);
    EXPECT_EQ(policy.switches(), 1u);
  }
  for (const CK_RV rv : {CKR_ATTRIBUTE_TYPE_INVALID, CKR_ATTRIBUTE_READ_ONLY, CKR_DEVICE_ERROR,
                         CKR_GENERAL_ERROR, CKR_TEMPLATE_INCOMPLETE, CKR_DEVICE_MEMORY}) {
    ImportPolicy policy(ImportMethod::Auto, false);
    EXPECT_EQ(policy.switch_after_refusal(ImportClass::Secret, error_from_rv(rv, Fn::CreateObject)),
              ImportPolicy::Refusal::Stands)
        << rv;
    EXPECT_FALSE(policy.by_unwrap(ImportClass::Secret));
  }
  ImportPolicy create(ImportMethod::Create, false);
  EXPECT_EQ(create.switch_after_refusal(ImportClass::Secret,
                                        error_from_rv(CKR_TEMPLATE_INCONSISTENT, Fn::CreateObject)),
            ImportPolicy::Refusal::Stands);
  EXPECT_FALSE(create.by_unwrap(ImportClass::Secret));
  // The vendor profile's quirk sends private keys by unwrap whatever the method.
  const ImportPolicy luna(ImportMethod::Create, true);
  EXPECT_TRUE(luna.by_unwrap(ImportClass::Private));
  EXPECT_FALSE(luna.by_unwrap(ImportClass::Secret));
  EXPECT_THAT(luna.describe(ImportClass::Private), HasSubstr("vendor profile"));
  const ImportPolicy unwrap(ImportMethod::Unwrap, false);
  EXPECT_TRUE(unwrap.by_unwrap(ImportClass::Secret));
  EXPECT_TRUE(unwrap.by_unwrap(ImportClass::Private));
}

class ImportMethodTest : public ::testing::Test {
 protected:
  std::unique_ptr<Pkcs11PassthroughBackend> make_backend(
      ImportMethod method, std::uint32_t pool_size = 1,
      const std::function<void(Pkcs11PassthroughConfig&)>& adjust = {}) {
    Pkcs11PassthroughConfig config = fault_shim_config();
    config.import_method = method;
    config.pool_size = pool_size;
    if (adjust) adjust(config);
    auto created = Pkcs11PassthroughBackend::create(std::move(config));
    EXPECT_THAT(created, IsOk());
    return created ? std::move(*created) : nullptr;
  }
  void refuse_clear_keys() const {
    shim_.set("refuse_secret_key_create", 1);
    shim_.set("refuse_private_key_create", 1);
  }
  // The token's key (by an operation) agrees with OpenSSL's on the same bytes.
  void expect_aes_matches(CryptoBackend& backend, const Key& key) {
    auto sealed = backend.aes_gcm_encrypt(key, kMessage, {});
    ASSERT_THAT(sealed, IsOk());
    auto opened = software_->aes_gcm_decrypt(key, *sealed, {});
    ASSERT_THAT(opened, IsOk());
    EXPECT_TRUE(std::ranges::equal(opened->expose(), kMessage));
  }
  void expect_hmac_matches(CryptoBackend& backend, const Key& key) {
    auto tag = backend.hmac(key, HashAlg::Sha256, kMessage);
    ASSERT_THAT(tag, IsOk());
    EXPECT_EQ(*tag, software_->hmac(key, HashAlg::Sha256, kMessage).value());
  }
  void expect_signature_verifies(CryptoBackend& backend, const Key& key, SignScheme scheme) {
    auto signature = backend.sign(key, scheme, kMessage, SignatureEncoding::Raw);
    ASSERT_THAT(signature, IsOk());
    auto public_key = key.public_key();
    ASSERT_THAT(public_key, IsOk());
    EXPECT_EQ(software_->verify(*public_key, scheme, kMessage, *signature, SignatureEncoding::Raw),
              VerifyOutcome::Valid);
  }
  static Key aes(std::uint8_t fill) {
    return Key::aes(std::vector<std::uint8_t>(32, fill)).value();
  }
  static Key ec(std::uint8_t fill) {
    return Key::ec_private(EcCurve::P256, std::vector<std::uint8_t>(32, fill)).value();
  }

  FaultShim shim_;
  std::unique_ptr<CryptoBackend> software_ = make_software_backend();
};

TEST_F(ImportMethodTest, UnwrapModeImportsEveryKindWithoutCreatingAnySecretOrPrivateKey) {
  refuse_clear_keys();  // any C_CreateObject of a secret or private key would fail
  auto backend = make_backend(ImportMethod::Unwrap);
  ASSERT_NE(backend, nullptr);
  const auto rsa = software_->generate_key(KeyAlgorithm::Rsa2048);
  ASSERT_THAT(rsa, IsOk());
  const Key hmac = Key::hmac(std::vector<std::uint8_t>(32, 0x42)).value();
  const unsigned long creates = shim_.calls("C_CreateObject");
  const unsigned long unwraps = shim_.calls("C_UnwrapKey");
  expect_aes_matches(*backend, aes(0x5a));
  expect_hmac_matches(*backend, hmac);
  // 36 bytes: not a block multiple, so RFC 5649 (SoftHSM2's 0x210A unwraps any length).
  expect_hmac_matches(*backend, Key::hmac(std::vector<std::uint8_t>(36, 0x43)).value());
  expect_signature_verifies(*backend, *rsa, SignScheme::RsaPssSha256);
  expect_signature_verifies(*backend, ec(0x11), SignScheme::EcdsaP256Sha256);
  EXPECT_EQ(shim_.calls("C_CreateObject"), creates) << "no key value was handed to create";
  EXPECT_EQ(shim_.calls("C_UnwrapKey"), unwraps + 10) << "one-time key and target, per key";
  EXPECT_EQ(shim_.calls("C_GenerateKeyPair"), 1u) << "one transport key for the one session";
  EXPECT_EQ(shim_.stats().faults_injected, 0u) << "the refusing shim was never asked";
  EXPECT_EQ(backend->stats().transport_keys_generated, 1u);
  EXPECT_EQ(backend->capabilities().secret_key_import, "unwrap");
  EXPECT_EQ(backend->capabilities().private_key_import, "unwrap");

  // Resident keys the same way (the EC key's public half by create: it is public).
  for (const auto& [algorithm, label] : {std::pair{KeyAlgorithm::Aes256, "import-unwrap-aes"},
                                         std::pair{KeyAlgorithm::EcP256, "import-unwrap-ec"}}) {
    ResidentKeySpec spec;
    spec.algorithm = algorithm;
    spec.label = label;
    spec.id = {0x1e, static_cast<std::uint8_t>(algorithm)};
    const Key material = algorithm == KeyAlgorithm::Aes256 ? aes(0x33) : ec(0x22);
    auto resident = backend->import_resident_key(material, spec);
    ASSERT_THAT(resident, IsOk());
    if (algorithm == KeyAlgorithm::Aes256) {
      auto sealed = backend->aes_gcm_encrypt(*resident, kMessage, {});
      ASSERT_THAT(sealed, IsOk());
      EXPECT_THAT(software_->aes_gcm_decrypt(material, *sealed, {}), IsOk());
    } else {
      auto signature =
          backend->sign(*resident, SignScheme::EcdsaP256Sha256, kMessage, SignatureEncoding::Raw);
      ASSERT_THAT(signature, IsOk());
      EXPECT_EQ(software_->verify(material.public_key().value(), SignScheme::EcdsaP256Sha256,
                                  kMessage, *signature, SignatureEncoding::Raw),
                VerifyOutcome::Valid);
    }
    // The unwrapped object has the template create would have had: sensitive, never
    // extractable, not made on the token, and exactly the algorithm's natural usages.
    auto listed = backend->list_keys();
    ASSERT_THAT(listed, IsOk());
    bool found = false;
    for (const ResidentKeyInfo& info : *listed) {
      if (info.label != label || info.object_class == ObjectClass::PublicKey) continue;
      found = true;
      EXPECT_TRUE(info.sensitive);
      EXPECT_FALSE(info.extractable);
      EXPECT_FALSE(info.local);
      const bool aes_key = algorithm == KeyAlgorithm::Aes256;
      EXPECT_EQ(info.usages.encrypt, aes_key);
      EXPECT_EQ(info.usages.decrypt, aes_key);
      EXPECT_EQ(info.usages.sign, !aes_key);
      EXPECT_FALSE(info.usages.wrap || info.usages.unwrap || info.usages.derive);
    }
    EXPECT_TRUE(found) << label;
    KeyRef ref;
    ref.label = label;
    EXPECT_THAT(backend->destroy_key(ref), IsOk());
  }
  EXPECT_EQ(shim_.stats().faults_injected, 0u);
}

TEST_F(ImportMethodTest, AutoSwitchesEachClassAfterExactlyOneRefusalAndNeverCreatesAgain) {
  refuse_clear_keys();
  auto backend = make_backend(ImportMethod::Auto);
  ASSERT_NE(backend, nullptr);
  EXPECT_EQ(backend->capabilities().secret_key_import, "create");
  const unsigned long creates = shim_.calls("C_CreateObject");
  expect_aes_matches(*backend, aes(0x01));
  EXPECT_EQ(shim_.calls("C_CreateObject"), creates + 1) << "one refused create";
  EXPECT_EQ(backend->stats().import_switches_to_unwrap, 1u);
  EXPECT_THAT(backend->capabilities().secret_key_import, HasSubstr("auto"));
  EXPECT_EQ(backend->capabilities().private_key_import, "create");
  expect_aes_matches(*backend, aes(0x02));
  expect_hmac_matches(*backend, Key::hmac(std::vector<std::uint8_t>(32, 0x03)).value());
  EXPECT_EQ(shim_.calls("C_CreateObject"), creates + 1)
      << "secret keys never tried by create again";

  expect_signature_verifies(*backend, ec(0x04), SignScheme::EcdsaP256Sha256);
  EXPECT_EQ(shim_.calls("C_CreateObject"), creates + 2);
  EXPECT_EQ(backend->stats().import_switches_to_unwrap, 2u);
  expect_signature_verifies(*backend, ec(0x05), SignScheme::EcdsaP256Sha256);
  EXPECT_EQ(shim_.calls("C_CreateObject"), creates + 2);
  EXPECT_EQ(shim_.stats().faults_injected, 2u) << "exactly one refusal per class";
}

TEST_F(ImportMethodTest, AutoKeepsCreatingWhereTheTokenAcceptsClearKeys) {
  auto backend = make_backend(ImportMethod::Auto);
  ASSERT_NE(backend, nullptr);
  const unsigned long unwraps = shim_.calls("C_UnwrapKey");
  expect_aes_matches(*backend, aes(0x06));
  expect_signature_verifies(*backend, ec(0x07), SignScheme::EcdsaP256Sha256);
  EXPECT_EQ(shim_.calls("C_UnwrapKey"), unwraps);
  EXPECT_EQ(backend->stats().import_switches_to_unwrap, 0u);
}

TEST_F(ImportMethodTest, AutoDoesNotSwitchOnOtherRefusals) {
  auto backend = make_backend(ImportMethod::Auto);
  ASSERT_NE(backend, nullptr);
  // CKR_ATTRIBUTE_TYPE_INVALID maps to the same ErrorCode as CKR_ATTRIBUTE_VALUE_INVALID, but
  // says nothing about clear key values; a device error says nothing about the template.
  for (const unsigned long rv : {CKR_ATTRIBUTE_TYPE_INVALID, CKR_DEVICE_ERROR}) {
    SCOPED_TRACE(rv);
    shim_.fail("C_CreateObject", rv, 10);
    const unsigned long unwraps = shim_.calls("C_UnwrapKey");
    const auto sealed = backend->aes_gcm_encrypt(aes(0x08), kMessage, {});
    ASSERT_FALSE(sealed.has_value());
    EXPECT_NE(sealed.error().code(), ErrorCode::Internal);
    EXPECT_EQ(sealed.error().rv(), rv);
    EXPECT_EQ(sealed.error().function(), "C_CreateObject");
    EXPECT_EQ(shim_.calls("C_UnwrapKey"), unwraps);
    EXPECT_FALSE(backend->imports_by_unwrap(KeyKind::Aes));
    shim_.fail("C_CreateObject", 0, 0);
  }
  EXPECT_EQ(backend->stats().import_switches_to_unwrap, 0u);
  expect_aes_matches(*backend, aes(0x08));
}

// A refusal that only looks like one of clear values (a curve or key size the token lacks
// answers CKR_ATTRIBUTE_VALUE_INVALID too): auto tries the unwrap, and when that fails as well
// it learns nothing, so the next key of the class still goes by create. Before, the first such
// refusal sent every later key of the class by unwrap, for good (on openCryptoki, which cannot
// unwrap, no private key could be imported again).
TEST_F(ImportMethodTest, AutoLearnsNothingWhenTheUnwrapFailsToo) {
  auto backend = make_backend(ImportMethod::Auto);
  ASSERT_NE(backend, nullptr);
  shim_.fail("C_CreateObject", CKR_ATTRIBUTE_VALUE_INVALID, 1);
  shim_.fail("C_UnwrapKey", CKR_TEMPLATE_INCOMPLETE, 10);
  const auto sealed = backend->aes_gcm_encrypt(aes(0x0c), kMessage, {});
  ASSERT_FALSE(sealed.has_value());
  EXPECT_EQ(sealed.error().rv(), CKR_ATTRIBUTE_VALUE_INVALID) << "the create refusal stands";
  EXPECT_EQ(sealed.error().function(), "C_CreateObject");
  EXPECT_THAT(sealed.error().message(), HasSubstr("C_UnwrapKey"));
  EXPECT_FALSE(backend->imports_by_unwrap(KeyKind::Aes));
  EXPECT_EQ(backend->stats().import_switches_to_unwrap, 0u);
  shim_.fail("C_UnwrapKey", 0, 0);
  const unsigned long unwraps = shim_.calls("C_UnwrapKey");
  expect_aes_matches(*backend, aes(0x0d));
  EXPECT_EQ(shim_.calls("C_UnwrapKey"), unwraps) << "the next key went by create";
}

// A lost session during auto's unwrap attempt is not "the unwrap failed too": it is returned as
// it is, so the pool rebuilds the session and runs the import again, which then switches. Said
// as a plain refusal instead, the operation failed and nothing was learned.
TEST_F(ImportMethodTest, AutoLetsThePoolRetryWhenTheUnwrapLosesItsSession) {
  refuse_clear_keys();
  auto backend = make_backend(ImportMethod::Auto);
  ASSERT_NE(backend, nullptr);
  shim_.fail("C_UnwrapKey", CKR_SESSION_HANDLE_INVALID, 1);
  expect_aes_matches(*backend, aes(0x0e));
  EXPECT_EQ(shim_.stats().faults_injected, 3u) << "create refused twice, the unwrap lost once";
  EXPECT_EQ(backend->stats().import_switches_to_unwrap, 1u);
  EXPECT_TRUE(backend->imports_by_unwrap(KeyKind::Aes));
}

TEST_F(ImportMethodTest, CreateModeLetsTheRefusalStand) {
  refuse_clear_keys();
  auto backend = make_backend(ImportMethod::Create);
  ASSERT_NE(backend, nullptr);
  const auto sealed = backend->aes_gcm_encrypt(aes(0x09), kMessage, {});
  ASSERT_FALSE(sealed.has_value());
  EXPECT_EQ(sealed.error().rv(), CKR_TEMPLATE_INCONSISTENT);
  EXPECT_EQ(shim_.calls("C_UnwrapKey"), 0u);
  EXPECT_EQ(backend->stats().import_switches_to_unwrap, 0u);
}

TEST_F(ImportMethodTest, TheOneTimeKeyIsDestroyedWhenTheTargetUnwrapFails) {
  auto backend = make_backend(ImportMethod::Unwrap);
  ASSERT_NE(backend, nullptr);
  expect_aes_matches(*backend, aes(0x0a));  // the session's transport key now exists
  const unsigned long live = shim_.stats().live_objects;
  const unsigned long destroys = shim_.calls("C_DestroyObject");
  // The second C_UnwrapKey (the target, under the one-time key) is refused.
  shim_.fail("C_UnwrapKey", CKR_TEMPLATE_INCONSISTENT, 1, 1);
  const auto sealed = backend->aes_gcm_encrypt(aes(0x0b), kMessage, {});
  ASSERT_FALSE(sealed.has_value());
  EXPECT_EQ(sealed.error().rv(), CKR_TEMPLATE_INCONSISTENT);
  EXPECT_EQ(shim_.stats().live_objects, live) << "nothing left behind on the token";
  EXPECT_EQ(shim_.calls("C_DestroyObject"), destroys + 1) << "the one-time key";
  expect_aes_matches(*backend, aes(0x0b));
  EXPECT_EQ(shim_.stats().live_objects, live + 1) << "only the imported key stays";
}

TEST_F(ImportMethodTest, AStaleTransportKeyIsMadeAgainOnce) {
  auto backend = make_backend(ImportMethod::Unwrap);
  ASSERT_NE(backend, nullptr);
  expect_aes_matches(*backend, aes(0x0c));
  ASSERT_EQ(backend->stats().transport_keys_generated, 1u);
  // The token no longer knows the transport key's handle (the first C_UnwrapKey of the import).
  shim_.fail("C_UnwrapKey", CKR_UNWRAPPING_KEY_HANDLE_INVALID, 1);
  expect_aes_matches(*backend, aes(0x0d));
  EXPECT_EQ(backend->stats().transport_keys_generated, 2u);
  // Twice in a row: the import fails typed, once retried, never looping.
  shim_.fail("C_UnwrapKey", CKR_UNWRAPPING_KEY_HANDLE_INVALID, 2);
  const auto sealed = backend->aes_gcm_encrypt(aes(0x0e), kMessage, {});
  ASSERT_FALSE(sealed.has_value());
  EXPECT_EQ(sealed.error().code(), ErrorCode::KeyHandleInvalid);
  EXPECT_EQ(backend->stats().transport_keys_generated, 3u);
  // A restarted HSM destroys session objects: the rebuilt session gets a new transport key.
  shim_.fail("C_UnwrapKey", 0, 0);
  shim_.restart();
  expect_aes_matches(*backend, aes(0x0f));
  EXPECT_EQ(backend->stats().transport_keys_generated, 4u);
}

TEST_F(ImportMethodTest, EightThreadsInAutoModeSwitchOnceAndAllSucceed) {
  shim_.set("refuse_secret_key_create", 1);
  auto backend = make_backend(ImportMethod::Auto, 4);
  ASSERT_NE(backend, nullptr);
  // Every create dawdles before it is refused, so several threads are refused at once.
  shim_.add("C_CreateObject:sleep=200");
  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 3; ++i) {
          const Key key = aes(static_cast<std::uint8_t>(0x40 + t * 3 + i));
          auto sealed = backend->aes_gcm_encrypt(key, kMessage, {});
          if (!sealed || !software_->aes_gcm_decrypt(key, *sealed, {})) failures.fetch_add(1);
        }
      });
    }
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(backend->stats().import_switches_to_unwrap, 1u);
  EXPECT_GE(shim_.stats().faults_injected, 2u) << "the race was run: refused side by side";
  EXPECT_LE(shim_.stats().faults_injected, 4u) << "at most one refused create per session";
}

TEST_F(ImportMethodTest, ATokenWithoutSessionObjectsIsRefusedBeforeAnyTokenCall) {
  shim_.set("reject_session_objects", 1);
  auto backend = make_backend(ImportMethod::Unwrap);
  ASSERT_NE(backend, nullptr);
  ResidentKeySpec spec;
  spec.algorithm = KeyAlgorithm::Aes256;
  spec.label = "import-unwrap-no-session-objects";
  spec.id = {0x1e, 0x99};
  const unsigned long generates = shim_.calls("C_GenerateKeyPair");
  const unsigned long unwraps = shim_.calls("C_UnwrapKey");
  const auto resident = backend->import_resident_key(aes(0x10), spec);
  EXPECT_THAT(resident, HasErrorCode(ErrorCode::MechanismUnsupported));
  if (!resident) {
    EXPECT_THAT(resident.error().message(), HasSubstr("session objects"));
  }
  EXPECT_EQ(shim_.calls("C_GenerateKeyPair"), generates);
  EXPECT_EQ(shim_.calls("C_UnwrapKey"), unwraps);
}

TEST_F(ImportMethodTest, ATokenWithoutOaepUnwrapIsRefusedBeforeAnyTokenCall) {
  shim_.set("hide_mechanism", CKM_RSA_PKCS_OAEP);
  auto backend = make_backend(ImportMethod::Unwrap);
  ASSERT_NE(backend, nullptr);
  const auto sealed = backend->aes_gcm_encrypt(aes(0x11), kMessage, {});
  EXPECT_THAT(sealed, HasErrorCode(ErrorCode::MechanismUnsupported));
  if (!sealed) {
    EXPECT_THAT(sealed.error().message(), HasSubstr("CKM_RSA_PKCS_OAEP"));
    EXPECT_THAT(sealed.error().message(), HasSubstr("by unwrap"));
  }
  EXPECT_EQ(shim_.calls("C_GenerateKeyPair"), 0u);
  EXPECT_EQ(shim_.calls("C_UnwrapKey"), 0u);
}

TEST_F(ImportMethodTest, ATokenThatCannotMakeTheTransportKeyIsRefusedBeforeAnyTokenCall) {
  shim_.set("hide_mechanism", CKM_RSA_PKCS_KEY_PAIR_GEN);
  auto backend = make_backend(ImportMethod::Unwrap);
  ASSERT_NE(backend, nullptr);
  const auto sealed = backend->aes_gcm_encrypt(aes(0x14), kMessage, {});
  EXPECT_THAT(sealed, HasErrorCode(ErrorCode::MechanismUnsupported));
  if (!sealed) {
    EXPECT_THAT(sealed.error().message(), HasSubstr("RSA-3072 transport key"));
  }
  EXPECT_EQ(shim_.calls("C_GenerateKeyPair"), 0u);
  EXPECT_EQ(shim_.calls("C_UnwrapKey"), 0u);
}

TEST_F(ImportMethodTest, WithoutRfc5649PrivateKeysAreRefusedButAesGoesByKeyWrap) {
  // The generic profile does not know SoftHSM2's CKM_AES_KEY_WRAP_PAD to be RFC 5649, and the
  // token has no CKM_AES_KEY_WRAP_KWP: AES keys (block multiples) go by RFC 3394.
  auto backend = make_backend(ImportMethod::Unwrap, 1, [](Pkcs11PassthroughConfig& config) {
    config.vendor_profile = "generic";
    config.vendor_quirks.emplace("oaep_sha1_only", true);
  });
  ASSERT_NE(backend, nullptr);
  expect_aes_matches(*backend, aes(0x12));
  const unsigned long generates = shim_.calls("C_GenerateKeyPair");
  const auto signature =
      backend->sign(ec(0x13), SignScheme::EcdsaP256Sha256, kMessage, SignatureEncoding::Raw);
  EXPECT_THAT(signature, HasErrorCode(ErrorCode::MechanismUnsupported));
  if (!signature) {
    EXPECT_THAT(signature.error().message(), HasSubstr("RFC 5649"));
  }
  EXPECT_EQ(shim_.calls("C_GenerateKeyPair"), generates);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
