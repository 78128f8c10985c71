// SPDX-License-Identifier: Apache-2.0
// The canonical text of a Pkcs11Uri, and the two questions callers ask about its scope.
#include <craton/hsm/pkcs11_uri.h>

#include "uri/attributes.h"
#include "uri/percent.h"

namespace craton::hsm {

std::string Pkcs11Uri::to_string() const {
  using uri::Kind;
  using uri::Part;
  std::string out = "pkcs11:";
  bool first_path = true;
  bool first_query = true;
  for (const uri::Attribute& attribute : uri::kAttributes) {
    const bool present = attribute.text != nullptr        ? (this->*attribute.text).has_value()
                         : attribute.kind == Kind::SlotId ? slot_id.has_value()
                         : attribute.kind == Kind::Id     ? id.has_value()
                                                          : type.has_value();
    if (!present) continue;
    // The table lists path attributes first, so the '?' comes exactly once, after them.
    bool& first = attribute.part == Part::Path ? first_path : first_query;
    if (attribute.part == Part::Query && first) out += '?';
    if (!first) out += attribute.part == Part::Path ? ';' : '&';
    first = false;
    out += attribute.name;
    out += '=';
    switch (attribute.kind) {
      case Kind::SlotId:
        out += std::to_string(*slot_id);
        break;
      case Kind::Id:
        uri::append_all_encoded(out, *id);
        break;
      case Kind::Type:
        out += object_class_name(*type);
        break;
      case Kind::Text:
      case Kind::LibraryVersion:
      case Kind::ModulePath:
      case Kind::PinSource:
        uri::append_encoded(out, *(this->*attribute.text), attribute.part);
        break;
    }
  }
  return out;
}

bool Pkcs11Uri::selects_any_token() const noexcept {
  return !token && !manufacturer && !serial && !model && !slot_id && !slot_description &&
         !slot_manufacturer;
}

bool Pkcs11Uri::names_no_object() const noexcept {
  return !object && !id && !type;
}

std::optional<std::string> Pkcs11Uri::pin_source_file() const {
  if (!pin_source) return std::nullopt;
  const std::optional<std::string_view> path = uri::pin_source_path(*pin_source);
  if (!path) return std::nullopt;  // parse() refuses these; a hand-built URI may hold one
  return std::string(*path);
}

std::ostream& operator<<(std::ostream& out, const Pkcs11Uri& uri) {
  return out << uri.to_string();
}

}  // namespace craton::hsm
