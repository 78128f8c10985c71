// SPDX-License-Identifier: Apache-2.0
// PKCS#11 URIs (RFC 7512): the names p11-kit, GnuTLS and OpenSSL's pkcs11 provider users
// already write for tokens and objects, e.g. "pkcs11:token=ci-token;object=signing-1;type=private".
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/export.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace craton::hsm {

// RFC 7512 §2.3 "type": which kind of object an URI names.
enum class ObjectClass : std::uint8_t { PrivateKey, PublicKey, SecretKey, Certificate, Data };

// "private", "public", "secret-key", "cert", "data" (the RFC's spellings).
[[nodiscard]] CRATON_HSM_API std::string_view object_class_name(ObjectClass object_class) noexcept;

// One attribute on which a URI and a description disagree: its RFC 7512 name and both
// values as text (decoded; slot-id in decimal; "" when the description lacks it).
struct Pkcs11UriMismatch {
  std::string_view attribute;
  std::string wanted;
  std::string actual;
};

// A parsed PKCS#11 URI. Every attribute is optional; an absent one matches anything. Values
// are stored decoded (percent-escapes resolved); `id` is raw bytes.
struct CRATON_HSM_API Pkcs11Uri {
  // Token (CK_TOKEN_INFO).
  std::optional<std::string> token;         // "token": label
  std::optional<std::string> manufacturer;  // "manufacturer"
  std::optional<std::string> serial;        // "serial"
  std::optional<std::string> model;         // "model"
  // Slot and library (CK_SLOT_INFO, CK_INFO).
  std::optional<std::uint64_t> slot_id;             // "slot-id", decimal
  std::optional<std::string> slot_description;      // "slot-description"
  std::optional<std::string> slot_manufacturer;     // "slot-manufacturer"
  std::optional<std::string> library_manufacturer;  // "library-manufacturer"
  std::optional<std::string> library_description;   // "library-description"
  std::optional<std::string> library_version;       // "library-version", "M" or "M.m"
  // Object.
  std::optional<std::string> object;            // "object": CKA_LABEL
  std::optional<std::vector<std::uint8_t>> id;  // "id": CKA_ID
  std::optional<ObjectClass> type;              // "type"
  // Query attributes (after '?').
  std::optional<std::string> module_name;  // "module-name"
  std::optional<std::string> module_path;  // "module-path", an absolute path
  // "pin-source": where the user PIN is, "file:/abs/path" or "/abs/path" (never the PIN
  // itself). Only a configuration's token_uri reads it (same rules as pin_file).
  std::optional<std::string> pin_source;

  // Parses `text`. Errors (all InvalidArgument, naming the offending attribute and its 1-based
  // position, never quoting a value): no "pkcs11:" scheme (compared case-insensitively),
  // malformed or truncated percent-escapes, characters RFC 7512 wants escaped, an attribute
  // given twice or in the wrong part (path vs query), an empty attribute or name, a "type",
  // "slot-id" or "library-version" value outside the RFC's grammar, a relative "module-path",
  // and any attribute this library does not understand (vendor "x-" attributes included:
  // silently ignoring a selector could select the wrong key), "pin-value" (PINs never travel
  // in URIs), and a "pin-source" that is not "file:/absolute/path" or "/absolute/path".
  [[nodiscard]] static Result<Pkcs11Uri> parse(std::string_view text);

  // The canonical form: path attributes in the order declared above, then the query; values
  // percent-encoded where RFC 7512 §2.3 requires (and `id` always as %XX pairs). parse() of
  // the result gives back an equal Pkcs11Uri.
  [[nodiscard]] std::string to_string() const;

  // True when no token attribute is set (token, manufacturer, serial, model, slot-*).
  [[nodiscard]] bool selects_any_token() const noexcept;
  // True when no object attribute is set (object, id, type).
  [[nodiscard]] bool names_no_object() const noexcept;
  // The file pin-source names ("file:" removed), if it is set.
  [[nodiscard]] std::optional<std::string> pin_source_file() const;

  // RFC 7512 §2.4 matching of this URI's token, slot, library and module attributes against
  // `described`, a URI stating what one token, its slot, library and module are (e.g.
  // Pkcs11Backend::describe_location()): every such attribute this URI sets must equal
  // described's. Text compares without trailing blanks (PKCS#11 pads its fields);
  // "library-version=M" means M.0; module-path compares as normalised paths; module-name
  // exactly (the describer derives it from the library's file name, RFC 7512 §2.3). An
  // attribute `described` leaves unset never matches. Object attributes and pin-source are
  // not compared. Returns the first difference in canonical order, or nullopt.
  [[nodiscard]] std::optional<Pkcs11UriMismatch> first_mismatch(const Pkcs11Uri& described) const;

  friend bool operator==(const Pkcs11Uri&, const Pkcs11Uri&) = default;
};

CRATON_HSM_API std::ostream& operator<<(std::ostream& out, const Pkcs11Uri& uri);

}  // namespace craton::hsm

template <>
struct fmt::formatter<craton::hsm::Pkcs11Uri> : fmt::formatter<std::string_view> {
  auto format(const craton::hsm::Pkcs11Uri& uri, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(uri.to_string(), ctx);
  }
};
