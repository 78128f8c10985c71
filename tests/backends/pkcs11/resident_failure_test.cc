// SPDX-License-Identifier: Apache-2.0
// Calls that change the token fail cleanly: a half-made key is removed, a generation is never
// re-run by the pool's automatic retry, destroy_key leaves no half pair behind, and a key
// object the token disowned is destroyed rather than forgotten.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/rand.h>

#include "backends/pkcs11/resident_test_util.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

const std::vector<std::uint8_t> kMessage(32, 0x33);

// PKCS#11 v2.40 table 11.
constexpr unsigned long kDeviceError = 0x30;
constexpr unsigned long kDeviceRemoved = 0x32;
constexpr unsigned long kObjectHandleInvalid = 0x82;
constexpr unsigned long kKeyHandleInvalid = 0x60;
constexpr unsigned long kSessionHandleInvalid = 0xB3;

CryptoBackend& as_crypto(Pkcs11PassthroughBackend& backend) {
  return backend;
}

TEST(ResidentFailureTest, AGeneratedPairWhoseReadBackFailsIsRemovedWhole) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "failure-readback");
  const auto generations = backend->module().call_count(Fn::GenerateKeyPair);
  // The pair is made, then reading it back fails (the device hiccups).
  shim.fail("C_GetAttributeValue", kDeviceError, 1);
  EXPECT_THAT(backend->generate_resident_key(spec), HasErrorCode(ErrorCode::DeviceError));
  EXPECT_EQ(backend->module().call_count(Fn::GenerateKeyPair), generations + 1)
      << "a generation is never re-run automatically";
  EXPECT_EQ(raw_count_label(spec.label), 0u) << "no orphan half stays on the token";
  // Nothing in the way of doing it again.
  ASSERT_THAT(backend->generate_resident_key(spec), IsOk());
  ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
}

TEST(ResidentFailureTest, AnImportWhoseSecondHalfFailsLeavesNothing) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true);
  ASSERT_NE(backend, nullptr);
  auto material = backend->generate_key(KeyAlgorithm::EcP256);
  ASSERT_THAT(material, IsOk());
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "failure-import-half");
  // The private object is stored; storing its public half fails.
  shim.fail("C_CreateObject", kDeviceError, 1, /*skip=*/1);
  EXPECT_THAT(backend->import_resident_key(*material, spec), HasErrorCode(ErrorCode::DeviceError));
  EXPECT_EQ(raw_count_label(spec.label), 0u) << "the stored private half is removed again";
}

TEST(ResidentFailureTest, AKeyTheTokenMadeButReportedAsFailedIsOutcomeUnknown) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes128, "failure-made-anyway");
  // The token generates the key, then the call fails anyway: the handle it wrote is not to be
  // trusted (it could name another object), so the backend checks what the token holds.
  shim.set("fail_after_call", 1);
  shim.fail("C_GenerateKey", kDeviceError, 1);
  auto key = backend->generate_resident_key(spec);
  EXPECT_THAT(key, HasErrorCode(ErrorCode::OutcomeUnknown));
  if (!key) {
    EXPECT_THAT(key.error().message(), ::testing::HasSubstr("possibly made by this call"));
  }
  EXPECT_EQ(raw_count_label(spec.label), 1u) << "the error tells the truth: the key exists";
  EXPECT_EQ(raw_destroy_label(spec.label), 1u);
}

TEST(ResidentFailureTest, ADestroyThatStopsHalfWayIsOutcomeUnknownAndCanBeFinished) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "failure-destroy-half");
  ASSERT_THAT(backend->generate_resident_key(spec), IsOk());
  // The private key goes; destroying the public half fails.
  shim.fail("C_DestroyObject", kDeviceError, 1, /*skip=*/1);
  auto destroyed = backend->destroy_key(by_label(spec.label));
  EXPECT_THAT(destroyed, HasErrorCode(ErrorCode::OutcomeUnknown));
  if (!destroyed) {
    EXPECT_THAT(destroyed.error().message(), ::testing::HasSubstr("1 of its 2"));
  }
  EXPECT_EQ(raw_count_label(spec.label), 1u);
  KeyRef public_half = by_label(spec.label);
  public_half.object_class = ObjectClass::PublicKey;
  ASSERT_THAT(backend->destroy_key(public_half), IsOk());
  EXPECT_EQ(raw_count_label(spec.label), 0u);
}

