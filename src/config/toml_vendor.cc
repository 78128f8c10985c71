// SPDX-License-Identifier: Apache-2.0
// Reads [vendor_quirks] (the switches themselves are the vendor component's, vendor_profile.h)
// and import_method.
#include "config/toml_vendor.h"

#include <array>

#include <fmt/format.h>

#include "config/suggest.h"
#include "config/toml_read.h"
#include "vendor/vendor_profile.h"

namespace craton::hsm::config {

Result<std::map<std::string, VendorQuirkValue, std::less<>>> parse_vendor_quirks(
    const toml::table& root) {
  std::map<std::string, VendorQuirkValue, std::less<>> quirks;
  const toml::node* node = root.get("vendor_quirks");
  if (node == nullptr) return quirks;
  const toml::table* table = node->as_table();
  if (table == nullptr) return wrong_type("vendor_quirks", "a table ([vendor_quirks])", *node);
  CRATON_RETURN_IF_ERROR(check_known_keys(*table, vendor::quirk_names(), "vendor_quirks."));
  for (const auto& [key, value] : *table) {
    const std::string field = fmt::format("vendor_quirks.{}", key.str());
    VendorQuirkValue parsed;
    if (const auto* flag = value.as_boolean()) {
      parsed = flag->get();
    } else if (const auto* count = value.as_integer()) {
      parsed = count->get();
    } else if (const auto* text = value.as_string()) {
      parsed = text->get();
    } else {
      return wrong_type(field, "a boolean, an integer or a string", value);
    }
    // The switch's own type and range, checked here so the error points at the file.
    vendor::Quirks scratch;
    CRATON_RETURN_IF_ERROR(vendor::apply_quirk(scratch, key.str(), parsed));
    quirks.emplace(std::string(key.str()), std::move(parsed));
  }
  return quirks;
}

Result<ImportMethod> parse_import_method(const toml::table& root) {
  CRATON_ASSIGN_OR_RETURN(const auto text, read_string(root, "import_method", "import_method"));
  if (!text) return ImportMethod::Auto;
  constexpr std::array<ImportMethod, 3> kMethods{ImportMethod::Auto, ImportMethod::Create,
                                                 ImportMethod::Unwrap};
  std::array<std::string_view, 3> names{};
  for (std::size_t i = 0; i < kMethods.size(); ++i) {
    if (*text == import_method_name(kMethods[i])) return kMethods[i];
    names[i] = import_method_name(kMethods[i]);
  }
  const auto match = closest_match(*text, names);
  return fail(ErrorCode::ConfigInvalid,
              fmt::format("import_method: {:?} is not one of auto, create, unwrap{}", *text,
                          match ? fmt::format(" (did you mean {:?}?)", *match) : std::string()));
}

}  // namespace craton::hsm::config
