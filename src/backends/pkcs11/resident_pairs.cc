// SPDX-License-Identifier: Apache-2.0
// Pairing public halves with private keys, and the objects a destroy removes.
#include "backends/pkcs11/resident_pairs.h"

#include <craton/hsm/backend.h>

#include <utility>

#include <fmt/format.h>

#include "backends/pkcs11/resident_lookup.h"
#include "pkcs11/session/object_search.h"
#include "pkcs11/session/readback.h"

namespace craton::hsm::pkcs11 {

Result<std::vector<CK_OBJECT_HANDLE>> public_halves_of(Lease& lease, CK_OBJECT_HANDLE private_key,
                                                       const std::vector<std::uint8_t>& id,
                                                       const std::string& label) {
  if (id.empty()) return std::vector<CK_OBJECT_HANDLE>{};
  KeyRef ref;
  ref.id = id;
  ref.object_class = ObjectClass::PublicKey;
  CRATON_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> halves, find_key_objects(lease, ref));
  ref.object_class = ObjectClass::PrivateKey;
  CRATON_ASSIGN_OR_RETURN(const std::vector<CK_OBJECT_HANDLE> owners, find_key_objects(lease, ref));
  if (halves.size() <= 1 && owners.size() <= 1) return halves;
  ref.object_class = ObjectClass::PublicKey;
  ref.label = label;
  CRATON_ASSIGN_OR_RETURN(halves, find_key_objects(lease, ref));
  if (halves.size() <= 1) return halves;
  const auto shape = [&](CK_OBJECT_HANDLE object) -> Result<std::pair<CK_ULONG, Bytes>> {
    CRATON_ASSIGN_OR_RETURN(const auto key_type, read_ulong_attribute(lease, object, CKA_KEY_TYPE));
    CRATON_ASSIGN_OR_RETURN(const auto params, read_optional_bytes(lease, object, CKA_EC_PARAMS));
    return std::pair{key_type.value_or(CK_UNAVAILABLE_INFORMATION), params.value_or(Bytes{})};
  };
  CRATON_ASSIGN_OR_RETURN(const auto wanted, shape(private_key));
  std::vector<CK_OBJECT_HANDLE> alike;
  for (const CK_OBJECT_HANDLE half : halves) {
    CRATON_ASSIGN_OR_RETURN(const auto found, shape(half));
    if (found == wanted) alike.push_back(half);
  }
  return alike;
}

Result<std::vector<CK_OBJECT_HANDLE>> objects_to_destroy(Lease& lease, const KeyRef& ref) {
  CRATON_ASSIGN_OR_RETURN(const CK_OBJECT_HANDLE object, find_one_key_object(lease, ref));
  std::vector<CK_OBJECT_HANDLE> doomed{object};
  CRATON_ASSIGN_OR_RETURN(const auto object_class, read_ulong_attribute(lease, object, CKA_CLASS));
  if (object_class == CKO_PRIVATE_KEY) {
    CRATON_ASSIGN_OR_RETURN(const auto id, read_optional_bytes(lease, object, CKA_ID));
    CRATON_ASSIGN_OR_RETURN(const auto label, read_optional_bytes(lease, object, CKA_LABEL));
    CRATON_ASSIGN_OR_RETURN(
        const auto halves,
        public_halves_of(lease, object, id.value_or(Bytes{}),
                         label ? std::string(label->begin(), label->end()) : std::string()));
    doomed.insert(doomed.end(), halves.begin(), halves.end());
  }
  for (const CK_OBJECT_HANDLE candidate : doomed) {
    CRATON_ASSIGN_OR_RETURN(const auto destroyable,
                            read_bool_attribute(lease, candidate, CKA_DESTROYABLE));
    if (!destroyable.value_or(true)) {
      return fail(ErrorCode::KeyFunctionNotPermitted,
                  fmt::format("{} has an object the token will not destroy (CKA_DESTROYABLE "
                              "false); nothing was destroyed",
                              ref.to_uri()));
    }
  }
  return doomed;
}

}  // namespace craton::hsm::pkcs11