TEST(ResidentFailureTest, AGenerationIsNotRetriedOnANewSession) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, "failure-no-retry");
  const auto generations = backend->module().call_count(Fn::GenerateKey);
  shim.fail("C_GenerateKey", kSessionHandleInvalid, 1);
  // The session died during the call: nothing was created (checked), and the caller decides
  // whether to try again; the pool does not re-run it behind the caller's back.
  EXPECT_THAT(backend->generate_resident_key(spec), HasErrorCode(ErrorCode::SessionInvalid));
  EXPECT_EQ(backend->module().call_count(Fn::GenerateKey), generations + 1);
  EXPECT_EQ(raw_count_label(spec.label), 0u);
  ASSERT_THAT(backend->generate_resident_key(spec), IsOk());
  ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
}

TEST(ResidentFailureTest, ASessionLostBeforeAnyChangeIsRebuiltAndTheCallGoesOn) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, "failure-search-retried");
  const auto generations = backend->module().call_count(Fn::GenerateKey);
  const auto rebuilds = backend->pool().counters().sessions_rebuilt;
  // The uniqueness search is what fails: safe to repeat, so it is, on a rebuilt session.
  shim.fail("C_FindObjectsInit", kSessionHandleInvalid, 1);
  ASSERT_THAT(backend->generate_resident_key(spec), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::GenerateKey), generations + 1);
  EXPECT_EQ(backend->pool().counters().sessions_rebuilt, rebuilds + 1);
  shim.fail("C_FindObjectsInit", kSessionHandleInvalid, 1);
  ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
  EXPECT_EQ(raw_count_label(spec.label), 0u);
}

TEST(ResidentFailureTest, DestroyIsNotRetriedOnANewSession) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes128, "failure-destroy-session");
  ASSERT_THAT(backend->generate_resident_key(spec), IsOk());
  const auto destroys = backend->module().call_count(Fn::DestroyObject);
  shim.fail("C_DestroyObject", kSessionHandleInvalid, 1);
  EXPECT_THAT(backend->destroy_key(by_label(spec.label)), HasErrorCode(ErrorCode::SessionInvalid));
  EXPECT_EQ(backend->module().call_count(Fn::DestroyObject), destroys + 1);
  EXPECT_EQ(raw_count_label(spec.label), 1u) << "the key is still there, as the error says";
  ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
  EXPECT_EQ(raw_count_label(spec.label), 0u);
}

TEST(ResidentFailureTest, DestroyingAPairWithAnIndestructibleHalfDestroysNothing) {
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  const std::string label = "failure-indestructible";
  const std::vector<std::uint8_t> id{0x44, 0x45, 0x53};
  raw_generate_ec_pair(label, id, /*public_destroyable=*/false);
  ASSERT_EQ(raw_count_label(label), 2u);
  EXPECT_THAT(backend->destroy_key(by_label(label)),
              HasErrorCode(ErrorCode::KeyFunctionNotPermitted));
  EXPECT_EQ(raw_count_label(label), 2u) << "nothing is destroyed when the pair cannot go whole";
  // SoftHSM2 will not make the half destroyable again: the pair stays on this binary's
  // throwaway token.
}

