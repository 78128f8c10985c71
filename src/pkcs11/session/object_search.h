// SPDX-License-Identifier: Apache-2.0
// Finding token objects (C_FindObjects*) and reading the plain attributes of one object.
#pragma once

#include <craton/hsm/error.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "pkcs11/session/attributes.h"
#include "pkcs11/session/lent_session.h"
#include "pkcs11/session/output_length.h"
#include "pkcs11/session/readback.h"

namespace craton::hsm::pkcs11 {

namespace object_search {

// How a search ends: the batches' outcome `searched` and C_FindObjectsFinal's `finished` (run
// even after a failed batch). The first failure wins; a failed Final after a failed batch is
// reported as a diagnostic.
[[nodiscard]] Result<std::vector<CK_OBJECT_HANDLE>> outcome(std::vector<CK_OBJECT_HANDLE> found,
                                                            Result<void> searched,
                                                            Result<void> finished);

// Tokens answer a missing attribute with CKR_ATTRIBUTE_TYPE_INVALID (or, for a value they will
// not reveal, CKR_ATTRIBUTE_SENSITIVE): both mean "no value" to a reader of metadata.
[[nodiscard]] bool means_absent(const HsmError& error) noexcept;

// One fixed-size attribute `Value` of `object`; nullopt when the object does not have it.
// A length other than sizeof(Value) with CKR_OK is Pkcs11Failure (attribute_length::fixed).
template <typename Value, LentSession L>
Result<std::optional<Value>> read_fixed(L& lease, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  Value value{};
  CK_ATTRIBUTE attribute{type, &value, sizeof value};
  if (auto read = lease.template call<Fn::GetAttributeValue>(object, &attribute, CK_ULONG{1});
      !read) {
    if (means_absent(read.error())) return std::nullopt;
    return std::unexpected(std::move(read).error());
  }
  CRATON_RETURN_IF_ERROR(attribute_length::fixed(type, attribute.ulValueLen, sizeof value));
  return value;
}

}  // namespace object_search

// Every object matching `tmpl` on the lease's session (C_FindObjectsInit, C_FindObjects in
// batches, and C_FindObjectsFinal on every path, so the session is never left mid-search).
// Errors: the mapped failure.
template <LentSession L>
[[nodiscard]] Result<std::vector<CK_OBJECT_HANDLE>> find_objects(L& lease,
                                                                 AttributeTemplate& tmpl) {
  CRATON_RETURN_IF_ERROR(lease.template call<Fn::FindObjectsInit>(tmpl.data(), tmpl.size()));
  std::vector<CK_OBJECT_HANDLE> found;
  Result<void> searched{};
  std::array<CK_OBJECT_HANDLE, 64> batch{};
  for (;;) {
    CK_ULONG count = 0;
    searched = lease.template call<Fn::FindObjects>(batch.data(), CK_ULONG{batch.size()}, &count);
    if (!searched) break;
    // A count past the batch is never read past it: the search fails (and still ends).
    auto checked = output_length(Fn::FindObjects, count, batch.size());
    if (!checked) {
      searched = std::unexpected(std::move(checked).error());
      break;
    }
    if (*checked == 0) break;
    found.insert(found.end(), batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(*checked));
  }
  // Final runs even after a failed batch: a session left mid-search refuses other calls.
  Result<void> finished = lease.template call<Fn::FindObjectsFinal>();
  return object_search::outcome(std::move(found), std::move(searched), std::move(finished));
}

// One CK_ULONG or CK_BBOOL attribute; nullopt when the object does not have it (or the
// token will not say). Errors: other failures, mapped.
template <LentSession L>
[[nodiscard]] Result<std::optional<CK_ULONG>> read_ulong_attribute(L& lease,
                                                                   CK_OBJECT_HANDLE object,
                                                                   CK_ATTRIBUTE_TYPE type) {
  return object_search::read_fixed<CK_ULONG>(lease, object, type);
}
template <LentSession L>
[[nodiscard]] Result<std::optional<bool>> read_bool_attribute(L& lease, CK_OBJECT_HANDLE object,
                                                              CK_ATTRIBUTE_TYPE type) {
  CRATON_ASSIGN_OR_RETURN(const std::optional<CK_BBOOL> value,
                          object_search::read_fixed<CK_BBOOL>(lease, object, type));
  if (!value) return std::nullopt;
  return *value == CK_TRUE;
}
// A byte-string attribute the object may lack (CKA_UNIQUE_ID on v2.40 tokens, CKA_EC_POINT
// on private keys): nullopt instead of AttributeInvalid.
template <LentSession L>
[[nodiscard]] Result<std::optional<std::vector<std::uint8_t>>> read_optional_bytes(
    L& lease, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  auto value = read_public_attribute(lease, object, type);
  if (!value) {
    if (object_search::means_absent(value.error())) return std::nullopt;
    return std::unexpected(std::move(value).error());
  }
  return std::move(*value);
}

}  // namespace craton::hsm::pkcs11
