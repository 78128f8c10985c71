// SPDX-License-Identifier: Apache-2.0
// Attribute templates for each key kind.
#include "pkcs11/session/key_template.h"

#include <array>

#include "keys/key_build.h"

namespace craton::hsm::pkcs11 {
namespace {

struct UsageFlag {
  CK_ATTRIBUTE_TYPE attribute;
  bool secret_key;
  bool private_key;
  bool public_key;
};

// The usage attributes each object class carries (PKCS#11 v2.40 §4.8-4.10).
constexpr std::array<UsageFlag, 7> kUsageFlags{{
    {CKA_ENCRYPT, true, false, true},
    {CKA_DECRYPT, true, true, false},
    {CKA_SIGN, true, true, false},
    {CKA_VERIFY, true, false, true},
    {CKA_WRAP, true, false, true},
    {CKA_UNWRAP, true, true, false},
    {CKA_DERIVE, true, true, true},
}};

// CKA_CLASS, storage, naming, protection and usages: what every key object gets.
void add_object_attributes(AttributeTemplate& tmpl, CK_OBJECT_CLASS object_class,
                           const ObjectOptions& options);

bool applies(const UsageFlag& flag, CK_OBJECT_CLASS object_class) {
  return object_class == CKO_SECRET_KEY    ? flag.secret_key
         : object_class == CKO_PRIVATE_KEY ? flag.private_key
                                           : flag.public_key;
}

}  // namespace

void add_usage_attributes(AttributeTemplate& tmpl, CK_OBJECT_CLASS object_class,
                          const std::function<bool(CK_ATTRIBUTE_TYPE)>& granted, UsageStyle style) {
  for (const UsageFlag& flag : kUsageFlags) {
    if (!applies(flag, object_class)) continue;
    const bool value = granted(flag.attribute);
    if (value || style == UsageStyle::Explicit) tmpl.add_bool(flag.attribute, value);
  }
}

std::vector<CK_ATTRIBUTE_TYPE> usage_attributes_of(CK_OBJECT_CLASS object_class) {
  std::vector<CK_ATTRIBUTE_TYPE> types;
  for (const UsageFlag& flag : kUsageFlags) {
    if (applies(flag, object_class)) types.push_back(flag.attribute);
  }
  return types;
}

std::vector<std::uint8_t> der_octet_string(std::span<const std::uint8_t> content) {
  std::vector<std::uint8_t> der{0x04};
  if (content.size() < 0x80) {
    der.push_back(static_cast<std::uint8_t>(content.size()));
  } else {  // points are at most 133 bytes (P-521), so one length byte suffices
    der.push_back(0x81);
    der.push_back(static_cast<std::uint8_t>(content.size()));
  }
  der.insert(der.end(), content.begin(), content.end());
  return der;
}

void add_key_attributes(AttributeTemplate& tmpl, const KeyMaterial& m,
                        const ObjectOptions& options) {
  CK_OBJECT_CLASS object_class = CKO_SECRET_KEY;
  switch (m.kind) {
    case KeyKind::Aes:
    case KeyKind::Hmac:
      // CKA_VALUE_LEN must not appear when the value is given (v2.40 §2.8.2 table 1 note 2).
      tmpl.add_ulong(CKA_KEY_TYPE, m.kind == KeyKind::Aes ? CKK_AES : CKK_GENERIC_SECRET)
          .add_borrowed(CKA_VALUE, m.secret.expose());
      break;
    case KeyKind::RsaPrivate: {
      object_class = CKO_PRIVATE_KEY;
      const RsaPrivateParts& p = *m.rsa_private;
      // Real HSMs reject CKA_VALUE for RSA: the key goes in as its CRT components.
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
    case KeyKind::RsaPublic:
      object_class = CKO_PUBLIC_KEY;
      tmpl.add_ulong(CKA_KEY_TYPE, CKK_RSA)
          .add_borrowed(CKA_MODULUS, m.rsa_modulus)
          .add_borrowed(CKA_PUBLIC_EXPONENT, m.rsa_public_exponent);
      break;
    case KeyKind::EcPrivate:
      object_class = CKO_PRIVATE_KEY;
      tmpl.add_ulong(CKA_KEY_TYPE, CKK_EC)
          .add_borrowed(CKA_EC_PARAMS, keys::curve_info(*m.curve).oid_der)
          .add_borrowed(CKA_VALUE, m.secret.expose());
      break;
    case KeyKind::EcPublic:
      object_class = CKO_PUBLIC_KEY;
      tmpl.add_ulong(CKA_KEY_TYPE, CKK_EC)
          .add_borrowed(CKA_EC_PARAMS, keys::curve_info(*m.curve).oid_der)
          .add_bytes(CKA_EC_POINT, der_octet_string(m.public_point));
      break;
    case KeyKind::Ed25519Private:
      object_class = CKO_PRIVATE_KEY;
      tmpl.add_ulong(CKA_KEY_TYPE, CKK_EC_EDWARDS)
          .add_borrowed(CKA_EC_PARAMS, kEd25519Params)
          .add_borrowed(CKA_VALUE, m.secret.expose());
      break;
    case KeyKind::Ed25519Public:
      object_class = CKO_PUBLIC_KEY;
      tmpl.add_ulong(CKA_KEY_TYPE, CKK_EC_EDWARDS)
          .add_borrowed(CKA_EC_PARAMS, kEd25519Params)
          .add_bytes(CKA_EC_POINT, der_octet_string(m.public_point));
      break;
  }
  add_object_attributes(tmpl, object_class, options);
}

void add_unwrap_attributes(AttributeTemplate& tmpl, const KeyMaterial& m,
                           const ObjectOptions& options) {
  // No CKA_VALUE_LEN for secret keys: the unwrapped length is the key's (v2.40 §2.8.2 table 1
  // note 4 makes it optional on unwrap).
  switch (m.kind) {
    case KeyKind::Aes:
    case KeyKind::Hmac:
      tmpl.add_ulong(CKA_KEY_TYPE, m.kind == KeyKind::Aes ? CKK_AES : CKK_GENERIC_SECRET);
      add_object_attributes(tmpl, CKO_SECRET_KEY, options);
      return;
    default:
      break;
  }
  const CK_KEY_TYPE type = m.kind == KeyKind::RsaPrivate  ? CKK_RSA
                           : m.kind == KeyKind::EcPrivate ? CKK_EC
                                                          : CKK_EC_EDWARDS;
  tmpl.add_ulong(CKA_KEY_TYPE, type);
  add_object_attributes(tmpl, CKO_PRIVATE_KEY, options);
}

namespace {

void add_object_attributes(AttributeTemplate& tmpl, CK_OBJECT_CLASS object_class,
                           const ObjectOptions& options) {
  tmpl.add_ulong(CKA_CLASS, object_class).add_bool(CKA_TOKEN, options.token);
  if (!options.label.empty()) tmpl.add_bytes(CKA_LABEL, options.label);
  if (!options.id.empty()) tmpl.add_bytes(CKA_ID, options.id);
  if (object_class != CKO_PUBLIC_KEY) {
    tmpl.add_bool(CKA_SENSITIVE, true).add_bool(CKA_EXTRACTABLE, options.extractable);
    tmpl.add_bool(CKA_PRIVATE, options.private_objects);
  }
  add_usage_attributes(tmpl, object_class, options.granted);
}

}  // namespace

}  // namespace craton::hsm::pkcs11
