// SPDX-License-Identifier: Apache-2.0
// The built-in profiles and their detection. Each profile's quirks, and how each was verified,
// are in docs/vendors/<name>.md; the three software tokens' facts come from docs/vendors.md.
#include <algorithm>
#include <array>
#include <cctype>

#include "vendor/vendor_profile.h"

namespace craton::hsm::vendor {
namespace {

Quirks softhsm2_quirks() {
  Quirks q;
  q.general_error_is_integrity_failure = true;
  q.oaep_sha1_only = true;
  q.aes_key_wrap_pad = WrapPadMeaning::Rfc5649BlockMultiples;
  return q;
}

Quirks nss_quirks() {
  Quirks q;
  q.ok_after_finalize = true;
  q.gcm_short_length_query = true;
  q.buffer_too_small_ends_operation = true;
  q.gcm_single_part_only = true;
  q.aes_key_wrap_pad = WrapPadMeaning::Rfc3394OverPkcs7;
  return q;
}

Quirks opencryptoki_quirks() {
  Quirks q;
  q.untrusted_session_limits = true;
  return q;
}

Quirks luna_quirks() {
  Quirks q;
  q.refuses_private_key_create = true;
  return q;
}

Quirks cloudhsm_quirks() {
  Quirks q;
  q.gcm_token_generates_iv = true;
  q.refuses_private_key_create = true;
  return q;
}

Quirks yubihsm2_quirks() {
  Quirks q;
  q.max_sessions = 16;
  // yubihsm_pkcs11's generation template parser (yubihsm-shell, util_pkcs11.c) answers
  // CKR_ATTRIBUTE_TYPE_INVALID for usages it does not model (CKA_DERIVE on RSA keys, even false).
  q.minimal_key_templates = true;
  return q;
}

const std::array<ProfileDefinition, 9>& table() {
  static const std::array<ProfileDefinition, 9> kProfiles{{
      {"softhsm2", "SoftHSM2 2.6 (verified here): OAEP SHA-1 only, CKR_GENERAL_ERROR for bad tags",
       softhsm2_quirks()},
      {"nss", "NSS softokn 3.87 (verified here): GCM sizing and single-part, CKR_OK after finalize",
       nss_quirks()},
      {"opencryptoki", "openCryptoki 3.8 (verified here): ulMaxSessionCount 0xFFFF...FFFE",
       opencryptoki_quirks()},
      {"luna", "Thales Luna (users' reports): no C_CreateObject of private keys", luna_quirks()},
      {"cloudhsm", "AWS CloudHSM (users' reports): token-chosen GCM IVs, no private-key create",
       cloudhsm_quirks()},
      {"nshield", "Entrust nShield (users' reports): no quirk switch needed yet", Quirks{}},
      {"utimaco", "Utimaco CryptoServer (users' reports): no quirk switch needed yet", Quirks{}},
      {"yubihsm2", "YubiHSM 2 (users' reports): 16 sessions per device, strict key templates",
       yubihsm2_quirks()},
      {"generic", "any other module: the PKCS#11 v2.40 behaviour", Quirks{}},
  }};
  return kProfiles;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Substrings of the identity strings (lower case) that name each vendor. YubiHSM 2 is matched
// by "yubihsm", never "yubico": ykcs11 (YubiKey PIV) is Yubico's too and has none of its limits.
struct Marker {
  std::string_view profile;
  std::string_view needle;
};
constexpr std::array<Marker, 15> kMarkers{{
    {"softhsm2", "softhsm"},
    {"nss", "mozilla"},
    {"nss", "nss "},
    {"opencryptoki", "opencryptoki"},
    {"opencryptoki", "meta pkcs11"},
    {"luna", "luna"},
    {"luna", "safenet"},
    {"luna", "chrystoki"},
    {"cloudhsm", "cloudhsm"},
    {"cloudhsm", "amazon"},
    {"nshield", "nshield"},
    {"nshield", "ncipher"},
    {"utimaco", "utimaco"},
    {"utimaco", "cryptoserver"},
    {"yubihsm2", "yubihsm"},
}};

}  // namespace

std::span<const ProfileDefinition> profiles() noexcept {
  return table();
}

const ProfileDefinition* find_profile(std::string_view name) noexcept {
  const auto& all = table();
  const auto it = std::ranges::find(all, name, &ProfileDefinition::name);
  return it == all.end() ? nullptr : &*it;
}

const ProfileDefinition& detect(const VendorStrings& strings) {
  // Library strings first: they name the module's author; token strings name the hardware.
  for (const std::string_view field :
       {std::string_view(strings.library_manufacturer),
        std::string_view(strings.library_description), std::string_view(strings.token_manufacturer),
        std::string_view(strings.token_model)}) {
    const std::string text = lower(field) + ' ';
    for (const Marker& marker : kMarkers) {
      if (text.find(marker.needle) != std::string::npos) return *find_profile(marker.profile);
    }
  }
  return table().back();
}

}  // namespace craton::hsm::vendor
