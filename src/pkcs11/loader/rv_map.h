// SPDX-License-Identifier: Apache-2.0
// The one CK_RV table: every return value's CKR_* name and the ErrorCode it maps to. No other
// file switches on CKR_* values to build errors.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/schemes.h>

#include <cstdint>
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

// What CKR_GENERAL_ERROR from a decryption or unwrap means on a given module. The spec makes
// it a device or library failure; SoftHSM2 also answers it for a failed integrity check (a bad
// GCM tag, bad CBC padding, a wrapped key failing its check), so only there is it read as one.
// Capabilities decides which module is which.
enum class GeneralErrorReading : std::uint8_t { DeviceFailure, IntegrityFailure };

// Whether `rv` from an AEAD decryption means the tag did not verify: the standard
// CKR_ENCRYPTED_DATA_INVALID, CKR_ENCRYPTED_DATA_LEN_RANGE (some modules' answer for a truncated
// tag), and CKR_GENERAL_ERROR only where `general_error` reads it as an integrity failure.
[[nodiscard]] bool is_aead_tag_failure(CK_RV rv, GeneralErrorReading general_error) noexcept;

// Whether `rv` from C_CreateObject of a secret or private key means the token refuses to take
// key values in the clear (Luna, CloudHSM, nShield in FIPS mode): CKR_TEMPLATE_INCONSISTENT,
// CKR_ATTRIBUTE_VALUE_INVALID or CKR_ACTION_PROHIBITED. import_method = "auto" switches that
// key class to C_UnwrapKey on these, and on nothing else (a device error says nothing about
// the template).
[[nodiscard]] bool is_clear_import_refusal(CK_RV rv) noexcept;
// Whether `rv` from C_GenerateKey or C_GenerateKeyPair is how a token with strict templates
// refuses explicit usage attributes it derives itself: CKR_ATTRIBUTE_VALUE_INVALID,
// CKR_ATTRIBUTE_TYPE_INVALID, CKR_TEMPLATE_INCONSISTENT, and (seen in the field) the catch-all
// CKR_GENERAL_ERROR. Worth one retry with the minimal template, nothing else is.
[[nodiscard]] bool is_template_refusal(CK_RV rv) noexcept;

// Verification's own decoder (seed: "Typed verification decoding"): CKR_OK is Valid,
// CKR_SIGNATURE_INVALID and CKR_SIGNATURE_LEN_RANGE are Invalid, anything else an error.
[[nodiscard]] Result<VerifyOutcome> classify_verify_result(CK_RV rv, Fn fn);

}  // namespace craton::hsm::pkcs11
