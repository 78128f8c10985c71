// SPDX-License-Identifier: Apache-2.0
// Finding token-resident key objects and describing them: the search templates, the one-match
// rule, and the Key / ResidentKeyInfo built from an object's attributes.
#pragma once

#include <craton/hsm/pkcs11_uri.h>
#include <craton/hsm/resident_keys.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keys/key_material.h"
#include "pkcs11/pool/session_pool.h"

namespace craton::hsm::pkcs11 {

// What resident Keys and URIs need to know about the backend's token.
struct TokenIdentity {
  Pkcs11Uri uri;  // token, manufacturer, serial, model
  std::string serial;
};

// "pkcs11:<token>;object=<label>;id=<id>;type=<class>", leaving out an empty label or id.
[[nodiscard]] std::string object_uri(const TokenIdentity& token, const std::string& label,
                                     const std::vector<std::uint8_t>& id, ObjectClass object_class);

// Every token object (CKA_TOKEN true), in the token's order.
[[nodiscard]] Result<std::vector<CK_OBJECT_HANDLE>> find_token_objects(Lease& lease);

// Every token key object (CKA_TOKEN true) that the reference names. Without a class in the
// reference, only private and secret keys count; with one, only that class. With a handle,
// the one object it names after KeyRef::handle's checks (KeyNotFound when they fail).
[[nodiscard]] Result<std::vector<CK_OBJECT_HANDLE>> find_key_objects(Lease& lease,
                                                                     const KeyRef& ref);

// Exactly one object: KeyNotFound for none, KeyAmbiguous (saying how many) for several.
[[nodiscard]] Result<CK_OBJECT_HANDLE> find_one_key_object(Lease& lease, const KeyRef& ref);

// The object the resident key `material` was built from, found again and proven to be the
// same: among the objects of its class with its label and id (or its CKA_UNIQUE_ID), the one
// whose unique id, public value (pairs) or check value (secret keys) is the Key's and, for
// an EC or Ed25519 private key that may sign, whose signature of a fixed challenge the Key's
// public value verifies (its public value may be read from another object). Errors:
// KeyNotFound when no object has the label and id; KeyChanged when objects do but none is
// provably the Key's (replaced, or a secret key the token gives no check value for);
// KeyAmbiguous when several are indistinguishable; the mapped read failures.
[[nodiscard]] Result<CK_OBJECT_HANDLE> find_resident_object(Lease& lease,
                                                            const KeyMaterial& material,
                                                            const TokenIdentity& token);

// A Key for `object`, with the public parts the object (or, for EC and Ed25519 private
// keys, its public half under the same id) reports and, for secret keys, its check value
// (check_value.h). `extra_usages`: what the token granted a key just generated beyond the
// request (Key::extra_usages). Errors: KeyTypeInconsistent for key
// types and curves this library does not handle; the mapped read failures.
[[nodiscard]] Result<Key> load_resident_key(Lease& lease, CK_OBJECT_HANDLE object,
                                            const TokenIdentity& token,
                                            const KeyUsages& extra_usages = {});

// InvalidArgument unless the label is 1..128 bytes and the id 1..64, what every token we know
// accepts for an object we create; `what` names it ("a resident key", "a certificate").
// The bytes of a text attribute (CKA_LABEL, CKA_UNIQUE_ID): a view of `text`.
[[nodiscard]] inline std::span<const std::uint8_t> text_bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

[[nodiscard]] Result<void> check_label_and_id(std::string_view label,
                                              std::span<const std::uint8_t> id,
                                              std::string_view what);

// list_keys' description of `object`; nullopt for key types this library does not handle.
[[nodiscard]] Result<std::optional<ResidentKeyInfo>> describe_key_object(
    Lease& lease, CK_OBJECT_HANDLE object, const TokenIdentity& token);

}  // namespace craton::hsm::pkcs11
