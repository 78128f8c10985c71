// SPDX-License-Identifier: Apache-2.0
// Object search and single-attribute reads.
#include "pkcs11/session/object_search.h"

#include <craton/hsm/diagnostics.h>

#include <array>

#include "pkcs11/session/readback.h"

namespace craton::hsm::pkcs11 {
namespace {

// Tokens answer a missing attribute with CKR_ATTRIBUTE_TYPE_INVALID (or, for a value they
// will not reveal, CKR_ATTRIBUTE_SENSITIVE): both mean "no value" to a reader of metadata.
bool means_absent(const HsmError& error) {
  return error.code() == ErrorCode::AttributeInvalid ||
         error.code() == ErrorCode::AttributeSensitive;
}

}  // namespace

Result<std::vector<CK_OBJECT_HANDLE>> find_objects(Lease& lease, AttributeTemplate& tmpl) {
  CRATON_RETURN_IF_ERROR(lease.call<Fn::FindObjectsInit>(tmpl.data(), tmpl.size()));
  std::vector<CK_OBJECT_HANDLE> found;
  Result<void> searched{};
  std::array<CK_OBJECT_HANDLE, 64> batch{};
  for (;;) {
    CK_ULONG count = 0;
    searched = lease.call<Fn::FindObjects>(batch.data(), CK_ULONG{batch.size()}, &count);
    if (!searched || count == 0) break;
    found.insert(found.end(), batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(count));
  }
  // Final runs even after a failed batch: a session left mid-search refuses other calls.
  if (auto finished = lease.call<Fn::FindObjectsFinal>(); !finished) {
    if (searched) return std::unexpected(std::move(finished).error());
    report_diagnostic(finished.error());
  }
  if (!searched) return std::unexpected(std::move(searched).error());
  return found;
}

Result<std::optional<CK_ULONG>> read_ulong_attribute(Lease& lease, CK_OBJECT_HANDLE object,
                                                     CK_ATTRIBUTE_TYPE type) {
  CK_ULONG value = 0;
  CK_ATTRIBUTE attribute{type, &value, sizeof value};
  if (auto read = lease.call<Fn::GetAttributeValue>(object, &attribute, CK_ULONG{1}); !read) {
    if (means_absent(read.error())) return std::nullopt;
    return std::unexpected(std::move(read).error());
  }
  if (attribute.ulValueLen != sizeof value) return std::nullopt;
  return value;
}

Result<std::optional<bool>> read_bool_attribute(Lease& lease, CK_OBJECT_HANDLE object,
                                                CK_ATTRIBUTE_TYPE type) {
  CK_BBOOL value = CK_FALSE;
  CK_ATTRIBUTE attribute{type, &value, sizeof value};
  if (auto read = lease.call<Fn::GetAttributeValue>(object, &attribute, CK_ULONG{1}); !read) {
    if (means_absent(read.error())) return std::nullopt;
    return std::unexpected(std::move(read).error());
  }
  if (attribute.ulValueLen != sizeof value) return std::nullopt;
  return value == CK_TRUE;
}

Result<std::optional<std::vector<std::uint8_t>>> read_optional_bytes(Lease& lease,
                                                                     CK_OBJECT_HANDLE object,
                                                                     CK_ATTRIBUTE_TYPE type) {
  auto value = read_public_attribute(lease, object, type);
  if (!value) {
    if (means_absent(value.error())) return std::nullopt;
    return std::unexpected(std::move(value).error());
  }
  return std::move(*value);
}

}  // namespace craton::hsm::pkcs11
