// SPDX-License-Identifier: Apache-2.0
// Tokens without session objects (docs/vendors.md, "Session objects"), through the fault
// shim's quirk modes: the start-up probe's finding, material keys refused with
// MechanismUnsupported, and resident public-key operations on the token's own public object,
// leaving no object behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/pkcs11/passthrough_backend.h"
#include "backends/pkcs11/resident_test_util.h"
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

// What the token under the shim does with CKA_TOKEN=false.
enum class Quirk { None, Reject, Persist };

std::string quirk_name(Quirk quirk) {
  switch (quirk) {
    case Quirk::None:
      return "Kept";
    case Quirk::Reject:
      return "Rejected";
    case Quirk::Persist:
      return "Persisted";
  }
  return "?";
}

class SessionObjectsTest : public ::testing::TestWithParam<Quirk> {
 protected:
  void SetUp() override {
    shim_.set("reject_session_objects", GetParam() == Quirk::Reject ? 1 : 0);
    shim_.set("persist_session_objects", GetParam() == Quirk::Persist ? 1 : 0);
    live_before_backend_ = shim_.stats().live_objects;
    Pkcs11PassthroughConfig config = fault_shim_config();
    config.pool_size = 1;
    auto created = Pkcs11PassthroughBackend::create(std::move(config));
    ASSERT_THAT(created, IsOk());
    backend_ = std::move(*created);
  }

  [[nodiscard]] bool keeps() const { return GetParam() == Quirk::None; }
  [[nodiscard]] std::string name(const std::string& what) const {
    return what + "-" + quirk_name(GetParam());
  }
  // Makes `key` sign and then verifies three times with it: the token's public object or a
  // cached session object, never a new object per call.
  void sign_and_verify(const Key& key, SignScheme scheme) {
    auto signature = backend_->sign(key, scheme, message_, SignatureEncoding::Raw);
    ASSERT_THAT(signature, IsOk());
    for (int i = 0; i < 3; ++i) {
      auto verified = backend_->verify(key, scheme, message_, *signature, SignatureEncoding::Raw);
      ASSERT_THAT(verified, IsOk());
      EXPECT_EQ(*verified, VerifyOutcome::Valid);
    }
    signature->back() ^= 0x01;
    auto forged = backend_->verify(key, scheme, message_, *signature, SignatureEncoding::Raw);
    ASSERT_THAT(forged, IsOk());
    EXPECT_EQ(*forged, VerifyOutcome::Invalid);
  }

  FaultShim shim_;
  unsigned long live_before_backend_ = 0;
  std::unique_ptr<Pkcs11PassthroughBackend> backend_;
  const std::vector<std::uint8_t> message_{'s', 'e', 's', 's', 'i', 'o', 'n'};
};

TEST_P(SessionObjectsTest, TheProbeRecordsWhatTheTokenDoesAndLeavesNothing) {
  const SessionObjects expected[] = {SessionObjects::Kept, SessionObjects::Rejected,
                                     SessionObjects::Persisted};
  EXPECT_EQ(backend_->token_capabilities().session_objects(),
            expected[static_cast<int>(GetParam())]);
  EXPECT_EQ(backend_->token_capabilities().keeps_session_objects(), keeps());
  EXPECT_EQ(shim_.stats().live_objects, live_before_backend_) << "the probe object persisted";
}

TEST_P(SessionObjectsTest, MaterialKeysAreUnsupportedWhereNoSessionObjectsAreKept) {
  auto key = Key::aes(std::vector<std::uint8_t>(32, 0x3c));
  ASSERT_THAT(key, IsOk());
  const unsigned long live = shim_.stats().live_objects;
  const unsigned long created = shim_.stats().objects_created;
  for (int i = 0; i < 2; ++i) {
    auto sealed = backend_->aes_gcm_encrypt(*key, message_, {});
    if (keeps()) {
      EXPECT_THAT(sealed, IsOk());
    } else {
      ASSERT_THAT(sealed, HasErrorCode(ErrorCode::MechanismUnsupported));
      EXPECT_THAT(sealed.error().message(), HasSubstr("keeps no session objects"));
    }
  }
  auto generated = backend_->generate_key(KeyAlgorithm::Aes256);
  if (keeps()) {
    EXPECT_THAT(generated, IsOk());
  } else {
    EXPECT_THAT(generated, HasErrorCode(ErrorCode::MechanismUnsupported));
    // Nothing was even tried on the token.
    EXPECT_EQ(shim_.stats().objects_created, created);
    EXPECT_EQ(shim_.stats().live_objects, live);
  }
}

