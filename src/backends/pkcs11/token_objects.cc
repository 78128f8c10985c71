// SPDX-License-Identifier: Apache-2.0
// list_objects: every token object a query names (keys, certificates, data objects).
#include <algorithm>

#include <fmt/format.h>

#include "backends/pkcs11/object_attributes.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "backends/pkcs11/resident_lookup.h"
#include "pkcs11/session/attributes.h"
#include "pkcs11/session/object_search.h"
#include "pkcs11/session/readback.h"

namespace craton::hsm::pkcs11 {
namespace {

std::optional<ObjectClass> listed_class(CK_ULONG cko) {
  switch (cko) {
    case CKO_PRIVATE_KEY:
      return ObjectClass::PrivateKey;
    case CKO_PUBLIC_KEY:
      return ObjectClass::PublicKey;
    case CKO_SECRET_KEY:
      return ObjectClass::SecretKey;
    case CKO_CERTIFICATE:
      return ObjectClass::Certificate;
    case CKO_DATA:
      return ObjectClass::Data;
    default:
      return std::nullopt;  // domain parameters, mechanisms, vendor classes
  }
}

Result<std::vector<std::uint8_t>> optional_bytes(Lease& lease, CK_OBJECT_HANDLE object,
                                                 CK_ATTRIBUTE_TYPE type) {
  CRATON_ASSIGN_OR_RETURN(auto value, read_optional_bytes(lease, object, type));
  return value ? std::move(*value) : std::vector<std::uint8_t>{};
}

// The size of a certificate's or data object's CKA_VALUE (never of a key's).
Result<std::size_t> value_size(Lease& lease, CK_OBJECT_HANDLE object) {
  auto length = readback::attribute_length(lease, object, CKA_VALUE);
  if (!length && object_search::means_absent(length.error())) return 0;
  return length;
}

// The certificate type or data application, and the value size, of a non-key object.
Result<void> describe_other(Lease& lease, CK_OBJECT_HANDLE object, TokenObjectInfo& info) {
  if (info.object_class == ObjectClass::Certificate) {
    CRATON_ASSIGN_OR_RETURN(const auto type,
                            read_ulong_attribute(lease, object, CKA_CERTIFICATE_TYPE));
    info.kind = !type ? "" : *type == CKC_X_509 ? "X.509" : fmt::format("0x{:x}", *type);
  } else {
    const auto application = optional_bytes(lease, object, CKA_APPLICATION);
    if (!application) return std::unexpected(application.error());
    info.kind.assign(application->begin(), application->end());
  }
  CRATON_ASSIGN_OR_RETURN(info.value_bytes, value_size(lease, object));
  return {};
}

}  // namespace

Result<std::vector<TokenObjectInfo>> Pkcs11PassthroughBackend::list_objects(
    const ObjectQuery& query) {
  return pool_->run([&](Lease& lease) -> Result<std::vector<TokenObjectInfo>> {
    // The same enumeration as list_keys and a handle's check: every token object, narrowed
    // here rather than in the template, so handles are numbered alike.
    CRATON_ASSIGN_OR_RETURN(const auto objects, find_token_objects(lease));
    std::vector<TokenObjectInfo> listed;
    for (const CK_OBJECT_HANDLE object : objects) {
      CRATON_ASSIGN_OR_RETURN(const auto cko, read_ulong_attribute(lease, object, CKA_CLASS));
      const std::optional<ObjectClass> object_class = cko ? listed_class(*cko) : std::nullopt;
      if (!object_class || (query.object_class && *query.object_class != *object_class)) continue;
      TokenObjectInfo info;
      info.object_class = *object_class;
      CRATON_ASSIGN_OR_RETURN(const auto label, optional_bytes(lease, object, CKA_LABEL));
      info.label.assign(label.begin(), label.end());
      CRATON_ASSIGN_OR_RETURN(info.id, optional_bytes(lease, object, CKA_ID));
      if ((query.label && info.label != *query.label) || (query.id && info.id != *query.id)) {
        continue;
      }
      if (*cko == CKO_CERTIFICATE || *cko == CKO_DATA) {
        CRATON_RETURN_IF_ERROR(describe_other(lease, object, info));
      } else {
        CRATON_ASSIGN_OR_RETURN(info.key, describe_key_object(lease, object, token_));
        // A key of a type or curve this library does not use: no --key could name it.
        if (!info.key) continue;
      }
      info.uri = object_uri(token_, info.label, info.id, info.object_class);
      info.handle = static_cast<std::uint64_t>(object);
      if (query.attributes) {
        CRATON_ASSIGN_OR_RETURN(info.attributes, read_object_attributes(lease, object, *cko));
      }
      listed.push_back(std::move(info));
    }
    std::stable_sort(listed.begin(), listed.end(),
                     [](const auto& a, const auto& b) { return a.object_class < b.object_class; });
    for (TokenObjectInfo& info : listed) {
      if (info.label.empty() && info.id.empty()) {
        info.needs_handle = true;
      } else {
        KeyRef named;  // what a URI of this object's class, label and id finds
        named.object_class = info.object_class;
        if (!info.label.empty()) named.label = info.label;
        if (!info.id.empty()) named.id = info.id;
        CRATON_ASSIGN_OR_RETURN(const auto namesakes, find_key_objects(lease, named));
        info.needs_handle = namesakes.size() != 1;
      }
      if (info.key) {
        info.key->needs_handle = info.needs_handle;
      }
    }
    return listed;
  });
}

}  // namespace craton::hsm::pkcs11
