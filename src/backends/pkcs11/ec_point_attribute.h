// SPDX-License-Identifier: Apache-2.0
// Reading CKA_EC_POINT: the one decoder for the public value a token reports for EC and
// Ed25519 keys, whichever of the two encodings in use the module chose.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/keys.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace craton::hsm::pkcs11 {

// The public value in a CKA_EC_POINT attribute: a SEC1 point (compressed or uncompressed) of
// `curve` for EcPrivate/EcPublic, the 32-byte key for Ed25519Private/Ed25519Public. The spec
// stores it as a DER OCTET STRING (v2.40 §2.3.3); several modules store the bare value, and a
// bare point can itself parse as DER (a P-256 point whose X starts with 0x3f reads as an
// OCTET STRING of 63 bytes). So both readings are tried and the one that is a valid public
// value wins; for the curves here at most one can be (their lengths differ). Errors:
// Pkcs11Failure when neither reading is valid (the module reported something else);
// InvalidArgument for a kind without an EC point or an EC kind without a curve.
[[nodiscard]] Result<std::vector<std::uint8_t>> decode_ec_point_attribute(
    std::span<const std::uint8_t> value, KeyKind kind, std::optional<EcCurve> curve);

}  // namespace craton::hsm::pkcs11