TEST_P(SessionObjectsTest, ResidentEcVerifyUsesTheTokensPublicObject) {
  auto generated =
      backend_->generate_resident_key(unique_spec(KeyAlgorithm::EcP256, name("sobj-ec")));
  ASSERT_THAT(generated, IsOk());
  auto key = backend_->find_key(by_label(name("resident-sobj-ec")));
  ASSERT_THAT(key, IsOk());
  const unsigned long live = shim_.stats().live_objects;
  const unsigned long created = shim_.stats().objects_created;
  sign_and_verify(*key, SignScheme::EcdsaP256Sha256);
  EXPECT_EQ(shim_.stats().objects_created, created) << "verify imported the public half";
  EXPECT_EQ(shim_.stats().live_objects, live);
  EXPECT_EQ(raw_count_label(name("resident-sobj-ec")), 2u);
}

TEST_P(SessionObjectsTest, ResidentRsaVerifyUsesTheTokensPublicObject) {
  auto key = backend_->generate_resident_key(unique_spec(KeyAlgorithm::Rsa2048, name("sobj-rsa")));
  ASSERT_THAT(key, IsOk());
  const unsigned long live = shim_.stats().live_objects;
  const unsigned long created = shim_.stats().objects_created;
  sign_and_verify(*key, SignScheme::RsaPkcs1v15Sha256);
  EXPECT_EQ(shim_.stats().objects_created, created) << "verify imported the public half";
  EXPECT_EQ(shim_.stats().live_objects, live);
  EXPECT_EQ(raw_count_label(name("resident-sobj-rsa")), 2u);
}

// A private key whose public object is gone: the public half becomes a session object where
// the token keeps them, and is refused (never stored for good) where it does not.
TEST_P(SessionObjectsTest, WithoutAPublicObjectOnlyASessionObjectMayServe) {
  const std::string label = name("resident-sobj-lone");
  auto key = backend_->generate_resident_key(unique_spec(KeyAlgorithm::Rsa2048, name("sobj-lone")));
  ASSERT_THAT(key, IsOk());
  auto signature =
      backend_->sign(*key, SignScheme::RsaPkcs1v15Sha256, message_, SignatureEncoding::Raw);
  ASSERT_THAT(signature, IsOk());
  ASSERT_EQ(raw_destroy_label_of_class(label, CKO_PUBLIC_KEY), 1u);
  for (int i = 0; i < 2; ++i) {
    auto verified = backend_->verify(*key, SignScheme::RsaPkcs1v15Sha256, message_, *signature,
                                     SignatureEncoding::Raw);
    if (keeps()) {
      ASSERT_THAT(verified, IsOk());
      EXPECT_EQ(*verified, VerifyOutcome::Valid);
    } else {
      ASSERT_THAT(verified, HasErrorCode(ErrorCode::MechanismUnsupported));
      EXPECT_THAT(verified.error().message(), HasSubstr("keeps no session objects"));
    }
  }
  EXPECT_EQ(raw_count_label(label), 1u) << "a permanent public object was left behind";
}