TEST(ResidentFailureTest, AMaterialKeyObjectTheTokenDisownsIsDestroyedNotForgotten) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true);
  ASSERT_NE(backend, nullptr);
  std::vector<std::uint8_t> bytes(16);
  ASSERT_EQ(RAND_bytes(bytes.data(), static_cast<int>(bytes.size())), 1);
  const Key key = Key::aes(bytes).value();
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(key, kMessage, {}), IsOk());
  const auto destroys = backend->module().call_count(Fn::DestroyObject);
  const auto creates = backend->module().call_count(Fn::CreateObject);
  // CKR_KEY_HANDLE_INVALID for an object that still exists: it is re-imported, and the old
  // object is destroyed rather than left on the session.
  shim.fail("C_EncryptInit", kKeyHandleInvalid, 1);
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(key, kMessage, {}), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::CreateObject), creates + 1);
  EXPECT_EQ(backend->module().call_count(Fn::DestroyObject), destroys + 1);
}

TEST(ResidentFailureTest, DestroyingALonePrivateKeyLeavesAnotherPairsPublicHalfAlone) {
  // A private key kept without its public object, and another pair under the same id (both
  // made by other tools): the only public key with that id is the other pair's.
  const std::vector<std::uint8_t> shared_id{0x44, 0x45, 0x54};
  raw_generate_ec_private_only("failure-lone-a", shared_id);
  raw_generate_ec_pair("failure-lone-b", shared_id, /*public_destroyable=*/true);
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  EXPECT_THAT(backend->destroy_key(by_label("failure-lone-a")), IsOk());
  EXPECT_EQ(raw_count_label("failure-lone-a"), 0u);
  EXPECT_EQ(raw_count_label("failure-lone-b"), 2u)
      << "destroy_key took the public half of the pair labelled failure-lone-b with it";
  raw_destroy_label("failure-lone-b");
}

// A one-session backend through the shim that, when its session is next rebuilt (the token
// was pulled and put back), makes the next `function` call answer CKR_OBJECT_HANDLE_INVALID:
// a reinserted token numbers its objects afresh, so handles from before name nothing.
struct ReinsertedToken {
  explicit ReinsertedToken(const char* function) {
    Pkcs11PassthroughConfig config = testing::fault_shim_config();
    config.pool_size = 1;
    auto created = Pkcs11PassthroughBackend::create(
        std::move(config), [this, function](const PoolEvent& event) {
          if (event.kind == PoolEventKind::SessionRebuilt && armed.exchange(false)) {
            shim.fail(function, kObjectHandleInvalid, 1);
          }
        });
    EXPECT_THAT(created, IsOk());
    if (created) backend = std::move(*created);
  }
  FaultShim shim;
  std::atomic<bool> armed{false};
  std::unique_ptr<Pkcs11PassthroughBackend> backend;
};

TEST(ResidentFailureTest, ADestroyCutOffByTheTokenIsNotReportedDoneWhileTheKeyRemains) {
  ReinsertedToken token("C_GetAttributeValue");
  ASSERT_NE(token.backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, "failure-destroy-reinserted");
  ASSERT_THAT(token.backend->generate_resident_key(spec), IsOk());
  // The token goes away during C_DestroyObject, without destroying anything.
  token.armed = true;
  token.shim.fail("C_DestroyObject", kDeviceRemoved, 1);
  const Result<void> destroyed = token.backend->destroy_key(by_label(spec.label));
  if (destroyed) {
    EXPECT_EQ(raw_count_label(spec.label), 0u)
        << "destroy_key reported success; the key is still on the token";
  }
  EXPECT_EQ(raw_destroy_label(spec.label), 1u);
}

TEST(ResidentFailureTest, AnUndoneCreationCutOffByTheTokenSaysTheOutcomeIsUnknown) {
  ReinsertedToken token("C_DestroyObject");
  ASSERT_NE(token.backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, "failure-undo-reinserted");
  // The key is made; the token goes away as it is read back.
  token.armed = true;
  token.shim.fail("C_GetAttributeValue", kDeviceRemoved, 1);
  const Result<Key> created = token.backend->generate_resident_key(spec);
  ASSERT_FALSE(created);
  if (created.error().code() != ErrorCode::OutcomeUnknown) {
    EXPECT_EQ(raw_count_label(spec.label), 0u)
        << "generate_resident_key said nothing was made (" << created.error().to_string()
        << "); the key is on the token";
  }
  raw_destroy_label(spec.label);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
