// SPDX-License-Identifier: Apache-2.0
// Public-key operations on resident private keys: the token's own public object of the pair,
// never a permanent object made as a side effect.
#include <fmt/format.h>

#include "backends/pkcs11/passthrough_backend.h"
#include "backends/pkcs11/resident_lookup.h"
#include "pkcs11/session/object_search.h"

namespace craton::hsm::pkcs11 {
namespace {

CK_ATTRIBUTE_TYPE usage_attribute(KeyUsage usage) {
  return usage == KeyUsage::Encrypt ? CKA_ENCRYPT : CKA_VERIFY;
}

bool same_public_value(const KeyMaterial& a, const KeyMaterial& b) {
  return a.kind == b.kind && a.curve == b.curve && a.rsa_modulus == b.rsa_modulus &&
         a.rsa_public_exponent == b.rsa_public_exponent && a.public_point == b.public_point;
}

// The first of `candidates` that holds `wanted`'s public value and does not refuse `usage`.
Result<std::optional<CK_OBJECT_HANDLE>> first_holding(
    Lease& lease, const std::vector<CK_OBJECT_HANDLE>& candidates, const KeyMaterial& wanted,
    KeyUsage usage, const TokenIdentity& token) {
  for (const CK_OBJECT_HANDLE candidate : candidates) {
    Result<Key> found = load_resident_key(lease, candidate, token);
    // A namesake of a type or curve this library does not use is not the pair's half.
    if (!found && found.error().code() == ErrorCode::KeyTypeInconsistent) continue;
    if (!found) return std::unexpected(std::move(found).error());
    if (!same_public_value(found->material(), wanted)) continue;
    CRATON_ASSIGN_OR_RETURN(const auto allowed,
                            read_bool_attribute(lease, candidate, usage_attribute(usage)));
    if (allowed.value_or(true)) return candidate;
  }
  return std::nullopt;
}

// The token's public object for the resident private key `names`: those of class public with
// its CKA_ID, else with its label, that hold `wanted`'s public value.
Result<std::optional<CK_OBJECT_HANDLE>> find_public_object(Lease& lease,
                                                           const ResidentObject& names,
                                                           const KeyMaterial& wanted,
                                                           KeyUsage usage,
                                                           const TokenIdentity& token) {
  if (!names.id.empty()) {
    KeyRef ref;
    ref.object_class = ObjectClass::PublicKey;
    ref.id = names.id;
    CRATON_ASSIGN_OR_RETURN(const auto by_id, find_key_objects(lease, ref));
    CRATON_ASSIGN_OR_RETURN(const auto held, first_holding(lease, by_id, wanted, usage, token));
    if (held) return held;
  }
  if (!names.label.empty()) {
    KeyRef ref;
    ref.object_class = ObjectClass::PublicKey;
    ref.label = names.label;
    CRATON_ASSIGN_OR_RETURN(const auto by_label, find_key_objects(lease, ref));
    return first_holding(lease, by_label, wanted, usage, token);
  }
  return std::nullopt;
}

}  // namespace

Result<CK_OBJECT_HANDLE> Pkcs11PassthroughBackend::resolve_public(Lease& lease, const Key& key,
                                                                  KeyUsage usage) {
  CRATON_ASSIGN_OR_RETURN(const Key public_key, key.public_key());
  const KeyMaterial& material = key.material();
  if (material.resident && key.is_private()) {
    KeyState& state = key_state(material);
    const std::uint64_t stamp = resident_stamp();
    if (const auto handle = state.public_half.get(stamp)) return *handle;
    CRATON_ASSIGN_OR_RETURN(
        const auto found,
        find_public_object(lease, *material.resident, public_key.material(), usage, token_));
    if (found) {
      state.public_half.set(*found, stamp);
      return *found;
    }
    // No public object on the token: a session object of the public half, where the token
    // keeps session objects (resolve() refuses otherwise), and never a token object.
  }
  return resolve(lease, public_key.material(), key_state(public_key.material()), usage);
}

void Pkcs11PassthroughBackend::forget_public(Lease& lease, const Key& key, KeyUsage usage) {
  if (key.is_resident() && key.is_private()) key_state(key.material()).public_half.forget();
  const Result<Key> public_key = key.public_key();
  if (!public_key) return;
  forget(lease, public_key->material(), key_state(public_key->material()), usage);
}

}  // namespace craton::hsm::pkcs11
