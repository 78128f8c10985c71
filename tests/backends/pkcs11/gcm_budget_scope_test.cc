// SPDX-License-Identifier: Apache-2.0
// The AES-GCM budget is one count per key per process: shared by every backend instance, by a
// key's material and resident forms, and charged for every encryption the token performs,
// retries included.
#include <openssl/rand.h>

#include <gtest/gtest.h>

#include "backends/pkcs11/resident_test_util.h"
#include "support/fault_shim.h"
#include "support/matchers.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

const std::vector<std::uint8_t> kMessage{'s', 'c', 'o', 'p', 'e'};

// CKR_SESSION_HANDLE_INVALID and CKR_OBJECT_HANDLE_INVALID (PKCS#11 v2.40 table 11).
constexpr unsigned long kSessionHandleInvalid = 0xB3;
constexpr unsigned long kObjectHandleInvalid = 0x82;

CryptoBackend& as_crypto(Pkcs11PassthroughBackend& backend) {
  return backend;
}

// Fresh bytes per call: the registry is process-wide, so tests must not share keys by accident.
Key fresh_aes_key() {
  std::vector<std::uint8_t> bytes(32);
  EXPECT_EQ(RAND_bytes(bytes.data(), static_cast<int>(bytes.size())), 1);
  return Key::aes(bytes).value();
}

TEST(GcmBudgetScopeTest, TwoBackendsInOneProcessShareOneBudget) {
  auto first = make_resident_backend(false, /*gcm_budget=*/3);
  auto second = make_resident_backend(false, /*gcm_budget=*/3);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  const Key key = fresh_aes_key();
  ASSERT_THAT(as_crypto(*first).aes_gcm_encrypt(key, kMessage, {}), IsOk());
  ASSERT_THAT(as_crypto(*second).aes_gcm_encrypt(key, kMessage, {}), IsOk());
  ASSERT_THAT(as_crypto(*first).aes_gcm_encrypt(key, kMessage, {}), IsOk());
  EXPECT_THAT(as_crypto(*second).aes_gcm_encrypt(key, kMessage, {}),
              HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  EXPECT_THAT(as_crypto(*first).aes_gcm_encrypt(key, kMessage, {}),
              HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  EXPECT_EQ(first->gcm_messages(key), 3u);
  EXPECT_EQ(second->gcm_messages(key), 3u);
  // A backend created after the budget was spent does not get a new one either.
  auto third = make_resident_backend(false, /*gcm_budget=*/3);
  ASSERT_NE(third, nullptr);
  EXPECT_THAT(as_crypto(*third).aes_gcm_encrypt(key, kMessage, {}),
              HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
}

TEST(GcmBudgetScopeTest, ImportingSpentMaterialAsAResidentKeyGivesNoNewBudget) {
  auto backend = make_resident_backend(false, /*gcm_budget=*/2);
  ASSERT_NE(backend, nullptr);
  const Key material = fresh_aes_key();
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(material, kMessage, {}), IsOk());
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(material, kMessage, {}), IsOk());
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(material, kMessage, {}),
              HasErrorCode(ErrorCode::KeyUsageLimitExceeded));

  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, "budget-import-spent");
  auto resident = backend->import_resident_key(material, spec);
  ASSERT_THAT(resident, IsOk());
  EXPECT_THAT(as_crypto(*backend).aes_gcm_encrypt(*resident, kMessage, {}),
              HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  // Found again later, in another backend of the process: still the same budget.
  auto other = make_resident_backend(false, /*gcm_budget=*/2);
  ASSERT_NE(other, nullptr);
  auto found = other->find_key(by_label(spec.label));
  ASSERT_THAT(found, IsOk());
  EXPECT_THAT(as_crypto(*other).aes_gcm_encrypt(*found, kMessage, {}),
              HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
}

TEST(GcmBudgetScopeTest, AResidentKeyAndItsMaterialCountTogether) {
  auto backend = make_resident_backend(false, /*gcm_budget=*/3);
  ASSERT_NE(backend, nullptr);
  const Key material = fresh_aes_key();
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, "budget-import-shared");
  auto resident = backend->import_resident_key(material, spec);
  ASSERT_THAT(resident, IsOk());
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(*resident, kMessage, {}), IsOk());
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(material, kMessage, {}), IsOk());
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(*resident, kMessage, {}), IsOk());
  EXPECT_THAT(as_crypto(*backend).aes_gcm_encrypt(material, kMessage, {}),
              HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  EXPECT_EQ(backend->gcm_messages(material), 3u);
  EXPECT_EQ(backend->gcm_messages(*resident), 3u);
  ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
}

TEST(GcmBudgetScopeTest, APoolRetryIsChargedAsItsOwnEncryption) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true, /*gcm_budget=*/100);
  ASSERT_NE(backend, nullptr);
  const Key key = fresh_aes_key();
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(key, kMessage, {}), IsOk());
  const auto encrypts = backend->module().call_count(Fn::Encrypt);
  // The token encrypts, then the session dies before the answer is trusted: the pool re-runs
  // the whole operation, and that second encryption (a second IV) is a second message.
  shim.fail("C_Encrypt", kSessionHandleInvalid, 1);
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(key, kMessage, {}), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::Encrypt), encrypts + 2);
  EXPECT_EQ(backend->gcm_messages(key), 3u);
}

TEST(GcmBudgetScopeTest, AHandleRetryIsChargedAsItsOwnEncryption) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true, /*gcm_budget=*/100);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes128, "budget-handle-retry");
  auto key = backend->generate_resident_key(spec);
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}), IsOk());
  // The handle goes stale as the encryption starts: the key is found again and the operation
  // re-run, and the re-run is a message of its own.
  shim.fail("C_EncryptInit", kObjectHandleInvalid, 1);
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}), IsOk());
  EXPECT_EQ(backend->gcm_messages(*key), 3u);
  ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
}

TEST(GcmBudgetScopeTest, ARetryIsRefusedWhenItWouldPassTheBudget) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true, /*gcm_budget=*/1);
  ASSERT_NE(backend, nullptr);
  const Key key = fresh_aes_key();
  shim.fail("C_Encrypt", kSessionHandleInvalid, 1);
  EXPECT_THAT(as_crypto(*backend).aes_gcm_encrypt(key, kMessage, {}),
              HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  EXPECT_EQ(backend->gcm_messages(key), 1u);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
