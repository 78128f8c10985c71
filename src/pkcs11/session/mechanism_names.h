// SPDX-License-Identifier: Apache-2.0
// Names of mechanism types, for tables, errors and audit records.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::pkcs11 {

// "CKM_AES_GCM", or empty when the value has no standard name.
[[nodiscard]] std::string_view mechanism_name(CK_MECHANISM_TYPE type) noexcept;

// The name when there is one, else "CKM_VENDOR_DEFINED+0x..." or "CKM_0x...".
[[nodiscard]] std::string describe_mechanism(CK_MECHANISM_TYPE type);

}  // namespace craton::hsm::pkcs11
