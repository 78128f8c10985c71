// SPDX-License-Identifier: Apache-2.0
// Key accessors, public halves, exports and the redacted description.
#include <craton/hsm/keys.h>

#include <openssl/x509.h>

#include "keys/key_build.h"
#include "keys/key_origin.h"

namespace craton::hsm {

std::string_view key_kind_name(KeyKind kind) noexcept {
  switch (kind) {
    case KeyKind::Aes:
      return "AES";
    case KeyKind::Hmac:
      return "HMAC";
    case KeyKind::RsaPrivate:
      return "RSA private";
    case KeyKind::RsaPublic:
      return "RSA public";
    case KeyKind::EcPrivate:
      return "EC private";
    case KeyKind::EcPublic:
      return "EC public";
    case KeyKind::Ed25519Private:
      return "Ed25519 private";
    case KeyKind::Ed25519Public:
      return "Ed25519 public";
  }
  return "unknown";
}

KeyKind Key::kind() const noexcept {
  return material_->kind;
}
std::size_t Key::bits() const noexcept {
  return material_->bits;
}
std::optional<EcCurve> Key::curve() const noexcept {
  return material_->curve;
}
KeyOrigin Key::origin() const noexcept {
  return material_->origin;
}

bool Key::is_private() const noexcept {
  switch (material_->kind) {
    case KeyKind::RsaPublic:
    case KeyKind::EcPublic:
    case KeyKind::Ed25519Public:
      return false;
    default:
      return true;
  }
}

bool Key::is_resident() const noexcept {
  return material_->resident.has_value();
}

std::optional<std::string> Key::resident_uri() const {
  if (!material_->resident) return std::nullopt;
  return *material_->resident->uri;
}

KeyUsages Key::extra_usages() const {
  if (!material_->resident) return {};
  return material_->resident->extra_usages;
}

Result<Key> Key::public_key() const {
  const KeyMaterial& m = *material_;
  if (!is_private()) return *this;
  std::optional<Result<Key>> derived;
  std::call_once(m.public_half_once, [&] {
    derived = derive_public_key();
    if (*derived) m.public_half = (*derived)->material_;
  });
  if (m.public_half) return Key(m.public_half);
  return derived ? std::move(*derived) : derive_public_key();  // symmetric keys: the error
}

Result<Key> Key::derive_public_key() const {
  const KeyMaterial& m = *material_;
  switch (m.kind) {
    case KeyKind::RsaPrivate:
      return rsa_public(m.rsa_modulus, m.rsa_public_exponent);
    case KeyKind::EcPrivate:
      return keys::ec_public_from_point(*m.curve, m.public_point);
    case KeyKind::Ed25519Private:
      return ed25519_public(m.public_point);
    default:
      return fail(ErrorCode::InvalidArgument, "symmetric keys have no public half");
  }
}

Result<std::vector<std::uint8_t>> Key::public_spki_der() const {
  if (material_->evp == nullptr && material_->resident && is_private()) {
    // Resident private keys keep only their public parts; the public half has the EVP key.
    CRATON_ASSIGN_OR_RETURN(const Key public_half, public_key());
    return public_half.public_spki_der();
  }
  if (material_->evp == nullptr) {
    return fail(ErrorCode::InvalidArgument, "symmetric keys have no public half");
  }
  const int length = i2d_PUBKEY(material_->evp, nullptr);
  std::vector<std::uint8_t> der(length > 0 ? static_cast<std::size_t>(length) : 0);
  unsigned char* cursor = der.data();
  if (length <= 0 || i2d_PUBKEY(material_->evp, &cursor) != length) {
    return fail(ErrorCode::Internal, "cannot encode SubjectPublicKeyInfo");
  }
  return der;
}

Result<SecretBytes> Key::export_secret() const {
  if (!is_private()) return fail(ErrorCode::InvalidArgument, "public keys hold no secret");
  if (material_->resident) {
    return fail(ErrorCode::KeyNotExtractable,
                fmt::format("{} lives on the token and is never exported", describe()));
  }
  return SecretBytes(material_->secret.expose());  // a copy for the caller, on the heap
}

std::string Key::describe() const {
  const KeyMaterial& m = *material_;
  std::string text;
  switch (m.kind) {
    case KeyKind::Aes:
      text = fmt::format("AES-{} key", m.bits);
      break;
    case KeyKind::Hmac:
      text = fmt::format("HMAC key ({} bits)", m.bits);
      break;
    case KeyKind::RsaPrivate:
    case KeyKind::RsaPublic:
      text = fmt::format("{} key ({} bits)", key_kind_name(m.kind), m.bits);
      break;
    case KeyKind::EcPrivate:
    case KeyKind::EcPublic:
      text = fmt::format("EC {} {} key", keys::curve_info(*m.curve).display,
                         m.kind == KeyKind::EcPrivate ? "private" : "public");
      break;
    default:
      text = fmt::format("{} key", key_kind_name(m.kind));
      break;
  }
  if (m.origin == KeyOrigin::GeneratedInSoftware) text += " [generated in software]";
  if (m.origin == KeyOrigin::GeneratedOnToken) text += " [generated on token]";
  if (m.resident) text += fmt::format(" [resident: {}]", *m.resident->uri);
  return text;
}

std::ostream& operator<<(std::ostream& out, const Key& key) {
  return out << key.describe();
}

namespace keys {

Key with_origin(const Key& key, KeyOrigin origin) {
  const KeyMaterial& m = key.material();
  auto copy = std::make_shared<KeyMaterial>();
  copy->kind = m.kind;
  copy->origin = origin;
  copy->bits = m.bits;
  copy->curve = m.curve;
  copy->secret = m.secret.clone();
  copy->rsa_modulus = m.rsa_modulus;
  copy->rsa_public_exponent = m.rsa_public_exponent;
  if (m.rsa_private) {
    const RsaPrivateParts& p = *m.rsa_private;
    copy->rsa_private.emplace(RsaPrivateParts{p.private_exponent.clone(), p.prime1.clone(),
                                              p.prime2.clone(), p.exponent1.clone(),
                                              p.exponent2.clone(), p.coefficient.clone()});
  }
  copy->public_point = m.public_point;
  copy->resident = m.resident;
  if (m.evp != nullptr && EVP_PKEY_up_ref(m.evp) == 1) copy->evp = m.evp;
  return finish(std::move(copy));
}

}  // namespace keys
}  // namespace craton::hsm
