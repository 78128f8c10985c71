// SPDX-License-Identifier: Apache-2.0
// Building attribute templates.
#include "pkcs11/session/attributes.h"

namespace craton::hsm::pkcs11 {

AttributeTemplate& AttributeTemplate::add(CK_ATTRIBUTE_TYPE type, void* value, std::size_t length) {
  attributes_.push_back({type, value, static_cast<CK_ULONG>(length)});
  return *this;
}

AttributeTemplate& AttributeTemplate::add_bool(CK_ATTRIBUTE_TYPE type, bool value) {
  const CK_BBOOL flag = value ? CK_TRUE : CK_FALSE;
  return add_bytes(type, {&flag, sizeof flag});
}

AttributeTemplate& AttributeTemplate::add_ulong(CK_ATTRIBUTE_TYPE type, CK_ULONG value) {
  return add_bytes(type, {reinterpret_cast<const std::uint8_t*>(&value), sizeof value});
}

AttributeTemplate& AttributeTemplate::add_bytes(CK_ATTRIBUTE_TYPE type,
                                                std::span<const std::uint8_t> bytes) {
  SecretBytes& stored = owned_.emplace_back(bytes);
  return add(type, stored.expose_mut().data(), stored.size());
}

AttributeTemplate& AttributeTemplate::add_borrowed(CK_ATTRIBUTE_TYPE type,
                                                   std::span<const std::uint8_t> bytes) {
  // The C interface takes void*; modules only read attribute values of a template.
  return add(type, const_cast<std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace craton::hsm::pkcs11
