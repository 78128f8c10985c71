// SPDX-License-Identifier: Apache-2.0
// The attributes list_objects shows on request: a fixed table of the standard, non-secret
// ones, rendered as text; the secret parts of keys are never read.
#pragma once

#include <craton/hsm/resident_keys.h>

#include <vector>

#include "pkcs11/pool/session_pool.h"

namespace craton::hsm::pkcs11 {

// Every attribute of the table that `object` (of class `cko`) has, in the table's order. An
// attribute the object lacks is left out; one the token will not reveal reads "<sensitive>".
// For private and secret keys CKA_VALUE and the RSA private components read "<sensitive>"
// without any call. Errors: the mapped failures other than absent and sensitive values.
[[nodiscard]] Result<std::vector<ObjectAttribute>> read_object_attributes(Lease& lease,
                                                                          CK_OBJECT_HANDLE object,
                                                                          CK_ULONG cko);

}  // namespace craton::hsm::pkcs11
