// SPDX-License-Identifier: Apache-2.0
// Shared steps of the Key factories: OpenSSL number conversions, EC curve facts, and wrapping
// finished material into a Key.
#pragma once

#include <craton/hsm/keys.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "keys/key_material.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::keys {

struct CurveInfo {
  int nid;
  std::string_view group_name;  // OpenSSL's name ("prime256v1")
  std::string_view display;     // "P-256"
  std::size_t field_bytes;
  std::vector<std::uint8_t> oid_der;  // namedCurve OID as DER (CKA_EC_PARAMS)
};
[[nodiscard]] const CurveInfo& curve_info(EcCurve curve);

// Big-endian bytes of `bn` without leading zeros (one zero byte for the value 0).
[[nodiscard]] std::vector<std::uint8_t> bn_bytes(const BIGNUM* bn);
[[nodiscard]] KeySecretBytes bn_secret(const BIGNUM* bn);
// Reads a BIGNUM parameter of `pkey` ("n", "d", ...). Errors: Internal.
[[nodiscard]] Result<ossl::BignumPtr> bn_param(const EVP_PKEY* pkey, const char* name);

// Overwrites the stack just below the caller's frame (16 KiB), where the OpenSSL calls it made
// have returned from, and zeroes the vector registers: OpenSSL 3.0 leaves key bytes in its
// frames (EVP_PKEY_get_bn_param's 2 KiB buffer) and in the registers its copies went through.
// Call it after such calls, from the function that made them.
void wipe_stack_below();

// The RSA private key's parts are one consistent key: p and q prime, n = p*q, 0 < d < n,
// e*d = 1 mod (p-1) and mod (q-1), dP = d mod (p-1), dQ = d mod (q-1), q*qInv = 1 mod p.
// What EVP_PKEY_check proves, but with every intermediate in wiping storage (OpenSSL 3.0's
// check frees its recomputed dQ and qInv unwiped). Errors: InvalidArgument.
[[nodiscard]] Result<void> check_rsa_private_parts(const EVP_PKEY* pkey);

// The OpenSSL error queue's newest reason, for messages (never contains key bytes).
[[nodiscard]] std::string openssl_reason();

[[nodiscard]] Key finish(std::shared_ptr<KeyMaterial> material);

// Material for RSA/EC/Ed25519 keys from an EVP_PKEY that is already validated.
[[nodiscard]] Result<Key> rsa_from_pkey(ossl::PkeyPtr pkey, bool is_private, SecretBytes pkcs8_der);
[[nodiscard]] Result<Key> ec_public_from_point(EcCurve curve,
                                               std::span<const std::uint8_t> uncompressed);

}  // namespace craton::hsm::keys
