// SPDX-License-Identifier: Apache-2.0
// RFC 7512 §2.4 matching of a token URI against what the module reports: an absent attribute
// matches anything, a present one must be equal.
#include "pkcs11/session/token_uri_match.h"

#include <charconv>
#include <optional>
#include <string_view>

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {
namespace {

// PKCS#11 text fields are blank-padded; "ci-token " in a URI means the same field.
std::string_view without_trailing_blanks(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

bool field_matches(const std::optional<std::string>& wanted, std::string_view actual) {
  return !wanted || without_trailing_blanks(*wanted) == without_trailing_blanks(actual);
}

std::optional<std::uint8_t> version_part(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value > 255) {
    return std::nullopt;
  }
  return static_cast<std::uint8_t>(value);
}

bool version_matches(std::string_view wanted, Version actual) {
  const std::size_t dot = wanted.find('.');
  const std::optional<std::uint8_t> major = version_part(wanted.substr(0, dot));
  const std::optional<std::uint8_t> minor = dot == std::string_view::npos
                                                ? std::optional<std::uint8_t>(0)
                                                : version_part(wanted.substr(dot + 1));
  return major && minor && *major == actual.major && *minor == actual.minor;
}

}  // namespace

Result<bool> uri_matches_token(const Module& module, const Pkcs11Uri& uri,
                               const TokenDescription& token) {
  if (uri.slot_id && *uri.slot_id != token.slot_id) return false;
  if (!field_matches(uri.token, token.label) ||
      !field_matches(uri.manufacturer, token.manufacturer) ||
      !field_matches(uri.serial, token.serial) || !field_matches(uri.model, token.model)) {
    return false;
  }
  if (!uri.slot_description && !uri.slot_manufacturer) return true;
  CRATON_ASSIGN_OR_RETURN(const SlotDescription slot, describe_slot(module, token.slot_id));
  return field_matches(uri.slot_description, slot.description) &&
         field_matches(uri.slot_manufacturer, slot.manufacturer);
}

Result<void> check_uri_library(const Module& module, const Pkcs11Uri& uri) {
  if (!uri.library_manufacturer && !uri.library_description && !uri.library_version) return {};
  CRATON_ASSIGN_OR_RETURN(const LibraryDescription library, describe_library(module));
  if (field_matches(uri.library_manufacturer, library.manufacturer) &&
      field_matches(uri.library_description, library.description) &&
      (!uri.library_version || version_matches(*uri.library_version, library.library_version))) {
    return {};
  }
  return fail(ErrorCode::TokenNotFound,
              fmt::format("token URI '{}' names another library: this module is "
                          "library-manufacturer '{}', library-description '{}', "
                          "library-version {}.{}",
                          uri, library.manufacturer, library.description,
                          library.library_version.major, library.library_version.minor));
}

}  // namespace craton::hsm::pkcs11
