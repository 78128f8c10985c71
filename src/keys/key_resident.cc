// SPDX-License-Identifier: Apache-2.0
// Building Keys for token-resident objects.
#include "keys/key_resident.h"

#include "keys/key_build.h"

namespace craton::hsm::keys {
namespace {

// The validated public half of an asymmetric resident key.
Result<Key> public_half(const ResidentKeyParts& parts) {
  switch (parts.kind) {
    case KeyKind::RsaPrivate:
    case KeyKind::RsaPublic:
      return Key::rsa_public(parts.rsa_modulus, parts.rsa_public_exponent);
    case KeyKind::EcPrivate:
    case KeyKind::EcPublic:
      if (!parts.curve) return fail(ErrorCode::Internal, "resident EC key without a curve");
      return Key::ec_public(*parts.curve, parts.public_point);
    case KeyKind::Ed25519Private:
    case KeyKind::Ed25519Public:
      return Key::ed25519_public(parts.public_point);
    case KeyKind::Aes:
    case KeyKind::Hmac:
      break;
  }
  return fail(ErrorCode::Internal, "symmetric keys have no public half");
}

}  // namespace

Result<Key> resident_key(ResidentKeyParts parts) {
  auto material = std::make_shared<KeyMaterial>();
  material->kind = parts.kind;
  material->origin = parts.origin;
  material->bits = parts.bits;
  if (parts.kind != KeyKind::Aes && parts.kind != KeyKind::Hmac) {
    CRATON_ASSIGN_OR_RETURN(const Key public_key, public_half(parts));
    const KeyMaterial& p = public_key.material();
    material->bits = p.bits;
    material->curve = p.curve;
    material->rsa_modulus = p.rsa_modulus;
    material->rsa_public_exponent = p.rsa_public_exponent;
    material->public_point = p.public_point;
    // Only public keys get an OpenSSL key: a private one without its secret would let
    // software paths try (and fail obscurely) to sign with it.
    if (!public_key.is_private() && parts.kind == p.kind && EVP_PKEY_up_ref(p.evp) == 1) {
      material->evp = p.evp;
    }
  }
  material->resident = std::move(parts.object);
  return finish(std::move(material));
}

}  // namespace craton::hsm::keys