// ECDH with a resident private key still makes the shared secret an object (C_DeriveKey):
// refused before any token call where no session objects are kept, never a permanent secret.
TEST_P(SessionObjectsTest, ResidentEcdhCreatesNoObjectWhereNoneAreKept) {
  ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, name("sobj-ecdh"));
  spec.usages = KeyUsages{.derive = true};
  auto key = backend_->generate_resident_key(spec);
  ASSERT_THAT(key, IsOk());
  auto peer_private = Key::ec_private(EcCurve::P256, std::vector<std::uint8_t>(32, 0x21));
  ASSERT_THAT(peer_private, IsOk());
  auto peer = peer_private->public_key();
  ASSERT_THAT(peer, IsOk());
  const unsigned long created = shim_.stats().objects_created;
  const unsigned long derives = shim_.calls("C_DeriveKey");
  for (int i = 0; i < 2; ++i) {
    auto secret = backend_->ecdh(*key, *peer);
    if (keeps()) {
      ASSERT_THAT(secret, IsOk());
      EXPECT_EQ(secret->size(), 32u);
    } else {
      ASSERT_THAT(secret, HasErrorCode(ErrorCode::MechanismUnsupported));
      EXPECT_THAT(secret.error().message(), HasSubstr("keeps no session objects"));
      EXPECT_THAT(secret.error().message(), HasSubstr("ECDH"));
    }
  }
  if (!keeps()) {
    EXPECT_EQ(shim_.calls("C_DeriveKey"), derives) << "the token was asked";
    EXPECT_EQ(shim_.stats().objects_created, created);
  }
  EXPECT_EQ(raw_count_label(name("resident-sobj-ecdh")), 2u) << "the resident pair is intact";
}

// Wrapping and unwrapping under a resident KEK still make the key an object (C_WrapKey takes
// one, C_UnwrapKey makes one): refused before any token call where no session objects are kept.
TEST_P(SessionObjectsTest, ResidentKekWrapsNoObjectWhereNoneAreKept) {
  ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, name("sobj-kek"));
  spec.usages = KeyUsages{.wrap = true, .unwrap = true};
  auto kek = backend_->generate_resident_key(spec);
  ASSERT_THAT(kek, IsOk());
  const SecretBytes payload(std::vector<std::uint8_t>(32, 0x5e));
  const unsigned long created = shim_.stats().objects_created;
  const unsigned long wraps = shim_.calls("C_WrapKey");
  const unsigned long unwraps = shim_.calls("C_UnwrapKey");
  auto wrapped = backend_->wrap_key(*kek, KeyWrapScheme::AesKw, payload);
  // Where nothing could be wrapped, a blob of the right shape: refused before the token anyway.
  const std::vector<std::uint8_t> blob = wrapped ? *wrapped : std::vector<std::uint8_t>(40, 0x5e);
  auto unwrapped = backend_->unwrap_key(*kek, KeyWrapScheme::AesKw, blob);
  if (keeps()) {
    ASSERT_THAT(wrapped, IsOk());
    ASSERT_THAT(unwrapped, IsOk());
    EXPECT_TRUE(unwrapped->equals(payload));
  } else {
    ASSERT_THAT(wrapped, HasErrorCode(ErrorCode::MechanismUnsupported));
    EXPECT_THAT(wrapped.error().message(), HasSubstr("keeps no session objects"));
    ASSERT_THAT(unwrapped, HasErrorCode(ErrorCode::MechanismUnsupported));
    EXPECT_THAT(unwrapped.error().message(), HasSubstr("AES-KW unwrap"));
    EXPECT_EQ(shim_.calls("C_WrapKey"), wraps) << "the token was asked";
    EXPECT_EQ(shim_.calls("C_UnwrapKey"), unwraps) << "the token was asked";
    EXPECT_EQ(shim_.stats().objects_created, created);
  }
  EXPECT_EQ(raw_count_label(name("resident-sobj-kek")), 1u) << "the resident KEK is intact";
}

INSTANTIATE_TEST_SUITE_P(Tokens, SessionObjectsTest,
                         ::testing::Values(Quirk::None, Quirk::Reject, Quirk::Persist),
                         [](const ::testing::TestParamInfo<Quirk>& info) {
                           return quirk_name(info.param);
                         });

}  // namespace
}  // namespace craton::hsm::pkcs11
