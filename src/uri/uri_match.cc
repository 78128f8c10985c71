// SPDX-License-Identifier: Apache-2.0
// Pkcs11Uri::first_mismatch: RFC 7512 §2.4 matching of the token, slot, library and module
// attributes, one attribute at a time so a refusal can say which one differs.
#include <craton/hsm/pkcs11_uri.h>

#include <charconv>
#include <filesystem>
#include <string>

#include "uri/attributes.h"

namespace craton::hsm {
namespace {

// PKCS#11 text fields are blank-padded; "ci-token " in a URI means the same field.
std::string_view without_trailing_blanks(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

struct Version {
  unsigned major = 0;
  unsigned minor = 0;
  friend bool operator==(const Version&, const Version&) = default;
};

std::optional<unsigned> version_part(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// "M" is "M.0", as p11-kit reads it: the RFC's grammar makes the minor part optional.
std::optional<Version> parse_version(std::string_view text) {
  const std::size_t dot = text.find('.');
  const std::optional<unsigned> major = version_part(text.substr(0, dot));
  const std::optional<unsigned> minor = dot == std::string_view::npos
                                            ? std::optional<unsigned>(0)
                                            : version_part(text.substr(dot + 1));
  if (!major || !minor) return std::nullopt;
  return Version{*major, *minor};
}

bool values_match(uri::Kind kind, const std::string& wanted, const std::string& actual) {
  switch (kind) {
    case uri::Kind::LibraryVersion: {
      const std::optional<Version> a = parse_version(wanted);
      const std::optional<Version> b = parse_version(actual);
      return a && b && *a == *b;
    }
    case uri::Kind::ModulePath:
      return std::filesystem::path(wanted).lexically_normal() ==
             std::filesystem::path(actual).lexically_normal();
    default:
      return without_trailing_blanks(wanted) == without_trailing_blanks(actual);
  }
}

bool is_location(const uri::Attribute& attribute) {
  return attribute.kind != uri::Kind::Id && attribute.kind != uri::Kind::Type &&
         attribute.kind != uri::Kind::PinSource && attribute.name != "object";
}

}  // namespace

std::optional<Pkcs11UriMismatch> Pkcs11Uri::first_mismatch(const Pkcs11Uri& described) const {
  for (const uri::Attribute& attribute : uri::kAttributes) {
    if (!is_location(attribute)) continue;
    if (attribute.kind == uri::Kind::SlotId) {
      if (!slot_id || slot_id == described.slot_id) continue;
      return Pkcs11UriMismatch{
          attribute.name, std::to_string(*slot_id),
          described.slot_id ? std::to_string(*described.slot_id) : std::string()};
    }
    const std::optional<std::string>& wanted = this->*attribute.text;
    const std::optional<std::string>& actual = described.*attribute.text;
    if (!wanted || (actual && values_match(attribute.kind, *wanted, *actual))) continue;
    return Pkcs11UriMismatch{attribute.name, *wanted, actual.value_or("")};
  }
  return std::nullopt;
}

}  // namespace craton::hsm
