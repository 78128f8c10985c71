// SPDX-License-Identifier: Apache-2.0
// The real module underneath the shim: CRATON_SHIM_TARGET, or SoftHSM2 when unset.
#pragma once

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::fault_shim {

// Loads the real module once; false when it cannot be loaded.
bool load_real_module();
// The real module's function list; valid after load_real_module() returned true.
CK_FUNCTION_LIST_PTR real();

}  // namespace craton::hsm::fault_shim
