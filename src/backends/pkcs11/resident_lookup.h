// SPDX-License-Identifier: Apache-2.0
// Finding token-resident key objects and describing them: the search templates, the one-match
// rule, and the Key / ResidentKeyInfo built from an object's attributes.
#pragma once

#include <craton/hsm/pkcs11_uri.h>
#include <craton/hsm/resident_keys.h>

#include <string>
#include <vector>

#include "keys/key_material.h"
#include "pkcs11/pool/session_pool.h"

namespace craton::hsm::pkcs11 {

// What resident Keys and URIs need to know about the backend's token.
struct TokenIdentity {
  Pkcs11Uri uri;  // token, manufacturer, serial, model
  std::string serial;
};

// Every token key object (CKA_TOKEN true) that the reference names. Without a class in the
// reference, only private and secret keys count; with one, only that class.
[[nodiscard]] Result<std::vector<CK_OBJECT_HANDLE>> find_key_objects(Lease& lease,
                                                                     const KeyRef& ref);

// Exactly one object: KeyNotFound for none, KeyAmbiguous (saying how many) for several.
[[nodiscard]] Result<CK_OBJECT_HANDLE> find_one_key_object(Lease& lease, const KeyRef& ref);

// The object a resident Key was built from, found again (by CKA_UNIQUE_ID when known, else
// by its class, label and id). Same errors as find_one_key_object.
[[nodiscard]] Result<CK_OBJECT_HANDLE> find_resident_object(Lease& lease, KeyKind kind,
                                                            const ResidentObject& object);

// A Key for `object`, with the public parts the object (or, for EC and Ed25519 private
// keys, its public half under the same id) reports. Errors: KeyTypeInconsistent for key
// types and curves this library does not handle; the mapped read failures.
[[nodiscard]] Result<Key> load_resident_key(Lease& lease, CK_OBJECT_HANDLE object,
                                            const TokenIdentity& token);

// list_keys' description of `object`; nullopt for key types this library does not handle.
[[nodiscard]] Result<std::optional<ResidentKeyInfo>> describe_key_object(
    Lease& lease, CK_OBJECT_HANDLE object, const TokenIdentity& token);

}  // namespace craton::hsm::pkcs11
