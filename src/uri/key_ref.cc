// SPDX-License-Identifier: Apache-2.0
// KeyRef: the object part of a PKCS#11 URI, narrowed to what names a key.
#include <craton/hsm/resident_keys.h>

#include <fmt/format.h>

namespace craton::hsm {

Result<KeyRef> KeyRef::from_uri(const Pkcs11Uri& uri) {
  const bool has_label = uri.object && !uri.object->empty();
  const bool has_id = uri.id && !uri.id->empty();
  // An empty label or id would match nothing on some tokens and everything on others.
  if (uri.object && uri.object->empty()) {
    return fail(ErrorCode::InvalidArgument, "key reference: object (label) must not be empty");
  }
  if (uri.id && uri.id->empty()) {
    return fail(ErrorCode::InvalidArgument, "key reference: id must not be empty");
  }
  if (!has_label && !has_id) {
    return fail(ErrorCode::InvalidArgument,
                "key reference: the URI names no key (give object=<label> and/or id=<bytes>)");
  }
  if (uri.type == ObjectClass::Certificate || uri.type == ObjectClass::Data) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("key reference: type={} is not a key (use private, public or "
                            "secret-key)",
                            object_class_name(*uri.type)));
  }
  return KeyRef{.label = uri.object, .id = uri.id, .object_class = uri.type};
}

Result<KeyRef> KeyRef::parse_uri(std::string_view text) {
  CRATON_ASSIGN_OR_RETURN(const Pkcs11Uri uri, Pkcs11Uri::parse(text));
  return from_uri(uri);
}

std::string KeyRef::to_uri() const {
  Pkcs11Uri uri;
  uri.object = label;
  uri.id = id;
  uri.type = object_class;
  return uri.to_string();
}

std::ostream& operator<<(std::ostream& out, const KeyRef& ref) {
  return out << ref.to_uri();
}

}  // namespace craton::hsm
