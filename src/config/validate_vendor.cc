// SPDX-License-Identifier: Apache-2.0
// validate()'s vendor rules: a known profile name, known quirk switches of the right type.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "config/suggest.h"
#include "config/validate_parts.h"
#include "vendor/vendor_profile.h"

namespace craton::hsm::config {
namespace {

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  const auto match = closest_match(word, candidates);
  return match ? fmt::format(" (did you mean {:?}?)", *match) : std::string();
}

}  // namespace

Result<void> check_vendor(const Pkcs11PassthroughConfig& config) {
  std::vector<std::string_view> names{"auto"};
  for (const auto& profile : vendor::profiles()) names.push_back(profile.name);
  if (std::ranges::find(names, std::string_view(config.vendor_profile)) == names.end()) {
    return fail(
        ErrorCode::ConfigInvalid,
        fmt::format("vendor_profile: no profile named {:?}{}; one of {}", config.vendor_profile,
                    did_you_mean(config.vendor_profile, names), fmt::join(names, ", ")));
  }
  for (const auto& [name, value] : config.vendor_quirks) {
    const auto known = vendor::quirk_names();
    if (std::ranges::find(known, std::string_view(name)) == known.end()) {
      return fail(ErrorCode::ConfigInvalid, fmt::format("vendor_quirks.{}: no such quirk{}", name,
                                                        did_you_mean(name, known)));
    }
    vendor::Quirks scratch;
    CRATON_RETURN_IF_ERROR(vendor::apply_quirk(scratch, name, value));
  }
  return {};
}

}  // namespace craton::hsm::config
