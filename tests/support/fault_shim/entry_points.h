// SPDX-License-Identifier: Apache-2.0
// The C_ functions the shim answers with more than Forward's session translation: module and
// token calls (session_calls.cc) and calls naming objects (object_calls.cc).
#pragma once

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::fault_shim {

// Puts this file's entry points into `list` over the generic forwarders.
void install_session_calls(CK_FUNCTION_LIST& list);
void install_object_calls(CK_FUNCTION_LIST& list);

}  // namespace craton::hsm::fault_shim
