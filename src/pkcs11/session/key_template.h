// SPDX-License-Identifier: Apache-2.0
// The one mapping from a key's material to the attribute template that stores it as a PKCS#11
// object: the passthrough backend's imports and resident keys, and the benchmark's raw baseline
// (which must create exactly what the backend creates), all build their templates here.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "keys/key_material.h"
#include "pkcs11/session/attributes.h"

namespace craton::hsm::pkcs11 {

// How a key object is stored: a session object by default, or a token object with a label and
// an id.
struct ObjectOptions {
  bool token = false;                   // CKA_TOKEN
  bool private_objects = false;         // CKA_PRIVATE on private and secret keys (needs a login)
  bool extractable = false;             // CKA_EXTRACTABLE on private and secret keys
  std::span<const std::uint8_t> label;  // CKA_LABEL, unless empty (copied)
  std::span<const std::uint8_t> id;     // CKA_ID, unless empty (copied)
  // Which usage attributes (CKA_SIGN, ...) are true; all others are set false explicitly.
  std::function<bool(CK_ATTRIBUTE_TYPE)> granted;
};

// Adds the kind's spec-exact attributes for `material` to `tmpl`: key type and values (secret
// values borrowed from the material, never copied: `material` must outlive `tmpl`), CKA_CLASS,
// CKA_TOKEN, label and id, CKA_SENSITIVE true on private and secret keys, and every usage
// attribute of the class (add_usage_attributes).
void add_key_attributes(AttributeTemplate& tmpl, const KeyMaterial& material,
                        const ObjectOptions& options);

// What C_UnwrapKey needs to make the same object from a wrapped key (a private key's PKCS#8, a
// secret key's bytes): every attribute add_key_attributes adds but the values, which come from
// the wrapped key.
void add_unwrap_attributes(AttributeTemplate& tmpl, const KeyMaterial& material,
                           const ObjectOptions& options);

// How usage attributes go into a template. Explicit names every usage of the class, true or
// false, since token defaults vary. RequestedOnly names only the granted ones (true): some
// tokens refuse a generation template with an explicit false for a usage they derive
// themselves, and accept only this form (docs/vendors/README.md, minimal_key_templates).
enum class UsageStyle : std::uint8_t { Explicit, RequestedOnly };

// The usage attributes that apply to `object_class` (PKCS#11 v2.40 §4.8-4.10), each set to
// granted(attribute) (Explicit), or only those granted, set true (RequestedOnly).
void add_usage_attributes(AttributeTemplate& tmpl, CK_OBJECT_CLASS object_class,
                          const std::function<bool(CK_ATTRIBUTE_TYPE)>& granted,
                          UsageStyle style = UsageStyle::Explicit);

// The usage attributes objects of `object_class` carry, in a fixed order (for reading back
// what a token granted).
[[nodiscard]] std::vector<CK_ATTRIBUTE_TYPE> usage_attributes_of(CK_OBJECT_CLASS object_class);

// The DER OCTET STRING that CKA_EC_POINT holds (PKCS#11 v2.40 §2.3.3).
[[nodiscard]] std::vector<std::uint8_t> der_octet_string(std::span<const std::uint8_t> content);

// CKA_EC_PARAMS of Ed25519: the OID 1.3.101.112 (RFC 8410), which SoftHSM2 and PKCS#11 v3.0
// both accept.
inline constexpr std::uint8_t kEd25519Params[] = {0x06, 0x03, 0x2b, 0x65, 0x70};

}  // namespace craton::hsm::pkcs11
