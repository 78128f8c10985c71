// SPDX-License-Identifier: Apache-2.0
// Keys that live on a token: material without secret bytes, built from the public parts the
// token reports and the reference that finds the object again.
#pragma once

#include <craton/hsm/keys.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "keys/key_material.h"

namespace craton::hsm::keys {

struct ResidentKeyParts {
  KeyKind kind = KeyKind::Aes;
  std::size_t bits = 0;  // Aes/Hmac only: the others take it from their public parts
  std::optional<EcCurve> curve;
  KeyOrigin origin = KeyOrigin::GeneratedOnToken;
  std::vector<std::uint8_t> rsa_modulus;          // Rsa*: big-endian
  std::vector<std::uint8_t> rsa_public_exponent;  // Rsa*: big-endian
  std::vector<std::uint8_t> public_point;         // Ec*: SEC1 (either form); Ed25519*: 32 bytes
  ResidentObject object;
};

// A Key for a resident object. Public parts are validated like imported public keys (same
// RSA size and exponent policy, points on the curve), so a resident key can be verified with
// in software too. Errors: those of the public-key factories.
[[nodiscard]] Result<Key> resident_key(ResidentKeyParts parts);

}  // namespace craton::hsm::keys
