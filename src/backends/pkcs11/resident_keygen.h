// SPDX-License-Identifier: Apache-2.0
// Creating token-resident keys: the spec's checks and the persistent templates for generating
// a key (pair) on the token or storing caller-held material there.
#pragma once

#include <craton/hsm/resident_keys.h>

#include <functional>

#include "backends/pkcs11/capability_table.h"
#include "backends/pkcs11/strict_templates.h"
#include "keys/key_material.h"
#include "pkcs11/pool/session_pool.h"
#include "pkcs11/session/key_template.h"

namespace craton::hsm::pkcs11 {

// The usages the key gets (the spec's, or the algorithm's defaults). Errors: InvalidArgument
// for a label outside 1..128 bytes, an id outside 1..64 bytes, no usage at all, or a usage
// the algorithm cannot have (an AES key that signs, an Ed25519 key that decrypts).
// Then, still before any token call, the capability table's generation row for the algorithm:
// MechanismUnsupported naming the algorithm and the token when the token cannot generate it.
[[nodiscard]] Result<KeyUsages> check_resident_spec(const ResidentKeySpec& spec,
                                                    const CapabilityTable& capabilities);
// The usages in `usages` that this library never gives a key of `kind` (an AES key that
// derives, an EC key that unwraps): what a token granted on its own, as `list` reports it.
[[nodiscard]] KeyUsages usages_beyond_policy(KeyKind kind, const KeyUsages& usages);
// The same for storing material of `kind` (its algorithm's defaults when no usages are given).
[[nodiscard]] Result<KeyUsages> check_resident_import(const ResidentKeySpec& spec, KeyKind kind);

// The objects one creation made, recorded as soon as the token reports them, so that a
// failure later in the same call can remove exactly those (and nothing another caller made).
struct CreatedObjects {
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;          // the private or secret key
  CK_OBJECT_HANDLE public_half = CK_INVALID_HANDLE;  // key pairs only
  // Generation: the usages the token granted beyond the request, accepted by strict_usages.
  KeyUsages extra_usages;
};

// KeyAlreadyExists when any token key object (private, public or secret) other than `ours`
// has the spec's label or id. Checked before creating, and again afterwards with what was
// created: another process may have created a key at the same time (no lock spans processes).
[[nodiscard]] Result<void> require_unused(Lease& lease, const ResidentKeySpec& spec,
                                          const CreatedObjects& ours = {});

// Generates the key (pair) as token objects into `created`, with the template `templates`
// starts with; when the explicit one is refused (strict_templates.h: refused_template), once
// more with the minimal one, which `templates` then learns. Reads back what the token
// granted (read_grant) and returns it, for the caller to judge. Errors: the first refusal's
// code with both answers in the message when both templates are refused; the mapped failure
// otherwise. On failure nothing was created that `created` does not name.
[[nodiscard]] Result<Grant> generate_resident(Lease& lease, const ResidentKeySpec& spec,
                                              const KeyUsages& usages, bool private_objects,
                                              KeyTemplateChoice& templates,
                                              CreatedObjects& created);

// Puts one key object on the token: by C_CreateObject or C_UnwrapKey, as the backend's
// import_method says (key_store.h).
using StoreKeyObject =
    std::function<Result<CK_OBJECT_HANDLE>(Lease&, const KeyMaterial&, const ObjectOptions&)>;

// Stores the material of `key` as token objects into `created` (a private key with its public
// half), each through `store`. On failure nothing was created that `created` does not name.
[[nodiscard]] Result<void> store_resident(Lease& lease, const Key& key, const ResidentKeySpec& spec,
                                          const KeyUsages& usages, bool private_objects,
                                          CreatedObjects& created, const StoreKeyObject& store);

}  // namespace craton::hsm::pkcs11
