// SPDX-License-Identifier: Apache-2.0
// Looking names up in the attribute table, and the RFC 7512 "type" spellings.
#include "uri/attributes.h"

#include <algorithm>
#include <utility>

namespace craton::hsm {
namespace {

constexpr std::array<std::pair<ObjectClass, std::string_view>, 5> kClassNames{{
    {ObjectClass::PrivateKey, "private"},
    {ObjectClass::PublicKey, "public"},
    {ObjectClass::SecretKey, "secret-key"},
    {ObjectClass::Certificate, "cert"},
    {ObjectClass::Data, "data"},
}};

}  // namespace

std::string_view object_class_name(ObjectClass object_class) noexcept {
  for (const auto& [value, name] : kClassNames) {
    if (value == object_class) return name;
  }
  return "unknown";
}

namespace uri {

std::optional<std::size_t> find_attribute(std::string_view name) noexcept {
  const auto found = std::ranges::find(kAttributes, name, &Attribute::name);
  if (found == kAttributes.end()) return std::nullopt;
  return static_cast<std::size_t>(found - kAttributes.begin());
}

std::optional<std::string_view> pin_source_path(std::string_view value) noexcept {
  constexpr std::string_view kFileScheme = "file:";
  const bool has_file_scheme =
      value.size() >= kFileScheme.size() &&
      std::ranges::equal(value.substr(0, kFileScheme.size()), kFileScheme, [](char a, char b) {
        return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
      });
  if (has_file_scheme) value.remove_prefix(kFileScheme.size());
  // Absolute, and more than the root: "/" alone is a directory, never a PIN file.
  if (value.size() < 2 || value.front() != '/') return std::nullopt;
  return value;
}

std::string module_name_of(const std::filesystem::path& library) {
  std::string name = library.filename().string();
  if (name.starts_with("lib")) name.erase(0, 3);
  if (const auto dot = name.find('.'); dot != std::string::npos) name.erase(dot);
  return name;
}

std::optional<ObjectClass> object_class_from_name(std::string_view name) noexcept {
  for (const auto& [value, spelling] : kClassNames) {
    if (spelling == name) return value;
  }
  return std::nullopt;
}

}  // namespace uri
}  // namespace craton::hsm
