// SPDX-License-Identifier: Apache-2.0
// Finding token objects (C_FindObjects*) and reading the plain attributes of one object.
#pragma once

#include <craton/hsm/error.h>

#include <cstddef>
#include <optional>
#include <vector>

#include "pkcs11/pool/session_pool.h"
#include "pkcs11/session/attributes.h"

namespace craton::hsm::pkcs11 {

// Every object matching `tmpl` on the lease's session (C_FindObjectsInit, C_FindObjects in
// batches, and C_FindObjectsFinal on every path, so the session is never left mid-search).
// Errors: the mapped failure.
[[nodiscard]] Result<std::vector<CK_OBJECT_HANDLE>> find_objects(Lease& lease,
                                                                 AttributeTemplate& tmpl);

// One CK_ULONG or CK_BBOOL attribute; nullopt when the object does not have it (or the
// token will not say). Errors: other failures, mapped.
[[nodiscard]] Result<std::optional<CK_ULONG>> read_ulong_attribute(Lease& lease,
                                                                   CK_OBJECT_HANDLE object,
                                                                   CK_ATTRIBUTE_TYPE type);
[[nodiscard]] Result<std::optional<bool>> read_bool_attribute(Lease& lease, CK_OBJECT_HANDLE object,
                                                              CK_ATTRIBUTE_TYPE type);
// A byte-string attribute the object may lack (CKA_UNIQUE_ID on v2.40 tokens, CKA_EC_POINT
// on private keys): nullopt instead of AttributeInvalid.
[[nodiscard]] Result<std::optional<std::vector<std::uint8_t>>> read_optional_bytes(
    Lease& lease, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);

}  // namespace craton::hsm::pkcs11
