// SPDX-License-Identifier: Apache-2.0
// Pkcs11Uri::parse: RFC 7512 §2.3 grammar, strict, because a URI here selects a token or key
// and every attribute we cannot honour would silently widen the selection.
#include <craton/hsm/pkcs11_uri.h>

#include <algorithm>
#include <bitset>
#include <charconv>

#include "uri/attributes.h"
#include "uri/percent.h"
#include "uri/uri_error.h"

namespace craton::hsm {
namespace {

using uri::Attribute;
using uri::Kind;
using uri::Part;
using uri::uri_error;

constexpr std::string_view kScheme = "pkcs11:";

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view text) noexcept {
  return !text.empty() && std::ranges::all_of(text, is_digit);
}

// RFC 3986 §3.1: schemes compare case-insensitively ("PKCS11:" is the same scheme).
bool has_scheme(std::string_view text) noexcept {
  if (text.size() < kScheme.size()) return false;
  return std::ranges::equal(text.substr(0, kScheme.size()), kScheme, [](char a, char b) {
    return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
  });
}

// Attribute names are quoted in errors only when they look like names (RFC 7512
// pk11-v-attr-nm-char: ALPHA / DIGIT / "-" / "_"), so arbitrary URI text never is.
std::string describe_name(std::string_view name) {
  const bool name_like = name.size() <= 64 && std::ranges::all_of(name, [](char c) {
                           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
                                  c == '-' || c == '_';
                         });
  return name_like ? fmt::format("attribute '{}'", name) : std::string("attribute");
}

// Parses the path or the query: `text` starts at 0-based `offset` in the URI.
class PartParser {
 public:
  PartParser(Pkcs11Uri& uri, std::bitset<uri::kAttributes.size()>& seen) : uri_(uri), seen_(seen) {}

  Result<void> parse(std::string_view text, Part part, std::size_t offset) {
    if (text.empty()) return {};  // "pkcs11:" and "pkcs11:?" name nothing, which is allowed
    const char separator = part == Part::Path ? ';' : '&';
    std::size_t start = 0;
    while (true) {
      const std::size_t end = text.find(separator, start);
      const std::string_view chunk = text.substr(start, end - start);
      CRATON_RETURN_IF_ERROR(parse_attribute(chunk, part, offset + start));
      if (end == std::string_view::npos) return {};
      start = end + 1;
    }
  }

 private:
  Result<void> parse_attribute(std::string_view chunk, Part part, std::size_t offset) {
    const std::size_t position = offset + 1;
    if (chunk.empty()) {
      return uri_error("attribute", position, "empty (two separators in a row, or one at the end)");
    }
    const std::size_t equals = chunk.find('=');
    if (equals == std::string_view::npos) return uri_error("attribute", position, "missing '='");
    const std::string_view name = chunk.substr(0, equals);
    if (name.empty()) return uri_error("attribute", position, "empty attribute name");
    // Refused before the value is even decoded, so it can appear in no message.
    if (name == uri::kPinValue) {
      return uri_error(describe_name(name), position,
                       "PINs are never taken from URIs; use pin-source=file:/path, pin_file or "
                       "pin_env");
    }
    const std::optional<std::size_t> index = uri::find_attribute(name);
    if (!index) {
      return uri_error(describe_name(name), position,
                       name.starts_with("x-")
                           ? "vendor attributes are not supported (ignoring one could select "
                             "the wrong object)"
                           : "unknown attribute (ignoring it could select the wrong object)");
    }
    const Attribute& attribute = uri::kAttributes[*index];
    if (attribute.part != part) {
      return uri_error(describe_name(name), position,
                       attribute.part == Part::Path ? "is a path attribute; it belongs before '?'"
                                                    : "is a query attribute; it belongs after '?'");
    }
    if (seen_.test(*index)) return uri_error(describe_name(name), position, "given twice");
    seen_.set(*index);

    const std::size_t value_offset = offset + equals + 1;
    CRATON_ASSIGN_OR_RETURN(
        std::string value,
        uri::percent_decode(chunk.substr(equals + 1), part, describe_name(name), value_offset));
    return store(attribute, std::move(value), describe_name(name), value_offset + 1);
  }

  Result<void> store(const Attribute& attribute, std::string value, const std::string& subject,
                     std::size_t position) {
    switch (attribute.kind) {
      case Kind::Text:
        break;
      case Kind::LibraryVersion: {
        // RFC 7512: 1*DIGIT [ "." 1*DIGIT ]
        const std::size_t dot = value.find('.');
        const bool valid = dot == std::string::npos
                               ? all_digits(value)
                               : all_digits(std::string_view(value).substr(0, dot)) &&
                                     all_digits(std::string_view(value).substr(dot + 1));
        if (!valid) return uri_error(subject, position, "must be M or M.m in decimal digits");
        break;
      }
      case Kind::ModulePath:
        // A relative path would be searched by dlopen, letting the environment choose the code.
        if (!value.starts_with('/'))
          return uri_error(subject, position, "must be an absolute path");
        break;
      case Kind::PinSource:
        // Never a program to run ("|command") nor a path relative to an unknown directory.
        if (!uri::pin_source_path(value)) {
          return uri_error(subject, position,
                           "must be file:/absolute/path or /absolute/path (programs and other "
                           "sources are not supported)");
        }
        break;
      case Kind::SlotId: {
        std::uint64_t slot = 0;
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), slot);
        if (!all_digits(value) || error != std::errc() || end != value.data() + value.size()) {
          return uri_error(subject, position, "must be a decimal number below 2^64");
        }
        uri_.slot_id = slot;
        return {};
      }
      case Kind::Id:
        uri_.id = std::vector<std::uint8_t>(value.begin(), value.end());
        return {};
      case Kind::Type: {
        const std::optional<ObjectClass> type = uri::object_class_from_name(value);
        if (!type) {
          return uri_error(subject, position,
                           "must be one of private, public, secret-key, cert, data");
        }
        uri_.type = *type;
        return {};
      }
    }
    uri_.*attribute.text = std::move(value);
    return {};
  }

  Pkcs11Uri& uri_;
  std::bitset<uri::kAttributes.size()>& seen_;
};

}  // namespace

Result<Pkcs11Uri> Pkcs11Uri::parse(std::string_view text) {
  if (!has_scheme(text)) return uri_error("scheme", 1, "must start with \"pkcs11:\"");
  Pkcs11Uri parsed;
  std::bitset<uri::kAttributes.size()> seen;
  PartParser parser(parsed, seen);
  const std::size_t query = text.find('?', kScheme.size());
  const std::string_view path = text.substr(kScheme.size(), query - kScheme.size());
  CRATON_RETURN_IF_ERROR(parser.parse(path, Part::Path, kScheme.size()));
  if (query != std::string_view::npos) {
    CRATON_RETURN_IF_ERROR(parser.parse(text.substr(query + 1), Part::Query, query + 1));
  }
  return parsed;
}

}  // namespace craton::hsm
