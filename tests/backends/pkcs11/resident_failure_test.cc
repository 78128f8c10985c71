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

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

const std::vector<std::uint8_t> kMessage(32, 0x33);

// PKCS#11 v2.40 table 11.
constexpr unsigned long kDeviceError = 0x30;
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

}  // namespace
}  // namespace craton::hsm::pkcs11
