// SPDX-License-Identifier: Apache-2.0
// Importing material keys as session objects, with spec-exact templates per key kind.
#pragma once

#include <craton/hsm/error.h>

#include <functional>
#include <span>

#include "keys/key_material.h"
#include "pkcs11/cache/key_cache.h"
#include "pkcs11/pool/session_pool.h"
#include "pkcs11/session/attributes.h"

namespace craton::hsm::pkcs11 {

// C_CreateObject for `material` on the lease's session: CKA_TOKEN false, CKA_SENSITIVE true,
// CKA_EXTRACTABLE false, and exactly the usage attributes `usage` needs set to true (all the
// others explicitly false, since token defaults vary). Secret values are passed by reference
// to the material, never copied. `private_objects` sets CKA_PRIVATE (needs a login).
// Errors: KeyTypeInconsistent when the kind cannot serve `usage`; the mapped C_CreateObject
// failure otherwise.
[[nodiscard]] Result<CK_OBJECT_HANDLE> import_key(Lease& lease, const KeyMaterial& material,
                                                  KeyUsage usage, bool private_objects);

// How create_key_object stores a key: import_key's session objects, or resident token
// objects with a label and id.
struct ObjectOptions {
  bool token = false;                   // CKA_TOKEN
  bool private_objects = false;         // CKA_PRIVATE on private and secret keys (needs a login)
  bool extractable = false;             // CKA_EXTRACTABLE on private and secret keys
  std::span<const std::uint8_t> label;  // CKA_LABEL, unless empty
  std::span<const std::uint8_t> id;     // CKA_ID, unless empty
  // Which usage attributes (CKA_SIGN, ...) are true; all others are set false explicitly.
  std::function<bool(CK_ATTRIBUTE_TYPE)> granted;
};

// C_CreateObject for `material` with the kind's spec-exact template: CKA_SENSITIVE true on
// private and secret keys, secret values passed by reference. Errors: the mapped failure.
[[nodiscard]] Result<CK_OBJECT_HANDLE> create_key_object(Lease& lease, const KeyMaterial& material,
                                                         const ObjectOptions& options);

// The usage attributes that apply to `object_class` (PKCS#11 v2.40 §4.8-4.10), each set to
// granted(attribute).
void add_usage_attributes(AttributeTemplate& tmpl, CK_OBJECT_CLASS object_class,
                          const std::function<bool(CK_ATTRIBUTE_TYPE)>& granted);

// The DER OCTET STRING that CKA_EC_POINT holds (PKCS#11 v2.40 §2.3.3).
[[nodiscard]] std::vector<std::uint8_t> der_octet_string(std::span<const std::uint8_t> content);

// CKA_EC_PARAMS of Ed25519: the OID 1.3.101.112 (RFC 8410), which SoftHSM2 and PKCS#11 v3.0
// both accept.
inline constexpr std::uint8_t kEd25519Params[] = {0x06, 0x03, 0x2b, 0x65, 0x70};

}  // namespace craton::hsm::pkcs11
