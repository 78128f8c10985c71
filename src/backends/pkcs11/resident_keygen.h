// SPDX-License-Identifier: Apache-2.0
// Creating token-resident keys: the spec's checks and the persistent templates for generating
// a key (pair) on the token or storing caller-held material there.
#pragma once

#include <craton/hsm/resident_keys.h>

#include "keys/key_material.h"
#include "pkcs11/pool/session_pool.h"

namespace craton::hsm::pkcs11 {

// The usages the key gets (the spec's, or the algorithm's defaults). Errors: InvalidArgument
// for a label outside 1..128 bytes, an id outside 1..64 bytes, no usage at all, or a usage
// the algorithm cannot have (an AES key that signs, an Ed25519 key that decrypts).
[[nodiscard]] Result<KeyUsages> check_resident_spec(const ResidentKeySpec& spec);
// The same for storing material of `kind` (its algorithm's defaults when no usages are given).
[[nodiscard]] Result<KeyUsages> check_resident_import(const ResidentKeySpec& spec, KeyKind kind);

// KeyAlreadyExists when any token key object (private, public or secret) has the spec's
// label or id.
[[nodiscard]] Result<void> require_unused(Lease& lease, const ResidentKeySpec& spec);

// Generates the key (pair) as token objects; returns the private or secret key's handle.
// Nothing stays on the token when it fails.
[[nodiscard]] Result<CK_OBJECT_HANDLE> generate_resident(Lease& lease, const ResidentKeySpec& spec,
                                                         const KeyUsages& usages,
                                                         bool private_objects);

// Stores the material of `key` as token objects (a private key with its public half); returns the
// handle of the private or secret object. Nothing stays on the token when it fails.
[[nodiscard]] Result<CK_OBJECT_HANDLE> store_resident(Lease& lease, const Key& key,
                                                      const ResidentKeySpec& spec,
                                                      const KeyUsages& usages,
                                                      bool private_objects);

}  // namespace craton::hsm::pkcs11
