// SPDX-License-Identifier: Apache-2.0
// Putting a key object on the token the way import_method says: C_CreateObject, C_UnwrapKey
// (unwrap_import.h), or create with auto mode's switch to unwrap (import_policy.h).
#pragma once

#include <craton/hsm/error.h>

#include "backends/pkcs11/import_policy.h"
#include "backends/pkcs11/unwrap_import.h"
#include "keys/key_material.h"
#include "pkcs11/pool/session_pool.h"
#include "pkcs11/session/key_template.h"

namespace craton::hsm::pkcs11 {

// Public keys: C_CreateObject. Secret and private keys: C_UnwrapKey when `policy` says their
// class goes by unwrap; otherwise C_CreateObject, and in auto mode, when the token refuses the
// clear value (CKR_TEMPLATE_INCONSISTENT, CKR_ATTRIBUTE_VALUE_INVALID, CKR_ACTION_PROHIBITED),
// this import is retried by unwrap once, and when that works the class switches to unwrap for
// good; when it fails too, the create refusal stands (naming both) and nothing is learned. Any
// other refusal (a device error, a full token) stands, typed, and switches nothing. Errors:
// MechanismUnsupported before any token call for a key kind the token has no mechanism for
// (CapabilityTable::require_key_kind); those of create_key_object and unwrap_key_object.
[[nodiscard]] Result<CK_OBJECT_HANDLE> store_key_object(Lease& lease, const KeyMaterial& material,
                                                        const ObjectOptions& options,
                                                        ImportPolicy& policy,
                                                        const UnwrapImportContext& context);

}  // namespace craton::hsm::pkcs11
