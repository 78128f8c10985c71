// SPDX-License-Identifier: Apache-2.0
// Resolving resident keys: cached after the first lookup (no C_FindObjects* per operation),
// re-resolved transparently after the pool rebuilds sessions or the handle goes stale, and
// GCM budgets that follow the token object rather than the Key instance.
#include <gtest/gtest.h>

#include "backends/pkcs11/resident_test_util.h"
#include "support/fault_shim.h"
#include "support/matchers.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

const std::vector<std::uint8_t> kMessage(64, 0x17);

// The interface's default arguments (signature encoding) come with its static type.
CryptoBackend& as_crypto(Pkcs11PassthroughBackend& backend) {
  return backend;
}

// CKR_SESSION_HANDLE_INVALID and CKR_OBJECT_HANDLE_INVALID (PKCS#11 v2.40 table 11).
constexpr unsigned long kSessionHandleInvalid = 0xB3;
constexpr unsigned long kObjectHandleInvalid = 0x82;

TEST(ResidentResolutionTest, RepeatedOperationsDoNoObjectSearch) {
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "cached");
  ASSERT_THAT(backend->generate_resident_key(spec), IsOk());

  // A Key from find_key: the lookup itself searches once; operations never do.
  auto key = backend->find_key(by_label(spec.label));
  ASSERT_THAT(key, IsOk());
  const auto searches = backend->module().call_count(Fn::FindObjectsInit);
  const auto creates = backend->module().call_count(Fn::CreateObject);
  for (int i = 0; i < 10; ++i) {
    ASSERT_THAT(as_crypto(*backend).sign(*key, SignScheme::EcdsaP256Sha256, kMessage), IsOk());
  }
  EXPECT_EQ(backend->module().call_count(Fn::FindObjectsInit), searches);
  EXPECT_EQ(backend->module().call_count(Fn::CreateObject), creates)
      << "resident keys import nothing";

  // The same object in a second backend (another process, say): found and proven once (a
  // search for the private key, then the public and the private keys under its id, which
  // pick the public half whose point proves it), then none.
  auto other = make_resident_backend();
  ASSERT_NE(other, nullptr);
  // Counted from here: the second backend's start-up probe of session objects searches once.
  const auto other_searches = other->module().call_count(Fn::FindObjectsInit);
  ASSERT_THAT(as_crypto(*other).sign(*key, SignScheme::EcdsaP256Sha256, kMessage), IsOk());
  EXPECT_EQ(other->module().call_count(Fn::FindObjectsInit), other_searches + 3);
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(as_crypto(*other).sign(*key, SignScheme::EcdsaP256Sha256, kMessage), IsOk());
  }
  EXPECT_EQ(other->module().call_count(Fn::FindObjectsInit), other_searches + 3);
  ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
}

TEST(ResidentResolutionTest, ReResolvesAfterTheSessionDies) {
  FaultShim shim;
  auto backend = make_resident_backend(/*through_fault_shim=*/true);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, "survives-rebuild");
  auto key = backend->generate_resident_key(spec);
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}), IsOk());
  const auto searches = backend->module().call_count(Fn::FindObjectsInit);
  const auto rebuilds = backend->pool().counters().sessions_rebuilt;

  // The token drops the session (as after a restart): the pool rebuilds it, the handle cache is
  // invalidated with it, and the key is found again without the caller noticing.
  shim.fail("C_EncryptInit", kSessionHandleInvalid, 1);
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}), IsOk());
  EXPECT_EQ(backend->pool().counters().sessions_rebuilt, rebuilds + 1);
  EXPECT_EQ(backend->module().call_count(Fn::FindObjectsInit), searches + 1);
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::FindObjectsInit), searches + 1) << "cached again";

  // A stale handle alone (CKR_OBJECT_HANDLE_INVALID): found again, operation retried once.
  shim.fail("C_EncryptInit", kObjectHandleInvalid, 1);
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::FindObjectsInit), searches + 2);
  ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
}

TEST(ResidentResolutionTest, GcmBudgetFollowsTheTokenObject) {
  auto backend = make_resident_backend(false, /*gcm_budget=*/3);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes128, "budgeted");
  auto key = backend->generate_resident_key(spec);
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}), IsOk());
  ASSERT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}), IsOk());
  // Another Key for the same object shares the budget: it is keyed by serial and id.
  auto again = backend->find_key(by_id(spec.id));
  ASSERT_THAT(again, IsOk());
  auto sealed = as_crypto(*backend).aes_gcm_encrypt(*again, kMessage, {});
  ASSERT_THAT(sealed, IsOk());
  EXPECT_THAT(as_crypto(*backend).aes_gcm_encrypt(*key, kMessage, {}),
              HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  EXPECT_THAT(as_crypto(*backend).aes_gcm_decrypt(*key, *sealed, {}), IsOk())
      << "decryption goes on";
  ASSERT_THAT(backend->destroy_key(by_id(spec.id)), IsOk());
}

}  // namespace
}  // namespace craton::hsm::pkcs11
