// SPDX-License-Identifier: Apache-2.0
// The quirk switches by name: [vendor_quirks] overrides, resolution, and the text form.
#include "vendor/vendor_profile.h"

#include <algorithm>
#include <array>
#include <limits>

#include <fmt/format.h>

namespace craton::hsm::vendor {
namespace {

// The boolean switches, by their [vendor_quirks] key.
struct BoolQuirk {
  std::string_view name;
  bool Quirks::*member;
};
constexpr std::array<BoolQuirk, 11> kBoolQuirks{{
    {"serialize_calls", &Quirks::serialize_calls},
    {"ok_after_finalize", &Quirks::ok_after_finalize},
    {"untrusted_session_limits", &Quirks::untrusted_session_limits},
    {"gcm_short_length_query", &Quirks::gcm_short_length_query},
    {"buffer_too_small_ends_operation", &Quirks::buffer_too_small_ends_operation},
    {"gcm_single_part_only", &Quirks::gcm_single_part_only},
    {"general_error_is_integrity_failure", &Quirks::general_error_is_integrity_failure},
    {"oaep_sha1_only", &Quirks::oaep_sha1_only},
    {"gcm_token_generates_iv", &Quirks::gcm_token_generates_iv},
    {"refuses_private_key_create", &Quirks::refuses_private_key_create},
    {"minimal_key_templates", &Quirks::minimal_key_templates},
}};
constexpr std::string_view kMaxSessions = "max_sessions";
constexpr std::string_view kWrapPad = "aes_key_wrap_pad";
// Every key, for suggestions: the booleans, then the two others.
constexpr std::array<std::string_view, 13> kAllNames{kBoolQuirks[0].name,
                                                     kBoolQuirks[1].name,
                                                     kBoolQuirks[2].name,
                                                     kBoolQuirks[3].name,
                                                     kBoolQuirks[4].name,
                                                     kBoolQuirks[5].name,
                                                     kBoolQuirks[6].name,
                                                     kBoolQuirks[7].name,
                                                     kBoolQuirks[8].name,
                                                     kBoolQuirks[9].name,
                                                     kBoolQuirks[10].name,
                                                     kMaxSessions,
                                                     kWrapPad};

constexpr std::array<WrapPadMeaning, 4> kWrapPadMeanings{
    WrapPadMeaning::Unknown, WrapPadMeaning::Rfc5649, WrapPadMeaning::Rfc5649BlockMultiples,
    WrapPadMeaning::Rfc3394OverPkcs7};

// Sessions one pool may hold is 1..256 (pool_size); a token limit above that changes nothing.
constexpr std::int64_t kMaxSessionsLimit = 65'536;

HsmError wrong_type(std::string_view name, std::string_view expected) {
  return HsmError(ErrorCode::ConfigInvalid,
                  fmt::format("vendor_quirks.{}: must be {}", name, expected));
}

}  // namespace

std::span<const std::string_view> quirk_names() noexcept {
  return kAllNames;
}

std::string_view wrap_pad_name(WrapPadMeaning meaning) noexcept {
  switch (meaning) {
    case WrapPadMeaning::Unknown:
      return "unknown";
    case WrapPadMeaning::Rfc5649:
      return "rfc5649";
    case WrapPadMeaning::Rfc5649BlockMultiples:
      return "rfc5649_block_multiples";
    case WrapPadMeaning::Rfc3394OverPkcs7:
      return "rfc3394_pkcs7";
  }
  return "unknown";
}

Result<void> apply_quirk(Quirks& quirks, std::string_view name, const VendorQuirkValue& value) {
  if (const auto it = std::ranges::find(kBoolQuirks, name, &BoolQuirk::name);
      it != kBoolQuirks.end()) {
    const bool* flag = std::get_if<bool>(&value);
    if (flag == nullptr) return std::unexpected(wrong_type(name, "true or false"));
    quirks.*(it->member) = *flag;
    return {};
  }
  if (name == kMaxSessions) {
    const std::int64_t* count = std::get_if<std::int64_t>(&value);
    if (count == nullptr || *count < 0 || *count > kMaxSessionsLimit) {
      return std::unexpected(
          wrong_type(name, fmt::format("an integer 0..{} (0: no known limit)", kMaxSessionsLimit)));
    }
    quirks.max_sessions = static_cast<std::uint32_t>(*count);
    return {};
  }
  if (name == kWrapPad) {
    const std::string* text = std::get_if<std::string>(&value);
    const auto it = text == nullptr ? kWrapPadMeanings.end()
                                    : std::ranges::find(kWrapPadMeanings, std::string_view(*text),
                                                        wrap_pad_name);
    if (it == kWrapPadMeanings.end()) {
      return std::unexpected(wrong_type(
          name, "\"unknown\", \"rfc5649\", \"rfc5649_block_multiples\" or \"rfc3394_pkcs7\""));
    }
    quirks.aes_key_wrap_pad = *it;
    return {};
  }
  return fail(ErrorCode::ConfigInvalid, fmt::format("vendor_quirks.{}: no such quirk", name));
}

Result<VendorProfile> resolve(const Pkcs11PassthroughConfig& config, const VendorStrings& strings) {
  VendorProfile profile;
  const ProfileDefinition* base = nullptr;
  if (config.vendor_profile == "auto") {
    base = &detect(strings);
    profile.detected = true;
  } else {
    base = find_profile(config.vendor_profile);
    if (base == nullptr) {
      return fail(ErrorCode::ConfigInvalid,
                  fmt::format("vendor_profile: no profile named {:?}", config.vendor_profile));
    }
  }
  profile.name = base->name;
  profile.quirks = base->quirks;
  for (const auto& [name, value] : config.vendor_quirks) {
    CRATON_RETURN_IF_ERROR(apply_quirk(profile.quirks, name, value));
  }
  if (config.serialize_calls) profile.quirks.serialize_calls = *config.serialize_calls;
  profile.overridden = profile.quirks != base->quirks;
  return profile;
}

std::vector<std::string> active_quirks(const Quirks& quirks) {
  std::vector<std::string> active;
  for (const BoolQuirk& quirk : kBoolQuirks) {
    if (quirks.*(quirk.member)) active.emplace_back(quirk.name);
  }
  if (quirks.max_sessions != 0) {
    active.push_back(fmt::format("{} = {}", kMaxSessions, quirks.max_sessions));
  }
  if (quirks.aes_key_wrap_pad != WrapPadMeaning::Unknown) {
    active.push_back(fmt::format("{} = \"{}\"", kWrapPad, wrap_pad_name(quirks.aes_key_wrap_pad)));
  }
  return active;
}

std::string describe(const VendorProfile& profile) {
  return fmt::format("{} ({}{})", profile.name, profile.detected ? "detected" : "configured",
                     profile.overridden ? ", overridden" : "");
}

}  // namespace craton::hsm::vendor
