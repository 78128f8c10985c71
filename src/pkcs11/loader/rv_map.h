// SPDX-License-Identifier: Apache-2.0
// The one CK_RV table: every return value's CKR_* name and the ErrorCode it maps to. No other
// file switches on CKR_* values to build errors.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/schemes.h>

#include <string>
#include <string_view>

#include "pkcs11/loader/cryptoki.h"
#include "pkcs11/loader/functions.h"

namespace craton::hsm::pkcs11 {

// "CKR_PIN_INCORRECT", or empty for values the spec does not name (vendor-defined).
[[nodiscard]] std::string_view rv_name(CK_RV rv) noexcept;

// The ErrorCode a caller switches on; unnamed values map to Pkcs11Failure.
[[nodiscard]] ErrorCode error_code_for(CK_RV rv) noexcept;

// The HsmError for a failed call of `fn`. `rv` must not be CKR_OK.
[[nodiscard]] HsmError error_from_rv(CK_RV rv, Fn fn, std::string message = {});

// Whether `rv` from an AEAD decryption means the tag did not verify. Besides the standard
// CKR_ENCRYPTED_DATA_INVALID, SoftHSM2 answers CKR_GENERAL_ERROR for a bad GCM tag
// (VENDORS.md) and some modules CKR_ENCRYPTED_DATA_LEN_RANGE for a truncated one.
[[nodiscard]] bool is_aead_tag_failure(CK_RV rv) noexcept;

// Verification's own decoder (seed: "Typed verification decoding"): CKR_OK is Valid,
// CKR_SIGNATURE_INVALID and CKR_SIGNATURE_LEN_RANGE are Invalid, anything else an error.
[[nodiscard]] Result<VerifyOutcome> classify_verify_result(CK_RV rv, Fn fn);

}  // namespace craton::hsm::pkcs11
