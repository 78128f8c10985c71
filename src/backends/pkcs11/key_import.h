// SPDX-License-Identifier: Apache-2.0
// Storing material keys on the token: session objects granted one usage (import_key), or
// objects stored as ObjectOptions say (create_key_object), with pkcs11/session/key_template.h's
// templates.
#pragma once

#include <craton/hsm/error.h>

#include "backends/pkcs11/capability_table.h"
#include "keys/key_material.h"
#include "pkcs11/pool/session_pool.h"
#include "pkcs11/session/key_template.h"

namespace craton::hsm::pkcs11 {

// C_CreateObject for `material` on the lease's session: CKA_TOKEN false, CKA_SENSITIVE true,
// CKA_EXTRACTABLE false, and exactly the usage attributes `usage` needs set to true (all the
// others explicitly false, since token defaults vary). Secret values are passed by reference
// to the material, never copied. `private_objects` sets CKA_PRIVATE (needs a login).
// Errors: KeyTypeInconsistent when the kind cannot serve `usage`; the mapped C_CreateObject
// failure otherwise.
[[nodiscard]] Result<CK_OBJECT_HANDLE> import_key(Lease& lease, const KeyMaterial& material,
                                                  KeyUsage usage, bool private_objects);

// The ObjectOptions import_key uses: a session object granted `usage` only, CKA_PRIVATE
// `private_objects`. Errors: KeyTypeInconsistent when the kind cannot serve `usage`.
[[nodiscard]] Result<ObjectOptions> session_import_options(const KeyMaterial& material,
                                                           KeyUsage usage, bool private_objects);

// C_CreateObject for `material` with the kind's spec-exact template (add_key_attributes):
// CKA_SENSITIVE true on private and secret keys, secret values passed by reference. Errors: the
// mapped failure.
[[nodiscard]] Result<CK_OBJECT_HANDLE> create_key_object(Lease& lease, const KeyMaterial& material,
                                                         const ObjectOptions& options);

}  // namespace craton::hsm::pkcs11
