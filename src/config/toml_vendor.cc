// SPDX-License-Identifier: Apache-2.0
// Reads [vendor_quirks]; the switches themselves are the vendor component's (vendor_profile.h).
#include "config/toml_vendor.h"

#include <fmt/format.h>

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

}  // namespace craton::hsm::config
