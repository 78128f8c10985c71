// SPDX-License-Identifier: Apache-2.0
// Shortcuts for tests of the PKCS#11 layer: the SoftHSM2 module and the test tokens' slots.
#pragma once

#include <memory>
#include <string_view>

#include "pkcs11/loader/module.h"
#include "pkcs11/session/token.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {

// The process-wide SoftHSM2 Module (fails the calling test if it cannot be loaded).
std::shared_ptr<const pkcs11::Module> softhsm_module();

// The slot holding the token with `label` (kTokenLabel by default).
std::uint64_t slot_of(const pkcs11::Module& module, std::string_view label = kTokenLabel);

}  // namespace craton::hsm::testing
