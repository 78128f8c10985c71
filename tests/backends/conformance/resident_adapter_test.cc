// SPDX-License-Identifier: Apache-2.0
// The resident-key run can go red: when storing a key on the token fails, the operation fails
// and the test reports it, instead of quietly running on the material key.
#include "backends/conformance/resident_adapter.h"

#include <craton/hsm/pkcs11_backend.h>

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::conformance {
namespace {

using ::craton::hsm::testing::fault_shim_config;
using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

std::unique_ptr<ResidentKeysBackend> adapter_over_shim() {
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.pool_size = 1;
  auto inner = make_pkcs11_backend(std::move(config));
  EXPECT_THAT(inner, IsOk());
  return inner ? std::make_unique<ResidentKeysBackend>(std::move(*inner)) : nullptr;
}

TEST(ResidentAdapterTest, AFailedImportFailsTheOperationAndTheTest) {
  FaultShim shim;
  auto adapter = adapter_over_shim();
  ASSERT_NE(adapter, nullptr);
  auto key = Key::hmac(std::vector<std::uint8_t>(32, 0x11));
  ASSERT_THAT(key, IsOk());
  const std::vector<std::uint8_t> message{'m'};
  // The resident import's C_CreateObject fails; the material key's would succeed. (Not
  // CKR_TEMPLATE_INCONSISTENT: import_method = "auto" would read that as a token refusing clear
  // keys and import by unwrap instead, docs/import-by-unwrap.md.)
  shim.fail("C_CreateObject", CKR_TEMPLATE_INCOMPLETE, 1);
  Result<Bytes> tag = std::unexpected(HsmError(ErrorCode::Internal, "not run"));
  EXPECT_NONFATAL_FAILURE(tag = adapter->hmac(*key, HashAlg::Sha256, message),
                          "cannot store the HMAC key as a resident key");
  EXPECT_THAT(tag, HasErrorCode(ErrorCode::TemplateInvalid));
  // The failure is not remembered: the next use stores the key and runs on it.
  EXPECT_THAT(adapter->hmac(*key, HashAlg::Sha256, message), IsOk());
}

TEST(ResidentAdapterTest, OperationsRunOnTheResidentTwin) {
  FaultShim shim;
  auto adapter = adapter_over_shim();
  ASSERT_NE(adapter, nullptr);
  auto key = Key::aes(std::vector<std::uint8_t>(16, 0x22));
  ASSERT_THAT(key, IsOk());
  const std::vector<std::uint8_t> message{'t', 'w', 'i', 'n'};
  auto sealed = adapter->aes_gcm_encrypt(*key, message, {});
  ASSERT_THAT(sealed, IsOk());
  // With object creation refused from now on, only a key already on the token can work: the
  // twin is used, not a fresh session import of the material.
  shim.fail("C_CreateObject", CKR_DEVICE_MEMORY, 1000);
  auto opened = adapter->aes_gcm_decrypt(*key, *sealed, {});
  ASSERT_THAT(opened, IsOk());
  EXPECT_TRUE(
      std::equal(opened->expose().begin(), opened->expose().end(), message.begin(), message.end()));
}

}  // namespace
}  // namespace craton::hsm::conformance
