// SPDX-License-Identifier: Apache-2.0
// KeyMaterial: the parsed, validated, immutable form of a Key, in the shapes both backends
// need (PKCS#11 attribute values and an OpenSSL EVP_PKEY), plus the per-backend memo that
// lets a backend find a key's fingerprint and state without rehashing its bytes.
#pragma once

#include <craton/hsm/keys.h>
#include <craton/hsm/resident_keys.h>
#include <craton/hsm/secret.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "keys/fingerprint_memo.h"

namespace craton::hsm {

// Key material lives as long as its Key: KeySecretBytes, in pages left out of core dumps.
struct RsaPrivateParts {
  KeySecretBytes private_exponent;
  KeySecretBytes prime1;
  KeySecretBytes prime2;
  KeySecretBytes exponent1;
  KeySecretBytes exponent2;
  KeySecretBytes coefficient;
};

// How a token-resident key is found again, and proven to be the same object when it is: the
// token it lives on, the object's label and id (the public half of a pair shares them), and
// what tells one object from another with the same names: CKA_UNIQUE_ID where the token has
// it, the public value of a key pair (in KeyMaterial), the check value of a secret key.
// Resident keys carry no secret bytes: the token never hands them out.
struct ResidentObject {
  std::string token_serial;
  std::string label;
  std::vector<std::uint8_t> id;
  std::optional<std::string> unique_id;  // CKA_UNIQUE_ID, when the token offers it
  // Secret keys: a value the token computed with the key, or CKA_CHECK_VALUE (check_value.h),
  // tagged by how it was obtained. Empty when the token offers neither: such a key cannot be
  // proven to be the same object once its handle has gone stale.
  std::vector<std::uint8_t> check_value;
  // "pkcs11:token=...;object=...;id=...;type=..." for descriptions and audit records; shared
  // so that recording an operation never copies it.
  std::shared_ptr<const std::string> uri;
  // A key just generated: the usages the token granted beyond the request (Key::extra_usages).
  KeyUsages extra_usages;
};

// Immutable after construction; shared by every Key copy and safe to read from any thread.
class KeyMaterial {
 public:
  KeyMaterial() = default;
  KeyMaterial(const KeyMaterial&) = delete;
  KeyMaterial& operator=(const KeyMaterial&) = delete;
  ~KeyMaterial();

  KeyKind kind = KeyKind::Aes;
  KeyOrigin origin = KeyOrigin::Imported;
  std::size_t bits = 0;
  std::optional<EcCurve> curve;

  // Aes/Hmac: the key. EcPrivate: the scalar, left-padded to the field size. Ed25519Private:
  // the seed. RsaPrivate: PKCS#8 DER. Empty for public keys.
  KeySecretBytes secret;
  // RsaPrivate/RsaPublic: big-endian modulus and public exponent without leading zeros.
  std::vector<std::uint8_t> rsa_modulus;
  std::vector<std::uint8_t> rsa_public_exponent;
  // RsaPrivate: the CRT components, unpadded big-endian (what CKA_* attributes take).
  std::optional<RsaPrivateParts> rsa_private;
  // EcPrivate/EcPublic: the uncompressed SEC1 point (04‖X‖Y). Ed25519: the 32-byte public
  // key. Derived from the private part for private keys.
  std::vector<std::uint8_t> public_point;
  // The same key for OpenSSL (nullptr for Aes/Hmac and for resident private keys). Owned;
  // freed with the material.
  EVP_PKEY* evp = nullptr;
  // Set for token-resident keys (then `secret` and `rsa_private` are empty).
  std::optional<ResidentObject> resident;

  // Per-backend memo of fingerprints and backend state (see fingerprint_memo.h).
  FingerprintMemo memo;

  // The public half of a private key, derived on first request and shared afterwards, so that
  // verifying with a private key does not rebuild (and re-fingerprint) it on every call.
  mutable std::once_flag public_half_once;
  mutable std::shared_ptr<const KeyMaterial> public_half;
};

}  // namespace craton::hsm
