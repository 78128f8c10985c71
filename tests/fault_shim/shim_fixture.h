// SPDX-License-Identifier: Apache-2.0
// ShimTest: raw PKCS#11 calls through the fault shim over the test token, for the shim's own
// tests. Each test starts with no fault armed and closes what it opened.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "pkcs11/loader/module.h"
#include "support/fault_shim.h"
#include "support/softhsm_module.h"

namespace craton::hsm::testing {

class ShimTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  template <pkcs11::Fn F, typename... Args>
  CK_RV call(Args... args) const {
    return module_->invoke<F>(args...);
  }

  // A read-write session; logged in as the user when `login`.
  CK_SESSION_HANDLE open(bool login = true);
  // CKR_OK or the failure of C_OpenSession, without asserting.
  CK_RV try_open(CK_SESSION_HANDLE& session) const;
  // An AES-128 key (extractable, so it can be wrapped), with a label unique to this test.
  CK_OBJECT_HANDLE aes_key(CK_SESSION_HANDLE session, bool token, const std::string& label);
  // The handles C_FindObjects answers for objects with `label`.
  std::vector<CK_OBJECT_HANDLE> find(CK_SESSION_HANDLE session, const std::string& label) const;
  CK_RV random(CK_SESSION_HANDLE session) const;
  // The label of this test's objects ("<test name>-<suffix>").
  [[nodiscard]] static std::string label(const std::string& suffix);

  FaultShim shim_;  // before the module: the module loads the shim it set up
  std::shared_ptr<const pkcs11::Module> module_;
  CK_SLOT_ID slot_ = 0;
};

}  // namespace craton::hsm::testing
