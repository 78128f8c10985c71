// SPDX-License-Identifier: Apache-2.0
// Reading attribute values of temporary session objects back to the host.
#include "pkcs11/session/readback.h"

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {

void add_readable_secret(AttributeTemplate& tmpl, bool private_objects) {
  tmpl.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
      .add_ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET)
      .add_bool(CKA_TOKEN, false)
      .add_bool(CKA_SENSITIVE, false)
      .add_bool(CKA_EXTRACTABLE, true)
      .add_bool(CKA_PRIVATE, private_objects);
}

namespace readback {

Result<std::size_t> reported_length(CK_ATTRIBUTE_TYPE type, CK_ULONG length) {
  if (length == CK_UNAVAILABLE_INFORMATION) {
    return fail(ErrorCode::AttributeSensitive,
                fmt::format("attribute 0x{:x} of a temporary object is unavailable", type));
  }
  return static_cast<std::size_t>(length);
}

Result<std::size_t> written_length(CK_ATTRIBUTE_TYPE type, CK_ULONG length, std::size_t capacity) {
  if (length > capacity) {
    return fail(ErrorCode::Pkcs11Failure,
                fmt::format("attribute 0x{:x} grew between two C_GetAttributeValue calls", type));
  }
  return static_cast<std::size_t>(length);
}

}  // namespace readback
}  // namespace craton::hsm::pkcs11
