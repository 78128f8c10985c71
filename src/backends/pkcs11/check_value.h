// SPDX-License-Identifier: Apache-2.0
// Check values of secret keys: what tells two resident secret keys with the same label and id
// apart, and proves a key found again is the one a Key was made from.
#pragma once

#include <craton/hsm/keys.h>

#include <cstdint>
#include <vector>

#include "pkcs11/pool/session_pool.h"

namespace craton::hsm::pkcs11 {

// A value the token computes with the key as far as its usages allow (8 bytes of AES-ECB of
// a zero block for encrypt, or decrypt; of HMAC-SHA-256 of a fixed string for sign), else
// CKA_CHECK_VALUE when the token keeps one (PKCS#11 v2.40 §4.10): its 3 bytes catch an
// accidental replacement but not a deliberate one (about 2^24 tries find a key that matches).
// Each form carries a tag byte naming how it was obtained, so values of different forms never
// compare equal. Empty when the token offers no way: the key's identity then cannot be proven.
// Reveals nothing usable about the key (a key check value, as payment HSMs print). Errors: device
// and session failures (a refused mechanism or usage only moves on to the next form).
[[nodiscard]] Result<std::vector<std::uint8_t>> secret_check_value(Lease& lease,
                                                                   CK_OBJECT_HANDLE object,
                                                                   KeyKind kind);

}  // namespace craton::hsm::pkcs11
