// SPDX-License-Identifier: Apache-2.0
// What the operations that create temporary session objects share: the template of a readable
// generic secret, and reading attribute values back (secret ones straight into SecretBytes).
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/secret.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "pkcs11/session/attributes.h"
#include "pkcs11/session/lent_session.h"
#include "pkcs11/session/output_length.h"

namespace craton::hsm::pkcs11 {

// Adds the attributes of a temporary generic secret whose value the host reads back (an
// unwrapped or derived key): CKO_SECRET_KEY, CKK_GENERIC_SECRET, CKA_TOKEN false,
// CKA_SENSITIVE false, CKA_EXTRACTABLE true, CKA_PRIVATE `private_objects`.
void add_readable_secret(AttributeTemplate& tmpl, bool private_objects);

// The two-call convention (PKCS#11 v2.40 §5.7, C_GetAttributeValue) for one attribute: first
// its length, then its value into a buffer sized from that length.
namespace readback {

// Both lengths are checked by attribute_length (output_length.h): an unavailable or
// unbelievable length with CKR_OK, or a value past its buffer, is a Pkcs11Failure naming the
// attribute.
template <LentSession L>
Result<std::size_t> attribute_length(L& lease, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE attribute{type, nullptr, 0};
  CRATON_RETURN_IF_ERROR(
      lease.template call<Fn::GetAttributeValue>(object, &attribute, CK_ULONG{1}));
  return attribute_length::reported(type, attribute.ulValueLen);
}

// Fills `buffer` and returns the length the module wrote (never more than the buffer).
template <LentSession L>
Result<std::size_t> fill_attribute(L& lease, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                                   std::span<std::uint8_t> buffer) {
  if (buffer.empty()) return 0;
  CK_ATTRIBUTE attribute{type, buffer.data(), static_cast<CK_ULONG>(buffer.size())};
  CRATON_RETURN_IF_ERROR(
      lease.template call<Fn::GetAttributeValue>(object, &attribute, CK_ULONG{1}));
  return attribute_length::written(type, attribute.ulValueLen, buffer.size());
}

}  // namespace readback

// C_GetAttributeValue of one secret attribute, two calls (length, then value) straight into
// wiping storage, truncated to the length the module reports. Errors: the mapped failure
// (AttributeSensitive for a sensitive object, AttributeInvalid for a missing attribute), and
// Pkcs11Failure for a length the module cannot mean (attribute_length).
template <LentSession L>
[[nodiscard]] Result<SecretBytes> read_secret_attribute(L& lease, CK_OBJECT_HANDLE object,
                                                        CK_ATTRIBUTE_TYPE type) {
  CRATON_ASSIGN_OR_RETURN(const std::size_t length,
                          readback::attribute_length(lease, object, type));
  SecretBytes value = SecretBytes::zeroed(length);
  CRATON_ASSIGN_OR_RETURN(const std::size_t written,
                          readback::fill_attribute(lease, object, type, value.expose_mut()));
  value.truncate(written);
  return value;
}

// The same for a public attribute (a modulus, an EC point).
template <LentSession L>
[[nodiscard]] Result<std::vector<std::uint8_t>> read_public_attribute(L& lease,
                                                                      CK_OBJECT_HANDLE object,
                                                                      CK_ATTRIBUTE_TYPE type) {
  CRATON_ASSIGN_OR_RETURN(const std::size_t length,
                          readback::attribute_length(lease, object, type));
  std::vector<std::uint8_t> value(length);
  CRATON_ASSIGN_OR_RETURN(const std::size_t written,
                          readback::fill_attribute(lease, object, type, value));
  value.resize(written);
  return value;
}

}  // namespace craton::hsm::pkcs11
