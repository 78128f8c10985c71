// SPDX-License-Identifier: Apache-2.0
// What each KeyAlgorithm means on a token: the generation mechanism and its size or curve.
// Shared by material key generation (keygen.cc) and resident keys (resident_keygen.cc).
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/keys.h>
#include <craton/hsm/schemes.h>

#include <cstdint>
#include <span>

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::pkcs11 {

enum class KeyFamily : std::uint8_t { Aes, Hmac, Rsa, Ec, Ed25519 };

struct KeygenSpec {
  KeyFamily family;
  CK_MECHANISM_TYPE mechanism;
  CK_ULONG size = 0;              // AES/HMAC key bytes or RSA modulus bits
  EcCurve curve = EcCurve::P256;  // Ec only
};

// Errors: InvalidArgument for a value outside the enum.
[[nodiscard]] Result<KeygenSpec> keygen_spec(KeyAlgorithm algorithm);
[[nodiscard]] KeyFamily family_of(KeyKind kind) noexcept;
// CKA_EC_PARAMS of an Ec or Ed25519 spec: the curve's OID, or Ed25519's (RFC 8410).
[[nodiscard]] std::span<const std::uint8_t> ec_params_of(const KeygenSpec& spec);

}  // namespace craton::hsm::pkcs11
