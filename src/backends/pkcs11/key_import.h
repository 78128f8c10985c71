// SPDX-License-Identifier: Apache-2.0
// Importing material keys as session objects, with spec-exact templates per key kind.
#pragma once

#include <craton/hsm/error.h>

#include "keys/key_material.h"
#include "pkcs11/cache/key_cache.h"
#include "pkcs11/pool/session_pool.h"

namespace craton::hsm::pkcs11 {

// C_CreateObject for `material` on the lease's session: CKA_TOKEN false, CKA_SENSITIVE true,
// CKA_EXTRACTABLE false, and exactly the usage attributes `usage` needs set to true (all the
// others explicitly false, since token defaults vary). Secret values are passed by reference
// to the material, never copied. `private_objects` sets CKA_PRIVATE (needs a login).
// Errors: KeyTypeInconsistent when the kind cannot serve `usage`; the mapped C_CreateObject
// failure otherwise.
[[nodiscard]] Result<CK_OBJECT_HANDLE> import_key(Lease& lease, const KeyMaterial& material,
                                                  KeyUsage usage, bool private_objects);

// The DER OCTET STRING that CKA_EC_POINT holds (PKCS#11 v2.40 §2.3.3).
[[nodiscard]] std::vector<std::uint8_t> der_octet_string(std::span<const std::uint8_t> content);

// CKA_EC_PARAMS of Ed25519: the OID 1.3.101.112 (RFC 8410), which SoftHSM2 and PKCS#11 v3.0
// both accept.
inline constexpr std::uint8_t kEd25519Params[] = {0x06, 0x03, 0x2b, 0x65, 0x70};

}  // namespace craton::hsm::pkcs11
