// SPDX-License-Identifier: Apache-2.0
// Reading attribute values of temporary session objects back to the host.
#include "pkcs11/session/readback.h"

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {
namespace {

// The two-call convention (PKCS#11 v2.40 §5.7, C_GetAttributeValue) for one attribute: first
// its length, then its value into `buffer`, sized from that length by the caller.
Result<std::size_t> attribute_length(Lease& lease, CK_OBJECT_HANDLE object,
                                     CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE attribute{type, nullptr, 0};
  CRATON_RETURN_IF_ERROR(lease.call<Fn::GetAttributeValue>(object, &attribute, CK_ULONG{1}));
  if (attribute.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
    return fail(ErrorCode::AttributeSensitive,
                fmt::format("attribute 0x{:x} of a temporary object is unavailable", type));
  }
  return static_cast<std::size_t>(attribute.ulValueLen);
}

// Fills `buffer` and returns the length the module wrote (never more than the buffer).
Result<std::size_t> fill_attribute(Lease& lease, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                                   std::span<std::uint8_t> buffer) {
  if (buffer.empty()) return 0;
  CK_ATTRIBUTE attribute{type, buffer.data(), static_cast<CK_ULONG>(buffer.size())};
  CRATON_RETURN_IF_ERROR(lease.call<Fn::GetAttributeValue>(object, &attribute, CK_ULONG{1}));
  if (attribute.ulValueLen > buffer.size()) {
    return fail(ErrorCode::Pkcs11Failure,
                fmt::format("attribute 0x{:x} grew between two C_GetAttributeValue calls", type));
  }
  return static_cast<std::size_t>(attribute.ulValueLen);
}

}  // namespace

void add_readable_secret(AttributeTemplate& tmpl, bool private_objects) {
  tmpl.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
      .add_ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET)
      .add_bool(CKA_TOKEN, false)
      .add_bool(CKA_SENSITIVE, false)
      .add_bool(CKA_EXTRACTABLE, true)
      .add_bool(CKA_PRIVATE, private_objects);
}

Result<SecretBytes> read_secret_attribute(Lease& lease, CK_OBJECT_HANDLE object,
                                          CK_ATTRIBUTE_TYPE type) {
  CRATON_ASSIGN_OR_RETURN(const std::size_t length, attribute_length(lease, object, type));
  SecretBytes value = SecretBytes::zeroed(length);
  CRATON_ASSIGN_OR_RETURN(const std::size_t written,
                          fill_attribute(lease, object, type, value.expose_mut()));
  value.truncate(written);
  return value;
}

Result<Bytes> read_public_attribute(Lease& lease, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  CRATON_ASSIGN_OR_RETURN(const std::size_t length, attribute_length(lease, object, type));
  Bytes value(length);
  CRATON_ASSIGN_OR_RETURN(const std::size_t written, fill_attribute(lease, object, type, value));
  value.resize(written);
  return value;
}

}  // namespace craton::hsm::pkcs11
