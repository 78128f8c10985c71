// SPDX-License-Identifier: Apache-2.0
// The one table of RFC 7512 attributes this library understands: name, where it may appear,
// how its value is checked, and which Pkcs11Uri field holds it.
#pragma once

#include <craton/hsm/pkcs11_uri.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace craton::hsm::uri {

// RFC 7512 §2.3: path attributes come before '?', query attributes after it.
enum class Part : std::uint8_t { Path, Query };

// How a value is checked and stored.
enum class Kind : std::uint8_t {
  Text,            // any decoded bytes, stored in `text`
  LibraryVersion,  // 1*DIGIT ["." 1*DIGIT], stored in `text`
  ModulePath,      // an absolute path, stored in `text`
  PinSource,       // "file:" and an absolute path, or the path alone; stored in `text` as given
  SlotId,          // 1*DIGIT, fits 64 bits
  Id,              // raw bytes
  Type,            // one of the ObjectClass spellings
};

struct Attribute {
  std::string_view name;
  Part part;
  Kind kind;
  std::optional<std::string> Pkcs11Uri::*text = nullptr;  // all kinds but SlotId, Id, Type
};

// In the canonical order to_string() writes them: the order of the Pkcs11Uri fields.
inline constexpr std::array<Attribute, 16> kAttributes{{
    {"token", Part::Path, Kind::Text, &Pkcs11Uri::token},
    {"manufacturer", Part::Path, Kind::Text, &Pkcs11Uri::manufacturer},
    {"serial", Part::Path, Kind::Text, &Pkcs11Uri::serial},
    {"model", Part::Path, Kind::Text, &Pkcs11Uri::model},
    {"slot-id", Part::Path, Kind::SlotId},
    {"slot-description", Part::Path, Kind::Text, &Pkcs11Uri::slot_description},
    {"slot-manufacturer", Part::Path, Kind::Text, &Pkcs11Uri::slot_manufacturer},
    {"library-manufacturer", Part::Path, Kind::Text, &Pkcs11Uri::library_manufacturer},
    {"library-description", Part::Path, Kind::Text, &Pkcs11Uri::library_description},
    {"library-version", Part::Path, Kind::LibraryVersion, &Pkcs11Uri::library_version},
    {"object", Part::Path, Kind::Text, &Pkcs11Uri::object},
    {"id", Part::Path, Kind::Id},
    {"type", Part::Path, Kind::Type},
    {"module-name", Part::Query, Kind::Text, &Pkcs11Uri::module_name},
    {"module-path", Part::Query, Kind::ModulePath, &Pkcs11Uri::module_path},
    {"pin-source", Part::Query, Kind::PinSource, &Pkcs11Uri::pin_source},
}};

// RFC 7512 §2.3 "pin-value": understood, and always refused (a PIN in a URI ends up in shell
// history, process lists and logs).
inline constexpr std::string_view kPinValue = "pin-value";

// The file a pin-source value names: "file:/path" (the scheme compared case-insensitively, as
// RFC 3986 §3.1 says and libp11 does) or "/path" (which libp11 and pkcs11-provider accept too).
// nullopt for anything else: a relative path (relative to what?), "|command" (runs a program),
// other schemes.
[[nodiscard]] std::optional<std::string_view> pin_source_path(std::string_view value) noexcept;

// RFC 7512 §2.3 module-name of a library: its file name without the "lib" prefix and without
// the suffix ("mypkcs11" for /usr/lib/libmypkcs11.so.1).
[[nodiscard]] std::string module_name_of(const std::filesystem::path& library);

// The index of `name` in kAttributes, if it is there.
[[nodiscard]] std::optional<std::size_t> find_attribute(std::string_view name) noexcept;

// The RFC's spelling of an object class, and the class a spelling names.
[[nodiscard]] std::optional<ObjectClass> object_class_from_name(std::string_view name) noexcept;

}  // namespace craton::hsm::uri
