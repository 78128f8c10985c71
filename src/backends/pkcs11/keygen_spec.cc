// SPDX-License-Identifier: Apache-2.0
// The KeyAlgorithm table for token key generation.
#include "backends/pkcs11/keygen_spec.h"

#include <fmt/format.h>

#include "backends/pkcs11/key_import.h"
#include "keys/key_build.h"

namespace craton::hsm::pkcs11 {

Result<KeygenSpec> keygen_spec(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::Aes128:
      return KeygenSpec{.family = KeyFamily::Aes, .mechanism = CKM_AES_KEY_GEN, .size = 16};
    case KeyAlgorithm::Aes192:
      return KeygenSpec{.family = KeyFamily::Aes, .mechanism = CKM_AES_KEY_GEN, .size = 24};
    case KeyAlgorithm::Aes256:
      return KeygenSpec{.family = KeyFamily::Aes, .mechanism = CKM_AES_KEY_GEN, .size = 32};
    case KeyAlgorithm::Rsa2048:
      return KeygenSpec{
          .family = KeyFamily::Rsa, .mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN, .size = 2048};
    case KeyAlgorithm::Rsa3072:
      return KeygenSpec{
          .family = KeyFamily::Rsa, .mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN, .size = 3072};
    case KeyAlgorithm::Rsa4096:
      return KeygenSpec{
          .family = KeyFamily::Rsa, .mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN, .size = 4096};
    case KeyAlgorithm::EcP256:
      return KeygenSpec{
          .family = KeyFamily::Ec, .mechanism = CKM_EC_KEY_PAIR_GEN, .curve = EcCurve::P256};
    case KeyAlgorithm::EcP384:
      return KeygenSpec{
          .family = KeyFamily::Ec, .mechanism = CKM_EC_KEY_PAIR_GEN, .curve = EcCurve::P384};
    case KeyAlgorithm::Ed25519:
      return KeygenSpec{.family = KeyFamily::Ed25519, .mechanism = CKM_EC_EDWARDS_KEY_PAIR_GEN};
    case KeyAlgorithm::Hmac256:
      return KeygenSpec{
          .family = KeyFamily::Hmac, .mechanism = CKM_GENERIC_SECRET_KEY_GEN, .size = 32};
    case KeyAlgorithm::Hmac512:
      return KeygenSpec{
          .family = KeyFamily::Hmac, .mechanism = CKM_GENERIC_SECRET_KEY_GEN, .size = 64};
  }
  return fail(ErrorCode::InvalidArgument,
              fmt::format("unknown key algorithm {}", static_cast<int>(algorithm)));
}

KeyFamily family_of(KeyKind kind) noexcept {
  switch (kind) {
    case KeyKind::Aes:
      return KeyFamily::Aes;
    case KeyKind::Hmac:
      return KeyFamily::Hmac;
    case KeyKind::RsaPrivate:
    case KeyKind::RsaPublic:
      return KeyFamily::Rsa;
    case KeyKind::EcPrivate:
    case KeyKind::EcPublic:
      return KeyFamily::Ec;
    case KeyKind::Ed25519Private:
    case KeyKind::Ed25519Public:
      break;
  }
  return KeyFamily::Ed25519;
}

std::span<const std::uint8_t> ec_params_of(const KeygenSpec& spec) {
  if (spec.family == KeyFamily::Ed25519) return kEd25519Params;
  return keys::curve_info(spec.curve).oid_der;
}

}  // namespace craton::hsm::pkcs11
