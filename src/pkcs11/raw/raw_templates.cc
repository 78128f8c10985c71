// SPDX-License-Identifier: Apache-2.0
// Key templates for the raw baseline, per key kind.
#include "pkcs11/raw/raw_templates.h"

#include <array>

#include "keys/key_build.h"

namespace craton::hsm::pkcs11::raw {
namespace {

// CKA_EC_PARAMS of Ed25519: the OID 1.3.101.112 (RFC 8410).
constexpr std::uint8_t kEd25519Oid[] = {0x06, 0x03, 0x2b, 0x65, 0x70};

// The usage attributes each class carries (PKCS#11 v2.40 §4.8-4.10).
constexpr std::array<CK_ATTRIBUTE_TYPE, 7> kSecretUsages{
    CKA_ENCRYPT, CKA_DECRYPT, CKA_SIGN, CKA_VERIFY, CKA_WRAP, CKA_UNWRAP, CKA_DERIVE};
constexpr std::array<CK_ATTRIBUTE_TYPE, 4> kPrivateUsages{CKA_DECRYPT, CKA_SIGN, CKA_UNWRAP,
                                                          CKA_DERIVE};
constexpr std::array<CK_ATTRIBUTE_TYPE, 4> kPublicUsages{CKA_ENCRYPT, CKA_VERIFY, CKA_WRAP,
                                                         CKA_DERIVE};

// The usages `op` needs, as the backend grants them (AES-GCM gets encrypt and decrypt).
bool granted(RawOp op, CK_ATTRIBUTE_TYPE attribute) {
  switch (op) {
    case RawOp::AesGcmEncrypt:
      return attribute == CKA_ENCRYPT || attribute == CKA_DECRYPT;
    case RawOp::EcdsaP256Verify:
      return attribute == CKA_VERIFY;
    case RawOp::HmacSha256:
      return attribute == CKA_SIGN || attribute == CKA_VERIFY;
    default:
      return attribute == CKA_SIGN;
  }
}

template <std::size_t N>
void add_usages(AttributeTemplate& tmpl, const std::array<CK_ATTRIBUTE_TYPE, N>& usages, RawOp op) {
  for (const CK_ATTRIBUTE_TYPE usage : usages) tmpl.add_bool(usage, granted(op, usage));
}

}  // namespace

Result<void> key_template(AttributeTemplate& tmpl, const KeyMaterial& m, RawOp op,
                          bool private_object, std::string_view token_label) {
  CK_OBJECT_CLASS object_class = CKO_PRIVATE_KEY;
  switch (m.kind) {
    case KeyKind::Aes:
    case KeyKind::Hmac:
      object_class = CKO_SECRET_KEY;
      tmpl.add_ulong(CKA_KEY_TYPE, m.kind == KeyKind::Aes ? CKK_AES : CKK_GENERIC_SECRET)
          .add_borrowed(CKA_VALUE, m.secret.expose());
      break;
    case KeyKind::RsaPrivate: {
      const RsaPrivateParts& p = *m.rsa_private;
      tmpl.add_ulong(CKA_KEY_TYPE, CKK_RSA)
          .add_borrowed(CKA_MODULUS, m.rsa_modulus)
          .add_borrowed(CKA_PUBLIC_EXPONENT, m.rsa_public_exponent)
          .add_borrowed(CKA_PRIVATE_EXPONENT, p.private_exponent.expose())
          .add_borrowed(CKA_PRIME_1, p.prime1.expose())
          .add_borrowed(CKA_PRIME_2, p.prime2.expose())
          .add_borrowed(CKA_EXPONENT_1, p.exponent1.expose())
          .add_borrowed(CKA_EXPONENT_2, p.exponent2.expose())
          .add_borrowed(CKA_COEFFICIENT, p.coefficient.expose());
      break;
    }
    case KeyKind::EcPrivate:
      tmpl.add_ulong(CKA_KEY_TYPE, CKK_EC)
          .add_borrowed(CKA_EC_PARAMS, keys::curve_info(*m.curve).oid_der)
          .add_borrowed(CKA_VALUE, m.secret.expose());
      break;
    case KeyKind::EcPublic: {
      object_class = CKO_PUBLIC_KEY;
      // CKA_EC_POINT is a DER OCTET STRING (v2.40 §2.3.3); P-256 points fit a short length.
      std::vector<std::uint8_t> point{0x04, static_cast<std::uint8_t>(m.public_point.size())};
      point.insert(point.end(), m.public_point.begin(), m.public_point.end());
      tmpl.add_ulong(CKA_KEY_TYPE, CKK_EC)
          .add_borrowed(CKA_EC_PARAMS, keys::curve_info(*m.curve).oid_der)
          .add_bytes(CKA_EC_POINT, point);
      break;
    }
    case KeyKind::Ed25519Private:
      tmpl.add_ulong(CKA_KEY_TYPE, CKK_EC_EDWARDS)
          .add_borrowed(CKA_EC_PARAMS, kEd25519Oid)
          .add_borrowed(CKA_VALUE, m.secret.expose());
      break;
    case KeyKind::RsaPublic:
    case KeyKind::Ed25519Public:
      return fail(ErrorCode::KeyTypeInconsistent, "the raw baseline has no case for this key");
  }
  tmpl.add_ulong(CKA_CLASS, object_class).add_bool(CKA_TOKEN, !token_label.empty());
  if (!token_label.empty()) {
    tmpl.add_borrowed(
        CKA_LABEL, {reinterpret_cast<const std::uint8_t*>(token_label.data()), token_label.size()});
  }
  if (object_class == CKO_PUBLIC_KEY) {
    add_usages(tmpl, kPublicUsages, op);
    return {};
  }
  tmpl.add_bool(CKA_SENSITIVE, true).add_bool(CKA_EXTRACTABLE, false);
  tmpl.add_bool(CKA_PRIVATE, private_object);
  if (object_class == CKO_SECRET_KEY) {
    add_usages(tmpl, kSecretUsages, op);
  } else {
    add_usages(tmpl, kPrivateUsages, op);
  }
  return {};
}

}  // namespace craton::hsm::pkcs11::raw
