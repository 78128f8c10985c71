// SPDX-License-Identifier: Apache-2.0
// Loading SoftHSM2 and finding the test tokens.
#include "support/softhsm_module.h"

#include <gtest/gtest.h>

namespace craton::hsm::testing {

std::shared_ptr<const pkcs11::Module> softhsm_module() {
  auto module = pkcs11::Module::acquire({.library_path = std::string(kModulePath),
                                         .allow_unprotected_library_path = false,
                                         .init_reserved = std::nullopt});
  if (!module) {
    ADD_FAILURE() << "cannot load SoftHSM2: " << module.error();
    return nullptr;
  }
  return *module;
}

std::uint64_t slot_of(const pkcs11::Module& module, std::string_view label) {
  auto slot = pkcs11::select_token(module, pkcs11::ByLabel{std::string(label)});
  if (!slot) {
    ADD_FAILURE() << "test token '" << label << "' missing: " << slot.error();
    return 0;
  }
  return *slot;
}

}  // namespace craton::hsm::testing
