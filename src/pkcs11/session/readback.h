// SPDX-License-Identifier: Apache-2.0
// What the operations that create temporary session objects share: the template of a readable
// generic secret, and reading attribute values back (secret ones straight into SecretBytes).
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>
#include <craton/hsm/secret.h>

#include "pkcs11/pool/session_pool.h"
#include "pkcs11/session/attributes.h"

namespace craton::hsm::pkcs11 {

// Adds the attributes of a temporary generic secret whose value the host reads back (an
// unwrapped or derived key): CKO_SECRET_KEY, CKK_GENERIC_SECRET, CKA_TOKEN false,
// CKA_SENSITIVE false, CKA_EXTRACTABLE true, CKA_PRIVATE `private_objects`.
void add_readable_secret(AttributeTemplate& tmpl, bool private_objects);

// C_GetAttributeValue of one secret attribute, two calls (length, then value) straight into
// wiping storage, truncated to the length the module reports. Errors: the mapped failure
// (AttributeSensitive for a sensitive object, AttributeInvalid for a missing attribute).
[[nodiscard]] Result<SecretBytes> read_secret_attribute(Lease& lease, CK_OBJECT_HANDLE object,
                                                        CK_ATTRIBUTE_TYPE type);
// The same for a public attribute (a modulus, an EC point).
[[nodiscard]] Result<Bytes> read_public_attribute(Lease& lease, CK_OBJECT_HANDLE object,
                                                  CK_ATTRIBUTE_TYPE type);

}  // namespace craton::hsm::pkcs11
