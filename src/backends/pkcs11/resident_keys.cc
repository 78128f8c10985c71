// SPDX-License-Identifier: Apache-2.0
// Token-resident keys: generation, import, lookup, listing, export and destruction.
#include <fmt/format.h>

#include "backends/pkcs11/object_guard.h"
#include "backends/pkcs11/object_search.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "backends/pkcs11/resident_keygen.h"
#include "backends/pkcs11/resident_lookup.h"

namespace craton::hsm::pkcs11 {

Result<Key> Pkcs11PassthroughBackend::load_resident(Lease& lease, CK_OBJECT_HANDLE object) {
  CRATON_ASSIGN_OR_RETURN(const Key key, load_resident_key(lease, object, token_));
  // The handle is known now: the first operation needs no search.
  KeyState& state = key_state(key.material());
  state.resident_object.store(object, std::memory_order_relaxed);
  state.resident_stamp.store(pool_->generation() + 1, std::memory_order_release);
  return key;
}

Result<Key> Pkcs11PassthroughBackend::generate_resident_key(const ResidentKeySpec& spec) {
  CRATON_ASSIGN_OR_RETURN(const KeyUsages usages, check_resident_spec(spec));
  return pool_->run([&](Lease& lease) -> Result<Key> {
    CRATON_RETURN_IF_ERROR(require_unused(lease, spec));
    CRATON_ASSIGN_OR_RETURN(const CK_OBJECT_HANDLE object,
                            generate_resident(lease, spec, usages, pool_->logs_in()));
    return load_resident(lease, object);
  });
}

Result<Key> Pkcs11PassthroughBackend::import_resident_key(const Key& material,
                                                          const ResidentKeySpec& spec) {
  if (material.is_resident()) {
    return fail(ErrorCode::InvalidArgument, "the key already lives on a token");
  }
  CRATON_ASSIGN_OR_RETURN(const KeyUsages usages, check_resident_import(spec, material.kind()));
  return pool_->run([&](Lease& lease) -> Result<Key> {
    CRATON_RETURN_IF_ERROR(require_unused(lease, spec));
    CRATON_ASSIGN_OR_RETURN(const CK_OBJECT_HANDLE object,
                            store_resident(lease, material, spec, usages, pool_->logs_in()));
    return load_resident(lease, object);
  });
}

Result<Key> Pkcs11PassthroughBackend::find_key(const KeyRef& ref) {
  if (!ref.label && !ref.id) {
    return fail(ErrorCode::InvalidArgument, "a key reference needs a label, an id or both");
  }
  return pool_->run([&](Lease& lease) -> Result<Key> {
    CRATON_ASSIGN_OR_RETURN(const CK_OBJECT_HANDLE object, find_one_key_object(lease, ref));
    return load_resident(lease, object);
  });
}

Result<std::vector<ResidentKeyInfo>> Pkcs11PassthroughBackend::list_keys() {
  return pool_->run([&](Lease& lease) -> Result<std::vector<ResidentKeyInfo>> {
    std::vector<ResidentKeyInfo> keys;
    for (const ObjectClass object_class :
         {ObjectClass::PrivateKey, ObjectClass::PublicKey, ObjectClass::SecretKey}) {
      KeyRef all_of_class;
      all_of_class.object_class = object_class;
      CRATON_ASSIGN_OR_RETURN(const auto objects, find_key_objects(lease, all_of_class));
      for (const CK_OBJECT_HANDLE object : objects) {
        CRATON_ASSIGN_OR_RETURN(auto info, describe_key_object(lease, object, token_));
        if (info) keys.push_back(std::move(*info));
      }
    }
    return keys;
  });
}

Result<std::vector<std::uint8_t>> Pkcs11PassthroughBackend::export_public_key(const KeyRef& ref) {
  Result<Key> key = find_key(ref);
  if (!key && key.error().code() == ErrorCode::KeyNotFound && !ref.object_class) {
    // Only the public half may be on the token (an imported public key).
    KeyRef public_ref = ref;
    public_ref.object_class = ObjectClass::PublicKey;
    key = find_key(public_ref);
  }
  if (!key) return std::unexpected(std::move(key).error());
  if (key->kind() == KeyKind::Aes || key->kind() == KeyKind::Hmac) {
    return fail(ErrorCode::KeyTypeInconsistent,
                fmt::format("{} is a secret key and has no public half", ref.to_uri()));
  }
  return key->public_spki_der();
}

Result<void> Pkcs11PassthroughBackend::destroy_key(const KeyRef& ref) {
  if (!ref.label && !ref.id) {
    return fail(ErrorCode::InvalidArgument, "a key reference needs a label, an id or both");
  }
  return pool_->run([&](Lease& lease) -> Result<void> {
    CRATON_ASSIGN_OR_RETURN(const CK_OBJECT_HANDLE object, find_one_key_object(lease, ref));
    std::vector<CK_OBJECT_HANDLE> doomed{object};
    CRATON_ASSIGN_OR_RETURN(const auto object_class,
                            read_ulong_attribute(lease, object, CKA_CLASS));
    if (object_class == CKO_PRIVATE_KEY) {
      // The pair's public half: the public key object(s) with the same id.
      CRATON_ASSIGN_OR_RETURN(const auto id, read_optional_bytes(lease, object, CKA_ID));
      if (id && !id->empty()) {
        KeyRef public_half;
        public_half.id = *id;
        public_half.object_class = ObjectClass::PublicKey;
        CRATON_ASSIGN_OR_RETURN(const auto halves, find_key_objects(lease, public_half));
        doomed.insert(doomed.end(), halves.begin(), halves.end());
      }
    }
    for (const CK_OBJECT_HANDLE handle : doomed) {
      CRATON_RETURN_IF_ERROR(lease.call<Fn::DestroyObject>(handle));
    }
    return {};
  });
}

std::string Pkcs11PassthroughBackend::token_uri() const {
  return token_.uri.to_string();
}

}  // namespace craton::hsm::pkcs11
